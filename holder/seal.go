package holder

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"

	"golang.org/x/crypto/argon2"

	"github.com/thaitrust/thaitrust/signing"
)

// kdfHeader is how a wallet header or a backup stores its Argon2id
// parameters.
type kdfHeader struct {
	Name    string `json:"name"` // "argon2id"
	Salt    []byte `json:"salt"` // 16 random bytes (base64 in JSON)
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory"` // KiB
	Threads uint8  `json:"threads"`
}

const (
	kdfName = "argon2id"
	saltLen = 16
	// Bounds on parameters read from a file, so that a crafted header
	// cannot make opening a wallet take minutes or gigabytes.
	maxKDFTime    = 16
	maxKDFMemory  = 1 << 20 // 1 GiB
	maxKDFThreads = 16
)

func newKDF(p signing.KDFParams) (kdfHeader, error) {
	if p == (signing.KDFParams{}) {
		p = signing.DefaultKDFParams()
	}
	h := kdfHeader{Name: kdfName, Salt: make([]byte, saltLen), Time: p.Time, Memory: p.MemoryKiB, Threads: p.Threads}
	if err := h.check(); err != nil {
		return kdfHeader{}, err
	}
	if _, err := rand.Read(h.Salt); err != nil {
		return kdfHeader{}, err
	}
	return h, nil
}

func (h kdfHeader) check() error {
	switch {
	case h.Name != kdfName:
		return fmt.Errorf("unsupported KDF %q", h.Name)
	case len(h.Salt) < saltLen:
		return errors.New("KDF salt too short")
	case h.Time < 1 || h.Time > maxKDFTime:
		return fmt.Errorf("KDF time %d out of range 1..%d", h.Time, maxKDFTime)
	case h.Threads < 1 || h.Threads > maxKDFThreads:
		return fmt.Errorf("KDF threads %d out of range 1..%d", h.Threads, maxKDFThreads)
	case h.Memory < 8*uint32(h.Threads) || h.Memory > maxKDFMemory:
		return fmt.Errorf("KDF memory %d KiB out of range", h.Memory)
	}
	return nil
}

// keys are the keys derived from a passphrase: one seals records, one
// makes the key-check value.
type keys struct {
	aead  cipher.AEAD
	check []byte
}

// derive runs Argon2id and splits the result with HKDF-SHA256.
func (h kdfHeader) derive(passphrase []byte, purpose string) (*keys, error) {
	if err := h.check(); err != nil {
		return nil, err
	}
	master := argon2.IDKey(passphrase, h.Salt, h.Time, h.Memory, h.Threads, 32)
	defer clear(master)
	enc, err := hkdf.Key(sha256.New, master, nil, purpose+" seal", 32)
	if err != nil {
		return nil, err
	}
	defer clear(enc)
	chk, err := hkdf.Key(sha256.New, master, nil, purpose+" check", 32)
	if err != nil {
		return nil, err
	}
	block, err := aes.NewCipher(enc)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &keys{aead: aead, check: chk}, nil
}

// checkValue is HMAC-SHA256 over a fixed label and the wallet (or backup)
// id: it tells a wrong passphrase from a corrupted record without
// revealing anything about the key.
func (k *keys) checkValue(id string) []byte {
	m := hmac.New(sha256.New, k.check)
	m.Write([]byte("thaitrust wallet key check\x00" + id))
	return m.Sum(nil)
}

func (k *keys) verifyCheck(id string, want []byte) error {
	if !hmac.Equal(k.checkValue(id), want) {
		return ErrWrongPassphrase
	}
	return nil
}

// seal encrypts plaintext with a fresh random nonce:
// nonce (12 bytes) || ciphertext || tag (16 bytes).
func (k *keys) seal(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(out); err != nil {
		return nil, err
	}
	return k.aead.Seal(out, out, plaintext, aad), nil
}

func (k *keys) open(sealed, aad []byte) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, ErrCorrupted
	}
	pt, err := k.aead.Open(nil, sealed[:n], sealed[n:], aad)
	if err != nil {
		return nil, ErrCorrupted
	}
	return pt, nil
}

var idEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newID returns 80 random bits as 16 lowercase base32 characters.
func newID() string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("holder: crypto/rand failed: " + err.Error())
	}
	return idEncoding.EncodeToString(b[:])
}

// validID reports whether id is safe as a file name: 1-64 characters of
// [a-z0-9-].
func validID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return false
		}
	}
	return true
}
