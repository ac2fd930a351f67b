package questionnaires

import (
	"testing"
)

// FuzzMarkdown checks that any markdown input reads without panicking,
// and that a form Parse accepts can start an interview.
func FuzzMarkdown(f *testing.F) {
	_, demo := Demo()
	f.Add(demo)
	f.Add([]byte("| survey |\n| | type | name | label |\n| | text | a \\| b | A |\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzForm(t, "fuzz.md", data)
	})
}

// FuzzCSV is FuzzMarkdown for the one-file CSV layout.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("survey,,\n,type,name,label\n,integer,n,N\n,begin repeat,r,R\n,text,x,X\n,end repeat,,\n"))
	f.Add([]byte("survey\n,type,name,label,relevant\n,text,a,A,${b} = '1'\n,text,b,B,\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzForm(t, "fuzz.csv", data)
	})
}

func fuzzForm(t *testing.T, name string, data []byte) {
	_ = Check(name, data)
	form, err := Parse(name, data)
	if err != nil {
		if _, ok := err.(*CheckError); !ok {
			t.Fatalf("Parse error of type %T: %v", err, err)
		}
		return
	}
	s, err := NewSession(form, Options{Now: fixedNow})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 50 && s.Current() != nil; i++ {
		p := s.Current()
		if p.Kind == PromptRepeat && p.Repeat.Count == 0 {
			s.AddRepeat()
			continue
		}
		if p.Kind == PromptQuestion && len(p.Choices) > 0 {
			s.Answer(p.Choices[0].Name)
		} else if p.Kind == PromptQuestion {
			s.Answer("1")
		}
		if s.Next() != nil {
			break
		}
	}
	_ = s.Answers()
	_ = form.Tables()
	if _, err := s.State(); err != nil {
		t.Fatal(err)
	}
}
