// Package tsa is an RFC 3161 time-stamp authority, its HTTP client, and
// the parsing and verification of time-stamp tokens.
//
// Authority issues tokens for message imprints (SHA-256, SHA-384 or
// SHA-512) with its own certificate, which must carry the critical
// id-kp-timeStamping extended key usage (RFC 3161 section 2.3); tokens
// are CMS SignedData over a TSTInfo with the ESS signing-certificate-v2
// attribute (RFC 5816). It serves application/timestamp-query requests
// over HTTP and can be called in process.
//
// ParseToken decodes a token and trusts nothing; Token.Verify checks the
// CMS signature, the TSA certificate's key usage and its chain to the
// given roots at the token's time.
//
// WARNING: a token only proves that the imprint existed at genTime if
// the TSA is trusted and its key was not compromised before that time.
// Verify checks the chain at genTime, which is right for long-term
// validation only when revocation of the TSA certificate is checked
// elsewhere (a DSS, or an archive timestamp).
package tsa

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"slices"
	"sync"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"

	"github.com/thaitrust/thaitrust/signing/internal/cms"
)

// Media types of RFC 3161 over HTTP.
const (
	MediaTypeQuery = "application/timestamp-query"
	MediaTypeReply = "application/timestamp-reply"
)

// DefaultPolicy is the TSA policy OID of the demo authority (under a
// private arc; a real TSA publishes its own).
var DefaultPolicy = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}

// Errors.
var (
	ErrMalformed   = errors.New("tsa: malformed")
	ErrRejected    = errors.New("tsa: request rejected")
	ErrImprint     = errors.New("tsa: message imprint does not match")
	ErrUntrusted   = errors.New("tsa: token not signed by a trusted time-stamp authority")
	ErrBadSignture = errors.New("tsa: token signature does not verify")
)

// Stamper produces time-stamp tokens. *Authority and *Client implement it.
type Stamper interface {
	// Timestamp returns the DER of a TimeStampToken for digest, the
	// hash h of the data to be time-stamped.
	Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error)
}

var (
	_ Stamper = (*Authority)(nil)
	_ Stamper = (*Client)(nil)
)

// Authority is a time-stamp authority. Safe for concurrent use.
type Authority struct {
	// Key signs tokens; Chain[0] is its certificate (with the critical
	// timeStamping EKU), then intermediates.
	Key   crypto.Signer
	Chain []*x509.Certificate
	// Policy is the TSA policy OID; zero means DefaultPolicy.
	Policy asn1.ObjectIdentifier
	// Now returns the time; nil means time.Now.
	Now func() time.Time

	mu     sync.Mutex
	serial int64
}

// Check reports whether the authority's certificate may time-stamp.
func (a *Authority) Check() error {
	if a.Key == nil || len(a.Chain) == 0 {
		return errors.New("tsa: Authority needs a key and a certificate")
	}
	if err := checkTSACert(a.Chain[0]); err != nil {
		return err
	}
	return nil
}

func checkTSACert(c *x509.Certificate) error {
	if len(c.ExtKeyUsage) != 1 || c.ExtKeyUsage[0] != x509.ExtKeyUsageTimeStamping {
		return fmt.Errorf("%w: the certificate's only extended key usage must be timeStamping", ErrUntrusted)
	}
	for _, e := range c.Extensions {
		if e.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 37}) && !e.Critical {
			return fmt.Errorf("%w: the extended key usage extension must be critical", ErrUntrusted)
		}
	}
	return nil
}

func hashOID(h crypto.Hash) (asn1.ObjectIdentifier, error) {
	switch h {
	case crypto.SHA256:
		return cms.OIDSHA256, nil
	case crypto.SHA384:
		return cms.OIDSHA384, nil
	case crypto.SHA512:
		return cms.OIDSHA512, nil
	}
	return nil, fmt.Errorf("tsa: unsupported hash %v", h)
}

// Timestamp issues a token for a digest.
func (a *Authority) Timestamp(_ context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	return a.issue(digest, h, nil, true)
}

func (a *Authority) issue(digest []byte, h crypto.Hash, nonce *big.Int, certReq bool) ([]byte, error) {
	if err := a.Check(); err != nil {
		return nil, err
	}
	oid, err := hashOID(h)
	if err != nil {
		return nil, err
	}
	if len(digest) != h.Size() {
		return nil, fmt.Errorf("%w: digest length %d for %v", ErrMalformed, len(digest), h)
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	gen := now().UTC().Truncate(time.Millisecond)
	a.mu.Lock()
	a.serial++
	serial := big.NewInt(gen.UnixNano()/1000*1000 + a.serial%1000)
	a.mu.Unlock()
	policy := a.Policy
	if policy == nil {
		policy = DefaultPolicy
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1ObjectIdentifier(policy)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
			b.AddASN1OctetString(digest)
		})
		b.AddASN1BigInt(serial)
		b.AddASN1GeneralizedTime(gen)
		if nonce != nil {
			b.AddASN1BigInt(nonce)
		}
	})
	tst, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	chain := a.Chain
	if !certReq {
		chain = a.Chain[:1] // the signer's certificate is needed to find it; keep it
	}
	return cms.Sign(cms.SignOptions{Key: a.Key, Chain: chain, ContentType: cms.OIDTSTInfo, Content: tst})
}

// ServeHTTP answers RFC 3161 requests (POST application/timestamp-query).
func (a *Authority) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", "POST")
		http.Error(w, "POST an application/timestamp-query", http.StatusMethodNotAllowed)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != MediaTypeQuery {
		http.Error(w, "Content-Type must be "+MediaTypeQuery, http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10))
	if err != nil {
		http.Error(w, "reading request", http.StatusBadRequest)
		return
	}
	resp := a.respond(body)
	w.Header().Set("Content-Type", MediaTypeReply)
	w.Write(resp)
}

// PKIStatus values.
const (
	statusGranted   = 0
	statusRejection = 2
)

// PKIFailureInfo bits.
const (
	failBadAlg      = 0
	failBadRequest  = 2
	failBadDataFmt  = 5
	failSystemFault = 25
)

func (a *Authority) respond(req []byte) []byte {
	q, err := parseRequest(req)
	if err != nil {
		return rejection(failBadDataFmt, err.Error())
	}
	tok, err := a.issue(q.digest, q.hash, q.nonce, q.certReq)
	if err != nil {
		fail := failSystemFault
		if errors.Is(err, ErrMalformed) {
			fail = failBadRequest
		}
		return rejection(fail, err.Error())
	}
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1Int64(statusGranted) })
		b.AddBytes(tok)
	})
	out, _ := b.Bytes()
	return out
}

func rejection(fail int, msg string) []byte {
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1Int64(statusRejection)
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.UTF8String, func(b *cryptobyte.Builder) { b.AddBytes([]byte(msg)) })
			})
			bits := make([]byte, 4)
			bits[fail/8] |= 0x80 >> (fail % 8)
			b.AddASN1BitString(bits)
		})
	})
	out, _ := b.Bytes()
	return out
}

type request struct {
	hash    crypto.Hash
	digest  []byte
	nonce   *big.Int
	certReq bool
}

func parseRequest(der []byte) (*request, error) {
	in := cryptobyte.String(der)
	var seq, mi, alg cryptobyte.String
	var version int64
	var oid asn1.ObjectIdentifier
	var digest cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !in.Empty() || !seq.ReadASN1Integer(&version) || version != 1 ||
		!seq.ReadASN1(&mi, cbasn1.SEQUENCE) || !mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) ||
		!mi.ReadASN1(&digest, cbasn1.OCTET_STRING) {
		return nil, fmt.Errorf("%w: request", ErrMalformed)
	}
	h, ok := cms.HashFromOID(oid)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported hash algorithm %v", ErrMalformed, oid)
	}
	q := &request{hash: h, digest: digest}
	if seq.PeekASN1Tag(cbasn1.OBJECT_IDENTIFIER) {
		var policy asn1.ObjectIdentifier
		seq.ReadASN1ObjectIdentifier(&policy)
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		q.nonce = new(big.Int)
		if !seq.ReadASN1Integer(q.nonce) {
			return nil, fmt.Errorf("%w: nonce", ErrMalformed)
		}
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
		if !seq.ReadASN1Boolean(&q.certReq) {
			return nil, fmt.Errorf("%w: certReq", ErrMalformed)
		}
	}
	return q, nil
}

// Client asks a TSA over HTTP.
type Client struct {
	URL        string
	HTTPClient *http.Client // nil: http.DefaultClient with a 10 s timeout
}

// Timestamp sends a request with a random nonce and certReq set, and
// checks that the token answers it.
func (c *Client) Timestamp(ctx context.Context, digest []byte, h crypto.Hash) ([]byte, error) {
	oid, err := hashOID(h)
	if err != nil {
		return nil, err
	}
	nonce := big.NewInt(time.Now().UnixNano())
	var b cryptobyte.Builder
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
			b.AddASN1OctetString(digest)
		})
		b.AddASN1BigInt(nonce)
		b.AddASN1Boolean(true)
	})
	req, _ := b.Bytes()
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	hr.Header.Set("Content-Type", MediaTypeQuery)
	hc := c.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := hc.Do(hr)
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: HTTP %d", ErrRejected, resp.StatusCode)
	}
	in := cryptobyte.String(body)
	var seq, status cryptobyte.String
	var code int64
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1(&status, cbasn1.SEQUENCE) || !status.ReadASN1Integer(&code) {
		return nil, fmt.Errorf("%w: response", ErrMalformed)
	}
	if code != 0 && code != 1 {
		return nil, fmt.Errorf("%w: status %d", ErrRejected, code)
	}
	tok := []byte(seq)
	t, err := ParseToken(tok)
	if err != nil {
		return nil, err
	}
	if t.Hash != h || !bytes.Equal(t.Imprint, digest) {
		return nil, ErrImprint
	}
	if t.Nonce == nil || t.Nonce.Cmp(nonce) != 0 {
		return nil, fmt.Errorf("%w: nonce does not match", ErrMalformed)
	}
	return tok, nil
}

// Token is a parsed time-stamp token.
type Token struct {
	GenTime      time.Time
	Policy       asn1.ObjectIdentifier
	Hash         crypto.Hash
	Imprint      []byte
	Serial       *big.Int
	Nonce        *big.Int
	Certificates []*x509.Certificate
	Raw          []byte

	sd *cms.SignedData
}

// ParseToken decodes a TimeStampToken.
func ParseToken(der []byte) (*Token, error) {
	sd, err := cms.Parse(der)
	if err != nil {
		return nil, fmt.Errorf("tsa: %w", err)
	}
	if !sd.ContentType.Equal(cms.OIDTSTInfo) || sd.Content == nil {
		return nil, fmt.Errorf("%w: not a TSTInfo", ErrMalformed)
	}
	in := cryptobyte.String(sd.Content)
	var seq, mi, alg cryptobyte.String
	var version int64
	t := &Token{Serial: new(big.Int), Certificates: sd.Certificates, Raw: der, sd: sd}
	var oid asn1.ObjectIdentifier
	var imprint cryptobyte.String
	if !in.ReadASN1(&seq, cbasn1.SEQUENCE) || !seq.ReadASN1Integer(&version) || version != 1 ||
		!seq.ReadASN1ObjectIdentifier(&t.Policy) || !seq.ReadASN1(&mi, cbasn1.SEQUENCE) ||
		!mi.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) || !mi.ReadASN1(&imprint, cbasn1.OCTET_STRING) ||
		!seq.ReadASN1Integer(t.Serial) || !seq.ReadASN1GeneralizedTime(&t.GenTime) {
		return nil, fmt.Errorf("%w: TSTInfo", ErrMalformed)
	}
	var ok bool
	if t.Hash, ok = cms.HashFromOID(oid); !ok {
		return nil, fmt.Errorf("%w: unsupported imprint hash %v", ErrMalformed, oid)
	}
	t.Imprint = imprint
	if seq.PeekASN1Tag(cbasn1.SEQUENCE) { // accuracy
		var acc cryptobyte.String
		seq.ReadASN1(&acc, cbasn1.SEQUENCE)
	}
	if seq.PeekASN1Tag(cbasn1.BOOLEAN) {
		var ord bool
		seq.ReadASN1Boolean(&ord)
	}
	if seq.PeekASN1Tag(cbasn1.INTEGER) {
		t.Nonce = new(big.Int)
		seq.ReadASN1Integer(t.Nonce)
	}
	return t, nil
}

// VerifyOptions are the trust inputs of Token.Verify.
type VerifyOptions struct {
	// Roots are the trusted TSA roots. Required.
	Roots *x509.CertPool
	// Intermediates are further certificates to build the chain with
	// (the token's own certificates are always used).
	Intermediates []*x509.Certificate
}

// Verify checks that data hashes to the token's imprint, the token's CMS
// signature, the TSA certificate's critical timeStamping EKU, and its
// chain to opts.Roots at GenTime. It returns the chain.
func (t *Token) Verify(data []byte, opts VerifyOptions) ([]*x509.Certificate, error) {
	if !bytes.Equal(cms.Digest(t.Hash, data), t.Imprint) {
		return nil, ErrImprint
	}
	return t.VerifySignature(opts)
}

// VerifySignature is Verify without the imprint check.
func (t *Token) VerifySignature(opts VerifyOptions) ([]*x509.Certificate, error) {
	if opts.Roots == nil {
		return nil, errors.New("tsa: VerifyOptions.Roots is required")
	}
	cert, err := t.sd.Verify(nil)
	if err != nil {
		if errors.Is(err, cms.ErrBadSignature) || errors.Is(err, cms.ErrDigestMismatch) {
			return nil, fmt.Errorf("%w: %v", ErrBadSignture, err)
		}
		return nil, fmt.Errorf("tsa: %w", err)
	}
	if _, ok := cms.Attr(t.sd.Signed, cms.OIDSigningCertV2); !ok {
		if _, ok := cms.Attr(t.sd.Signed, cms.OIDSigningCert); !ok {
			return nil, fmt.Errorf("%w: no signing-certificate attribute (RFC 3161 section 2.4.1)", ErrMalformed)
		}
	}
	if err := checkTSACert(cert); err != nil {
		return nil, err
	}
	inter := x509.NewCertPool()
	for _, c := range slices.Concat(t.Certificates, opts.Intermediates) {
		inter.AddCert(c)
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots: opts.Roots, Intermediates: inter, CurrentTime: t.GenTime,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageTimeStamping},
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUntrusted, err)
	}
	return chains[0], nil
}
