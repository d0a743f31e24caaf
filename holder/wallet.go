package holder

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Config is what a Wallet needs. Store is required; every other field's
// zero value is documented.
type Config struct {
	// Store keeps the wallet's records. Required.
	Store Store
	// HTTPClient makes every request to issuers and verifiers. Nil: a
	// client with a DefaultHTTPTimeout timeout. Whatever the client, the
	// wallet only contacts https URLs (and http URLs of loopback hosts),
	// follows at most 3 redirects under the same rule, and reads at most
	// MaxResponseBytes of each response.
	HTTPClient *http.Client
	// Resolver resolves issuer and verifier DIDs. Nil: a did.Resolver with
	// HTTPClient, serving did:web of loopback hosts over http (as the
	// wallet does for every URL).
	Resolver *did.Resolver
	// Algorithms are the JWS algorithms accepted from issuers (credential
	// signatures) and verifiers (request objects). Nil: EdDSA, ES256 and
	// ES384.
	Algorithms []signing.Algorithm
	// KeyAlgorithm is the algorithm of new holder keys. "": EdDSA, or
	// the first of ES256, ES384 the issuer accepts when it does not take
	// EdDSA proofs.
	KeyAlgorithm signing.Algorithm
	// MaxResponseBytes bounds each HTTP response. Zero:
	// DefaultMaxResponseBytes.
	MaxResponseBytes int64
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// ClockSkew is the leeway for the validity of credentials and
	// requests. Zero: one minute; negative: none.
	ClockSkew time.Duration
}

// Wallet is a document wallet: it receives credentials over OpenID4VCI,
// keeps them in its Store, shows them, and answers OpenID4VP requests
// with the holder's consent, logging every disclosure. It is safe for
// concurrent use.
type Wallet struct {
	store    Store
	fetch    *fetcher
	resolver *did.Resolver
	algs     []signing.Algorithm
	keyAlg   signing.Algorithm
	now      func() time.Time
	skew     time.Duration
	mu       sync.RWMutex
	idx      *index
}

// New opens a wallet on cfg.Store: it reads every credential once to
// build the in-memory index (types, issuers, claim paths; no claim
// values) that listing and DCQL matching use.
func New(ctx context.Context, cfg Config) (*Wallet, error) {
	if cfg.Store == nil {
		return nil, errors.New("holder: Config.Store is nil")
	}
	w := &Wallet{
		store:  cfg.Store,
		fetch:  newFetcher(cfg.HTTPClient, cfg.MaxResponseBytes),
		algs:   cfg.Algorithms,
		keyAlg: cfg.KeyAlgorithm,
		now:    cfg.Now,
		skew:   cfg.ClockSkew,
	}
	if w.algs == nil {
		w.algs = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	}
	if w.now == nil {
		w.now = time.Now
	}
	switch {
	case w.skew == 0:
		w.skew = time.Minute
	case w.skew < 0:
		w.skew = 0
	}
	w.resolver = cfg.Resolver
	if w.resolver == nil {
		w.resolver = &did.Resolver{HTTPClient: w.fetch.client, HTTPLoopback: true, MaxDocumentBytes: 256 << 10}
	}
	if err := w.reload(ctx); err != nil {
		return nil, err
	}
	return w, nil
}

func (w *Wallet) reload(ctx context.Context) error {
	ix := newIndex()
	err := w.store.Credentials(ctx, func(c *Credential) error {
		e, claims, err := indexEntry(c)
		if err != nil {
			return fmt.Errorf("holder: credential %s: %w", c.ID, err)
		}
		ix.add(e, claims)
		return nil
	})
	if err != nil {
		return err
	}
	err = w.store.Log(ctx, func(l *LogEntry) error {
		if l.Outcome == OutcomeDeclined {
			return nil
		}
		for _, lc := range l.Credentials {
			if e, ok := ix.entries[lc.CredentialID]; ok {
				e.uses++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	w.mu.Lock()
	w.idx = ix
	w.mu.Unlock()
	return nil
}

// parsedCredential is a credential decoded from Raw. Nothing in it is
// verified again: the wallet verified the credential when it received it.
type parsedCredential struct {
	sd          *sdjwt.SDJWT    // FormatSDJWT
	jwt         *jose.Secured   // FormatJWTVC
	claims      map[string]any  // SD-JWT: processed claims; vc+jwt: the document
	disclosable map[string]bool // SD-JWT: pointers of disclosable claims
}

func parseRaw(c *Credential) (*parsedCredential, error) {
	switch c.Format {
	case FormatSDJWT:
		sd, err := sdjwt.Parse(c.Raw)
		if err != nil {
			return nil, err
		}
		p := &parsedCredential{sd: sd, claims: sd.Claims(), disclosable: map[string]bool{}}
		for _, d := range sd.Disclosures {
			p.disclosable[d.Path] = true
		}
		return p, nil
	case FormatJWTVC:
		s, err := jose.ParseCredential(c.Raw)
		if err != nil {
			return nil, err
		}
		return &parsedCredential{jwt: s, claims: s.Credential.Map()}, nil
	}
	return nil, fmt.Errorf("unsupported format %q", c.Format)
}

func indexEntry(c *Credential) (*entry, map[string]any, error) {
	p, err := parseRaw(c)
	if err != nil {
		return nil, nil, err
	}
	return &entry{
		id: c.ID, batch: c.Batch, format: c.Format, vct: c.VCT, types: c.Types,
		typeName: c.Type, title: c.Display.Name, issuer: c.Issuer, issuerName: c.IssuerName,
		issuedAt: c.IssuedAt, validUntil: c.ValidUntil, receivedAt: c.ReceivedAt,
	}, p.claims, nil
}

// Summary describes a credential (or a batch of copies of one) without any
// claim value: what a list of cards shows.
type Summary struct {
	// ID names the card: the batch id for a batch, else the credential id.
	ID string `json:"id"`
	// Credentials are the ids of the credentials behind the card (the
	// copies of a batch).
	Credentials []string          `json:"credentials"`
	Format      string            `json:"format"`
	Type        string            `json:"type,omitempty"`
	VCT         string            `json:"vct,omitempty"`
	Types       []string          `json:"types,omitempty"`
	Title       map[string]string `json:"title,omitempty"`
	Issuer      string            `json:"issuer"`
	IssuerName  map[string]string `json:"issuer_name,omitempty"`
	IssuedAt    time.Time         `json:"issued_at,omitzero"`
	ValidUntil  time.Time         `json:"valid_until,omitzero"`
	ReceivedAt  time.Time         `json:"received_at"`
	// Expired reports ValidUntil has passed.
	Expired bool `json:"expired,omitempty"`
	// Presented counts the presentations logged for these credentials.
	Presented int `json:"presented"`
}

func (e *entry) cardID() string {
	if e.batch != "" {
		return e.batch
	}
	return e.id
}

// List returns a summary per card (a credential, or the copies of a batch
// together), newest first.
func (w *Wallet) List(ctx context.Context) []Summary {
	w.mu.RLock()
	defer w.mu.RUnlock()
	now := w.now()
	cards := map[string]*Summary{}
	var out []*Summary
	for _, e := range w.idx.entries {
		s, ok := cards[e.cardID()]
		if !ok {
			s = &Summary{
				ID: e.cardID(), Format: e.format, Type: e.typeName, VCT: e.vct, Types: e.types,
				Title: e.title, Issuer: e.issuer, IssuerName: e.issuerName, IssuedAt: e.issuedAt,
				ValidUntil: e.validUntil, ReceivedAt: e.receivedAt,
				Expired: !e.validUntil.IsZero() && !now.Before(e.validUntil),
			}
			cards[e.cardID()] = s
			out = append(out, s)
		}
		s.Credentials = append(s.Credentials, e.id)
		s.Presented += e.uses
	}
	res := make([]Summary, len(out))
	for i, s := range out {
		slices.Sort(s.Credentials)
		res[i] = *s
	}
	slices.SortFunc(res, func(a, b Summary) int {
		if c := b.ReceivedAt.Compare(a.ReceivedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return res
}

// Len returns the number of credentials (copies counted).
func (w *Wallet) Len() int {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return len(w.idx.entries)
}

// resolve finds the credentials a card id (or a unique prefix of at least
// 4 characters of one, or of a credential id) names.
func (w *Wallet) resolve(id string) ([]*entry, error) {
	w.mu.RLock()
	defer w.mu.RUnlock()
	if id == "" {
		return nil, fmt.Errorf("%w: empty id", ErrNotFound)
	}
	exact := func(match func(e *entry) bool) []*entry {
		var out []*entry
		for _, e := range w.idx.entries {
			if match(e) {
				out = append(out, e)
			}
		}
		slices.SortFunc(out, func(a, b *entry) int { return strings.Compare(a.id, b.id) })
		return out
	}
	if es := exact(func(e *entry) bool { return e.cardID() == id }); len(es) > 0 {
		return es, nil
	}
	if es := exact(func(e *entry) bool { return e.id == id }); len(es) > 0 {
		return es, nil
	}
	if len(id) < 4 {
		return nil, fmt.Errorf("%w: %q (give at least 4 characters of an id)", ErrNotFound, id)
	}
	cards := map[string]bool{}
	for _, e := range w.idx.entries {
		if strings.HasPrefix(e.cardID(), id) {
			cards[e.cardID()] = true
		}
	}
	switch len(cards) {
	case 0:
		return nil, fmt.Errorf("%w: %q", ErrNotFound, id)
	case 1:
		for c := range cards {
			return exact(func(e *entry) bool { return e.cardID() == c }), nil
		}
	}
	return nil, fmt.Errorf("%w: %q names %d cards", ErrAmbiguous, id, len(cards))
}

// Credential returns a stored credential by its credential id.
func (w *Wallet) Credential(ctx context.Context, id string) (*Credential, error) {
	return w.store.GetCredential(ctx, id)
}

// Delete removes a card (every copy of a batch) or one credential, with
// their holder keys, and returns the ids of the credentials removed. The
// disclosure log keeps its entries about them.
func (w *Wallet) Delete(ctx context.Context, id string) ([]string, error) {
	es, err := w.resolve(id)
	if err != nil {
		return nil, err
	}
	var done []string
	for _, e := range es {
		c, err := w.store.GetCredential(ctx, e.id)
		if err != nil {
			return done, err
		}
		// The credential goes first: a crash in between leaves an unused
		// key, never a credential without its key.
		if err := w.store.DeleteCredential(ctx, e.id); err != nil {
			return done, err
		}
		w.mu.Lock()
		w.idx.remove(e.id)
		w.mu.Unlock()
		done = append(done, e.id)
		if err := w.store.DeleteKey(ctx, c.KeyID); err != nil && !errors.Is(err, ErrNotFound) {
			return done, err
		}
	}
	return done, nil
}

// Log returns the disclosure log, newest first.
func (w *Wallet) Log(ctx context.Context) ([]*LogEntry, error) {
	var out []*LogEntry
	if err := w.store.Log(ctx, func(e *LogEntry) error { out = append(out, e); return nil }); err != nil {
		return nil, err
	}
	slices.SortFunc(out, func(a, b *LogEntry) int {
		if c := b.Time.Compare(a.Time); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}

// add stores a credential and indexes it.
func (w *Wallet) add(ctx context.Context, c *Credential) error {
	e, claims, err := indexEntry(c)
	if err != nil {
		return err
	}
	if err := w.store.PutCredential(ctx, c); err != nil {
		return err
	}
	w.mu.Lock()
	w.idx.add(e, claims)
	w.mu.Unlock()
	return nil
}

// Add stores a credential obtained some other way than Receive (tests,
// fixtures, a move from another wallet) together with its holder key, and
// indexes it. WARNING: the credential is not verified; callers verify it
// first. ID, KeyID and ReceivedAt are set when empty, and Type, VCT,
// Types, Issuer, the dates and the display title are read from Raw when
// empty.
func (w *Wallet) Add(ctx context.Context, c *Credential, key *Key) error {
	if key == nil {
		return errors.New("holder: Add needs the credential's holder key")
	}
	if key.ID == "" {
		key.ID = newID()
	}
	if key.Created.IsZero() {
		key.Created = w.now()
	}
	if c.ID == "" {
		c.ID = newID()
	}
	c.KeyID = key.ID
	if c.ReceivedAt.IsZero() {
		c.ReceivedAt = w.now()
	}
	p, err := parseRaw(c)
	if err != nil {
		return fmt.Errorf("holder: %w", err)
	}
	fillFromRaw(c, p)
	if err := w.store.PutKey(ctx, key); err != nil {
		return err
	}
	return w.add(ctx, c)
}

// fillFromRaw sets the descriptive fields of c that are empty from the
// parsed credential.
func fillFromRaw(c *Credential, p *parsedCredential) {
	setTime := func(t *time.Time, v time.Time) {
		if t.IsZero() {
			*t = v
		}
	}
	switch c.Format {
	case FormatSDJWT:
		if c.VCT == "" {
			c.VCT, _ = p.claims["vct"].(string)
		}
		if c.Issuer == "" {
			c.Issuer, _ = p.claims["iss"].(string)
		}
		if c.Type == "" {
			c.Type = typeForVCT(c.VCT)
		}
		setTime(&c.IssuedAt, numericTime(p.claims["iat"]))
		setTime(&c.ValidFrom, numericTime(p.claims["nbf"]))
		setTime(&c.ValidUntil, numericTime(p.claims["exp"]))
	case FormatJWTVC:
		cr := p.jwt.Credential
		if c.Types == nil {
			c.Types = cr.Types
		}
		if c.Issuer == "" {
			c.Issuer = cr.Issuer.ID
		}
		if c.Type == "" {
			for _, t := range cr.Types {
				if schemas.Has(t) {
					c.Type = t
				}
			}
		}
		setTime(&c.IssuedAt, cr.ValidFrom)
		setTime(&c.ValidFrom, cr.ValidFrom)
		setTime(&c.ValidUntil, cr.ValidUntil)
	}
	if c.Display.Name == nil && c.Type != "" {
		if t, ok := schemas.Lookup(c.Type); ok {
			c.Display.Name = t.Title
		}
	}
}
