package questionnaires

import "testing"

// TestNormalizeTime: typed times, with one or two hour digits, with or
// without seconds and a zone; never a panic on a short answer.
func TestNormalizeTime(t *testing.T) {
	tests := []struct{ in, want string }{
		{"7:30", "07:30:00"},
		{"07:30", "07:30:00"},
		{"23:59:59", "23:59:59"},
		{"08:56:00.000Z", "08:56:00.000Z"},
		{"08:56:00+03:00", "08:56:00.000+03:00"},
		{"7:3", ""},
		{"25:00", ""},
		{"", ""},
		{"noon", ""},
	}
	for _, tt := range tests {
		got, msg := normalizeTime(tt.in)
		if got != tt.want || (tt.want == "") != (msg != nil) {
			t.Errorf("normalizeTime(%q) = %q, %v; want %q", tt.in, got, msg, tt.want)
		}
	}
}
