package holder

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/thaitrust/thaitrust/signing"
)

// A backup is a text file (safe to mail or print as a QR sequence):
//
//	-----BEGIN THAITRUST WALLET BACKUP-----
//	{"format":"thaitrust-wallet-backup/v1","id":"...","kdf":{...},"check":"..."}
//	<base64 of nonce || AES-256-GCM ciphertext || tag, 64 characters a line>
//	-----END THAITRUST WALLET BACKUP-----
//
// The key is derived from the backup passphrase with Argon2id (parameters
// and salt in the header line), the additional data is the header line
// itself, and the plaintext is the JSON of every credential, key and log
// entry.

const (
	backupFormat = "thaitrust-wallet-backup/v1"
	backupBegin  = "-----BEGIN THAITRUST WALLET BACKUP-----"
	backupEnd    = "-----END THAITRUST WALLET BACKUP-----"
	// MaxBackupBytes bounds the backup Import reads.
	MaxBackupBytes = 512 << 20
)

type backupHeader struct {
	Format string    `json:"format"`
	ID     string    `json:"id"`
	KDF    kdfHeader `json:"kdf"`
	Check  []byte    `json:"check"`
}

type backupContents struct {
	Credentials []*Credential `json:"credentials"`
	Keys        []*Key        `json:"keys"`
	Log         []*LogEntry   `json:"log"`
}

// ExportOptions tune Export. The zero value is ready to use.
type ExportOptions struct {
	// KDF are the Argon2id parameters of the backup key; zero means
	// signing.DefaultKDFParams(). WARNING: weaker ones are for tests only.
	KDF signing.KDFParams
}

// Export writes every record of src (credentials, keys, log) to w as one
// backup sealed under a key derived from passphrase.
func Export(ctx context.Context, src Store, w io.Writer, passphrase []byte, opts ExportOptions) error {
	if len(passphrase) == 0 {
		return errors.New("holder: empty backup passphrase")
	}
	var c backupContents
	if err := src.Credentials(ctx, func(x *Credential) error { c.Credentials = append(c.Credentials, x); return nil }); err != nil {
		return err
	}
	if err := src.Keys(ctx, func(x *Key) error { c.Keys = append(c.Keys, x); return nil }); err != nil {
		return err
	}
	if err := src.Log(ctx, func(x *LogEntry) error { c.Log = append(c.Log, x); return nil }); err != nil {
		return err
	}
	pt, err := json.Marshal(c)
	if err != nil {
		return err
	}
	defer clear(pt)
	kdf, err := newKDF(opts.KDF)
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	k, err := kdf.derive(passphrase, "thaitrust wallet backup")
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	h := backupHeader{Format: backupFormat, ID: newID(), KDF: kdf}
	h.Check = k.checkValue(h.ID)
	line, err := json.Marshal(h)
	if err != nil {
		return err
	}
	sealed, err := k.seal(pt, line)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	b.WriteString(backupBegin + "\n")
	b.Write(line)
	b.WriteByte('\n')
	enc := base64.StdEncoding.EncodeToString(sealed)
	for len(enc) > 64 {
		b.WriteString(enc[:64] + "\n")
		enc = enc[64:]
	}
	b.WriteString(enc + "\n" + backupEnd + "\n")
	_, err = w.Write(b.Bytes())
	return err
}

// BackupCounts says how much a backup held.
type BackupCounts struct {
	Credentials, Keys, Log int
}

// Import reads a backup made by Export and puts every record into dst
// (normally a freshly created wallet). A wrong passphrase is
// ErrWrongPassphrase; an altered backup is ErrCorrupted. Nothing is
// written to dst unless the whole backup decrypts and decodes.
func Import(ctx context.Context, r io.Reader, passphrase []byte, dst Store) (BackupCounts, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxBackupBytes+1))
	if err != nil {
		return BackupCounts{}, fmt.Errorf("holder: reading backup: %w", err)
	}
	if len(data) > MaxBackupBytes {
		return BackupCounts{}, fmt.Errorf("holder: backup larger than %d bytes", MaxBackupBytes)
	}
	line, body, err := splitBackup(data)
	if err != nil {
		return BackupCounts{}, err
	}
	var h backupHeader
	if err := json.Unmarshal(line, &h); err != nil || h.Format != backupFormat || !validID(h.ID) {
		return BackupCounts{}, fmt.Errorf("%w: not a %s header", ErrCorrupted, backupFormat)
	}
	k, err := h.KDF.derive(passphrase, "thaitrust wallet backup")
	if err != nil {
		return BackupCounts{}, fmt.Errorf("%w: %v", ErrCorrupted, err)
	}
	if err := k.verifyCheck(h.ID, h.Check); err != nil {
		return BackupCounts{}, err
	}
	pt, err := k.open(body, line)
	if err != nil {
		return BackupCounts{}, fmt.Errorf("%w: backup", err)
	}
	defer clear(pt)
	var c backupContents
	if err := json.Unmarshal(pt, &c); err != nil {
		return BackupCounts{}, fmt.Errorf("%w: backup contents: %v", ErrCorrupted, err)
	}
	for _, x := range c.Credentials {
		if x == nil || !validID(x.ID) || !validID(x.KeyID) {
			return BackupCounts{}, fmt.Errorf("%w: backup holds a credential with an invalid id", ErrCorrupted)
		}
	}
	for _, x := range c.Keys {
		if x == nil || !validID(x.ID) {
			return BackupCounts{}, fmt.Errorf("%w: backup holds a key with an invalid id", ErrCorrupted)
		}
	}
	for _, x := range c.Log {
		if x == nil || !validID(x.ID) {
			return BackupCounts{}, fmt.Errorf("%w: backup holds a log entry with an invalid id", ErrCorrupted)
		}
	}
	// Keys first, so that a credential is never stored without its key.
	for _, x := range c.Keys {
		if err := dst.PutKey(ctx, x); err != nil {
			return BackupCounts{}, err
		}
	}
	for _, x := range c.Credentials {
		if err := dst.PutCredential(ctx, x); err != nil {
			return BackupCounts{}, err
		}
	}
	for _, x := range c.Log {
		if err := dst.PutLog(ctx, x); err != nil {
			return BackupCounts{}, err
		}
	}
	return BackupCounts{Credentials: len(c.Credentials), Keys: len(c.Keys), Log: len(c.Log)}, nil
}

func splitBackup(data []byte) (header, body []byte, err error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), len(data)+1)
	state := 0
	var b64 strings.Builder
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		switch {
		case state == 0 && l == "":
		case state == 0 && l == backupBegin:
			state = 1
		case state == 1:
			header = []byte(l)
			state = 2
		case state == 2 && l == backupEnd:
			state = 3
		case state == 2:
			b64.WriteString(l)
		case state == 3 && l == "":
		default:
			return nil, nil, fmt.Errorf("%w: not a ThaiTrust wallet backup", ErrCorrupted)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("holder: reading backup: %w", err)
	}
	if state != 3 {
		return nil, nil, fmt.Errorf("%w: not a ThaiTrust wallet backup (or truncated)", ErrCorrupted)
	}
	body, err = base64.StdEncoding.DecodeString(b64.String())
	if err != nil {
		return nil, nil, fmt.Errorf("%w: backup body: %v", ErrCorrupted, err)
	}
	return header, body, nil
}
