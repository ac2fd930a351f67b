package crypto

import (
	"net"
	"net/url"
	"strings"
)

// Message keys of archive address errors.
const (
	KeyArchiveURL       = "crypto.archive_url"        // not an http:// or https:// URL
	KeyArchivePlainHTTP = "crypto.archive_plain_http" // plain http:// to another machine
)

const hintArchiveHTTPS = "crypto.hint.archive_https"

// CheckArchiveAddress checks an archive address a device may send records
// to: https://, or plain http:// only to a .onion host (Tor encrypts the
// way and authenticates the host by its name) or to this machine
// ([LocalArchive]: local testing, the demo). Plain http:// to any other
// host is refused: every network on the way, a Tor exit included, could
// read the sync and answer it with false receipts. "" (sneakernet only)
// passes. Errors: KeyArchiveURL, KeyArchivePlainHTTP.
func CheckArchiveAddress(address string) error {
	if address == "" {
		return nil
	}
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errorf(KeyArchiveURL, address)
	}
	if u.Scheme == "http" && !LocalArchive(address) && !onionHost(u.Hostname()) {
		return errorf(KeyArchivePlainHTTP, u.Redacted()).Hint(hintArchiveHTTPS)
	}
	return nil
}

// LocalArchive reports whether address names this machine: localhost, or
// a loopback IP address (all of 127.0.0.0/8, ::1).
func LocalArchive(address string) bool {
	u, err := url.Parse(address)
	if err != nil {
		return false
	}
	host := u.Hostname()
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// onionHost reports whether host is a Tor onion service name.
func onionHost(host string) bool {
	name, ok := strings.CutSuffix(strings.ToLower(host), ".onion")
	return ok && name != "" && !strings.HasSuffix(name, ".")
}
