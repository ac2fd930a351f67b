package tui

import (
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"
)

// The file widget (file, image, audio and video questions) is a text
// field for a path on disk. Tab completes the path from the file system,
// as a shell does; "~" stands for the home folder. The engine checks the
// file when Enter confirms the answer.

// pathSeps are the characters that end a path's folder part.
const pathSeps = "/" + string(os.PathSeparator)

// expandHome replaces a leading "~" (alone or before a separator) with
// the user's home folder; other paths are returned as they are.
func expandHome(path string) string {
	if path != "~" && !(strings.HasPrefix(path, "~") && strings.ContainsRune(pathSeps, rune(path[1]))) {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	return home + path[1:]
}

// completePath completes typed from the file system: the names in its
// folder part that start with its last part (hidden ones only when that
// part starts with "."). One match completes (a folder with its
// separator); several complete to their common start and are returned as
// candidates (folders end with "/"). The folder part stays as typed, "~"
// included.
func completePath(typed string) (completed string, candidates []string) {
	if typed == "~" {
		return "~/", nil
	}
	cut := strings.LastIndexAny(typed, pathSeps) + 1
	dir, prefix := typed[:cut], typed[cut:]
	look := expandHome(dir)
	if look == "" {
		look = "."
	}
	entries, err := os.ReadDir(look)
	if err != nil {
		return typed, nil
	}
	var names []string
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) || (strings.HasPrefix(name, ".") && !strings.HasPrefix(prefix, ".")) {
			continue
		}
		if st, err := os.Stat(filepath.Join(look, name)); err == nil && st.IsDir() {
			name += "/"
		}
		names = append(names, name)
	}
	switch len(names) {
	case 0:
		return typed, nil
	case 1:
		return dir + names[0], nil
	}
	return dir + commonPrefix(names), names
}

// commonPrefix is the longest start all names share, whole runes only.
func commonPrefix(names []string) string {
	p := names[0]
	for _, n := range names[1:] {
		i := 0
		for i < len(p) && i < len(n) && p[i] == n[i] {
			i++
		}
		p = p[:i]
	}
	for !utf8.ValidString(p) {
		p = p[:len(p)-1]
	}
	return p
}

// complete applies Tab to the path field: it completes the path, or lists
// the candidates, or says nothing matched.
func (q *question) complete() {
	typed := q.field.Value()
	done, cands := completePath(typed)
	q.field.SetValue(done)
	q.cands, q.none, q.err = cands, "", ""
	if done == typed && cands == nil {
		q.none = typed
	}
}

// filePath is the path to show for a file answer: the path the session
// attached it from, or the stored name itself.
func (q *question) filePath(value string) string {
	if path, ok := q.iv.session.Attachments()[value]; ok && value != "" {
		return path
	}
	return value
}

// candidatesView is the line below the path field: Tab's candidates, or
// that nothing matched ("" when neither).
func (q *question) candidatesView() string {
	c := q.c
	var text string
	switch {
	case len(q.cands) > 0:
		text = strings.Join(q.cands, "  ")
	case q.none != "":
		text = c.T("tui.file_none", q.none)
	default:
		return ""
	}
	text = ansi.Truncate(text, max(c.inner()-2, 1), c.Styles.Marks.Ellipsis)
	return "\n" + c.block(c.Styles.Muted, c.lead("  ", text, q.iv.rtl), q.iv.rtl)
}
