package questionnaires

import "testing"

// TestJavaRosaNumbers: a form computes what ODK Collect (JavaRosa)
// computes for negative halves, decimal commas and exponent notation;
// an impossible date is "" (see xpath/testdata/divergences.txt).
func TestJavaRosaNumbers(t *testing.T) {
	f := loadTest(t, "testdata/engine/javarosa_numbers.md")
	tests := []struct {
		answers map[string]any
		want    map[string]string
	}{
		{map[string]any{"balance": "-2.5"}, map[string]string{"balance_rounded": "-2", "balance_tenths": "-2.5"}},
		{map[string]any{"balance": "-0.5"}, map[string]string{"balance_rounded": "0"}},
		{map[string]any{"balance": "-1.25"}, map[string]string{"balance_rounded": "-1", "balance_tenths": "-1.2"}},
		{map[string]any{"balance": "2.5"}, map[string]string{"balance_rounded": "3", "balance_tenths": "2.5"}},
		{map[string]any{"weight_text": "4,6"}, map[string]string{"weight": "4.6", "weight_doubled": "9.2"}},
		{map[string]any{"weight_text": "1e3"}, map[string]string{"weight": "NaN", "weight_doubled": "NaN"}},
		{map[string]any{"birth_text": "2023-02-30"}, map[string]string{"birth": "", "birth_known": "no"}},
		{map[string]any{"birth_text": "2024-02-29"}, map[string]string{"birth": "2024-02-29", "birth_known": "yes"}},
	}
	for _, tt := range tests {
		s, vs := Fill(f, tt.answers, Options{Now: fixedNow})
		if len(vs) > 0 {
			t.Fatalf("%v: %v", tt.answers, vs)
		}
		for name, want := range tt.want {
			if got, err := s.Eval("${" + name + "}"); err != nil || got != want {
				t.Errorf("%v: %s = %q (%v), want %q", tt.answers, name, got, err, want)
			}
		}
	}
}
