package questionnaires_test

import (
	"fmt"

	"github.com/enquete-field/enquete/questionnaires"
)

// An interview driven from Go: answer, move on, read the record.
func ExampleSession() {
	form, err := questionnaires.Parse(questionnaires.Demo())
	if err != nil {
		panic(err)
	}
	s, _ := questionnaires.NewSession(form, questionnaires.Options{Lang: "fr"})
	s.Next() // the welcome note
	fmt.Println(s.Current().Label)
	s.Answer("yes")
	s.Next()
	fmt.Println(s.Current().Groups[0].Label, "›", s.Current().Label)
	if err := s.Answer("12"); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Acceptez-vous de participer ? Vos réponses sont anonymes et vous pouvez arrêter à tout moment.
	// À propos de votre travail › Quel âge avez-vous ?
	// age: L'âge doit être compris entre 15 et 99 ans.
}

// Checking a questionnaire: one line per problem.
func ExampleCheck() {
	form := "| survey |\n| | type | name | label |\n| | textX | q1 | Q1 |\n| | integer | age | Age |\n| | note | n | ${agee} |\n"
	for _, p := range questionnaires.Check("form.md", []byte(form)) {
		fmt.Println(p)
	}
	// Output:
	// form.md:survey:2: type: unknown question type 'textX': did you mean 'text'?
	// form.md:survey:4: label: ${agee} names no question of the form: did you mean ${age}?
}
