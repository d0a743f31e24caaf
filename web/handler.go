package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Documents renders issued credentials as signed PDF e-certificates.
// *app.Documents implements it.
type Documents interface {
	// Supports reports whether a credential type has a document template.
	Supports(credentialType string) bool
	// PDF renders an issued credential and signs it as its issuer.
	PDF(ctx context.Context, issuerName string, issued *issuer.Issued) ([]byte, error)
}

// Handler serves the pages. Its fields are the app's services the pages
// use; a nil service turns off the pages that need it (they say so).
type Handler struct {
	// Verifier verifies what the portal is given. Required.
	Verifier *verifier.Verifier
	// PDFOptions returns the trust inputs of PDF e-certificates (the
	// document-signing roots). Nil: the portal refuses PDFs.
	PDFOptions func() (verifier.PDFOptions, error)
	// Registry is the trust registry: issuers are named as it names them,
	// and /registry browses it. Nil: issuers are shown by their DID and
	// /registry says there is no registry.
	Registry *registry.Service
	// Presentations is the OpenID4VP verifier (relying party) the
	// portal's "request a presentation" creates requests as (the demo:
	// the employer). Nil: the portal offers no such request.
	Presentations *oid4vp.Service
	// Issuers and OID4VCI are the issuer services and their OpenID4VCI
	// fronts, by profile name.
	Issuers map[string]*issuer.Service
	OID4VCI map[string]*oid4vci.Service
	// Documents renders PDF e-certificates. Nil: none.
	Documents Documents
	// Clients are the API clients and the SHA-256 of their bearer tokens.
	Clients []httpx.Client
	// PublicURL is the server's base URL, e.g. http://127.0.0.1:8080.
	PublicURL string
	// DataDir is the server's data directory.
	DataDir string
	// Log receives errors that are not shown to people; nil: slog.Default().
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// ---- dependencies of page groups in other files (wallet*.go,
	// console*.go) go below this line, each documented. ----

	// Wallet opens the demo holder's wallet (wallet*.go); nil: the server
	// has none and /wallet says so. It is called on the first visit; a
	// failure is retried on the next one.
	Wallet func(ctx context.Context) (*holder.Wallet, error)

	console consoleState // the issuer console's sessions (console_session.go)
	wallet  walletState  // the open demo wallet and what awaits the holder (wallet.go)
}

// routeGroups are the route registrations of the page groups (see
// addRoutes).
var routeGroups []func(h *Handler, e *echo.Echo)

// addRoutes adds a page group's route registration; call it from an init
// function of the group's file.
func addRoutes(f func(h *Handler, e *echo.Echo)) { routeGroups = append(routeGroups, f) }

// Register adds the pages and the assets (/assets/...) to e.
func (h *Handler) Register(e *echo.Echo) {
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	e.GET("/assets/*", func(c *echo.Context) error {
		name := path.Clean(strings.TrimPrefix(c.Request().URL.Path, "/assets/"))
		data, err := fs.ReadFile(static, name)
		if err != nil {
			return echo.ErrNotFound
		}
		c.Response().Header().Set("Cache-Control", "public, max-age=3600")
		return c.Blob(http.StatusOK, contentType(name), data)
	})
	for _, f := range routeGroups {
		f(h, e)
	}
}

func contentType(name string) string {
	switch path.Ext(name) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".ico":
		return "image/x-icon"
	}
	return "application/octet-stream"
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) log() *slog.Logger {
	if h.Log != nil {
		return h.Log
	}
	return slog.Default()
}

// Nav ids, passed to render to mark the active item.
const (
	navVerify   = "verify"
	navWallet   = "wallet"
	navRegistry = "registry"
	navConsole  = "console"
)

// navItem is a link of the header's navigation.
type navItem struct {
	ID, Path, Label string // Label is a dictionary key
}

var navItems = []navItem{
	{navVerify, "/", "site.nav.verify"},
	{navWallet, "/wallet", "site.nav.wallet"},
	{navRegistry, "/registry", "site.nav.registry"},
	{navConsole, "/console", "site.nav.console"},
}

// View is what a page's templates see.
type View struct {
	Lang string // "th" or "en"
	Nav  string // the active nav item
	Path string // the request's path
	// Query is the request's query without "lang" (for the language
	// switch).
	Query url.Values
	CSRF  string
	Data  any
}

// T returns the dictionary's sentence for key in the view's language,
// formatted with args when there are any.
func (v *View) T(key string, args ...any) string { return translate(v.Lang, key, args...) }

// L picks the view's language from a map by language tag ("th", "en"),
// then the other one, then any value.
func (v *View) L(m map[string]string) string {
	if s := m[v.Lang]; s != "" {
		return s
	}
	if s := m[otherLang(v.Lang)]; s != "" {
		return s
	}
	for _, s := range m {
		if s != "" {
			return s
		}
	}
	return ""
}

// Other is the language the switch offers.
func (v *View) Other() string { return otherLang(v.Lang) }

// SwitchURL is the current page in the other language.
func (v *View) SwitchURL() string {
	q := url.Values{}
	for k, vs := range v.Query {
		q[k] = vs
	}
	q.Set("lang", v.Other())
	return v.Path + "?" + q.Encode()
}

// Sub is a partial template's data: the view and a value of the page
// ({{template "issuer" ($.With .Issuer)}}; inside, .V.T and .X).
type Sub struct {
	V *View
	X any
}

// With pairs the view with x for a partial template.
func (v *View) With(x any) Sub { return Sub{V: v, X: x} }

// NavItems are the header's links.
func (v *View) NavItems() []navItem { return navItems }

// Date formats a time as a date, in the Buddhist Era for Thai.
func (v *View) Date(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatDate(v.Lang, t)
}

// DateTime formats a time as a date and a time of day (UTC).
func (v *View) DateTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	return v.Date(t) + " " + t.Format("15:04") + " UTC"
}

var thaiMonths = [12]string{"ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.", "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค."}

func otherLang(l string) string {
	if l == "en" {
		return "th"
	}
	return "en"
}

const langCookie = "lang"

// lang returns the request's language: ?lang= (remembered in a cookie),
// else the cookie, else Thai.
func lang(c *echo.Context) string {
	if l := c.QueryParam("lang"); l == "th" || l == "en" {
		c.SetCookie(&http.Cookie{Name: langCookie, Value: l, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, HttpOnly: true})
		return l
	}
	if ck, err := c.Cookie(langCookie); err == nil && (ck.Value == "th" || ck.Value == "en") {
		return ck.Value
	}
	return "th"
}

// view returns the View of a request.
func (h *Handler) view(c *echo.Context, nav string, data any) *View {
	q := url.Values{}
	for k, vs := range c.Request().URL.Query() {
		if k != "lang" {
			q[k] = vs
		}
	}
	return &View{Lang: lang(c), Nav: nav, Path: c.Request().URL.Path, Query: q, CSRF: h.csrfToken(c), Data: data}
}

// render writes the page named page (templates/<page>.html).
func (h *Handler) render(c *echo.Context, status int, page, nav string, data any) error {
	return h.renderView(c, status, page, h.view(c, nav, data))
}

func (h *Handler) renderView(c *echo.Context, status int, page string, v *View) error {
	t, ok := pages[page]
	if !ok {
		return fmt.Errorf("web: no page %q", page)
	}
	var b bytes.Buffer
	if err := t.ExecuteTemplate(&b, "layout", v); err != nil {
		return fmt.Errorf("web: page %s: %w", page, err)
	}
	hd := c.Response().Header()
	hd.Set("Cache-Control", "no-store")
	hd.Set("Vary", "Cookie")
	return c.HTMLBlob(status, b.Bytes())
}

// pages are the parsed pages by name: layout.html with one page file.
var pages = mustParsePages()

func mustParsePages() map[string]*template.Template {
	base := template.Must(template.New("layout.html").ParseFS(templateFS, "templates/layout.html"))
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	out := map[string]*template.Template{}
	for _, n := range names {
		file := path.Base(n)
		if file == "layout.html" {
			continue
		}
		t := template.Must(base.Clone())
		template.Must(t.ParseFS(templateFS, n))
		out[strings.TrimSuffix(file, ".html")] = t
	}
	return out
}

// ---- CSRF ----

const csrfCookie = "csrf"

// csrfToken returns the browser's CSRF token, setting the cookie when
// it has none (a random 128-bit value; Secure as the session cookie is).
func (h *Handler) csrfToken(c *echo.Context) string {
	if ck, err := c.Cookie(csrfCookie); err == nil && len(ck.Value) == 22 {
		return ck.Value
	}
	if tok, ok := c.Get(csrfCookie).(string); ok {
		return tok
	}
	var b [16]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	c.Set(csrfCookie, tok)
	c.SetCookie(&http.Cookie{Name: csrfCookie, Value: tok, Path: "/", SameSite: http.SameSiteStrictMode, HttpOnly: true, Secure: h.secureCookies(c)})
	return tok
}

// checkCSRF checks a state-changing form: its "csrf" field must equal the
// browser's cookie (compared in constant time). It returns a 403 problem
// when it does not.
func (h *Handler) checkCSRF(c *echo.Context) error {
	ck, err := c.Cookie(csrfCookie)
	form := c.FormValue("csrf")
	if err != nil || len(ck.Value) != 22 || subtle.ConstantTimeCompare([]byte(ck.Value), []byte(form)) != 1 {
		return httpx.NewProblem(http.StatusForbidden, "csrf", "the form is stale or came from another site; reload the page and try again")
	}
	return nil
}

// errorPage renders the error page with a sentence from the dictionary.
func (h *Handler) errorPage(c *echo.Context, status int, key string) error {
	v := h.view(c, "", nil)
	v.Data = v.T(key)
	return h.renderView(c, status, "error", v)
}
