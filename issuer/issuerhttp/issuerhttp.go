// Package issuerhttp serves issuers over HTTP as W3C VC API instances:
// one instance per issuer profile under /issuers/{name}.
//
//	POST /issuers/{name}/credentials/issue    issue (bearer token)
//	POST /issuers/{name}/credentials/status   revoke, suspend, unsuspend (bearer token)
//	GET  /issuers/{name}/credentials          issuance records, newest first (bearer token)
//	GET  /issuers/{name}/credentials/{id}     one record and its current status (bearer token)
//	GET  /issuers/{name}/status/{list}/{purpose}  the signed status list credential
//	GET  /issuers/{name}/statuslists/{list}       the same list as an IETF Token Status List (statuslist+jwt)
//	GET  /issuers/{name}/did.json             the issuer's DID document (did:web)
//	GET  /issuers                             the issuers served here
//
// Handlers are thin: they bind the request, make one call to the issuer
// service and render its answer; problem translates issuer errors to
// RFC 9457 problems in one place.
package issuerhttp

import (
	"crypto"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Handler serves a set of issuers.
type Handler struct {
	Issuers map[string]*issuer.Service // by profile name
	Clients []httpx.Client             // who may call the authenticated endpoints; scopes are profile names or "*"
	// OID4VCI are the OpenID4VCI fronts of the issuers, by profile name;
	// nil serves none (see oid4vci.go for the routes).
	OID4VCI map[string]*oid4vci.Service
	// Documents makes the PDF form of credentials for options.pdf; nil
	// refuses options.pdf (see pdf.go).
	Documents Documents
}

// Register adds the routes to e.
func (h *Handler) Register(e *echo.Echo) {
	auth := httpx.Bearer(h.Clients)
	e.GET("/issuers", h.list)
	g := e.Group("/issuers/:name")
	g.GET("/did.json", h.didDocument)
	g.GET("/status/:list/:purpose", h.statusList)
	g.GET("/statuslists/:list", h.tokenStatusList)
	g.POST("/credentials/issue", h.issue, auth)
	g.POST("/credentials/status", h.updateStatus, auth)
	g.GET("/credentials", h.records, auth)
	g.GET("/credentials/:id", h.record, auth)
	h.registerOID4VCI(e, auth)
}

// service returns the named issuer and checks the caller may act for it
// (when the route is authenticated).
func (h *Handler) service(c *echo.Context) (*issuer.Service, error) {
	name := c.Param("name")
	s, ok := h.Issuers[name]
	if !ok {
		return nil, httpx.NewProblem(http.StatusNotFound, "unknown-issuer", "there is no issuer named "+strconv.Quote(name)+" here; GET /issuers lists them")
	}
	if p, authed := httpx.PrincipalOf(c); authed && !p.HasScope(name) {
		return nil, httpx.NewProblem(http.StatusForbidden, "forbidden", "this client may not act for issuer "+name)
	}
	return s, nil
}

type issuerInfo struct {
	Name        string            `json:"name"`
	DID         string            `json:"did"`
	DisplayName map[string]string `json:"displayName"`
	Types       []string          `json:"types"`
}

func (h *Handler) list(c *echo.Context) error {
	out := make([]issuerInfo, 0, len(h.Issuers))
	for _, s := range h.Issuers {
		p := s.Profile()
		out = append(out, issuerInfo{Name: p.Name, DID: p.DID, DisplayName: p.DisplayName, Types: p.Types})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return httpx.JSON(c, http.StatusOK, out)
}

func (h *Handler) didDocument(c *echo.Context) error {
	s, err := h.service(c)
	if err != nil {
		return err
	}
	p := s.Profile()
	doc := did.NewDocument(p.DID, s.PublicKey())
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return httpx.WriteJSON(c, http.StatusOK, "application/did+json", doc)
}

func (h *Handler) statusList(c *echo.Context) error {
	s, err := h.service(c)
	if err != nil {
		return err
	}
	token, err := s.StatusListCredential(c.Request().Context(), c.Param("list"), c.Param("purpose"))
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.Blob(http.StatusOK, jose.MediaTypeCredential, []byte(token))
}

func (h *Handler) tokenStatusList(c *echo.Context) error {
	s, err := h.service(c)
	if err != nil {
		return err
	}
	token, err := s.TokenStatusList(c.Request().Context(), c.Param("list"))
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=60")
	return c.Blob(http.StatusOK, status.MediaTypeTokenList, []byte(token))
}

// issue implements VC API POST /credentials/issue:
// {"credential": {...}, "options": {"format": "vc+jwt"}} -> 201 {"verifiableCredential": {...}}.
//
// options.format "dc+sd-jwt" issues an SD-JWT VC bound to the holder key
// given as options.holderKey (a public JWK) or, without it, named by
// credentialSubject.id (a did:key or did:jwk); the response carries
// "data:application/dc+sd-jwt,<sd-jwt>". options.holderKey with vc+jwt
// makes the key's did:key the subject. options.pdf true also returns the
// credential's signed PDF/A-3 document, base64, as "pdf" (types with a
// document template only; see pdf.go).
func (h *Handler) issue(c *echo.Context) error {
	s, err := h.service(c)
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
			httpx.FieldError{Field: "/credential", Reason: "required", Message: "an unsigned credential object is required"})
	}
	var format string
	var holder crypto.PublicKey
	var pdf bool
	if opts, ok := body["options"].(map[string]any); ok {
		if pdf, err = h.wantPDF(opts, cred); err != nil {
			return err
		}
		format, _ = opts["format"].(string)
		if hk, present := opts["holderKey"]; present {
			m, _ := hk.(map[string]any)
			if _, private := m["d"]; private {
				return httpx.BadRequest("holder_key_invalid", "options.holderKey holds a private key: send the public key only",
					httpx.FieldError{Field: "/options/holderKey", Reason: "private_key"})
			}
			jwk, err := signing.JWKFromMap(m)
			if err == nil {
				holder, err = jwk.PublicKey()
			}
			if err != nil {
				return httpx.BadRequest("holder_key_invalid", "options.holderKey must be a public JWK (OKP Ed25519 or EC P-256/P-384)",
					httpx.FieldError{Field: "/options/holderKey", Reason: "jwk"})
			}
		}
		if id, ok := opts["credentialId"].(string); ok && id != "" {
			if _, has := cred["id"]; !has {
				cred = shallowCopy(cred)
				cred["id"] = id
			}
		}
	} else if v, present := body["options"]; present && v != nil {
		return httpx.BadRequest("options_invalid", `"options" must be an object`)
	}
	if holder == nil && format == issuer.FormatSDJWT {
		if cs, ok := cred["credentialSubject"].(map[string]any); ok {
			id, _ := cs["id"].(string)
			if pub, isKey, err := issuer.SubjectKey(id); isKey && err == nil {
				holder = pub
			}
		}
	}
	out, err := s.Issue(c.Request().Context(), issuer.Request{Credential: cred, Format: format, HolderKey: holder})
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Location", "/issuers/"+s.Profile().Name+"/credentials/"+url.PathEscape(out.Record.ID))
	// credentialId is not part of the VC API response; it saves clients
	// from decoding the JWS to learn the id they need for status changes.
	resp := map[string]any{
		"verifiableCredential": credential.Envelope(out.MediaType, out.Token),
		"credentialId":         out.Record.ID,
	}
	if pdf {
		if err := h.addPDF(c.Request().Context(), s, out, resp); err != nil {
			return err
		}
	}
	return httpx.JSON(c, http.StatusCreated, resp)
}

func shallowCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+1)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// updateStatus implements VC API POST /credentials/status. It takes either
//
//	{"credentialId": "...", "action": "revoke" | "suspend" | "unsuspend"}
//
// or the VC API form
//
//	{"credentialId": "...", "credentialStatus": [{"type": "BitstringStatusListEntry",
//	  "statusPurpose": "revocation" | "suspension", "status": true | false}]}
func (h *Handler) updateStatus(c *echo.Context) error {
	s, err := h.service(c)
	if err != nil {
		return err
	}
	body, err := httpx.ReadJSONObject(c, 64<<10)
	if err != nil {
		return err
	}
	id, _ := body["credentialId"].(string)
	if id == "" {
		return httpx.BadRequest("credential_id_missing", `the body needs "credentialId"`,
			httpx.FieldError{Field: "/credentialId", Reason: "required"})
	}
	actions, err := actionsOf(body)
	if err != nil {
		return err
	}
	var st issuer.CredentialStatus
	for _, a := range actions {
		if st, err = s.SetStatus(c.Request().Context(), id, a); err != nil {
			return problem(err)
		}
	}
	return httpx.JSON(c, http.StatusOK, map[string]any{"credentialId": st.ID, "revoked": st.Revoked, "suspended": st.Suspended})
}

func actionsOf(body map[string]any) ([]issuer.Action, error) {
	if a, ok := body["action"].(string); ok {
		act, err := issuer.ParseAction(a)
		if err != nil {
			return nil, httpx.BadRequest("action_invalid", "action must be revoke, suspend or unsuspend",
				httpx.FieldError{Field: "/action", Reason: "enum"})
		}
		return []issuer.Action{act}, nil
	}
	entries, ok := body["credentialStatus"].([]any)
	if !ok || len(entries) == 0 {
		return nil, httpx.BadRequest("action_missing", `give "action" (revoke, suspend, unsuspend) or a "credentialStatus" array`)
	}
	var out []issuer.Action
	for i, e := range entries {
		m, _ := e.(map[string]any)
		field := "/credentialStatus/" + strconv.Itoa(i)
		if t, _ := m["type"].(string); t != "BitstringStatusListEntry" {
			return nil, httpx.BadRequest("status_type_invalid", "only BitstringStatusListEntry is supported",
				httpx.FieldError{Field: field + "/type", Reason: "enum"})
		}
		set, ok := truth(m["status"])
		if !ok {
			return nil, httpx.BadRequest("status_value_invalid", "status must be true/false (or \"1\"/\"0\")",
				httpx.FieldError{Field: field + "/status", Reason: "type"})
		}
		switch p, _ := m["statusPurpose"].(string); {
		case p == "revocation" && set:
			out = append(out, issuer.Revoke)
		case p == "revocation":
			return nil, httpx.BadRequest("revocation_permanent", "a revoked credential cannot be reinstated",
				httpx.FieldError{Field: field + "/status", Reason: "revocation_permanent"})
		case p == "suspension" && set:
			out = append(out, issuer.Suspend)
		case p == "suspension":
			out = append(out, issuer.Unsuspend)
		default:
			return nil, httpx.BadRequest("status_purpose_invalid", "statusPurpose must be revocation or suspension",
				httpx.FieldError{Field: field + "/statusPurpose", Reason: "enum"})
		}
	}
	return out, nil
}

func truth(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		switch strings.ToLower(x) {
		case "1", "true":
			return true, true
		case "0", "false":
			return false, true
		}
	case json.Number:
		switch x.String() {
		case "1":
			return true, true
		case "0":
			return false, true
		}
	}
	return false, false
}

func (h *Handler) records(c *echo.Context) error {
	s, err := h.service(c)
	if err != nil {
		return err
	}
	limit := 0 // the store's default
	if q := c.QueryParam("limit"); q != "" {
		n, err := strconv.Atoi(q)
		if err != nil || n < 1 || n > 1000 {
			return httpx.BadRequest("limit_invalid", "the limit query parameter must be between 1 and 1000")
		}
		limit = n
	}
	recs, err := s.Records(c.Request().Context(), c.QueryParam("before"), limit)
	if err != nil {
		return problem(err)
	}
	out := make([]map[string]any, 0, len(recs))
	for _, r := range recs {
		out = append(out, recordView(r))
	}
	return httpx.JSON(c, http.StatusOK, map[string]any{"records": out})
}

// record answers GET /issuers/{name}/credentials/{id} (the Location of an
// issued credential): its record and current status.
func (h *Handler) record(c *echo.Context) error {
	s, err := h.service(c)
	if err != nil {
		return err
	}
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return httpx.BadRequest("credential_id_invalid", "the credential id in the path is not correctly escaped")
	}
	st, rec, err := s.Status(c.Request().Context(), id)
	if err != nil {
		return problem(err)
	}
	m := recordView(rec)
	m["revoked"], m["suspended"] = st.Revoked, st.Suspended
	return httpx.JSON(c, http.StatusOK, m)
}

// recordView is an issuance record as the API shows it: metadata only,
// never the signed credential.
func recordView(r issuer.Record) map[string]any {
	m := map[string]any{
		"id": r.ID, "type": r.Type, "format": r.Format, "issuedAt": r.IssuedAt, "validFrom": r.ValidFrom,
		"statusList": r.ListID, "statusIndex": r.Index,
	}
	if r.Subject != "" {
		m["subject"] = r.Subject
	}
	if !r.ValidUntil.IsZero() {
		m["validUntil"] = r.ValidUntil
	}
	return m
}

// problem translates issuer errors into problems.
func problem(err error) error {
	var inv *issuer.InvalidError
	switch {
	case errors.As(err, &inv):
		p := httpx.BadRequest("invalid_credential", inv.Msg, httpx.FieldError{Field: inv.Field, Reason: inv.Reason, Message: inv.Msg})
		p.Err = err
		return p
	case errors.Is(err, issuer.ErrUnknownType):
		return withErr(httpx.BadRequest("unknown_type", errDetail(err)), err)
	case errors.Is(err, issuer.ErrTypeNotAllowed):
		return withErr(httpx.BadRequest("type_not_allowed", errDetail(err)), err)
	case errors.Is(err, issuer.ErrUnsupportedFormat):
		return withErr(httpx.BadRequest("unsupported_format", errDetail(err)), err)
	case errors.Is(err, issuer.ErrIssuerMismatch):
		return withErr(httpx.BadRequest("issuer_mismatch", errDetail(err)), err)
	case errors.Is(err, issuer.ErrBadRequest):
		return withErr(httpx.BadRequest("bad_request", errDetail(err)), err)
	case errors.Is(err, issuer.ErrNotFound):
		return withErr(httpx.NewProblem(http.StatusNotFound, "not-found", "no such credential or status list at this issuer"), err)
	case errors.Is(err, issuer.ErrExists):
		return withErr(httpx.NewProblem(http.StatusConflict, "conflict", "a credential with this id was already issued"), err)
	case errors.Is(err, issuer.ErrRevoked):
		return withErr(httpx.NewProblem(http.StatusConflict, "revoked", "the credential is revoked; its status can no longer change"), err)
	case errors.Is(err, issuer.ErrConflict):
		return withErr(httpx.NewProblem(http.StatusServiceUnavailable, "busy", "too many concurrent updates; try again"), err)
	}
	return err
}

func withErr(p *httpx.Problem, err error) *httpx.Problem {
	p.Err = err
	return p
}

// errDetail strips the package prefix from an error for people.
func errDetail(err error) string {
	return strings.TrimPrefix(err.Error(), "issuer: ")
}
