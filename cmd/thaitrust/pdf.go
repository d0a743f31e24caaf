package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"os"

	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/verifier"
)

// PDF e-certificates on the command line:
//
//	thaitrust issue ... --pdf OUT.pdf   also writes the signed PDF/A-3 document
//	thaitrust verify FILE.pdf           verifies one (exit 0 only when valid)

// isPDF reports whether input is a PDF file.
func isPDF(raw []byte) bool { return bytes.HasPrefix(raw, []byte("%PDF-")) }

// hasPDFForm reports whether a credential type has a document template.
func hasPDFForm(typ string) bool {
	for _, t := range document.Templates() {
		if t == typ {
			return true
		}
	}
	return false
}

// localPDF renders and signs an issued credential with the data
// directory's document service.
func localPDF(ctx context.Context, a *app.App, issuerName string, issued *issuer.Issued) ([]byte, error) {
	d := a.Documents()
	if d == nil {
		return nil, errors.New("this data directory makes no PDF documents")
	}
	if !d.Supports(issued.Credential.PrimaryType()) {
		return nil, usagef("%s has no PDF document form", issued.Credential.PrimaryType())
	}
	return d.PDF(ctx, issuerName, issued)
}

// remotePDF decodes the "pdf" member of a VC API issue response.
func remotePDF(b64 string) ([]byte, error) {
	if b64 == "" {
		return nil, errors.New("the server returned no PDF")
	}
	pdf, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !isPDF(pdf) {
		return nil, errors.New("the server returned an unreadable PDF")
	}
	return pdf, nil
}

func writePDF(e *env, path string, pdf []byte) error {
	if err := os.WriteFile(path, pdf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s (%d bytes)\n", path, len(pdf))
	return nil
}

// verifyPDF verifies a PDF e-certificate against the data directory's
// document CA (pki/ca.pem) and trust policy.
func verifyPDF(ctx context.Context, v *verifier.Verifier, dir string, raw []byte) (*verifier.Result, error) {
	opts, err := app.PDFOptions(dir)
	if err != nil {
		return nil, err
	}
	return v.VerifyPDF(ctx, raw, opts), nil
}
