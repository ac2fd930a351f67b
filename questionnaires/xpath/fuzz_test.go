package xpath

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, that its errors are
// *SyntaxError with a position inside the source, that String() output
// parses back to the same String(), and that evaluating without a form
// does not panic, and that the compiled expression gives what the tree
// walker gives on a form. Seeds are in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	ctx := FormlessContext{
		Clock: func() time.Time { return time.Date(2024, 5, 17, 9, 30, 0, 0, time.UTC) },
		Rand:  func() float64 { return 0.5 },
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := Parse(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q): %T %v, want *SyntaxError", src, err, err)
			}
			if se.Pos < 0 || se.Pos > len(src) {
				t.Fatalf("Parse(%q): position %d outside the source", src, se.Pos)
			}
			return
		}
		printed := e.String()
		again, err := Parse(printed)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q, which does not parse: %v", src, printed, err)
		}
		if s := again.String(); s != printed {
			t.Fatalf("round trip of %q: %q then %q", src, printed, s)
		}
		_, _ = e.Eval(ctx)
		// The compiled closures must agree with the tree walker.
		if strings.Contains(src, "uuid") {
			return
		}
		walkedV, walkedErr := e.Eval(household())
		e.Compile()
		compiledV, compiledErr := e.Eval(household())
		if (walkedErr == nil) != (compiledErr == nil) ||
			walkedErr == nil && String(walkedV) != String(compiledV) {
			t.Fatalf("%q: walked %v %v, compiled %v %v", src, walkedV, walkedErr, compiledV, compiledErr)
		}
	})
}
