package report

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
)

// browser is a headless Chromium driven through the DevTools protocol
// over --remote-debugging-pipe (JSON messages ended by NUL on fds 3, 4).
type browser struct {
	t       *testing.T
	cmd     *exec.Cmd
	in      *os.File // our end: commands
	out     *bufio.Reader
	mu      sync.Mutex
	next    int
	session string
	events  []cdpMessage
}

// cdpMessage is one message of the protocol.
type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Error     json.RawMessage `json:"error,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
}

// chromiumPath finds Debian's chromium; without it the test skips,
// except under CI=true where it fails (.ci/run installs it).
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found (CI=true: required; apt-get install chromium)")
	}
	t.Skip("chromium not found (apt-get install chromium)")
	return ""
}

// startBrowser starts a headless Chromium with its own profile folder.
func startBrowser(t *testing.T) *browser {
	path := chromiumPath(t)
	toBrowser, ourIn, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	ourOut, fromBrowser, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
		"--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--hide-scrollbars", "--mute-audio",
		"--user-data-dir="+t.TempDir(), "about:blank")
	cmd.ExtraFiles = []*os.File{toBrowser, fromBrowser}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	toBrowser.Close()
	fromBrowser.Close()
	b := &browser{t: t, cmd: cmd, in: ourIn, out: bufio.NewReader(ourOut)}
	t.Cleanup(func() {
		ourIn.Close()
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		ourOut.Close()
		if t.Failed() {
			t.Logf("chromium's stderr:\n%s", stderr.String())
		}
	})
	return b
}

// call sends a command (to the page's session unless browserWide) and
// waits for its result, keeping the events that arrive meanwhile.
func (b *browser) call(method string, params any, browserWide bool) json.RawMessage {
	b.t.Helper()
	b.next++
	msg := map[string]any{"id": b.next, "method": method, "params": params}
	if !browserWide && b.session != "" {
		msg["sessionId"] = b.session
	}
	data, err := json.Marshal(msg)
	if err != nil {
		b.t.Fatal(err)
	}
	if _, err := b.in.Write(append(data, 0)); err != nil {
		b.t.Fatalf("%s: %v", method, err)
	}
	for {
		m := b.read()
		if m.ID == b.next {
			if len(m.Error) > 0 {
				b.t.Fatalf("%s: %s", method, m.Error)
			}
			return m.Result
		}
		if m.Method != "" {
			b.events = append(b.events, m)
		}
	}
}

// read reads one message, within a minute.
func (b *browser) read() cdpMessage {
	b.t.Helper()
	type result struct {
		data []byte
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		data, err := b.out.ReadBytes(0)
		ch <- result{data, err}
	}()
	select {
	case r := <-ch:
		if r.err != nil {
			b.t.Fatalf("reading from chromium: %v", r.err)
		}
		var m cdpMessage
		if err := json.Unmarshal(bytes.TrimSuffix(r.data, []byte{0}), &m); err != nil {
			b.t.Fatal(err)
		}
		return m
	case <-time.After(time.Minute):
		b.t.Fatal("chromium did not answer within a minute")
	}
	return cdpMessage{}
}

// waitEvent reads until event method arrives (or was kept already).
func (b *browser) waitEvent(method string) {
	b.t.Helper()
	if slices.ContainsFunc(b.events, func(m cdpMessage) bool { return m.Method == method }) {
		return
	}
	for {
		m := b.read()
		if m.Method != "" {
			b.events = append(b.events, m)
		}
		if m.Method == method {
			return
		}
	}
}

// open opens a page on url in a new tab, with the network, console and
// log watched, and waits for its load event.
func (b *browser) open(u string) {
	b.t.Helper()
	var target struct{ TargetID string }
	json.Unmarshal(b.call("Target.createTarget", map[string]any{"url": "about:blank"}, true), &target)
	var att struct{ SessionID string }
	json.Unmarshal(b.call("Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, true), &att)
	b.session = att.SessionID
	for _, domain := range []string{"Network.enable", "Runtime.enable", "Log.enable", "Page.enable"} {
		b.call(domain, map[string]any{}, false)
	}
	b.call("Emulation.setDeviceMetricsOverride", map[string]any{"width": 1100, "height": 1400, "deviceScaleFactor": 1, "mobile": false}, false)
	b.call("Page.navigate", map[string]any{"url": u}, false)
	b.waitEvent("Page.loadEventFired")
}

// eval evaluates a JavaScript expression in the page and decodes its
// JSON value into v.
func (b *browser) eval(expr string, v any) {
	b.t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails json.RawMessage `json:"exceptionDetails"`
	}
	json.Unmarshal(b.call("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, false), &res)
	if len(res.ExceptionDetails) > 0 {
		b.t.Fatalf("%s: %s", expr, res.ExceptionDetails)
	}
	if err := json.Unmarshal(res.Result.Value, v); err != nil {
		b.t.Fatalf("%s: %v (%s)", expr, err, res.Result.Value)
	}
}

// problems lists the page's requests to another URL than page, and its
// console errors, exceptions and error log entries (a blocked fetch is
// one).
func (b *browser) problems(page string) []string {
	var out []string
	for _, m := range b.events {
		var p struct {
			Request struct{ URL string } `json:"request"`
			Type    string               `json:"type"`
			Args    []struct {
				Value any `json:"value"`
			} `json:"args"`
			Entry            struct{ Level, Text, URL string } `json:"entry"`
			ExceptionDetails json.RawMessage                   `json:"exceptionDetails"`
		}
		json.Unmarshal(m.Params, &p)
		switch m.Method {
		case "Network.requestWillBeSent":
			if p.Request.URL != page {
				out = append(out, "request to "+p.Request.URL)
			}
		case "Runtime.consoleAPICalled":
			if p.Type == "error" || p.Type == "warning" || p.Type == "assert" {
				out = append(out, fmt.Sprintf("console %s: %v", p.Type, p.Args))
			}
		case "Runtime.exceptionThrown":
			out = append(out, "exception: "+string(p.ExceptionDetails))
		case "Log.entryAdded":
			if p.Entry.Level == "error" || p.Entry.Level == "warning" {
				out = append(out, fmt.Sprintf("log %s: %s %s", p.Entry.Level, p.Entry.Text, p.Entry.URL))
			}
		}
	}
	return out
}

// screenshot captures the page as PNG.
func (b *browser) screenshot() []byte {
	b.t.Helper()
	var res struct{ Data string }
	json.Unmarshal(b.call("Page.captureScreenshot", map[string]any{"format": "png"}, false), &res)
	data, err := base64.StdEncoding.DecodeString(res.Data)
	if err != nil {
		b.t.Fatal(err)
	}
	return data
}

// TestReportInChromium renders the fixture's report, in English and in
// Arabic, in a real headless Chromium: no request but the file itself,
// no console error, every section present, each question type shown,
// the first screen saying the report is pseudonymous, right to left in
// Arabic. The English screenshot goes to ../docs/report.png with -update.
func TestReportInChromium(t *testing.T) {
	fx := newFixture(t)
	fx.review(t, fixtureInterviews[0].id, "approved", 0)
	b := startBrowser(t)
	for _, lang := range []string{"en", "ar"} {
		t.Run(lang, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "report.html")
			if _, err := Write(context.Background(), Options{Archives: []string{fx.dir}, Identities: []age.Identity{fx.identity}, Out: out, Lang: lang}); err != nil {
				t.Fatal(err)
			}
			page := (&url.URL{Scheme: "file", Path: out}).String()
			b.t = t
			b.events = nil
			b.open(page)
			var seen struct {
				Sections     []string
				Types        []string
				Pseudonymous bool
				Dir          string
				Svgs         int
			}
			var raw string
			b.eval(`JSON.stringify({
				sections: [...document.querySelectorAll("section")].map(s => s.className),
				types: [...document.querySelectorAll(".question")].map(q => q.dataset.type),
				pseudonymous: document.querySelector("#summary #pseudonymous") !== null,
				dir: getComputedStyle(document.body).direction,
				svgs: document.querySelectorAll("svg").length})`, &raw)
			if err := json.Unmarshal([]byte(raw), &seen); err != nil {
				t.Fatal(err)
			}
			for _, s := range []string{"fieldwork", "quality", "questions", "map", "reviews"} {
				if !slices.Contains(seen.Sections, s) {
					t.Errorf("no section %q in the page (sections: %v)", s, seen.Sections)
				}
			}
			for _, typ := range []string{"text", "integer", "decimal", "range", "select_one", "select_multiple", "rank", "date", "time",
				"dateTime", "geopoint", "geotrace", "geoshape", "image", "audio", "video", "file", "barcode", "acknowledge"} {
				if !slices.Contains(seen.Types, typ) {
					t.Errorf("no question of type %s shown (types: %v)", typ, seen.Types)
				}
			}
			if !seen.Pseudonymous {
				t.Error("the first screen does not say the report is pseudonymous")
			}
			if want := map[string]string{"en": "ltr", "ar": "rtl"}[lang]; seen.Dir != want {
				t.Errorf("page direction %q, want %q", seen.Dir, want)
			}
			if seen.Svgs < 5 {
				t.Errorf("only %d SVG charts drawn", seen.Svgs)
			}
			if p := b.problems(page); len(p) > 0 {
				t.Errorf("the page did what it must not:\n%v", p)
			}
			shot := b.screenshot()
			img, err := png.Decode(bytes.NewReader(shot))
			if err != nil {
				t.Fatal(err)
			}
			if img.Bounds().Dx() < 1000 {
				t.Errorf("screenshot %v", img.Bounds())
			}
			if lang == "en" && *update {
				if err := os.WriteFile(filepath.Join("..", "docs", "report.png"), shot, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}
