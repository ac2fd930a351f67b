package report

import (
	"bufio"
	"fmt"
	"html"
	"strings"

	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/questionnaires"
)

// page writes the report's HTML.
type page struct {
	figs *Figures
	lang string
	w    *bufio.Writer
	form *FormFigures // the form being written
}

// style is the page's whole stylesheet: black on white, hatching instead
// of colour, sections kept whole on paper.
const style = `body{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;padding:0 1em;color:#000;background:#fff}
h1{font-size:1.6em}h2{border-bottom:2px solid #000;margin-top:2em}h3{margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0}td,th{padding:.15em .5em;text-align:start;vertical-align:middle}
th{font-weight:600}tr+tr td,tr+tr th{border-top:1px solid #ccc}td.n{text-align:end;font-variant-numeric:tabular-nums}
.privacy{border:2px solid #000;padding:.6em 1em;font-weight:600}
.question{break-inside:avoid;page-break-inside:avoid;margin:1.2em 0}.question h4{margin:.2em 0}
.meta{color:#333;font-size:.9em}svg{display:block;max-width:100%;height:auto}svg text{font-size:11px;font-family:system-ui,sans-serif}
section{break-inside:auto}figure{margin:.5em 0;break-inside:avoid}figcaption{font-size:.9em}
code{font-size:.9em}nav ul{columns:2}
@media print{body{margin:0;max-width:none}a{color:#000;text-decoration:none}h2{break-before:page}}`

// csp forbids every fetch: the report must not call out, whatever it holds.
const csp = `default-src 'none'; style-src 'unsafe-inline'; img-src data:`

func (p *page) t(key string, args ...any) string { return locales.T(p.lang, "report."+key, args...) }

func (p *page) n(key string, n int, args ...any) string {
	return locales.N(p.lang, "report."+key, n, args...)
}

func (p *page) printf(format string, args ...any) { fmt.Fprintf(p.w, format, args...) }

// esc escapes text for HTML.
func esc(s string) string { return html.EscapeString(s) }

func (p *page) write(w *bufio.Writer) error {
	p.w = w
	dir := "ltr"
	if locales.IsRTL(p.lang) {
		dir = "rtl"
	}
	p.printf(`<!DOCTYPE html><html lang="%s" dir="%s"><head><meta charset="utf-8">`, esc(locales.Base(p.lang)), dir)
	p.printf(`<meta http-equiv="Content-Security-Policy" content="%s"><meta name="viewport" content="width=device-width">`, csp)
	p.printf(`<title>%s</title><style>%s</style></head><body>`, esc(p.t("title")), style)
	p.printf(`<svg width="0" height="0" aria-hidden="true" style="position:absolute"><defs>` +
		`<pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<rect width="6" height="6" fill="#fff"/><line x1="0" y1="0" x2="0" y2="6" stroke="#000" stroke-width="2.5"/></pattern>` +
		`</defs></svg>`)
	p.summary()
	for _, f := range p.figs.Forms {
		p.form = f
		p.formArticle()
	}
	p.printf(`</body></html>`)
	return nil
}

// summary is the first screen: what the report holds and whether it is
// pseudonymous.
func (p *page) summary() {
	s := p.figs.Summary
	p.printf(`<header id="summary"><h1>%s</h1>`, esc(p.t("title")))
	switch {
	case p.figs.Pseudonymous():
		p.printf(`<p class="privacy" id="pseudonymous">%s</p>`, esc(p.t("pseudonymous")))
	case p.figs.showSensitive():
		p.printf(`<p class="privacy" id="identifying">%s</p>`, esc(p.n("relinked", s.Relinked, s.Relinked)))
	default:
		p.printf(`<p class="privacy" id="no-sensitive">%s</p>`, esc(p.t("no_sensitive")))
	}
	p.printf(`<p>%s</p>`, esc(p.t("read", p.n("responses", s.Read, s.Read), p.n("forms", len(p.figs.Forms), len(p.figs.Forms)))))
	if s.Skipped > 0 {
		p.printf(`<p>%s</p>`, esc(p.n("skipped", s.Skipped, s.Skipped)))
	}
	p.printf(`<nav><ul>`)
	for _, f := range p.figs.Forms {
		p.printf(`<li><a href="#form-%s">%s</a> (%s)</li>`, esc(anchor(f.ID)), esc(p.title(f)), esc(p.n("responses", f.Responses, f.Responses)))
	}
	p.printf(`</ul></nav></header>`)
}

// title is a form's title, with its id.
func (p *page) title(f *FormFigures) string {
	if f.Form != nil && f.Form.Title != "" && f.Form.Title != f.ID {
		return f.Form.Title + " — " + f.ID
	}
	return f.ID
}

// anchor makes an id usable in a fragment.
func anchor(id string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '#' || r == '"' {
			return '_'
		}
		return r
	}, id)
}

// formArticle writes one form's sections.
func (p *page) formArticle() {
	f := p.form
	p.printf(`<article id="form-%s"><h2>%s</h2>`, esc(anchor(f.ID)), esc(p.title(f)))
	p.fieldwork()
	p.quality()
	p.questions()
	p.geoMap()
	p.reviews()
	p.printf(`</article>`)
}

// fieldwork: interviews per day, per device, per project, per version.
func (p *page) fieldwork() {
	f := p.form
	p.printf(`<section class="fieldwork"><h3>%s</h3>`, esc(p.t("fieldwork")))
	p.printf(`<figure>%s<figcaption>%s</figcaption></figure>`, p.dayChart(f.Days), esc(p.n("per_day_caption", len(f.Days), len(f.Days))))
	workers := Counts{}
	for name, w := range f.Workers {
		workers[p.workerName(name)] = w.Interviews
	}
	p.printf(`<h4>%s</h4>`, esc(p.t("per_device")))
	p.barTable(workers, workers.Sorted(), nil)
	p.printf(`<h4>%s</h4>`, esc(p.t("per_project")))
	p.barTable(f.Projects, f.Projects.Sorted(), nil)
	p.printf(`<h4>%s</h4>`, esc(p.t("per_version")))
	p.barTable(f.Versions, f.Versions.Keys(), nil)
	p.printf(`</section>`)
}

// workerName is how a fieldworker is shown.
func (p *page) workerName(name string) string {
	if name == "" {
		return p.t("anonymous")
	}
	return name
}

// quality: durations, time per question, missing answers per fieldworker.
func (p *page) quality() {
	f := p.form
	p.printf(`<section class="quality"><h3>%s</h3>`, esc(p.t("quality")))
	p.printf(`<h4>%s</h4>`, esc(p.t("durations")))
	if f.Durations.Len() == 0 {
		p.printf(`<p>%s</p>`, esc(p.t("no_durations")))
	} else {
		p.printf(`<figure>%s%s</figure>`, p.histogram(&f.Durations, false, p.t("minutes_axis"), 60), p.quartiles(&f.Durations, 60))
	}
	limit := f.FastLimit()
	p.printf(`<h4>%s</h4><p class="meta">%s</p>`, esc(p.t("per_worker")), esc(p.t("fast_rule", formatNumber(float64(limit)/60))))
	p.printf(`<table class="workers"><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>`,
		esc(p.t("worker")), esc(p.t("interviews")), esc(p.t("median_minutes")), esc(p.t("fast")), esc(p.t("dont_know")), esc(p.t("declined")), esc(p.t("empty")))
	for _, name := range f.WorkerNames() {
		w := f.Workers[name]
		med := "—"
		if m, ok := w.Durations.Quantile(0.5); ok {
			med = formatNumber(float64(m) / 60)
		}
		p.printf(`<tr><th>%s</th><td class="n">%d</td><td class="n">%s</td><td class="n">%d</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>`,
			esc(p.workerName(name)), w.Interviews, med, w.Fast(limit), share(w.DontKnow, w.Asked), share(w.Declined, w.Asked), share(w.Empty, w.Asked))
	}
	p.printf(`</table>`)
	p.questionTimes()
	p.missingTable()
	p.printf(`</section>`)
}

// questionTimes lists the slowest and fastest questions by median time.
func (p *page) questionTimes() {
	f := p.form
	p.printf(`<h4>%s</h4>`, esc(p.t("question_times")))
	if len(f.QuestionTimes) == 0 {
		p.printf(`<p>%s</p>`, esc(p.t("no_audit")))
		return
	}
	med := map[string]float32{}
	var paths []string
	for path, s := range f.QuestionTimes {
		med[path], _ = s.Quantile(0.5)
		paths = append(paths, path)
	}
	sortBy(paths, func(a, b string) bool { return med[a] > med[b] || med[a] == med[b] && a < b })
	p.printf(`<table class="times"><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>`,
		esc(p.t("question")), esc(p.t("visits")), esc(p.t("median_seconds")), esc(p.t("quartiles_seconds")))
	for i, path := range paths {
		if len(paths) > 20 && i == 10 {
			p.printf(`<tr><td colspan="4">…</td></tr>`)
		}
		if len(paths) > 20 && i >= 10 && i < len(paths)-10 {
			continue
		}
		s := f.QuestionTimes[path]
		q1, _ := s.Quantile(0.25)
		q3, _ := s.Quantile(0.75)
		p.printf(`<tr><th>%s</th><td class="n">%d</td><td class="n">%s</td><td class="n">%s – %s</td></tr>`,
			p.questionName(path), s.Len(), formatNumber(float64(med[path])), formatNumber(float64(q1)), formatNumber(float64(q3)))
	}
	p.printf(`</table>`)
}

// missingTable lists each question's share of don't know, declined and empty.
func (p *page) missingTable() {
	p.printf(`<h4>%s</h4><table class="missing"><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr>`,
		esc(p.t("missing_per_question")), esc(p.t("question")), esc(p.t("dont_know")), esc(p.t("declined")), esc(p.t("empty")))
	for _, q := range p.shownQuestions() {
		asked := q.Answered + q.Empty
		p.printf(`<tr><th>%s</th><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td></tr>`,
			p.questionName(q.Path), share(q.DontKnow, asked), share(q.Declined, asked), share(q.Empty, asked))
	}
	p.printf(`</table>`)
}

// questionName is a question's label and path, escaped.
func (p *page) questionName(path string) string {
	q := p.form.byPath[path]
	if q == nil {
		return `<code>` + esc(path) + `</code>`
	}
	label := p.label(q.Node.Label)
	if label == "" {
		return `<code>` + esc(path) + `</code>`
	}
	return esc(label) + ` <code>` + esc(path) + `</code>`
}

// label is a form text in the report's language.
func (p *page) label(t questionnaires.Text) string {
	form := p.form.Form
	return strings.TrimSpace(t.In(form.LanguageFor(p.lang), form.DefaultLanguage))
}

// shownQuestions are the questions the report shows: sensitive ones only
// when their answers were re-linked.
func (p *page) shownQuestions() []*Question {
	var out []*Question
	for _, q := range p.form.Questions {
		if q.Node.Sealed() && !p.figs.showSensitive() {
			continue
		}
		out = append(out, q)
	}
	return out
}

// share is n out of total as a percentage.
func share(n, total int) string {
	if total == 0 {
		return "—"
	}
	return formatNumber(100*float64(n)/float64(total)) + "%"
}
