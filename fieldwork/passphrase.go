package fieldwork

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
)

// The passphrase rule.
//
// The device passphrase is what stands between a stolen laptop and its
// drafts: device.age is an age scrypt file, and whoever copies it can try
// passphrases offline, about one a second per core at work factor 2^18, far
// more on a cluster. So the rule, the same from a terminal, the screens or
// --passphrase-file:
//
//   - at least [MinPassphraseRunes] characters (crypto refuses fewer too);
//   - not the same few characters over and over ("aaaaaaaaaaaa",
//     "abcabcabcabc": fewer than 5 different ones, or one part repeated);
//   - not a sequence: counting only the characters that a guessing program
//     could not predict from the one before (the same one, the next or
//     previous letter or digit, a neighbour on a QWERTY or AZERTY
//     keyboard), at least 5 ("abcdefghijklm", "1234567890123",
//     "qwertyuiopas", "1qaz2wsx3edc" have 1 to 3);
//   - not a common password, nor an installed project's id or "enquete",
//     give or take capitals, spaces, look-alike digits ("p4ssw0rd") and
//     digits or signs around it ("Password2024!").
//
// Four or more unrelated words pass easily and are remembered; the message
// says why a passphrase is refused and suggests that. Existing devices
// whose passphrase fails the rule still open: the fieldworker is told to
// change it ([Service.PassphraseNotice]).

// MinPassphraseRunes is the shortest device passphrase Enquête accepts,
// from a terminal, a screen or a file alike.
const MinPassphraseRunes = crypto.MinPassphraseRunes

// minDistinct and minSurprises are the repetition and sequence limits.
const (
	minDistinct  = 5
	minSurprises = 5
)

// CheckPassphrase applies the one passphrase rule to a new device
// passphrase; avoid are further words it must not be (installed project
// ids). The error says why, with a hint of what to do.
func CheckPassphrase(passphrase string, avoid ...string) error {
	hint := func(e *locales.Error) error { return e.Hint("fieldwork.passphrase.hint") }
	if utf8.RuneCountInString(passphrase) < MinPassphraseRunes {
		return hint(locales.Errorf("fieldwork.passphrase_short", MinPassphraseRunes))
	}
	core := squeeze(passphrase)
	if distinct(core) < minDistinct || periodic(core) {
		return hint(locales.Errorf("fieldwork.passphrase_repeated"))
	}
	if surprises(core) < minSurprises {
		return hint(locales.Errorf("fieldwork.passphrase_sequence"))
	}
	word := bareWord(core)
	for _, a := range append([]string{"enquete", "enquête"}, avoid...) {
		if a != "" && word == bareWord(squeeze(a)) {
			return hint(locales.Errorf("fieldwork.passphrase_project", a))
		}
	}
	if commonPasswords[word] {
		return hint(locales.Errorf("fieldwork.passphrase_common"))
	}
	return nil
}

// checkPassphrase is [CheckPassphrase] avoiding the installed projects' ids.
func (s *Service) checkPassphrase(passphrase string) error {
	var ids []string
	if projects, err := s.home.Projects(); err == nil {
		for _, p := range projects {
			ids = append(ids, p.ID)
		}
	}
	return CheckPassphrase(passphrase, ids...)
}

// PassphraseNotice is, after [Service.Unlock] with a passphrase that
// today's rule refuses, a notice saying why and how to change it (faces
// show it once, after unlocking); nil otherwise.
func (s *Service) PassphraseNotice() error { return s.weak }

// weakPassphraseNotice turns a rule's refusal into the unlock notice.
func weakPassphraseNotice(why error) error {
	return locales.Errorf("fieldwork.passphrase_weak", why).Hint("fieldwork.passphrase_weak.hint")
}

// squeeze is s in lower case without spaces and the separators people put
// between words.
func squeeze(s string) []rune {
	var out []rune
	for _, r := range strings.ToLower(s) {
		if unicode.IsSpace(r) || r == '-' || r == '_' || r == '.' {
			continue
		}
		out = append(out, r)
	}
	return out
}

// distinct counts the different characters of s.
func distinct(s []rune) int {
	seen := map[rune]bool{}
	for _, r := range s {
		seen[r] = true
	}
	return len(seen)
}

// periodic reports whether s is one part repeated (at least twice, the
// last time maybe cut short): "abcabcab", "passpass".
func periodic(s []rune) bool {
	for p := 1; p <= len(s)/2; p++ {
		same := true
		for i := p; i < len(s) && same; i++ {
			same = s[i] == s[i-p]
		}
		if same {
			return true
		}
	}
	return false
}

// surprises counts the characters of s a guessing program could not
// predict from the one before: not the same, not the next or previous in
// the alphabet or the digits, not a keyboard neighbour.
func surprises(s []rune) int {
	n := 0
	for i, r := range s {
		if i == 0 || !predictable(s[i-1], r) {
			n++
		}
	}
	return n
}

func predictable(prev, r rune) bool {
	if d := r - prev; d >= -1 && d <= 1 {
		return true
	}
	if prev == '9' && r == '0' || prev == '0' && r == '1' {
		return true // 1234567890 1234…
	}
	for _, kb := range keyboards {
		a, okA := kb[prev]
		b, okB := kb[r]
		if okA && okB && abs(a[0]-b[0]) <= 1 && abs(a[1]-b[1]) <= 1 {
			return true
		}
	}
	return false
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// keyboards maps each key of QWERTY and AZERTY to its row and column.
var keyboards = []map[rune][2]int{
	grid("1234567890-=", "qwertyuiop[]", "asdfghjkl;'", "zxcvbnm,./"),
	grid("&é\"'(-è_çà)=", "azertyuiop^$", "qsdfghjklmù*", "<wxcvbn,;:!"),
}

func grid(rows ...string) map[rune][2]int {
	g := map[rune][2]int{}
	for r, row := range rows {
		for c, k := range []rune(row) {
			g[k] = [2]int{r, c}
		}
	}
	// The digits sit on the top row of AZERTY too (with shift).
	if _, ok := g['1']; !ok {
		for c, k := range "1234567890" {
			g[k] = [2]int{0, c}
		}
	}
	return g
}

// bareWord is s without the digits and signs around it, with look-alike
// digits and signs read as the letters they stand for: what a guessing
// program's rules turn back into a dictionary word.
func bareWord(s []rune) string {
	isCore := func(r rune) bool { return unicode.IsLetter(r) }
	start, end := 0, len(s)
	for start < end && !isCore(s[start]) {
		start++
	}
	for end > start && !isCore(s[end-1]) {
		end--
	}
	var b strings.Builder
	for _, r := range s[start:end] {
		if l, ok := leet[r]; ok {
			r = l
		}
		b.WriteRune(r)
	}
	return b.String()
}

var leet = map[rune]rune{'0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', '$': 's', '!': 'i'}

// commonPasswords are passwords (and the words behind them) that guessing
// programs try first, in the project's languages, as bareWord leaves them.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`
		password passwords passwort passphrase motdepasse phrasesecrete phrasedepasse
		contrasena contraseña clave frasedecontrasena frasedecontraseña tenymiafina
		fehezantenymiafina tenysolafaka teny kilemaina
		qwerty qwertyuiop azerty azertyuiop qwertz
		letmein iloveyou jetaime teamo tiavinaoianao tiakoianao welcome bienvenue
		bienvenido tongasoa admin administrator administrateur root secret secreto
		sunshine princess football soccer futbol monkey dragon master baseball
		superman batman shadow trustno michael jordan pokemon starwars whatever
		freedom liberte libertad changeme default changeit survey fieldwork
		fieldworker enqueteur encuesta encuestador bonjour salut soleil hola
		salama manahoana madagascar antananarivo tana bolivia lapaz cochabamba
		santacruz sucre paris france espana mexico allahuakbar bismillah
	`) {
		m[w] = true
	}
	return m
}()
