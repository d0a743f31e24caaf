package holder

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/thaitrust/thaitrust/internal/fsx"
	"github.com/thaitrust/thaitrust/signing"
)

// DirStore is the wallet's own Store: a directory in which every record
// is a file sealed with AES-256-GCM under a key derived from the wallet
// passphrase with Argon2id.
//
//	DIR/wallet.json                 header: format, wallet id, Argon2id parameters and salt, key-check value
//	DIR/credentials/<id>.rec        one sealed Credential
//	DIR/keys/<id>.rec               one sealed Key (private key)
//	DIR/log/<id>.rec                one sealed LogEntry
//
// A record file is "TTW1" followed by a random 96-bit nonce, the
// ciphertext and the GCM tag; the additional data binds it to its wallet,
// kind and id, so a record moved to another name or wallet does not open.
// Ids are random, so file names say nothing about the contents. Every
// write goes through a temporary file, fsync and rename (internal/fsx): a
// crash leaves the old record or the new one.
//
// WARNING: what the file system still shows: the number of credentials,
// keys and log entries, their sizes and their modification times.
// Deleting or rolling back a record file is not detected (there is no
// wallet-wide MAC): an attacker who can write the directory can remove a
// credential or a log entry, but cannot read or alter one.
type DirStore struct {
	dir  string
	id   string
	keys *keys
}

var _ Store = (*DirStore)(nil)

// CreateOptions tune CreateDir. The zero value is ready to use.
type CreateOptions struct {
	// KDF are the Argon2id parameters; zero means
	// signing.DefaultKDFParams() (time 3, 64 MiB, 2 threads).
	// WARNING: weaker parameters make a stolen wallet cheaper to attack;
	// they are for tests only.
	KDF signing.KDFParams
}

const (
	headerFile   = "wallet.json"
	headerFormat = "thaitrust-wallet/v1"
	recordMagic  = "TTW1"
	recordExt    = ".rec"

	kindCredential = "credentials"
	kindKey        = "keys"
	kindLog        = "log"
)

type walletHeader struct {
	Format string    `json:"format"`
	ID     string    `json:"id"`
	KDF    kdfHeader `json:"kdf"`
	Check  []byte    `json:"check"`
}

// CreateDir creates a wallet in dir, which must not exist or be empty,
// encrypted under passphrase.
func CreateDir(dir string, passphrase []byte, opts CreateOptions) (*DirStore, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("holder: empty passphrase")
	}
	if ents, err := os.ReadDir(dir); err == nil && len(ents) > 0 {
		return nil, fmt.Errorf("%w: %s is not empty", ErrExists, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("holder: %w", err)
	}
	kdf, err := newKDF(opts.KDF)
	if err != nil {
		return nil, fmt.Errorf("holder: %w", err)
	}
	k, err := kdf.derive(passphrase, "thaitrust wallet")
	if err != nil {
		return nil, fmt.Errorf("holder: %w", err)
	}
	h := walletHeader{Format: headerFormat, ID: newID(), KDF: kdf}
	h.Check = k.checkValue(h.ID)
	for _, sub := range []string{kindCredential, kindKey, kindLog} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("holder: %w", err)
		}
	}
	data, err := json.MarshalIndent(h, "", "  ")
	if err != nil {
		return nil, err
	}
	// The header is written last: a directory with a header is a wallet.
	if err := fsx.WriteFileAtomic(filepath.Join(dir, headerFile), append(data, '\n'), 0o600); err != nil {
		return nil, fmt.Errorf("holder: %w", err)
	}
	return &DirStore{dir: dir, id: h.ID, keys: k}, nil
}

// OpenDir opens the wallet in dir. A passphrase that does not match is
// ErrWrongPassphrase; a directory without a wallet header is ErrNotWallet.
func OpenDir(dir string, passphrase []byte) (*DirStore, error) {
	data, err := os.ReadFile(filepath.Join(dir, headerFile))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s has no %s (create one with init)", ErrNotWallet, dir, headerFile)
	}
	if err != nil {
		return nil, fmt.Errorf("holder: %w", err)
	}
	var h walletHeader
	if err := json.Unmarshal(data, &h); err != nil || h.Format != headerFormat || !validID(h.ID) {
		return nil, fmt.Errorf("%w: %s is not a wallet header of format %s", ErrNotWallet, headerFile, headerFormat)
	}
	k, err := h.KDF.derive(passphrase, "thaitrust wallet")
	if err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrCorrupted, err)
	}
	if err := k.verifyCheck(h.ID, h.Check); err != nil {
		return nil, err
	}
	return &DirStore{dir: dir, id: h.ID, keys: k}, nil
}

// Dir returns the wallet directory.
func (s *DirStore) Dir() string { return s.dir }

func (s *DirStore) path(kind, id string) string {
	return filepath.Join(s.dir, kind, id+recordExt)
}

func (s *DirStore) aad(kind, id string) []byte {
	return []byte(headerFormat + "\x00" + s.id + "\x00" + kind + "\x00" + id)
}

func (s *DirStore) put(kind, id string, v any) error {
	if !validID(id) {
		return fmt.Errorf("holder: invalid record id %q", id)
	}
	pt, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("holder: encoding %s record: %w", kind, err)
	}
	defer clear(pt)
	sealed, err := s.keys.seal(pt, s.aad(kind, id))
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	if err := fsx.WriteFileAtomic(s.path(kind, id), append([]byte(recordMagic), sealed...), 0o600); err != nil {
		return fmt.Errorf("holder: writing %s record: %w", kind, err)
	}
	return nil
}

func (s *DirStore) get(kind, id string, v any) error {
	if !validID(id) {
		return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
	}
	data, err := os.ReadFile(s.path(kind, id))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s %s", ErrNotFound, kind, id)
	}
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	return s.decode(kind, id, data, v)
}

func (s *DirStore) decode(kind, id string, data []byte, v any) error {
	if !bytes.HasPrefix(data, []byte(recordMagic)) {
		return fmt.Errorf("%w: %s/%s: not a sealed record", ErrCorrupted, kind, id)
	}
	pt, err := s.keys.open(data[len(recordMagic):], s.aad(kind, id))
	if err != nil {
		return fmt.Errorf("%w: %s/%s", err, kind, id)
	}
	defer clear(pt)
	if err := json.Unmarshal(pt, v); err != nil {
		return fmt.Errorf("%w: %s/%s: %v", ErrCorrupted, kind, id, err)
	}
	return nil
}

func (s *DirStore) remove(kind, id string) error {
	if !validID(id) {
		return fmt.Errorf("%w: %s %q", ErrNotFound, kind, id)
	}
	err := os.Remove(s.path(kind, id))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s %s", ErrNotFound, kind, id)
	}
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	return fsx.SyncDir(filepath.Join(s.dir, kind))
}

// each decodes every record of a kind. Temporary files of interrupted
// writes (".<name>.tmp-*") are skipped.
func (s *DirStore) each(ctx context.Context, kind string, newV func() any, fn func(any) error) error {
	ents, err := os.ReadDir(filepath.Join(s.dir, kind))
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	for _, e := range ents {
		name := e.Name()
		id, ok := strings.CutSuffix(name, recordExt)
		if !ok || strings.HasPrefix(name, ".") || !validID(id) || !e.Type().IsRegular() {
			continue
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		data, err := os.ReadFile(filepath.Join(s.dir, kind, name))
		if errors.Is(err, fs.ErrNotExist) {
			continue // deleted meanwhile
		}
		if err != nil {
			return fmt.Errorf("holder: %w", err)
		}
		v := newV()
		if err := s.decode(kind, id, data, v); err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return nil
}

// PutCredential implements CredentialStore.
func (s *DirStore) PutCredential(_ context.Context, c *Credential) error {
	return s.put(kindCredential, c.ID, c)
}

// GetCredential implements CredentialStore.
func (s *DirStore) GetCredential(_ context.Context, id string) (*Credential, error) {
	var c Credential
	if err := s.get(kindCredential, id, &c); err != nil {
		return nil, err
	}
	return &c, nil
}

// DeleteCredential implements CredentialStore.
func (s *DirStore) DeleteCredential(_ context.Context, id string) error {
	return s.remove(kindCredential, id)
}

// Credentials implements CredentialStore.
func (s *DirStore) Credentials(ctx context.Context, fn func(*Credential) error) error {
	return s.each(ctx, kindCredential, func() any { return new(Credential) }, func(v any) error { return fn(v.(*Credential)) })
}

// PutKey implements KeyStore.
func (s *DirStore) PutKey(_ context.Context, k *Key) error { return s.put(kindKey, k.ID, k) }

// GetKey implements KeyStore.
func (s *DirStore) GetKey(_ context.Context, id string) (*Key, error) {
	var k Key
	if err := s.get(kindKey, id, &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// DeleteKey implements KeyStore.
func (s *DirStore) DeleteKey(_ context.Context, id string) error { return s.remove(kindKey, id) }

// Keys implements KeyStore.
func (s *DirStore) Keys(ctx context.Context, fn func(*Key) error) error {
	return s.each(ctx, kindKey, func() any { return new(Key) }, func(v any) error { return fn(v.(*Key)) })
}

// PutLog implements LogStore.
func (s *DirStore) PutLog(_ context.Context, e *LogEntry) error { return s.put(kindLog, e.ID, e) }

// Log implements LogStore.
func (s *DirStore) Log(ctx context.Context, fn func(*LogEntry) error) error {
	return s.each(ctx, kindLog, func() any { return new(LogEntry) }, func(v any) error { return fn(v.(*LogEntry)) })
}
