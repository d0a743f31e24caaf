package document

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/document/internal/qr"
	"github.com/thaitrust/thaitrust/internal/pdf"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/x509ca"
)

// Check names of a document verification, in order.
const (
	CheckFormat     = "pdf_format"    // a PDF/A-3 document carrying a credential
	CheckSignature  = "pdf_signature" // PAdES signature over the whole signed revision
	CheckTimestamp  = "pdf_timestamp" // RFC 3161 signature timestamp
	CheckSigner     = "pdf_signer"    // signer certificate chain, revocation, and it names the issuer
	CheckChanges    = "pdf_changes"   // later updates add validation data only
	CheckBinding    = "pdf_binding"   // embedded credential = XMP = QR code
	CheckCredential = "credential"    // the embedded credential's own verification
)

// Check outcomes.
const (
	Passed  = "passed"
	Failed  = "failed"
	Skipped = "skipped"
)

// Reasons of document checks (in addition to pades.Reason* and the
// credential verifier's reasons).
const (
	ReasonNotPDFA          = "pdf_not_pdfa"            // no PDF/A-3 identification in the XMP
	ReasonNoCredential     = "pdf_no_credential"       // no embedded credential
	ReasonCredentialBind   = "pdf_credential_mismatch" // embedded credential differs from XMP metadata
	ReasonQRMismatch       = "pdf_qr_mismatch"         // the QR code does not name the embedded credential
	ReasonSignerNotIssuer  = "pdf_signer_not_issuer"   // the signature is not the credential issuer's
	ReasonNoTimestamp      = "pdf_no_timestamp"        // no signature timestamp (B-B)
	ReasonNoRevocationData = "pdf_no_revocation_data"  // B-T without DSS revocation data
)

// Check is one check and its outcome.
type Check struct {
	Check  string `json:"check"`
	Status string `json:"status"`
	Reason string `json:"reason,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// CredentialOutcome is the embedded credential's own verification, as
// the verifier reports it.
type CredentialOutcome struct {
	Verified bool
	Reason   string // the first failure's reason when not verified
	Detail   string
	// Credential is the decoded credential (also when not verified, if
	// it could be decoded).
	Credential *credential.Credential
	// Result is the verifier's full result, passed through.
	Result any
}

// VerifyOptions are the trust inputs of Verify.
type VerifyOptions struct {
	// Roots are the trusted roots of signing certificates (those the
	// trust registry lists). Required.
	Roots *x509.CertPool
	// TSARoots are the trusted time-stamp authority roots; nil means
	// Roots.
	TSARoots *x509.CertPool
	// VerifyCredential verifies the embedded secured credential: proof,
	// validity, schema, status and issuer trust (the verifier's
	// VerifyCredential). Required.
	VerifyCredential func(ctx context.Context, mediaType string, secured []byte) CredentialOutcome
	// Now returns the time; nil means time.Now.
	Now func() time.Time
}

// Result is the outcome of a document verification.
type Result struct {
	Verified bool    `json:"verified"`
	Checks   []Check `json:"checks"`
	Warnings []Check `json:"warnings"`

	Level       string            `json:"level,omitempty"`       // PAdES level: B-B, B-T, B-LT
	SigningTime time.Time         `json:"signing_time,omitzero"` // the timestamp's time
	Signer      string            `json:"signer,omitempty"`      // the signer certificate's subject
	Fingerprint string            `json:"fingerprint,omitempty"` // SHA-256 of the signer certificate
	Metadata    Metadata          `json:"metadata"`
	QR          string            `json:"qr,omitempty"`         // the QR code's text
	MediaType   string            `json:"media_type,omitempty"` // of the embedded credential
	Secured     []byte            `json:"-"`                    // the embedded credential
	Outcome     CredentialOutcome `json:"-"`
}

// Reason returns the first failed check's reason ("" when verified).
func (r *Result) Reason() string {
	for _, c := range r.Checks {
		if c.Status == Failed {
			return c.Reason
		}
	}
	return ""
}

var checkOrder = []string{CheckFormat, CheckSignature, CheckTimestamp, CheckChanges, CheckSigner, CheckBinding, CheckCredential}

func (r *Result) pass(check, detail string) {
	r.Checks = append(r.Checks, Check{Check: check, Status: Passed, Detail: detail})
}

func (r *Result) fail(check, reason string, err error) *Result {
	c := Check{Check: check, Status: Failed, Reason: reason}
	if err != nil {
		c.Detail = err.Error()
	}
	r.Checks = append(r.Checks, c)
	// The remaining checks were not made.
	seen := false
	for _, name := range checkOrder {
		if seen {
			r.Checks = append(r.Checks, Check{Check: name, Status: Skipped, Reason: "not_checked_" + check})
		}
		if name == check {
			seen = true
		}
	}
	r.Verified = false
	return r
}

func (r *Result) warn(check, reason string) {
	r.Warnings = append(r.Warnings, Check{Check: check, Status: Passed, Reason: reason})
}

// reasonCheck maps a pades failure to the check it belongs to.
func reasonCheck(reason string) string {
	switch reason {
	case pades.ReasonTimestamp:
		return CheckTimestamp
	case pades.ReasonUntrusted, pades.ReasonRevoked:
		return CheckSigner
	case pades.ReasonChangedAfterSigned:
		return CheckChanges
	case pades.ReasonMalformed:
		return CheckFormat
	}
	return CheckSignature
}

// Verify verifies a signed PDF document carrying a credential: that it is
// a PDF/A-3 document with an embedded credential; its PAdES signature
// (pades.Verify: whole signed revision, CMS, timestamp, chain to
// opts.Roots, revocation, DSS-only later updates); that the signer's
// certificate names the credential's issuer; that the embedded
// credential is the one the document was rendered from (its SHA-256 and
// id equal the XMP metadata's and the QR code's); and the credential's
// own verification through opts.VerifyCredential.
//
// The checks stop at the first failure; the rest are reported skipped.
// Work is bounded by the limits of internal/pdf; bound data's size
// before calling.
func Verify(ctx context.Context, data []byte, opts VerifyOptions) (*Result, error) {
	if opts.Roots == nil {
		return nil, errors.New("document: VerifyOptions.Roots is required")
	}
	if opts.VerifyCredential == nil {
		return nil, errors.New("document: VerifyOptions.VerifyCredential is required")
	}
	r := &Result{Checks: make([]Check, 0, len(checkOrder)), Warnings: []Check{}}

	// Format: parse the document as signed, read XMP and the credential.
	if _, err := pdf.Open(data); err != nil {
		return r.fail(CheckFormat, pades.ReasonMalformed, err), nil
	}
	v, err := pades.Verify(data, pades.VerifyOptions{Roots: opts.Roots, TSARoots: opts.TSARoots, Now: opts.Now})
	var pe *pades.Error
	if err != nil && !errors.As(err, &pe) {
		return nil, err
	}
	// Read the content from the signed revision when the signature
	// located one, else from the whole file (to report format problems
	// first).
	content := data
	if v != nil {
		content = data[:v.SignedEnd]
	}
	f, perr := pdf.Open(content)
	if perr != nil {
		return r.fail(CheckFormat, pades.ReasonMalformed, perr), nil
	}
	meta, secured, mediaType, ferr := readDocument(f)
	if ferr != nil {
		var ce *checkError
		if errors.As(ferr, &ce) {
			return r.fail(CheckFormat, ce.reason, ce.err), nil
		}
		return r.fail(CheckFormat, pades.ReasonMalformed, ferr), nil
	}
	r.Metadata, r.Secured, r.MediaType = meta, secured, mediaType
	r.pass(CheckFormat, "PDF/A-"+meta.PDFAPart+strings.ToLower(meta.PDFAConf)+", "+EmbeddedName(mediaType))

	// Signature. pades.Verify checks in the order of checkOrder; those
	// before the failing one passed.
	if pe != nil {
		failed := reasonCheck(pe.Reason)
		for _, name := range checkOrder[1:] {
			if name == failed {
				break
			}
			r.pass(name, "")
		}
		return r.fail(failed, pe.Reason, pe.Err), nil
	}
	r.Level, r.Signer, r.Fingerprint = v.Level, v.Signer.Subject.String(), x509ca.Fingerprint(v.Signer)
	r.pass(CheckSignature, pades.SubFilter+", "+v.Level)
	if v.Timestamp != nil {
		r.SigningTime = v.SigningTime
		r.pass(CheckTimestamp, v.SigningTime.UTC().Format(time.RFC3339)+" by "+v.Timestamp.Certificates[0].Subject.CommonName)
	} else {
		r.Checks = append(r.Checks, Check{Check: CheckTimestamp, Status: Skipped, Reason: ReasonNoTimestamp})
		r.warn(CheckTimestamp, ReasonNoTimestamp)
	}
	if v.LaterRevisions > 0 {
		r.pass(CheckChanges, fmt.Sprintf("%d later update(s) with validation data only", v.LaterRevisions))
	} else {
		r.pass(CheckChanges, "no later updates")
	}
	if !v.RevocationChecked {
		r.warn(CheckSigner, ReasonNoRevocationData)
	}

	// The embedded credential: its own verification gives its issuer.
	out := opts.VerifyCredential(ctx, mediaType, secured)
	r.Outcome = out
	c := out.Credential
	signerDID := x509ca.DID(v.Signer)
	if c == nil || signerDID == "" || signerDID != c.Issuer.ID {
		issuer := ""
		if c != nil {
			issuer = c.Issuer.ID
		}
		return r.fail(CheckSigner, ReasonSignerNotIssuer, fmt.Errorf("the certificate names %q, the credential's issuer is %q", signerDID, issuer)), nil
	}
	r.pass(CheckSigner, v.Signer.Subject.CommonName+" (SHA-256 "+r.Fingerprint[:16]+"…)")

	// Binding: embedded credential = XMP = QR.
	sum := sha256.Sum256(secured)
	hash := hex.EncodeToString(sum[:])
	switch {
	case meta.SHA256 != hash:
		return r.fail(CheckBinding, ReasonCredentialBind, fmt.Errorf("the embedded credential's SHA-256 is %s, the metadata says %s", hash, meta.SHA256)), nil
	case meta.CredentialID != c.ID || meta.Issuer != c.Issuer.ID || meta.MediaType != mediaType:
		return r.fail(CheckBinding, ReasonCredentialBind, errors.New("the metadata names another credential")), nil
	}
	link, err := readQR(f)
	if err != nil {
		return r.fail(CheckBinding, ReasonQRMismatch, err), nil
	}
	r.QR = link
	u, err := url.Parse(link)
	if err != nil || u.Query().Get("sha256") != hash || u.Query().Get("id") != c.ID ||
		!strings.HasPrefix(link, meta.VerifyURL+"?") {
		return r.fail(CheckBinding, ReasonQRMismatch, fmt.Errorf("the QR code reads %q", link)), nil
	}
	r.pass(CheckBinding, "SHA-256 "+hash)

	if !out.Verified {
		reason := out.Reason
		if reason == "" {
			reason = "credential_failed"
		}
		var derr error
		if out.Detail != "" {
			derr = errors.New(out.Detail)
		}
		return r.fail(CheckCredential, reason, derr), nil
	}
	r.pass(CheckCredential, c.PrimaryType()+" from "+c.Issuer.ID)
	r.Verified = true
	return r, nil
}

type checkError struct {
	reason string
	err    error
}

func (e *checkError) Error() string { return e.reason + ": " + e.err.Error() }

// readDocument reads the XMP metadata and the embedded credential.
func readDocument(f *pdf.File) (Metadata, []byte, string, error) {
	cat := f.GetDict(f.Root())
	if cat == nil {
		return Metadata{}, nil, "", errors.New("no catalog")
	}
	ms, _ := f.Resolve(cat["Metadata"])
	mstream, ok := ms.(*pdf.Stream)
	if !ok {
		return Metadata{}, nil, "", &checkError{ReasonNotPDFA, errors.New("no XMP metadata")}
	}
	xmp, err := pdf.Decode(mstream)
	if err != nil {
		return Metadata{}, nil, "", err
	}
	meta, err := ParseXMP(xmp)
	if err != nil {
		return Metadata{}, nil, "", &checkError{ReasonNotPDFA, err}
	}
	if meta.PDFAPart != "3" {
		return Metadata{}, nil, "", &checkError{ReasonNotPDFA, fmt.Errorf("pdfaid:part is %q", meta.PDFAPart)}
	}
	// The credential: the catalog's associated file with relationship
	// Source.
	afs, _ := f.Resolve(cat["AF"])
	arr, _ := afs.(pdf.Array)
	var found []pdf.Dict
	for _, a := range arr {
		fs := f.GetDict(a)
		if fs != nil && fs.Name("AFRelationship") == "Source" {
			found = append(found, fs)
		}
	}
	if len(found) != 1 {
		return meta, nil, "", &checkError{ReasonNoCredential, fmt.Errorf("%d source files attached, want 1", len(found))}
	}
	ef := f.GetDict(found[0]["EF"])
	if ef == nil {
		return meta, nil, "", &checkError{ReasonNoCredential, errors.New("file specification without EF")}
	}
	so, _ := f.Resolve(ef["F"])
	s, ok := so.(*pdf.Stream)
	if !ok {
		return meta, nil, "", &checkError{ReasonNoCredential, errors.New("no embedded file stream")}
	}
	mt := string(s.Dict.Name("Subtype"))
	if mt != MediaTypeVCJWT && mt != MediaTypeSDJWTVC {
		return meta, nil, "", &checkError{ReasonNoCredential, fmt.Errorf("embedded file of type %q", mt)}
	}
	secured, err := pdf.Decode(s)
	if err != nil {
		return meta, nil, "", err
	}
	return meta, bytes.TrimSpace(secured), mt, nil
}

// readQR decodes the QR code image of the first page.
func readQR(f *pdf.File) (string, error) {
	cat := f.GetDict(f.Root())
	pages := f.GetDict(cat["Pages"])
	if pages == nil {
		return "", errors.New("no pages")
	}
	kids, _ := f.Resolve(pages["Kids"])
	arr, _ := kids.(pdf.Array)
	if len(arr) == 0 {
		return "", errors.New("no pages")
	}
	page := f.GetDict(arr[0])
	res := f.GetDict(page["Resources"])
	xo := f.GetDict(res["XObject"])
	if xo == nil {
		return "", errors.New("the first page has no QR code")
	}
	io, _ := f.Resolve(xo["QR"])
	img, ok := io.(*pdf.Stream)
	if !ok || img.Dict.Name("Subtype") != "Image" {
		return "", errors.New("the first page has no QR code")
	}
	w, _ := img.Dict.Int("Width")
	h, _ := img.Dict.Int("Height")
	bpc, _ := img.Dict.Int("BitsPerComponent")
	if w != h || w < 21 || w > 177 || bpc != 1 || img.Dict.Name("ColorSpace") != "DeviceGray" {
		return "", errors.New("the QR code image is not a 1-bit square")
	}
	bits, err := pdf.Decode(img)
	n := int(w)
	row := (n + 7) / 8
	if err != nil || len(bits) < row*n {
		return "", errors.New("the QR code image is unreadable")
	}
	code, err := qr.FromModules(n, func(x, y int) bool { return bits[y*row+x/8]&(0x80>>(x%8)) == 0 })
	if err != nil {
		return "", err
	}
	text, err := qr.Decode(code)
	if err != nil {
		return "", err
	}
	return string(text), nil
}
