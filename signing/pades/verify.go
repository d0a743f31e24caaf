package pades

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/thaitrust/thaitrust/internal/pdf"
	"github.com/thaitrust/thaitrust/signing/internal/cms"
	"github.com/thaitrust/thaitrust/signing/tsa"
)

func sha1Sum(b []byte) [20]byte { return sha1.Sum(b) }

// Reasons of verification failures (stable codes).
const (
	ReasonMalformed          = "pdf_malformed"          // the file cannot be parsed
	ReasonNoSignature        = "pdf_not_signed"         // no signature field with a value
	ReasonSeveralSignatures  = "pdf_several_signatures" // more than one signature (not supported)
	ReasonSubFilter          = "pdf_signature_profile"  // not ETSI.CAdES.detached, or CAdES attributes wrong
	ReasonByteRange          = "pdf_byte_range"         // the ByteRange does not cover exactly its revision
	ReasonModified           = "pdf_modified"           // the signed bytes do not match the signature
	ReasonBadSignature       = "pdf_bad_signature"      // the CMS signature does not verify
	ReasonUntrusted          = "pdf_signer_untrusted"   // no chain to a trusted root
	ReasonRevoked            = "pdf_signer_revoked"     // the signer's certificate was revoked before signing
	ReasonTimestamp          = "pdf_timestamp_invalid"  // the signature timestamp does not verify
	ReasonChangedAfterSigned = "pdf_changed_after_signing"
)

// Error is a verification failure.
type Error struct {
	Reason string
	Err    error
}

func (e *Error) Error() string { return "pades: " + e.Reason + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

func fail(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// VerifyOptions are the trust inputs of Verify.
type VerifyOptions struct {
	// Roots are the trusted roots for signers (for ThaiTrust, those the
	// registry lists). Required.
	Roots *x509.CertPool
	// TSARoots are the trusted time-stamp authority roots; nil means
	// Roots.
	TSARoots *x509.CertPool
	// Now returns the time; nil means time.Now.
	Now func() time.Time
}

// Verified is what Verify established about a signed PDF.
type Verified struct {
	Level       string              // B-B, B-T or B-LT
	Signer      *x509.Certificate   // the signer's certificate
	Chain       []*x509.Certificate // signer to root
	SigningTime time.Time           // the timestamp's time (B-T and up); zero for B-B
	ClaimedTime time.Time           // the dictionary's /M (not proven)
	Timestamp   *tsa.Token
	// SignedEnd is the length of the signed revision: Data[:SignedEnd]
	// is the document as signed.
	SignedEnd int64
	// Revision is the index (in pdf.File.Revisions) of the signed
	// revision; LaterRevisions counts the DSS-only updates after it.
	Revision, LaterRevisions int
	// RevocationChecked says revocation data (a CRL from the DSS or the
	// signature) covered every certificate of the chain below the root.
	RevocationChecked bool
	// Warnings are conditions that did not fail verification.
	Warnings []string
	// File is the parsed document.
	File *pdf.File
}

type sigInfo struct {
	ref      pdf.Ref
	dict     pdf.Dict
	contents []byte
}

// signatures returns the signature dictionaries that the AcroForm's
// fields hold (in the newest revision).
func signatures(f *pdf.File) ([]sigInfo, error) {
	catalog := f.GetDict(f.Root())
	form := f.GetDict(catalog["AcroForm"])
	if form == nil {
		return nil, nil
	}
	fields, err := f.Resolve(form["Fields"])
	if err != nil {
		return nil, err
	}
	arr, _ := fields.(pdf.Array)
	var out []sigInfo
	var walk func(o pdf.Object, depth int) error
	walk = func(o pdf.Object, depth int) error {
		if depth > 8 || len(out) > 16 {
			return errors.New("pades: form field tree too deep or too large")
		}
		d := f.GetDict(o)
		if d == nil {
			return nil
		}
		if kids, _ := f.Resolve(d["Kids"]); kids != nil {
			for _, k := range kids.(pdf.Array) {
				if err := walk(k, depth+1); err != nil {
					return err
				}
			}
		}
		if d.Name("FT") != "Sig" || d["V"] == nil {
			return nil
		}
		ref, _ := d["V"].(pdf.Ref)
		sd := f.GetDict(d["V"])
		if sd == nil {
			return nil
		}
		c, _ := sd["Contents"].(pdf.String)
		out = append(out, sigInfo{ref: ref, dict: sd, contents: c})
		return nil
	}
	for _, fo := range arr {
		if err := walk(fo, 0); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Verify verifies the one PAdES signature of a PDF file:
//
//   - the signature dictionary has SubFilter ETSI.CAdES.detached and a
//     ByteRange [0 a b c] whose gap is exactly its /Contents hex string
//     and whose end is the end of a revision (the signed revision);
//   - the CMS message digest is the digest of those bytes, the signature
//     verifies with the signer's certificate, signing-certificate-v2
//     names it and no signing-time attribute is present;
//   - a signature timestamp, when present, verifies to opts.TSARoots and
//     its imprint is the digest of the signature value; its time is the
//     signing time;
//   - the signer's chain leads to opts.Roots at the signing time (now
//     for B-B); a CRL from the DSS or the CMS that lists a certificate
//     of the chain as revoked before the signing time fails;
//   - every revision after the signed one is a DSS-only update: it
//     changes the catalog's /DSS entry and nothing else of the catalog,
//     adds only objects reachable from the DSS, and modifies no other
//     object.
func Verify(data []byte, opts VerifyOptions) (*Verified, error) {
	if opts.Roots == nil {
		return nil, errors.New("pades: VerifyOptions.Roots is required")
	}
	f, err := pdf.Open(data)
	if err != nil {
		return nil, fail(ReasonMalformed, "%v", err)
	}
	sigs, err := signatures(f)
	if err != nil {
		return nil, fail(ReasonMalformed, "%v", err)
	}
	switch len(sigs) {
	case 0:
		return nil, fail(ReasonNoSignature, "the document has no signature")
	case 1:
	default:
		return nil, fail(ReasonSeveralSignatures, "the document has %d signatures", len(sigs))
	}
	s := sigs[0]
	v := &Verified{File: f}
	if sf := s.dict.Name("SubFilter"); sf != SubFilter {
		return nil, fail(ReasonSubFilter, "SubFilter %q, want %s", sf, SubFilter)
	}
	if m, ok := s.dict["M"].(pdf.String); ok {
		v.ClaimedTime, _ = parseDate(string(m))
	}
	// ByteRange.
	br, _ := s.dict["ByteRange"].(pdf.Array)
	var r [4]int64
	if len(br) != 4 {
		return nil, fail(ReasonByteRange, "ByteRange has %d numbers", len(br))
	}
	for i, x := range br {
		n, ok := x.(int64)
		if !ok || n < 0 || n > int64(len(data)) {
			return nil, fail(ReasonByteRange, "ByteRange is not four offsets in the file")
		}
		r[i] = n
	}
	a, b, end := r[1], r[2], r[2]+r[3]
	if r[0] != 0 || a >= b || end > int64(len(data)) {
		return nil, fail(ReasonByteRange, "ByteRange %v does not start at 0 or runs past the file", r)
	}
	gap := data[a:b]
	if len(gap) < 2 || gap[0] != '<' || gap[len(gap)-1] != '>' || !isHex(gap[1:len(gap)-1]) {
		return nil, fail(ReasonByteRange, "the ByteRange gap is not the signature's hex string")
	}
	decoded := make([]byte, (len(gap)-2)/2)
	if _, err := hexDecode(decoded, gap[1:len(gap)-1]); err != nil || !bytes.Equal(decoded, s.contents) {
		return nil, fail(ReasonByteRange, "the ByteRange gap is not this signature's /Contents")
	}
	// The gap must lie in the signature object of the signed revision.
	v.Revision = -1
	for i, rev := range f.Revisions {
		if rev.End == end {
			v.Revision = i
		}
	}
	if v.Revision < 0 {
		return nil, fail(ReasonByteRange, "the ByteRange ends at %d, which is not the end of a revision", end)
	}
	if s.ref.Num != 0 {
		start, stop, err := f.ObjectSpan(v.Revision, s.ref.Num)
		if err != nil || a < start || b > stop {
			return nil, fail(ReasonByteRange, "the ByteRange gap is outside the signature dictionary")
		}
	}
	v.SignedEnd = end
	v.LaterRevisions = len(f.Revisions) - 1 - v.Revision

	// CMS.
	sd, err := cms.Parse(s.contents)
	if err != nil {
		return nil, fail(ReasonSubFilter, "%v", err)
	}
	if !sd.ContentType.Equal(cms.OIDData) || sd.Content != nil {
		return nil, fail(ReasonSubFilter, "the CMS must be detached id-data")
	}
	if _, ok := sd.SigningTime(); ok {
		return nil, fail(ReasonSubFilter, "signing-time attribute present (PAdES baseline forbids it)")
	}
	if _, ok := cms.Attr(sd.Signed, cms.OIDSigningCertV2); !ok {
		return nil, fail(ReasonSubFilter, "no signing-certificate-v2 attribute")
	}
	cert, err := sd.VerifyDigest(cms.Digest(sd.DigestAlg, data[:a], data[b:end]))
	switch {
	case errors.Is(err, cms.ErrDigestMismatch):
		return nil, fail(ReasonModified, "the signed bytes were changed after signing")
	case errors.Is(err, cms.ErrBadSignature):
		return nil, fail(ReasonBadSignature, "%v", err)
	case err != nil:
		return nil, fail(ReasonSubFilter, "%v", err)
	}
	v.Signer = cert
	v.Level = LevelBB

	// Signature timestamp.
	now := time.Now()
	if opts.Now != nil {
		now = opts.Now()
	}
	at := now
	if tv, ok := cms.Attr(sd.Unsigned, cms.OIDTimestampToken); ok {
		tok, err := tsa.ParseToken(tv)
		if err != nil {
			return nil, fail(ReasonTimestamp, "%v", err)
		}
		roots := opts.TSARoots
		if roots == nil {
			roots = opts.Roots
		}
		if _, err := tok.Verify(sd.Signature, tsa.VerifyOptions{Roots: roots}); err != nil {
			return nil, fail(ReasonTimestamp, "%v", err)
		}
		if tok.Hash < crypto.SHA256 {
			return nil, fail(ReasonTimestamp, "imprint hash too weak")
		}
		v.Timestamp, v.SigningTime, v.Level, at = tok, tok.GenTime, LevelBT, tok.GenTime
		if tok.GenTime.After(now.Add(5 * time.Minute)) {
			return nil, fail(ReasonTimestamp, "timestamp %s is in the future", tok.GenTime)
		}
	}

	// Later revisions: DSS only.
	dss, err := checkLater(f, v.Revision)
	if err != nil {
		return nil, err
	}

	// Chain and revocation.
	inter := x509.NewCertPool()
	for _, c := range slices.Concat(sd.Certificates, dss.Certs) {
		inter.AddCert(c)
	}
	chains, err := cert.Verify(x509.VerifyOptions{
		Roots: opts.Roots, Intermediates: inter, CurrentTime: at,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return nil, fail(ReasonUntrusted, "%v", err)
	}
	v.Chain = chains[0]
	if cert.KeyUsage != 0 && cert.KeyUsage&(x509.KeyUsageDigitalSignature|x509.KeyUsageContentCommitment) == 0 {
		return nil, fail(ReasonUntrusted, "the certificate's key usage does not allow signatures")
	}
	if !documentSigner(cert) {
		return nil, fail(ReasonUntrusted, "the certificate's extended key usage does not allow document signing")
	}
	crls := slices.Concat(sd.CRLs, dss.CRLs)
	covered, err := checkRevocation(v.Chain, crls, at)
	if err != nil {
		return nil, err
	}
	v.RevocationChecked = covered
	if v.Level == LevelBT && covered && len(dss.CRLs)+len(dss.OCSPs) > 0 {
		v.Level = LevelBLT
	}
	if !covered {
		v.Warnings = append(v.Warnings, "no_revocation_data")
	}
	return v, nil
}

// oidDocumentSigning is id-kp-documentSigning (RFC 9336).
var oidDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}

// documentSigner reports whether a certificate may sign documents: no
// extended key usage, or one that includes documentSigning (RFC 9336),
// emailProtection (what Adobe and NSS expect) or anyExtendedKeyUsage. A
// TLS or time-stamping certificate under the same root may not.
func documentSigner(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageAny || u == x509.ExtKeyUsageEmailProtection {
			return true
		}
	}
	for _, u := range c.UnknownExtKeyUsage {
		if u.Equal(oidDocumentSigning) {
			return true
		}
	}
	return false
}

// checkRevocation checks every certificate of the chain below the root
// against the CRLs its issuer signed. It reports whether each had one.
func checkRevocation(chain []*x509.Certificate, crls [][]byte, at time.Time) (bool, error) {
	covered := true
	for i := 0; i+1 < len(chain); i++ {
		c, issuer := chain[i], chain[i+1]
		found := false
		for _, der := range crls {
			crl, err := x509.ParseRevocationList(der)
			if err != nil || crl.CheckSignatureFrom(issuer) != nil {
				continue
			}
			found = true
			for _, e := range crl.RevokedCertificateEntries {
				if e.SerialNumber.Cmp(c.SerialNumber) == 0 && !e.RevocationTime.After(at) {
					return false, fail(ReasonRevoked, "certificate %q was revoked on %s", c.Subject.CommonName, e.RevocationTime.Format(time.RFC3339))
				}
			}
		}
		covered = covered && found
	}
	return covered, nil
}

// dssData is the validation data found in the DSS.
type dssData struct {
	Certs       []*x509.Certificate
	CRLs, OCSPs [][]byte
}

// checkLater checks that the revisions after signed only add a DSS, and
// returns the newest DSS's data.
func checkLater(f *pdf.File, signed int) (dssData, error) {
	root := f.Root()
	for j := signed + 1; j < len(f.Revisions); j++ {
		rev := f.Revisions[j]
		if t, _ := rev.Trailer["Root"].(pdf.Ref); t != root {
			return dssData{}, fail(ReasonChangedAfterSigned, "revision %d replaces the document catalog", j)
		}
		if _, ok := rev.Trailer["Encrypt"]; ok {
			return dssData{}, fail(ReasonChangedAfterSigned, "revision %d encrypts the document", j)
		}
		// Objects allowed to change: the catalog, and objects of the
		// previous DSS; allowed to appear: objects of the new DSS.
		oldDSS := dssObjects(f, j-1)
		newDSS := dssObjects(f, j)
		for num, e := range rev.Entries {
			if num == 0 && e.Type == 0 {
				continue
			}
			if num == root.Num {
				oldCat, err := f.ResolveAt(j-1, root)
				if err != nil {
					return dssData{}, fail(ReasonMalformed, "%v", err)
				}
				newCat, err := f.ResolveAt(j, root)
				if err != nil {
					return dssData{}, fail(ReasonMalformed, "%v", err)
				}
				oc, ok1 := oldCat.(pdf.Dict)
				nc, ok2 := newCat.(pdf.Dict)
				if !ok1 || !ok2 {
					return dssData{}, fail(ReasonChangedAfterSigned, "revision %d: catalog is not a dictionary", j)
				}
				oc, nc = oc.Clone(), nc.Clone()
				delete(oc, "DSS")
				delete(nc, "DSS")
				if !pdf.Equal(oc, nc) {
					return dssData{}, fail(ReasonChangedAfterSigned, "revision %d changes the document catalog beyond its DSS", j)
				}
				continue
			}
			if e.Type == 0 {
				return dssData{}, fail(ReasonChangedAfterSigned, "revision %d deletes object %d", j, num)
			}
			_, _, existed := f.Lookup(j-1, num)
			switch {
			case existed && oldDSS[num] && newDSS[num]:
			case !existed && newDSS[num]:
			case !existed && isXRefStream(f, j, num):
			default:
				return dssData{}, fail(ReasonChangedAfterSigned, "revision %d changes or adds object %d, which is not validation data", j, num)
			}
		}
	}
	return readDSS(f), nil
}

func isXRefStream(f *pdf.File, rev, num int) bool {
	o, err := f.ResolveAt(rev, pdf.Ref{Num: num})
	s, ok := o.(*pdf.Stream)
	return err == nil && ok && s.Dict.Name("Type") == "XRef"
}

// dssObjects returns the numbers of the objects reachable from the
// catalog's /DSS as of revision rev. Only the catalog refers to the DSS,
// so nothing reachable from it alone can change what a page shows.
func dssObjects(f *pdf.File, rev int) map[int]bool {
	out := map[int]bool{}
	cat, _ := f.ResolveAt(rev, f.Root())
	cd, _ := cat.(pdf.Dict)
	var visit func(o pdf.Object, depth int)
	visit = func(o pdf.Object, depth int) {
		if depth > 6 || len(out) > 10000 {
			return
		}
		if r, ok := o.(pdf.Ref); ok {
			if out[r.Num] {
				return
			}
			out[r.Num] = true
			o, _ = f.ResolveAt(rev, r)
		}
		switch x := o.(type) {
		case pdf.Dict:
			for _, v := range x {
				visit(v, depth+1)
			}
		case pdf.Array:
			for _, e := range x {
				visit(e, depth+1)
			}
		}
	}
	if d, ok := cd["DSS"]; ok {
		visit(d, 0)
	}
	return out
}

func readDSS(f *pdf.File) dssData {
	var d dssData
	dss := f.GetDict(f.GetDict(f.Root())["DSS"])
	if dss == nil {
		return d
	}
	streams := func(key pdf.Name) [][]byte {
		arr, _ := f.Resolve(dss[key])
		a, _ := arr.(pdf.Array)
		var out [][]byte
		for _, e := range a {
			o, err := f.Resolve(e)
			s, ok := o.(*pdf.Stream)
			if err != nil || !ok {
				continue
			}
			data, err := pdf.Decode(s)
			if err == nil {
				out = append(out, data)
			}
			if len(out) > 64 {
				break
			}
		}
		return out
	}
	for _, der := range streams("Certs") {
		if c, err := x509.ParseCertificate(der); err == nil {
			d.Certs = append(d.Certs, c)
		}
	}
	d.CRLs = streams("CRLs")
	d.OCSPs = streams("OCSPs")
	return d
}

func isHex(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(b)%2 == 0
}

func hexDecode(dst, src []byte) (int, error) {
	for i := 0; i+1 < len(src); i += 2 {
		h, l := unhex(src[i]), unhex(src[i+1])
		dst[i/2] = h<<4 | l
	}
	return len(src) / 2, nil
}

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// parseDate reads a PDF date (D:YYYYMMDDHHmmSS with an optional zone).
func parseDate(s string) (time.Time, error) {
	if len(s) < 16 || s[:2] != "D:" {
		return time.Time{}, errors.New("pades: bad date")
	}
	return time.Parse("20060102150405", s[2:16])
}
