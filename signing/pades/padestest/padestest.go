// Package padestest is a test kit for PDF signatures: a demo root CA, a
// time-stamp authority it certified, and signers for issuer DIDs, all in
// memory with a settable clock.
package padestest

import (
	"context"
	"crypto"
	"crypto/x509"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/tsa"
	"github.com/thaitrust/thaitrust/signing/x509ca"
)

// Kit is a CA and a TSA.
type Kit struct {
	CA    *x509ca.CA
	TSA   *tsa.Authority
	Roots *x509.CertPool

	mu  sync.Mutex
	now time.Time
}

// New returns a kit whose clock starts at now.
func New(t testing.TB, now time.Time) *Kit {
	t.Helper()
	k := &Kit{now: now}
	caKey, err := signing.GenerateKey(signing.ES256)
	if err != nil {
		t.Fatal(err)
	}
	if k.CA, err = x509ca.NewRoot("ThaiTrust Demo Root CA", caKey, 20*365*24*time.Hour, k.Now); err != nil {
		t.Fatal(err)
	}
	tsaKey, err := signing.GenerateKey(signing.ES256)
	if err != nil {
		t.Fatal(err)
	}
	tsaCert, err := k.CA.IssueTSA(tsaKey.Public(), "ThaiTrust Demo TSA", 10*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	k.TSA = &tsa.Authority{Key: tsaKey, Chain: []*x509.Certificate{tsaCert, k.CA.Cert}, Now: k.Now}
	k.Roots = x509.NewCertPool()
	k.Roots.AddCert(k.CA.Cert)
	return k
}

// Now returns the kit's time.
func (k *Kit) Now() time.Time {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.now
}

// Set moves the kit's clock.
func (k *Kit) Set(t time.Time) {
	k.mu.Lock()
	k.now = t
	k.mu.Unlock()
}

// Signer returns a PAdES signer for an issuer DID with a new key of alg
// at the given level (pades.LevelBB, LevelBT or LevelBLT), and its
// certificate.
func (k *Kit) Signer(t testing.TB, did string, alg signing.Algorithm, level string) (*pades.Signer, *x509.Certificate) {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k.SignerFor(t, key, did, level)
}

// SignerFor is Signer for an existing key.
func (k *Kit) SignerFor(t testing.TB, key crypto.Signer, did, level string) (*pades.Signer, *x509.Certificate) {
	t.Helper()
	cert, err := k.CA.IssueSigner(key.Public(), did, did, 5*365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s := &pades.Signer{Key: key, Chain: []*x509.Certificate{cert, k.CA.Cert}, Now: k.Now}
	if level != pades.LevelBB {
		s.TSA = k.TSA
	}
	if level == pades.LevelBLT {
		s.Revocation = func(context.Context) ([][]byte, error) {
			crl, err := k.CA.CRL(7 * 24 * time.Hour)
			return [][]byte{crl}, err
		}
	}
	return s, cert
}
