package goface

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/testdata"
)

// withOrientation inserts an APP1 EXIF segment with the orientation tag
// after the SOI marker of a JPEG.
func withOrientation(j []byte, o uint16, bo binary.AppendByteOrder) []byte {
	tiff := []byte("II*\x00")
	if bo == binary.BigEndian {
		tiff = []byte("MM\x00*")
	}
	tiff = bo.AppendUint32(tiff, 8)
	tiff = bo.AppendUint16(tiff, 1)
	tiff = bo.AppendUint16(tiff, 0x0112)
	tiff = bo.AppendUint16(tiff, 3)
	tiff = bo.AppendUint32(tiff, 1)
	tiff = bo.AppendUint16(tiff, o)
	tiff = append(tiff, 0, 0)
	tiff = bo.AppendUint32(tiff, 0)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	out := append([]byte{0xFF, 0xD8, 0xFF, 0xE1}, byte((len(seg)+2)>>8), byte(len(seg)+2))
	out = append(out, seg...)
	return append(out, j[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	if o := jpegOrientation(b.Bytes()); o != 1 {
		t.Errorf("no EXIF: %d", o)
	}
	for _, bo := range []binary.AppendByteOrder{binary.LittleEndian, binary.BigEndian} {
		for o := uint16(1); o <= 8; o++ {
			j := withOrientation(b.Bytes(), o, bo)
			if got := jpegOrientation(j); got != int(o) {
				t.Errorf("%v orientation %d read as %d", bo, o, got)
			}
			if _, err := jpeg.Decode(bytes.NewReader(j)); err != nil {
				t.Fatalf("the test JPEG does not decode: %v", err)
			}
		}
	}
}

func TestOrient(t *testing.T) {
	// A 3×2 image with a marked top-left pixel.
	src := image.NewRGBA(image.Rect(0, 0, 3, 2))
	red := color.RGBA{255, 0, 0, 255}
	src.SetRGBA(0, 0, red)
	// Where the stored top-left pixel ends up when shown upright.
	want := map[int]image.Point{1: {0, 0}, 2: {2, 0}, 3: {2, 1}, 4: {0, 1}, 5: {0, 0}, 6: {1, 0}, 7: {1, 2}, 8: {0, 2}}
	for o, p := range want {
		d := orient(src, o)
		if o >= 5 && (d.Rect.Dx() != 2 || d.Rect.Dy() != 3) {
			t.Errorf("orientation %d: size %v", o, d.Rect)
		}
		if d.RGBAAt(p.X, p.Y) != red {
			t.Errorf("orientation %d: the marked pixel is not at %v", o, p)
		}
	}
}

func FuzzJPEGOrientation(f *testing.F) {
	img := image.NewRGBA(image.Rect(0, 0, 8, 4))
	var b bytes.Buffer
	jpeg.Encode(&b, img, nil)
	f.Add(withOrientation(b.Bytes(), 6, binary.LittleEndian))
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 8, 'E', 'x', 'i', 'f', 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if o := jpegOrientation(data); o < 1 || o > 8 {
			t.Fatalf("orientation %d", o)
		}
	})
}

// TestRotatedPhoto: a phone photo stored on its side with EXIF
// orientation 6 is turned upright before detection.
func TestRotatedPhoto(t *testing.T) {
	dir, err := ModelsDir()
	if err != nil {
		t.Skipf("face models not installed (run scripts/setup.sh): %v", err)
	}
	data, err := os.ReadFile(filepath.Join(testdata.LFW(t, "images"), "Abel_Pacheco", "Abel_Pacheco_0001.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	up, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	// Stored turned 90° counter-clockwise; orientation 6 says to turn it
	// clockwise to show it.
	stored := orient(toRGBA(up), 8)
	var b bytes.Buffer
	jpeg.Encode(&b, stored, &jpeg.Options{Quality: 95})
	m, err := New(Config{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	extract := func(data []byte) fvs.Extraction {
		img, err := fvs.CheckImage(data, fvs.Limits{})
		if err != nil {
			t.Fatal(err)
		}
		ex, err := m.Extract(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		return ex
	}
	// Without the tag the frontal HOG detector misses the face lying on
	// its side (the CNN fallback may still find it).
	if ex := extract(b.Bytes()); len(ex.Faces) != 0 && ex.Detector == "hog" {
		t.Errorf("HOG found a face on its side: the test image is not sideways")
	}
	ref := extract(data)
	ex := extract(withOrientation(b.Bytes(), 6, binary.LittleEndian))
	if len(ex.Faces) != 1 || ex.Detector != "hog" || len(ref.Faces) != 1 {
		t.Fatalf("orientation 6: %d faces by %s", len(ex.Faces), ex.Detector)
	}
	if d, _ := m.Distance(ex.Faces[0].Template, ref.Faces[0].Template); d > 0.1 {
		t.Errorf("the upright-turned photo is at distance %v from the original", d)
	}
}
