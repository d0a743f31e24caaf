package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/sha512"
	"errors"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/cryptobyte/asn1"
)

// Algorithm is a JWS signature algorithm name (RFC 7518, RFC 8037).
type Algorithm string

// The supported algorithms. Nothing else is accepted anywhere in ThaiTrust:
// no "none", no HMAC, no RSA.
const (
	// EdDSA is Ed25519 (RFC 8037), signing the message itself.
	EdDSA Algorithm = "EdDSA"
	// ES256 is ECDSA on P-256 with SHA-256; signatures are raw R||S, 64 bytes.
	ES256 Algorithm = "ES256"
	// ES384 is ECDSA on P-384 with SHA-384; signatures are raw R||S, 96 bytes.
	ES384 Algorithm = "ES384"
)

// Sentinel errors. Errors returned by this package wrap them; test with
// errors.Is.
var (
	// ErrUnsupportedAlgorithm reports an algorithm name that is not EdDSA,
	// ES256 or ES384 ("none" included), or a key of an unsupported type.
	ErrUnsupportedAlgorithm = errors.New("signing: unsupported algorithm")
	// ErrKeyTypeMismatch reports a key that does not fit the algorithm,
	// for example a P-384 key with ES256.
	ErrKeyTypeMismatch = errors.New("signing: key type does not match algorithm")
	// ErrBadSignature reports a signature that does not verify, including
	// one of the wrong length.
	ErrBadSignature = errors.New("signing: signature verification failed")
	// ErrUnknownScheme reports a key URI whose scheme no Opener is
	// registered for. The concrete error is *UnknownSchemeError.
	ErrUnknownScheme = errors.New("signing: unknown key URI scheme")
	// ErrWrongPassphrase reports that a key file could not be decrypted:
	// the passphrase is wrong or the file was altered.
	ErrWrongPassphrase = errors.New("signing: wrong passphrase or corrupted key file")
)

// ParseAlgorithm returns the Algorithm named s. Names are case-sensitive
// (RFC 7515 section 4.1.1); "none" and anything other than EdDSA, ES256
// and ES384 fail with ErrUnsupportedAlgorithm.
func ParseAlgorithm(s string) (Algorithm, error) {
	switch a := Algorithm(s); a {
	case EdDSA, ES256, ES384:
		return a, nil
	}
	return "", fmt.Errorf("%w %q", ErrUnsupportedAlgorithm, truncate(s))
}

// AlgorithmFor returns the algorithm a public key is used with: Ed25519 ->
// EdDSA, ECDSA P-256 -> ES256, ECDSA P-384 -> ES384. Other keys fail with
// ErrUnsupportedAlgorithm.
func AlgorithmFor(pub crypto.PublicKey) (Algorithm, error) {
	switch k := pub.(type) {
	case ed25519.PublicKey:
		if len(k) == ed25519.PublicKeySize {
			return EdDSA, nil
		}
	case *ecdsa.PublicKey:
		if k == nil {
			break
		}
		switch k.Curve {
		case elliptic.P256():
			return ES256, nil
		case elliptic.P384():
			return ES384, nil
		}
	}
	return "", fmt.Errorf("%w: key type %T", ErrUnsupportedAlgorithm, pub)
}

// GenerateKey returns a new private key for alg from crypto/rand:
// ed25519.PrivateKey for EdDSA, *ecdsa.PrivateKey for ES256 and ES384.
func GenerateKey(alg Algorithm) (crypto.Signer, error) {
	switch alg {
	case EdDSA:
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("signing: generate key: %w", err)
		}
		return priv, nil
	case ES256, ES384:
		k, err := ecdsa.GenerateKey(curveFor(alg), rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("signing: generate key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("%w %q", ErrUnsupportedAlgorithm, truncate(string(alg)))
}

// Sign signs a JWS signing input: EdDSA over the bytes; ES256/ES384 over
// SHA-256/384, returning raw R||S (JWS form). s may be any crypto.Signer
// (a soft key, an HSM, a KMS): for ECDSA it must return an ASN.1 DER
// signature as crypto.Signer documents.
//
// The key must fit alg (ErrKeyTypeMismatch otherwise).
func Sign(s crypto.Signer, alg Algorithm, signingInput []byte) ([]byte, error) {
	if _, err := ParseAlgorithm(string(alg)); err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("%w: nil signer", ErrKeyTypeMismatch)
	}
	keyAlg, err := AlgorithmFor(s.Public())
	if err != nil || keyAlg != alg {
		return nil, fmt.Errorf("%w: %T key cannot sign %s", ErrKeyTypeMismatch, s.Public(), alg)
	}
	switch alg {
	case EdDSA:
		sig, err := s.Sign(rand.Reader, signingInput, crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("signing: sign: %w", err)
		}
		if len(sig) != ed25519.SignatureSize {
			return nil, fmt.Errorf("signing: signer returned a %d-byte Ed25519 signature", len(sig))
		}
		return sig, nil
	default:
		h, digest := hashFor(alg, signingInput)
		der, err := s.Sign(rand.Reader, digest, h)
		if err != nil {
			return nil, fmt.Errorf("signing: sign: %w", err)
		}
		sig, err := asn1ToRaw(der, fieldSize(alg))
		if err != nil {
			return nil, err
		}
		return sig, nil
	}
}

// Verify checks a JWS-form signature (raw R||S for ECDSA). It returns
// ErrUnsupportedAlgorithm for an unknown alg, ErrKeyTypeMismatch when pub
// does not fit alg, and ErrBadSignature for any signature that does not
// verify, including one of the wrong length.
func Verify(alg Algorithm, pub crypto.PublicKey, signingInput, sig []byte) error {
	switch alg {
	case EdDSA:
		k, ok := pub.(ed25519.PublicKey)
		if !ok || len(k) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: %T key cannot verify %s", ErrKeyTypeMismatch, pub, alg)
		}
		if len(sig) != ed25519.SignatureSize || !ed25519.Verify(k, signingInput, sig) {
			return ErrBadSignature
		}
		return nil
	case ES256, ES384:
		k, ok := pub.(*ecdsa.PublicKey)
		if !ok || k == nil || k.Curve != curveFor(alg) {
			return fmt.Errorf("%w: %T key cannot verify %s", ErrKeyTypeMismatch, pub, alg)
		}
		n := fieldSize(alg)
		if len(sig) != 2*n {
			return ErrBadSignature
		}
		_, digest := hashFor(alg, signingInput)
		r := new(big.Int).SetBytes(sig[:n])
		s := new(big.Int).SetBytes(sig[n:])
		// ecdsa.Verify rejects r, s <= 0 and >= N, and invalid points.
		if !ecdsa.Verify(k, digest, r, s) {
			return ErrBadSignature
		}
		return nil
	}
	return fmt.Errorf("%w %q", ErrUnsupportedAlgorithm, truncate(string(alg)))
}

func curveFor(alg Algorithm) elliptic.Curve {
	if alg == ES384 {
		return elliptic.P384()
	}
	return elliptic.P256()
}

// fieldSize is the byte length of one of R, S (and of a coordinate).
func fieldSize(alg Algorithm) int {
	if alg == ES384 {
		return 48
	}
	return 32
}

func hashFor(alg Algorithm, msg []byte) (crypto.Hash, []byte) {
	if alg == ES384 {
		d := sha512.Sum384(msg)
		return crypto.SHA384, d[:]
	}
	d := sha256.Sum256(msg)
	return crypto.SHA256, d[:]
}

// asn1ToRaw converts an ASN.1 DER ECDSA-Sig-Value into fixed-width R||S.
func asn1ToRaw(der []byte, n int) ([]byte, error) {
	var r, s []byte
	var inner cryptobyte.String
	in := cryptobyte.String(der)
	if !in.ReadASN1(&inner, asn1.SEQUENCE) || !in.Empty() ||
		!inner.ReadASN1Integer(&r) || !inner.ReadASN1Integer(&s) || !inner.Empty() {
		return nil, errors.New("signing: signer returned a malformed ECDSA signature")
	}
	// ReadASN1Integer into []byte rejects negative values and strips the
	// sign byte; what is left must fit the field.
	if len(r) > n || len(s) > n {
		return nil, errors.New("signing: signer returned an out-of-range ECDSA signature")
	}
	out := make([]byte, 2*n)
	copy(out[n-len(r):n], r)
	copy(out[2*n-len(s):], s)
	return out, nil
}

// truncate shortens attacker-controlled strings before they go into error
// messages.
func truncate(s string) string {
	const max = 32
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
