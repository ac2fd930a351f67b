package fieldwork

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/sync"
)

// recordingForm asks for a recording.
const recordingForm = `| survey |
| | type | name | label |
| | text | name | Name |
| | audio | recording | Recording |
| settings |
| | form_id | version |
| | life | 1 |
`

// folderServer is a real archive server on 127.0.0.1 over a folder it
// returns.
func folderServer(t *testing.T) (url, dir string) {
	t.Helper()
	dir = t.TempDir()
	folder, err := archive.CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(sync.NewServer(folder, sync.ServerOptions{}))
	t.Cleanup(srv.Close)
	return srv.URL, dir
}

// archived finds the record file name in the archive folder dir.
func archived(t *testing.T, dir, name string) string {
	t.Helper()
	var found string
	filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && d.Name() == name {
			found = path
		}
		return nil
	})
	if found == "" {
		t.Fatalf("%s is not in the archive", name)
	}
	return found
}

// TestChunkedThroughArchive: a recording of several chunks goes from
// finalize through sync (its chunks in order, counted per file, the
// response last) to a folder archive; the export reassembles it into
// media/, identical; verify is clean, then names a removed chunk and two
// swapped chunks.
func TestChunkedThroughArchive(t *testing.T) {
	withChunkSize(t, 4096)
	url, dir := folderServer(t)
	s := service(t)
	file, ids := projectFile(t, s, recordingForm, time.Now(), func(p *crypto.Project) { p.Archive = url })
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	path, content := writeFile(t, t.TempDir(), "entretien.wav", 5*4096+100)
	name, err := s.Fill("life", map[string]any{"name": "Rasoa", "recording": path}, "en")
	if err != nil {
		t.Fatal(err)
	}
	var steps []SyncStep
	rep, err := s.SyncSteps(context.Background(), "", func(st SyncStep) { steps = append(steps, st) })
	if err != nil || rep.Stored != 8 {
		t.Fatalf("sync: %+v, %v; want 8 records (form, response, 6 chunks)", rep, err)
	}
	var parts []int
	for _, st := range steps {
		if st.File != "" {
			parts = append(parts, st.Part)
			if st.File != "entretien.wav" || st.Parts != 6 {
				t.Errorf("step %+v, want a chunk of entretien.wav of 6", st)
			}
		}
	}
	if !slices.Equal(parts, []int{1, 2, 3, 4, 5, 6}) {
		t.Errorf("chunks counted %v, want 1 to 6 in order", parts)
	}
	if last := steps[len(steps)-1]; last.File != "" {
		t.Errorf("last record acknowledged is a chunk (%+v), want the response", last)
	}
	resp := readResponse(t, s, name, ids)
	out := t.TempDir()
	var log bytes.Buffer
	sum, err := archive.Export(context.Background(), archive.ExportOptions{Archive: dir, Identities: ids, OutDir: out, Log: &log})
	if err != nil || sum.Read != 1 || sum.Media != 1 {
		t.Fatalf("export: %+v, %v\n%s", sum, err, log.String())
	}
	if got, err := os.ReadFile(filepath.Join(out, "media", "entretien.wav")); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("media/entretien.wav is not the recording (%d bytes, %v)", len(got), err)
	}
	verifyClean(t, dir, ids)

	chunks := resp.Attachments[0].Chunks
	second, third := archived(t, dir, chunks[1].File), archived(t, dir, chunks[2].File)
	b2, _ := os.ReadFile(second)
	b3, _ := os.ReadFile(third)
	os.WriteFile(second, b3, 0o600)
	os.WriteFile(third, b2, 0o600)
	// Swapped in the archive, each chunk's file no longer matches its
	// name (content-addressed); the list names the chunks not found.
	wantProblems(t, dir, ids, "chunk 2 of 6 of the attachment entretien.wav", "chunk 3 of 6 of the attachment entretien.wav",
		filepath.Base(second)+" does not match its content")
	os.Remove(second)
	os.WriteFile(third, b3, 0o600)
	wantProblems(t, dir, ids, "chunk 2 of 6 of the attachment entretien.wav, but its sealed file "+chunks[1].File+" is not in the archive")

	// The export leaves out a file with a chunk missing, and counts it.
	out = t.TempDir()
	sum, err = archive.Export(context.Background(), archive.ExportOptions{Archive: dir, Identities: ids, OutDir: out, Log: &log})
	if err != nil || sum.Media != 0 {
		t.Fatalf("export without chunk 2: %+v, %v", sum, err)
	}
	if _, err := os.Stat(filepath.Join(out, "media", "entretien.wav")); err == nil {
		t.Fatal("a recording with a chunk missing was written to media/")
	}
}

// readResponse opens the response name from s's outbox.
func readResponse(t *testing.T, s *Service, name string, ids []age.Identity) *crypto.Record {
	t.Helper()
	recs, _ := outboxByName(t, s.Home(), ids)
	r := recs[name]
	if r == nil || len(r.Attachments) != 1 || len(r.Attachments[0].Chunks) != 6 {
		t.Fatalf("response %s: %+v", name, r)
	}
	return r
}

// wantProblems runs verify over dir and wants problems (not warnings)
// whose text holds each of texts.
func wantProblems(t *testing.T, dir string, ids []age.Identity, texts ...string) {
	t.Helper()
	problems, err := archive.Verify(context.Background(), archive.VerifyOptions{Archive: dir, Identities: ids})
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, p := range problems {
		if !p.Warning {
			all = append(all, p.String())
		}
	}
	joined := strings.Join(all, "\n")
	for _, text := range texts {
		if !strings.Contains(joined, text) {
			t.Errorf("verify does not say %q:\n%s", text, joined)
		}
	}
}

// cutLink is a real archive server whose link goes down in the middle of
// batch request number cutAt (the connection closed after 1 MiB of its
// body) and stays down, every batch cut the same way, until heal: sync's
// own retries of a cut batch then fail too. It counts the batch bytes the
// server received.
type cutLink struct {
	next     http.Handler
	cutAt    int32
	requests atomic.Int32
	received atomic.Int64
	down     atomic.Bool
}

// heal brings the link back.
func (c *cutLink) heal() { c.down.Store(false); c.cutAt = 0 }

func (c *cutLink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != sync.BatchPath {
		c.next.ServeHTTP(w, r)
		return
	}
	if c.requests.Add(1) == c.cutAt {
		c.down.Store(true)
	}
	if c.down.Load() {
		n, _ := io.CopyN(io.Discard, r.Body, 1<<20)
		c.received.Add(n)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	r.Body = countingBody{r.Body, &c.received}
	c.next.ServeHTTP(w, r)
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}

// TestChunkedSyncResumesAfterCut: a link that goes down while the second
// part of a 10 MiB recording (4 MiB parts, one request each) is sent, and
// stays down through sync's own retries, stops the sync with the first
// part stored; the next sync sends only what the
// archive does not hold, counts the file's parts on from 1, and the
// export gets the recording whole.
func TestChunkedSyncResumesAfterCut(t *testing.T) {
	dir := t.TempDir()
	folder, err := archive.CreateFolder(dir)
	if err != nil {
		t.Fatal(err)
	}
	link := &cutLink{next: sync.NewServer(folder, sync.ServerOptions{}), cutAt: 3} // form, part 1, part 2
	srv := httptest.NewServer(link)
	t.Cleanup(srv.Close)
	s := service(t)
	file, ids := projectFile(t, s, recordingForm, time.Now(), func(p *crypto.Project) { p.Archive = srv.URL })
	if _, err := s.InstallProject(file); err != nil {
		t.Fatal(err)
	}
	path, content := writeFile(t, t.TempDir(), "entretien.wav", 10<<20)
	if _, err := s.Fill("life", map[string]any{"name": "Rasoa", "recording": path}, "en"); err != nil {
		t.Fatal(err)
	}
	entries, _ := s.Home().Outbox()
	var total int64
	for _, e := range entries {
		total += e.Size
	}
	var first, second []int
	if _, err := s.SyncSteps(context.Background(), "", func(st SyncStep) {
		if st.Parts > 0 {
			first = append(first, st.Part)
		}
	}); err == nil {
		t.Fatal("sync through a cut link: no error")
	}
	if !slices.Equal(first, []int{1}) {
		t.Fatalf("before the cut, parts %v acknowledged; want part 1", first)
	}
	entries, _ = s.Home().Outbox()
	var waiting int64
	for _, e := range entries {
		if !e.Synced {
			waiting += e.Size
		}
	}
	link.heal()
	before := link.received.Load()
	if _, err := s.SyncSteps(context.Background(), "", func(st SyncStep) {
		if st.Parts > 0 {
			second = append(second, st.Part)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(second, []int{2, 3}) {
		t.Errorf("after the cut, parts %v counted; want 2 and 3 of 3", second)
	}
	// Each record travels with a 64-byte frame head at most.
	if sent := link.received.Load() - before; sent > waiting+5*64 || waiting > total-(4<<20) {
		t.Errorf("the second sync sent %d bytes for %d waiting of %d in all: a stored part was sent again", sent, waiting, total)
	}
	out := t.TempDir()
	if _, err := archive.Export(context.Background(), archive.ExportOptions{Archive: dir, Identities: ids, OutDir: out}); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(out, "media", "entretien.wav")); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("media/entretien.wav is not the recording (%d bytes, %v)", len(got), err)
	}
	verifyClean(t, dir, ids)
}
