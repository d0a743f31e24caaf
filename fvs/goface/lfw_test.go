package goface_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/goface"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/internal/testdata"
)

// The tests use a handful of LFW images (../shared/datasets/lfw) and the
// face models that scripts/setup.sh installs; they skip, saying why, when
// either is missing.

var (
	matcherOnce sync.Once
	matcher     *goface.Matcher
	matcherErr  error
)

func newMatcher(t *testing.T) *goface.Matcher {
	t.Helper()
	dir, err := goface.ModelsDir()
	if err != nil {
		t.Skipf("face models not installed (run scripts/setup.sh): %v", err)
	}
	matcherOnce.Do(func() { matcher, matcherErr = goface.New(goface.Config{Dir: dir, Recognizers: 2}) })
	if matcherErr != nil {
		t.Fatal(matcherErr)
	}
	return matcher
}

func lfw(t *testing.T, name string, n int) []byte {
	t.Helper()
	dir := testdata.LFW(t, "images")
	b, err := os.ReadFile(filepath.Join(dir, name, name+"_"+pad(n)+".jpg"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pad(n int) string { return strings.Repeat("0", 4-len(itoa(n))) + itoa(n) }
func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// Citizen IDs with valid check digits.
const (
	pidA = "1101700230708"
	pidB = "3100600123450"
)

var call = fvs.Call{Caller: "idp-test", Purpose: "ial2.2-proofing", Consent: "consent-1"}

func newService(t *testing.T, store fvs.Store, policy fvs.Policy) *fvs.Service {
	t.Helper()
	_, k, _ := ed25519.GenerateKey(nil)
	kek, err := fvs.SignerKEK(k)
	if err != nil {
		t.Fatal(err)
	}
	return newServiceKEK(t, store, policy, kek)
}

func newServiceKEK(t *testing.T, store fvs.Store, policy fvs.Policy, kek fvs.KEK) *fvs.Service {
	t.Helper()
	svc, err := fvs.New(context.Background(), fvs.Config{Matcher: newMatcher(t), Store: store, KEK: kek, Policy: policy})
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func decode(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func encodePNG(t *testing.T, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestLFWVerification(t *testing.T) {
	ctx := context.Background()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "thaitrust.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := newService(t, db.FVS(), fvs.Policy{})
	enrol := lfw(t, "Abel_Pacheco", 1)
	if _, err := svc.Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pidA, Image: enrol, Source: "lfw"}); err != nil {
		t.Fatal(err)
	}
	// The genuine probe as PNG: go-face reads JPEG only, the backend
	// re-encodes.
	genuine := encodePNG(t, decode(t, lfw(t, "Abel_Pacheco", 4)))
	for _, tt := range []struct {
		name  string
		img   []byte
		fmr   float64
		match bool
	}{
		{"genuine pair accepted (PNG probe)", genuine, 1e-3, true},
		{"impostor pair rejected at FMR 1e-3", lfw(t, "Dean_Barker", 1), 1e-3, false},
		{"impostor pair rejected at FMR 1e-4", lfw(t, "Mikhail_Gorbachev", 1), 1e-4, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, err := svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pidA, Image: tt.img, FMR: tt.fmr})
			if err != nil {
				t.Fatal(err)
			}
			if r.Match() != tt.match || r.Model != goface.ModelBase || r.Quality.FacesFound != 1 || r.Quality.FaceWidth < 60 {
				t.Fatalf("Verify = %+v", r)
			}
			t.Logf("score %.4f%%, decision %s at FMR %s, face %dx%d", r.Score, r.Decision, fvs.FormatFMR(r.FMR), r.Quality.FaceWidth, r.Quality.FaceHeight)
		})
	}

	// The data file holds neither the citizen ID nor the template, in
	// raw or base64 form (the template is recomputed from the same photo:
	// extraction is deterministic).
	img, _ := fvs.CheckImage(enrol, fvs.Limits{})
	ex, err := newMatcher(t).Extract(ctx, img)
	if err != nil || len(ex.Faces) != 1 {
		t.Fatal(err)
	}
	raw, _ := ex.Faces[0].Template.MarshalBinary()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	for what, needle := range map[string][]byte{
		"citizen ID":                     []byte(pidA),
		"template (raw, first 32 bytes)": raw[:32],
		"template (raw, bytes 256-288)":  raw[256:288],
		"template (base64)":              []byte(base64.StdEncoding.EncodeToString(raw)[:40]),
		"template (base64url)":           []byte(base64.RawURLEncoding.EncodeToString(raw)[:40]),
	} {
		if bytes.Contains(file, needle) {
			t.Errorf("the bolt file contains the %s", what)
		}
	}
}

func TestLFWBadInput(t *testing.T) {
	ctx := context.Background()
	a, b := decode(t, lfw(t, "Abel_Pacheco", 1)), decode(t, lfw(t, "Dean_Barker", 1))
	// Two faces side by side.
	two := image.NewRGBA(image.Rect(0, 0, 500, 250))
	draw.Draw(two, image.Rect(0, 0, 250, 250), a, image.Point{}, draw.Src)
	draw.Draw(two, image.Rect(250, 0, 500, 250), b, image.Point{}, draw.Src)
	var twoJPEG bytes.Buffer
	if err := jpeg.Encode(&twoJPEG, two, &jpeg.Options{Quality: 95}); err != nil {
		t.Fatal(err)
	}
	// No face: a smooth gradient.
	blank := image.NewRGBA(image.Rect(0, 0, 250, 250))
	for y := range 250 {
		for x := range 250 {
			blank.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	enrol := lfw(t, "Abel_Pacheco", 1)
	tests := []struct {
		name   string
		img    []byte
		policy fvs.Policy
		want   error
	}{
		{"not an image", []byte("%PDF-1.7 this is not a photo"), fvs.Policy{}, fvs.ErrNotImage},
		{"too large", append(append([]byte(nil), enrol...), make([]byte, fvs.DefaultMaxBytes)...), fvs.Policy{}, fvs.ErrImageTooLarge},
		{"no face", encodePNG(t, blank), fvs.Policy{}, fvs.ErrNoFace},
		{"more than one face", twoJPEG.Bytes(), fvs.Policy{}, fvs.ErrManyFaces},
		{"face too small", lfw(t, "Abel_Pacheco", 4), fvs.Policy{MinFaceSize: 200}, fvs.ErrFaceTooSmall},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newMemStore()
			_, k, _ := ed25519.GenerateKey(nil)
			kek, _ := fvs.SignerKEK(k)
			if _, err := newServiceKEK(t, store, fvs.Policy{}, kek).Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pidB, Image: enrol}); err != nil {
				t.Fatal(err)
			}
			svc := newServiceKEK(t, store, tt.policy, kek)
			r, err := svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pidB, Image: tt.img})
			if !errors.Is(err, tt.want) || r != nil {
				t.Fatalf("Verify = %+v, %v; want %v", r, err, tt.want)
			}
			for _, other := range tests {
				if other.want != tt.want && errors.Is(err, other.want) {
					t.Errorf("%v also matches %v", err, other.want)
				}
			}
		})
	}
}

func TestLargeImageScaled(t *testing.T) {
	ctx := context.Background()
	m := newMatcher(t)
	// A large image (scaled to 1024 px for detection): boxes come back in
	// the original's coordinates.
	src := decode(t, lfw(t, "Abel_Pacheco", 1))
	big := image.NewRGBA(image.Rect(0, 0, 2000, 2000))
	draw.Draw(big, big.Rect, &image.Uniform{color.Gray{Y: 200}}, image.Point{}, draw.Src)
	// Paste the face scaled ×6 (nearest neighbour) in the middle.
	for y := range 1500 {
		for x := range 1500 {
			big.Set(250+x, 250+y, src.At(x/6, y/6))
		}
	}
	data := encodePNG(t, big)
	img, err := fvs.CheckImage(data, fvs.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	ex, err := m.Extract(ctx, img)
	if err != nil || len(ex.Faces) != 1 {
		t.Fatalf("Extract = %d faces, %v", len(ex.Faces), err)
	}
	if w := ex.Faces[0].Box.Dx(); w < 300 {
		t.Errorf("face box %v is not in the original's coordinates", ex.Faces[0].Box)
	}
}

func newMemStore() fvs.Store { return memStore() }
