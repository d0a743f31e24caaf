package pades_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/pdf"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/pades/padestest"
)

var epoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func minimalPDF() []byte {
	w := pdf.NewWriter("1.7")
	cat, pages, page, content := w.Alloc(), w.Alloc(), w.Alloc(), w.Alloc()
	w.Put(content, pdf.FlateStream(nil, []byte("0 0 m 100 100 l S")))
	w.Put(page, pdf.Dict{"Type": pdf.Name("Page"), "Parent": pages, "MediaBox": pdf.Array{int64(0), int64(0), int64(200), int64(200)}, "Contents": content, "Resources": pdf.Dict{}})
	w.Put(pages, pdf.Dict{"Type": pdf.Name("Pages"), "Kids": pdf.Array{page}, "Count": int64(1)})
	w.Put(cat, pdf.Dict{"Type": pdf.Name("Catalog"), "Pages": pages})
	return w.Finish(pdf.Dict{"Root": cat, "ID": pdf.Array{pdf.HexString("0123456789abcdef"), pdf.HexString("0123456789abcdef")}})
}

func TestSignVerifyLevels(t *testing.T) {
	k := padestest.New(t, epoch)
	for _, alg := range []signing.Algorithm{signing.ES256, signing.ES384, signing.EdDSA} {
		for _, level := range []string{pades.LevelBB, pades.LevelBT, pades.LevelBLT} {
			t.Run(string(alg)+"/"+level, func(t *testing.T) {
				s, cert := k.Signer(t, "did:web:university.example", alg, level)
				out, err := s.Sign(context.Background(), minimalPDF())
				if err != nil {
					t.Fatal(err)
				}
				v, err := pades.Verify(out, pades.VerifyOptions{Roots: k.Roots, Now: k.Now})
				if err != nil {
					t.Fatal(err)
				}
				if v.Level != level || !v.Signer.Equal(cert) {
					t.Fatalf("level %s signer %v", v.Level, v.Signer.Subject)
				}
				if level != pades.LevelBB && !v.SigningTime.Equal(epoch) {
					t.Errorf("signing time %v", v.SigningTime)
				}
				if alg == signing.EdDSA {
					// poppler 22.12 with NSS 3.87 (Debian 12) cannot check
					// Ed25519 CMS signatures ("corrupted data").
					return
				}
				pdfsig(t, out, level == pades.LevelBLT)
			})
		}
	}
}

// TestLongTerm verifies documents long after the signer's certificate
// expired: a timestamped signature still verifies (the chain is checked
// at the timestamp's time), an untimestamped one does not.
func TestLongTerm(t *testing.T) {
	k := padestest.New(t, epoch)
	lt, _ := k.Signer(t, "did:web:university.example", signing.ES256, pades.LevelBLT)
	bb, _ := k.Signer(t, "did:web:university.example", signing.ES256, pades.LevelBB)
	ltDoc, err := lt.Sign(context.Background(), minimalPDF())
	if err != nil {
		t.Fatal(err)
	}
	bbDoc, err := bb.Sign(context.Background(), minimalPDF())
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return epoch.AddDate(8, 0, 0) } // certificates last 5 years
	if v, err := pades.Verify(ltDoc, pades.VerifyOptions{Roots: k.Roots, Now: later}); err != nil || v.Level != pades.LevelBLT || !v.RevocationChecked {
		t.Fatalf("B-LT after expiry: %v", err)
	}
	var pe *pades.Error
	if _, err := pades.Verify(bbDoc, pades.VerifyOptions{Roots: k.Roots, Now: later}); !errors.As(err, &pe) || pe.Reason != pades.ReasonUntrusted {
		t.Fatalf("B-B after expiry: %v", err)
	}
}

// pdfsig checks the signature with poppler.
func pdfsig(t *testing.T, data []byte, updated bool) {
	t.Helper()
	if _, err := exec.LookPath("pdfsig"); err != nil {
		t.Log("pdfsig not installed (scripts/setup.sh installs poppler-utils); skipping the poppler check")
		return
	}
	p := filepath.Join(t.TempDir(), "signed.pdf")
	os.WriteFile(p, data, 0o644)
	out, _ := exec.Command("pdfsig", p).CombinedOutput()
	s := string(out)
	if !strings.Contains(s, "Signature Validation: Signature is Valid.") {
		t.Fatalf("pdfsig:\n%s", s)
	}
	if !updated && !strings.Contains(s, "Total document signed") {
		t.Fatalf("pdfsig does not see the whole document signed:\n%s", s)
	}
	if !strings.Contains(s, "ETSI.CAdES.detached") {
		t.Fatalf("pdfsig: wrong sub-filter:\n%s", s)
	}
}

func TestTamper(t *testing.T) {
	k := padestest.New(t, epoch)
	s, cert := k.Signer(t, "did:web:dbd.example", signing.ES256, pades.LevelBLT)
	signed, err := s.Sign(context.Background(), minimalPDF())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := pdf.Open(signed)
	appendUpdate := func(mod func(f *pdf.File, w *pdf.Writer)) []byte {
		w := pdf.NewUpdate(signed, f)
		mod(f, w)
		return w.Finish(pdf.Dict{"Root": f.Root()})
	}
	cases := map[string]struct {
		data   []byte
		reason string
	}{
		"content byte": {func() []byte {
			b := bytes.Clone(signed)
			i := bytes.Index(b, []byte("stream\n")) + 9
			b[i] ^= 1
			return b
		}(), pades.ReasonModified},
		"page replaced": {appendUpdate(func(f *pdf.File, w *pdf.Writer) {
			c := w.Alloc()
			w.Put(c, pdf.FlateStream(nil, []byte("0 0 m 50 50 l S")))
			cat := f.GetDict(f.Root())
			pages := f.GetDict(cat["Pages"])
			ref := pages["Kids"].(pdf.Array)[0].(pdf.Ref)
			p := f.GetDict(ref).Clone()
			p["Contents"] = c
			w.Put(ref, p)
		}), pades.ReasonChangedAfterSigned},
		"catalog changed": {appendUpdate(func(f *pdf.File, w *pdf.Writer) {
			c := f.GetDict(f.Root()).Clone()
			c["OpenAction"] = pdf.Array{int64(1)}
			w.Put(f.Root(), c)
		}), pades.ReasonChangedAfterSigned},
		"dss added again": {func() []byte {
			b, err := pades.AddDSS(signed, pades.DSS{Certs: s.Chain})
			if err != nil {
				t.Fatal(err)
			}
			return b
		}(), ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := pades.Verify(tc.data, pades.VerifyOptions{Roots: k.Roots, Now: k.Now})
			var pe *pades.Error
			if tc.reason == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.As(err, &pe) || pe.Reason != tc.reason {
				t.Fatalf("got %v, want %s", err, tc.reason)
			}
		})
	}
	// The TSA's certificate (timeStamping only) may not sign documents.
	tsaSigner := &pades.Signer{Key: k.TSA.Key, Chain: k.TSA.Chain}
	bySA, err := tsaSigner.Sign(context.Background(), minimalPDF())
	if err != nil {
		t.Fatal(err)
	}
	var pe0 *pades.Error
	if _, err := pades.Verify(bySA, pades.VerifyOptions{Roots: k.Roots, Now: k.Now}); !errors.As(err, &pe0) || pe0.Reason != pades.ReasonUntrusted {
		t.Fatalf("TSA certificate as signer: %v", err)
	}
	// A revoked signer certificate: revoked before signing fails, after
	// the timestamp does not.
	k.CA.Revoke(cert, epoch.Add(-time.Hour))
	again, err := s.Sign(context.Background(), minimalPDF())
	if err != nil {
		t.Fatal(err)
	}
	var pe *pades.Error
	if _, err := pades.Verify(again, pades.VerifyOptions{Roots: k.Roots, Now: k.Now}); !errors.As(err, &pe) || pe.Reason != pades.ReasonRevoked {
		t.Fatalf("revoked: %v", err)
	}
}
