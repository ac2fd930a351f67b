package report

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// questions writes each question's figures.
func (p *page) questions() {
	p.printf(`<section class="questions"><h3>%s</h3>`, esc(p.t("questions")))
	if p.form.Form == nil {
		p.printf(`<p>%s</p>`, esc(p.t("no_form")))
	}
	hidden := 0
	for _, q := range p.form.Questions {
		if q.Node.Sealed() && !p.figs.showSensitive() {
			hidden++
		}
	}
	if hidden > 0 {
		p.printf(`<p class="meta">%s</p>`, esc(p.n("sensitive_hidden", hidden, hidden)))
	}
	for _, q := range p.shownQuestions() {
		p.question(q)
	}
	p.printf(`</section>`)
}

// question writes one question: its counts and its chart.
func (p *page) question(q *Question) {
	p.printf(`<div class="question" data-type="%s"><h4>%s</h4>`, esc(q.Node.Type), p.questionName(q.Path))
	total := q.Answered + q.Empty + q.NotRelevant
	p.printf(`<p class="meta">%s · %s: %d (%s) · %s: %d (%s) · %s: %d (%s)</p>`, esc(q.Node.Type),
		esc(p.t("answered")), q.Answered, share(q.Answered, total),
		esc(p.t("not_relevant")), q.NotRelevant, share(q.NotRelevant, total),
		esc(p.t("empty")), q.Empty, share(q.Empty, total))
	switch {
	case len(q.Choices) > 0:
		p.barTable(q.Choices, p.choiceOrder(q), p.choiceLabel(q))
	case q.Values.Len() > 0:
		integers := q.Node.Type == "integer"
		p.printf(`<figure>%s%s</figure>`, p.histogram(&q.Values, integers, "", 1), p.quartiles(&q.Values, 1))
	case len(q.Dates) > 0:
		p.printf(`<figure>%s</figure>`, p.dayChart(q.Dates))
	}
	p.printf(`</div>`)
}

// choiceOrder lists a select question's answers in the form's order of
// choices, then the others (from files, "other") by count.
func (p *page) choiceOrder(q *Question) []string {
	var order []string
	seen := map[string]bool{}
	if form := p.form.Form; form != nil {
		for _, c := range form.Choices[q.Node.ListName] {
			if q.Choices[c.Name] > 0 && !seen[c.Name] {
				order = append(order, c.Name)
				seen[c.Name] = true
			}
		}
	}
	for _, name := range q.Choices.Sorted() {
		if !seen[name] {
			order = append(order, name)
		}
	}
	return order
}

// choiceLabel returns the label of a select question's choices.
func (p *page) choiceLabel(q *Question) func(string) string {
	labels := map[string]string{}
	if form := p.form.Form; form != nil {
		for _, c := range form.Choices[q.Node.ListName] {
			labels[c.Name] = p.label(c.Label)
		}
	}
	return func(name string) string {
		if l := labels[name]; l != "" && l != name {
			return l + " (" + name + ")"
		}
		return name
	}
}

// barTable writes counts as a table of labelled, hatched bars: each row
// its label, its bar, its count and share (readable without colour).
func (p *page) barTable(c Counts, order []string, label func(string) string) {
	total, top := c.Total(), 0
	for _, n := range c {
		top = max(top, n)
	}
	p.printf(`<table class="bars">`)
	for _, name := range order {
		shown := name
		if label != nil {
			shown = label(name)
		}
		if shown == "" {
			shown = "—"
		}
		width := 0.0
		if top > 0 {
			width = 200 * float64(c[name]) / float64(top)
		}
		p.printf(`<tr><th>%s</th><td><svg width="204" height="16" viewBox="0 0 204 16" role="img" aria-label="%d">`+
			`<rect x="1" y="2" width="%.1f" height="12" fill="url(#hatch)" stroke="#000"/></svg></td><td class="n">%d</td><td class="n">%s</td></tr>`,
			esc(shown), c[name], width, c[name], share(c[name], total))
	}
	p.printf(`</table>`)
}

// dayChart draws counts per day (YYYY-MM-DD) as bars, days without any
// included (per month past 400 days), with the first and last day and the largest count written.
func (p *page) dayChart(days Counts) string {
	keys := days.Keys()
	if len(keys) == 0 {
		return ""
	}
	var all []string
	if first, err1 := parseDay(keys[0]); err1 == nil {
		last, err2 := parseDay(keys[len(keys)-1])
		for d := first; err2 == nil && !d.After(last) && len(all) < 3660; d = d.AddDate(0, 0, 1) {
			all = append(all, d.Format("2006-01-02"))
		}
	}
	if len(all) == 0 {
		all = keys
	}
	if len(all) > 400 {
		all, days = byMonth(all, days)
	}
	top := 0
	for _, n := range days {
		top = max(top, n)
	}
	const w, h, left, bottom = 640.0, 160.0, 40.0, 24.0
	bar := (w - left) / float64(len(all))
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="days" viewBox="0 0 %g %g" width="%g" height="%g" role="img" direction="ltr">`, w, h, w, h)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#000"/>`, left, h-bottom, w, h-bottom)
	fmt.Fprintf(&b, `<text x="%g" y="12" text-anchor="end">%d</text><line x1="%g" y1="8" x2="%g" y2="8" stroke="#999" stroke-dasharray="2 2"/>`, left-4, top, left, w)
	for i, d := range all {
		n := days[d]
		if n == 0 {
			continue
		}
		bh := (h - bottom - 8) * float64(n) / float64(max(top, 1))
		fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="url(#hatch)" stroke="#000" stroke-width="0.5"><title>%s: %d</title></rect>`,
			left+float64(i)*bar, h-bottom-bh, math.Max(bar-1, 0.5), bh, d, n)
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g">%s</text>`, left, h-6, esc(all[0]))
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end">%s</text>`, w, h-6, esc(all[len(all)-1]))
	b.WriteString(`</svg>`)
	return b.String()
}

// histogram draws a sample's distribution with its quartiles marked:
// the median a solid line, Q1 and Q3 dashed, each labelled. Values are
// divided by unit (seconds shown in minutes: 60).
func (p *page) histogram(s *Sample, integers bool, axis string, unit float64) string {
	scaled := s
	if unit != 1 {
		scaled = &Sample{}
		for _, x := range s.v {
			scaled.Add(float32(float64(x) / unit))
		}
	}
	bins := scaled.Histogram(20, integers)
	if len(bins) == 0 {
		return ""
	}
	top := 0
	for _, b := range bins {
		top = max(top, b.N)
	}
	const w, h, left, bottom, topPad = 640.0, 180.0, 40.0, 24.0, 30.0
	lo, hi := bins[0].Lo, bins[len(bins)-1].Hi
	x := func(v float64) float64 { return left + (w-left-10)*(v-lo)/(hi-lo) }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="histogram" viewBox="0 0 %g %g" width="%g" height="%g" role="img" direction="ltr">`, w, h, w, h)
	fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="#000"/>`, left, h-bottom, w-10, h-bottom)
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="end">%d</text>`, left-4, topPad, top)
	for _, bin := range bins {
		bh := (h - bottom - topPad) * float64(bin.N) / float64(max(top, 1))
		fmt.Fprintf(&b, `<rect x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="url(#hatch)" stroke="#000" stroke-width="0.5"><title>%s–%s: %d</title></rect>`,
			x(bin.Lo), h-bottom-bh, math.Max(x(bin.Hi)-x(bin.Lo)-1, 0.5), bh, formatNumber(bin.Lo), formatNumber(bin.Hi), bin.N)
	}
	marks := []struct {
		q    float64
		name string
		dash string
		row  float64
	}{{0.25, "Q1", "4 3", 10}, {0.5, p.t("median"), "", 22}, {0.75, "Q3", "4 3", 10}}
	for _, m := range marks {
		v, _ := scaled.Quantile(m.q)
		xv := x(float64(v))
		fmt.Fprintf(&b, `<line x1="%.2f" y1="%g" x2="%.2f" y2="%g" stroke="#000" stroke-width="2" stroke-dasharray="%s"/>`, xv, m.row+2, xv, h-bottom, m.dash)
		fmt.Fprintf(&b, `<text x="%.2f" y="%g" text-anchor="middle">%s %s</text>`, xv, m.row, esc(m.name), formatNumber(float64(v)))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g">%s</text><text x="%g" y="%g" text-anchor="end">%s</text>`,
		left, h-6, formatNumber(lo), w-10, h-6, formatNumber(hi))
	if axis != "" {
		fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">%s</text>`, (w+left)/2, h-6, esc(axis))
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// quartiles is a histogram's caption: count, minimum, quartiles, maximum.
func (p *page) quartiles(s *Sample, unit float64) string {
	q := func(x float64) string {
		v, _ := s.Quantile(x)
		return formatNumber(float64(v) / unit)
	}
	return `<figcaption>` + esc(p.n("summary_numbers", s.Len(), s.Len(), q(0), q(0.25), q(0.5), q(0.75), q(1))) + `</figcaption>`
}

// geoMap draws the form's geopoints, traces and shapes on a plain
// projection (longitude scaled by the cosine of the middle latitude)
// with a graticule: no tiles, nothing fetched.
func (p *page) geoMap() {
	g := p.form.Map
	p.printf(`<section class="map"><h3>%s</h3>`, esc(p.t("map")))
	if len(g.Shown) == 0 {
		p.printf(`<p>%s</p></section>`, esc(p.t("no_geo")))
		return
	}
	lat0, lat1, lon0, lon1 := g.lat[0], g.lat[1], g.lon[0], g.lon[1]
	padLat, padLon := math.Max((lat1-lat0)*0.08, 0.005), math.Max((lon1-lon0)*0.08, 0.005)
	lat0, lat1, lon0, lon1 = lat0-padLat, lat1+padLat, lon0-padLon, lon1+padLon
	k := math.Cos((lat0 + lat1) / 2 * math.Pi / 180)
	const w = 640.0
	h := math.Min(math.Max(w*(lat1-lat0)/((lon1-lon0)*k), 200), 900)
	sx, sy := w/(lon1-lon0), h/(lat1-lat0)
	pt := func(c [2]float64) (float64, float64) { return (c[1] - lon0) * sx, (lat1 - c[0]) * sy }
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="geo" viewBox="-50 -10 %g %g" width="%g" height="%g" role="img" direction="ltr">`, w+60, h+40, w+60, h+40)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%g" height="%.1f" fill="none" stroke="#000"/>`, w, h)
	step := niceStep(math.Max(lat1-lat0, lon1-lon0) / 5)
	for v := math.Ceil(lat0/step) * step; v <= lat1; v += step {
		_, y := pt([2]float64{v, lon0})
		fmt.Fprintf(&b, `<line x1="0" y1="%.1f" x2="%g" y2="%.1f" stroke="#999" stroke-dasharray="3 3"/><text x="-4" y="%.1f" text-anchor="end">%s°</text>`, y, w, y, y+4, formatNumber(v))
	}
	for v := math.Ceil(lon0/step) * step; v <= lon1; v += step {
		x, _ := pt([2]float64{lat0, v})
		fmt.Fprintf(&b, `<line x1="%.1f" y1="0" x2="%.1f" y2="%.1f" stroke="#999" stroke-dasharray="3 3"/><text x="%.1f" y="%.1f" text-anchor="middle">%s°</text>`, x, x, h, x, h+16, formatNumber(v))
	}
	for _, s := range g.Shown {
		var pts []string
		for _, c := range s.Coords {
			x, y := pt(c)
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		}
		switch s.Kind {
		case "geopoint":
			x, y := pt(s.Coords[0])
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="#fff" stroke="#000" stroke-width="1.5"/>`, x, y)
		case "geotrace":
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#000" stroke-width="2" stroke-dasharray="6 2"/>`, strings.Join(pts, " "))
		default:
			fmt.Fprintf(&b, `<polygon points="%s" fill="url(#hatch)" fill-opacity="0.5" stroke="#000" stroke-width="1.5"/>`, strings.Join(pts, " "))
		}
	}
	b.WriteString(`</svg>`)
	p.printf(`<figure>%s<figcaption>%s</figcaption></figure></section>`, b.String(),
		esc(p.t("map_caption", g.Points, g.Traces, g.Shapes)))
}

// reviews writes the review states, when the form has reviews.
func (p *page) reviews() {
	r := p.form.Reviews
	if len(r) == 1 && r[""] > 0 || len(r) == 0 {
		return
	}
	p.printf(`<section class="reviews"><h3>%s</h3>`, esc(p.t("reviews")))
	p.barTable(r, r.Sorted(), func(state string) string {
		if state == "" {
			return p.t("not_reviewed")
		}
		return state
	})
	p.printf(`</section>`)
}

// sortBy sorts s with less.
func sortBy(s []string, less func(a, b string) bool) {
	slices.SortFunc(s, func(a, b string) int {
		switch {
		case less(a, b):
			return -1
		case less(b, a):
			return 1
		}
		return 0
	})
}

// byMonth adds days up by month (YYYY-MM): a chart of years keeps
// bars wide enough to see.
func byMonth(all []string, days Counts) ([]string, Counts) {
	months := Counts{}
	for d, n := range days {
		months[d[:min(7, len(d))]] += n
	}
	var list []string
	for _, d := range all {
		if m := d[:min(7, len(d))]; len(list) == 0 || list[len(list)-1] != m {
			list = append(list, m)
		}
	}
	return list, months
}

// parseDay reads a YYYY-MM-DD day.
func parseDay(s string) (time.Time, error) { return time.Parse(time.DateOnly, s) }
