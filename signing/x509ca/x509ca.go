// Package x509ca is a small X.509 certificate authority for ThaiTrust's
// demo and tests: a root CA that certifies issuers' signing keys for PDF
// signatures (PAdES) and a time-stamp authority's key, and publishes
// CRLs.
//
// An issuer certificate names the issuer's DID as a URI SubjectAltName,
// so a verifier can tie a PDF signature to the issuer of the credential
// inside; the trust registry lists certificates by Fingerprint (SHA-256
// of the DER).
//
// WARNING: the CA keeps its key in memory (or wherever the caller keeps
// the crypto.Signer) and its revocation list in memory. It is a demo CA,
// not a certification service: no audit log, no key ceremony.
package x509ca

import (
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"sync"
	"time"
)

// OIDDocumentSigning is id-kp-documentSigning (RFC 9336).
var OIDDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// CA is a certification authority. Safe for concurrent use.
type CA struct {
	Cert *x509.Certificate
	Key  crypto.Signer
	// CRLURL, when set, is written into issued certificates as their CRL
	// distribution point.
	CRLURL string
	// Now returns the time; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	revoked map[string]time.Time // serial (decimal) -> revocation time
	crlNum  int64
}

func (ca *CA) now() time.Time {
	if ca.Now != nil {
		return ca.Now().UTC()
	}
	return time.Now().UTC()
}

func serial() (*big.Int, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	b[0] &= 0x7f
	return new(big.Int).SetBytes(b), nil
}

// NewRoot creates a self-signed root CA valid for validity from now.
func NewRoot(name string, key crypto.Signer, validity time.Duration, now func() time.Time) (*CA, error) {
	ca := &CA{Key: key, Now: now, revoked: map[string]time.Time{}}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	t := ca.now()
	tmpl := &x509.Certificate{
		SerialNumber: sn,
		Subject:      pkix.Name{CommonName: name, Organization: []string{"ThaiTrust demo"}, Country: []string{"TH"}},
		NotBefore:    t.Add(-time.Hour), NotAfter: t.Add(validity),
		IsCA: true, BasicConstraintsValid: true, MaxPathLen: 1,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("x509ca: %w", err)
	}
	if ca.Cert, err = x509.ParseCertificate(der); err != nil {
		return nil, err
	}
	return ca, nil
}

// Load returns a CA from its certificate and key (as stored by the
// caller).
func Load(cert *x509.Certificate, key crypto.Signer) (*CA, error) {
	if !cert.IsCA {
		return nil, errors.New("x509ca: not a CA certificate")
	}
	return &CA{Cert: cert, Key: key, revoked: map[string]time.Time{}}, nil
}

func (ca *CA) issue(tmpl *x509.Certificate, pub crypto.PublicKey) (*x509.Certificate, error) {
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	tmpl.SerialNumber = sn
	if ca.CRLURL != "" {
		tmpl.CRLDistributionPoints = []string{ca.CRLURL}
	}
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, pub, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("x509ca: %w", err)
	}
	return x509.ParseCertificate(der)
}

// IssueSigner certifies an issuer's key for signing documents: the
// subject is name, the SubjectAltName URI is the issuer's DID, key usage
// digitalSignature and nonRepudiation, extended key usage
// documentSigning (RFC 9336).
func (ca *CA) IssueSigner(pub crypto.PublicKey, did, name string, validity time.Duration) (*x509.Certificate, error) {
	u, err := url.Parse(did)
	if err != nil || u.Scheme != "did" {
		return nil, fmt.Errorf("x509ca: %q is not a DID", did)
	}
	t := ca.now()
	return ca.issue(&x509.Certificate{
		Subject:   pkix.Name{CommonName: name, Country: []string{"TH"}},
		NotBefore: t.Add(-time.Minute), NotAfter: t.Add(validity),
		KeyUsage:           x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		UnknownExtKeyUsage: []asn1.ObjectIdentifier{OIDDocumentSigning},
		URIs:               []*url.URL{u},
	}, pub)
}

// IssueTSA certifies a time-stamp authority's key: the critical
// extended key usage timeStamping only (RFC 3161 section 2.3).
func (ca *CA) IssueTSA(pub crypto.PublicKey, name string, validity time.Duration) (*x509.Certificate, error) {
	t := ca.now()
	// crypto/x509 marks the EKU extension non-critical; RFC 3161 wants it
	// critical, so it is written by hand.
	eku, err := asn1.Marshal([]asn1.ObjectIdentifier{{1, 3, 6, 1, 5, 5, 7, 3, 8}})
	if err != nil {
		return nil, err
	}
	return ca.issue(&x509.Certificate{
		Subject:   pkix.Name{CommonName: name, Country: []string{"TH"}},
		NotBefore: t.Add(-time.Minute), NotAfter: t.Add(validity),
		KeyUsage:        x509.KeyUsageDigitalSignature | x509.KeyUsageContentCommitment,
		ExtraExtensions: []pkix.Extension{{Id: asn1.ObjectIdentifier{2, 5, 29, 37}, Critical: true, Value: eku}},
	}, pub)
}

// Revoke records a certificate as revoked at the given time.
func (ca *CA) Revoke(cert *x509.Certificate, at time.Time) {
	ca.mu.Lock()
	defer ca.mu.Unlock()
	if ca.revoked == nil {
		ca.revoked = map[string]time.Time{}
	}
	ca.revoked[cert.SerialNumber.String()] = at.UTC()
}

// CRL returns a CRL (DER) of the revoked certificates, valid for
// nextUpdate from now.
func (ca *CA) CRL(nextUpdate time.Duration) ([]byte, error) {
	ca.mu.Lock()
	ca.crlNum++
	num := ca.crlNum
	var entries []x509.RevocationListEntry
	for s, at := range ca.revoked {
		n, _ := new(big.Int).SetString(s, 10)
		entries = append(entries, x509.RevocationListEntry{SerialNumber: n, RevocationTime: at})
	}
	ca.mu.Unlock()
	t := ca.now()
	der, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(t.Unix()*1000 + num%1000), ThisUpdate: t.Add(-time.Second), NextUpdate: t.Add(nextUpdate),
		RevokedCertificateEntries: entries,
	}, ca.Cert, ca.Key)
	if err != nil {
		return nil, fmt.Errorf("x509ca: %w", err)
	}
	return der, nil
}

// Fingerprint returns the hex SHA-256 of a certificate's DER, the form
// in which the registry lists certificates.
func Fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return hex.EncodeToString(sum[:])
}

// DID returns the DID a signer certificate names in its URI
// SubjectAltName ("" when it names none or several).
func DID(c *x509.Certificate) string {
	var found string
	for _, u := range c.URIs {
		if u.Scheme == "did" {
			if found != "" {
				return ""
			}
			found = u.String()
		}
	}
	return found
}
