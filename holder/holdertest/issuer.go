package holdertest

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Issuer is a virtual OpenID4VCI 1.0 credential issuer served by
// httptest on a loopback address, following the issue 3 contract: issuer
// identifier <server>/issuers/<name>, metadata by path insertion,
// authorization server = issuer, endpoints under
// /issuers/<name>/oid4vci/, configuration ids <Type>.sd_jwt and
// <Type>.jwt for every catalogue type, a did:web DID served at
// /issuers/<name>/did.json, and SD-JWT VC type metadata at /vct/<Type>.
// It mints real credentials (credential/sdjwt, credential/jose) bound to
// the keys of the proofs it checks (typ, jwk, signature, aud, nonce).
//
// Fields may be changed before the first request, except through the
// mutex-protected methods.
type Issuer struct {
	Name   string
	Server *httptest.Server
	// ID is the credential issuer identifier.
	ID  string
	DID string
	Key crypto.Signer
	Now func() time.Time
	// BatchSize is batch_credential_issuance.batch_size (0: no batch).
	BatchSize int
	// NoPathInsertion serves the metadata only at <ID>/.well-known/... (the
	// fallback location).
	NoPathInsertion bool
	// NoTypeMetadata does not serve /vct/<Type>.
	NoTypeMetadata bool
	// Expiry is exp / validUntil of what it issues (zero: none).
	Expiry time.Time
	// JWTBinding says how a vc+jwt names its holder key: "did:jwk"
	// (credentialSubject.id, the default), "none", or "cnf".
	JWTBinding string
	// Tamper, when set, alters each credential before it is sent.
	Tamper func(configurationID, credential string) string
	// BindTo, when set, binds credentials to this key instead of the
	// proof's.
	BindTo crypto.PublicKey
	// SigningKey, when set, signs credentials instead of Key (which the
	// DID document lists).
	SigningKey crypto.Signer
	// RejectNonces answers that many credential requests with
	// invalid_nonce, as if their c_nonce had expired.
	RejectNonces int

	mu       sync.Mutex
	offers   map[string]map[string]any // offer id -> offer JSON
	codes    map[string]string         // pre-authorized code -> tx code ("" none)
	tokens   map[string]bool
	nonces   map[string]bool
	requests []IssuerRequest
}

// IssuerRequest is a credential request the issuer received.
type IssuerRequest struct {
	ConfigurationID string
	Proofs          []string
}

// NewIssuer starts a virtual issuer; it stops when the test ends.
func NewIssuer(t testing.TB, name string) *Issuer {
	t.Helper()
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	is := &Issuer{
		Name: name, Key: key, Now: func() time.Time { return time.Now() }, BatchSize: 5,
		offers: map[string]map[string]any{}, codes: map[string]string{}, tokens: map[string]bool{}, nonces: map[string]bool{},
	}
	is.Server = httptest.NewServer(http.HandlerFunc(is.serve))
	t.Cleanup(is.Server.Close)
	is.ID = is.Server.URL + "/issuers/" + name
	if is.DID, err = did.WebDID(is.ID); err != nil {
		t.Fatal(err)
	}
	return is
}

// Requests returns the credential requests received so far.
func (is *Issuer) Requests() []IssuerRequest {
	is.mu.Lock()
	defer is.mu.Unlock()
	return slices.Clone(is.requests)
}

// OfferOptions tune Offer.
type OfferOptions struct {
	// TxCode, when set, is the transaction code the offer requires.
	TxCode string
	// ByValue puts the offer in the URI instead of a credential_offer_uri.
	ByValue bool
}

// Offer creates a credential offer for the configurations (e.g.
// "DegreeCredential.sd_jwt") and returns its openid-credential-offer://
// URI.
func (is *Issuer) Offer(t testing.TB, configurations []string, opts OfferOptions) string {
	t.Helper()
	code := randomString()
	grant := map[string]any{"pre-authorized_code": code}
	if opts.TxCode != "" {
		grant["tx_code"] = map[string]any{"input_mode": "numeric", "length": len(opts.TxCode), "description": "รหัสที่ส่งทาง SMS / the code sent by SMS"}
	}
	offer := map[string]any{
		"credential_issuer":            is.ID,
		"credential_configuration_ids": configurations,
		"grants":                       map[string]any{holder.GrantPreAuthorized: grant},
	}
	id := randomString()
	is.mu.Lock()
	is.offers[id] = offer
	is.codes[code] = opts.TxCode
	is.mu.Unlock()
	if opts.ByValue {
		b, _ := json.Marshal(offer)
		return holder.OfferScheme + "://?credential_offer=" + url.QueryEscape(string(b))
	}
	return holder.OfferScheme + "://?credential_offer_uri=" + url.QueryEscape(is.ID+"/oid4vci/offers/"+id)
}

func randomString() string {
	var b [16]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	writeJSON(w, status, map[string]any{"error": code, "error_description": desc})
}

func (is *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	base := "/issuers/" + is.Name
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == "/.well-known/openid-credential-issuer"+base && !is.NoPathInsertion,
		r.Method == http.MethodGet && p == base+"/.well-known/openid-credential-issuer":
		writeJSON(w, 200, is.metadata())
	case r.Method == http.MethodGet && p == "/.well-known/oauth-authorization-server"+base:
		writeJSON(w, 200, map[string]any{
			"issuer": is.ID, "token_endpoint": is.ID + "/oid4vci/token",
			"grant_types_supported":                           []string{holder.GrantPreAuthorized},
			"pre-authorized_grant_anonymous_access_supported": true,
		})
	case r.Method == http.MethodGet && p == base+"/did.json":
		writeJSON(w, 200, did.NewDocument(is.DID, is.Key.Public()))
	case r.Method == http.MethodGet && strings.HasPrefix(p, base+"/oid4vci/offers/"):
		is.mu.Lock()
		o, ok := is.offers[strings.TrimPrefix(p, base+"/oid4vci/offers/")]
		is.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, 200, o)
	case r.Method == http.MethodPost && p == base+"/oid4vci/token":
		is.token(w, r)
	case r.Method == http.MethodPost && p == base+"/oid4vci/nonce":
		n := randomString()
		is.mu.Lock()
		is.nonces[n] = true
		is.mu.Unlock()
		writeJSON(w, 200, map[string]any{"c_nonce": n})
	case r.Method == http.MethodPost && p == base+"/oid4vci/credential":
		is.credential(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/vct/") && !is.NoTypeMetadata:
		typ := strings.TrimPrefix(p, "/vct/")
		tt, ok := schemas.Lookup(typ)
		if !ok {
			http.NotFound(w, r)
			return
		}
		writeJSON(w, 200, typeMetadata(tt))
	default:
		http.NotFound(w, r)
	}
}

// typeMetadata is SD-JWT VC type metadata of a catalogue type, with a few
// claim labels (enough for tests to see them used).
func typeMetadata(tt schemas.Type) map[string]any {
	return map[string]any{
		"vct":  holder.VCTBase + tt.Name,
		"name": tt.Title["en"],
		"display": []any{
			map[string]any{"locale": "th", "name": tt.Title["th"]},
			map[string]any{"locale": "en", "name": tt.Title["en"]},
		},
		"claims": []any{
			map[string]any{"path": []any{"award", "name"}, "display": []any{
				map[string]any{"locale": "th", "label": "ชื่อปริญญา"}, map[string]any{"locale": "en", "label": "Degree"}}},
			map[string]any{"path": []any{"student", "name"}, "display": []any{
				map[string]any{"locale": "th", "label": "ชื่อผู้สำเร็จการศึกษา"}, map[string]any{"locale": "en", "label": "Graduate"}}},
		},
	}
}

func (is *Issuer) metadata() map[string]any {
	cfgs := map[string]any{}
	proof := map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": []string{"EdDSA", "ES256"}}}
	for _, t := range schemas.Types() {
		display := []any{
			map[string]any{"locale": "th", "name": t.Title["th"]},
			map[string]any{"locale": "en", "name": t.Title["en"]},
		}
		cfgs[t.Name+".sd_jwt"] = map[string]any{
			"format": holder.FormatSDJWT, "vct": holder.VCTBase + t.Name,
			"cryptographic_binding_methods_supported": []string{"jwk"},
			"credential_signing_alg_values_supported": []string{"EdDSA"},
			"proof_types_supported":                   proof,
			"credential_metadata":                     map[string]any{"display": display},
		}
		cfgs[t.Name+".jwt"] = map[string]any{
			"format":                holder.FormatJWTVC,
			"credential_definition": map[string]any{"type": []string{"VerifiableCredential", t.Name}},
			"cryptographic_binding_methods_supported": []string{"did:jwk"},
			"credential_signing_alg_values_supported": []string{"EdDSA"},
			"proof_types_supported":                   proof,
			"credential_metadata":                     map[string]any{"display": display},
		}
	}
	m := map[string]any{
		"credential_issuer":   is.ID,
		"credential_endpoint": is.ID + "/oid4vci/credential",
		"nonce_endpoint":      is.ID + "/oid4vci/nonce",
		"display": []any{
			map[string]any{"locale": "th", "name": "มหาวิทยาลัยธารทอง"},
			map[string]any{"locale": "en", "name": "Than Thong University"},
		},
		"credential_configurations_supported": cfgs,
	}
	if is.BatchSize > 1 {
		m["batch_credential_issuance"] = map[string]any{"batch_size": is.BatchSize}
	}
	return m
}

func (is *Issuer) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || r.PostForm.Get("grant_type") != holder.GrantPreAuthorized {
		oauthError(w, 400, "unsupported_grant_type", "pre-authorized code only")
		return
	}
	is.mu.Lock()
	defer is.mu.Unlock()
	code := r.PostForm.Get("pre-authorized_code")
	tx, ok := is.codes[code]
	if !ok {
		oauthError(w, 400, "invalid_grant", "unknown or used pre-authorized code")
		return
	}
	if tx != "" && r.PostForm.Get("tx_code") != tx {
		oauthError(w, 400, "invalid_grant", "wrong tx_code")
		return
	}
	delete(is.codes, code)
	tok := randomString()
	is.tokens[tok] = true
	writeJSON(w, 200, map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 300})
}

func (is *Issuer) credential(w http.ResponseWriter, r *http.Request) {
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	is.mu.Lock()
	okTok := is.tokens[tok]
	is.mu.Unlock()
	if !okTok {
		oauthError(w, 401, "invalid_token", "unknown access token")
		return
	}
	var body struct {
		ConfigurationID string `json:"credential_configuration_id"`
		Proofs          struct {
			JWT []string `json:"jwt"`
		} `json:"proofs"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Proofs.JWT) == 0 {
		oauthError(w, 400, "invalid_credential_request", "need credential_configuration_id and proofs.jwt")
		return
	}
	is.mu.Lock()
	is.requests = append(is.requests, IssuerRequest{ConfigurationID: body.ConfigurationID, Proofs: body.Proofs.JWT})
	is.mu.Unlock()
	typ, format, ok := strings.Cut(body.ConfigurationID, ".")
	if !ok || !schemas.Has(typ) || (format != "sd_jwt" && format != "jwt") {
		oauthError(w, 400, "unknown_credential_configuration", body.ConfigurationID)
		return
	}
	if is.BatchSize > 1 && len(body.Proofs.JWT) > is.BatchSize || is.BatchSize <= 1 && len(body.Proofs.JWT) > 1 {
		oauthError(w, 400, "invalid_proof", "too many proofs")
		return
	}
	// Every proof of a batch carries the same c_nonce, used once.
	var keys []crypto.PublicKey
	nonce := ""
	for i, p := range body.Proofs.JWT {
		holderKey, n, err := is.checkProof(p)
		if err != nil {
			oauthError(w, 400, "invalid_proof", err.Error())
			return
		}
		if i > 0 && n != nonce {
			oauthError(w, 400, "invalid_proof", "proofs with different nonces")
			return
		}
		nonce = n
		keys = append(keys, holderKey)
	}
	is.mu.Lock()
	okNonce := is.nonces[nonce]
	delete(is.nonces, nonce)
	if is.RejectNonces > 0 {
		is.RejectNonces--
		okNonce = false
	}
	is.mu.Unlock()
	if !okNonce {
		oauthError(w, 400, "invalid_nonce", "unknown or used nonce")
		return
	}
	var creds []any
	for _, holderKey := range keys {
		if is.BindTo != nil {
			holderKey = is.BindTo
		}
		c, err := is.mint(typ, format, holderKey)
		if err != nil {
			oauthError(w, 500, "server_error", err.Error())
			return
		}
		if is.Tamper != nil {
			c = is.Tamper(body.ConfigurationID, c)
		}
		creds = append(creds, map[string]any{"credential": c})
	}
	writeJSON(w, 200, map[string]any{"credentials": creds})
}

// checkProof verifies an openid4vci-proof+jwt and returns its key and
// nonce.
func (is *Issuer) checkProof(p string) (crypto.PublicKey, string, error) {
	parsed, err := jws.Parse(p)
	if err != nil {
		return nil, "", err
	}
	if parsed.Header.Typ != holder.TypProof || parsed.Header.JWK == nil {
		return nil, "", fmt.Errorf("typ %q, jwk %v", parsed.Header.Typ, parsed.Header.JWK != nil)
	}
	pub, err := parsed.Header.JWK.PublicKey()
	if err != nil {
		return nil, "", err
	}
	if err := parsed.Verify(pub, jws.VerifyOptions{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}}); err != nil {
		return nil, "", err
	}
	claims, err := jsonx.ParseObject(parsed.Payload)
	if err != nil {
		return nil, "", err
	}
	if claims["aud"] != is.ID {
		return nil, "", fmt.Errorf("aud %v", claims["aud"])
	}
	if _, ok := claims["iat"].(json.Number); !ok {
		return nil, "", fmt.Errorf("no iat")
	}
	n, _ := claims["nonce"].(string)
	return pub, n, nil
}

func (is *Issuer) mint(typ, format string, holderKey crypto.PublicKey) (string, error) {
	key := is.Key
	if is.SigningKey != nil {
		key = is.SigningKey
	}
	m := &Minter{Key: key, DID: is.DID, KID: is.DID + "#key-1", Now: is.Now().Truncate(time.Second), Expiry: is.Expiry}
	if format == "sd_jwt" {
		return m.MintSDJWT(typ, holderKey)
	}
	binding := is.JWTBinding
	if binding == "" {
		binding = "did:jwk"
	}
	return m.MintJWT(typ, holderKey, binding)
}
