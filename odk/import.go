package odk

import (
	"context"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// ProjectPrefix begins the project id of every imported record: the
// responses of ODK form F are in project "odk:F", apart from any Enquête
// project, unsigned (no enrolled device made them; their ODK element
// signature was checked at import instead).
const ProjectPrefix = "odk:"

// Store is where the import writes: an archive's records and state.
type Store interface {
	archive.Storage
	archive.State
}

// Options says what [Import] reads and writes.
type Options struct {
	Key        *rsa.PrivateKey // the ODK form's private key
	FormFile   string          // the XForm (.xml) or XLSForm the submissions answer
	Recipients []string        // the archive recipients the records are sealed to
	// Custodians receive, sealed apart, the answers of the questions the
	// form marks sensitive (and what depends on them), as a device does:
	// required when it marks any (sensitive.go).
	Custodians []string
	Dir        string // the submissions: Briefcase's form folder, its instances/, or any folder above them
	Store      Store
	Now        time.Time // the arrival logged for submissions without submissionDate, and for the form
	Log        io.Writer // one line per submission skipped
	Lang       string
}

// Summary counts what [Import] did.
type Summary struct {
	Imported int // submissions written to the archive
	Already  int // submissions a previous import wrote (left alone)
	Failed   int // submissions skipped, each named on Log
	Media    int // media files written as attachments
}

// importer is one run of Import.
type importer struct {
	opts       Options
	recipients []age.Recipient
	custodians []age.Recipient
	form       *questionnaires.Form
	formRef    crypto.FormRef
	markKey    []byte
	sum        Summary
}

// Import reads every ODK encrypted submission under opts.Dir, decrypts it
// in memory (checking its element signature), and writes it to the
// archive as a response sealed to opts.Recipients, its media as
// attachments, its arrival (Briefcase's submissionDate) in the receipt
// log. The form's questionnaire record is written first. A submission
// that cannot be read, decrypted or checked is named on opts.Log and
// skipped; Import fails only when the form, the key, the folder or the
// archive cannot be used. Nothing decrypted is written to disk.
//
// A rerun imports only what is new: each submission written leaves a
// state entry odk/<HMAC>, keyed by the ODK private key, so the archive
// learns nothing of the instance ids.
func Import(ctx context.Context, opts Options) (*Summary, error) {
	recipients, err := crypto.ParseRecipients(opts.Recipients)
	if err != nil {
		return nil, err
	}
	var custodians []age.Recipient
	if len(opts.Custodians) > 0 {
		if custodians, err = crypto.ParseRecipients(opts.Custodians); err != nil {
			return nil, err
		}
	}
	imp := &importer{opts: opts, recipients: recipients, custodians: custodians, markKey: markKey(opts.Key)}
	if opts.Log == nil {
		imp.opts.Log = io.Discard
	}
	source, filename, err := imp.readForm()
	if err != nil {
		return nil, err
	}
	if err := imp.needCustodian(); err != nil {
		return nil, err
	}
	dirs, err := findInstances(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := imp.writeForm(ctx, filename, source); err != nil {
		return nil, err
	}
	for _, dir := range dirs {
		if err := ctx.Err(); err != nil {
			return &imp.sum, err
		}
		if err := imp.one(ctx, dir); err != nil {
			var bad badSubmission
			if !errors.As(err, &bad) {
				return &imp.sum, err
			}
			imp.sum.Failed++
			msg, _ := locales.Localize(bad.error, opts.Lang)
			fmt.Fprintln(imp.opts.Log, msg)
		}
	}
	return &imp.sum, nil
}

// markKey keys the import's state entries: from the ODK private key.
func markKey(key *rsa.PrivateKey) []byte {
	h := sha256.New()
	h.Write([]byte("enquete odk import v1\n"))
	h.Write(key.D.Bytes())
	return h.Sum(nil)
}

// mark is the state entry of one imported thing.
func (imp *importer) mark(what string) string {
	m := hmac.New(sha256.New, imp.markKey)
	m.Write([]byte(what))
	for _, r := range imp.opts.Recipients {
		m.Write([]byte("\n" + r))
	}
	for _, c := range imp.opts.Custodians {
		m.Write([]byte("\ncustodian " + c))
	}
	return "odk/" + hex.EncodeToString(m.Sum(nil))
}

// readForm reads FORM: an XForm is converted (xform.go), an XLSForm kept.
func (imp *importer) readForm() ([]byte, string, error) {
	path := imp.opts.FormFile
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, "", locales.Errorf("archive.odk.read", path, err.Error()).Wrap(err)
	}
	filename := filepath.Base(path)
	if strings.EqualFold(filepath.Ext(path), ".xml") {
		info, err := ConvertXForm(path, data)
		if err != nil {
			return nil, "", err
		}
		data, filename = info.CSV, strings.TrimSuffix(filename, filepath.Ext(filename))+".csv"
		if _, err := questionnaires.ParseFiles(filename, data, nil); err != nil {
			data = info.Plain
		}
	}
	form, err := questionnaires.ParseFiles(filename, data, nil)
	if err != nil {
		return nil, "", locales.Errorf("archive.odk.bad_form", path, err.Error())
	}
	imp.form = form
	imp.formRef = crypto.FormRef{ID: form.ID, Version: form.Version, SHA256: crypto.FormHash(data)}
	return data, filename, nil
}

// project is the imported records' project id.
func (imp *importer) project() string { return ProjectPrefix + imp.form.ID }

// writeForm writes the questionnaire record once per form file.
func (imp *importer) writeForm(ctx context.Context, filename string, source []byte) error {
	mark := imp.mark("form\n" + imp.formRef.SHA256)
	if _, err := imp.opts.Store.GetState(ctx, mark); err == nil {
		return nil
	}
	rec := &crypto.Record{Format: crypto.RecordFormat, Kind: crypto.KindForm, ID: crypto.NewID(), Project: imp.project(),
		Form: imp.formRef, Recipients: imp.opts.Recipients, FormSource: &crypto.FormSource{Filename: filename, Data: source}}
	rec.Version = rec.MinVersion()
	name, err := imp.seal(ctx, rec, imp.recipients)
	if err != nil {
		return err
	}
	if err := archive.LogReceipt(ctx, imp.opts.Store, []string{name}, imp.opts.Now); err != nil {
		return err
	}
	return imp.opts.Store.PutState(ctx, mark, []byte(name+"\n"))
}

// findInstances lists the folders under dir holding a submission.xml
// beside a submission.xml.enc, sorted.
func findInstances(dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return locales.Errorf("archive.odk.read", p, err.Error()).Wrap(err)
		}
		if d.IsDir() || d.Name() != "submission.xml" {
			return nil
		}
		out = append(out, filepath.Dir(p))
		return nil
	})
	if err == nil && len(out) == 0 {
		err = locales.Errorf("archive.odk.none", dir).Hint("archive.odk.hint.none")
	}
	slices.Sort(out)
	return out, err
}

// badSubmission is a submission's own problem: it is named and skipped,
// while an error of the archive stops the import.
type badSubmission struct{ error }

// one imports the submission of instance folder dir.
func (imp *importer) one(ctx context.Context, dir string) error {
	m, err := ReadManifest(dir)
	if err != nil {
		return badSubmission{err}
	}
	if m.FormID != imp.form.ID {
		return badSubmission{locales.Errorf("archive.odk.other_form", dir, m.FormID, imp.form.ID)}
	}
	mark := imp.mark("submission\n" + m.InstanceID)
	if prev, err := imp.opts.Store.GetState(ctx, mark); err == nil {
		if ok, err := imp.opts.Store.Has(ctx, strings.TrimSpace(string(prev))); err != nil || ok {
			imp.sum.Already++
			return err
		}
	}
	sub, err := Decrypt(m, imp.opts.Key)
	if err != nil {
		return badSubmission{err}
	}
	defer sub.Wipe()
	inst, err := ReadInstance(imp.form, sub.XML)
	if err != nil {
		return badSubmission{locales.Errorf("archive.odk.bad_xml", dir, err.Error())}
	}
	rec := imp.response(m, inst)
	for _, f := range sub.Media {
		if !crypto.ValidAttachmentName(f.Name) || int64(len(f.Data)) > crypto.MaxChunkedAttachment {
			return badSubmission{locales.Errorf("archive.odk.bad_media", f.Name)}
		}
	}
	// The sensitive record and its files go first, as on a device: a
	// crash leaves a record the custodian can tell is alone, never a
	// response whose identifying answers are lost.
	secret := imp.sealApart(rec)
	var names []string
	if secret != nil {
		secretNames, err := imp.storeSensitive(ctx, secret, sub.Media)
		if err != nil {
			return err
		}
		names = secretNames
	}
	for _, f := range sub.Media {
		if secret != nil && goesWith(secret, f.Name) {
			continue
		}
		listed, files, err := imp.sealAttachment(ctx, rec, f, imp.recipients)
		if err != nil {
			return err
		}
		rec.Attachments = append(rec.Attachments, listed)
		names = append(names, files...)
	}
	rec.Version = rec.MinVersion()
	sealed, name, err := imp.sealOnly(rec, imp.recipients)
	if err != nil {
		return err
	}
	// The entry names the response before it is stored: a response in
	// the archive is always one a rerun recognizes.
	if err := imp.opts.Store.PutState(ctx, mark, []byte(name+"\n")); err != nil {
		return err
	}
	if err := imp.opts.Store.Put(ctx, name, sealed); err != nil {
		return err
	}
	names = append(names, name)
	if err := archive.LogReceipt(ctx, imp.opts.Store, names, arrival(m, imp.opts.Now)); err != nil {
		return err
	}
	imp.sum.Imported++
	imp.sum.Media += len(sub.Media)
	return nil
}

// response is the record of one submission, before its attachments.
func (imp *importer) response(m *Manifest, inst *Instance) *crypto.Record {
	ref := imp.formRef
	if m.HasVersion {
		ref.Version = m.Version
	}
	rec := &crypto.Record{Format: crypto.RecordFormat, Kind: crypto.KindResponse,
		ID: strings.TrimPrefix(m.InstanceID, "uuid:"), Project: imp.project(), Form: ref,
		Finalized: odkTime(m.Completed), InstanceName: inst.InstanceName, Answers: inst.Answers,
		Recipients: crypto.WrittenRecipients(imp.opts.Recipients),
		Origin:     &crypto.Origin{System: "odk", InstanceID: m.InstanceID, DeviceID: inst.DeviceID, Submitted: m.Submitted}}
	if rec.Finalized == "" {
		rec.Finalized = odkTime(m.Submitted)
	}
	return rec
}

// odkTime is an ODK time as a record time ("" when it is not one).
func odkTime(s string) string {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.000Z0700"} {
		if t, err := time.Parse(layout, s); err == nil {
			return crypto.Timestamp(t, false)
		}
	}
	return ""
}

// arrival is the submission's arrival for the receipt log: Briefcase's
// submissionDate, else now.
func arrival(m *Manifest, now time.Time) time.Time {
	if t, err := time.Parse(time.RFC3339Nano, odkTime(m.Submitted)); err == nil {
		return t
	}
	return now
}

// sealOnly seals a record to recipients and names the sealed file.
func (imp *importer) sealOnly(rec *crypto.Record, recipients []age.Recipient) ([]byte, string, error) {
	plain, err := rec.Marshal()
	if err != nil {
		return nil, "", err
	}
	defer clear(plain)
	sealed, err := crypto.Seal(plain, recipients...)
	if err != nil {
		return nil, "", err
	}
	return sealed, archive.Name(sealed), nil
}

// seal seals a record to recipients and stores it, returning its file name.
func (imp *importer) seal(ctx context.Context, rec *crypto.Record, recipients []age.Recipient) (string, error) {
	sealed, name, err := imp.sealOnly(rec, recipients)
	if err != nil {
		return "", err
	}
	return name, imp.opts.Store.Put(ctx, name, sealed)
}

// sealAttachment stores one media file as attachment records: whole
// (version 2) up to crypto.ChunkSize, else in chunks (version 3), as a
// device seals them, to recipients (rec's). It returns rec's entry and the
// files.
func (imp *importer) sealAttachment(ctx context.Context, rec *crypto.Record, f File, recipients []age.Recipient) (crypto.Attachment, []string, error) {
	listed := crypto.Attachment{Name: f.Name, SHA256: crypto.ContentHash(f.Data), Size: int64(len(f.Data))}
	count := (len(f.Data) + crypto.ChunkSize - 1) / crypto.ChunkSize
	if count <= 1 {
		head := &crypto.AttachedTo{Record: rec.ID, Name: f.Name, SHA256: listed.SHA256, Size: listed.Size}
		name, err := imp.seal(ctx, imp.attachment(rec, head, f.Data), recipients)
		listed.File = name
		return listed, []string{name}, err
	}
	var names []string
	for i := range count {
		part := f.Data[i*crypto.ChunkSize : min(len(f.Data), (i+1)*crypto.ChunkSize)]
		head := &crypto.AttachedTo{Record: rec.ID, Name: f.Name, SHA256: crypto.ContentHash(part), Size: int64(len(part)), Index: i + 1, Count: count}
		name, err := imp.seal(ctx, imp.attachment(rec, head, part), recipients)
		if err != nil {
			return listed, nil, err
		}
		listed.Chunks = append(listed.Chunks, crypto.Chunk{File: name, SHA256: head.SHA256, Size: head.Size})
		names = append(names, name)
	}
	return listed, names, nil
}

// attachment is the record of kind attachment holding content.
func (imp *importer) attachment(rec *crypto.Record, head *crypto.AttachedTo, content []byte) *crypto.Record {
	r := &crypto.Record{Format: crypto.RecordFormat, Kind: crypto.KindAttachment, ID: crypto.NewID(),
		Project: rec.Project, Form: rec.Form, Recipients: rec.Recipients, Attachment: head, Content: content}
	r.Version = r.MinVersion()
	return r
}
