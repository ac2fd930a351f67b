package xpath

import (
	"errors"
	"runtime"
	"strings"
	"testing"
)

// chain joins n copies of term with op: chain("1", "+", 3) is "1+1+1".
func chain(term, op string, n int) string {
	return strings.Repeat(term+op, n-1) + term
}

// allocated returns the bytes fn allocates.
func allocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestHostileExpressions checks that expressions past the bounds are one
// *SyntaxError wrapping ErrTooLong or ErrTooDeep, found with little
// memory, however long the input (a few million terms once crashed the
// parser's callers with a stack overflow and took gigabytes).
func TestHostileExpressions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want error
	}{
		{"flat sum of 3 million terms", chain("1", "+", 3_000_000), ErrTooLong},
		{"flat sum one past the bound", chain("1", "+", MaxTerms+1), ErrTooLong},
		{"and chain", chain("${a} = 1", " and ", MaxTerms), ErrTooLong},
		{"long path", "/" + chain("a", "/", MaxTerms+1), ErrTooLong},
		{"concat of many arguments", "concat(" + chain("'x'", ",", MaxTerms+1) + ")", ErrTooLong},
		{"a million parentheses", strings.Repeat("(", 1_000_000) + "1" + strings.Repeat(")", 1_000_000), ErrTooLong},
		{"a million minus signs", strings.Repeat("-", 1_000_000) + "1", ErrTooLong},
		{"deep parentheses", strings.Repeat("(", MaxDepth+1) + "1" + strings.Repeat(")", MaxDepth+1), ErrTooDeep},
		{"deep minus", strings.Repeat("-", MaxDepth+1) + "1", ErrTooDeep},
		{"deep predicates", strings.Repeat("a[", MaxDepth+1) + "1" + strings.Repeat("]", MaxDepth+1), ErrTooDeep},
		{"deep calls", strings.Repeat("abs(", MaxDepth+1) + "1" + strings.Repeat(")", MaxDepth+1), ErrTooDeep},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			used := allocated(func() { _, err = Parse(tt.src) })
			var se *SyntaxError
			if !errors.As(err, &se) || !errors.Is(err, tt.want) {
				t.Fatalf("Parse: %v, want a *SyntaxError wrapping %v", err, tt.want)
			}
			if strings.Contains(se.Msg, "\n") || se.Pos < 0 || se.Pos > len(tt.src) {
				t.Errorf("message %q at %d", se.Msg, se.Pos)
			}
			// The lexer stops at the bound: what it keeps is bounded by
			// maxTokens, whatever the length of the source.
			if limit := uint64(64 << 20); used > limit {
				t.Errorf("Parse allocated %d MiB, want under %d MiB", used>>20, limit>>20)
			}
		})
	}
}

// TestLargestExpressions checks that expressions at the bounds parse,
// print, list their references, resolve, compile and evaluate, with
// every walk over a flat chain as deep as the chain.
func TestLargestExpressions(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"flat sum", chain("1", "+", MaxTerms), "10000"},
		{"flat product", chain("1", " * ", MaxTerms), "1"},
		{"or chain", chain("1 = 2", " or ", MaxTerms/2), "false"},
		{"references", chain("${age}", " + ", MaxTerms), "340000"},
		{"deep parentheses", strings.Repeat("(", MaxDepth-1) + "1" + strings.Repeat(")", MaxDepth-1), "1"},
		{"deep if", strings.Repeat("if(true(), ", MaxDepth/2-1) + "1" + strings.Repeat(", 0)", MaxDepth/2-1), "1"}, // a call is two levels
	}
	ctx := household()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			used := allocated(func() {
				e, err := Parse(tt.src)
				if err != nil {
					t.Fatal(err)
				}
				again, err := Parse(e.String())
				if err != nil || again.String() != e.String() {
					t.Fatalf("printed form does not parse back: %v", err)
				}
				_ = e.References()
				if _, err := e.Resolve(func(r Ref) (string, error) { return "/data/" + r.Name, nil }); err != nil {
					t.Fatal(err)
				}
				e.Compile()
				v, err := e.Eval(ctx)
				if err != nil || String(v) != tt.want {
					t.Errorf("Eval = %v, %v; want %s", v, err, tt.want)
				}
			})
			if limit := uint64(64 << 20); used > limit {
				t.Errorf("allocated %d MiB, want under %d MiB", used>>20, limit>>20)
			}
		})
	}
}

// TestTerms checks what counts as a term: operands and path steps, not
// operators or punctuation.
func TestTerms(t *testing.T) {
	tests := []struct {
		src  string
		want int
	}{
		{"1 + 1", 2},
		{"concat(${a}, 'x', /data/b)", 5}, // concat, ${a}, 'x', data, b
		{"-(1)", 1},
		{"../a[. = 2]", 4},
		{chain("1", "+", MaxTerms), MaxTerms},
	}
	for _, tt := range tests {
		if got := MustParse(tt.src).Terms(); got != tt.want {
			t.Errorf("Terms(%.40q) = %d, want %d", tt.src, got, tt.want)
		}
	}
}
