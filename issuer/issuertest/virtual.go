package issuertest

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// Epoch is the time every virtual issuer's clock starts at:
// 2025-06-01T00:00:00Z.
var Epoch = time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC)

// Clock is a settable clock for tests. The zero value reads Epoch. It is
// safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time (Epoch until Set or Advance).
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return Epoch
	}
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.now = t.UTC()
	c.mu.Unlock()
}

// Advance moves the clock by d (which may be negative).
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// VirtualIssuer is an issuer that lives in memory: a fresh key, a did:web
// DID that resolves without a network (Resolver), an issuer.Service on a
// memory store with a settable clock, and its status lists served by
// StatusFetch. It mints real signed vc+jwt credentials, so tests of
// verifiers, wallets and HTTP handlers exercise the same code paths as
// production (in the spirit of sigstore-go's pkg/testing/ca).
//
// A typical test:
//
//	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
//	token, c := vi.IssueExample(t, "DegreeCredential")
//	vi.Revoke(t, c.ID)
//	r := vi.Verifier(t).VerifyCredential(ctx, jose.MediaTypeCredential, token)
//	// r.Reason() == "revoked"
//
// Several issuers share a verifier with vi.Verifier(t, other...), or with
// Resolver, StatusFetch, StatusChecker and Trust for a hand-made
// verifier.Config. The kit imports issuer and verifier, so use it from
// external test packages (package issuer_test, verifier_test).
//
// Fields may be read; change them only before the first use, except
// through Clock.
type VirtualIssuer struct {
	Name    string           // profile name, e.g. "university"
	DID     string           // did:web:<name>.thaitrust.test
	BaseURL string           // https://<name>.thaitrust.test
	Signer  jose.Signer      // the signing key; KeyID is DID + "#key-1"
	Service *issuer.Service  // the issuer, on Store, with Clock
	Store   issuer.Store     // an in-memory store (NewMemoryStore)
	Clock   *Clock           // the issuer's (and Verifier's) clock; starts at Epoch
	Types   []string         // the catalogue types it may issue
	doc     *did.Document    // its DID document
	verify  jose.KeyResolver // resolves only this issuer's DID and did:key/did:jwk
}

// NewVirtualIssuer returns a virtual issuer named name (a DNS label, used
// in its DID and URLs) that signs with a new alg key and may issue the
// given catalogue types (none: every type of the catalogue). Credentials
// are issued with KeepCredentials set. It fails the test on any error.
func NewVirtualIssuer(t testing.TB, name string, alg signing.Algorithm, types ...string) *VirtualIssuer {
	t.Helper()
	return NewVirtualIssuerConfig(t, name, alg, issuer.Config{Store: NewMemoryStore(), KeepCredentials: true}, types...)
}

// NewVirtualIssuerConfig is NewVirtualIssuer with a base issuer.Config:
// its Profile and Now are set by the kit; a nil Store is a new memory
// store. Use it for a small ReserveBlock, a shared Store (replicas), or
// AllowGeneric.
func NewVirtualIssuerConfig(t testing.TB, name string, alg signing.Algorithm, cfg issuer.Config, types ...string) *VirtualIssuer {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatalf("issuertest: %v", err)
	}
	base := "https://" + name + ".thaitrust.test"
	id, err := did.WebDID(base)
	if err != nil {
		t.Fatalf("issuertest: issuer name %q: %v", name, err)
	}
	if len(types) == 0 {
		for _, ty := range schemas.Types() {
			types = append(types, ty.Name)
		}
	}
	v := &VirtualIssuer{
		Name: name, DID: id, BaseURL: base,
		Signer: jose.Signer{Key: key, Algorithm: alg, KeyID: id + "#key-1"},
		Clock:  new(Clock),
		Types:  slices.Clone(types),
		doc:    did.NewDocument(id, key.Public()),
	}
	if cfg.Store == nil {
		cfg.Store = NewMemoryStore()
	}
	v.Store = cfg.Store
	cfg.Now = v.Clock.Now
	cfg.Profile = issuer.Profile{
		Name: name, DID: id, Types: v.Types, Signer: v.Signer,
		DisplayName:   map[string]string{"en": "Virtual issuer " + name, "th": "ผู้ออกเอกสารทดสอบ " + name},
		StatusBaseURL: base + "/status",
	}
	if v.Service, err = issuer.New(cfg); err != nil {
		t.Fatalf("issuertest: %v", err)
	}
	v.verify = Resolver(v)
	return v
}

// Document returns the issuer's DID document (a copy).
func (v *VirtualIssuer) Document() *did.Document {
	d := *v.doc
	d.VerificationMethod = slices.Clone(d.VerificationMethod)
	d.AssertionMethod = slices.Clone(d.AssertionMethod)
	d.Authentication = slices.Clone(d.Authentication)
	return &d
}

// KeyResolver resolves the issuer's DID (without a network), did:key and
// did:jwk; any other DID fails. Use Resolver for several issuers.
func (v *VirtualIssuer) KeyResolver() jose.KeyResolver { return v.verify }

// Resolver returns a DID resolver that knows the documents of the given
// issuers and resolves did:key and did:jwk. It never fetches: did:web
// DIDs of other issuers fail to resolve.
func Resolver(issuers ...*VirtualIssuer) *did.Resolver {
	docs := map[string]*did.Document{}
	for _, v := range issuers {
		docs[v.DID] = v.doc
	}
	return &did.Resolver{
		Local: func(id string) (*did.Document, bool) { d, ok := docs[id]; return d, ok },
		// No did:web lookups leave the process.
		HTTPClient: &httpRefuser,
	}
}

// httpRefuser is the HTTP client of Resolver: virtual DIDs never leave
// the process, and nothing else is fetched.
var httpRefuser = http.Client{Transport: refuseTransport{}}

type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("issuertest: no network: refusing %s", r.URL.Redacted())
}

// Issue issues doc (an unsigned credential, as Service.Issue takes it)
// and returns the token and the signed credential. It fails the test on
// any error.
func (v *VirtualIssuer) Issue(t testing.TB, doc map[string]any) (string, *credential.Credential) {
	t.Helper()
	is, err := v.Service.Issue(context.Background(), issuer.Request{Credential: doc})
	if err != nil {
		t.Fatalf("issuertest: %s: issue: %v", v.Name, err)
	}
	return is.Token, is.Credential
}

// IssueExample issues the catalogue example of type typ (schemas.Type
// Example) and returns the token and the signed credential.
func (v *VirtualIssuer) IssueExample(t testing.TB, typ string) (string, *credential.Credential) {
	t.Helper()
	return v.Issue(t, Example(t, typ))
}

// Example returns a fresh decoded copy of the catalogue example of typ,
// with numbers as json.Number as a request decoder produces them.
func Example(t testing.TB, typ string) map[string]any {
	t.Helper()
	ty, ok := schemas.Lookup(typ)
	if !ok {
		t.Fatalf("issuertest: no catalogue type %q", typ)
	}
	dec := json.NewDecoder(strings.NewReader(string(ty.Example)))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("issuertest: example of %s: %v", typ, err)
	}
	return doc
}

// Revoke revokes the credential with id.
func (v *VirtualIssuer) Revoke(t testing.TB, id string) { v.setStatus(t, id, issuer.Revoke) }

// Suspend suspends the credential with id.
func (v *VirtualIssuer) Suspend(t testing.TB, id string) { v.setStatus(t, id, issuer.Suspend) }

// Unsuspend reinstates the suspended credential with id.
func (v *VirtualIssuer) Unsuspend(t testing.TB, id string) { v.setStatus(t, id, issuer.Unsuspend) }

func (v *VirtualIssuer) setStatus(t testing.TB, id string, a issuer.Action) {
	t.Helper()
	if _, err := v.Service.SetStatus(context.Background(), id, a); err != nil {
		t.Fatalf("issuertest: %s: %s %s: %v", v.Name, a, id, err)
	}
}

// StatusFetch serves the issuer's signed status list credentials at the
// URLs its credentials name (<BaseURL>/status/<list>/<purpose>), as
// status.Checker.Fetch wants them. Other URLs fail.
func (v *VirtualIssuer) StatusFetch(ctx context.Context, url string) ([]byte, error) {
	rest, ok := strings.CutPrefix(url, v.BaseURL+"/status/")
	if !ok {
		return nil, fmt.Errorf("issuertest: %s does not serve %s", v.Name, url)
	}
	list, purpose, ok := strings.Cut(rest, "/")
	if !ok || strings.Contains(purpose, "/") {
		return nil, fmt.Errorf("issuertest: %s does not serve %s", v.Name, url)
	}
	tok, err := v.Service.StatusListCredential(ctx, list, purpose)
	if err != nil {
		return nil, err
	}
	return []byte(tok), nil
}

// StatusFetch returns a fetch function that serves the status lists of
// all the given issuers.
func StatusFetch(issuers ...*VirtualIssuer) func(ctx context.Context, url string) ([]byte, error) {
	return func(ctx context.Context, url string) ([]byte, error) {
		for _, v := range issuers {
			if strings.HasPrefix(url, v.BaseURL+"/") {
				return v.StatusFetch(ctx, url)
			}
		}
		return nil, fmt.Errorf("issuertest: no virtual issuer serves %s", url)
	}
}

// TokenStatusFetch serves the issuer's signed IETF Token Status Lists
// (statuslist+jwt) at the URLs its SD-JWT VCs name
// (<BaseURL>/statuslists/<list>), as status.TokenChecker.Fetch wants
// them. Other URLs fail.
func (v *VirtualIssuer) TokenStatusFetch(ctx context.Context, url string) ([]byte, error) {
	list, ok := strings.CutPrefix(url, v.BaseURL+"/statuslists/")
	if !ok || list == "" || strings.Contains(list, "/") {
		return nil, fmt.Errorf("issuertest: %s does not serve %s", v.Name, url)
	}
	tok, err := v.Service.TokenStatusList(ctx, list)
	if err != nil {
		return nil, err
	}
	return []byte(tok), nil
}

// TokenStatusChecker returns a token status list checker for the SD-JWT
// VCs of the given issuers: it fetches their token lists
// (TokenStatusFetch), verifies them with their keys (Resolver), reads the
// time from clock and does not cache.
func TokenStatusChecker(clock *Clock, issuers ...*VirtualIssuer) *status.TokenChecker {
	return &status.TokenChecker{
		Fetch: func(ctx context.Context, url string) ([]byte, error) {
			for _, v := range issuers {
				if strings.HasPrefix(url, v.BaseURL+"/") {
					return v.TokenStatusFetch(ctx, url)
				}
			}
			return nil, fmt.Errorf("issuertest: no virtual issuer serves %s", url)
		},
		Key:        status.DIDTokenKeys(Resolver(issuers...)),
		Algorithms: Algorithms,
		Now:        clock.Now,
		MaxAge:     -1,
	}
}

// Algorithms are the algorithms the kit's verifiers accept.
var Algorithms = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}

// StatusChecker returns a status checker that fetches the lists of the
// given issuers (StatusFetch), verifies them with Resolver(issuers...),
// reads the time from clock and does not cache (MaxAge -1), so a status
// change shows in the next check.
func StatusChecker(clock *Clock, issuers ...*VirtualIssuer) *status.Checker {
	opts := jose.VerifyOptions{Algorithms: Algorithms, Keys: Resolver(issuers...), Now: clock.Now}
	return &status.Checker{
		Fetch: StatusFetch(issuers...),
		Verify: func(ctx context.Context, raw []byte) (*credential.Credential, error) {
			return jose.VerifyCredential(ctx, string(raw), opts)
		},
		Now:    clock.Now,
		MaxAge: -1,
	}
}

// Trust returns a trust policy that trusts each issuer for its Types.
func Trust(issuers ...*VirtualIssuer) verifier.StaticTrust {
	out := verifier.StaticTrust{}
	for _, v := range issuers {
		for _, ty := range v.Types {
			if !slices.Contains(out[ty], v.DID) {
				out[ty] = append(out[ty], v.DID)
			}
		}
	}
	return out
}

// VerifierConfig returns a complete verifier.Config for v and others:
// Algorithms, Resolver, Trust and StatusChecker of all of them, and v's
// clock. Tests change what they are about and pass it to verifier.New.
func (v *VirtualIssuer) VerifierConfig(others ...*VirtualIssuer) verifier.Config {
	all := append([]*VirtualIssuer{v}, others...)
	return verifier.Config{
		Algorithms: slices.Clone(Algorithms),
		Keys:       Resolver(all...),
		Trust:      Trust(all...),
		Status:     StatusChecker(v.Clock, all...),
		Now:        v.Clock.Now,
	}
}

// Verifier returns a verifier built from VerifierConfig(others...).
func (v *VirtualIssuer) Verifier(t testing.TB, others ...*VirtualIssuer) *verifier.Verifier {
	t.Helper()
	vf, err := verifier.New(v.VerifierConfig(others...))
	if err != nil {
		t.Fatalf("issuertest: %v", err)
	}
	return vf
}

// Clone returns a copy of a document (deep for maps and slices), so a
// test can change an example without touching the original.
func Clone(doc map[string]any) map[string]any {
	return cloneValue(doc).(map[string]any)
}

func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := maps.Clone(x)
		for k, e := range m {
			m[k] = cloneValue(e)
		}
		return m
	case []any:
		s := slices.Clone(x)
		for i, e := range s {
			s[i] = cloneValue(e)
		}
		return s
	}
	return v
}
