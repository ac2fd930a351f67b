package questionnaires

import (
	"bytes"
	"encoding/binary"
	"strings"
	"unicode/utf16"
)

// An .xls workbook is a Compound File (OLE2, [MS-CFB]): a small file
// system of fixed-size sectors chained by a table (the FAT). The reader
// below takes from it only the Workbook stream, and trusts nothing the
// file claims: every chain is bounded by the sectors the file really
// holds (a loop is an error, not a hang), every declared size by the
// file's own size, so memory stays within a few times the file.

// cfbSignature starts every compound file.
var cfbSignature = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// Sector numbers with a meaning of their own.
const (
	cfbEndOfChain = 0xFFFFFFFE
	cfbFree       = 0xFFFFFFFF
	cfbMaxSector  = 0xFFFFFFFA
)

// Directory entry types.
const (
	cfbStream = 2
	cfbRoot   = 5
)

// xlsError is why an .xls workbook cannot be read: a message key of the
// questionnaires catalog, reported as a problem of the whole file.
type xlsError struct {
	key  string
	args []any
}

func (e *xlsError) Error() string { return "xls: " + e.key }

func xlsFail(key string, args ...any) error { return &xlsError{key: key, args: args} }

// Reasons an .xls workbook is refused.
var (
	errXLSNotWorkbook = xlsFail("xls_not_workbook")
	errXLSTruncated   = xlsFail("xls_truncated")
	errXLSDamaged     = xlsFail("xls_damaged")
	errXLSOldFormat   = xlsFail("xls_old_format")
	errXLSEncrypted   = xlsFail("xls_encrypted")
)

// cfbFile is a compound file being read.
type cfbFile struct {
	data       []byte
	sectorSize int
	nSectors   int   // sectors the file holds, the last one maybe partial
	claimed    int64 // sectors its FAT sectors can describe, as the header says
	fat        []uint32
}

// cfbWorkbook returns the Workbook stream of a compound file.
func cfbWorkbook(data []byte) ([]byte, error) {
	if !bytes.HasPrefix(data, cfbSignature) {
		return nil, errXLSNotWorkbook
	}
	if len(data) < 512 {
		return nil, errXLSTruncated
	}
	le := binary.LittleEndian
	shift := le.Uint16(data[0x1E:])
	if (shift != 9 && shift != 12) || le.Uint16(data[0x20:]) != 6 {
		return nil, errXLSDamaged
	}
	f := &cfbFile{data: data, sectorSize: 1 << shift}
	f.claimed = int64(le.Uint32(data[0x2C:])) * int64(f.sectorSize/4)
	f.nSectors = (len(data) - f.sectorSize + f.sectorSize - 1) / f.sectorSize
	if f.nSectors <= 0 {
		return nil, errXLSTruncated
	}
	if err := f.readFAT(); err != nil {
		return nil, err
	}
	dir, err := f.chain(le.Uint32(data[0x30:]), -1)
	if err != nil {
		return nil, err
	}
	root, book, err := cfbFindWorkbook(dir)
	if err != nil {
		return nil, err
	}
	size := int64(le.Uint64(book[0x78:]))
	if shift == 9 {
		size &= 0xFFFFFFFF // version 3 files may leave garbage above
	}
	if size < 0 || size > int64(len(data)) {
		return nil, errXLSDamaged // claims more than the whole file
	}
	if size > maxUnzipped {
		return nil, xlsFail("xls_too_big", maxUnzipped>>20)
	}
	start := le.Uint32(book[0x74:])
	if size >= int64(le.Uint32(data[0x38:])) {
		return f.chain(start, int(size))
	}
	return f.miniStream(root, start, int(size))
}

// readFAT gathers the FAT from the sectors the DIFAT lists: 109 in the
// header, the rest in a chain of DIFAT sectors.
func (f *cfbFile) readFAT() error {
	le := binary.LittleEndian
	var fatSectors []uint32
	for i := 0; i < 109; i++ {
		fatSectors = append(fatSectors, le.Uint32(f.data[0x4C+4*i:]))
	}
	next := le.Uint32(f.data[0x44:])
	per := f.sectorSize/4 - 1
	for steps := 0; next < cfbMaxSector; steps++ {
		if steps >= f.nSectors {
			return errXLSDamaged // the DIFAT chain loops
		}
		sec, err := f.sector(next)
		if err != nil {
			return err
		}
		if len(sec) < f.sectorSize {
			return errXLSTruncated
		}
		for i := 0; i < per; i++ {
			fatSectors = append(fatSectors, le.Uint32(sec[4*i:]))
		}
		next = le.Uint32(sec[4*per:])
	}
	need := (f.nSectors + f.sectorSize/4 - 1) / (f.sectorSize / 4)
	for _, s := range fatSectors {
		if len(f.fat) >= need*f.sectorSize/4 || s >= cfbMaxSector {
			break
		}
		sec, err := f.sector(s)
		if err != nil {
			return err
		}
		for i := 0; i+4 <= len(sec); i += 4 {
			f.fat = append(f.fat, le.Uint32(sec[i:]))
		}
	}
	return nil
}

// sector returns sector n; the file's last sector may be cut short. A
// sector past the end that the header counts in was cut off the file.
func (f *cfbFile) sector(n uint32) ([]byte, error) {
	if int64(n) >= int64(f.nSectors) {
		if int64(n) < f.claimed {
			return nil, errXLSTruncated
		}
		return nil, errXLSDamaged
	}
	off := (int(n) + 1) * f.sectorSize
	return f.data[off:min(off+f.sectorSize, len(f.data))], nil
}

// chain reads the sectors chained from start, at most size bytes (-1:
// to the chain's end). A chain longer than the file loops.
func (f *cfbFile) chain(start uint32, size int) ([]byte, error) {
	var out []byte
	if size >= 0 {
		out = make([]byte, 0, size)
	}
	seen := make([]bool, f.nSectors)
	for n := start; n != cfbEndOfChain; {
		if size >= 0 && len(out) >= size {
			break
		}
		sec, err := f.sector(n)
		if err != nil {
			return nil, err
		}
		if seen[n] {
			return nil, errXLSDamaged // the chain loops
		}
		seen[n] = true
		if int64(n) >= int64(len(f.fat)) {
			return nil, errXLSDamaged
		}
		out = append(out, sec...)
		n = f.fat[n]
	}
	if size >= 0 {
		if len(out) < size {
			return nil, errXLSTruncated
		}
		out = out[:size]
	}
	return out, nil
}

// miniStream reads a small stream from the mini stream (the root entry's
// stream, cut in 64-byte sectors chained by the mini FAT).
func (f *cfbFile) miniStream(root []byte, start uint32, size int) ([]byte, error) {
	le := binary.LittleEndian
	rootSize := int(le.Uint32(root[0x78:]))
	if rootSize > len(f.data) {
		return nil, errXLSDamaged
	}
	mini, err := f.chain(le.Uint32(root[0x74:]), rootSize)
	if err != nil {
		return nil, err
	}
	raw, err := f.chain(le.Uint32(f.data[0x3C:]), -1)
	if err != nil {
		return nil, err
	}
	miniFAT := make([]uint32, len(raw)/4)
	for i := range miniFAT {
		miniFAT[i] = le.Uint32(raw[4*i:])
	}
	out := make([]byte, 0, size)
	seen := make([]bool, len(miniFAT))
	for n := start; len(out) < size; {
		if int64(n) >= int64(len(miniFAT)) || int(n+1)*64 > len(mini) || seen[n] {
			return nil, errXLSDamaged // outside the mini stream, or a loop
		}
		seen[n] = true
		out = append(out, mini[int(n)*64:int(n+1)*64]...)
		n = miniFAT[n]
	}
	return out[:size], nil
}

// cfbFindWorkbook finds the root entry and the Workbook stream among the
// directory's 128-byte entries. A "Book" stream is a workbook older than
// Excel 97.
func cfbFindWorkbook(dir []byte) (root, book []byte, err error) {
	old := false
	for off := 0; off+128 <= len(dir); off += 128 {
		e := dir[off : off+128]
		switch e[0x42] {
		case cfbRoot:
			if root == nil {
				root = e
			}
		case cfbStream:
			switch strings.ToLower(cfbName(e)) {
			case "workbook":
				if book == nil {
					book = e
				}
			case "book":
				old = true
			}
		}
	}
	switch {
	case book == nil && old:
		return nil, nil, errXLSOldFormat
	case book == nil || root == nil:
		return nil, nil, errXLSNotWorkbook
	}
	return root, book, nil
}

// cfbName decodes a directory entry's UTF-16 name.
func cfbName(e []byte) string {
	n := int(binary.LittleEndian.Uint16(e[0x40:]))/2 - 1 // without the final NUL
	if n < 0 || n > 31 {
		return ""
	}
	u := make([]uint16, n)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(e[2*i:])
	}
	return string(utf16.Decode(u))
}
