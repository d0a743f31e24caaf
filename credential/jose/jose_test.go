package jose_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// now is the fixed time of every test.
var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

const (
	issuerDID = "did:web:issuer.example"
	otherDID  = "did:web:other.example"
	kidEd     = issuerDID + "#key-1" // Ed25519
	kidP256   = issuerDID + "#key-2" // P-256
	kidP384   = issuerDID + "#key-3" // P-384
)

// keys are the issuer's keys, in the order of its DID document, plus a
// key nobody published.
type keys struct {
	ed, p256, p384, stranger crypto.Signer
	resolver                 *did.Resolver
}

func newKeys(t testing.TB) *keys {
	t.Helper()
	k := &keys{}
	for _, x := range []struct {
		dst *crypto.Signer
		alg signing.Algorithm
	}{{&k.ed, signing.EdDSA}, {&k.p256, signing.ES256}, {&k.p384, signing.ES384}, {&k.stranger, signing.EdDSA}} {
		key, err := signing.GenerateKey(x.alg)
		if err != nil {
			t.Fatal(err)
		}
		*x.dst = key
	}
	docs := map[string]*did.Document{
		issuerDID: did.NewDocument(issuerDID, k.ed.Public(), k.p256.Public(), k.p384.Public()),
		otherDID:  did.NewDocument(otherDID, k.stranger.Public()),
	}
	k.resolver = &did.Resolver{Local: func(id string) (*did.Document, bool) { d, ok := docs[id]; return d, ok }}
	return k
}

func (k *keys) signer(alg signing.Algorithm) jose.Signer {
	switch alg {
	case signing.ES256:
		return jose.Signer{Key: k.p256, Algorithm: alg, KeyID: kidP256}
	case signing.ES384:
		return jose.Signer{Key: k.p384, Algorithm: alg, KeyID: kidP384}
	}
	return jose.Signer{Key: k.ed, Algorithm: signing.EdDSA, KeyID: kidEd}
}

func (k *keys) opts(algs ...signing.Algorithm) jose.VerifyOptions {
	if len(algs) == 0 {
		algs = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	}
	return jose.VerifyOptions{Algorithms: algs, Keys: k.resolver, Now: func() time.Time { return now }}
}

// credDoc is a valid credential of issuerDID, valid in 2025.
func credDoc() map[string]any {
	return map[string]any{
		"@context":  []any{credential.ContextV2, "https://www.w3.org/ns/credentials/examples/v2"},
		"id":        "urn:uuid:0197a7e2-0000-7000-8000-000000000001",
		"type":      []any{"VerifiableCredential", "ExampleDegreeCredential"},
		"issuer":    issuerDID,
		"validFrom": "2025-01-01T00:00:00Z", "validUntil": "2026-01-01T00:00:00Z",
		"credentialSubject": map[string]any{
			"id":     "did:example:alice",
			"degree": map[string]any{"type": "BachelorDegree", "name": "วิศวกรรมศาสตรบัณฑิต"},
		},
	}
}

func with(doc map[string]any, kv ...any) map[string]any {
	doc = maps.Clone(doc)
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(doc, kv[i].(string))
			continue
		}
		doc[kv[i].(string)] = kv[i+1]
	}
	return doc
}

// signRaw signs payload (a document, or raw bytes) under header h.
func signRaw(t testing.TB, key crypto.Signer, h jws.Header, payload any) string {
	t.Helper()
	var data []byte
	switch p := payload.(type) {
	case []byte:
		data = p
	default:
		var err error
		if data, err = json.Marshal(p); err != nil {
			t.Fatal(err)
		}
	}
	tok, err := jws.Sign(key, h, data)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// unsigned builds a compact JWS with any header and signature, as an
// attacker would.
func unsigned(t testing.TB, header map[string]any, payload map[string]any, sig string) string {
	t.Helper()
	h, err := json.Marshal(header)
	if err != nil {
		t.Fatal(err)
	}
	p, err := json.Marshal(payload)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	return enc(h) + "." + enc(p) + "." + sig
}

// truncSig drops the last byte of the signature.
func truncSig(t testing.TB, tok string) string {
	t.Helper()
	i := strings.LastIndexByte(tok, '.')
	sig, err := base64.RawURLEncoding.DecodeString(tok[i+1:])
	if err != nil {
		t.Fatal(err)
	}
	return tok[:i+1] + base64.RawURLEncoding.EncodeToString(sig[:len(sig)-1])
}

func vcHeader(alg signing.Algorithm, kid string) jws.Header {
	return jws.Header{Alg: alg, Kid: kid, Typ: jose.TypCredential, Cty: jose.CtyCredential}
}

// tamper changes one byte of the payload (keeping it valid JSON) and
// keeps the original signature.
func tamper(t testing.TB, tok string) string {
	t.Helper()
	parts := strings.Split(tok, ".")
	p, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(p), "alice")
	if i < 0 {
		t.Fatal("no subject to tamper with")
	}
	p[i] = 'A'
	parts[1] = base64.RawURLEncoding.EncodeToString(p)
	return strings.Join(parts, ".")
}

func wantReason(t *testing.T, err error, reason string) {
	t.Helper()
	if reason == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var je *jose.Error
	if !errors.As(err, &je) {
		t.Fatalf("error %v (%T) is not a *jose.Error; want reason %s", err, err, reason)
	}
	if je.Reason != reason {
		t.Fatalf("reason %q, want %q (%v)", je.Reason, reason, err)
	}
	if got := jose.Reason(err); got != reason {
		t.Errorf("jose.Reason = %q, want %q", got, reason)
	}
	if !strings.HasPrefix(err.Error(), "jose: ") {
		t.Errorf("message %q lacks the package prefix", err)
	}
}

func TestVerifyCredentialRejections(t *testing.T) {
	k := newKeys(t)
	ed := func(doc map[string]any) string { return signRaw(t, k.ed, vcHeader(signing.EdDSA, kidEd), doc) }
	good := ed(credDoc())
	noneHeader := map[string]any{"alg": "none", "typ": "vc+jwt", "cty": "vc", "kid": kidEd}

	tests := []struct {
		name   string
		token  string
		opts   func(*jose.VerifyOptions)
		reason string
	}{
		{name: "ok", token: good},
		{name: "ok/typ media type", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "application/vc+jwt"}, credDoc())},
		{name: "ok/no cty", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "vc+jwt"}, credDoc())},

		{name: "malformed/not a JWS", token: "not a token", reason: "malformed"},
		{name: "malformed/two parts", token: "eyJhbGciOiJFZERTQSJ9.e30", reason: "malformed"},
		{name: "malformed/empty", token: "", reason: "malformed"},
		{name: "malformed/bad base64", token: "!!!." + strings.SplitN(good, ".", 2)[1], reason: "malformed"},
		{name: "malformed/payload not JSON", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, kidEd), []byte("not json")), reason: "malformed"},
		{name: "malformed/payload an array", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, kidEd), []byte(`[1]`)), reason: "malformed"},
		{name: "malformed/payload duplicate member", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, kidEd), []byte(`{"id":"a","id":"b"}`)), reason: "malformed"},
		{name: "malformed/vc claim", token: ed(with(credDoc(), "vc", map[string]any{"type": "VerifiableCredential"})), reason: "malformed"},
		{name: "malformed/vp claim", token: ed(with(credDoc(), "vp", map[string]any{})), reason: "malformed"},
		{name: "malformed/exp not a number", token: ed(with(credDoc(), "exp", "tomorrow")), reason: "malformed"},
		{name: "malformed/iss not a string", token: ed(with(credDoc(), "iss", json.Number("1"))), reason: "malformed"},

		{name: "wrong_typ/JWT", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "JWT"}, credDoc()), reason: "wrong_typ"},
		{name: "wrong_typ/missing", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd}, credDoc()), reason: "wrong_typ"},
		{name: "wrong_typ/vp+jwt", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "vp+jwt"}, credDoc()), reason: "wrong_typ"},
		{name: "wrong_typ/sd-jwt", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "dc+sd-jwt"}, credDoc()), reason: "wrong_typ"},
		{name: "wrong_cty", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "vc+jwt", Cty: "vp"}, credDoc()), reason: "wrong_cty"},
		{name: "wrong_cty/json", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "vc+jwt", Cty: "application/json"}, credDoc()), reason: "wrong_cty"},

		{name: "alg_none/empty signature", token: unsigned(t, noneHeader, credDoc(), ""), reason: "alg_none"},
		{name: "alg_none/junk signature", token: unsigned(t, noneHeader, credDoc(), "c2lnbmF0dXJl"), reason: "alg_none"},
		{name: "alg_none/upper case", token: unsigned(t, with(noneHeader, "alg", "NONE"), credDoc(), ""), reason: "alg_none"},
		{name: "alg_none/without kid", token: unsigned(t, with(noneHeader, "kid", nil), credDoc(), ""), reason: "alg_none"},
		{name: "alg_none/listed as allowed", token: unsigned(t, noneHeader, credDoc(), ""), reason: "alg_none",
			opts: func(o *jose.VerifyOptions) { o.Algorithms = append(o.Algorithms, "none") }},
		{name: "alg_not_allowed/ES384 with only EdDSA", token: signRaw(t, k.p384, vcHeader(signing.ES384, kidP384), credDoc()), reason: "alg_not_allowed",
			opts: func(o *jose.VerifyOptions) { o.Algorithms = []signing.Algorithm{signing.EdDSA} }},
		{name: "alg_not_allowed/HS256", token: unsigned(t, with(noneHeader, "alg", "HS256"), credDoc(), "c2ln"), reason: "alg_not_allowed"},
		{name: "alg_not_allowed/RS256", token: unsigned(t, with(noneHeader, "alg", "RS256"), credDoc(), "c2ln"), reason: "alg_not_allowed"},
		{name: "alg_not_allowed/no algorithms", token: good, reason: "alg_not_allowed",
			opts: func(o *jose.VerifyOptions) { o.Algorithms = nil }},
		{name: "alg_not_allowed/case", token: unsigned(t, with(noneHeader, "alg", "eddsa"), credDoc(), "c2ln"), reason: "alg_not_allowed"},
		// An EdDSA header whose kid names the issuer's P-256 key.
		{name: "key_type_mismatch/EdDSA header, P-256 key", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, kidP256), credDoc()), reason: "key_type_mismatch"},
		{name: "key_type_mismatch/ES256 header, P-384 key", token: signRaw(t, k.p256, vcHeader(signing.ES256, kidP384), credDoc()), reason: "key_type_mismatch"},
		{name: "key_type_mismatch/ES384 header, Ed25519 key", token: signRaw(t, k.p384, vcHeader(signing.ES384, kidEd), credDoc()), reason: "key_type_mismatch"},
		{name: "unknown_crit", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Kid: kidEd, Typ: "vc+jwt",
			Crit: []string{"urn:example:policy"}, Extra: map[string]any{"urn:example:policy": "strict"}}, credDoc()), reason: "unknown_crit"},
		{name: "kid_missing", token: signRaw(t, k.ed, jws.Header{Alg: signing.EdDSA, Typ: "vc+jwt"}, credDoc()), reason: "kid_missing"},
		{name: "kid_issuer_mismatch/other DID", token: signRaw(t, k.stranger, vcHeader(signing.EdDSA, otherDID+"#key-1"), credDoc()), reason: "kid_issuer_mismatch"},
		{name: "kid_issuer_mismatch/DID prefix", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, issuerDID+"x#key-1"), credDoc()), reason: "kid_issuer_mismatch"},
		{name: "kid_issuer_mismatch/no fragment", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, "did:web:other.example"), credDoc()), reason: "kid_issuer_mismatch"},
		{name: "key_not_found/no such method", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, issuerDID+"#key-9"), credDoc()), reason: "key_not_found"},
		{name: "key_not_found/unresolvable DID", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, "did:example:nobody#key-1"),
			with(credDoc(), "issuer", "did:example:nobody")), reason: "key_not_found"},
		{name: "key_not_found/kid is not a DID URL", token: signRaw(t, k.ed, vcHeader(signing.EdDSA, issuerDID), credDoc()), reason: "key_not_found"},
		{name: "bad_signature/payload byte flipped", token: tamper(t, good), reason: "bad_signature"},
		{name: "bad_signature/signed by another key", token: signRaw(t, k.stranger, vcHeader(signing.EdDSA, kidEd), credDoc()), reason: "bad_signature"},
		{name: "bad_signature/signature of another token", token: strings.Join(append(strings.Split(ed(with(credDoc(), "id", "urn:example:2")), ".")[:2], strings.Split(good, ".")[2]), "."), reason: "bad_signature"},
		{name: "bad_signature/truncated signature", token: truncSig(t, good), reason: "bad_signature"},
		{name: "claim_mismatch/iss", token: ed(with(credDoc(), "iss", otherDID)), reason: "claim_mismatch"},
		{name: "claim_mismatch/jti", token: ed(with(credDoc(), "jti", "urn:example:other")), reason: "claim_mismatch"},
		{name: "claim_mismatch/sub", token: ed(with(credDoc(), "sub", "did:example:mallory")), reason: "claim_mismatch"},
		{name: "ok/matching iss jti sub", token: ed(with(credDoc(), "iss", issuerDID, "jti", credDoc()["id"], "sub", "did:example:alice"))},
		{name: "expired/validUntil", token: ed(with(credDoc(), "validUntil", "2025-06-01T11:59:59Z")), reason: "expired"},
		{name: "expired/exp", token: ed(with(credDoc(), "exp", now.Add(-time.Second).Unix())), reason: "expired"},
		{name: "expired/exp now", token: ed(with(credDoc(), "exp", now.Unix())), reason: "expired"},
		{name: "not_yet_valid/validFrom", token: ed(with(credDoc(), "validFrom", "2025-06-01T12:00:01Z")), reason: "not_yet_valid"},
		{name: "not_yet_valid/nbf", token: ed(with(credDoc(), "nbf", now.Add(time.Second).Unix())), reason: "not_yet_valid"},
		{name: "ok/validUntil now", token: ed(with(credDoc(), "validUntil", "2025-06-01T12:00:00Z"))},
		{name: "ok/validFrom now", token: ed(with(credDoc(), "validFrom", "2025-06-01T12:00:00Z"))},
		{name: "ok/nbf now", token: ed(with(credDoc(), "nbf", now.Unix()))},
		{name: "invalid_credential/no subject", token: ed(with(credDoc(), "credentialSubject", nil)), reason: "invalid_credential"},
		{name: "invalid_credential/type not VC", token: ed(with(credDoc(), "type", []any{"ExampleDegreeCredential"})), reason: "invalid_credential"},
		{name: "invalid_credential/context", token: ed(with(credDoc(), "@context", "https://www.w3.org/2018/credentials/v1")), reason: "invalid_credential"},
		{name: "invalid_credential/validFrom after validUntil", token: ed(with(credDoc(), "validFrom", "2026-01-02T00:00:00Z")), reason: "invalid_credential"},
		{name: "invalid_credential/issuer missing", token: ed(with(credDoc(), "issuer", nil)), reason: "invalid_credential"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := k.opts()
			if tt.opts != nil {
				tt.opts(&opts)
			}
			c, err := jose.VerifyCredential(context.Background(), tt.token, opts)
			wantReason(t, err, tt.reason)
			if (err == nil) != (c != nil) {
				t.Fatalf("credential %v with error %v", c, err)
			}
		})
	}
}

// TestClockSkew pins the validity boundaries on both sides, with and
// without leeway.
func TestClockSkew(t *testing.T) {
	k := newKeys(t)
	const skew = 5 * time.Minute
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name   string
		doc    map[string]any
		skew   time.Duration
		reason string
	}{
		{"validFrom at now+skew", with(credDoc(), "validFrom", at(skew)), skew, ""},
		{"validFrom after now+skew", with(credDoc(), "validFrom", at(skew+time.Second)), skew, "not_yet_valid"},
		{"validFrom within skew, no skew", with(credDoc(), "validFrom", at(time.Second)), 0, "not_yet_valid"},
		{"validUntil at now-skew", with(credDoc(), "validUntil", at(-skew)), skew, ""},
		{"validUntil before now-skew", with(credDoc(), "validUntil", at(-skew-time.Second)), skew, "expired"},
		{"validUntil within skew, no skew", with(credDoc(), "validUntil", at(-time.Second)), 0, "expired"},
		{"nbf at now+skew", with(credDoc(), "nbf", now.Add(skew).Unix()), skew, ""},
		{"nbf after now+skew", with(credDoc(), "nbf", now.Add(skew+time.Second).Unix()), skew, "not_yet_valid"},
		// exp is exclusive (RFC 7519 4.1.4: "on or after" is expired).
		{"exp after now-skew", with(credDoc(), "exp", now.Add(-skew+time.Second).Unix()), skew, ""},
		{"exp at now-skew", with(credDoc(), "exp", now.Add(-skew).Unix()), skew, "expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := k.opts()
			opts.ClockSkew = tt.skew
			tok, err := jose.SecureCredential(tt.doc, k.signer(signing.EdDSA))
			if err != nil {
				t.Fatal(err)
			}
			_, err = jose.VerifyCredential(context.Background(), tok, opts)
			wantReason(t, err, tt.reason)
		})
	}
}

// TestSentinels checks that jws failures keep their jws sentinel.
func TestSentinels(t *testing.T) {
	k := newKeys(t)
	tok := signRaw(t, k.stranger, vcHeader(signing.EdDSA, kidEd), credDoc())
	_, err := jose.VerifyCredential(context.Background(), tok, k.opts())
	if !errors.Is(err, jws.ErrBadSignature) {
		t.Errorf("%v does not match jws.ErrBadSignature", err)
	}
	if msg := err.Error(); strings.Count(msg, "bad_signature") != 1 {
		t.Errorf("message %q repeats the reason", msg)
	}
	_, err = jose.ParseCredential("x.y")
	if !errors.Is(err, jws.ErrMalformed) {
		t.Errorf("%v does not match jws.ErrMalformed", err)
	}
	// A credential validation error stays reachable.
	tok = signRaw(t, k.ed, vcHeader(signing.EdDSA, kidEd), with(credDoc(), "credentialSubject", nil))
	_, err = jose.ParseCredential(tok)
	var ve *credential.ValidationError
	if !errors.As(err, &ve) || ve.Field != "/credentialSubject" {
		t.Errorf("%v: want a credential.ValidationError at /credentialSubject", err)
	}
}

func TestVerifyOptionsRequired(t *testing.T) {
	k := newKeys(t)
	tok, err := jose.SecureCredential(credDoc(), k.signer(signing.EdDSA))
	if err != nil {
		t.Fatal(err)
	}
	opts := k.opts()
	opts.Keys = nil
	if _, err := jose.VerifyCredential(context.Background(), tok, opts); err == nil {
		t.Fatal("verified without a key resolver")
	}
}

func TestRoundTrip(t *testing.T) {
	k := newKeys(t)
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384} {
		t.Run(string(alg), func(t *testing.T) {
			doc := credDoc()
			tok, err := jose.SecureCredential(doc, k.signer(alg))
			if err != nil {
				t.Fatal(err)
			}
			s, err := jose.ParseCredential(tok)
			if err != nil {
				t.Fatal(err)
			}
			h := s.JWS.Header
			if h.Alg != alg || h.Typ != jose.TypCredential || h.Cty != jose.CtyCredential || h.Kid != k.signer(alg).KeyID {
				t.Errorf("header %+v", h)
			}
			// The payload is the document itself, Thai text unescaped.
			if !strings.Contains(s.JWS.PayloadText, "วิศวกรรมศาสตรบัณฑิต") {
				t.Errorf("payload %s", s.JWS.PayloadText)
			}
			c, err := jose.VerifyCredential(context.Background(), tok, k.opts(alg))
			if err != nil {
				t.Fatal(err)
			}
			if c.ID != doc["id"] || c.Issuer.ID != issuerDID || c.PrimaryType() != "ExampleDegreeCredential" || c.SubjectID() != "did:example:alice" {
				t.Errorf("credential %+v", c)
			}
			if typ, err := jose.PeekTyp(tok); err != nil || typ != jose.TypCredential {
				t.Errorf("PeekTyp = %q, %v", typ, err)
			}
			// Only alg is allowed: the others are refused.
			for _, other := range []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384} {
				if other == alg {
					continue
				}
				_, err := jose.VerifyCredential(context.Background(), tok, k.opts(other))
				wantReason(t, err, "alg_not_allowed")
			}
		})
	}
}

func TestSecureErrors(t *testing.T) {
	k := newKeys(t)
	for _, s := range []jose.Signer{
		{Key: k.ed, Algorithm: signing.EdDSA},                                     // no kid
		{Algorithm: signing.EdDSA, KeyID: kidEd},                                  // no key
		{Key: k.ed, Algorithm: signing.EdDSA, KeyID: issuerDID},                   // no fragment
		{Key: k.ed, Algorithm: signing.EdDSA, KeyID: "https://issuer.example#k1"}, // not a DID
		{Key: k.ed, Algorithm: signing.ES256, KeyID: kidEd},                       // alg does not fit the key
		{Key: k.ed, Algorithm: "none", KeyID: kidEd},
	} {
		if tok, err := jose.SecureCredential(credDoc(), s); err == nil {
			t.Errorf("signer %+v: signed %s", s, tok)
		}
	}
}

// holder is a did:key holder.
type holder struct {
	did    string
	signer jose.Signer
}

func newHolder(t testing.TB, alg signing.Algorithm) holder {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	id, err := did.KeyDID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return holder{did: id, signer: jose.Signer{Key: key, Algorithm: alg, KeyID: id + "#" + strings.TrimPrefix(id, "did:key:")}}
}

func presDoc(holderID string, vcs ...string) map[string]any {
	doc := map[string]any{
		"@context": []any{credential.ContextV2},
		"type":     []any{"VerifiablePresentation"},
	}
	if holderID != "" {
		doc["holder"] = holderID
	}
	var list []any
	for _, vc := range vcs {
		list = append(list, credential.Envelope(jose.MediaTypeCredential, vc))
	}
	if list != nil {
		doc["verifiableCredential"] = list
	}
	return doc
}

func TestPresentation(t *testing.T) {
	k := newKeys(t)
	vc, err := jose.SecureCredential(credDoc(), k.signer(signing.EdDSA))
	if err != nil {
		t.Fatal(err)
	}
	h := newHolder(t, signing.ES256)
	stranger := newHolder(t, signing.EdDSA)
	stranger256 := newHolder(t, signing.ES256)
	const nonce, aud = "n-0S6_WzA2Mj", "https://verifier.example"
	claims := jose.PresentationClaims{Nonce: nonce, Audience: aud, IssuedAt: now, Expiry: now.Add(5 * time.Minute)}
	secure := func(doc map[string]any, s jose.Signer, c jose.PresentationClaims) string {
		tok, err := jose.SecurePresentation(doc, s, c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	good := secure(presDoc(h.did, vc), h.signer, claims)

	tests := []struct {
		name         string
		token        string
		nonce, aud   string
		parseReason  string
		verifyReason string
		bindReason   string
	}{
		{name: "ok", token: good, nonce: nonce, aud: aud},
		{name: "ok/checks skipped", token: good},
		{name: "ok/no credentials", token: secure(presDoc(h.did), h.signer, claims), nonce: nonce, aud: aud},
		{name: "ok/aud array", token: secure(with(presDoc(h.did, vc), "aud", []any{"https://a.example", aud}), h.signer, jose.PresentationClaims{Nonce: nonce}), nonce: nonce, aud: aud},
		{name: "nonce_mismatch", token: good, nonce: "another", aud: aud, bindReason: "nonce_mismatch"},
		{name: "nonce_mismatch/no nonce signed", token: secure(presDoc(h.did, vc), h.signer, jose.PresentationClaims{Audience: aud}), nonce: nonce, aud: aud, bindReason: "nonce_mismatch"},
		{name: "audience_mismatch", token: good, nonce: nonce, aud: "https://evil.example", bindReason: "audience_mismatch"},
		{name: "audience_mismatch/no aud signed", token: secure(presDoc(h.did, vc), h.signer, jose.PresentationClaims{Nonce: nonce}), nonce: nonce, aud: aud, bindReason: "audience_mismatch"},
		{name: "expired", token: secure(presDoc(h.did, vc), h.signer, jose.PresentationClaims{Nonce: nonce, Expiry: now}), nonce: nonce, bindReason: "expired"},
		{name: "not_yet_valid", token: secure(with(presDoc(h.did, vc), "nbf", now.Add(time.Minute).Unix()), h.signer, jose.PresentationClaims{Nonce: nonce}), nonce: nonce, bindReason: "not_yet_valid"},
		{name: "holder_missing", token: secure(presDoc("", vc), h.signer, claims), verifyReason: "holder_missing"},
		{name: "kid_issuer_mismatch/signed by someone else", token: secure(presDoc(h.did, vc), stranger.signer, claims), verifyReason: "kid_issuer_mismatch"},
		{name: "key_type_mismatch/holder kid, Ed25519 key", token: secure(presDoc(h.did, vc), jose.Signer{Key: stranger.signer.Key, Algorithm: signing.EdDSA, KeyID: h.signer.KeyID}, claims), verifyReason: "key_type_mismatch"},
		{name: "bad_signature/holder kid, other P-256 key", token: secure(presDoc(h.did, vc), jose.Signer{Key: stranger256.signer.Key, Algorithm: signing.ES256, KeyID: h.signer.KeyID}, claims), verifyReason: "bad_signature"},
		{name: "claim_mismatch/iss", token: secure(with(presDoc(h.did, vc), "iss", stranger.did), h.signer, claims), parseReason: "claim_mismatch"},
		{name: "wrong_typ/a credential", token: vc, parseReason: "wrong_typ"},
		{name: "invalid_presentation", token: secure(with(presDoc(h.did, vc), "type", []any{"VerifiableCredential"}), h.signer, claims), parseReason: "invalid_presentation"},
		{name: "malformed/vp claim", token: secure(with(presDoc(h.did, vc), "vp", map[string]any{}), h.signer, claims), parseReason: "malformed"},
		{name: "alg_none", token: unsigned(t, map[string]any{"alg": "none", "typ": "vp+jwt", "kid": h.signer.KeyID}, with(presDoc(h.did, vc), "nonce", nonce), ""), nonce: nonce, verifyReason: "alg_none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := jose.ParsePresentation(tt.token)
			wantReason(t, err, tt.parseReason)
			if err != nil {
				if s != nil {
					t.Fatal("result with an error")
				}
				return
			}
			err = s.VerifyProof(context.Background(), k.opts())
			wantReason(t, err, tt.verifyReason)
			if err != nil {
				return
			}
			err = s.CheckBinding(tt.nonce, tt.aud, now, 0)
			wantReason(t, err, tt.bindReason)
		})
	}

	// The JWT claims are not presentation members.
	s, err := jose.ParsePresentation(good)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"nonce", "aud", "iat", "exp"} {
		if _, ok := s.Presentation.Map()[m]; ok {
			t.Errorf("presentation keeps JWT claim %q", m)
		}
	}
	if s.Presentation.Holder != h.did || len(s.Presentation.Credentials) != 1 || s.Presentation.Credentials[0].Enveloped == nil {
		t.Fatalf("presentation %+v", s.Presentation)
	}
	if c, err := jose.VerifyCredential(context.Background(), s.Presentation.Credentials[0].Enveloped.Data, k.opts()); err != nil || c.Issuer.ID != issuerDID {
		t.Fatalf("embedded credential: %v", err)
	}
}

// TestReleaseKeepsCredential: releasing a parsed credential's JWS (as the
// verifier does) leaves the credential intact while later verifications
// reuse the memory.
func TestReleaseKeepsCredential(t *testing.T) {
	k := newKeys(t)
	tok, err := jose.SecureCredential(credDoc(), k.signer(signing.EdDSA))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jose.ParseCredential(tok)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.Credential.MarshalJSON()
	s.Release()
	for range 3 {
		if _, err := jose.VerifyCredential(context.Background(), tok, k.opts(signing.EdDSA)); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Credential.MarshalJSON(); string(got) != string(want) {
		t.Fatalf("credential changed after Release:\n%s\n%s", got, want)
	}
	if s.JWS.SigningInput != nil || s.VerifyProof(context.Background(), k.opts(signing.EdDSA)) == nil {
		t.Fatal("a released credential still verifies")
	}
}
