package web_test

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
)

const portalToken = "web-test-demo-token-0123456789"

// demo is a demo server served over loopback HTTP (its public URL), as
// `thaitrust serve --demo` runs it.
type portalDemo struct {
	URL string
	App *app.App
}

func startPortalDemo(t *testing.T) *portalDemo {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := "http://" + ln.Addr().String()
	if _, err := app.InitDemo(dir, pub, portalToken); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), app.Options{
		DataDir: dir, PublicURL: pub, Demo: true, DemoToken: portalToken, Log: slog.New(slog.DiscardHandler),
	})
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
	return &portalDemo{URL: srv.URL, App: a}
}

// issue has the university issue the catalogue's degree.
func (d *portalDemo) issue(t *testing.T, format string, holderKey crypto.PublicKey) *issuer.Issued {
	t.Helper()
	svc, ok := d.App.Issuer("university")
	if !ok {
		t.Fatal("no university issuer in the demo")
	}
	req := issuer.Request{Credential: issuertest.Example(t, "DegreeCredential"), Format: format}
	if holderKey != nil {
		req.HolderKey = holderKey
	}
	out, err := svc.Issue(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// portalBrowser is an HTTP client with cookies, as a portalBrowser without
// JavaScript is.
type portalBrowser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newPortalBrowser(t *testing.T, base string) *portalBrowser {
	jar, _ := cookiejar.New(nil)
	return &portalBrowser{t: t, base: base, c: &http.Client{Jar: jar}}
}

type portalPage struct {
	Status int
	URL    string
	Body   string
}

func (b *portalBrowser) do(req *http.Request) portalPage {
	b.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return portalPage{resp.StatusCode, resp.Request.URL.String(), string(body)}
}

func (b *portalBrowser) get(path string) portalPage {
	req, _ := http.NewRequest(http.MethodGet, b.base+path, nil)
	return b.do(req)
}

// post submits a multipart form: fields, and a file when name != "".
func (b *portalBrowser) post(path string, fields map[string]string, fileName string, file []byte) portalPage {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	if fileName != "" {
		fw, _ := w.CreateFormFile("file", fileName)
		fw.Write(file)
	}
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, b.base+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return b.do(req)
}

var portalVerdictRE = regexp.MustCompile(`data-verdict="([a-z]+)"`)

func portalVerdict(p portalPage) string {
	m := portalVerdictRE.FindStringSubmatch(p.Body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestPortalVerifies(t *testing.T) {
	d := startPortalDemo(t)
	b := newPortalBrowser(t, d.URL)
	degree := d.issue(t, "", nil)
	revoked := d.issue(t, "", nil)
	if _, err := portalIssuer(t, d).SetStatus(context.Background(), revoked.Record.ID, issuer.Revoke); err != nil {
		t.Fatal(err)
	}
	pdf, err := d.App.Documents().PDF(context.Background(), "university", degree)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("pasted vc+jwt", func(t *testing.T) {
		p := b.post("/verify", map[string]string{"token": degree.Token}, "", nil)
		if p.Status != 200 || portalVerdict(p) != "valid" {
			t.Fatalf("%d %q:\n%s", p.Status, portalVerdict(p), p.Body)
		}
		for _, want := range []string{"มหาวิทยาลัยสยามดิจิทัล", "วิศวกรรมศาสตรบัณฑิต", "ปริญญาบัตร", `href="/registry/entity/university"`, "ปริญญาตรี", "20 พ.ค. 2567"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the result lacks %q", want)
			}
		}
		if n := strings.Count(p.Body, `data-check-status="passed"`); n != 6 {
			t.Errorf("%d passed checks, want 6", n)
		}
	})
	t.Run("the same in English", func(t *testing.T) {
		p := b.post("/verify?lang=en", map[string]string{"token": degree.Token}, "", nil)
		for _, want := range []string{`<html lang="en">`, ">Valid<", "Siam Digital University", "Bachelor of Engineering", "accredited by Ministry of Higher Education", "20 May 2024", "BE 2567"} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("the result lacks %q", want)
			}
		}
		b.get("/?lang=th")
	})
	t.Run("enveloped JSON and a data: URL", func(t *testing.T) {
		env, _ := json.Marshal(map[string]any{"verifiableCredential": map[string]any{
			"@context": "https://www.w3.org/ns/credentials/v2", "type": "EnvelopedVerifiableCredential",
			"id": "data:application/vc+jwt," + degree.Token,
		}})
		for _, in := range []string{string(env), "data:application/vc+jwt," + degree.Token, "\n  " + degree.Token + "\n"} {
			if p := b.post("/verify", map[string]string{"token": in}, "", nil); portalVerdict(p) != "valid" {
				t.Errorf("%.40q: %d %q", in, p.Status, portalVerdict(p))
			}
		}
	})
	t.Run("uploaded PDF", func(t *testing.T) {
		p := b.post("/verify", nil, "degree.pdf", pdf)
		if portalVerdict(p) != "valid" || !strings.Contains(p.Body, "ลายมือชื่อบน PDF") || !strings.Contains(p.Body, "เอกสารรับรองดิจิทัลที่ฝังอยู่ใน PDF") {
			t.Fatalf("%d %q", p.Status, portalVerdict(p))
		}
	})
	t.Run("uploaded SD-JWT VC", func(t *testing.T) {
		_, key := holdertest.NewKey(t)
		sd := d.issue(t, issuer.FormatSDJWT, key.Public())
		p := b.post("/verify", nil, "degree.txt", []byte(sd.Token))
		if portalVerdict(p) != "valid" || !strings.Contains(p.Body, "SD-JWT VC") || !strings.Contains(p.Body, "วิศวกรรมศาสตรบัณฑิต") {
			t.Fatalf("%d %q:\n%s", p.Status, portalVerdict(p), p.Body)
		}
	})
	t.Run("a power of attorney is drawn as a chain", func(t *testing.T) {
		dbd, ok := d.App.Issuer("dbd")
		if !ok {
			t.Fatal("no dbd issuer")
		}
		poa, err := dbd.Issue(context.Background(), issuer.Request{Credential: issuertest.Example(t, "DelegationCredential")})
		if err != nil {
			t.Fatal(err)
		}
		p := b.post("/verify?lang=en", map[string]string{"token": poa.Token}, "", nil)
		b.get("/?lang=th")
		if portalVerdict(p) != "valid" {
			t.Fatalf("%d %q", p.Status, portalVerdict(p))
		}
		chain := p.Body[strings.Index(p.Body, `class="chain delegation"`):]
		chain = chain[:strings.Index(chain, "</ol>")]
		i, j := strings.Index(chain, "Siam Digital Trade Company Limited"), strings.Index(chain, "Mrs. Arunee Thongdee")
		if i < 0 || j < i || !strings.Contains(chain, "Mr. Thanaphon Srisuk, Miss Pimchanok Intharaprasoet") {
			t.Errorf("the chain:\n%s", chain)
		}
		if !strings.Contains(p.Body, "500,000 THB") {
			t.Error("the amount limit is missing")
		}
	})
	t.Run("a PDF's QR code link", func(t *testing.T) {
		for id, want := range map[string]string{
			degree.Record.ID:  "ยังไม่ถูกเพิกถอนหรือระงับ",
			revoked.Record.ID: "ถูกเพิกถอนแล้ว ห้ามรับ",
			"urn:uuid:00000000-0000-7000-8000-000000000000": "เซิร์ฟเวอร์นี้ไม่ได้ออกเอกสารเลขนี้",
		} {
			p := b.get("/verify?id=" + url.QueryEscape(id) + "&sha256=00")
			if p.Status != 200 || !strings.Contains(p.Body, want) || !strings.Contains(p.Body, `id="from-qr"`) {
				t.Errorf("%s: %d, want %q", id, p.Status, want)
			}
		}
	})
	t.Run("revoked", func(t *testing.T) {
		p := b.post("/verify", map[string]string{"token": revoked.Token}, "", nil)
		if p.Status != 200 || portalVerdict(p) != "invalid" {
			t.Fatalf("%d %q", p.Status, portalVerdict(p))
		}
		if !strings.Contains(p.Body, "ผู้ออกเอกสารได้เพิกถอนเอกสารนี้แล้ว") || strings.Count(p.Body, `data-check-status="failed"`) != 1 {
			t.Error("the result does not say the credential is revoked")
		}
		if !strings.Contains(p.Body, "ข้อมูลด้านล่างอาจไม่ถูกต้อง") {
			t.Error("the claims of a failed credential are not marked unverified")
		}
	})
	t.Run("tampered", func(t *testing.T) {
		parts := strings.Split(degree.Token, ".")
		sig := []byte(parts[2])
		// Another base64url character (flipping a bit could make one that
		// is not base64url at all, e.g. 'A' to '@': unreadable, not a bad
		// signature).
		if sig[3] == 'A' {
			sig[3] = 'B'
		} else {
			sig[3] = 'A'
		}
		p := b.post("/verify", map[string]string{"token": parts[0] + "." + parts[1] + "." + string(sig)}, "", nil)
		if portalVerdict(p) != "invalid" || !strings.Contains(p.Body, "ลายมือชื่อไม่ถูกต้อง") {
			t.Fatalf("%d %q", p.Status, portalVerdict(p))
		}
	})
	t.Run("not a credential", func(t *testing.T) {
		for name, in := range map[string]string{"empty": "", "text": "hello world", "json": `{"a": 1}`, "one dot": "a.b"} {
			p := b.post("/verify", map[string]string{"token": in}, "", nil)
			if p.Status != http.StatusBadRequest || portalVerdict(p) != "" || !strings.Contains(p.Body, `role="alert"`) {
				t.Errorf("%s: %d %q", name, p.Status, portalVerdict(p))
			}
		}
		// What starts like a PDF is verified as one, and fails.
		if p := b.post("/verify", nil, "x.pdf", []byte("%PDF-1.7 nothing")); p.Status != 200 || portalVerdict(p) != "invalid" {
			t.Errorf("a broken PDF: %d %q", p.Status, portalVerdict(p))
		}
		if p := b.post("/verify", nil, "big.pdf", append([]byte("%PDF-"), make([]byte, 9<<20)...)); p.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("a 9 MiB upload: %d", p.Status)
		}
	})
}

func portalIssuer(t *testing.T, d *portalDemo) *issuer.Service {
	s, ok := d.App.Issuer("university")
	if !ok {
		t.Fatal("no university")
	}
	return s
}

var portalCSRF = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestPortalPresentationRequest(t *testing.T) {
	d := startPortalDemo(t)
	ctx := context.Background()
	b := newPortalBrowser(t, d.URL)
	home := b.get("/?lang=en")
	m := portalCSRF.FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatal("the portal has no request form")
	}
	if p := b.post("/verify/requests", map[string]string{"csrf": "forged-forged-forged-x"}, "", nil); p.Status != http.StatusForbidden {
		t.Fatalf("a forged CSRF token: %d", p.Status)
	}
	p := b.post("/verify/requests", map[string]string{"csrf": m[1]}, "", nil)
	if p.Status != 200 || !strings.Contains(p.URL, "/verify/requests/") {
		t.Fatalf("%d %s", p.Status, p.URL)
	}
	reqPath := strings.TrimPrefix(p.URL, d.URL)
	uri := regexp.MustCompile(`(?s)<textarea id="vp-uri"[^>]*>([^<]+)</textarea>`).FindStringSubmatch(p.Body)
	if uri == nil || !strings.Contains(p.Body, "Waiting for the holder") {
		t.Fatalf("the request portalPage:\n%s", p.Body)
	}
	requestURI := portalUnescape(uri[1])
	if qr := b.get(reqPath + "/qr.png"); qr.Status != 200 || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Fatalf("QR code: %d", qr.Status)
	}
	// Another portalBrowser (no cookie) sees nothing of it.
	other := newPortalBrowser(t, d.URL)
	for _, suffix := range []string{"", "/qr.png", "/status"} {
		if o := other.get(reqPath + suffix); o.Status != http.StatusNotFound {
			t.Errorf("another portalBrowser: GET %s: %d", reqPath+suffix, o.Status)
		}
	}
	var st map[string]any
	json.Unmarshal([]byte(b.get(reqPath+"/status").Body), &st)
	if st["final"] != false || st["status"] != "pending" {
		t.Fatalf("status %v", st)
	}

	// A wallet receives a degree and answers.
	w, err := holder.New(ctx, holder.Config{Store: holdertest.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(map[string]any{"credential": issuertest.Example(t, "DegreeCredential"), "format": "dc+sd-jwt"})
	req, _ := http.NewRequest(http.MethodPost, d.URL+"/issuers/university/offers", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+portalToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var off map[string]any
	json.NewDecoder(resp.Body).Decode(&off)
	resp.Body.Close()
	if _, err := w.Receive(ctx, off["offer_uri"].(string), holder.ReceiveOptions{}); err != nil {
		t.Fatalf("receive: %v", err)
	}
	vpReq, err := w.ResolveRequest(ctx, requestURI)
	if err != nil {
		t.Fatalf("resolve: %v", err)
	}
	consent, err := w.Prepare(ctx, vpReq)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if _, err := w.Respond(ctx, consent); err != nil {
		t.Fatalf("respond: %v", err)
	}
	json.Unmarshal([]byte(b.get(reqPath+"/status").Body), &st)
	if st["final"] != true {
		t.Fatalf("status after the answer: %v", st)
	}
	res := b.get(reqPath)
	if portalVerdict(res) != "valid" {
		t.Fatalf("result %q:\n%s", portalVerdict(res), res.Body)
	}
	for _, want := range []string{"Bachelor of Engineering", "Than Thong University", "Mr. Nattawut Chaimongkol", "Siam Digital University", "Check a job applicant"} {
		if !strings.Contains(res.Body, want) {
			t.Errorf("the result lacks %q", want)
		}
	}
	// Only what was asked is kept: the student id was not asked for.
	if strings.Contains(res.Body, "6230123421") {
		t.Error("the result shows the student id, which was not asked for")
	}
}

func portalUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#34;", `"`, "&#39;", "'", "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestRegistryPages(t *testing.T) {
	d := startPortalDemo(t)
	b := newPortalBrowser(t, d.URL)
	p := b.get("/registry?lang=en")
	if p.Status != 200 || strings.Count(p.Body, `class="card entity"`) < 7 || !strings.Contains(p.Body, "/registry/trustlist.jwt") {
		t.Fatalf("%d:\n%s", p.Status, p.Body)
	}
	for q, want := range map[string]int{"q=university": 1, "q=" + url.QueryEscape("มหาวิทยาลัย"): 1, "q=nothing-at-all": 0, "type=DegreeCredential": 2, "kind=identity_provider": 2} {
		p := b.get("/registry?" + q)
		if n := strings.Count(p.Body, `class="card entity"`); n != want {
			t.Errorf("%s: %d entities, want %d", q, n, want)
		}
	}
	// A long query is cut to 200 bytes at a character boundary (67 Thai
	// characters are 201 bytes): the page stays valid UTF-8.
	if p := b.get("/registry?q=" + url.QueryEscape(strings.Repeat("ม", 67))); p.Status != 200 || !utf8.ValidString(p.Body) || !strings.Contains(p.Body, strings.Repeat("ม", 66)) {
		t.Errorf("long Thai query: %d, or its echo is cut inside a character", p.Status)
	}
	// A DID finds its entity.
	uni, _ := d.App.Registry().Entity("university")
	if p := b.get("/registry?q=" + url.QueryEscape(uni.DIDs()[0])); !strings.Contains(p.Body, `href="/registry/entity/university"`) {
		t.Error("searching by DID does not find the university")
	}
	e := b.get("/registry/entity/university")
	if e.Status != 200 || strings.Count(e.Body, "<li") < 5 || !strings.Contains(e.Body, `class="chain small"`) || !strings.Contains(e.Body, `class="timeline"`) {
		t.Fatalf("%d:\n%s", e.Status, e.Body)
	}
	if i, j := strings.Index(e.Body, "Electronic Transactions Development Agency"), strings.Index(e.Body, "Ministry of Higher Education"); i < 0 || j < 0 || i > strings.LastIndex(e.Body, "Ministry of Higher Education") {
		t.Error("the chain of trust does not start at the root")
	}
	if p := b.get("/registry/entity/nobody"); p.Status != http.StatusNotFound || !strings.Contains(p.Body, "No such organisation") {
		t.Errorf("unknown entity: %d", p.Status)
	}
}
