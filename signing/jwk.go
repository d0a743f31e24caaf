package signing

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing/internal/b64"
)

// ErrInvalidJWK reports a JWK that is malformed, of an unsupported type or
// curve, of the wrong length, or whose point is not on its curve.
var ErrInvalidJWK = errors.New("signing: invalid JWK")

// JWK is a JSON Web Key (RFC 7517) for OKP/Ed25519 (RFC 8037) and EC
// P-256/P-384 (RFC 7518) keys, public or private. Members are kept in their
// encoded (base64url) form; PublicKey and PrivateKey decode and validate
// them. Other JWK members (key_ops, x5c, ...) are ignored when decoding.
//
// WARNING: a JWK with D set holds a private key. Never put one in a JWS
// header, a DID document or a log line. String and GoString redact D, but
// json.Marshal does not.
type JWK struct {
	Kty string `json:"kty"`           // "OKP" or "EC"
	Crv string `json:"crv,omitempty"` // "Ed25519", "P-256" or "P-384"
	X   string `json:"x,omitempty"`   // public key (OKP) or x coordinate (EC), base64url
	Y   string `json:"y,omitempty"`   // y coordinate (EC only), base64url
	D   string `json:"d,omitempty"`   // private key: Ed25519 seed or EC scalar, base64url
	Kid string `json:"kid,omitempty"` // key ID; free-form
	Alg string `json:"alg,omitempty"` // intended algorithm; checked against the key when set
	Use string `json:"use,omitempty"` // intended use; only "" and "sig" are accepted by PublicKey
}

// String formats the JWK with the private member redacted.
func (j JWK) String() string {
	if j.D != "" {
		j.D = "REDACTED"
	}
	type plain JWK // no String method: avoids recursion
	return fmt.Sprintf("%+v", plain(j))
}

// GoString is String, so that %#v redacts too.
func (j JWK) GoString() string { return "signing.JWK" + j.String() }

// UnmarshalJSON decodes a JWK strictly: the value must be a JSON object
// without duplicate member names (a JWK with two "x" members is an attack,
// not a key), and the members this type knows must be strings.
func (j *JWK) UnmarshalJSON(data []byte) error {
	m, err := jsonx.ParseObject(data)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidJWK, err)
	}
	return j.fromMap(m)
}

// ParseJWK decodes one JWK from JSON (see JWK.UnmarshalJSON). It does not
// validate the key material; call PublicKey or PrivateKey for that.
func ParseJWK(data []byte) (JWK, error) {
	var j JWK
	if err := j.UnmarshalJSON(data); err != nil {
		return JWK{}, err
	}
	return j, nil
}

// JWKFromMap builds a JWK from an already-decoded JSON object (for example
// the "jwk" member of a JWS header). Unknown members are ignored.
func JWKFromMap(m map[string]any) (JWK, error) {
	var j JWK
	if err := j.fromMap(m); err != nil {
		return JWK{}, err
	}
	return j, nil
}

func (j *JWK) fromMap(m map[string]any) error {
	var out JWK
	for _, f := range []struct {
		name string
		dst  *string
	}{{"kty", &out.Kty}, {"crv", &out.Crv}, {"x", &out.X}, {"y", &out.Y}, {"d", &out.D},
		{"kid", &out.Kid}, {"alg", &out.Alg}, {"use", &out.Use}} {
		v, ok := m[f.name]
		if !ok {
			continue
		}
		s, ok := v.(string)
		if !ok {
			return fmt.Errorf("%w: member %q is not a string", ErrInvalidJWK, f.name)
		}
		*f.dst = s
	}
	if out.Kty == "" {
		return fmt.Errorf("%w: missing kty", ErrInvalidJWK)
	}
	*j = out
	return nil
}

// PublicJWK returns the public JWK of an Ed25519 or ECDSA P-256/P-384
// public key: kty, crv, x (and y). Kid, Alg and Use are left empty.
func PublicJWK(pub crypto.PublicKey) (JWK, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) != ed25519.PublicKeySize {
			break
		}
		return JWK{Kty: "OKP", Crv: "Ed25519", X: b64.Encode(k)}, nil
	case *ecdsa.PublicKey:
		alg, err := AlgorithmFor(k)
		if err != nil {
			break
		}
		raw, err := k.Bytes() // 0x04 || X || Y, fixed width; fails for invalid keys
		if err != nil {
			return JWK{}, fmt.Errorf("%w: %v", ErrInvalidJWK, err)
		}
		n := fieldSize(alg)
		return JWK{Kty: "EC", Crv: crvName(alg), X: b64.Encode(raw[1 : 1+n]), Y: b64.Encode(raw[1+n:])}, nil
	}
	return JWK{}, fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, pub)
}

// PrivateJWK returns the private JWK (with D) of an ed25519.PrivateKey or
// *ecdsa.PrivateKey. Keys held by hardware cannot be exported.
//
// WARNING: the result is secret key material.
func PrivateJWK(priv crypto.Signer) (JWK, error) {
	switch k := priv.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			break
		}
		j, err := PublicJWK(k.Public())
		if err != nil {
			return JWK{}, err
		}
		j.D = b64.Encode(k.Seed())
		return j, nil
	case *ecdsa.PrivateKey:
		j, err := PublicJWK(&k.PublicKey)
		if err != nil {
			return JWK{}, err
		}
		d, err := k.Bytes()
		if err != nil {
			return JWK{}, fmt.Errorf("%w: invalid private key", ErrInvalidJWK)
		}
		j.D = b64.Encode(d)
		clear(d)
		return j, nil
	}
	return JWK{}, fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, priv)
}

// PublicKey decodes and validates the public key of the JWK: an
// ed25519.PublicKey or an *ecdsa.PublicKey. It checks kty/crv, exact
// lengths, that EC points are on the curve, that Alg (when set) is the
// algorithm of the key, and that Use (when set) is "sig". D, if present,
// is ignored.
func (j JWK) PublicKey() (crypto.PublicKey, error) {
	pub, alg, err := j.publicKey()
	if err != nil {
		return nil, err
	}
	if j.Alg != "" && Algorithm(j.Alg) != alg {
		return nil, fmt.Errorf("%w: alg %q does not fit a %s key", ErrInvalidJWK, truncate(j.Alg), j.Crv)
	}
	if j.Use != "" && j.Use != "sig" {
		return nil, fmt.Errorf("%w: use %q is not \"sig\"", ErrInvalidJWK, truncate(j.Use))
	}
	return pub, nil
}

func (j JWK) publicKey() (crypto.PublicKey, Algorithm, error) {
	switch j.Kty {
	case "OKP":
		if j.Crv != "Ed25519" {
			return nil, "", fmt.Errorf("%w: unsupported OKP curve %q", ErrInvalidJWK, truncate(j.Crv))
		}
		if j.Y != "" {
			return nil, "", fmt.Errorf("%w: OKP key with y", ErrInvalidJWK)
		}
		x, err := b64.Decode(j.X)
		if err != nil || len(x) != ed25519.PublicKeySize {
			return nil, "", fmt.Errorf("%w: Ed25519 x must be %d bytes of base64url", ErrInvalidJWK, ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(x), EdDSA, nil
	case "EC":
		alg, ok := algForCrv(j.Crv)
		if !ok {
			return nil, "", fmt.Errorf("%w: unsupported EC curve %q", ErrInvalidJWK, truncate(j.Crv))
		}
		n := fieldSize(alg)
		raw := make([]byte, 1, 1+2*n)
		raw[0] = 4
		raw, errX := b64.AppendDecode(raw, []byte(j.X))
		if errX != nil || len(raw) != 1+n {
			return nil, "", fmt.Errorf("%w: %s x must be %d bytes of base64url", ErrInvalidJWK, j.Crv, n)
		}
		raw, errY := b64.AppendDecode(raw, []byte(j.Y))
		if errY != nil || len(raw) != 1+2*n {
			return nil, "", fmt.Errorf("%w: %s y must be %d bytes of base64url", ErrInvalidJWK, j.Crv, n)
		}
		k, err := ecdsa.ParseUncompressedPublicKey(curveFor(alg), raw)
		if err != nil {
			return nil, "", fmt.Errorf("%w: point is not on %s", ErrInvalidJWK, j.Crv)
		}
		return k, alg, nil
	}
	return nil, "", fmt.Errorf("%w: unsupported kty %q", ErrInvalidJWK, truncate(j.Kty))
}

// PrivateKey decodes and validates the private key of the JWK: an
// ed25519.PrivateKey or an *ecdsa.PrivateKey. The public members must be
// present and must match the private key.
func (j JWK) PrivateKey() (crypto.Signer, error) {
	pub, err := j.PublicKey()
	if err != nil {
		return nil, err
	}
	if j.D == "" {
		return nil, fmt.Errorf("%w: no private key (d)", ErrInvalidJWK)
	}
	d, err := b64.Decode(j.D)
	if err != nil {
		return nil, fmt.Errorf("%w: d is not base64url", ErrInvalidJWK)
	}
	defer clear(d)
	var priv crypto.Signer
	switch p := pub.(type) {
	case ed25519.PublicKey:
		if len(d) != ed25519.SeedSize {
			return nil, fmt.Errorf("%w: Ed25519 d must be %d bytes", ErrInvalidJWK, ed25519.SeedSize)
		}
		k := ed25519.NewKeyFromSeed(d)
		if subtle.ConstantTimeCompare(k.Public().(ed25519.PublicKey), p) != 1 {
			return nil, fmt.Errorf("%w: d does not match x", ErrInvalidJWK)
		}
		priv = k
	case *ecdsa.PublicKey:
		k, err := ecdsa.ParseRawPrivateKey(p.Curve, d) // checks length and range
		if err != nil {
			return nil, fmt.Errorf("%w: d is not a valid %s scalar", ErrInvalidJWK, j.Crv)
		}
		if !k.PublicKey.Equal(p) {
			return nil, fmt.Errorf("%w: d does not match x, y", ErrInvalidJWK)
		}
		priv = k
	}
	return priv, nil
}

// Thumbprint returns the RFC 7638 JWK thumbprint of pub: SHA-256 over the
// canonical JSON of the required members, base64url without padding.
func Thumbprint(pub crypto.PublicKey) (string, error) {
	j, err := PublicJWK(pub)
	if err != nil {
		return "", err
	}
	return thumbprint(j.canonical()), nil
}

// Thumbprint is the RFC 7638 thumbprint of the key in j, after validating
// it like PublicKey does. Kid, Alg, Use and D do not change it.
func (j JWK) Thumbprint() (string, error) {
	pub, err := j.PublicKey()
	if err != nil {
		return "", err
	}
	return Thumbprint(pub)
}

// canonical is the RFC 7638 section 3.2 form of a public JWK: the required
// members only, in lexicographic order, no whitespace. It is also the
// additional data bound into key files. Values are base64url or fixed
// names, so they need no JSON escaping.
func (j JWK) canonical() []byte {
	var b bytes.Buffer
	switch j.Kty {
	case "OKP":
		fmt.Fprintf(&b, `{"crv":%q,"kty":"OKP","x":%q}`, j.Crv, j.X)
	default:
		fmt.Fprintf(&b, `{"crv":%q,"kty":"EC","x":%q,"y":%q}`, j.Crv, j.X, j.Y)
	}
	return b.Bytes()
}

// thumbprintMembers computes a thumbprint over members given as name, value
// pairs already in lexicographic order; it exists to test the RFC 7638
// example (an RSA key, which this package does not otherwise support).
func thumbprintMembers(kv ...string) string {
	m := make(map[string]string, len(kv)/2)
	var order []string
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
		order = append(order, kv[i])
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		vb, _ := json.Marshal(m[k])
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vb)
	}
	b.WriteByte('}')
	return thumbprint(b.Bytes())
}

func thumbprint(canonical []byte) string {
	sum := sha256.Sum256(canonical)
	return b64.Encode(sum[:])
}

func crvName(alg Algorithm) string {
	switch alg {
	case ES256:
		return "P-256"
	case ES384:
		return "P-384"
	}
	return "Ed25519"
}

func algForCrv(crv string) (Algorithm, bool) {
	switch crv {
	case "P-256":
		return ES256, true
	case "P-384":
		return ES384, true
	}
	return "", false
}
