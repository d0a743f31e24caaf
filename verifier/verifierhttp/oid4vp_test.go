package verifierhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
	jwsig "github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

const (
	allToken      = "token-for-every-verifier-0123456789"
	employerToken = "token-for-the-employer-0123456789"
	dopaToken     = "token-for-dopa-only-0123456789"
)

const degreeQuery = `{"credentials":[{"id":"degree","format":"dc+sd-jwt",
	"meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},
	"claims":[{"path":["award","name"]},{"path":["student","studentId"]}]}]}`

// vpServer serves two relying parties, employer and bank, on one store.
type vpServer struct {
	URL    string
	vi     *issuertest.VirtualIssuer
	holder *jose.Signer
	degree string
}

func newVPServer(t *testing.T) *vpServer {
	t.Helper()
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	vcfg := vi.VerifierConfig()
	vcfg.TokenStatus = issuertest.TokenStatusChecker(vi.Clock, vi)
	v, err := verifier.New(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	store := oid4vptest.NewMemoryStore()
	services := map[string]*oid4vp.Service{}
	for _, name := range []string{"employer", "bank"} {
		key, _ := signing.GenerateKey(signing.EdDSA)
		id := "did:web:" + name + ".thaitrust.test"
		s, err := oid4vp.New(oid4vp.Config{
			Name: name, DID: id, Signer: jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: id + "#key-1"},
			DisplayName: map[string]string{"en": "The " + name},
			BaseURL:     srv.URL + "/verifiers/" + name, Verifier: v, Store: store, Now: vi.Clock.Now,
		})
		if err != nil {
			t.Fatal(err)
		}
		services[name] = s
	}
	(&verifierhttp.OID4VPHandler{Verifiers: services, Clients: []httpx.Client{
		{ID: "all", TokenHash: httpx.TokenHash(allToken), Scopes: []string{"verifier"}},
		{ID: "employer", TokenHash: httpx.TokenHash(employerToken), Scopes: []string{"verifier:employer"}},
		{ID: "dopa", TokenHash: httpx.TokenHash(dopaToken), Scopes: []string{"dopa"}},
	}}).Register(e)
	hk, _ := signing.GenerateKey(signing.EdDSA)
	is, err := vi.Service.Issue(context.Background(), issuer.Request{Credential: issuertest.Example(t, "DegreeCredential"), Format: issuer.FormatSDJWT, HolderKey: hk.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return &vpServer{URL: srv.URL, vi: vi, holder: &jose.Signer{Key: hk}, degree: is.Token}
}

type httpReply struct {
	status int
	header http.Header
	body   []byte
}

func (r httpReply) json(t *testing.T) map[string]any {
	t.Helper()
	m, err := jsonx.ParseObject(r.body)
	if err != nil {
		t.Fatalf("%d, body not a JSON object: %s", r.status, r.body)
	}
	return m
}

func (s *vpServer) call(t *testing.T, method, path, token, contentType, body string) httpReply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return httpReply{resp.StatusCode, resp.Header, raw}
}

// want checks the status and, for a problem or an OAuth error, the reason.
func (r httpReply) want(t *testing.T, status int, reason string) httpReply {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if reason != "" {
		if got := r.json(t)["reason"]; got != reason {
			t.Fatalf("reason %v, want %s: %s", got, reason, r.body)
		}
	}
	return r
}

func (s *vpServer) create(t *testing.T, token, path, body string) httpReply {
	t.Helper()
	return s.call(t, "POST", path, token, "application/json", body)
}

// TestOID4VPBackOffice: creating requests and reading results needs a
// client token scoped to the verifier; queries are checked.
func TestOID4VPBackOffice(t *testing.T) {
	s := newVPServer(t)
	body := `{"verifier": "employer", "dcql_query": ` + degreeQuery + `, "purpose": {"en": "Check a degree", "th": "ตรวจสอบวุฒิการศึกษา"}}`
	s.create(t, "", "/verifier/requests", body).want(t, 401, "")
	s.create(t, dopaToken, "/verifier/requests", body).want(t, 403, "")
	s.create(t, employerToken, "/verifiers/bank/requests", `{"dcql_query": `+degreeQuery+`}`).want(t, 403, "")
	s.create(t, allToken, "/verifier/requests", `{"dcql_query": `+degreeQuery+`}`).want(t, 400, "verifier_missing")
	s.create(t, allToken, "/verifier/requests", `{"verifier": 1, "dcql_query": `+degreeQuery+`}`).want(t, 400, "verifier_invalid")
	s.create(t, allToken, "/verifier/requests", `{"verifier": "nobody", "dcql_query": `+degreeQuery+`}`).want(t, 404, "")
	s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer"}`).want(t, 400, "dcql_query_missing")
	s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": `+degreeQuery+`, "purpose": "x"}`).want(t, 400, "purpose_invalid")
	s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": `+degreeQuery+`, "purpose": {"en": 1}}`).want(t, 400, "purpose_invalid")
	s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": `+degreeQuery+`, "purpose": {"fr": "x"}}`).want(t, 400, "dcql_query_invalid")
	bad := s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": {"credentials": [{"id": "a", "format": "dc+sd-jwt", "meta": {}}]}}`).want(t, 400, "dcql_query_invalid").json(t)
	if !strings.Contains(string(mustJSON(bad)), "/dcql_query/credentials/0/meta/vct_values") {
		t.Errorf("the problem does not point at the field: %v", bad)
	}

	r := s.create(t, employerToken, "/verifier/requests", body).want(t, 201, "")
	c := r.json(t)
	id, _ := c["id"].(string)
	if id == "" || !strings.HasPrefix(c["request_uri"].(string), "openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Aemployer.thaitrust.test&request_uri=") || c["expires_at"] == nil {
		t.Fatalf("created %v", c)
	}
	if r.header.Get("Location") != "/verifier/requests/"+id {
		t.Errorf("Location %q", r.header.Get("Location"))
	}
	// The named route works too.
	s.create(t, employerToken, "/verifiers/employer/requests", `{"dcql_query": `+degreeQuery+`}`).want(t, 201, "")

	s.call(t, "GET", "/verifier/requests/"+id, "", "", "").want(t, 401, "")
	s.call(t, "GET", "/verifier/requests/"+id, dopaToken, "", "").want(t, 403, "")
	s.call(t, "GET", "/verifier/requests/no-such-request", allToken, "", "").want(t, 404, "")
	g := s.call(t, "GET", "/verifier/requests/"+id, employerToken, "", "").want(t, 200, "")
	if g.header.Get("Cache-Control") != "no-store" {
		t.Errorf("Cache-Control %q", g.header.Get("Cache-Control"))
	}
	if v := g.json(t); v["status"] != "pending" || v["client_id"] != "decentralized_identifier:did:web:employer.thaitrust.test" || v["purpose"].(map[string]any)["en"] != "Check a degree" {
		t.Errorf("view %v", v)
	}
	// The bank's client cannot read the employer's request.
	bankOnly := s.create(t, allToken, "/verifiers/bank/requests", `{"dcql_query": `+degreeQuery+`}`).want(t, 201, "").json(t)["id"].(string)
	s.call(t, "GET", "/verifier/requests/"+bankOnly, employerToken, "", "").want(t, 403, "")
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// TestOID4VPWalletSide: the verifiers' list and DID documents, the
// request object, and the direct_post response endpoint with its OAuth
// errors and reasons.
func TestOID4VPWalletSide(t *testing.T) {
	s := newVPServer(t)
	var list []map[string]any
	json.Unmarshal(s.call(t, "GET", "/verifiers", "", "", "").want(t, 200, "").body, &list)
	if len(list) != 2 || list[0]["name"] != "bank" || list[1]["client_id"] != "decentralized_identifier:did:web:employer.thaitrust.test" {
		t.Errorf("verifiers %v", list)
	}
	d := s.call(t, "GET", "/verifiers/employer/did.json", "", "", "").want(t, 200, "")
	if ct := d.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/did+json") || d.json(t)["id"] != "did:web:employer.thaitrust.test" {
		t.Errorf("DID document %s %s", ct, d.body)
	}
	s.call(t, "GET", "/verifiers/nobody/did.json", "", "", "").want(t, 404, "")

	c := s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": `+degreeQuery+`}`).want(t, 201, "").json(t)
	id := c["id"].(string)
	u, _ := url.Parse(c["request_uri"].(string))
	ro, _ := url.Parse(u.Query().Get("request_uri"))
	if ro.Path != "/verifiers/employer/oid4vp/requests/"+id {
		t.Fatalf("request_uri %s", ro)
	}
	s.call(t, "GET", "/verifiers/bank/oid4vp/requests/"+id, "", "", "").want(t, 404, "")
	obj := s.call(t, "GET", ro.Path, "", "", "").want(t, 200, "")
	if ct := obj.header.Get("Content-Type"); ct != oid4vp.MediaTypeRequest || obj.header.Get("Cache-Control") != "no-store" {
		t.Errorf("request object served as %q, Cache-Control %q", ct, obj.header.Get("Cache-Control"))
	}
	p, err := jwsig.Parse(string(obj.body))
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := jsonx.ParseObject(p.Payload)
	nonce, state, respURI := claims["nonce"].(string), claims["state"].(string), claims["response_uri"].(string)
	if respURI != s.URL+"/verifiers/employer/oid4vp/responses/"+id {
		t.Fatalf("response_uri %s", respURI)
	}
	respPath := strings.TrimPrefix(respURI, s.URL)

	sd, _ := sdjwt.Parse(s.degree)
	pres, err := sd.Present([]string{"/student/studentId"}, &sdjwt.KeyBinding{
		Signer: s.holder.Key, Audience: "decentralized_identifier:did:web:employer.thaitrust.test", Nonce: nonce, IssuedAt: s.vi.Clock.Now(),
	})
	if err != nil {
		t.Fatal(err)
	}
	vp, _ := json.Marshal(map[string][]string{"degree": {pres}})
	good := url.Values{"vp_token": {string(vp)}, "state": {state}}.Encode()
	const formType = "application/x-www-form-urlencoded"

	oauth := func(r httpReply, status int, reason string) {
		t.Helper()
		r.want(t, status, reason)
		m := r.json(t)
		if m["error"] != "invalid_request" || m["error_description"] == "" || r.header.Get("Cache-Control") != "no-store" {
			t.Errorf("OAuth error %v, Cache-Control %q", m, r.header.Get("Cache-Control"))
		}
	}
	oauth(s.call(t, "POST", respPath, "", "application/json", `{"vp_token": {}}`), 400, oid4vp.ReasonResponseInvalid)
	oauth(s.call(t, "POST", respPath, "", formType, "vp_token=%zz"), 400, oid4vp.ReasonResponseInvalid)
	oauth(s.call(t, "POST", respPath, "", formType, strings.Repeat("a", verifierhttp.MaxResponse+1)), 400, oid4vp.ReasonResponseInvalid)
	oauth(s.call(t, "POST", "/verifiers/nobody/oid4vp/responses/"+id, "", formType, good), 404, "not_found")
	oauth(s.call(t, "POST", "/verifiers/employer/oid4vp/responses/no-such-request", "", formType, good), 404, "not_found")
	oauth(s.call(t, "POST", "/verifiers/bank/oid4vp/responses/"+id, "", formType, good), 404, "not_found")
	oauth(s.call(t, "POST", respPath, "", formType, url.Values{"vp_token": {string(vp)}, "state": {"x"}}.Encode()), 400, oid4vp.ReasonStateMismatch)

	if r := s.call(t, "POST", respPath, "", formType, good).want(t, 200, ""); string(r.body) != "{}\n" && string(r.body) != "{}" {
		t.Errorf("accepted response body %q", r.body)
	}
	oauth(s.call(t, "POST", respPath, "", formType, good), 400, oid4vp.ReasonNonceUsed)
	v := s.call(t, "GET", "/verifier/requests/"+id, employerToken, "", "").want(t, 200, "").json(t)
	res, _ := v["result"].(map[string]any)
	if v["status"] != "answered" || res["verified"] != true {
		t.Fatalf("after the response: %v", v)
	}
	// Answered: the request object is no longer served.
	s.call(t, "GET", ro.Path, "", "", "").want(t, 404, "")

	// A refused presentation: 400 with the verifier's reason, recorded.
	c2 := s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": `+degreeQuery+`}`).want(t, 201, "").json(t)
	id2 := c2["id"].(string)
	obj2 := s.call(t, "GET", "/verifiers/employer/oid4vp/requests/"+id2, "", "", "").want(t, 200, "")
	p2, _ := jwsig.Parse(string(obj2.body))
	claims2, _ := jsonx.ParseObject(p2.Payload)
	noKB, _ := sd.Present([]string{"/student/studentId"}, nil)
	vp2, _ := json.Marshal(map[string][]string{"degree": {noKB}})
	oauth(s.call(t, "POST", "/verifiers/employer/oid4vp/responses/"+id2, "", formType,
		url.Values{"vp_token": {string(vp2)}, "state": {claims2["state"].(string)}}.Encode()), 400, sdjwt.ReasonKBMissing)
	v2 := s.call(t, "GET", "/verifier/requests/"+id2, employerToken, "", "").want(t, 200, "").json(t)
	if v2["status"] != "failed" || v2["result"].(map[string]any)["reason"] != sdjwt.ReasonKBMissing {
		t.Errorf("after the refused response: %v", v2)
	}

	// Declining: 200, and the relying party sees it.
	c3 := s.create(t, employerToken, "/verifier/requests", `{"verifier": "employer", "dcql_query": `+degreeQuery+`}`).want(t, 201, "").json(t)
	id3 := c3["id"].(string)
	obj3 := s.call(t, "GET", "/verifiers/employer/oid4vp/requests/"+id3, "", "", "").want(t, 200, "")
	p3, _ := jwsig.Parse(string(obj3.body))
	claims3, _ := jsonx.ParseObject(p3.Payload)
	s.call(t, "POST", "/verifiers/employer/oid4vp/responses/"+id3, "", formType,
		url.Values{"error": {"access_denied"}, "state": {claims3["state"].(string)}}.Encode()).want(t, 200, "")
	if v3 := s.call(t, "GET", "/verifier/requests/"+id3, employerToken, "", "").want(t, 200, "").json(t); v3["status"] != "declined" {
		t.Errorf("after declining: %v", v3)
	}
}
