package tui

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"github.com/enquete-field/enquete/questionnaires"
)

// bigForm is a questionnaire of n questions: integers, texts and
// single choices in turn, in groups of 50, with a relevance every tenth.
func bigForm(tb testing.TB, n int) *questionnaires.Form {
	tb.Helper()
	var b strings.Builder
	b.WriteString("| survey |\n| | type | name | label | relevant |\n")
	for i := 0; i < n; i++ {
		if i%50 == 0 {
			fmt.Fprintf(&b, "| | begin group | g%d | Part %d | |\n", i, i/50+1)
		}
		rel := ""
		if i%10 == 9 {
			rel = fmt.Sprintf("${q%d} != '0'", i-1)
		}
		switch i % 3 {
		case 0:
			fmt.Fprintf(&b, "| | integer | q%d | Question %d: how many? | %s |\n", i, i, rel)
		case 1:
			fmt.Fprintf(&b, "| | text | q%d | Question %d: what? | %s |\n", i, i, rel)
		default:
			fmt.Fprintf(&b, "| | select_one yn | q%d | Question %d: yes or no? | %s |\n", i, i, rel)
		}
		if i%50 == 49 || i == n-1 {
			b.WriteString("| | end group | | | |\n")
		}
	}
	b.WriteString("\n| choices |\n| | list_name | name | label |\n| | yn | yes | Yes |\n| | yn | no | No |\n")
	b.WriteString("\n| settings |\n| | form_id | version | form_title |\n| | big | 1 | Big form |\n")
	f, err := questionnaires.Parse("big.md", []byte(b.String()))
	if err != nil {
		tb.Fatal(err)
	}
	return f
}

// keysFor answers the question shown: digits then Enter for integers,
// a word then Enter for texts, Enter for choices.
func keysFor(p *questionnaires.Prompt) []tea.KeyMsg {
	enter := tea.KeyMsg{Type: tea.KeyEnter}
	runes := func(s string) []tea.KeyMsg {
		var out []tea.KeyMsg
		for _, r := range s {
			out = append(out, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}})
		}
		return append(out, enter)
	}
	switch p.Type {
	case "integer":
		return runes("42")
	case "text":
		return runes("ok")
	}
	return []tea.KeyMsg{enter}
}

// BenchmarkKeyToView measures one key press, from Update to the finished
// View, while interviewing a 2,000-question form (typing and confirming
// answers: every Enter moves to the next question). p99-ms is the 99th
// percentile of the per-key times.
func BenchmarkKeyToView(b *testing.B) { benchKeys(b, 0) }

// BenchmarkKeyToViewPaced is BenchmarkKeyToView with a pause of 30 ms
// between keys, as a fieldworker types (a fast typist presses about 8 keys
// a second): the interface sleeps between keys, as the real program does
// while it waits for the terminal, so on a loaded machine the scheduler
// wakes it ahead of the programs that kept the cores busy. Only the time
// from Update to the finished View is counted.
func BenchmarkKeyToViewPaced(b *testing.B) { benchKeys(b, 30*time.Millisecond) }

// benchKeys interviews a 2,000-question form key by key, pausing between
// keys, and reports the 99th percentile of the key → frame times.
func benchKeys(b *testing.B, pause time.Duration) {
	form := bigForm(b, 2000)
	d := newDriver(&testing.T{}, Options{Preview: form, Lang: "en"})
	d.init()
	var times []time.Duration
	var pending []tea.KeyMsg
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if len(pending) == 0 {
			p := d.prompt()
			if p == nil { // the review: start over
				b.StopTimer()
				d = newDriver(&testing.T{}, Options{Preview: form, Lang: "en"})
				d.init()
				p = d.prompt()
				b.StartTimer()
			}
			pending = keysFor(p)
		}
		k := pending[0]
		pending = pending[1:]
		if pause > 0 {
			b.StopTimer()
			time.Sleep(pause)
			b.StartTimer()
		}
		start := time.Now()
		_, cmd := d.m.Update(k)
		d.run(cmd)
		_ = d.m.View()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	p99 := times[min(len(times)-1, len(times)*99/100)]
	b.ReportMetric(float64(p99.Microseconds())/1000, "p99-ms")
}

// BenchmarkStartToFirstFrame measures from building the program's model to
// the first question of a 2,000-question form drawn: parsing aside, what
// a start costs once the device key is open (the passphrase's key
// derivation is not counted; the form is parsed once per project).
func BenchmarkStartToFirstFrame(b *testing.B) {
	form := bigForm(b, 2000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		m := newModel(Options{Preview: form, Lang: "en", Now: fixedNow}, asciiRenderer())
		m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		if cmd := m.Init(); cmd != nil {
			m.Update(cmd())
		}
		if !strings.Contains(m.View(), "Question 0") {
			b.Fatal("no first question")
		}
	}
}

// BenchmarkMemoryInterviewing reports the live heap after answering 1,000
// questions of the 2,000-question form (heap-MB), with the session, its
// summary and the screen in memory.
func BenchmarkMemoryInterviewing(b *testing.B) {
	form := bigForm(b, 2000)
	var heap uint64
	for i := 0; i < b.N; i++ {
		d := newDriver(&testing.T{}, Options{Preview: form, Lang: "en"})
		d.init()
		for n := 0; n < 1000; n++ {
			for _, k := range keysFor(d.prompt()) {
				_, cmd := d.m.Update(k)
				d.run(cmd)
			}
		}
		_ = d.m.View()
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = ms.HeapInuse
		runtime.KeepAlive(d)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}
