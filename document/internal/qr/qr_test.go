package qr

import (
	"bytes"
	"testing"

	iqr "github.com/thaitrust/thaitrust/internal/qr"
)

// encode makes a symbol with internal/qr, the encoder the renderer uses,
// and reads its modules back as the decoder sees them.
func encode(t *testing.T, data []byte) *Code {
	t.Helper()
	c, err := iqr.Encode(data)
	if err != nil {
		t.Fatal(err)
	}
	m, err := FromModules(c.Size, c.Dark)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestDecodeRejectsFlippedModule(t *testing.T) {
	c := encode(t, []byte("https://verify.example/v?id=urn:uuid:1&sha256=ab"))
	c.modules[(c.Size-1)*c.Size+c.Size-1] = !c.modules[(c.Size-1)*c.Size+c.Size-1]
	if _, err := Decode(c); err == nil {
		t.Fatal("a flipped data module was not noticed")
	}
}

// TestDecodesInternalQR reads the symbols of internal/qr, the encoder
// the renderer uses, at every version it makes (1-15, up to 412 bytes).
func TestDecodesInternalQR(t *testing.T) {
	for n := 0; n <= 412; n += 7 {
		data := bytes.Repeat([]byte("https://verify.example/?id=urn:uuid:0197&sha256=ab"), 9)[:n]
		m := encode(t, data)
		got, err := Decode(m)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("len %d (version %d mask %d): %q %v", n, m.Version, m.Mask, got, err)
		}
	}
}
