// Package registryhttp serves a trust registry over HTTP:
//
//	GET  /registry/entities                        search (?name= &kind= &type= &after= &limit=)
//	GET  /registry/entities/{id}                   an entity (by id or DID) and its accreditations
//	GET  /registry/entities/{id}/history           the history events of an entity and its accreditations
//	GET  /registry/accreditations/{id}             an accreditation, its signed credential and its chain
//	GET  /registry/trustlist.jwt                   the signed JSON trust list (application/jwt)
//	GET  /registry/trustlist.xml                   the ETSI TS 119 612 list (unsigned)
//	POST /trqp/authorization                       TRQP authorization query
//	POST /trqp/recognition                         TRQP recognition query
//	POST /registry/admin/entities                  register an entity (bearer)
//	POST /registry/admin/entities/{id}/status      suspend, withdraw, reinstate (bearer)
//	POST /registry/admin/accreditations            accredit (bearer)
//	POST /registry/admin/accreditations/{id}/status  suspend, withdraw, reinstate (bearer)
//	POST /registry/admin/import?source=&types=     import a foreign list (bearer)
//
// Admin routes need a bearer token of a client with scope "registry" (or
// "*"); the client id is the actor recorded in the history. Handlers bind
// the request, make one registry call and render the answer; problem maps
// registry errors to RFC 9457 problems in one place.
package registryhttp

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/registry"
)

// AdminScope is the client scope the admin routes require ("*" also
// passes).
const AdminScope = "registry"

// Handler serves one registry.
type Handler struct {
	Registry *registry.Service // required
	// Clients may call the admin routes (with scope AdminScope).
	Clients []httpx.Client
	// Signer is the scheme operator's key for the JSON trust list. Zero:
	// GET /registry/trustlist.jwt answers 404.
	Signer jose.Signer
	// Keys resolves entities' DIDs for the keys in the lists. Nil: the
	// lists carry no keys.
	Keys registry.DocumentResolver
	// ListValidity is the time from a list's issue to its NextUpdate;
	// zero means 24 hours. A list is re-signed when the registry changed
	// or half of it has passed.
	ListValidity time.Duration
	// Credentials includes accreditation credentials in the lists.
	Credentials bool
	// Sources are the foreign list sources admins may import from, by
	// source id, with their pinned keys.
	Sources map[string]registry.ListSource
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu    sync.Mutex
	lists map[string]cachedList // "jwt", "xml"
}

type cachedList struct {
	seq    int64
	issued time.Time
	data   []byte
}

// Register adds the routes to e.
func (h *Handler) Register(e *echo.Echo) {
	auth := httpx.Bearer(h.Clients)
	e.GET("/registry/entities", h.search)
	e.GET("/registry/entities/:id", h.entity)
	e.GET("/registry/entities/:id/history", h.history)
	e.GET("/registry/accreditations/:id", h.accreditation)
	e.GET("/registry/trustlist.jwt", h.trustListJWT)
	e.GET("/registry/trustlist.xml", h.trustListXML)
	e.POST("/trqp/authorization", h.authorization)
	e.POST("/trqp/recognition", h.recognition)
	g := e.Group("/registry/admin", auth, requireScope)
	g.POST("/entities", h.register)
	g.POST("/entities/:id/status", h.entityStatus)
	g.POST("/accreditations", h.accredit)
	g.POST("/accreditations/:id/status", h.accreditationStatus)
	g.POST("/import", h.importList)
}

func requireScope(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		if p, ok := httpx.PrincipalOf(c); !ok || !p.HasScope(AdminScope) {
			return httpx.NewProblem(http.StatusForbidden, "forbidden", "this client may not administer the registry (scope "+AdminScope+")")
		}
		return next(c)
	}
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now().UTC()
	}
	return time.Now().UTC()
}

func actor(c *echo.Context) string {
	p, _ := httpx.PrincipalOf(c)
	return p.ID
}

// entityView is an entity with its accreditations (credentials omitted).
type entityView struct {
	registry.Entity
	Accreditations []registry.Accreditation `json:"accreditations"`
}

func (h *Handler) view(e registry.Entity) entityView {
	accs := h.Registry.Accreditations(e.ID)
	for i := range accs {
		accs[i].Credential = ""
	}
	if accs == nil {
		accs = []registry.Accreditation{}
	}
	return entityView{Entity: e, Accreditations: accs}
}

func (h *Handler) search(c *echo.Context) error {
	q := registry.SearchQuery{Name: c.QueryParam("name"), Kind: registry.Kind(c.QueryParam("kind")), Type: c.QueryParam("type"), After: c.QueryParam("after")}
	if l := c.QueryParam("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			return httpx.BadRequest("limit_invalid", "limit must be between 1 and 1000", httpx.FieldError{Field: "limit", Reason: "range"})
		}
		q.Limit = n
	}
	es := h.Registry.Search(q)
	out := make([]entityView, 0, len(es))
	for _, e := range es {
		out = append(out, h.view(e))
	}
	res := map[string]any{"entities": out}
	if q.Limit == 0 {
		q.Limit = 50
	}
	if len(es) == q.Limit {
		res["next"] = es[len(es)-1].ID
	}
	return httpx.JSON(c, http.StatusOK, res)
}

func (h *Handler) lookup(c *echo.Context) (registry.Entity, error) {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return registry.Entity{}, httpx.BadRequest("id_invalid", "the id in the path is not correctly escaped")
	}
	e, ok := h.Registry.Entity(id)
	if !ok {
		return registry.Entity{}, httpx.NewProblem(http.StatusNotFound, "not-found", "no entity "+strconv.Quote(id)+" in this registry")
	}
	return e, nil
}

func (h *Handler) entity(c *echo.Context) error {
	e, err := h.lookup(c)
	if err != nil {
		return err
	}
	return httpx.JSON(c, http.StatusOK, h.view(e))
}

func (h *Handler) history(c *echo.Context) error {
	e, err := h.lookup(c)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	evs, err := h.Registry.History(ctx, "entity", e.ID)
	if err != nil {
		return problem(err)
	}
	for _, a := range h.Registry.Accreditations(e.ID) {
		more, err := h.Registry.History(ctx, "accreditation", a.ID)
		if err != nil {
			return problem(err)
		}
		evs = append(evs, more...)
	}
	slices.SortFunc(evs, func(a, b registry.Event) int { return int(a.Seq - b.Seq) })
	if evs == nil {
		evs = []registry.Event{}
	}
	return httpx.JSON(c, http.StatusOK, map[string]any{"entity": e.ID, "events": evs})
}

func (h *Handler) accreditation(c *echo.Context) error {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return httpx.BadRequest("id_invalid", "the id in the path is not correctly escaped")
	}
	a, ok := h.Registry.Accreditation(id)
	if !ok {
		return httpx.NewProblem(http.StatusNotFound, "not-found", "no accreditation "+strconv.Quote(id)+" in this registry")
	}
	out := map[string]any{"accreditation": a}
	if chain, err := h.Registry.Chain(id); err == nil {
		out["chain"] = chain // leaf first: registry.ValidateChain's input
	}
	return httpx.JSON(c, http.StatusOK, out)
}

// list returns the cached list of a format, re-made when the registry
// changed or half its validity passed.
func (h *Handler) list(ctx context.Context, format string) ([]byte, error) {
	validity := h.ListValidity
	if validity <= 0 {
		validity = 24 * time.Hour
	}
	now := h.now()
	seq := h.Registry.Head().Seq
	h.mu.Lock()
	defer h.mu.Unlock()
	if l, ok := h.lists[format]; ok && l.seq == seq && now.Sub(l.issued) < validity/2 {
		return l.data, nil
	}
	opts := registry.ExportOptions{NextUpdate: now.Add(validity), Keys: h.Keys, Credentials: h.Credentials}
	var data []byte
	switch format {
	case "jwt":
		tok, err := h.Registry.Export(ctx, h.Signer, opts)
		if err != nil {
			return nil, err
		}
		data = []byte(tok)
	case "xml":
		var err error
		if data, err = h.Registry.ExportXML(ctx, opts); err != nil {
			return nil, err
		}
	}
	if h.lists == nil {
		h.lists = map[string]cachedList{}
	}
	h.lists[format] = cachedList{seq: seq, issued: now, data: data}
	return data, nil
}

func (h *Handler) trustListJWT(c *echo.Context) error {
	if h.Signer.Key == nil {
		return httpx.NewProblem(http.StatusNotFound, "not-found", "this registry publishes no signed trust list")
	}
	data, err := h.list(c.Request().Context(), "jwt")
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, registry.MediaTypeTrustList, data)
}

func (h *Handler) trustListXML(c *echo.Context) error {
	data, err := h.list(c.Request().Context(), "xml")
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Cache-Control", "public, max-age=300")
	return c.Blob(http.StatusOK, "application/vnd.etsi.tsl+xml", data)
}

// trqpRequest is a TRQP (ToIP Trust Registry Query Protocol v2 draft)
// query: authorization ("may entity_id perform action on resource under
// authority_id?") or recognition ("does authority_id recognise
// entity_id?").
type trqpRequest struct {
	EntityID    string `json:"entity_id"`
	AuthorityID string `json:"authority_id"`
	Action      string `json:"action"`
	Resource    string `json:"resource"`
	Context     struct {
		Time string `json:"time"`
	} `json:"context"`
}

// trqpResponse is the answer.
type trqpResponse struct {
	EntityID      string                   `json:"entity_id"`
	AuthorityID   string                   `json:"authority_id,omitempty"`
	Action        string                   `json:"action"`
	Resource      string                   `json:"resource,omitempty"`
	Authorized    *bool                    `json:"authorized,omitempty"`
	Recognized    *bool                    `json:"recognized,omitempty"`
	TimeRequested time.Time                `json:"time_requested"`
	TimeEvaluated time.Time                `json:"time_evaluated"`
	Reason        string                   `json:"reason,omitempty"`
	Message       string                   `json:"message"`
	Evidence      []registry.Accreditation `json:"evidence"`
}

func (h *Handler) bindTRQP(c *echo.Context) (trqpRequest, time.Time, error) {
	var q trqpRequest
	obj, err := httpx.ReadJSONObject(c, 16<<10)
	if err != nil {
		return q, time.Time{}, err
	}
	str := func(name string, dst *string) error {
		switch v := obj[name].(type) {
		case nil:
		case string:
			*dst = v
		default:
			return httpx.BadRequest("invalid_member", name+" must be a string", httpx.FieldError{Field: "/" + name, Reason: "type"})
		}
		return nil
	}
	for _, f := range []struct {
		name string
		dst  *string
	}{{"entity_id", &q.EntityID}, {"authority_id", &q.AuthorityID}, {"action", &q.Action}, {"resource", &q.Resource}} {
		if err := str(f.name, f.dst); err != nil {
			return q, time.Time{}, err
		}
	}
	at := h.now()
	if ctxv, ok := obj["context"]; ok && ctxv != nil {
		m, ok := ctxv.(map[string]any)
		if !ok {
			return q, at, httpx.BadRequest("invalid_member", "context must be an object", httpx.FieldError{Field: "/context", Reason: "type"})
		}
		if ts, ok := m["time"]; ok && ts != nil {
			s, _ := ts.(string)
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, at, httpx.BadRequest("invalid_time", "context.time must be an RFC 3339 date-time", httpx.FieldError{Field: "/context/time", Reason: "format"})
			}
			at = t.UTC()
		}
	}
	return q, at, nil
}

func message(a registry.Answer) string {
	if a.Authorized {
		return "yes"
	}
	return "no: " + a.Reason
}

func (h *Handler) authorization(c *echo.Context) error {
	q, at, err := h.bindTRQP(c)
	if err != nil {
		return err
	}
	if q.EntityID == "" || q.Resource == "" {
		return httpx.BadRequest("missing_member", "entity_id and resource are required",
			httpx.FieldError{Field: "/entity_id", Reason: "required"}, httpx.FieldError{Field: "/resource", Reason: "required"})
	}
	a, err := h.Registry.Authorize(c.Request().Context(), registry.AuthorizationQuery{Entity: q.EntityID, Authority: q.AuthorityID, Action: q.Action, Resource: q.Resource, At: at})
	if err != nil {
		return problem(err)
	}
	ok := a.Authorized
	return httpx.JSON(c, http.StatusOK, trqpResponse{EntityID: q.EntityID, AuthorityID: q.AuthorityID, Action: a.Action, Resource: q.Resource,
		Authorized: &ok, TimeRequested: at, TimeEvaluated: h.now(), Reason: a.Reason, Message: message(a), Evidence: nonNil(a.Evidence)})
}

func (h *Handler) recognition(c *echo.Context) error {
	q, at, err := h.bindTRQP(c)
	if err != nil {
		return err
	}
	if q.EntityID == "" {
		return httpx.BadRequest("missing_member", "entity_id (the authority to recognise) is required", httpx.FieldError{Field: "/entity_id", Reason: "required"})
	}
	var a registry.Answer
	if root, _ := h.Registry.Entity(h.Registry.Root()); q.AuthorityID != "" && q.AuthorityID != root.ID && !slices.Contains(root.DIDs(), q.AuthorityID) {
		a = registry.Answer{Reason: registry.ReasonUnknownAuthority, At: at}
	} else if a, err = h.Registry.Recognize(c.Request().Context(), registry.RecognitionQuery{Authority: q.EntityID, Resource: q.Resource, At: at}); err != nil {
		return problem(err)
	}
	ok := a.Authorized
	action := q.Action
	if action == "" {
		action = "recognize"
	}
	return httpx.JSON(c, http.StatusOK, trqpResponse{EntityID: q.EntityID, AuthorityID: q.AuthorityID, Action: action, Resource: q.Resource,
		Recognized: &ok, TimeRequested: at, TimeEvaluated: h.now(), Reason: a.Reason, Message: message(a), Evidence: nonNil(a.Evidence)})
}

func nonNil(a []registry.Accreditation) []registry.Accreditation {
	if a == nil {
		return []registry.Accreditation{}
	}
	return a
}

// entityRequest is the body of POST /registry/admin/entities.
type entityRequest struct {
	ID           string                `json:"id"`
	Kinds        []registry.Kind       `json:"kinds"`
	Identifiers  []registry.Identifier `json:"identifiers"`
	Name         registry.Text         `json:"name"`
	Jurisdiction string                `json:"jurisdiction"`
	Contact      string                `json:"contact"`
	Reason       string                `json:"reason"`
}

func (h *Handler) register(c *echo.Context) error {
	var req entityRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	e, err := h.Registry.Register(c.Request().Context(), actor(c), registry.Entity{ID: req.ID, Kinds: req.Kinds, Identifiers: req.Identifiers,
		Name: req.Name, Jurisdiction: req.Jurisdiction, Contact: req.Contact}, req.Reason)
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Location", "/registry/entities/"+e.ID)
	return httpx.JSON(c, http.StatusCreated, h.view(e))
}

// accreditRequest is the body of POST /registry/admin/accreditations.
type accreditRequest struct {
	Subject         string        `json:"subject"`
	Accreditor      string        `json:"accreditor"`
	Role            registry.Role `json:"role"`
	CredentialTypes []string      `json:"credential_types"`
	MaxIAL          registry.IAL  `json:"max_ial"`
	MaxAAL          registry.AAL  `json:"max_aal"`
	Domains         []string      `json:"domains"`
	Jurisdiction    string        `json:"jurisdiction"`
	ValidFrom       time.Time     `json:"valid_from"`
	ValidUntil      time.Time     `json:"valid_until"`
	Reason          string        `json:"reason"`
	Credential      string        `json:"credential"`
}

func (h *Handler) accredit(c *echo.Context) error {
	var req accreditRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	a, err := h.Registry.Accredit(c.Request().Context(), actor(c), registry.AccreditRequest{
		Subject: req.Subject, Accreditor: req.Accreditor, Role: req.Role,
		Scope:        registry.Scope{CredentialTypes: req.CredentialTypes, MaxIAL: req.MaxIAL, MaxAAL: req.MaxAAL, Domains: req.Domains},
		Jurisdiction: req.Jurisdiction, ValidFrom: req.ValidFrom, ValidUntil: req.ValidUntil, Reason: req.Reason, Credential: req.Credential,
	})
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Location", "/registry/accreditations/"+a.ID)
	return httpx.JSON(c, http.StatusCreated, map[string]any{"accreditation": a})
}

// statusRequest is the body of the status routes: action suspend,
// withdraw or reinstate (or status suspended, withdrawn, active).
type statusRequest struct {
	Action        string    `json:"action"`
	Status        string    `json:"status"`
	Reason        string    `json:"reason"`
	EffectiveFrom time.Time `json:"effective_from"`
}

func (r statusRequest) request() (registry.StatusRequest, error) {
	st := registry.Status(r.Status)
	switch r.Action {
	case "suspend":
		st = registry.StatusSuspended
	case "withdraw":
		st = registry.StatusWithdrawn
	case "reinstate":
		st = registry.StatusActive
	case "":
	default:
		return registry.StatusRequest{}, httpx.BadRequest("action_invalid", "action must be suspend, withdraw or reinstate", httpx.FieldError{Field: "/action", Reason: "enum"})
	}
	return registry.StatusRequest{Status: st, Reason: r.Reason, EffectiveFrom: r.EffectiveFrom}, nil
}

func (h *Handler) entityStatus(c *echo.Context) error {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return httpx.BadRequest("id_invalid", "the id in the path is not correctly escaped")
	}
	var req statusRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	sr, err := req.request()
	if err != nil {
		return err
	}
	e, err := h.Registry.SetEntityStatus(c.Request().Context(), actor(c), id, sr)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, h.view(e))
}

func (h *Handler) accreditationStatus(c *echo.Context) error {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return httpx.BadRequest("id_invalid", "the id in the path is not correctly escaped")
	}
	var req statusRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	sr, err := req.request()
	if err != nil {
		return err
	}
	a, err := h.Registry.SetAccreditationStatus(c.Request().Context(), actor(c), id, sr)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, map[string]any{"accreditation": a})
}

// importList takes a foreign list as the body: a signed JSON list
// (application/jwt) verified with the source's pinned key, or 119 612 XML
// (application/xml), which is taken unsigned on the admin's authority.
func (h *Handler) importList(c *echo.Context) error {
	src, ok := h.Sources[c.QueryParam("source")]
	if !ok {
		return httpx.BadRequest("source_unknown", "source must name a configured list source", httpx.FieldError{Field: "source", Reason: "enum"})
	}
	types := strings.FieldsFunc(c.QueryParam("types"), func(r rune) bool { return r == ',' })
	body, err := httpx.ReadBody(c, 64<<20)
	if err != nil {
		return err
	}
	opts := registry.ImportOptions{Source: src, Types: types, Policy: registry.ListPolicy{AllowStale: c.QueryParam("allow_stale") == "true"}}
	var res registry.ImportResult
	if ct := c.Request().Header.Get("Content-Type"); strings.Contains(ct, "xml") {
		opts.UnsafeUnsignedXML = true
		res, err = h.Registry.ImportXML(c.Request().Context(), actor(c), body, opts)
	} else {
		res, err = h.Registry.Import(c.Request().Context(), actor(c), body, opts)
	}
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, res)
}

// bind decodes a JSON body strictly into v: unknown members are an error.
func bind(c *echo.Context, v any) error {
	obj, err := httpx.ReadJSONObject(c, 1<<20) // content type, size, duplicate members, UTF-8
	if err != nil {
		return err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return httpx.BadRequest("invalid_body", "the body does not fit this endpoint: "+err.Error())
	}
	return nil
}

// problem translates registry errors into problems.
func problem(err error) error {
	var p *httpx.Problem
	switch {
	case errors.As(err, &p):
		return err
	case errors.Is(err, registry.ErrUnauthenticated):
		p = httpx.NewProblem(http.StatusUnauthorized, "unauthorized", "changes need an authenticated registry administrator")
	case errors.Is(err, registry.ErrNotFound):
		p = httpx.NewProblem(http.StatusNotFound, "not-found", detail(err))
	case errors.Is(err, registry.ErrExists):
		p = httpx.NewProblem(http.StatusConflict, "conflict", detail(err))
	case errors.Is(err, registry.ErrWithdrawn):
		p = httpx.NewProblem(http.StatusConflict, "withdrawn", detail(err))
	case errors.Is(err, registry.ErrInvalid):
		p = httpx.BadRequest("invalid_request", detail(err))
	case errors.Is(err, registry.ErrBadSignature):
		p = httpx.NewProblem(http.StatusUnprocessableEntity, "bad-signature", detail(err))
	case errors.Is(err, registry.ErrStale):
		p = httpx.NewProblem(http.StatusUnprocessableEntity, "stale-list", detail(err))
	case errors.Is(err, registry.ErrReplay):
		p = httpx.NewProblem(http.StatusConflict, "list-replay", detail(err))
	case errors.Is(err, registry.ErrConflict):
		p = httpx.NewProblem(http.StatusServiceUnavailable, "busy", "too many concurrent changes; try again")
	default:
		return err
	}
	p.Err = err
	return p
}

func detail(err error) string { return strings.TrimPrefix(fmt.Sprint(err), "registry: ") }
