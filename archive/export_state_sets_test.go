package archive

import (
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
	data, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	var back nameSet
	if err := json.Unmarshal(data, &back); err != nil || !back.has(c) || !back.has("notes.txt") || back.has(hexName("d")) {
		t.Errorf("after JSON (%s): %v", data, err)
	}
}

// TestIDSet: ids map to their hash, "" included; a later entry of one id
// replaces the earlier.
func TestIDSet(t *testing.T) {
	h1, h2 := strings.Repeat("ab", 32), strings.Repeat("cd", 32)
	set := newIDSet()
	set = idSet{set.merge(append(append(packID("one", h1), packID("two", "")...), packID("one", h2)...), idKeySize)}
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
	var v1 map[string]any
	if err := json.Unmarshal(data, &v1); err != nil {
		t.Fatal(err)
	}
	var names []string
	entries, _ := os.ReadDir(c.a.dir)
	for _, e := range entries {
		names = append(names, e.Name())
	}
	st, err := parseExportState(data)
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
