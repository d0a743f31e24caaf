package app

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registryhttp"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// RegistryConfig configures the trust registry a server runs. With it,
// the server's verifier asks the registry whether an issuer was
// accredited for a credential's type when it issued it (instead of the
// static Config.Trust), and the registry's routes are served (see
// registry/registryhttp): entity lookups, TRQP queries, signed trust
// lists, and the admin routes for clients with scope "registry" (or "*").
type RegistryConfig struct {
	// Root is the entity id of the scheme operator, the root of every
	// accreditation chain (the demo: "etda"). Required. Its key (an
	// issuer profile or member of the same name, listed in Signers)
	// signs the trust lists.
	Root string `json:"root"`
	// Signers are the entity ids whose keys the registry holds and signs
	// accreditation credentials with; each must be the name of an issuer
	// profile or of a Member. Without the root here, no signed trust list
	// is published (GET /registry/trustlist.jwt answers 404). Empty:
	// none; accreditors then submit credentials they signed themselves.
	Signers []string `json:"signers,omitempty"`
	// Members are organisations of the scheme that are not issuer
	// profiles of this server but whose keys it holds and whose DID
	// documents it serves (through GET /1.0/identifiers/{did}): the
	// demo's ministry and identity providers. Empty: none.
	//
	// WARNING: this server's resolver answers a member's DID from the
	// member's key, whatever the DID's domain: the server vouches for
	// that DID. List only organisations this server speaks for.
	Members []MemberConfig `json:"members,omitempty"`
	// ListValidity is the time from a trust list's issue to its
	// NextUpdate, as a Go duration ("24h"). "": 24 hours.
	ListValidity string `json:"list_validity,omitempty"`
	// Credentials includes each accreditation's signed credential in the
	// trust lists, so that verifiers can validate accreditation chains
	// offline (registry.ValidateChain). Zero: lists without them.
	Credentials bool `json:"credentials,omitempty"`
	// Sources are the foreign trust lists administrators may import
	// (another ThaiTrust registry's JSON list, or ETSI TS 119 612 XML),
	// each with its operator's pinned key. Empty: none.
	Sources []SourceConfig `json:"sources,omitempty"`
}

// MemberConfig is one Member of the registry: an organisation whose key
// this server holds.
type MemberConfig struct {
	// Name is the member's entity id in the registry.
	Name string `json:"name"`
	// DID identifies the member; its document is built from Key.
	DID       string            `json:"did"`
	Key       string            `json:"key"` // key URI, e.g. file:keys/mhesi.key.json
	Algorithm string            `json:"alg"`
	Display   map[string]string `json:"display_name,omitempty"` // "th", "en"
}

// SourceConfig is a foreign trust list source.
type SourceConfig struct {
	// ID names the source; its operator becomes entity ID, its entities
	// ID:<their id> (registry.ListSource).
	ID string `json:"id"`
	// Key is the foreign operator's public key, pinned out of band.
	Key signing.JWK `json:"key"`
	// Types are the credential types the source's issuers are recognised
	// for when an import names none.
	Types []string `json:"types"`
}

// validity returns the list validity.
func (rc *RegistryConfig) validity() (time.Duration, error) {
	if rc.ListValidity == "" {
		return 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(rc.ListValidity)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("app: registry.list_validity %q: want a positive Go duration like 24h", rc.ListValidity)
	}
	return d, nil
}

// Source returns the configured foreign list source id.
func (rc *RegistryConfig) Source(id string) (registry.ListSource, []string, error) {
	for _, s := range rc.Sources {
		if s.ID == id {
			pub, err := s.Key.PublicKey()
			if err != nil {
				return registry.ListSource{}, nil, fmt.Errorf("app: key of list source %s: %w", id, err)
			}
			return registry.ListSource{ID: s.ID, Key: pub}, s.Types, nil
		}
	}
	return registry.ListSource{}, nil, fmt.Errorf("app: no list source %q in the configuration (registry.sources)", id)
}

// keyOwner returns the key URI and DID of an issuer profile or member.
func (c *Config) keyOwner(name string) (uri, id string, ok bool) {
	for _, ic := range c.Issuers {
		if ic.Name == name {
			return ic.Key, ic.DID, true
		}
	}
	if c.Registry != nil {
		for _, m := range c.Registry.Members {
			if m.Name == name {
				return m.Key, m.DID, true
			}
		}
	}
	return "", "", false
}

// openMembers opens the members' keys and adds their DID documents to
// local and their signers to signers; and the FVS's document (localFVS).
func (a *App) openMembers(ctx context.Context, pass []byte, local map[string]*did.Document, signers map[string]jose.Signer) error {
	if err := a.localFVS(ctx, pass, local); err != nil { // DOPA's FVS, which the registry lists (facebinding.go)
		return err
	}
	rc := a.Config.Registry
	if rc == nil {
		return nil
	}
	for _, m := range rc.Members {
		if _, taken := signers[m.Name]; taken {
			return fmt.Errorf("app: registry member %s has the name of an issuer profile", m.Name)
		}
		key, err := a.openKey(ctx, m.Key, pass)
		if err != nil {
			return fmt.Errorf("app: key of registry member %s: %w", m.Name, err)
		}
		alg, err := signing.ParseAlgorithm(m.Algorithm)
		if err != nil {
			return fmt.Errorf("app: registry member %s: %w", m.Name, err)
		}
		doc := did.NewDocument(m.DID, key.Public())
		if len(doc.VerificationMethod) == 0 {
			return fmt.Errorf("app: registry member %s: no verification method", m.Name)
		}
		if _, dup := local[m.DID]; dup {
			return fmt.Errorf("app: registry member %s: DID %s is taken", m.Name, m.DID)
		}
		local[m.DID] = doc
		signers[m.Name] = jose.Signer{Key: key, Algorithm: alg, KeyID: doc.VerificationMethod[0].ID}
	}
	return nil
}

// openRegistry opens the registry on the store, with the configured
// signers, and seeds the demo scheme into an empty registry of a demo
// data directory.
func (a *App) openRegistry(ctx context.Context, keys map[string]jose.Signer, now func() time.Time) error {
	rc := a.Config.Registry
	validity, err := rc.validity()
	if err != nil {
		return err
	}
	signers := map[string]jose.Signer{}
	for _, id := range rc.Signers {
		s, ok := keys[id]
		if !ok {
			return fmt.Errorf("app: registry signer %q is neither an issuer profile nor a registry member", id)
		}
		signers[id] = s
	}
	for _, s := range rc.Sources {
		if _, _, err := rc.Source(s.ID); err != nil {
			return err
		}
	}
	a.registry, err = registry.Open(ctx, registry.Config{
		Store: a.db.Registry(), Root: rc.Root, Signers: signers, Keys: a.resolver,
		EntryURL: a.Config.PublicURL + "/registry/entities/", Now: now,
	})
	if err != nil {
		return fmt.Errorf("app: %w", err)
	}
	a.listSigner = signers[rc.Root]
	a.listValidity = validity
	if a.Config.Demo && a.registry.Head().Seq == 0 {
		if err := seedDemoRegistry(ctx, a.registry, a.Config, now); err != nil {
			return fmt.Errorf("app: seeding the demo registry: %w", err)
		}
		a.log.Info("seeded the demo trust registry", "root", rc.Root, "events", a.registry.Head().Seq)
	}
	return nil
}

// registryHandler returns the registry's HTTP handler.
func (a *App) registryHandler(now func() time.Time) *registryhttp.Handler {
	rc := a.Config.Registry
	sources := map[string]registry.ListSource{}
	for _, s := range rc.Sources {
		src, _, _ := rc.Source(s.ID) // checked by openRegistry
		sources[s.ID] = src
	}
	return &registryhttp.Handler{
		Registry: a.registry, Clients: a.Config.Clients, Signer: a.listSigner, Keys: a.resolver,
		ListValidity: a.listValidity, Credentials: rc.Credentials, Sources: sources, Now: now,
	}
}

// Registry returns the trust registry; nil when the configuration has
// none.
func (a *App) Registry() *registry.Service { return a.registry }

// Trust list formats of ExportTrustList.
const (
	TrustListJWT = "jwt" // the signed JSON list (compact JWS, typ trustlist+jwt)
	TrustListXML = "xml" // ETSI TS 119 612 XML (unsigned)
)

// ExportTrustList exports the registry as GET /registry/trustlist.jwt
// (format TrustListJWT) or /registry/trustlist.xml (TrustListXML) would,
// with a NextUpdate the configured list validity from now.
func (a *App) ExportTrustList(ctx context.Context, format string) ([]byte, error) {
	if a.registry == nil {
		return nil, errors.New("app: this data directory has no trust registry (no registry section in its configuration)")
	}
	opts := registry.ExportOptions{NextUpdate: a.now().Add(a.listValidity), Keys: a.resolver, Credentials: a.Config.Registry.Credentials}
	switch format {
	case TrustListJWT, "":
		if a.listSigner.Key == nil {
			return nil, fmt.Errorf("app: the registry holds no key of its root %s (registry.signers), so it cannot sign a trust list", a.Config.Registry.Root)
		}
		tok, err := a.registry.Export(ctx, a.listSigner, opts)
		return []byte(tok), err
	case TrustListXML:
		return a.registry.ExportXML(ctx, opts)
	}
	return nil, fmt.Errorf("app: unknown trust list format %q (jwt, xml)", format)
}

func (a *App) now() time.Time {
	if a.nowFn != nil {
		return a.nowFn()
	}
	return time.Now()
}

// RootPublicKey returns the public key of the registry root of the data
// directory dir (its issuer profile's or member's key file): the anchor
// that trust lists exported from dir verify with. It reads no private
// key and needs no passphrase.
func RootPublicKey(dir string) (crypto.PublicKey, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	return rootPublicKey(dir, cfg)
}

func rootPublicKey(dir string, cfg *Config) (crypto.PublicKey, error) {
	if cfg.Registry == nil {
		return nil, fmt.Errorf("app: %s has no trust registry (no registry section in %s)", dir, ConfigFile)
	}
	uri, _, ok := cfg.keyOwner(cfg.Registry.Root)
	if !ok {
		return nil, fmt.Errorf("app: the registry root %q is neither an issuer profile nor a registry member", cfg.Registry.Root)
	}
	path, ok := strings.CutPrefix(uri, "file:")
	if !ok {
		return nil, fmt.Errorf("app: the key of the registry root %s is not a file (%s); give its public key", cfg.Registry.Root, uri)
	}
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	return signing.ReadPublicKeyFile(path)
}

// fetchTrustList fetches the trust list a server publishes and verifies
// it with the root's key: OpenVerifier's issuer trust while a server
// holds the data directory.
func fetchTrustList(dir string, cfg *Config, now func() time.Time) (*registry.TrustList, error) {
	anchor, err := rootPublicKey(dir, cfg)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := cfg.PublicURL + "/registry/trustlist.jwt"
	f := &verifier.Fetcher{HTTPLoopback: cfg.Demo, MaxBytes: 64 << 20}
	data, err := f.Fetch(ctx, u)
	if err != nil {
		return nil, fmt.Errorf("app: the registry's trust list: %w", err)
	}
	if now == nil {
		now = time.Now
	}
	tl, err := registry.LoadTrustList(data, anchor, now(), registry.ListPolicy{})
	if err != nil {
		return nil, fmt.Errorf("app: the trust list of %s: %w", u, err)
	}
	return tl, nil
}

// TrustListOptions configure NewTrustListVerifier.
type TrustListOptions struct {
	// List is a signed JSON trust list (compact JWS, typ trustlist+jwt),
	// as GET /registry/trustlist.jwt and "thaitrust registry export"
	// give it. Required.
	List []byte
	// Anchor is the scheme operator's public key, pinned out of band.
	// Required: the list must verify with it.
	Anchor crypto.PublicKey
	// AllowStale accepts a list past its NextUpdate. Zero: such a list is
	// refused (registry.ErrStale).
	//
	// WARNING: a stale list may not show withdrawals made since.
	AllowStale bool
	// Algorithms accepted on credentials. Nil: EdDSA, ES256, ES384.
	Algorithms []signing.Algorithm
	// Status checks status lists. Nil: they are fetched over HTTP(S)
	// (plain http to loopback hosts with HTTPLoopback), and a list that
	// cannot be fetched fails the status check (status_unavailable).
	Status verifier.StatusChecker
	// HTTPLoopback allows plain http to loopback hosts for status lists
	// and did:web documents (a demo served on 127.0.0.1).
	HTTPLoopback bool
	// UnsafeOffline makes no network requests at all: issuer keys come
	// from the list only (holder keys from did:key and did:jwk), and
	// status lists are not checked: the status check is reported skipped
	// (status_not_checked) with a warning, and Status is ignored.
	//
	// WARNING: with UnsafeOffline a revoked or suspended credential
	// verifies. Use it only where no network is reachable, and say so.
	UnsafeOffline bool
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// NewTrustListVerifier returns a verifier whose issuer trust is a loaded
// trust list (registry.LoadTrustList): an issuer is trusted for a type
// only if the list shows it accredited for that type at the credential's
// issuance time, up to the list's root. Issuer keys come from the list
// (the keys the registry resolved when it exported it), then from DID
// resolution unless UnsafeOffline. It needs no data directory and no
// registry server.
func NewTrustListVerifier(opts TrustListOptions) (*verifier.Verifier, *registry.TrustList, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	tl, err := registry.LoadTrustList(opts.List, opts.Anchor, now(), registry.ListPolicy{AllowStale: opts.AllowStale})
	if err != nil {
		return nil, nil, err
	}
	algs := opts.Algorithms
	if len(algs) == 0 {
		algs = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	}
	resolver := &did.Resolver{HTTPLoopback: opts.HTTPLoopback, Now: now}
	if opts.UnsafeOffline {
		resolver.HTTPClient = &http.Client{Transport: offlineTransport{}}
	}
	cfg := verifier.Config{
		Algorithms: algs, Keys: listKeys{list: tl, next: resolver}, Trust: tl,
		Status: opts.Status, Now: now, ClockSkew: time.Minute, UnsafeSkipStatus: opts.UnsafeOffline,
	}
	if cfg.Status == nil && !opts.UnsafeOffline {
		fetch := &verifier.Fetcher{HTTPLoopback: opts.HTTPLoopback}
		verifyOpts := jose.VerifyOptions{Algorithms: algs, Keys: cfg.Keys, Now: now, ClockSkew: time.Minute}
		cfg.Status = newRemoteChecker(fetch, verifyOpts, now)
	}
	v, err := verifier.New(cfg)
	if err != nil {
		return nil, nil, err
	}
	return v, tl, nil
}

// listKeys resolves keys from a trust list first, then with next.
type listKeys struct {
	list *registry.TrustList
	next jose.KeyResolver
}

func (k listKeys) ResolveKey(ctx context.Context, didURL string, rel did.Relationship) (crypto.PublicKey, error) {
	if pub, err := k.list.ResolveKey(ctx, didURL, rel); err == nil {
		return pub, nil
	}
	return k.next.ResolveKey(ctx, didURL, rel)
}

var _ jose.KeyResolver = listKeys{}

// offlineTransport refuses every request: a verifier that must not use
// the network.
type offlineTransport struct{}

func (offlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("app: offline: not fetching %s", r.URL.Redacted())
}

// StatusChecker returns the server's status checker: this data
// directory's own status lists read from its store, others fetched.
func (a *App) StatusChecker() verifier.StatusChecker { return a.checker }

// VerifyRegistryHistory walks the registry's hash-chained history in the
// store (registry.Verify) and returns the number of events checked.
func (a *App) VerifyRegistryHistory(ctx context.Context) (int64, error) {
	return registry.Verify(ctx, a.db.Registry())
}
