package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/thaitrust/thaitrust/internal/fsx"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

// ConfigFile is the name of the configuration file in a data directory.
const ConfigFile = "thaitrust.json"

// Config is a data directory's configuration: who issues, who may call,
// which issuers the verifier trusts. Secrets (key passphrases, tokens) are
// not stored in it.
type Config struct {
	Version int `json:"version"`
	// PublicURL is the base URL others reach this server at; issuer
	// did:web identifiers and status list URLs derive from it.
	PublicURL string `json:"public_url"`
	// Issuers are the issuer profiles served here.
	Issuers []IssuerConfig `json:"issuers"`
	// Clients may call the issuer endpoints with a bearer token.
	Clients []httpx.Client `json:"clients"`
	// Trust lists the issuer DIDs the verifier trusts, per credential
	// type. It is the policy only when Registry is nil; with a registry,
	// the registry decides (and Trust is ignored).
	Trust map[string][]string `json:"trust,omitempty"`
	// Registry configures the trust registry (registry.go): its root,
	// the keys it signs with, its lists and foreign sources. Nil: no
	// registry is served and the verifier uses Trust.
	Registry *RegistryConfig `json:"registry,omitempty"`
	// Verifiers are the relying parties served here: OpenID4VP verifiers
	// with their own DIDs (verifiers.go). Empty: none.
	Verifiers []VerifierConfig `json:"verifiers,omitempty"`
	// Algorithms the verifier accepts; empty means EdDSA, ES256, ES384.
	Algorithms []string `json:"algorithms,omitempty"`
	// KeepCredentials keeps each signed credential in its issuance record.
	KeepCredentials bool `json:"keep_credentials,omitempty"`
	// Demo marks a data directory created by serve --demo.
	Demo bool `json:"demo,omitempty"`
}

// IssuerConfig is one issuer profile.
type IssuerConfig struct {
	Name        string            `json:"name"`
	DID         string            `json:"did"`
	Key         string            `json:"key"` // key URI, e.g. file:keys/dopa.key.json (relative to the data directory)
	Algorithm   string            `json:"alg"`
	DisplayName map[string]string `json:"display_name"`
	Types       []string          `json:"types"`
	// AllowGeneric lets this issuer sign credentials whose types are not
	// in the catalogue, checking only their VCDM 2.0 structure
	// (issuer.Config.AllowGeneric). It is for running W3C conformance
	// test suites against a dedicated issuer only. Zero (and in the
	// demo): catalogue types only.
	//
	// WARNING: an issuer with AllowGeneric signs any structurally valid
	// claims its clients send; never enable it for a production issuer.
	AllowGeneric bool `json:"allow_generic,omitempty"`
}

// LoadConfig reads DIR/thaitrust.json.
func LoadConfig(dir string) (*Config, error) {
	b, err := os.ReadFile(filepath.Join(dir, ConfigFile))
	if err != nil {
		return nil, err
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("app: %s: %w", filepath.Join(dir, ConfigFile), err)
	}
	if c.Version != 1 {
		return nil, fmt.Errorf("app: %s: unsupported config version %d", filepath.Join(dir, ConfigFile), c.Version)
	}
	return &c, nil
}

// Save writes the configuration atomically.
func (c *Config) Save(dir string) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return fsx.WriteFileAtomic(filepath.Join(dir, ConfigFile), append(b, '\n'), 0o600)
}

// Issuer returns the named issuer's configuration.
func (c *Config) Issuer(name string) (*IssuerConfig, error) {
	for i := range c.Issuers {
		if c.Issuers[i].Name == name {
			return &c.Issuers[i], nil
		}
	}
	return nil, fmt.Errorf("app: no issuer named %q in this data directory", name)
}

// IssuerFor returns the one issuer that issues credential type t.
func (c *Config) IssuerFor(t string) (*IssuerConfig, error) {
	var found []*IssuerConfig
	for i := range c.Issuers {
		for _, x := range c.Issuers[i].Types {
			if x == t {
				found = append(found, &c.Issuers[i])
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("app: no issuer here issues %s", t)
	case 1:
		return found[0], nil
	}
	return nil, errors.New("app: several issuers issue " + t + "; choose one with --issuer")
}
