package questionnaires

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/enquete-field/enquete/internal/benchmeter"
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

// heavyForm generates an n-question form the way large surveys are
// written: sections of 20 questions, each section relevant on the last
// answer of the one before, each question relevant on the one before it
// and constrained, a total per section, a grand total over the sections,
// and 20 summary notes relevant on the grand total. An answer touches
// its section's relevances and total, the grand total and the notes: a
// handful of expressions out of thousands.
func heavyForm(n int) []byte {
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label | relevant | calculation | constraint |\n")
	sections := (n + 19) / 20
	for g := 0; g < sections; g++ {
		rel := ""
		if g > 0 {
			rel = fmt.Sprintf("${q%d} != 99", g*20-1)
		}
		fmt.Fprintf(&b, "| | begin group | g%d | Section %d | %s | | |\n", g, g, rel)
		var sum []string
		for i := g * 20; i < min(n, g*20+20); i++ {
			qrel := ""
			if i%20 > 0 {
				qrel = fmt.Sprintf("${q%d} != 0", i-1)
			}
			fmt.Fprintf(&b, "| | integer | q%d | Question %d (total so far ${t%d}) | %s | | . >= 0 and . < 1000 |\n", i, i, g, qrel)
			sum = append(sum, fmt.Sprintf("coalesce(${q%d}, 0)", i))
		}
		fmt.Fprintf(&b, "| | calculate | t%d | | | %s | |\n", g, strings.Join(sum, " + "))
		b.WriteString("| | end group | | | | | |\n")
	}
	var totals []string
	for g := 0; g < sections; g++ {
		totals = append(totals, fmt.Sprintf("coalesce(${t%d}, 0)", g))
	}
	fmt.Fprintf(&b, "| | calculate | grand | | | %s | |\n", strings.Join(totals, " + "))
	for i := 0; i < 20; i++ {
		fmt.Fprintf(&b, "| | note | s%d | Grand total ${grand} | ${grand} > %d | | |\n", i, i*100)
	}
	return []byte(b.String())
}

func BenchmarkCompile(b *testing.B) {
	for _, bc := range []struct {
		name string
		data []byte
	}{{"chain", bigForm(2000)}, {"heavy", heavyForm(2000)}} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetBytes(int64(len(bc.data)))
			for b.Loop() {
				if _, err := Parse("big.md", bc.data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSessionMemory builds a compiled 2,000-question form and one
// session on it (B/op: what building them allocates) and reports what
// they hold: the live heap after a collection, without the form, with
// the compiled form, and with a session on it (form-MiB, session-MiB).
func BenchmarkSessionMemory(b *testing.B) {
	for _, bc := range []struct {
		name string
		data []byte
	}{{"chain", bigForm(2000)}, {"heavy", heavyForm(2000)}} {
		b.Run(bc.name, func(b *testing.B) {
			var form, session uint64
			for b.Loop() {
				base := liveHeap()
				f, err := Parse("big.md", bc.data)
				if err != nil {
					b.Fatal(err)
				}
				withForm := liveHeap()
				s, err := NewSession(f, Options{Now: fixedNow})
				if err != nil {
					b.Fatal(err)
				}
				withSession := liveHeap()
				runtime.KeepAlive(f)
				runtime.KeepAlive(s)
				form, session = withForm-base, withSession-withForm
			}
			b.ReportMetric(float64(form)/(1<<20), "form-MiB")
			b.ReportMetric(float64(session)/(1<<20), "session-MiB")
		})
	}
}

// liveHeap is the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// reportCPU adds the process CPU time per operation (user and system,
// garbage collection included) since start: on a shared machine, wall
// time counts the waits for a core too.
func reportCPU(b *testing.B, start time.Duration) {
	if b.N > 0 {
		b.ReportMetric(float64(benchmeter.CPUTime()-start)/float64(b.N)/1e6, "cpu-ms/op")
	}
}

// BenchmarkAnswer applies one answer and recomputes on the heavy
// 2,000-question form: a question in the middle, then one near the start
// (both as later answers), and the first answer of a fresh session.
func BenchmarkAnswer(b *testing.B) {
	f, err := Parse("big.md", heavyForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{"q1010", "q5"} {
		b.Run(q, func(b *testing.B) {
			s, err := NewSession(f, Options{Now: fixedNow})
			if err != nil {
				b.Fatal(err)
			}
			n := s.byDef[f.Node(q)][0]
			i := 0
			start := benchmeter.CPUTime()
			for b.Loop() {
				i++
				if err := s.set(n, fmt.Sprint(1+i%500)); err != nil {
					b.Fatal(err)
				}
			}
			reportCPU(b, start)
			if got, _ := s.Eval("${grand}"); got != fmt.Sprint(1+i%500) {
				b.Errorf("grand = %s, want %d", got, 1+i%500)
			}
		})
	}
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s, err := NewSession(f, Options{Now: fixedNow})
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			if err := s.Answer("7"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkAnswerChain is the worst case: on the chain form every
// question's calculation reads the one before, so answering the first
// question really changes 2,000 calculations and re-tests 2,000
// relevances; incremental recomputation cannot skip any of them.
func BenchmarkAnswerChain(b *testing.B) {
	f, err := Parse("big.md", bigForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSession(f, Options{Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	start := benchmeter.CPUTime()
	for b.Loop() {
		i++
		if err := s.set(s.byDef[f.Node("q0")][0], fmt.Sprint(i%500)); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
	if got, _ := s.Eval("${c1999}"); got != fmt.Sprint(i%500) {
		b.Errorf("c1999 = %s, want %d", got, i%500)
	}
}

// BenchmarkAnswerLocal answers a question near the end of the chain
// form: only its few dependents are recomputed.
func BenchmarkAnswerLocal(b *testing.B) {
	f, err := Parse("big.md", bigForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	s, _ := NewSession(f, Options{Now: fixedNow})
	q := s.byDef[f.Node("q1995")][0]
	i := 0
	start := benchmeter.CPUTime()
	for b.Loop() {
		i++
		if err := s.set(q, fmt.Sprint(i%500)); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
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

// TestHeavyFormRecomputesLittle checks that one answer on the heavy form
// evaluates a handful of expressions, not the form: the incremental
// recomputation the benchmarks time.
func TestHeavyFormRecomputesLittle(t *testing.T) {
	f, err := Parse("big.md", heavyForm(400))
	if err != nil {
		t.Fatal(err)
	}
	s := newTestSession(t, f)
	runStory(t, s, []act{
		{path: "q0", value: "5", want: map[string]string{"${t0}": "5", "${grand}": "5"}},
		{path: "q210", value: "7", want: map[string]string{"${t10}": "7", "${grand}": "12"}},
		// q19 = 99 turns section 1 off: its total reads "" in the sum.
		{path: "q20", value: "3", want: map[string]string{"${grand}": "15"}},
		{path: "q19", value: "99", want: map[string]string{"${t0}": "104", "${grand}": "111"}},
	})
	s.evals = 0
	if err := s.set(s.byDef[f.Node("q301")][0], "4"); err != nil {
		t.Fatal(err)
	}
	// q302's relevance, t15, grand, and the 20 notes that read grand:
	// 23 evaluations of the form's 420 computed nodes.
	t.Logf("one answer: %d evaluations", s.evals)
	if s.evals > 30 {
		t.Errorf("one answer evaluated %d expressions", s.evals)
	}
}

// BenchmarkAnswerNext is what the engine does for one confirming Enter on
// the 2,000-question heavy form: answer, move on, and read the progress
// for the next screen. Every 50th answer is a 0, which closes the next
// question (a relevance change: the positions are listed again).
func BenchmarkAnswerNext(b *testing.B) {
	f, err := Parse("big.md", heavyForm(2000))
	if err != nil {
		b.Fatal(err)
	}
	s, err := NewSession(f, Options{Now: fixedNow})
	if err != nil {
		b.Fatal(err)
	}
	i := 0
	start := benchmeter.CPUTime()
	for b.Loop() {
		i++
		if s.Current() == nil || s.Current().Kind != PromptQuestion {
			if err := s.Jump("q0"); err != nil {
				b.Fatal(err)
			}
		}
		v := "5"
		if i%50 == 0 {
			v = "0"
		}
		if err := s.Answer(v); err != nil {
			b.Fatal(err)
		}
		if err := s.Next(); err != nil {
			b.Fatal(err)
		}
		_ = s.Progress()
	}
	reportCPU(b, start)
}
