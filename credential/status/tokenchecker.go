package status

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// TokenKeyFunc returns the public key a Status List Token must be signed
// with for it to speak for the Referenced Token's issuer. header is not
// verified yet: use it to find a key of issuer (its kid), never as the
// key. DIDTokenKeys is the usual one.
type TokenKeyFunc func(ctx context.Context, issuer string, header jws.Header) (crypto.PublicKey, error)

// KeyResolver resolves a DID URL to a key listed under a verification
// relationship. *did.Resolver implements it.
type KeyResolver interface {
	ResolveKey(ctx context.Context, didURL string, rel did.Relationship) (crypto.PublicKey, error)
}

var _ KeyResolver = (*did.Resolver)(nil)

// DIDTokenKeys returns a TokenKeyFunc for issuers named by DIDs: the
// token's kid must be a DID URL of the issuer (issuer + "#..."), resolved
// by r under assertionMethod.
func DIDTokenKeys(r KeyResolver) TokenKeyFunc {
	return func(ctx context.Context, issuer string, h jws.Header) (crypto.PublicKey, error) {
		if !strings.HasPrefix(issuer, "did:") || !strings.HasPrefix(h.Kid, issuer+"#") {
			return nil, fmt.Errorf("status: the status list token's kid %q is not a key of the issuer %s", truncate(h.Kid), truncate(issuer))
		}
		return r.ResolveKey(ctx, h.Kid, did.AssertionMethod)
	}
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}

// TokenChecker checks SD-JWT VC (and other JWT) status references against
// IETF Token Status Lists, caching lists per URI. It is the counterpart of
// Checker for status_list references. Set the fields, then use it from
// any number of goroutines; do not change the fields or copy the
// TokenChecker after first use.
type TokenChecker struct {
	// Fetch fetches the Status List Token at uri (it should send Accept:
	// application/statuslist+jwt). Required. It should bound the response
	// size and time, and refuse addresses the verifier must not reach.
	Fetch func(ctx context.Context, uri string) ([]byte, error)

	// Key chooses the key the token must verify with for the Referenced
	// Token's issuer (DIDTokenKeys for DID issuers). Required.
	Key TokenKeyFunc

	// Algorithms are the JWS algorithms accepted. Required.
	Algorithms []signing.Algorithm

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// MaxAge caps how long a list is used after it was fetched; zero means
	// DefaultMaxAge (5 minutes), negative means no caching. A list is never
	// used past its exp or its ttl after it was fetched.
	MaxAge time.Duration

	// ClockSkew is the leeway for exp and nbf; zero means none.
	ClockSkew time.Duration

	mu         sync.Mutex
	lists      map[string]*tokenEntry
	calls      map[string]*tokenCall
	cacheBytes int
}

// TokenResult is the outcome of a successful TokenChecker.Check.
type TokenResult struct {
	Index     int       // the reference's idx
	Status    uint8     // the status: TokenValid, TokenInvalid, TokenSuspended or another Status Type
	Bits      int       // bits per status of the list
	URI       string    // the list's URI (sub)
	FetchedAt time.Time // when the list used was fetched
}

// Valid reports whether the status is VALID (0).
func (r TokenResult) Valid() bool { return r.Status == TokenValid }

// tokenEntry is a verified, decoded Status List Token; immutable.
type tokenEntry struct {
	issuer    string // the Referenced Token issuer it was verified for
	list      *TokenList
	fetchedAt time.Time
	expires   time.Time // end of caching
	exp       time.Time // the token's exp; zero when absent
	nbf       time.Time
}

func (e *tokenEntry) fresh(now time.Time) bool { return now.Before(e.expires) }

type tokenCall struct {
	done  chan struct{}
	entry *tokenEntry
	err   error
}

// Check checks the status of a Referenced Token issued by issuer (its
// iss) with the status reference ref (ParseTokenRef). The referenced
// token must already be verified: Check only uses its issuer.
//
// It fetches (or takes from the cache) the Status List Token at ref.URI
// and checks: typ statuslist+jwt; alg allowed; the signature with the key
// Key chooses for issuer; iss, when present, equals issuer; sub equals
// ref.URI; iat present; exp and nbf; ttl, when present, a positive
// number; status_list with bits 1, 2, 4 or 8 and a valid lst; and that
// ref.Index is inside the list. Every failure is an *Error (reasons as
// for Checker.Check), so that no failure can be mistaken for a status.
func (c *TokenChecker) Check(ctx context.Context, issuer string, ref TokenRef) (TokenResult, error) {
	uri := ref.URI
	if c.Fetch == nil || c.Key == nil || len(c.Algorithms) == 0 {
		return TokenResult{}, &Error{Reason: ReasonListUnavailable, URL: uri,
			Err: fmt.Errorf("%w: TokenChecker.Fetch, Key and Algorithms are required", ErrListUnavailable)}
	}
	if issuer == "" || uri == "" || ref.Index < 0 {
		return TokenResult{}, &Error{Reason: ReasonEntryInvalid, URL: uri, Err: fmt.Errorf("%w: issuer, uri and a non-negative idx are required", ErrEntryInvalid)}
	}
	now := c.now()
	c.mu.Lock()
	e := c.lists[uri]
	c.mu.Unlock()
	if e == nil || !e.fresh(now) {
		var err error
		if e, err = c.load(ctx, issuer, uri); err != nil {
			return TokenResult{}, err
		}
	}
	if e.issuer != issuer {
		return TokenResult{}, &Error{Reason: ReasonIssuerMismatch, URL: uri,
			Err: fmt.Errorf("%w: status list %s speaks for %q, the credential was issued by %q", ErrIssuerMismatch, uri, e.issuer, issuer)}
	}
	if !e.exp.IsZero() && now.After(e.exp.Add(c.ClockSkew)) {
		return TokenResult{}, &Error{Reason: ReasonListExpired, URL: uri, Err: fmt.Errorf("%w: %s expired at %s", ErrListInvalid, uri, e.exp.Format(time.RFC3339))}
	}
	v, err := e.list.Get(ref.Index)
	if err != nil {
		return TokenResult{}, &Error{Reason: ReasonIndexOutOfRange, URL: uri, Err: fmt.Errorf("%w (list %s)", err, uri)}
	}
	return TokenResult{Index: ref.Index, Status: v, Bits: e.list.Bits(), URI: uri, FetchedAt: e.fetchedAt}, nil
}

// CheckClaims checks the status of a verified JWT or SD-JWT VC from its
// (processed) claims: iss and status.status_list.
func (c *TokenChecker) CheckClaims(ctx context.Context, claims map[string]any) (TokenResult, error) {
	ref, err := ParseTokenRef(claims["status"])
	if err != nil {
		return TokenResult{}, err
	}
	iss, _ := claims["iss"].(string)
	return c.Check(ctx, iss, ref)
}

func (c *TokenChecker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// load fetches the list at uri once for all concurrent callers and caches
// it when it may be. The list is verified for issuer; a concurrent
// caller with another issuer gets the mismatch from Check.
func (c *TokenChecker) load(ctx context.Context, issuer, uri string) (*tokenEntry, error) {
	c.mu.Lock()
	if cl, ok := c.calls[uri]; ok {
		c.mu.Unlock()
		select {
		case <-cl.done:
			return cl.entry, cl.err
		case <-ctx.Done():
			return nil, &Error{Reason: ReasonListUnavailable, URL: uri, Err: fmt.Errorf("%w: waiting for %s: %w", ErrListUnavailable, uri, context.Cause(ctx))}
		}
	}
	if c.calls == nil {
		c.calls = map[string]*tokenCall{}
	}
	cl := &tokenCall{done: make(chan struct{})}
	c.calls[uri] = cl
	c.mu.Unlock()
	defer func() {
		r := recover()
		if r != nil {
			cl.entry, cl.err = nil, &Error{Reason: ReasonListUnavailable, URL: uri,
				Err: fmt.Errorf("%w: fetching %s panicked", ErrListUnavailable, uri)}
		}
		c.mu.Lock()
		delete(c.calls, uri)
		if cl.err == nil && cl.entry.expires.After(cl.entry.fetchedAt) {
			c.store(uri, cl.entry)
		}
		c.mu.Unlock()
		close(cl.done)
		if r != nil {
			panic(r)
		}
	}()
	cl.entry, cl.err = c.fetch(ctx, issuer, uri)
	return cl.entry, cl.err
}

// store caches e, dropping expired and then the oldest lists beyond
// maxCacheBytes. Called with c.mu held.
func (c *TokenChecker) store(uri string, e *tokenEntry) {
	if c.lists == nil {
		c.lists = map[string]*tokenEntry{}
	}
	if old := c.lists[uri]; old != nil {
		c.cacheBytes -= len(old.list.data)
	}
	c.lists[uri] = e
	c.cacheBytes += len(e.list.data)
	for c.cacheBytes > maxCacheBytes {
		victim := ""
		for u, o := range c.lists {
			if u == uri {
				continue
			}
			if !o.fresh(e.fetchedAt) {
				victim = u
				break
			}
			if victim == "" || o.fetchedAt.Before(c.lists[victim].fetchedAt) {
				victim = u
			}
		}
		if victim == "" {
			return
		}
		c.cacheBytes -= len(c.lists[victim].list.data)
		delete(c.lists, victim)
	}
}

// fetch fetches, verifies and decodes the Status List Token at uri for
// issuer.
func (c *TokenChecker) fetch(ctx context.Context, issuer, uri string) (*tokenEntry, error) {
	raw, err := c.Fetch(ctx, uri)
	if err != nil {
		return nil, &Error{Reason: ReasonListUnavailable, URL: uri, Err: fmt.Errorf("%w: fetching %s: %w", ErrListUnavailable, uri, err)}
	}
	now := c.now()
	unverified := func(format string, args ...any) (*tokenEntry, error) {
		return nil, &Error{Reason: ReasonListUnverified, URL: uri,
			Err: fmt.Errorf("%w: %s: "+format, append([]any{ErrListInvalid, uri}, args...)...)}
	}
	invalid := func(reason, format string, args ...any) (*tokenEntry, error) {
		return nil, &Error{Reason: reason, URL: uri,
			Err: fmt.Errorf("%w: %s: "+format, append([]any{ErrListInvalid, uri}, args...)...)}
	}
	p, err := jws.Parse(strings.TrimSpace(string(raw)))
	if err != nil {
		return unverified("not a compact JWS: %w", err)
	}
	if !tokenTypIs(p.Header.Typ) {
		return unverified("typ is %q, want %s", truncate(p.Header.Typ), TypTokenList)
	}
	pub, err := c.Key(ctx, issuer, p.Header)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, &Error{Reason: ReasonListUnavailable, URL: uri, Err: fmt.Errorf("%w: key of %s: %w", ErrListUnavailable, uri, err)}
		}
		return unverified("no key of the issuer for it: %w", err)
	}
	if err := p.Verify(pub, jws.VerifyOptions{Algorithms: c.Algorithms}); err != nil {
		return unverified("%w", err)
	}
	claims, err := jsonx.ParseObject(p.Payload)
	if err != nil {
		return invalid(ReasonListInvalid, "payload: %v", err)
	}
	if v, ok := claims["iss"]; ok {
		if s, _ := v.(string); s != issuer {
			return invalid(ReasonIssuerMismatch, "iss %q is not the credential's issuer %q", truncate(s), truncate(issuer))
		}
	}
	if sub, _ := claims["sub"].(string); sub != uri {
		return invalid(ReasonListIDMismatch, "sub %q is not the status list uri", truncate(sub))
	}
	if _, ok := claims["iat"]; !ok {
		return invalid(ReasonListInvalid, "iat is missing")
	}
	if _, ok := numericDate(claims["iat"]); !ok {
		return invalid(ReasonListInvalid, "iat is not a NumericDate")
	}
	e := &tokenEntry{issuer: issuer, fetchedAt: now}
	if v, ok := claims["exp"]; ok {
		if e.exp, ok = numericDate(v); !ok {
			return invalid(ReasonListInvalid, "exp is not a NumericDate")
		}
		if now.After(e.exp.Add(c.ClockSkew)) {
			return invalid(ReasonListExpired, "expired at %s", e.exp.Format(time.RFC3339))
		}
	}
	if v, ok := claims["nbf"]; ok {
		if e.nbf, ok = numericDate(v); !ok {
			return invalid(ReasonListInvalid, "nbf is not a NumericDate")
		}
		if now.Add(c.ClockSkew).Before(e.nbf) {
			return invalid(ReasonListNotYetValid, "not valid before %s", e.nbf.Format(time.RFC3339))
		}
	}
	sl, ok := claims["status_list"].(map[string]any)
	if !ok {
		return invalid(ReasonListInvalid, "status_list is missing or not an object")
	}
	bits, ok := number(sl["bits"])
	if !ok || bits != math.Trunc(bits) {
		return invalid(ReasonListInvalid, "status_list.bits is not an integer")
	}
	lst, _ := sl["lst"].(string)
	list, err := DecodeTokenList(int(bits), lst)
	if err != nil {
		return nil, &Error{Reason: ReasonListInvalid, URL: uri, Err: fmt.Errorf("%w (list %s)", err, uri)}
	}
	e.list = list

	e.expires = now.Add(DefaultMaxAge)
	switch {
	case c.MaxAge < 0:
		e.expires = now
	case c.MaxAge > 0:
		e.expires = now.Add(c.MaxAge)
	}
	if v, ok := claims["ttl"]; ok {
		s, ok := number(v)
		if !ok || s <= 0 {
			return invalid(ReasonListInvalid, "ttl %v is not a positive number of seconds", v)
		}
		if t := now.Add(time.Duration(min(s, math.MaxInt64/1e9)) * time.Second); t.Before(e.expires) {
			e.expires = t
		}
	}
	if !e.exp.IsZero() && e.exp.Before(e.expires) {
		e.expires = e.exp
	}
	return e, nil
}

// numericDate reads a JWT NumericDate (seconds since the epoch, possibly
// fractional).
func numericDate(v any) (time.Time, bool) {
	f, ok := number(v)
	if !ok || f < 0 || f > 1e11 {
		return time.Time{}, false
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true
}

// tokenTypIs compares a typ with statuslist+jwt as a media type
// (case-insensitive, optional "application/").
func tokenTypIs(typ string) bool {
	t := strings.ToLower(typ)
	return t == TypTokenList || t == MediaTypeTokenList
}
