package report

import "testing"

// TestQuantile checks the quartiles against R's quantile() (type 7).
func TestQuantile(t *testing.T) {
	tests := []struct {
		values []float32
		q      float64
		want   float32
	}{
		{[]float32{5, 6, 20, 22, 24, 25, 30, 40}, 0.5, 23},
		{[]float32{5, 6, 20, 22, 24, 25, 30, 40}, 0.25, 16.5},
		{[]float32{5, 6, 20, 22, 24, 25, 30, 40}, 0.75, 26.25},
		{[]float32{40, 5, 30}, 0.5, 30},
		{[]float32{7}, 0.25, 7},
		{[]float32{1, 2}, 1, 2},
	}
	for _, tt := range tests {
		var s Sample
		for _, v := range tt.values {
			s.Add(v)
		}
		if got, ok := s.Quantile(tt.q); !ok || got != tt.want {
			t.Errorf("quantile %v of %v = %v, want %v", tt.q, tt.values, got, tt.want)
		}
	}
	var empty Sample
	if _, ok := empty.Quantile(0.5); ok {
		t.Error("an empty sample has a median")
	}
}

// TestHistogram checks the bins: round widths, every number counted once.
func TestHistogram(t *testing.T) {
	var s Sample
	for _, v := range []float32{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10} {
		s.Add(v)
	}
	bins := s.Histogram(5, true)
	total := 0
	for _, b := range bins {
		total += b.N
		if b.Hi-b.Lo != 2 {
			t.Errorf("bin %v: width %v, want 2", b, b.Hi-b.Lo)
		}
	}
	if total != 11 || len(bins) != 6 {
		t.Errorf("%d bins holding %d numbers, want 6 holding 11", len(bins), total)
	}
}
