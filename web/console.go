package web

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// The issuer console (/console): sign in with an API client's token
// (console_session.go), choose an issuer the client may act for and a
// credential type, fill in the form generated from the type's schema
// (console_form.go), and issue the credential (vc+jwt, or an SD-JWT VC
// bound to a holder key) or offer it to a wallet over OpenID4VCI (a QR
// code); list what the issuer issued, revoke, suspend and reinstate, and
// download the signed PDF e-certificate.
//
//	GET  /console                                        sign-in form, or the issuers the client may act for
//	POST /console/login                                  {token}
//	POST /console/logout
//	GET  /console/issuers/{name}                         issued credentials, newest first (?before=id for older)
//	GET  /console/issuers/{name}/issue/{type}            the form (?example=1: filled with the type's example)
//	POST /console/issuers/{name}/issue/{type}            action=check|issue|offer, or _add/_remove a row
//	GET  /console/issuers/{name}/credentials/{id}        one credential: record, status, actions, downloads
//	POST /console/issuers/{name}/credentials/{id}/status action=revoke|suspend|unsuspend
//	GET  /console/issuers/{name}/credentials/{id}/pdf    the signed PDF
//	GET  /console/issuers/{name}/credentials/{id}/token  the secured credential
//
// Every POST carries the CSRF token; every page but the sign-in form
// needs a session, and every issuer page a client whose scopes name the
// issuer (or "*").
func init() {
	addRoutes(func(h *Handler, e *echo.Echo) {
		e.GET("/console", h.consoleHome)
		e.POST("/console/login", h.consoleLogin)
		e.POST("/console/logout", h.consoleLogout)
		g := e.Group("/console/issuers/:name")
		g.GET("", h.consoleRecords)
		g.GET("/issue/:type", h.consoleForm)
		g.POST("/issue/:type", h.consoleSubmit)
		g.GET("/credentials/:id", h.consoleRecord)
		g.POST("/credentials/:id/status", h.consoleStatus)
		g.GET("/credentials/:id/pdf", h.consolePDF)
		g.GET("/credentials/:id/token", h.consoleToken)
	})
}

// recordsPerPage is the length of the issued-credentials list;
// maxConsoleForm bounds a posted form (a portrait is up to 200 KB).
const (
	recordsPerPage = 25
	maxConsoleForm = 1 << 20
)

// consoleIssuer is an issuer as the console shows it.
type consoleIssuer struct {
	Name        string
	DID         string
	DisplayName map[string]string
	Types       []consoleType
}

type consoleType struct {
	Name  string
	Title map[string]string
}

func (h *Handler) consoleIssuerView(s *issuer.Service) consoleIssuer {
	p := s.Profile()
	ci := consoleIssuer{Name: p.Name, DID: p.DID, DisplayName: p.DisplayName}
	for _, t := range p.Types {
		ct := consoleType{Name: t, Title: map[string]string{"th": t, "en": t}}
		if st, ok := schemas.Lookup(t); ok {
			ct.Title = st.Title
		}
		ci.Types = append(ci.Types, ct)
	}
	return ci
}

// typeTitle names a credential type.
func typeTitle(t string) map[string]string {
	if st, ok := schemas.Lookup(t); ok {
		return st.Title
	}
	return map[string]string{"th": t, "en": t}
}

// ---- sign-in ----

type consoleLoginData struct {
	Error  string // dictionary key
	Wallet bool   // came from the wallet (remote access to the demo wallet)
	Next   string
}

type consoleHomeData struct {
	Client  string
	Issuers []consoleIssuer
}

func (h *Handler) consoleHome(c *echo.Context) error {
	p, ok := h.session(c, nil)
	if !ok {
		return h.render(c, http.StatusOK, "console_login", navConsole, consoleLoginData{Next: safeNext(c.QueryParam("next"))})
	}
	d := consoleHomeData{Client: p.ID}
	for _, name := range sortedKeys(h.Issuers) {
		if p.HasScope(name) {
			d.Issuers = append(d.Issuers, h.consoleIssuerView(h.Issuers[name]))
		}
	}
	return h.render(c, http.StatusOK, "console", navConsole, d)
}

// safeNext accepts a local path to return to after signing in.
func safeNext(s string) string {
	if strings.HasPrefix(s, "/") && !strings.HasPrefix(s, "//") && !strings.ContainsAny(s, "\\\r\n") && len(s) < 512 {
		return s
	}
	return ""
}

func (h *Handler) consoleLogin(c *echo.Context) error {
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, loginFormMaxLen)
	token := strings.TrimSpace(c.FormValue("token"))
	next := safeNext(c.FormValue("next"))
	p, ok := authenticate(h.Clients, token)
	if !ok {
		h.log().WarnContext(c.Request().Context(), "console sign-in refused", "request_id", httpx.RequestID(c))
		return h.render(c, http.StatusUnauthorized, "console_login", navConsole, consoleLoginData{Error: "console.login.bad", Next: next})
	}
	if old, err := c.Cookie(sessionCookie); err == nil {
		h.console.end(old.Value) // a new sign-in never reuses a session id
	}
	id := h.console.newSession(p, h.now())
	h.setSessionCookie(c, id, int(sessionMax/time.Second))
	h.log().InfoContext(c.Request().Context(), "console sign-in", "client", p.ID, "request_id", httpx.RequestID(c))
	if next == "" {
		next = "/console"
	}
	return c.Redirect(http.StatusSeeOther, next)
}

func (h *Handler) consoleLogout(c *echo.Context) error {
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	if ck, err := c.Cookie(sessionCookie); err == nil {
		h.console.end(ck.Value)
	}
	h.setSessionCookie(c, "", -1)
	return c.Redirect(http.StatusSeeOther, "/console")
}

// consoleIssuerFor returns the issuer of the route when the session's
// client may act for it; otherwise it has answered the request (sign-in
// page, 403, 404) and returns nil.
func (h *Handler) consoleIssuerFor(c *echo.Context) (*issuer.Service, httpx.Principal, error) {
	p, ok := h.session(c, nil)
	if !ok {
		next := c.Request().URL.Path
		if c.Request().Method != http.MethodGet {
			next = "/console"
		}
		return nil, p, h.render(c, http.StatusUnauthorized, "console_login", navConsole, consoleLoginData{Error: "console.login.needed", Next: next})
	}
	name, err := httpx.PathParam(c, "name")
	if err != nil {
		return nil, p, h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	s, ok := h.Issuers[name]
	if !ok {
		return nil, p, h.errorPage(c, http.StatusNotFound, "console.err.noissuer")
	}
	if !p.HasScope(name) {
		return nil, p, h.errorPage(c, http.StatusForbidden, "console.err.forbidden")
	}
	return s, p, nil
}

// ---- issued credentials ----

type consoleRecord struct {
	issuer.Record
	Status issuer.CredentialStatus
	Title  map[string]string
	Href   string
	Short  string // the id's first characters
	// StatusName is valid, suspended or revoked; StatusKey its
	// dictionary key and StatusClass its badge's class.
	StatusName, StatusKey, StatusClass string
}

func newConsoleRecord(r issuer.Record, st issuer.CredentialStatus) consoleRecord {
	cr := consoleRecord{Record: r, Status: st, Title: typeTitle(r.Type), Href: recordHref(r.Issuer, r.ID)}
	cr.Short = strings.TrimPrefix(r.ID, "urn:uuid:")
	if len(cr.Short) > 13 {
		cr.Short = cr.Short[:13] + "…"
	}
	switch {
	case st.Revoked:
		cr.StatusName, cr.StatusClass = "revoked", "bad"
	case st.Suspended:
		cr.StatusName, cr.StatusClass = "suspended", "warn"
	default:
		cr.StatusName, cr.StatusClass = "valid", "ok"
	}
	cr.StatusKey = "console.status." + cr.StatusName
	return cr
}

type consoleRecordsData struct {
	Issuer  consoleIssuer
	Records []consoleRecord
	Older   string // ?before= of the next page; "" at the end
	Newer   bool   // not the first page
	KeepPDF bool   // the server keeps credentials (PDFs of any vc+jwt)
}

func recordHref(issuerName, id string) string {
	return "/console/issuers/" + url.PathEscape(issuerName) + "/credentials/" + url.PathEscape(id)
}

func (h *Handler) consoleRecords(c *echo.Context) error {
	s, _, err := h.consoleIssuerFor(c)
	if s == nil {
		return err
	}
	ctx := c.Request().Context()
	before := c.QueryParam("before")
	if len(before) > 200 {
		before = ""
	}
	recs, err := s.Records(ctx, before, recordsPerPage+1)
	if err != nil {
		return err
	}
	d := consoleRecordsData{Issuer: h.consoleIssuerView(s), Newer: before != ""}
	if len(recs) > recordsPerPage {
		recs = recs[:recordsPerPage]
		d.Older = recs[len(recs)-1].ID
	}
	for _, r := range recs {
		st, _, err := s.Status(ctx, r.ID)
		if err != nil {
			return err
		}
		d.Records = append(d.Records, newConsoleRecord(r, st))
	}
	return h.render(c, http.StatusOK, "console_records", navConsole, d)
}

type consoleRecordData struct {
	Issuer   consoleIssuer
	Record   consoleRecord
	Issued   bool   // just issued (the redirect from the form)
	Changed  string // the status change just made: revoke, suspend, unsuspend
	PDF      bool   // a PDF can be made
	NoPDF    string // why not (dictionary key), when the type has a template
	Token    bool   // the secured credential can be downloaded
	Error    string // dictionary key
	TokenTxt string // the secured credential, right after issuing
}

func (h *Handler) consoleRecord(c *echo.Context) error {
	return h.showRecord(c, http.StatusOK, "")
}

func (h *Handler) showRecord(c *echo.Context, status int, errKey string) error {
	s, _, err := h.consoleIssuerFor(c)
	if s == nil {
		return err
	}
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	ctx := c.Request().Context()
	st, rec, err := s.Status(ctx, id)
	if errors.Is(err, issuer.ErrNotFound) {
		return h.errorPage(c, http.StatusNotFound, "console.err.norecord")
	}
	if err != nil {
		return err
	}
	d := consoleRecordData{
		Issuer:  h.consoleIssuerView(s),
		Record:  newConsoleRecord(rec, st),
		Issued:  c.QueryParam("issued") == "1",
		Changed: c.QueryParam("changed"),
		Error:   errKey,
	}
	switch d.Changed {
	case "", string(issuer.Revoke), string(issuer.Suspend), string(issuer.Unsuspend):
	default:
		d.Changed = ""
	}
	out, err := h.issuedCredential(ctx, c, s, rec)
	if err != nil {
		// A kept credential that does not parse or verify: nothing is
		// made from it (no PDF, no download), and the operator hears of it.
		h.log().ErrorContext(ctx, "console: kept credential refused", "issuer", rec.Issuer, "id", rec.ID, "error", err.Error(), "request_id", httpx.RequestID(c))
	}
	d.Token = out != nil
	if d.Issued && out != nil {
		d.TokenTxt = out.Token
	}
	if h.Documents != nil && h.Documents.Supports(rec.Type) {
		if out != nil {
			d.PDF = true
		} else {
			d.NoPDF = "console.pdf.gone"
		}
	}
	return h.render(c, status, "console_record", navConsole, d)
}

// issuedCredential returns the secured credential of a record: the one
// this session issued, else the one the issuer kept (keep_credentials),
// whose signature is checked with the issuer's key before anything is
// made from it. nil: neither.
func (h *Handler) issuedCredential(ctx context.Context, c *echo.Context, s *issuer.Service, rec issuer.Record) (*issuer.Issued, error) {
	var out *issuer.Issued
	h.session(c, func(ss *consoleSession) { out = ss.kept(rec.Issuer, rec.ID) })
	if out != nil {
		return out, nil
	}
	if len(rec.Credential) == 0 || rec.Format != issuer.FormatVCJWT {
		return nil, nil
	}
	sec, err := jose.ParseCredential(string(rec.Credential))
	if err != nil {
		return nil, err
	}
	p := s.Profile()
	opts := jose.VerifyOptions{Algorithms: []signing.Algorithm{p.Signer.Algorithm}, Keys: ownKey{did: p.DID, key: s.PublicKey()}}
	if err := sec.VerifyProof(ctx, opts); err != nil {
		return nil, fmt.Errorf("web: the kept credential %s does not verify: %w", rec.ID, err)
	}
	return &issuer.Issued{Token: string(rec.Credential), MediaType: jose.MediaTypeCredential, Credential: sec.Credential, Record: rec}, nil
}

// ownKey resolves the issuer's own key and nothing else.
type ownKey struct {
	did string
	key crypto.PublicKey
}

func (k ownKey) ResolveKey(_ context.Context, didURL string, _ did.Relationship) (crypto.PublicKey, error) {
	if d, _, _ := strings.Cut(didURL, "#"); d == k.did {
		return k.key, nil
	}
	return nil, errors.New("web: not the issuer's key")
}

func (h *Handler) consoleStatus(c *echo.Context) error {
	s, _, err := h.consoleIssuerFor(c)
	if s == nil {
		return err
	}
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	a, err := issuer.ParseAction(c.FormValue("action"))
	if err != nil {
		return h.showRecord(c, http.StatusBadRequest, "console.err.action")
	}
	if a == issuer.Revoke && c.FormValue("confirm") != "yes" {
		return h.showRecord(c, http.StatusBadRequest, "console.revoke.confirmfirst")
	}
	_, err = s.SetStatus(c.Request().Context(), id, a)
	switch {
	case errors.Is(err, issuer.ErrNotFound):
		return h.errorPage(c, http.StatusNotFound, "console.err.norecord")
	case errors.Is(err, issuer.ErrRevoked):
		return h.showRecord(c, http.StatusConflict, "console.err.revoked")
	case errors.Is(err, issuer.ErrConflict):
		return h.showRecord(c, http.StatusServiceUnavailable, "console.err.busy")
	case err != nil:
		return err
	}
	h.log().InfoContext(c.Request().Context(), "console status change", "issuer", s.Profile().Name, "action", string(a), "request_id", httpx.RequestID(c))
	return c.Redirect(http.StatusSeeOther, recordHref(s.Profile().Name, id)+"?changed="+string(a))
}

func (h *Handler) downloadable(c *echo.Context) (*issuer.Service, *issuer.Issued, error) {
	s, _, err := h.consoleIssuerFor(c)
	if s == nil {
		return nil, nil, err
	}
	id, err := httpx.PathParam(c, "id")
	if err != nil {
		return nil, nil, h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	ctx := c.Request().Context()
	_, rec, err := s.Status(ctx, id)
	if errors.Is(err, issuer.ErrNotFound) {
		return nil, nil, h.errorPage(c, http.StatusNotFound, "console.err.norecord")
	}
	if err != nil {
		return nil, nil, err
	}
	out, err := h.issuedCredential(ctx, c, s, rec)
	if err != nil {
		return nil, nil, err
	}
	if out == nil {
		return nil, nil, h.errorPage(c, http.StatusNotFound, "console.pdf.gone")
	}
	return s, out, nil
}

// fileName is a download's name: the type and the credential's UUID.
func fileName(out *issuer.Issued, ext string) string {
	id := strings.TrimPrefix(out.Record.ID, "urn:uuid:")
	id = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, id)
	return out.Record.Type + "-" + id + ext
}

func (h *Handler) consolePDF(c *echo.Context) error {
	s, out, err := h.downloadable(c)
	if out == nil {
		return err
	}
	if h.Documents == nil || !h.Documents.Supports(out.Record.Type) {
		return h.errorPage(c, http.StatusNotFound, "console.pdf.none")
	}
	pdf, err := h.Documents.PDF(c.Request().Context(), s.Profile().Name, out)
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+fileName(out, ".pdf")+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, "application/pdf", pdf)
}

func (h *Handler) consoleToken(c *echo.Context) error {
	_, out, err := h.downloadable(c)
	if out == nil {
		return err
	}
	ext := ".jwt"
	if out.MediaType != jose.MediaTypeCredential {
		ext = ".sd-jwt"
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+fileName(out, ext)+`"`)
	c.Response().Header().Set("Cache-Control", "no-store")
	return c.Blob(http.StatusOK, out.MediaType, []byte(out.Token))
}

// ---- the form ----

// forms are the catalogue types' forms, built once.
var forms = buildForms()

func buildForms() map[string]*typeForm {
	out := map[string]*typeForm{}
	for _, t := range schemas.Types() {
		f, err := newTypeForm(t)
		if err != nil {
			panic(err) // the catalogue is fixed at build time; TestFormRoundTrip covers every type
		}
		out[t.Name] = f
	}
	return out
}

type consoleFormData struct {
	Issuer    consoleIssuer
	Type      consoleType
	Action    string // the form's URL
	Fields    []*fieldView
	Format    string
	HolderKey string
	TxCode    bool
	// Problems lists what the issuer refused, for the summary at the
	// top (each also shows at its input when it has one).
	Problems []formProblem
	Checked  bool // "check" found nothing wrong
	Error    string
	Offers   bool // the issuer makes OpenID4VCI offers
}

type formProblem struct {
	Label, Message, Anchor string
}

// fieldView is one input, fieldset or list of rows of the form.
type fieldView struct {
	V         *View
	Ptr       string
	ID        string
	Label     string
	Member    string
	Kind      string
	InputType string
	Required  bool
	Value     string
	Options   []fieldOption
	Error     string
	Children  []*fieldView
	Rows      []*fieldView // array rows
	RowCount  int
	Removable bool // a row: offer to remove it
	Help      string
}

type fieldOption struct {
	Value, Label string
	Selected     bool
}

func inputID(ptr string) string {
	return "f" + strings.NewReplacer("/", ".", "~", "_", "@", "_").Replace(ptr)
}

// fields renders the form's inputs from a state and the problems found.
func (f *typeForm) fields(v *View, st *formState, errs map[string]string) []*fieldView {
	var out []*fieldView
	for _, n := range f.Roots {
		out = append(out, f.field(v, n, "/"+n.Name, st, errs, false))
	}
	return out
}

func (f *typeForm) field(v *View, n *formNode, ptr string, st *formState, errs map[string]string, row bool) *fieldView {
	fv := &fieldView{V: v, Ptr: ptr, ID: inputID(ptr), Label: v.L(f.label(ptr)), Member: n.Name, Kind: n.Kind,
		Required: n.Required, Error: errs[ptr], Removable: row}
	switch n.Kind {
	case kindObject:
		for _, c := range n.Props {
			fv.Children = append(fv.Children, f.field(v, c, ptr+"/"+c.Name, st, errs, false))
		}
	case kindArray:
		fv.RowCount = st.rows(n, ptr)
		for i := range fv.RowCount {
			fv.Rows = append(fv.Rows, f.field(v, n.Items, fmt.Sprintf("%s/%d", ptr, i), st, errs, true))
		}
	case kindEnum, kindBoolean:
		val := st.Values[ptr]
		opts := n.Enum
		if n.Kind == kindBoolean {
			opts = []string{"true", "false"}
		}
		fv.Options = append(fv.Options, fieldOption{Value: "", Label: "—", Selected: val == ""})
		for _, o := range opts {
			label := o
			if _, ok := dict["value."+o]; ok {
				label = v.T("value."+o) + " (" + o + ")"
			}
			switch o {
			case "true":
				label = v.T("site.yes")
			case "false":
				label = v.T("site.no")
			}
			fv.Options = append(fv.Options, fieldOption{Value: o, Label: label, Selected: val == o})
		}
		fv.Value = val
	default:
		fv.Value = st.Values[ptr]
		fv.InputType = "text"
		switch {
		case n.Kind == kindNumber || n.Kind == kindInteger:
			fv.InputType = "text" // inputmode=decimal; type=number would reformat exact decimals
		case n.Format == "date":
			fv.InputType = "date"
		}
		switch n.Format {
		case "date-time":
			fv.Help = "2026-12-31T23:59:59+07:00"
		case "be-date":
			fv.Help = v.T("console.help.bedate")
		case "partial-date":
			fv.Help = v.T("console.help.partialdate")
		case "thai-citizen-id":
			fv.Help = v.T("console.help.pid")
		case "thai-juristic-id":
			fv.Help = v.T("console.help.juristicid")
		}
		if n.Kind == kindJSON {
			fv.Help = v.T("console.help.json")
		}
	}
	return fv
}

func (h *Handler) consoleFormFor(c *echo.Context) (*issuer.Service, *typeForm, error) {
	s, _, err := h.consoleIssuerFor(c)
	if s == nil {
		return nil, nil, err
	}
	t, err := httpx.PathParam(c, "type")
	if err != nil {
		return nil, nil, h.errorPage(c, http.StatusNotFound, "site.notfound")
	}
	f, ok := forms[t]
	allowed := false
	for _, x := range s.Profile().Types {
		allowed = allowed || x == t
	}
	if !ok || !allowed {
		return nil, nil, h.errorPage(c, http.StatusNotFound, "console.err.notype")
	}
	return s, f, nil
}

func (h *Handler) formData(c *echo.Context, s *issuer.Service, f *typeForm, st *formState, errs map[string]string) (*View, *consoleFormData) {
	v := h.view(c, navConsole, nil)
	d := &consoleFormData{
		Issuer: h.consoleIssuerView(s),
		Type:   consoleType{Name: f.Type.Name, Title: f.Type.Title},
		Action: "/console/issuers/" + url.PathEscape(s.Profile().Name) + "/issue/" + url.PathEscape(f.Type.Name),
		Format: issuer.FormatVCJWT,
		Fields: f.fields(v, st, errs),
		Offers: h.OID4VCI[s.Profile().Name] != nil,
	}
	v.Data = d
	return v, d
}

func (h *Handler) consoleForm(c *echo.Context) error {
	s, f, err := h.consoleFormFor(c)
	if f == nil {
		return err
	}
	st := newFormState()
	if c.QueryParam("example") == "1" {
		var ex map[string]any
		if err := jsonUnmarshalNumbers(f.Type.Example, &ex); err != nil {
			return err
		}
		st = f.fill(ex)
	}
	v, _ := h.formData(c, s, f, st, nil)
	return h.renderView(c, http.StatusOK, "console_issue", v)
}

// consoleSubmit handles the form's buttons: add or remove a row
// (re-render), check (validate without signing), issue, offer.
func (h *Handler) consoleSubmit(c *echo.Context) error {
	s, f, err := h.consoleFormFor(c)
	if f == nil {
		return err
	}
	c.Request().Body = http.MaxBytesReader(c.Response(), c.Request().Body, maxConsoleForm)
	if err := h.checkCSRF(c); err != nil {
		return h.errorPage(c, http.StatusForbidden, "site.csrf")
	}
	form, err := c.FormValues()
	if err != nil {
		return h.errorPage(c, http.StatusBadRequest, "console.err.form")
	}
	st := stateFromForm(form)
	format := form.Get("format")
	if format != issuer.FormatSDJWT {
		format = issuer.FormatVCJWT
	}
	holderKey := strings.TrimSpace(form.Get("holder_key"))
	txCode := form.Get("tx_code") == "1"
	rerender := func(status int, errs map[string]string, problems []formProblem, checked bool, errKey string) error {
		v, d := h.formData(c, s, f, st, errs)
		d.Format, d.HolderKey, d.TxCode = format, holderKey, txCode
		d.Problems, d.Checked, d.Error = problems, checked, errKey
		return h.renderView(c, status, "console_issue", v)
	}
	if p := form.Get(buttonAdd); p != "" {
		f.addRow(st, p)
		return rerender(http.StatusOK, nil, nil, false, "")
	}
	if p := form.Get(buttonDel); p != "" {
		f.removeRow(st, p)
		return rerender(http.StatusOK, nil, nil, false, "")
	}
	doc, errs := f.document(st)
	v := h.view(c, navConsole, nil)
	if len(errs) > 0 {
		return rerender(http.StatusBadRequest, translateFormErrs(v, errs), problemsOf(v, f, translateFormErrs(v, errs)), false, "")
	}
	ctx := c.Request().Context()
	var key crypto.PublicKey
	if holderKey != "" {
		pub, isKey, err := issuer.SubjectKey(holderKey)
		if err != nil || !isKey {
			return rerender(http.StatusBadRequest, nil, nil, false, "console.err.holderkey")
		}
		key = pub
	}
	action := form.Get("action")
	switch action {
	case "issue":
		if format == issuer.FormatSDJWT && key == nil {
			return rerender(http.StatusBadRequest, nil, nil, false, "console.err.sdjwtkey")
		}
		out, err := s.Issue(ctx, issuer.Request{Credential: doc, Format: format, HolderKey: key})
		if err != nil {
			return h.issueFailed(c, err, rerender, v, f)
		}
		h.session(c, func(ss *consoleSession) { ss.keep(out) })
		h.log().InfoContext(ctx, "console issued", "issuer", s.Profile().Name, "type", out.Record.Type, "format", format, "request_id", httpx.RequestID(c))
		return c.Redirect(http.StatusSeeOther, recordHref(s.Profile().Name, out.Record.ID)+"?issued=1")
	case "offer":
		vci := h.OID4VCI[s.Profile().Name]
		if vci == nil {
			return rerender(http.StatusBadRequest, nil, nil, false, "console.err.nooffers")
		}
		out, err := vci.CreateOffer(ctx, oid4vci.OfferRequest{Credential: doc, Format: format, TxCode: txCode})
		if err != nil {
			return h.issueFailed(c, err, rerender, v, f)
		}
		h.log().InfoContext(ctx, "console offer", "issuer", s.Profile().Name, "type", f.Type.Name, "request_id", httpx.RequestID(c))
		return h.render(c, http.StatusCreated, "console_offer", navConsole, consoleOfferData{
			Issuer: h.consoleIssuerView(s), Type: consoleType{Name: f.Type.Name, Title: f.Type.Title}, Format: format,
			URI: out.URI, QR: vci.CredentialIssuer() + "/offers/" + url.PathEscape(out.ID) + "/qr.png",
			TxCode: out.TxCode, Expires: out.ExpiresAt, Wallet: h.Wallet != nil,
		})
	default: // "check", and Enter in a text input
		if _, _, err := s.Prepare(doc); err != nil {
			return h.issueFailed(c, err, rerender, v, f)
		}
		return rerender(http.StatusOK, nil, nil, true, "")
	}
}

// issueFailed shows why the issuer refused the document: at its input
// and in the summary.
func (h *Handler) issueFailed(c *echo.Context, err error, rerender func(int, map[string]string, []formProblem, bool, string) error, v *View, f *typeForm) error {
	var inv *issuer.InvalidError
	switch {
	case errors.As(err, &inv):
		msg := reasonMessage(v, inv.Reason, inv.Msg)
		errs := map[string]string{inv.Field: msg}
		return rerender(http.StatusBadRequest, errs, problemsOf(v, f, errs), false, "")
	case errors.Is(err, issuer.ErrBadRequest), errors.Is(err, issuer.ErrUnknownType),
		errors.Is(err, issuer.ErrTypeNotAllowed), errors.Is(err, issuer.ErrUnsupportedFormat), errors.Is(err, issuer.ErrIssuerMismatch):
		msg := strings.TrimPrefix(err.Error(), "issuer: ")
		return rerender(http.StatusBadRequest, nil, []formProblem{{Message: msg}}, false, "")
	}
	return err
}

// reasonMessage is the sentence for a validation reason in the view's
// language: the dictionary's (console.reason.<reason>), else the
// issuer's English message.
func reasonMessage(v *View, reason, msg string) string {
	if _, ok := dict["console.reason."+reason]; ok {
		return v.T("console.reason." + reason)
	}
	return msg
}

func translateFormErrs(v *View, errs map[string]string) map[string]string {
	out := map[string]string{}
	for p, r := range errs {
		out[p] = v.T("console.input." + r)
	}
	return out
}

// problemsOf lists the problems for the summary, each with the label of
// its member and a link to its input (or fieldset).
func problemsOf(v *View, f *typeForm, errs map[string]string) []formProblem {
	var out []formProblem
	for _, p := range sortedKeys(errs) {
		fp := formProblem{Message: errs[p]}
		if f.nodeAt(p) != nil {
			fp.Anchor = "#" + inputID(p)
			fp.Label = labelPath(v, f, p)
		} else if p != "" {
			fp.Label = p
		}
		out = append(out, fp)
	}
	return out
}

// labelPath names a member by the labels of its path: "Student › Name
// in English › Given name".
func labelPath(v *View, f *typeForm, ptr string) string {
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	var parts []string
	for i := 1; i <= len(toks); i++ {
		p := "/" + strings.Join(toks[:i], "/")
		if p == "/credentialSubject" {
			continue
		}
		parts = append(parts, v.L(f.label(p)))
	}
	return strings.Join(parts, " › ")
}

type consoleOfferData struct {
	Issuer  consoleIssuer
	Type    consoleType
	Format  string
	URI     string
	QR      string
	TxCode  string
	Expires time.Time
	Wallet  bool // the server has the demo wallet: offer a link to it
}

// jsonUnmarshalNumbers decodes JSON with numbers as json.Number (exact
// decimals, as the issuer reads them).
func jsonUnmarshalNumbers(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return dec.Decode(v)
}
