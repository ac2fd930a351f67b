package locales

import (
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"sort"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

var update = flag.Bool("update", false, "rewrite glossary.md from glossary.json")

// glossary is locales/glossary.json: the product's core terms and their one
// rendering per language.
type glossary struct {
	About     string            `json:"about"`
	Languages map[string]string `json:"languages"`
	Terms     []glossaryTerm    `json:"terms"`
	StopWords struct {
		Words   []string            `json:"words"`
		Allowed map[string][]string `json:"allowed"`
	} `json:"english_stop_words"`
}

// glossaryTerm is one concept: its English name and definition, the English
// words that name it, and its rendering in every other language.
type glossaryTerm struct {
	ID         string              `json:"id"`
	En         string              `json:"en"`
	Definition string              `json:"definition"`
	EnMatch    []string            `json:"en_match"`
	EnIgnore   []string            `json:"en_ignore"`
	Exceptions map[string][]string `json:"exceptions"`
	raw        map[string]json.RawMessage
	render     map[string]rendering
}

// rendering is a term in one language: the chosen word, the forms any
// message about the concept contains, and the variants it must not use.
type rendering struct {
	Term         string   `json:"term"`
	Forms        []string `json:"forms"`
	Avoid        []string `json:"avoid"`
	Allow        []string `json:"allow"`
	Note         string   `json:"note"`
	Review       string   `json:"review"`
	Alternatives []string `json:"alternatives"`
}

func loadGlossary(t *testing.T) glossary {
	t.Helper()
	data, err := os.ReadFile("glossary.json")
	if err != nil {
		t.Fatal(err)
	}
	var g glossary
	if err := json.Unmarshal(data, &g); err != nil {
		t.Fatalf("glossary.json: %v", err)
	}
	var raws struct {
		Terms []map[string]json.RawMessage `json:"terms"`
	}
	if err := json.Unmarshal(data, &raws); err != nil {
		t.Fatalf("glossary.json: %v", err)
	}
	for i := range g.Terms {
		g.Terms[i].render = map[string]rendering{}
		for _, lang := range Supported[1:] {
			raw, ok := raws.Terms[i][lang]
			if !ok {
				continue
			}
			var r rendering
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatalf("glossary.json: term %q, %s: %v", g.Terms[i].ID, lang, err)
			}
			g.Terms[i].render[lang] = r
		}
	}
	return g
}

// catalogMessage is one message of one language as its catalog file holds it.
type catalogMessage struct {
	file  string // catalog/AREA/LANG.json
	key   string
	texts []string // the text, or every plural form
	e     entry
}

// catalogMessages reads every catalog file of lang, in key order.
func catalogMessages(t *testing.T, lang string) []catalogMessage {
	t.Helper()
	if err := LoadError(); err != nil {
		t.Fatal(err)
	}
	var out []catalogMessage
	err := fs.WalkDir(catalogFS, "catalog", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) != lang+".json" {
			return err
		}
		data, err := catalogFS.ReadFile(p)
		if err != nil {
			return err
		}
		raw := map[string]json.RawMessage{}
		if err := json.Unmarshal(data, &raw); err != nil {
			return err
		}
		for key := range raw {
			e := catalogs[lang][key]
			m := catalogMessage{file: "locales/" + p, key: key, e: e}
			if e.plural == nil {
				m.texts = []string{e.text}
			}
			for _, cat := range []string{"zero", "one", "two", "few", "many", "other"} {
				if s, ok := e.plural[cat]; ok {
					m.texts = append(m.texts, s)
				}
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("no %s catalog under locales/catalog", lang)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out
}

// normalize lower-cases s and drops what does not change a word: Arabic
// diacritics and tatweel, direction marks.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 0x064B && r <= 0x065F, r == 0x0670, r == 0x0640:
		case r == 0x200E, r == 0x200F, r == 0x061C, r >= 0x2066 && r <= 0x2069:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hasPhrase reports whether text holds phrase: anywhere in Arabic (which
// joins articles and prepositions to words), as whole words elsewhere.
func hasPhrase(lang, text, phrase string) bool {
	text, phrase = normalize(text), normalize(phrase)
	if lang == "ar" {
		return strings.Contains(text, phrase)
	}
	for i := 0; ; {
		j := strings.Index(text[i:], phrase)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(phrase)
		if !letterAt(text, start-1, true) && !letterAt(text, end, false) {
			return true
		}
		i = start + 1
	}
}

// letterAt reports whether a letter ends (before) or starts (!before) at byte i.
func letterAt(s string, i int, before bool) bool {
	if i < 0 || i >= len(s) {
		return false
	}
	var r rune
	if before {
		for k := i; k >= 0; k-- {
			if s[k]&0xC0 != 0x80 {
				r = []rune(s[k : i+1])[0]
				break
			}
		}
	} else {
		r = []rune(s[i:])[0]
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

var (
	fmtVerb = regexp.MustCompile(`%(\[\d+\])?[-+# 0]*\d*(\.\d+)?[a-zA-Z]`)
	// command is an enquete (or age, openssl) command line: its words and
	// flags are typed as they are, in every language.
	command   = regexp.MustCompile(`(^|[\s(«'` + "`" + `])(enquete|age|openssl)( (--?[\w-]+|[a-z][\w.-]*|%s|\S*[/.]\S*))+`)
	literal   = regexp.MustCompile(`--[\w-]+|\S+\+\S+\+[^\s)]+|\b\w*_\w*\b|,\w+(,\w+)+|\bhttps?://\S+|\S+\.example\.\S+|\S*[/\\]\S*|\b[\w-]+\.[a-z]{2,5}\b|\$\{[^}]*\}|[\w-]+\([^)]*\)`)
	upperWord = regexp.MustCompile(`\b[\p{Lu}_…][\p{Lu}\d_…-]+\b`)
	quoted    = regexp.MustCompile(`'[^']*'|«[^»]*»|"[^"]*"`)
)

// stripCode removes what is typed as is rather than translated: format
// verbs, command lines, flags, addresses and paths.
func stripCode(s string) string {
	s = fmtVerb.ReplaceAllString(s, " ")
	s = command.ReplaceAllString(s, " ")
	return literal.ReplaceAllString(s, " ")
}

// stripLiterals also removes placeholders in capitals and quoted names.
func stripLiterals(s string) string {
	s = stripCode(s)
	s = quoted.ReplaceAllString(s, " ")
	return upperWord.ReplaceAllString(s, " ")
}

func glossaryDocHint(term glossaryTerm, lang string) string {
	return fmt.Sprintf("glossary term %q: use %q (locales/glossary.md)", term.ID, term.render[lang].Term)
}

// TestGlossaryComplete fails when a term lacks its definition or a
// rendering in some interface language, or when a rendering's own forms are
// among the variants it forbids.
func TestGlossaryComplete(t *testing.T) {
	g := loadGlossary(t)
	seen := map[string]bool{}
	for _, term := range g.Terms {
		if term.ID == "" || term.En == "" || term.Definition == "" {
			t.Errorf("glossary.json: term %q needs id, en and definition", term.ID)
		}
		if seen[term.ID] {
			t.Errorf("glossary.json: term %q defined twice", term.ID)
		}
		seen[term.ID] = true
		for _, lang := range Supported[1:] {
			r, ok := term.render[lang]
			if !ok || r.Term == "" || len(r.Forms) == 0 {
				t.Errorf("glossary.json: term %q has no %s rendering (term and forms): a language is added to the glossary first", term.ID, lang)
				continue
			}
			for _, f := range r.Forms {
				for _, a := range r.Avoid {
					if hasPhrase(lang, f, a) {
						t.Errorf("glossary.json: term %q, %s: form %q contains the forbidden variant %q", term.ID, lang, f, a)
					}
				}
			}
		}
	}
}

// TestGlossaryForbiddenVariants fails when a message uses a variant the
// glossary forbids for a term in that language.
func TestGlossaryForbiddenVariants(t *testing.T) {
	g := loadGlossary(t)
	for _, lang := range Supported[1:] {
		for _, m := range catalogMessages(t, lang) {
			for _, text := range m.texts {
				text = stripCode(text)
				for _, term := range g.Terms {
					r := term.render[lang]
					for _, a := range r.Allow {
						text = strings.ReplaceAll(text, a, " ")
					}
					for _, bad := range r.Avoid {
						if hasPhrase(lang, text, bad) {
							t.Errorf("%s: key %q says %q, a forbidden variant; %s\n\t%s", m.file, m.key, bad, glossaryDocHint(term, lang), text)
						}
					}
				}
			}
		}
	}
}

// TestGlossaryRenderingUsed fails when English names a glossary term and the
// translation has none of the term's forms: the concept got another word.
func TestGlossaryRenderingUsed(t *testing.T) {
	g := loadGlossary(t)
	english, shown := map[string]string{}, map[string]string{}
	for _, m := range catalogMessages(t, Default) {
		english[m.key] = stripLiterals(strings.Join(m.texts, "\n"))
		shown[m.key] = m.texts[len(m.texts)-1]
	}
	for _, lang := range Supported[1:] {
		messages := catalogMessages(t, lang)
		for _, term := range g.Terms {
			if len(term.EnMatch) == 0 {
				continue
			}
			except := map[string]bool{}
			for _, k := range append(term.Exceptions["*"], term.Exceptions[lang]...) {
				except[k] = true
			}
			ignore := ignorePattern(term)
			for _, m := range messages {
				en, ok := english[m.key]
				if !ok || except[m.key] || !namesTerm(term, ignore, en) {
					continue
				}
				if !hasAnyForm(lang, term.render[lang].Forms, strings.Join(m.texts, "\n")) {
					t.Errorf("%s: key %q: English says %q, the translation has none of %q; %s, or, if the English word means something else here, add %q to the exceptions of term %q in locales/glossary.json\n\tEN: %s\n\t%s: %s",
						m.file, m.key, term.En, term.render[lang].Forms, glossaryDocHint(term, lang), m.key, term.ID, shown[m.key], lang, m.texts[len(m.texts)-1])
				}
			}
		}
	}
}

// ignorePattern matches the English phrases where a term's word means
// something else; nil when there are none.
func ignorePattern(term glossaryTerm) *regexp.Regexp {
	if len(term.EnIgnore) == 0 {
		return nil
	}
	var quoted []string
	for _, p := range term.EnIgnore {
		quoted = append(quoted, regexp.QuoteMeta(p))
	}
	return regexp.MustCompile(`(?i)` + strings.Join(quoted, "|"))
}

func namesTerm(term glossaryTerm, ignore *regexp.Regexp, en string) bool {
	if ignore != nil {
		en = ignore.ReplaceAllString(en, " ")
	}
	for _, w := range term.EnMatch {
		if hasPhrase(Default, en, w) {
			return true
		}
	}
	return false
}

func hasAnyForm(lang string, forms []string, text string) bool {
	text = normalize(text)
	for _, f := range forms {
		if strings.Contains(text, normalize(f)) {
			return true
		}
	}
	return false
}

var asciiWord = regexp.MustCompile(`\pL+`)

// TestNoEnglishLeft fails when a translation keeps an English word of the
// stop list outside commands, flags, placeholders and quoted names.
func TestNoEnglishLeft(t *testing.T) {
	g := loadGlossary(t)
	for _, lang := range Supported[1:] {
		stop := map[string]bool{}
		for _, w := range g.StopWords.Words {
			stop[w] = true
		}
		for _, w := range g.StopWords.Allowed[lang] {
			delete(stop, w)
		}
		for _, m := range catalogMessages(t, lang) {
			for _, text := range m.texts {
				for _, w := range asciiWord.FindAllString(stripLiterals(text), -1) {
					if stop[w] {
						t.Errorf("%s: key %q keeps the English word %q: translate it (see locales/glossary.md)\n\t%s", m.file, m.key, w, text)
					}
				}
			}
		}
	}
}

var countWords = regexp.MustCompile(`%(\[\d+\])?d((?: [a-z-]+){1,2})`)

// notNouns are words after a number that show it is not a count.
var notNouns = map[string]bool{"is": true, "was": true, "has": true, "does": true, "as": true, "its": true, "to": true}

// adjectives may stand between a count and its noun ("3 waiting records").
var adjectives = map[string]bool{"waiting": true, "good": true, "sensitive": true, "state": true, "sealed": true, "unsigned": true, "more": true, "new": true, "other": true, "outbox": true}

// showsCount reports whether an English text counts something: a count
// followed by a plural noun, right after it or after one adjective. The
// "4" of "4 of 5 records" is not counted: "5 records" is.
func showsCount(s string) bool {
	for _, loc := range countWords.FindAllStringSubmatchIndex(s, -1) {
		if strings.HasSuffix(s[:loc[0]], "of ") {
			continue
		}
		words := strings.Fields(s[loc[4]:loc[5]])
		if notNouns[words[0]] {
			continue
		}
		if len(words) > 1 && adjectives[words[0]] {
			words = words[1:]
		}
		if w := words[0]; len(w) > 3 && strings.HasSuffix(w, "s") && !strings.HasSuffix(w, "ss") {
			return true
		}
	}
	return false
}

// TestCountsArePlural fails when a message shows a count without plural
// forms, or when English has plural forms and a translation has not.
func TestCountsArePlural(t *testing.T) {
	for _, m := range catalogMessages(t, Default) {
		if m.e.plural == nil && showsCount(m.e.text) {
			t.Errorf("%s: key %q shows a count: give it plural forms (%s)\n\t%s", m.file, m.key, "en one/other, fr/es one/many/other, ar zero/one/two/few/many/other, mg one/other", m.e.text)
		}
		if m.e.plural == nil {
			continue
		}
		for _, lang := range Supported[1:] {
			if e, ok := catalogs[lang][m.key]; ok && e.plural == nil {
				t.Errorf("key %q: English has plural forms, %s has a single text: give it %v", m.key, lang, PluralCategories(lang))
			}
		}
	}
}

// verbsByArg maps each argument index of a format to its verb letter.
func verbsByArg(s string) map[int]byte {
	out := map[int]byte{}
	next := 1
	for _, loc := range fmtVerb.FindAllStringSubmatchIndex(s, -1) {
		if loc[0] > 0 && s[loc[0]-1] == '%' {
			continue
		}
		idx := next
		if loc[2] >= 0 {
			fmt.Sscanf(s[loc[2]+1:loc[3]-1], "%d", &idx)
		}
		out[idx] = s[loc[1]-1]
		next = idx + 1
	}
	return out
}

// TestPlaceholdersAgree fails when a translation gives an argument another
// verb than English (%s for %d), or uses an argument English has not.
func TestPlaceholdersAgree(t *testing.T) {
	for _, en := range catalogMessages(t, Default) {
		want := map[int]byte{}
		for _, s := range en.texts {
			for i, v := range verbsByArg(s) {
				want[i] = v
			}
		}
		for _, lang := range Supported[1:] {
			e, ok := catalogs[lang][en.key]
			if !ok {
				continue
			}
			texts := []string{e.text}
			for _, s := range e.plural {
				texts = append(texts, s)
			}
			for _, s := range texts {
				for i, v := range verbsByArg(s) {
					if w, ok := want[i]; !ok || w != v {
						t.Errorf("%s: key %q: argument %d is %%%c, English has %%%c\n\t%s", lang, en.key, i, v, w, s)
					}
				}
			}
		}
	}
}

var (
	arabicLatinPunct  = regexp.MustCompile(`[\p{Arabic}][,;?]`)
	bareExtension     = regexp.MustCompile(`(^|[\s(\p{Arabic}])\.(xlsx|xls|csv|md|age|json|zip|txt)\b`)
	arabicNumberTwice = regexp.MustCompile(`\(%(\[\d+\])?d\)`)
)

// TestArabicTypography fails on Latin punctuation after Arabic words, a file
// extension without the left-to-right mark that keeps its dot in place, and
// a "one" or "two" form that repeats the number it already spells.
func TestArabicTypography(t *testing.T) {
	for _, m := range catalogMessages(t, "ar") {
		for _, text := range m.texts {
			if loc := arabicLatinPunct.FindStringIndex(text); loc != nil {
				t.Errorf("%s: key %q: use Arabic punctuation (، ؛ ؟) after an Arabic word: %q\n\t%s", m.file, m.key, text[loc[0]:loc[1]], text)
			}
			if loc := bareExtension.FindStringIndex(text); loc != nil {
				t.Errorf("%s: key %q: put a left-to-right mark (U+200E) before %q so the dot stays with the extension\n\t%s", m.file, m.key, strings.TrimSpace(text[loc[0]:loc[1]]), text)
			}
		}
		if !startsRightToLeft(m.texts) {
			t.Errorf("%s: key %q opens with Latin text or a name: start it with a right-to-left mark (U+200F) so the line reads right to left\n\t%s", m.file, m.key, m.texts[0])
		}
		for _, cat := range []string{"zero", "one", "two"} {
			if s := m.e.plural[cat]; arabicNumberTwice.MatchString(s) {
				t.Errorf("%s: key %q: the %q form spells the number: drop the \"(%%d)\" (use %%[n] for the arguments after it)\n\t%s", m.file, m.key, cat, s)
			}
		}
	}
}

// startsRightToLeft reports whether every text's first strong character
// is Arabic or a right-to-left mark; a %s argument counts as Latin, a
// number as neutral.
func startsRightToLeft(texts []string) bool {
	for _, text := range texts {
		for i := 0; i < len(text); {
			loc := fmtVerb.FindStringIndex(text[i:])
			if loc != nil && loc[0] == 0 {
				if text[i+loc[1]-1] != 'd' {
					return false
				}
				i += loc[1]
				continue
			}
			r, size := utf8.DecodeRuneInString(text[i:])
			if r == 0x200F || unicode.Is(unicode.Arabic, r) {
				break
			}
			if unicode.IsLetter(r) || r == 0x200E {
				return false
			}
			i += size
		}
	}
	return true
}

var asciiQuotes = regexp.MustCompile(`(^|[\s(])'[^'\s][^']*'|[“”]`)

// TestFrenchQuotes fails when French quotes with anything but « ».
func TestFrenchQuotes(t *testing.T) {
	for _, m := range catalogMessages(t, "fr") {
		for _, text := range m.texts {
			if asciiQuotes.MatchString(text) {
				t.Errorf("%s: key %q: French quotes with « » (a space inside)\n\t%s", m.file, m.key, text)
			}
		}
	}
}

// TestGlossaryDoc fails when glossary.md is not the rendering of
// glossary.json; -update rewrites it.
func TestGlossaryDoc(t *testing.T) {
	g := loadGlossary(t)
	doc := renderGlossary(g)
	if *update {
		if err := os.WriteFile("glossary.md", []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	have, err := os.ReadFile("glossary.md")
	if err != nil {
		t.Fatal(err)
	}
	if string(have) != doc {
		t.Errorf("locales/glossary.md is not in step with glossary.json: run go test ./locales -run TestGlossaryDoc -update")
	}
}

func renderGlossary(g glossary) string {
	var b strings.Builder
	b.WriteString("# Enquête glossary\n\n")
	b.WriteString("<!-- Generated from glossary.json by `go test ./locales -run TestGlossaryDoc -update`: edit the JSON, not this file. -->\n\n")
	b.WriteString("One word per concept and per language. Translators read this first, then the catalogs (`catalog/AREA/LANG.json`); `go test ./locales` checks that the catalogs use these words and none of the words to avoid. ")
	b.WriteString("Terms marked **review** wait for a native speaker's confirmation.\n\n")
	var langs []string
	for _, l := range Supported[1:] {
		langs = append(langs, l)
	}
	b.WriteString("| term | definition |")
	for _, l := range langs {
		fmt.Fprintf(&b, " %s |", g.Languages[l])
	}
	b.WriteString("\n|---|---|")
	for range langs {
		b.WriteString("---|")
	}
	b.WriteString("\n")
	for _, term := range g.Terms {
		fmt.Fprintf(&b, "| **%s** | %s |", term.En, term.Definition)
		for _, l := range langs {
			r := term.render[l]
			cell := "**" + r.Term + "**"
			if len(r.Avoid) > 0 {
				cell += "<br>avoid: " + strings.Join(r.Avoid, ", ")
			}
			if r.Review != "" {
				cell += "<br>review"
				if len(r.Alternatives) > 0 {
					cell += " (or " + strings.Join(r.Alternatives, ", ") + ")"
				}
			}
			fmt.Fprintf(&b, " %s |", cell)
		}
		b.WriteString("\n")
	}
	b.WriteString("\n## Notes\n\n")
	for _, term := range g.Terms {
		for _, l := range langs {
			r := term.render[l]
			if r.Note != "" || r.Review != "" {
				fmt.Fprintf(&b, "- **%s**, %s: ", term.En, g.Languages[l])
				var parts []string
				if r.Note != "" {
					parts = append(parts, r.Note)
				}
				if r.Review != "" {
					p := r.Review
					if len(r.Alternatives) > 0 {
						p += "; alternatives: " + strings.Join(r.Alternatives, ", ")
					}
					parts = append(parts, p)
				}
				b.WriteString(strings.Join(parts, "; ") + ".\n")
			}
		}
	}
	b.WriteString("\n## English words that must not stay in a translation\n\n")
	b.WriteString(strings.Join(g.StopWords.Words, ", ") + ".\n\n")
	b.WriteString("Commands, flags, placeholders in capitals, paths and quoted names are typed as they are and are not checked. Words a language shares with English:\n\n")
	for _, l := range langs {
		if a := g.StopWords.Allowed[l]; len(a) > 0 {
			fmt.Fprintf(&b, "- %s: %s\n", g.Languages[l], strings.Join(a, ", "))
		}
	}
	return b.String()
}
