package qr

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// ISO/IEC 18004 table C.1 (level M) and table D.1, as reprinted in the
// thonky.com QR tutorial.
func TestFormatBits(t *testing.T) {
	want := []string{
		"101010000010010", "101000100100101", "101111001111100", "101101101001011",
		"100010111111001", "100000011001110", "100111110010111", "100101010100000",
	}
	for m, w := range want {
		if got := fmt.Sprintf("%015b", FormatBits(m)); got != w {
			t.Errorf("mask %d: %s, want %s", m, got, w)
		}
	}
}

func TestVersionBits(t *testing.T) {
	for v, w := range map[int]string{7: "000111110010010100", 8: "001000010110111100", 9: "001001101010011001", 10: "001010010011010011"} {
		if got := fmt.Sprintf("%018b", VersionBits(v)); got != w {
			t.Errorf("version %d: %s, want %s", v, got, w)
		}
	}
}

// The thonky.com "HELLO WORLD" 1-M example: its data codewords and the
// error correction codewords the tutorial computes for them.
func TestReedSolomon(t *testing.T) {
	data := []byte{32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17}
	want := []byte{196, 35, 39, 119, 235, 215, 231, 226, 93, 23}
	if got := rsRemainder(data, 10); !bytes.Equal(got, want) {
		t.Errorf("EC codewords %v, want %v", got, want)
	}
}

// TestByteModeCodewords: "hello" in byte mode at 1-M: 0100, 00000101,
// the bytes, terminator, pad 0xEC 0x11.
func TestByteModeCodewords(t *testing.T) {
	got := dataCodewords(1, []byte("hello"))
	want := []byte{0x40, 0x56, 0x86, 0x56, 0xc6, 0xc6, 0xf0, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec, 0x11, 0xec}
	if !bytes.Equal(got, want) {
		t.Errorf("codewords % x\nwant      % x", got, want)
	}
}

func TestCapacityAndVersions(t *testing.T) {
	for v, want := range map[int]int{1: 14, 2: 26, 5: 84, 9: 180, 10: 213, 11: 251, 12: 287, 13: 331, 14: 362, 15: 412} {
		if got := capacity(v); got != want {
			t.Errorf("capacity(%d) = %d, want %d", v, got, want)
		}
	}
	for n, v := range map[int]int{0: 1, 14: 1, 15: 2, 180: 9, 181: 10, 213: 10, 214: 11, 300: 13, 412: 15} {
		c, err := Encode(bytes.Repeat([]byte{'a'}, n))
		if err != nil || c.Version != v || c.Size != 17+4*v {
			t.Errorf("%d bytes: %v, %v; want version %d", n, c, err, v)
		}
	}
	if _, err := Encode(make([]byte, 413)); err == nil {
		t.Error("413 bytes encoded")
	}
}

// TestStructure checks the function patterns and that both copies of the
// format information name level M and the chosen mask.
func TestStructure(t *testing.T) {
	c, err := Encode([]byte("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fthaitrust.example%2Fissuers%2Funiversity%2Foid4vci%2Foffers%2Fx"))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Size
	finder := []string{"#######", "#.....#", "#.###.#", "#.###.#", "#.###.#", "#.....#", "#######"}
	for _, o := range [][2]int{{0, 0}, {n - 7, 0}, {0, n - 7}} {
		for y, row := range finder {
			for x, ch := range row {
				if c.Dark(o[0]+x, o[1]+y) != (ch == '#') {
					t.Fatalf("finder at %v wrong at (%d,%d)", o, x, y)
				}
			}
		}
	}
	for i := 8; i < n-8; i++ {
		if c.Dark(i, 6) != (i%2 == 0) || c.Dark(6, i) != (i%2 == 0) {
			t.Fatalf("timing pattern wrong at %d", i)
		}
	}
	if !c.Dark(8, 4*c.Version+9) {
		t.Error("no dark module")
	}
	var a, b uint32
	for i := 0; i <= 5; i++ {
		a |= bit(c.Dark(8, i)) << uint(i)
	}
	a |= bit(c.Dark(8, 7))<<6 | bit(c.Dark(8, 8))<<7 | bit(c.Dark(7, 8))<<8
	for i := 9; i < 15; i++ {
		a |= bit(c.Dark(14-i, 8)) << uint(i)
	}
	for i := range 8 {
		b |= bit(c.Dark(n-1-i, 8)) << uint(i)
	}
	for i := 8; i < 15; i++ {
		b |= bit(c.Dark(8, n-15+i)) << uint(i)
	}
	if a != b || a != FormatBits(c.Mask) {
		t.Errorf("format copies %015b %015b, want %015b", a, b, FormatBits(c.Mask))
	}
	if c.Version >= 7 {
		var v1, v2 uint32
		for i := range 18 {
			v1 |= bit(c.Dark(n-11+i%3, i/3)) << uint(i)
			v2 |= bit(c.Dark(i/3, n-11+i%3)) << uint(i)
		}
		if v1 != VersionBits(c.Version) || v2 != v1 {
			t.Errorf("version info %018b %018b", v1, v2)
		}
	}
}

func bit(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// TestDecodeWithZbar decodes symbols of every version and every mask with
// zbarimg (zbar-tools, installed by scripts/setup.sh), an independent
// decoder. It is skipped where zbarimg is missing.
func TestDecodeWithZbar(t *testing.T) {
	zbar, err := exec.LookPath("zbarimg")
	if err != nil {
		t.Skip("zbarimg not installed (apt-get install zbar-tools)")
	}
	dir := t.TempDir()
	var cases []string
	for _, n := range []int{1, 14, 20, 40, 60, 84, 100, 130, 150, 180, 200, 213, 230, 251, 287, 331, 362, 412} {
		s := strings.Repeat("thaitrust-ไทย/?&=%", 20)
		cases = append(cases, trimBytes(s, n))
	}
	for i, s := range cases {
		c, err := Encode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		for m := range 8 {
			if m != c.Mask && i%3 != 0 {
				continue // every mask on some sizes
			}
			fc := forceMask(t, []byte(s), m)
			path := filepath.Join(dir, fmt.Sprintf("%d-%d.png", i, m))
			var b bytes.Buffer
			if err := pngEncode(&b, fc, 3); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command(zbar, "-q", "--raw", "-Sbinary", path).Output()
			if err != nil {
				t.Errorf("%d bytes (version %d), mask %d: zbarimg: %v", len(s), fc.Version, m, err)
				continue
			}
			if got := strings.TrimSuffix(string(out), "\n"); got != s {
				t.Errorf("%d bytes, mask %d: decoded %q", len(s), m, got)
			}
		}
	}
}

func trimBytes(s string, n int) string {
	b := []byte(s)
	if n > len(b) {
		n = len(b)
	}
	return string(b[:n])
}

// forceMask encodes data with mask m instead of the best one.
func forceMask(t *testing.T, data []byte, m int) *Code {
	t.Helper()
	best, err := Encode(data)
	if err != nil {
		t.Fatal(err)
	}
	c := newCode(best.Version)
	c.drawCodewords(interleave(best.Version, dataCodewords(best.Version, data)))
	c.applyMask(m)
	c.drawFormat(m)
	return c
}

func TestPNG(t *testing.T) {
	b, err := PNG([]byte("hello"), 0)
	if err != nil || !bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("PNG: %v", err)
	}
	if _, err := PNG([]byte("hello"), 65); err == nil {
		t.Error("scale 65 accepted")
	}
}

func FuzzEncode(f *testing.F) {
	f.Add([]byte("openid-credential-offer://?credential_offer_uri=x"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Encode(data)
		if err != nil {
			if len(data) <= capacity(MaxVersion) {
				t.Fatalf("%d bytes refused: %v", len(data), err)
			}
			return
		}
		if c.Size != 17+4*c.Version || c.Mask < 0 || c.Mask > 7 {
			t.Fatalf("bad symbol %d %d", c.Size, c.Mask)
		}
	})
}

func pngEncode(w *bytes.Buffer, c *Code, scale int) error { return png.Encode(w, c.Image(scale)) }
