package xpath

import (
	"math"
	"strings"
)

func init() {
	register(map[string]*function{
		"area":     {min: 1, max: 1, ret: kindNumber, eval: fnArea},
		"distance": {min: 1, max: -1, ret: kindNumber, eval: fnDistance},
		"geofence": {min: 2, max: 2, ret: kindBool, eval: fnGeofence},
	})
}

// earthRadius is the sphere ODK measures on: the WGS84 equatorial radius
// rounded to 6,378,100 m (JavaRosa, Enketo and Web Forms all use it).
const earthRadius = 6_378_100

// latLng is one geopoint.
type latLng struct{ lat, lng float64 }

// geoPoints reads geopoints from the arguments: each string is one or
// more "lat lng [alt [acc]]" points separated by ";" (a trailing ";" is
// fine); a node-set adds each node. ok is false if any point is invalid
// (not 2 to 4 numbers, latitude beyond ±90, longitude beyond ±180).
func (st *state) geoPoints(args []node) (pts []latLng, ok bool, err error) {
	texts, err := st.texts(args)
	if err != nil {
		return nil, false, err
	}
	ok = true
	for _, t := range texts {
		t = strings.Trim(t, xmlSpace)
		t = strings.TrimSuffix(t, ";")
		for _, p := range strings.Split(t, ";") {
			pt, good := parseGeopoint(p)
			if !good {
				ok = false
			}
			pts = append(pts, pt)
		}
	}
	return pts, ok, nil
}

// parseGeopoint reads "lat lng [alt [acc]]".
func parseGeopoint(s string) (latLng, bool) {
	f := xmlFields(s)
	if len(f) < 2 || len(f) > 4 {
		return latLng{}, false
	}
	var n [4]float64
	for i, x := range f {
		v, ok := parseNumber(x)
		if !ok {
			return latLng{}, false
		}
		n[i] = v
	}
	if math.Abs(n[0]) > 90 || math.Abs(n[1]) > 180 {
		return latLng{}, false
	}
	return latLng{n[0], n[1]}, true
}

// round2 rounds to centimetres (or square centimetres), as the ODK web
// evaluators print area and distance.
func round2(x float64) float64 {
	if x == 0 || math.IsNaN(x) || math.IsInf(x, 0) {
		return x
	}
	return math.Floor(x*100+0.5) / 100
}

func radians(deg float64) float64 { return deg * math.Pi / 180 }

// fnArea is the area in square metres of the polygon through the points
// (closed if needed), on a sphere (Chamberlain & Duquette, "Some
// algorithms for polygons on a sphere", as ODK Web Forms and Enketo), to
// 2 decimals. Fewer than 3 points or an invalid point give 0, as in
// JavaRosa and ODK Web Forms.
func fnArea(st *state, c *call) (Value, error) {
	pts, ok, err := st.geoPoints(c.args)
	if err != nil || !ok || len(pts) < 3 {
		return NumberValue(0), err
	}
	if pts[0] != pts[len(pts)-1] {
		pts = append(pts, pts[0])
	}
	total := 0.0
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		total += radians(b.lng-a.lng) * (2 + math.Sin(radians(b.lat)) + math.Sin(radians(a.lat)))
	}
	return NumberValue(math.Abs(round2(total * earthRadius * earthRadius / 2))), nil
}

// fnDistance is the length in metres of the line through the points
// (spherical law of cosines, as JavaRosa), to 2 decimals. Fewer than 2
// points or an invalid point give NaN, as in Enketo.
func fnDistance(st *state, c *call) (Value, error) {
	pts, ok, err := st.geoPoints(c.args)
	if err != nil || !ok || len(pts) < 2 {
		return NumberValue(math.NaN()), err
	}
	total := 0.0
	for i := 1; i < len(pts); i++ {
		total += arc(pts[i-1], pts[i])
	}
	return NumberValue(round2(total)), nil
}

// arc is the great-circle distance between two points.
func arc(a, b latLng) float64 {
	dl := radians(a.lng - b.lng)
	p1, p2 := radians(a.lat), radians(b.lat)
	cos := math.Sin(p1)*math.Sin(p2) + math.Cos(p1)*math.Cos(p2)*math.Cos(dl)
	return math.Acos(math.Max(-1, math.Min(1, cos))) * earthRadius
}

// fnGeofence is geofence(point, shape): whether the point lies inside the
// polygon (even–odd rule on latitude/longitude, as JavaRosa). Invalid
// input, and a shape that is not closed (first point repeated last, as
// every ODK geoshape is), give false, as in ODK Web Forms.
func fnGeofence(st *state, c *call) (Value, error) {
	pt, ok, err := st.geoPoints(c.args[:1])
	if err != nil || !ok || len(pt) != 1 {
		return BoolValue(false), err
	}
	poly, ok, err := st.geoPoints(c.args[1:])
	if err != nil || !ok || len(poly) < 4 || poly[0] != poly[len(poly)-1] {
		return BoolValue(false), err
	}
	x, y := pt[0].lng, pt[0].lat
	inside := false
	for i := 1; i < len(poly); i++ {
		p1, p2 := poly[i-1], poly[i]
		if (p2.lat > y) != (p1.lat > y) &&
			x < (p1.lng-p2.lng)*(y-p2.lat)/(p1.lat-p2.lat)+p2.lng {
			inside = !inside
		}
	}
	return BoolValue(inside), nil
}
