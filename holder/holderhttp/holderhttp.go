// Package holderhttp serves a holder.Wallet as JSON for the web wallet:
//
//	GET    /credentials                          the cards (holder.Summary), newest first
//	GET    /credentials/{id}                     one card with its claims (holder.Card)
//	DELETE /credentials/{id}                     delete a card (every copy of a batch)
//	POST   /offers/preview   {offer_uri}         what an offer would give (holder.Offer): issuer, types, tx_code needed?
//	POST   /offers           {offer_uri, tx_code?, batch?}  receive; 201 with the summaries received
//	POST   /presentations    {request_uri}       verify the request, match, and return the consent
//	                                             summary: 201 {id, expires, consent}
//	POST   /presentations/{id}/confirm  {choices?: {query id: credential id}, include?: [query id]}
//	                                             present what the consent shows: {redirect_uri?, log}
//	POST   /presentations/{id}/decline           tell the verifier no (access_denied); 204
//	GET    /log                                  the disclosure log, newest first
//
// Routes are relative to the group Register is given. Handlers are thin:
// bind, one wallet call, render; problem maps the wallet's errors to RFC
// 9457 problems in one place.
//
// WARNING: the handler has no authentication of its own and serves one
// wallet: mount it behind the holder's login, one Handler per unlocked
// wallet. It makes the server fetch URLs the caller supplies (offers,
// request objects, issuer metadata, did:web documents): the wallet allows
// https anywhere and http to loopback hosts, so a server running it can be
// made to send GET and POST requests to hosts of the caller's choosing.
package holderhttp

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

// Handler serves one wallet.
type Handler struct {
	// Wallet is the unlocked wallet. Required.
	Wallet *holder.Wallet
	// Now is the clock of pending presentations. Nil: time.Now.
	Now func() time.Time

	mu       sync.Mutex
	sessions map[string]*session
}

// session is a presentation awaiting the holder's decision.
type session struct {
	consent *holder.Consent
	expires time.Time
}

const (
	// maxSessions bounds the presentations awaiting a decision.
	maxSessions = 64
	// sessionTTL bounds how long one waits, whatever the request's exp.
	sessionTTL = 10 * time.Minute
)

// Register adds the routes to g.
func (h *Handler) Register(g *echo.Group) {
	g.GET("/credentials", h.list)
	g.GET("/credentials/:id", h.show)
	g.DELETE("/credentials/:id", h.delete)
	g.POST("/offers/preview", h.previewOffer)
	g.POST("/offers", h.receive)
	g.POST("/presentations", h.preview)
	g.POST("/presentations/:id/confirm", h.confirm)
	g.POST("/presentations/:id/decline", h.decline)
	g.GET("/log", h.log)
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) list(c *echo.Context) error {
	cards := h.Wallet.List(c.Request().Context())
	if cards == nil {
		cards = []holder.Summary{}
	}
	return httpx.JSON(c, http.StatusOK, cards)
}

func (h *Handler) show(c *echo.Context) error {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return err
	}
	card, err := h.Wallet.Show(c.Request().Context(), id)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, card)
}

func (h *Handler) delete(c *echo.Context) error {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return err
	}
	ids, err := h.Wallet.Delete(c.Request().Context(), id)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, map[string]any{"deleted": ids})
}

func (h *Handler) log(c *echo.Context) error {
	entries, err := h.Wallet.Log(c.Request().Context())
	if err != nil {
		return problem(err)
	}
	if entries == nil {
		entries = []*holder.LogEntry{}
	}
	return httpx.JSON(c, http.StatusOK, entries)
}

// stringField reads a required string member.
func stringField(body map[string]any, name string) (string, error) {
	s, ok := body[name].(string)
	if !ok || s == "" {
		return "", httpx.BadRequest("missing_field", name+" is required", httpx.FieldError{Field: "/" + name, Reason: "required", Message: name + " must be a non-empty string"})
	}
	return s, nil
}

func (h *Handler) previewOffer(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 64<<10)
	if err != nil {
		return err
	}
	uri, err := stringField(body, "offer_uri")
	if err != nil {
		return err
	}
	o, err := h.Wallet.ResolveOffer(c.Request().Context(), uri)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, o)
}

func (h *Handler) receive(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 64<<10)
	if err != nil {
		return err
	}
	uri, err := stringField(body, "offer_uri")
	if err != nil {
		return err
	}
	opts := holder.ReceiveOptions{}
	opts.TxCode, _ = body["tx_code"].(string)
	if b, ok := body["batch"]; ok {
		n, ok := toInt(b)
		if !ok || n < 1 || n > 100 {
			return httpx.BadRequest("invalid_field", "batch must be an integer from 1 to 100", httpx.FieldError{Field: "/batch", Reason: "range"})
		}
		opts.Batch = n
	}
	ctx := c.Request().Context()
	creds, err := h.Wallet.Receive(ctx, uri, opts)
	if err != nil {
		return problem(err)
	}
	out := make([]holder.Summary, 0, len(creds))
	for _, cr := range creds {
		if card, err := h.Wallet.Show(ctx, cr.ID); err == nil {
			out = append(out, card.Summary)
		}
	}
	return httpx.JSON(c, http.StatusCreated, map[string]any{"received": out})
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case interface{ Int64() (int64, error) }:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), n == float64(int(n))
	}
	return 0, false
}

// preview is present-preview: it resolves and verifies the request,
// matches it, and keeps the consent until the holder decides.
func (h *Handler) preview(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 64<<10)
	if err != nil {
		return err
	}
	uri, err := stringField(body, "request_uri")
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	req, err := h.Wallet.ResolveRequest(ctx, uri)
	if err != nil {
		return problem(err)
	}
	consent, err := h.Wallet.Prepare(ctx, req)
	if err != nil {
		return problem(err)
	}
	expires := h.now().Add(sessionTTL)
	if req.Expiry.Before(expires) {
		expires = req.Expiry
	}
	id := newSessionID()
	h.mu.Lock()
	h.gc()
	if len(h.sessions) >= maxSessions {
		h.mu.Unlock()
		return httpx.NewProblem(http.StatusTooManyRequests, "too-many-pending", "too many presentations await a decision; confirm or decline some")
	}
	if h.sessions == nil {
		h.sessions = map[string]*session{}
	}
	h.sessions[id] = &session{consent: consent, expires: expires}
	h.mu.Unlock()
	return httpx.JSON(c, http.StatusCreated, map[string]any{"id": id, "expires": expires, "consent": consent})
}

// gc drops expired sessions; h.mu is held.
func (h *Handler) gc() {
	now := h.now()
	for id, s := range h.sessions {
		if !now.Before(s.expires) {
			delete(h.sessions, id)
		}
	}
}

// take removes and returns a pending session; check, when not nil, runs
// first and a session it rejects stays pending.
func (h *Handler) take(c *echo.Context, check func(*session) error) (*session, error) {
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gc()
	s, ok := h.sessions[id]
	if !ok {
		return nil, httpx.NewProblem(http.StatusNotFound, "no-such-presentation", "no presentation "+id+" awaits a decision (it was answered, or it expired)")
	}
	if check != nil {
		if err := check(s); err != nil {
			return nil, err
		}
	}
	delete(h.sessions, id)
	return s, nil
}

func (h *Handler) confirm(c *echo.Context) error {
	body, err := httpx.ReadJSONObject(c, 64<<10)
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	s, err := h.take(c, func(s *session) error {
		if ch, ok := body["choices"].(map[string]any); ok {
			for q, v := range ch {
				cid, _ := v.(string)
				if err := h.Wallet.Choose(ctx, s.consent, q, cid); err != nil {
					return problem(err)
				}
			}
		}
		if inc, ok := body["include"].([]any); ok {
			for _, v := range inc {
				q, _ := v.(string)
				found := false
				for _, it := range s.consent.Items {
					if it.QueryID == q && it.Optional {
						it.Include, found = true, true
					}
				}
				if !found {
					return httpx.BadRequest("not_optional", "include names "+q+", which is not an optional credential of this request")
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	resp, err := h.Wallet.Respond(ctx, s.consent)
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, resp)
}

func (h *Handler) decline(c *echo.Context) error {
	s, err := h.take(c, nil)
	if err != nil {
		return err
	}
	if err := h.Wallet.Decline(c.Request().Context(), s.consent); err != nil {
		return problem(err)
	}
	return c.NoContent(http.StatusNoContent)
}

func newSessionID() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// problem maps the wallet's errors to problems.
func problem(err error) error {
	var nm *holder.NoMatchError
	var he *holder.Error
	switch {
	case errors.As(err, &nm):
		p := httpx.NewProblem(http.StatusConflict, "no-matching-credentials", "no credential in the wallet answers credential queries "+strings.Join(nm.Queries, ", "))
		p.Reason = "no_match"
		return withErr(p, err)
	case errors.Is(err, holder.ErrNotFound):
		return withErr(httpx.NewProblem(http.StatusNotFound, "not-found", detail(err)), err)
	case errors.Is(err, holder.ErrAmbiguous):
		return withErr(httpx.BadRequest("ambiguous_id", detail(err)), err)
	case errors.Is(err, holder.ErrTxCodeRequired):
		return withErr(httpx.BadRequest("tx_code_required", "the offer needs the transaction code the issuer sent to the holder (tx_code)"), err)
	case errors.As(err, &he):
		switch he.Reason {
		case holder.ReasonInsecureURL, holder.ReasonOfferInvalid, holder.ReasonRequestInvalid, holder.ReasonRequestUnsigned,
			holder.ReasonClientIDScheme, holder.ReasonRequestSignature, holder.ReasonRequestExpired,
			holder.ReasonRequestAudience, holder.ReasonQueryInvalid:
			return withErr(httpx.BadRequest(he.Reason, detail(err)), err)
		}
		// The issuer or verifier failed, or sent something the wallet
		// does not accept.
		p := httpx.NewProblem(http.StatusBadGateway, "upstream-rejected", detail(err))
		p.Reason = he.Reason
		return withErr(p, err)
	case errors.Is(err, context.DeadlineExceeded):
		return withErr(httpx.NewProblem(http.StatusGatewayTimeout, "timeout", "the issuer or verifier did not answer in time"), err)
	}
	return err
}

func withErr(p *httpx.Problem, err error) *httpx.Problem {
	p.Err = err
	return p
}

func detail(err error) string {
	return strings.ReplaceAll(err.Error(), "holder: ", "")
}
