package app

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/thaitrust/thaitrust/internal/fsx"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Files under a data directory.
const (
	secretsDir         = "secrets"
	keyPassphraseFile  = "secrets/key-passphrase"
	demoTokenFile      = "secrets/demo-token"
	demoClientID       = "demo"
	EnvDemoToken       = "THAITRUST_DEMO_TOKEN"
	EnvKeyPassphrase   = "THAITRUST_KEY_PASSPHRASE"
	minDemoTokenLength = 16
)

// demoIssuer describes one of the demo's issuers.
type demoIssuer struct {
	name  string
	alg   signing.Algorithm
	th    string
	en    string
	types []string
}

var demoIssuers = []demoIssuer{
	{"dopa", signing.EdDSA, "กรมการปกครอง", "Department of Provincial Administration (DOPA)",
		[]string{"ThaiCitizenCredential", "HouseRegistrationCredential", "ForeignerIdentityCredential"}},
	{"dbd", signing.ES256, "กรมพัฒนาธุรกิจการค้า", "Department of Business Development (DBD)",
		[]string{"JuristicPersonCredential", "DirectorAuthorityCredential", "DelegationCredential"}},
	{"university", signing.EdDSA, "มหาวิทยาลัยสยามดิจิทัล", "Siam Digital University",
		[]string{"DegreeCredential", "TranscriptCredential"}},
	// The trust-scheme operator issues the registry's credentials, so that
	// every catalogue type has a demo issuer (GET /schemas promises that
	// each example is accepted by the issuer of its type).
	{"etda", signing.EdDSA, "สำนักงานพัฒนาธุรกรรมทางอิเล็กทรอนิกส์ (สพธอ.)", "Electronic Transactions Development Agency (ETDA)",
		[]string{"AccreditationCredential", "IdPAccreditationCredential"}},
}

// demoKDF is the Argon2id cost of the demo's key files. Their passphrase
// is generated (24 random bytes, see demoPassphrase), not chosen by a
// person, so stretching it adds no security: guessing it is out of reach
// at any cost per guess. The default cost (64 MiB, three passes) would
// only make every start of the demo, and every CLI command on its data
// directory, slower. Keys written by "thaitrust keys new" under a
// person's passphrase keep the default.
var demoKDF = signing.KDFParams{Time: 1, MemoryKiB: 8 << 10, Threads: 1}

// IssuerDID returns the did:web of an issuer profile served under
// publicURL/issuers/name.
func IssuerDID(publicURL, name string) (string, error) {
	return did.WebDID(strings.TrimSuffix(publicURL, "/") + "/issuers/" + name)
}

// ErrInitialized reports that a data directory has a configuration
// already.
var ErrInitialized = errors.New("app: the data directory is initialised already")

// DefaultPublicURL is the public URL of a demo data directory created
// without one.
const DefaultPublicURL = "http://127.0.0.1:8080"

// InitDemo creates a demo data directory at dir, as the first start of
// serve --demo does, without opening its store or serving it: for the CLI
// (thaitrust init --demo) and tests. publicURL "" means DefaultPublicURL;
// token "" means a generated demo client token (kept in
// dir/secrets/demo-token). A directory with a configuration is left
// alone: ErrInitialized.
func InitDemo(dir, publicURL, token string) (*Config, error) {
	if _, err := os.Stat(filepath.Join(dir, ConfigFile)); err == nil {
		return nil, fmt.Errorf("%w: %s has a %s", ErrInitialized, dir, ConfigFile)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if token != "" && len(token) < minDemoTokenLength {
		return nil, fmt.Errorf("app: %s must be at least %d characters", EnvDemoToken, minDemoTokenLength)
	}
	if publicURL == "" {
		publicURL = DefaultPublicURL
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	return initDemo(dir, publicURL, token)
}

// initDemo creates a demo data directory: keys for the demo issuers (dopa,
// dbd, university, and etda for the registry's accreditation types) and
// the registry's members (addDemoRegistry), encrypted with a generated
// passphrase kept in secrets/; a demo client whose token is token (or a
// generated one) and may do everything (scope "*", registry
// administration included). The registry, seeded on first open
// (seedDemoRegistry), is the trust policy. It does nothing to a directory
// that has a config already.
func initDemo(dir, publicURL, token string) (*Config, error) {
	if u, err := url.Parse(publicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("app: public URL %q: want http(s)://HOST[:PORT][/PATH]", publicURL)
	}
	if err := os.MkdirAll(filepath.Join(dir, "keys"), 0o700); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, secretsDir), 0o700); err != nil {
		return nil, err
	}
	pass, err := demoPassphrase(dir)
	if err != nil {
		return nil, err
	}
	cfg := &Config{Version: 1, PublicURL: strings.TrimSuffix(publicURL, "/"), Demo: true}
	for _, d := range demoIssuers {
		key, err := signing.GenerateKey(d.alg)
		if err != nil {
			return nil, err
		}
		rel := filepath.Join("keys", d.name+".key.json")
		if err := signing.WriteKeyFileKDF(filepath.Join(dir, rel), key, pass, demoKDF); err != nil {
			return nil, fmt.Errorf("app: writing key of %s: %w", d.name, err)
		}
		id, err := IssuerDID(cfg.PublicURL, d.name)
		if err != nil {
			return nil, err
		}
		cfg.Issuers = append(cfg.Issuers, IssuerConfig{
			Name: d.name, DID: id, Key: "file:" + filepath.ToSlash(rel), Algorithm: string(d.alg),
			DisplayName: map[string]string{"th": d.th, "en": d.en}, Types: d.types,
		})
	}
	if err := addDemoMembers(dir, cfg, pass); err != nil {
		return nil, err
	}
	if err := addDemoVerifier(dir, cfg, pass); err != nil {
		return nil, err
	}
	if token == "" {
		if token, err = randomToken(); err != nil {
			return nil, err
		}
	}
	if err := fsx.WriteFileAtomic(filepath.Join(dir, demoTokenFile), []byte(token+"\n"), 0o600); err != nil {
		return nil, err
	}
	cfg.Clients = []httpx.Client{{ID: demoClientID, TokenHash: httpx.TokenHash(token), Scopes: []string{"*"}}}
	if err := cfg.Save(dir); err != nil {
		return nil, err
	}
	return cfg, nil
}

// demoToken returns the demo client's token: the environment's when set
// (and then the stored hash is updated to match), else the stored one.
func demoToken(dir string, cfg *Config, env string) (string, error) {
	if env != "" {
		if len(env) < minDemoTokenLength {
			return "", fmt.Errorf("app: %s must be at least %d characters", EnvDemoToken, minDemoTokenLength)
		}
		for i := range cfg.Clients {
			if cfg.Clients[i].ID == demoClientID && cfg.Clients[i].TokenHash != httpx.TokenHash(env) {
				cfg.Clients[i].TokenHash = httpx.TokenHash(env)
				if err := cfg.Save(dir); err != nil {
					return "", err
				}
				if err := fsx.WriteFileAtomic(filepath.Join(dir, demoTokenFile), []byte(env+"\n"), 0o600); err != nil {
					return "", err
				}
			}
		}
		return env, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, demoTokenFile))
	if err != nil {
		return "", fmt.Errorf("app: demo token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// demoPassphrase returns the demo's key passphrase, creating it once.
func demoPassphrase(dir string) ([]byte, error) {
	p := filepath.Join(dir, keyPassphraseFile)
	b, err := os.ReadFile(p)
	if err == nil {
		return []byte(strings.TrimSpace(string(b))), nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	tok, err := randomToken()
	if err != nil {
		return nil, err
	}
	if err := fsx.WriteFileAtomic(p, []byte(tok+"\n"), 0o600); err != nil {
		return nil, err
	}
	return []byte(tok), nil
}

// KeyPassphrase returns the passphrase of the data directory's keys:
// THAITRUST_KEY_PASSPHRASE when set, else (demo directories only) the
// generated one in secrets/.
func KeyPassphrase(dir string, cfg *Config) ([]byte, error) {
	if p := os.Getenv(EnvKeyPassphrase); p != "" {
		return []byte(p), nil
	}
	if cfg.Demo {
		return demoPassphrase(dir)
	}
	return nil, fmt.Errorf("app: set %s to the passphrase of the issuer keys", EnvKeyPassphrase)
}

func randomToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return hex.EncodeToString(b[:]), nil
}
