package qr

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	iqr "github.com/thaitrust/thaitrust/internal/qr"
)

func TestRoundTrip(t *testing.T) {
	for n := 0; n < 600; n += 37 {
		data := bytes.Repeat([]byte("ThaiTrust/"), n/10+1)[:n]
		c, err := Encode(data)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(c)
		if err != nil {
			t.Fatalf("len %d v%d: %v", n, c.Version, err)
		}
		if !bytes.Equal(got, data) {
			t.Fatalf("len %d: got %q", n, got)
		}
	}
}

func TestDecodeRejectsFlippedModule(t *testing.T) {
	c, _ := Encode([]byte("https://verify.example/v?id=urn:uuid:1&sha256=ab"))
	c.modules[(c.Size-1)*c.Size+c.Size-1] = !c.modules[(c.Size-1)*c.Size+c.Size-1]
	if _, err := Decode(c); err == nil {
		t.Fatal("a flipped data module was not noticed")
	}
}

// writePNG draws the symbol with a quiet zone at scale pixels per module.
func writePNG(t *testing.T, c *Code, path string, scale int) {
	n := (c.Size + 8) * scale
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			mx, my := x/scale-4, y/scale-4
			v := uint8(255)
			if mx >= 0 && my >= 0 && mx < c.Size && my < c.Size && c.Dark(mx, my) {
				v = 0
			}
			img.SetGray(x, y, color.Gray{v})
		}
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

// TestZbar decodes symbols of many versions with zbarimg.
func TestZbar(t *testing.T) {
	if _, err := exec.LookPath("zbarimg"); err != nil {
		t.Skip("zbarimg not installed (scripts/setup.sh installs zbar-tools)")
	}
	dir := t.TempDir()
	for _, n := range []int{1, 10, 14, 30, 60, 100, 150, 200, 260, 330, 400, 500, 650, 800, 1000} {
		data := strings.Repeat("https://thaitrust.example/verify?id=urn:uuid:0192&sha256=", n/50+1)[:n]
		c, err := Encode([]byte(data))
		if err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, fmt.Sprintf("%d.png", n))
		writePNG(t, c, p, 4)
		out, err := exec.Command("zbarimg", "--raw", "-q", "-Sbinary", p).Output()
		if err != nil {
			t.Fatalf("len %d (version %d, mask %d): zbarimg: %v", n, c.Version, c.Mask, err)
		}
		if got := strings.TrimSuffix(string(out), "\n"); got != data {
			t.Fatalf("len %d (version %d): zbarimg read %q", n, c.Version, got)
		}
	}
}

// TestDecodesInternalQR reads the symbols of internal/qr, the encoder
// the renderer uses.
func TestDecodesInternalQR(t *testing.T) {
	for n := 1; n <= 213; n += 7 {
		data := bytes.Repeat([]byte("https://verify.example/?id=urn:uuid:0197&sha256=ab"), 5)[:n]
		c, err := iqr.Encode(data)
		if err != nil {
			t.Fatal(err)
		}
		m, err := FromModules(c.Size, c.Dark)
		if err != nil {
			t.Fatal(err)
		}
		got, err := Decode(m)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("len %d (version %d mask %d): %q %v", n, c.Version, c.Mask, got, err)
		}
	}
}
