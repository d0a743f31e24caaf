package web

import (
	"context"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/issuer/oid4vci/oid4vcitest"
	"github.com/thaitrust/thaitrust/signing"
)

const (
	testToken  = "console-test-token-0123456789abcdef"
	otherToken = "other-client-token-0123456789abcdef"
)

// fakeDocuments makes a "PDF" that names the credential, so tests see
// which credential was rendered.
type fakeDocuments struct{}

func (fakeDocuments) Supports(t string) bool { return t == "DegreeCredential" }
func (fakeDocuments) PDF(_ context.Context, issuerName string, out *issuer.Issued) ([]byte, error) {
	return []byte("%PDF-1.7 " + issuerName + " " + out.Record.ID), nil
}

// consoleServer serves the console of a virtual university (and a DOPA
// the test client may not act for).
func consoleServer(t *testing.T, publicURL string) (*httptest.Server, *issuertest.VirtualIssuer) {
	t.Helper()
	uni := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential", "TranscriptCredential")
	dopa := issuertest.NewVirtualIssuer(t, "dopa", signing.EdDSA, "ThaiCitizenCredential")
	vci, err := oid4vci.New(oid4vci.Config{Issuer: uni.Service, Store: oid4vcitest.NewMemoryStore(), CredentialIssuer: "https://university.thaitrust.test/issuers/university"})
	if err != nil {
		t.Fatal(err)
	}
	h := &Handler{
		Issuers:   map[string]*issuer.Service{"university": uni.Service, "dopa": dopa.Service},
		OID4VCI:   map[string]*oid4vci.Service{"university": vci},
		Documents: fakeDocuments{},
		Clients: []httpx.Client{
			{ID: "registrar", TokenHash: httpx.TokenHash(testToken), Scopes: []string{"university"}},
			{ID: "other", TokenHash: httpx.TokenHash(otherToken), Scopes: []string{"dbd"}},
		},
		PublicURL: publicURL,
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	srv := httptest.NewServer(newTestServer(t, h))
	t.Cleanup(srv.Close)
	return srv, uni
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type page struct {
	status int
	body   string
	header http.Header
}

func (b *browser) get(path string) page {
	b.t.Helper()
	resp, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	return readPage(b.t, resp)
}

func (b *browser) post(path string, form url.Values) page {
	b.t.Helper()
	resp, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	return readPage(b.t, resp)
}

func readPage(t *testing.T, resp *http.Response) page {
	t.Helper()
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return page{resp.StatusCode, string(body), resp.Header}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf returns the CSRF token of the browser (from a page's form).
func (b *browser) csrf() string {
	b.t.Helper()
	p := b.get("/console")
	m := csrfRE.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatalf("no csrf field in /console:\n%s", p.body)
	}
	return m[1]
}

func (b *browser) login(token string) page {
	b.t.Helper()
	return b.post("/console/login", url.Values{"csrf": {b.csrf()}, "token": {token}})
}

// exampleForm is the form filled with the type's example, as posted.
func exampleForm(t *testing.T, typ string) url.Values {
	t.Helper()
	f := forms[typ]
	st := f.fill(issuertest.Example(t, typ))
	form := url.Values{}
	for k, v := range st.Values {
		form.Set(prefixValue+k, v)
	}
	for k, n := range st.Rows {
		form.Set(prefixRows+k, itoa(n))
	}
	return form
}

func itoa(n int) string { return strconv.Itoa(n) }

var (
	inputRE    = regexp.MustCompile(`<input type="[a-z]+" id="[^"]*" name="([^"]+)" value="([^"]*)"`)
	hiddenRE   = regexp.MustCompile(`<input type="hidden" name="([^"]+)" value="([^"]*)"`)
	selectRE   = regexp.MustCompile(`(?s)<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>`)
	selectedRE = regexp.MustCompile(`<option value="([^"]*)" selected>`)
	textRE     = regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>`)
)

// formFromPage reads the values of a rendered form, as a browser would
// post them.
func formFromPage(t *testing.T, body string) url.Values {
	t.Helper()
	f := url.Values{}
	for _, m := range inputRE.FindAllStringSubmatch(body, -1) {
		f.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for _, m := range hiddenRE.FindAllStringSubmatch(body, -1) {
		f.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	for _, m := range selectRE.FindAllStringSubmatch(body, -1) {
		if s := selectedRE.FindStringSubmatch(m[2]); s != nil {
			f.Set(html.UnescapeString(m[1]), html.UnescapeString(s[1]))
		}
	}
	for _, m := range textRE.FindAllStringSubmatch(body, -1) {
		f.Set(html.UnescapeString(m[1]), html.UnescapeString(m[2]))
	}
	return f
}

func TestConsoleNeedsSignIn(t *testing.T) {
	srv, _ := consoleServer(t, "http://127.0.0.1")
	b := newBrowser(t, srv.URL)
	if p := b.get("/console"); p.status != http.StatusOK || !strings.Contains(p.body, `name="token"`) {
		t.Fatalf("/console signed out: %d, want the sign-in form", p.status)
	}
	for _, path := range []string{"/console/issuers/university", "/console/issuers/university/issue/DegreeCredential",
		"/console/issuers/university/credentials/urn:uuid:0", "/console/issuers/university/credentials/urn:uuid:0/pdf"} {
		if p := b.get(path); p.status != http.StatusUnauthorized || !strings.Contains(p.body, `name="token"`) {
			t.Errorf("GET %s signed out: %d, want 401 and the sign-in form", path, p.status)
		}
	}
	form := exampleForm(t, "DegreeCredential")
	form.Set("csrf", b.csrf())
	form.Set("action", "issue")
	if p := b.post("/console/issuers/university/issue/DegreeCredential", form); p.status != http.StatusUnauthorized {
		t.Errorf("issue signed out: %d, want 401", p.status)
	}
}

func TestConsoleLogin(t *testing.T) {
	for _, tc := range []struct {
		name, publicURL string
		secure          bool
	}{{"http", "http://127.0.0.1:8080", false}, {"https", "https://issuer.example", true}} {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := consoleServer(t, tc.publicURL)
			b := newBrowser(t, srv.URL)
			// The CSRF cookie is Secure exactly when the session cookie is.
			var cc *http.Cookie
			for _, c := range (&http.Response{Header: b.get("/console").header}).Cookies() {
				if c.Name == csrfCookie {
					cc = c
				}
			}
			if cc == nil || !cc.HttpOnly || cc.SameSite != http.SameSiteStrictMode || cc.Secure != tc.secure {
				t.Errorf("csrf cookie %+v, want HttpOnly, Strict, Secure %v", cc, tc.secure)
			}
			if p := b.login("wrong-token-0123456789"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, translate("en", "console.login.bad")) && !strings.Contains(p.body, translate("th", "console.login.bad")) {
				t.Fatalf("wrong token: %d", p.status)
			}
			p := b.login(testToken)
			if p.status != http.StatusSeeOther {
				t.Fatalf("sign-in: %d, want 303", p.status)
			}
			var sc *http.Cookie
			for _, c := range (&http.Response{Header: p.header}).Cookies() {
				if c.Name == sessionCookie {
					sc = c
				}
			}
			if sc == nil {
				t.Fatal("no session cookie")
			}
			if !sc.HttpOnly || sc.SameSite != http.SameSiteStrictMode || sc.Secure != tc.secure {
				t.Errorf("session cookie HttpOnly %v SameSite %v Secure %v, want true, Strict, %v", sc.HttpOnly, sc.SameSite, sc.Secure, tc.secure)
			}
			if strings.Contains(sc.Value, testToken) || len(sc.Value) < 40 {
				t.Errorf("session cookie %q", sc.Value)
			}
			home := b.get("/console")
			if home.status != http.StatusOK || !strings.Contains(home.body, "/console/issuers/university/issue/DegreeCredential") {
				t.Fatalf("home after sign-in: %d\n%s", home.status, home.body)
			}
			if strings.Contains(home.body, "/console/issuers/dopa") {
				t.Error("home offers an issuer the client may not act for")
			}
			if strings.Contains(home.body, testToken) {
				t.Error("the token is in the page")
			}
			// Another issuer: forbidden; an unknown one: not found.
			if p := b.get("/console/issuers/dopa"); p.status != http.StatusForbidden {
				t.Errorf("other issuer: %d, want 403", p.status)
			}
			if p := b.get("/console/issuers/nope"); p.status != http.StatusNotFound {
				t.Errorf("unknown issuer: %d, want 404", p.status)
			}
			// Sign out ends the session on the server, not just the cookie.
			old := sc.Value
			if p := b.post("/console/logout", url.Values{"csrf": {b.csrf()}}); p.status != http.StatusSeeOther {
				t.Fatalf("sign-out: %d", p.status)
			}
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/console/issuers/university", nil)
			req.AddCookie(&http.Cookie{Name: sessionCookie, Value: old})
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("old session after sign-out: %d, want 401", resp.StatusCode)
			}
		})
	}
}

func TestConsoleCSRF(t *testing.T) {
	srv, uni := consoleServer(t, "http://127.0.0.1")
	b := newBrowser(t, srv.URL)
	if p := b.post("/console/login", url.Values{"token": {testToken}}); p.status != http.StatusForbidden {
		t.Fatalf("sign-in without CSRF token: %d, want 403", p.status)
	}
	b.login(testToken)
	_, c := uni.IssueExample(t, "DegreeCredential")
	path := recordHref("university", c.ID) + "/status"
	for _, tok := range []string{"", "AAAAAAAAAAAAAAAAAAAAAA"} {
		if p := b.post(path, url.Values{"csrf": {tok}, "action": {"revoke"}, "confirm": {"yes"}}); p.status != http.StatusForbidden {
			t.Errorf("revoke with CSRF token %q: %d, want 403", tok, p.status)
		}
	}
	form := exampleForm(t, "DegreeCredential")
	form.Set("action", "issue")
	if p := b.post("/console/issuers/university/issue/DegreeCredential", form); p.status != http.StatusForbidden {
		t.Errorf("issue without CSRF token: %d, want 403", p.status)
	}
	st, _, err := uni.Service.Status(context.Background(), c.ID)
	if err != nil || st.Revoked {
		t.Fatalf("status after refused revocations: %+v %v", st, err)
	}
	recs, _ := uni.Service.Records(context.Background(), "", 10)
	if len(recs) != 1 {
		t.Errorf("%d records, want only the one issued by the test", len(recs))
	}
}

// TestConsoleIssueRevoke: issue from the form, see it in the list,
// revoke it (after confirming), download the PDF and the token.
func TestConsoleIssueRevoke(t *testing.T) {
	srv, uni := consoleServer(t, "http://127.0.0.1")
	b := newBrowser(t, srv.URL)
	b.login(testToken)
	formPage := b.get("/console/issuers/university/issue/DegreeCredential?example=1")
	if formPage.status != http.StatusOK || !strings.Contains(formPage.body, `name="v:/credentialSubject/student/name/en/given"`) || !strings.Contains(formPage.body, "Nattawut") {
		t.Fatalf("form with example: %d", formPage.status)
	}
	form := exampleForm(t, "DegreeCredential")
	form.Set("v:/credentialSubject/student/name/en/given", "Somchai")
	form.Set("csrf", b.csrf())
	form.Set("action", "issue")
	p := b.post("/console/issuers/university/issue/DegreeCredential", form)
	if p.status != http.StatusSeeOther {
		t.Fatalf("issue: %d\n%s", p.status, p.body)
	}
	loc := p.header.Get("Location")
	recs, err := uni.Service.Records(context.Background(), "", 10)
	if err != nil || len(recs) != 1 {
		t.Fatalf("records %v %v", recs, err)
	}
	id := recs[0].ID
	if loc != recordHref("university", id)+"?issued=1" {
		t.Fatalf("redirect to %s", loc)
	}
	rec := b.get(loc)
	if rec.status != http.StatusOK || !strings.Contains(rec.body, `data-status="valid"`) || !strings.Contains(rec.body, `id="download-pdf"`) {
		t.Fatalf("record page: %d\n%s", rec.status, rec.body)
	}
	list := b.get("/console/issuers/university")
	if !strings.Contains(list.body, `data-id="`+id+`"`) {
		t.Fatalf("the list does not show %s", id)
	}
	// The token is the credential with the edited name.
	tok := b.get(recordHref("university", id) + "/token")
	if tok.status != http.StatusOK || tok.header.Get("Content-Type") != "application/vc+jwt" {
		t.Fatalf("token: %d %s", tok.status, tok.header.Get("Content-Type"))
	}
	out, err := uni.Verifier(t).VerifyCredential(context.Background(), "application/vc+jwt", tok.body), error(nil)
	if err != nil || !out.Verified || out.Credential.Subjects[0]["student"].(map[string]any)["name"].(map[string]any)["en"].(map[string]any)["given"] != "Somchai" {
		t.Fatalf("issued credential: verified %v %+v", out.Verified, out.Errors)
	}
	// Revoking asks for confirmation first.
	path := recordHref("university", id) + "/status"
	if p := b.post(path, url.Values{"csrf": {b.csrf()}, "action": {"revoke"}}); p.status != http.StatusBadRequest {
		t.Errorf("revoke unconfirmed: %d, want 400", p.status)
	}
	if p := b.post(path, url.Values{"csrf": {b.csrf()}, "action": {"explode"}}); p.status != http.StatusBadRequest {
		t.Errorf("unknown action: %d, want 400", p.status)
	}
	if p := b.post(path, url.Values{"csrf": {b.csrf()}, "action": {"suspend"}}); p.status != http.StatusSeeOther {
		t.Fatalf("suspend: %d", p.status)
	}
	if p := b.get(recordHref("university", id)); !strings.Contains(p.body, `data-status="suspended"`) {
		t.Error("not suspended")
	}
	if p := b.post(path, url.Values{"csrf": {b.csrf()}, "action": {"revoke"}, "confirm": {"yes"}}); p.status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", p.status)
	}
	if p := b.get(recordHref("university", id)); !strings.Contains(p.body, `data-status="revoked"`) || strings.Contains(p.body, `id="revoke"`) {
		t.Error("not revoked, or still offers to revoke")
	}
	if p := b.post(path, url.Values{"csrf": {b.csrf()}, "action": {"unsuspend"}}); p.status != http.StatusConflict {
		t.Errorf("reinstate a revoked credential: %d, want 409", p.status)
	}
	st, _, _ := uni.Service.Status(context.Background(), id)
	if !st.Revoked {
		t.Error("the issuer does not have it revoked")
	}
	pdf := b.get(recordHref("university", id) + "/pdf")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || pdf.body != "%PDF-1.7 university "+id ||
		!strings.Contains(pdf.header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("pdf: %d %q %q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
	}
	// Another browser signed in as the same client did not issue it:
	// the virtual issuer keeps credentials, so it gets them from the
	// record (verified with the issuer's key first).
	b2 := newBrowser(t, srv.URL)
	b2.login(testToken)
	if p := b2.get(recordHref("university", id) + "/pdf"); p.status != http.StatusOK {
		t.Errorf("pdf from the kept credential: %d", p.status)
	}
}

// TestConsoleBadInput: what the form cannot read and what the issuer
// refuses are shown at their inputs, and nothing is issued.
func TestConsoleBadInput(t *testing.T) {
	srv, uni := consoleServer(t, "http://127.0.0.1")
	b := newBrowser(t, srv.URL)
	b.login(testToken)
	post := func(edit func(url.Values)) page {
		form := exampleForm(t, "DegreeCredential")
		form.Set("csrf", b.csrf())
		form.Set("action", "issue")
		edit(form)
		return b.post("/console/issuers/university/issue/DegreeCredential?lang=en", form)
	}
	for _, tc := range []struct {
		name   string
		edit   func(url.Values)
		status int
		want   []string
	}{
		{"not a number", func(f url.Values) { f.Set("v:/credentialSubject/summary/gpax", "3,42") },
			http.StatusBadRequest, []string{`id="f.credentialSubject.summary.gpax"`, `aria-invalid="true"`, translate("en", "console.input.number")}},
		{"citizen ID check digit", func(f url.Values) { f.Set("v:/credentialSubject/student/pid", "1103701234564") },
			http.StatusBadRequest, []string{`href="#f.credentialSubject.student.pid"`, translate("en", "console.reason.thai_citizen_id_checksum")}},
		{"missing required", func(f url.Values) { f.Del("v:/credentialSubject/award/level") },
			http.StatusBadRequest, []string{`#f.credentialSubject.award.level`, translate("en", "console.reason.required")}},
		{"enum", func(f url.Values) { f.Set("v:/credentialSubject/award/level", "kindergarten") },
			http.StatusBadRequest, []string{translate("en", "console.reason.enum")}},
		{"SD-JWT without a holder key", func(f url.Values) { f.Set("format", "dc+sd-jwt") },
			http.StatusBadRequest, []string{translate("en", "console.err.sdjwtkey")}},
		{"holder key not a DID key", func(f url.Values) { f.Set("holder_key", "did:web:example.com") },
			http.StatusBadRequest, []string{translate("en", "console.err.holderkey")}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := post(tc.edit)
			if p.status != tc.status {
				t.Fatalf("status %d, want %d\n%s", p.status, tc.status, p.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(p.body, w) && !strings.Contains(p.body, html.EscapeString(w)) {
					t.Errorf("page lacks %q", w)
				}
			}
		})
	}
	if recs, _ := uni.Service.Records(context.Background(), "", 10); len(recs) != 0 {
		t.Errorf("%d credentials issued from bad input", len(recs))
	}
	// The form keeps what was typed.
	p := post(func(f url.Values) { f.Set("v:/credentialSubject/summary/gpax", "3,42") })
	if !strings.Contains(p.body, `value="3,42"`) || !strings.Contains(p.body, `value="Nattawut"`) {
		t.Error("the re-rendered form lost the input")
	}
	// A type the issuer does not issue.
	if p := b.get("/console/issuers/university/issue/ThaiCitizenCredential"); p.status != http.StatusNotFound {
		t.Errorf("other type: %d, want 404", p.status)
	}
	// Check validates without issuing.
	p = post(func(f url.Values) { f.Set("action", "check") })
	if p.status != http.StatusOK || !strings.Contains(p.body, `id="checked"`) {
		t.Errorf("check: %d", p.status)
	}
	if recs, _ := uni.Service.Records(context.Background(), "", 10); len(recs) != 0 {
		t.Errorf("check issued %d credentials", len(recs))
	}
}

// TestConsoleRows: the add and remove buttons change the rows of an
// array and keep the other rows' values.
func TestConsoleRows(t *testing.T) {
	srv, _ := consoleServer(t, "http://127.0.0.1")
	b := newBrowser(t, srv.URL)
	b.login(testToken)
	form := exampleForm(t, "TranscriptCredential")
	form.Set("csrf", b.csrf())
	terms, _ := strconv.Atoi(form.Get("n:/credentialSubject/terms"))
	if terms < 2 {
		t.Fatalf("the example has %d terms; the test needs two", terms)
	}
	second := form.Get("v:/credentialSubject/terms/1/academicYearBE") + "/" + form.Get("v:/credentialSubject/terms/1/semester")
	form.Set(buttonDel, "/credentialSubject/terms/0")
	p := b.post("/console/issuers/university/issue/TranscriptCredential", form)
	if p.status != http.StatusOK || !strings.Contains(p.body, `name="n:/credentialSubject/terms" value="`+itoa(terms-1)+`"`) {
		t.Fatalf("remove: %d", p.status)
	}
	st := stateFromForm(formFromPage(t, p.body))
	if got := st.Values["/credentialSubject/terms/0/academicYearBE"] + "/" + st.Values["/credentialSubject/terms/0/semester"]; got != second {
		t.Errorf("after removing the first term, the first is %s, want %s", got, second)
	}
	form = formFromPage(t, p.body)
	form.Set(buttonAdd, "/credentialSubject/terms/0/courses")
	p = b.post("/console/issuers/university/issue/TranscriptCredential", form)
	n := stateFromForm(formFromPage(t, p.body)).Rows["/credentialSubject/terms/0/courses"]
	if before, _ := strconv.Atoi(form.Get("n:/credentialSubject/terms/0/courses")); n != before+1 {
		t.Errorf("add: %d courses, want %d", n, before+1)
	}
}

// TestConsoleOffer: the offer action makes an OpenID4VCI offer of the
// form's credential, shown once with its QR code and transaction code;
// nothing is issued until a wallet redeems it.
func TestConsoleOffer(t *testing.T) {
	srv, uni := consoleServer(t, "http://127.0.0.1")
	b := newBrowser(t, srv.URL)
	b.login(testToken)
	form := exampleForm(t, "DegreeCredential")
	form.Set("csrf", b.csrf())
	form.Set("action", "offer")
	form.Set("format", "dc+sd-jwt")
	form.Set("tx_code", "1")
	p := b.post("/console/issuers/university/issue/DegreeCredential", form)
	if p.status != http.StatusCreated {
		t.Fatalf("offer: %d\n%s", p.status, p.body)
	}
	for _, want := range []string{"openid-credential-offer://?credential_offer_uri=", `src="https://university.thaitrust.test/issuers/university/offers/`, `id="tx-code"`} {
		if !strings.Contains(p.body, want) && !strings.Contains(p.body, html.EscapeString(want)) {
			t.Errorf("offer page lacks %q", want)
		}
	}
	if strings.Contains(p.body, `id="open-wallet"`) {
		t.Error("a link to a demo wallet the server does not have")
	}
	if recs, _ := uni.Service.Records(context.Background(), "", 10); len(recs) != 0 {
		t.Errorf("an offer issued %d credentials", len(recs))
	}
	// A refused document makes no offer.
	form.Set("v:/credentialSubject/student/pid", "1103701234564")
	if p := b.post("/console/issuers/university/issue/DegreeCredential", form); p.status != http.StatusBadRequest {
		t.Errorf("offer of an invalid document: %d, want 400", p.status)
	}
}
