package crypto

import (
	"bytes"
	"errors"
	"io"
	"math"

	"filippo.io/age"
	"github.com/klauspost/compress/zstd"
)

// DefaultMaxPlaintext is the largest record [Open] decompresses, and the
// largest [Seal] accepts: 64 MiB, far above any interview.
const DefaultMaxPlaintext = 64 << 20

// ageIntro is the first line of every binary age file.
const ageIntro = "age-encryption.org/v1\n"

const armorBegin = "-----BEGIN AGE ENCRYPTED FILE-----"

// Seal compresses the record JSON plaintext into one zstd frame, pads it to
// its Padmé length with one zstd skippable frame of zeros, and encrypts it
// with age to recipients. It returns the bytes of the record file.
//
// The recipients must all be post-quantum (age1pq1…) or all X25519 (age1…);
// age refuses to mix them.
func Seal(plaintext []byte, recipients ...age.Recipient) ([]byte, error) {
	if len(recipients) == 0 {
		return nil, errorf(KeyNoRecipients)
	}
	if err := checkMix(recipients); err != nil {
		return nil, err
	}
	if len(recipients) > MaxRecipients {
		return nil, errorf(KeyTooManyRecipients, len(recipients), MaxRecipients)
	}
	if len(plaintext) > DefaultMaxPlaintext {
		return nil, errorf(KeyPlaintextLarge, formatSize(DefaultMaxPlaintext))
	}
	padded := compressAndPad(plaintext)
	defer clear(padded)
	return encrypt(padded, recipients)
}

// encrypt is age.Encrypt of p to recipients, into memory.
func encrypt(p []byte, recipients []age.Recipient) ([]byte, error) {
	var out bytes.Buffer
	out.Grow(len(p) + 16*(len(p)/(64<<10)+1) + 128 + 1700*len(recipients))
	w, err := age.Encrypt(&out, recipients...)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(p); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// checkMix refuses post-quantum and classic recipients in one list, with
// Enquête's message rather than age's.
func checkMix(recipients []age.Recipient) error {
	pq := 0
	for _, r := range recipients {
		if _, ok := r.(*age.HybridRecipient); ok {
			pq++
		}
	}
	if pq != 0 && pq != len(recipients) {
		return errorf(KeyMixedRecipients).Hint(hintMixed)
	}
	return nil
}

// OpenOptions sets the limits of an [Opener]. Zero values take defaults.
type OpenOptions struct {
	// MaxPlaintext is the largest decompressed record accepted
	// (default DefaultMaxPlaintext).
	MaxPlaintext int64
	// MaxSealed is the largest record file read (default: MaxPlaintext plus
	// a quarter, plus 1 MiB for age headers).
	MaxSealed int64
}

// Opener opens record files within fixed size limits. It is safe for
// concurrent use; make one and keep it.
type Opener struct {
	maxPlain, maxSealed int64
	window              uint64        // largest zstd window accepted
	dec                 *zstd.Decoder // shared; DecodeAll limited to dst's capacity
	keys                keyCache      // X25519 identities that keep their public key
}

// NewOpener returns an Opener with the limits of o.
func NewOpener(o OpenOptions) *Opener {
	if o.MaxPlaintext <= 0 {
		o.MaxPlaintext = DefaultMaxPlaintext
	}
	if o.MaxSealed <= 0 {
		o.MaxSealed = o.MaxPlaintext + o.MaxPlaintext/4 + 1<<20
	}
	window := min(max(uint64(o.MaxPlaintext), zstd.MinWindowSize), zstd.MaxWindowSize)
	dec, err := zstd.NewReader(nil,
		zstd.WithDecoderMaxMemory(uint64(o.MaxPlaintext)),
		zstd.WithDecoderMaxWindow(window),
		zstd.WithDecodeAllCapLimit(true),
		zstd.WithDecoderConcurrency(0))
	if err != nil {
		panic("crypto: zstd decoder: " + err.Error()) // options are checked above
	}
	return &Opener{maxPlain: o.MaxPlaintext, maxSealed: o.MaxSealed, window: window, dec: dec}
}

var defaultOpener = NewOpener(OpenOptions{})

// Open reads a record file from src to its end, decrypts it with the first
// matching identity, checks its framing (one zstd frame, then padding) and
// returns the record JSON. It accepts nothing before the whole file has
// authenticated. Errors are [*locales.Error] with one of the Key constants:
// KeyEmpty, KeyNotAge, KeyWrongIdentity, KeyTruncated, KeyCorrupted,
// KeyTooLarge, KeyPlaintextLarge, KeyNotRecord, KeyNoIdentities. An error
// reading src is returned as is.
//
// Open uses the default limits; see [NewOpener] for others.
func Open(src io.Reader, identities ...age.Identity) ([]byte, error) {
	return defaultOpener.Open(src, identities...)
}

// Open is [Open] within o's limits.
func (o *Opener) Open(src io.Reader, identities ...age.Identity) ([]byte, error) {
	if len(identities) == 0 {
		return nil, errorf(KeyNoIdentities).Hint(hintNoIdentities)
	}
	hint := 0
	if s, ok := src.(interface{ Len() int }); ok {
		hint = s.Len() + 1
	}
	sealed, err := readLimited(src, o.maxSealed, hint)
	if errors.Is(err, errTooLarge) {
		return nil, errorf(KeyTooLarge, formatSize(o.maxSealed))
	}
	if err != nil {
		return nil, err
	}
	return o.OpenBytes(sealed, identities...)
}

// OpenBytes is [Opener.Open] of a record file already read into memory;
// it does not keep or change sealed.
func (o *Opener) OpenBytes(sealed []byte, identities ...age.Identity) ([]byte, error) {
	if len(identities) == 0 {
		return nil, errorf(KeyNoIdentities).Hint(hintNoIdentities)
	}
	if int64(len(sealed)) > o.maxSealed {
		return nil, errorf(KeyTooLarge, formatSize(o.maxSealed))
	}
	padded, err := decrypt(sealed, o.keys.identities(identities), true)
	if err != nil {
		return nil, err
	}
	defer clear(padded)
	frame, h, err := splitFrame(padded)
	if err != nil {
		return nil, err
	}
	plain, err := o.decompress(frame, h)
	switch {
	case errors.Is(err, zstd.ErrDecoderSizeExceeded), errors.Is(err, zstd.ErrWindowSizeExceeded), errors.Is(err, errTooLarge):
		clear(plain)
		return nil, errorf(KeyPlaintextLarge, formatSize(o.maxPlain))
	case err != nil:
		clear(plain)
		return nil, errorf(KeyNotRecord).Wrap(err)
	}
	return plain, nil
}

// decompress decodes one zstd frame within o.maxPlain. A frame that
// declares its content size (as Seal's do) decodes into a buffer of exactly
// that size and can produce no more; one that does not is streamed through
// a limit. Either way a bomb costs at most about the limit in memory.
func (o *Opener) decompress(frame []byte, h *zstd.Header) ([]byte, error) {
	if h.HasFCS {
		if h.FrameContentSize > uint64(o.maxPlain) {
			return nil, errTooLarge
		}
		return o.dec.DecodeAll(frame, make([]byte, 0, h.FrameContentSize))
	}
	zr, err := zstd.NewReader(bytes.NewReader(frame),
		zstd.WithDecoderMaxMemory(uint64(o.maxPlain)),
		zstd.WithDecoderMaxWindow(o.window),
		zstd.WithDecoderConcurrency(1))
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	return readLimited(zr, o.maxPlain, 0)
}

var errTooLarge = errors.New("too large")

// readLimited reads all of src, refusing more than limit bytes with
// errTooLarge. The buffer starts at sizeHint and doubles, never past
// limit+1, so a refusal costs at most about twice the limit.
func readLimited(src io.Reader, limit int64, sizeHint int) ([]byte, error) {
	buf := make([]byte, 0, min(max(int64(sizeHint), 512), limit+1))
	for {
		if len(buf) == cap(buf) {
			if int64(len(buf)) > limit {
				clear(buf)
				return nil, errTooLarge
			}
			grown := make([]byte, len(buf), min(int64(cap(buf))*2, limit+1))
			copy(grown, buf)
			clear(buf)
			buf = grown
		}
		n, err := src.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if int64(len(buf)) > limit {
				clear(buf)
				return nil, errTooLarge
			}
			return buf, nil
		}
		if err != nil {
			clear(buf)
			return nil, err
		}
	}
}

// decrypt decrypts a whole age file held in memory, and turns age's errors
// into user errors. padded says the plaintext must have a Padmé length,
// which tells a truncated record from a tampered one.
func decrypt(sealed []byte, identities []age.Identity, padded bool) ([]byte, error) {
	if len(sealed) == 0 {
		return nil, errorf(KeyEmpty)
	}
	if !bytes.HasPrefix(sealed, []byte(ageIntro)) {
		switch {
		case bytes.HasPrefix([]byte(ageIntro), sealed):
			return nil, errorf(KeyTruncated).Hint(hintTruncated)
		case bytes.HasPrefix(bytes.TrimLeft(sealed, " \t\r\n"), []byte(armorBegin)):
			return nil, errorf(KeyNotAge).Hint(hintArmored)
		}
		return nil, errorf(KeyNotAge)
	}
	if n := countStanzas(sealed, MaxRecipients); n > MaxRecipients {
		return nil, errorf(KeyTooManyRecipients, n, MaxRecipients)
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), identities...)
	if err != nil {
		return nil, headerError(err, identities)
	}
	var out bytes.Buffer
	out.Grow(len(sealed) + bytes.MinRead) // room to read the end without growing
	if _, err := out.ReadFrom(r); err != nil {
		clear(out.Bytes())
		return nil, payloadError(err, sealed, padded)
	}
	return out.Bytes(), nil
}

// MaxRecipients is the most recipients a record may be sealed to. age
// accepts up to 1,024 stanzas, and tries every identity on every one (a
// post-quantum decapsulation each); a file with more than this many is
// refused before any is tried, so junk cannot make the lab's tools spin.
const MaxRecipients = 64

// countStanzas counts the recipient stanzas ("-> " lines) of an age
// header, stopping at the header's end ("---") or once past limit.
func countStanzas(sealed []byte, limit int) int {
	n := 0
	rest := sealed[len(ageIntro):]
	for len(rest) > 0 && n <= limit {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		switch {
		case bytes.HasPrefix(line, []byte("---")):
			return n
		case bytes.HasPrefix(line, []byte("-> ")):
			n++
		}
	}
	return n
}

// headerError classifies an error of age.Decrypt.
func headerError(err error, identities []age.Identity) error {
	var nomatch *age.NoIdentityMatchError
	switch {
	case errors.As(err, &nomatch):
		e := errorf(KeyWrongIdentity).Wrap(err)
		return e.Hint(identityHint(nomatch.StanzaTypes, identities))
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errorf(KeyTruncated).Hint(hintTruncated).Wrap(err)
	}
	return errorf(KeyCorrupted).Wrap(err)
}

// identityHint says which kind of identity the file needs when none of
// the given ones has that kind.
func identityHint(stanzas []string, identities []age.Identity) string {
	var hasPQ, hasX bool
	for _, id := range identities {
		switch id.(type) {
		case *age.HybridIdentity:
			hasPQ = true
		case *age.X25519Identity, *x25519Key:
			hasX = true
		}
	}
	for _, s := range stanzas {
		switch {
		case s == "mlkem768x25519" && !hasPQ:
			return hintPQIdentity
		case s == "X25519" && !hasX:
			return hintX25519Ident
		}
	}
	return hintWrongIdentity
}

// payloadError classifies an error reading age's payload. A payload that
// fails to authenticate is truncated if its length cannot be that of a
// genuine file, else corrupted or tampered with.
func payloadError(err error, sealed []byte, padded bool) error {
	if errors.Is(err, io.ErrUnexpectedEOF) || (padded && !plausibleLength(sealed)) {
		return errorf(KeyTruncated).Hint(hintTruncated).Wrap(err)
	}
	return errorf(KeyCorrupted).Wrap(err)
}

// age's payload: a 16-byte nonce, then chunks of up to 64 KiB of plaintext,
// each followed by a 16-byte tag.
const (
	ageNonce = 16
	ageChunk = 64 << 10
	ageTag   = 16
)

// plausibleLength reports whether an age file of this length could hold a
// sealed record: its plaintext length must be a Padmé length.
func plausibleLength(sealed []byte) bool {
	hdr, err := age.ExtractHeader(bytes.NewReader(sealed))
	if err != nil {
		return false
	}
	payload := int64(len(sealed) - len(hdr) - ageNonce)
	if payload < ageTag {
		return false
	}
	chunks := (payload + ageChunk + ageTag - 1) / (ageChunk + ageTag)
	last := payload - (chunks-1)*(ageChunk+ageTag)
	if last < ageTag || (last == ageTag && chunks > 1) {
		return false
	}
	plain := payload - chunks*ageTag
	return plain < math.MaxInt32 && plain == PadmeLength(plain) && plain >= skippableHead
}
