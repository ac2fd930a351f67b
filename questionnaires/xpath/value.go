package xpath

import (
	"math"
	"strings"
	"time"
)

// Value is the result of an expression: one of [StringValue],
// [NumberValue], [BoolValue], [DateValue] or [NodeSetValue]. Convert any
// value with [String], [Number] and [Bool].
type Value interface {
	// isValue seals the interface: only this package's types are values.
	isValue()
}

// StringValue is an XPath string.
type StringValue string

// NumberValue is an XPath number (an IEEE double, like every XPath number).
type NumberValue float64

// BoolValue is an XPath boolean.
type BoolValue bool

// NodeSetValue is an ordered set of distinct nodes, in document order unless
// it comes from randomize().
type NodeSetValue []Node

// DateValue is a date (no time of day) or a date and time, ODK's extension to
// XPath 1.0. A date converts to the number of days since 1970-01-01; a date
// and time converts to fractional days since 1970-01-01T00:00 on the wall
// clock of its location (see the package documentation).
type DateValue struct {
	// Time is the instant; for a date without time, midnight UTC of that day.
	Time time.Time
	// HasTime is false for dates ("2024-01-02"), true for date-times.
	HasTime bool
}

func (StringValue) isValue()  {}
func (NumberValue) isValue()  {}
func (BoolValue) isValue()    {}
func (NodeSetValue) isValue() {}
func (DateValue) isValue()    {}

// String converts v to a string as XPath's string() does: numbers through
// [FormatNumber], booleans as "true"/"false", dates as "2006-01-02" or
// "2006-01-02T15:04:05.000-07:00", and a node-set as the text of its first
// node ("" when empty). The evaluator itself refuses to read a node-set of
// several nodes as one value; this function, for callers holding a result,
// follows XPath 1.0 and takes the first.
func String(v Value) string {
	switch v := v.(type) {
	case StringValue:
		return string(v)
	case NumberValue:
		return FormatNumber(float64(v))
	case BoolValue:
		if v {
			return "true"
		}
		return "false"
	case DateValue:
		return formatDateValue(v)
	case NodeSetValue:
		if len(v) == 0 {
			return ""
		}
		return v[0].Value()
	}
	return ""
}

// Number converts v to a number as XPath's number() does, with ODK's
// extensions: a string that is a date or date-time converts to days since
// the epoch, exponent notation ("7.9e-12") is accepted, booleans are 1 and
// 0, and a node-set converts through its first node's typed value. A string
// date-time with an explicit offset counts days on the UTC clock here;
// [Expr.Eval] uses the Context's location instead.
func Number(v Value) float64 {
	return toNumber(v, time.UTC)
}

// Bool converts v to a boolean as XPath's boolean() does: a number is true
// unless it is 0 or NaN, a string unless it is empty, a date always, a
// node-set when it is not empty.
func Bool(v Value) bool {
	switch v := v.(type) {
	case StringValue:
		return v != ""
	case NumberValue:
		f := float64(v)
		return f != 0 && !math.IsNaN(f)
	case BoolValue:
		return bool(v)
	case DateValue:
		return true
	case NodeSetValue:
		return len(v) > 0
	}
	return false
}

// toNumber is Number with the location used for date-time strings that
// carry an offset.
func toNumber(v Value, loc *time.Location) float64 {
	switch v := v.(type) {
	case StringValue:
		return stringToNumber(string(v), loc)
	case NumberValue:
		return float64(v)
	case BoolValue:
		if v {
			return 1
		}
		return 0
	case DateValue:
		return dateToDays(v)
	case NodeSetValue:
		if len(v) == 0 {
			return math.NaN()
		}
		return toNumber(nodeValue(v[0], loc), loc)
	}
	return math.NaN()
}

// stringToNumber parses s as a number, or as a date when it is one.
func stringToNumber(s string, loc *time.Location) float64 {
	if f, ok := parseNumber(s); ok {
		return f
	}
	if d, ok := parseDateString(strings.Trim(s, xmlSpace), loc); ok {
		return dateToDays(d)
	}
	return math.NaN()
}

// nodeValue reads a node's value according to its type: a number node
// gives a number, a date node a date, anything else (and any empty or
// unparsable value) a string. Date-times with an offset are moved to loc.
func nodeValue(n Node, loc *time.Location) Value {
	s := n.Value()
	if s == "" {
		return StringValue("")
	}
	switch n.Type() {
	case TypeNumber:
		if f, ok := parseNumber(s); ok {
			return NumberValue(f)
		}
	case TypeDate, TypeDateTime:
		if d, ok := parseDateString(strings.Trim(s, xmlSpace), loc); ok {
			return d
		}
	}
	return StringValue(s)
}

// kind is the static type of an expression, used by the parser to reject
// arguments of the wrong type before evaluation.
type kind int

const (
	kindAny kind = iota
	kindString
	kindNumber
	kindBool
	kindDate
	kindNodeSet
)

// String names a kind for error messages.
func (k kind) String() string {
	switch k {
	case kindString:
		return "a string"
	case kindNumber:
		return "a number"
	case kindBool:
		return "a boolean"
	case kindDate:
		return "a date"
	case kindNodeSet:
		return "a node-set"
	}
	return "a value"
}
