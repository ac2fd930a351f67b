package archive

import (
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/enquete-field/enquete/questionnaires"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
)

// The Parquet export writes, beside each CSV table, a <table>.parquet file
// with the same rows and the same column names, typed from the form:
//
//	integer                      INT64
//	decimal, range, geopoint     DOUBLE (a geopoint as its four CSV columns)
//	date, today                  DATE
//	time                         TIME(MILLIS, isAdjustedToUTC=false): the wall-clock time answered
//	dateTime, start, end         TIMESTAMP(MILLIS, isAdjustedToUTC=true), converted to UTC,
//	                             or isAdjustedToUTC=false when a value names no zone
//	select_multiple              LIST<STRING>, then one INT32 0/1 column "<name>/<choice>" per
//	                             choice of the form (NULL when the question has no answer)
//	rank                         LIST<STRING>, in the order ranked
//	SubmissionDate               TIMESTAMP(MILLIS, isAdjustedToUTC=true)
//	AttachmentsPresent/Expected, Edits   INT64
//	anything else                STRING (UTF-8)
//
// Every column is optional: an empty or not-relevant answer is NULL. A
// column whose values do not all read as its type (a record from another
// tool) is written as STRING, and the export says so.

// pqKind is how one Parquet column holds its values.
type pqKind int

const (
	pqText pqKind = iota
	pqInt
	pqDouble
	pqDate
	pqTime
	pqInstant // dateTime with a zone, in UTC
	pqLocal   // dateTime without a zone, as written
	pqList
	pqSplit // 0/1: whether the select_multiple cell holds choice
)

// pqColumn is one leaf column of a Parquet table.
type pqColumn struct {
	name   string
	kind   pqKind
	src    int    // the csvTable cell it reads; -1 for the trailer columns
	choice string // pqSplit: the choice
}

// pqKindOf is the kind the form gives a CSV column.
func pqKindOf(c questionnaires.Column) pqKind {
	if c.Part != "" {
		return pqDouble
	}
	switch c.Type {
	case "integer":
		return pqInt
	case "decimal", "range":
		return pqDouble
	case "date", "today":
		return pqDate
	case "time":
		return pqTime
	case "dateTime", "start", "end":
		return pqInstant
	case "select_multiple", "select_multiple_from_file", "rank":
		return pqList
	}
	return pqText
}

// node is the column's Parquet schema node.
func (c pqColumn) node() parquet.Node {
	var n parquet.Node
	switch c.kind {
	case pqInt:
		n = parquet.Int(64)
	case pqDouble:
		n = parquet.Leaf(parquet.DoubleType)
	case pqDate:
		n = parquet.Date()
	case pqTime:
		n = parquet.TimeAdjusted(parquet.Millisecond, false)
	case pqInstant:
		n = parquet.TimestampAdjusted(parquet.Millisecond, true)
	case pqLocal:
		n = parquet.TimestampAdjusted(parquet.Millisecond, false)
	case pqList:
		return parquet.Optional(parquet.List(parquet.String()))
	case pqSplit:
		n = parquet.Int(32)
	default:
		n = parquet.String()
	}
	return parquet.Optional(n)
}

// pqValue converts a cell to a Parquet value of kind k; ok is false when
// the cell does not read as k. An empty cell is NULL.
func pqValue(k pqKind, v []byte) (parquet.Value, bool) {
	if len(v) == 0 {
		return parquet.NullValue(), true
	}
	s := string(v)
	switch k {
	case pqInt:
		i, err := strconv.ParseInt(strings.TrimPrefix(s, "+"), 10, 64)
		return parquet.Int64Value(i), err == nil
	case pqDouble:
		f, err := strconv.ParseFloat(s, 64)
		return parquet.DoubleValue(f), err == nil
	case pqDate:
		t, err := time.Parse(time.DateOnly, s)
		return parquet.Int32Value(int32(t.Unix() / 86400)), err == nil
	case pqTime:
		ms, ok := wallClockMillis(s)
		return parquet.Int32Value(ms), ok
	case pqInstant, pqLocal:
		t, zoned, ok := readDateTime(s)
		if !ok || k == pqInstant && !zoned {
			return parquet.Value{}, false
		}
		if k == pqLocal {
			// The wall-clock reading, as if it were UTC (Parquet's
			// convention for isAdjustedToUTC=false).
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		}
		return parquet.Int64Value(t.UnixMilli()), true
	}
	return parquet.ByteArrayValue(v), true
}

// timeLayouts are the forms of a time answer (values.go normalizeTime).
var timeLayouts = []string{"15:04:05.000Z07:00", "15:04:05Z07:00", "15:04:05", "15:04:05.000", "15:04"}

// wallClockMillis reads a time answer as milliseconds since midnight on
// the clock of whoever answered (a zone it names is not applied).
func wallClockMillis(s string) (int32, bool) {
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			ms := ((t.Hour()*60+t.Minute())*60+t.Second())*1000 + t.Nanosecond()/1e6
			return int32(ms), true
		}
	}
	return 0, false
}

// readDateTime reads a dateTime answer; zoned says whether it names its
// zone (an instant) or is a wall-clock reading (or a date alone).
func readDateTime(s string) (t time.Time, zoned, ok bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true, true
	}
	for _, layout := range []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", time.DateOnly} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, false, true
		}
	}
	return time.Time{}, false, false
}

// pqSchema is a Parquet schema whose columns keep the CSV's order
// (parquet.Group sorts its fields by name).
func pqSchema(name string, cols []pqColumn) *parquet.Schema {
	fields := make([]parquet.Field, len(cols))
	for i, c := range cols {
		fields[i] = pqField{Node: c.node(), name: c.name}
	}
	return parquet.NewSchema(name, orderedGroup(fields))
}

// orderedGroup is a Parquet group whose fields stay in the given order.
type orderedGroup []parquet.Field

func (g orderedGroup) ID() int                     { return 0 }
func (g orderedGroup) String() string              { return "group" }
func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }
func (g orderedGroup) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }

// pqField is one named field of an orderedGroup. The export writes rows
// of values (parquet.Row), never Go values: Value is not used.
type pqField struct {
	parquet.Node
	name string
}

func (f pqField) Name() string                      { return f.name }
func (f pqField) Value(reflect.Value) reflect.Value { return reflect.Value{} }
