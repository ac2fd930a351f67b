package questionnaires

import (
	"fmt"
	"strings"
	"testing"
)

// bigForm generates a 2,000-question form: groups of 20, every question
// relevant on the one before, and a calculation per question that chains
// into the next one's, so the first answer reaches the whole form.
func bigForm(n int) []byte {
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label | relevant | calculation | constraint |\n")
	for i := 0; i < n; i++ {
		switch {
		case i == 0:
			b.WriteString("| | begin group | g0 | Group 0 | | | |\n")
		case i%20 == 0:
			fmt.Fprintf(&b, "| | begin group | g%d | Group %d | ${q%d} != 99 | | |\n", i, i, i-1)
		}
		rel := ""
		if i > 0 {
			rel = fmt.Sprintf("${q%d} != '' or ${c%d} >= 0", i-1, i-1)
		}
		fmt.Fprintf(&b, "| | integer | q%d | Question %d after ${c%d} | %s | | . >= 0 and . < 1000 |\n", i, i, max(i-1, 0), rel)
		prev := "0"
		if i > 0 {
			prev = fmt.Sprintf("${c%d}", i-1)
		}
		fmt.Fprintf(&b, "| | calculate | c%d | | | if(${q%d} = '', 0, ${q%d}) + %s | |\n", i, i, i, prev)
		if i%20 == 19 {
			b.WriteString("| | end group | | | | | |\n")
		}
	}
	return []byte(b.String())
}

func BenchmarkCompile(b *testing.B) {
	data := bigForm(2000)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := Parse("big.md", data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkAnswer answers the first question of the big form, which
// recomputes the whole chain of calculations and relevances after it.
func BenchmarkAnswer(b *testing.B) {
	f, err := Parse("big.md", bigForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSession(f, Options{Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		if err := s.set(s.byDef[f.Node("q0")][0], fmt.Sprint(i%500)); err != nil {
			b.Fatal(err)
		}
	}
	if got, _ := s.Eval("${c1999}"); got != fmt.Sprint(i%500) {
		b.Errorf("c1999 = %s, want %d", got, i%500)
	}
}

// BenchmarkAnswerLocal answers a question near the end: only its few
// dependents are recomputed.
func BenchmarkAnswerLocal(b *testing.B) {
	f, err := Parse("big.md", bigForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	s, _ := NewSession(f, Options{Now: fixedNow})
	q := s.byDef[f.Node("q1995")][0]
	i := 0
	for b.Loop() {
		i++
		if err := s.set(q, fmt.Sprint(i%500)); err != nil {
			b.Fatal(err)
		}
	}
}

func TestBigFormRuns(t *testing.T) {
	f, err := Parse("big.md", bigForm(200))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	runStory(t, s, []act{
		{path: "q0", value: "5", want: map[string]string{"${c199}": "5"}},
		{path: "q10", value: "7", want: map[string]string{"${c199}": "12", "${c9}": "5"}},
		// q19 = 99 turns off the next group: its nodes read as "", and
		// the chain through it gives NaN.
		{path: "q19", value: "99", want: map[string]string{"${c19}": "111", "${c39}": "", "${c199}": "NaN"}},
		{path: "q19", value: "1", want: map[string]string{"${c199}": "13"}},
	})
}
