// Package qr encodes QR codes (ISO/IEC 18004): byte mode, error
// correction level M, versions 1 to 15 (up to 412 bytes), the mask chosen
// by the standard's penalty rules, drawn as a PNG. It is what ThaiTrust
// needs for credential offer URIs and OpenID4VP request URIs (about 250
// bytes with a did:web client_id) and needs no dependency.
//
// Encode returns the module matrix; PNG draws it with a quiet zone of
// four modules.
package qr

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
)

// MaxVersion is the largest version Encode uses.
const MaxVersion = 15

// ErrTooLong reports data that does not fit in a version 15 symbol at
// level M (412 bytes).
var ErrTooLong = errors.New("qr: data too long for a version 15-M symbol")

// Code is an encoded symbol: Size x Size modules, true for dark.
type Code struct {
	Version int
	Mask    int
	Size    int
	modules [][]bool
	// function marks the function patterns while building; nil after.
	function [][]bool
}

// Dark reports whether the module at column x, row y is dark.
func (c *Code) Dark(x, y int) bool { return c.modules[y][x] }

// blockSpec is the error correction layout of a version at level M:
// codewords per EC block, and (count, data codewords) of two groups.
type blockSpec struct {
	ec             int
	n1, d1, n2, d2 int
}

var levelM = [MaxVersion + 1]blockSpec{
	1:  {10, 1, 16, 0, 0},
	2:  {16, 1, 28, 0, 0},
	3:  {26, 1, 44, 0, 0},
	4:  {18, 2, 32, 0, 0},
	5:  {24, 2, 43, 0, 0},
	6:  {16, 4, 27, 0, 0},
	7:  {18, 4, 31, 0, 0},
	8:  {22, 2, 38, 2, 39},
	9:  {22, 3, 36, 2, 37},
	10: {26, 4, 43, 1, 44},
	11: {30, 1, 50, 4, 51},
	12: {22, 6, 36, 2, 37},
	13: {22, 8, 37, 1, 38},
	14: {24, 4, 40, 5, 41},
	15: {24, 5, 41, 5, 42},
}

func (b blockSpec) dataCodewords() int { return b.n1*b.d1 + b.n2*b.d2 }

var alignment = [MaxVersion + 1][]int{
	2: {6, 18}, 3: {6, 22}, 4: {6, 26}, 5: {6, 30}, 6: {6, 34},
	7: {6, 22, 38}, 8: {6, 24, 42}, 9: {6, 26, 46}, 10: {6, 28, 50},
	11: {6, 30, 54}, 12: {6, 32, 58}, 13: {6, 34, 62}, 14: {6, 26, 46, 66}, 15: {6, 26, 48, 70},
}

// capacity returns how many bytes fit in version v at level M.
func capacity(v int) int {
	cc := 8
	if v >= 10 {
		cc = 16
	}
	return (levelM[v].dataCodewords()*8 - 4 - cc) / 8
}

// Encode encodes data in byte mode at level M in the smallest version
// from 1 to MaxVersion that holds it.
func Encode(data []byte) (*Code, error) {
	v := 1
	for v <= MaxVersion && capacity(v) < len(data) {
		v++
	}
	if v > MaxVersion {
		return nil, fmt.Errorf("%w (%d bytes, at most %d)", ErrTooLong, len(data), capacity(MaxVersion))
	}
	codewords := interleave(v, dataCodewords(v, data))
	best := (*Code)(nil)
	bestPenalty := 0
	for mask := range 8 {
		c := newCode(v)
		c.drawCodewords(codewords)
		c.applyMask(mask)
		c.drawFormat(mask)
		if p := c.penalty(); best == nil || p < bestPenalty {
			best, bestPenalty = c, p
		}
	}
	best.function = nil
	return best, nil
}

// dataCodewords builds the data codewords: mode 0100 (byte), the count
// (8 bits, 16 from version 10), the bytes, a terminator of up to four
// zero bits, zero bits to a byte boundary, and the pad bytes 0xEC 0x11.
func dataCodewords(v int, data []byte) []byte {
	var bb bitBuffer
	bb.add(0b0100, 4)
	if v >= 10 {
		bb.add(uint32(len(data)), 16)
	} else {
		bb.add(uint32(len(data)), 8)
	}
	for _, b := range data {
		bb.add(uint32(b), 8)
	}
	total := levelM[v].dataCodewords() * 8
	bb.add(0, min(4, total-bb.n))
	bb.add(0, (8-bb.n%8)%8)
	for pad := byte(0xEC); bb.n < total; pad ^= 0xEC ^ 0x11 {
		bb.add(uint32(pad), 8)
	}
	return bb.bytes
}

type bitBuffer struct {
	bytes []byte
	n     int // bits
}

func (b *bitBuffer) add(v uint32, bits int) {
	for i := bits - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.bytes = append(b.bytes, 0)
		}
		if v>>uint(i)&1 != 0 {
			b.bytes[b.n/8] |= 0x80 >> uint(b.n%8)
		}
		b.n++
	}
}

// interleave splits the data codewords into blocks, computes each
// block's error correction codewords and interleaves both.
func interleave(v int, data []byte) []byte {
	spec := levelM[v]
	var blocks, ecs [][]byte
	off := 0
	for g, n := range []int{spec.n1, spec.n2} {
		size := spec.d1
		if g == 1 {
			size = spec.d2
		}
		for range n {
			b := data[off : off+size]
			off += size
			blocks = append(blocks, b)
			ecs = append(ecs, rsRemainder(b, spec.ec))
		}
	}
	out := make([]byte, 0, len(data)+len(blocks)*spec.ec)
	for i := range max(spec.d1, spec.d2) {
		for _, b := range blocks {
			if i < len(b) {
				out = append(out, b[i])
			}
		}
	}
	for i := range spec.ec {
		for _, e := range ecs {
			out = append(out, e[i])
		}
	}
	return out
}

// Reed-Solomon over GF(256) with the polynomial x^8+x^4+x^3+x^2+1.

func gfMul(x, y byte) byte {
	var z byte
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x1D
		z ^= (y >> uint(i) & 1) * x
	}
	return z
}

// rsGenerator returns the coefficients (highest first, leading 1
// omitted) of the generator polynomial with roots alpha^0..alpha^(n-1).
func rsGenerator(n int) []byte {
	g := make([]byte, n)
	g[n-1] = 1
	root := byte(1)
	for range n {
		for j := range g {
			g[j] = gfMul(g[j], root)
			if j+1 < n {
				g[j] ^= g[j+1]
			}
		}
		root = gfMul(root, 0x02)
	}
	return g
}

// rsRemainder returns the n error correction codewords of data.
func rsRemainder(data []byte, n int) []byte {
	g := rsGenerator(n)
	r := make([]byte, n)
	for _, b := range data {
		f := b ^ r[0]
		copy(r, r[1:])
		r[n-1] = 0
		for i := range r {
			r[i] ^= gfMul(g[i], f)
		}
	}
	return r
}

// Drawing.

func newCode(v int) *Code {
	size := 17 + 4*v
	c := &Code{Version: v, Size: size, modules: make([][]bool, size), function: make([][]bool, size)}
	for i := range size {
		c.modules[i] = make([]bool, size)
		c.function[i] = make([]bool, size)
	}
	c.drawFunctionPatterns()
	return c
}

func (c *Code) set(x, y int, dark bool) {
	c.modules[y][x] = dark
	c.function[y][x] = true
}

func (c *Code) drawFunctionPatterns() {
	n := c.Size
	for i := range n {
		c.set(6, i, i%2 == 0)
		c.set(i, 6, i%2 == 0)
	}
	c.drawFinder(3, 3)
	c.drawFinder(n-4, 3)
	c.drawFinder(3, n-4)
	pos := alignment[c.Version]
	for i, a := range pos {
		for j, b := range pos {
			if (i == 0 && j == 0) || (i == 0 && j == len(pos)-1) || (i == len(pos)-1 && j == 0) {
				continue // the finders
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					c.set(a+dx, b+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	c.drawFormat(0) // reserves the format areas; redrawn after masking
	c.drawVersion()
}

// drawFinder draws a finder pattern centred at (x, y) with its separator.
func (c *Code) drawFinder(x, y int) {
	for dy := -4; dy <= 4; dy++ {
		for dx := -4; dx <= 4; dx++ {
			xx, yy := x+dx, y+dy
			if xx < 0 || xx >= c.Size || yy < 0 || yy >= c.Size {
				continue
			}
			d := max(abs(dx), abs(dy))
			c.set(xx, yy, d != 2 && d != 4)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// FormatBits returns the 15 format information bits of level M with the
// mask: 00 and the mask, a BCH(15,5) code, XOR 101010000010010.
func FormatBits(mask int) uint32 {
	data := uint32(0b00<<3 | mask) // level M is 00
	rem := data
	for range 10 {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	return (data<<10 | rem) ^ 0x5412
}

// VersionBits returns the 18 version information bits (versions 7 and
// up): the version and a BCH(18,6) code.
func VersionBits(v int) uint32 {
	rem := uint32(v)
	for range 12 {
		rem = rem<<1 ^ (rem>>11)*0x1F25
	}
	return uint32(v)<<12 | rem
}

// drawFormat draws both copies of the format information, bit 0 being
// the least significant.
func (c *Code) drawFormat(mask int) {
	bits := FormatBits(mask)
	bit := func(i int) bool { return bits>>uint(i)&1 != 0 }
	n := c.Size
	for i := 0; i <= 5; i++ {
		c.set(8, i, bit(i))
	}
	c.set(8, 7, bit(6))
	c.set(8, 8, bit(7))
	c.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		c.set(14-i, 8, bit(i))
	}
	for i := range 8 {
		c.set(n-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		c.set(8, n-15+i, bit(i))
	}
	c.set(8, n-8, true) // the dark module
}

func (c *Code) drawVersion() {
	if c.Version < 7 {
		return
	}
	bits := VersionBits(c.Version)
	for i := range 18 {
		dark := bits>>uint(i)&1 != 0
		a, b := c.Size-11+i%3, i/3
		c.set(a, b, dark)
		c.set(b, a, dark)
	}
}

// drawCodewords places the codewords in the zigzag order: two-module
// columns from the right, alternately upwards and downwards, skipping the
// vertical timing column and every function module.
func (c *Code) drawCodewords(data []byte) {
	i := 0
	for right := c.Size - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := range c.Size {
			for j := range 2 {
				x := right - j
				y := vert
				if (right+1)&2 == 0 {
					y = c.Size - 1 - vert
				}
				if !c.function[y][x] && i < len(data)*8 {
					c.modules[y][x] = data[i>>3]>>(7-uint(i&7))&1 != 0
					i++
				}
			}
		}
	}
}

// MaskDark reports whether mask pattern m inverts the module at column
// x, row y.
func MaskDark(m, x, y int) bool {
	switch m {
	case 0:
		return (x+y)%2 == 0
	case 1:
		return y%2 == 0
	case 2:
		return x%3 == 0
	case 3:
		return (x+y)%3 == 0
	case 4:
		return (x/3+y/2)%2 == 0
	case 5:
		return x*y%2+x*y%3 == 0
	case 6:
		return (x*y%2+x*y%3)%2 == 0
	case 7:
		return ((x+y)%2+x*y%3)%2 == 0
	}
	panic("qr: bad mask")
}

func (c *Code) applyMask(m int) {
	c.Mask = m
	for y := range c.Size {
		for x := range c.Size {
			if !c.function[y][x] && MaskDark(m, x, y) {
				c.modules[y][x] = !c.modules[y][x]
			}
		}
	}
}

// penalty scores the symbol by the four rules of ISO/IEC 18004 section
// 7.8.3: runs of five or more, 2x2 blocks, finder-like 1:1:3:1:1 patterns
// with four light modules on a side, and the dark proportion.
func (c *Code) penalty() int {
	n := c.Size
	p := 0
	at := func(x, y int, vertical bool) bool {
		if vertical {
			return c.modules[x][y]
		}
		return c.modules[y][x]
	}
	finder := [11]bool{true, false, true, true, true, false, true, false, false, false, false}
	for _, vertical := range []bool{false, true} {
		for y := range n {
			run := 1
			for x := 1; x <= n; x++ {
				if x < n && at(x, y, vertical) == at(x-1, y, vertical) {
					run++
					continue
				}
				if run >= 5 {
					p += 3 + run - 5
				}
				run = 1
			}
			for x := 0; x+11 <= n; x++ {
				fwd, back := true, true
				for k := range 11 {
					m := at(x+k, y, vertical)
					fwd = fwd && m == finder[k]
					back = back && m == finder[10-k]
				}
				if fwd {
					p += 40
				}
				if back {
					p += 40
				}
			}
		}
	}
	dark := 0
	for y := range n {
		for x := range n {
			if c.modules[y][x] {
				dark++
			}
			if x+1 < n && y+1 < n {
				m := c.modules[y][x]
				if c.modules[y][x+1] == m && c.modules[y+1][x] == m && c.modules[y+1][x+1] == m {
					p += 3
				}
			}
		}
	}
	percent := dark * 100 / (n * n)
	prev := percent / 5 * 5
	p += min(abs(prev-50), abs(prev+5-50)) / 5 * 10
	return p
}

// Quiet is the width of the light border PNG draws, in modules.
const Quiet = 4

// Image returns the symbol as a two-colour image, scale pixels per
// module, with the quiet zone.
func (c *Code) Image(scale int) *image.Paletted {
	side := (c.Size + 2*Quiet) * scale
	img := image.NewPaletted(image.Rect(0, 0, side, side), color.Palette{color.White, color.Black})
	for y := range c.Size {
		for x := range c.Size {
			if !c.modules[y][x] {
				continue
			}
			for dy := range scale {
				row := img.Pix[((y+Quiet)*scale+dy)*img.Stride:]
				for dx := range scale {
					row[(x+Quiet)*scale+dx] = 1
				}
			}
		}
	}
	return img
}

// DefaultScale is the pixels per module PNG uses when given 0.
const DefaultScale = 8

// PNG encodes data (Encode) and draws it as a PNG, scale pixels per
// module (0 means DefaultScale).
func PNG(data []byte, scale int) ([]byte, error) {
	if scale <= 0 {
		scale = DefaultScale
	}
	if scale > 64 {
		return nil, errors.New("qr: scale above 64")
	}
	c, err := Encode(data)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := png.Encode(&b, c.Image(scale)); err != nil {
		return nil, fmt.Errorf("qr: png: %w", err)
	}
	return b.Bytes(), nil
}
