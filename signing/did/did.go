package did

import (
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
)

// Sentinel errors; errors from this package wrap one of them.
var (
	// ErrNotFound reports a DID whose document does not exist (HTTP 404 or
	// 410 for did:web), or a DID URL naming no verification method.
	ErrNotFound = errors.New("did: not found")
	// ErrUnsupportedMethod reports a DID method other than key, jwk and
	// web (unless Resolver.Local serves it).
	ErrUnsupportedMethod = errors.New("did: unsupported DID method")
	// ErrInvalidDID reports a string that is not a DID (or, where a DID
	// URL is expected, not a DID URL with a fragment), or a DID whose
	// method-specific identifier does not decode.
	ErrInvalidDID = errors.New("did: invalid DID")
	// ErrKeyNotAuthorized reports a verification method that exists but
	// is not listed under the requested verification relationship, or
	// whose controller is not the DID.
	ErrKeyNotAuthorized = errors.New("did: key not authorized for this verification relationship")
	// ErrInvalidDocument reports a DID document that is malformed, too
	// large, or whose id is not the DID that was resolved.
	ErrInvalidDocument = errors.New("did: invalid DID document")
	// ErrUnsupportedKey reports a verification method whose type or key
	// this package cannot use (for example X25519, or RSA).
	ErrUnsupportedKey = errors.New("did: unsupported verification method key")
)

// Relationship is a verification relationship (DID Core section 5.3):
// what a DID's controller authorizes a key to do.
type Relationship string

// The relationships ResolveKey understands.
const (
	// AssertionMethod keys sign credentials (issuers).
	AssertionMethod Relationship = "assertionMethod"
	// Authentication keys prove control of the DID (holders signing
	// presentations and key-binding JWTs).
	Authentication Relationship = "authentication"
)

// Document is the part of a DID document (DID Core) that ThaiTrust uses.
// Members not listed here (service, keyAgreement, ...) are dropped when
// parsing.
type Document struct {
	Context            any                  `json:"@context,omitempty"`
	ID                 string               `json:"id"`
	Controller         any                  `json:"controller,omitempty"`
	VerificationMethod []VerificationMethod `json:"verificationMethod,omitempty"`
	// Authentication and AssertionMethod hold, per entry, either a string
	// (a DID URL, possibly relative like "#key-1", referencing
	// VerificationMethod) or an embedded VerificationMethod.
	Authentication  []any `json:"authentication,omitempty"`
	AssertionMethod []any `json:"assertionMethod,omitempty"`
}

// VerificationMethod is one key of a DID document.
type VerificationMethod struct {
	ID                 string       `json:"id"`
	Type               string       `json:"type"`
	Controller         string       `json:"controller"`
	PublicKeyJwk       *signing.JWK `json:"publicKeyJwk,omitempty"`
	PublicKeyMultibase string       `json:"publicKeyMultibase,omitempty"`
}

// Verification method types.
const (
	TypeJsonWebKey                 = "JsonWebKey"                 // publicKeyJwk (VC-JOSE-COSE, Controlled Identifiers)
	TypeJsonWebKey2020             = "JsonWebKey2020"             // publicKeyJwk (older suites)
	TypeMultikey                   = "Multikey"                   // publicKeyMultibase with multicodec header
	TypeEd25519VerificationKey2020 = "Ed25519VerificationKey2020" // publicKeyMultibase, Ed25519 only
)

// Contexts used in documents this package builds.
const (
	ContextDID      = "https://www.w3.org/ns/did/v1"
	ContextMultikey = "https://w3id.org/security/multikey/v1"
	ContextJWK      = "https://w3id.org/security/jwk/v1"
)

// PublicKey decodes the method's key: publicKeyJwk for JsonWebKey and
// JsonWebKey2020, publicKeyMultibase for Multikey and
// Ed25519VerificationKey2020 (Ed25519 only). Exactly one of the two must
// be set. Other types fail with ErrUnsupportedKey.
func (m VerificationMethod) PublicKey() (crypto.PublicKey, error) {
	switch m.Type {
	case TypeJsonWebKey, TypeJsonWebKey2020:
		if m.PublicKeyJwk == nil || m.PublicKeyMultibase != "" {
			return nil, fmt.Errorf("%w: %s needs publicKeyJwk (only)", ErrInvalidDocument, m.Type)
		}
		if m.PublicKeyJwk.D != "" {
			return nil, fmt.Errorf("%w: publicKeyJwk holds a private key", ErrInvalidDocument)
		}
		pub, err := m.PublicKeyJwk.PublicKey()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrUnsupportedKey, err)
		}
		return pub, nil
	case TypeMultikey, TypeEd25519VerificationKey2020:
		if m.PublicKeyMultibase == "" || m.PublicKeyJwk != nil {
			return nil, fmt.Errorf("%w: %s needs publicKeyMultibase (only)", ErrInvalidDocument, m.Type)
		}
		pub, err := ParseMultikey(m.PublicKeyMultibase)
		if err != nil {
			return nil, err
		}
		if alg, _ := signing.AlgorithmFor(pub); m.Type == TypeEd25519VerificationKey2020 && alg != signing.EdDSA {
			return nil, fmt.Errorf("%w: %s with a non-Ed25519 key", ErrInvalidDocument, m.Type)
		}
		return pub, nil
	}
	return nil, fmt.Errorf("%w: type %q", ErrUnsupportedKey, truncate(m.Type))
}

// NewDocument builds the DID document of a DID this process controls
// (for example the did:web of an issuer): one JsonWebKey method per key,
// with ids did#key-1, did#key-2, ... (numbered by position), each listed
// under assertionMethod and authentication.
//
// Keys that are not Ed25519 or ECDSA P-256/P-384 public keys get no
// method, and if did is not a DID the document has no methods at all: a
// document that authorizes nothing. Callers check
// len(doc.VerificationMethod) (or compare it with len(keys)).
func NewDocument(did string, keys ...crypto.PublicKey) *Document {
	doc := &Document{Context: []any{ContextDID, ContextJWK}, ID: did}
	if _, _, err := parseDID(did); err != nil {
		return doc
	}
	for i, k := range keys {
		j, err := signing.PublicJWK(k)
		if err != nil {
			continue
		}
		id := fmt.Sprintf("%s#key-%d", did, i+1)
		doc.VerificationMethod = append(doc.VerificationMethod,
			VerificationMethod{ID: id, Type: TypeJsonWebKey, Controller: did, PublicKeyJwk: &j})
		doc.AssertionMethod = append(doc.AssertionMethod, id)
		doc.Authentication = append(doc.Authentication, id)
	}
	return doc
}

// ParseDocument decodes a DID document strictly: an I-JSON object
// (duplicate member names and invalid UTF-8 are rejected), with an id that
// is a DID, verification methods that have an id, type and controller and
// hold no private key, relationship entries that are strings or embedded
// methods, and no two methods with the same id. Key material is decoded
// later, by VerificationMethod.PublicKey. Errors wrap ErrInvalidDocument.
func ParseDocument(data []byte) (*Document, error) {
	m, err := jsonx.ParseObject(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
	}
	doc := &Document{Context: m["@context"], Controller: m["controller"]}
	id, ok := m["id"].(string)
	if !ok {
		return nil, fmt.Errorf("%w: id is missing or not a string", ErrInvalidDocument)
	}
	if _, _, err := parseDID(id); err != nil {
		return nil, fmt.Errorf("%w: id: %w", ErrInvalidDocument, err)
	}
	doc.ID = id
	switch c := doc.Controller.(type) {
	case nil, string:
	case []any:
		for _, e := range c {
			if _, ok := e.(string); !ok {
				return nil, fmt.Errorf("%w: controller entries must be strings", ErrInvalidDocument)
			}
		}
	default:
		return nil, fmt.Errorf("%w: controller must be a string or an array", ErrInvalidDocument)
	}
	seen := map[string]bool{}
	addID := func(vmID string) error {
		abs := absolute(vmID, id)
		if seen[abs] {
			return fmt.Errorf("%w: two verification methods with id %q", ErrInvalidDocument, truncate(abs))
		}
		seen[abs] = true
		return nil
	}
	if v, ok := m["verificationMethod"]; ok {
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%w: verificationMethod is not an array", ErrInvalidDocument)
		}
		for _, e := range arr {
			vm, err := parseMethod(e)
			if err != nil {
				return nil, err
			}
			if err := addID(vm.ID); err != nil {
				return nil, err
			}
			doc.VerificationMethod = append(doc.VerificationMethod, vm)
		}
	}
	for _, rel := range []struct {
		name string
		dst  *[]any
	}{{"authentication", &doc.Authentication}, {"assertionMethod", &doc.AssertionMethod}} {
		v, ok := m[rel.name]
		if !ok {
			continue
		}
		arr, ok := v.([]any)
		if !ok {
			return nil, fmt.Errorf("%w: %s is not an array", ErrInvalidDocument, rel.name)
		}
		for _, e := range arr {
			switch e := e.(type) {
			case string:
				if e == "" {
					return nil, fmt.Errorf("%w: empty reference in %s", ErrInvalidDocument, rel.name)
				}
				*rel.dst = append(*rel.dst, e)
			case map[string]any:
				vm, err := parseMethod(e)
				if err != nil {
					return nil, err
				}
				if err := addID(vm.ID); err != nil {
					return nil, err
				}
				*rel.dst = append(*rel.dst, vm)
			default:
				return nil, fmt.Errorf("%w: %s entries must be strings or objects", ErrInvalidDocument, rel.name)
			}
		}
	}
	return doc, nil
}

// UnmarshalJSON decodes a document with ParseDocument.
func (d *Document) UnmarshalJSON(data []byte) error {
	doc, err := ParseDocument(data)
	if err != nil {
		return err
	}
	*d = *doc
	return nil
}

func parseMethod(v any) (VerificationMethod, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return VerificationMethod{}, fmt.Errorf("%w: verification method is not an object", ErrInvalidDocument)
	}
	var vm VerificationMethod
	for _, f := range []struct {
		name     string
		dst      *string
		required bool
	}{{"id", &vm.ID, true}, {"type", &vm.Type, true}, {"controller", &vm.Controller, true},
		{"publicKeyMultibase", &vm.PublicKeyMultibase, false}} {
		s, ok := m[f.name].(string)
		if _, present := m[f.name]; (present && !ok) || (f.required && s == "") {
			return VerificationMethod{}, fmt.Errorf("%w: verification method %s is missing or not a string", ErrInvalidDocument, f.name)
		}
		*f.dst = s
	}
	if !strings.Contains(vm.ID, "#") {
		return VerificationMethod{}, fmt.Errorf("%w: verification method id %q has no fragment", ErrInvalidDocument, truncate(vm.ID))
	}
	if _, _, err := parseDID(vm.Controller); err != nil {
		return VerificationMethod{}, fmt.Errorf("%w: verification method controller: %w", ErrInvalidDocument, err)
	}
	for _, k := range []string{"privateKeyJwk", "privateKeyMultibase", "privateKeyBase58"} {
		if _, ok := m[k]; ok {
			return VerificationMethod{}, fmt.Errorf("%w: verification method holds a private key", ErrInvalidDocument)
		}
	}
	if v, ok := m["publicKeyJwk"]; ok {
		obj, ok := v.(map[string]any)
		if !ok {
			return VerificationMethod{}, fmt.Errorf("%w: publicKeyJwk is not an object", ErrInvalidDocument)
		}
		if _, ok := obj["d"]; ok {
			return VerificationMethod{}, fmt.Errorf("%w: publicKeyJwk holds a private key", ErrInvalidDocument)
		}
		j, err := signing.JWKFromMap(obj)
		if err != nil {
			return VerificationMethod{}, fmt.Errorf("%w: %w", ErrInvalidDocument, err)
		}
		vm.PublicKeyJwk = &j
	}
	return vm, nil
}

// absolute resolves a relative DID URL reference ("#key-1") against the
// document's DID.
func absolute(ref, did string) string {
	if strings.HasPrefix(ref, "#") {
		return did + ref
	}
	return ref
}

// clone copies the document deeply enough that the caller may modify the
// result without affecting a cached copy: slices, methods and JWKs are
// copied; Context and Controller are shared (treat them as read-only).
func (d *Document) clone() *Document {
	c := *d
	c.VerificationMethod = make([]VerificationMethod, len(d.VerificationMethod))
	for i, vm := range d.VerificationMethod {
		c.VerificationMethod[i] = vm.clone()
	}
	c.Authentication = cloneRel(d.Authentication)
	c.AssertionMethod = cloneRel(d.AssertionMethod)
	return &c
}

func (m VerificationMethod) clone() VerificationMethod {
	if m.PublicKeyJwk != nil {
		j := *m.PublicKeyJwk
		m.PublicKeyJwk = &j
	}
	return m
}

func cloneRel(rel []any) []any {
	if rel == nil {
		return nil
	}
	out := make([]any, len(rel))
	for i, e := range rel {
		if vm, ok := e.(VerificationMethod); ok {
			e = vm.clone()
		}
		out[i] = e
	}
	return out
}

// maxDIDLength bounds every DID this package parses.
const maxDIDLength = 2048

// parseDID checks DID syntax (DID Core section 3.1) and returns the method
// and method-specific id:
//
//	did        = "did:" method-name ":" method-specific-id
//	method-name = 1*( %x61-7A / DIGIT )
//	method-specific-id = *( *idchar ":" ) 1*idchar
//	idchar     = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded
func parseDID(s string) (method, msid string, err error) {
	if len(s) > maxDIDLength {
		return "", "", fmt.Errorf("%w: longer than %d characters", ErrInvalidDID, maxDIDLength)
	}
	rest, ok := strings.CutPrefix(s, "did:")
	if !ok {
		return "", "", fmt.Errorf("%w: %q does not start with \"did:\"", ErrInvalidDID, truncate(s))
	}
	method, msid, ok = strings.Cut(rest, ":")
	if !ok || method == "" {
		return "", "", fmt.Errorf("%w: %q has no method", ErrInvalidDID, truncate(s))
	}
	for i := 0; i < len(method); i++ {
		if c := method[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9') {
			return "", "", fmt.Errorf("%w: bad method name in %q", ErrInvalidDID, truncate(s))
		}
	}
	if msid == "" || msid[len(msid)-1] == ':' {
		return "", "", fmt.Errorf("%w: %q has an empty method-specific id", ErrInvalidDID, truncate(s))
	}
	for i := 0; i < len(msid); i++ {
		switch c := msid[i]; {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-', c == '_', c == ':':
		case c == '%' && i+2 < len(msid) && isHex(msid[i+1]) && isHex(msid[i+2]):
			i += 2
		default:
			return "", "", fmt.Errorf("%w: character %q not allowed in %q", ErrInvalidDID, c, truncate(s))
		}
	}
	return method, msid, nil
}

// splitDIDURL splits "did#fragment" and checks both parts. Paths and
// queries are not supported.
func splitDIDURL(s string) (did, fragment string, err error) {
	did, fragment, ok := strings.Cut(s, "#")
	if !ok || fragment == "" {
		return "", "", fmt.Errorf("%w: %q is not a DID URL with a fragment", ErrInvalidDID, truncate(s))
	}
	if _, _, err := parseDID(did); err != nil {
		return "", "", err
	}
	for i := 0; i < len(fragment); i++ {
		if c := fragment[i]; c <= ' ' || c == 0x7f || c == '#' || c >= 0x80 {
			return "", "", fmt.Errorf("%w: bad character in fragment of %q", ErrInvalidDID, truncate(s))
		}
	}
	return did, fragment, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// truncate shortens untrusted strings quoted in error messages.
func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "..."
	}
	return s
}
