package app

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/tsa"
	"github.com/thaitrust/thaitrust/signing/x509ca"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

// PKIDir is the data directory's folder of document-signing material:
// the demo CA (ca.pem, ca.key), the time-stamp authority (tsa.pem,
// tsa.key) and each issuer's document-signing certificate (<name>.pem,
// and <name>.key when the issuer's own key cannot sign PDFs).
const PKIDir = "pki"

// Documents renders issued credentials as signed PDF/A-3 e-certificates
// (PAdES B-LT: timestamp from the in-process TSA, DSS with the demo CA's
// CRL) and verifies them. The PKI is created on first use.
//
// WARNING: the CA is a demo CA whose key lives in the data directory; a
// deployment certifies issuers' keys with a real CA and lists the
// certificates' fingerprints in the trust registry.
type Documents struct {
	app *App

	once     sync.Once
	err      error
	ca       *x509ca.CA
	tsa      *tsa.Authority
	renderer *document.Renderer
	signers  map[string]*pades.Signer
}

// NewDocuments returns the document service of an app.
func NewDocuments(a *App) *Documents { return &Documents{app: a} }

func (d *Documents) load() error {
	d.once.Do(func() { d.err = d.setup() })
	return d.err
}

func (d *Documents) setup() error {
	a := d.app
	dir := filepath.Join(a.DataDir, PKIDir)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	pass, err := KeyPassphrase(a.DataDir, a.Config)
	if err != nil {
		return err
	}
	ctx := context.Background()
	key := func(name string) (crypto.Signer, bool, error) {
		p := filepath.Join(dir, name+".key")
		k, err := signing.Open(ctx, "file:"+p, signing.OpenOptions{Passphrase: func() ([]byte, error) { return pass, nil }})
		if err == nil {
			return k, false, nil
		}
		if _, serr := os.Stat(p); !errors.Is(serr, fs.ErrNotExist) {
			return nil, false, fmt.Errorf("app: %s: %w", p, err)
		}
		k, err = signing.GenerateKey(signing.ES256)
		if err != nil {
			return nil, false, err
		}
		kdf := signing.DefaultKDFParams()
		if a.Config.Demo {
			kdf = demoKDF
		}
		return k, true, signing.WriteKeyFileKDF(p, k, pass, kdf)
	}
	caKey, fresh, err := key("ca")
	if err != nil {
		return err
	}
	caPath := filepath.Join(dir, "ca.pem")
	if fresh {
		if d.ca, err = x509ca.NewRoot("ThaiTrust Demo Document CA", caKey, 20*365*24*time.Hour, wallClock); err != nil {
			return err
		}
		if err := writePEM(caPath, d.ca.Cert); err != nil {
			return err
		}
	} else {
		cert, err := readPEM(caPath)
		if err != nil {
			return err
		}
		if d.ca, err = x509ca.Load(cert, caKey); err != nil {
			return err
		}
		d.ca.Now = wallClock
	}
	d.ca.CRLURL = a.Config.PublicURL + "/pki/ca.crl"
	// certified returns the certificate at name.pem for key, issuing it
	// when missing or for another key.
	certified := func(name string, k crypto.Signer, issue func() (*x509.Certificate, error)) (*x509.Certificate, error) {
		p := filepath.Join(dir, name+".pem")
		if c, err := readPEM(p); err == nil && c.CheckSignatureFrom(d.ca.Cert) == nil && samePublicKey(c.PublicKey, k.Public()) {
			return c, nil
		}
		c, err := issue()
		if err != nil {
			return nil, err
		}
		return c, writePEM(p, c)
	}
	tsaKey, _, err := key("tsa")
	if err != nil {
		return err
	}
	tsaCert, err := certified("tsa", tsaKey, func() (*x509.Certificate, error) {
		return d.ca.IssueTSA(tsaKey.Public(), "ThaiTrust Demo Time-Stamp Authority", 10*365*24*time.Hour)
	})
	if err != nil {
		return err
	}
	d.tsa = &tsa.Authority{Key: tsaKey, Chain: []*x509.Certificate{tsaCert, d.ca.Cert}, Now: wallClock}
	d.signers = map[string]*pades.Signer{}
	for name, svc := range a.issuers {
		p := svc.Profile()
		k := p.Signer.Key
		if p.Signer.Algorithm == signing.EdDSA {
			// Ed25519 PDF signatures verify here but not in poppler with
			// NSS 3.87 (Debian 12); such issuers sign PDFs with a P-256
			// key certified for the same DID.
			if k, _, err = key(name); err != nil {
				return err
			}
		}
		cert, err := certified(name, k, func() (*x509.Certificate, error) {
			dn := p.DisplayName["en"]
			if dn == "" {
				dn = p.Name
			}
			return d.ca.IssueSigner(k.Public(), p.DID, dn, 5*365*24*time.Hour)
		})
		if err != nil {
			return err
		}
		d.signers[name] = &pades.Signer{
			Key: k, Chain: []*x509.Certificate{cert, d.ca.Cert}, TSA: d.tsa, Now: wallClock,
			Revocation: func(context.Context) ([][]byte, error) {
				crl, err := d.ca.CRL(7 * 24 * time.Hour)
				return [][]byte{crl}, err
			},
		}
	}
	d.renderer, err = document.NewRenderer(document.Config{VerifyURL: a.Config.PublicURL + "/verify", Now: wallClock})
	return err
}

// Supports reports whether a credential type has a document template.
func (d *Documents) Supports(credentialType string) bool {
	for _, t := range document.Templates() {
		if t == credentialType {
			return true
		}
	}
	return false
}

// PDF renders an issued credential and signs it as its issuer.
func (d *Documents) PDF(ctx context.Context, issuerName string, issued *issuer.Issued) ([]byte, error) {
	if err := d.load(); err != nil {
		return nil, err
	}
	s, ok := d.signers[issuerName]
	if !ok {
		return nil, fmt.Errorf("app: no document signer for issuer %q", issuerName)
	}
	doc, err := d.renderer.Render(document.Input{MediaType: issued.MediaType, Secured: []byte(issued.Token), Credential: issued.Credential})
	if err != nil {
		return nil, err
	}
	return s.Sign(ctx, doc.PDF)
}

// Options returns the PDF trust inputs: the demo CA as the root of
// document-signing and time-stamp certificates.
func (d *Documents) Options() (verifier.PDFOptions, error) {
	if err := d.load(); err != nil {
		return verifier.PDFOptions{}, err
	}
	roots := x509.NewCertPool()
	roots.AddCert(d.ca.Cert)
	return verifier.PDFOptions{Roots: roots}, nil
}

// Fingerprints returns the SHA-256 fingerprints of the issuers'
// document-signing certificates, by issuer name (what the trust registry
// lists).
func (d *Documents) Fingerprints() (map[string]string, error) {
	if err := d.load(); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for name, s := range d.signers {
		out[name] = x509ca.Fingerprint(s.Chain[0])
	}
	return out, nil
}

// TSA serves the time-stamp authority over HTTP (RFC 3161).
func (d *Documents) TSA() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := d.load(); err != nil {
			http.Error(w, "time-stamp authority unavailable", http.StatusServiceUnavailable)
			return
		}
		d.tsa.ServeHTTP(w, r)
	})
}

// PDFOptions returns the PDF trust inputs of a data directory without
// opening its keys: the demo CA certificate in pki/ca.pem.
func PDFOptions(dir string) (verifier.PDFOptions, error) {
	cert, err := readPEM(filepath.Join(dir, PKIDir, "ca.pem"))
	if err != nil {
		return verifier.PDFOptions{}, fmt.Errorf("app: no document CA in %s (issue a PDF first): %w", dir, err)
	}
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return verifier.PDFOptions{Roots: roots}, nil
}

// wallClock is the PKI's clock (certificates, CRLs, timestamps).
var wallClock = time.Now

func samePublicKey(a, b crypto.PublicKey) bool {
	x, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && x.Equal(b)
}

func writePEM(path string, c *x509.Certificate) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}), 0o644)
}

func readPEM(path string) (*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	b, _ := pem.Decode(data)
	if b == nil || b.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("app: %s holds no certificate", path)
	}
	return x509.ParseCertificate(b.Bytes)
}

// Documents returns the app's PDF document service.
func (a *App) Documents() *Documents { return a.docs }

// registerDocuments serves the time-stamp authority (POST /tsa, RFC
// 3161), the demo CA's certificate and CRL (GET /pki/ca.pem,
// /pki/ca.crl) and PDF verification (POST /documents/verify).
func registerDocuments(e *echo.Echo, a *App) {
	d := a.docs
	e.POST("/tsa", echo.WrapHandler(d.TSA()))
	e.GET("/pki/ca.pem", func(c *echo.Context) error {
		if err := d.load(); err != nil {
			return httpx.NewProblem(http.StatusServiceUnavailable, "pki-unavailable", "the document CA is not available")
		}
		return c.Blob(http.StatusOK, "application/x-pem-file", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: d.ca.Cert.Raw}))
	})
	e.GET("/pki/ca.crl", func(c *echo.Context) error {
		if err := d.load(); err != nil {
			return httpx.NewProblem(http.StatusServiceUnavailable, "pki-unavailable", "the document CA is not available")
		}
		crl, err := d.ca.CRL(7 * 24 * time.Hour)
		if err != nil {
			return err
		}
		return c.Blob(http.StatusOK, "application/pkix-crl", crl)
	})
	(&verifierhttp.PDFHandler{Verifier: a.verifier, Options: d.Options}).Register(e)
}
