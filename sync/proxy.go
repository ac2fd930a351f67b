package sync

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/net/proxy"

	"github.com/enquete-field/enquete/locales"
)

// ProxyHTTP returns an HTTP client for [Client.HTTP] that makes every
// connection through the SOCKS5 proxy at proxyURL ("socks5://host:port",
// "socks5h://host:port", optionally with user:password), such as Tor's
// (socks5h://127.0.0.1:9050). The archive's host name is handed to the
// proxy unresolved, so no DNS query leaves this machine and .onion
// addresses work. Environment proxies (HTTP_PROXY…) are ignored: the
// traffic goes through this proxy or not at all.
func ProxyHTTP(proxyURL string) (*http.Client, error) {
	u, err := url.Parse(proxyURL)
	if err != nil || (u.Scheme != "socks5" && u.Scheme != "socks5h") || u.Host == "" {
		return nil, locales.Errorf("sync.bad_proxy", proxyURL).Hint("sync.bad_proxy.hint")
	}
	u.Scheme = "socks5" // x/net/proxy sends host names to the proxy either way
	d, err := proxy.FromURL(u, &net.Dialer{Timeout: 30 * time.Second})
	if err != nil {
		return nil, locales.Errorf("sync.bad_proxy", proxyURL).Hint("sync.bad_proxy.hint").Wrap(err)
	}
	cd, ok := d.(proxy.ContextDialer)
	if !ok {
		return nil, locales.Errorf("sync.bad_proxy", proxyURL).Hint("sync.bad_proxy.hint")
	}
	t := defaultTransport().(*http.Transport)
	t.Proxy = nil
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		return cd.DialContext(ctx, network, addr)
	}
	return &http.Client{Transport: t, CheckRedirect: defaultHTTP.CheckRedirect}, nil
}
