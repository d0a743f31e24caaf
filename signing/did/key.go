package did

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/internal/b64"
	"github.com/thaitrust/thaitrust/signing/internal/base58"
)

// Multicodec prefixes (unsigned varints) of the supported public keys.
var (
	codecEd25519 = []byte{0xed, 0x01} // ed25519-pub 0xed
	codecP256    = []byte{0x80, 0x24} // p256-pub 0x1200
	codecP384    = []byte{0x81, 0x24} // p384-pub 0x1201
)

// maxMultikeyLength bounds base58 input (decoding is quadratic). The
// longest supported key, P-384, is 2+49 bytes, about 70 characters.
const maxMultikeyLength = 128

// EncodeMultikey returns the Multikey encoding of an Ed25519 or ECDSA
// P-256/P-384 public key: 'z' (base58btc multibase) followed by the
// base58 of the multicodec prefix and the key (compressed point for
// ECDSA). This is also the method-specific id of the key's did:key.
func EncodeMultikey(pub crypto.PublicKey) (string, error) {
	alg, err := signing.AlgorithmFor(pub)
	if err != nil {
		return "", err
	}
	var raw []byte
	switch alg {
	case signing.EdDSA:
		raw = append(append([]byte{}, codecEd25519...), pub.(ed25519.PublicKey)...)
	default:
		k := pub.(*ecdsa.PublicKey)
		u, err := k.Bytes() // 0x04 || X || Y
		if err != nil {
			return "", fmt.Errorf("did: %w", err)
		}
		n := (len(u) - 1) / 2
		codec := codecP256
		if alg == signing.ES384 {
			codec = codecP384
		}
		raw = append(append([]byte{}, codec...), 0x02|u[len(u)-1]&1)
		raw = append(raw, u[1:1+n]...)
	}
	return "z" + base58.Encode(raw), nil
}

// ParseMultikey decodes a Multikey (publicKeyMultibase) value: base58btc
// ('z'), then a multicodec prefix: ed25519-pub with 32 bytes, or
// p256-pub/p384-pub with a compressed point that must be on the curve.
// Errors wrap ErrInvalidDID for malformed input and ErrUnsupportedKey for
// other key types.
func ParseMultikey(s string) (crypto.PublicKey, error) {
	if len(s) > maxMultikeyLength {
		return nil, fmt.Errorf("%w: multikey longer than %d characters", ErrInvalidDID, maxMultikeyLength)
	}
	enc, ok := strings.CutPrefix(s, "z")
	if !ok {
		return nil, fmt.Errorf("%w: multikey is not base58btc (no 'z' prefix)", ErrInvalidDID)
	}
	raw, err := base58.Decode(enc)
	if err != nil || len(raw) < 2 {
		return nil, fmt.Errorf("%w: multikey is not base58btc", ErrInvalidDID)
	}
	codec, key := raw[:2], raw[2:]
	switch {
	case bytes.Equal(codec, codecEd25519):
		if len(key) != ed25519.PublicKeySize {
			return nil, fmt.Errorf("%w: Ed25519 multikey of %d bytes", ErrInvalidDID, len(key))
		}
		return ed25519.PublicKey(key), nil
	case bytes.Equal(codec, codecP256), bytes.Equal(codec, codecP384):
		c := elliptic.P256()
		if codec[0] == codecP384[0] {
			c = elliptic.P384()
		}
		k, err := decompress(c, key)
		if err != nil {
			return nil, err // not a typed nil in the interface
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w: multicodec 0x%x", ErrUnsupportedKey, codec)
}

// decompress decodes a SEC 1 compressed point (0x02/0x03 || X).
func decompress(c elliptic.Curve, p []byte) (*ecdsa.PublicKey, error) {
	n := (c.Params().BitSize + 7) / 8
	if len(p) != 1+n || (p[0] != 2 && p[0] != 3) {
		return nil, fmt.Errorf("%w: %s key is not a %d-byte compressed point", ErrInvalidDID, c.Params().Name, 1+n)
	}
	x, y := elliptic.UnmarshalCompressed(c, p) // nil unless on the curve
	if x == nil {
		return nil, fmt.Errorf("%w: %s point is not on the curve", ErrInvalidDID, c.Params().Name)
	}
	u := make([]byte, 1+2*n)
	u[0] = 4
	x.FillBytes(u[1 : 1+n])
	y.FillBytes(u[1+n:])
	k, err := ecdsa.ParseUncompressedPublicKey(c, u)
	if err != nil {
		return nil, fmt.Errorf("%w: %s point is invalid", ErrInvalidDID, c.Params().Name)
	}
	return k, nil
}

// KeyDID returns the did:key of an Ed25519 or ECDSA P-256/P-384 public
// key: "did:key:" followed by EncodeMultikey(pub).
func KeyDID(pub crypto.PublicKey) (string, error) {
	mk, err := EncodeMultikey(pub)
	if err != nil {
		return "", err
	}
	return "did:key:" + mk, nil
}

// ParseKeyDID decodes a did:key (no fragment) to its public key.
func ParseKeyDID(did string) (crypto.PublicKey, error) {
	method, msid, err := parseDID(did)
	if err != nil {
		return nil, err
	}
	if method != "key" {
		return nil, fmt.Errorf("%w: not a did:key", ErrInvalidDID)
	}
	return ParseMultikey(msid)
}

// keyDocument is the document of a did:key (did:key spec section 3.1.2):
// one Multikey method whose fragment is the multibase key, under
// assertionMethod and authentication.
func keyDocument(did, msid string) (*Document, error) {
	if _, err := ParseMultikey(msid); err != nil {
		return nil, err
	}
	id := did + "#" + msid
	return &Document{
		Context: []any{ContextDID, ContextMultikey},
		ID:      did,
		VerificationMethod: []VerificationMethod{
			{ID: id, Type: TypeMultikey, Controller: did, PublicKeyMultibase: msid},
		},
		AssertionMethod: []any{id},
		Authentication:  []any{id},
	}, nil
}

// maxJWKDIDLength bounds did:jwk identifiers.
const maxJWKDIDLength = 1024

// JWKDID returns the did:jwk of an Ed25519 or ECDSA P-256/P-384 public
// key: "did:jwk:" and the base64url of the key's JWK with only its
// required members (kty, crv, x, y) in lexicographic order, so a key has
// one did:jwk.
func JWKDID(pub crypto.PublicKey) (string, error) {
	j, err := signing.PublicJWK(pub)
	if err != nil {
		return "", err
	}
	m := map[string]string{"kty": j.Kty, "crv": j.Crv, "x": j.X}
	if j.Y != "" {
		m["y"] = j.Y
	}
	data, err := json.Marshal(m) // maps marshal with sorted keys
	if err != nil {
		return "", fmt.Errorf("did: %w", err)
	}
	return "did:jwk:" + b64.Encode(data), nil
}

// ParseJWKDID decodes a did:jwk (no fragment) to its JWK and public key.
// The JWK must be a strict JSON object (no duplicate members), must not be
// a private key, and must be a usable signing key ("use" absent or "sig").
func ParseJWKDID(did string) (signing.JWK, crypto.PublicKey, error) {
	method, msid, err := parseDID(did)
	if err != nil {
		return signing.JWK{}, nil, err
	}
	if method != "jwk" {
		return signing.JWK{}, nil, fmt.Errorf("%w: not a did:jwk", ErrInvalidDID)
	}
	if len(msid) > maxJWKDIDLength {
		return signing.JWK{}, nil, fmt.Errorf("%w: did:jwk longer than %d characters", ErrInvalidDID, maxJWKDIDLength)
	}
	data, err := b64.Decode(msid)
	if err != nil {
		return signing.JWK{}, nil, fmt.Errorf("%w: did:jwk is not base64url", ErrInvalidDID)
	}
	m, err := jsonx.ParseObject(data)
	if err != nil {
		return signing.JWK{}, nil, fmt.Errorf("%w: did:jwk: %w", ErrInvalidDID, err)
	}
	if _, ok := m["d"]; ok {
		return signing.JWK{}, nil, fmt.Errorf("%w: did:jwk holds a private key", ErrInvalidDID)
	}
	j, err := signing.JWKFromMap(m)
	if err != nil {
		return signing.JWK{}, nil, fmt.Errorf("%w: did:jwk: %w", ErrInvalidDID, err)
	}
	pub, err := j.PublicKey()
	if err != nil {
		return signing.JWK{}, nil, fmt.Errorf("%w: did:jwk: %w", ErrUnsupportedKey, err)
	}
	return j, pub, nil
}

// jwkDocument is the document of a did:jwk (did:jwk spec): one JsonWebKey
// method "#0" under assertionMethod and authentication.
func jwkDocument(did string) (*Document, error) {
	j, _, err := ParseJWKDID(did)
	if err != nil {
		return nil, err
	}
	id := did + "#0"
	return &Document{
		Context: []any{ContextDID, ContextJWK},
		ID:      did,
		VerificationMethod: []VerificationMethod{
			{ID: id, Type: TypeJsonWebKey, Controller: did, PublicKeyJwk: &j},
		},
		AssertionMethod: []any{id},
		Authentication:  []any{id},
	}, nil
}
