package questionnaires

import "testing"

func TestLangCode(t *testing.T) {
	for in, want := range map[string]string{
		"Arabic (ar)":          "ar",
		"ar":                   "ar",
		"AR":                   "ar",
		"ar-EG":                "ar",
		"ar_EG.UTF-8":          "ar",
		"Arabic":               "ar",
		"arabic":               "ar",
		"العربية":              "ar",
		" العربية ":            "ar",
		"Arabe":                "ar",
		"ara":                  "ar",
		"French":               "fr",
		"Français":             "fr",
		"Franc\u0327ais":       "fr", // decomposed ç
		"French (fr)":          "fr",
		"French(fr)":           "fr",
		"français (fr-FR)":     "fr",
		"fre":                  "fr",
		"Español (es)":         "es",
		"Spanish":              "es",
		"Castellano":           "es",
		"Malagasy":             "mg",
		"Malgache":             "mg",
		"Fiteny  Malagasy":     "mg",
		"Malagasy (Malagasy)":  "mg",
		"plt":                  "mg",
		"English (en)":         "en",
		"english":              "en",
		"Quechua (qu)":         "qu",
		"que":                  "que",
		"Swahili":              "sw",
		"":                     "",
		"default":              "",
		"Quechua":              "",
		"Klingon (not a code)": "",
		"f1":                   "",
	} {
		if got := LangCode(in); got != want {
			t.Errorf("LangCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLanguageForUsesLangCode(t *testing.T) {
	f := &Form{Languages: []string{"Français", "العربية", "Malagasy (mg)", "Español (es-BO)"}, DefaultLanguage: "Français"}
	for ui, want := range map[string]string{"fr": "Français", "ar": "العربية", "ar_EG.UTF-8": "العربية",
		"mg": "Malagasy (mg)", "es": "Español (es-BO)", "en": "Français", "French": "Français"} {
		if got := f.LanguageFor(ui); got != want {
			t.Errorf("LanguageFor(%q) = %q, want %q", ui, got, want)
		}
	}
}
