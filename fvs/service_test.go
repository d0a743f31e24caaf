package fvs_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Valid citizen IDs (mod-11 check digit).
const (
	pidA = "1101700230708"
	pidB = "3100600123450"
)

var now = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func clock() time.Time { return now }

// pngImage returns a distinct, valid w×h PNG.
func pngImage(t testing.TB, w, h int, shade uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(0, 0, color.Gray{Y: shade + 1})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func vec(x float32) []float32 { return []float32{x, 0, 0, 0} }

type fixture struct {
	svc   *fvs.Service
	m     *fvstest.FakeMatcher
	store fvs.Store
	kek   fvs.KEK
	key   ed25519.PrivateKey
	res   *did.Resolver
}

const fvsDID = "did:web:dopa.example:fvs"

func newFixture(t *testing.T) *fixture {
	t.Helper()
	_, k, _ := ed25519.GenerateKey(nil)
	kek, err := fvs.SignerKEK(k)
	if err != nil {
		t.Fatal(err)
	}
	_, attKey, _ := ed25519.GenerateKey(nil)
	doc := did.NewDocument(fvsDID, attKey.Public())
	f := &fixture{m: fvstest.NewFakeMatcher(), store: fvstest.NewMemoryStore(), kek: kek, key: attKey,
		res: &did.Resolver{Local: func(id string) (*did.Document, bool) { return doc, id == fvsDID }}}
	f.svc, err = fvs.New(context.Background(), fvs.Config{
		Matcher: f.m, Store: f.store, KEK: kek, Calibration: fvstest.FakeCalibration(), Now: clock,
		Attestation: &fvs.AttestationSigner{Key: attKey, Issuer: fvsDID, KeyID: doc.VerificationMethod[0].ID,
			PIDEntitled: func(v string) bool { return v == "entitled-verifier" }},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

var call = fvs.Call{Caller: "idp-1", Purpose: "ial2.2-proofing", Consent: "consent-123"}

func TestVerify(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	enrolPhoto, same, close5, far, two, small := pngImage(t, 200, 200, 10), pngImage(t, 200, 200, 20), pngImage(t, 200, 200, 25),
		pngImage(t, 200, 200, 30), pngImage(t, 300, 200, 40), pngImage(t, 200, 200, 50)
	f.m.Set(enrolPhoto, vec(0))
	f.m.Set(same, vec(0.1))    // distance 0.1: FMR floor, match at 1e-4
	f.m.Set(close5, vec(0.45)) // between the 1e-4 (0.4) and 1e-3 (0.5) thresholds
	f.m.Set(far, vec(0.9))
	f.m.Set(two, vec(0), vec(1))
	f.m.SetFaces(small, fvs.Face{Box: image.Rect(0, 0, 30, 30), Template: fvs.Template{Model: fvstest.FakeModel, Version: 1, Vector: vec(0)}})

	if _, err := f.svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pidA, Image: same}); !errors.Is(err, fvs.ErrNotEnrolled) {
		t.Fatalf("before enrolment: %v, want ErrNotEnrolled", err)
	}
	er, err := f.svc.Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pidA, Image: enrolPhoto, Source: "dopa"})
	if err != nil || er.Version != 1 || er.Model != fvstest.FakeModel || er.Quality.FacesFound != 1 {
		t.Fatalf("Enroll = %+v, %v", er, err)
	}
	tests := []struct {
		name     string
		img      []byte
		fmr      float64
		decision string
		minScore float64
	}{
		{"genuine", same, 0, fvs.DecisionMatch, 99.99},
		{"genuine 1e-4", same, 1e-4, fvs.DecisionMatch, 99.99},
		{"between thresholds at 1e-3", close5, 1e-3, fvs.DecisionMatch, 99.9},
		{"between thresholds at 1e-4", close5, 1e-4, fvs.DecisionNoMatch, 99.9},
		{"impostor", far, 1e-3, fvs.DecisionNoMatch, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pidA, Image: tt.img, FMR: tt.fmr})
			if err != nil {
				t.Fatal(err)
			}
			want := tt.fmr
			if want == 0 {
				want = 1e-3
			}
			if r.Decision != tt.decision || r.FMR != want || r.Score < tt.minScore || r.Model != fvstest.FakeModel ||
				!strings.HasSuffix(r.ThresholdID, "#fmr="+fvs.FormatFMR(want)) || r.RequestID == "" || r.Quality.FacesFound != 1 {
				t.Fatalf("Verify = %+v", r)
			}
			if tt.decision == fvs.DecisionNoMatch && r.Score >= 100*(1-want) {
				t.Fatalf("a no-match scored %v at FMR %v", r.Score, want)
			}
		})
	}
	bad := []struct {
		name string
		req  fvs.VerifyRequest
		want error
	}{
		{"not an image", fvs.VerifyRequest{Call: call, PID: pidA, Image: []byte("GIF89a not accepted")}, fvs.ErrNotImage},
		{"empty", fvs.VerifyRequest{Call: call, PID: pidA}, fvs.ErrNotImage},
		{"no face", fvs.VerifyRequest{Call: call, PID: pidA, Image: pngImage(t, 100, 100, 99)}, fvs.ErrNoFace},
		{"two faces", fvs.VerifyRequest{Call: call, PID: pidA, Image: two}, fvs.ErrManyFaces},
		{"small face", fvs.VerifyRequest{Call: call, PID: pidA, Image: small}, fvs.ErrFaceTooSmall},
		{"tiny image", fvs.VerifyRequest{Call: call, PID: pidA, Image: pngImage(t, 32, 32, 1)}, fvs.ErrImageTooSmall},
		{"bad pid", fvs.VerifyRequest{Call: call, PID: "1101700230705", Image: same}, fvs.ErrInvalidPID},
		{"no consent", fvs.VerifyRequest{Call: fvs.Call{Caller: "idp-1", Purpose: "p"}, PID: pidA, Image: same}, fvs.ErrConsentRequired},
		{"no purpose", fvs.VerifyRequest{Call: fvs.Call{Caller: "idp-1", Consent: "c"}, PID: pidA, Image: same}, fvs.ErrPurposeRequired},
		{"fmr", fvs.VerifyRequest{Call: call, PID: pidA, Image: same, FMR: 1e-2}, fvs.ErrUnsupportedFMR},
		{"not enrolled", fvs.VerifyRequest{Call: call, PID: pidB, Image: same}, fvs.ErrNotEnrolled},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			r, err := f.svc.Verify(ctx, tt.req)
			if !errors.Is(err, tt.want) || r != nil {
				t.Fatalf("Verify = %+v, %v; want %v", r, err, tt.want)
			}
			for _, other := range bad {
				if other.want != tt.want && errors.Is(err, other.want) {
					t.Errorf("error %v also matches %v", err, other.want)
				}
			}
		})
	}

	// Re-enrolment counts; deletion removes.
	if er, err := f.svc.Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pidA, Image: far}); err != nil || er.Version != 2 {
		t.Fatalf("re-enrolment = %+v, %v", er, err)
	}
	if r, err := f.svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pidA, Image: far}); err != nil || !r.Match() {
		t.Fatalf("after re-enrolment with the far photo: %+v, %v", r, err)
	}
	if err := f.svc.Delete(ctx, call, pidA); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.Delete(ctx, call, pidA); !errors.Is(err, fvs.ErrNotEnrolled) {
		t.Fatalf("second delete: %v", err)
	}

	// Every call is audited, rejections included, without the pid.
	es, err := f.store.ListAudit(ctx, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	calls := 1 + 1 + len(tests) + len(bad) + 2 + 2
	if len(es) != calls {
		t.Fatalf("%d audit entries, want %d", len(es), calls)
	}
	for _, e := range es {
		if e.Caller != "idp-1" || e.RequestID == "" || e.Outcome == "" || !e.At.Equal(now) {
			t.Errorf("audit entry %+v", e)
		}
		if strings.Contains(e.Purpose+e.Consent+e.Reason+e.ScoreBand, pidA) {
			t.Errorf("audit entry holds the pid: %+v", e)
		}
	}
	if es[2].Outcome != "match" || es[2].ScoreBand != ">=99.99" || es[2].Subject != f.svc.Subject(pidA) {
		t.Errorf("first verification audited as %+v", es[2])
	}
}

func TestWrongKEK(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	_, k2, _ := ed25519.GenerateKey(nil)
	kek2, _ := fvs.SignerKEK(k2)
	_, err := fvs.New(ctx, fvs.Config{Matcher: f.m, Store: f.store, KEK: kek2, Calibration: fvstest.FakeCalibration()})
	if !errors.Is(err, fvs.ErrWrongKEK) {
		t.Fatalf("another KEK: %v, want ErrWrongKEK", err)
	}
	// The same KEK, derived again, opens it.
	if _, err := fvs.New(ctx, fvs.Config{Matcher: f.m, Store: f.store, KEK: f.kek, Calibration: fvstest.FakeCalibration()}); err != nil {
		t.Fatal(err)
	}
}

func TestKEKs(t *testing.T) {
	aad := []byte("aad")
	dek := []byte("0123456789abcdef0123456789abcdef")
	p256, _ := signing.GenerateKey(signing.ES256)
	ed, _ := signing.GenerateKey(signing.EdDSA)
	salt := []byte("0123456789abcdef")
	fast := fvs.PassphraseKEKParams{Time: 1, MemoryKiB: 64, Threads: 1}
	for name, mk := range map[string]func() (fvs.KEK, error){
		"ed25519":    func() (fvs.KEK, error) { return fvs.SignerKEK(ed) },
		"p256":       func() (fvs.KEK, error) { return fvs.SignerKEK(p256) },
		"passphrase": func() (fvs.KEK, error) { return fvs.PassphraseKEK([]byte("correct horse"), salt, fast) },
	} {
		t.Run(name, func(t *testing.T) {
			k1, err := mk()
			if err != nil {
				t.Fatal(err)
			}
			k2, _ := mk() // derived again: the same key
			if k1.ID() != k2.ID() {
				t.Fatalf("ids differ: %s, %s", k1.ID(), k2.ID())
			}
			w, err := k1.Wrap(dek, aad)
			if err != nil {
				t.Fatal(err)
			}
			got, err := k2.Unwrap(w, aad)
			if err != nil || !bytes.Equal(got, dek) {
				t.Fatalf("Unwrap = %x, %v", got, err)
			}
			if _, err := k2.Unwrap(w, []byte("other")); !errors.Is(err, fvs.ErrWrongKEK) {
				t.Errorf("other aad: %v", err)
			}
			w[len(w)-1] ^= 1
			if _, err := k2.Unwrap(w, aad); !errors.Is(err, fvs.ErrWrongKEK) {
				t.Errorf("altered: %v", err)
			}
		})
	}
	other, _ := fvs.PassphraseKEK([]byte("wrong"), salt, fast)
	right, _ := fvs.PassphraseKEK([]byte("correct horse"), salt, fast)
	w, _ := right.Wrap(dek, aad)
	if _, err := other.Unwrap(w, aad); !errors.Is(err, fvs.ErrWrongKEK) || other.ID() == right.ID() {
		t.Errorf("wrong passphrase: %v (ids %s, %s)", err, other.ID(), right.ID())
	}
}

func TestCheckImage(t *testing.T) {
	ok := pngImage(t, 100, 80, 3)
	// A PNG whose header claims 30000×30000 pixels: refused from the
	// header, before any pixel is decoded.
	huge := append([]byte(nil), pngImage(t, 64, 64, 3)...)
	copy(huge[16:24], []byte{0, 0, 0x75, 0x30, 0, 0, 0x75, 0x30})
	binary.BigEndian.PutUint32(huge[29:33], crc32.ChecksumIEEE(huge[12:29]))
	tests := []struct {
		name string
		data []byte
		lim  fvs.Limits
		want error
	}{
		{"png", ok, fvs.Limits{}, nil},
		{"text", []byte("hello, world"), fvs.Limits{}, fvs.ErrNotImage},
		{"nil", nil, fvs.Limits{}, fvs.ErrNotImage},
		{"too many bytes", ok, fvs.Limits{MaxBytes: 50}, fvs.ErrImageTooLarge},
		{"too many pixels", huge, fvs.Limits{}, fvs.ErrTooManyPixels},
		{"side", ok, fvs.Limits{MaxSide: 90}, fvs.ErrTooManyPixels},
		{"small", ok, fvs.Limits{MinSide: 90}, fvs.ErrImageTooSmall},
		{"truncated header", ok[:12], fvs.Limits{}, fvs.ErrCorruptImage},
		{"jpeg magic, garbage", []byte{0xFF, 0xD8, 0xFF, 0, 1, 2, 3}, fvs.Limits{}, fvs.ErrCorruptImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, err := fvs.CheckImage(tt.data, tt.lim)
			if !errors.Is(err, tt.want) || (tt.want == nil && (img.Width != 100 || img.Height != 80 || img.Format != "png")) {
				t.Fatalf("CheckImage = %+v, %v; want %v", img, err, tt.want)
			}
		})
	}
}

func FuzzCheckImage(f *testing.F) {
	f.Add([]byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	f.Fuzz(func(t *testing.T, data []byte) {
		img, err := fvs.CheckImage(data, fvs.Limits{})
		if err != nil && img.Data != nil {
			t.Fatal("error with a result")
		}
		var ie *fvs.InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("not an InputError: %v", err)
		}
	})
}

func TestCalibrationScore(t *testing.T) {
	c := fvstest.FakeCalibration()
	for _, tt := range []struct {
		d, fmr float64
	}{{0.5, 1e-3}, {0.4, 1e-4}, {0.45, 3.1623e-4}, {0.0, 1e-6}, {3, 1}} {
		got := c.FMR(tt.d)
		if d := got/tt.fmr - 1; d > 1e-3 || d < -1e-3 {
			t.Errorf("FMR(%v) = %v, want %v", tt.d, got, tt.fmr)
		}
	}
	if s := c.Score(0.5); s != 99.9 {
		t.Errorf("Score at the 1e-3 threshold = %v, want 99.9", s)
	}
	if s := c.Score(0.0); s != 99.9999 {
		t.Errorf("Score at the floor = %v", s)
	}
	if fvs.FormatFMR(1e-3) != "1e-3" || fvs.FormatFMR(1e-4) != "1e-4" {
		t.Error("FormatFMR")
	}
}

func TestEmbeddedCalibrations(t *testing.T) {
	cs, err := fvs.Calibrations()
	if err != nil || len(cs) == 0 {
		t.Fatalf("Calibrations = %d, %v", len(cs), err)
	}
	for _, c := range cs {
		for _, f := range []float64{1e-3, 1e-4} {
			thr, ok := c.Threshold(f)
			if !ok {
				t.Fatalf("%s: no threshold for %v", c.ID, f)
			}
			// The threshold's own FMR is within the target.
			if got := c.FMR(thr.Distance); got > f*1.5 {
				t.Errorf("%s: FMR at the %v threshold %v = %v", c.ID, f, thr.Distance, got)
			}
		}
	}
}
