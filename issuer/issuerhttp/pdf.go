package issuerhttp

import (
	"context"
	"encoding/base64"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
)

// Documents renders and signs the PDF/A-3 form of issued credentials
// (package document, signing/pades). internal/app's Documents implements
// it.
type Documents interface {
	// Supports reports whether a credential type has a document form.
	Supports(credentialType string) bool
	// PDF returns the signed PDF of a credential an issuer just issued.
	PDF(ctx context.Context, issuerName string, issued *issuer.Issued) ([]byte, error)
}

// wantPDF reads options.pdf and, when it is true, checks before anything
// is issued that a PDF can be made for the credential's type.
func (h *Handler) wantPDF(opts map[string]any, cred map[string]any) (bool, error) {
	v, present := opts["pdf"]
	if !present {
		return false, nil
	}
	want, ok := v.(bool)
	if !ok {
		return false, httpx.BadRequest("options_invalid", "options.pdf must be true or false",
			httpx.FieldError{Field: "/options/pdf", Reason: "type"})
	}
	if !want {
		return false, nil
	}
	if h.Documents == nil {
		return false, httpx.BadRequest("pdf_unavailable", "this server does not make PDF documents",
			httpx.FieldError{Field: "/options/pdf", Reason: "unavailable"})
	}
	types, _ := cred["type"].([]any)
	for _, t := range types {
		if s, _ := t.(string); h.Documents.Supports(s) {
			return true, nil
		}
	}
	return false, httpx.BadRequest("pdf_no_template", "this credential type has no PDF document form",
		httpx.FieldError{Field: "/credential/type", Reason: "no_template"})
}

// addPDF renders and signs the issued credential and adds it to the
// response as "pdf" (base64).
func (h *Handler) addPDF(ctx context.Context, s *issuer.Service, out *issuer.Issued, resp map[string]any) error {
	pdf, err := h.Documents.PDF(ctx, s.Profile().Name, out)
	if err != nil {
		return err
	}
	resp["pdf"] = base64.StdEncoding.EncodeToString(pdf)
	return nil
}
