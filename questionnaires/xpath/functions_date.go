package xpath

import (
	"math"
	"time"
)

func init() {
	register(map[string]*function{
		"today":             {min: 0, max: 0, ret: kindDate, eval: fnToday},
		"now":               {min: 0, max: 0, ret: kindDate, eval: fnNow},
		"date":              {min: 1, max: 1, ret: kindAny, eval: dateFunc(false)},
		"date-time":         {min: 1, max: 1, ret: kindAny, eval: dateFunc(true)},
		"format-date":       {min: 2, max: 2, ret: kindString, eval: fnFormatDate, check: checkLiteral(1, checkDateFormat)},
		"format-date-time":  {min: 2, max: 2, ret: kindString, eval: fnFormatDate, check: checkLiteral(1, checkDateFormat)},
		"decimal-date-time": {min: 1, max: 1, ret: kindNumber, eval: fnDecimalDateTime},
		"decimal-time":      {min: 1, max: 1, ret: kindNumber, eval: fnDecimalTime},
	})
}

// fnToday is today's date on the Context's clock, in its zone.
func fnToday(st *state, _ *call) (Value, error) {
	y, m, d := st.now.In(st.loc).Date()
	return DateValue{Time: time.Date(y, m, d, 0, 0, 0, 0, time.UTC)}, nil
}

// fnNow is the Context's clock, to the millisecond.
func fnNow(st *state, _ *call) (Value, error) {
	return DateValue{Time: st.now.In(st.loc).Truncate(time.Millisecond), HasTime: true}, nil
}

// dateFunc builds date() and date-time(): a value that cannot be a date
// gives "" (JavaRosa raises an error; the web evaluators give "Invalid
// Date"; "" keeps a bad answer from stopping the interview and stores
// nothing false).
func dateFunc(keepTime bool) func(*state, *call) (Value, error) {
	return func(st *state, c *call) (Value, error) {
		v, err := st.value(c.args[0])
		if err != nil {
			return nil, err
		}
		if d, ok := toDateValue(v, keepTime, st.loc); ok {
			return d, nil
		}
		return StringValue(""), nil
	}
}

// fnFormatDate is format-date(value, format) and format-date-time(); ""
// when value is not a date.
func fnFormatDate(st *state, c *call) (Value, error) {
	v, err := st.value(c.args[0])
	if err != nil {
		return nil, err
	}
	format, err := st.argString(c, 1)
	if err != nil {
		return nil, err
	}
	d, ok := toDateValue(v, true, st.loc)
	if !ok {
		return StringValue(""), nil
	}
	s, err := formatDate(d, format)
	if err != nil {
		return nil, errAt(c.args[1], "%s(): %v", c.name, err)
	}
	return StringValue(s), nil
}

// fnDecimalDateTime is the number of days since 1970-01-01T00:00 (wall
// clock of the Context's zone) of a date-time; NaN when not a date.
func fnDecimalDateTime(st *state, c *call) (Value, error) {
	v, err := st.value(c.args[0])
	if err != nil {
		return nil, err
	}
	if n, ok := v.(NumberValue); ok {
		return n, nil
	}
	d, ok := toDateValue(v, true, st.loc)
	if !ok {
		return NumberValue(math.NaN()), nil
	}
	return NumberValue(dateToDays(d)), nil
}

// fnDecimalTime is the fraction of the day of a time or date-time, on the
// Context zone's wall clock; NaN when not a time.
func fnDecimalTime(st *state, c *call) (Value, error) {
	v, err := st.value(c.args[0])
	if err != nil {
		return nil, err
	}
	return NumberValue(decimalTime(v, st.loc, st.now)), nil
}
