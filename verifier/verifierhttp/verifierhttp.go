// Package verifierhttp serves the verifier as a W3C VC API instance:
//
//	POST /credentials/verify     {"verifiableCredential": ..., "options": {}}
//	POST /presentations/verify   {"verifiablePresentation": ..., "options": {"challenge", "domain"}}
//
// Both answer 200 with {verified, checks, warnings, errors} whenever the
// input could be read, also when verification fails; 400 (problem JSON)
// for input that is not a credential or presentation at all, and for an
// unsecured presentation that is not a well-formed VCDM 2.0 presentation
// (its errors[].field points into the request body).
package verifierhttp

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/verifier"
)

// Handler serves one verifier.
type Handler struct {
	Verifier *verifier.Verifier
}

// Register adds the routes to e.
func (h *Handler) Register(e *echo.Echo) {
	e.POST("/credentials/verify", h.verifyCredential)
	e.POST("/presentations/verify", h.verifyPresentation)
}

// response is a Result with the verified document attached.
type response struct {
	*verifier.Result
	Credential map[string]any `json:"credential,omitempty"`
}

func render(c *echo.Context, r *verifier.Result) error {
	out := response{Result: r}
	if r.Credential != nil {
		out.Credential = r.Credential.Map()
	}
	return httpx.JSON(c, http.StatusOK, out)
}

func (h *Handler) verifyCredential(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 0)
	if err != nil {
		return err
	}
	v, ok := body["verifiableCredential"]
	if !ok {
		return httpx.BadRequest("credential_missing", `the body needs "verifiableCredential"`,
			httpx.FieldError{Field: "/verifiableCredential", Reason: "required"})
	}
	mt, data, err := Secured(v, credential.TypeEnvelopedCredential, jose.MediaTypeCredential)
	if err != nil {
		return httpx.BadRequest("credential_unreadable", err.Error(), httpx.FieldError{Field: "/verifiableCredential", Reason: "format"})
	}
	return render(c, h.Verifier.VerifyCredential(c.Request().Context(), mt, data))
}

func (h *Handler) verifyPresentation(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 4<<20)
	if err != nil {
		return err
	}
	v, ok := body["verifiablePresentation"]
	if !ok {
		return httpx.BadRequest("presentation_missing", `the body needs "verifiablePresentation"`,
			httpx.FieldError{Field: "/verifiablePresentation", Reason: "required"})
	}
	var opts verifier.PresentationOptions
	if o, ok := body["options"].(map[string]any); ok {
		opts.Challenge, _ = o["challenge"].(string)
		opts.Domain, _ = o["domain"].(string)
	}
	ctx := c.Request().Context()
	if doc, ok := v.(map[string]any); ok && !isEnvelope(doc, credential.TypeEnvelopedPresentation) {
		// An unsecured presentation: it must at least be a well-formed
		// VCDM 2.0 presentation (embedded credentials included) to be
		// reported on; anything else is input to fix, not a failed
		// verification.
		if _, err := credential.PresentationFromMap(doc); err != nil {
			return invalidPresentation(err)
		}
		return render(c, h.Verifier.VerifyUnsecuredPresentation(ctx, doc))
	}
	mt, data, err := Secured(v, credential.TypeEnvelopedPresentation, jose.MediaTypePresentation)
	if err != nil {
		return httpx.BadRequest("presentation_unreadable", err.Error(), httpx.FieldError{Field: "/verifiablePresentation", Reason: "format"})
	}
	return render(c, h.Verifier.VerifyPresentation(ctx, mt, data, opts))
}

// invalidPresentation is the 400 problem for a malformed presentation
// document, naming the member at fault.
func invalidPresentation(err error) error {
	p := httpx.BadRequest("presentation_invalid", "verifiablePresentation is not a valid presentation")
	var ve *credential.ValidationError
	if errors.As(err, &ve) {
		p.Detail += ": " + ve.Msg
		p.Errors = []httpx.FieldError{{Field: "/verifiablePresentation" + ve.Field, Reason: ve.Reason, Message: ve.Msg}}
	}
	p.Err = err
	return p
}

func isEnvelope(doc map[string]any, envelopeType string) bool {
	switch t := doc["type"].(type) {
	case string:
		return t == envelopeType
	case []any:
		for _, x := range t {
			if x == envelopeType {
				return true
			}
		}
	}
	return false
}

// Secured extracts the media type and data of a secured credential or
// presentation given as an enveloped object, a data: URL, or a bare
// compact JWS (taken as defaultMediaType).
func Secured(v any, envelopeType, defaultMediaType string) (mediaType, data string, err error) {
	switch x := v.(type) {
	case string:
		s := strings.TrimSpace(x)
		if strings.HasPrefix(s, "data:") {
			e, err := credential.ParseDataURL(s)
			if err != nil {
				return "", "", err
			}
			return e.MediaType, e.Data, nil
		}
		if strings.Count(s, ".") == 2 {
			return defaultMediaType, s, nil
		}
		return "", "", errBadInput("a string must be a compact JWS or a data: URL")
	case map[string]any:
		if !isEnvelope(x, envelopeType) {
			return "", "", errBadInput("an object must be an " + envelopeType + " whose id is a data: URL")
		}
		id, _ := x["id"].(string)
		e, err := credential.ParseDataURL(id)
		if err != nil {
			return "", "", err
		}
		return e.MediaType, e.Data, nil
	}
	return "", "", errBadInput("expected an enveloped object, a data: URL or a compact JWS")
}

type errBadInput string

func (e errBadInput) Error() string { return string(e) }
