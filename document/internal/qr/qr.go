// Package qr decodes QR symbols (ISO/IEC 18004) from their module matrix
// (no image processing: the matrix as drawn in a PDF image), so that
// document verification can read the verification link a document
// prints. Decode reads byte-mode symbols at error correction level M, the
// kind internal/qr (which the renderer uses) makes, and checks every
// block's error correction codewords. It reads versions 1-40. The layout
// follows Project Nayuki's reference implementation (MIT).
package qr

import (
	"errors"
	"fmt"
)

// Code is a QR symbol: Size×Size modules, true for dark.
type Code struct {
	Version int
	Size    int
	Mask    int
	modules []bool
}

// Dark reports whether the module at column x, row y is dark.
func (c *Code) Dark(x, y int) bool { return c.modules[y*c.Size+x] }

// Tables for level M, versions 1-40 (index 0 unused).
var eccPerBlock = [41]int{-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28}
var numBlocks = [41]int{-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49}

const formatBitsM = 0 // error correction level M in the format information

func rawModules(ver int) int {
	r := (16*ver+128)*ver + 64
	if ver >= 2 {
		n := ver/7 + 2
		r -= (25*n-10)*n - 55
		if ver >= 7 {
			r -= 36
		}
	}
	return r
}

func countBits(ver int) int {
	if ver <= 9 {
		return 8
	}
	return 16
}

func newCode(ver int) *Code {
	size := ver*4 + 17
	return &Code{Version: ver, Size: size, modules: make([]bool, size*size)}
}

func (c *Code) set(x, y int, dark bool) { c.modules[y*c.Size+x] = dark }

// alignment returns the alignment pattern centre coordinates.
func alignment(ver int) []int {
	if ver == 1 {
		return nil
	}
	n := ver/7 + 2
	step := (ver*8 + n*3 + 5) / (n*4 - 4) * 2
	res := make([]int, n)
	res[0] = 6
	for i, pos := n-1, ver*4+10; i >= 1; i, pos = i-1, pos-step {
		res[i] = pos
	}
	return res
}

// functionMap marks the function modules (finder, timing, alignment,
// format and version areas).
func (c *Code) functionMap() []bool {
	n := c.Size
	fn := make([]bool, n*n)
	mark := func(x, y int) {
		if x >= 0 && x < n && y >= 0 && y < n {
			fn[y*n+x] = true
		}
	}
	for _, p := range [][2]int{{3, 3}, {n - 4, 3}, {3, n - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				mark(p[0]+dx, p[1]+dy)
			}
		}
	}
	for i := 0; i < n; i++ {
		mark(6, i)
		mark(i, 6)
	}
	al := alignment(c.Version)
	for i, ax := range al {
		for j, ay := range al {
			if i == 0 && j == 0 || i == 0 && j == len(al)-1 || i == len(al)-1 && j == 0 {
				continue
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					mark(ax+dx, ay+dy)
				}
			}
		}
	}
	for i := 0; i < 9; i++ {
		mark(8, i)
		mark(i, 8)
	}
	for i := 0; i < 8; i++ {
		mark(n-1-i, 8)
		mark(8, n-1-i)
	}
	if c.Version >= 7 {
		for i := 0; i < 18; i++ {
			a, b := n-11+i%3, i/3
			mark(a, b)
			mark(b, a)
		}
	}
	return fn
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func (c *Code) drawFunction(mask int) {
	n := c.Size
	for i := 0; i < n; i++ {
		c.set(6, i, i%2 == 0)
		c.set(i, 6, i%2 == 0)
	}
	for _, p := range [][2]int{{3, 3}, {n - 4, 3}, {3, n - 4}} {
		for dy := -4; dy <= 4; dy++ {
			for dx := -4; dx <= 4; dx++ {
				x, y := p[0]+dx, p[1]+dy
				if x >= 0 && x < n && y >= 0 && y < n {
					d := max(abs(dx), abs(dy))
					c.set(x, y, d != 2 && d != 4)
				}
			}
		}
	}
	al := alignment(c.Version)
	for i, ax := range al {
		for j, ay := range al {
			if i == 0 && j == 0 || i == 0 && j == len(al)-1 || i == len(al)-1 && j == 0 {
				continue
			}
			for dy := -2; dy <= 2; dy++ {
				for dx := -2; dx <= 2; dx++ {
					c.set(ax+dx, ay+dy, max(abs(dx), abs(dy)) != 1)
				}
			}
		}
	}
	c.drawFormat(mask)
	if c.Version >= 7 {
		rem := c.Version
		for i := 0; i < 12; i++ {
			rem = rem<<1 ^ (rem>>11)*0x1F25
		}
		bits := c.Version<<12 | rem
		for i := 0; i < 18; i++ {
			dark := bits>>i&1 == 1
			a, b := n-11+i%3, i/3
			c.set(a, b, dark)
			c.set(b, a, dark)
		}
	}
}

func formatBits(mask int) int {
	data := formatBitsM<<3 | mask
	rem := data
	for i := 0; i < 10; i++ {
		rem = rem<<1 ^ (rem>>9)*0x537
	}
	return (data<<10 | rem) ^ 0x5412
}

func (c *Code) drawFormat(mask int) {
	n := c.Size
	bits := formatBits(mask)
	bit := func(i int) bool { return bits>>i&1 == 1 }
	for i := 0; i <= 5; i++ {
		c.set(8, i, bit(i))
	}
	c.set(8, 7, bit(6))
	c.set(8, 8, bit(7))
	c.set(7, 8, bit(8))
	for i := 9; i < 15; i++ {
		c.set(14-i, 8, bit(i))
	}
	for i := 0; i < 8; i++ {
		c.set(n-1-i, 8, bit(i))
	}
	for i := 8; i < 15; i++ {
		c.set(8, n-15+i, bit(i))
	}
	c.set(8, n-8, true)
}

// zigzag calls visit for each data module position in placement order.
func (c *Code) zigzag(fn []bool, visit func(x, y int)) {
	n := c.Size
	for right := n - 1; right >= 1; right -= 2 {
		if right == 6 {
			right = 5
		}
		for vert := 0; vert < n; vert++ {
			for j := 0; j < 2; j++ {
				x := right - j
				upward := (right+1)&2 == 0
				y := vert
				if upward {
					y = n - 1 - vert
				}
				if !fn[y*n+x] {
					visit(x, y)
				}
			}
		}
	}
}

func maskBit(m, x, y int) bool {
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
	default:
		return ((x+y)%2+x*y%3)%2 == 0
	}
}

// blocks splits data codewords into blocks: short blocks first, then
// long ones (one more data codeword).
func blockLayout(ver int) (nb, short, eccLen, shortData int) {
	nb = numBlocks[ver]
	eccLen = eccPerBlock[ver]
	raw := rawModules(ver) / 8
	short = nb - raw%nb
	shortData = raw/nb - eccLen
	return
}

func interleave(ver int, data []byte) []byte {
	nb, short, eccLen, shortData := blockLayout(ver)
	div := rsDivisor(eccLen)
	var blocks [][]byte
	k := 0
	for i := 0; i < nb; i++ {
		n := shortData
		if i >= short {
			n++
		}
		d := data[k : k+n]
		k += n
		ecc := rsRemainder(d, div)
		blk := append([]byte{}, d...)
		if i < short {
			blk = append(blk, 0)
		}
		blocks = append(blocks, append(blk, ecc...))
	}
	var out []byte
	for i := range blocks[0] {
		for j, b := range blocks {
			if i != shortData || j >= short {
				out = append(out, b[i])
			}
		}
	}
	return out
}

func gfMul(x, y byte) byte {
	var z int
	for i := 7; i >= 0; i-- {
		z = z<<1 ^ (z>>7)*0x11D
		z ^= int(y>>i&1) * int(x)
	}
	return byte(z)
}

func rsDivisor(degree int) []byte {
	res := make([]byte, degree)
	res[degree-1] = 1
	root := byte(1)
	for i := 0; i < degree; i++ {
		for j := 0; j < degree; j++ {
			res[j] = gfMul(res[j], root)
			if j+1 < degree {
				res[j] ^= res[j+1]
			}
		}
		root = gfMul(root, 2)
	}
	return res
}

func rsRemainder(data, div []byte) []byte {
	res := make([]byte, len(div))
	for _, b := range data {
		f := b ^ res[0]
		copy(res, res[1:])
		res[len(res)-1] = 0
		for i := range res {
			res[i] ^= gfMul(div[i], f)
		}
	}
	return res
}

// FromModules builds a Code from a module matrix (true = dark), e.g. read
// back from an image.
func FromModules(size int, dark func(x, y int) bool) (*Code, error) {
	if size < 21 || size > 177 || (size-17)%4 != 0 {
		return nil, fmt.Errorf("qr: %d modules is not a QR symbol size", size)
	}
	c := newCode((size - 17) / 4)
	for y := 0; y < size; y++ {
		for x := 0; x < size; x++ {
			c.set(x, y, dark(x, y))
		}
	}
	return c, nil
}

// ErrUnreadable: the matrix is not a level-M byte-mode symbol this
// package reads, or its error correction does not check out.
var ErrUnreadable = errors.New("qr: unreadable symbol")

// Decode reads a level-M byte-mode symbol (as internal/qr makes them): it checks the function patterns,
// the format information and every block's error correction codewords
// (no errors are corrected), and returns the data.
func Decode(c *Code) ([]byte, error) {
	// Format information (first copy) names the mask.
	var bits int
	bit := func(x, y, i int) {
		if c.Dark(x, y) {
			bits |= 1 << i
		}
	}
	for i := 0; i <= 5; i++ {
		bit(8, i, i)
	}
	bit(8, 7, 6)
	bit(8, 8, 7)
	bit(7, 8, 8)
	for i := 9; i < 15; i++ {
		bit(14-i, 8, i)
	}
	mask := -1
	for m := 0; m < 8; m++ {
		if formatBits(m) == bits {
			mask = m
		}
	}
	if mask < 0 {
		return nil, fmt.Errorf("%w: format information is not level M", ErrUnreadable)
	}
	// The function patterns must be exactly those of a symbol.
	ref := newCode(c.Version)
	ref.drawFunction(mask)
	fn := ref.functionMap()
	for i, f := range fn {
		if f && ref.modules[i] != c.modules[i] {
			return nil, fmt.Errorf("%w: function patterns differ", ErrUnreadable)
		}
	}
	raw := make([]byte, rawModules(c.Version)/8)
	i := 0
	c.zigzag(fn, func(x, y int) {
		if i < len(raw)*8 && c.Dark(x, y) != maskBit(mask, x, y) {
			raw[i>>3] |= 1 << (7 - i&7)
		}
		i++
	})
	// De-interleave and check each block's ECC.
	nb, short, eccLen, shortData := blockLayout(c.Version)
	blocks := make([][]byte, nb)
	k := 0
	for i := 0; i < shortData+1+eccLen; i++ {
		for j := 0; j < nb; j++ {
			if i == shortData && j < short {
				blocks[j] = append(blocks[j], 0)
				continue
			}
			blocks[j] = append(blocks[j], raw[k])
			k++
		}
	}
	div := rsDivisor(eccLen)
	var data []byte
	for j, b := range blocks {
		n := shortData
		if j >= short {
			n++
		}
		d, ecc := b[:n], b[shortData+1:]
		want := rsRemainder(d, div)
		for i := range want {
			if want[i] != ecc[i] {
				return nil, fmt.Errorf("%w: error correction codewords do not match", ErrUnreadable)
			}
		}
		data = append(data, d...)
	}
	// Byte mode segment.
	pos := 0
	read := func(n int) (int, bool) {
		if pos+n > len(data)*8 {
			return 0, false
		}
		v := 0
		for i := 0; i < n; i++ {
			v = v<<1 | int(data[(pos+i)>>3]>>(7-(pos+i)&7)&1)
		}
		pos += n
		return v, true
	}
	mode, ok := read(4)
	if !ok || mode != 4 {
		return nil, fmt.Errorf("%w: not a byte-mode segment", ErrUnreadable)
	}
	n, ok := read(countBits(c.Version))
	if !ok {
		return nil, ErrUnreadable
	}
	out := make([]byte, 0, n)
	for i := 0; i < n; i++ {
		v, ok := read(8)
		if !ok {
			return nil, fmt.Errorf("%w: segment longer than the symbol", ErrUnreadable)
		}
		out = append(out, byte(v))
	}
	return out, nil
}
