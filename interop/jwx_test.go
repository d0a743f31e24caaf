package interop

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/lestrrat-go/jwx/v3/jwa"
	"github.com/lestrrat-go/jwx/v3/jwk"
	"github.com/lestrrat-go/jwx/v3/jws"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// TestThaiTrustToJWX: credentials issued by ThaiTrust verify with jwx,
// given only the issuer's DID document as JSON. Nothing of ThaiTrust runs
// on the verifying side.
func TestThaiTrustToJWX(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384} {
		t.Run(string(alg), func(t *testing.T) {
			ti := newThaiIssuer(t, alg)
			issued := ti.issueDegree(t)
			payload := jwxVerifyWithDIDDocument(t, issued.Token, issuerDID, ti.docJSON)
			if got, want := normalize(t, payload), normalize(t, issued.Credential.Map()); !reflect.DeepEqual(got, want) {
				t.Errorf("payload is not the credential:\n got %v\nwant %v", got, want)
			}
			var doc map[string]any
			if err := json.Unmarshal(payload, &doc); err != nil {
				t.Fatal(err)
			}
			if _, ok := doc["vc"]; ok {
				t.Error(`payload has a "vc" claim; VC-JOSE-COSE secures the credential itself`)
			}
			if iss, _ := doc["issuer"].(map[string]any); iss["id"] != issuerDID {
				t.Errorf("issuer = %v, want %s", doc["issuer"], issuerDID)
			}
		})
	}
}

// jwxVerifyWithDIDDocument verifies a vc+jwt the way an outside verifier
// holding nothing but jwx and the issuer's DID document would: check the
// header, find the kid's verification method in the document (listed under
// assertionMethod), import its publicKeyJwk with jwx, verify with the
// algorithm the key dictates. It returns the verified payload.
func jwxVerifyWithDIDDocument(t *testing.T, token, wantIssuer string, docJSON []byte) []byte {
	t.Helper()
	msg, err := jws.Parse([]byte(token), jws.WithCompact())
	if err != nil {
		t.Fatalf("jwx cannot parse the token: %v", err)
	}
	if n := len(msg.Signatures()); n != 1 {
		t.Fatalf("%d signatures", n)
	}
	h := msg.Signatures()[0].ProtectedHeaders()
	if typ, _ := h.Type(); typ != "vc+jwt" {
		t.Errorf("typ = %q, want vc+jwt", typ)
	}
	if cty, _ := h.ContentType(); cty != "vc" {
		t.Errorf("cty = %q, want vc", cty)
	}
	kid, _ := h.KeyID()
	didPart, fragment, ok := strings.Cut(kid, "#")
	if !ok || fragment == "" || didPart != wantIssuer {
		t.Fatalf("kid = %q, want a DID URL of %s", kid, wantIssuer)
	}

	var doc struct {
		ID                 string           `json:"id"`
		VerificationMethod []map[string]any `json:"verificationMethod"`
		AssertionMethod    []any            `json:"assertionMethod"`
	}
	if err := json.Unmarshal(docJSON, &doc); err != nil {
		t.Fatal(err)
	}
	abs := func(id string) string {
		if strings.HasPrefix(id, "#") {
			return doc.ID + id
		}
		return id
	}
	if doc.ID != wantIssuer {
		t.Fatalf("DID document id = %q", doc.ID)
	}
	listed := false
	for _, e := range doc.AssertionMethod {
		if s, ok := e.(string); ok && abs(s) == kid {
			listed = true
		}
	}
	if !listed {
		t.Fatalf("kid %s is not listed under assertionMethod", kid)
	}
	var jwkMap map[string]any
	for _, vm := range doc.VerificationMethod {
		if id, _ := vm["id"].(string); abs(id) == kid {
			jwkMap, _ = vm["publicKeyJwk"].(map[string]any)
		}
	}
	if jwkMap == nil {
		t.Fatalf("no publicKeyJwk for %s", kid)
	}
	raw, _ := json.Marshal(jwkMap)
	key, err := jwk.ParseKey(raw)
	if err != nil {
		t.Fatalf("jwx cannot import the publicKeyJwk: %v", err)
	}
	// The key, not the header, decides the algorithm.
	var alg jwa.SignatureAlgorithm
	switch kty, crv := jwkMap["kty"], jwkMap["crv"]; {
	case kty == "OKP" && crv == "Ed25519":
		alg = jwa.EdDSA()
	case kty == "EC" && crv == "P-256":
		alg = jwa.ES256()
	case kty == "EC" && crv == "P-384":
		alg = jwa.ES384()
	default:
		t.Fatalf("unexpected key type %v %v", kty, crv)
	}
	if got, _ := h.Algorithm(); got != alg {
		t.Errorf("alg = %s, the key is for %s", got, alg)
	}
	payload, err := jws.Verify([]byte(token), jws.WithKey(alg, key))
	if err != nil {
		t.Fatalf("jwx does not verify the token: %v", err)
	}
	return payload
}

// jwxIssuer is an issuer that signs with jwx and is identified by a did:jwk
// made from jwx's own serialization of its public key.
type jwxIssuer struct {
	alg  jwa.SignatureAlgorithm
	priv jwk.Key
	did  string
	kid  string
}

func newJWXIssuer(t testing.TB, alg jwa.SignatureAlgorithm) *jwxIssuer {
	t.Helper()
	var raw crypto.Signer
	var err error
	switch alg {
	case jwa.EdDSA():
		_, raw, err = ed25519.GenerateKey(rand.Reader)
	case jwa.ES256():
		raw, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		t.Fatalf("no key for %s", alg)
	}
	if err != nil {
		t.Fatal(err)
	}
	priv, err := jwk.Import(raw)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := jwk.PublicKeyOf(priv)
	if err != nil {
		t.Fatal(err)
	}
	pubJSON, err := json.Marshal(pub)
	if err != nil {
		t.Fatal(err)
	}
	id := "did:jwk:" + base64.RawURLEncoding.EncodeToString(pubJSON)
	return &jwxIssuer{alg: alg, priv: priv, did: id, kid: id + "#0"}
}

// sign signs payload with jwx; header members are set as given (typ and
// kid default to vc+jwt and the did:jwk key).
func (ji *jwxIssuer) sign(t testing.TB, payload []byte, header map[string]any) string {
	t.Helper()
	h := jws.NewHeaders()
	members := map[string]any{"typ": "vc+jwt", "cty": "vc", "kid": ji.kid}
	for k, v := range header {
		members[k] = v
	}
	for k, v := range members {
		if v == nil {
			continue
		}
		if err := h.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := jws.Sign(payload, jws.WithKey(ji.alg, ji.priv, jws.WithProtectedHeaders(h)))
	if err != nil {
		t.Fatal(err)
	}
	return string(tok)
}

func (ji *jwxIssuer) signDoc(t testing.TB, doc map[string]any) string {
	t.Helper()
	payload, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return ji.sign(t, payload, nil)
}

// degreeDoc is a DegreeCredential document of the jwx issuer, with a
// revocation entry at index in the list at listURL ("" for none).
func (ji *jwxIssuer) degreeDoc(t testing.TB, listURL string, index int) map[string]any {
	doc := degreeExample(t)
	doc["id"] = "urn:uuid:0195a1b2-c3d4-7e5f-8a9b-" + fmt.Sprintf("%012d", index)
	doc["issuer"] = map[string]any{"id": ji.did, "name": "jwx test issuer"}
	doc["validFrom"] = testNow.Add(-time.Hour).Format(time.RFC3339)
	doc["credentialSchema"] = map[string]any{"id": "https://thaitrust.example/schemas/DegreeCredential.json", "type": "JsonSchema"}
	if listURL != "" {
		i := strconv.Itoa(index)
		doc["credentialStatus"] = map[string]any{
			"id": listURL + "#" + i, "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
			"statusListIndex": i, "statusListCredential": listURL,
		}
	}
	return doc
}

// statusListDoc is a BitstringStatusListCredential of 131,072 entries with
// the given indexes set, encoded here (GZIP, then multibase base64url; bit
// 0 is the most significant bit of the first byte), independently of
// ThaiTrust's encoder.
func (ji *jwxIssuer) statusListDoc(t testing.TB, listURL string, set ...int) map[string]any {
	bits := make([]byte, 131072/8)
	for _, i := range set {
		bits[i/8] |= 0x80 >> (i % 8)
	}
	var z bytes.Buffer
	w := gzip.NewWriter(&z)
	w.Write(bits)
	w.Close()
	return map[string]any{
		"@context":   []any{"https://www.w3.org/ns/credentials/v2"},
		"id":         listURL,
		"type":       []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":     ji.did,
		"validFrom":  testNow.Add(-2 * time.Hour).Format(time.RFC3339),
		"validUntil": testNow.Add(22 * time.Hour).Format(time.RFC3339),
		"credentialSubject": map[string]any{
			"id": listURL + "#list", "type": "BitstringStatusList", "statusPurpose": "revocation",
			"encodedList": "u" + base64.RawURLEncoding.EncodeToString(z.Bytes()),
		},
	}
}

// thaiVerifier is ThaiTrust's verifier trusting issuerDID for
// DegreeCredential, resolving DIDs itself (did:jwk is computed), and
// fetching status lists from lists (URL -> vc+jwt).
func thaiVerifier(t testing.TB, issuerDID string, lists map[string]string) *verifier.Verifier {
	t.Helper()
	resolver := &did.Resolver{}
	algs := []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	now := func() time.Time { return testNow }
	listOpts := jose.VerifyOptions{Algorithms: algs, Keys: resolver, Now: now}
	checker := &status.Checker{
		Fetch: func(_ context.Context, url string) ([]byte, error) {
			tok, ok := lists[url]
			if !ok {
				return nil, fmt.Errorf("no list at %s", url)
			}
			return []byte(tok), nil
		},
		Verify: func(ctx context.Context, raw []byte) (*credential.Credential, error) {
			return jose.VerifyCredential(ctx, string(raw), listOpts)
		},
		Now: now,
	}
	v, err := verifier.New(verifier.Config{
		Algorithms: algs, Keys: resolver, Status: checker, Now: now,
		Trust: verifier.StaticTrust{"DegreeCredential": {issuerDID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestJWXToThaiTrust: credentials signed with jwx by a did:jwk issuer
// verify in ThaiTrust's verifier with every check on. Their status is read
// from a Bitstring Status List credential that jwx signed too (so the
// status check is exercised end to end on foreign input: list signature,
// GZIP and multibase decoding, bit order), and a revoked one fails with
// reason "revoked".
func TestJWXToThaiTrust(t *testing.T) {
	for _, alg := range []jwa.SignatureAlgorithm{jwa.EdDSA(), jwa.ES256()} {
		t.Run(alg.String(), func(t *testing.T) {
			ji := newJWXIssuer(t, alg)
			const listURL = "https://jwx-issuer.example/status/1"
			lists := map[string]string{listURL: ji.signDoc(t, ji.statusListDoc(t, listURL, 42, 131071))}
			v := thaiVerifier(t, ji.did, lists)
			ctx := context.Background()

			good := ji.signDoc(t, ji.degreeDoc(t, listURL, 7))
			r := v.VerifyCredential(ctx, jose.MediaTypeCredential, good)
			if !r.Verified {
				t.Fatalf("not verified: %s (%+v)", r.Reason(), r.Checks)
			}
			for _, c := range r.Checks {
				if c.Status != verifier.Passed {
					t.Errorf("check %s: %s %s", c.Check, c.Status, c.Reason)
				}
			}
			if r.Issuer != ji.did || r.Type != "DegreeCredential" {
				t.Errorf("issuer %q type %q", r.Issuer, r.Type)
			}

			revoked := ji.signDoc(t, ji.degreeDoc(t, listURL, 42))
			r = v.VerifyCredential(ctx, jose.MediaTypeCredential, revoked)
			if r.Verified || r.Reason() != "revoked" {
				t.Errorf("revoked credential: verified=%v reason=%q, want reason revoked", r.Verified, r.Reason())
			}

			// Without credentialStatus the status check is skipped (and
			// says so); everything else passes.
			plain := ji.signDoc(t, ji.degreeDoc(t, "", 1))
			r = v.VerifyCredential(ctx, jose.MediaTypeCredential, plain)
			if !r.Verified {
				t.Errorf("credential without status: %s", r.Reason())
			}
		})
	}
}

// TestJWXRejected: tokens jwx produces that ThaiTrust must refuse.
func TestJWXRejected(t *testing.T) {
	ji := newJWXIssuer(t, jwa.EdDSA())
	other := newJWXIssuer(t, jwa.EdDSA())
	ecIssuer := newJWXIssuer(t, jwa.ES256())
	v := thaiVerifier(t, ji.did, nil)
	doc := ji.degreeDoc(t, "", 1)
	payload, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	noneToken := func() string {
		h := jws.NewHeaders()
		h.Set("typ", "vc+jwt")
		h.Set("kid", ji.kid)
		tok, err := jws.Sign(payload, jws.WithInsecureNoSignature(jws.WithProtectedHeaders(h)))
		if err != nil {
			t.Fatal(err)
		}
		return string(tok)
	}
	vcClaim, _ := json.Marshal(map[string]any{"iss": ji.did, "nbf": testNow.Unix(), "vc": doc})
	tests := []struct {
		name, token, wantReason string
	}{
		{"alg none", noneToken(), "alg_none"},
		{"typ JWT", ji.sign(t, payload, map[string]any{"typ": "JWT"}), "wrong_typ"},
		{"typ vp+jwt", ji.sign(t, payload, map[string]any{"typ": "vp+jwt"}), "wrong_typ"},
		{"no typ", ji.sign(t, payload, map[string]any{"typ": nil}), "wrong_typ"},
		{"VCDM 1.1 vc claim", ji.sign(t, vcClaim, nil), "malformed"},
		{"signed by another key", other.sign(t, payload, map[string]any{"kid": ji.kid}), "bad_signature"},
		{"ES256 over an Ed25519 did:jwk", ecIssuer.sign(t, payload, map[string]any{"kid": ji.kid}), "key_type_mismatch"},
		{"kid of another DID", other.sign(t, payload, nil), "kid_issuer_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := v.VerifyCredential(context.Background(), jose.MediaTypeCredential, tt.token)
			if r.Verified {
				t.Fatal("verified")
			}
			if got := r.Reason(); got != tt.wantReason {
				t.Errorf("reason %q, want %q (%+v)", got, tt.wantReason, r.Checks)
			}
		})
	}
}
