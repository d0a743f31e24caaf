package verifierhttp

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/http"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/verifier"
)

// MaxPDF bounds an uploaded PDF document.
const MaxPDF = 8 << 20

// PDFHandler verifies PDF e-certificates:
//
//	POST /documents/verify   the PDF as the body (Content-Type application/pdf),
//	                         or {"document": "<base64>"} as JSON
//
// It answers 200 with the verifier's result (format "pdf") whenever the
// body is a PDF, also when verification fails; 400 when it is not one.
type PDFHandler struct {
	Verifier *verifier.Verifier
	// Options returns the trust inputs (document-signing roots).
	Options func() (verifier.PDFOptions, error)
}

// Register adds the route to e.
func (h *PDFHandler) Register(e *echo.Echo) {
	e.POST("/documents/verify", h.verify)
}

func (h *PDFHandler) verify(c *echo.Context) error {
	var data []byte
	mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type"))
	if mt == verifier.MediaTypePDF {
		body, err := httpx.ReadBody(c, MaxPDF)
		if err != nil {
			return err
		}
		data = body
	} else {
		body, err := httpx.ReadJSONObject(c, MaxPDF*4/3+1024)
		if err != nil {
			return err
		}
		s, _ := body["document"].(string)
		if data, err = base64.StdEncoding.DecodeString(s); err != nil || s == "" {
			return httpx.BadRequest("document_missing", `send the PDF as application/pdf, or as {"document": "<base64>"}`,
				httpx.FieldError{Field: "/document", Reason: "base64"})
		}
	}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return httpx.BadRequest("not_pdf", "the document is not a PDF file")
	}
	opts, err := h.Options()
	if err != nil {
		return httpx.NewProblem(http.StatusServiceUnavailable, "trust-unavailable", "the document-signing trust roots are not available")
	}
	return render(c, h.Verifier.VerifyPDF(c.Request().Context(), data, opts))
}
