package crypto

import (
	"errors"
	"testing"
	"time"

	"github.com/enquete-field/enquete/locales"
)

// newReviewRecord is a signed review of response "r-1" by signer "lab-ana".
func newReviewRecord(t *testing.T, state string, answers map[string]any) (*Record, string) {
	t.Helper()
	skey, vkey, err := NewProjectSigner("lab-ana")
	if err != nil {
		t.Fatal(err)
	}
	name, key, err := ReviewSigner(skey)
	if err != nil || name != "lab-ana" {
		t.Fatalf("ReviewSigner: %q, %v", name, err)
	}
	r := &Record{Format: RecordFormat, Kind: KindReview, ID: NewID(), Project: "p",
		Form: FormRef{ID: "f", Version: "1"}, Answers: answers, Recipients: []string{"age1x"},
		Review: &Review{Record: "r-1", State: state, Comment: "checked by phone", Reviewer: name,
			Time: Timestamp(time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC), false)}}
	r.Version = r.MinVersion()
	if err := r.SignReview(key); err != nil {
		t.Fatal(err)
	}
	return r, vkey
}

func TestReviewRecord(t *testing.T) {
	tests := []struct {
		name    string
		state   string
		answers map[string]any
		change  func(r *Record)
		key     string // the error key expected from ParseRecord or VerifySignature ("": none)
	}{
		{name: "approved", state: ReviewApproved},
		{name: "edited with answers", state: ReviewEdited, answers: map[string]any{"age": "42"}},
		{name: "answers without edit", state: ReviewApproved, answers: map[string]any{"age": "42"}, key: KeyRecordField},
		{name: "unknown state", state: "fine", key: KeyRecordField},
		{name: "comment changed", state: ReviewRejected, change: func(r *Record) { r.Review.Comment = "ok" }, key: KeyBadSignature},
		{name: "state changed", state: ReviewRejected, change: func(r *Record) { r.Review.State = ReviewApproved }, key: KeyBadSignature},
		{name: "unsigned", state: ReviewApproved, change: func(r *Record) { r.Signature = "" }, key: KeyRecordField},
		{name: "version 3", state: ReviewApproved, change: func(r *Record) { r.Version = RecordVersionChunks }, key: KeyRecordField},
		{name: "device stamp", state: ReviewApproved, change: func(r *Record) { r.Device = &DeviceStamp{ID: "0123456789abcdef", Seq: 1} }, key: KeyRecordField},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, vkey := newReviewRecord(t, tt.state, tt.answers)
			if tt.change != nil {
				tt.change(r)
			}
			data, err := r.Marshal()
			if err != nil {
				t.Fatal(err)
			}
			got, err := ParseRecord(data)
			if err == nil {
				err = got.VerifySignature()
			}
			if tt.key == "" {
				if err != nil {
					t.Fatalf("want a valid review, got %v", err)
				}
				if k, _ := got.ReviewerKey(); k != vkey {
					t.Errorf("ReviewerKey = %q, want %q", k, vkey)
				}
				return
			}
			var le *locales.Error
			if !errors.As(err, &le) || le.Key != tt.key {
				t.Fatalf("want error %s, got %v", tt.key, err)
			}
		})
	}
}
