// Package delegationhttp serves the delegation workflow and chain
// verification over HTTP:
//
//	POST /delegations/drafts                 draft a delegation (bearer token, scope Scope or "*")
//	GET  /delegations/drafts/{id}            the draft: document, digest, signers, approvals, state
//	POST /delegations/drafts/{id}/approvals  one signer's approval {"role", "jws"}
//	POST /delegations/drafts/{id}/issue      issue once every signer approved (bearer token)
//	POST /delegations/verify                 verify a chain for a request
//
// A draft's id (a random UUID) is the capability to read and approve it:
// signers need no account, their approvals are checked against the keys
// their credentials bind. Drafting and issuing need the issuer's token.
//
// POST /delegations/verify takes either a chain and the presenter's DID,
// which the caller vouches it authenticated:
//
//	{"chain": {"company": "<vc+jwt>", "links": ["<vc+jwt>", ...]},
//	 "request": {"action": "rd.vat.file", "relyingParty": "did:web:...",
//	             "amount": {"amount": 45000, "currency": "THB"},
//	             "actingFor": "0105562034122", "presenter": "did:key:..."}}
//
// or the grantee's presentation (vp+jwt) with the nonce and audience it
// must carry, whose holder is the presenter:
//
//	{"presentation": "<vp+jwt>", "nonce": "...", "audience": "...", "request": {...}}
//
// It answers 200 with the delegation.Result whether or not the chain
// verified: "verified", "steps" and "failure" {link, part, rule, reason,
// message, message_th}.
package delegationhttp

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

// maxBody bounds request bodies: a chain of a few credentials with
// embedded director authorities stays well below it.
const maxBody = 512 << 10

// Handler serves the routes. Service nil serves verification only.
type Handler struct {
	Service  *delegation.Service
	Verifier *delegation.Verifier // required
	Clients  []httpx.Client
	// Scope is the scope a client needs to draft and issue (the name of
	// the issuer profile that signs delegations); "*" clients may too.
	Scope string
}

// Register adds the routes to e.
func (h *Handler) Register(e *echo.Echo) {
	e.POST("/delegations/verify", h.verify)
	if h.Service == nil {
		return
	}
	auth := httpx.Bearer(h.Clients)
	e.POST("/delegations/drafts", h.draft, auth)
	e.GET("/delegations/drafts/:id", h.get)
	e.POST("/delegations/drafts/:id/approvals", h.approve)
	e.POST("/delegations/drafts/:id/issue", h.issue, auth)
}

func (h *Handler) authorize(c *echo.Context) error {
	if p, ok := httpx.PrincipalOf(c); !ok || !p.HasScope(h.Scope) {
		return httpx.NewProblem(http.StatusForbidden, "forbidden", "this client may not draft or issue delegations for "+h.Scope)
	}
	return nil
}

// decode reads a JSON body into v, refusing unknown members.
func decode(c *echo.Context, v any) error {
	b, err := httpx.ReadBody(c, maxBody)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return httpx.BadRequest("invalid_json", "the body is not the JSON this endpoint takes: "+err.Error())
	}
	return nil
}

// SignerView is one signer of a draft as the API shows it.
type SignerView struct {
	Role     string `json:"role"`
	Key      string `json:"key"`
	Director string `json:"director,omitempty"`
	Name     string `json:"name,omitempty"`
	Approved bool   `json:"approved"`
}

// DraftView is a draft as the API shows it. Body is the draft document
// (base64url) that approvals sign through Digest: signers should
// recompute Digest from Body, and read Body, before they sign.
type DraftView struct {
	ID         string                `json:"id"`
	State      string                `json:"state"`
	Issuer     string                `json:"issuer"`
	Delegation delegation.Delegation `json:"delegation"`
	ValidFrom  time.Time             `json:"validFrom"`
	ValidUntil time.Time             `json:"validUntil"`
	Body       string                `json:"body"`
	Digest     string                `json:"digest"`
	Signers    []SignerView          `json:"signers"`
	Missing    int                   `json:"missing"`
	Ready      bool                  `json:"ready"` // every signer approved: it can be issued
	Credential string                `json:"credential,omitempty"`
}

// View returns the API view of d.
func View(d delegation.Draft) DraftView {
	v := DraftView{
		ID: d.ID, State: d.State, Issuer: d.Issuer, Delegation: d.Delegation,
		ValidFrom: d.ValidFrom, ValidUntil: d.ValidUntil,
		Body: base64.RawURLEncoding.EncodeToString(d.Body), Digest: d.Digest,
		Missing: len(d.Missing()), Ready: d.Complete(), Credential: d.Credential,
		Signers: []SignerView{},
	}
	missing := d.Missing()
	for _, s := range d.Directors {
		approved := true
		for _, m := range missing {
			if m.Role == s.Role && m.Key == s.Key {
				approved = false
			}
		}
		v.Signers = append(v.Signers, SignerView{Role: s.Role, Key: s.Key, Director: s.Director, Name: s.Name, Approved: approved})
	}
	return v
}

func (h *Handler) draft(c *echo.Context) error {
	if err := h.authorize(c); err != nil {
		return err
	}
	var req delegation.DraftRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	d, err := h.Service.Draft(c.Request().Context(), req)
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Location", "/delegations/drafts/"+d.ID)
	return httpx.JSON(c, http.StatusCreated, View(d))
}

func (h *Handler) get(c *echo.Context) error {
	d, err := h.Service.Get(c.Request().Context(), c.Param("id"))
	if err != nil {
		return problem(err)
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return httpx.JSON(c, http.StatusOK, View(d))
}

// ApprovalRequest is the body of POST .../approvals.
type ApprovalRequest struct {
	Role string `json:"role"`
	JWS  string `json:"jws"`
}

func (h *Handler) approve(c *echo.Context) error {
	var req ApprovalRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	d, err := h.Service.Approve(c.Request().Context(), c.Param("id"), req.Role, req.JWS)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, View(d))
}

func (h *Handler) issue(c *echo.Context) error {
	if err := h.authorize(c); err != nil {
		return err
	}
	d, err := h.Service.Issue(c.Request().Context(), c.Param("id"))
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, View(d))
}

// VerifyRequest is the body of POST /delegations/verify.
type VerifyRequest struct {
	Chain        *delegation.Chain  `json:"chain,omitempty"`
	Presentation string             `json:"presentation,omitempty"`
	Nonce        string             `json:"nonce,omitempty"`
	Audience     string             `json:"audience,omitempty"`
	Request      delegation.Request `json:"request"`
}

func (h *Handler) verify(c *echo.Context) error {
	var req VerifyRequest
	if err := decode(c, &req); err != nil {
		return err
	}
	ctx := c.Request().Context()
	var r *delegation.Result
	switch {
	case req.Presentation != "" && req.Chain == nil:
		r = h.Verifier.VerifyPresentation(ctx, req.Presentation, delegation.PresentationOptions{Nonce: req.Nonce, Audience: req.Audience}, req.Request)
	case req.Chain != nil && req.Presentation == "":
		r = h.Verifier.Verify(ctx, *req.Chain, req.Request)
	default:
		return httpx.BadRequest("invalid_request", "give either a chain or a presentation")
	}
	return httpx.JSON(c, http.StatusOK, r)
}

// problem maps the workflow's errors to problems.
func problem(err error) error {
	switch {
	case errors.Is(err, delegation.ErrNotFound):
		return httpx.NewProblem(http.StatusNotFound, "not-found", "no such draft")
	case errors.Is(err, delegation.ErrBadRequest):
		return httpx.BadRequest("invalid_draft", err.Error())
	case errors.Is(err, delegation.ErrApprovalInvalid):
		return httpx.BadRequest("approval_rejected", err.Error())
	case errors.Is(err, delegation.ErrIncomplete):
		p := httpx.NewProblem(http.StatusConflict, "signing-rule-not-met", err.Error())
		p.Reason = "signing_rule_not_met"
		return p
	case errors.Is(err, delegation.ErrState):
		p := httpx.NewProblem(http.StatusConflict, "draft-closed", err.Error())
		p.Reason = "draft_closed"
		return p
	}
	return err
}
