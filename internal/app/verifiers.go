package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// VerifierConfig is a relying party served here: an OpenID4VP verifier
// with its own did:web identity, <PublicURL>/verifiers/<name> (its DID
// document at /verifiers/<name>/did.json), whose requests are verified
// under this server's policy (the trust registry, or Config.Trust).
// Clients with the scope "verifier", "verifier:<name>" or "*" create its
// presentation requests and read their results.
type VerifierConfig struct {
	// Name is the profile name, a DNS label: /verifiers/<name>.
	Name string `json:"name"`
	// DID is the verifier's identifier, normally VerifierDID(PublicURL,
	// Name) so that wallets can resolve it here.
	DID string `json:"did"`
	// Key is the key URI of the key that signs request objects, e.g.
	// file:keys/employer.key.json (relative to the data directory).
	Key       string `json:"key"`
	Algorithm string `json:"alg"`
	// DisplayName is what wallets show as the requester ("th", "en").
	// WARNING: wallets cannot verify it; only the DID is verified.
	DisplayName map[string]string `json:"display_name"`
	// RequestTTL is the life of a request and its nonce as a Go duration
	// ("10m"); "": oid4vp.DefaultRequestTTL (10 minutes).
	RequestTTL string `json:"request_ttl,omitempty"`
	// RelyingPartyID is the id delegations name this relying party by in
	// their scope (delegation_vp.go); "": DID.
	RelyingPartyID string `json:"relying_party_id,omitempty"`
}

// VerifierDID returns the did:web of a verifier profile served under
// publicURL/verifiers/name.
func VerifierDID(publicURL, name string) (string, error) {
	return did.WebDID(strings.TrimSuffix(publicURL, "/") + "/verifiers/" + name)
}

// The demo's relying parties: an employer that checks degrees, and the
// Revenue Department, which accepts VAT filings from whoever holds a
// company's power of attorney (issue 5's scenario: delegations name it
// delegation.ScenarioRelyingParty). The first is the default verifier.
var demoVerifiers = []struct {
	name   string
	alg    signing.Algorithm
	th, en string
	rp     string
}{
	{"employer", signing.EdDSA, "บริษัท สยามนายจ้าง จำกัด", "Siam Employer Co., Ltd.", ""},
	{"rd", signing.EdDSA, "กรมสรรพากร", "The Revenue Department", delegation.ScenarioRelyingParty},
}

// addDemoVerifier creates the demo verifiers' keys (a key file that
// exists is kept) and adds the profiles cfg lacks. It does not save cfg.
func addDemoVerifier(dir string, cfg *Config, pass []byte) error {
	for _, d := range demoVerifiers {
		if slices.ContainsFunc(cfg.Verifiers, func(v VerifierConfig) bool { return v.Name == d.name }) {
			continue
		}
		rel := filepath.Join("keys", "verifier-"+d.name+".key.json")
		path := filepath.Join(dir, rel)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			key, err := signing.GenerateKey(d.alg)
			if err != nil {
				return err
			}
			if err := signing.WriteKeyFileKDF(path, key, pass, demoKDF); err != nil {
				return fmt.Errorf("app: writing key of verifier %s: %w", d.name, err)
			}
		} else if err != nil {
			return err
		}
		id, err := VerifierDID(cfg.PublicURL, d.name)
		if err != nil {
			return err
		}
		cfg.Verifiers = append(cfg.Verifiers, VerifierConfig{
			Name: d.name, DID: id, Key: "file:" + filepath.ToSlash(rel), Algorithm: string(d.alg),
			DisplayName: map[string]string{"th": d.th, "en": d.en}, RelyingPartyID: d.rp,
		})
	}
	return nil
}

// upgradeDemoVerifier adds the demo verifiers a demo data directory
// made before them lacks, and saves the configuration.
func upgradeDemoVerifier(dir string, cfg *Config) error {
	pass, err := KeyPassphrase(dir, cfg)
	if err != nil {
		return err
	}
	if err := addDemoVerifier(dir, cfg, pass); err != nil {
		return err
	}
	return cfg.Save(dir)
}

// verifierKeys opens the verifiers' keys and adds their DID documents to
// local (so that this server's resolver answers them too).
func (a *App) verifierKeys(ctx context.Context, pass []byte, local map[string]*did.Document) (map[string]jose.Signer, error) {
	out := map[string]jose.Signer{}
	for _, vc := range a.Config.Verifiers {
		if vc.Name == "" || strings.ContainsAny(vc.Name, "/.:% ") {
			return nil, fmt.Errorf("app: verifier name %q: want a DNS label", vc.Name)
		}
		if _, dup := out[vc.Name]; dup {
			return nil, fmt.Errorf("app: two verifiers are named %s", vc.Name)
		}
		key, err := a.openKey(ctx, vc.Key, pass)
		if err != nil {
			return nil, fmt.Errorf("app: key of verifier %s: %w", vc.Name, err)
		}
		alg, err := signing.ParseAlgorithm(vc.Algorithm)
		if err != nil {
			return nil, fmt.Errorf("app: verifier %s: %w", vc.Name, err)
		}
		doc := did.NewDocument(vc.DID, key.Public())
		if len(doc.VerificationMethod) == 0 {
			return nil, fmt.Errorf("app: verifier %s: no verification method", vc.Name)
		}
		if _, taken := local[vc.DID]; taken {
			return nil, fmt.Errorf("app: verifier %s has the DID of another profile", vc.Name)
		}
		local[vc.DID] = doc
		out[vc.Name] = jose.Signer{Key: key, Algorithm: alg, KeyID: doc.VerificationMethod[0].ID}
	}
	return out, nil
}

// openVerifiers assembles the OpenID4VP verifiers, each on the server's
// verifier (its policy) and store.
func (a *App) openVerifiers(signers map[string]jose.Signer, now func() time.Time) error {
	a.vp = map[string]*oid4vp.Service{}
	for _, vc := range a.Config.Verifiers {
		var ttl time.Duration
		if vc.RequestTTL != "" {
			d, err := time.ParseDuration(vc.RequestTTL)
			if err != nil || d <= 0 || d > 24*time.Hour {
				return fmt.Errorf("app: verifier %s: request_ttl %q: want a Go duration up to 24h", vc.Name, vc.RequestTTL)
			}
			ttl = d
		}
		base := strings.TrimSuffix(a.Config.PublicURL, "/") + "/verifiers/" + url.PathEscape(vc.Name)
		s, err := oid4vp.New(oid4vp.Config{
			Name: vc.Name, DID: vc.DID, Signer: signers[vc.Name], DisplayName: vc.DisplayName,
			BaseURL: base, Verifier: a.verifier, Store: a.db.OID4VP(), RequestTTL: ttl, Now: now,
			FaceBinding: a.faceBindingPolicy(),      // facebinding.go
			Delegation:  a.delegationCheckerFor(vc), // delegation_vp.go
		})
		if err != nil {
			return fmt.Errorf("app: verifier %s: %w", vc.Name, err)
		}
		a.vp[vc.Name] = s
	}
	a.stopSweeper = a.startSweeper(a.db.OID4VP(), now)
	return nil
}

// SweepInterval is how often a server removes the presentation requests
// that expired more than oid4vp.Retention ago.
const SweepInterval = 10 * time.Minute

// startSweeper removes, at once and then every SweepInterval, the
// presentation requests (of every verifier, past or present, sharing the
// store) that expired more than oid4vp.Retention ago: their results hold
// the claims holders disclosed, which are kept no longer than that. (The
// service also sweeps now and then when it creates a request; without
// this, a verifier that stops creating requests would keep the last
// results for ever.) It returns a function that stops the sweeper and
// waits until it has, so that the store can be closed after it.
func (a *App) startSweeper(st oid4vp.Store, now func() time.Time) (stop func()) {
	if now == nil {
		now = time.Now
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(SweepInterval)
		defer tick.Stop()
		for {
			n, err := st.DeleteExpired(ctx, now().Add(-oid4vp.Retention))
			switch {
			case err != nil && ctx.Err() == nil:
				a.log.Warn("removing expired presentation requests failed", "error", err.Error())
			case n > 0:
				a.log.Info("removed expired presentation requests", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
		})
	}
}

// OID4VP returns a relying party's OpenID4VP verifier by profile name.
func (a *App) OID4VP(name string) (*oid4vp.Service, bool) {
	s, ok := a.vp[name]
	return s, ok
}

// defaultVerifier names the verifier of POST /verifier/requests without
// a "verifier": in a demo, the first profile (the employer); otherwise
// none (a server with several verifiers then wants one named).
func (a *App) defaultVerifier() string {
	if !a.Config.Demo || len(a.Config.Verifiers) == 0 {
		return ""
	}
	return a.Config.Verifiers[0].Name
}

// demoVerifiersMissing reports whether cfg lacks one of the demo's
// verifier profiles.
func demoVerifiersMissing(cfg *Config) bool {
	for _, d := range demoVerifiers {
		if !slices.ContainsFunc(cfg.Verifiers, func(v VerifierConfig) bool { return v.Name == d.name }) {
			return true
		}
	}
	return false
}
