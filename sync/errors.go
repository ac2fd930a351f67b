package sync

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// badURL explains an archive address that cannot be used.
func (c *Client) badURL(cause error) error {
	e := locales.Errorf("sync.bad_url", c.shownURL()).Hint("sync.bad_url.hint")
	if cause != nil {
		e.Wrap(cause)
	}
	return e
}

// transportError turns a failed round trip into a user-facing error:
// cancelled, unreachable (nothing sent), a certificate refused, or a
// connection cut in the middle.
func (c *Client) transportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return locales.Errorf("sync.cancelled").Wrap(ctx.Err())
	}
	if unreachable(err) {
		return locales.Errorf("sync.unreachable", c.shownURL()).Hint("sync.unreachable.hint").Wrap(err)
	}
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	var verify *tls.CertificateVerificationError
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) || errors.As(err, &verify) {
		return locales.Errorf("sync.certificate", c.shownURL()).Hint("sync.certificate.hint").Wrap(err)
	}
	return locales.Errorf("sync.interrupted", c.shownURL()).Hint("sync.retry.hint").Wrap(err)
}

// unreachable reports whether err happened before a connection to the
// archive existed: name lookup, dial, proxy (HTTP or SOCKS) connect.
func unreachable(err error) bool {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return op.Op == "dial" || strings.Contains(op.Op, "connect")
	}
	return false
}

// statusError explains an answer other than 200.
func (c *Client) statusError(resp *http.Response) error {
	u, code := c.shownURL(), resp.StatusCode
	switch {
	case code >= 300 && code < 400:
		return locales.Errorf("sync.redirect", u, resp.Header.Get("Location")).Hint("sync.redirect.hint")
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 64))
		if strings.TrimSpace(string(body)) == notEnrolled {
			return locales.Errorf("sync.not_enrolled", u).Hint("sync.not_enrolled.hint")
		}
		return locales.Errorf("sync.forbidden", u, code).Hint("sync.operator.hint")
	case code == http.StatusNotFound || code == http.StatusMethodNotAllowed || code == http.StatusUnsupportedMediaType:
		return locales.Errorf("sync.not_archive", u).Hint("sync.url.hint")
	case code == http.StatusServiceUnavailable || code == http.StatusTooManyRequests ||
		code == http.StatusBadGateway || code == http.StatusGatewayTimeout:
		return locales.Errorf("sync.busy", u, code).Hint("sync.later.hint")
	case code >= 500:
		return locales.Errorf("sync.server_error", u, code).Hint("sync.operator.hint")
	}
	return locales.Errorf("sync.unexpected", u, code).Hint("sync.retry.hint")
}
