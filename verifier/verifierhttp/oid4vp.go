package verifierhttp

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// MaxResponse bounds a direct_post response body (vp_token and state).
const MaxResponse = 2 << 20

// OID4VPHandler serves the OpenID4VP verifiers (relying parties) of a
// server. The relying party's back office, with a bearer token whose
// client has the scope "verifier" (every verifier here),
// "verifier:<name>" (that one) or "*":
//
//	POST /verifier/requests               {dcql_query, purpose?: {th, en}, verifier?: name,
//	                                       face_binding?: {credential_ids, max_fmr},
//	                                       delegation?: {credential_id, action, ...}}
//	                                      -> 201 {id, request_uri, expires_at}
//	POST /verifiers/{name}/requests       the same for a named verifier
//	GET  /verifier/requests/{id}          -> {id, status, ..., result?}
//
// verifier may be left out when the server has one verifier, or names
// Default. The wallet side, unauthenticated:
//
//	GET  /verifiers                                the verifiers served here
//	GET  /verifiers/{name}/did.json                the verifier's DID document (did:web)
//	GET  /verifiers/{name}/oid4vp/requests/{id}    the signed request object
//	POST /verifiers/{name}/oid4vp/responses/{id}   the response (direct_post, form-encoded)
//
// The response endpoint answers 200 {} when it accepted the response (or
// the holder declined), and 400 {"error": "invalid_request",
// "error_description", "reason"} when it refused it: a replay
// (nonce_used), an expired request, a presentation that failed (its
// check's reason), a claim asked for that is missing (claim_missing), ...
// The result, for the relying party, is at GET /verifier/requests/{id}.
type OID4VPHandler struct {
	// Verifiers by profile name.
	Verifiers map[string]*oid4vp.Service
	// Default names the verifier of POST /verifier/requests without a
	// "verifier"; "" means the only one (an error when there are
	// several).
	Default string
	// Clients may call the back-office routes (scopes above).
	Clients []httpx.Client
}

// Register adds the routes to e.
func (h *OID4VPHandler) Register(e *echo.Echo) {
	auth := httpx.Bearer(h.Clients)
	e.POST("/verifier/requests", h.create, auth)
	e.GET("/verifier/requests/:id", h.get, auth)
	e.GET("/verifiers", h.list)
	g := e.Group("/verifiers/:name")
	g.POST("/requests", h.create, auth)
	g.GET("/did.json", h.didDocument)
	g.GET("/oid4vp/requests/:id", h.requestObject)
	g.POST("/oid4vp/responses/:id", h.respond)
}

// may reports whether the caller may act for verifier name.
func may(c *echo.Context, name string) bool {
	p, ok := httpx.PrincipalOf(c)
	return ok && (p.HasScope("verifier") || p.HasScope("verifier:"+name))
}

func (h *OID4VPHandler) named(name string) (*oid4vp.Service, error) {
	s, ok := h.Verifiers[name]
	if !ok {
		return nil, httpx.NewProblem(http.StatusNotFound, "unknown-verifier", "there is no verifier named "+strconv.Quote(name)+" here; GET /verifiers lists them")
	}
	return s, nil
}

func (h *OID4VPHandler) create(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 256<<10)
	if err != nil {
		return err
	}
	name := c.Param("name")
	if name == "" {
		if v, present := body["verifier"]; present {
			if name, _ = v.(string); name == "" {
				return httpx.BadRequest("verifier_invalid", `"verifier" must be a verifier's name`, httpx.FieldError{Field: "/verifier", Reason: "type"})
			}
		} else if name = h.Default; name == "" && len(h.Verifiers) == 1 {
			for n := range h.Verifiers {
				name = n
			}
		}
		if name == "" {
			return httpx.BadRequest("verifier_missing", `several verifiers are served here: name one with "verifier"`, httpx.FieldError{Field: "/verifier", Reason: "required"})
		}
	}
	s, err := h.named(name)
	if err != nil {
		return err
	}
	if !may(c, name) {
		return httpx.NewProblem(http.StatusForbidden, "forbidden", "this client may not act for verifier "+name)
	}
	q, ok := body["dcql_query"].(map[string]any)
	if !ok {
		return httpx.BadRequest("dcql_query_missing", `the body needs a "dcql_query" object`, httpx.FieldError{Field: "/dcql_query", Reason: "required"})
	}
	var purpose map[string]string
	if v, present := body["purpose"]; present {
		pm, ok := v.(map[string]any)
		if !ok {
			return httpx.BadRequest("purpose_invalid", `"purpose" must be {"th": ..., "en": ...}`, httpx.FieldError{Field: "/purpose", Reason: "type"})
		}
		purpose = map[string]string{}
		for k, x := range pm {
			str, ok := x.(string)
			if !ok {
				return httpx.BadRequest("purpose_invalid", `"purpose" must be {"th": ..., "en": ...}`, httpx.FieldError{Field: "/purpose/" + k, Reason: "type"})
			}
			purpose[k] = str
		}
	}
	nr := oid4vp.NewRequest{Query: q, Purpose: purpose}
	if v, present := body[oid4vp.ParamFaceBinding]; present {
		nr.FaceBinding, err = oid4vp.ParseFaceBinding(v)
	}
	if v, present := body[oid4vp.ParamDelegation]; present && err == nil {
		nr.Delegation, err = oid4vp.ParseDelegation(v)
	}
	var out *oid4vp.Created
	if err == nil {
		out, err = s.CreateRequest(c.Request().Context(), nr)
	}
	var qe *oid4vp.QueryError
	if errors.As(err, &qe) {
		field := "/dcql_query" + qe.Field
		if qe.Field == "/purpose" || qe.Field == "/"+oid4vp.ParamFaceBinding || qe.Field == "/"+oid4vp.ParamDelegation {
			field = qe.Field
		}
		return httpx.BadRequest("dcql_query_invalid", qe.Error(), httpx.FieldError{Field: field, Reason: "invalid", Message: qe.Msg})
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Location", "/verifier/requests/"+url.PathEscape(out.ID))
	return httpx.JSON(c, http.StatusCreated, out)
}

func (h *OID4VPHandler) get(c *echo.Context) error {
	id := c.Param("id")
	for name, s := range h.Verifiers {
		v, err := s.Get(c.Request().Context(), id)
		if errors.Is(err, oid4vp.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if !may(c, name) {
			return httpx.NewProblem(http.StatusForbidden, "forbidden", "this client may not act for verifier "+name)
		}
		c.Response().Header().Set("Cache-Control", "no-store")
		return httpx.JSON(c, http.StatusOK, v)
	}
	return httpx.NewProblem(http.StatusNotFound, "not-found", "no such presentation request (or it was removed a day after it expired)")
}

type verifierInfo struct {
	Name        string            `json:"name"`
	DID         string            `json:"did"`
	ClientID    string            `json:"client_id"`
	DisplayName map[string]string `json:"displayName"`
}

func (h *OID4VPHandler) list(c *echo.Context) error {
	out := make([]verifierInfo, 0, len(h.Verifiers))
	for name, s := range h.Verifiers {
		out = append(out, verifierInfo{Name: name, DID: s.DID(), ClientID: s.ClientID(), DisplayName: s.DisplayName()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return httpx.JSON(c, http.StatusOK, out)
}

func (h *OID4VPHandler) didDocument(c *echo.Context) error {
	s, err := h.named(c.Param("name"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return httpx.WriteJSON(c, http.StatusOK, "application/did+json", s.Document())
}

func (h *OID4VPHandler) requestObject(c *echo.Context) error {
	s, err := h.named(c.Param("name"))
	if err != nil {
		return err
	}
	obj, err := s.RequestObject(c.Request().Context(), c.Param("id"))
	if errors.Is(err, oid4vp.ErrNotFound) {
		return httpx.NewProblem(http.StatusNotFound, "not-found", "no such presentation request, or it was answered or has expired")
	}
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, oid4vp.MediaTypeRequest, []byte(obj))
}

// respond is the response endpoint (OpenID4VP 1.0 section 8.2,
// direct_post).
func (h *OID4VPHandler) respond(c *echo.Context) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	s, err := h.named(c.Param("name"))
	if err != nil {
		return oauthError(c, http.StatusNotFound, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Reason: "not_found", Description: "there is no such verifier here"})
	}
	if mt, _, _ := mime.ParseMediaType(c.Request().Header.Get("Content-Type")); mt != "application/x-www-form-urlencoded" {
		return oauthError(c, http.StatusBadRequest, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Reason: oid4vp.ReasonResponseInvalid, Description: "send the response as application/x-www-form-urlencoded"})
	}
	body, err := httpx.ReadBody(c, MaxResponse)
	if err != nil {
		return oauthError(c, http.StatusBadRequest, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Reason: oid4vp.ReasonResponseInvalid, Description: "the response body is unreadable or larger than 2 MiB"})
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return oauthError(c, http.StatusBadRequest, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Reason: oid4vp.ReasonResponseInvalid, Description: "the response body is not a valid form"})
	}
	resp, err := s.Respond(c.Request().Context(), c.Param("id"), form)
	var oe *oid4vp.Error
	switch {
	case errors.Is(err, oid4vp.ErrNotFound):
		return oauthError(c, http.StatusNotFound, &oid4vp.Error{Code: oid4vp.CodeInvalidRequest, Reason: "not_found", Description: "no such presentation request"})
	case errors.As(err, &oe):
		return oauthError(c, http.StatusBadRequest, oe)
	case err != nil:
		return err
	}
	return httpx.JSON(c, http.StatusOK, resp)
}

func oauthError(c *echo.Context, status int, e *oid4vp.Error) error {
	c.Response().Header().Set("Cache-Control", "no-store")
	return httpx.JSON(c, status, map[string]string{"error": e.Code, "error_description": e.Description, "reason": e.Reason})
}
