package did

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// Resolver resolves did:key, did:jwk (locally) and did:web (HTTPS, cached).
// The zero value is ready to use. A Resolver must not be copied after
// first use; it is safe for concurrent use.
type Resolver struct {
	// HTTPClient fetches did:web documents. Nil: a client with a 10 s
	// timeout. Its CheckRedirect is wrapped: at most 3 redirects, and
	// never from https to http (except loopback with HTTPLoopback).
	HTTPClient *http.Client
	// Local serves the DIDs of this process (for example the issuer's own
	// did:web); it is consulted first, for every method. The document it
	// returns must have the DID as id. Nil: none.
	Local func(did string) (*Document, bool)
	// CacheTTL is how long a fetched did:web document is reused. Zero:
	// 5 minutes; negative: no cache.
	CacheTTL time.Duration
	// HTTPLoopback fetches did:web documents of loopback hosts
	// (127.0.0.0/8, ::1, localhost) over plain http, for development.
	// Zero: HTTPS only, everywhere.
	HTTPLoopback bool
	// MaxDocumentBytes bounds a fetched did:web document. Zero: 64 KiB.
	MaxDocumentBytes int64
	// Now is the clock for the cache. Nil: time.Now.
	Now func() time.Time

	mu    sync.Mutex
	cache map[string]cacheEntry
	keys  map[keySource]crypto.PublicKey // parsed verification method keys
}

// keySource is what VerificationMethod.PublicKey reads: the key it
// returns is a function of these fields alone, so equal sources give
// equal keys.
type keySource struct {
	typ, multibase              string
	kty, crv, x, y, d, alg, use string
	jwk                         bool
}

// publicKey is m.PublicKey, remembered: parsing a key (base64url or
// base58 decoding, for ECDSA a curve point check) costs more than the
// lookup, and a verifier sees the same few issuer keys over and over.
func (r *Resolver) publicKey(m *VerificationMethod) (crypto.PublicKey, error) {
	src := keySource{typ: m.Type, multibase: m.PublicKeyMultibase}
	if j := m.PublicKeyJwk; j != nil {
		src.jwk, src.kty, src.crv, src.x, src.y, src.d, src.alg, src.use = true, j.Kty, j.Crv, j.X, j.Y, j.D, j.Alg, j.Use
	}
	r.mu.Lock()
	pub, ok := r.keys[src]
	r.mu.Unlock()
	if ok {
		return pub, nil
	}
	pub, err := m.PublicKey()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	if r.keys == nil || len(r.keys) >= maxCacheEntries {
		r.keys = make(map[keySource]crypto.PublicKey)
	}
	r.keys[src] = pub
	r.mu.Unlock()
	return pub, nil
}

type cacheEntry struct {
	doc     *Document
	expires time.Time
}

const (
	defaultCacheTTL         = 5 * time.Minute
	defaultMaxDocumentBytes = 64 << 10
	maxCacheEntries         = 1024
	maxRedirects            = 3
)

var defaultClient = &http.Client{Timeout: 10 * time.Second}

func (r *Resolver) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

// Resolve returns the DID document of did: from Local if it serves the
// DID, computed for did:key and did:jwk, fetched (and cached) for did:web.
// The caller may modify the result.
func (r *Resolver) Resolve(ctx context.Context, did string) (*Document, error) {
	doc, shared, err := r.resolve(ctx, did)
	if err != nil || !shared {
		return doc, err
	}
	return doc.clone(), nil
}

// resolve is Resolve without the copy: shared reports a document that is
// not the caller's (Local's, or the cache's), which it must only read.
func (r *Resolver) resolve(ctx context.Context, did string) (doc *Document, shared bool, err error) {
	method, msid, err := parseDID(did)
	if err != nil {
		return nil, false, err
	}
	if r.Local != nil {
		if doc, ok := r.Local(did); ok {
			if doc == nil || doc.ID != did {
				return nil, false, fmt.Errorf("%w: local document for %q has another id", ErrInvalidDocument, truncate(did))
			}
			return doc, true, nil
		}
	}
	switch method {
	case "key":
		doc, err = keyDocument(did, msid)
		return doc, false, err
	case "jwk":
		doc, err = jwkDocument(did)
		return doc, false, err
	case "web":
		return r.resolveWeb(ctx, did)
	}
	return nil, false, fmt.Errorf("%w: did:%s", ErrUnsupportedMethod, truncate(method))
}

func (r *Resolver) resolveWeb(ctx context.Context, did string) (*Document, bool, error) {
	ttl := r.CacheTTL
	if ttl == 0 {
		ttl = defaultCacheTTL
	}
	if ttl > 0 {
		r.mu.Lock()
		e, ok := r.cache[did]
		r.mu.Unlock()
		if ok && r.now().Before(e.expires) {
			return e.doc, true, nil
		}
	}
	doc, err := r.fetch(ctx, did)
	if err != nil {
		return nil, false, err
	}
	if ttl > 0 {
		r.store(did, doc, r.now().Add(ttl))
		return doc, true, nil // the cache holds it now
	}
	return doc, false, nil
}

func (r *Resolver) store(did string, doc *Document, expires time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cache == nil {
		r.cache = make(map[string]cacheEntry)
	}
	if len(r.cache) >= maxCacheEntries {
		now := r.now()
		for k, e := range r.cache {
			if !now.Before(e.expires) {
				delete(r.cache, k)
			}
		}
		for k := range r.cache { // still full: drop arbitrary entries
			if len(r.cache) < maxCacheEntries {
				break
			}
			delete(r.cache, k)
		}
	}
	r.cache[did] = cacheEntry{doc: doc, expires: expires}
}

func (r *Resolver) fetch(ctx context.Context, did string) (*Document, error) {
	u, err := webURL(did)
	if err != nil {
		return nil, err
	}
	if r.HTTPLoopback && isLoopback(u.Hostname()) {
		u.Scheme = "http"
	}
	client := *defaultClient
	if r.HTTPClient != nil {
		client = *r.HTTPClient
	}
	next := client.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		if !r.schemeAllowed(req.URL) {
			return fmt.Errorf("redirect to %s refused", req.URL.Scheme)
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	max := r.MaxDocumentBytes
	if max <= 0 {
		max = defaultMaxDocumentBytes
	}

	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("did: resolve %s: %w", truncate(did), err)
	}
	req.Header.Set("Accept", "application/did+json, application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("did: resolve %s: %w", truncate(did), err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone:
		return nil, fmt.Errorf("%w: %s (HTTP %d)", ErrNotFound, truncate(did), resp.StatusCode)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("did: resolve %s: HTTP %d", truncate(did), resp.StatusCode)
	}
	if resp.ContentLength > max {
		return nil, fmt.Errorf("%w: %s: document larger than %d bytes", ErrInvalidDocument, truncate(did), max)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("did: resolve %s: %w", truncate(did), err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("%w: %s: document larger than %d bytes", ErrInvalidDocument, truncate(did), max)
	}
	doc, err := ParseDocument(body)
	if err != nil {
		return nil, fmt.Errorf("did: resolve %s: %w", truncate(did), err)
	}
	if doc.ID != did {
		return nil, fmt.Errorf("%w: document id %q is not %q", ErrInvalidDocument, truncate(doc.ID), truncate(did))
	}
	return doc, nil
}

// schemeAllowed: https always; http only with HTTPLoopback to a loopback
// host.
func (r *Resolver) schemeAllowed(u *url.URL) bool {
	switch u.Scheme {
	case "https":
		return true
	case "http":
		return r.HTTPLoopback && isLoopback(u.Hostname())
	}
	return false
}

// ResolveKey resolves a DID URL (did#fragment) to the public key of a
// verification method that the DID lists under rel, by reference or
// embedded. The DID URL's DID is resolved, so the key always belongs to
// it, and the method's controller must be that DID: a DID URL whose DID is
// not the method's controller fails with ErrKeyNotAuthorized, as does a
// method not listed under rel. A DID URL naming no method of the document
// is ErrNotFound.
//
// The key is parsed once per distinct verification method and then
// shared between calls: callers must not modify it.
func (r *Resolver) ResolveKey(ctx context.Context, didURL string, rel Relationship) (crypto.PublicKey, error) {
	did, _, err := splitDIDURL(didURL)
	if err != nil {
		return nil, err
	}
	doc, _, err := r.resolve(ctx, did) // read only below
	if err != nil {
		return nil, err
	}
	var entries []any
	switch rel {
	case AssertionMethod:
		entries = doc.AssertionMethod
	case Authentication:
		entries = doc.Authentication
	default:
		return nil, fmt.Errorf("did: unsupported verification relationship %q", truncate(string(rel)))
	}
	vm, listed, found := findMethod(doc, entries, didURL)
	if !found {
		return nil, fmt.Errorf("%w: %s has no verification method %q", ErrNotFound, truncate(did), truncate(didURL))
	}
	if !listed {
		return nil, fmt.Errorf("%w: %q is not listed under %s", ErrKeyNotAuthorized, truncate(didURL), rel)
	}
	if vm.Controller != did {
		return nil, fmt.Errorf("%w: %q is controlled by %q, not %q", ErrKeyNotAuthorized, truncate(didURL), truncate(vm.Controller), truncate(did))
	}
	return r.publicKey(&vm)
}

// findMethod looks for the method with absolute id didURL among entries
// (listed) and, failing that, anywhere in the document (found).
func findMethod(doc *Document, entries []any, didURL string) (vm VerificationMethod, listed, found bool) {
	byID := func() (VerificationMethod, bool) {
		for _, m := range doc.VerificationMethod {
			if absolute(m.ID, doc.ID) == didURL {
				return m, true
			}
		}
		return VerificationMethod{}, false
	}
	for _, e := range entries {
		switch e := e.(type) {
		case string:
			if absolute(e, doc.ID) == didURL {
				m, ok := byID()
				return m, ok, ok // a dangling reference is "not found"
			}
		case VerificationMethod:
			if absolute(e.ID, doc.ID) == didURL {
				return e, true, true
			}
		}
	}
	if m, ok := byID(); ok {
		return m, false, true
	}
	for _, rel := range [][]any{doc.AssertionMethod, doc.Authentication} {
		for _, e := range rel {
			if m, ok := e.(VerificationMethod); ok && absolute(m.ID, doc.ID) == didURL {
				return m, false, true
			}
		}
	}
	return VerificationMethod{}, false, false
}
