package sdjwt

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/internal/testdata"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// vectorDirs are the three sets of ../shared/vectors/sd-jwt (see
// SOURCES.md there).
var vectorDirs = []string{"rfc9901-examples", "sd-jwt-vc-examples", "sd-jwt-python-testcases"}

// issuerKey2 is the second issuer key of the json_serialization_general
// cases, from their specification_yml settings_override (it is not in
// _keys.json). TestVectors checks the YAML still holds it.
var issuerKey2 = signing.JWK{Kty: "EC", Crv: "P-256",
	X: "bN-hp3IN0GZB3OlaQnHDPhY4nZsZbQyo4wY-y1NWCvA", Y: "vaSsH5jt9zt3aQvTvrSaFYLyjPG9Ug-2vntoNXlCbVU"}

// rejectedVectors are the cases this package rejects on purpose, with the
// reason. Each is still a subtest: it must fail for exactly that reason,
// and everything that does not depend on the rejected part (disclosure
// digests, payload reproduction) is still checked.
var rejectedVectors = map[string]struct {
	reason string
	why    string
}{
	"sd-jwt-python-testcases/header_mod": {ReasonMalformed,
		`its issuer JWT header has "kid": 42, a number; RFC 7515 section 4.1.4 says kid is a string, and signing/jws refuses other types`},
}

type vectorKeys struct {
	IssuerPrivate signing.JWK `json:"issuer_private_jwk"`
	IssuerPublic  signing.JWK `json:"issuer_public_jwk"`
	HolderPrivate signing.JWK `json:"holder_private_jwk"`
	HolderPublic  signing.JWK `json:"holder_public_jwk"`
	Nonce         string      `json:"key_binding_nonce"`
}

type vector struct {
	name          string
	spec          string
	userClaims    map[string]any
	payload       map[string]any
	issuance      string
	presentation  string
	kbPayload     map[string]any // nil without key binding
	verified      map[string]any
	keys          vectorKeys
	issuerPub     crypto.PublicKey
	issuerPub2    crypto.PublicKey
	issuerPriv    crypto.Signer
	holderPriv    crypto.Signer
	typ           string
	serialization string
}

func loadVectors(t *testing.T) []*vector {
	var out []*vector
	for _, dir := range vectorDirs {
		root := testdata.Vectors(t, "sd-jwt", dir)
		var keys vectorKeys
		readJSON(t, filepath.Join(root, "_keys.json"), &keys)
		files, err := filepath.Glob(filepath.Join(root, "*.json"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if filepath.Base(f) == "_keys.json" {
				continue
			}
			var raw struct {
				Spec         string          `json:"specification_yml"`
				UserClaims   json.RawMessage `json:"user_claims"`
				Payload      json.RawMessage `json:"sd_jwt_payload"`
				Issuance     string          `json:"sd_jwt_issuance"`
				Presentation string          `json:"sd_jwt_presentation"`
				KB           json.RawMessage `json:"kb_jwt_payload"`
				Verified     json.RawMessage `json:"verified_contents"`
			}
			readJSON(t, f, &raw)
			v := &vector{
				name:         dir + "/" + strings.TrimSuffix(filepath.Base(f), ".json"),
				spec:         raw.Spec,
				userClaims:   object(t, raw.UserClaims),
				payload:      object(t, raw.Payload),
				issuance:     raw.Issuance,
				presentation: raw.Presentation,
				verified:     object(t, raw.Verified),
				keys:         keys,
				typ:          "example+sd-jwt",
			}
			if string(raw.KB) != "null" {
				v.kbPayload = object(t, raw.KB)
			}
			if strings.Contains(raw.Spec, `typ: "dc+sd-jwt"`) {
				v.typ = TypVC
			}
			if v.issuerPub, err = keys.IssuerPublic.PublicKey(); err != nil {
				t.Fatal(err)
			}
			if v.issuerPriv, err = keys.IssuerPrivate.PrivateKey(); err != nil {
				t.Fatal(err)
			}
			if v.holderPriv, err = keys.HolderPrivate.PrivateKey(); err != nil {
				t.Fatal(err)
			}
			if strings.Contains(raw.Spec, "issuer-key-2") {
				if !strings.Contains(raw.Spec, issuerKey2.X) || !strings.Contains(raw.Spec, issuerKey2.Y) {
					t.Fatalf("%s: issuer-key-2 in specification_yml is not issuerKey2", v.name)
				}
				if v.issuerPub2, err = issuerKey2.PublicKey(); err != nil {
					t.Fatal(err)
				}
			}
			out = append(out, v)
		}
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func object(t *testing.T, raw []byte) map[string]any {
	t.Helper()
	if string(raw) == "null" || len(raw) == 0 {
		return nil
	}
	m, err := jsonx.ParseObject(raw)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// issuerKeyFor returns the vector's issuer key by kid: issuer-key-2 is the
// second key of the general JSON serialization cases, anything else the
// published issuer key.
func (v *vector) issuerKeyFor(_ context.Context, h jws.Header, _ map[string]any) (crypto.PublicKey, error) {
	if h.Kid == "issuer-key-2" {
		if v.issuerPub2 == nil {
			return nil, errors.New("no issuer-key-2")
		}
		return v.issuerPub2, nil
	}
	return v.issuerPub, nil
}

func (v *vector) opts() VerifyOptions {
	return VerifyOptions{
		Algorithms: []signing.Algorithm{signing.ES256},
		IssuerKey:  v.issuerKeyFor,
		Typ:        v.typ,
		Now:        func() time.Time { return time.Unix(1683000000+86400, 0) }, // a day after iat, long before exp
	}
}

// fullClaims is what processing the issued SD-JWT (every disclosure) must
// give: the user claims plus the plaintext claims the generator added
// (iss, iat, exp, cnf).
func (v *vector) fullClaims() map[string]any {
	m := deepCopy(v.userClaims).(map[string]any)
	for k, x := range v.payload {
		if _, ok := m[k]; !ok && k != "_sd" && k != "_sd_alg" {
			m[k] = x
		}
	}
	return m
}

func TestVectors(t *testing.T) {
	vs := loadVectors(t)
	if len(vs) != 35 {
		t.Errorf("found %d vector cases, want 35", len(vs))
	}
	for _, v := range vs {
		t.Run(v.name, func(t *testing.T) {
			if r, ok := rejectedVectors[v.name]; ok {
				for _, in := range []string{v.issuance, v.presentation} {
					if _, err := Parse(in); !isReason(err, r.reason) {
						t.Fatalf("want rejection %s (%s), got %v", r.reason, r.why, err)
					}
				}
				t.Logf("rejected as intended: %s", r.why)
				t.Run("disclosures", func(t *testing.T) { testVectorDisclosures(t, v) })
				t.Run("reissue", func(t *testing.T) { testVectorReissue(t, v) })
				return
			}
			t.Run("issuance", func(t *testing.T) { testVectorIssuance(t, v) })
			t.Run("presentation", func(t *testing.T) { testVectorPresentation(t, v) })
			t.Run("disclosures", func(t *testing.T) { testVectorDisclosures(t, v) })
			t.Run("reissue", func(t *testing.T) { testVectorReissue(t, v) })
			t.Run("represent", func(t *testing.T) { testVectorRepresent(t, v) })
		})
	}
}

// The issued SD-JWT verifies with the published issuer key and processes
// to the user claims.
func testVectorIssuance(t *testing.T, v *vector) {
	got, err := Verify(context.Background(), v.issuance, v.opts())
	if err != nil {
		t.Fatal(err)
	}
	if want := v.fullClaims(); !reflect.DeepEqual(got.Claims, want) {
		t.Errorf("claims:\n got %s\nwant %s", js(got.Claims), js(want))
	}
	if got.KeyBound {
		t.Error("issuance reported as key-bound")
	}
}

// The presentation verifies, with its KB-JWT when it has one, and gives
// verified_contents.
func testVectorPresentation(t *testing.T, v *vector) {
	opts := v.opts()
	if v.kbPayload != nil {
		iat, _, err := numericDate(v.kbPayload, "iat")
		if err != nil {
			t.Fatal(err)
		}
		opts.Now = func() time.Time { return iat.Add(time.Minute) }
		opts.RequireKeyBinding = true
		opts.Audience = v.kbPayload["aud"].(string)
		opts.Nonce = v.kbPayload["nonce"].(string)
		if opts.Nonce != v.keys.Nonce {
			t.Errorf("KB-JWT nonce %q is not the published %q", opts.Nonce, v.keys.Nonce)
		}
	}
	got, err := Verify(context.Background(), v.presentation, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Claims, v.verified) {
		t.Errorf("claims:\n got %s\nwant %s", js(got.Claims), js(v.verified))
	}
	if got.KeyBound != (v.kbPayload != nil) {
		t.Errorf("KeyBound = %t", got.KeyBound)
	}
	if v.kbPayload != nil {
		// Each KB check must bite on the real vector too.
		for _, tc := range []struct {
			mod    func(*VerifyOptions)
			reason string
		}{
			{func(o *VerifyOptions) { o.Audience = "https://other.example" }, ReasonKBWrongAud},
			{func(o *VerifyOptions) { o.Nonce = "other" }, ReasonKBWrongNonce},
			{func(o *VerifyOptions) { now := o.Now(); o.Now = func() time.Time { return now.Add(time.Hour) } }, ReasonKBStale},
			{func(o *VerifyOptions) { now := o.Now(); o.Now = func() time.Time { return now.Add(-time.Hour) } }, ReasonKBFuture},
		} {
			o := opts
			tc.mod(&o)
			if _, err := Verify(context.Background(), v.presentation, o); !isReason(err, tc.reason) {
				t.Errorf("want %s, got %v", tc.reason, err)
			}
		}
	}
}

// Every disclosure decodes, its digest is referenced by the payload or by
// another disclosure, and re-encoding its salt, name and value reproduces
// it byte for byte unless the generator's JSON differs from ours in ways
// that do not matter (Python's \u escapes of non-ASCII, insertion-ordered
// object members).
func testVectorDisclosures(t *testing.T, v *vector) {
	discs := vectorDisclosures(t, v.issuance)
	referenced := map[string]bool{}
	collectDigests(v.payload, referenced)
	for _, e := range discs {
		d, err := ParseDisclosure(e, SHA256)
		if err != nil {
			t.Fatal(err)
		}
		collectDigests(d.Value, referenced)
	}
	same := 0
	for _, e := range discs {
		d, _ := ParseDisclosure(e, SHA256)
		if !referenced[d.Digest] {
			t.Errorf("digest %s of %q is not referenced", d.Digest, d.Name)
		}
		var name *string
		if !d.Element {
			name = &d.Name
		}
		mine, err := encodeDisclosure(d.Salt, name, d.Value)
		if err != nil {
			t.Fatal(err)
		}
		if mine == e {
			same++
			continue
		}
		raw, _ := b64Decode(e)
		if !strings.Contains(string(raw), `\u`) && !hasMultiMemberObject(d.Value) {
			t.Errorf("disclosure %s re-encodes as %s", raw, mustDecode(mine))
		}
		a, _ := jsonx.Parse(raw)
		b, _ := jsonx.Parse(mustDecode(mine))
		if !reflect.DeepEqual(a, b) {
			t.Errorf("disclosure %s re-encodes to different JSON %s", raw, mustDecode(mine))
		}
	}
	t.Logf("%d of %d disclosures reproduced byte for byte", same, len(discs))
}

func mustDecode(s string) []byte {
	b, err := b64Decode(s)
	if err != nil {
		panic(err)
	}
	return b
}

func hasMultiMemberObject(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if len(x) > 1 {
			return true
		}
		for _, e := range x {
			if hasMultiMemberObject(e) {
				return true
			}
		}
	case []any:
		return slices.ContainsFunc(x, hasMultiMemberObject)
	}
	return false
}

// vectorDisclosures returns the disclosures of an issued SD-JWT in either
// serialization, without using Parse.
func vectorDisclosures(t *testing.T, s string) []string {
	if strings.HasPrefix(s, "{") {
		var j struct {
			Header     struct{ Disclosures []string } `json:"header"`
			Signatures []struct {
				Header struct{ Disclosures []string } `json:"header"`
			} `json:"signatures"`
		}
		if err := json.Unmarshal([]byte(s), &j); err != nil {
			t.Fatal(err)
		}
		if len(j.Signatures) > 0 {
			return j.Signatures[0].Header.Disclosures
		}
		return j.Header.Disclosures
	}
	parts := strings.Split(s, "~")
	return parts[1 : len(parts)-1]
}

func collectDigests(v any, into map[string]bool) {
	switch x := v.(type) {
	case map[string]any:
		if sd, ok := x["_sd"].([]any); ok {
			for _, d := range sd {
				into[d.(string)] = true
			}
		}
		if d, ok := x["..."].(string); ok && len(x) == 1 {
			into[d] = true
		}
		for _, e := range x {
			collectDigests(e, into)
		}
	case []any:
		for _, e := range x {
			collectDigests(e, into)
		}
	}
}

// Issuing the user claims with the vector's disclosures (the same salts
// and encodings, supplied through the test hook) and without decoys gives
// the vector's payload minus its decoys: the same _sd arrays, sorted, the
// same "..." elements in the same places, the same plaintext claims.
func testVectorReissue(t *testing.T, v *vector) {
	discs := vectorDisclosures(t, v.issuance)
	byDigest := map[string]Disclosure{}
	for _, e := range discs {
		d, err := ParseDisclosure(e, SHA256)
		if err != nil {
			t.Fatal(err)
		}
		byDigest[d.Digest] = d
	}
	// The concrete pointer of each disclosure, found by walking the
	// vector's payload without this package's processing.
	spec := Spec{}
	byPath := map[string]Disclosure{}
	var walk func(x any, path string)
	walk = func(x any, path string) {
		switch x := x.(type) {
		case map[string]any:
			if sd, ok := x["_sd"].([]any); ok {
				for _, dg := range sd {
					if d, ok := byDigest[dg.(string)]; ok {
						p := path + "/" + escapeToken(d.Name)
						spec, byPath[p] = append(spec, p), d
						walk(d.Value, p)
					}
				}
			}
			for k, e := range x {
				if k != "_sd" {
					walk(e, path+"/"+escapeToken(k))
				}
			}
		case []any:
			i := 0
			for _, e := range x {
				if m, ok := e.(map[string]any); ok && len(m) == 1 {
					if dg, ok := m["..."].(string); ok {
						d, ok := byDigest[dg]
						if !ok {
							continue // decoy
						}
						p := path + "/" + itoa(i)
						spec, byPath[p] = append(spec, p), d
						walk(d.Value, p)
						i++
						continue
					}
				}
				walk(e, path+"/"+itoa(i))
				i++
			}
		}
	}
	walk(v.payload, "")
	if len(spec) != len(discs) {
		t.Fatalf("located %d of %d disclosures", len(spec), len(discs))
	}
	opts := IssueOptions{
		Typ:    v.typ,
		Decoys: NoDecoys,
		testDisclosure: func(p string) (string, string, bool) {
			d, ok := byPath[p]
			return d.Salt, d.Encoded, ok
		},
	}
	claims := v.fullClaims()
	// Recursive disclosures: the vector's disclosure of a parent embeds its
	// children's digests; ours must match them, which the shared encodings
	// guarantee.
	tok, err := Issue(claims, spec, Signer{Key: v.issuerPriv, Algorithm: signing.ES256}, opts)
	if err != nil {
		t.Fatal(err)
	}
	sd, err := Parse(tok)
	if err != nil {
		t.Fatal(err)
	}
	want := stripDecoys(v.payload, byDigest)
	if !reflect.DeepEqual(sd.Payload, want) {
		t.Errorf("payload:\n got %s\nwant %s", js(sd.Payload), js(want))
	}
	got, err := Verify(context.Background(), tok, v.opts())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Claims, claims) {
		t.Errorf("claims:\n got %s\nwant %s", js(got.Claims), js(claims))
	}
}

func itoa(i int) string { return strconv.Itoa(i) }

func stripDecoys(v any, real map[string]Disclosure) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			if k == "_sd" {
				var kept []any
				for _, d := range e.([]any) {
					if _, ok := real[d.(string)]; ok {
						kept = append(kept, d)
					}
				}
				if len(kept) > 0 {
					out[k] = kept
				}
				continue
			}
			out[k] = stripDecoys(e, real)
		}
		return out
	case []any:
		out := []any{}
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && len(m) == 1 {
				if d, ok := m["..."].(string); ok {
					if _, ok := real[d]; !ok {
						continue
					}
				}
			}
			out = append(out, stripDecoys(e, real))
		}
		return out
	}
	return v
}

// Presenting from the issued SD-JWT the claims the vector's holder chose
// (PresentOnly: some vectors disclose a container without what is nested
// in it), with a fresh KB-JWT, gives the same disclosures and
// verified_contents.
func testVectorRepresent(t *testing.T, v *vector) {
	iss, err := Parse(v.issuance)
	if err != nil {
		t.Fatal(err)
	}
	pres, err := Parse(v.presentation)
	if err != nil {
		t.Fatal(err)
	}
	chosen := map[string]bool{}
	for _, d := range pres.Disclosures {
		chosen[d.Encoded] = true
	}
	// Select the innermost chosen claims, in issuance coordinates.
	var sel []string
	for _, d := range iss.Disclosures {
		if !chosen[d.Encoded] {
			continue
		}
		inner := false
		for _, e := range iss.Disclosures {
			if chosen[e.Encoded] && e.Path != d.Path && within(e.Path, d.Path) {
				inner = true
			}
		}
		if !inner {
			sel = append(sel, d.Path)
		}
	}
	var kb *KeyBinding
	opts := v.opts()
	if v.kbPayload != nil {
		now := time.Unix(1700000000, 0)
		kb = &KeyBinding{Signer: v.holderPriv, Audience: "https://verifier.example.th", Nonce: "n-0S6_WzA2Mj", IssuedAt: now}
		opts.Now = func() time.Time { return now }
		opts.RequireKeyBinding, opts.Audience, opts.Nonce = true, kb.Audience, kb.Nonce
	}
	out, err := iss.PresentOnly(sel, kb)
	if err != nil {
		t.Fatal(err)
	}
	again, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if again.Serialization != iss.Serialization {
		t.Errorf("serialization %v, want %v", again.Serialization, iss.Serialization)
	}
	var gotSet, wantSet []string
	for _, d := range again.Disclosures {
		gotSet = append(gotSet, d.Encoded)
	}
	for e := range chosen {
		wantSet = append(wantSet, e)
	}
	slices.Sort(gotSet)
	slices.Sort(wantSet)
	if !slices.Equal(gotSet, wantSet) {
		t.Fatalf("presented %d disclosures, the vector %d (selection %q)", len(gotSet), len(wantSet), sel)
	}
	got, err := Verify(context.Background(), out, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Claims, v.verified) {
		t.Errorf("claims:\n got %s\nwant %s", js(got.Claims), js(v.verified))
	}
}

// The RFC 9901 example disclosure and digest (section 5.1), and the brief's
// check: salt, name and value reproduce both.
func TestRFCExampleDigest(t *testing.T) {
	name := "given_name"
	enc, err := encodeDisclosure("2GLC42sKQveCfGfryNRN9w", &name, "John")
	if err != nil {
		t.Fatal(err)
	}
	if enc != "WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd" {
		t.Errorf("encoded %s", enc)
	}
	if d := SHA256.Digest(enc); d != "jsu9yVulwQQlhFlM_3JlzMaSFzglhQG0DpfayQwLUK4" {
		t.Errorf("digest %s", d)
	}
	// An array element: ["lklxF5jMYlGTPUovMNIvCA", "US"].
	enc, _ = encodeDisclosure("lklxF5jMYlGTPUovMNIvCA", nil, "US")
	if d := SHA256.Digest(enc); d != "pFndjkZ_VCzmyTa6UjlZo3dh-ko8aIKQc9DlGzhaVYo" {
		t.Errorf("array element digest %s", d)
	}
}

func isReason(err error, reason string) bool {
	var e *Error
	return errors.As(err, &e) && e.Reason == reason
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
