package crypto

import (
	"encoding/binary"
	"sync"

	"github.com/klauspost/compress/zstd"
)

const (
	zstdMagic      = 0xFD2FB528 // a zstd frame, little-endian on disk
	skippableMagic = 0x184D2A50 // the padding frame (first of the 16 skippable magics)
	skippableHead  = 8          // magic + LE uint32 size
	maxBlockSize   = 128 << 10  // zstd's Block_Maximum_Size
)

// encoder is the one zstd encoder every Seal shares: EncodeAll is safe for
// concurrent use. Zero frames stay frames, so an empty record still reads
// with `zstd -d`. No dictionary, ever: a trained dictionary holds its
// training text.
var encoder = sync.OnceValue(func() *zstd.Encoder {
	enc, err := zstd.NewWriter(nil,
		zstd.WithEncoderLevel(zstd.SpeedDefault),
		zstd.WithZeroFrames(true),
		zstd.WithEncoderCRC(true))
	if err != nil {
		panic("crypto: zstd encoder: " + err.Error()) // options are constant
	}
	return enc
})

// compressAndPad returns the sealed plaintext: one zstd frame of p, then
// one skippable frame of zeros so the whole has the Padmé length of
// (frame + 8).
func compressAndPad(p []byte) []byte {
	buf := make([]byte, 0, len(p)+len(p)/8+64)
	buf = encoder().EncodeAll(p, buf)
	l := int64(len(buf)) + skippableHead
	padding := PadmeLength(l) - l
	buf = binary.LittleEndian.AppendUint32(buf, skippableMagic)
	buf = binary.LittleEndian.AppendUint32(buf, uint32(padding))
	return append(buf, make([]byte, padding)...)
}

// splitFrame checks that p is exactly one zstd frame followed by exactly one
// padding frame of zeros, and returns the zstd frame and its header. It
// reads only headers: nothing is decompressed here.
func splitFrame(p []byte) ([]byte, *zstd.Header, error) {
	if len(p) < 4 || binary.LittleEndian.Uint32(p) != zstdMagic {
		return nil, nil, errorf(KeyNotRecord)
	}
	h := new(zstd.Header)
	if err := h.Decode(p); err != nil || h.DictionaryID != 0 {
		return nil, nil, errorf(KeyNotRecord).Wrap(err)
	}
	end, ok := frameEnd(p, h.HeaderSize, h.HasCheckSum)
	if !ok || !isPadding(p[end:]) {
		return nil, nil, errorf(KeyNotRecord)
	}
	return p[:end], h, nil
}

// frameEnd walks the block headers of the zstd frame that starts p and
// returns the offset just past it (RFC 8878, section 3.1.1.2).
func frameEnd(p []byte, headerSize int, checksum bool) (int, bool) {
	i := headerSize
	for {
		if i+3 > len(p) {
			return 0, false
		}
		bh := uint32(p[i]) | uint32(p[i+1])<<8 | uint32(p[i+2])<<16
		i += 3
		last, typ, size := bh&1 == 1, (bh>>1)&3, int(bh>>3)
		switch typ {
		case 0, 2: // raw, compressed
			if size > maxBlockSize {
				return 0, false
			}
			i += size
		case 1: // RLE: one byte repeated size times
			i++
		default: // reserved
			return 0, false
		}
		if i > len(p) {
			return 0, false
		}
		if last {
			break
		}
	}
	if checksum {
		i += 4
	}
	return i, i <= len(p)
}

// isPadding reports whether p is one skippable frame with the padding magic
// whose declared size is the rest of p and whose bytes are all zero.
func isPadding(p []byte) bool {
	if len(p) < skippableHead || binary.LittleEndian.Uint32(p) != skippableMagic {
		return false
	}
	if int64(binary.LittleEndian.Uint32(p[4:])) != int64(len(p)-skippableHead) {
		return false
	}
	for _, b := range p[skippableHead:] {
		if b != 0 {
			return false
		}
	}
	return true
}
