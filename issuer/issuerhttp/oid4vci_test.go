package issuerhttp_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuerhttp"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/issuer/oid4vci/oid4vcitest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

const backOffice = "back-office-token-0123456789"

// tokenTTL outlives a nonce, so that a test can let a nonce expire alone.
const tokenTTL = 2 * oid4vci.DefaultNonceTTL

type env struct {
	t      *testing.T
	vi     *issuertest.VirtualIssuer
	srv    *httptest.Server
	issuer string // credential issuer identifier
}

func newEnv(t *testing.T) *env {
	t.Helper()
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	var h http.Handler
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(srv.Close)
	id := srv.URL + "/issuers/university"
	v, err := oid4vci.New(oid4vci.Config{Issuer: vi.Service, Store: oid4vcitest.NewMemoryStore(), CredentialIssuer: id, Now: vi.Clock.Now, TokenTTL: tokenTTL})
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	(&issuerhttp.Handler{
		Issuers: map[string]*issuer.Service{"university": vi.Service},
		Clients: []httpx.Client{{ID: "registrar", TokenHash: httpx.TokenHash(backOffice), Scopes: []string{"university"}}},
		OID4VCI: map[string]*oid4vci.Service{"university": v},
	}).Register(e)
	h = e
	return &env{t: t, vi: vi, srv: srv, issuer: id}
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (e *env) do(method, u, ctype, body, bearer string, out any) int {
	e.t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			e.t.Fatalf("%s %s: %d %s: %v", method, u, resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode
}

type offerResp struct {
	OfferURI   string `json:"offer_uri"`
	ByValue    string `json:"offer_uri_by_value"`
	OfferID    string `json:"offer_id"`
	TxCode     string `json:"tx_code"`
	QRURL      string `json:"qr_png_url"`
	Credential struct {
		Issuer  string                    `json:"credential_issuer"`
		Configs []string                  `json:"credential_configuration_ids"`
		Grants  map[string]map[string]any `json:"grants"`
	} `json:"credential_offer"`
}

func (e *env) offer(format string, tx bool) offerResp {
	e.t.Helper()
	body, _ := json.Marshal(map[string]any{"credential": issuertest.Example(e.t, "DegreeCredential"), "format": format, "tx_code": tx})
	var o offerResp
	if code := e.do("POST", e.srv.URL+"/issuers/university/offers", "application/json", string(body), backOffice, &o); code != 201 {
		e.t.Fatalf("offer: %d %+v", code, o)
	}
	return o
}

type oauthErr struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
}

// wallet is the minimal test wallet: it follows an offer URI.
type wallet struct {
	e                           *env
	code, txCode                string
	tokenURL, nonceURL, credURL string
	configs                     []string
}

func (e *env) receive(o offerResp) *wallet {
	e.t.Helper()
	u, err := url.Parse(o.OfferURI)
	if err != nil || u.Scheme != "openid-credential-offer" {
		e.t.Fatalf("offer uri %q", o.OfferURI)
	}
	var offer struct {
		Issuer  string                    `json:"credential_issuer"`
		Configs []string                  `json:"credential_configuration_ids"`
		Grants  map[string]map[string]any `json:"grants"`
	}
	if code := e.do("GET", u.Query().Get("credential_offer_uri"), "", "", "", &offer); code != 200 {
		e.t.Fatalf("offer by reference: %d", code)
	}
	var meta struct {
		CredentialEndpoint string         `json:"credential_endpoint"`
		NonceEndpoint      string         `json:"nonce_endpoint"`
		Configs            map[string]any `json:"credential_configurations_supported"`
		Batch              struct {
			Size int `json:"batch_size"`
		} `json:"batch_credential_issuance"`
	}
	iu, _ := url.Parse(offer.Issuer)
	if code := e.do("GET", iu.Scheme+"://"+iu.Host+"/.well-known/openid-credential-issuer"+iu.Path, "", "", "", &meta); code != 200 {
		e.t.Fatalf("issuer metadata: %d", code)
	}
	var as struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
		Anonymous     bool   `json:"pre-authorized_grant_anonymous_access_supported"`
	}
	if code := e.do("GET", iu.Scheme+"://"+iu.Host+"/.well-known/oauth-authorization-server"+iu.Path, "", "", "", &as); code != 200 || as.Issuer != offer.Issuer || !as.Anonymous {
		e.t.Fatalf("AS metadata: %d %+v", code, as)
	}
	for _, c := range offer.Configs {
		if _, ok := meta.Configs[c]; !ok {
			e.t.Fatalf("offered %s is not in the metadata", c)
		}
	}
	if meta.Batch.Size < 2 {
		e.t.Fatalf("batch size %d", meta.Batch.Size)
	}
	g := offer.Grants[oid4vci.GrantPreAuthorized]
	code, _ := g["pre-authorized_code"].(string)
	return &wallet{e: e, code: code, txCode: o.TxCode, tokenURL: as.TokenEndpoint, nonceURL: meta.NonceEndpoint, credURL: meta.CredentialEndpoint, configs: offer.Configs}
}

func (w *wallet) token(txCode string) (string, int, oauthErr) {
	w.e.t.Helper()
	form := url.Values{"grant_type": {oid4vci.GrantPreAuthorized}, "pre-authorized_code": {w.code}}
	if txCode != "" {
		form.Set("tx_code", txCode)
	}
	var out struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		oauthErr
	}
	code := w.e.do("POST", w.tokenURL, "application/x-www-form-urlencoded", form.Encode(), "", &out)
	if code == 200 && (out.TokenType != "Bearer" || out.AccessToken == "") {
		w.e.t.Fatalf("token response %+v", out)
	}
	return out.AccessToken, code, out.oauthErr
}

func (w *wallet) nonce() string {
	w.e.t.Helper()
	var out struct {
		CNonce string `json:"c_nonce"`
	}
	if code := w.e.do("POST", w.nonceURL, "", "", "", &out); code != 200 || out.CNonce == "" {
		w.e.t.Fatalf("nonce: %d", code)
	}
	return out.CNonce
}

type proofOpts struct {
	aud     string
	nonce   *string
	iat     time.Time
	private bool
}

func (w *wallet) proof(key crypto.Signer, o proofOpts) string {
	w.e.t.Helper()
	claims := map[string]any{"aud": w.e.issuer, "iat": w.e.vi.Clock.Now().Unix()}
	if o.aud != "" {
		claims["aud"] = o.aud
	}
	if !o.iat.IsZero() {
		claims["iat"] = o.iat.Unix()
	}
	if o.nonce != nil {
		claims["nonce"] = *o.nonce
	}
	payload, _ := json.Marshal(claims)
	if o.private {
		priv, _ := signing.PrivateJWK(key)
		alg, _ := signing.AlgorithmFor(key.Public())
		h, _ := json.Marshal(map[string]any{"alg": alg, "typ": oid4vci.TypProof, "jwk": priv})
		input := base64.RawURLEncoding.EncodeToString(h) + "." + base64.RawURLEncoding.EncodeToString(payload)
		sig, _ := signing.Sign(key, alg, []byte(input))
		return input + "." + base64.RawURLEncoding.EncodeToString(sig)
	}
	jwk, _ := signing.PublicJWK(key.Public())
	tok, err := jws.Sign(key, jws.Header{Typ: oid4vci.TypProof, JWK: &jwk}, payload)
	if err != nil {
		w.e.t.Fatal(err)
	}
	return tok
}

func (w *wallet) credential(token, config string, proofs ...string) (int, []string, oauthErr) {
	w.e.t.Helper()
	body, _ := json.Marshal(map[string]any{"credential_configuration_id": config, "proofs": map[string]any{"jwt": proofs}})
	var out struct {
		Credentials []struct {
			Credential string `json:"credential"`
		} `json:"credentials"`
		oauthErr
	}
	code := w.e.do("POST", w.credURL, "application/json", string(body), token, &out)
	var creds []string
	for _, c := range out.Credentials {
		creds = append(creds, c.Credential)
	}
	return code, creds, out.oauthErr
}

func newKey(t *testing.T, alg signing.Algorithm) crypto.Signer {
	k, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func thumb(k crypto.PublicKey) string { s, _ := signing.Thumbprint(k); return s }

// TestOID4VCIPreAuthorizedFlow drives the whole flow as a wallet would:
// offer by reference, metadata, token with tx_code, nonce, and a batch
// credential request with two proofs; each SD-JWT VC verifies against the
// issuer's DID key and is bound to its own proof's key.
func TestOID4VCIPreAuthorizedFlow(t *testing.T) {
	e := newEnv(t)
	o := e.offer("dc+sd-jwt", true)
	if len(o.TxCode) != 6 || o.OfferID == "" || !strings.HasPrefix(o.ByValue, "openid-credential-offer://?credential_offer=") ||
		len(o.Credential.Configs) != 1 || o.Credential.Configs[0] != "DegreeCredential.sd_jwt" || o.Credential.Issuer != e.issuer {
		t.Fatalf("offer %+v", o)
	}
	w := e.receive(o)
	tok, code, oe := w.token(o.TxCode)
	if code != 200 {
		t.Fatalf("token: %d %+v", code, oe)
	}
	n := w.nonce()
	k1, k2 := newKey(t, signing.EdDSA), newKey(t, signing.ES256)
	code, creds, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(k1, proofOpts{nonce: &n}), w.proof(k2, proofOpts{nonce: &n}))
	if code != 200 || len(creds) != 2 {
		t.Fatalf("credential: %d %+v", code, oe)
	}
	res := issuertest.Resolver(e.vi)
	for i, k := range []crypto.Signer{k1, k2} {
		sd, err := sdjwt.Parse(creds[i])
		if err != nil {
			t.Fatal(err)
		}
		p, err := sd.Present([]string{"/award"}, &sdjwt.KeyBinding{Signer: k, Audience: "https://employer.example", Nonce: "vp-nonce", IssuedAt: e.vi.Clock.Now()})
		if err != nil {
			t.Fatal(err)
		}
		v, err := sdjwt.Verify(context.Background(), p, sdjwt.VerifyOptions{
			Algorithms: issuertest.Algorithms, Typ: sdjwt.TypVC, Now: e.vi.Clock.Now,
			IssuerKey: func(ctx context.Context, h jws.Header, claims map[string]any) (crypto.PublicKey, error) {
				iss, _ := claims["iss"].(string)
				return status.DIDTokenKeys(res)(ctx, iss, h)
			},
			RequireKeyBinding: true, Audience: "https://employer.example", Nonce: "vp-nonce",
		})
		if err != nil {
			t.Fatalf("credential %d: %v", i, err)
		}
		if v.Claims["iss"] != e.vi.DID || thumb(v.HolderKey) != thumb(k.Public()) {
			t.Errorf("credential %d: iss %v, bound to another key", i, v.Claims["iss"])
		}
	}
	// The token was used: a second request fails.
	n2 := w.nonce()
	if code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n2})); code != 401 || oe.Error != "invalid_token" {
		t.Errorf("token reuse: %d %+v", code, oe)
	}
	// The offer is gone once redeemed.
	if code := e.do("GET", e.issuer+"/oid4vci/offers/"+o.OfferID, "", "", "", nil); code != 404 {
		t.Errorf("redeemed offer served: %d", code)
	}
}

func TestOID4VCIJWTFormat(t *testing.T) {
	e := newEnv(t)
	o := e.offer("vc+jwt", false)
	w := e.receive(o)
	tok, code, oe := w.token("")
	if code != 200 {
		t.Fatalf("token: %d %+v", code, oe)
	}
	n := w.nonce()
	k := newKey(t, signing.ES256)
	code, creds, oe := w.credential(tok, "DegreeCredential.jwt", w.proof(k, proofOpts{nonce: &n}))
	if code != 200 || len(creds) != 1 {
		t.Fatalf("credential: %d %+v", code, oe)
	}
	c, err := jose.VerifyCredential(context.Background(), creds[0], jose.VerifyOptions{Algorithms: issuertest.Algorithms, Keys: e.vi.KeyResolver(), Now: e.vi.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := did.KeyDID(k.Public())
	if c.SubjectID() != want {
		t.Errorf("subject %s, want the proof key's %s", c.SubjectID(), want)
	}
}

func TestOID4VCIOfferQR(t *testing.T) {
	e := newEnv(t)
	o := e.offer("", false)
	if len(o.Credential.Configs) != 2 {
		t.Errorf("configs %v", o.Credential.Configs)
	}
	resp, err := http.Get(o.QRURL)
	if err != nil {
		t.Fatal(err)
	}
	png, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if zbar, err := exec.LookPath("zbarimg"); err == nil {
		path := filepath.Join(t.TempDir(), "offer.png")
		os.WriteFile(path, png, 0o600)
		out, err := exec.Command(zbar, "-q", "--raw", path).Output()
		if err != nil || strings.TrimSpace(string(out)) != o.OfferURI {
			t.Errorf("QR decodes to %q (%v), want %q", out, err, o.OfferURI)
		}
	}
	if code := e.do("GET", e.issuer+"/offers/AAAAAAAAAAAAAAAAAAAAAA/qr.png", "", "", "", nil); code != 404 {
		t.Errorf("unknown offer QR: %d", code)
	}
	// Creating offers needs the back-office token.
	if code := e.do("POST", e.srv.URL+"/issuers/university/offers", "application/json", `{"credential":{}}`, "", nil); code != 401 {
		t.Errorf("offer without token: %d", code)
	}
	var p struct{ Reason string }
	if code := e.do("POST", e.srv.URL+"/issuers/university/offers", "application/json", `{"credential":{"type":["VerifiableCredential","DegreeCredential"],"credentialSubject":{}}}`, backOffice, &p); code != 400 || p.Reason != "invalid_credential" {
		t.Errorf("invalid credential offered: %d %+v", code, p)
	}
}

// TestOID4VCINegatives: every failure is the OAuth error the specs name.
func TestOID4VCINegatives(t *testing.T) {
	t.Run("wrong tx_code burns the offer", func(t *testing.T) {
		e := newEnv(t)
		o := e.offer("dc+sd-jwt", true)
		w := e.receive(o)
		wrong := "000000"
		if wrong == o.TxCode {
			wrong = "111111"
		}
		for i := range oid4vci.DefaultMaxTxCodeAttempts {
			if _, code, oe := w.token(wrong); code != 400 || oe.Error != "invalid_grant" {
				t.Fatalf("attempt %d: %d %+v", i, code, oe)
			}
		}
		if _, code, oe := w.token(o.TxCode); code != 400 || oe.Error != "invalid_grant" {
			t.Errorf("right code after the offer burned: %d %+v", code, oe)
		}
	})
	t.Run("missing tx_code", func(t *testing.T) {
		e := newEnv(t)
		w := e.receive(e.offer("dc+sd-jwt", true))
		if _, code, oe := w.token(""); code != 400 || oe.Error != "invalid_request" {
			t.Errorf("%d %+v", code, oe)
		}
	})
	t.Run("code reuse revokes the token", func(t *testing.T) {
		e := newEnv(t)
		w := e.receive(e.offer("dc+sd-jwt", false))
		tok, code, _ := w.token("")
		if code != 200 {
			t.Fatal(code)
		}
		if _, code, oe := w.token(""); code != 400 || oe.Error != "invalid_grant" {
			t.Errorf("reuse: %d %+v", code, oe)
		}
		n := w.nonce()
		if code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})); code != 401 || oe.Error != "invalid_token" {
			t.Errorf("token of a replayed code: %d %+v", code, oe)
		}
	})
	t.Run("unknown code and grant", func(t *testing.T) {
		e := newEnv(t)
		w := e.receive(e.offer("dc+sd-jwt", false))
		w.code = "not-a-code"
		if _, code, oe := w.token(""); code != 400 || oe.Error != "invalid_grant" {
			t.Errorf("%d %+v", code, oe)
		}
		var oe oauthErr
		if code := e.do("POST", w.tokenURL, "application/x-www-form-urlencoded", "grant_type=authorization_code&code=x", "", &oe); code != 400 || oe.Error != "unsupported_grant_type" {
			t.Errorf("%d %+v", code, oe)
		}
		if code := e.do("POST", w.tokenURL, "application/json", `{}`, "", &oe); code != 400 || oe.Error != "invalid_request" {
			t.Errorf("%d %+v", code, oe)
		}
	})

	// The credential request negatives share a redeemed offer each.
	setup := func(t *testing.T) (*env, *wallet, string) {
		e := newEnv(t)
		w := e.receive(e.offer("dc+sd-jwt", false))
		tok, code, oe := w.token("")
		if code != 200 {
			t.Fatalf("token: %d %+v", code, oe)
		}
		return e, w, tok
	}
	t.Run("nonce reuse", func(t *testing.T) {
		e, w, tok := setup(t)
		n := w.nonce()
		if code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})); code != 200 {
			t.Fatalf("%d %+v", code, oe)
		}
		w2 := e.receive(e.offer("dc+sd-jwt", false))
		tok2, _, _ := w2.token("")
		if code, _, oe := w2.credential(tok2, "DegreeCredential.sd_jwt", w2.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})); code != 400 || oe.Error != "invalid_nonce" {
			t.Errorf("reused nonce: %d %+v", code, oe)
		}
		// The token survives a nonce failure: the wallet retries.
		n2 := w2.nonce()
		if code, _, oe := w2.credential(tok2, "DegreeCredential.sd_jwt", w2.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n2})); code != 200 {
			t.Errorf("retry with a fresh nonce: %d %+v", code, oe)
		}
	})
	t.Run("expired nonce", func(t *testing.T) {
		e, w, tok := setup(t)
		n := w.nonce()
		e.vi.Clock.Advance(oid4vci.DefaultNonceTTL + time.Second)
		if code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})); code != 400 || oe.Error != "invalid_nonce" {
			t.Errorf("%d %+v", code, oe)
		}
	})
	t.Run("unknown nonce", func(t *testing.T) {
		_, w, tok := setup(t)
		n := "made-up"
		if code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})); code != 400 || oe.Error != "invalid_nonce" {
			t.Errorf("%d %+v", code, oe)
		}
	})
	for _, tc := range []struct {
		name   string
		config string
		proofs func(w *wallet, n string) []string
		code   int
		err    string
	}{
		{"proof for another aud", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n, aud: "https://other.example/issuers/university"})}
		}, 400, "invalid_proof"},
		{"proof without nonce", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{})}
		}, 400, "invalid_proof"},
		{"stale proof", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n, iat: w.e.vi.Clock.Now().Add(-time.Hour)})}
		}, 400, "invalid_proof"},
		{"proof from the future", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n, iat: w.e.vi.Clock.Now().Add(time.Hour)})}
		}, 400, "invalid_proof"},
		{"private key in jwk", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n, private: true})}
		}, 400, "invalid_proof"},
		{"same key twice", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			k := newKey(t, signing.EdDSA)
			return []string{w.proof(k, proofOpts{nonce: &n}), w.proof(k, proofOpts{nonce: &n})}
		}, 400, "invalid_proof"},
		{"tampered proof", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			p := w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})
			return []string{p[:len(p)-4] + "AAAA"}
		}, 400, "invalid_proof"},
		{"unsupported configuration", "PassportCredential.sd_jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})}
		}, 400, "unknown_credential_configuration"},
		{"configuration not offered", "DegreeCredential.jwt", func(w *wallet, n string) []string {
			return []string{w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})}
		}, 400, "unknown_credential_configuration"},
		{"too many proofs", "DegreeCredential.sd_jwt", func(w *wallet, n string) []string {
			var ps []string
			for range oid4vci.DefaultBatchSize + 1 {
				ps = append(ps, w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n}))
			}
			return ps
		}, 400, "invalid_credential_request"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, w, tok := setup(t)
			n := w.nonce()
			code, creds, oe := w.credential(tok, tc.config, tc.proofs(w, n)...)
			if code != tc.code || oe.Error != tc.err || len(creds) != 0 || oe.Description == "" {
				t.Errorf("%d %+v, want %d %s", code, oe, tc.code, tc.err)
			}
		})
	}
	t.Run("bad token", func(t *testing.T) {
		_, w, _ := setup(t)
		n := w.nonce()
		for _, tok := range []string{"", "not-a-token"} {
			code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n}))
			if code != 401 || oe.Error != "invalid_token" {
				t.Errorf("token %q: %d %+v", tok, code, oe)
			}
		}
	})
	t.Run("expired token", func(t *testing.T) {
		e, w, tok := setup(t)
		e.vi.Clock.Advance(tokenTTL + time.Second)
		n := w.nonce()
		if code, _, oe := w.credential(tok, "DegreeCredential.sd_jwt", w.proof(newKey(t, signing.EdDSA), proofOpts{nonce: &n})); code != 401 || oe.Error != "invalid_token" {
			t.Errorf("%d %+v", code, oe)
		}
	})
	t.Run("malformed requests", func(t *testing.T) {
		e, w, tok := setup(t)
		for body, want := range map[string]string{
			`{"credential_configuration_id":"DegreeCredential.sd_jwt","proof":{"proof_type":"jwt","jwt":"x"}}`: "invalid_credential_request",
			`{"proofs":{"jwt":["x"]}}`:                                                                        "invalid_credential_request",
			`{"credential_identifier":"x","proofs":{"jwt":["x"]}}`:                                            "unknown_credential_identifier",
			`{"credential_configuration_id":"DegreeCredential.sd_jwt"}`:                                       "invalid_proof",
			`{"credential_configuration_id":"DegreeCredential.sd_jwt","proofs":{"jwt":["x"],"ldp_vp":["y"]}}`: "invalid_proof",
			`not json`: "invalid_credential_request",
		} {
			var oe oauthErr
			if code := e.do("POST", w.credURL, "application/json", body, tok, &oe); code != 400 || oe.Error != want {
				t.Errorf("%s: %d %+v, want %s", body, code, oe, want)
			}
		}
	})
	t.Run("expired offer", func(t *testing.T) {
		e := newEnv(t)
		w := e.receive(e.offer("dc+sd-jwt", false))
		e.vi.Clock.Advance(oid4vci.DefaultOfferTTL + time.Second)
		if _, code, oe := w.token(""); code != 400 || oe.Error != "invalid_grant" {
			t.Errorf("%d %+v", code, oe)
		}
	})
}

// TestVCAPIIssueSDJWT: VC API issue with options.format dc+sd-jwt and the
// holder key as options.holderKey or as a did:key subject.
func TestVCAPIIssueSDJWT(t *testing.T) {
	e := newEnv(t)
	k := newKey(t, signing.EdDSA)
	jwk, _ := signing.PublicJWK(k.Public())
	subjectDID, _ := did.KeyDID(k.Public())
	withSubject := issuertest.Example(t, "DegreeCredential")
	withSubject["credentialSubject"].(map[string]any)["id"] = subjectDID
	private, _ := signing.PrivateJWK(k)
	for _, tc := range []struct {
		name string
		cred map[string]any
		opts map[string]any
		code int
	}{
		{"holderKey", issuertest.Example(t, "DegreeCredential"), map[string]any{"format": "dc+sd-jwt", "holderKey": jwk}, 201},
		{"did:key subject", withSubject, map[string]any{"format": "dc+sd-jwt"}, 201},
		{"no holder key", issuertest.Example(t, "DegreeCredential"), map[string]any{"format": "dc+sd-jwt"}, 400},
		{"private holderKey", issuertest.Example(t, "DegreeCredential"), map[string]any{"format": "dc+sd-jwt", "holderKey": private}, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, _ := json.Marshal(map[string]any{"credential": tc.cred, "options": tc.opts})
			var out struct {
				VC struct {
					ID string `json:"id"`
				} `json:"verifiableCredential"`
			}
			code := e.do("POST", e.srv.URL+"/issuers/university/credentials/issue", "application/json", string(body), backOffice, &out)
			if code != tc.code {
				t.Fatalf("status %d, want %d", code, tc.code)
			}
			if code != 201 {
				return
			}
			tok, ok := strings.CutPrefix(out.VC.ID, "data:application/dc+sd-jwt,")
			if !ok {
				t.Fatalf("id %.60s", out.VC.ID)
			}
			sd, err := sdjwt.Parse(tok)
			if err != nil {
				t.Fatal(err)
			}
			cnf, _ := sd.Claims()["cnf"].(map[string]any)
			if j, _ := cnf["jwk"].(map[string]any); j["x"] != jwk.X {
				t.Errorf("cnf %v", cnf)
			}
		})
	}
	// The token status list is served.
	resp, err := http.Get(e.srv.URL + "/issuers/university/statuslists/1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != status.MediaTypeTokenList {
		t.Errorf("token status list: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
