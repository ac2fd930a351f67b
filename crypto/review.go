package crypto

import (
	"crypto/ed25519"
	"encoding/base64"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// KindReview is a lab's review of one response: its state, a comment,
// and, for an edit, the corrected answers (version 4).
const KindReview = "review"

// RecordVersionReview is the version of a record of kind review.
const RecordVersionReview = 4

// Review states, as ODK Central names them.
const (
	ReviewReceived  = "received"
	ReviewHasIssues = "hasIssues"
	ReviewApproved  = "approved"
	ReviewRejected  = "rejected"
	ReviewEdited    = "edited" // the record's answers correct the response's
)

// ReviewStates lists the states a review may set, in the order a person
// meets them.
var ReviewStates = []string{ReviewReceived, ReviewHasIssues, ReviewApproved, ReviewRejected, ReviewEdited}

// ValidReviewState reports whether s is one of [ReviewStates].
func ValidReviewState(s string) bool {
	for _, v := range ReviewStates {
		if s == v {
			return true
		}
	}
	return false
}

// Review heads a record of kind review. The record is signed by the
// reviewer's signed-note key (a project signing key: `keys new --signing
// NAME`), whose public half it carries, not by a device: a review is no
// link of any device chain.
type Review struct {
	Record   string `json:"record"`            // the id of the response reviewed
	State    string `json:"state"`             // one of ReviewStates
	Comment  string `json:"comment,omitempty"` // the reviewer's words
	Reviewer string `json:"reviewer"`          // the signing key's name
	Key      string `json:"key"`               // base64 Ed25519 public key that signs the record
	Time     string `json:"time"`              // [Timestamp] of the review
}

// ReviewSigner reads a signed-note signing key ("PRIVATE+KEY+name+…", as
// `keys new --signing NAME` writes and `project new` signs with) as the
// reviewer's name and Ed25519 key.
func ReviewSigner(skey string) (name string, key ed25519.PrivateKey, err error) {
	skey = strings.TrimSpace(skey)
	if _, err := verifierKey(skey); err != nil {
		return "", nil, err
	}
	parts := strings.SplitN(skey, "+", 5)
	seed, _ := base64.StdEncoding.DecodeString(parts[4])
	return parts[2], ed25519.NewKeyFromSeed(seed[1:]), nil
}

// SignReview fills in the review's key from key and signs the record:
// Ed25519 over "enquete.record.v1\n" and the canonical JSON of the record
// without its signature, as [Record.Sign] does with a device key.
func (r *Record) SignReview(key ed25519.PrivateKey) error {
	if r.Kind != KindReview || r.Review == nil {
		return errorf(KeyRecordField, "review")
	}
	if len(key) != ed25519.PrivateKeySize {
		return errorf(KeySignerKey)
	}
	r.Review.Key = base64.StdEncoding.EncodeToString(key.Public().(ed25519.PublicKey))
	r.Signature = ""
	msg, err := r.signedMessage()
	if err != nil {
		return err
	}
	r.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(key, msg))
	return nil
}

// verifyReview checks a review's signature against the key it carries.
func (r *Record) verifyReview() error {
	if r.Review == nil || r.Signature == "" {
		return errorf(KeyUnsigned)
	}
	pub, err := base64.StdEncoding.DecodeString(r.Review.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return errorf(KeyRecordField, "review.key")
	}
	return r.verifiedBy(pub)
}

// ReviewerKey is the verifier key ("name+hash+key", as project files and
// `--signer` write them) of the key that signed a review: compare it, or
// its [SignerFingerprint], with the keys the lab trusts.
func (r *Record) ReviewerKey() (string, error) {
	if r.Review == nil {
		return "", errorf(KeyRecordField, "review")
	}
	pub, err := base64.StdEncoding.DecodeString(r.Review.Key)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return "", errorf(KeyRecordField, "review.key")
	}
	vkey, err := note.NewEd25519VerifierKey(r.Review.Reviewer, pub)
	if err != nil {
		return "", errorf(KeyRecordField, "review.reviewer")
	}
	return vkey, nil
}

// validateReview checks the version 4 members: a review head in a record
// of kind review only, with a known state, a signature, and answers only
// when the state is edited.
func (r *Record) validateReview() error {
	bad := func(field string) error { return errorf(KeyRecordField, field) }
	if (r.Kind == KindReview) != (r.Review != nil) {
		return bad("review")
	}
	if r.Review == nil {
		return nil
	}
	v := r.Review
	switch {
	case r.Version < RecordVersionReview:
		return bad("kind")
	case v.Record == "":
		return bad("review.record")
	case !ValidReviewState(v.State):
		return bad("review.state")
	case !validSignerName(v.Reviewer):
		return bad("review.reviewer")
	case v.Time == "" || !validTime(v.Time):
		return bad("review.time")
	case r.Device != nil:
		return bad("device")
	case r.Signature == "":
		return bad("signature")
	case v.State != ReviewEdited && len(r.Answers) > 0:
		return bad("answers")
	}
	return nil
}
