package odk

import (
	"os"
	"strings"
	"testing"

	"github.com/enquete-field/enquete/questionnaires"
)

// TestConvertXForm reads the XForm fixture into a form Enquête reads:
// groups, the repeat, the select's choices with their itext labels, the
// upload as an image, the start preload, and no meta group.
func TestConvertXForm(t *testing.T) {
	data, err := os.ReadFile("testdata/household.xml")
	if err != nil {
		t.Fatal(err)
	}
	info, err := ConvertXForm("household.xml", data)
	if err != nil {
		t.Fatal(err)
	}
	form, err := questionnaires.ParseFiles("household.csv", info.CSV, nil)
	if err != nil {
		t.Fatalf("%v\n%s", err, info.CSV)
	}
	if form.ID != "household" || form.Version != "2026120101" {
		t.Errorf("form %q version %q", form.ID, form.Version)
	}
	var got []string
	form.Walk(func(n *questionnaires.Node) { got = append(got, n.Type+":"+n.Name) })
	want := "start:start text:name begin group:water select_one:source begin repeat:member text:mname integer:age image:photo"
	if strings.Join(got, " ") != want {
		t.Errorf("nodes\n got %s\nwant %s", strings.Join(got, " "), want)
	}
	if form.DefaultLanguage != "English (en)" || strings.Join(form.Languages, ",") != "English (en),French (fr)" {
		t.Errorf("languages %q (default %q)", form.Languages, form.DefaultLanguage)
	}
	if l := form.Node("name").Label; l["English (en)"] != "Head's name" || l["French (fr)"] != "Nom du chef de ménage" {
		t.Errorf("name's labels %v", l)
	}
	choices := form.Choices[form.Node("source").ListName]
	if len(choices) != 2 || choices[0].Name != "well" || choices[0].Label["French (fr)"] != "Puits" || choices[1].Label["English (en)"] != "Tap" {
		t.Errorf("choices %+v\n%s", choices, info.CSV)
	}
	if l := form.Node("photo").Label; l["French (fr)"] != "Photo of the house" {
		t.Errorf("an inline label is every language's: %v", l)
	}
}
