package questionnaires

import _ "embed"

//go:embed demo/microwork.md
var demoForm []byte

// Demo returns the embedded demo questionnaire, a short interview on
// working conditions on micro-task platforms in English, French, Arabic,
// Malagasy and Spanish (pyxform markdown tables).
func Demo() (filename string, data []byte) {
	return "microwork.md", append([]byte(nil), demoForm...)
}
