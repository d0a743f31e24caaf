package signing

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/signing/internal/b64"
)

// fastKDF keeps tests fast; files still go through real Argon2id.
var fastKDF = KDFParams{Time: 1, MemoryKiB: 64, Threads: 1}

func pass(p string) OpenOptions {
	return OpenOptions{Passphrase: func() ([]byte, error) { return []byte(p), nil }}
}

func writeTestKey(t *testing.T, alg Algorithm) (string, crypto.Signer) {
	t.Helper()
	k := mustKey(t, alg)
	path := filepath.Join(t.TempDir(), "key.json")
	if err := WriteKeyFileKDF(path, k, []byte("correct horse"), fastKDF); err != nil {
		t.Fatal(err)
	}
	return path, k
}

func TestKeyFileRoundTrip(t *testing.T) {
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			path, k := writeTestKey(t, alg)
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
				t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
			}
			// No temporary files left behind.
			if ents, _ := os.ReadDir(filepath.Dir(path)); len(ents) != 1 {
				t.Errorf("directory holds %d entries, want 1", len(ents))
			}

			pub, err := ReadPublicKeyFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Fatal("ReadPublicKeyFile returned another key")
			}

			for _, uri := range []string{"file:" + path, "file://" + path, "FILE:" + path, "file://localhost" + path} {
				s, err := Open(context.Background(), uri, pass("correct horse"))
				if err != nil {
					t.Fatalf("Open(%s): %v", uri, err)
				}
				sig, err := Sign(s, alg, []byte("m"))
				if err != nil {
					t.Fatal(err)
				}
				if err := Verify(alg, k.Public(), []byte("m"), sig); err != nil {
					t.Fatalf("opened key signs for another key: %v", err)
				}
			}

			// The file holds no plaintext key material.
			data, _ := os.ReadFile(path)
			pj, _ := PrivateJWK(k)
			if bytes.Contains(data, []byte(pj.D)) {
				t.Fatal("key file contains the private key in clear")
			}
		})
	}
}

func TestKeyFileRelativeURI(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	k := mustKey(t, EdDSA)
	if err := os.Mkdir("keys", 0o700); err != nil {
		t.Fatal(err)
	}
	if err := WriteKeyFileKDF("keys/a key.json", k, []byte("p"), fastKDF); err != nil {
		t.Fatal(err)
	}
	for _, uri := range []string{"file:keys/a%20key.json", "file:keys/a key.json"} {
		if _, err := Open(context.Background(), uri, pass("p")); err != nil {
			t.Fatalf("Open(%s): %v", uri, err)
		}
	}
}

func TestKeyFileErrors(t *testing.T) {
	path, k := writeTestKey(t, ES256)
	ctx := context.Background()

	_, err := Open(ctx, "file:"+path, pass("wrong horse"))
	if !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("wrong passphrase: %v", err)
	}
	if strings.Contains(err.Error(), "wrong horse") {
		t.Fatalf("error contains the passphrase: %v", err)
	}
	if _, err := Open(ctx, "file:"+path, OpenOptions{}); !errors.Is(err, ErrPassphraseRequired) {
		t.Fatalf("no passphrase: %v", err)
	}
	askErr := errors.New("terminal closed")
	if _, err := Open(ctx, "file:"+path, OpenOptions{Passphrase: func() ([]byte, error) { return nil, askErr }}); !errors.Is(err, askErr) {
		t.Fatalf("passphrase error not wrapped: %v", err)
	}
	if _, err := Open(ctx, "file:"+path+".missing", pass("x")); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("missing file: %v", err)
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Open(cancelled, "file:"+path, pass("correct horse")); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled context: %v", err)
	}

	// Never replace an existing file.
	err = WriteKeyFileKDF(path, mustKey(t, ES256), []byte("p"), fastKDF)
	if !errors.Is(err, fs.ErrExist) {
		t.Fatalf("overwrite: %v", err)
	}
	if _, err := Open(ctx, "file:"+path, pass("correct horse")); err != nil {
		t.Fatalf("original key damaged by refused overwrite: %v", err)
	}

	dir := t.TempDir()
	if err := WriteKeyFileKDF(filepath.Join(dir, "k"), k, nil, fastKDF); err == nil {
		t.Error("empty passphrase accepted")
	}
	for _, p := range []KDFParams{{}, {Time: 1, MemoryKiB: 7, Threads: 1}, {Time: 1, MemoryKiB: 64, Threads: 0},
		{Time: 1, MemoryKiB: 15, Threads: 2}, {Time: 101, MemoryKiB: 64, Threads: 1}, {Time: 1, MemoryKiB: 3 << 20, Threads: 1}} {
		if err := WriteKeyFileKDF(filepath.Join(dir, "k"), k, []byte("p"), p); err == nil {
			t.Errorf("KDF params %+v accepted", p)
		}
	}
	if err := WriteKeyFileKDF(filepath.Join(dir, "k"), rawSigner{pub: k.Public()}, []byte("p"), fastKDF); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("non-exportable signer: %v", err)
	}
	if err := WriteKeyFileKDF(filepath.Join(dir, "nodir", "k"), k, []byte("p"), fastKDF); err == nil {
		t.Error("write into a missing directory succeeded")
	}
}

func TestDefaultKDFParams(t *testing.T) {
	if testing.Short() {
		t.Skip("64 MiB Argon2id")
	}
	path := filepath.Join(t.TempDir(), "k.json")
	if err := WriteKeyFile(path, mustKey(t, EdDSA), []byte("p")); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	var f keyFile
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	if f.KDF.Time != 3 || f.KDF.Memory != 64<<10 || f.KDF.Threads != 2 || f.KDF.Name != "argon2id" {
		t.Fatalf("kdf = %+v", f.KDF)
	}
	if _, err := Open(context.Background(), "file:"+path, pass("p")); err != nil {
		t.Fatal(err)
	}
}

// editKeyFile rewrites a key file's JSON through f.
func editKeyFile(t *testing.T, path string, f func(m map[string]any)) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	out, _ := json.Marshal(m)
	p := filepath.Join(t.TempDir(), "edited.json")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestKeyFileTampering(t *testing.T) {
	path, _ := writeTestKey(t, ES256)
	other, _ := PublicJWK(mustKey(t, ES256).Public())
	otherEd, _ := PublicJWK(mustKey(t, EdDSA).Public())
	flip := func(s string) string {
		b, _ := b64.Decode(s)
		b[len(b)-1] ^= 1
		return b64.Encode(b)
	}
	tests := []struct {
		name    string
		edit    func(m map[string]any)
		wantErr error // nil: any error
	}{
		{"swapped public key", func(m map[string]any) { m["publicKey"] = other }, ErrWrongPassphrase},
		{"swapped key type", func(m map[string]any) { m["publicKey"] = otherEd; m["alg"] = "EdDSA" }, ErrWrongPassphrase},
		{"alg mismatch", func(m map[string]any) { m["alg"] = "ES384" }, nil},
		{"alg none", func(m map[string]any) { m["alg"] = "none" }, nil},
		{"ciphertext", func(m map[string]any) { m["ciphertext"] = flip(m["ciphertext"].(string)) }, ErrWrongPassphrase},
		{"nonce", func(m map[string]any) { m["nonce"] = flip(m["nonce"].(string)) }, ErrWrongPassphrase},
		{"salt", func(m map[string]any) {
			m["kdf"].(map[string]any)["salt"] = flip(m["kdf"].(map[string]any)["salt"].(string))
		}, ErrWrongPassphrase},
		{"time", func(m map[string]any) { m["kdf"].(map[string]any)["time"] = 2 }, ErrWrongPassphrase},
		{"short salt", func(m map[string]any) { m["kdf"].(map[string]any)["salt"] = "AAAA" }, nil},
		{"short nonce", func(m map[string]any) { m["nonce"] = "AAAA" }, nil},
		{"huge memory", func(m map[string]any) { m["kdf"].(map[string]any)["memory"] = 1 << 30 }, nil},
		{"huge time", func(m map[string]any) { m["kdf"].(map[string]any)["time"] = 1 << 30 }, nil},
		{"zero threads", func(m map[string]any) { m["kdf"].(map[string]any)["threads"] = 0 }, nil},
		{"kdf scrypt", func(m map[string]any) { m["kdf"].(map[string]any)["name"] = "scrypt" }, nil},
		{"version 2", func(m map[string]any) { m["version"] = 2 }, nil},
		{"unknown field", func(m map[string]any) { m["comment"] = "hi" }, nil},
		{"private key in publicKey", func(m map[string]any) {
			m["publicKey"].(map[string]any)["d"] = b64.Encode(make([]byte, 32))
		}, nil},
		{"padded ciphertext", func(m map[string]any) { m["ciphertext"] = m["ciphertext"].(string) + "=" }, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := editKeyFile(t, path, tt.edit)
			s, err := Open(context.Background(), "file:"+p, pass("correct horse"))
			if err == nil || s != nil {
				t.Fatalf("Open accepted a tampered file")
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
		})
	}

	// Duplicate members are refused (a second "publicKey" would be read by
	// one parser and not another).
	data, _ := os.ReadFile(path)
	dup := bytes.Replace(data, []byte(`"version": 1,`), []byte(`"version": 1, "version": 1,`), 1)
	p := filepath.Join(t.TempDir(), "dup.json")
	os.WriteFile(p, dup, 0o600)
	if _, err := ReadPublicKeyFile(p); err == nil {
		t.Fatal("duplicate member accepted")
	}
	// Oversized files are refused before parsing.
	big := append(bytes.TrimRight(data, "}\n"), []byte(`,"pad":"`+strings.Repeat("a", maxKeyFileSize)+`"}`)...)
	os.WriteFile(p, big, 0o600)
	if _, err := ReadPublicKeyFile(p); err == nil || !strings.Contains(err.Error(), "larger") {
		t.Fatalf("oversized file: %v", err)
	}
}

func TestUnknownScheme(t *testing.T) {
	for uri, scheme := range map[string]string{
		"pkcs11:token=hsm;object=issuer?pin-value=123456": "pkcs11",
		"awskms:///arn:aws:kms:key/1":                     "awskms",
		"/etc/key.json":                                   "",
		"key.json":                                        "",
	} {
		_, err := Open(context.Background(), uri, OpenOptions{})
		var use *UnknownSchemeError
		if !errors.Is(err, ErrUnknownScheme) || !errors.As(err, &use) || use.Scheme != scheme {
			t.Errorf("Open(%q) err = %v, want UnknownSchemeError{%q}", uri, err, scheme)
			continue
		}
		if strings.Contains(err.Error(), "123456") {
			t.Errorf("error leaks the PIN: %v", err)
		}
	}
	if _, err := Open(context.Background(), "pkcs11:%zz?pin-value=123456", OpenOptions{}); err == nil || strings.Contains(err.Error(), "123456") {
		t.Errorf("malformed URI: %v", err)
	}
}

func TestFileURIRejects(t *testing.T) {
	for _, uri := range []string{"file://otherhost/etc/key.json", "file:/k.json?x=1", "file:/k.json#frag", "file:", "file://user@/k"} {
		if _, err := Open(context.Background(), uri, pass("p")); err == nil || errors.Is(err, fs.ErrNotExist) {
			t.Errorf("Open(%q) err = %v, want a URI error", uri, err)
		}
	}
}

func TestRegister(t *testing.T) {
	want := mustKey(t, ES256)
	var gotURL *url.URL
	Register("Test-Mem", OpenerFunc(func(ctx context.Context, u *url.URL, opts OpenOptions) (crypto.Signer, error) {
		gotURL = u
		return want, nil
	}))
	s, err := Open(context.Background(), "test-mem:issuer-1", OpenOptions{})
	if err != nil || s != want || gotURL.Opaque != "issuer-1" {
		t.Fatalf("Open = %v, %v (url %v)", s, err, gotURL)
	}
	found := false
	for _, sc := range Schemes() {
		found = found || sc == "test-mem"
	}
	if !found {
		t.Fatalf("Schemes() = %v", Schemes())
	}
	Register("test-nil", OpenerFunc(func(context.Context, *url.URL, OpenOptions) (crypto.Signer, error) { return nil, nil }))
	if _, err := Open(context.Background(), "test-nil:x", OpenOptions{}); err == nil {
		t.Fatal("nil signer without error accepted")
	}
	for name, f := range map[string]func(){
		"duplicate": func() { Register("test-mem", OpenerFunc(nil)) },
		"file":      func() { Register("FILE", fileOpener{}) },
		"empty":     func() { Register("", fileOpener{}) },
		"nil":       func() { Register("test-x", nil) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register %s did not panic", name)
				}
			}()
			f()
		}()
	}
}

func BenchmarkOpenKeyFile(b *testing.B) {
	path := filepath.Join(b.TempDir(), "k.json")
	if err := WriteKeyFile(path, mustKey(b, EdDSA), []byte("p")); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Open(context.Background(), "file:"+path, pass("p")); err != nil {
			b.Fatal(err)
		}
	}
}
