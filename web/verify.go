package web

import (
	"net/http"

	"github.com/labstack/echo/v5"
)

func init() {
	addRoutes(func(h *Handler, e *echo.Echo) {
		e.GET("/", h.portal)
		e.GET("/verify", h.portal)
	})
}

// portalData is the portal's form page.
type portalData struct {
	// Requests: the portal can start an OpenID4VP request.
	Requests bool
	// PDFs: the portal accepts PDF e-certificates.
	PDFs bool
	// DocumentID and DocumentHash come from a PDF's QR code
	// (/verify?id=&sha256=).
	DocumentID, DocumentHash string
	Token                    string
}

func (h *Handler) portal(c *echo.Context) error {
	d := portalData{
		Requests:   h.Presentations != nil,
		PDFs:       h.PDFOptions != nil,
		DocumentID: c.QueryParam("id"), DocumentHash: c.QueryParam("sha256"),
	}
	return h.render(c, http.StatusOK, "verify", navVerify, d)
}
