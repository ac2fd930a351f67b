package questionnaires

import (
	"math"
	"strconv"
	"strings"

	"github.com/enquete-field/enquete/locales"
)

// The parameters column: key=value pairs whose meaning depends on the
// question type.

// parameterKeys lists, by type, the parameters Enquête applies; ignored
// lists those that only mean something on a phone (a camera app, GPS
// tracking of the audit, image resizing), accepted with a warning.
var (
	parameterKeys = map[string][]string{
		"range":                     {"start", "end", "step"},
		"select_one":                {"randomize", "seed"},
		"select_multiple":           {"randomize", "seed"},
		"rank":                      {"randomize", "seed"},
		"select_one_from_file":      {"randomize", "seed", "value", "label"},
		"select_multiple_from_file": {"randomize", "seed", "value", "label"},
		"select_one_external":       {"randomize", "seed"},
		"audit":                     {"track-changes", "identify-user", "track-changes-reasons"},
	}
	ignoredParameters = map[string]bool{
		"app": true, "max-pixels": true, "location-priority": true, "location-min-interval": true,
		"location-max-age": true, "capture-accuracy": true, "warning-accuracy": true,
		"allow-mock-accuracy": true, "incremental": true, "quality": true, "geometry": true,
	}
)

// rangeParams are a range question's bounds, ODK's defaults filled in.
type rangeParams struct{ start, end, step float64 }

// rangeOf reads a range question's parameters; ok is false when one is
// not a number or the step is not positive.
func rangeOf(n *Node) (rangeParams, bool) {
	p := parseParameters(n.Parameters)
	r := rangeParams{start: 1, end: 10, step: 1}
	for _, f := range []struct {
		key string
		dst *float64
	}{{"start", &r.start}, {"end", &r.end}, {"step", &r.step}} {
		if v, ok := p[f.key]; ok {
			x, err := strconv.ParseFloat(v, 64)
			if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
				return r, false
			}
			*f.dst = x
		}
	}
	return r, r.step > 0 && r.start != r.end
}

// checkParameters reports parameters that are wrong or mean nothing here.
func (b *builder) checkParameters(n *Node) {
	if strings.TrimSpace(n.Parameters) == "" {
		return
	}
	sheet := b.survey.name
	known := map[string]bool{}
	for _, k := range parameterKeys[n.Type] {
		known[k] = true
	}
	p := parseParameters(n.Parameters)
	for _, k := range sortedKeys(Text(p)) {
		switch {
		case known[k]:
		case ignoredParameters[k]:
			b.ps.warnf(sheet, n.Row, "parameters", "parameter_ignored", k)
		default:
			b.ps.warnf(sheet, n.Row, "parameters", "unknown_parameter", k, n.Type)
		}
	}
	if n.Type == "range" {
		if _, ok := rangeOf(n); !ok {
			b.ps.errorf(sheet, n.Row, "parameters", "bad_range", n.Parameters)
		}
	}
	if v, ok := p["randomize"]; ok {
		if _, valid := parseBool(v); !valid {
			b.ps.errorf(sheet, n.Row, "parameters", "bad_bool", v)
		}
	}
	if _, ok := p["seed"]; ok {
		if r, _ := parseBool(p["randomize"]); !r {
			b.ps.errorf(sheet, n.Row, "parameters", "seed_without_randomize")
		}
	}
}

// normalizeRange checks a range answer against its start, end and step.
func normalizeRange(n *Node, v string) (string, *locales.Message) {
	f, err := strconv.ParseFloat(strings.Replace(v, ",", ".", 1), 64)
	r, _ := rangeOf(n)
	lo, hi := math.Min(r.start, r.end), math.Max(r.start, r.end)
	steps := (f - r.start) / r.step
	if err != nil || math.IsNaN(f) || f < lo-1e-9 || f > hi+1e-9 || math.Abs(steps-math.Round(steps)) > 1e-9 {
		return "", &locales.Message{Key: "questionnaires.not_in_range", Args: []any{v,
			strconv.FormatFloat(r.start, 'f', -1, 64), strconv.FormatFloat(r.end, 'f', -1, 64),
			strconv.FormatFloat(r.step, 'f', -1, 64)}}
	}
	return strconv.FormatFloat(f, 'f', -1, 64), nil
}
