package questionnaires

import (
	"reflect"
	"strings"
	"testing"
)

func TestTables(t *testing.T) {
	f := loadTest(t, "testdata/engine/tables.md")
	var got []string
	for _, tb := range f.Tables() {
		var cols []string
		for _, c := range tb.Columns {
			cols = append(cols, c.Header+"="+c.Key+c.Part)
		}
		got = append(got, tb.Name+" "+strings.Join(tb.RepeatPath, "/")+": "+strings.Join(cols, ","))
	}
	want := []string{
		" : who=who,home-address-street=street,home-loc-Latitude=locLatitude,home-loc-Longitude=locLongitude," +
			"home-loc-Altitude=locAltitude,home-loc-Accuracy=locAccuracy,end=end,meta-instanceID=",
		"entry entry: mname=mname,info-age=age",
		"visit entry/visit: vdate=vdate",
		"entry2 entry2: n=n,c=c",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("tables:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestTablesSharedRepeatNames(t *testing.T) {
	form := "| survey |\n| | type | name | label |\n| | begin group | a | A |\n| | begin repeat | entry | E |\n| | text | x | X |\n" +
		"| | end repeat | | |\n| | end group | | |\n| | begin group | b | B |\n| | begin repeat | entry | E |\n| | text | y | Y |\n" +
		"| | end repeat | | |\n| | end group | | |\n"
	// Two repeats named entry: the form's names must be unique, so this
	// form is refused; Tables is checked on the tree as read.
	f, problems := build("dup.md", []byte(form), nil)
	if !HasErrors(problems) {
		t.Fatal("duplicate repeat names must be an error")
	}
	var names []string
	for _, tb := range f.Tables()[1:] {
		names = append(names, tb.Name)
	}
	if !reflect.DeepEqual(names, []string{"entry~1", "entry~2"}) {
		t.Errorf("table names = %q", names)
	}
}

func TestTablesInstanceName(t *testing.T) {
	f, err := Parse("names.md", []byte(nameForm))
	if err != nil {
		t.Fatal(err)
	}
	root := f.Tables()[0].Columns
	var headers []string
	for _, c := range root {
		headers = append(headers, c.Header)
	}
	// As ODK Central exports a pyxform form: <meta> last, instanceID then
	// instanceName.
	want := []string{"age", "who", "nick", "village", "upper_who", "meta-instanceID", "meta-instanceName"}
	if !reflect.DeepEqual(headers, want) {
		t.Errorf("root columns = %q, want %q", headers, want)
	}
	if last := root[len(root)-1]; last.Type != InstanceNameType || last.Key != "" {
		t.Errorf("meta-instanceName column = %+v", last)
	}
	// Without instance_name, no column.
	for _, c := range loadTest(t, "testdata/engine/tables.md").Tables()[0].Columns {
		if c.Type == InstanceNameType {
			t.Error("meta-instanceName without instance_name")
		}
	}
}
