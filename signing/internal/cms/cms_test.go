package cms

import (
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
)

func selfSigned(t testing.TB, alg signing.Algorithm) (*x509.Certificate, crypto.Signer) {
	key, _ := signing.GenerateKey(alg)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "t"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, key
}

func TestSignParseVerify(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.ES256, signing.ES384, signing.EdDSA} {
		cert, key := selfSigned(t, alg)
		content := []byte("the signed bytes")
		der, err := Sign(SignOptions{Key: key, Chain: []*x509.Certificate{cert}, ContentType: OIDData, Content: content, Detached: true})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(append(der, 0, 0, 0)) // PDF padding
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := sd.SigningTime(); ok {
			t.Fatal("signing-time present")
		}
		if got, err := sd.Verify(content); err != nil || !got.Equal(cert) {
			t.Fatalf("%s: %v", alg, err)
		}
		if _, err := sd.Verify([]byte("other bytes")); !errors.Is(err, ErrDigestMismatch) {
			t.Fatalf("%s: other content: %v", alg, err)
		}
		sd.Signature[len(sd.Signature)-1] ^= 1
		if _, err := sd.Verify(content); !errors.Is(err, ErrBadSignature) {
			t.Fatalf("%s: bad signature: %v", alg, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	cert, key := selfSigned(f, signing.ES256)
	der, _ := Sign(SignOptions{Key: key, Chain: []*x509.Certificate{cert}, ContentType: OIDData, Content: []byte("x")})
	f.Add(der)
	f.Fuzz(func(t *testing.T, data []byte) {
		sd, err := Parse(data)
		if err != nil {
			if sd != nil {
				t.Fatal("error with a result")
			}
			return
		}
		sd.Verify([]byte("x"))
	})
}
