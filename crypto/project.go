package crypto

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/note"
)

// The project file's first line, and the manifest's format tag and version.
const (
	projectMagic   = "enquete project v"
	ProjectFormat  = "enquete.project"
	ProjectVersion = 1
)

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
}

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
	m := manifest{
		Format: ProjectFormat, Version: ProjectVersion,
		ID: p.ID, Title: p.Title,
		Form:       manifestForm{Filename: p.FormFile, Data: p.Form},
		Recipients: p.Recipients, Custodians: p.Custodians,
		Archive: p.Archive, Anonymous: p.Anonymous,
		Created: p.Created.UTC().Format(time.RFC3339),
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
	out := []byte(projectMagic + strconv.Itoa(ProjectVersion) + "\n" + vkey + "\n")
	return append(out, signed...), nil
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
	if n, err := strconv.Atoi(version); err != nil || n != ProjectVersion {
		if err != nil {
			return nil, "", errorf(KeyProjectFormat)
		}
		return nil, "", errorf(KeyProjectVersion, n).Hint(hintUpdate)
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
	return p, string(vk), nil
}

// parseManifest reads the signed text.
func parseManifest(text []byte) (*Project, error) {
	var m manifest
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		return nil, errorf(KeyProjectFormat).Wrap(err)
	}
	if m.Format != ProjectFormat {
		return nil, errorf(KeyProjectFormat)
	}
	if m.Version != ProjectVersion {
		return nil, errorf(KeyProjectVersion, m.Version).Hint(hintUpdate)
	}
	created, err := time.Parse(time.RFC3339, m.Created)
	if err != nil {
		return nil, errorf(KeyProjectField, "created")
	}
	p := &Project{
		ID: m.ID, Title: m.Title, FormFile: m.Form.Filename, Form: m.Form.Data,
		Recipients: m.Recipients, Custodians: m.Custodians,
		Archive: m.Archive, Anonymous: m.Anonymous, Created: created,
	}
	if len(p.Custodians) == 0 {
		p.Custodians = nil
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	return p, nil
}

// validate checks what a device relies on.
func (p *Project) validate() error {
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
