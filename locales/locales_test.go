package locales

import (
	"errors"
	"fmt"
	"testing"
)

// TestCatalogsComplete fails when a catalog misses a key another language
// has, or a plural message misses a form its language needs.
func TestCatalogsComplete(t *testing.T) {
	if err := LoadError(); err != nil {
		t.Fatal(err)
	}
	all := map[string]bool{}
	for _, lang := range Supported {
		for _, k := range Keys(lang) {
			all[k] = true
		}
	}
	for _, lang := range Supported {
		for key := range all {
			e, ok := catalogs[lang][key]
			if !ok {
				t.Errorf("%s: missing key %q", lang, key)
				continue
			}
			if e.plural == nil {
				continue
			}
			for _, cat := range PluralCategories(lang) {
				if e.plural[cat] == "" {
					t.Errorf("%s: key %q misses plural form %q", lang, key, cat)
				}
			}
		}
	}
}

// TestCatalogVerbsAgree fails when a translation uses other fmt verbs than
// English, which would print %!s(MISSING) or drop an argument.
func TestCatalogVerbsAgree(t *testing.T) {
	for _, key := range Keys(Default) {
		want := verbCount(catalogs[Default][key])
		for _, lang := range Supported[1:] {
			e, ok := catalogs[lang][key]
			if !ok {
				continue
			}
			if got := verbCount(e); got != want {
				t.Errorf("%s: key %q uses %d arguments, English uses %d", lang, key, got, want)
			}
		}
	}
}

func verbCount(e entry) int {
	texts := []string{e.text}
	for _, v := range e.plural {
		texts = append(texts, v)
	}
	max := 0
	for _, s := range texts {
		n := 0
		seen := map[int]bool{}
		for i := 0; i < len(s); i++ {
			if s[i] != '%' || i+1 >= len(s) {
				continue
			}
			if s[i+1] == '%' {
				i++
				continue
			}
			if s[i+1] == '[' {
				var idx int
				fmt.Sscanf(s[i+2:], "%d", &idx)
				seen[idx] = true
				continue
			}
			n++
		}
		if len(seen) > n {
			n = len(seen)
		}
		if n > max {
			max = n
		}
	}
	return max
}

func TestPluralCategory(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "other"}, {"en", 1, "one"}, {"en", 2, "other"},
		{"fr", 0, "one"}, {"fr", 1, "one"}, {"fr", 2, "other"}, {"fr", 1000000, "many"},
		{"es", 0, "other"}, {"es", 1, "one"}, {"es", 5, "other"},
		{"mg", 0, "one"}, {"mg", 1, "one"}, {"mg", 2, "other"},
		{"ar", 0, "zero"}, {"ar", 1, "one"}, {"ar", 2, "two"}, {"ar", 3, "few"},
		{"ar", 10, "few"}, {"ar", 11, "many"}, {"ar", 99, "many"}, {"ar", 100, "other"},
		{"ar", 103, "few"}, {"ar", 111, "many"}, {"ar_EG.UTF-8", 2, "two"},
	}
	for _, tt := range tests {
		if got := PluralCategory(tt.lang, tt.n); got != tt.want {
			t.Errorf("PluralCategory(%q, %d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		flag string
		env  map[string]string
		want string
	}{
		{"fr", map[string]string{"LANG": "es_ES.UTF-8"}, "fr"},
		{"", map[string]string{"LANG": "es_ES.UTF-8"}, "es"},
		{"", map[string]string{"LANGUAGE": "de:ar", "LANG": "fr_FR.UTF-8"}, "ar"},
		{"", map[string]string{"LC_ALL": "C", "LANG": "mg_MG.UTF-8"}, "mg"},
		{"", map[string]string{"LC_MESSAGES": "fr_BE"}, "fr"},
		{"", map[string]string{}, "en"},
		{"xx", map[string]string{"LANG": "ar_EG.UTF-8"}, "ar"},
	}
	for _, tt := range tests {
		got := detect(tt.flag, func(k string) string { return tt.env[k] })
		if got != tt.want {
			t.Errorf("detect(%q, %v) = %q, want %q", tt.flag, tt.env, got, tt.want)
		}
	}
}

func TestLocalize(t *testing.T) {
	err := Errorf("cli.error").Hint("cli.hint")
	wrapped := fmt.Errorf("context: %w", err)
	msg, hints := Localize(wrapped, "fr")
	if msg != "erreur" || len(hints) != 1 || hints[0] != "conseil" {
		t.Errorf("Localize = %q %q", msg, hints)
	}
	if err.Error() != "error" {
		t.Errorf("Error() = %q, want English", err.Error())
	}
	plain := errors.New("plain")
	if msg, _ := Localize(plain, "ar"); msg != "plain" {
		t.Errorf("Localize(plain) = %q", msg)
	}
	if got := T("fr", "no.such.key"); got != "no.such.key" {
		t.Errorf("missing key = %q", got)
	}
}

func TestUnusedArgumentDropped(t *testing.T) {
	if got := N("ar", "cli.n_problems", 0, 0); got != "لا مشكلات" {
		t.Errorf("N(ar, 0) = %q", got)
	}
	if got := N("en", "cli.n_problems", 3, 3); got != "3 problems" {
		t.Errorf("N(en, 3) = %q", got)
	}
}

func TestPluralMessageArgument(t *testing.T) {
	err := Errorf("cli.verify_failed", Message{Key: "cli.n_problems", Args: []any{1}})
	if got := err.Error(); got != "verification found 1 problem" {
		t.Errorf("Error() = %q", got)
	}
	if got, _ := Localize(err, "ar"); got != "وجد التحقق مشكلة واحدة" {
		t.Errorf("Localize(ar) = %q", got)
	}
}
