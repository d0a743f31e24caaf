package did

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/signing"
)

const issuerDID = "did:web:issuer.example.th"

// localResolver serves the given documents (as JSON, parsed strictly) via
// Resolver.Local.
func localResolver(t *testing.T, docs ...string) *Resolver {
	t.Helper()
	m := map[string]*Document{}
	for _, d := range docs {
		doc, err := ParseDocument([]byte(d))
		if err != nil {
			t.Fatalf("ParseDocument(%s): %v", d, err)
		}
		m[doc.ID] = doc
	}
	return &Resolver{Local: func(did string) (*Document, bool) {
		d, ok := m[did]
		return d, ok
	}}
}

func TestResolveKeyRelationships(t *testing.T) {
	ed := mustKey(t, signing.EdDSA)
	p256 := mustKey(t, signing.ES256)
	edMK, _ := EncodeMultikey(ed.Public())
	p256JWK, _ := signing.PublicJWK(p256.Public())
	jwkJSON, _ := json.Marshal(p256JWK)
	doc := `{
	  "@context": ["https://www.w3.org/ns/did/v1"],
	  "id": "` + issuerDID + `",
	  "verificationMethod": [
	    {"id": "#assert", "type": "Multikey", "controller": "` + issuerDID + `", "publicKeyMultibase": "` + edMK + `"},
	    {"id": "` + issuerDID + `#auth", "type": "JsonWebKey2020", "controller": "` + issuerDID + `", "publicKeyJwk": ` + string(jwkJSON) + `},
	    {"id": "` + issuerDID + `#unlisted", "type": "Multikey", "controller": "` + issuerDID + `", "publicKeyMultibase": "` + edMK + `"},
	    {"id": "` + issuerDID + `#foreign", "type": "Multikey", "controller": "did:web:evil.example", "publicKeyMultibase": "` + edMK + `"},
	    {"id": "` + issuerDID + `#x25519", "type": "X25519KeyAgreementKey2020", "controller": "` + issuerDID + `", "publicKeyMultibase": "z6LS"}
	  ],
	  "assertionMethod": [
	    "#assert",
	    "` + issuerDID + `#foreign",
	    "` + issuerDID + `#x25519",
	    "` + issuerDID + `#dangling",
	    {"id": "#embedded", "type": "Ed25519VerificationKey2020", "controller": "` + issuerDID + `", "publicKeyMultibase": "` + edMK + `"}
	  ],
	  "authentication": ["#auth", "did:web:other.example#auth"],
	  "service": [{"id": "#s", "type": "LinkedDomains", "serviceEndpoint": "https://issuer.example.th"}]
	}`
	r := localResolver(t, doc)
	tests := []struct {
		url     string
		rel     Relationship
		want    any // public key, or nil
		wantErr error
	}{
		{issuerDID + "#assert", AssertionMethod, ed.Public(), nil},
		{issuerDID + "#embedded", AssertionMethod, ed.Public(), nil},
		{issuerDID + "#auth", Authentication, p256.Public(), nil},
		{issuerDID + "#auth", AssertionMethod, nil, ErrKeyNotAuthorized},
		{issuerDID + "#assert", Authentication, nil, ErrKeyNotAuthorized},
		{issuerDID + "#embedded", Authentication, nil, ErrKeyNotAuthorized},
		{issuerDID + "#unlisted", AssertionMethod, nil, ErrKeyNotAuthorized},
		{issuerDID + "#foreign", AssertionMethod, nil, ErrKeyNotAuthorized},
		{issuerDID + "#x25519", AssertionMethod, nil, ErrUnsupportedKey},
		{issuerDID + "#dangling", AssertionMethod, nil, ErrNotFound},
		{issuerDID + "#missing", AssertionMethod, nil, ErrNotFound},
		{issuerDID, AssertionMethod, nil, ErrInvalidDID},
		{issuerDID + "#", AssertionMethod, nil, ErrInvalidDID},
		{"#assert", AssertionMethod, nil, ErrInvalidDID},
		{issuerDID + "#a b", AssertionMethod, nil, ErrInvalidDID},
		{issuerDID + "/path#assert", AssertionMethod, nil, ErrInvalidDID},
		{issuerDID + "?q=1#assert", AssertionMethod, nil, ErrInvalidDID},
		{"did:example:123#k", AssertionMethod, nil, ErrUnsupportedMethod},
	}
	for _, tt := range tests {
		pub, err := r.ResolveKey(t.Context(), tt.url, tt.rel)
		if tt.wantErr != nil {
			if !errors.Is(err, tt.wantErr) || pub != nil {
				t.Errorf("ResolveKey(%s, %s) = %v, %v; want %v", tt.url, tt.rel, pub, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !equal(tt.want, pub) {
			t.Errorf("ResolveKey(%s, %s) = %v, %v", tt.url, tt.rel, pub, err)
		}
	}
	if _, err := r.ResolveKey(t.Context(), issuerDID+"#assert", "capabilityInvocation"); err == nil {
		t.Error("unsupported relationship accepted")
	}
}

func TestResolveLocal(t *testing.T) {
	k := mustKey(t, signing.EdDSA)
	own := NewDocument(issuerDID, k.Public())
	keyDID, _ := KeyDID(k.Public())
	r := &Resolver{Local: func(did string) (*Document, bool) {
		switch did {
		case issuerDID:
			return own, true
		case "did:web:wrong.example":
			return own, true // wrong id
		case "did:web:nil.example":
			return nil, true
		}
		return nil, false
	}}
	got, err := r.Resolve(t.Context(), issuerDID)
	if err != nil || got.ID != issuerDID {
		t.Fatal(err)
	}
	got.VerificationMethod = nil // the caller may modify its copy
	if _, err := r.ResolveKey(t.Context(), issuerDID+"#key-1", AssertionMethod); err != nil {
		t.Fatal(err)
	}
	for _, d := range []string{"did:web:wrong.example", "did:web:nil.example"} {
		if _, err := r.Resolve(t.Context(), d); !errors.Is(err, ErrInvalidDocument) {
			t.Errorf("%s: %v", d, err)
		}
	}
	// Not served locally: falls through to the method (did:key here).
	if doc, err := r.Resolve(t.Context(), keyDID); err != nil || doc.ID != keyDID {
		t.Fatal(err)
	}
}

func TestResolveInvalidDIDs(t *testing.T) {
	var r Resolver
	for _, d := range []string{"", "did", "did:", "did:key", "did:key:", "did::x", "did:Key:z", "did:k-y:z", "DID:key:z", "did:key:a b",
		"did:key:z%", "did:key:z%4", "did:key:z%zz", "did:web:x:", "did:web:x#f", " did:key:z", "did:key:z\n", strings.Repeat("did:web:x", 300)} {
		if doc, err := r.Resolve(t.Context(), d); !errors.Is(err, ErrInvalidDID) || doc != nil {
			t.Errorf("Resolve(%q) = %v, %v; want ErrInvalidDID", d, doc, err)
		}
	}
	for _, d := range []string{"did:example:123", "did:ion:abc", "did:pkh:eip155:1:0xab"} {
		if _, err := r.Resolve(t.Context(), d); !errors.Is(err, ErrUnsupportedMethod) {
			t.Errorf("Resolve(%q): %v", d, err)
		}
	}
}

func TestNewDocument(t *testing.T) {
	ed := mustKey(t, signing.EdDSA)
	p384 := mustKey(t, signing.ES384)
	doc := NewDocument(issuerDID, ed.Public(), p384.Public())
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	const wantPrefix = `{"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/jwk/v1"],"id":"did:web:issuer.example.th","verificationMethod":[{"id":"did:web:issuer.example.th#key-1","type":"JsonWebKey","controller":"did:web:issuer.example.th","publicKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"`
	if !strings.HasPrefix(string(data), wantPrefix) || !strings.HasSuffix(string(data),
		`"authentication":["did:web:issuer.example.th#key-1","did:web:issuer.example.th#key-2"],"assertionMethod":["did:web:issuer.example.th#key-1","did:web:issuer.example.th#key-2"]}`) {
		t.Fatalf("document JSON:\n%s", data)
	}
	// It parses back strictly and both keys resolve.
	var back Document
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	r := &Resolver{Local: func(string) (*Document, bool) { return &back, true }}
	for i, k := range []any{ed.Public(), p384.Public()} {
		for _, rel := range []Relationship{AssertionMethod, Authentication} {
			pub, err := r.ResolveKey(t.Context(), issuerDID+"#key-"+string(rune('1'+i)), rel)
			if err != nil || !equal(k, pub) {
				t.Fatalf("key %d %s: %v", i+1, rel, err)
			}
		}
	}
	// Unusable input gives a document that authorizes nothing.
	for name, doc := range map[string]*Document{
		"bad DID":   NewDocument("issuer", ed.Public()),
		"no keys":   NewDocument(issuerDID),
		"not a key": NewDocument(issuerDID, "key"),
		"nil key":   NewDocument(issuerDID, nil),
		"priv key":  NewDocument(issuerDID, ed),
	} {
		if len(doc.VerificationMethod) != 0 || len(doc.AssertionMethod) != 0 || len(doc.Authentication) != 0 {
			t.Errorf("%s: NewDocument = %+v", name, doc)
		}
	}
	// Skipped keys keep the numbering of the others.
	doc = NewDocument(issuerDID, "bad", ed.Public())
	if len(doc.VerificationMethod) != 1 || doc.VerificationMethod[0].ID != issuerDID+"#key-2" {
		t.Errorf("numbering: %+v", doc.VerificationMethod)
	}
}

func TestParseDocumentInvalid(t *testing.T) {
	vm := func(extra string) string {
		return `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","type":"Multikey","controller":"` + issuerDID + `","publicKeyMultibase":"z6Mk"` + extra + `}]}`
	}
	for name, in := range map[string]string{
		"not object":         `[]`,
		"no id":              `{}`,
		"id number":          `{"id":1}`,
		"id not DID":         `{"id":"https://issuer.example.th"}`,
		"dup member":         `{"id":"` + issuerDID + `","id":"` + issuerDID + `"}`,
		"controller number":  `{"id":"` + issuerDID + `","controller":1}`,
		"controller array":   `{"id":"` + issuerDID + `","controller":[1]}`,
		"vm not array":       `{"id":"` + issuerDID + `","verificationMethod":{}}`,
		"vm not object":      `{"id":"` + issuerDID + `","verificationMethod":["#k"]}`,
		"vm no id":           `{"id":"` + issuerDID + `","verificationMethod":[{"type":"Multikey","controller":"` + issuerDID + `"}]}`,
		"vm no fragment":     `{"id":"` + issuerDID + `","verificationMethod":[{"id":"` + issuerDID + `","type":"Multikey","controller":"` + issuerDID + `"}]}`,
		"vm no type":         `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","controller":"` + issuerDID + `"}]}`,
		"vm no controller":   `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","type":"Multikey"}]}`,
		"vm bad controller":  `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","type":"Multikey","controller":"me"}]}`,
		"vm type number":     `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","type":1,"controller":"` + issuerDID + `"}]}`,
		"multibase number":   vm(`,"publicKeyMultibase":1`),
		"private multibase":  vm(`,"privateKeyMultibase":"z3u2"`),
		"private jwk member": vm(`,"privateKeyJwk":{}`),
		"jwk not object":     vm(`,"publicKeyJwk":"x"`),
		"jwk with d":         vm(`,"publicKeyJwk":{"kty":"OKP","d":"x"}`),
		"jwk x number":       vm(`,"publicKeyJwk":{"kty":"OKP","x":1}`),
		"duplicate vm ids": `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","type":"Multikey","controller":"` + issuerDID +
			`"},{"id":"` + issuerDID + `#k","type":"Multikey","controller":"` + issuerDID + `"}]}`,
		"embedded dup id": `{"id":"` + issuerDID + `","verificationMethod":[{"id":"#k","type":"Multikey","controller":"` + issuerDID +
			`"}],"assertionMethod":[{"id":"#k","type":"Multikey","controller":"` + issuerDID + `"}]}`,
		"rel not array":    `{"id":"` + issuerDID + `","assertionMethod":"#k"}`,
		"rel number":       `{"id":"` + issuerDID + `","authentication":[1]}`,
		"rel empty string": `{"id":"` + issuerDID + `","authentication":[""]}`,
		"bad utf8":         "{\"id\":\"" + issuerDID + "\",\"x\":\"\xff\"}",
		"trailing":         `{"id":"` + issuerDID + `"}x`,
	} {
		doc, err := ParseDocument([]byte(in))
		if !errors.Is(err, ErrInvalidDocument) || doc != nil {
			t.Errorf("%s: ParseDocument = %v, %v; want ErrInvalidDocument", name, doc, err)
		}
	}
}

func TestVerificationMethodPublicKey(t *testing.T) {
	ed := mustKey(t, signing.EdDSA)
	p256 := mustKey(t, signing.ES256)
	edMK, _ := EncodeMultikey(ed.Public())
	p256MK, _ := EncodeMultikey(p256.Public())
	edJWK, _ := signing.PublicJWK(ed.Public())
	privJWK, _ := signing.PrivateJWK(ed)
	tests := []struct {
		name string
		vm   VerificationMethod
		ok   bool
	}{
		{"Multikey Ed25519", VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: edMK}, true},
		{"Multikey P-256", VerificationMethod{Type: TypeMultikey, PublicKeyMultibase: p256MK}, true},
		{"Ed25519VerificationKey2020", VerificationMethod{Type: TypeEd25519VerificationKey2020, PublicKeyMultibase: edMK}, true},
		{"Ed25519VerificationKey2020 with P-256", VerificationMethod{Type: TypeEd25519VerificationKey2020, PublicKeyMultibase: p256MK}, false},
		{"JsonWebKey", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: &edJWK}, true},
		{"JsonWebKey2020", VerificationMethod{Type: TypeJsonWebKey2020, PublicKeyJwk: &edJWK}, true},
		{"JsonWebKey private", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: &privJWK}, false},
		{"JsonWebKey without jwk", VerificationMethod{Type: TypeJsonWebKey, PublicKeyMultibase: edMK}, false},
		{"JsonWebKey with both", VerificationMethod{Type: TypeJsonWebKey, PublicKeyJwk: &edJWK, PublicKeyMultibase: edMK}, false},
		{"Multikey with jwk", VerificationMethod{Type: TypeMultikey, PublicKeyJwk: &edJWK}, false},
		{"Multikey empty", VerificationMethod{Type: TypeMultikey}, false},
		{"Ed25519VerificationKey2018", VerificationMethod{Type: "Ed25519VerificationKey2018", PublicKeyMultibase: edMK}, false},
		{"EcdsaSecp256k1", VerificationMethod{Type: "EcdsaSecp256k1VerificationKey2019", PublicKeyJwk: &edJWK}, false},
	}
	for _, tt := range tests {
		pub, err := tt.vm.PublicKey()
		if (err == nil) != tt.ok || (err != nil && pub != nil) {
			t.Errorf("%s: PublicKey() = %v, %v", tt.name, pub, err)
		}
	}
}

func FuzzParseDocument(f *testing.F) {
	k, _ := signing.GenerateKey(signing.EdDSA)
	data, _ := json.Marshal(NewDocument(issuerDID, k.Public()))
	f.Add(data)
	f.Add([]byte(`{"id":"did:web:x","assertionMethod":[{"id":"#k","type":"Multikey","controller":"did:web:x","publicKeyMultibase":"z6Mk"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := ParseDocument(data)
		if err != nil {
			if doc != nil {
				t.Fatal("error with non-nil document")
			}
			return
		}
		// Round trip: the document marshals and parses to the same value.
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseDocument(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		out2, _ := json.Marshal(back)
		if string(out) != string(out2) {
			t.Fatalf("round trip differs:\n%s\n%s", out, out2)
		}
		// Key resolution over any parsed document never panics.
		r := &Resolver{Local: func(string) (*Document, bool) { return doc, true }}
		for _, vm := range doc.VerificationMethod {
			r.ResolveKey(t.Context(), absolute(vm.ID, doc.ID), AssertionMethod)
		}
	})
}

// TestResolveKeyRemembersKeys: ResolveKey parses a verification method's
// key once, and a document whose key changes (rotated in place) gives the
// new key, never the remembered one.
func TestResolveKeyRemembersKeys(t *testing.T) {
	k1, k2 := mustKey(t, signing.EdDSA), mustKey(t, signing.ES256)
	doc := NewDocument(issuerDID, k1.Public())
	r := &Resolver{Local: func(did string) (*Document, bool) { return doc, did == issuerDID }}
	kid := doc.VerificationMethod[0].ID
	ctx := context.Background()
	for range 2 {
		pub, err := r.ResolveKey(ctx, kid, AssertionMethod)
		if err != nil || !k1.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Fatalf("ResolveKey = %v, %v; want the first key", pub, err)
		}
	}
	rotated := NewDocument(issuerDID, k2.Public())
	doc.VerificationMethod[0].PublicKeyJwk = rotated.VerificationMethod[0].PublicKeyJwk
	pub, err := r.ResolveKey(ctx, kid, AssertionMethod)
	if err != nil || !k2.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
		t.Fatalf("after rotation ResolveKey = %v, %v; want the new key", pub, err)
	}
	// A private JWK is refused every time, not remembered.
	priv, _ := signing.PrivateJWK(k1)
	doc.VerificationMethod[0].PublicKeyJwk = &priv
	for range 2 {
		if _, err := r.ResolveKey(ctx, kid, AssertionMethod); !errors.Is(err, ErrInvalidDocument) {
			t.Fatalf("private JWK: %v", err)
		}
	}
}
