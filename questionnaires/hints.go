package questionnaires

import (
	"bytes"
	"path/filepath"
	"strings"
)

// noSurveyKey is the message key of a form without a survey sheet: for a
// CSV, it says what layout the file was written in when that shows why
// (separated by semicolons, as Excel saves CSV where the decimal mark is
// a comma; or the survey alone, its headers in the first row, where
// pyxform's layout wants sheet names in the first column).
func noSurveyKey(filename string, data []byte) string {
	if !strings.EqualFold(filepath.Ext(filename), ".csv") {
		return "no_survey"
	}
	line := firstLine(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")))
	switch {
	case strings.Count(line, ";") > strings.Count(line, ","):
		return "csv_semicolons"
	case hasCell(strings.Split(line, ","), "type"):
		return "csv_survey_only"
	}
	return "no_survey"
}

// firstLine returns the first line of data that is not blank.
func firstLine(data []byte) string {
	for rest := string(data); rest != ""; {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}

// hasCell reports whether one of cells is word, ignoring case, spaces
// and quotes.
func hasCell(cells []string, word string) bool {
	for _, c := range cells {
		if strings.EqualFold(strings.Trim(c, " \t\""), word) {
			return true
		}
	}
	return false
}
