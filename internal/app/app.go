// Package app assembles a ThaiTrust server from a data directory: the
// store, the issuers, the verifier, DID resolution and the HTTP routes.
// cmd/thaitrust serves it; end-to-end tests start it in process.
package app

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuerhttp"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

// StoreFile is the embedded store's file in a data directory.
const StoreFile = "thaitrust.db"

// Options say where the data lives and how the server is reached.
type Options struct {
	// DataDir holds the configuration, keys and the embedded store.
	DataDir string
	// PublicURL is the base URL clients use; with Demo it seeds a new
	// data directory (DIDs and status URLs derive from it). Zero: the
	// configuration's.
	PublicURL string
	// Demo creates the demo issuers, client and trust policy on first
	// start.
	Demo bool
	// Store names the database (see OpenStore): "" is the embedded file
	// in the data directory; mongodb://... a MongoDB deployment that
	// several servers may share.
	Store string
	// DemoToken is the demo client's bearer token (from
	// THAITRUST_DEMO_TOKEN); zero: generated once and kept in the data
	// directory.
	DemoToken string
	// Log receives structured logs; nil means slog.Default().
	Log *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// App is an assembled server.
type App struct {
	Config    *Config
	DataDir   string
	DemoToken string // the demo client's token, when Demo

	log      *slog.Logger
	db       Store
	issuers  map[string]*issuer.Service
	vci      map[string]*oid4vci.Service // OpenID4VCI fronts of the issuers
	vp       map[string]*oid4vp.Service  // OpenID4VP verifiers (verifiers.go)
	resolver *did.Resolver
	verifier *verifier.Verifier
	checker  verifier.StatusChecker
	docs     *Documents // PDF e-certificates (documents.go)
	echo     *echo.Echo
	nowFn    func() time.Time

	// The trust registry (registry.go), when configured.
	registry     *registry.Service
	listSigner   jose.Signer // the root's key: signs trust lists
	listValidity time.Duration

	// stopSweeper stops the removal of expired presentation requests
	// (verifiers.go); nil before openVerifiers.
	stopSweeper func()
}

// Open loads (or, with Demo, creates) the data directory and assembles
// the server. Close releases the store.
func Open(ctx context.Context, opts Options) (*App, error) {
	if opts.DataDir == "" {
		return nil, errors.New("app: a data directory is required")
	}
	log := opts.Log
	if log == nil {
		log = slog.Default()
	}
	if err := os.MkdirAll(opts.DataDir, 0o700); err != nil {
		return nil, err
	}
	cfg, err := LoadConfig(opts.DataDir)
	switch {
	case errors.Is(err, fs.ErrNotExist) && opts.Demo:
		pub := opts.PublicURL
		if pub == "" {
			pub = DefaultPublicURL
		}
		if cfg, err = initDemo(opts.DataDir, pub, opts.DemoToken); err != nil {
			return nil, err
		}
		log.Info("created demo data directory", "dir", opts.DataDir, "public_url", cfg.PublicURL)
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("app: %s has no %s; start with --demo to create a demo, or write one", opts.DataDir, ConfigFile)
	case err != nil:
		return nil, err
	}
	if cfg.Demo && cfg.Registry == nil {
		// A demo data directory made before the registry: add it.
		if err := addDemoRegistry(opts.DataDir, cfg); err != nil {
			return nil, err
		}
	}
	if cfg.Demo && demoVerifiersMissing(cfg) {
		// A demo data directory made before the employer (or the Revenue
		// Department) verifier: add it.
		if err := upgradeDemoVerifier(opts.DataDir, cfg); err != nil {
			return nil, err
		}
	}
	a := &App{Config: cfg, DataDir: opts.DataDir, log: log, issuers: map[string]*issuer.Service{}, vci: map[string]*oid4vci.Service{}, nowFn: opts.Now}
	if opts.Demo || cfg.Demo {
		if a.DemoToken, err = demoToken(opts.DataDir, cfg, opts.DemoToken); err != nil {
			return nil, err
		}
	}
	a.db, err = OpenStore(ctx, opts.DataDir, opts.Store)
	if err != nil {
		return nil, err
	}
	if err := a.assemble(ctx, opts); err != nil {
		a.db.Close()
		return nil, err
	}
	return a, nil
}

func (a *App) assemble(ctx context.Context, opts Options) error {
	cfg := a.Config
	pass, err := KeyPassphrase(a.DataDir, cfg)
	if err != nil {
		return err
	}
	local := map[string]*did.Document{}
	keys := map[string]jose.Signer{} // issuer profiles and registry members, by name
	for _, ic := range cfg.Issuers {
		key, err := a.openKey(ctx, ic.Key, pass)
		if err != nil {
			return fmt.Errorf("app: key of issuer %s: %w", ic.Name, err)
		}
		alg, err := signing.ParseAlgorithm(ic.Algorithm)
		if err != nil {
			return fmt.Errorf("app: issuer %s: %w", ic.Name, err)
		}
		doc := did.NewDocument(ic.DID, key.Public())
		if len(doc.VerificationMethod) == 0 {
			return fmt.Errorf("app: issuer %s: no verification method", ic.Name)
		}
		local[ic.DID] = doc
		keys[ic.Name] = jose.Signer{Key: key, Algorithm: alg, KeyID: doc.VerificationMethod[0].ID}
		svc, err := issuer.New(issuer.Config{
			Profile: issuer.Profile{
				Name: ic.Name, DID: ic.DID, DisplayName: ic.DisplayName, Types: ic.Types,
				Signer:        keys[ic.Name],
				StatusBaseURL: cfg.PublicURL + "/issuers/" + ic.Name + "/status",
			},
			Store:           a.db.Issuer(),
			Now:             opts.Now,
			KeepCredentials: cfg.KeepCredentials,
			AllowGeneric:    ic.AllowGeneric,
		})
		if err != nil {
			return err
		}
		a.issuers[ic.Name] = svc
		// Every issuer is also an OpenID4VCI credential issuer, identified
		// by its base URL.
		if a.vci[ic.Name], err = oid4vci.New(oid4vci.Config{
			Issuer: svc, Store: a.db.OID4VCI(), CredentialIssuer: cfg.PublicURL + "/issuers/" + ic.Name,
			Now: opts.Now, ClockSkew: time.Minute,
		}); err != nil {
			return fmt.Errorf("app: issuer %s: %w", ic.Name, err)
		}
	}
	if err := a.openMembers(ctx, pass, local, keys); err != nil {
		return err
	}
	verifierSigners, err := a.verifierKeys(ctx, pass, local)
	if err != nil {
		return err
	}
	a.resolver = newResolver(cfg, local, opts.Now)
	var trust verifier.IssuerTrust = verifier.StaticTrust(cfg.Trust)
	if cfg.Registry != nil {
		if err := a.openRegistry(ctx, keys, opts.Now); err != nil {
			return err
		}
		trust = a.registry
	}
	a.checker, a.verifier, err = buildVerifier(cfg, a.resolver, trust, a.localStatusList, a.localTokenList, opts.Now)
	if err != nil {
		return err
	}
	if err := a.openVerifiers(verifierSigners, opts.Now); err != nil {
		return err
	}
	a.echo = a.routes(opts.Now)
	a.registerDelegation(a.echo, opts.Demo) // delegation.go
	return nil
}

// newResolver returns the DID resolver of a configuration: the local
// documents first (issuer profiles, registry members), then did:key,
// did:jwk and did:web (plain http to loopback hosts for a demo).
func newResolver(cfg *Config, local map[string]*did.Document, now func() time.Time) *did.Resolver {
	return &did.Resolver{
		Local:        func(id string) (*did.Document, bool) { d, ok := local[id]; return d, ok },
		HTTPLoopback: cfg.Demo,
		Now:          now,
	}
}

// newRemoteChecker returns a status checker that fetches status lists
// and verifies them with opts.
func newRemoteChecker(fetch *verifier.Fetcher, opts jose.VerifyOptions, now func() time.Time) *status.Checker {
	verifyList := func(ctx context.Context, raw []byte) (*credential.Credential, error) {
		return jose.VerifyCredential(ctx, string(raw), opts)
	}
	return &status.Checker{Fetch: fetch.Fetch, Verify: verifyList, Now: now}
}

// buildVerifier assembles the verifier of a configuration: keys from the
// resolver, status checkers (Bitstring Status Lists and, for SD-JWT VCs,
// IETF Token Status Lists) that serve local lists through localLists and
// localTokens (nil: none) and fetch others, and the issuer trust policy
// (the registry, a trust list, or the configuration's static policy).
func buildVerifier(cfg *Config, resolver *did.Resolver, trust verifier.IssuerTrust,
	localLists, localTokens func(context.Context, string) (string, bool, error), now func() time.Time,
) (verifier.StatusChecker, *verifier.Verifier, error) {
	algs, err := parseAlgorithms(cfg.Algorithms)
	if err != nil {
		return nil, nil, err
	}
	fetch := &verifier.Fetcher{HTTPLoopback: cfg.Demo}
	verifyOpts := jose.VerifyOptions{Algorithms: algs, Keys: resolver, Now: now, ClockSkew: time.Minute}
	verifyList := func(ctx context.Context, raw []byte) (*credential.Credential, error) {
		return jose.VerifyCredential(ctx, string(raw), verifyOpts)
	}
	remote := newRemoteChecker(fetch, verifyOpts, now)
	var checker verifier.StatusChecker = remote
	if localLists != nil {
		// This server's own lists are read from the store on every check
		// (not cached): a revocation here shows at once in verifications
		// here. Lists of other servers are cached as they direct.
		local := &status.Checker{
			Fetch: func(ctx context.Context, u string) ([]byte, error) {
				tok, _, err := localLists(ctx, u)
				return []byte(tok), err
			},
			Verify: verifyList, Now: now, MaxAge: -1,
		}
		checker = statusRouter{local: local, remote: remote, isLocal: func(u string) bool {
			_, ok := localListRef(cfg.PublicURL, u)
			return ok
		}}
	}
	v, err := verifier.New(verifier.Config{
		Algorithms: algs, Keys: resolver, Trust: trust, Status: checker,
		TokenStatus: newTokenChecker(cfg.PublicURL, fetch, resolver, algs, localTokens, now),
		Now:         now, ClockSkew: time.Minute,
	})
	return checker, v, err
}

// OpenVerifier returns the verifier of a data directory without opening
// its store or private keys (so it works while a server runs): the
// issuers' and registry members' DID documents built from their public
// keys, status lists fetched over HTTP, and the trust policy: with a
// registry, the trust list the server publishes (GET
// PUBLIC_URL/registry/trustlist.jwt, verified with the root's public
// key); without one, the configuration's static policy.
func OpenVerifier(dir string, now func() time.Time) (*verifier.Verifier, error) {
	cfg, err := LoadConfig(dir)
	if err != nil {
		return nil, err
	}
	type owner struct{ kind, name, id, uri string }
	var owners []owner
	for _, ic := range cfg.Issuers {
		owners = append(owners, owner{"issuer", ic.Name, ic.DID, ic.Key})
	}
	if cfg.Registry != nil {
		for _, m := range cfg.Registry.Members {
			owners = append(owners, owner{"registry member", m.Name, m.DID, m.Key})
		}
	}
	local := map[string]*did.Document{}
	for _, o := range owners {
		path, ok := strings.CutPrefix(o.uri, "file:")
		if !ok {
			continue // keys held elsewhere: resolve their DIDs over the network
		}
		if !filepath.IsAbs(path) {
			path = filepath.Join(dir, path)
		}
		pub, err := signing.ReadPublicKeyFile(path)
		if err != nil {
			return nil, fmt.Errorf("app: public key of %s %s: %w", o.kind, o.name, err)
		}
		local[o.id] = did.NewDocument(o.id, pub)
	}
	var trust verifier.IssuerTrust = verifier.StaticTrust(cfg.Trust)
	if cfg.Registry != nil {
		tl, err := fetchTrustList(dir, cfg, now)
		if err != nil {
			return nil, err
		}
		trust = tl
	}
	_, v, err := buildVerifier(cfg, newResolver(cfg, local, now), trust, nil, nil, now)
	return v, err
}

func (a *App) openKey(ctx context.Context, uri string, pass []byte) (crypto.Signer, error) {
	if rest, ok := strings.CutPrefix(uri, "file:"); ok && !filepath.IsAbs(rest) {
		uri = "file:" + filepath.Join(a.DataDir, rest)
	}
	return signing.Open(ctx, uri, signing.OpenOptions{Passphrase: func() ([]byte, error) { return pass, nil }})
}

func parseAlgorithms(names []string) ([]signing.Algorithm, error) {
	if len(names) == 0 {
		return []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}, nil
	}
	out := make([]signing.Algorithm, 0, len(names))
	for _, n := range names {
		a, err := signing.ParseAlgorithm(n)
		if err != nil {
			return nil, fmt.Errorf("app: config algorithms: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}

// localStatusList serves status list URLs of this server's own issuers
// without a network round trip. ok is false for other URLs.
func (a *App) localStatusList(ctx context.Context, u string) (token string, ok bool, err error) {
	ref, ok := localListRef(a.Config.PublicURL, u)
	if !ok {
		return "", false, nil
	}
	svc, exists := a.issuers[ref.issuer]
	if !exists {
		return "", true, fmt.Errorf("app: no issuer %q here", ref.issuer)
	}
	token, err = svc.StatusListCredential(ctx, ref.list, ref.purpose)
	return token, true, err
}

// listRef names a status list served by this server.
type listRef struct{ issuer, list, purpose string }

// localListRef parses <publicURL>/issuers/<name>/status/<list>/<purpose>.
func localListRef(publicURL, u string) (listRef, bool) {
	rest, found := strings.CutPrefix(u, publicURL+"/issuers/")
	if !found {
		return listRef{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 4 || parts[1] != "status" {
		return listRef{}, false
	}
	list, err := url.PathUnescape(parts[2])
	if err != nil {
		return listRef{}, false
	}
	return listRef{issuer: parts[0], list: list, purpose: parts[3]}, true
}

// statusRouter sends checks of local lists to one checker and the rest
// to another.
type statusRouter struct {
	local, remote verifier.StatusChecker
	isLocal       func(url string) bool
}

func (r statusRouter) Check(ctx context.Context, c *credential.Credential, e credential.Status) (status.Result, error) {
	if r.isLocal(e.ListCredential) {
		return r.local.Check(ctx, c, e)
	}
	return r.remote.Check(ctx, c, e)
}

// OID4VCI returns an issuer's OpenID4VCI service by profile name.
func (a *App) OID4VCI(name string) (*oid4vci.Service, bool) {
	s, ok := a.vci[name]
	return s, ok
}

// Issuer returns an issuer service by profile name.
func (a *App) Issuer(name string) (*issuer.Service, bool) {
	s, ok := a.issuers[name]
	return s, ok
}

// Verifier returns the verifier.
func (a *App) Verifier() *verifier.Verifier { return a.verifier }

// Resolver returns the DID resolver (local issuers first).
func (a *App) Resolver() *did.Resolver { return a.resolver }

// Handler returns the HTTP handler.
func (a *App) Handler() http.Handler { return a.echo }

// Close stops the sweeper of expired presentation requests and releases
// the store.
func (a *App) Close() error {
	if a.stopSweeper != nil {
		a.stopSweeper()
	}
	return a.db.Close()
}

func (a *App) routes(now func() time.Time) *echo.Echo {
	e := httpx.New(a.log)
	e.GET("/healthz", a.healthz)
	a.docs = NewDocuments(a)
	(&issuerhttp.Handler{Issuers: a.issuers, Clients: a.Config.Clients, OID4VCI: a.vci, Documents: a.docs}).Register(e)
	(&verifierhttp.Handler{Verifier: a.verifier}).Register(e)
	(&verifierhttp.OID4VPHandler{Verifiers: a.vp, Clients: a.Config.Clients, Default: a.defaultVerifier()}).Register(e)
	if a.registry != nil {
		a.registryHandler(now).Register(e)
	}
	registerSchemas(e)
	registerVCT(e)
	registerResolver(e, a.resolver)
	registerDocuments(e, a)
	registerHome(e, a)
	return e
}

func (a *App) healthz(c *echo.Context) error {
	if err := StoreHealth(c.Request().Context(), a.db); err != nil {
		// The cause (which may name files) goes to the log, not the client.
		a.log.ErrorContext(c.Request().Context(), "health check failed", "request_id", httpx.RequestID(c), "error", err.Error())
		return httpx.JSON(c, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "store": "unavailable"})
	}
	return httpx.JSON(c, http.StatusOK, map[string]any{"status": "ok", "store": "ok", "issuers": len(a.issuers)})
}
