package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"filippo.io/age"
)

// TestDuplicateMembersRefused is the attack of item 8: a signed record,
// opened, edited and re-sealed so that encoding/json still reads the signed
// answers (the signature verifies) while a tool that reads member names
// exactly, last one winning (jq, Python), or first one winning, reads
// others. Open and ParseRecord refuse each such plaintext, so export and
// verify (which parse through them) never see it.
func TestDuplicateMembersRefused(t *testing.T) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	_, key, _ := ed25519.GenerateKey(nil)
	r := testRecord(id.Recipient().String())
	r.Answers = map[string]any{"village": "Ambohimanga"}
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	good, _ := r.Marshal()
	signed := `"answers":{"village":"Ambohimanga"}`
	if !bytes.Contains(good, []byte(signed)) {
		t.Fatalf("test record: %s", good)
	}
	tests := []struct {
		name, with string
		toolSees   string // what a case-sensitive, last-wins reader finds in answers
	}{
		// encoding/json merges both objects into one map; jq and Python
		// keep the last: no answer at all.
		{"answers twice", signed + `,"answers":{}`, `{}`},
		// encoding/json fills answers from "Answers" too (last wins);
		// exact readers see the forged village.
		{"answers in other case", `"answers":{"village":"Antsirabe"},"Answers":{"village":"Ambohimanga"}`, `{"village":"Antsirabe"}`},
		// The same answer twice: a first-wins reader sees the forgery.
		{"answer key twice", `"answers":{"village":"Antsirabe","village":"Ambohimanga"}`, `{"village":"Ambohimanga"}`},
		// Nested: the device stamp's id named twice (a first-wins reader
		// sees another device).
		{"nested member twice", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plain := bytes.Replace(good, []byte(signed), []byte(tt.with), 1)
			if tt.name == "nested member twice" {
				stamp := `"device":{"id":"` + r.Device.ID + `"`
				plain = bytes.Replace(good, []byte(stamp), []byte(`"device":{"id":"0000000000000000","id":"`+r.Device.ID+`"`), 1)
			}
			// The attack is real: encoding/json alone reads the signed
			// record, and its signature verifies.
			var loose Record
			dec := json.NewDecoder(bytes.NewReader(plain))
			dec.UseNumber()
			dec.DisallowUnknownFields()
			if err := dec.Decode(&loose); err != nil {
				t.Fatalf("tampered plaintext does not decode: %v\n%s", err, plain)
			}
			if err := loose.VerifySignature(); err != nil {
				t.Fatalf("tampered plaintext does not verify without the check: %v\n%s", err, plain)
			}
			if tt.toolSees != "" {
				var tool map[string]json.RawMessage
				json.Unmarshal(plain, &tool)
				if string(tool["answers"]) == `{"village":"Ambohimanga"}` && tt.toolSees != `{"village":"Ambohimanga"}` {
					t.Fatalf("a tool reads the signed answers: no attack")
				}
			}
			sealed, err := Seal(plain, id.Recipient())
			if err != nil {
				t.Fatal(err)
			}
			opened, err := Open(bytes.NewReader(sealed), id)
			if err != nil {
				t.Fatal(err)
			}
			_, err = ParseRecord(opened)
			wantKey(t, err, KeyJSONMember)
		})
	}
	if _, err := ParseRecord(good); err != nil {
		t.Fatalf("the untouched record: %v", err)
	}
}

// TestDuplicateManifestMembers: a project manifest with a member twice,
// or in other case, is refused even under a valid signature (the
// signer's key may be stolen, or its tool buggy: the device reads what
// other tools read, or nothing).
func TestDuplicateManifestMembers(t *testing.T) {
	skey, _, err := NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	p := testProject(t)
	file, err := SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := OpenProject(file)
	if err != nil {
		t.Fatal(err)
	}
	manifestOf := func(file []byte) string {
		lines := strings.SplitN(string(file), "\n", 4)
		return lines[2]
	}
	text := manifestOf(file)
	evil := testProject(t).Recipients[0]
	rcpts := `"recipients":["` + got.Recipients[0] + `"]`
	for name, edit := range map[string]string{
		"recipients twice":         rcpts + `,"recipients":["` + evil + `"]`,
		"recipients in other case": `"Recipients":["` + evil + `"],` + rcpts,
	} {
		t.Run(name, func(t *testing.T) {
			changed := strings.Replace(text, rcpts, edit, 1)
			if changed == text {
				t.Fatal("manifest edit did not apply")
			}
			_, err := parseManifest([]byte(changed))
			wantKey(t, err, KeyJSONMember)
			resigned := signManifestText(t, changed, skey)
			_, _, err = OpenProject(resigned)
			wantKey(t, err, KeyJSONMember)
		})
	}
}

// signManifestText signs a manifest text as a project file.
func signManifestText(t *testing.T, text, skey string) []byte {
	t.Helper()
	p := testProject(t)
	file, err := SignProject(p, skey)
	if err != nil {
		t.Fatal(err)
	}
	head := strings.SplitN(string(file), "\n", 3)
	n, err := signNote(text+"\n", skey)
	if err != nil {
		t.Fatal(err)
	}
	return append([]byte(head[0]+"\n"+head[1]+"\n"), n...)
}

// TestUnmarshalStrict: the helper the store and sync use refuses the same.
func TestUnmarshalStrict(t *testing.T) {
	type inner struct {
		Name string `json:"name"`
	}
	var v struct {
		A     string         `json:"a"`
		In    inner          `json:"in"`
		Map   map[string]any `json:"map"`
		Plain int
	}
	ok := []string{`{"a":"x","in":{"name":"n"},"map":{"k":1,"K":2},"Plain":1}`, `{"unknown":1,"other":{"x":1}}`}
	for _, s := range ok {
		if err := UnmarshalStrict([]byte(s), &v); err != nil {
			t.Errorf("%s: %v", s, err)
		}
	}
	bad := map[string]string{
		`{"a":"x","a":"y"}`:             "a",
		`{"A":"x"}`:                     "A",
		`{"in":{"Name":"n"}}`:           "in.Name",
		`{"map":{"k":1,"k":2}}`:         "map.k",
		`{"plain":1}`:                   "plain",
		`{"x":[{"y":1},{"y":1,"y":2}]}`: "x.y",
		`{"":0,"":0}`:                   "",
		`{"map":{"\u006b":1,"k":2}}`:    "map.k",
	}
	for s, at := range bad {
		le := wantKey(t, UnmarshalStrict([]byte(s), &v), KeyJSONMember)
		if len(le.Args) != 1 || le.Args[0] != at {
			t.Errorf("%s: refused at %v, want %s", s, le.Args, at)
		}
	}
}

// TestTrustStatementFieldsOnce: a lab statement naming a field twice (or
// one it does not have) is refused: the signature covers both values, and
// readers would differ on which one counts.
func TestTrustStatementFieldsOnce(t *testing.T) {
	skey, vkey, err := NewProjectSigner("lab")
	if err != nil {
		t.Fatal(err)
	}
	pub, _, _ := ed25519.GenerateKey(nil)
	codeB64 := base64.StdEncoding.EncodeToString(pub)
	good := enrollHeader + "\nname alice\ncode " + codeB64 + "\ncreated 2026-01-02T03:04:05Z\n"
	for name, text := range map[string]string{
		"name twice":    enrollHeader + "\nname alice\nname bob\ncode " + codeB64 + "\ncreated 2026-01-02T03:04:05Z\n",
		"name in caps":  enrollHeader + "\nName bob\nname alice\ncode " + codeB64 + "\ncreated 2026-01-02T03:04:05Z\n",
		"unknown field": enrollHeader + "\nname alice\ncode " + codeB64 + "\ncreated 2026-01-02T03:04:05Z\nexpires never\n",
	} {
		msg, err := signNote(text, skey)
		if err != nil {
			t.Fatal(err)
		}
		if _, err = OpenEnrollment(msg, vkey); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	msg, _ := signNote(good, skey)
	if e, err := OpenEnrollment(msg, vkey); err != nil || e.Name != "alice" {
		t.Fatalf("a good enrollment: %v", err)
	}
}
