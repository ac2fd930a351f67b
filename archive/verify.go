package archive

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"filippo.io/age"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// VerifyOptions says what [Verify] checks.
type VerifyOptions struct {
	// Archive is the folder holding the record files, searched recursively.
	Archive string
	// Archives are more sources checked with Archive as one
	// ([OpenSources]): a file found in several is one file.
	Archives []string
	// Identities open the records.
	Identities []age.Identity
	// Log receives one line per problem as it is found, then a summary
	// (nil: discarded).
	Log io.Writer
	// Lang is the language of Log's lines (default English).
	Lang string
	// Workers is the number of files read and decrypted at once
	// (default: the number of CPUs Go uses, and at least 16 for a bucket,
	// whose reads wait on the network).
	Workers int
	// MaxRecord is the largest record accepted once decompressed
	// (default crypto.DefaultMaxPlaintext).
	MaxRecord int64
	// Project, when set, is the only project expected: a record of another
	// project (sealed to the same key) is a problem.
	Project string
	// Signers are the lab's project verifier keys: an archive that enrolls
	// devices has its roster checked against them, and a record signed by
	// a device the lab did not enroll (then) is a problem.
	Signers []string
	// Receipts are signed receipts gathered from devices (`enquete
	// receipts`): every record a receipt signed by this archive's key
	// names must be in the archive, or the archive lost what it
	// acknowledged.
	Receipts []Receipt
}

// Receipt is one signed receipt a device kept: the archive's signed note
// and where it comes from (for the problem's line).
type Receipt struct {
	Signed []byte
	From   string
}

// Problem is one thing wrong in an archive.
type Problem struct {
	// File is the record file concerned; "" for a problem of a device's
	// chain as a whole (a gap).
	File string
	// Device is the device concerned, when known.
	Device string
	// Err says what is wrong, as a user-facing message.
	Err *locales.Error
	// Warning marks what is worth knowing but is no sign of loss or
	// tampering: the traces a device's crash leaves in its chain.
	Warning bool
}

// String is the problem in English, as one line.
func (p Problem) String() string { return p.Localize(locales.Default) }

// Localize is the problem in lang, as one line.
func (p Problem) Localize(lang string) string {
	msg, _ := locales.Localize(p.Err, lang)
	if p.Warning {
		return locales.T(lang, "archive.verify.warning", msg)
	}
	return msg
}

// Verify opens every record file of an archive folder and checks it:
//
//   - it decrypts with one of the identities and is a record (else the
//     reason: wrong key, truncated, damaged, a decompression bomb…);
//   - its name is the SHA-256 of its bytes;
//   - the identity that opened it belongs to one of the recipients the
//     record lists (the list is signed: a record re-encrypted to other
//     keys is caught);
//   - a signed record's signature verifies against the device key it names;
//   - each device's records, per project, form one chain: sequence numbers
//     1, 2, … with none missing (gaps) and none twice (forks), each record
//     carrying the canonical hash of the one before (else a fork), and
//     reaching the chain head the device signed at its last sync (else its
//     last records are missing: heads.go);
//   - no two response files hold one interview: the same record id in
//     two files (with different names: a file found twice, in archives
//     side by side, is one file) is a duplicate, or a conflict when their
//     contents differ (a forged or altered copy), as are two records of a
//     device with one sequence number and different content (a fork);
//   - every sensitive record may re-link to its response (relink.go):
//     signed where its project signs, by the device of the response with
//     its link at that response's place in the chain, sealed to more than
//     the analysis keys, and alone in claiming that response;
//   - a response without a device signature is a problem when other
//     responses of its project are signed (anonymous projects sign none);
//   - every attachment a record lists is in the archive, in the sealed
//     file the record names, with the content hash, name and record id
//     the record lists (else a problem); an attachment no record lists is
//     a warning (a device that crashed while finalizing leaves one).
//
// It returns the problems found, one per line, also written to opts.Log
// as they are found, with one line per device chain at the end. An error is
// returned only when the archive cannot be read at all.
//
// Memory: plaintext is held only while a worker checks it; what the chains
// need (about 200 bytes per signed record) is kept until the end.
func Verify(ctx context.Context, opts VerifyOptions) ([]Problem, error) {
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if opts.Lang == "" {
		opts.Lang = locales.Default
	}
	if len(opts.Identities) == 0 {
		return nil, locales.Errorf(crypto.KeyNoIdentities)
	}
	srcs := exportSources(ExportOptions{Archive: opts.Archive, Archives: opts.Archives})
	if err := checkSources(srcs); err != nil {
		return nil, err
	}
	src, enr, heads, err := openForReading(ctx, srcs, opts.Signers, true)
	if err != nil {
		return nil, err
	}
	v := &verifier{opts: opts, src: src, enr: enr, heads: heads, opener: newOpener(src, opts.MaxRecord), recipients: recipientStrings(opts.Identities),
		chains: newSorter("", "", 0), signedProjects: map[string]bool{},
		links: map[string]bool{}, secretLinks: map[string]bool{}, attachments: newAttachmentCheck(),
		responses: newSorter("", "", 0), sensitive: newSensitiveCheck()}
	feed := func(yield func(archiveFile) bool) error {
		return stopped(walkFiles(ctx, src, "", func(f archiveFile) error {
			if !yield(f) {
				return errStop
			}
			return nil
		}))
	}
	if err := ordered(ctx, src.workers(opts.Workers), feed, v.check, v.take); err != nil {
		return v.problems, err
	}
	if err := v.checkReceipts(ctx); err != nil {
		return v.problems, err
	}
	if err := v.checkLog(ctx); err != nil {
		return v.problems, err
	}
	v.unsignedInSignedProjects()
	v.attachments.check(v.report)
	v.custodianOnly()
	v.checkSensitive()
	v.checkChains()
	v.heads.check(v.report)
	if err := v.duplicates(); err != nil {
		return v.problems, err
	}
	fmt.Fprintln(opts.Log, locales.T(opts.Lang, "archive.verify.summary",
		locales.N(opts.Lang, "archive.verify.files", v.files, v.files),
		locales.N(opts.Lang, "archive.verify.problems", len(v.problems), len(v.problems))))
	return v.problems, nil
}

// recipientStrings gives the recipient of each identity ("" when the kind
// of identity does not tell it).
func recipientStrings(ids []age.Identity) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		switch k := id.(type) {
		case *age.X25519Identity:
			out[i] = k.Recipient().String()
		case *age.HybridIdentity:
			out[i] = k.Recipient().String()
		}
	}
	return out
}

// verifier is one run of [Verify].
type verifier struct {
	opts           VerifyOptions
	src            *Source     // the archive read
	enr            *enrollment // the archive's enrolled devices
	heads          *headCheck  // the devices' signed chain heads
	opener         *opener
	recipients     []string
	chains         *sorter         // device, project, seq, hash, prev, path
	signedProjects map[string]bool // projects with signed responses
	unsigned       []unsignedRecord
	problems       []Problem
	closed         []Problem       // files no identity given opens, reported at the end
	links          map[string]bool // linkKey of responses with a sensitive record…
	secretLinks    map[string]bool // …and of the sensitive records opened
	attachments    *attachmentCheck
	responses      *sorter // record id, file name, canonical hash, path of every response
	sensitive      *sensitiveCheck
	files          int
}

type unsignedRecord struct{ project, path string }

// checked is what a worker found in one file.
type checked struct {
	*opened
	problems []Problem
	chain    []byte // the chain entry of a record with a device stamp
}

// check is the workers' part: open the file and check the record alone.
func (v *verifier) check(f archiveFile) checked {
	o := v.opener.open(f, v.opts.Identities, false)
	c := checked{opened: o}
	if o.err != nil {
		c.add(f.path, "", locales.Errorf("archive.verify.unreadable", f.path, o.err))
		return c
	}
	r := o.rec
	dev := deviceOf(r)
	if v.opts.Project != "" && r.Project != v.opts.Project {
		c.add(f.path, dev, locales.Errorf("archive.verify.other_project", f.path, r.Project, v.opts.Project))
		return c
	}
	hashRecord(&c)
	if o.identity >= 0 && v.recipients[o.identity] != "" && !r.ListsRecipient(v.recipients[o.identity]) {
		c.add(f.path, dev, locales.Errorf("archive.verify.resealed", f.path))
	}
	if r.Device == nil && r.Signature == "" {
		return c
	}
	if err := o.sigErr; err != nil {
		c.add(f.path, dev, locales.Errorf("archive.verify.signature", f.path, err))
		return c
	}
	if err := v.enr.check(f.path, r); err != nil {
		c.add(f.path, dev, err)
		return c
	}
	if r.Kind != crypto.KindResponse {
		// A sensitive record is signed with its response's place in the
		// chain (seq and prev) but is not itself a link of it.
		return c
	}
	hash, err := o.canonicalHash()
	if err != nil {
		c.add(f.path, dev, locales.Errorf("archive.verify.unreadable", f.path, err))
		return c
	}
	c.chain = chainEntry(r, hash, f.path)
	return c
}

func (c *checked) add(file, device string, err *locales.Error) {
	c.problems = append(c.problems, Problem{File: file, Device: device, Err: err})
}

// take is the ordered part: report, and remember what the chains need.
func (v *verifier) take(c checked) error {
	v.files++
	if c.err != nil && hasKey(c.err, crypto.KeyWrongIdentity) {
		v.closed = append(v.closed, c.problems...)
		return nil
	}
	for _, p := range c.problems {
		v.report(p)
	}
	if c.err != nil {
		return nil
	}
	r := c.rec
	v.attachments.add(r, c.file)
	v.sensitive.take(r, c.file.path, c.hash)
	if r.Kind == crypto.KindResponse {
		e := appendString(appendString(appendString(nil, r.Project+"/"+r.ID), c.file.name()), c.hash)
		if err := v.responses.Add(append(e, c.file.path...)); err != nil {
			return err
		}
	}
	switch k := linkKey(r.Project, r.Link); {
	case k == "":
	case r.Kind == crypto.KindSensitive:
		v.secretLinks[k] = true
	case r.Kind == crypto.KindResponse:
		v.links[k] = true
	}
	if c.chain != nil {
		v.signedProjects[r.Project] = true
		v.heads.add(r)
		return v.chains.Add(c.chain)
	}
	if r.Kind == crypto.KindResponse && r.Device == nil && r.Signature == "" {
		v.unsigned = append(v.unsigned, unsignedRecord{r.Project, c.file.path})
	}
	return nil
}

func (v *verifier) report(p Problem) {
	v.problems = append(v.problems, p)
	fmt.Fprintln(v.opts.Log, p.Localize(v.opts.Lang))
}

// custodianOnly reports the files none of the identities opens. A
// response whose sensitive answers are sealed apart points to a record only
// the custodians open: as long as there are no more such files than
// responses missing their sensitive record, they are reported as warnings
// (give the custodian identity to check them); beyond, every one is a
// problem, as junk sealed to unknown keys is.
func (v *verifier) custodianOnly() {
	missing := 0
	for k := range v.links {
		if !v.secretLinks[k] {
			missing++
		}
	}
	warn := len(v.closed) <= missing
	for _, p := range v.closed {
		if warn {
			p.Err = locales.Errorf("archive.verify.custodian_only", p.File)
			p.Warning = true
		}
		v.report(p)
	}
	v.closed = nil
}

// hasKey reports whether err is, or wraps, a user error with key.
func hasKey(err error, key string) bool {
	for err != nil {
		if le, ok := err.(*locales.Error); ok && le.Key == key {
			return true
		}
		err = errors.Unwrap(err)
	}
	return false
}

// unsignedInSignedProjects reports the unsigned responses of projects
// whose other responses are signed.
func (v *verifier) unsignedInSignedProjects() {
	for _, u := range v.unsigned {
		if v.signedProjects[u.project] {
			v.report(Problem{File: u.path, Err: locales.Errorf("archive.verify.unsigned", u.path, u.project)})
		}
	}
	v.unsigned = nil
}

// chainEntry encodes what the chain check needs of a signed record, so
// that entries sort by device, project, then sequence number.
func chainEntry(r *crypto.Record, hash, path string) []byte {
	b := appendString(nil, r.Device.ID)
	b = appendString(b, r.Project)
	b = binary.BigEndian.AppendUint64(b, r.Device.Seq)
	b = appendString(b, hash)
	b = appendString(b, r.Device.Prev)
	return append(b, path...)
}

// link is one decoded chain entry.
type link struct {
	device, project string
	seq             uint64
	hash, prev      string
	path            string
}

func decodeChainEntry(e []byte) link {
	r := &reader{b: e}
	l := link{device: string(r.bytes()), project: string(r.bytes())}
	if len(r.b) >= 8 {
		l.seq = binary.BigEndian.Uint64(r.b)
		r.b = r.b[8:]
	}
	l.hash, l.prev = string(r.bytes()), string(r.bytes())
	l.path = string(r.b)
	return l
}

// chain is the state of the chain check for one device and project.
type chain struct {
	count  int
	seq    uint64 // the last sequence number seen
	last   []link // the records with that number (two or more: a fork)
	before []link // the records with the number before it
}

// checkChains walks each device's records, per project, in sequence order
// and reports gaps and forks, then writes one line per chain.
//
// A device reserves a number before it seals a record and never reuses
// it, so a crash leaves a mark that is not an attack: a gap whose next
// record follows the last one before it (the record was never sealed), or
// two records both following the same one (the first was sealed, then the
// device restarted before noting it). Both are warnings; a number used
// twice by different records, or a record following nothing known, is a
// fork, and a gap after which the chain does not resume is a problem.
func (v *verifier) checkChains() {
	var c chain
	var cur link
	flush := func() {
		if c.count > 0 {
			fmt.Fprintln(v.opts.Log, locales.N(v.opts.Lang, "archive.verify.chain", c.count, cur.device, cur.project, c.count, c.seq))
		}
		c = chain{}
	}
	v.chains.Each(func(e []byte) error {
		l := decodeChainEntry(e)
		switch {
		case c.count == 0 || l.device != cur.device || l.project != cur.project:
			flush()
			if l.seq > 1 {
				v.gap(l, 1, l.seq-1, l.prev == "")
			}
		case l.seq == c.seq:
			v.sameSeq(c.last, l)
			c.last = append(c.last, l)
			return nil
		case l.seq > c.seq+1:
			v.gap(l, c.seq+1, l.seq-1, prevMatches(c.last, l.prev))
		case !prevMatches(c.last, l.prev):
			v.notFollowing(c, l)
		}
		c.before, c.last = c.last, []link{l}
		c.seq, cur = l.seq, l
		c.count++
		return nil
	})
	flush()
}

// notFollowing reports record l, whose previous hash is not that of the
// record before it.
func (v *verifier) notFollowing(c chain, l link) {
	p := Problem{File: l.path, Device: l.device}
	if prevMatches(c.before, l.prev) && prevMatches(c.before, c.last[0].prev) {
		p.Warning = true
		p.Err = locales.Errorf("archive.verify.resumed", l.device, l.seq, l.path, l.seq-2, c.seq)
	} else {
		p.Err = locales.Errorf("archive.verify.fork_prev", l.device, l.seq, l.path, c.seq)
	}
	v.report(p)
}

// prevMatches reports whether prev is the hash of one of the records with
// the previous sequence number (several only when that one forked).
func prevMatches(prevs []link, prev string) bool {
	for _, p := range prevs {
		if p.hash == prev {
			return true
		}
	}
	return false
}

// sameSeq reports a second record with the sequence number of the ones in
// last; the same record sealed twice (same hash) is not a fork, but a
// duplicate, which [verifier.duplicates] reports.
func (v *verifier) sameSeq(last []link, l link) {
	for _, c := range last {
		if c.hash == l.hash {
			return
		}
	}
	v.report(Problem{File: l.path, Device: l.device, Err: locales.Errorf("archive.verify.fork_seq",
		l.device, l.seq, last[0].path, l.path)})
}

// gap reports missing sequence numbers from to to (inclusive), before
// record l. resumed says l follows the last record before the gap: the
// missing numbers were reserved but never sealed (a warning).
func (v *verifier) gap(l link, from, to uint64, resumed bool) {
	key := "archive.verify.gap"
	if resumed {
		key = "archive.verify.gap_unsealed"
	}
	var err *locales.Error
	if from == to {
		err = locales.Errorf(key+"_one", l.device, l.project, from)
	} else {
		err = locales.Errorf(key, l.device, l.project, from, to)
	}
	v.report(Problem{Device: l.device, Err: err, Warning: resumed})
}

// checkReceipts reports every record a device's receipt, signed by this
// archive's key, says the archive stored and that it does not hold.
func (v *verifier) checkReceipts(ctx context.Context) error {
	if len(v.opts.Receipts) == 0 {
		return nil
	}
	vkey, err := VerifierKey(ctx, v.src.state)
	if err != nil {
		return err
	}
	for _, r := range v.opts.Receipts {
		names, err := crypto.OpenReceipt(r.Signed, vkey)
		if err != nil {
			v.report(Problem{File: r.From, Err: locales.Errorf("archive.verify.receipt_other", r.From)})
			continue
		}
		for _, name := range names {
			if has, err := v.src.has(ctx, name); err != nil {
				return err
			} else if !has {
				v.report(Problem{File: name, Err: locales.Errorf("archive.verify.receipt_lost", name, r.From)})
			}
		}
	}
	return nil
}

// duplicates reports every response file holding the same record id (in
// one project) as another file: the same record again (same canonical
// hash) is a duplicate, two responses of one interview; another content
// is a conflict, a forged or altered copy. The same file found twice (the
// same name: the same bytes, in archives side by side) is one response.
func (v *verifier) duplicates() error {
	var firstID, firstName, firstHash, firstPath string
	return v.responses.Each(func(e []byte) error {
		r := &reader{b: e}
		id, name, hash := string(r.bytes()), string(r.bytes()), string(r.bytes())
		path := string(r.b)
		_, rid, _ := strings.Cut(id, "/")
		switch {
		case id != firstID:
			firstID, firstName, firstHash, firstPath = id, name, hash, path
		case name == firstName:
		case hash != firstHash:
			v.report(Problem{File: path, Err: locales.Errorf("archive.verify.conflict", path, rid, firstPath)})
		default:
			v.report(Problem{File: path, Err: locales.Errorf("archive.verify.duplicate", path, rid, firstPath)})
		}
		return nil
	})
}
