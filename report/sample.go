package report

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Sample is a list of numbers, for medians, quartiles and histograms.
type Sample struct {
	v      []float32
	sorted bool
}

// Add adds one number (NaN and infinities are left out).
func (s *Sample) Add(x float32) {
	if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
		return
	}
	s.v = append(s.v, x)
	s.sorted = false
}

// Len is the count of numbers.
func (s *Sample) Len() int { return len(s.v) }

func (s *Sample) sort() {
	if !s.sorted {
		slices.Sort(s.v)
		s.sorted = true
	}
}

// Quantile is the q-quantile (0 ≤ q ≤ 1), interpolated between the two
// nearest numbers (R's and numpy's default, type 7); false when empty.
func (s *Sample) Quantile(q float64) (float32, bool) {
	if len(s.v) == 0 {
		return 0, false
	}
	s.sort()
	pos := q * float64(len(s.v)-1)
	lo := int(math.Floor(pos))
	hi := min(lo+1, len(s.v)-1)
	frac := pos - float64(lo)
	return float32(float64(s.v[lo]) + frac*(float64(s.v[hi])-float64(s.v[lo]))), true
}

// Min and Max are the extremes (0 when empty).
func (s *Sample) Min() float32 {
	if len(s.v) == 0 {
		return 0
	}
	s.sort()
	return s.v[0]
}

// Max is the largest number (0 when empty).
func (s *Sample) Max() float32 {
	if len(s.v) == 0 {
		return 0
	}
	s.sort()
	return s.v[len(s.v)-1]
}

// Bin is one bar of a histogram: numbers in [Lo, Hi) (the last: [Lo, Hi]).
type Bin struct {
	Lo, Hi float64
	N      int
}

// Histogram splits the range into at most n bins of a round width
// (integers: whole numbers).
func (s *Sample) Histogram(n int, integers bool) []Bin {
	if len(s.v) == 0 {
		return nil
	}
	lo, hi := float64(s.Min()), float64(s.Max())
	width := niceStep((hi - lo) / float64(n))
	if integers {
		width = math.Max(1, math.Ceil(width))
	}
	if width <= 0 {
		width = 1
	}
	start := math.Floor(lo/width) * width
	count := int(math.Floor((hi-start)/width)) + 1
	bins := make([]Bin, count)
	for i := range bins {
		bins[i] = Bin{Lo: start + float64(i)*width, Hi: start + float64(i+1)*width}
	}
	for _, x := range s.v {
		i := min(int(math.Floor((float64(x)-start)/width)), count-1)
		bins[max(i, 0)].N++
	}
	return bins
}

// niceStep rounds a step up to 1, 2 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) {
		return 0
	}
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if raw <= m*p {
			return m * p
		}
	}
	return 10 * p
}

// formatNumber writes a figure briefly: up to two decimals, no trailing zeros.
func formatNumber(x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "-0" {
		return "0"
	}
	return s
}

// GeoSet keeps the geopoints, traces and shapes of a form for its map:
// at most limit points; past it, every other one is dropped and then
// only every second one kept, so memory stays bounded and the spread
// even.
type GeoSet struct {
	Points, Traces, Shapes int // answers seen, by type
	Shown                  []Shape
	limit, kept, stride    int
	seen                   int
	lat, lon               [2]float64 // bounding box (min, max), of what is shown
}

// Shape is one answer drawn: a point, a line or a polygon.
type Shape struct {
	Kind   string // geopoint, geotrace, geoshape
	Coords [][2]float64
}

func newGeoSet(limit int) *GeoSet {
	return &GeoSet{limit: limit, stride: 1, lat: [2]float64{90, -90}, lon: [2]float64{180, -180}}
}

// Add adds an answer: "lat lon [alt acc]" points separated by ";".
func (g *GeoSet) Add(kind, value string) {
	coords := parseGeo(value)
	if len(coords) == 0 {
		return
	}
	switch kind {
	case "geopoint":
		g.Points++
	case "geotrace":
		g.Traces++
	default:
		g.Shapes++
	}
	g.seen++
	if g.seen%g.stride != 0 {
		return
	}
	if g.kept+len(coords) > g.limit && len(g.Shown) > 1 {
		g.thin()
	}
	g.Shown = append(g.Shown, Shape{Kind: kind, Coords: coords})
	g.kept += len(coords)
	for _, c := range coords {
		g.lat = [2]float64{math.Min(g.lat[0], c[0]), math.Max(g.lat[1], c[0])}
		g.lon = [2]float64{math.Min(g.lon[0], c[1]), math.Max(g.lon[1], c[1])}
	}
}

// thin keeps every second shape and halves the share kept from now on.
func (g *GeoSet) thin() {
	out := g.Shown[:0]
	g.kept = 0
	for i, s := range g.Shown {
		if i%2 == 0 {
			out = append(out, s)
			g.kept += len(s.Coords)
		}
	}
	clear(g.Shown[len(out):])
	g.Shown = out
	g.stride *= 2
}

// parseGeo reads "lat lon alt acc; lat lon …", dropping what is not a
// coordinate on Earth.
func parseGeo(s string) [][2]float64 {
	var out [][2]float64
	for _, part := range strings.Split(s, ";") {
		f := strings.Fields(part)
		if len(f) < 2 {
			continue
		}
		lat, err1 := strconv.ParseFloat(f[0], 64)
		lon, err2 := strconv.ParseFloat(f[1], 64)
		if err1 != nil || err2 != nil || math.Abs(lat) > 90 || math.Abs(lon) > 180 {
			continue
		}
		out = append(out, [2]float64{lat, lon})
	}
	return out
}
