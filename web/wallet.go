package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/verifier"
)

// The web wallet (/wallet): the demo holder's document wallet
// (package holder), kept by the server in the demo data directory.
//
//	GET  /wallet                            the cards
//	GET  /wallet/receive                    paste an openid-credential-offer:// URI (?offer_uri= fills it in)
//	POST /wallet/receive                    resolve it: who offers what -> the offer page
//	POST /wallet/receive/{id}/accept        receive (with the transaction code when asked)
//	POST /wallet/receive/{id}/cancel
//	GET  /wallet/cards/{id}                 one card: claims with their labels, issuer, validity, status checked now
//	POST /wallet/cards/{id}/delete
//	GET  /wallet/present                    paste an openid4vp:// URI (?request_uri= fills it in)
//	POST /wallet/present                    verify the request and match it -> /wallet/present/{id}
//	GET  /wallet/present/{id}               the consent: who asks (DID verified, name as it says), why,
//	                                        and exactly which claims of which credential would leave
//	POST /wallet/present/{id}/choose        another candidate credential, or include an optional one
//	POST /wallet/present/{id}/confirm       send
//	POST /wallet/present/{id}/decline       refuse (the verifier is told access_denied)
//	GET  /wallet/history                    the disclosure log
//
// Who may use it: the wallet is a demonstration and exists only on demo
// servers (Handler.Wallet). A request straight from this machine (a
// loopback peer, no proxy header) uses it without signing in, as a
// person running "make run" would; any other request must carry a
// console session (sign in with the demo token at /console) of a client
// with the scope "wallet" or "*". This matters because the wallet holds
// personal data and private keys, and because receiving and presenting
// make the server fetch URLs the caller chooses (holderhttp's warning).
// Every POST carries the CSRF token.
func init() {
	addRoutes(func(h *Handler, e *echo.Echo) {
		e.GET("/wallet", h.walletHome)
		e.GET("/wallet/receive", h.walletReceiveForm)
		e.POST("/wallet/receive", h.walletResolveOffer)
		e.POST("/wallet/receive/:id/accept", h.walletAccept)
		e.POST("/wallet/receive/:id/cancel", h.walletCancelOffer)
		e.GET("/wallet/cards/:id", h.walletCard)
		e.POST("/wallet/cards/:id/delete", h.walletDelete)
		e.GET("/wallet/present", h.walletPresentForm)
		e.POST("/wallet/present", h.walletResolveRequest)
		e.GET("/wallet/present/:id", h.walletConsent)
		e.POST("/wallet/present/:id/choose", h.walletChoose)
		e.POST("/wallet/present/:id/confirm", h.walletConfirm)
		e.POST("/wallet/present/:id/decline", h.walletDecline)
		e.GET("/wallet/history", h.walletHistory)
	})
}

const (
	// pendingTTL bounds how long an offer or a request waits for the
	// holder (and a request's own exp bounds it further).
	pendingTTL = 10 * time.Minute
	// maxPending bounds the offers, and the requests, waiting.
	maxPending = 64
	// maxURI bounds a pasted offer or request URI.
	maxURI = 8 << 10
	// walletScope is the client scope that may use the wallet remotely.
	walletScope = "wallet"
)

// walletState is the open demo wallet and what awaits the holder's
// decision.
type walletState struct {
	mu       sync.Mutex
	wallet   *holder.Wallet
	offers   map[string]*pendingOffer
	consents map[string]*pendingConsent
}

type pendingOffer struct {
	offer   *holder.Offer
	expires time.Time
}

type pendingConsent struct {
	consent *holder.Consent
	expires time.Time
}

func newPendingID() string {
	var b [18]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// gc drops what waited too long; ws.mu is held.
func (ws *walletState) gc(now time.Time) {
	for id, p := range ws.offers {
		if !now.Before(p.expires) {
			delete(ws.offers, id)
		}
	}
	for id, p := range ws.consents {
		if !now.Before(p.expires) {
			delete(ws.consents, id)
		}
	}
}

// open returns the wallet, opening it on first use.
func (ws *walletState) open(ctx context.Context, opener func(context.Context) (*holder.Wallet, error)) (*holder.Wallet, error) {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	if ws.wallet != nil {
		return ws.wallet, nil
	}
	w, err := opener(ctx)
	if err != nil {
		return nil, err
	}
	ws.wallet = w
	return w, nil
}

// walletFor returns the wallet when the request may use it; otherwise
// it has answered the request and returns nil.
func (h *Handler) walletFor(c *echo.Context) (*holder.Wallet, error) {
	if h.Wallet == nil {
		return nil, h.errorPage(c, http.StatusNotFound, "wallet.off")
	}
	if !isLocalRequest(c.Request()) {
		p, ok := h.session(c, nil)
		if !ok {
			next := c.Request().URL.Path
			if c.Request().Method != http.MethodGet {
				next = "/wallet"
			}
			return nil, h.render(c, http.StatusUnauthorized, "console_login", navWallet, consoleLoginData{Wallet: true, Next: next})
		}
		if !p.HasScope(walletScope) {
			return nil, h.errorPage(c, http.StatusForbidden, "wallet.forbidden")
		}
	}
	w, err := h.wallet.open(c.Request().Context(), h.Wallet)
	if err != nil {
		h.log().ErrorContext(c.Request().Context(), "opening the demo wallet", "error", err.Error(), "request_id", httpx.RequestID(c))
		return nil, h.errorPage(c, http.StatusServiceUnavailable, "wallet.err.open")
	}
	return w, nil
}

// ---- cards ----

// walletCardView is a card in the list.
type walletCardView struct {
	holder.Summary
	Href string
}

type walletHomeData struct {
	Cards    []walletCardView
	Received int // cards just received
	Deleted  bool
}

func cardHref(id string) string { return "/wallet/cards/" + url.PathEscape(id) }

func (h *Handler) walletHome(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	d := walletHomeData{Deleted: c.QueryParam("deleted") == "1"}
	if n, err := strconv.Atoi(c.QueryParam("received")); err == nil && n > 0 && n < 1000 {
		d.Received = n
	}
	for _, s := range w.List(c.Request().Context()) {
		d.Cards = append(d.Cards, walletCardView{Summary: s, Href: cardHref(s.ID)})
	}
	return h.render(c, http.StatusOK, "wallet", navWallet, d)
}

type walletCardData struct {
	Card    *holder.Card
	Href    string
	Claims  []claimNode
	Private int // claims the holder can withhold
	// Check is the verification done for the page (nil when the server
	// has no verifier): signature, validity, status and issuer trust now.
	Check    *walletCheck
	Copies   int
	Received bool // just received
}

// walletCheck is the card's verification, as the card page says it.
type walletCheck struct {
	OK      bool
	Reason  string // a failed check's explanation
	Checked time.Time
	Checks  []walletCheckLine
}

type walletCheckLine struct {
	Name, Status, Explain string
}

func (h *Handler) walletCard(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	ctx := c.Request().Context()
	card, err := w.Show(ctx, id)
	if errors.Is(err, holder.ErrNotFound) || errors.Is(err, holder.ErrAmbiguous) {
		return h.errorPage(c, http.StatusNotFound, "wallet.err.nocard")
	}
	if err != nil {
		return err
	}
	v := h.view(c, navWallet, nil)
	d := &walletCardData{Card: card, Href: cardHref(card.ID), Copies: len(card.Credentials), Received: c.QueryParam("received") == "1"}
	d.Claims, _ = walletTree(v, card.Type, card.Format, card.Claims)
	for _, cl := range card.Claims {
		if cl.Disclosable {
			d.Private++
		}
	}
	if h.Verifier != nil {
		if cr, err := w.Credential(ctx, card.CredentialID); err == nil {
			d.Check = h.checkCard(ctx, v, cr)
		}
	}
	v.Data = d
	return h.renderView(c, http.StatusOK, "wallet_card", v)
}

// checkCard verifies a credential of the wallet as a verifier would
// (without a presentation: no key binding), for the card's status line.
func (h *Handler) checkCard(ctx context.Context, v *View, cr *holder.Credential) *walletCheck {
	mt := jose.MediaTypeCredential
	if cr.Format == holder.FormatSDJWT {
		mt = "application/" + verifier.FormatSDJWT
	}
	r := h.Verifier.VerifyCredential(ctx, mt, cr.Raw)
	wc := &walletCheck{OK: r.Verified, Checked: h.now()}
	for _, ch := range r.Checks {
		line := walletCheckLine{Name: v.T("wallet.check." + ch.Check), Status: ch.Status}
		if _, ok := dict["wallet.check."+ch.Check]; !ok {
			line.Name = ch.Check
		}
		if ch.Status == verifier.Failed {
			line.Explain = ch.Message
			if v.Lang == "th" && ch.MessageTH != "" {
				line.Explain = ch.MessageTH
			}
			if wc.Reason == "" {
				wc.Reason = line.Explain
			}
		}
		wc.Checks = append(wc.Checks, line)
	}
	return wc
}

func (h *Handler) walletDelete(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	if c.FormValue("confirm") != "yes" {
		return c.Redirect(http.StatusSeeOther, cardHref(id))
	}
	if _, err := w.Delete(c.Request().Context(), id); errors.Is(err, holder.ErrNotFound) || errors.Is(err, holder.ErrAmbiguous) {
		return h.errorPage(c, http.StatusNotFound, "wallet.err.nocard")
	} else if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/wallet?deleted=1")
}

// ---- receiving ----

type walletReceiveData struct {
	URI   string
	Error string // dictionary key
	// Detail is the wallet's reason, for people who want it.
	Detail string
}

func (h *Handler) walletReceiveForm(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	uri := c.QueryParam("offer_uri")
	if len(uri) > maxURI {
		uri = ""
	}
	return h.render(c, http.StatusOK, "wallet_receive", navWallet, walletReceiveData{URI: uri})
}

type walletOfferData struct {
	ID    string
	Offer *holder.Offer
	Error string
}

// walletResolveOffer fetches what an offer gives and shows it; nothing
// is issued until the holder accepts.
func (h *Handler) walletResolveOffer(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, 2*maxURI)
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	uri := strings.TrimSpace(c.FormValue("offer_uri"))
	if uri == "" || len(uri) > maxURI {
		return h.render(c, http.StatusBadRequest, "wallet_receive", navWallet, walletReceiveData{URI: uri, Error: "wallet.err.nooffer"})
	}
	o, err := w.ResolveOffer(c.Request().Context(), uri)
	if err != nil {
		key, status := walletErrKey(err)
		return h.render(c, status, "wallet_receive", navWallet, walletReceiveData{URI: uri, Error: key, Detail: walletErrDetail(err)})
	}
	id := newPendingID()
	now := h.now()
	h.wallet.mu.Lock()
	h.wallet.gc(now)
	if len(h.wallet.offers) >= maxPending {
		h.wallet.mu.Unlock()
		return h.errorPage(c, http.StatusTooManyRequests, "wallet.err.toomany")
	}
	if h.wallet.offers == nil {
		h.wallet.offers = map[string]*pendingOffer{}
	}
	h.wallet.offers[id] = &pendingOffer{offer: o, expires: now.Add(pendingTTL)}
	h.wallet.mu.Unlock()
	return h.render(c, http.StatusOK, "wallet_offer", navWallet, walletOfferData{ID: id, Offer: o})
}

// takeOffer removes and returns a pending offer (nil: none).
func (h *Handler) takeOffer(id string) *pendingOffer {
	h.wallet.mu.Lock()
	defer h.wallet.mu.Unlock()
	h.wallet.gc(h.now())
	p := h.wallet.offers[id]
	delete(h.wallet.offers, id)
	return p
}

func (h *Handler) walletAccept(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	id, _ := httpx.PathParam(c, "id")
	p := h.takeOffer(id)
	if p == nil {
		return h.errorPage(c, http.StatusNotFound, "wallet.err.offergone")
	}
	tx := strings.TrimSpace(c.FormValue("tx_code"))
	if p.offer.TxCode != nil && tx == "" {
		h.putOfferBack(id, p)
		return h.render(c, http.StatusBadRequest, "wallet_offer", navWallet, walletOfferData{ID: id, Offer: p.offer, Error: "wallet.err.txcode"})
	}
	creds, err := w.Accept(c.Request().Context(), p.offer, holder.ReceiveOptions{TxCode: tx})
	if err != nil {
		key, status := walletErrKey(err)
		return h.render(c, status, "wallet_receive", navWallet, walletReceiveData{Error: key, Detail: walletErrDetail(err)})
	}
	h.log().InfoContext(c.Request().Context(), "wallet received", "credentials", len(creds), "request_id", httpx.RequestID(c))
	if len(creds) == 1 {
		return c.Redirect(http.StatusSeeOther, cardHref(creds[0].ID)+"?received=1")
	}
	return c.Redirect(http.StatusSeeOther, "/wallet?received="+strconv.Itoa(len(creds)))
}

// putOfferBack keeps an offer pending after a form problem the holder
// can fix (a missing transaction code).
func (h *Handler) putOfferBack(id string, p *pendingOffer) {
	h.wallet.mu.Lock()
	defer h.wallet.mu.Unlock()
	if h.wallet.offers == nil {
		h.wallet.offers = map[string]*pendingOffer{}
	}
	h.wallet.offers[id] = p
}

func (h *Handler) walletCancelOffer(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	id, _ := httpx.PathParam(c, "id")
	h.takeOffer(id)
	return c.Redirect(http.StatusSeeOther, "/wallet")
}

// walletErrKey is the dictionary key and status for a wallet error.
func walletErrKey(err error) (string, int) {
	var nm *holder.NoMatchError
	switch {
	case errors.As(err, &nm):
		return "wallet.err.nomatch", http.StatusConflict
	case errors.Is(err, holder.ErrTxCodeRequired):
		return "wallet.err.txcode", http.StatusBadRequest
	case errors.Is(err, context.DeadlineExceeded):
		return "wallet.err.timeout", http.StatusGatewayTimeout
	}
	switch r := holder.Reason(err); r {
	case "":
		return "wallet.err.other", http.StatusBadGateway
	case holder.ReasonInsecureURL, holder.ReasonOfferInvalid, holder.ReasonRequestInvalid, holder.ReasonRequestUnsigned,
		holder.ReasonClientIDScheme, holder.ReasonRequestSignature, holder.ReasonRequestExpired,
		holder.ReasonRequestAudience, holder.ReasonQueryInvalid:
		return "wallet.reason." + r, http.StatusBadRequest
	default:
		return "wallet.reason." + r, http.StatusBadGateway
	}
}

// walletErrDetail is the wallet's own sentence (English, technical).
func walletErrDetail(err error) string {
	return strings.TrimPrefix(err.Error(), "holder: ")
}

// ---- presenting ----

type walletPresentData struct {
	URI    string
	Error  string
	Detail string
}

func (h *Handler) walletPresentForm(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	uri := c.QueryParam("request_uri")
	if len(uri) > maxURI {
		uri = ""
	}
	return h.render(c, http.StatusOK, "wallet_present", navWallet, walletPresentData{URI: uri})
}

// walletResolveRequest verifies an OpenID4VP request, matches it
// against the wallet, and keeps the consent until the holder decides.
func (h *Handler) walletResolveRequest(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, 2*maxURI)
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	uri := strings.TrimSpace(c.FormValue("request_uri"))
	fail := func(err error, key string, status int) error {
		d := walletPresentData{URI: uri, Error: key}
		if err != nil {
			d.Detail = walletErrDetail(err)
		}
		return h.render(c, status, "wallet_present", navWallet, d)
	}
	if uri == "" || len(uri) > maxURI {
		return fail(nil, "wallet.err.norequest", http.StatusBadRequest)
	}
	ctx := c.Request().Context()
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		key, status := walletErrKey(err)
		return fail(err, key, status)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		key, status := walletErrKey(err)
		return fail(err, key, status)
	}
	now := h.now()
	expires := now.Add(pendingTTL)
	if req.Expiry.Before(expires) {
		expires = req.Expiry
	}
	id := newPendingID()
	h.wallet.mu.Lock()
	h.wallet.gc(now)
	if len(h.wallet.consents) >= maxPending {
		h.wallet.mu.Unlock()
		return h.errorPage(c, http.StatusTooManyRequests, "wallet.err.toomany")
	}
	if h.wallet.consents == nil {
		h.wallet.consents = map[string]*pendingConsent{}
	}
	h.wallet.consents[id] = &pendingConsent{consent: consent, expires: expires}
	h.wallet.mu.Unlock()
	return c.Redirect(http.StatusSeeOther, "/wallet/present/"+id)
}

// pendingConsentOf returns a pending consent without removing it.
func (h *Handler) pendingConsentOf(id string) *pendingConsent {
	h.wallet.mu.Lock()
	defer h.wallet.mu.Unlock()
	h.wallet.gc(h.now())
	return h.wallet.consents[id]
}

func (h *Handler) takeConsent(id string) *pendingConsent {
	h.wallet.mu.Lock()
	defer h.wallet.mu.Unlock()
	h.wallet.gc(h.now())
	p := h.wallet.consents[id]
	delete(h.wallet.consents, id)
	return p
}

// consentView is the consent page.
type consentView struct {
	ID           string
	VerifierName string // self-asserted
	VerifierDID  string // verified: it signed the request
	Purpose      string
	Expires      time.Time
	Items        []consentItemView
	Leaving      int // claims that would leave, in all
}

type consentItemView struct {
	QueryID    string
	Optional   bool
	Include    bool
	Title      string
	IssuerName string
	Format     string
	Whole      bool
	Disclosed  []claimNode // asked for, selectively disclosable
	Visible    []claimNode // always sent with the credential
	Technical  []claimNode // issuer, type, dates, holder key, status entry
	Count      int         // claims that would leave, technical ones included
	Candidates []candidateView
}

type candidateView struct {
	CredentialID, Label string
	Chosen              bool
}

func (h *Handler) consentViewOf(ctx context.Context, w *holder.Wallet, v *View, id string, p *pendingConsent) *consentView {
	cs := p.consent
	req := cs.Request
	cv := &consentView{ID: id, VerifierName: v.L(req.Verifier.Name), VerifierDID: req.Verifier.DID, Purpose: v.L(req.Purpose), Expires: p.expires}
	titles := map[string]string{}
	for _, s := range w.List(ctx) {
		for _, cid := range s.Credentials {
			titles[cid] = v.L(s.Title) + " · " + v.L(s.IssuerName) + " · " + v.Date(s.ReceivedAt)
		}
	}
	for _, it := range cs.Items {
		iv := consentItemView{
			QueryID: it.QueryID, Optional: it.Optional, Include: it.Include,
			Title: v.L(it.Credential.Title), IssuerName: v.L(it.Credential.IssuerName), Format: it.Credential.Format,
			Whole: it.WholeCredential,
		}
		if iv.IssuerName == "" {
			iv.IssuerName = it.Credential.Issuer
		}
		iv.Disclosed, _ = walletTree(v, it.Credential.Type, it.Credential.Format, it.Disclosed)
		iv.Visible, iv.Technical = walletTree(v, it.Credential.Type, it.Credential.Format, it.Visible)
		iv.Count = len(it.Disclosed) + len(it.Visible)
		for i, cand := range it.Candidates {
			label := titles[cand.CredentialID]
			if label == "" {
				label = cand.CredentialID
			}
			iv.Candidates = append(iv.Candidates, candidateView{CredentialID: cand.CredentialID, Label: label, Chosen: i == it.Chosen})
		}
		if it.Include {
			cv.Leaving += iv.Count
		}
		cv.Items = append(cv.Items, iv)
	}
	return cv
}

func (h *Handler) walletConsent(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	id, _ := httpx.PathParam(c, "id")
	p := h.pendingConsentOf(id)
	if p == nil {
		return h.errorPage(c, http.StatusNotFound, "wallet.err.requestgone")
	}
	v := h.view(c, navWallet, nil)
	h.wallet.mu.Lock() // Choose may change the consent meanwhile
	v.Data = h.consentViewOf(c.Request().Context(), w, v, id, p)
	h.wallet.mu.Unlock()
	return h.renderView(c, http.StatusOK, "wallet_consent", v)
}

// walletChoose presents another candidate for a query, or includes (or
// leaves out) an optional credential.
func (h *Handler) walletChoose(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	id, _ := httpx.PathParam(c, "id")
	q := c.FormValue("query")
	// The consent is looked up and changed under one lock: once confirm
	// or decline has taken it (and sends it without the lock), it is
	// gone here, so what is sent never changes while it is sent.
	h.wallet.mu.Lock()
	defer h.wallet.mu.Unlock()
	h.wallet.gc(h.now())
	p := h.wallet.consents[id]
	if p == nil {
		return h.errorPage(c, http.StatusNotFound, "wallet.err.requestgone")
	}
	var item *holder.ConsentItem
	for _, it := range p.consent.Items {
		if it.QueryID == q {
			item = it
		}
	}
	if item == nil {
		return h.errorPage(c, http.StatusBadRequest, "wallet.err.choice")
	}
	if cid := c.FormValue("credential"); cid != "" {
		if err := w.Choose(c.Request().Context(), p.consent, q, cid); err != nil {
			return h.errorPage(c, http.StatusBadRequest, "wallet.err.choice")
		}
	}
	if inc := c.FormValue("include"); inc != "" && item.Optional {
		item.Include = inc == "1"
	}
	return c.Redirect(http.StatusSeeOther, "/wallet/present/"+id)
}

// walletDoneData is the page after the holder decided.
type walletDoneData struct {
	Declined     bool
	Failed       bool
	Error        string // dictionary key
	Detail       string
	VerifierName string
	VerifierDID  string
	RedirectURI  string
	Entry        *historyEntry
}

// decide takes the pending consent a confirm or decline is about
// (removed: it is decided once) and the wallet. When the consent is nil
// it has answered the request.
func (h *Handler) decide(c *echo.Context) (*holder.Wallet, *pendingConsent, error) {
	w, err := h.walletFor(c)
	if w == nil {
		return nil, nil, err
	}
	if err := h.checkCSRF(c); err != nil {
		return nil, nil, h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	id, _ := httpx.PathParam(c, "id")
	p := h.takeConsent(id)
	if p == nil {
		return nil, nil, h.errorPage(c, http.StatusNotFound, "wallet.err.requestgone")
	}
	return w, p, nil
}

// done is the done page's data for the consent's verifier.
func (p *pendingConsent) done(v *View) *walletDoneData {
	req := p.consent.Request
	return &walletDoneData{VerifierName: v.L(req.Verifier.Name), VerifierDID: req.Verifier.DID}
}

func (h *Handler) walletConfirm(c *echo.Context) error {
	w, p, err := h.decide(c)
	if p == nil {
		return err
	}
	v := h.view(c, navWallet, nil)
	d := p.done(v)
	ctx := c.Request().Context()
	resp, err := w.Respond(ctx, p.consent)
	status := http.StatusOK
	if err != nil {
		d.Failed = true
		d.Error, status = walletErrKey(err)
		d.Detail = walletErrDetail(err)
	}
	if resp != nil {
		if u, err := url.Parse(resp.RedirectURI); err == nil && (u.Scheme == "https" || u.Scheme == "http") {
			d.RedirectURI = resp.RedirectURI
		}
		if resp.Log != nil {
			e := historyEntryOf(v, resp.Log, cardsByCredential(ctx, w))
			d.Entry = &e
		}
	}
	h.log().InfoContext(ctx, "wallet presentation", "failed", d.Failed, "request_id", httpx.RequestID(c))
	v.Data = d
	return h.renderView(c, status, "wallet_done", v)
}

func (h *Handler) walletDecline(c *echo.Context) error {
	w, p, err := h.decide(c)
	if p == nil {
		return err
	}
	v := h.view(c, navWallet, nil)
	d := p.done(v)
	d.Declined = true
	if err := w.Decline(c.Request().Context(), p.consent); err != nil {
		// Nothing was disclosed either way; the verifier may not have
		// heard the refusal.
		d.Detail = walletErrDetail(err)
	}
	v.Data = d
	return h.renderView(c, http.StatusOK, "wallet_done", v)
}

// ---- history ----

type historyEntry struct {
	ID           string
	Time         time.Time
	VerifierName string
	VerifierDID  string
	Purpose      string
	Outcome      string // holder.Outcome*
	OutcomeKey   string // its dictionary key
	OutcomeClass string
	Error        string
	Credentials  []historyCredential
}

type historyCredential struct {
	Title, Href string
	Disclosed   []string // labels
	Visible     []string
}

// cardsByCredential maps the credential ids of the cards still in the
// wallet to their card ids (for links from the history).
func cardsByCredential(ctx context.Context, w *holder.Wallet) map[string]string {
	out := map[string]string{}
	for _, s := range w.List(ctx) {
		for _, id := range s.Credentials {
			out[id] = s.ID
		}
	}
	return out
}

func historyEntryOf(v *View, e *holder.LogEntry, cards map[string]string) historyEntry {
	he := historyEntry{
		ID: e.ID, Time: e.Time, VerifierName: v.L(e.Verifier.Name), VerifierDID: e.Verifier.DID,
		Purpose: v.L(e.Purpose), Outcome: e.Outcome, OutcomeKey: "wallet.outcome." + e.Outcome, Error: e.Error,
	}
	if _, ok := dict[he.OutcomeKey]; !ok {
		he.OutcomeKey = "wallet.outcome.pending"
	}
	switch e.Outcome {
	case holder.OutcomeSent:
		he.OutcomeClass = "ok"
	case holder.OutcomeFailed:
		he.OutcomeClass = "bad"
	case holder.OutcomeDeclined:
		he.OutcomeClass = "info"
	default:
		he.OutcomeClass = "warn"
	}
	for _, lc := range e.Credentials {
		hc := historyCredential{Title: v.L(lc.Title)}
		if hc.Title == "" {
			hc.Title = lc.Type
		}
		if card, ok := cards[lc.CredentialID]; ok {
			hc.Href = cardHref(card)
		}
		for _, p := range lc.Disclosed {
			hc.Disclosed = append(hc.Disclosed, v.L(holder.ClaimLabel(p)))
		}
		for _, p := range lc.Visible {
			hc.Visible = append(hc.Visible, v.L(holder.ClaimLabel(p)))
		}
		he.Credentials = append(he.Credentials, hc)
	}
	return he
}

type walletHistoryData struct {
	Entries []historyEntry
}

func (h *Handler) walletHistory(c *echo.Context) error {
	w, err := h.walletFor(c)
	if w == nil {
		return err
	}
	ctx := c.Request().Context()
	log, err := w.Log(ctx)
	if err != nil {
		return err
	}
	v := h.view(c, navWallet, nil)
	cards := cardsByCredential(ctx, w)
	d := walletHistoryData{}
	for _, e := range log {
		d.Entries = append(d.Entries, historyEntryOf(v, e, cards))
	}
	v.Data = d
	return h.renderView(c, http.StatusOK, "wallet_history", v)
}
