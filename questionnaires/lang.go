package questionnaires

import (
	"strings"

	"github.com/enquete-field/enquete/locales"
	"golang.org/x/text/unicode/norm"
)

// LangCode returns the interface language code of a form language, the
// one rule every part of Enquête uses to match a form language with an
// interface language:
//
//   - the code in final parentheses, as XLSForm writes languages:
//     "Arabic (ar)" → "ar", "Español (es-BO)" → "es";
//   - a language tag or locale name: "ar", "ar-EG", "fr_FR.UTF-8" → its base
//     code; three-letter codes of the languages Enquête knows become their
//     two-letter code ("ara" → "ar", "fre" → "fr");
//   - a language name we know, in English, in the language itself or in
//     the interface languages, case and accents as typed: "Arabic",
//     "العربية", "Français", "Malgache" → "ar", "ar", "fr", "mg".
//
// Anything else gives "" (an untranslated column, or a language named in
// words we do not know).
func LangCode(formLang string) string {
	l := strings.TrimSpace(norm.NFC.String(formLang))
	if i := strings.LastIndex(l, "("); i >= 0 && strings.HasSuffix(l, ")") {
		if code := tagCode(l[i+1 : len(l)-1]); code != "" {
			return code
		}
		l = strings.TrimSpace(l[:i]) // "Malagasy (Malagasy)": try the name
	}
	low := strings.ToLower(l)
	if code, ok := languageNames[low]; ok {
		return code
	}
	if code, ok := languageNames[strings.Join(strings.Fields(low), " ")]; ok {
		return code
	}
	return tagCode(low)
}

// tagCode is the base code of a language tag or locale name ("fr",
// "fr-FR", "fr_FR.UTF-8", "ara"), or "" when tag is not one.
func tagCode(tag string) string {
	b := locales.Base(tag)
	if len(b) < 2 || len(b) > 3 {
		return ""
	}
	for _, r := range b {
		if r < 'a' || r > 'z' {
			return ""
		}
	}
	if code, ok := threeLetter[b]; ok {
		return code
	}
	return b
}

// threeLetter maps the ISO 639-2 codes of the languages named below to
// their two-letter codes.
var threeLetter = map[string]string{
	"eng": "en", "fra": "fr", "fre": "fr", "spa": "es", "ara": "ar", "arb": "ar",
	"mlg": "mg", "plt": "mg", "swa": "sw", "swh": "sw", "por": "pt", "zho": "zh", "chi": "zh",
}

// languageNames maps language names, lower case, to their codes: in
// English, in the language itself, and in the interface languages
// (French, Spanish, Malagasy, Arabic).
var languageNames = map[string]string{
	"english": "en", "anglais": "en", "inglés": "en", "ingles": "en", "anglisy": "en", "الإنجليزية": "en", "الانجليزية": "en",
	"french": "fr", "français": "fr", "francais": "fr", "francés": "fr", "frances": "fr", "frantsay": "fr", "الفرنسية": "fr",
	"spanish": "es", "español": "es", "espanol": "es", "castellano": "es", "espagnol": "es", "espaniola": "es", "الإسبانية": "es", "الاسبانية": "es",
	"arabic": "ar", "العربية": "ar", "عربي": "ar", "عربية": "ar", "arabe": "ar", "árabe": "ar", "arabo": "ar",
	"malagasy": "mg", "malgache": "mg", "fiteny malagasy": "mg", "الملغاشية": "mg",
	"swahili": "sw", "kiswahili": "sw",
	"portuguese": "pt", "português": "pt", "portugues": "pt", "portugais": "pt",
	"chinese": "zh", "中文": "zh",
}
