package oid4vp_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
)

const (
	employerDID  = "did:web:employer.thaitrust.test"
	employerBase = "https://employer.thaitrust.test/verifiers/employer"
	clientID     = "decentralized_identifier:" + employerDID
)

var degreeVCT = schemas.VCT("DegreeCredential")

// fixture is a university (a virtual issuer of degrees and transcripts),
// a holder key with a degree issued to it as an SD-JWT VC, and the
// employer's OpenID4VP verifier trusting the university, on a memory
// store and the university's clock.
type fixture struct {
	vi     *issuertest.VirtualIssuer
	holder crypto.Signer
	key    crypto.Signer // the employer's request-signing key
	store  *oid4vptest.MemoryStore
	cfg    oid4vp.Config
	svc    *oid4vp.Service
	degree string // SD-JWT VC with every disclosure
	id     string // its credential id
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	f := &fixture{vi: issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential", "TranscriptCredential")}
	var err error
	if f.holder, err = signing.GenerateKey(signing.EdDSA); err != nil {
		t.Fatal(err)
	}
	if f.key, err = signing.GenerateKey(signing.EdDSA); err != nil {
		t.Fatal(err)
	}
	vcfg := f.vi.VerifierConfig()
	vcfg.TokenStatus = issuertest.TokenStatusChecker(f.vi.Clock, f.vi)
	v, err := verifier.New(vcfg)
	if err != nil {
		t.Fatal(err)
	}
	f.store = oid4vptest.NewMemoryStore()
	f.cfg = oid4vp.Config{
		Name: "employer", DID: employerDID,
		Signer:      jose.Signer{Key: f.key, Algorithm: signing.EdDSA, KeyID: employerDID + "#key-1"},
		DisplayName: map[string]string{"th": "บริษัท สยามนายจ้าง จำกัด", "en": "Siam Employer Co., Ltd."},
		BaseURL:     employerBase, Verifier: v, Store: f.store, Now: f.vi.Clock.Now,
	}
	if f.svc, err = oid4vp.New(f.cfg); err != nil {
		t.Fatal(err)
	}
	f.degree, f.id = f.issueSD(t, "DegreeCredential", f.holder)
	return f
}

func (f *fixture) issueSD(t testing.TB, typ string, holder crypto.Signer) (string, string) {
	t.Helper()
	is, err := f.vi.Service.Issue(context.Background(), issuer.Request{Credential: issuertest.Example(t, typ), Format: issuer.FormatSDJWT, HolderKey: holder.Public()})
	if err != nil {
		t.Fatal(err)
	}
	return is.Token, is.Credential.ID
}

// wallet is what a wallet learns from a request object.
type wallet struct {
	id, nonce, state, responseURI string
}

// open creates a request for query and fetches its request object as a
// wallet would.
func (f *fixture) open(t testing.TB, query string) wallet {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: parseJSON(t, query)})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.svc.RequestObject(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	claims := f.verifyObject(t, obj)
	return wallet{id: c.ID, nonce: claims["nonce"].(string), state: claims["state"].(string), responseURI: claims["response_uri"].(string)}
}

// verifyObject checks a request object's signature with the employer's
// DID document and returns its claims.
func (f *fixture) verifyObject(t testing.TB, obj string) map[string]any {
	t.Helper()
	p, err := jws.Parse(obj)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.svc.Document()
	var pub crypto.PublicKey
	for _, vm := range doc.VerificationMethod {
		if vm.ID == p.Header.Kid {
			pub, _ = vm.PublicKey()
		}
	}
	if pub == nil || !slices.Contains(doc.Authentication, any(p.Header.Kid)) {
		t.Fatalf("kid %q is not an authentication key of %s", p.Header.Kid, doc.ID)
	}
	if err := p.Verify(pub, jws.VerifyOptions{Algorithms: []signing.Algorithm{signing.EdDSA}}); err != nil {
		t.Fatalf("request object signature: %v", err)
	}
	m, err := jsonx.ParseObject(p.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// present makes a dc+sd-jwt presentation of tok disclosing pointers, with
// a KB-JWT by the fixture's holder for aud and nonce (none when aud is
// "").
func (f *fixture) present(t testing.TB, tok string, pointers []string, aud, nonce string) string {
	t.Helper()
	return presentAs(t, f.holder, f.vi.Clock.Now(), tok, pointers, aud, nonce)
}

func presentAs(t testing.TB, holder crypto.Signer, now time.Time, tok string, pointers []string, aud, nonce string) string {
	t.Helper()
	sd, err := sdjwt.Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	var kb *sdjwt.KeyBinding
	if aud != "" {
		kb = &sdjwt.KeyBinding{Signer: holder, Audience: aud, Nonce: nonce, IssuedAt: now}
	}
	p, err := sd.Present(pointers, kb)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// form is a direct_post response: vp_token {qid: [presentations]} and the
// state.
func form(state string, qid string, pres ...string) url.Values {
	raw, _ := json.Marshal(map[string][]string{qid: pres})
	return url.Values{"vp_token": {string(raw)}, "state": {state}}
}

func parseJSON(t testing.TB, s string) map[string]any {
	t.Helper()
	m, err := jsonx.ParseObject([]byte(s))
	if err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return m
}

// degreeQuery asks for a degree's name, institution, conferral date and
// student id.
const degreeQuery = `{"credentials":[{"id":"degree","format":"dc+sd-jwt",
	"meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},
	"claims":[{"path":["award","name"]},{"path":["institution","name"]},
	          {"path":["award","conferralDate"]},{"path":["student","studentId"]}]}]}`

func TestNew(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		name   string
		change func(c *oid4vp.Config)
	}{
		{"no name", func(c *oid4vp.Config) { c.Name = "" }},
		{"name with a slash", func(c *oid4vp.Config) { c.Name = "a/b" }},
		{"DID not a DID", func(c *oid4vp.Config) { c.DID = "https://employer.example" }},
		{"no signing key", func(c *oid4vp.Config) { c.Signer.Key = nil }},
		{"kid of another DID", func(c *oid4vp.Config) { c.Signer.KeyID = "did:web:other.example#key-1" }},
		{"kid not a DID URL", func(c *oid4vp.Config) { c.Signer.KeyID = employerDID }},
		{"no verifier policy", func(c *oid4vp.Config) { c.Verifier = nil }},
		{"no store", func(c *oid4vp.Config) { c.Store = nil }},
		{"relative base URL", func(c *oid4vp.Config) { c.BaseURL = "/verifiers/employer" }},
		{"base URL with a query", func(c *oid4vp.Config) { c.BaseURL = employerBase + "?x=1" }},
		{"base URL not http", func(c *oid4vp.Config) { c.BaseURL = "ftp://employer.thaitrust.test" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := f.cfg
			tc.change(&cfg)
			if s, err := oid4vp.New(cfg); err == nil || s != nil {
				t.Fatalf("New accepted it: %v", s)
			}
		})
	}
}

// TestCreateRequest: the request goes to the wallet by reference (client_id
// and request_uri only), the request object is signed by a key of the
// verifier's DID with client_id decentralized_identifier:<DID> (OpenID4VP
// 1.0 section 5.9.3), and carries everything the wallet needs.
func TestCreateRequest(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	purpose := map[string]string{"th": "ตรวจสอบวุฒิการศึกษา", "en": "Check a degree"}
	c, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: parseJSON(t, degreeQuery), Purpose: purpose})
	if err != nil {
		t.Fatal(err)
	}
	now := f.vi.Clock.Now()
	if !c.ExpiresAt.Equal(now.Add(oid4vp.DefaultRequestTTL)) {
		t.Errorf("expires at %s, want %s", c.ExpiresAt, now.Add(oid4vp.DefaultRequestTTL))
	}
	u, err := url.Parse(c.RequestURI)
	if err != nil || u.Scheme != "openid4vp" {
		t.Fatalf("request uri %q", c.RequestURI)
	}
	q := u.Query()
	if len(q) != 2 || q.Get("client_id") != clientID || q.Get("request_uri") != employerBase+"/oid4vp/requests/"+c.ID {
		t.Errorf("request uri parameters %v, want client_id %s and request_uri only", q, clientID)
	}
	if f.svc.ClientID() != clientID {
		t.Errorf("ClientID %s", f.svc.ClientID())
	}
	if v, err := f.svc.Get(ctx, c.ID); err != nil || v.Status != oid4vp.StatusPending {
		t.Fatalf("new request: %+v %v", v, err)
	}

	obj, err := f.svc.RequestObject(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := jws.Parse(obj)
	if p.Header.Typ != oid4vp.TypRequest || p.Header.Alg != signing.EdDSA || p.Header.Kid != employerDID+"#key-1" {
		t.Errorf("header %+v", p.Header)
	}
	m := f.verifyObject(t, obj)
	for k, want := range map[string]any{
		"client_id": clientID, "response_type": "vp_token", "response_mode": "direct_post",
		"response_uri": employerBase + "/oid4vp/responses/" + c.ID, "aud": oid4vp.AudienceSelfIssued,
	} {
		if m[k] != want {
			t.Errorf("%s = %v, want %v", k, m[k], want)
		}
	}
	if n, _ := m["nonce"].(string); len(n) < 22 {
		t.Errorf("nonce %q: want at least 128 bits", n)
	}
	if s, _ := m["state"].(string); len(s) < 22 {
		t.Errorf("state %q", m["state"])
	}
	if fmtNum(m["iat"]) != now.Unix() || fmtNum(m["exp"]) != now.Add(oid4vp.DefaultRequestTTL).Unix() {
		t.Errorf("iat %v exp %v", m["iat"], m["exp"])
	}
	if !reflect.DeepEqual(m["dcql_query"], parseJSON(t, degreeQuery)) {
		t.Errorf("dcql_query %v", m["dcql_query"])
	}
	cm, _ := m["client_metadata"].(map[string]any)
	if cm["client_name"] != "Siam Employer Co., Ltd." || cm["client_name#th"] != "บริษัท สยามนายจ้าง จำกัด" {
		t.Errorf("client_metadata %v", cm)
	}
	vpf, _ := cm["vp_formats_supported"].(map[string]any)
	if _, ok := vpf[oid4vp.FormatSDJWT]; !ok {
		t.Errorf("vp_formats_supported %v", vpf)
	}
	if pm, _ := m["purpose"].(map[string]any); pm["en"] != "Check a degree" || pm["th"] != "ตรวจสอบวุฒิการศึกษา" {
		t.Errorf("purpose %v", m["purpose"])
	}
	if v, _ := f.svc.Get(ctx, c.ID); v.Status != oid4vp.StatusFetched || !v.FetchedAt.Equal(now) {
		t.Errorf("after the fetch: %s %s", v.Status, v.FetchedAt)
	}
	// A second fetch (a wallet retrying) gets the same object.
	if again, err := f.svc.RequestObject(ctx, c.ID); err != nil || again != obj {
		t.Errorf("second fetch: %v", err)
	}

	// Every request has its own id, nonce and state.
	w1, w2 := f.open(t, degreeQuery), f.open(t, degreeQuery)
	if w1.id == w2.id || w1.nonce == w2.nonce || w1.state == w2.state || w1.nonce == w1.state {
		t.Errorf("two requests share values: %+v %+v", w1, w2)
	}
	if _, err := f.svc.RequestObject(ctx, "no-such-request"); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("unknown request: %v", err)
	}
}

func fmtNum(x any) int64 {
	switch n := x.(type) {
	case json.Number:
		i, _ := n.Int64()
		return i
	case float64:
		return int64(n)
	}
	return -1
}

func TestCreateRequestRefused(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name    string
		query   string // "" sends none
		purpose map[string]string
		field   string
	}{
		{"no query", "", nil, ""},
		{"no credentials", `{"credentials":[]}`, nil, "/credentials"},
		{"unknown format", `{"credentials":[{"id":"a","format":"mso_mdoc","meta":{"doctype_value":"x"}}]}`, nil, "/credentials/0/format"},
		{"any vct", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{}}]}`, nil, "/credentials/0/meta/vct_values"},
		{"no meta", `{"credentials":[{"id":"a","format":"dc+sd-jwt"}]}`, nil, "/credentials/0/meta"},
		{"binding off", `{"credentials":[{"id":"a","format":"dc+sd-jwt","require_cryptographic_holder_binding":false,"meta":{"vct_values":["x"]}}]}`, nil, "/credentials/0/require_cryptographic_holder_binding"},
		{"trusted_authorities", `{"credentials":[{"id":"a","format":"dc+sd-jwt","trusted_authorities":[{"type":"aki","values":["x"]}],"meta":{"vct_values":["x"]}}]}`, nil, "/credentials/0/trusted_authorities"},
		{"bad id", `{"credentials":[{"id":"a b","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}]}`, nil, "/credentials/0/id"},
		{"duplicate id", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]}},{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["y"]}}]}`, nil, "/credentials/1/id"},
		{"negative index", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]},"claims":[{"path":["a",-1]}]}]}`, nil, "/credentials/0/claims/0/path"},
		{"empty path", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]},"claims":[{"path":[]}]}]}`, nil, "/credentials/0/claims/0/path"},
		{"object value", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]},"claims":[{"path":["a"],"values":[{"x":1}]}]}]}`, nil, "/credentials/0/claims/0/values"},
		{"claim_sets without ids", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]},"claims":[{"path":["a"]}],"claim_sets":[["x"]]}]}`, nil, "/credentials/0/claim_sets"},
		{"claim_sets unknown id", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]},"claims":[{"id":"c","path":["a"]}],"claim_sets":[["d"]]}]}`, nil, "/credentials/0/claim_sets/0"},
		{"credential_sets unknown id", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}],"credential_sets":[{"options":[["b"]]}]}`, nil, "/credential_sets/0/options/0"},
		{"type_values empty", `{"credentials":[{"id":"a","format":"jwt_vc_json","meta":{"type_values":[]}}]}`, nil, "/credentials/0/meta/type_values"},
		{"purpose in another language", degreeQuery, map[string]string{"fr": "x"}, "/purpose"},
		{"purpose empty", degreeQuery, map[string]string{"en": ""}, "/purpose"},
		{"purpose too long", degreeQuery, map[string]string{"en": strings.Repeat("x", 501)}, "/purpose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			nr := oid4vp.NewRequest{Purpose: tc.purpose}
			if tc.query != "" {
				nr.Query = parseJSON(t, tc.query)
			}
			c, err := f.svc.CreateRequest(ctx, nr)
			var qe *oid4vp.QueryError
			if !errors.Is(err, oid4vp.ErrInvalidQuery) || !errors.As(err, &qe) || c != nil {
				t.Fatalf("CreateRequest: %v, %v; want a QueryError", c, err)
			}
			if qe.Field != tc.field {
				t.Errorf("field %q, want %q (%v)", qe.Field, tc.field, err)
			}
		})
	}
	if n, _ := f.store.DeleteExpired(ctx, time.Now().Add(1000*time.Hour)); n != 0 {
		t.Errorf("refused requests were stored: %d", n)
	}
}

// TestRespond: a presentation that discloses what was asked for is
// answered; the result holds exactly the claims of the query, the
// pointers of what was disclosed, and the names (not values) of what
// came along and was dropped.
func TestRespond(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := f.open(t, degreeQuery)
	pres := f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce)
	resp, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", pres))
	if err != nil || resp == nil {
		t.Fatalf("Respond: %v", err)
	}
	v, err := f.svc.Get(ctx, w.id)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != oid4vp.StatusAnswered || v.Result == nil || !v.Result.Verified || v.Result.Reason != "" || len(v.Result.Errors) != 0 {
		t.Fatalf("view %+v result %+v", v, v.Result)
	}
	now := f.vi.Clock.Now()
	if !v.ReceivedAt.Equal(now) || !v.CompletedAt.Equal(now) {
		t.Errorf("received %s completed %s", v.ReceivedAt, v.CompletedAt)
	}
	p := v.Result.Credentials["degree"][0]
	if !p.Verified || p.Format != oid4vp.FormatSDJWT || p.VCT != degreeVCT || p.Type != "DegreeCredential" || p.Issuer != f.vi.DID {
		t.Errorf("presented %+v", p)
	}
	want := map[string]any{
		"award":       map[string]any{"name": map[string]any{"th": "วิศวกรรมศาสตรบัณฑิต", "en": "Bachelor of Engineering"}, "conferralDate": "2024-05-20"},
		"institution": map[string]any{"name": map[string]any{"th": "มหาวิทยาลัยธารทอง", "en": "Than Thong University"}},
		"student":     map[string]any{"studentId": "6230123421"},
	}
	if !reflect.DeepEqual(p.Claims, want) {
		t.Errorf("claims\n%v\nwant\n%v", p.Claims, want)
	}
	if !reflect.DeepEqual(p.Disclosed, []string{"/student/studentId"}) {
		t.Errorf("disclosed %q", p.Disclosed)
	}
	wantDiscarded := []string{
		"/award/abbreviation", "/award/conferralDateBE", "/award/faculty", "/award/honours", "/award/level", "/award/major",
		"/institution/code", "/institution/did", "/student/name",
	}
	if !reflect.DeepEqual(p.Discarded, wantDiscarded) {
		t.Errorf("discarded %q\nwant %q", p.Discarded, wantDiscarded)
	}
	if !passed(p.Checks, verifier.CheckKeyBinding) || !passed(p.Checks, verifier.CheckStatus) || !passed(p.Checks, verifier.CheckIssuerTrust) {
		t.Errorf("checks %+v", p.Checks)
	}
	raw, _ := json.Marshal(v)
	for _, s := range []string{"Nattawut", "B.Eng.", "0417", "Computer Engineering"} {
		if strings.Contains(string(raw), s) {
			t.Errorf("the stored result keeps %q, which was not asked for", s)
		}
	}
	// Answered: the request object is gone, and nothing answers it again.
	if _, err := f.svc.RequestObject(ctx, w.id); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("request object after the answer: %v", err)
	}
}

func passed(cs []verifier.Check, name string) bool {
	for _, c := range cs {
		if c.Check == name {
			return c.Status == verifier.Passed
		}
	}
	return false
}

// TestRespondRefused: every way a response can fail, with its reason, at
// Respond (an *Error) and in the stored result (failed, no claims).
func TestRespondRefused(t *testing.T) {
	const sd = "/student/studentId"
	tests := []struct {
		name  string
		query string // "" is degreeQuery
		// form builds the response to the request the wallet saw.
		form   func(t *testing.T, f *fixture, w wallet) url.Values
		reason string
		// stored: the refusal is recorded in the result (false: refused
		// before the nonce was taken, the request stays open).
		stored bool
	}{
		{
			name: "KB-JWT missing", reason: sdjwt.ReasonKBMissing, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", f.present(t, f.degree, []string{sd}, "", ""))
			},
		},
		{
			name: "KB-JWT for another audience", reason: sdjwt.ReasonKBWrongAud, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", f.present(t, f.degree, []string{sd}, "decentralized_identifier:did:web:bank.example", w.nonce))
			},
		},
		{
			name: "KB-JWT aud without the client_id prefix", reason: sdjwt.ReasonKBWrongAud, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", f.present(t, f.degree, []string{sd}, employerDID, w.nonce))
			},
		},
		{
			name: "KB-JWT with another nonce", reason: sdjwt.ReasonKBWrongNonce, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", f.present(t, f.degree, []string{sd}, clientID, "another-nonce-0123456789"))
			},
		},
		{
			name: "KB-JWT by another key", reason: sdjwt.ReasonKBBadSignature, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				other, _ := signing.GenerateKey(signing.EdDSA)
				pres := f.present(t, f.degree, []string{sd}, "", "")
				return form(w.state, "degree", pres+kbJWT(t, other, pres, clientID, w.nonce, f.vi.Clock.Now()))
			},
		},
		{
			name: "tampered disclosure", reason: sdjwt.ReasonDisclosureUnreferenced, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				pres := f.present(t, f.degree, []string{sd}, "", "")
				parts := strings.Split(pres, "~")
				dec, _ := base64.RawURLEncoding.DecodeString(parts[1])
				forged := strings.Replace(string(dec), "6230123421", "6230999999", 1)
				if forged == string(dec) {
					t.Fatalf("disclosure %s", dec)
				}
				parts[1] = base64.RawURLEncoding.EncodeToString([]byte(forged))
				pres = strings.Join(parts, "~")
				return form(w.state, "degree", pres+kbJWT(t, f.holder, pres, clientID, w.nonce, f.vi.Clock.Now()))
			},
		},
		{
			name: "requested claim undisclosed", reason: oid4vp.ReasonClaimMissing, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", f.present(t, f.degree, nil, clientID, w.nonce))
			},
		},
		{
			name: "revoked", reason: "revoked", stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				f.vi.Revoke(t, f.id)
				return form(w.state, "degree", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
			},
		},
		{
			name: "untrusted issuer", reason: "untrusted_issuer", stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				// A second issuer the verifier resolves but does not trust
				// for degrees.
				mill := issuertest.NewVirtualIssuer(t, "mill", signing.EdDSA, "DegreeCredential")
				cfg := f.vi.VerifierConfig(mill)
				cfg.Trust = issuertest.Trust(f.vi)
				cfg.TokenStatus = issuertest.TokenStatusChecker(f.vi.Clock, f.vi, mill)
				f.resetVerifier(t, cfg)
				is, err := mill.Service.Issue(context.Background(), issuer.Request{Credential: issuertest.Example(t, "DegreeCredential"), Format: issuer.FormatSDJWT, HolderKey: f.holder.Public()})
				if err != nil {
					t.Fatal(err)
				}
				return form(w.state, "degree", f.present(t, is.Token, []string{sd}, clientID, w.nonce))
			},
		},
		{
			name: "another credential type", reason: oid4vp.ReasonCredentialType, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				tok, _ := f.issueSD(t, "TranscriptCredential", f.holder)
				return form(w.state, "degree", f.present(t, tok, []string{sd}, clientID, w.nonce))
			},
		},
		{
			name: "claim value not accepted", reason: oid4vp.ReasonClaimValue, stored: true,
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},
				"claims":[{"path":["award","level"],"values":["master","doctorate"]}]}]}`,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", f.present(t, f.degree, nil, clientID, w.nonce))
			},
		},
		{
			name: "not an SD-JWT", reason: "format_mismatch", stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "degree", "eyJhbGciOiJFZERTQSJ9.e30.c2ln")
			},
		},
		{
			name: "unknown credential query", reason: oid4vp.ReasonUnknownQuery, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form(w.state, "diploma", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
			},
		},
		{
			name: "no presentation", reason: oid4vp.ReasonCredentialMissing, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return url.Values{"vp_token": {"{}"}, "state": {w.state}}
			},
		},
		{
			name: "two presentations for one", reason: oid4vp.ReasonTooMany, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				p := f.present(t, f.degree, []string{sd}, clientID, w.nonce)
				return form(w.state, "degree", p, p)
			},
		},
		{
			name: "vp_token not JSON", reason: oid4vp.ReasonVPTokenInvalid, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return url.Values{"vp_token": {f.present(t, f.degree, []string{sd}, clientID, w.nonce)}, "state": {w.state}}
			},
		},
		{
			name: "vp_token member not an array", reason: oid4vp.ReasonVPTokenInvalid, stored: true,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				raw, _ := json.Marshal(map[string]string{"degree": f.present(t, f.degree, []string{sd}, clientID, w.nonce)})
				return url.Values{"vp_token": {string(raw)}, "state": {w.state}}
			},
		},
		{
			name: "wrong state", reason: oid4vp.ReasonStateMismatch,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return form("not-the-state", "degree", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
			},
		},
		{
			name: "no state", reason: oid4vp.ReasonStateMismatch,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				v := form("", "degree", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
				v.Del("state")
				return v
			},
		},
		{
			name: "vp_token and error", reason: oid4vp.ReasonResponseInvalid,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				v := form(w.state, "degree", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
				v.Set("error", "access_denied")
				return v
			},
		},
		{
			name: "neither vp_token nor error", reason: oid4vp.ReasonResponseInvalid,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				return url.Values{"state": {w.state}}
			},
		},
		{
			name: "vp_token twice", reason: oid4vp.ReasonResponseInvalid,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				v := form(w.state, "degree", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
				v.Add("vp_token", "{}")
				return v
			},
		},
		{
			name: "expired", reason: oid4vp.ReasonRequestExpired,
			form: func(t *testing.T, f *fixture, w wallet) url.Values {
				pres := f.present(t, f.degree, []string{sd}, clientID, w.nonce)
				f.vi.Clock.Advance(oid4vp.DefaultRequestTTL)
				return form(w.state, "degree", pres)
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			q := tc.query
			if q == "" {
				q = degreeQuery
			}
			w := f.open(t, q)
			resp, err := f.svc.Respond(ctx, w.id, tc.form(t, f, w))
			var oe *oid4vp.Error
			if !errors.As(err, &oe) || resp != nil {
				t.Fatalf("Respond: %v, %v; want an *oid4vp.Error", resp, err)
			}
			if oe.Reason != tc.reason || oe.Code != oid4vp.CodeInvalidRequest || oe.Description == "" {
				t.Fatalf("refused with %+v, want reason %s", oe, tc.reason)
			}
			if !errors.Is(err, &oid4vp.Error{Reason: tc.reason}) {
				t.Errorf("errors.Is does not match the reason")
			}
			v, err := f.svc.Get(ctx, w.id)
			if err != nil {
				t.Fatal(err)
			}
			if !tc.stored {
				if v.Result != nil || v.Status.Final() && v.Status != oid4vp.StatusExpired {
					t.Fatalf("a response refused before the nonce was taken changed the request: %s %+v", v.Status, v.Result)
				}
				return
			}
			if v.Status != oid4vp.StatusFailed || v.Result == nil || v.Result.Verified || v.Result.Reason != tc.reason ||
				v.Result.Message == "" || v.Result.MessageTH == "" || len(v.Result.Errors) == 0 {
				t.Fatalf("stored %s %+v, want failed with %s", v.Status, v.Result, tc.reason)
			}
			for _, ps := range v.Result.Credentials {
				for _, p := range ps {
					if p.Claims != nil {
						t.Errorf("a refused response kept claims %v", p.Claims)
					}
				}
			}
			// The nonce is spent: even a good response is a replay now.
			good := form(w.state, "degree", f.present(t, f.degree, []string{sd}, clientID, w.nonce))
			if _, err := f.svc.Respond(ctx, w.id, good); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonNonceUsed}) {
				t.Errorf("a response after a refused one: %v, want nonce_used", err)
			}
		})
	}
}

// resetVerifier rebuilds the service on a verifier of cfg (same store).
func (f *fixture) resetVerifier(t testing.TB, cfg verifier.Config) {
	t.Helper()
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c := f.cfg
	c.Verifier = v
	if f.svc, err = oid4vp.New(c); err != nil {
		t.Fatal(err)
	}
}

// kbJWT signs a KB-JWT over presented (an SD-JWT presentation ending in
// "~") with key.
func kbJWT(t testing.TB, key crypto.Signer, presented, aud, nonce string, iat time.Time) string {
	t.Helper()
	payload, _ := json.Marshal(map[string]any{"iat": iat.Unix(), "aud": aud, "nonce": nonce, "sd_hash": sdjwt.SHA256.Digest(presented)})
	tok, err := jws.Sign(key, jws.Header{Typ: sdjwt.TypKB}, payload)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// TestRespondStateMismatchKeepsNonce: a stray post with the wrong state
// does not spend the nonce; the holder's response still goes through.
func TestRespondStateMismatchKeepsNonce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := f.open(t, degreeQuery)
	pres := f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce)
	if _, err := f.svc.Respond(ctx, w.id, form("guess", "degree", pres)); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonStateMismatch}) {
		t.Fatalf("wrong state: %v", err)
	}
	if _, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", pres)); err != nil {
		t.Fatalf("the holder's response after a stray post: %v", err)
	}
}

// TestRespondReplay: the same response twice; the second is nonce_used
// and the first answer stands.
func TestRespondReplay(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := f.open(t, degreeQuery)
	resp := form(w.state, "degree", f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce))
	if _, err := f.svc.Respond(ctx, w.id, resp); err != nil {
		t.Fatal(err)
	}
	before, _ := f.svc.Get(ctx, w.id)
	f.vi.Clock.Advance(time.Second)
	if _, err := f.svc.Respond(ctx, w.id, resp); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonNonceUsed}) {
		t.Fatalf("replay: %v", err)
	}
	after, _ := f.svc.Get(ctx, w.id)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the replay changed the request:\n%+v\n%+v", before, after)
	}
	// The same presentation to another request fails on its nonce.
	w2 := f.open(t, degreeQuery)
	resp.Set("state", w2.state)
	if _, err := f.svc.Respond(ctx, w2.id, resp); !errors.Is(err, &oid4vp.Error{Reason: sdjwt.ReasonKBWrongNonce}) {
		t.Errorf("replay to another request: %v", err)
	}
}

// TestRespondConcurrent: of many copies of a response posted at once,
// exactly one is answered; every other is nonce_used.
func TestRespondConcurrent(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := f.open(t, degreeQuery)
	resp := form(w.state, "degree", f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce))
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, errs[i] = f.svc.Respond(ctx, w.id, resp)
		})
	}
	close(start)
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonNonceUsed}):
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d responses succeeded, want exactly 1", ok)
	}
	if v, _ := f.svc.Get(ctx, w.id); v.Status != oid4vp.StatusAnswered || !v.Result.Verified {
		t.Errorf("final %s %+v", v.Status, v.Result)
	}
}

// TestExpiry: a request past its TTL is reported expired, its object is
// no longer served and no response is taken; the TTL is configurable.
func TestExpiry(t *testing.T) {
	f := newFixture(t)
	f.cfg.RequestTTL = 2 * time.Minute
	var err error
	if f.svc, err = oid4vp.New(f.cfg); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := f.open(t, degreeQuery)
	pres := f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce)
	f.vi.Clock.Advance(2*time.Minute - time.Second)
	if v, _ := f.svc.Get(ctx, w.id); v.Status != oid4vp.StatusFetched {
		t.Errorf("just before expiry: %s", v.Status)
	}
	f.vi.Clock.Advance(time.Second)
	if v, _ := f.svc.Get(ctx, w.id); v.Status != oid4vp.StatusExpired || v.Result != nil {
		t.Errorf("at expiry: %s", v.Status)
	}
	if _, err := f.svc.RequestObject(ctx, w.id); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("request object of an expired request: %v", err)
	}
	if _, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", pres)); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonRequestExpired}) {
		t.Errorf("response to an expired request: %v", err)
	}
	// An unfetched request expires too.
	c, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: parseJSON(t, degreeQuery)})
	if err != nil {
		t.Fatal(err)
	}
	f.vi.Clock.Advance(3 * time.Minute)
	if v, _ := f.svc.Get(ctx, c.ID); v.Status != oid4vp.StatusExpired {
		t.Errorf("unfetched request at expiry: %s", v.Status)
	}
	// Once past retention, the store's sweep removes them.
	if n, err := f.store.DeleteExpired(ctx, f.vi.Clock.Now().Add(-oid4vp.Retention)); err != nil || n != 0 {
		t.Errorf("swept %d within retention (%v)", n, err)
	}
	f.vi.Clock.Advance(oid4vp.Retention)
	if n, err := f.store.DeleteExpired(ctx, f.vi.Clock.Now().Add(-oid4vp.Retention)); err != nil || n != 2 {
		t.Errorf("swept %d after retention (%v), want 2", n, err)
	}
	if _, err := f.svc.Get(ctx, w.id); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("after the sweep: %v", err)
	}
}

// TestDeclined: error=access_denied ends the request; nothing answers it
// afterwards.
func TestDeclined(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	w := f.open(t, degreeQuery)
	decline := url.Values{"error": {"access_denied"}, "error_description": {"the holder declined"}, "state": {w.state}}
	// Declining needs the state too.
	if _, err := f.svc.Respond(ctx, w.id, url.Values{"error": {"access_denied"}}); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonStateMismatch}) {
		t.Fatalf("decline without state: %v", err)
	}
	if resp, err := f.svc.Respond(ctx, w.id, decline); err != nil || resp == nil {
		t.Fatalf("decline: %v", err)
	}
	v, _ := f.svc.Get(ctx, w.id)
	if v.Status != oid4vp.StatusDeclined || v.Result != nil || !v.CompletedAt.Equal(f.vi.Clock.Now()) {
		t.Fatalf("after declining: %+v", v)
	}
	pres := f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce)
	if _, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", pres)); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonNonceUsed}) {
		t.Errorf("a response after declining: %v", err)
	}
	if _, err := f.svc.Respond(ctx, w.id, decline); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonNonceUsed}) {
		t.Errorf("declining twice: %v", err)
	}
	if _, err := f.svc.RequestObject(ctx, w.id); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("request object after declining: %v", err)
	}
}

// TestOtherVerifier: two relying parties on one store see only their own
// requests.
func TestOtherVerifier(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	other := f.cfg
	other.Name, other.DID = "bank", "did:web:bank.thaitrust.test"
	other.Signer.KeyID = other.DID + "#key-1"
	other.BaseURL = "https://bank.thaitrust.test"
	bank, err := oid4vp.New(other)
	if err != nil {
		t.Fatal(err)
	}
	w := f.open(t, degreeQuery)
	if _, err := bank.Get(ctx, w.id); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("Get of another verifier's request: %v", err)
	}
	if _, err := bank.RequestObject(ctx, w.id); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("RequestObject of another verifier's request: %v", err)
	}
	// A presentation bound to the employer, posted to the bank's
	// endpoint for the same id, is not the bank's to take.
	pres := f.present(t, f.degree, []string{"/student/studentId"}, clientID, w.nonce)
	if _, err := bank.Respond(ctx, w.id, form(w.state, "degree", pres)); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("Respond to another verifier's request: %v", err)
	}
	if _, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", pres)); err != nil {
		t.Errorf("the employer's own response afterwards: %v", err)
	}
}

// TestRespondJWTVC: a jwt_vc_json credential presented in a vp+jwt
// signed by its subject, with the request's nonce and client_id; a
// presenter who is not the subject is refused.
func TestRespondJWTVC(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	holderDID, err := did.KeyDID(f.holder.Public())
	if err != nil {
		t.Fatal(err)
	}
	doc := issuertest.Example(t, "DegreeCredential")
	doc["credentialSubject"].(map[string]any)["id"] = holderDID
	vc, _ := f.vi.Issue(t, doc)
	const q = `{"credentials":[{"id":"degree","format":"jwt_vc_json",
		"meta":{"type_values":[["VerifiableCredential","DegreeCredential"]]},
		"claims":[{"path":["credentialSubject","award","name","en"]}]}]}`
	vp := func(t *testing.T, key crypto.Signer, w wallet) string {
		t.Helper()
		id, err := did.KeyDID(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		res, err := (&did.Resolver{}).Resolve(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := jose.SecurePresentation(map[string]any{
			"@context": []any{credential.ContextV2}, "type": []any{credential.TypePresentation},
			"holder": id, "verifiableCredential": []any{credential.Envelope(jose.MediaTypeCredential, vc)},
		}, jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: res.VerificationMethod[0].ID},
			jose.PresentationClaims{Nonce: w.nonce, Audience: clientID, IssuedAt: f.vi.Clock.Now(), Expiry: f.vi.Clock.Now().Add(5 * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	w := f.open(t, q)
	if _, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", vp(t, f.holder, w))); err != nil {
		t.Fatalf("Respond: %v", err)
	}
	v, _ := f.svc.Get(ctx, w.id)
	p := v.Result.Credentials["degree"][0]
	want := map[string]any{"credentialSubject": map[string]any{"award": map[string]any{"name": map[string]any{"en": "Bachelor of Engineering"}}}}
	if !v.Result.Verified || !reflect.DeepEqual(p.Claims, want) || p.Format != oid4vp.FormatJWTVC || p.Issuer != f.vi.DID {
		t.Errorf("result %+v, presented %+v", v.Result, p)
	}
	if !slices.Contains(p.Discarded, "/credentialSubject/award/name/th") || !slices.Contains(p.Discarded, "/credentialSubject/student") {
		t.Errorf("discarded %q", p.Discarded)
	}

	other, _ := signing.GenerateKey(signing.EdDSA)
	w = f.open(t, q)
	if _, err := f.svc.Respond(ctx, w.id, form(w.state, "degree", vp(t, other, w))); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonHolderNotSubject}) {
		t.Errorf("presented by another holder: %v", err)
	}
}
