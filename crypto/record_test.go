package crypto

import (
	"bytes"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"
)

// testRecord returns a complete response record sealed to recipients.
func testRecord(recipients ...string) *Record {
	return &Record{
		Format: RecordFormat, Version: RecordVersion, Kind: KindResponse,
		ID: NewID(), Project: "platform-work",
		Form:      FormRef{ID: "platform_work", Version: "2024061201", SHA256: FormHash([]byte("form"))},
		Started:   Timestamp(time.Date(2024, 6, 12, 9, 30, 0, 123e6, time.UTC), false),
		Finalized: Timestamp(time.Date(2024, 6, 12, 10, 2, 5, 0, time.FixedZone("EAT", 3*3600)), false),
		Lang:      "mg",
		Answers: map[string]any{
			"village": "Ambohimanga <Sud> & co",
			"tasks":   []any{map[string]any{"platform": "clickworker", "hours": "12"}, map[string]any{"platform": "remotasks", "hours": "3"}},
		},
		Audit:      json.RawMessage(`[ {"event":"question","node":"/village","t":1718184600123} ]`),
		Recipients: recipients,
		Link:       NewID(),
		Device:     &DeviceStamp{Seq: 1, Prev: ""},
	}
}

func TestRecordHelpers(t *testing.T) {
	uuid := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if id := NewID(); !uuid.MatchString(id) || id == NewID() {
		t.Fatalf("NewID = %s", id)
	}
	tm := time.Date(2024, 6, 12, 23, 30, 0, 5e6, time.FixedZone("BOT", -4*3600))
	if got := Timestamp(tm, false); got != "2024-06-13T03:30:00.005Z" {
		t.Errorf("Timestamp = %s", got)
	}
	if got := Timestamp(tm, true); got != "2024-06-13" {
		t.Errorf("anonymous Timestamp = %s", got)
	}
	pub := ed25519.PublicKey(bytes.Repeat([]byte{7}, 32))
	if got := DeviceID(pub); len(got) != 16 || !isHex(got, 16) {
		t.Errorf("DeviceID = %s", got)
	}
}

func TestRecordSignVerify(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	r := testRecord("age1one", "age1two")
	if err := r.Sign(key); err != nil {
		t.Fatal(err)
	}
	if r.Device.ID != DeviceID(pub) {
		t.Fatalf("device id %s, want %s", r.Device.ID, DeviceID(pub))
	}
	if err := r.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	data, err := r.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte("<Sud> & co")) {
		t.Errorf("Marshal escapes HTML: %s", data)
	}
	parsed, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if err := parsed.VerifySignature(); err != nil {
		t.Fatalf("parsed record: %v", err)
	}
	h1, _ := r.CanonicalHash()
	h2, _ := parsed.CanonicalHash()
	if h1 != h2 || !isHex(h1, 64) {
		t.Fatalf("CanonicalHash %s after parsing, %s before", h2, h1)
	}

	changes := []struct {
		name   string
		change func(*Record)
		key    string
	}{
		{"answer", func(r *Record) { r.Answers["village"] = "Antsirabe" }, KeyBadSignature},
		{"repeat answer", func(r *Record) { r.Answers["tasks"].([]any)[1].(map[string]any)["hours"] = "4" }, KeyBadSignature},
		{"recipients", func(r *Record) { r.Recipients = []string{"age1one", "age1evil"} }, KeyBadSignature},
		{"recipients order", func(r *Record) { r.Recipients = []string{"age1two", "age1one"} }, KeyBadSignature},
		{"seq", func(r *Record) { r.Device.Seq = 2 }, KeyBadSignature},
		{"prev", func(r *Record) { r.Device.Prev = strings.Repeat("a", 64) }, KeyBadSignature},
		{"audit", func(r *Record) { r.Audit = json.RawMessage(`[]`) }, KeyBadSignature},
		{"link", func(r *Record) { r.Link = "" }, KeyBadSignature},
		{"other device key", func(r *Record) {
			other, _, _ := ed25519.GenerateKey(nil)
			r.Device.Key = b64(other)
			r.Device.ID = DeviceID(other)
		}, KeyBadSignature},
		{"device id", func(r *Record) { r.Device.ID = "0000000000000000" }, KeyDeviceMismatch},
		{"signature", func(r *Record) {
			flip := "A"
			if r.Signature[10] == 'A' {
				flip = "B"
			}
			r.Signature = r.Signature[:10] + flip + r.Signature[11:]
		}, KeyBadSignature},
		{"unsigned", func(r *Record) { r.Signature = "" }, KeyUnsigned},
		{"anonymous", func(r *Record) { r.Device = nil }, KeyUnsigned},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			r, err := ParseRecord(data)
			if err != nil {
				t.Fatal(err)
			}
			c.change(r)
			wantKey(t, r.VerifySignature(), c.key)
		})
	}
	// Whitespace and key order do not matter: the canonical form does.
	var loose map[string]any
	json.Unmarshal(data, &loose)
	pretty, _ := json.MarshalIndent(loose, "", "   ")
	reparsed, err := ParseRecord(pretty)
	if err != nil {
		t.Fatal(err)
	}
	if err := reparsed.VerifySignature(); err != nil {
		t.Fatalf("re-indented record: %v", err)
	}
}

func b64(p []byte) string { return base64.StdEncoding.EncodeToString(p) }
func TestRecordChain(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	first := testRecord("age1x")
	if err := first.Sign(key); err != nil {
		t.Fatal(err)
	}
	prev, _ := first.CanonicalHash()
	second := testRecord("age1x")
	second.Device = &DeviceStamp{Seq: 2, Prev: prev}
	if err := second.Sign(key); err != nil {
		t.Fatal(err)
	}
	if err := second.VerifySignature(); err != nil {
		t.Fatal(err)
	}
	h2, _ := second.CanonicalHash()
	if h2 == prev {
		t.Fatal("two records share a canonical hash")
	}
	// The hash covers the signature too.
	sigless := *first
	sigless.Signature = ""
	if h, _ := sigless.CanonicalHash(); h == prev {
		t.Fatal("CanonicalHash ignores the signature")
	}
}

func TestRecordCanonicalForm(t *testing.T) {
	r := &Record{
		Format: RecordFormat, Version: 1, Kind: KindResponse, ID: "id", Project: "p",
		Answers: map[string]any{"b": "é<>&\u2028", "a": json.Number("1.50")},
		Audit:   json.RawMessage(`{"z": 1e3, "y": [2, 1]}`),
	}
	got, err := r.canonical(false)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"answers":{"a":1.50,"b":"é<>&\u2028"},"audit":{"y":[2,1],"z":1e3},"form":{"id":"","sha256":"","version":""},"format":"enquete.record","id":"id","kind":"response","project":"p","recipients":[],"version":1}`
	if string(got) != want {
		t.Fatalf("canonical form\n got %s\nwant %s", got, want)
	}
}

func TestParseRecordRefuses(t *testing.T) {
	_, key, _ := ed25519.GenerateKey(nil)
	r := testRecord("age1x")
	r.Sign(key)
	good, _ := r.Marshal()
	edit := func(f func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(good, &m)
		f(m)
		out, _ := json.Marshal(m)
		return out
	}
	tests := []struct {
		name string
		data []byte
		key  string
		arg  any
	}{
		{"not json", []byte("hello"), KeyRecordJSON, nil},
		{"array", []byte("[1]"), KeyRecordJSON, nil},
		{"trailing", append(bytes.Clone(good), []byte(" {}")...), KeyRecordJSON, nil},
		{"other format", edit(func(m map[string]any) { m["format"] = "odk.submission" }), KeyRecordFormat, "odk.submission"},
		{"no format", edit(func(m map[string]any) { delete(m, "format") }), KeyRecordFormat, nil},
		{"version 5", edit(func(m map[string]any) { m["version"] = 5 }), KeyRecordVersion, nil},
		{"version 1.5", edit(func(m map[string]any) { m["version"] = 1.5 }), KeyRecordVersion, nil},
		{"version string", edit(func(m map[string]any) { m["version"] = "1" }), KeyRecordVersion, nil},
		{"unknown field", edit(func(m map[string]any) { m["gps"] = "x" }), KeyRecordField, "gps"},
		{"bad kind", edit(func(m map[string]any) { m["kind"] = "draft" }), KeyRecordField, "kind"},
		{"no id", edit(func(m map[string]any) { delete(m, "id") }), KeyRecordField, "id"},
		{"bad time", edit(func(m map[string]any) { m["finalized"] = "yesterday" }), KeyRecordField, "finalized"},
		{"seq 0", edit(func(m map[string]any) { m["device"].(map[string]any)["seq"] = 0 }), KeyRecordField, "device.seq"},
		{"seq string", edit(func(m map[string]any) { m["device"].(map[string]any)["seq"] = "1" }), KeyRecordField, "device.seq"},
		{"form without source", edit(func(m map[string]any) { m["kind"] = "form" }), KeyRecordField, "form_source"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseRecord(tt.data)
			le := wantKey(t, err, tt.key)
			if tt.arg != nil && (len(le.Args) == 0 || le.Args[0] != tt.arg) {
				t.Errorf("args = %v, want %v", le.Args, tt.arg)
			}
		})
	}
}

func TestRecordFormKindAndAnonymous(t *testing.T) {
	form := &Record{
		Format: RecordFormat, Version: 1, Kind: KindForm, ID: NewID(), Project: "p",
		Form:       FormRef{ID: "f", Version: "1", SHA256: FormHash([]byte("q"))},
		FormSource: &FormSource{Filename: "q.xlsx", Data: []byte("PK\x03\x04 binary")},
		Recipients: []string{"age1x"},
	}
	data, _ := form.Marshal()
	got, err := ParseRecord(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.FormSource.Data, form.FormSource.Data) {
		t.Fatal("form source changed")
	}
	wantKey(t, got.VerifySignature(), KeyUnsigned)
	anon := testRecord("age1x")
	anon.Device = nil
	anon.Started = Timestamp(time.Now(), true)
	data, _ = anon.Marshal()
	if bytes.Contains(data, []byte(`"device"`)) || bytes.Contains(data, []byte(`"signature"`)) {
		t.Fatalf("anonymous record names a device: %s", data)
	}
	if _, err := ParseRecord(data); err != nil {
		t.Fatal(err)
	}
	if err := (&Record{}).Sign(ed25519.NewKeyFromSeed(make([]byte, 32))); err == nil {
		t.Fatal("Sign without Device succeeded")
	}
}
