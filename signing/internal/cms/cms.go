// Package cms writes and reads the CMS SignedData (RFC 5652) that PAdES
// signatures and RFC 3161 timestamp tokens are made of: one signer,
// signed attributes, certificates, optional unsigned attributes. It
// supports ECDSA (P-256/SHA-256, P-384/SHA-384), Ed25519 (with SHA-512
// message digests, RFC 8419) and RSA PKCS #1 v1.5 for reading.
package cms

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"time"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Object identifiers.
var (
	OIDData              = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	OIDSignedData        = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	OIDTSTInfo           = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
	OIDContentType       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 3}
	OIDMessageDigest     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 4}
	OIDSigningTime       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 5}
	OIDSigningCertV2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 47}
	OIDSigningCert       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 12}
	OIDTimestampToken    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 2, 14}
	OIDSHA256            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	OIDSHA384            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 2}
	OIDSHA512            = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 3}
	OIDECDSAWithSHA256   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 2}
	OIDECDSAWithSHA384   = asn1.ObjectIdentifier{1, 2, 840, 10045, 4, 3, 3}
	OIDEd25519           = asn1.ObjectIdentifier{1, 3, 101, 112}
	OIDRSAEncryption     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	OIDSHA256WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 11}
	OIDSHA384WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 12}
	OIDSHA512WithRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 13}
	OIDECPublicKey       = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	errMalformed         = errors.New("cms: malformed SignedData")
	errUnsupportedSigAlg = errors.New("cms: unsupported signature algorithm")
)

// Attribute is a CMS attribute with one value (DER).
type Attribute struct {
	Type  asn1.ObjectIdentifier
	Value []byte // the DER of the single value
}

// HashFor returns the digest algorithm used with a key: SHA-256 for P-256
// and RSA, SHA-384 for P-384, SHA-512 for Ed25519.
func HashFor(pub crypto.PublicKey) (crypto.Hash, error) {
	switch k := pub.(type) {
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return crypto.SHA256, nil
		case elliptic.P384():
			return crypto.SHA384, nil
		}
	case ed25519.PublicKey:
		return crypto.SHA512, nil
	case *rsa.PublicKey:
		return crypto.SHA256, nil
	}
	return 0, fmt.Errorf("cms: unsupported key type %T", pub)
}

func hashOID(h crypto.Hash) asn1.ObjectIdentifier {
	switch h {
	case crypto.SHA256:
		return OIDSHA256
	case crypto.SHA384:
		return OIDSHA384
	case crypto.SHA512:
		return OIDSHA512
	}
	return nil
}

// HashFromOID returns the hash an OID names.
func HashFromOID(oid asn1.ObjectIdentifier) (crypto.Hash, bool) {
	switch {
	case oid.Equal(OIDSHA256):
		return crypto.SHA256, true
	case oid.Equal(OIDSHA384):
		return crypto.SHA384, true
	case oid.Equal(OIDSHA512):
		return crypto.SHA512, true
	}
	return 0, false
}

func sigAlgOID(pub crypto.PublicKey, h crypto.Hash) asn1.ObjectIdentifier {
	switch pub.(type) {
	case *ecdsa.PublicKey:
		if h == crypto.SHA384 {
			return OIDECDSAWithSHA384
		}
		return OIDECDSAWithSHA256
	case ed25519.PublicKey:
		return OIDEd25519
	case *rsa.PublicKey:
		return OIDSHA256WithRSA
	}
	return nil
}

// Digest hashes data with h.
func Digest(h crypto.Hash, data ...[]byte) []byte {
	var hh interface {
		Write([]byte) (int, error)
		Sum([]byte) []byte
	}
	switch h {
	case crypto.SHA384:
		hh = sha512.New384()
	case crypto.SHA512:
		hh = sha512.New()
	default:
		hh = sha256.New()
	}
	for _, d := range data {
		hh.Write(d)
	}
	return hh.Sum(nil)
}

// SignOptions describe one SignedData.
type SignOptions struct {
	Key   crypto.Signer
	Chain []*x509.Certificate // signer's certificate first
	// ContentType is the eContentType (id-data for PAdES, id-ct-TSTInfo
	// for a timestamp token).
	ContentType asn1.ObjectIdentifier
	// Content is embedded when Detached is false.
	Content  []byte
	Detached bool
	// Digest is the message digest of the content (computed from
	// Content when nil).
	Digest []byte
	// Extra signed attributes (after content-type, message-digest and
	// signing-certificate-v2).
	Signed []Attribute
	// Unsigned attributes.
	Unsigned []Attribute
	// UnsignedFunc, when set, is called with the signature value and
	// returns further unsigned attributes (a signature timestamp).
	UnsignedFunc func(signature []byte) ([]Attribute, error)
}

// Sign makes a ContentInfo holding a SignedData with one signer, whose
// signed attributes are content-type, message-digest,
// signing-certificate-v2 (ESS, RFC 5035, with the issuer and serial
// number) and opts.Signed. It adds no signing-time.
func Sign(opts SignOptions) ([]byte, error) {
	if len(opts.Chain) == 0 {
		return nil, errors.New("cms: a certificate is required")
	}
	cert := opts.Chain[0]
	h, err := HashFor(cert.PublicKey)
	if err != nil {
		return nil, err
	}
	digest := opts.Digest
	if digest == nil {
		digest = Digest(h, opts.Content)
	}
	certHash := sha256.Sum256(cert.Raw)
	scv2, err := der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SigningCertificateV2
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // certs
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ESSCertIDv2 (hashAlgorithm default SHA-256)
					b.AddASN1OctetString(certHash[:])
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerSerial
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // GeneralNames
							b.AddASN1(cbasn1.Tag(4).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddBytes(cert.RawIssuer)
							})
						})
						b.AddASN1BigInt(cert.SerialNumber)
					})
				})
			})
		})
	})
	if err != nil {
		return nil, err
	}
	ct, _ := asn1.Marshal(opts.ContentType)
	md, _ := asn1.Marshal(digest)
	attrs := append([]Attribute{
		{OIDContentType, ct}, {OIDMessageDigest, md}, {OIDSigningCertV2, scv2},
	}, opts.Signed...)
	encAttrs, err := encodeAttrs(attrs)
	if err != nil {
		return nil, err
	}
	// The signature is over the DER of the attributes as a SET.
	toSign := append([]byte{0x31}, encAttrs[1:]...)
	var sig []byte
	switch opts.Key.Public().(type) {
	case ed25519.PublicKey:
		sig, err = opts.Key.Sign(rand.Reader, toSign, crypto.Hash(0))
	default:
		sig, err = opts.Key.Sign(rand.Reader, Digest(h, toSign), h)
	}
	if err != nil {
		return nil, fmt.Errorf("cms: signing: %w", err)
	}
	var unsigned []byte
	uattrs := opts.Unsigned
	if opts.UnsignedFunc != nil {
		more, err := opts.UnsignedFunc(sig)
		if err != nil {
			return nil, err
		}
		uattrs = append(slices.Clone(uattrs), more...)
	}
	if len(uattrs) > 0 {
		if unsigned, err = encodeAttrs(uattrs); err != nil {
			return nil, err
		}
		unsigned[0] = 0xA1
	}
	return der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // ContentInfo
			b.AddASN1ObjectIdentifier(OIDSignedData)
			b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
				b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignedData
					b.AddASN1Int64(1)
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						algID(b, hashOID(h))
					})
					b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // EncapsulatedContentInfo
						b.AddASN1ObjectIdentifier(opts.ContentType)
						if !opts.Detached {
							b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
								b.AddASN1OctetString(opts.Content)
							})
						}
					})
					b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
						for _, c := range opts.Chain {
							b.AddBytes(c.Raw)
						}
					})
					b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) {
						b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // SignerInfo
							b.AddASN1Int64(1)
							b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { // IssuerAndSerialNumber
								b.AddBytes(cert.RawIssuer)
								b.AddASN1BigInt(cert.SerialNumber)
							})
							algID(b, hashOID(h))
							b.AddBytes(encAttrs)
							algID(b, sigAlgOID(cert.PublicKey, h))
							b.AddASN1OctetString(sig)
							if unsigned != nil {
								b.AddBytes(unsigned)
							}
						})
					})
				})
			})
		})
	})
}

// algID writes an AlgorithmIdentifier without parameters (absent for
// SHA-2, ECDSA and Ed25519).
func algID(b *cryptobyte.Builder, oid asn1.ObjectIdentifier) {
	b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) { b.AddASN1ObjectIdentifier(oid) })
}

func der(f func(*cryptobyte.Builder)) ([]byte, error) {
	var b cryptobyte.Builder
	f(&b)
	return b.Bytes()
}

// encodeAttrs encodes attributes as [0] IMPLICIT SET OF Attribute, in DER
// order.
func encodeAttrs(attrs []Attribute) ([]byte, error) {
	enc := make([][]byte, 0, len(attrs))
	for _, a := range attrs {
		e, err := der(func(b *cryptobyte.Builder) {
			b.AddASN1(cbasn1.SEQUENCE, func(b *cryptobyte.Builder) {
				b.AddASN1ObjectIdentifier(a.Type)
				b.AddASN1(cbasn1.SET, func(b *cryptobyte.Builder) { b.AddBytes(a.Value) })
			})
		})
		if err != nil {
			return nil, err
		}
		enc = append(enc, e)
	}
	slices.SortFunc(enc, bytes.Compare)
	return der(func(b *cryptobyte.Builder) {
		b.AddASN1(cbasn1.Tag(0).ContextSpecific().Constructed(), func(b *cryptobyte.Builder) {
			for _, e := range enc {
				b.AddBytes(e)
			}
		})
	})
}

// SignedData is a parsed SignedData with its one signer.
type SignedData struct {
	ContentType  asn1.ObjectIdentifier
	Content      []byte // nil when detached
	Certificates []*x509.Certificate
	CRLs         [][]byte

	DigestAlg    crypto.Hash
	SigAlg       asn1.ObjectIdentifier
	Signature    []byte
	Signed       []Attribute // in encoded order
	Unsigned     []Attribute
	signedDER    []byte // the signed attributes as a SET (what is signed)
	sidIssuer    []byte // IssuerAndSerialNumber issuer (DER), or nil
	sidSerial    *big.Int
	sidKeyID     []byte // SubjectKeyIdentifier, or nil
	RawSignerInf []byte
}

// Parse parses a DER ContentInfo holding a SignedData with exactly one
// SignerInfo that has signed attributes. Trailing zero bytes (PDF
// signature padding) are allowed.
func Parse(data []byte) (*SignedData, error) {
	in := cryptobyte.String(data)
	var ci, sd cryptobyte.String
	var ctype asn1.ObjectIdentifier
	if !in.ReadASN1(&ci, cbasn1.SEQUENCE) || !ci.ReadASN1ObjectIdentifier(&ctype) || !ctype.Equal(OIDSignedData) {
		return nil, errMalformed
	}
	for _, b := range in {
		if b != 0 {
			return nil, fmt.Errorf("%w: data after the ContentInfo", errMalformed)
		}
	}
	var explicit cryptobyte.String
	if !ci.ReadASN1(&explicit, cbasn1.Tag(0).ContextSpecific().Constructed()) || !explicit.ReadASN1(&sd, cbasn1.SEQUENCE) {
		return nil, errMalformed
	}
	var version int64
	var digestAlgs, eci cryptobyte.String
	if !sd.ReadASN1Integer(&version) || !sd.ReadASN1(&digestAlgs, cbasn1.SET) || !sd.ReadASN1(&eci, cbasn1.SEQUENCE) {
		return nil, errMalformed
	}
	out := &SignedData{}
	if !eci.ReadASN1ObjectIdentifier(&out.ContentType) {
		return nil, errMalformed
	}
	if eci.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var c, oct cryptobyte.String
		if !eci.ReadASN1(&c, cbasn1.Tag(0).ContextSpecific().Constructed()) || !c.ReadASN1(&oct, cbasn1.OCTET_STRING) {
			return nil, errMalformed
		}
		out.Content = []byte(oct)
	}
	if sd.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		var certs cryptobyte.String
		if !sd.ReadASN1(&certs, cbasn1.Tag(0).ContextSpecific().Constructed()) {
			return nil, errMalformed
		}
		for !certs.Empty() {
			var raw cryptobyte.String
			if !certs.ReadASN1Element(&raw, cbasn1.SEQUENCE) {
				// other certificate formats are skipped
				var skip cryptobyte.String
				var tag cbasn1.Tag
				if !certs.ReadAnyASN1Element(&skip, &tag) {
					return nil, errMalformed
				}
				continue
			}
			c, err := x509.ParseCertificate(raw)
			if err != nil {
				return nil, fmt.Errorf("cms: certificate: %w", err)
			}
			out.Certificates = append(out.Certificates, c)
			if len(out.Certificates) > 32 {
				return nil, fmt.Errorf("%w: too many certificates", errMalformed)
			}
		}
	}
	if sd.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		var crls cryptobyte.String
		if !sd.ReadASN1(&crls, cbasn1.Tag(1).ContextSpecific().Constructed()) {
			return nil, errMalformed
		}
		for !crls.Empty() {
			var raw cryptobyte.String
			var tag cbasn1.Tag
			if !crls.ReadAnyASN1Element(&raw, &tag) {
				return nil, errMalformed
			}
			out.CRLs = append(out.CRLs, raw)
		}
	}
	var signers, si cryptobyte.String
	if !sd.ReadASN1(&signers, cbasn1.SET) || !signers.ReadASN1Element(&si, cbasn1.SEQUENCE) || !signers.Empty() {
		return nil, fmt.Errorf("%w: exactly one SignerInfo is supported", errMalformed)
	}
	out.RawSignerInf = si
	var body cryptobyte.String
	si.ReadASN1(&body, cbasn1.SEQUENCE)
	var siVersion int64
	if !body.ReadASN1Integer(&siVersion) {
		return nil, errMalformed
	}
	switch {
	case body.PeekASN1Tag(cbasn1.SEQUENCE):
		var ias, issuer cryptobyte.String
		out.sidSerial = new(big.Int)
		if !body.ReadASN1(&ias, cbasn1.SEQUENCE) || !ias.ReadASN1Element(&issuer, cbasn1.SEQUENCE) || !ias.ReadASN1Integer(out.sidSerial) {
			return nil, errMalformed
		}
		out.sidIssuer = issuer
	case body.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific()):
		var ski cryptobyte.String
		if !body.ReadASN1(&ski, cbasn1.Tag(0).ContextSpecific()) {
			return nil, errMalformed
		}
		out.sidKeyID = ski
	default:
		return nil, errMalformed
	}
	var dalg, salg cryptobyte.String
	var doid asn1.ObjectIdentifier
	if !body.ReadASN1(&dalg, cbasn1.SEQUENCE) || !dalg.ReadASN1ObjectIdentifier(&doid) {
		return nil, errMalformed
	}
	var ok bool
	if out.DigestAlg, ok = HashFromOID(doid); !ok {
		return nil, fmt.Errorf("cms: unsupported digest algorithm %v", doid)
	}
	if !body.PeekASN1Tag(cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, fmt.Errorf("%w: no signed attributes", errMalformed)
	}
	var signedAttrs cryptobyte.String
	var signedElem cryptobyte.String
	if !body.ReadASN1Element(&signedElem, cbasn1.Tag(0).ContextSpecific().Constructed()) {
		return nil, errMalformed
	}
	out.signedDER = append([]byte{0x31}, signedElem[1:]...)
	signedAttrs = signedElem
	var inner cryptobyte.String
	signedAttrs.ReadASN1(&inner, cbasn1.Tag(0).ContextSpecific().Constructed())
	var err error
	if out.Signed, err = parseAttrs(inner); err != nil {
		return nil, err
	}
	var sig cryptobyte.String
	if !body.ReadASN1(&salg, cbasn1.SEQUENCE) || !salg.ReadASN1ObjectIdentifier(&out.SigAlg) || !body.ReadASN1(&sig, cbasn1.OCTET_STRING) {
		return nil, errMalformed
	}
	out.Signature = sig
	if body.PeekASN1Tag(cbasn1.Tag(1).ContextSpecific().Constructed()) {
		var u cryptobyte.String
		if !body.ReadASN1(&u, cbasn1.Tag(1).ContextSpecific().Constructed()) {
			return nil, errMalformed
		}
		if out.Unsigned, err = parseAttrs(u); err != nil {
			return nil, err
		}
	}
	if !body.Empty() {
		return nil, errMalformed
	}
	return out, nil
}

func parseAttrs(s cryptobyte.String) ([]Attribute, error) {
	var out []Attribute
	for !s.Empty() {
		var a, set, val cryptobyte.String
		var oid asn1.ObjectIdentifier
		var tag cbasn1.Tag
		if !s.ReadASN1(&a, cbasn1.SEQUENCE) || !a.ReadASN1ObjectIdentifier(&oid) || !a.ReadASN1(&set, cbasn1.SET) {
			return nil, errMalformed
		}
		if !set.ReadAnyASN1Element(&val, &tag) || !set.Empty() {
			return nil, fmt.Errorf("%w: attribute %v must have exactly one value", errMalformed, oid)
		}
		for _, prev := range out {
			if prev.Type.Equal(oid) {
				return nil, fmt.Errorf("%w: attribute %v given twice", errMalformed, oid)
			}
		}
		out = append(out, Attribute{Type: oid, Value: val})
		if len(out) > 64 {
			return nil, errMalformed
		}
	}
	return out, nil
}

// Attr returns the value of the attribute of type oid among attrs.
func Attr(attrs []Attribute, oid asn1.ObjectIdentifier) ([]byte, bool) {
	for _, a := range attrs {
		if a.Type.Equal(oid) {
			return a.Value, true
		}
	}
	return nil, false
}

// Signer returns the certificate among Certificates that the SignerInfo
// names.
func (s *SignedData) Signer() (*x509.Certificate, error) {
	for _, c := range s.Certificates {
		if s.sidIssuer != nil && bytes.Equal(c.RawIssuer, s.sidIssuer) && c.SerialNumber.Cmp(s.sidSerial) == 0 {
			return c, nil
		}
		if s.sidKeyID != nil && bytes.Equal(c.SubjectKeyId, s.sidKeyID) {
			return c, nil
		}
	}
	return nil, errors.New("cms: the signer's certificate is not in the SignedData")
}

// Errors of Verify, for callers to branch on.
var (
	ErrDigestMismatch = errors.New("cms: message digest does not match the content")
	ErrContentType    = errors.New("cms: content-type attribute does not match")
	ErrBadSignature   = errors.New("cms: signature does not verify")
	ErrSigningCert    = errors.New("cms: signing-certificate attribute does not name the signer's certificate")
)

// Verify checks the signer's signature over the signed attributes, that
// the content-type attribute matches, that the message-digest attribute
// is the digest of content (the encapsulated content when content is
// nil), and, when present, that the signing-certificate(-v2) attribute
// names cert. It returns the signer's certificate. It does not check the
// certificate chain.
func (s *SignedData) Verify(content []byte) (*x509.Certificate, error) {
	cert, err := s.Signer()
	if err != nil {
		return nil, err
	}
	ct, ok := Attr(s.Signed, OIDContentType)
	var oid asn1.ObjectIdentifier
	if !ok {
		return nil, fmt.Errorf("%w: missing", ErrContentType)
	}
	if rest, err := asn1.Unmarshal(ct, &oid); err != nil || len(rest) > 0 || !oid.Equal(s.ContentType) {
		return nil, ErrContentType
	}
	mdv, ok := Attr(s.Signed, OIDMessageDigest)
	var md []byte
	if !ok {
		return nil, fmt.Errorf("%w: no message-digest attribute", ErrDigestMismatch)
	}
	if rest, err := asn1.Unmarshal(mdv, &md); err != nil || len(rest) > 0 {
		return nil, ErrDigestMismatch
	}
	if content == nil {
		content = s.Content
	}
	if !bytes.Equal(md, Digest(s.DigestAlg, content)) {
		return nil, ErrDigestMismatch
	}
	if err := s.checkSignature(cert); err != nil {
		return nil, err
	}
	if err := s.checkSigningCert(cert); err != nil {
		return nil, err
	}
	return cert, nil
}

// VerifyDigest is Verify for a content already hashed with DigestAlg.
func (s *SignedData) VerifyDigest(digest []byte) (*x509.Certificate, error) {
	cert, err := s.Signer()
	if err != nil {
		return nil, err
	}
	mdv, _ := Attr(s.Signed, OIDMessageDigest)
	var md []byte
	if _, err := asn1.Unmarshal(mdv, &md); err != nil || !bytes.Equal(md, digest) {
		return nil, ErrDigestMismatch
	}
	if err := s.checkSignature(cert); err != nil {
		return nil, err
	}
	return cert, s.checkSigningCert(cert)
}

func (s *SignedData) checkSignature(cert *x509.Certificate) error {
	switch pub := cert.PublicKey.(type) {
	case *ecdsa.PublicKey:
		h := crypto.SHA256
		switch {
		case s.SigAlg.Equal(OIDECDSAWithSHA384):
			h = crypto.SHA384
		case s.SigAlg.Equal(OIDECDSAWithSHA256):
		default:
			return errUnsupportedSigAlg
		}
		if !ecdsa.VerifyASN1(pub, Digest(h, s.signedDER), s.Signature) {
			return ErrBadSignature
		}
	case ed25519.PublicKey:
		if !s.SigAlg.Equal(OIDEd25519) {
			return errUnsupportedSigAlg
		}
		if !ed25519.Verify(pub, s.signedDER, s.Signature) {
			return ErrBadSignature
		}
	case *rsa.PublicKey:
		var h crypto.Hash
		switch {
		case s.SigAlg.Equal(OIDSHA256WithRSA), s.SigAlg.Equal(OIDRSAEncryption) && s.DigestAlg == crypto.SHA256:
			h = crypto.SHA256
		case s.SigAlg.Equal(OIDSHA384WithRSA), s.SigAlg.Equal(OIDRSAEncryption) && s.DigestAlg == crypto.SHA384:
			h = crypto.SHA384
		case s.SigAlg.Equal(OIDSHA512WithRSA), s.SigAlg.Equal(OIDRSAEncryption) && s.DigestAlg == crypto.SHA512:
			h = crypto.SHA512
		default:
			return errUnsupportedSigAlg
		}
		if pub.N.BitLen() < 2048 {
			return fmt.Errorf("cms: RSA key of %d bits is too small", pub.N.BitLen())
		}
		if err := rsa.VerifyPKCS1v15(pub, h, Digest(h, s.signedDER), s.Signature); err != nil {
			return ErrBadSignature
		}
	default:
		return errUnsupportedSigAlg
	}
	return nil
}

// checkSigningCert checks an ESS signing-certificate-v2 (or v1)
// attribute, when present, against cert: its first certHash must be the
// certificate's hash.
func (s *SignedData) checkSigningCert(cert *x509.Certificate) error {
	v, ok := Attr(s.Signed, OIDSigningCertV2)
	v1 := false
	if !ok {
		if v, ok = Attr(s.Signed, OIDSigningCert); !ok {
			return nil
		}
		v1 = true
	}
	in := cryptobyte.String(v)
	var scv, certs, id cryptobyte.String
	if !in.ReadASN1(&scv, cbasn1.SEQUENCE) || !scv.ReadASN1(&certs, cbasn1.SEQUENCE) || !certs.ReadASN1(&id, cbasn1.SEQUENCE) {
		return fmt.Errorf("%w: malformed", ErrSigningCert)
	}
	h := crypto.SHA256
	if v1 {
		return fmt.Errorf("%w: SHA-1 signing-certificate is not accepted", ErrSigningCert)
	}
	if id.PeekASN1Tag(cbasn1.SEQUENCE) {
		var alg cryptobyte.String
		var oid asn1.ObjectIdentifier
		if !id.ReadASN1(&alg, cbasn1.SEQUENCE) || !alg.ReadASN1ObjectIdentifier(&oid) {
			return fmt.Errorf("%w: malformed", ErrSigningCert)
		}
		var ok bool
		if h, ok = HashFromOID(oid); !ok {
			return fmt.Errorf("%w: unsupported hash", ErrSigningCert)
		}
	}
	var hash cryptobyte.String
	if !id.ReadASN1(&hash, cbasn1.OCTET_STRING) {
		return fmt.Errorf("%w: malformed", ErrSigningCert)
	}
	if !bytes.Equal(hash, Digest(h, cert.Raw)) {
		return ErrSigningCert
	}
	return nil
}

// SigningTime returns the signing-time attribute, if present.
func (s *SignedData) SigningTime() (time.Time, bool) {
	v, ok := Attr(s.Signed, OIDSigningTime)
	if !ok {
		return time.Time{}, false
	}
	var t time.Time
	if _, err := asn1.Unmarshal(v, &t); err != nil {
		return time.Time{}, true
	}
	return t, true
}
