package pades_test

import (
	"context"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/tsa"
	"github.com/thaitrust/thaitrust/signing/x509ca"
)

// A CA certifies an issuer's key for its DID and a time-stamp authority;
// the issuer signs a PDF at B-LT; a verifier that trusts the CA checks it.
func Example() {
	now := func() time.Time { return time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC) }
	caKey, _ := signing.GenerateKey(signing.ES256)
	ca, _ := x509ca.NewRoot("Example Root", caKey, 10*365*24*time.Hour, now)

	tsaKey, _ := signing.GenerateKey(signing.ES256)
	tsaCert, _ := ca.IssueTSA(tsaKey.Public(), "Example TSA", 365*24*time.Hour)
	authority := &tsa.Authority{Key: tsaKey, Chain: []*x509.Certificate{tsaCert, ca.Cert}, Now: now}

	key, _ := signing.GenerateKey(signing.ES256)
	cert, _ := ca.IssueSigner(key.Public(), "did:web:university.example", "Example University", 365*24*time.Hour)
	signer := &pades.Signer{
		Key: key, Chain: []*x509.Certificate{cert, ca.Cert}, TSA: authority, Now: now,
		Revocation: func(context.Context) ([][]byte, error) {
			crl, err := ca.CRL(7 * 24 * time.Hour)
			return [][]byte{crl}, err
		},
	}
	signed, err := signer.Sign(context.Background(), minimalPDF())
	if err != nil {
		fmt.Println(err)
		return
	}

	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	v, err := pades.Verify(signed, pades.VerifyOptions{Roots: roots, Now: now})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(v.Level, x509ca.DID(v.Signer), v.SigningTime.Format(time.RFC3339), v.LaterRevisions)
	// Output: B-LT did:web:university.example 2025-06-01T09:00:00Z 1
}
