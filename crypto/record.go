package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"
)

// The record format tag and the versions this package reads and writes.
// A record that uses nothing added in version 2 is written as version 1,
// which every release of Enquête reads; one that carries attachments (kind
// attachment, the attachments member, form_source.files) is version 2,
// so that an older release says "version 2 is not supported" instead of
// dropping the files. [Record.MinVersion] tells which.
const (
	RecordFormat             = "enquete.record"
	RecordVersion            = 1 // records without attachments
	RecordVersionAttachments = 2 // records that carry or list attachments
	RecordVersionChunks      = 3 // records that list or carry chunked attachments
)

// Record kinds.
const (
	KindResponse   = "response"   // one interview's answers
	KindForm       = "form"       // the questionnaire itself, in FormSource
	KindSensitive  = "sensitive"  // identifying answers, sealed to custodians, joined by Link
	KindAttachment = "attachment" // one file of a response (a photo, a recording, the audit log), in Content
)

// MaxAttachment is the largest file a record can carry as one attachment.
// Sealed (zstd, Padmé padding, age) it still fits the archive server's
// default limit of 16 MiB per record.
const MaxAttachment = 15 << 20

// ChunkSize is the content of each chunk of a file larger than it: such
// a file is sealed as chunks of ChunkSize bytes (the last one shorter),
// each its own record of kind attachment (version 3), listed in order in
// the signed record. 4 MiB keeps a sealed chunk far under the server's
// 16 MiB per record (zstd and Padmé padding add at most an eighth), bounds
// the memory sealing, sending and exporting take to a few chunks whatever
// the file's size, and makes a cut link lose at most one chunk in flight
// (4 s at 1 MB/s) while a 2 GiB recording stays 512 records. Readers
// accept any chunk size up to MaxAttachment.
const ChunkSize = 4 << 20

// MaxChunkedAttachment is the largest file a record can list (64 GiB:
// 16,384 chunks, a list of about 3 MB in the signed record).
const MaxChunkedAttachment = 64 << 30

// MaxChunks is the most chunks one attachment may have.
const MaxChunks = 1 << 16

// signingContext prefixes the canonical JSON in every record signature, so
// a record signature can never be taken for a signature of anything else.
const signingContext = "enquete.record.v1\n"

// Record is the JSON inside a sealed record file. FORMAT.md documents every
// field. Build one, [Record.Sign] it (unless the project is anonymous),
// [Record.Marshal] it and [Seal] the bytes.
type Record struct {
	Format    string  `json:"format"`              // RecordFormat
	Version   int     `json:"version"`             // RecordVersion
	Kind      string  `json:"kind"`                // KindResponse, KindForm or KindSensitive
	ID        string  `json:"id"`                  // random UUID v4 ([NewID]); exports show uuid:ID
	Project   string  `json:"project"`             // the project id
	Form      FormRef `json:"form"`                // which questionnaire
	Started   string  `json:"started,omitempty"`   // [Timestamp] of the first answer
	Finalized string  `json:"finalized,omitempty"` // [Timestamp] of finalizing
	Lang      string  `json:"lang,omitempty"`      // interview language
	// InstanceName is the interview's name from the form's instance_name
	// (ODK's meta/instanceName), "" when it has none; exports show it as
	// meta-instanceName. Absent from older records, whose signatures
	// therefore still verify.
	InstanceName string          `json:"instanceName,omitempty"`
	Answers      map[string]any  `json:"answers"`               // question name → string, or []map for repeats
	Audit        json.RawMessage `json:"audit,omitempty"`       // the engine's audit events
	Recipients   []string        `json:"recipients"`            // the recipients the record is sealed to
	Link         string          `json:"link,omitempty"`        // joins a response and its sensitive record
	FormSource   *FormSource     `json:"form_source,omitempty"` // kind form: the questionnaire file
	// Attachments lists a response's files, each sealed apart in a record
	// of kind attachment (version 2).
	Attachments []Attachment `json:"attachments,omitempty"`
	// Attachment says, in a record of kind attachment, whose file it is
	// (version 2).
	Attachment *AttachedTo  `json:"attachment,omitempty"`
	Device     *DeviceStamp `json:"device,omitempty"`    // absent in anonymous mode
	Signature  string       `json:"signature,omitempty"` // base64 Ed25519; absent in anonymous mode
	// Origin says, in a response imported from another system (an ODK
	// submission), where it came from (version 2). Such a record carries
	// no device signature.
	Origin *Origin `json:"origin,omitempty"`
	// Review heads a record of kind review (version 4, review.go).
	Review *Review `json:"review,omitempty"`
	// Content is, in a record of kind attachment, the file's bytes: they
	// follow the JSON in the plaintext, after one line feed.
	Content []byte `json:"-"`
}

// Attachment is one entry of a response's attachment list: a file its
// answers name, sealed apart. The response's signature covers the list,
// and so, through SHA256, each file's content. A file is sealed whole in
// one record (File) or, when larger than ChunkSize, in chunks (Chunks,
// version 3, File empty).
type Attachment struct {
	Name   string  `json:"name"`             // the file name, as the answers hold it
	SHA256 string  `json:"sha256"`           // hex SHA-256 of the file's content
	Size   int64   `json:"size"`             // the content's length in bytes
	File   string  `json:"file,omitempty"`   // the sealed file holding it: "<64 hex>.age"
	Chunks []Chunk `json:"chunks,omitempty"` // or the sealed files holding its chunks, in order
}

// Chunk is one chunk of a chunked attachment, in the signed list: the
// content of chunk i is bytes [i×ChunkSize, i×ChunkSize+Size) of the file.
type Chunk struct {
	File   string `json:"file"`   // the sealed file holding it: "<64 hex>.age"
	SHA256 string `json:"sha256"` // hex SHA-256 of the chunk's content
	Size   int64  `json:"size"`   // the chunk's length in bytes
}

// AttachedTo heads a record of kind attachment.
type AttachedTo struct {
	Record string `json:"record"` // the id of the response it belongs to
	Name   string `json:"name"`   // the file name, as the response's answers hold it
	SHA256 string `json:"sha256"` // hex SHA-256 of Content
	Size   int64  `json:"size"`   // len(Content)
	// Index and Count say, in a chunk (version 3), which chunk of the
	// file it is: 1 to Count. Both are absent in a whole file.
	Index int `json:"index,omitempty"`
	Count int `json:"count,omitempty"`
}

// Origin is the provenance of an imported response.
type Origin struct {
	System     string `json:"system"`              // "odk"
	InstanceID string `json:"instance_id"`         // the submission's instanceID, as the system wrote it ("uuid:…")
	DeviceID   string `json:"device_id,omitempty"` // the device the system names (ODK's meta/deviceID or deviceid question)
	Submitted  string `json:"submitted,omitempty"` // the system's submission date, as it wrote it
}

// FormRef names the questionnaire a record answers.
type FormRef struct {
	ID      string `json:"id"`      // the form_id setting
	Version string `json:"version"` // the version setting
	SHA256  string `json:"sha256"`  // hex SHA-256 of the questionnaire file ([FormHash])
}

// FormSource carries the questionnaire file in a record of kind form.
type FormSource struct {
	Filename string `json:"filename"`
	Data     []byte `json:"data"` // base64 in JSON
	// Files are the files beside the questionnaire that it reads
	// (Project.Files), name → content, base64 in JSON (version 2).
	Files map[string][]byte `json:"files,omitempty"`
}

// DeviceStamp says which device made a record and where it sits in that
// device's chain.
type DeviceStamp struct {
	ID   string `json:"id"`   // [DeviceID] of Key
	Key  string `json:"key"`  // base64 Ed25519 public key
	Seq  uint64 `json:"seq"`  // 1 for the device's first record, then +1
	Prev string `json:"prev"` // [Record.CanonicalHash] of the previous record; "" for the first
}

// NewID returns a random UUID version 4, lower-case with dashes.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// Timestamp formats t for a record: RFC 3339 in UTC with milliseconds, or
// only the day (YYYY-MM-DD) in anonymous mode.
func Timestamp(t time.Time, anonymous bool) string {
	if anonymous {
		return t.UTC().Format(time.DateOnly)
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// FormHash is the hex SHA-256 of a questionnaire file, for FormRef.SHA256.
func FormHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// DeviceID is a device's short public name: the first 16 hex digits of the
// SHA-256 of its Ed25519 public key.
func DeviceID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// MinVersion is the lowest version that can hold r: RecordVersionChunks
// when it is a chunk or lists a chunked attachment; RecordVersionAttachments
// when it is an attachment, lists attachments, carries form files or an
// Origin, else RecordVersion. Writers set Version to it before signing.
func (r *Record) MinVersion() int {
	if r.Kind == KindReview {
		return RecordVersionReview
	}
	if r.Attachment != nil && r.Attachment.Count > 0 {
		return RecordVersionChunks
	}
	for _, a := range r.Attachments {
		if a.Chunks != nil {
			return RecordVersionChunks
		}
	}
	if r.Kind == KindAttachment || len(r.Attachments) > 0 || r.FormSource != nil && len(r.FormSource.Files) > 0 || r.Origin != nil {
		return RecordVersionAttachments
	}
	return RecordVersion
}

// Marshal returns the record's plaintext: its canonical JSON, signature
// included (see [Record.Sign]; nil Answers and Recipients are written as
// {} and []), and, for a record of kind attachment, a line feed and the
// Content. Written canonical, a signed record's bytes are its signed
// message plus the signature member ([Record.VerifyParsed]).
func (r *Record) Marshal() ([]byte, error) {
	data, err := r.canonical(true)
	if err != nil || r.Kind != KindAttachment {
		return data, err
	}
	out := make([]byte, 0, len(data)+1+len(r.Content))
	out = append(append(data, '\n'), r.Content...)
	return out, nil
}

// marshalJSON is the record's JSON alone.
func (r *Record) marshalJSON() ([]byte, error) {
	c := *r
	if c.Answers == nil {
		c.Answers = map[string]any{}
	}
	if c.Recipients == nil {
		c.Recipients = []string{}
	}
	return encodeJSON(&c)
}

// encodeJSON is json.Marshal without HTML escaping or a final newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// canonical returns the canonical JSON of the record: every object's keys
// sorted, no insignificant whitespace, no HTML escaping, numbers as written.
// Without withSignature the signature member is left out.
func (r *Record) canonical(withSignature bool) ([]byte, error) {
	data, err := r.marshalJSON()
	if err != nil {
		return nil, err
	}
	return canonicalJSON(data, func(m map[string]any) {
		if !withSignature {
			delete(m, "signature")
		}
	})
}

// canonicalJSON re-encodes a JSON object canonically, after edit.
func canonicalJSON(data []byte, edit func(map[string]any)) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	edit(m)
	return encodeJSON(m)
}

// signedMessage is what the signature covers.
func (r *Record) signedMessage() ([]byte, error) {
	c, err := r.canonical(false)
	if err != nil {
		return nil, err
	}
	return append([]byte(signingContext), c...), nil
}

// Sign fills in the device's ID and public key from key and signs the
// record: Ed25519 over "enquete.record.v1\n" followed by the canonical JSON
// of the record without its signature. r.Device must be set, with Seq and
// Prev from the device's chain. Sign the record last: any later change
// breaks the signature.
func (r *Record) Sign(key ed25519.PrivateKey) error {
	if r.Device == nil {
		return errors.New("crypto: Record.Sign: Device must be set (seq, prev)")
	}
	if len(key) != ed25519.PrivateKeySize {
		return errors.New("crypto: Record.Sign: malformed Ed25519 private key")
	}
	pub := key.Public().(ed25519.PublicKey)
	r.Device.Key = base64.StdEncoding.EncodeToString(pub)
	r.Device.ID = DeviceID(pub)
	r.Signature = ""
	msg, err := r.signedMessage()
	if err != nil {
		return err
	}
	r.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
	return nil
}

// VerifySignature checks that the record is signed by the device key it
// names. It says nothing of whether that device belongs to the project:
// verification of the device chains does that. Errors: KeyUnsigned,
// KeyDeviceMismatch, KeyBadSignature, KeyRecordField.
func (r *Record) VerifySignature() error {
	if r.Kind == KindReview {
		return r.verifyReview()
	}
	if r.Device == nil || r.Signature == "" {
		return errorf(KeyUnsigned)
	}
	pub, err := base64.StdEncoding.DecodeString(r.Device.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return errorf(KeyRecordField, "device.key")
	}
	if DeviceID(pub) != r.Device.ID {
		return errorf(KeyDeviceMismatch)
	}
	return r.verifiedBy(pub)
}

// verifiedBy checks r's signature, over its canonical JSON without it,
// against the public key pub.
func (r *Record) verifiedBy(pub ed25519.PublicKey) error {
	sig, err := base64.StdEncoding.DecodeString(r.Signature)
	if err != nil || len(sig) != ed25519.SignatureSize {
		return errorf(KeyBadSignature)
	}
	msg, err := r.signedMessage()
	if err != nil {
		return err
	}
	if !ed25519.Verify(pub, msg, sig) {
		return errorf(KeyBadSignature)
	}
	return nil
}

// CanonicalHash is the hex SHA-256 of the record's canonical JSON, signature
// included: the next record of the same device carries it as Device.Prev.
func (r *Record) CanonicalHash() (string, error) {
	c, err := r.canonical(true)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(c)
	return hex.EncodeToString(sum[:]), nil
}

// ParseRecord reads a record's plaintext (what [Open] returns): its JSON
// and, for kind attachment, the Content after it (checked against its
// SHA-256 and size). It refuses anything that is not a version 1, 2 or 3
// Enquête record: other format tags (KeyRecordFormat), other versions
// (KeyRecordVersion), unknown or invalid fields, and members of a later
// version than the record's (KeyRecordField), malformed JSON
// (KeyRecordJSON).
// Numbers in answers and audit are kept verbatim (json.Number). It does
// not check the signature: call [Record.VerifySignature].
func ParseRecord(plaintext []byte) (*Record, error) {
	// One decoding pass on the common path (the lab's export reads every
	// record); the slower probe below runs only to explain a failure.
	r := new(Record)
	dec := json.NewDecoder(bytes.NewReader(plaintext))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(r); err != nil {
		if perr := probeRecord(plaintext); perr != nil {
			return nil, perr
		}
		return nil, fieldError(err)
	}
	if r.Kind == KindAttachment {
		rest := plaintext[dec.InputOffset():]
		if len(rest) == 0 || rest[0] != '\n' {
			return nil, errorf(KeyRecordField, "content")
		}
		r.Content = bytes.Clone(rest[1:])
	} else if _, err := dec.Token(); err != io.EOF {
		return nil, errorf(KeyRecordJSON)
	}
	if r.Format != RecordFormat || !knownVersion(r.Version) {
		return nil, probeRecord(plaintext)
	}
	if err := checkMembers(plaintext, recordType); err != nil {
		return nil, err
	}
	if err := r.validate(); err != nil {
		return nil, err
	}
	return r, nil
}

var recordType = reflect.TypeFor[Record]()

// probeRecord explains why plaintext is not a version 1 Enquête record:
// malformed JSON, another format tag, or another version. It returns nil
// when format and version are right.
func probeRecord(plaintext []byte) error {
	var probe struct {
		Format  any `json:"format"`
		Version any `json:"version"`
	}
	if err := json.Unmarshal(plaintext, &probe); err != nil {
		return errorf(KeyRecordJSON).Wrap(err)
	}
	if probe.Format != RecordFormat {
		format := ""
		if probe.Format != nil {
			format = fmt.Sprint(probe.Format)
		}
		return errorf(KeyRecordFormat, format)
	}
	if v, ok := probe.Version.(float64); !ok || v != float64(int(v)) || !knownVersion(int(v)) {
		return errorf(KeyRecordVersion, probe.Version).Hint(hintUpdate)
	}
	return nil
}

// knownVersion reports whether this package reads record version v.
func knownVersion(v int) bool {
	return v == RecordVersion || v == RecordVersionAttachments || v == RecordVersionChunks || v == RecordVersionReview
}

// fieldError turns a decoding error into a user error naming the field.
func fieldError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return errorf(KeyRecordField, te.Field).Wrap(err)
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		return errorf(KeyRecordField, strings.Trim(name, `"`)).Wrap(err)
	}
	return errorf(KeyRecordJSON).Wrap(err)
}

// validate checks the fields a reader relies on.
func (r *Record) validate() error {
	bad := func(field string) error { return errorf(KeyRecordField, field) }
	switch {
	case r.Kind != KindResponse && r.Kind != KindForm && r.Kind != KindSensitive && r.Kind != KindReview &&
		(r.Kind != KindAttachment || r.Version < RecordVersionAttachments):
		return bad("kind")
	case r.ID == "":
		return bad("id")
	case r.Project == "":
		return bad("project")
	case !validTime(r.Started):
		return bad("started")
	case !validTime(r.Finalized):
		return bad("finalized")
	case r.Kind == KindSensitive && r.Link == "":
		return bad("link")
	case r.Kind == KindForm && (r.FormSource == nil || r.FormSource.Filename == ""):
		return bad("form_source")
	case r.Form.SHA256 != "" && !isHex(r.Form.SHA256, 64):
		return bad("form.sha256")
	}
	if err := r.validateAttachments(); err != nil {
		return err
	}
	if err := r.validateReview(); err != nil {
		return err
	}
	if d := r.Device; d != nil {
		switch {
		case d.Seq < 1:
			return bad("device.seq")
		case d.Prev != "" && !isHex(d.Prev, 64):
			return bad("device.prev")
		case !isHex(d.ID, 16):
			return bad("device.id")
		}
	}
	return nil
}

// validateAttachments checks the version 2 members: none in a version 1
// record; a well-formed attachment list; an attachment's head and content.
func (r *Record) validateAttachments() error {
	bad := func(field string) error { return errorf(KeyRecordField, field) }
	if r.Version < RecordVersionAttachments {
		switch {
		case r.Attachments != nil:
			return bad("attachments")
		case r.Attachment != nil:
			return bad("attachment")
		case r.FormSource != nil && r.FormSource.Files != nil:
			return bad("form_source.files")
		case r.Origin != nil:
			return bad("origin")
		}
		return nil
	}
	seen := map[string]bool{}
	for _, a := range r.Attachments {
		if err := r.validateEntry(a, seen); err != nil {
			return err
		}
	}
	if r.FormSource != nil {
		for name := range r.FormSource.Files {
			if !validFileName(name) {
				return bad("form_source.files")
			}
		}
	}
	if (r.Kind == KindAttachment) != (r.Attachment != nil) {
		return bad("attachment")
	}
	if a := r.Attachment; a != nil {
		sum := sha256.Sum256(r.Content)
		switch {
		case a.Record == "":
			return bad("attachment.record")
		case !ValidAttachmentName(a.Name):
			return bad("attachment.name")
		case a.Size != int64(len(r.Content)) || a.Size > MaxAttachment:
			return bad("attachment.size")
		case a.SHA256 != hex.EncodeToString(sum[:]):
			return bad("attachment.sha256")
		case (a.Count != 0 || a.Index != 0) && r.Version < RecordVersionChunks,
			a.Count < 0 || a.Count > MaxChunks || a.Index < 0 || a.Index > a.Count || (a.Count > 0) != (a.Index > 0):
			return bad("attachment.index")
		}
	}
	return nil
}

// validateEntry checks one entry of the attachment list (seen: the file
// names and sealed file names of the entries before it).
func (r *Record) validateEntry(a Attachment, seen map[string]bool) error {
	bad := func(field string) error { return errorf(KeyRecordField, field) }
	switch {
	case !ValidAttachmentName(a.Name) || seen["name\x00"+a.Name]:
		return bad("attachments.name")
	case !isHex(a.SHA256, 64):
		return bad("attachments.sha256")
	case a.Chunks == nil && (a.Size < 0 || a.Size > MaxAttachment):
		return bad("attachments.size")
	case a.Chunks == nil && !ValidName(a.File):
		return bad("attachments.file")
	case a.Chunks != nil && (r.Version < RecordVersionChunks || a.File != ""):
		return bad("attachments.file")
	case a.Chunks != nil && (len(a.Chunks) < 1 || len(a.Chunks) > MaxChunks):
		return bad("attachments.chunks")
	}
	seen["name\x00"+a.Name] = true
	var total int64
	for _, c := range a.Chunks {
		switch {
		case !ValidName(c.File) || seen["chunk\x00"+c.File]:
			return bad("attachments.chunks.file")
		case !isHex(c.SHA256, 64):
			return bad("attachments.chunks.sha256")
		case c.Size <= 0 || c.Size > MaxAttachment:
			return bad("attachments.chunks.size")
		}
		seen["chunk\x00"+c.File] = true
		total += c.Size
	}
	if a.Chunks != nil && (a.Size != total || a.Size > MaxChunkedAttachment) {
		return bad("attachments.size")
	}
	return nil
}

// ValidAttachmentName reports whether name can name an attachment: a file
// name without folder (no / or \\), not hidden, valid UTF-8, at most 255
// bytes, no control characters.
func ValidAttachmentName(name string) bool {
	if !validFileName(name) {
		return false
	}
	for _, c := range name {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}

// ContentHash is the hex SHA-256 of an attachment's content.
func ContentHash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// validTime accepts "", a day, or an RFC 3339 time.
func validTime(s string) bool {
	if s == "" {
		return true
	}
	if _, err := time.Parse(time.DateOnly, s); err == nil {
		return true
	}
	_, err := time.Parse(time.RFC3339Nano, s)
	return err == nil
}

// isHex reports whether s is n lower-case hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
