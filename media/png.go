package media

import (
	"bufio"
	"encoding/binary"
	"hash/crc32"
	"io"
)

// pngKept are the chunks a stripped PNG keeps: the critical ones, those
// that change the colours or transparency drawn (cICP: the colour space
// of HDR images, four numbers), and APNG's frames.
// Every other ancillary chunk (tEXt, zTXt, iTXt, eXIf, tIME, pHYs, iCCP,
// bKGD, sBIT, hIST, sPLT, and any unknown one) is left out.
var pngKept = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "cICP": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// maxChunk is the largest chunk length the PNG specification allows.
const maxChunk = 1<<31 - 1

// stripPNG copies the kept chunks of a PNG, each checked against its CRC
// (the dropped ones too), up to IEND; whatever follows IEND is left out.
func stripPNG(out *bufio.Writer, s *source) error {
	var sig [8]byte
	if err := s.readFull(sig[:]); err != nil {
		return readError(PNG, s, err)
	}
	out.Write(sig[:])
	for first := true; ; first = false {
		at := s.pos
		var head [8]byte
		if err := s.readFull(head[:]); err != nil {
			return readError(PNG, s, err)
		}
		n := int64(binary.BigEndian.Uint32(head[:4]))
		typ := string(head[4:])
		if err := checkChunk(at, n, typ, first); err != nil {
			return err
		}
		keep := pngKept[typ]
		if !keep && typ[0]&0x20 == 0 {
			return damaged(PNG, at, reasonCritical, typ)
		}
		if err := copyChunk(out, s, head, n, keep); err != nil {
			return err
		}
		if typ == "IEND" {
			return nil
		}
	}
}

// checkChunk checks a chunk's header: a length within the limit, a type
// of four letters, IHDR first and only first.
func checkChunk(at, n int64, typ string, first bool) error {
	if n > maxChunk {
		return damaged(PNG, at, reasonLength)
	}
	for i := 0; i < 4; i++ {
		c := typ[i] | 0x20
		if c < 'a' || c > 'z' {
			return damaged(PNG, at, reasonChunkType)
		}
	}
	if first != (typ == "IHDR") {
		return damaged(PNG, at, reasonOrder)
	}
	return nil
}

// copyChunk streams a chunk's data through its CRC to out (keep) or
// nowhere, then checks the CRC.
func copyChunk(out *bufio.Writer, s *source, head [8]byte, n int64, keep bool) error {
	at := s.pos - 8
	sum := crc32.NewIEEE()
	sum.Write(head[4:])
	var dst io.Writer = io.Discard
	if keep {
		out.Write(head[:])
		dst = out
	}
	if err := s.copyN(io.MultiWriter(dst, sum), n); err != nil {
		return readError(PNG, s, err)
	}
	var crc [4]byte
	if err := s.readFull(crc[:]); err != nil {
		return readError(PNG, s, err)
	}
	if binary.BigEndian.Uint32(crc[:]) != sum.Sum32() {
		return damaged(PNG, at, reasonChecksum, string(head[4:]))
	}
	if !keep {
		return nil
	}
	_, err := out.Write(crc[:])
	return err
}
