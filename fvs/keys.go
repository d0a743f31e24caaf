package fvs

import (
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"

	"github.com/thaitrust/thaitrust/signing"
)

// KEK is a key-encryption key: it wraps the random data keys that seal
// templates, and the index key. It never sees a template.
type KEK interface {
	// ID names the key in the records it wraps (never secret).
	ID() string
	// Wrap encrypts key, binding aad; Unwrap reverses it and fails with
	// ErrWrongKEK for another key, another aad or altered data.
	Wrap(key, aad []byte) ([]byte, error)
	Unwrap(wrapped, aad []byte) ([]byte, error)
}

// aesKEK wraps with AES-256-GCM under a fixed 32-byte key: version byte
// 1, a 12-byte random nonce, the ciphertext and tag.
type aesKEK struct {
	id   string
	aead cipher.AEAD
}

const wrapVersion = 1

func newAESKEK(prefix string, secret []byte) (*aesKEK, error) {
	key, err := hkdf.Key(sha256.New, secret, nil, "thaitrust fvs kek v1", 32)
	if err != nil {
		return nil, err
	}
	defer clear(key)
	check, err := hkdf.Key(sha256.New, secret, nil, "thaitrust fvs kek id v1", 8)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &aesKEK{id: prefix + hex.EncodeToString(check), aead: aead}, nil
}

func (k *aesKEK) ID() string { return k.id }

func (k *aesKEK) Wrap(key, aad []byte) ([]byte, error) {
	out := make([]byte, 1+k.aead.NonceSize(), 1+k.aead.NonceSize()+len(key)+k.aead.Overhead())
	out[0] = wrapVersion
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, out[1:], key, k.ad(aad)), nil
}

func (k *aesKEK) Unwrap(w, aad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(w) < 1+n+k.aead.Overhead() || w[0] != wrapVersion {
		return nil, ErrWrongKEK
	}
	key, err := k.aead.Open(nil, w[1:1+n], w[1+n:], k.ad(aad))
	if err != nil {
		return nil, ErrWrongKEK
	}
	return key, nil
}

func (k *aesKEK) ad(aad []byte) []byte {
	return append([]byte("thaitrust fvs wrap v1\x00"+k.id+"\x00"), aad...)
}

// kekLabel is what SignerKEK signs with an Ed25519 key. It contains
// spaces, so it can never be a JWS signing input (base64url and '.').
const kekLabel = "thaitrust fvs key-encryption key v1: never sign this text for any other purpose"

// SignerKEK derives a KEK from a key opened with signing.Open (a key URI,
// e.g. file:keys/fvs-kek.key.json), so the KEK is protected like the
// signing keys are (an encrypted key file today, PKCS#11 later):
//
//   - Ed25519: the key signs a fixed label; Ed25519 signatures are
//     deterministic (RFC 8032), so the signature is a stable secret that
//     only the key's holder can compute, also inside a token. HKDF-SHA256
//     turns it into the AES-256 key.
//   - ECDSA P-256/P-384 in software (*ecdsa.PrivateKey): the ECDH of the
//     key with its own public key (d²·G), which only the holder of d can
//     compute, through HKDF-SHA256.
//
// ID is "jkt:" + the RFC 7638 thumbprint of the public key + "/" + a key
// check value. WARNING: use a key dedicated to this purpose, never one
// that signs attestations or credentials: anyone who can make the key
// sign the label can derive the KEK.
func SignerKEK(s crypto.Signer) (KEK, error) {
	tp, err := signing.Thumbprint(s.Public())
	if err != nil {
		return nil, fmt.Errorf("fvs: KEK: %w", err)
	}
	var secret []byte
	switch pub := s.Public().(type) {
	case ed25519.PublicKey:
		sig, err := s.Sign(rand.Reader, []byte(kekLabel), crypto.Hash(0))
		if err != nil {
			return nil, fmt.Errorf("fvs: KEK: signing the label: %w", err)
		}
		if !ed25519.Verify(pub, []byte(kekLabel), sig) {
			return nil, errors.New("fvs: KEK: the key's signature does not verify")
		}
		secret = sig
	case *ecdsa.PublicKey:
		priv, ok := s.(*ecdsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("fvs: KEK: an ECDSA key held as %T cannot derive a KEK; use an Ed25519 key", s)
		}
		ek, err := priv.ECDH()
		if err != nil {
			return nil, fmt.Errorf("fvs: KEK: %w", err)
		}
		if secret, err = ek.ECDH(ek.PublicKey()); err != nil {
			return nil, fmt.Errorf("fvs: KEK: %w", err)
		}
	default:
		return nil, fmt.Errorf("fvs: KEK: unsupported key type %T", pub)
	}
	defer clear(secret)
	return newAESKEK("jkt:"+tp+"/", secret)
}

// PassphraseKEKParams are the Argon2id parameters of PassphraseKEK.
type PassphraseKEKParams = signing.KDFParams

// PassphraseKEK derives a KEK from a passphrase with Argon2id (salt at
// least 16 bytes, kept with the store's configuration: without the same
// salt and parameters the KEK cannot be derived again). Zero params mean
// signing.DefaultKDFParams(). ID is "argon2id:" + a key check value.
func PassphraseKEK(passphrase, salt []byte, p PassphraseKEKParams) (KEK, error) {
	if len(passphrase) == 0 || len(salt) < 16 {
		return nil, errors.New("fvs: KEK: a passphrase and a salt of at least 16 bytes are required")
	}
	if p == (PassphraseKEKParams{}) {
		p = signing.DefaultKDFParams()
	}
	secret := argon2.IDKey(passphrase, salt, p.Time, p.MemoryKiB, p.Threads, 32)
	defer clear(secret)
	return newAESKEK("argon2id:", secret)
}

// sealTemplate encrypts a template under a fresh data key, which kek
// wraps. Both bind the record's identity (subject, model, version, KEK),
// so a ciphertext moved to another subject or relabelled does not open.
func sealTemplate(kek KEK, subject SubjectKey, t Template) (wrapped, nonce, ct []byte, err error) {
	pt, err := t.MarshalBinary()
	if err != nil {
		return nil, nil, nil, err
	}
	defer clear(pt)
	dek := make([]byte, 32)
	if _, err := rand.Read(dek); err != nil {
		return nil, nil, nil, err
	}
	defer clear(dek)
	aad := templateAAD(subject, t.Model, t.Version, kek.ID())
	if wrapped, err = kek.Wrap(dek, aad); err != nil {
		return nil, nil, nil, err
	}
	aead, err := gcm(dek)
	if err != nil {
		return nil, nil, nil, err
	}
	nonce = make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, nil, nil, err
	}
	return wrapped, nonce, aead.Seal(nil, nonce, pt, aad), nil
}

// openTemplate reverses sealTemplate.
func openTemplate(kek KEK, r TemplateRecord) (Template, error) {
	if r.KEK != kek.ID() {
		return Template{}, fmt.Errorf("%w: template wrapped by %s", ErrWrongKEK, r.KEK)
	}
	aad := templateAAD(r.Subject, r.Model, r.TemplateVersion, r.KEK)
	dek, err := kek.Unwrap(r.WrappedKey, aad)
	if err != nil {
		return Template{}, err
	}
	defer clear(dek)
	aead, err := gcm(dek)
	if err != nil {
		return Template{}, err
	}
	if len(r.Nonce) != aead.NonceSize() {
		return Template{}, ErrWrongKEK
	}
	pt, err := aead.Open(nil, r.Nonce, r.Ciphertext, aad)
	if err != nil {
		return Template{}, ErrWrongKEK
	}
	defer clear(pt)
	return parseTemplate(r.Model, r.TemplateVersion, pt)
}

func templateAAD(s SubjectKey, model string, version int, kek string) []byte {
	return fmt.Appendf(nil, "thaitrust fvs template v1\x00%x\x00%s\x00%d\x00%s", s[:], model, version, kek)
}

func gcm(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// SubjectKey is the keyed hash that indexes a citizen's template:
// HMAC-SHA256 under the store's index key of the citizen ID. The ID
// itself is never stored.
type SubjectKey [32]byte

// String is the key in hex (safe to log: it reveals nothing without the
// index key).
func (k SubjectKey) String() string { return hex.EncodeToString(k[:]) }

// indexKeyAAD binds the wrapped index key to its purpose.
var indexKeyAAD = []byte("thaitrust fvs index key v1")

func subjectKey(indexKey []byte, pid string) SubjectKey {
	m := hmac.New(sha256.New, indexKey)
	m.Write([]byte("thaitrust fvs pid v1\x00"))
	m.Write([]byte(pid))
	var k SubjectKey
	copy(k[:], m.Sum(nil))
	return k
}
