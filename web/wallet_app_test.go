package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// The web wallet against a whole demo server (internal/app): the
// university's OpenID4VCI offers and the employer's OpenID4VP requests,
// over HTTP, as in production.

const demoToken = "web-wallet-test-demo-token-0123456789"

type demoServer struct {
	URL string
	App *app.App
}

func startDemo(t *testing.T) *demoServer {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := "http://" + ln.Addr().String()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(context.Background(), app.Options{DataDir: dir, PublicURL: pub, Demo: true, DemoToken: demoToken, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		a.Close()
	})
	return &demoServer{URL: srv.URL, App: a}
}

// api calls a JSON API route with the demo token.
func (s *demoServer) api(t *testing.T, method, path string, body any) map[string]any {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+demoToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d %s", method, path, resp.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return m
}

func (s *demoServer) offer(t *testing.T, typ, format string) string {
	t.Helper()
	r := s.api(t, "POST", "/issuers/university/offers", map[string]any{"credential": issuertest.Example(t, typ), "format": format})
	return r["offer_uri"].(string)
}

// employerQuery asks for a degree's name and the student's id.
var employerQuery = map[string]any{"credentials": []any{map[string]any{
	"id": "degree", "format": "dc+sd-jwt",
	"meta": map[string]any{"vct_values": []any{"https://thaitrust.example/vct/DegreeCredential"}},
	"claims": []any{
		map[string]any{"path": []any{"award", "name"}},
		map[string]any{"path": []any{"student", "studentId"}},
	},
}}}

func (s *demoServer) request(t *testing.T) (id, uri string) {
	t.Helper()
	r := s.api(t, "POST", "/verifier/requests", map[string]any{
		"dcql_query": employerQuery,
		"purpose":    map[string]any{"th": "ตรวจสอบวุฒิการศึกษา", "en": "Check a degree"},
	})
	return r["id"].(string), r["request_uri"].(string)
}

type wbrowser struct {
	t      *testing.T
	base   string
	c      *http.Client
	header http.Header // added to every request
}

func newWBrowser(t *testing.T, base string) *wbrowser {
	jar, _ := cookiejar.New(nil)
	return &wbrowser{t: t, base: base, header: http.Header{},
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type wpage struct {
	status int
	body   string
	loc    string
}

func (b *wbrowser) do(method, path string, form url.Values) wpage {
	b.t.Helper()
	var rd io.Reader
	if form != nil {
		rd = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, rd)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range b.header {
		req.Header[k] = vs
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return wpage{resp.StatusCode, string(raw), resp.Header.Get("Location")}
}

func (b *wbrowser) get(path string) wpage { return b.do("GET", path, nil) }

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// post submits a form with the CSRF token of the page it is on.
func (b *wbrowser) post(path string, form url.Values) wpage {
	b.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		p := b.get("/wallet/receive")
		if m := csrfField.FindStringSubmatch(p.body); m != nil {
			form.Set("csrf", m[1])
		} else if m := csrfField.FindStringSubmatch(b.get("/console").body); m != nil {
			form.Set("csrf", m[1])
		}
	}
	return b.do("POST", path, form)
}

var (
	acceptRE  = regexp.MustCompile(`action="(/wallet/receive/[^/"]+/accept)"`)
	confirmRE = regexp.MustCompile(`action="(/wallet/present/[^/"]+/confirm)"`)
	declineRE = regexp.MustCompile(`action="(/wallet/present/[^/"]+/decline)"`)
)

func find(t *testing.T, re *regexp.Regexp, body string) string {
	t.Helper()
	m := re.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no %s in\n%s", re, body)
	}
	return html.UnescapeString(m[1])
}

// TestWalletReceivePresent: receive a degree from an offer, see the
// card with its claims checked valid, answer the employer's request
// after the consent page, and find the disclosure in the history; the
// employer got the two claims it asked for and nothing else.
func TestWalletReceivePresent(t *testing.T) {
	s := startDemo(t)
	b := newWBrowser(t, s.URL)
	if p := b.get("/wallet?lang=en"); p.status != http.StatusOK || !strings.Contains(p.body, "No credentials yet") {
		t.Fatalf("empty wallet: %d\n%s", p.status, p.body)
	}
	// Receive: the offer page names the issuer and what it offers.
	p := b.post("/wallet/receive", url.Values{"offer_uri": {s.offer(t, "DegreeCredential", "dc+sd-jwt")}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "Siam Digital University") || !strings.Contains(p.body, "Degree") {
		t.Fatalf("offer page: %d\n%s", p.status, p.body)
	}
	p = b.post(find(t, acceptRE, p.body), nil)
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/wallet/cards/") {
		t.Fatalf("accept: %d %s\n%s", p.status, p.loc, p.body)
	}
	card := b.get(p.loc)
	for _, want := range []string{"Nattawut", "Bachelor of Engineering", `data-verified="true"`, "Checked: valid"} {
		if !strings.Contains(card.body, want) {
			t.Errorf("card page lacks %q", want)
		}
	}
	if list := b.get("/wallet"); !strings.Contains(list.body, `data-type="DegreeCredential"`) {
		t.Error("the list does not show the degree")
	}

	// Present: the consent page shows who asks and exactly what leaves.
	reqID, uri := s.request(t)
	p = b.post("/wallet/present", url.Values{"request_uri": {uri}})
	if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/wallet/present/") {
		t.Fatalf("present: %d\n%s", p.status, p.body)
	}
	consent := b.get(p.loc)
	employer, _ := s.App.OID4VP("employer")
	for _, want := range []string{"Siam Employer Co., Ltd.", employer.DID(), "Check a degree", `id="disclosed-degree"`, "6230123421"} {
		if !strings.Contains(consent.body, want) && !strings.Contains(consent.body, html.EscapeString(want)) {
			t.Errorf("consent page lacks %q", want)
		}
	}
	disclosed := consent.body[strings.Index(consent.body, `id="disclosed-degree"`):]
	disclosed = disclosed[:strings.Index(disclosed, "</div>")]
	for _, secret := range []string{"1103701234563", "2001-01-09"} {
		if strings.Contains(disclosed, secret) {
			t.Errorf("the consent lists %q among the claims asked for", secret)
		}
	}
	done := b.post(find(t, confirmRE, consent.body), nil)
	if done.status != http.StatusOK || !strings.Contains(done.body, `data-outcome="sent"`) {
		t.Fatalf("confirm: %d\n%s", done.status, done.body)
	}
	v := s.api(t, "GET", "/verifier/requests/"+reqID, nil)
	if v["status"] != string(oid4vp.StatusAnswered) {
		t.Fatalf("employer's view: %v", v)
	}
	raw, _ := json.Marshal(v["result"])
	var res oid4vp.Result
	json.Unmarshal(raw, &res)
	got := res.Credentials["degree"][0].Claims
	want := map[string]any{
		"award":   map[string]any{"name": map[string]any{"th": "วิศวกรรมศาสตรบัณฑิต", "en": "Bachelor of Engineering"}},
		"student": map[string]any{"studentId": "6230123421"},
	}
	if g, w := mustJSON(got), mustJSON(want); g != w {
		t.Errorf("the employer has\n%s\nwant only\n%s", g, w)
	}
	for _, secret := range []string{"1103701234563", "Nattawut", "2001-01-09"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the employer's result holds %q", secret)
		}
	}
	// History: the employer, the purpose, the claim labels; no values.
	hist := b.get("/wallet/history")
	if !strings.Contains(hist.body, `data-outcome="sent"`) || !strings.Contains(hist.body, employer.DID()) || strings.Contains(hist.body, "6230123421") {
		t.Errorf("history:\n%s", hist.body)
	}
	// The request was answered: its consent page is gone.
	if p := b.get(strings.TrimSuffix(find(t, confirmRE, consent.body), "/confirm")); p.status != http.StatusNotFound {
		t.Errorf("answered consent page: %d", p.status)
	}
}

// TestWalletDecline: declining sends nothing; the employer learns the
// holder refused; the history records it.
func TestWalletDecline(t *testing.T) {
	s := startDemo(t)
	b := newWBrowser(t, s.URL)
	p := b.post("/wallet/receive", url.Values{"offer_uri": {s.offer(t, "DegreeCredential", "dc+sd-jwt")}})
	b.post(find(t, acceptRE, p.body), nil)
	reqID, uri := s.request(t)
	p = b.post("/wallet/present", url.Values{"request_uri": {uri}})
	consent := b.get(p.loc)
	done := b.post(find(t, declineRE, consent.body), nil)
	if done.status != http.StatusOK || !strings.Contains(done.body, `data-outcome="declined"`) {
		t.Fatalf("decline: %d\n%s", done.status, done.body)
	}
	v := s.api(t, "GET", "/verifier/requests/"+reqID, nil)
	if v["status"] == string(oid4vp.StatusAnswered) {
		t.Errorf("declined, yet the employer's request is %v", v["status"])
	}
	if hist := b.get("/wallet/history"); !strings.Contains(hist.body, `data-outcome="declined"`) {
		t.Error("the history does not record the refusal")
	}
}

// TestWalletBadInput: what is not an offer or a request is refused with
// a sentence, and a request the wallet cannot answer says so.
func TestWalletBadInput(t *testing.T) {
	s := startDemo(t)
	b := newWBrowser(t, s.URL)
	for _, tc := range []struct {
		path, field, value string
		status             int
		want               string
	}{
		{"/wallet/receive", "offer_uri", "", http.StatusBadRequest, "Please paste an offer link."},
		{"/wallet/receive", "offer_uri", "hello", http.StatusBadRequest, "The offer link is not valid"},
		{"/wallet/receive", "offer_uri", "openid-credential-offer://?credential_offer_uri=http%3A%2F%2Fexample.com%2Foffer", http.StatusBadRequest, "The link is not secure"},
		{"/wallet/present", "request_uri", "openid4vp://?client_id=x", http.StatusBadRequest, ""},
		{"/wallet/present", "request_uri", strings.Repeat("a", 9000), http.StatusBadRequest, "Please paste a request link."},
	} {
		p := b.post(tc.path+"?lang=en", url.Values{tc.field: {tc.value}})
		if p.status != tc.status || !strings.Contains(p.body, tc.want) {
			t.Errorf("POST %s %q: %d, want %d with %q\n%s", tc.path, tc.value[:min(len(tc.value), 40)], p.status, tc.status, tc.want, p.body)
		}
	}
	// A request for a degree, with no degree in the wallet.
	_, uri := s.request(t)
	if p := b.post("/wallet/present?lang=en", url.Values{"request_uri": {uri}}); p.status != http.StatusConflict || !strings.Contains(p.body, "holds no credential that answers") {
		t.Errorf("no match: %d\n%s", p.status, p.body)
	}
	if p := b.get("/wallet/cards/nope"); p.status != http.StatusNotFound {
		t.Errorf("unknown card: %d", p.status)
	}
	if p := b.get("/wallet/present/nope"); p.status != http.StatusNotFound {
		t.Errorf("unknown consent: %d", p.status)
	}
	// Every POST needs the CSRF token.
	for _, path := range []string{"/wallet/receive", "/wallet/present", "/wallet/present/x/confirm", "/wallet/present/x/decline", "/wallet/cards/x/delete"} {
		if p := b.post(path, url.Values{"csrf": {"AAAAAAAAAAAAAAAAAAAAAA"}, "offer_uri": {"x"}, "request_uri": {"x"}}); p.status != http.StatusForbidden {
			t.Errorf("POST %s with a foreign CSRF token: %d, want 403", path, p.status)
		}
	}
}

// TestWalletRemote: a request that did not come straight from this
// machine must sign in (a client with the scope wallet or *) first.
func TestWalletRemote(t *testing.T) {
	s := startDemo(t)
	b := newWBrowser(t, s.URL)
	b.header.Set("X-Forwarded-For", "203.0.113.7")
	if p := b.get("/wallet"); p.status != http.StatusUnauthorized || !strings.Contains(p.body, `name="token"`) {
		t.Fatalf("remote /wallet: %d, want the sign-in form", p.status)
	}
	if p := b.post("/wallet/receive", url.Values{"offer_uri": {"x"}}); p.status != http.StatusUnauthorized && p.status != http.StatusForbidden {
		t.Errorf("remote POST: %d", p.status)
	}
	p := b.post("/console/login", url.Values{"token": {demoToken}, "next": {"/wallet"}})
	if p.status != http.StatusSeeOther || p.loc != "/wallet" {
		t.Fatalf("sign-in: %d %s", p.status, p.loc)
	}
	if p := b.get("/wallet"); p.status != http.StatusOK {
		t.Errorf("remote /wallet signed in: %d", p.status)
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
