package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/credential"
)

// DefaultMaxAge is how long a Checker caches a list when Checker.MaxAge is
// zero.
const DefaultMaxAge = 5 * time.Minute

// maxCacheBytes bounds the decoded lists a Checker keeps (4,096 lists of
// MinSize bits, or 4 of MaxSize).
const maxCacheBytes = 64 << 20

// Checker checks credentialStatus entries against published status lists,
// caching lists per URL. Set the fields, then use it from any number of
// goroutines; do not change the fields or copy the Checker after first use.
type Checker struct {
	// Fetch fetches the status list credential at url, in any securing
	// format Verify understands (a vc+jwt, say). Required: a Checker
	// without Fetch fails every check. It should bound the response size
	// and time, and refuse addresses the verifier must not reach.
	Fetch func(ctx context.Context, url string) ([]byte, error)

	// Verify verifies the proof of a fetched status list credential and
	// returns the credential. Required: a Checker without Verify fails
	// every check. Check does the rest: type, id, issuer, validity period,
	// purpose and list.
	Verify func(ctx context.Context, raw []byte) (*credential.Credential, error)

	// Now returns the current time; nil means time.Now.
	Now func() time.Time

	// MaxAge caps how long a list is used after it was fetched; zero means
	// DefaultMaxAge (5 minutes), negative means lists are not cached (each
	// Check fetches, though concurrent checks still share a fetch). A list
	// is never used past its validUntil or its ttl, whatever MaxAge says.
	MaxAge time.Duration

	mu         sync.RWMutex
	lists      map[string]*list // by URL; fresh or stale
	calls      map[string]*call // fetches in flight, by URL
	cacheBytes int              // decoded bytes held by lists
}

// Result is the outcome of a successful Check.
type Result struct {
	Purpose   string    // the entry's statusPurpose, e.g. PurposeRevocation
	Index     int       // the entry's statusListIndex
	Set       bool      // the bit: true means revoked for PurposeRevocation, suspended for PurposeSuspension
	ListID    string    // the status list credential's id (the entry's statusListCredential)
	FetchedAt time.Time // when the list used was fetched (Checker.Now)
}

// list is a verified, decoded status list. It is immutable once built.
type list struct {
	id        string
	issuer    string
	purposes  []string
	bits      *Bitstring
	validFrom time.Time // zero when absent
	fetchedAt time.Time
	expires   time.Time // end of caching; not after fetchedAt means "do not cache"
}

func (l *list) fresh(now time.Time) bool {
	return now.Before(l.expires) && !now.Before(l.validFrom)
}

// call is one fetch in flight that concurrent checks of a URL wait for.
type call struct {
	done     chan struct{} // closed when list and err are set
	list     *list
	err      error
	canceled bool // the fetching goroutine's context ended: waiters retry
}

// Check checks one credentialStatus entry e of cred: e must be a
// BitstringStatusListEntry; the list it names is fetched (or taken from the
// cache) and verified; the list must be a BitstringStatusListCredential
// whose id (if it has one) is e.ListCredential, within its validity period,
// issued by cred's issuer and serving e's statusPurpose, with e's index
// inside it. The Result reports the bit.
//
// cred must already be verified (see the package documentation's hazards):
// Check does not look at its proof or validity, only at its issuer id.
//
// Every error is an *Error wrapping ErrEntryInvalid, ErrUnsupported,
// ErrListUnavailable, ErrListInvalid, ErrIssuerMismatch, ErrPurposeMismatch
// or ErrIndexOutOfRange. A check that hits the cache makes no allocation.
func (c *Checker) Check(ctx context.Context, cred *credential.Credential, e credential.Status) (Result, error) {
	index, err := checkEntry(cred, &e)
	if err != nil {
		return Result{}, err
	}
	url := e.ListCredential
	if c.Fetch == nil || c.Verify == nil {
		return Result{}, &Error{Reason: ReasonListUnavailable, URL: url,
			Err: fmt.Errorf("%w: Checker.Fetch and Checker.Verify are required", ErrListUnavailable)}
	}
	now := c.now()
	c.mu.RLock()
	l := c.lists[url]
	c.mu.RUnlock()
	if l == nil || !l.fresh(now) {
		if l, err = c.load(ctx, url, now); err != nil {
			return Result{}, err
		}
	}
	return l.check(cred, &e, index)
}

func (c *Checker) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// check checks the entry against the list and reads the bit.
func (l *list) check(cred *credential.Credential, e *credential.Status, index int) (Result, error) {
	if l.issuer != cred.Issuer.ID {
		return Result{}, &Error{Reason: ReasonIssuerMismatch, URL: e.ListCredential,
			Err: fmt.Errorf("%w: list %s was issued by %q, the credential by %q", ErrIssuerMismatch, e.ListCredential, l.issuer, cred.Issuer.ID)}
	}
	served := false
	for _, p := range l.purposes {
		served = served || p == e.Purpose
	}
	if !served {
		return Result{}, &Error{Reason: ReasonPurposeMismatch, URL: e.ListCredential,
			Err: fmt.Errorf("%w: entry has statusPurpose %q, list %s serves %q", ErrPurposeMismatch, e.Purpose, e.ListCredential, l.purposes)}
	}
	if index >= l.bits.Len() {
		return Result{}, &Error{Reason: ReasonIndexOutOfRange, URL: e.ListCredential,
			Err: fmt.Errorf("%w: statusListIndex %s, list %s has %d entries", ErrIndexOutOfRange, e.Index, e.ListCredential, l.bits.Len())}
	}
	return Result{Purpose: e.Purpose, Index: index, Set: l.bits.get(index), ListID: l.id, FetchedAt: l.fetchedAt}, nil
}

// checkEntry checks the entry on its own and returns its index. An index
// too large for any list is returned as MaxSize, which no list contains.
func checkEntry(cred *credential.Credential, e *credential.Status) (int, error) {
	invalid := func(reason, format string, args ...any) (int, error) {
		return 0, &Error{Reason: reason, URL: e.ListCredential, Err: fmt.Errorf("%w: "+format, append([]any{ErrEntryInvalid}, args...)...)}
	}
	switch {
	case cred == nil:
		return invalid(ReasonEntryInvalid, "no credential given")
	case e.Type != EntryType:
		return invalid(ReasonEntryType, "type is %q, want %q", e.Type, EntryType)
	case e.ListCredential == "":
		return invalid(ReasonEntryInvalid, "statusListCredential is missing")
	case e.Purpose == "":
		return invalid(ReasonEntryInvalid, "statusPurpose is missing")
	}
	index, ok := parseIndex(e.Index)
	if !ok {
		return invalid(ReasonEntryInvalid, "statusListIndex %q is not a base-10 integer without leading zeros", e.Index)
	}
	if v, ok := e.Raw["statusSize"]; ok {
		if err := checkStatusSize(v); err != nil {
			return 0, &Error{Reason: ReasonStatusSize, URL: e.ListCredential, Err: err}
		}
	}
	if _, ok := e.Raw["statusMessage"]; ok {
		return 0, &Error{Reason: ReasonStatusMessage, URL: e.ListCredential,
			Err: fmt.Errorf("%w: statusMessage is not supported", ErrUnsupported)}
	}
	return index, nil
}

// parseIndex parses a statusListIndex: ASCII digits without leading zeros
// (as credential.Parse requires). Values of MaxSize and more come out as
// MaxSize.
func parseIndex(s string) (int, bool) {
	if s == "" || (s[0] == '0' && len(s) > 1) {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		d := s[i] - '0'
		if d > 9 {
			return 0, false
		}
		n = min(n*10+int(d), MaxSize)
	}
	return n, true
}

// checkStatusSize accepts a statusSize of 1 only.
func checkStatusSize(v any) error {
	n, ok := number(v)
	switch {
	case !ok || n < 1 || n != math.Trunc(n):
		return fmt.Errorf("%w: statusSize %v is not a positive integer", ErrEntryInvalid, v)
	case n != 1:
		return fmt.Errorf("%w: statusSize %v (only 1 is supported)", ErrUnsupported, v)
	}
	return nil
}

// number converts a JSON number as found in a decoded document.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := strconv.ParseFloat(string(n), 64)
		return f, err == nil
	case float64:
		return n, !math.IsNaN(n) && !math.IsInf(n, 0)
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case uint64:
		return float64(n), true
	case int32:
		return float64(n), true
	}
	return 0, false
}

// load returns the list at url, fetching it once for all concurrent
// callers, and caches it when it may be cached.
func (c *Checker) load(ctx context.Context, url string, now time.Time) (*list, error) {
	for {
		c.mu.Lock()
		if l := c.lists[url]; l != nil && l.fresh(now) {
			c.mu.Unlock() // cached since the caller looked
			return l, nil
		}
		if cl, ok := c.calls[url]; ok {
			c.mu.Unlock()
			select {
			case <-cl.done:
			case <-ctx.Done():
				return nil, &Error{Reason: ReasonListUnavailable, URL: url,
					Err: fmt.Errorf("%w: waiting for %s: %w", ErrListUnavailable, url, context.Cause(ctx))}
			}
			if cl.canceled && ctx.Err() == nil {
				continue // the caller that fetched gave up; we have not
			}
			return cl.list, cl.err
		}
		if c.calls == nil {
			c.calls = make(map[string]*call)
		}
		cl := &call{done: make(chan struct{})}
		c.calls[url] = cl
		c.mu.Unlock()
		c.do(ctx, url, cl)
		return cl.list, cl.err
	}
}

// do runs the fetch of call cl and publishes its outcome, even if Fetch or
// Verify panics.
func (c *Checker) do(ctx context.Context, url string, cl *call) {
	defer func() {
		if r := recover(); r != nil {
			cl.list, cl.err = nil, &Error{Reason: ReasonListUnavailable, URL: url,
				Err: fmt.Errorf("%w: fetching %s panicked: %v", ErrListUnavailable, url, r)}
			c.finish(url, cl)
			panic(r)
		}
		c.finish(url, cl)
	}()
	cl.list, cl.err = c.fetch(ctx, url)
	cl.canceled = cl.err != nil && ctx.Err() != nil
}

func (c *Checker) finish(url string, cl *call) {
	c.mu.Lock()
	delete(c.calls, url)
	if cl.err == nil && cl.list.expires.After(cl.list.fetchedAt) {
		c.store(url, cl.list)
	}
	c.mu.Unlock()
	close(cl.done)
}

// store caches l, dropping expired and then the oldest lists beyond
// maxCacheBytes. Called with c.mu held.
func (c *Checker) store(url string, l *list) {
	if c.lists == nil {
		c.lists = make(map[string]*list)
	}
	if old := c.lists[url]; old != nil {
		c.cacheBytes -= len(old.bits.bits)
	}
	c.lists[url] = l
	c.cacheBytes += len(l.bits.bits)
	if c.cacheBytes <= maxCacheBytes {
		return
	}
	for u, o := range c.lists {
		if !o.fresh(l.fetchedAt) {
			c.drop(u)
		}
	}
	for c.cacheBytes > maxCacheBytes {
		oldest := ""
		for u, o := range c.lists {
			if u != url && (oldest == "" || o.fetchedAt.Before(c.lists[oldest].fetchedAt)) {
				oldest = u
			}
		}
		if oldest == "" {
			return
		}
		c.drop(oldest)
	}
}

func (c *Checker) drop(url string) {
	c.cacheBytes -= len(c.lists[url].bits.bits)
	delete(c.lists, url)
}

// fetch fetches, verifies and decodes the list at url.
func (c *Checker) fetch(ctx context.Context, url string) (*list, error) {
	raw, err := c.Fetch(ctx, url)
	if err != nil {
		return nil, &Error{Reason: ReasonListUnavailable, URL: url,
			Err: fmt.Errorf("%w: fetching %s: %w", ErrListUnavailable, url, err)}
	}
	lc, err := c.Verify(ctx, raw)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, &Error{Reason: ReasonListUnavailable, URL: url,
				Err: fmt.Errorf("%w: verifying %s: %w", ErrListUnavailable, url, err)}
		}
		return nil, &Error{Reason: ReasonListUnverified, URL: url,
			Err: fmt.Errorf("%w: verifying %s: %w", ErrListInvalid, url, err)}
	}
	if lc == nil {
		return nil, &Error{Reason: ReasonListUnverified, URL: url,
			Err: fmt.Errorf("%w: verifying %s: Verify returned no credential", ErrListInvalid, url)}
	}
	return c.parseList(url, lc, c.now())
}

// parseList checks a verified list credential fetched from url at now.
func (c *Checker) parseList(url string, lc *credential.Credential, now time.Time) (*list, error) {
	invalid := func(reason, format string, args ...any) (*list, error) {
		return nil, &Error{Reason: reason, URL: url,
			Err: fmt.Errorf("%w: %s: "+format, append([]any{ErrListInvalid, url}, args...)...)}
	}
	if !lc.HasType(ListCredentialType) {
		return invalid(ReasonListInvalid, "type does not include %s", ListCredentialType)
	}
	if lc.ID != "" && lc.ID != url {
		return invalid(ReasonListIDMismatch, "credential id is %q", lc.ID)
	}
	if lc.Issuer.ID == "" {
		return invalid(ReasonListInvalid, "issuer is missing")
	}
	if !lc.ValidFrom.IsZero() && now.Before(lc.ValidFrom) {
		return invalid(ReasonListNotYetValid, "not valid before %s", lc.ValidFrom.Format(time.RFC3339))
	}
	if !lc.ValidUntil.IsZero() && now.After(lc.ValidUntil) {
		return invalid(ReasonListExpired, "expired at %s", lc.ValidUntil.Format(time.RFC3339))
	}
	if len(lc.Subjects) != 1 {
		return invalid(ReasonListInvalid, "has %d credentialSubject objects, want 1", len(lc.Subjects))
	}
	s := lc.Subjects[0]
	if !containsString(s["type"], ListType) {
		return invalid(ReasonListInvalid, "credentialSubject type is not %s", ListType)
	}
	purposes, ok := stringList(s["statusPurpose"])
	if !ok {
		return invalid(ReasonListInvalid, "credentialSubject statusPurpose is not a string or an array of strings")
	}
	if v, ok := s["statusSize"]; ok {
		if err := checkStatusSize(v); err != nil {
			return nil, &Error{Reason: ReasonStatusSize, URL: url, Err: fmt.Errorf("%w (list %s)", err, url)}
		}
	}
	if _, ok := s["statusMessage"]; ok {
		return nil, &Error{Reason: ReasonStatusMessage, URL: url,
			Err: fmt.Errorf("%w: statusMessage is not supported (list %s)", ErrUnsupported, url)}
	}
	encoded, ok := s["encodedList"].(string)
	if !ok {
		return invalid(ReasonListInvalid, "credentialSubject encodedList is missing or not a string")
	}
	bits, err := DecodeList(encoded)
	if err != nil {
		return nil, &Error{Reason: ReasonListInvalid, URL: url, Err: fmt.Errorf("%w (list %s)", err, url)}
	}

	expires := now.Add(DefaultMaxAge)
	switch {
	case c.MaxAge < 0:
		expires = now
	case c.MaxAge > 0:
		expires = now.Add(c.MaxAge)
	}
	if v, ok := s["ttl"]; ok {
		ms, ok := number(v)
		if !ok || ms < 0 {
			return invalid(ReasonListInvalid, "ttl %v is not a non-negative number of milliseconds", v)
		}
		if ttl := now.Add(time.Duration(min(ms, math.MaxInt64/1e6)) * time.Millisecond); ttl.Before(expires) {
			expires = ttl
		}
	}
	if !lc.ValidUntil.IsZero() && lc.ValidUntil.Before(expires) {
		expires = lc.ValidUntil
	}
	id := lc.ID
	if id == "" {
		id = url
	}
	return &list{
		id:        id,
		issuer:    lc.Issuer.ID,
		purposes:  purposes,
		bits:      bits,
		validFrom: lc.ValidFrom,
		fetchedAt: now,
		expires:   expires,
	}, nil
}

// containsString reports whether v is want or an array holding want.
func containsString(v any, want string) bool {
	switch t := v.(type) {
	case string:
		return t == want
	case []any:
		for _, x := range t {
			if x == want {
				return true
			}
		}
	case []string:
		for _, x := range t {
			if x == want {
				return true
			}
		}
	}
	return false
}

// stringList returns v as a non-empty list of non-empty strings: v is a
// string or an array of strings.
func stringList(v any) ([]string, bool) {
	var out []string
	switch t := v.(type) {
	case string:
		out = []string{t}
	case []string:
		out = slices.Clone(t)
	case []any:
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return nil, false
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, false
	}
	for _, s := range out {
		if s == "" {
			return nil, false
		}
	}
	return out, true
}
