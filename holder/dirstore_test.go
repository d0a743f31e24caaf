package holder_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/signing"
)

// testKDF makes Argon2id cheap for tests. Never use it elsewhere.
var testKDF = signing.KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

var passphrase = []byte("correct horse battery staple")

func newDirStore(t *testing.T) *holder.DirStore {
	t.Helper()
	s, err := holder.CreateDir(filepath.Join(t.TempDir(), "wallet"), passphrase, holder.CreateOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestDirStoreConformance(t *testing.T) {
	holdertest.TestStore(t, func(t *testing.T) holder.Store { return newDirStore(t) })
}

func TestMemoryStoreConformance(t *testing.T) {
	holdertest.TestStore(t, func(t *testing.T) holder.Store { return holdertest.NewMemoryStore() })
}

// TestDirStoreNoPlaintext stores credentials of both formats and reads
// every file of the wallet directory as bytes: no claim value, no piece of
// a credential, no private key may appear.
func TestDirStoreNoPlaintext(t *testing.T) {
	ctx := context.Background()
	s := newDirStore(t)
	w, err := holder.New(ctx, holder.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	m := holdertest.NewMinter(t)
	var raws []string
	for _, typ := range []string{"DegreeCredential", "ThaiCitizenCredential"} {
		for _, f := range []string{holder.FormatSDJWT, holder.FormatJWTVC} {
			raws = append(raws, m.Add(t, w, typ, f).Raw)
		}
	}
	var keys []string
	if err := s.Keys(ctx, func(k *holder.Key) error { keys = append(keys, k.JWK.D); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(keys) != 4 {
		t.Fatalf("%d keys, want 4", len(keys))
	}
	// A log entry, too.
	if err := s.PutLog(ctx, &holder.LogEntry{ID: "logentry1", Verifier: holder.Verifier{ClientID: "decentralized_identifier:did:web:secret-employer.example"},
		Purpose: map[string]string{"en": "secret purpose"}, Outcome: holder.OutcomeSent}); err != nil {
		t.Fatal(err)
	}

	secrets := []string{
		"ณัฐวุฒิ", "ชัยมงคล", "Nattawut", "Chaimongkol", "1103701234563", "6230123421",
		"วิศวกรรมศาสตรบัณฑิต", "Bachelor of Engineering", "Than Thong", "ปริญญาบัตร",
		"secret-employer", "secret purpose", m.DID, "DegreeCredential", "ThaiCitizenCredential",
	}
	for _, raw := range raws {
		// Every 24-character piece of the credential (base64url of the
		// issuer JWT and the disclosures).
		for i := 0; i+24 <= len(raw); i += 24 {
			secrets = append(secrets, raw[i:i+24])
		}
	}
	secrets = append(secrets, keys...)
	var variants [][]byte
	for _, sec := range secrets {
		variants = append(variants, []byte(sec))
		if q, _ := json.Marshal(sec); !bytes.Equal(q[1:len(q)-1], []byte(sec)) {
			variants = append(variants, q[1:len(q)-1]) // JSON-escaped
		}
	}
	files := 0
	err = filepath.WalkDir(s.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, v := range variants {
			if bytes.Contains(data, v) {
				t.Errorf("%s contains %q in clear", path, truncate(string(variants[i])))
			}
		}
		if info, _ := d.Info(); info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v", path, info.Mode())
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files != 1+4+4+1 {
		t.Errorf("%d files in the wallet directory, want 10", files)
	}
}

func truncate(s string) string {
	if len(s) > 30 {
		return s[:30] + "..."
	}
	return s
}

func TestDirStoreOpen(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "w")
	s, err := holder.CreateDir(dir, passphrase, holder.CreateOptions{KDF: testKDF})
	if err != nil {
		t.Fatal(err)
	}
	w, err := holder.New(ctx, holder.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	c := holdertest.NewMinter(t).Add(t, w, "DegreeCredential", holder.FormatSDJWT)

	t.Run("right passphrase", func(t *testing.T) {
		s2, err := holder.OpenDir(dir, passphrase)
		if err != nil {
			t.Fatal(err)
		}
		got, err := s2.GetCredential(ctx, c.ID)
		if err != nil || got.Raw != c.Raw {
			t.Fatalf("GetCredential after reopening: %v", err)
		}
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		_, err := holder.OpenDir(dir, []byte("correct horse battery stapler"))
		if !errors.Is(err, holder.ErrWrongPassphrase) {
			t.Fatalf("OpenDir(wrong) = %v, want ErrWrongPassphrase", err)
		}
	})
	t.Run("not a wallet", func(t *testing.T) {
		_, err := holder.OpenDir(t.TempDir(), passphrase)
		if !errors.Is(err, holder.ErrNotWallet) {
			t.Fatalf("OpenDir(empty dir) = %v, want ErrNotWallet", err)
		}
	})
	t.Run("exists", func(t *testing.T) {
		_, err := holder.CreateDir(dir, passphrase, holder.CreateOptions{KDF: testKDF})
		if !errors.Is(err, holder.ErrExists) {
			t.Fatalf("CreateDir(existing) = %v, want ErrExists", err)
		}
	})
	t.Run("tampered record", func(t *testing.T) {
		path := filepath.Join(dir, "credentials", c.ID+".rec")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer os.WriteFile(path, orig, 0o600)
		for _, pos := range []int{0, 5, 20, len(orig) / 2, len(orig) - 1} {
			bad := bytes.Clone(orig)
			bad[pos] ^= 0x01
			if err := os.WriteFile(path, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			s2, err := holder.OpenDir(dir, passphrase)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s2.GetCredential(ctx, c.ID); !errors.Is(err, holder.ErrCorrupted) {
				t.Errorf("flipped byte %d: GetCredential = %v, want ErrCorrupted", pos, err)
			}
			if _, err := holder.New(ctx, holder.Config{Store: s2}); !errors.Is(err, holder.ErrCorrupted) {
				t.Errorf("flipped byte %d: New = %v, want ErrCorrupted", pos, err)
			}
		}
		// Truncated.
		if err := os.WriteFile(path, orig[:10], 0o600); err != nil {
			t.Fatal(err)
		}
		s2, _ := holder.OpenDir(dir, passphrase)
		if _, err := s2.GetCredential(ctx, c.ID); !errors.Is(err, holder.ErrCorrupted) {
			t.Errorf("truncated: %v, want ErrCorrupted", err)
		}
	})
	t.Run("record moved to another id", func(t *testing.T) {
		src := filepath.Join(dir, "credentials", c.ID+".rec")
		dst := filepath.Join(dir, "credentials", "aaaaaaaaaaaaaaaa.rec")
		data, _ := os.ReadFile(src)
		if err := os.WriteFile(dst, data, 0o600); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(dst)
		s2, _ := holder.OpenDir(dir, passphrase)
		if _, err := s2.GetCredential(ctx, "aaaaaaaaaaaaaaaa"); !errors.Is(err, holder.ErrCorrupted) {
			t.Errorf("moved record: %v, want ErrCorrupted", err)
		}
	})
	t.Run("tampered header", func(t *testing.T) {
		path := filepath.Join(dir, "wallet.json")
		orig, _ := os.ReadFile(path)
		defer os.WriteFile(path, orig, 0o600)
		bad := strings.Replace(string(orig), `"time": 1`, `"time": 2`, 1)
		if bad == string(orig) {
			t.Fatal("header has no time parameter to change")
		}
		os.WriteFile(path, []byte(bad), 0o600)
		if _, err := holder.OpenDir(dir, passphrase); !errors.Is(err, holder.ErrWrongPassphrase) {
			t.Errorf("changed KDF parameters: %v, want ErrWrongPassphrase", err)
		}
		os.WriteFile(path, []byte(strings.Replace(string(orig), `"time": 1`, `"time": 100`, 1)), 0o600)
		if _, err := holder.OpenDir(dir, passphrase); !errors.Is(err, holder.ErrCorrupted) {
			t.Errorf("absurd KDF parameters: %v, want ErrCorrupted", err)
		}
	})
	t.Run("leftover temporary file", func(t *testing.T) {
		tmp := filepath.Join(dir, "credentials", "."+c.ID+".rec.tmp-123")
		os.WriteFile(tmp, []byte("half written"), 0o600)
		defer os.Remove(tmp)
		s2, _ := holder.OpenDir(dir, passphrase)
		w2, err := holder.New(ctx, holder.Config{Store: s2})
		if err != nil || w2.Len() != 1 {
			t.Fatalf("New with a leftover temporary file: %v, %d credentials", err, w2.Len())
		}
	})
}
