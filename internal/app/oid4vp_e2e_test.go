package app_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// degreeVCT is the vct of the catalogue's degree as the demo issues it.
const degreeVCT = "https://thaitrust.example/vct/DegreeCredential"

// employerQuery asks for a degree's name, institution and conferral date
// (always visible in the degree) and the student id (selectively
// disclosable), and nothing else.
func employerQuery(extra ...[]any) map[string]any {
	claims := []any{
		map[string]any{"path": []any{"award", "name"}},
		map[string]any{"path": []any{"institution", "name"}},
		map[string]any{"path": []any{"award", "conferralDate"}},
		map[string]any{"path": []any{"student", "studentId"}},
	}
	for _, p := range extra {
		claims = append(claims, map[string]any{"path": p})
	}
	return map[string]any{"credentials": []any{map[string]any{
		"id": "degree", "format": "dc+sd-jwt",
		"meta":   map[string]any{"vct_values": []any{degreeVCT}},
		"claims": claims,
	}}}
}

// vpWallet is a holder wallet (in memory) that talks to the test server
// over HTTP like any wallet.
type vpWallet struct {
	*holder.Wallet
	store *holdertest.MemoryStore
}

func newVPWallet(t *testing.T) *vpWallet {
	t.Helper()
	st := holdertest.NewMemoryStore()
	w, err := holder.New(context.Background(), holder.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return &vpWallet{Wallet: w, store: st}
}

// receive has issuer offer doc as an SD-JWT VC and the wallet redeem the
// offer; it returns the credential as stored and the issuer's record id.
func (w *vpWallet) receive(t *testing.T, s *testServer, issuerName string, doc map[string]any) (*holder.Credential, string) {
	t.Helper()
	off := s.do(t, request{method: "POST", path: "/issuers/" + issuerName + "/offers", token: demoToken,
		body: map[string]any{"credential": doc, "format": "dc+sd-jwt"}}).want(t, 201).JSON(t)
	creds, err := w.Receive(context.Background(), off["offer_uri"].(string), holder.ReceiveOptions{})
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	if len(creds) != 1 || creds[0].Format != holder.FormatSDJWT {
		t.Fatalf("received %+v", creds)
	}
	recs := s.do(t, request{method: "GET", path: "/issuers/" + issuerName + "/credentials", token: demoToken}).want(t, 200).JSON(t)["records"].([]any)
	return creds[0], recs[0].(map[string]any)["id"].(string) // newest first
}

// sdjwt returns the stored SD-JWT and holder key of credential c.
func (w *vpWallet) sdjwt(t *testing.T, c *holder.Credential) (*sdjwt.SDJWT, *holder.Key) {
	t.Helper()
	ctx := context.Background()
	stored, err := w.store.GetCredential(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := sdjwt.Parse(stored.Raw)
	if err != nil {
		t.Fatal(err)
	}
	key, err := w.store.GetKey(ctx, stored.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	return sd, key
}

// createRequest has the employer create a presentation request.
func createRequest(t *testing.T, s *testServer, query map[string]any) (id, requestURI string) {
	t.Helper()
	r := s.do(t, request{method: "POST", path: "/verifier/requests", token: demoToken, body: map[string]any{
		"dcql_query": query,
		"purpose":    map[string]any{"th": "ตรวจสอบวุฒิการศึกษาเพื่อสมัครงาน", "en": "Check the degree of a job applicant"},
	}}).want(t, 201).JSON(t)
	id, _ = r["id"].(string)
	requestURI, _ = r["request_uri"].(string)
	if id == "" || !strings.HasPrefix(requestURI, "openid4vp://?") {
		t.Fatalf("created %v", r)
	}
	return id, requestURI
}

// result reads the employer's view of request id.
func result(t *testing.T, s *testServer, id string) *oid4vp.View {
	t.Helper()
	r := s.do(t, request{method: "GET", path: "/verifier/requests/" + id, token: demoToken}).want(t, 200)
	var v oid4vp.View
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// postResponse posts a direct_post response form and returns the status
// and the decoded body.
func postResponse(t *testing.T, responseURI string, form url.Values) (int, map[string]any) {
	t.Helper()
	resp, err := http.PostForm(responseURI, form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("response endpoint answered %d, not JSON: %s", resp.StatusCode, raw)
	}
	return resp.StatusCode, m
}

// TestDemoOID4VP drives the issue 3 path on the demo server: the
// university offers a degree (dc+sd-jwt), a wallet receives it, the
// employer asks for four claims, the wallet shows the holder exactly what
// would leave and presents, and the employer's result holds those claims
// and nothing else.
func TestDemoOID4VP(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	w := newVPWallet(t)
	cred, _ := w.receive(t, s, "university", issuertest.Example(t, "DegreeCredential"))

	// The employer is a did:web served here, whose document the wallet
	// resolves to check the request object's signature.
	employer, ok := s.App.OID4VP("employer")
	if !ok {
		t.Fatal("no employer verifier in the demo")
	}
	wantDID := "did:web:" + strings.ReplaceAll(strings.TrimPrefix(s.URL, "http://"), ":", "%3A") + ":verifiers:employer"
	if employer.DID() != wantDID || employer.ClientID() != "decentralized_identifier:"+wantDID {
		t.Fatalf("employer DID %s client_id %s, want %s", employer.DID(), employer.ClientID(), wantDID)
	}
	doc := s.do(t, request{method: "GET", path: "/verifiers/employer/did.json"}).want(t, 200).JSON(t)
	if doc["id"] != wantDID {
		t.Fatalf("DID document %v", doc)
	}

	id, uri := createRequest(t, s, employerQuery())
	if v := result(t, s, id); v.Status != oid4vp.StatusPending || v.Result != nil {
		t.Fatalf("new request: %+v", v)
	}
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatalf("resolve request: %v", err)
	}
	if req.Verifier.DID != wantDID || req.Verifier.Name["en"] != "Siam Employer Co., Ltd." || req.Purpose["en"] != "Check the degree of a job applicant" {
		t.Errorf("request as the wallet sees it: %+v", req)
	}
	if v := result(t, s, id); v.Status != oid4vp.StatusFetched {
		t.Errorf("after the wallet fetched it: %s", v.Status)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatalf("prepare: %v", err)
	}
	if len(consent.Items) != 1 || consent.Items[0].Credential.Credentials[0] != cred.ID {
		t.Fatalf("consent %+v", consent.Items)
	}
	var disclosed []string
	for _, c := range consent.Items[0].Disclosed {
		disclosed = append(disclosed, c.Path)
	}
	if !reflect.DeepEqual(disclosed, []string{"/student/studentId"}) {
		t.Errorf("the consent step would disclose %q, want only /student/studentId", disclosed)
	}
	resp, err := w.Respond(ctx, consent)
	if err != nil {
		t.Fatalf("respond: %v", err)
	}
	if resp.Log == nil || resp.Log.Outcome != holder.OutcomeSent {
		t.Errorf("disclosure log %+v", resp.Log)
	}

	v := result(t, s, id)
	if v.Status != oid4vp.StatusAnswered || v.Result == nil || !v.Result.Verified {
		t.Fatalf("result %+v %+v", v, v.Result)
	}
	if len(v.Result.Credentials) != 1 || len(v.Result.Credentials["degree"]) != 1 {
		t.Fatalf("credentials %+v", v.Result.Credentials)
	}
	p := v.Result.Credentials["degree"][0]
	if !p.Verified || p.Issuer != s.DIDs["university"] || p.Type != "DegreeCredential" || p.VCT != degreeVCT {
		t.Errorf("presented %+v", p)
	}
	want := map[string]any{
		"award":       map[string]any{"name": map[string]any{"th": "วิศวกรรมศาสตรบัณฑิต", "en": "Bachelor of Engineering"}, "conferralDate": "2024-05-20"},
		"institution": map[string]any{"name": map[string]any{"th": "มหาวิทยาลัยธารทอง", "en": "Than Thong University"}},
		"student":     map[string]any{"studentId": "6230123421"},
	}
	if !reflect.DeepEqual(p.Claims, want) {
		t.Errorf("the employer saw\n%v\nwant only\n%v", p.Claims, want)
	}
	if !reflect.DeepEqual(p.Disclosed, []string{"/student/studentId"}) {
		t.Errorf("disclosed %q", p.Disclosed)
	}
	// What travelled always-visible and was dropped is named, not kept;
	// what the holder withheld never reached the verifier at all.
	for _, ptr := range []string{"/student/name", "/award/abbreviation", "/institution/code"} {
		if !slices.Contains(p.Discarded, ptr) {
			t.Errorf("discarded %q lacks %s", p.Discarded, ptr)
		}
	}
	raw, _ := json.Marshal(v)
	for _, secret := range []string{"1103701234563", "2001-01-09", "Nattawut", "3.42", "0417"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the employer's result holds %q:\n%s", secret, raw)
		}
	}
	// The wallet's log says who received what, without values.
	var logged []*holder.LogEntry
	w.store.Log(ctx, func(e *holder.LogEntry) error { logged = append(logged, e); return nil })
	if len(logged) != 1 || logged[0].Verifier.DID != wantDID || !slices.Contains(logged[0].Credentials[0].Disclosed, "/student/studentId") {
		t.Errorf("log %+v", logged)
	}
	// The request object is gone once answered.
	u, _ := url.Parse(uri)
	ro, err := http.Get(u.Query().Get("request_uri"))
	if err != nil {
		t.Fatal(err)
	}
	ro.Body.Close()
	if ro.StatusCode != 404 {
		t.Errorf("request object after the answer: %d", ro.StatusCode)
	}
}

// TestDemoOID4VPRefused: each wrong response to the employer fails with
// its own reason, at the response endpoint (400 with the reason) and in
// the employer's result (failed, the reason, no claims).
func TestDemoOID4VPRefused(t *testing.T) {
	s := startServerWith(t, func(cfg *app.Config) {
		// DOPA may sign degrees here, but the registry does not accredit
		// it for them.
		for i := range cfg.Issuers {
			if cfg.Issuers[i].Name == "dopa" {
				cfg.Issuers[i].Types = append(cfg.Issuers[i].Types, "DegreeCredential")
			}
		}
	})
	ctx := context.Background()
	w := newVPWallet(t)
	degree, _ := w.receive(t, s, "university", issuertest.Example(t, "DegreeCredential"))
	sd, key := w.sdjwt(t, degree)
	signer, err := key.Signer()
	if err != nil {
		t.Fatal(err)
	}
	employer, _ := s.App.OID4VP("employer")
	all := []string{"/student/studentId"}

	// present builds a presentation of tok with the disclosures at
	// pointers and a KB-JWT (nil kb: none).
	present := func(t *testing.T, sd *sdjwt.SDJWT, pointers []string, kb *sdjwt.KeyBinding) string {
		t.Helper()
		p, err := sd.Present(pointers, kb)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	kbFor := func(req *holder.Request) *sdjwt.KeyBinding {
		return &sdjwt.KeyBinding{Signer: signer, Audience: req.Verifier.ClientID, Nonce: req.Nonce, IssuedAt: time.Now()}
	}
	token := func(pres string) url.Values {
		raw, _ := json.Marshal(map[string][]string{"degree": {pres}})
		return url.Values{"vp_token": {string(raw)}}
	}
	// refused posts form (with the request's state) and checks the
	// refusal and the employer's result.
	refused := func(t *testing.T, id string, req *holder.Request, form url.Values, reason string) {
		t.Helper()
		form.Set("state", req.State)
		code, body := postResponse(t, req.ResponseURI, form)
		if code != 400 || body["error"] != "invalid_request" || body["reason"] != reason {
			t.Fatalf("response endpoint: %d %v, want 400 invalid_request %s", code, body, reason)
		}
		v := result(t, s, id)
		if v.Status != oid4vp.StatusFailed || v.Result == nil || v.Result.Verified || v.Result.Reason != reason {
			t.Fatalf("result: %s %+v, want failed %s", v.Status, v.Result, reason)
		}
		for _, ps := range v.Result.Credentials {
			for _, p := range ps {
				if p.Claims != nil {
					t.Errorf("a refused response kept claims: %v", p.Claims)
				}
			}
		}
	}
	open := func(t *testing.T, query map[string]any) (string, *holder.Request) {
		t.Helper()
		id, uri := createRequest(t, s, query)
		req, err := w.ResolveRequest(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		return id, req
	}

	t.Run("replayed response", func(t *testing.T) {
		id, req := open(t, employerQuery())
		form := token(present(t, sd, all, kbFor(req)))
		form.Set("state", req.State)
		if code, body := postResponse(t, req.ResponseURI, form); code != 200 {
			t.Fatalf("first response: %d %v", code, body)
		}
		code, body := postResponse(t, req.ResponseURI, form)
		if code != 400 || body["reason"] != oid4vp.ReasonNonceUsed {
			t.Fatalf("replay: %d %v, want 400 nonce_used", code, body)
		}
		// The first answer stands.
		if v := result(t, s, id); v.Status != oid4vp.StatusAnswered || !v.Result.Verified {
			t.Errorf("after the replay: %s %+v", v.Status, v.Result)
		}
		// The same presentation sent to a new request: its KB-JWT is
		// bound to the old nonce.
		id2, req2 := open(t, employerQuery())
		refused(t, id2, req2, token(presentationOf(t, form)), sdjwt.ReasonKBWrongNonce)
	})
	t.Run("tampered disclosure", func(t *testing.T) {
		id, req := open(t, employerQuery())
		pres := present(t, sd, all, nil)
		parts := strings.Split(pres, "~")
		dec, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		forged := strings.Replace(string(dec), "6230123421", "6230999999", 1)
		if forged == string(dec) {
			t.Fatalf("disclosure %s", dec)
		}
		parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
		// Bound with a valid KB-JWT over the forged presentation, so that
		// only the disclosure's digest is wrong.
		kbPres := bindKB(t, strings.Join(parts, "~"), kbFor(req))
		refused(t, id, req, token(kbPres), sdjwt.ReasonDisclosureUnreferenced)
	})
	t.Run("requested claim undisclosed", func(t *testing.T) {
		id, req := open(t, employerQuery())
		refused(t, id, req, token(present(t, sd, nil, kbFor(req))), oid4vp.ReasonClaimMissing)
	})
	t.Run("KB-JWT missing", func(t *testing.T) {
		id, req := open(t, employerQuery())
		refused(t, id, req, token(present(t, sd, all, nil)), sdjwt.ReasonKBMissing)
	})
	t.Run("KB-JWT for another audience", func(t *testing.T) {
		id, req := open(t, employerQuery())
		kb := kbFor(req)
		kb.Audience = "decentralized_identifier:did:web:bank.example"
		refused(t, id, req, token(present(t, sd, all, kb)), sdjwt.ReasonKBWrongAud)
	})
	t.Run("KB-JWT for the verifier's bare DID", func(t *testing.T) {
		// OpenID4VP 1.0: aud is the client_id, prefix included.
		id, req := open(t, employerQuery())
		kb := kbFor(req)
		kb.Audience = employer.DID()
		refused(t, id, req, token(present(t, sd, all, kb)), sdjwt.ReasonKBWrongAud)
	})
	t.Run("revoked credential", func(t *testing.T) {
		rw := newVPWallet(t)
		c, recID := rw.receive(t, s, "university", issuertest.Example(t, "DegreeCredential"))
		s.do(t, request{method: "POST", path: "/issuers/university/credentials/status", token: demoToken,
			body: map[string]any{"credentialId": recID, "action": "revoke"}}).want(t, 200)
		rsd, rkey := rw.sdjwt(t, c)
		rsigner, _ := rkey.Signer()
		id, req := open(t, employerQuery())
		kb := kbFor(req)
		kb.Signer = rsigner
		refused(t, id, req, token(present(t, rsd, all, kb)), "revoked")
	})
	t.Run("untrusted issuer", func(t *testing.T) {
		uw := newVPWallet(t)
		c, _ := uw.receive(t, s, "dopa", issuertest.Example(t, "DegreeCredential"))
		if c.Issuer != s.DIDs["dopa"] {
			t.Fatalf("issuer %s", c.Issuer)
		}
		usd, ukey := uw.sdjwt(t, c)
		usigner, _ := ukey.Signer()
		id, req := open(t, employerQuery())
		kb := kbFor(req)
		kb.Signer = usigner
		refused(t, id, req, token(present(t, usd, all, kb)), "type_not_accredited")
	})
	t.Run("declined", func(t *testing.T) {
		id, req := open(t, employerQuery())
		consent, err := w.Prepare(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Decline(ctx, consent); err != nil {
			t.Fatal(err)
		}
		if v := result(t, s, id); v.Status != oid4vp.StatusDeclined || v.Result != nil {
			t.Fatalf("after declining: %s %+v", v.Status, v.Result)
		}
		// Nothing can answer it afterwards.
		form := token(present(t, sd, all, kbFor(req)))
		form.Set("state", req.State)
		if code, body := postResponse(t, req.ResponseURI, form); code != 400 || body["reason"] != oid4vp.ReasonNonceUsed {
			t.Fatalf("a response after declining: %d %v", code, body)
		}
	})
}

// presentationOf returns the single presentation of a vp_token form.
func presentationOf(t *testing.T, form url.Values) string {
	t.Helper()
	var m map[string][]string
	if err := json.Unmarshal([]byte(form.Get("vp_token")), &m); err != nil || len(m["degree"]) != 1 {
		t.Fatalf("vp_token %s", form.Get("vp_token"))
	}
	return m["degree"][0]
}

// bindKB appends a KB-JWT to an SD-JWT presentation that ends in "~",
// computed over the presentation as given (sdjwt.Present would refuse to
// build one with a forged disclosure).
func bindKB(t *testing.T, pres string, kb *sdjwt.KeyBinding) string {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{
		"iat": kb.IssuedAt.Unix(), "aud": kb.Audience, "nonce": kb.Nonce, "sd_hash": sdjwt.SHA256.Digest(pres),
	})
	tok, err := jws.Sign(kb.Signer, jws.Header{Typ: sdjwt.TypKB}, payload)
	if err != nil {
		t.Fatal(err)
	}
	return pres + tok
}

// TestOID4VPSweeper: a server removes the presentation requests that
// expired more than oid4vp.Retention ago when it starts (and every
// app.SweepInterval after), and keeps those still within retention.
func TestOID4VPSweeper(t *testing.T) {
	dir := t.TempDir()
	if _, err := app.InitDemo(dir, "http://127.0.0.1:1", demoToken); err != nil {
		t.Fatal(err)
	}
	clock := new(issuertest.Clock)
	clock.Set(time.Now().Truncate(time.Second))
	ctx := context.Background()
	open := func() *app.App {
		a, err := app.Open(ctx, app.Options{DataDir: dir, Demo: true, DemoToken: demoToken, Now: clock.Now,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	employer, _ := a.OID4VP("employer")
	nr := oid4vp.NewRequest{Query: employerQuery()}
	old, err := employer.CreateRequest(ctx, nr)
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(oid4vp.Retention)
	recent, err := employer.CreateRequest(ctx, nr)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}

	// Restarted just after the old request's retention ended.
	clock.Set(old.ExpiresAt.Add(oid4vp.Retention + time.Second))
	a = open()
	defer a.Close()
	employer, _ = a.OID4VP("employer")
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := employer.Get(ctx, old.ID)
		if errors.Is(err, oid4vp.ErrNotFound) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatal("the request past its retention was not removed")
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The same sweep kept the one that expired within retention.
	if v, err := employer.Get(ctx, recent.ID); err != nil || v.Status != oid4vp.StatusExpired {
		t.Errorf("the request within retention: %+v %v", v, err)
	}
}

// TestDemoOID4VPAgeOver: DOPA's citizen credential as an SD-JWT VC; a
// verifier that needs a yes/no asks for age_equal_or_over.20 (a derived
// claim) with the value true, and sees that one boolean: no national ID,
// name or birth date.
func TestDemoOID4VPAgeOver(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	w := newVPWallet(t)
	w.receive(t, s, "dopa", issuertest.Example(t, "ThaiCitizenCredential"))
	id, uri := createRequest(t, s, map[string]any{"credentials": []any{map[string]any{
		"id": "citizen", "format": "dc+sd-jwt",
		"meta":   map[string]any{"vct_values": []any{"https://thaitrust.example/vct/ThaiCitizenCredential"}},
		"claims": []any{map[string]any{"path": []any{"age_equal_or_over", "20"}, "values": []any{true}}},
	}}})
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Respond(ctx, consent); err != nil {
		t.Fatal(err)
	}
	v := result(t, s, id)
	if v.Status != oid4vp.StatusAnswered || !v.Result.Verified {
		t.Fatalf("result %s %+v", v.Status, v.Result)
	}
	p := v.Result.Credentials["citizen"][0]
	if want := map[string]any{"age_equal_or_over": map[string]any{"20": true}}; !reflect.DeepEqual(p.Claims, want) {
		t.Errorf("claims %v, want %v", p.Claims, want)
	}
	if len(p.Disclosed) == 0 || !slices.Contains(p.Disclosed, "/age_equal_or_over/20") {
		t.Errorf("disclosed %q", p.Disclosed)
	}
	for _, ptr := range p.Disclosed {
		if !strings.HasPrefix(ptr, "/age_equal_or_over") {
			t.Errorf("disclosed %s", ptr)
		}
	}
	doc := issuertest.Example(t, "ThaiCitizenCredential")["credentialSubject"].(map[string]any)
	raw, _ := json.Marshal(v)
	for _, k := range []string{"pid", "birthDate"} {
		if val, _ := doc[k].(string); val == "" || strings.Contains(string(raw), val) {
			t.Errorf("%s %q: missing from the example, or seen by the verifier", k, val)
		}
	}
}
