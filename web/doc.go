// Package web serves the pages people use, in Thai and English: the
// verifier portal (/), the registry browser (/registry), the web wallet
// (/wallet) and the issuer console (/console). Pages are rendered on the
// server with html/template; the few scripts (drag and drop, QR polling)
// are conveniences, and every form works without them. Assets are
// embedded (no CDN): the site works offline.
//
// # Adding a page
//
// Files: a page group lives in web/<group>*.go (handlers) and
// web/templates/<group>*.html (templates); the web wallet is wallet*.go
// and templates/wallet*.html, the issuer console console*.go and
// templates/console*.html. Tests go in <group>*_test.go.
//
// Templates: every file in templates/ except layout.html is one page,
// named by its file name without .html ("wallet", "wallet_card"). A page
// file defines two templates:
//
//	{{define "title"}}...{{end}}     the <title> (the layout appends " · ThaiTrust")
//	{{define "content"}}...{{end}}   what goes inside <main>
//
// and may use the partials of layout.html ("checks", "claims", "issuer",
// "delegation", "csrf"). The data a page's templates see is a *View: .Lang ("th" or
// "en"), .T (the dictionary: {{.T "wallet.title"}}; in a range, use $.T),
// .L (picks a language from a map[string]string, the current one first:
// {{$.L .DisplayName}}), .Nav (the active nav item), .Path, .CSRF and
// .Data (the page's own value), .Date and .DateTime (Buddhist Era in
// Thai), and .With (pairs the view with a value for a partial:
// {{template "issuer" ($.With .Issuer)}}). Render a page with
//
//	return h.render(c, http.StatusOK, "wallet", navWallet, data)
//
// Dictionary: every string a person reads is in dict (i18n.go), or in a
// dictionary a page group adds in its own file through addDict in an
// init function, with both "th" and "en"; keys are prefixed by the
// group: "verify.", "registry.", "wallet.", "console.", and "site." for
// the layout. TestDictionaryComplete fails on a key missing a language
// or a template key missing from the dictionaries.
//
// Routes: a page group registers its routes in an init function
// through addRoutes(func(h *Handler, e *echo.Echo)); Register calls
// them all. Its dependencies are fields of Handler (handler.go): the
// app's issuers, OpenID4VCI and OpenID4VP services, the registry, the
// verifier, the document service, the clients. A group that needs
// another dependency adds a field in the block marked for it in
// handler.go and sets it in internal/app/routes.go (registerWeb).
//
// Nav: the navigation is navItems (handler.go): a key (the nav id
// passed to render), the path and the dictionary key of its label. The
// four items (Verify, Wallet, Registry, Issuer console) are there; an
// item whose path has no route shows anyway, so register the route.
//
// Forms that change state (the console's issue, revoke; the wallet's
// accept, present) must carry {{template "csrf" .}} and their handler
// must call h.checkCSRF(c) first: a per-browser random token in a
// SameSite=Strict cookie compared in constant time with the form's.
//
// Language: ?lang=th|en sets a cookie (one year); otherwise the cookie,
// else Thai. The switch in the header links to the same page with the
// other language.
//
// Browser tests: every web/e2e/*.spec.mjs runs in TestBrowser (make
// test) against a demo server; see web/e2e/run.mjs for what a spec gets
// (pages, the demo API, screenshots). Screenshots marked readme are
// copied to docs/screenshots by make screenshots.
package web
