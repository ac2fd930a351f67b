package questionnaires

import (
	"math"
	"strconv"
)

// numberCell writes a numeric cell's value as pyxform does (its
// xlsx_value_to_str and xls_value_to_unicode): a whole number without a
// fraction or an exponent, whatever the spreadsheet stored ("1.0",
// "2.024091201E9" and "1.0E7" read 1, 2024091201 and 10000000), any
// other number as Python prints a float (0.5, 1.5e-05).
func numberCell(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return strconv.FormatFloat(v, 'g', -1, 64)
	case v == 0:
		return "0" // -0 too, as Python's int(-0.0)
	case v == math.Trunc(v):
		return strconv.FormatFloat(v, 'f', 0, 64)
	case math.Abs(v) < 1e-4:
		return strconv.FormatFloat(v, 'g', -1, 64) // Python's repr: 1e-05
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
