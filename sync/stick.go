package sync

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/enquete-field/enquete/crypto"
	"github.com/enquete-field/enquete/locales"
	"github.com/enquete-field/enquete/store"
)

// A stick is a folder (a USB stick, any removable disk) that carries
// sealed records from a device with no link to the archive, through any
// device with a link or straight to the lab, and the archive's signed
// receipts back. FORMAT.md ("USB sticks and data mules") has the layout:
//
//	DIR/enquete/<16 hex>/project.enquete      the signed project file
//	                     records/<sha256>.age the sealed records, as in the outbox
//	                     slips/<sha256>.slip  the devices' relay slips (crypto.SignSlip)
//	                     enroll/<sha256>.json enrollment proofs of devices not yet enrolled
//	                     receipts/<sha256>.receipt  the archive's signed receipts
//	                     enrolled/<sha256>.note     the archive's signed enrollment answers
//
// Every file but project.enquete is named by the SHA-256 of its bytes, so
// writing one again changes nothing, and a name that does not match its
// bytes is junk, never read. Files are written under a temporary name
// (".tmp-…"), synced, then renamed to a name that does not exist yet (FAT
// and exFAT rename no better), so a stick pulled mid-write holds whole
// files and temporary ones, which the next run removes.
type Stick struct {
	root string // DIR/enquete
	fs   store.FS
}

// Parts of a stick project folder.
const (
	stickRoot        = "enquete"
	stickProjectFile = "project.enquete"
	stickRecords     = "records"
	stickSlips       = "slips"
	stickEnroll      = "enroll"
	stickReceipts    = "receipts"
	stickEnrolled    = "enrolled"
	stickTemp        = ".tmp-"
)

// Extensions of the content-addressed files of each part.
var stickExt = map[string]string{
	stickRecords: ".age", stickSlips: ".slip", stickEnroll: ".json",
	stickReceipts: ".receipt", stickEnrolled: ".note",
}

// maxStickFile bounds a slip, receipt or proof read from a stick.
const maxStickFile = 4 << 20

// OpenStick opens the stick folder dir; with create it makes dir (not its
// parent) and DIR/enquete when missing (`sync --to`), else a folder without it is an error. The
// temporary files an interrupted run left are removed.
func OpenStick(dir string, create bool) (*Stick, error) {
	s := &Stick{root: filepath.Join(dir, stickRoot), fs: store.OSFS{}}
	if create {
		os.Mkdir(dir, 0o755) // a folder on the stick; its parent must be there
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, locales.Errorf("sync.stick_missing", dir).Hint("sync.stick_missing.hint")
	}
	if create {
		if err := s.fs.MkdirAll(s.root, 0o755); err != nil {
			return nil, stickWriteError(s.root, err)
		}
	} else if fi, err := os.Stat(s.root); err != nil || !fi.IsDir() {
		return nil, locales.Errorf("sync.stick_empty", dir).Hint("sync.stick_empty.hint")
	}
	s.removeTemp()
	return s, nil
}

// removeTemp removes the temporary files of an interrupted write.
func (s *Stick) removeTemp() {
	dirs, _ := s.fs.ReadDir(s.root)
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		for _, part := range []string{"", stickRecords, stickSlips, stickEnroll, stickReceipts, stickEnrolled} {
			dir := filepath.Join(s.root, d.Name(), part)
			entries, _ := s.fs.ReadDir(dir)
			for _, e := range entries {
				if strings.HasPrefix(e.Name(), stickTemp) {
					s.fs.Remove(filepath.Join(dir, e.Name()))
				}
			}
		}
	}
}

// StickFolder is the folder name of project p on a stick: a hash of its
// id and its archive's address and key. The project file beside it says
// the same in clear, so the name hides nothing more; it keeps projects
// apart on case-insensitive file systems, and a project file changed to
// name another archive does not match its folder.
func StickFolder(p *crypto.Project) string {
	sum := sha256.Sum256([]byte("enquete stick v1\n" + p.ID + "\n" + p.Archive + "\n" + p.ArchiveKey + "\n"))
	return hex.EncodeToString(sum[:8])
}

// StickProject is one project folder of a stick.
type StickProject struct {
	Folder  string          // its folder name (StickFolder of Project)
	Project *crypto.Project // its project file, signature checked
	Err     error           // why the folder cannot be used (Project nil)
}

// Projects lists the stick's project folders, each with its project file
// checked: signed (by the key it carries) and naming the folder's archive.
func (s *Stick) Projects() ([]StickProject, error) {
	entries, err := s.fs.ReadDir(s.root)
	if err != nil {
		return nil, locales.Errorf("sync.stick_read", s.root, err).Wrap(err)
	}
	var out []StickProject
	for _, e := range entries {
		if !e.IsDir() || !isHex(e.Name(), 16) {
			continue
		}
		sp := StickProject{Folder: e.Name()}
		path := filepath.Join(s.root, e.Name(), stickProjectFile)
		data, err := s.read(path)
		if err == nil {
			sp.Project, _, err = crypto.OpenProject(data)
		}
		switch {
		case err != nil:
			sp.Project, sp.Err = nil, locales.Errorf("sync.stick_project_bad", path).Wrap(err)
		case StickFolder(sp.Project) != sp.Folder:
			sp.Project, sp.Err = nil, locales.Errorf("sync.stick_project_moved", path)
		}
		out = append(out, sp)
	}
	return out, nil
}

// PutProject writes project p's signed file into its folder (made when
// missing) and returns the folder name. A different file already there
// (an older version of the project) is replaced: removed, then the new
// one renamed in, so that a cut leaves no file rather than a mixed one.
func (s *Stick) PutProject(p *crypto.Project, file []byte) (string, error) {
	folder := StickFolder(p)
	dir := filepath.Join(s.root, folder)
	path := filepath.Join(dir, stickProjectFile)
	if old, err := s.fs.ReadFile(path); err == nil && bytes.Equal(old, file) {
		return folder, nil
	}
	if err := s.fs.MkdirAll(dir, 0o755); err != nil {
		return "", stickWriteError(dir, err)
	}
	if err := s.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", stickWriteError(path, err)
	}
	return folder, s.writeNew(path, file)
}

// Put writes data into part (records, slips, …) of folder, under the
// SHA-256 of data, and reports whether it was not there yet. A file of
// that name whose bytes do not match is junk: it is replaced.
func (s *Stick) Put(folder, part string, data []byte) (name string, written bool, err error) {
	name = fileName(part, data)
	dir := filepath.Join(s.root, folder, part)
	path := filepath.Join(dir, name)
	if old, err := s.fs.ReadFile(path); err == nil {
		if fileName(part, old) == name {
			return name, false, nil
		}
		if err := s.fs.Remove(path); err != nil {
			return name, false, stickWriteError(path, err)
		}
	}
	if err := s.fs.MkdirAll(dir, 0o755); err != nil {
		return name, false, stickWriteError(dir, err)
	}
	return name, true, s.writeNew(path, data)
}

// StickName is the name data takes in part of a stick folder.
func StickName(part string, data []byte) string { return fileName(part, data) }

// fileName is the name of data in part: its SHA-256 and the part's
// extension (a record's is its record name, crypto.FileName).
func fileName(part string, data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]) + stickExt[part]
}

// writeNew writes data to path, which does not exist: a temporary file
// written and synced, renamed to path, then the folder synced. A failure
// (a full stick, a pulled one) removes the temporary file.
func (s *Stick) writeNew(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp := filepath.Join(dir, stickTemp+randomHex())
	f, err := s.fs.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return stickWriteError(path, err)
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.fs.Rename(tmp, path)
	}
	if err != nil {
		s.fs.Remove(tmp)
		return stickWriteError(path, err)
	}
	if err := s.fs.SyncDir(dir); err != nil {
		return stickWriteError(path, err)
	}
	return nil
}

// StickFile is one content-addressed file of a stick part.
type StickFile struct {
	Name string
	Size int64
}

// List lists part of folder: the files named like its content-addressed
// files (others are ignored), without reading them.
func (s *Stick) List(folder, part string) ([]StickFile, error) {
	dir := filepath.Join(s.root, folder, part)
	entries, err := s.fs.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, locales.Errorf("sync.stick_read", dir, err).Wrap(err)
	}
	var out []StickFile
	for _, e := range entries {
		hexName, ok := strings.CutSuffix(e.Name(), stickExt[part])
		if !ok || !isHex(hexName, 64) || !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		out = append(out, StickFile{Name: e.Name(), Size: fi.Size()})
	}
	return out, nil
}

// Read returns the file name of part of folder, checked against its name;
// a file that does not match is an error (junk, or damaged on the stick).
func (s *Stick) Read(folder, part, name string) ([]byte, error) {
	path := filepath.Join(s.root, folder, part, name)
	data, err := s.read(path)
	if err != nil {
		return nil, err
	}
	if fileName(part, data) != name {
		return nil, locales.Errorf("sync.stick_damaged", path)
	}
	return data, nil
}

// ReadAll returns every file of part of folder that matches its name;
// the others are skipped and counted.
func (s *Stick) ReadAll(folder, part string) (files [][]byte, junk int, err error) {
	list, err := s.List(folder, part)
	if err != nil {
		return nil, 0, err
	}
	for _, f := range list {
		if f.Size > maxStickFile {
			junk++
			continue
		}
		data, err := s.Read(folder, part, f.Name)
		if err != nil {
			junk++
			continue
		}
		files = append(files, data)
	}
	return files, junk, nil
}

// Remove removes file name of part of folder (a record the device learnt
// the archive holds); one already gone is fine.
func (s *Stick) Remove(folder, part, name string) error {
	path := filepath.Join(s.root, folder, part, name)
	if err := s.fs.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return stickWriteError(path, err)
	}
	return nil
}

// RecordPath is where record name of folder lies on the stick.
func (s *Stick) RecordPath(folder, name string) string {
	return filepath.Join(s.root, folder, stickRecords, name)
}

// read reads a whole file of the stick.
func (s *Stick) read(path string) ([]byte, error) {
	data, err := s.fs.ReadFile(path)
	if err != nil {
		return nil, locales.Errorf("sync.stick_read", path, err).Wrap(err)
	}
	return data, nil
}

// stickWriteError says a stick write failed, and when the stick is full.
func stickWriteError(path string, err error) error {
	var le *locales.Error
	if errors.As(err, &le) {
		return err
	}
	if isFull(err) {
		return locales.Errorf("sync.stick_full", path).Hint("sync.stick_full.hint").Wrap(err)
	}
	return locales.Errorf("sync.stick_write", path, err).Wrap(err)
}

// isHex reports whether s is n lowercase hex digits.
func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Parts of a stick, exported for the device's and the lab's side.
const (
	StickRecords  = stickRecords
	StickSlips    = stickSlips
	StickEnroll   = stickEnroll
	StickReceipts = stickReceipts
	StickEnrolled = stickEnrolled
)

// isFull reports whether err says the stick is full.
func isFull(err error) bool { return store.IsDiskFull(err) }

// randomHex is 16 random hex digits, for a temporary name.
func randomHex() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
