package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/enquete-field/enquete/archive"
	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/tui"
)

const reviewUsage = "enquete review --archive SRC -i KEY... [--sign-key FILE] [--reviewer KEY] [--signer KEY] [INSTANCE_ID --state received|hasIssues|approved|rejected|edited [--comment TEXT] [--edit NAME=VALUE...]]"

// reviewFlags are the review command's options.
type reviewFlags struct {
	src, signKey, state, comment *string
	ids, reviewers, signers      listFlag
	edits                        listFlag
}

// cmdReview records a signed review of one submission, or, with no
// INSTANCE_ID on a terminal, opens the review screen. A review is signed
// with a signed-note key: --sign-key FILE (`keys new --signing NAME`, one
// per reviewer), else the lab's project key kept under ENQUETE_HOME.
func cmdReview(e *env, args []string) error {
	f := e.newFlags(reviewUsage)
	o := reviewFlags{src: f.String("archive", "", ""), signKey: f.String("sign-key", "", ""),
		state: f.String("state", "", ""), comment: f.String("comment", "", "")}
	f.Var(&o.ids, "i", "")
	f.Var(&o.reviewers, "reviewer", "")
	f.Var(&o.signers, "signer", "")
	f.Var(&o.edits, "edit", "")
	instance, err := f.parseOptional(args)
	if err != nil {
		return err
	}
	switch {
	case *o.src == "":
		return f.need("--archive SRC")
	case len(o.ids) == 0:
		return f.need("-i IDENTITY_FILE")
	case instance == "" && (*o.state != "" || len(o.edits) > 0 || *o.comment != ""):
		return f.need("INSTANCE_ID")
	case instance == "" && !stdinIsTerminal():
		return locales.Errorf("cli.review_needs_terminal").Hint("cli.hint.review_terminal")
	case instance != "" && *o.state == "" && len(o.edits) == 0:
		return f.need("--state STATE")
	}
	if *o.state == "" && len(o.edits) > 0 {
		*o.state = crypto.ReviewEdited // --edit alone
	}
	if *o.state != "" && !crypto.ValidReviewState(*o.state) {
		return locales.Errorf("archive.review.bad_state", *o.state).Hint("archive.review.hint_states", strings.Join(crypto.ReviewStates, ", "))
	}
	return e.review(o, instance)
}

// review reads the archive, then records one review or opens the screen.
func (e *env) review(o reviewFlags, instance string) error {
	identities, err := crypto.ReadIdentities(o.ids...)
	if err != nil {
		return err
	}
	skey, err := e.projectSigningKey(*o.signKey)
	if err != nil {
		return err
	}
	if _, _, err := crypto.ReviewSigner(skey); err != nil {
		return err
	}
	labKeys, err := e.labSigners(o.signers, *o.src)
	if err != nil {
		return err
	}
	trusted, err := verifierKeys(o.reviewers)
	if err != nil {
		return err
	}
	subs, err := archive.ReadSubmissions(e.ctx, archive.ReviewOptions{Archive: *o.src, Identities: identities,
		Reviewers: append(trusted, labKeys...), Signers: labKeys, Log: e.stderr, Lang: e.lang})
	if err != nil {
		return err
	}
	st, err := archive.OpenStore(e.ctx, *o.src, false)
	if err != nil {
		return err
	}
	record := func(sub *archive.Submission, state, comment string, edits map[string]any) (string, error) {
		now := time.Now()
		r, err := archive.NewReview(sub, state, comment, edits, skey, now)
		if err != nil {
			return "", err
		}
		return archive.WriteReview(e.ctx, st, r, now)
	}
	if instance == "" {
		return tui.RunLabReview(e.ctx, tui.LabReviewOptions{Submissions: subs, Lang: e.lang, ASCII: tui.ASCIITerminal(os.Getenv),
			Record: func(sub *archive.Submission, state, comment string) error {
				_, err := record(sub, state, comment, nil)
				return err
			}})
	}
	sub, err := archive.FindSubmission(subs, instance)
	if err != nil {
		return err
	}
	edits, err := changedAnswers(sub, o.edits)
	if err != nil {
		return err
	}
	if err := archive.CheckEdits(sub, edits, e.lang); err != nil {
		return err
	}
	name, err := record(sub, *o.state, *o.comment, edits)
	if err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, locales.T(e.lang, "cli.review_recorded", "uuid:"+sub.ID, *o.state, name))
	return nil
}

// changedAnswers reads the --edit NAME=VALUE options (nil when none).
func changedAnswers(sub *archive.Submission, edits []string) (map[string]any, error) {
	if len(edits) == 0 {
		return nil, nil
	}
	out := map[string]any{}
	for _, ed := range edits {
		name, value, err := archive.ChangedAnswer(sub, ed)
		if err != nil {
			return nil, err
		}
		out[name] = value
	}
	return out, nil
}

// verifierKeys reads --reviewer values: a verifier key, or a file of
// them (one a line, # comments), or a signing key file whose public half
// it takes.
func verifierKeys(given []string) ([]string, error) {
	var keys []string
	for _, g := range given {
		if crypto.ValidVerifier(g) {
			keys = append(keys, g)
			continue
		}
		data, err := os.ReadFile(g)
		if err != nil {
			return nil, locales.Errorf("cli.bad_reviewer", g).Hint("cli.hint.reviewer")
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "PRIVATE+KEY+"):
				vkey, err := crypto.VerifierOf(line)
				if err != nil {
					return nil, err
				}
				keys = append(keys, vkey)
			case crypto.ValidVerifier(line):
				keys = append(keys, line)
			default:
				return nil, locales.Errorf("cli.bad_reviewer", g).Hint("cli.hint.reviewer")
			}
		}
	}
	return keys, nil
}
