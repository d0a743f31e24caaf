package signing

import (
	"bytes"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"golang.org/x/crypto/argon2"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing/internal/b64"
)

// Key file format, version 1 (JSON):
//
//	{"version":1, "alg":"EdDSA",
//	 "kdf":{"name":"argon2id","salt":B64,"time":3,"memory":65536,"threads":2},
//	 "nonce":B64, "ciphertext":B64, "publicKey":{JWK}}
//
// memory is in KiB. ciphertext is AES-256-GCM, under the Argon2id key
// derived from the passphrase, of the PKCS#8 DER private key, with the RFC
// 7638 canonical JSON of publicKey as additional data. B64 is unpadded
// base64url.
const (
	keyFileVersion = 1
	kdfName        = "argon2id"
	saltSize       = 16
	maxKeyFileSize = 64 << 10

	// Bounds on the KDF parameters, on write and on read (a hostile file
	// must not make us allocate terabytes or spin for hours).
	maxKDFTime      = 100
	maxKDFMemoryKiB = 2 << 20 // 2 GiB
	maxKDFThreads   = 64
)

// KDFParams are the Argon2id parameters used to derive a key file's
// encryption key from its passphrase. They are stored in the file, so a
// file is always read with the parameters it was written with.
type KDFParams struct {
	Time      uint32 // passes over memory; at least 1
	MemoryKiB uint32 // memory in KiB; at least 8 × Threads
	Threads   uint8  // parallelism; at least 1
}

// DefaultKDFParams returns the parameters WriteKeyFile uses: time 3,
// 64 MiB, 2 threads (about 0.1-0.3 s on a server core).
func DefaultKDFParams() KDFParams {
	return KDFParams{Time: 3, MemoryKiB: 64 << 10, Threads: 2}
}

func (p KDFParams) validate() error {
	if p.Time < 1 || p.Time > maxKDFTime || p.Threads < 1 || p.Threads > maxKDFThreads ||
		p.MemoryKiB < 8*uint32(p.Threads) || p.MemoryKiB > maxKDFMemoryKiB {
		return fmt.Errorf("signing: KDF parameters out of range (time 1-%d, threads 1-%d, memory 8×threads-%d KiB)",
			maxKDFTime, maxKDFThreads, maxKDFMemoryKiB)
	}
	return nil
}

type keyFile struct {
	Version    int       `json:"version"`
	Alg        Algorithm `json:"alg"`
	KDF        kdfJSON   `json:"kdf"`
	Nonce      string    `json:"nonce"`
	Ciphertext string    `json:"ciphertext"`
	PublicKey  JWK       `json:"publicKey"`
}

type kdfJSON struct {
	Name    string `json:"name"`
	Salt    string `json:"salt"`
	Time    uint32 `json:"time"`
	Memory  uint32 `json:"memory"`
	Threads uint8  `json:"threads"`
}

// WriteKeyFile encrypts key under passphrase (Argon2id with
// DefaultKDFParams, then AES-256-GCM) and writes it to path with mode
// 0600, atomically: a temporary file in the same directory is written,
// fsynced and then linked into place, and the directory is fsynced.
//
// key must be an ed25519.PrivateKey or an *ecdsa.PrivateKey on P-256 or
// P-384; hardware keys cannot be exported. The passphrase must not be
// empty.
//
// WriteKeyFile never replaces an existing file: if path exists it fails
// with an error wrapping fs.ErrExist, so a mistyped path cannot destroy a
// key.
func WriteKeyFile(path string, key crypto.Signer, passphrase []byte) error {
	return WriteKeyFileKDF(path, key, passphrase, DefaultKDFParams())
}

// WriteKeyFileKDF is WriteKeyFile with explicit Argon2id parameters.
//
// WARNING: parameters weaker than DefaultKDFParams make passphrases cheaper
// to guess from a stolen file. They are meant for tests (which want
// millisecond key files), not for deployments.
func WriteKeyFileKDF(path string, key crypto.Signer, passphrase []byte, kdf KDFParams) error {
	if len(passphrase) == 0 {
		return errors.New("signing: empty passphrase")
	}
	if err := kdf.validate(); err != nil {
		return err
	}
	data, err := sealKeyFile(key, passphrase, kdf)
	if err != nil {
		return err
	}
	return writeFileAtomic(path, data)
}

func sealKeyFile(key crypto.Signer, passphrase []byte, kdf KDFParams) ([]byte, error) {
	switch k := key.(type) {
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, fmt.Errorf("%w: malformed Ed25519 private key", ErrUnsupportedAlgorithm)
		}
	case *ecdsa.PrivateKey:
	default:
		return nil, fmt.Errorf("%w: cannot export a %T to a key file", ErrUnsupportedAlgorithm, key)
	}
	alg, err := AlgorithmFor(key.Public())
	if err != nil {
		return nil, err
	}
	pub, err := PublicJWK(key.Public())
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, errors.New("signing: cannot encode private key")
	}
	defer clear(der)

	salt := make([]byte, saltSize)
	if _, err := io.ReadFull(rand.Reader, salt); err != nil {
		return nil, fmt.Errorf("signing: random salt: %w", err)
	}
	aead, err := keyFileAEAD(passphrase, salt, kdf)
	if err != nil {
		return nil, err
	}
	nonce := make([]byte, aead.NonceSize())
	if _, err := io.ReadFull(rand.Reader, nonce); err != nil {
		return nil, fmt.Errorf("signing: random nonce: %w", err)
	}
	ct := aead.Seal(nil, nonce, der, pub.canonical())

	f := keyFile{
		Version: keyFileVersion,
		Alg:     alg,
		KDF: kdfJSON{Name: kdfName, Salt: b64.Encode(salt),
			Time: kdf.Time, Memory: kdf.MemoryKiB, Threads: kdf.Threads},
		Nonce:      b64.Encode(nonce),
		Ciphertext: b64.Encode(ct),
		PublicKey:  pub,
	}
	out, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("signing: encode key file: %w", err)
	}
	return append(out, '\n'), nil
}

func keyFileAEAD(passphrase, salt []byte, kdf KDFParams) (cipher.AEAD, error) {
	k := argon2.IDKey(passphrase, salt, kdf.Time, kdf.MemoryKiB, kdf.Threads, 32)
	defer clear(k)
	block, err := aes.NewCipher(k)
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return cipher.NewGCM(block)
}

// ReadPublicKeyFile returns the public key recorded in a key file, without
// a passphrase.
//
// WARNING: without the passphrase the public key cannot be authenticated.
// Anyone who can write the file can change it; the change is detected
// only when the file is opened with its passphrase (the public key is
// bound into the encryption). Protect key files with file permissions.
func ReadPublicKeyFile(path string) (crypto.PublicKey, error) {
	f, err := loadKeyFile(path)
	if err != nil {
		return nil, err
	}
	pub, _, err := f.public()
	if err != nil {
		return nil, fmt.Errorf("signing: key file %s: %w", path, err)
	}
	return pub, nil
}

func loadKeyFile(path string) (*keyFile, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("signing: open key file: %w", err)
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, maxKeyFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("signing: read key file: %w", err)
	}
	if len(data) > maxKeyFileSize {
		return nil, fmt.Errorf("signing: key file %s: larger than %d bytes", path, maxKeyFileSize)
	}
	f, err := parseKeyFile(data)
	if err != nil {
		return nil, fmt.Errorf("signing: key file %s: %w", path, err)
	}
	return f, nil
}

// errKeyFile is wrapped by every key-file format error.
var errKeyFile = errors.New("malformed key file")

func parseKeyFile(data []byte) (*keyFile, error) {
	if _, err := jsonx.ParseObject(data); err != nil { // duplicates, UTF-8, trailing data
		return nil, fmt.Errorf("%w: %v", errKeyFile, err)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var f keyFile
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%w: %v", errKeyFile, err)
	}
	if f.Version != keyFileVersion {
		return nil, fmt.Errorf("%w: unsupported version %d", errKeyFile, f.Version)
	}
	if f.KDF.Name != kdfName {
		return nil, fmt.Errorf("%w: unsupported kdf %q", errKeyFile, truncate(f.KDF.Name))
	}
	if err := f.kdfParams().validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", errKeyFile, err)
	}
	return &f, nil
}

func (f *keyFile) kdfParams() KDFParams {
	return KDFParams{Time: f.KDF.Time, MemoryKiB: f.KDF.Memory, Threads: f.KDF.Threads}
}

func (f *keyFile) public() (crypto.PublicKey, Algorithm, error) {
	if f.PublicKey.D != "" {
		return nil, "", fmt.Errorf("%w: publicKey holds a private key", errKeyFile)
	}
	pub, err := f.PublicKey.PublicKey()
	if err != nil {
		return nil, "", err
	}
	alg, _ := AlgorithmFor(pub)
	if f.Alg != alg {
		return nil, "", fmt.Errorf("%w: alg %q does not fit the public key", errKeyFile, truncate(string(f.Alg)))
	}
	return pub, alg, nil
}

// readKeyFile opens a key file with the passphrase from opts.
func readKeyFile(path string, opts OpenOptions) (crypto.Signer, error) {
	f, err := loadKeyFile(path)
	if err != nil {
		return nil, err
	}
	if opts.Passphrase == nil {
		return nil, ErrPassphraseRequired
	}
	pass, err := opts.Passphrase()
	if err != nil {
		return nil, fmt.Errorf("signing: passphrase: %w", err)
	}
	s, err := f.open(pass)
	if err != nil {
		return nil, fmt.Errorf("signing: key file %s: %w", path, err)
	}
	return s, nil
}

func (f *keyFile) open(passphrase []byte) (crypto.Signer, error) {
	pub, _, err := f.public()
	if err != nil {
		return nil, err
	}
	salt, err := b64.Decode(f.KDF.Salt)
	if err != nil || len(salt) < saltSize {
		return nil, fmt.Errorf("%w: bad salt", errKeyFile)
	}
	nonce, err := b64.Decode(f.Nonce)
	if err != nil {
		return nil, fmt.Errorf("%w: bad nonce", errKeyFile)
	}
	ct, err := b64.Decode(f.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("%w: bad ciphertext", errKeyFile)
	}
	aead, err := keyFileAEAD(passphrase, salt, f.kdfParams())
	if err != nil {
		return nil, err
	}
	if len(nonce) != aead.NonceSize() {
		return nil, fmt.Errorf("%w: bad nonce", errKeyFile)
	}
	der, err := aead.Open(nil, nonce, ct, f.PublicKey.canonical())
	if err != nil {
		return nil, ErrWrongPassphrase
	}
	defer clear(der)
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("%w: undecodable private key", errKeyFile)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%w: unsupported private key type", errKeyFile)
	}
	// The AAD already binds the public key; check anyway that the private
	// key is the one the file claims (defends against a buggy writer).
	type equaler interface{ Equal(crypto.PublicKey) bool }
	if e, ok := s.Public().(equaler); !ok || !e.Equal(pub) {
		return nil, fmt.Errorf("%w: private key does not match publicKey", errKeyFile)
	}
	return s, nil
}

// writeFileAtomic writes data to a new file at path, mode 0600: temp file
// in the same directory, fsync, hard link into place (fails if path
// exists), remove the temp name, fsync the directory. Where hard links are
// not supported it falls back to rename after checking path is absent.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("signing: write key file: %w", err)
	}
	tmpName := tmp.Name()
	defer func() {
		if tmp != nil {
			tmp.Close()
		}
		os.Remove(tmpName) // after a successful link this drops the extra name
	}()
	if err := tmp.Chmod(0o600); err != nil {
		return fmt.Errorf("signing: write key file: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("signing: write key file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("signing: write key file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		tmp = nil
		return fmt.Errorf("signing: write key file: %w", err)
	}
	tmp = nil
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("signing: write key file %s: %w (refusing to replace a key)", path, fs.ErrExist)
		}
		// No hard links here (some network or FAT file systems).
		if _, statErr := os.Lstat(path); statErr == nil {
			return fmt.Errorf("signing: write key file %s: %w (refusing to replace a key)", path, fs.ErrExist)
		}
		if err := os.Rename(tmpName, path); err != nil {
			return fmt.Errorf("signing: write key file: %w", err)
		}
	}
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("signing: sync key directory: %w", err)
	}
	defer d.Close()
	// Some platforms cannot fsync a directory; the file itself is synced.
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, errors.ErrUnsupported) {
		return fmt.Errorf("signing: sync key directory: %w", err)
	}
	return nil
}
