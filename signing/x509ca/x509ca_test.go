package x509ca_test

import (
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/x509ca"
)

func TestIssueAndRevoke(t *testing.T) {
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	rootKey, _ := signing.GenerateKey(signing.ES256)
	ca, err := x509ca.NewRoot("Test Root", rootKey, 10*365*24*time.Hour, clock)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := signing.GenerateKey(signing.EdDSA)
	cert, err := ca.IssueSigner(key.Public(), "did:web:university.example", "University", 365*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if got := x509ca.DID(cert); got != "did:web:university.example" {
		t.Fatalf("DID %q", got)
	}
	sum := sha256.Sum256(cert.Raw)
	if x509ca.Fingerprint(cert) != hex.EncodeToString(sum[:]) {
		t.Fatal("fingerprint")
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca.Cert)
	if _, err := cert.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Fatal(err)
	}
	if _, err := ca.IssueSigner(key.Public(), "https://not-a-did", "x", time.Hour); err == nil {
		t.Fatal("a non-DID was accepted")
	}
	tsaCert, err := ca.IssueTSA(key.Public(), "TSA", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(tsaCert.ExtKeyUsage) != 1 || tsaCert.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		t.Fatalf("TSA EKU %v", tsaCert.ExtKeyUsage)
	}
	ca.Revoke(cert, now)
	der, err := ca.CRL(24 * time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	crl, err := x509.ParseRevocationList(der)
	if err != nil || crl.CheckSignatureFrom(ca.Cert) != nil {
		t.Fatal(err)
	}
	if len(crl.RevokedCertificateEntries) != 1 || crl.RevokedCertificateEntries[0].SerialNumber.Cmp(cert.SerialNumber) != 0 {
		t.Fatal("revoked certificate not listed")
	}
}
