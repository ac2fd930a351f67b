package main

// Script commands for the archive operator's stories (archive_ops.txt,
// testify_refused.txt): an attacker's slow uploads, junk batches and junk
// drops against the real server, and a certificate for TLS on 127.0.0.1.

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/sync"
)

var opsCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"trickle":   cmdTrickle,
	"trickled":  cmdTrickled,
	"junkbatch": cmdJunkBatch,
	"junkdrops": cmdJunkDrops,
	"tlscert":   cmdTLSCert,
}

// trickles are the connections trickle opened, each with a channel closed
// when the server hung up.
var trickles []chan struct{}

// cmdTrickle opens N batch uploads to ADDR that announce 1 MiB and send
// one byte every EVERY (a Go duration), as an attacker holding slots
// would; they last until the script ends or the server cuts them.
func cmdTrickle(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: trickle ADDR N EVERY")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	every, err := time.ParseDuration(args[2])
	ts.Check(err)
	trickles = nil
	for range n {
		conn, err := net.Dial("tcp", args[0])
		ts.Check(err)
		fmt.Fprintf(conn, "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", sync.ContentType, 1<<20)
		cut := make(chan struct{})
		trickles = append(trickles, cut)
		go func() {
			defer close(cut)
			io.Copy(io.Discard, conn)
		}()
		go func() {
			for {
				select {
				case <-cut:
					return
				case <-time.After(every):
					if _, err := conn.Write([]byte{0}); err != nil {
						return
					}
				}
			}
		}()
		ts.Defer(func() { conn.Close() })
	}
}

// cmdTrickled waits up to SECONDS for the server to cut every trickling
// connection, and fails if one is still open.
func cmdTrickled(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: trickled SECONDS")
	}
	secs, err := strconv.Atoi(args[0])
	ts.Check(err)
	deadline := time.After(time.Duration(secs) * time.Second)
	for i, cut := range trickles {
		select {
		case <-cut:
		case <-deadline:
			ts.Fatalf("trickling connection %d of %d still open after %ds", i+1, len(trickles), secs)
		}
	}
}

// cmdJunkBatch sends a batch of one frame that is not an age file to the
// archive at URL and prints what the receipt says.
func cmdJunkBatch(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: junkbatch URL")
	}
	junk := []byte("<html>not a record</html>")
	it := sync.Item{Name: archive.Name(junk), Size: int64(len(junk)),
		Open: func() (io.ReadCloser, error) { return io.NopCloser(strings.NewReader(string(junk))), nil }}
	res, err := (&sync.Client{URL: args[0]}).Send(context.Background(), []sync.Item{it}, func(string) error { return nil })
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "stored %d\n", res.Stored)
	for _, r := range res.Rejected {
		fmt.Fprintf(ts.Stdout(), "rejected %s %s\n", r.Name, r.Reason)
	}
}

// cmdJunkDrops floods the drop at URL with N junk drops of each kind and
// prints the answers: bodies that are not age files, age-looking bodies
// without work, and age-looking junk whose sender pays the work (these
// are stored: the archive cannot tell junk from a testimony).
func cmdJunkDrops(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: junkdrops URL N")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	status := map[string]map[int]int{"not_age": {}, "no_work": {}}
	// A challenge as any sender gets one: the junk goes past the header
	// check, and its body is what is refused.
	resp, err := http.Get(args[0] + sync.DropPath)
	ts.Check(err)
	var ch sync.DropChallenge
	ts.Check(json.NewDecoder(resp.Body).Decode(&ch))
	resp.Body.Close()
	for i := range n {
		for kind, body := range map[string]string{"not_age": "<html>junk</html>", "no_work": "age-encryption.org/v1\njunk " + strconv.Itoa(i)} {
			req, err := http.NewRequest(http.MethodPost, args[0]+sync.DropPath, strings.NewReader(body))
			ts.Check(err)
			req.Header.Set("Content-Type", sync.ContentType)
			req.Header.Set(sync.DropChallengeHeader, ch.Challenge)
			req.Header.Set(sync.DropNonceHeader, "0000000000000000")
			resp, err := http.DefaultClient.Do(req)
			ts.Check(err)
			resp.Body.Close()
			status[kind][resp.StatusCode]++
		}
	}
	paid := 0
	for i := range n {
		junk := fmt.Appendf(nil, "age-encryption.org/v1\npaid junk %d %d", i, time.Now().UnixNano())
		if _, err := (&sync.Client{URL: args[0]}).Drop(context.Background(), junk); err == nil {
			paid++
		}
	}
	fmt.Fprintf(ts.Stdout(), "not_age %v\nno_work %v\npaid stored %d\n", status["not_age"], status["no_work"], paid)
}

// cmdTLSCert writes DIR/cert.pem and DIR/key.pem: a self-signed
// certificate for 127.0.0.1 and localhost, valid an hour. Trust it in a
// client with SSL_CERT_FILE=DIR/cert.pem.
func cmdTLSCert(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: tlscert DIR")
	}
	dir := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(dir, 0o700))
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ts.Check(err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "enquete test archive"},
		NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	ts.Check(err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	ts.Check(err)
	ts.Check(os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600))
	ts.Check(os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600))
}
