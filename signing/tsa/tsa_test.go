package tsa_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades/padestest"
	"github.com/thaitrust/thaitrust/signing/tsa"
)

var epoch = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)

func TestHTTPRoundTrip(t *testing.T) {
	k := padestest.New(t, epoch)
	srv := httptest.NewServer(k.TSA)
	defer srv.Close()
	c := &tsa.Client{URL: srv.URL}
	data := []byte("signature value")
	sum := sha256.Sum256(data)
	der, err := c.Timestamp(context.Background(), sum[:], crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tsa.ParseToken(der)
	if err != nil {
		t.Fatal(err)
	}
	if !tok.GenTime.Equal(epoch) || len(tok.Certificates) != 2 {
		t.Fatalf("token %v, %d certificates", tok.GenTime, len(tok.Certificates))
	}
	if _, err := tok.Verify(data, tsa.VerifyOptions{Roots: k.Roots}); err != nil {
		t.Fatal(err)
	}
	if _, err := tok.Verify([]byte("other"), tsa.VerifyOptions{Roots: k.Roots}); !errors.Is(err, tsa.ErrImprint) {
		t.Fatalf("other data: %v", err)
	}
	other := padestest.New(t, epoch)
	if _, err := tok.Verify(data, tsa.VerifyOptions{Roots: other.Roots}); !errors.Is(err, tsa.ErrUntrusted) {
		t.Fatalf("other roots: %v", err)
	}
	// A tampered token.
	bad := bytes.Clone(der)
	bad[len(bad)-10] ^= 1
	if tb, err := tsa.ParseToken(bad); err == nil {
		if _, err := tb.Verify(data, tsa.VerifyOptions{Roots: k.Roots}); err == nil {
			t.Fatal("tampered token verified")
		}
	}
}

func TestServerRejects(t *testing.T) {
	k := padestest.New(t, epoch)
	srv := httptest.NewServer(k.TSA)
	defer srv.Close()
	resp, err := http.Post(srv.URL, tsa.MediaTypeQuery, bytes.NewReader([]byte("junk")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Type") != tsa.MediaTypeReply {
		t.Fatal("no timestamp reply")
	}
	if _, err := (&tsa.Client{URL: srv.URL}).Timestamp(context.Background(), []byte("short"), crypto.SHA256); !errors.Is(err, tsa.ErrRejected) {
		t.Fatalf("bad digest: %v", err)
	}
	if r, _ := http.Get(srv.URL); r.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET: %d", r.StatusCode)
	}
}

func TestAuthorityNeedsTimeStampingCert(t *testing.T) {
	k := padestest.New(t, epoch)
	key, _ := signing.GenerateKey(signing.ES256)
	cert, err := k.CA.IssueSigner(key.Public(), "did:web:x.example", "x", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	a := &tsa.Authority{Key: key, Chain: []*x509.Certificate{cert, k.CA.Cert}, Now: k.Now}
	sum := sha256.Sum256([]byte("x"))
	if _, err := a.Timestamp(context.Background(), sum[:], crypto.SHA256); !errors.Is(err, tsa.ErrUntrusted) {
		t.Fatalf("a document-signing certificate time-stamped: %v", err)
	}
}

func FuzzParseToken(f *testing.F) {
	k := padestest.New(&testing.T{}, epoch)
	sum := sha256.Sum256([]byte("x"))
	der, _ := k.TSA.Timestamp(context.Background(), sum[:], crypto.SHA256)
	f.Add(der)
	f.Fuzz(func(t *testing.T, data []byte) {
		tok, err := tsa.ParseToken(data)
		if err != nil {
			if tok != nil {
				t.Fatal("error with a token")
			}
			return
		}
		tok.Verify([]byte("x"), tsa.VerifyOptions{Roots: k.Roots})
	})
}
