package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io/fs"
	"net/url"
	"path"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// The project file's first line, and the manifest's format tag and
// versions. A project whose questionnaire reads no file beside itself is
// written as version 1, which every release of Enquête reads; one that
// carries such files (Project.Files) is version 2, so that an older
// release refuses it with "version 2 is not supported" rather than
// installing a form it cannot compile.
const (
	projectMagic   = "enquete project v"
	ProjectFormat  = "enquete.project"
	ProjectVersion = 4 // the newest version this package reads and writes
	// ProjectVersionNoFiles is the version of a project without Files.
	ProjectVersionNoFiles = 1
	// ProjectVersionFiles is the version of a project with Files, SentDays
	// or ArchiveKey and no signer rotation.
	ProjectVersionFiles = 2
	// ProjectVersionRotation is the version of a project that carries
	// signer rotation statements (Rotations): a release that cannot follow
	// them refuses it as too new rather than as signed by another key.
	ProjectVersionRotation = 3
	// ProjectVersionMediaMetadata is the version of a project that keeps
	// the metadata of attached photos (KeepMediaMetadata): a release that
	// does not know the setting refuses the file as too new.
	ProjectVersionMediaMetadata = 4
)

// MaxProjectFiles bounds what Project.Files may hold, all files together:
// the project file travels to every laptop and is read whole.
const MaxProjectFiles = 32 << 20

// Project is what a project file tells a field laptop: the questionnaire,
// who records are sealed to, where they go, and the policies.
type Project struct {
	ID         string    // used as PROJECT on the command line; letters, digits, . _ -
	Title      string    // for people
	FormFile   string    // the questionnaire's file name (its extension says how to read it)
	Form       []byte    // the questionnaire file
	Recipients []string  // archive recipients: every record is sealed to them
	Custodians []string  // recipients of the sensitive records (may be empty)
	Archive    string    // the archive's URL (http or https), or "" for sneakernet only
	Anonymous  bool      // records carry no device, signature, or time finer than the day
	Created    time.Time // when the file was signed
	// Files are the files beside the questionnaire that it reads (choice
	// lists of select_*_from_file, itemsets.csv, pulldata CSVs), file
	// name → content, as questionnaires.ParseFiles kept them in
	// Form.Files. Signed with the rest; nil when the form reads none.
	Files map[string][]byte
	// SentDays is how many days a device keeps an interview in its "sent"
	// list (its label, under the device key) after the archive
	// acknowledged it; nil: the device's default (30). Project file
	// version 2.
	SentDays *int
	// ArchiveKey is the archive's receipt verifier key (signed-note
	// format), pinned: the device trusts only receipts it signed, and
	// enrolls with it. "" only for an archive on 127.0.0.1 (local
	// testing, the demo). Project file version 2.
	ArchiveKey string
	// Rotations are the signer rotation statements that lead from the
	// keys that signed earlier files to the one that signed this one
	// (rotation.go). Project file version 3.
	Rotations []string
	// KeepMediaMetadata keeps the metadata (EXIF, XMP, IPTC, comments)
	// of attached JPEG and PNG photos; false, the default, removes it
	// before sealing (media.Strip). Never set in an anonymous project.
	// Project file version 4.
	KeepMediaMetadata bool
}

// FilesFS returns p.Files as a read-only file system, for
// questionnaires.ParseFiles: a laptop compiles the form from the signed
// project alone, never from files on its disk. nil when p has no files.
func (p *Project) FilesFS() fs.FS { return FilesFS(p.Files) }

// FilesFS returns files (name → content, names without folders) as a
// read-only in-memory file system; nil when files is empty.
func FilesFS(files map[string][]byte) fs.FS {
	if len(files) == 0 {
		return nil
	}
	return memFS(files)
}

// memFS is a flat in-memory file system: fs.ReadFile and fs.Stat work on
// its file names; "." lists nothing (no caller needs it).
type memFS map[string][]byte

func (m memFS) Open(name string) (fs.File, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrInvalid}
	}
	data, ok := m[name]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
	}
	return &memFile{name: name, r: bytes.NewReader(data), size: int64(len(data))}, nil
}

// ReadFile lets fs.ReadFile skip the copy through Open.
func (m memFS) ReadFile(name string) ([]byte, error) {
	data, ok := m[name]
	if !ok || !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "read", Path: name, Err: fs.ErrNotExist}
	}
	return bytes.Clone(data), nil
}

type memFile struct {
	name string
	r    *bytes.Reader
	size int64
}

func (f *memFile) Stat() (fs.FileInfo, error) { return memInfo{f.name, f.size}, nil }
func (f *memFile) Read(b []byte) (int, error) { return f.r.Read(b) }
func (f *memFile) Close() error               { return nil }

type memInfo struct {
	name string
	size int64
}

func (i memInfo) Name() string       { return path.Base(i.name) }
func (i memInfo) Size() int64        { return i.size }
func (i memInfo) Mode() fs.FileMode  { return 0o444 }
func (i memInfo) ModTime() time.Time { return time.Time{} }
func (i memInfo) IsDir() bool        { return false }
func (i memInfo) Sys() any           { return nil }

// manifest is the project as JSON, the text of the signed note.
type manifest struct {
	Format     string       `json:"format"`
	Version    int          `json:"version"`
	ID         string       `json:"id"`
	Title      string       `json:"title"`
	Form       manifestForm `json:"form"`
	Recipients []string     `json:"recipients"`
	Custodians []string     `json:"custodians"`
	Archive    string       `json:"archive"`
	Anonymous  bool         `json:"anonymous"`
	Created    string       `json:"created"`
	// Files: version 2 only; base64 in JSON.
	Files map[string][]byte `json:"files,omitempty"`
	// SentDays: version 2 only.
	SentDays *int `json:"sent_days,omitempty"`
	// ArchiveKey: version 2 only.
	ArchiveKey string `json:"archive_key,omitempty"`
	// SignerRotations: version 3 only.
	SignerRotations []string `json:"signer_rotations,omitempty"`
	// KeepMediaMetadata: version 4 only.
	KeepMediaMetadata bool `json:"keep_media_metadata,omitempty"`
}

type manifestForm struct {
	Filename string `json:"filename"`
	Data     []byte `json:"data"`
}

// NewProjectSigner makes a project signing key pair in the C2SP signed-note
// format: skey ("PRIVATE+KEY+name+…") stays with whoever makes project
// files; vkey ("name+hash+key") is what devices pin. name is shown in the
// signature line: letters, digits, dots and dashes.
func NewProjectSigner(name string) (skey, vkey string, err error) {
	if !validSignerName(name) {
		return "", "", errorf(KeySignerName, name).Hint(hintSignerName)
	}
	return note.GenerateKey(rand.Reader, name)
}

// validSignerName is note's rule (non-empty, no space, no +) kept to a
// safe set.
func validSignerName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, c := range name {
		ok := c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}

// SignProject returns the project file of p, signed with skey:
//
//	enquete project v1
//	VKEY
//	MANIFEST JSON
//
//	— NAME SIGNATURE
//
// The last three lines are a C2SP signed note whose text is the manifest.
// p is checked first (KeyProjectField): an id, a form, parseable recipients.
func SignProject(p *Project, skey string) ([]byte, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	signer, err := note.NewSigner(skey)
	if err != nil {
		return nil, errorf(KeySignerKey).Wrap(err)
	}
	vkey, err := verifierKey(skey)
	if err != nil {
		return nil, errorf(KeySignerKey).Wrap(err)
	}
	version := p.version()
	m := manifest{
		Format: ProjectFormat, Version: version,
		ID: p.ID, Title: p.Title,
		Form:       manifestForm{Filename: p.FormFile, Data: p.Form},
		Recipients: p.Recipients, Custodians: p.Custodians,
		Archive: p.Archive, Anonymous: p.Anonymous,
		Created:    p.Created.UTC().Format(time.RFC3339),
		Files:      p.Files,
		SentDays:   p.SentDays,
		ArchiveKey: p.ArchiveKey,
		// Written only when true: a project without it stays readable
		// by older releases.
		KeepMediaMetadata: p.KeepMediaMetadata,
	}
	if err := validRotations(p.Rotations); err != nil {
		return nil, err
	}
	m.SignerRotations = p.Rotations
	if len(m.Files) == 0 {
		m.Files = nil
	}
	if m.Custodians == nil {
		m.Custodians = []string{}
	}
	text, err := encodeJSON(m)
	if err != nil {
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
	if err != nil {
		return nil, errorf(KeySignerKey).Wrap(err)
	}
	out := []byte(projectMagic + strconv.Itoa(version) + "\n" + vkey + "\n")
	return append(out, signed...), nil
}

// version is the project file version p needs: 4 when it keeps media
// metadata, 3 with signer rotations, 2 with files, a sent list's days or
// an archive key, else 1.
func (p *Project) version() int {
	if p.KeepMediaMetadata {
		return ProjectVersionMediaMetadata
	}
	if len(p.Rotations) > 0 {
		return ProjectVersionRotation
	}
	if len(p.Files) > 0 || p.SentDays != nil || p.ArchiveKey != "" {
		return ProjectVersionFiles
	}
	return ProjectVersionNoFiles
}

// verifierKey derives the verifier key of a note signing key
// ("PRIVATE+KEY+name+hash+base64(1 || seed)").
func verifierKey(skey string) (string, error) {
	parts := strings.SplitN(skey, "+", 5)
	if len(parts) != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" {
		return "", errorf(KeySignerKey)
	}
	key, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(key) != 1+ed25519.SeedSize || key[0] != 1 {
		return "", errorf(KeySignerKey)
	}
	pub := ed25519.NewKeyFromSeed(key[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(parts[2], pub)
}

// OpenProject reads a project file, verifies its signature with the
// verifier key it carries, and returns the project and that key. The
// caller pins vkey at install and refuses an update signed by any other:
// the signature proves the file is whole and from vkey's holder, the pin
// proves vkey is the one first trusted. Errors: KeyProjectFormat,
// KeyProjectVersion, KeyProjectSig, KeyProjectField.
func OpenProject(file []byte) (p *Project, vkey string, err error) {
	first, rest, _ := bytes.Cut(file, []byte("\n"))
	version, ok := strings.CutPrefix(string(first), projectMagic)
	if !ok {
		return nil, "", errorf(KeyProjectFormat)
	}
	lineVersion, err := strconv.Atoi(version)
	if err != nil {
		return nil, "", errorf(KeyProjectFormat)
	}
	if lineVersion < ProjectVersionNoFiles || lineVersion > ProjectVersion {
		return nil, "", errorf(KeyProjectVersion, lineVersion).Hint(hintUpdate)
	}
	vk, msg, ok := bytes.Cut(rest, []byte("\n"))
	if !ok {
		return nil, "", errorf(KeyProjectSig)
	}
	verifier, err := note.NewVerifier(string(vk))
	if err != nil {
		return nil, "", errorf(KeyProjectSig).Wrap(err)
	}
	n, err := note.Open(msg, note.VerifierList(verifier))
	if err != nil {
		return nil, "", errorf(KeyProjectSig).Wrap(err)
	}
	p, err = parseManifest([]byte(n.Text))
	if err != nil {
		return nil, "", err
	}
	if p.version() != lineVersion {
		return nil, "", errorf(KeyProjectField, "version")
	}
	return p, string(vk), nil
}

// parseManifest reads the signed text.
func parseManifest(text []byte) (*Project, error) {
	var m manifest
	if err := checkMembers(text, reflect.TypeOf(m)); err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, errorf(KeyProjectFormat).Wrap(err)
	}
	if m.Format != ProjectFormat {
		return nil, errorf(KeyProjectFormat)
	}
	if m.Version < ProjectVersionNoFiles || m.Version > ProjectVersion {
		return nil, errorf(KeyProjectVersion, m.Version).Hint(hintUpdate)
	}
	created, err := time.Parse(time.RFC3339, m.Created)
	if err != nil {
		return nil, errorf(KeyProjectField, "created")
	}
	p := &Project{
		ID: m.ID, Title: m.Title, FormFile: m.Form.Filename, Form: m.Form.Data,
		Recipients: m.Recipients, Custodians: m.Custodians,
		Archive: m.Archive, Anonymous: m.Anonymous, Created: created, Files: m.Files, SentDays: m.SentDays, ArchiveKey: m.ArchiveKey,
		KeepMediaMetadata: m.KeepMediaMetadata,
	}
	if len(p.Custodians) == 0 {
		p.Custodians = nil
	}
	if len(p.Files) == 0 {
		p.Files = nil
	}
	if p.Rotations = m.SignerRotations; len(p.Rotations) > 0 {
		if err := validRotations(p.Rotations); err != nil {
			return nil, err
		}
	}
	// A version 1 manifest has no files nor sent days; version 2 is only
	// written with some, so each version has exactly one reading.
	if p.version() != m.Version {
		return nil, errorf(KeyProjectField, "files")
	}
	// An older file whose archive is plain http:// to another machine
	// still opens (its records stay readable and exportable); installing
	// it and syncing to it are refused (CheckArchiveAddress).
	if err := p.validateFields(); err != nil {
		return nil, err
	}
	return p, nil
}

// MaxSentDays bounds [Project].SentDays (ten years).
const MaxSentDays = 3660

// validate checks a project before it is signed: its fields, and an
// archive address a device may send records to (CheckArchiveAddress).
func (p *Project) validate() error {
	if err := p.validateFields(); err != nil {
		return err
	}
	return CheckArchiveAddress(p.Archive)
}

// validateFields checks what a device relies on to read a project.
func (p *Project) validateFields() error {
	bad := func(field string) error { return errorf(KeyProjectField, field) }
	switch {
	case !validProjectID(p.ID):
		return bad("id")
	case !utf8.ValidString(p.Title):
		return bad("title")
	case p.FormFile == "" || filepath.Base(p.FormFile) != p.FormFile || strings.ContainsAny(p.FormFile, `/\`):
		return bad("form filename")
	case len(p.Form) == 0:
		return bad("form")
	case p.Anonymous && p.KeepMediaMetadata:
		return bad("keep_media_metadata")
	}
	if err := validFiles(p.Files); err != nil {
		return err
	}
	if p.SentDays != nil && (*p.SentDays < 0 || *p.SentDays > MaxSentDays) {
		return bad("sent_days")
	}
	if p.ArchiveKey != "" && !ValidVerifier(p.ArchiveKey) {
		return bad("archive_key")
	}
	if _, err := ParseRecipients(p.Recipients); err != nil {
		return errorf(KeyProjectField, "recipients").Wrap(err)
	}
	if len(p.Custodians) > 0 {
		if _, err := ParseRecipients(p.Custodians); err != nil {
			return errorf(KeyProjectField, "custodians").Wrap(err)
		}
	}
	if p.Archive != "" {
		u, err := url.Parse(p.Archive)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("archive")
		}
	}
	return nil
}

// validFiles checks the names of the files beside the questionnaire (a
// plain name: no folder, nothing hidden, valid UTF-8) and their total size.
func validFiles(files map[string][]byte) error {
	var total int64
	for name, data := range files {
		if !validFileName(name) {
			return errorf(KeyProjectField, "files: "+strconv.Quote(name))
		}
		total += int64(len(data))
	}
	if total > MaxProjectFiles {
		return errorf(KeyProjectField, "files").Wrap(errorf(KeyTooLarge, formatSize(MaxProjectFiles)))
	}
	return nil
}

// validFileName accepts a file name with no folder part.
func validFileName(name string) bool {
	return name != "" && len(name) <= 255 && utf8.ValidString(name) && fs.ValidPath(name) &&
		!strings.ContainsAny(name, "/\\\x00") && name[0] != '.'
}

// validProjectID: 1 to 64 of letters, digits, . _ -, not starting with a dot.
func validProjectID(id string) bool {
	if id == "" || len(id) > 64 || id[0] == '.' {
		return false
	}
	for _, c := range id {
		ok := c == '.' || c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !ok {
			return false
		}
	}
	return true
}
