package verifier

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/thaitrust/thaitrust/document"
)

// MediaTypePDF is the media type of PDF e-certificates.
const MediaTypePDF = "application/pdf"

// FormatPDF is Result.Format for a PDF document.
const FormatPDF = "pdf"

// PDFOptions are the trust inputs of PDF verification, beyond the
// verifier's policy (which verifies the embedded credential).
type PDFOptions struct {
	// Roots are the trusted roots of document-signing certificates (the
	// trust registry lists them by fingerprint). Required.
	Roots *x509.CertPool
	// TSARoots are the trusted time-stamp authority roots; nil means
	// Roots.
	TSARoots *x509.CertPool
}

// Verify verifies a credential in any form the verifier reads,
// recognised by its media type (or, for a PDF, its first bytes): a
// signed PDF/A-3 e-certificate (VerifyPDF) or a secured credential
// (VerifyCredential).
func (v *Verifier) Verify(ctx context.Context, mediaType string, data []byte, pdf PDFOptions) *Result {
	if mediaType == MediaTypePDF || bytes.HasPrefix(data, []byte("%PDF-")) {
		return v.VerifyPDF(ctx, data, pdf)
	}
	return v.VerifyCredential(ctx, mediaType, string(bytes.TrimSpace(data)))
}

// VerifyPDF verifies a signed PDF e-certificate (package document): its
// PAdES signature, timestamp and signer (chained to opts.Roots, and
// naming the credential's issuer), that nothing but validation data was
// added after signing, that the embedded credential is the one the
// document shows (XMP and QR code), and the embedded credential itself
// under this verifier's policy. The checks are the document's (pdf_*,
// then credential); the embedded credential's own result is
// Credentials[0].
func (v *Verifier) VerifyPDF(ctx context.Context, data []byte, opts PDFOptions) *Result {
	r := &Result{Format: FormatPDF, Checks: make([]Check, 0, 8)}
	if opts.Roots == nil {
		r.fail(document.CheckFormat, "pdf_no_trusted_signers", errors.New("no trusted document-signing roots are configured"))
		return r.finish()
	}
	var inner *Result
	dr, err := document.Verify(ctx, data, document.VerifyOptions{
		Roots: opts.Roots, TSARoots: opts.TSARoots, Now: v.cfg.Now,
		VerifyCredential: func(ctx context.Context, mediaType string, secured []byte) document.CredentialOutcome {
			inner = v.VerifyCredential(ctx, mediaType, string(secured))
			return document.CredentialOutcome{
				Verified: inner.Verified, Reason: inner.Reason(), Detail: firstDetail(inner),
				Credential: inner.Credential, Result: inner,
			}
		},
	})
	if err != nil {
		r.fail(document.CheckFormat, "malformed", err)
		return r.finish()
	}
	for _, c := range dr.Checks {
		out := Check{Check: c.Check, Status: c.Status, Reason: c.Reason, Detail: c.Detail}
		if c.Reason != "" {
			out.Message, out.MessageTH = pdfMessage(c.Reason)
		}
		r.add(out)
	}
	for _, w := range dr.Warnings {
		en, th := pdfMessage(w.Reason)
		r.Warnings = append(r.Warnings, Finding{Check: w.Check, Reason: w.Reason, Message: en, MessageTH: th})
	}
	if inner != nil {
		r.Credentials = []*Result{inner}
		r.Credential, r.Issuer, r.Type = inner.Credential, inner.Issuer, inner.Type
		r.Warnings = append(r.Warnings, inner.Warnings...)
	}
	return r.finish()
}

// pdfMessage returns the sentences of a document reason, or of a
// credential reason the verifier defines.
func pdfMessage(reason string) (en, th string) {
	if en, th, ok := document.Message(reason); ok {
		return en, th
	}
	m := messageFor(reason)
	return m.en, m.th
}

func firstDetail(r *Result) string {
	for _, c := range r.Checks {
		if c.Status == Failed {
			if c.Detail != "" {
				return fmt.Sprintf("%s: %s", c.Check, c.Detail)
			}
			return c.Check
		}
	}
	return ""
}
