package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/qr"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

func init() {
	addRoutes(func(h *Handler, e *echo.Echo) {
		e.POST("/verify/requests", h.createRequest)
		e.GET("/verify/requests/:id", h.showRequest)
		e.GET("/verify/requests/:id/qr.png", h.requestQR)
		e.GET("/verify/requests/:id/status", h.requestStatus)
	})
}

// The portal asks for a degree: its name, the institution, the
// conferral date and the student id, as the demo employer does.
const portalType = "DegreeCredential"

func portalQuery() map[string]any {
	claims := []any{}
	for _, p := range portalClaims {
		claims = append(claims, map[string]any{"path": p})
	}
	return map[string]any{"credentials": []any{map[string]any{
		"id": "degree", "format": oid4vp.FormatSDJWT,
		"meta":   map[string]any{"vct_values": []any{schemas.VCT(portalType)}},
		"claims": claims,
	}}}
}

var portalClaims = [][]any{
	{"student", "name"},
	{"award", "name"},
	{"institution", "name"},
	{"award", "conferralDate"},
}

var portalPurpose = map[string]string{
	"th": "ตรวจสอบวุฒิการศึกษาของผู้สมัครงาน",
	"en": "Check a job applicant's degree",
}

// A request's page, QR code and status are for the browser that created
// it: the request id is in the QR code (anyone who sees it can read the
// id), so the pages also need a cookie holding the id's MAC under a key
// of this process. A restart forgets the key; requests live minutes.
var requestKey = func() []byte {
	k := make([]byte, 32)
	rand.Read(k) // never fails (crypto/rand)
	return k
}()

const requestCookie = "vpreq"

func requestMAC(id string) string {
	m := hmac.New(sha256.New, requestKey)
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// ownsRequest reports whether the browser created request id.
func ownsRequest(c *echo.Context, id string) bool {
	ck, err := c.Cookie(requestCookie)
	return err == nil && hmac.Equal([]byte(ck.Value), []byte(requestMAC(id)))
}

// requestLimit bounds the presentation requests one client address may
// create through the portal: every request is stored until a day after
// it expires, and the portal needs no login.
var requestLimit = &rateLimit{max: 20, window: time.Minute}

func (h *Handler) createRequest(c *echo.Context) error {
	if h.Presentations == nil {
		return h.errorPage(c, http.StatusNotFound, "site.unavailable")
	}
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	if !requestLimit.allow(c.RealIP(), h.now()) {
		return h.errorPage(c, http.StatusTooManyRequests, "verify.request.toomany")
	}
	cr, err := h.Presentations.CreateRequest(c.Request().Context(), oid4vp.NewRequest{Query: portalQuery(), Purpose: portalPurpose})
	if err != nil {
		h.log().ErrorContext(c.Request().Context(), "web: creating a presentation request", "error", err.Error())
		return h.errorPage(c, http.StatusInternalServerError, "verify.request.failed")
	}
	c.SetCookie(&http.Cookie{
		Name: requestCookie, Value: requestMAC(cr.ID), Path: "/verify/requests/" + url.PathEscape(cr.ID),
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secureCookies(c), Expires: cr.ExpiresAt.Add(time.Hour),
	})
	return c.Redirect(http.StatusSeeOther, "/verify/requests/"+url.PathEscape(cr.ID))
}

// request returns the request of the path's id for the browser that
// created it.
func (h *Handler) request(c *echo.Context) (*oid4vp.View, error) {
	id := c.Param("id")
	if h.Presentations == nil || !ownsRequest(c, id) {
		return nil, oid4vp.ErrNotFound
	}
	return h.Presentations.Get(c.Request().Context(), id)
}

// requestData is the page of a pending request.
type requestData struct {
	ID         string
	RequestURI string
	Status     string // dictionary key verify.request.status.<status>
	Purpose    map[string]string
	Verifier   map[string]string
	Claims     []string // what is asked, labelled
	ExpiresAt  time.Time
	TypeTitle  string
}

// presentationData is the page of an answered request.
type presentationData struct {
	Verified  bool
	Headline  string
	Purpose   map[string]string
	Presented []*presentedView
	Problems  []string
	Status    string
}

type presentedView struct {
	TypeTitle  string
	Verified   bool
	Issuer     *issuerView
	Claims     []claimNode
	Checks     []checkView
	Discarded  []string        // labels of claims seen and dropped
	Delegation *delegationView // a power of attorney's chain (the "delegation" partial)
}

func (h *Handler) showRequest(c *echo.Context) error {
	rv, err := h.request(c)
	if errors.Is(err, oid4vp.ErrNotFound) {
		return h.errorPage(c, http.StatusNotFound, "verify.request.notfound")
	} else if err != nil {
		return err
	}
	v := h.view(c, navVerify, nil)
	if rv.Status.Final() && (rv.Result != nil || rv.Status == oid4vp.StatusDeclined || rv.Status == oid4vp.StatusExpired) {
		v.Data = h.presentationView(v, rv)
		return h.renderView(c, http.StatusOK, "vpresult", v)
	}
	d := &requestData{
		ID: rv.ID, RequestURI: rv.RequestURI, Status: "verify.request.status." + string(rv.Status),
		Purpose: rv.Purpose, Verifier: h.Presentations.DisplayName(), ExpiresAt: rv.ExpiresAt,
		TypeTitle: credTypeTitle(v, portalType),
	}
	l := labelsOf(portalType)
	for _, p := range portalClaims {
		var ptr strings.Builder
		for _, s := range p {
			ptr.WriteString("/" + s.(string))
		}
		d.Claims = append(d.Claims, l.labelOfPointer(v.Lang, ptr.String()))
	}
	v.Data = d
	return h.renderView(c, http.StatusOK, "vprequest", v)
}

func (h *Handler) presentationView(v *View, rv *oid4vp.View) *presentationData {
	d := &presentationData{Purpose: rv.Purpose, Status: "verify.request.status." + string(rv.Status)}
	switch {
	case rv.Status == oid4vp.StatusDeclined:
		d.Headline = v.T("verify.request.declined")
		return d
	case rv.Status == oid4vp.StatusExpired && rv.Result == nil:
		d.Headline = v.T("verify.request.expired")
		return d
	}
	res := rv.Result
	d.Verified = res.Verified
	if res.Verified {
		d.Headline = v.T("verify.request.ok")
	} else {
		d.Headline = pick(v.Lang, res.Message, res.MessageTH)
	}
	for _, p := range res.Errors {
		d.Problems = append(d.Problems, pick(v.Lang, p.Message, p.MessageTH))
	}
	ids := make([]string, 0, len(res.Credentials))
	for id := range res.Credentials {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, p := range res.Credentials[id] {
			pv := &presentedView{TypeTitle: credTypeTitle(v, p.Type), Verified: p.Verified, Checks: h.checkViews(v, p.Checks)}
			if p.Issuer != "" {
				pv.Issuer = h.issuerOf(v, p.Issuer, p.Type, "", nil)
			}
			if p.Claims != nil {
				pv.Claims = claimTree(v.Lang, p.Type, p.Claims, true)
				pv.Delegation = delegationOf(v.Lang, p.Type, p.Claims)
			}
			l := labelsOf(p.Type)
			for _, ptr := range p.Discarded {
				pv.Discarded = append(pv.Discarded, l.labelOfPointer(v.Lang, ptr))
			}
			d.Presented = append(d.Presented, pv)
		}
	}
	return d
}

func (h *Handler) requestQR(c *echo.Context) error {
	rv, err := h.request(c)
	if err != nil {
		return echo.ErrNotFound
	}
	png, err := qr.PNG([]byte(rv.RequestURI), 4)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "image/png", png)
}

// requestStatus answers the page's polling: {"final", "href", "label"}.
func (h *Handler) requestStatus(c *echo.Context) error {
	rv, err := h.request(c)
	if err != nil {
		return echo.ErrNotFound
	}
	v := h.view(c, navVerify, nil)
	final := rv.Status.Final() && (rv.Result != nil || rv.Status == oid4vp.StatusDeclined || rv.Status == oid4vp.StatusExpired)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.JSON(http.StatusOK, map[string]any{
		"status": rv.Status, "final": final,
		"href":  "/verify/requests/" + url.PathEscape(rv.ID),
		"label": v.T("verify.request.status." + string(rv.Status)),
	})
}

// rateLimit allows max events per window and key (fixed windows).
type rateLimit struct {
	max    int
	window time.Duration

	mu   sync.Mutex
	seen map[string]rateWindow
}

type rateWindow struct {
	start time.Time
	n     int
}

func (l *rateLimit) allow(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil || len(l.seen) > 10000 {
		l.seen = map[string]rateWindow{} // forget everyone rather than grow without bound
	}
	w := l.seen[key]
	if now.Sub(w.start) >= l.window || now.Before(w.start) {
		w = rateWindow{start: now}
	}
	if w.n >= l.max {
		return false
	}
	w.n++
	l.seen[key] = w
	return true
}
