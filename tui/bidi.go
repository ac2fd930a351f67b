package tui

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/bidi"
)

// BidiMode is how right-to-left text reaches the screen. Terminals
// differ: some reorder Arabic themselves (GNOME Terminal), others show it
// in memory order, that is reversed (Windows Terminal). The first run asks
// with a calibration line; the settings screen changes it.
type BidiMode int

const (
	// BidiTerminal writes text in logical order, right-aligned: the
	// terminal reorders it.
	BidiTerminal BidiMode = iota
	// BidiReorder writes right-to-left text in visual order, right-aligned:
	// Enquête reorders it for terminals that do not.
	BidiReorder
	// BidiOff writes everything in logical order, left-aligned.
	BidiOff
)

// bidiNames are the modes as kept in settings.
var bidiNames = [...]string{BidiTerminal: "terminal", BidiReorder: "reorder", BidiOff: "off"}

// String is the mode's name as kept in settings: terminal, reorder, off.
func (m BidiMode) String() string { return bidiNames[m] }

// ParseBidiMode reads a mode's name; ok is false for anything else
// (including "", not chosen yet).
func ParseBidiMode(s string) (m BidiMode, ok bool) {
	for i, n := range bidiNames {
		if n == s {
			return BidiMode(i), true
		}
	}
	return BidiTerminal, false
}

// hasRTL reports whether s holds a right-to-left letter.
func hasRTL(s string) bool {
	for _, r := range s {
		if r >= 0x0590 && r <= 0x08FF || r >= 0xFB1D && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF {
			return true
		}
	}
	return false
}

// bidi kinds of a grapheme cluster, after the rules of UAX #9 that matter
// for one line of a right-to-left paragraph.
const (
	kindR   = iota // Arabic, Hebrew letters
	kindL          // Latin and other left-to-right letters
	kindNum        // digits (kept left to right)
	kindN          // neutral: spaces, punctuation
)

// visual returns one line of a right-to-left paragraph in visual order,
// left to right, as a terminal that does no reordering must receive it:
// right-to-left runs reversed grapheme by grapheme (combining marks stay
// on their letter), left-to-right words and numbers kept as they are,
// mirrored brackets flipped. Lines without right-to-left letters, and
// lines with escape sequences, come back unchanged.
func visual(line string) string {
	if !hasRTL(line) {
		return line
	}
	line = ansi.Strip(line)
	var clusters []string
	var kinds []int
	g := uniseg.NewGraphemes(line)
	for g.Next() {
		c := g.Str()
		clusters = append(clusters, c)
		kinds = append(kinds, kindOfCluster(c))
	}
	levels := resolveLevels(kinds)
	// Reverse the whole line (level 1), then put level-2 runs back in order.
	n := len(clusters)
	out := make([]string, n)
	lv := make([]int, n)
	for i := range clusters {
		out[n-1-i], lv[n-1-i] = clusters[i], levels[i]
	}
	for i := 0; i < n; {
		if lv[i] != 2 {
			if m, ok := mirrored[out[i]]; ok {
				out[i] = m
			}
			i++
			continue
		}
		j := i
		for j < n && lv[j] == 2 {
			j++
		}
		for a, b := i, j-1; a < b; a, b = a+1, b-1 {
			out[a], out[b] = out[b], out[a]
		}
		i = j
	}
	return strings.Join(out, "")
}

// mirrored are the paired characters a right-to-left run shows flipped.
var mirrored = map[string]string{"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{",
	"<": ">", ">": "<", "«": "»", "»": "«", "‹": "›", "›": "‹"}

// kindOfCluster classifies a grapheme cluster by its first rune.
func kindOfCluster(c string) int {
	p, _ := bidi.LookupString(c)
	switch p.Class() {
	case bidi.R, bidi.AL:
		return kindR
	case bidi.L:
		return kindL
	case bidi.EN, bidi.AN:
		return kindNum
	}
	return kindN
}

// resolveLevels gives each cluster its embedding level in a right-to-left
// paragraph: 1 for right-to-left, 2 for left-to-right words and numbers.
// A neutral between two left-to-right items (a space between two English
// words, a point inside a number) joins them; any other neutral takes the
// paragraph's direction.
func resolveLevels(kinds []int) []int {
	levels := make([]int, len(kinds))
	ltr := func(k int) bool { return k == kindL || k == kindNum }
	for i, k := range kinds {
		switch {
		case ltr(k):
			levels[i] = 2
		case k == kindR:
			levels[i] = 1
		default:
			before, after := -1, -1
			for j := i - 1; j >= 0; j-- {
				if kinds[j] != kindN {
					before = kinds[j]
					break
				}
			}
			for j := i + 1; j < len(kinds); j++ {
				if kinds[j] != kindN {
					after = kinds[j]
					break
				}
			}
			levels[i] = 1
			if before >= 0 && after >= 0 && ltr(before) && ltr(after) {
				levels[i] = 2
			}
		}
	}
	return levels
}

// calibrationSample is the line the first run shows twice: once in
// logical order, once reordered. The one that reads right says which
// terminal this is.
const calibrationSample = "مرحبا بكم 123"
