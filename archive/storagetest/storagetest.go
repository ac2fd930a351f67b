// Package storagetest is the conformance suite every [archive.Storage]
// backend runs, as restic's backend tests do: one set of behaviours, proven
// the same way for the folder, an S3 bucket or anything added later.
//
// A backend's test calls [Run] with a function returning a fresh, empty
// Storage:
//
//	func TestFolder(t *testing.T) {
//		storagetest.Run(t, func(t *testing.T) archive.Storage {
//			f, err := archive.NewFolder(t.TempDir())
//			if err != nil {
//				t.Fatal(err)
//			}
//			return f
//		})
//	}
package storagetest

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/enquete-field/enquete/archive"
)

// Run runs every conformance test on storages made by newStorage, each
// test on a fresh, empty one.
func Run(t *testing.T, newStorage func(t *testing.T) archive.Storage) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st archive.Storage)
	}{
		{"PutHasOpenWalk", testPutHasOpenWalk},
		{"EmptyWalk", testEmptyWalk},
		{"IdempotentPut", testIdempotentPut},
		{"WrongNameRefused", testWrongNameRefused},
		{"PathTricksRefused", testPathTricksRefused},
		{"OpenMissing", testOpenMissing},
		{"ConcurrentPutsSameName", testConcurrentSameName},
		{"ConcurrentPutsManyNames", testConcurrentManyNames},
		{"WalkStopsOnError", testWalkStops},
		{"CancelledContext", testCancelled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStorage(t))
		})
	}
}

// Record returns n random bytes and their record name.
func Record(t testing.TB, n int) (string, []byte) {
	data := make([]byte, n)
	if _, err := rand.Read(data); err != nil {
		t.Fatal(err)
	}
	return archive.Name(data), data
}

// readAll opens name and returns its bytes.
func readAll(t *testing.T, st archive.Storage, name string) []byte {
	t.Helper()
	r, err := st.Open(context.Background(), name)
	if err != nil {
		t.Fatalf("Open(%s): %v", name, err)
	}
	defer r.Close()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("reading %s: %v", name, err)
	}
	return data
}

// walk returns every stored name with its size.
func walk(t *testing.T, st archive.Storage) map[string]int64 {
	t.Helper()
	got := map[string]int64{}
	err := st.Walk(context.Background(), func(name string, size int64) error {
		if _, dup := got[name]; dup {
			t.Errorf("Walk listed %s twice", name)
		}
		got[name] = size
		return nil
	})
	if err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return got
}

func testPutHasOpenWalk(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	want := map[string][]byte{}
	for _, size := range []int{0, 1, 100, 64 << 10, 1<<20 + 3} {
		name, data := Record(t, size)
		want[name] = data
		if ok, err := st.Has(ctx, name); err != nil || ok {
			t.Fatalf("Has(%s) before Put = %v, %v; want false, nil", name, ok, err)
		}
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatalf("Put(%s, %d bytes): %v", name, size, err)
		}
		if ok, err := st.Has(ctx, name); err != nil || !ok {
			t.Fatalf("Has(%s) after Put = %v, %v; want true, nil", name, ok, err)
		}
	}
	for name, data := range want {
		if got := readAll(t, st, name); !bytes.Equal(got, data) {
			t.Errorf("Open(%s) returned %d bytes, not the %d put", name, len(got), len(data))
		}
	}
	listed := walk(t, st)
	if len(listed) != len(want) {
		t.Errorf("Walk listed %d records, want %d", len(listed), len(want))
	}
	for name, data := range want {
		if size, ok := listed[name]; !ok || size != int64(len(data)) {
			t.Errorf("Walk: %s size %d (listed %v), want %d", name, size, ok, len(data))
		}
	}
}

func testEmptyWalk(t *testing.T, st archive.Storage) {
	if got := walk(t, st); len(got) != 0 {
		t.Errorf("Walk of an empty storage listed %v", got)
	}
}

func testIdempotentPut(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	name, data := Record(t, 4096)
	for i := 0; i < 3; i++ {
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatalf("Put #%d: %v", i+1, err)
		}
	}
	if got := walk(t, st); len(got) != 1 || got[name] != int64(len(data)) {
		t.Errorf("after 3 Puts of one record Walk lists %v", got)
	}
	if got := readAll(t, st, name); !bytes.Equal(got, data) {
		t.Error("content changed after repeated Puts")
	}
}

func testWrongNameRefused(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	name, data := Record(t, 512)
	other, _ := Record(t, 512)
	flipped := append([]byte(nil), data...)
	flipped[len(flipped)/2] ^= 1
	cases := []struct {
		label string
		name  string
		data  []byte
	}{
		{"another record's name", other, data},
		{"one flipped bit", name, flipped},
		{"truncated", name, data[:len(data)-1]},
		{"empty data", name, nil},
	}
	for _, c := range cases {
		err := st.Put(ctx, c.name, c.data)
		if !errors.Is(err, archive.ErrHashMismatch) {
			t.Errorf("%s: Put = %v, want an error wrapping ErrHashMismatch", c.label, err)
		}
		if err != nil && !strings.Contains(err.Error(), c.name) {
			t.Errorf("%s: error %q does not name the record", c.label, err)
		}
	}
	if got := walk(t, st); len(got) != 0 {
		t.Errorf("refused Puts left records: %v", got)
	}
}

// BadNames are names a Storage must refuse everywhere: path tricks,
// wrong case, wrong length, wrong extension.
func BadNames(valid string) []string {
	hex := strings.TrimSuffix(valid, archive.NameSuffix)
	return []string{
		"",
		".age",
		hex,
		hex + ".AGE",
		strings.ToUpper(hex) + ".age",
		hex + ".age.tmp",
		hex + ".age/",
		"../" + valid,
		"./" + valid,
		"/" + valid,
		"sub/" + valid,
		`sub\` + valid,
		"..",
		".",
		"/etc/passwd",
		hex[:63] + ".age",
		hex + "0.age",
		hex[:62] + "..age",
		hex[:63] + "g.age",
		hex[:63] + "/.age",
		hex[:63] + "\x00.age",
		" " + valid,
		valid + " ",
		valid + "\n",
	}
}

func testPathTricksRefused(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	name, data := Record(t, 64)
	for _, bad := range BadNames(name) {
		if err := st.Put(ctx, bad, data); !errors.Is(err, archive.ErrInvalidName) {
			t.Errorf("Put(%q) = %v, want ErrInvalidName", bad, err)
		}
		if _, err := st.Has(ctx, bad); !errors.Is(err, archive.ErrInvalidName) {
			t.Errorf("Has(%q) = %v, want ErrInvalidName", bad, err)
		}
		if r, err := st.Open(ctx, bad); !errors.Is(err, archive.ErrInvalidName) {
			if r != nil {
				r.Close()
			}
			t.Errorf("Open(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	if got := walk(t, st); len(got) != 0 {
		t.Errorf("refused Puts left records: %v", got)
	}
}

func testOpenMissing(t *testing.T, st archive.Storage) {
	name, _ := Record(t, 10)
	r, err := st.Open(context.Background(), name)
	if r != nil {
		r.Close()
	}
	if !errors.Is(err, archive.ErrNotFound) {
		t.Errorf("Open of a missing record = %v, want ErrNotFound", err)
	}
}

func testConcurrentSameName(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	name, data := Record(t, 256<<10)
	const n = 16
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- st.Put(ctx, name, data)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent Put: %v", err)
		}
	}
	if got := walk(t, st); len(got) != 1 || got[name] != int64(len(data)) {
		t.Errorf("after %d concurrent Puts Walk lists %v", n, got)
	}
	if got := readAll(t, st, name); !bytes.Equal(got, data) {
		t.Error("content damaged by concurrent Puts")
	}
}

func testConcurrentManyNames(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	const n = 64
	names := make([]string, n)
	datas := make([][]byte, n)
	for i := range names {
		names[i], datas[i] = Record(t, 1000+i)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for round := 0; round < 2; round++ {
		for i := range names {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := st.Put(ctx, names[i], datas[i]); err != nil {
					errs <- fmt.Errorf("Put(%s): %w", names[i], err)
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := walk(t, st)
	var listed []string
	for name := range got {
		listed = append(listed, name)
	}
	sort.Strings(listed)
	want := append([]string(nil), names...)
	sort.Strings(want)
	if strings.Join(listed, ",") != strings.Join(want, ",") {
		t.Errorf("Walk lists %d records, want the %d put", len(listed), len(want))
	}
}

func testWalkStops(t *testing.T, st archive.Storage) {
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		name, data := Record(t, 10)
		if err := st.Put(ctx, name, data); err != nil {
			t.Fatal(err)
		}
	}
	stop := errors.New("stop here")
	calls := 0
	err := st.Walk(ctx, func(string, int64) error {
		calls++
		return stop
	})
	if err != stop {
		t.Errorf("Walk returned %v, want fn's error as is", err)
	}
	if calls != 1 {
		t.Errorf("Walk called fn %d times after it failed, want 1", calls)
	}
}

func testCancelled(t *testing.T, st archive.Storage) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	name, data := Record(t, 10)
	if err := st.Put(ctx, name, data); !errors.Is(err, context.Canceled) {
		t.Errorf("Put with a cancelled context = %v, want context.Canceled", err)
	}
	if ok, _ := st.Has(context.Background(), name); ok {
		t.Error("Put with a cancelled context stored the record")
	}
}

// RunState runs every conformance test of [archive.State] on states made
// by newState, each test on a fresh, empty one. A State that is also a
// Storage is checked to keep its state out of Walk.
func RunState(t *testing.T, newState func(t *testing.T) archive.State) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st archive.State)
	}{
		{"GetMissing", testStateGetMissing},
		{"PutGetReplace", testStatePutGetReplace},
		{"CreateFirstWins", testStateCreateFirstWins},
		{"ConcurrentCreate", testStateConcurrentCreate},
		{"List", testStateList},
		{"BadNamesRefused", testStateBadNames},
		{"StateIsNoRecord", testStateIsNoRecord},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newState(t))
		})
	}
}

func getState(t *testing.T, st archive.State, name string) []byte {
	t.Helper()
	data, err := st.GetState(context.Background(), name)
	if err != nil {
		t.Fatalf("GetState(%s): %v", name, err)
	}
	return data
}

func testStateGetMissing(t *testing.T, st archive.State) {
	for _, name := range []string{"key", "devices/rasoa/entry"} {
		if _, err := st.GetState(context.Background(), name); !errors.Is(err, archive.ErrNotFound) {
			t.Errorf("GetState(%s) of a missing state = %v, want ErrNotFound", name, err)
		}
	}
}

func testStatePutGetReplace(t *testing.T, st archive.State) {
	ctx := context.Background()
	_, big := Record(t, 300<<10)
	for i, data := range [][]byte{[]byte("first"), big, {}, []byte("last")} {
		if err := st.PutState(ctx, "devices/rasoa/entry", data); err != nil {
			t.Fatalf("PutState #%d: %v", i+1, err)
		}
		if got := getState(t, st, "devices/rasoa/entry"); !bytes.Equal(got, data) {
			t.Errorf("PutState #%d: GetState returned %d bytes, want the %d put", i+1, len(got), len(data))
		}
	}
}

func testStateCreateFirstWins(t *testing.T, st archive.State) {
	ctx := context.Background()
	if err := st.CreateState(ctx, "key", []byte("one")); err != nil {
		t.Fatalf("CreateState of a new name: %v", err)
	}
	if err := st.CreateState(ctx, "key", []byte("two")); !errors.Is(err, fs.ErrExist) {
		t.Errorf("second CreateState = %v, want fs.ErrExist", err)
	}
	if got := getState(t, st, "key"); string(got) != "one" {
		t.Errorf("after a refused CreateState the state is %q, want %q", got, "one")
	}
	if err := st.PutState(ctx, "key", []byte("three")); err != nil {
		t.Fatalf("PutState over a created state: %v", err)
	}
	if got := getState(t, st, "key"); string(got) != "three" {
		t.Errorf("PutState did not replace a created state: %q", got)
	}
}

func testStateConcurrentCreate(t *testing.T, st archive.State) {
	const n = 12
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = st.CreateState(context.Background(), "signer/key", []byte(fmt.Sprint("writer ", i)))
		}()
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("writers %d and %d both created the state", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, fs.ErrExist):
			t.Errorf("writer %d: CreateState = %v, want nil or fs.ErrExist", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no writer created the state")
	}
	if got, want := string(getState(t, st, "signer/key")), fmt.Sprint("writer ", winner); got != want {
		t.Errorf("state holds %q, want the winner's %q", got, want)
	}
}

func testStateList(t *testing.T, st archive.State) {
	ctx := context.Background()
	names := []string{"key", "devices/rasoa/entry", "devices/bako/entry", "devices/bako/head", "devicesx", "quota/2026-12-03"}
	for _, name := range names {
		if err := st.PutState(ctx, name, []byte(name)); err != nil {
			t.Fatalf("PutState(%s): %v", name, err)
		}
	}
	tests := []struct {
		prefix string
		want   []string
	}{
		{"devices/", []string{"devices/bako/entry", "devices/bako/head", "devices/rasoa/entry"}},
		{"devices/bako/", []string{"devices/bako/entry", "devices/bako/head"}},
		{"quota/", []string{"quota/2026-12-03"}},
		{"nothing/", nil},
		{"", []string{"devices/bako/entry", "devices/bako/head", "devices/rasoa/entry", "devicesx", "key", "quota/2026-12-03"}},
	}
	for _, tt := range tests {
		got, err := st.ListState(ctx, tt.prefix)
		if err != nil {
			t.Fatalf("ListState(%q): %v", tt.prefix, err)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("ListState(%q) = %v, want %v", tt.prefix, got, tt.want)
		}
	}
}

func testStateBadNames(t *testing.T, st archive.State) {
	ctx := context.Background()
	for _, bad := range []string{"", "/key", "key/", "../key", "a/../key", "a//b", ".hidden", "a/.b", "Key", "a b", "a\\b", "é"} {
		if _, err := st.GetState(ctx, bad); !errors.Is(err, archive.ErrInvalidName) {
			t.Errorf("GetState(%q) = %v, want ErrInvalidName", bad, err)
		}
		if err := st.PutState(ctx, bad, []byte("x")); !errors.Is(err, archive.ErrInvalidName) {
			t.Errorf("PutState(%q) = %v, want ErrInvalidName", bad, err)
		}
		if err := st.CreateState(ctx, bad, []byte("x")); !errors.Is(err, archive.ErrInvalidName) {
			t.Errorf("CreateState(%q) = %v, want ErrInvalidName", bad, err)
		}
	}
	if got, err := st.ListState(ctx, ""); err != nil || len(got) != 0 {
		t.Errorf("refused names left state: %v (%v)", got, err)
	}
}

// testStateIsNoRecord: a state named like a record never shows as one.
func testStateIsNoRecord(t *testing.T, st archive.State) {
	storage, ok := st.(archive.Storage)
	if !ok {
		t.Skip("not a Storage")
	}
	ctx := context.Background()
	name, data := Record(t, 100)
	for _, s := range []string{name, "records/" + name, "x/" + name} {
		if err := st.PutState(ctx, s, data); err != nil {
			t.Fatalf("PutState(%s): %v", s, err)
		}
	}
	if got := walk(t, storage); len(got) != 0 {
		t.Errorf("Walk lists state as records: %v", got)
	}
	if ok, err := storage.Has(ctx, name); ok || err != nil {
		t.Errorf("Has(%s) = %v, %v for a state of that name; want false, nil", name, ok, err)
	}
}
