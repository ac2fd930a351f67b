package questionnaires

import "testing"

// nameForm names its instances from a sensitive name (through a
// calculation) and a village.
const nameForm = `| survey |
| | type | name | label | sensitive | relevant | calculation |
| | integer | age | Age | | | |
| | text | who | Name | yes | | |
| | text | nick | Nickname | | ${age} > 10 | |
| | text | village | Village | | | |
| | calculate | upper_who | | | | concat('M. ', ${who}) |

| settings |
| | form_id | instance_name |
| | names | concat(${upper_who}, '-', ${village}) |
`

func TestInstanceName(t *testing.T) {
	f, err := Parse("names.md", []byte(nameForm))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	if name, sens := s.InstanceName(); name != "M. -" || !sens {
		t.Errorf("before answers: InstanceName() = %q, %v; want %q, true", name, sens, "M. -")
	}
	for _, a := range [][2]string{{"who", "Rasoa"}, {"village", "Ambohimanga"}} {
		if err := s.Jump(a[0]); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(a[1]); err != nil {
			t.Fatal(err)
		}
	}
	if name, sens := s.InstanceName(); name != "M. Rasoa-Ambohimanga" || !sens {
		t.Errorf("InstanceName() = %q, %v; want %q, true", name, sens, "M. Rasoa-Ambohimanga")
	}

	// The village alone is not sensitive; an expression evaluating to
	// spaces is empty.
	plain := replaceSetting(t, nameForm, "concat(${upper_who}, '-', ${village})", "concat(' ', ${village})")
	s = newTestSession(t, plain)
	if name, sens := s.InstanceName(); name != "" || sens {
		t.Errorf("empty village: InstanceName() = %q, %v; want \"\", false", name, sens)
	}
	s.Jump("village")
	s.Answer("Ambohimanga")
	if name, sens := s.InstanceName(); name != "Ambohimanga" || sens {
		t.Errorf("InstanceName() = %q, %v; want %q, false", name, sens, "Ambohimanga")
	}

	// A direct reference to a sensitive question.
	direct := replaceSetting(t, nameForm, "concat(${upper_who}, '-', ${village})", "${who}")
	if _, sens := newTestSession(t, direct).InstanceName(); !sens {
		t.Error("${who}: not sensitive")
	}
	// No instance_name.
	none := replaceSetting(t, nameForm, "concat(${upper_who}, '-', ${village})", "")
	if name, sens := newTestSession(t, none).InstanceName(); name != "" || sens {
		t.Errorf("no instance_name: InstanceName() = %q, %v", name, sens)
	}
}

func TestLabel(t *testing.T) {
	f := replaceSetting(t, nameForm, "concat(${upper_who}, '-', ${village})", "")
	s := newTestSession(t, f)
	answer := func(name, v string) {
		t.Helper()
		if err := s.Jump(name); err != nil {
			t.Fatal(err)
		}
		if err := s.Answer(v); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Label(); got != "" {
		t.Errorf("no answer: Label() = %q", got)
	}
	answer("who", "Rasoa") // sensitive: never a label
	if got := s.Label(); got != "" {
		t.Errorf("sensitive answer only: Label() = %q", got)
	}
	answer("village", "Ambohimanga")
	if got := s.Label(); got != "Ambohimanga" {
		t.Errorf("Label() = %q, want the village", got)
	}
	answer("age", "30")
	answer("nick", "Bema") // relevant now, and before the village
	if got := s.Label(); got != "Bema" {
		t.Errorf("Label() = %q, want the nickname", got)
	}
	answer("age", "5") // the nickname is no longer relevant
	if got := s.Label(); got != "Ambohimanga" {
		t.Errorf("Label() = %q, want the village again", got)
	}

	named := newTestSession(t, replaceSetting(t, nameForm, "concat(${upper_who}, '-', ${village})", "concat('hh-', ${age})"))
	named.Jump("village")
	named.Answer("Ambohimanga")
	if got := named.Label(); got != "hh-" {
		t.Errorf("with instance_name: Label() = %q, want %q", got, "hh-")
	}
}

// replaceSetting parses form with its instance_name replaced.
func replaceSetting(t *testing.T, form, old, new string) *Form {
	t.Helper()
	src := []byte(form)
	if new == "" {
		src = []byte(form[:len(form)-len("| | names | "+old+" |\n")] + "| | names | |\n")
	} else {
		src = []byte(form[:len(form)-len(old+" |\n")] + new + " |\n")
	}
	f, err := Parse("names.md", src)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
