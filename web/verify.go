package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

func init() {
	addRoutes(func(h *Handler, e *echo.Echo) {
		e.GET("/", h.portal)
		e.GET("/verify", h.portal)
		e.POST("/verify", h.verify)
	})
}

// maxUpload bounds what the portal reads: a PDF e-certificate at most
// verifierhttp.MaxPDF, with room for the form around it.
const maxUpload = verifierhttp.MaxPDF + 64<<10

// maxToken bounds a pasted or uploaded token (an SD-JWT VC with its
// disclosures, a vc+jwt with a portrait).
const maxToken = 1 << 20

// portalData is the portal's form page.
type portalData struct {
	// Requests: the portal can start an OpenID4VP request.
	Requests bool
	// PDFs: the portal accepts PDF e-certificates.
	PDFs bool
	// DocumentID comes from a PDF's QR code (/verify?id=&sha256=).
	DocumentID string
	// Issued is what this server's issuers know of DocumentID, when one
	// of them issued it.
	Issued *issuedView
	// Issuers are this server's issuers (the portal lists them).
	Issuers []issuerRow
	// Token is the pasted token, kept when it could not be read.
	Token string
	// Error is a dictionary key: why the input was not verified.
	Error string
}

func (h *Handler) portalData(c *echo.Context) portalData {
	id := c.QueryParam("id")
	if len(id) > 200 {
		id = ""
	}
	return portalData{Requests: h.Presentations != nil, PDFs: h.PDFOptions != nil, DocumentID: id}
}

// issuedView is a credential issued here, as its issuer's record and
// status say (no claims: the issuer keeps none).
type issuedView struct {
	Issuer     string
	TypeTitle  string
	IssuedAt   time.Time
	ValidUntil time.Time
	Status     string // dictionary key verify.issued.<valid|revoked|suspended>
	OK         bool
}

// issuerRow is an issuer of this server as the portal lists it.
type issuerRow struct {
	Name, DID, Entity string
	Types             []string
}

func (h *Handler) portal(c *echo.Context) error {
	d := h.portalData(c)
	v := h.view(c, navVerify, nil)
	if d.DocumentID != "" {
		d.Issued = h.issuedHere(c, v, d.DocumentID)
	}
	d.Issuers = h.issuerRows(v)
	v.Data = d
	return h.renderView(c, http.StatusOK, "verify", v)
}

// issuerRows lists this server's issuers by name, as the registry names
// them.
func (h *Handler) issuerRows(v *View) []issuerRow {
	var out []issuerRow
	for _, svc := range h.Issuers {
		p := svc.Profile()
		r := issuerRow{Name: v.L(p.DisplayName), DID: p.DID}
		if h.Registry != nil {
			if e, ok := h.Registry.Entity(p.DID); ok {
				r.Name, _ = textIn(v.Lang, e.Name)
				r.Entity = e.ID
			}
		}
		for _, t := range p.Types {
			r.Types = append(r.Types, credTypeTitle(v, t))
		}
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b issuerRow) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// issuedHere looks credential id up among this server's issuers: a PDF's
// QR code leads here with its credential's id, and a clerk holding a
// printout learns at once whether it was revoked (the document itself is
// verified from the PDF).
func (h *Handler) issuedHere(c *echo.Context, v *View, id string) *issuedView {
	names := make([]string, 0, len(h.Issuers))
	for n := range h.Issuers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		st, rec, err := h.Issuers[n].Status(c.Request().Context(), id)
		if err != nil {
			continue
		}
		p := h.Issuers[n].Profile()
		iv := &issuedView{Issuer: v.L(p.DisplayName), TypeTitle: credTypeTitle(v, rec.Type), IssuedAt: rec.IssuedAt, ValidUntil: rec.ValidUntil}
		if h.Registry != nil {
			if e, ok := h.Registry.Entity(p.DID); ok {
				iv.Issuer, _ = textIn(v.Lang, e.Name)
			}
		}
		switch {
		case st.Revoked:
			iv.Status = "verify.issued.revoked"
		case st.Suspended:
			iv.Status = "verify.issued.suspended"
		default:
			iv.Status, iv.OK = "verify.issued.valid", true
		}
		return iv
	}
	return nil
}

// verify verifies a file (PDF, vc+jwt, SD-JWT VC) or a pasted token and
// renders the result. Input that is no credential at all re-renders the
// form with the reason (400); a credential that fails verification is a
// result (200).
func (h *Handler) verify(c *echo.Context) error {
	d := h.portalData(c)
	fail := func(status int, key string) error {
		d.Error = key
		return h.render(c, status, "verify", navVerify, d)
	}
	req := c.Request()
	req.Body = http.MaxBytesReader(c.Response(), req.Body, maxUpload)
	data, err := readInput(c)
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig), errors.Is(err, errTooLarge):
		return fail(http.StatusRequestEntityTooLarge, "verify.err.toolarge")
	case err != nil:
		return fail(http.StatusBadRequest, "verify.err.unreadable")
	case len(bytes.TrimSpace(data)) == 0:
		return fail(http.StatusBadRequest, "verify.err.empty")
	}
	ctx := req.Context()
	var r *verifier.Result
	if bytes.HasPrefix(data, []byte("%PDF-")) {
		if h.PDFOptions == nil {
			return fail(http.StatusBadRequest, "verify.err.nopdf")
		}
		opts, err := h.PDFOptions()
		if err != nil {
			h.log().ErrorContext(ctx, "web: PDF trust inputs", "error", err.Error())
			return fail(http.StatusServiceUnavailable, "verify.err.pdfunavailable")
		}
		r = h.Verifier.VerifyPDF(ctx, data, opts)
	} else {
		if len(data) > maxToken {
			return fail(http.StatusRequestEntityTooLarge, "verify.err.toolarge")
		}
		mt, tok, ok := classify(string(data))
		if !ok {
			d.Token = string(data)
			return fail(http.StatusBadRequest, "verify.err.notcredential")
		}
		r = h.Verifier.VerifyCredential(ctx, mt, tok)
	}
	v := h.view(c, navVerify, nil)
	v.Data = h.resultView(ctx, v, r)
	return h.renderView(c, http.StatusOK, "result", v)
}

var errTooLarge = errors.New("web: input too large")

// readInput returns the uploaded file, or else the pasted token, of a
// multipart or URL-encoded form.
func readInput(c *echo.Context) ([]byte, error) {
	req := c.Request()
	if strings.HasPrefix(req.Header.Get("Content-Type"), "multipart/") {
		if err := req.ParseMultipartForm(maxUpload); err != nil {
			return nil, err
		}
		if f, fh, err := req.FormFile("file"); err == nil {
			defer f.Close()
			if fh.Size > 0 {
				data, err := io.ReadAll(io.LimitReader(f, verifierhttp.MaxPDF+1))
				if err == nil && len(data) > verifierhttp.MaxPDF {
					err = errTooLarge
				}
				return data, err
			}
		} else if !errors.Is(err, http.ErrMissingFile) {
			return nil, err
		}
	}
	return []byte(c.FormValue("token")), nil
}

// classify recognises a pasted or uploaded token: an SD-JWT VC (it has
// "~" separators), a vc+jwt compact JWS, a data: URL, an
// EnvelopedVerifiableCredential, or a VC API request body
// ({"verifiableCredential": ...}). It returns the media type and the
// secured data; ok is false for anything else.
func classify(s string) (mediaType, data string, ok bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		var doc map[string]any
		if json.Unmarshal([]byte(s), &doc) != nil {
			return "", "", false
		}
		var v any = doc
		if inner, found := doc["verifiableCredential"]; found {
			v = inner
		}
		mt, tok, err := verifierhttp.Secured(v, credential.TypeEnvelopedCredential, jose.MediaTypeCredential)
		return mt, tok, err == nil
	}
	if strings.Contains(s, "~") && !strings.HasPrefix(s, "data:") {
		if strings.ContainsAny(s, " \t\r\n") {
			return "", "", false
		}
		return sdjwt.MediaTypeVC, s, true
	}
	mt, tok, err := verifierhttp.Secured(s, credential.TypeEnvelopedCredential, jose.MediaTypeCredential)
	return mt, tok, err == nil
}
