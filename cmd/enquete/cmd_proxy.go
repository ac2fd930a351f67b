package main

import (
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/store"
	"github.com/enquete-field/enquete/sync"
)

// syncClient is a client for the archive at url, through the SOCKS5 proxy
// given by --proxy or ENQUETE_PROXY (e.g. Tor: socks5h://127.0.0.1:9050).
func (e *env) syncClient(url, proxyFlag string) (*sync.Client, error) {
	c := &sync.Client{URL: url}
	proxy := proxyFlag
	if proxy == "" {
		proxy = e.getenv("ENQUETE_PROXY")
	}
	if proxy != "" {
		hc, err := sync.ProxyHTTP(proxy)
		if err != nil {
			return nil, err
		}
		c.HTTP = hc
	}
	return c, nil
}

// ackFunc marks a record synced once the archive's receipt lists it; in an
// anonymous project it then erases the local copy at once.
func ackFunc(h *store.Home, p *crypto.Project) func(name string) error {
	return func(name string) error {
		if err := h.MarkSynced(p.ID, name); err != nil {
			return err
		}
		if p.Anonymous {
			return h.RemoveSynced(p.ID, name)
		}
		return nil
	}
}
