package questionnaires

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MediaDir is the folder beside a form where ODK's tools keep the files
// it reads (choice lists, pulldata CSVs, media): FORMNAME-media, as
// survey-media beside survey.xlsx (ODK Collect's forms folder, pyxform's
// and ODK Validate's test layouts).
func MediaDir(formPath string) string {
	base := filepath.Base(formPath)
	return filepath.Join(filepath.Dir(formPath), strings.TrimSuffix(base, filepath.Ext(base))+"-media")
}

// FilesBeside returns the files the form at formPath may read, for
// [ParseFiles] and [CheckFiles]: a file in its media folder ([MediaDir]),
// else beside the form.
func FilesBeside(formPath string) fs.FS {
	return firstFS{os.DirFS(MediaDir(formPath)), os.DirFS(filepath.Dir(formPath))}
}

// firstFS opens a file from the first of its file systems that has it.
type firstFS []fs.FS

// Open opens name from the first file system that has it; the last one's
// error when none has.
func (f firstFS) Open(name string) (fs.File, error) {
	var err error
	for _, fsys := range f {
		var file fs.File
		if file, err = fsys.Open(name); err == nil {
			return file, nil
		}
	}
	return nil, err
}
