package issuerhttp

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/internal/qr"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
)

// OpenID4VCI routes (each issuer is its own credential issuer, identified
// by <PublicURL>/issuers/{name}):
//
//	GET  /.well-known/openid-credential-issuer/issuers/{name}     credential issuer metadata
//	GET  /issuers/{name}/.well-known/openid-credential-issuer     the same
//	GET  /.well-known/oauth-authorization-server/issuers/{name}   authorization server metadata
//	GET  /issuers/{name}/.well-known/oauth-authorization-server   the same
//	POST /issuers/{name}/offers                 create an offer (bearer token): {credential, format?, tx_code?}
//	GET  /issuers/{name}/offers/{id}/qr.png     the offer URI as a QR code
//	GET  /issuers/{name}/oid4vci/offers/{id}    the credential offer (by reference)
//	POST /issuers/{name}/oid4vci/token          token endpoint (pre-authorized code)
//	POST /issuers/{name}/oid4vci/nonce          nonce endpoint
//	POST /issuers/{name}/oid4vci/credential     credential endpoint (access token)
//
// The OAuth endpoints (token, nonce, credential) answer failures as OAuth
// errors, {"error", "error_description"}, not problem JSON.
func (h *Handler) registerOID4VCI(e *echo.Echo, auth echo.MiddlewareFunc) {
	e.GET("/.well-known/openid-credential-issuer/issuers/:name", h.issuerMetadata)
	e.GET("/.well-known/oauth-authorization-server/issuers/:name", h.asMetadata)
	g := e.Group("/issuers/:name")
	g.GET("/.well-known/openid-credential-issuer", h.issuerMetadata)
	g.GET("/.well-known/oauth-authorization-server", h.asMetadata)
	g.POST("/offers", h.createOffer, auth)
	g.GET("/offers/:id/qr.png", h.offerQR)
	g.GET("/oid4vci/offers/:id", h.offer)
	g.POST("/oid4vci/token", h.token)
	g.POST("/oid4vci/nonce", h.nonce)
	g.POST("/oid4vci/credential", h.credential)
}

// vci returns the named issuer's OpenID4VCI service.
func (h *Handler) vci(c *echo.Context) (*oid4vci.Service, error) {
	if _, err := h.service(c); err != nil {
		return nil, err
	}
	v, ok := h.OID4VCI[c.Param("name")]
	if !ok {
		return nil, httpx.NewProblem(http.StatusNotFound, "not-found", "this issuer does not offer OpenID4VCI")
	}
	return v, nil
}

func (h *Handler) issuerMetadata(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return httpx.JSON(c, http.StatusOK, v.Metadata())
}

func (h *Handler) asMetadata(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return httpx.JSON(c, http.StatusOK, v.AuthorizationServerMetadata())
}

// createOffer: {"credential": {...}, "format": "dc+sd-jwt", "tx_code": true}
// -> 201 {offer_uri, offer_uri_by_value, offer_id, tx_code?, qr_png_url,
// expires_at, credential_offer}.
func (h *Handler) createOffer(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	body, err := httpx.ReadJSONObject(c, 0)
	if err != nil {
		return err
	}
	cred, ok := body["credential"].(map[string]any)
	if !ok {
		return httpx.BadRequest("credential_missing", `the body needs a "credential" object`,
			httpx.FieldError{Field: "/credential", Reason: "required"})
	}
	format, ok := body["format"].(string)
	if _, present := body["format"]; present && !ok {
		return httpx.BadRequest("format_invalid", `"format" must be "dc+sd-jwt" or "vc+jwt"`, httpx.FieldError{Field: "/format", Reason: "type"})
	}
	tx, ok := body["tx_code"].(bool)
	if _, present := body["tx_code"]; present && !ok {
		return httpx.BadRequest("tx_code_invalid", `"tx_code" must be true or false`, httpx.FieldError{Field: "/tx_code", Reason: "type"})
	}
	out, err := v.CreateOffer(c.Request().Context(), oid4vci.OfferRequest{Credential: cred, Format: format, TxCode: tx})
	if err != nil {
		return problem(err)
	}
	resp := map[string]any{
		"offer_id":           out.ID,
		"offer_uri":          out.URI,
		"offer_uri_by_value": out.URIByValue,
		"credential_offer":   out.Offer,
		"qr_png_url":         v.CredentialIssuer() + "/offers/" + out.ID + "/qr.png",
		"expires_at":         out.ExpiresAt,
	}
	if out.TxCode != "" {
		resp["tx_code"] = out.TxCode
	}
	return httpx.JSON(c, http.StatusCreated, resp)
}

func (h *Handler) offer(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	o, err := v.Offer(c.Request().Context(), c.Param("id"))
	if errors.Is(err, oid4vci.ErrNotFound) {
		return httpx.NewProblem(http.StatusNotFound, "not-found", "no such offer, or it was used or has expired")
	}
	if err != nil {
		return err
	}
	return httpx.JSON(c, http.StatusOK, o)
}

func (h *Handler) offerQR(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	id := c.Param("id")
	if _, err := v.Offer(c.Request().Context(), id); errors.Is(err, oid4vci.ErrNotFound) {
		return httpx.NewProblem(http.StatusNotFound, "not-found", "no such offer, or it was used or has expired")
	} else if err != nil {
		return err
	}
	png, err := qr.PNG([]byte(oid4vci.OfferURI(v.OfferURL(id))), 0)
	if err != nil {
		return err
	}
	return c.Blob(http.StatusOK, "image/png", png)
}

// token implements the token endpoint (form-encoded, RFC 6749 section
// 4.1.3 as profiled by OpenID4VCI for the pre-authorized code).
func (h *Handler) token(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidRequest, Description: "send the token request as application/x-www-form-urlencoded"})
	}
	body, err := httpx.ReadBody(c, 8<<10)
	if err != nil {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidRequest, Description: "the request body is unreadable or too large"})
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidRequest, Description: "the request body is not a valid form"})
	}
	req, err := oid4vci.ParseTokenRequest(form)
	if err != nil {
		return oauthError(c, err)
	}
	resp, err := v.Token(c.Request().Context(), req)
	if err != nil {
		return oauthError(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return httpx.JSON(c, http.StatusOK, resp)
}

func (h *Handler) nonce(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	n, err := v.Nonce(c.Request().Context())
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return httpx.JSON(c, http.StatusOK, map[string]string{"c_nonce": n})
}

// credential implements the credential endpoint: Authorization: Bearer
// <access token>, a JSON credential request.
func (h *Handler) credential(c *echo.Context) error {
	v, err := h.vci(c)
	if err != nil {
		return err
	}
	scheme, tok, _ := strings.Cut(c.Request().Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidToken, Description: "send the access token as Authorization: Bearer <token>"})
	}
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != "application/json" {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidCredentialRequest, Description: "send the credential request as application/json"})
	}
	body, err := httpx.ReadBody(c, 256<<10)
	if err != nil {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidCredentialRequest, Description: "the request body is unreadable or too large"})
	}
	obj, err := jsonx.ParseObject(body)
	if err != nil {
		return oauthError(c, &oid4vci.Error{Code: oid4vci.CodeInvalidCredentialRequest, Description: "the request body is not a JSON object"})
	}
	req, err := oid4vci.ParseCredentialRequest(obj, 1<<10)
	if err != nil {
		return oauthError(c, err)
	}
	resp, err := v.Credential(c.Request().Context(), strings.TrimSpace(tok), req)
	if err != nil {
		return oauthError(c, err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return httpx.JSON(c, http.StatusOK, resp)
}

// oauthError renders an *oid4vci.Error as an OAuth error response:
// 401 with a Bearer challenge for invalid_token, 400 otherwise. Other
// errors go to the problem renderer (500).
func oauthError(c *echo.Context, err error) error {
	var e *oid4vci.Error
	if !errors.As(err, &e) {
		return err
	}
	status := http.StatusBadRequest
	if e.Code == oid4vci.CodeInvalidToken {
		status = http.StatusUnauthorized
		c.Response().Header().Set("WWW-Authenticate", `Bearer error="invalid_token", error_description=`+strconv.Quote(e.Description))
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return httpx.JSON(c, status, map[string]string{"error": e.Code, "error_description": e.Description})
}
