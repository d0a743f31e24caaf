package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Sizes of a status list, in bits.
const (
	// MinSize is the smallest bitstring the specification allows:
	// 131,072 bits (16 KiB). Smaller lists would give too little herd
	// privacy, so they are rejected when decoding and building.
	MinSize = 131072

	// MaxSize is the largest bitstring this package builds or decodes:
	// 2^27 bits (16 MiB). It bounds the memory a decoded list (or a gzip
	// bomb posing as one) can take.
	MaxSize = 16 << 20 * 8
)

// multibaseBase64URL is the multibase prefix of base64url without padding.
const multibaseBase64URL = 'u'

// Bitstring is a status list: a fixed number of bits, all clear when
// created. Bit 0 is the most significant (left-most) bit of the first byte,
// as the specification requires.
//
// A Bitstring is not safe for concurrent use when one goroutine calls Set;
// concurrent Get calls are safe.
type Bitstring struct {
	bits []byte // len(bits)*8 bits
}

// NewBitstring returns a bitstring of size bits, all clear. size must be a
// multiple of 8 between MinSize and MaxSize; otherwise the error wraps
// ErrListInvalid.
func NewBitstring(size int) (*Bitstring, error) {
	if err := checkSize(size); err != nil {
		return nil, err
	}
	return &Bitstring{bits: make([]byte, size/8)}, nil
}

// BitstringFromBytes returns a bitstring holding a copy of p, whose bits are
// numbered as Bytes describes. len(p)*8 must be between MinSize and MaxSize;
// otherwise the error wraps ErrListInvalid.
func BitstringFromBytes(p []byte) (*Bitstring, error) {
	if len(p) > MaxSize/8 {
		return nil, fmt.Errorf("%w: bitstring of %d bytes exceeds the maximum of %d bytes", ErrListInvalid, len(p), MaxSize/8)
	}
	if err := checkSize(len(p) * 8); err != nil {
		return nil, err
	}
	return &Bitstring{bits: bytes.Clone(p)}, nil
}

func checkSize(size int) error {
	switch {
	case size < MinSize:
		return fmt.Errorf("%w: bitstring of %d bits is shorter than the minimum of %d bits", ErrListInvalid, size, MinSize)
	case size > MaxSize:
		return fmt.Errorf("%w: bitstring of %d bits exceeds the maximum of %d bits", ErrListInvalid, size, MaxSize)
	case size%8 != 0:
		return fmt.Errorf("%w: bitstring size %d is not a multiple of 8", ErrListInvalid, size)
	}
	return nil
}

// Len returns the number of bits.
func (b *Bitstring) Len() int { return len(b.bits) * 8 }

// Get reports whether bit i is set. An index outside [0, Len()) returns an
// error wrapping ErrIndexOutOfRange.
func (b *Bitstring) Get(i int) (bool, error) {
	if uint(i) >= uint(b.Len()) {
		return false, fmt.Errorf("%w: index %d, list of %d bits", ErrIndexOutOfRange, i, b.Len())
	}
	return b.get(i), nil
}

// get reads bit i, which the caller has checked to be in range.
func (b *Bitstring) get(i int) bool {
	return b.bits[i>>3]&(0x80>>(uint(i)&7)) != 0
}

// Set sets bit i to v. An index outside [0, Len()) returns an error
// wrapping ErrIndexOutOfRange and leaves the bitstring unchanged.
func (b *Bitstring) Set(i int, v bool) error {
	if uint(i) >= uint(b.Len()) {
		return fmt.Errorf("%w: index %d, list of %d bits", ErrIndexOutOfRange, i, b.Len())
	}
	mask := byte(0x80) >> (uint(i) & 7)
	if v {
		b.bits[i>>3] |= mask
	} else {
		b.bits[i>>3] &^= mask
	}
	return nil
}

// Bytes returns a copy of the bits, eight to a byte, bit 0 being the most
// significant bit of byte 0 (the specification's "left-most bit").
func (b *Bitstring) Bytes() []byte { return bytes.Clone(b.bits) }

// Encode returns the list's encodedList value: the bits GZIP-compressed
// (RFC 1952), then base64url-encoded without padding (RFC 4648) and given
// the multibase prefix 'u'. The output is deterministic: the gzip header
// carries no name and no modification time.
func (b *Bitstring) Encode() (string, error) {
	if b == nil || len(b.bits) == 0 {
		return "", fmt.Errorf("%w: encoding an empty bitstring", ErrListInvalid)
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if err != nil {
		return "", fmt.Errorf("status: gzip: %w", err)
	}
	if _, err := zw.Write(b.bits); err != nil {
		return "", fmt.Errorf("status: gzip: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("status: gzip: %w", err)
	}
	enc := base64.RawURLEncoding
	out := make([]byte, 1+enc.EncodedLen(buf.Len()))
	out[0] = multibaseBase64URL
	enc.Encode(out[1:], buf.Bytes())
	return string(out), nil
}

// maxEncodedLen bounds the encodedList string DecodeList accepts before
// decoding anything: the base64url length of MaxSize bits stored (deflate
// "stored" blocks add 5 bytes per 64 KiB) plus the gzip framing, with room
// to spare.
const maxEncodedLen = 1 + (MaxSize/8+MaxSize/8/1024+1024)*4/3

// DecodeList decodes an encodedList value, the inverse of Encode. It
// rejects (with errors wrapping ErrListInvalid) a multibase prefix other
// than 'u', base64url that is padded, non-canonical or otherwise malformed,
// data that is not a single valid GZIP stream (trailing data and checksum
// errors included), a list that decompresses to more than MaxSize bits (the
// decompressor stops there, so a gzip bomb costs at most about
// 1.5*MaxSize/8 bytes of memory) and a list shorter than MinSize bits.
func DecodeList(encoded string) (*Bitstring, error) {
	if encoded == "" {
		return nil, fmt.Errorf("%w: encodedList is empty", ErrListInvalid)
	}
	if encoded[0] != multibaseBase64URL {
		return nil, fmt.Errorf("%w: encodedList has multibase prefix %q, want %q (base64url without padding)", ErrListInvalid, encoded[0], multibaseBase64URL)
	}
	if len(encoded) > maxEncodedLen {
		return nil, fmt.Errorf("%w: encodedList of %d characters is too long", ErrListInvalid, len(encoded))
	}
	// encoding/base64 skips '\r' and '\n'; encodedList has no line breaks.
	if strings.ContainsAny(encoded, "\r\n") {
		return nil, fmt.Errorf("%w: encodedList contains a line break", ErrListInvalid)
	}
	compressed, err := base64.RawURLEncoding.Strict().DecodeString(encoded[1:])
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not base64url without padding: %v", ErrListInvalid, err)
	}
	br := bytes.NewReader(compressed)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: encodedList is not GZIP: %v", ErrListInvalid, err)
	}
	// One GZIP member only: concatenated members are legal GZIP but no
	// status list encoder produces them.
	zr.Multistream(false)
	bits, err := readBounded(zr, MaxSize/8)
	if err != nil {
		return nil, err
	}
	// gzip reads from a bytes.Reader byte by byte (it is an io.ByteReader),
	// so whatever is left in br followed the GZIP member.
	if br.Len() != 0 {
		return nil, fmt.Errorf("%w: encodedList has %d bytes after the end of the GZIP stream", ErrListInvalid, br.Len())
	}
	if err := checkSize(len(bits) * 8); err != nil {
		return nil, err
	}
	return &Bitstring{bits: bits}, nil
}

// readBounded reads r to io.EOF, failing once more than limit bytes come
// out. Memory stays under about 1.5*limit however much r would produce.
func readBounded(r io.Reader, limit int) ([]byte, error) {
	buf := make([]byte, 0, MinSize/8)
	for {
		if len(buf) == cap(buf) {
			if len(buf) > limit {
				return nil, fmt.Errorf("%w: encodedList decompresses to more than %d bytes", ErrListInvalid, limit)
			}
			buf = slices.Grow(buf, min(cap(buf), limit+1-len(buf)))
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			// gzip returns io.EOF only after checking the CRC-32 and size.
			if len(buf) > limit {
				return nil, fmt.Errorf("%w: encodedList decompresses to more than %d bytes", ErrListInvalid, limit)
			}
			if cap(buf)-len(buf) > len(buf)/8 {
				buf = slices.Clip(bytes.Clone(buf))
			}
			return buf, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%w: encodedList GZIP stream: %v", ErrListInvalid, err)
		}
	}
}
