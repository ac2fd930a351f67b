package questionnaires

import (
	"encoding/binary"
	"math"
	"unicode/utf16"
)

// The helpers below write small .xls files for the tests: a compound file
// holding one Workbook stream, and the BIFF8 records inside it. They
// follow [MS-CFB] and [MS-XLS] as the writers of real files do, so that
// tests can then break one thing at a time.

// cfbBuild writes a compound file (sectors of 1<<shift bytes) holding
// stream as its Workbook; mini puts the stream in the mini stream, as
// streams under 4096 bytes are, else it is padded to 4096 bytes.
func cfbBuild(stream []byte, shift int, mini bool) []byte {
	if !mini && len(stream) < 4096 {
		stream = append(append([]byte(nil), stream...), make([]byte, 4096-len(stream))...)
	}
	ss := 1 << shift
	le := binary.LittleEndian
	sectorsOf := func(n int) int { return (n + ss - 1) / ss }
	// Big-sector payloads after the FAT: the directory, then either the
	// stream, or the mini stream container and the mini FAT.
	type part struct {
		data  []byte
		first int
	}
	var parts []*part
	dir := &part{data: make([]byte, ss)}
	parts = append(parts, dir)
	var body, miniFAT *part
	if mini {
		container := make([]byte, (len(stream)+63)/64*64)
		copy(container, stream)
		body = &part{data: container}
		mf := make([]byte, ss)
		n := len(container) / 64
		for i := 0; i < ss/4; i++ {
			v := uint32(cfbFree)
			switch {
			case i < n-1:
				v = uint32(i + 1)
			case i == n-1:
				v = cfbEndOfChain
			}
			le.PutUint32(mf[4*i:], v)
		}
		miniFAT = &part{data: mf}
		parts = append(parts, body, miniFAT)
	} else {
		body = &part{data: stream}
		parts = append(parts, body)
	}
	data := 0
	for _, p := range parts {
		data += max(1, sectorsOf(len(p.data)))
	}
	nFAT := 1
	for (nFAT+data+ss/4-1)/(ss/4) > nFAT {
		nFAT++
	}
	fat := make([]uint32, nFAT*ss/4)
	for i := range fat {
		fat[i] = cfbFree
	}
	for i := 0; i < nFAT; i++ {
		fat[i] = 0xFFFFFFFD // FATSECT
	}
	next := nFAT
	for _, p := range parts {
		p.first = next
		n := max(1, sectorsOf(len(p.data)))
		for i := 0; i < n; i++ {
			fat[next+i] = uint32(next + i + 1)
		}
		fat[next+n-1] = cfbEndOfChain
		next += n
	}
	entry := func(i int, name string, typ byte, start, size int) {
		e := dir.data[128*i : 128*(i+1)]
		u := utf16.Encode([]rune(name))
		for j, c := range u {
			le.PutUint16(e[2*j:], c)
		}
		le.PutUint16(e[0x40:], uint16(2*len(u)+2))
		e[0x42] = typ
		le.PutUint32(e[0x44:], cfbFree)
		le.PutUint32(e[0x48:], cfbFree)
		le.PutUint32(e[0x4C:], cfbFree)
		le.PutUint32(e[0x74:], uint32(start))
		le.PutUint64(e[0x78:], uint64(size))
	}
	if mini {
		entry(0, "Root Entry", cfbRoot, body.first, len(body.data))
		entry(1, "Workbook", cfbStream, 0, len(stream))
	} else {
		entry(0, "Root Entry", cfbRoot, cfbEndOfChain, 0)
		entry(1, "Workbook", cfbStream, body.first, len(stream))
	}
	le.PutUint32(dir.data[0x4C:], 1) // the root's child: Workbook
	out := make([]byte, ss*(1+nFAT+data))
	copy(out, cfbSignature)
	le.PutUint16(out[0x18:], 0x3E)
	le.PutUint16(out[0x1A:], uint16(map[int]int{9: 3, 12: 4}[shift]))
	le.PutUint16(out[0x1C:], 0xFFFE)
	le.PutUint16(out[0x1E:], uint16(shift))
	le.PutUint16(out[0x20:], 6)
	le.PutUint32(out[0x2C:], uint32(nFAT))
	le.PutUint32(out[0x30:], uint32(dir.first))
	le.PutUint32(out[0x38:], 4096)
	le.PutUint32(out[0x3C:], cfbEndOfChain)
	if miniFAT != nil {
		le.PutUint32(out[0x3C:], uint32(miniFAT.first))
		le.PutUint32(out[0x40:], 1)
	}
	le.PutUint32(out[0x44:], cfbEndOfChain)
	for i := 0; i < 109; i++ {
		v := uint32(cfbFree)
		if i < nFAT {
			v = uint32(i)
		}
		le.PutUint32(out[0x4C+4*i:], v)
	}
	for i, v := range fat {
		le.PutUint32(out[ss+4*i:], v)
	}
	for _, p := range parts {
		copy(out[ss*(1+p.first):], p.data)
	}
	return out
}

// biffRec writes one BIFF record.
func biffRec(typ uint16, data ...[]byte) []byte {
	var d []byte
	for _, p := range data {
		d = append(d, p...)
	}
	out := binary.LittleEndian.AppendUint16(nil, typ)
	out = binary.LittleEndian.AppendUint16(out, uint16(len(d)))
	return append(out, d...)
}

func u16(v int) []byte { return binary.LittleEndian.AppendUint16(nil, uint16(v)) }
func u32(v int) []byte { return binary.LittleEndian.AppendUint32(nil, uint32(v)) }

// biffBook8 writes a BIFF8 workbook stream: globals with the shared
// strings (sst[0] the SST record's payload, the others CONTINUE records
// after it) and the worksheets named in order, each holding the cell
// records sheets gives it.
func biffBook8(sst [][]byte, sheets map[string][]byte, order ...string) []byte {
	bof := func(dt int) []byte { return biffRec(biffBOF, u16(biffVersion8), u16(dt), make([]byte, 12)) }
	globals := bof(5)
	globals = append(globals, biffRec(biffXF, make([]byte, 20))...)
	if len(sst) > 0 {
		globals = append(globals, biffRec(biffSST, sst[0])...)
		for _, c := range sst[1:] {
			globals = append(globals, biffRec(biffContinue, c)...)
		}
	}
	bound := func(pos int, name string) []byte {
		return biffRec(biffBoundSheet, u32(pos), []byte{0, 0, byte(len(name)), 0}, []byte(name))
	}
	size := len(globals) + len(biffRec(biffEOF))
	for _, name := range order {
		size += len(bound(0, name))
	}
	var bounds, subs []byte
	for _, name := range order {
		bounds = append(bounds, bound(size+len(subs), name)...)
		subs = append(subs, bof(0x10)...)
		subs = append(subs, sheets[name]...)
		subs = append(subs, biffRec(biffEOF)...)
	}
	out := append(globals, bounds...)
	out = append(out, biffRec(biffEOF)...)
	return append(out, subs...)
}

// sstStrings writes an SST payload of compressed (Latin-1) strings.
func sstStrings(ss ...string) []byte {
	out := append(u32(len(ss)), u32(len(ss))...)
	for _, s := range ss {
		out = append(out, u16(len(s))...)
		out = append(out, 0)
		out = append(out, s...)
	}
	return out
}

func labelSST(row, col, i int) []byte {
	return biffRec(biffLabelSST, u16(row), u16(col), u16(0), u32(i))
}

func numberRec(row, col int, v float64) []byte {
	return biffRec(biffNumber, u16(row), u16(col), u16(0),
		binary.LittleEndian.AppendUint64(nil, math.Float64bits(v)))
}
