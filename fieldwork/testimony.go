package fieldwork

import (
	_ "embed"
	"time"

	"github.com/enquete-field/enquete/crypto"
)

//go:embed testimony/testimony.md
var testimonyForm []byte

// TestimonyFile is the file name of the built-in testimony questionnaire.
const TestimonyFile = "testimony.md"

// TestimonyProjectID is the id of a testimony project made by
// [TestimonyProject].
const TestimonyProjectID = "testimony"

// Testimony returns the built-in testimony questionnaire (.md, form_id
// testimony): what happened, where, when, which organisation, what
// evidence exists, and nothing about the person testifying.
func Testimony() (filename string, data []byte) {
	return TestimonyFile, testimonyForm
}

// TestimonyProject is an anonymous project for the built-in testimony
// questionnaire, sealed to recipients and sent to archive. It is unsigned:
// sign it with a throwaway key to install it in a throwaway home.
func TestimonyProject(recipients []string, archive string) *crypto.Project {
	return &crypto.Project{
		ID:         TestimonyProjectID,
		Title:      "Testimony",
		FormFile:   TestimonyFile,
		Form:       testimonyForm,
		Recipients: recipients,
		Custodians: []string{},
		Archive:    archive,
		Anonymous:  true,
		Created:    time.Now().UTC(),
	}
}
