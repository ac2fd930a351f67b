package archive

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestNameSet: record names are kept as the digests they spell, other
// names apart; a set with more names merged holds each once.
func TestNameSet(t *testing.T) {
	a, b, c := hexName("a"), hexName("b"), hexName("c")
	var first nameList
	for _, n := range []string{b, a, "notes.txt", a} {
		first.add(n)
	}
	empty := newNameSet()
	set := empty.with(&first)
	var more nameList
	more.add(c)
	more.add("Z.age")
	set = set.with(&more)
	if set.Digests.len() != 3 || len(set.Others) != 2 {
		t.Fatalf("%d digests, others %q", set.Digests.len(), set.Others)
	}
	for _, tt := range []struct {
		name string
		want bool
	}{
		{a, true}, {b, true}, {c, true}, {"notes.txt", true}, {"Z.age", true},
		{hexName("d"), false}, {strings.ToUpper(a[:64]) + ".age", false}, {a[:64], false}, {"", false},
	} {
		if got := set.has(tt.name); got != tt.want {
			t.Errorf("has(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
	dir := t.TempDir()
	ids := newIDSet()
	ids.packedSet = ids.merge(packID("one", strings.Repeat("ab", 32)), idKeySize)
	if err := writeExportState(dir, &exportState{Version: exportStateVersion, Names: set, IDs: ids}); err != nil {
		t.Fatal(err)
	}
	back, err := readExportState(dir)
	if err != nil || !back.Names.has(c) || !back.Names.has("notes.txt") || back.Names.has(hexName("d")) {
		t.Fatalf("after the state file: %+v, %v", back, err)
	}
	if _, ok := back.IDs.lookup("one"); !ok {
		t.Error("the id is lost in the state file")
	}
	// A state cut short is refused, not read as fewer names.
	path := filepath.Join(dir, exportStateFile)
	data, _ := os.ReadFile(path)
	os.WriteFile(path, data[:len(data)-1], 0o600)
	if _, err := readExportState(dir); err == nil || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("a state cut short: %v", err)
	}
}

// TestIDSet: ids map to their hash, "" included; a later entry of one id
// replaces the earlier.
func TestIDSet(t *testing.T) {
	h1, h2 := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	set := newIDSet()
	set = idSet{packedSet: set.merge(append(append(packID("one", h1), packID("two", "")...), packID("one", h2)...), idKeySize)}
	for _, tt := range []struct {
		id, hash string
		found    bool
	}{{"one", h2, true}, {"two", "", true}, {"three", "", false}} {
		hash, found := set.lookup(tt.id)
		if hash != tt.hash || found != tt.found {
			t.Errorf("lookup(%q) = %q, %v; want %q, %v", tt.id, hash, found, tt.hash, tt.found)
		}
	}
	if set.len() != 2 {
		t.Errorf("%d entries, want 2", set.len())
	}
}

// TestExportStateVersion1: a state written before names and ids were
// packed is read: --since-last then finds nothing new.
func TestExportStateVersion1(t *testing.T) {
	c := newSinceCase(t)
	c.put(idA, "Ambalavao", "")
	if _, _, err := c.export("csv", false); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(c.out, exportStateFile)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v1 map[string]any // the JSON line, then the lists as version 1 kept them
	if err := json.Unmarshal(data[:bytes.IndexByte(data, '\n')], &v1); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(c.a.dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	st, err := readExportState(c.out)
	if err != nil {
		t.Fatal(err)
	}
	hash, _ := st.IDs.lookup(idA)
	v1["version"], v1["names"], v1["ids"] = 1, names, map[string]string{idA: hash}
	old, _ := json.Marshal(v1)
	if err := os.WriteFile(path, old, 0o600); err != nil {
		t.Fatal(err)
	}
	sum, log, err := c.export("csv", true)
	if err != nil || !sum.NothingNew {
		t.Fatalf("since last on a version 1 state: %+v, %v\n%s", sum, err, log)
	}
	c.put(idB, "Fianarantsoa", "")
	sum, log, err = c.export("csv", true)
	if err != nil || sum.Read != 1 {
		t.Fatalf("since last after one more: %+v, %v\n%s", sum, err, log)
	}
	if got := strings.Join(c.ids("csv"), ""); got != "ab" {
		t.Errorf("rows %q, want ab", got)
	}
}
