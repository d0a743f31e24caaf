package status

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/internal/testdata"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const (
	testIssuer = "did:example:issuer"
	testURL    = "https://issuer.example/status/1"
)

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// fakeWeb serves list credentials (unsigned JSON; fakeVerify parses them)
// and counts fetches.
type fakeWeb struct {
	mu      sync.Mutex
	docs    map[string][]byte
	errs    map[string]error
	fetches map[string]int
	gate    chan struct{} // when non-nil, Fetch waits for it to close
	entered chan struct{} // when non-nil, Fetch signals here first
}

func newFakeWeb() *fakeWeb {
	return &fakeWeb{docs: map[string][]byte{}, errs: map[string]error{}, fetches: map[string]int{}}
}

func (w *fakeWeb) Put(t testing.TB, url string, doc map[string]any) {
	t.Helper()
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	w.mu.Lock()
	w.docs[url] = data
	w.mu.Unlock()
}

func (w *fakeWeb) Fetch(ctx context.Context, url string) ([]byte, error) {
	w.mu.Lock()
	w.fetches[url]++
	gate, entered := w.gate, w.entered
	data, err := w.docs[url], w.errs[url]
	w.mu.Unlock()
	if entered != nil {
		entered <- struct{}{}
	}
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("404 not found: %s", url)
	}
	return data, nil
}

func (w *fakeWeb) Fetches(url string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fetches[url]
}

var errBadProof = errors.New("fake: bad proof")

// fakeVerify parses the list credential; a credential whose proof has
// "proofValue": "bad" fails verification.
func fakeVerify(_ context.Context, raw []byte) (*credential.Credential, error) {
	c, err := credential.Parse(raw)
	if err != nil {
		return nil, err
	}
	if p, ok := c.Map()["proof"].(map[string]any); ok && p["proofValue"] == "bad" {
		return nil, errBadProof
	}
	return c, nil
}

func badProof() map[string]any {
	return map[string]any{"type": "DataIntegrityProof", "proofValue": "bad"}
}

func newChecker(web *fakeWeb, clock *fakeClock) *Checker {
	return &Checker{Fetch: web.Fetch, Verify: fakeVerify, Now: clock.Now}
}

// listDoc is a list credential at testURL, valid for a day from t0, with
// bits set at the given indexes.
func listDoc(t testing.TB, purpose string, set ...int) map[string]any {
	t.Helper()
	b := mustNew(t, MinSize)
	for _, i := range set {
		if err := b.Set(i, true); err != nil {
			t.Fatal(err)
		}
	}
	return ListCredential(testURL, testIssuer, purpose, b, t0.Add(-time.Hour), t0.Add(24*time.Hour))
}

func subject(doc map[string]any) map[string]any { return doc["credentialSubject"].(map[string]any) }

// testCred is a credential by issuer with no status of its own; the tests
// pass entries to Check directly.
func testCred(t testing.TB, issuer string) *credential.Credential {
	t.Helper()
	c, err := credential.FromMap(map[string]any{
		"@context":          []any{credential.ContextV2},
		"type":              []any{"VerifiableCredential"},
		"issuer":            issuer,
		"credentialSubject": map[string]any{"id": "did:example:holder"},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func entry(purpose, index string) credential.Status {
	return credential.Status{
		ID: testURL + "#" + index, Type: EntryType, Purpose: purpose,
		Index: index, ListCredential: testURL,
		Raw: map[string]any{
			"id": testURL + "#" + index, "type": EntryType, "statusPurpose": purpose,
			"statusListIndex": index, "statusListCredential": testURL,
		},
	}
}

func wantReason(t *testing.T, err error, wantErr error, reason string) {
	t.Helper()
	if !errors.Is(err, wantErr) {
		t.Fatalf("error = %v, want %v", err, wantErr)
	}
	var se *Error
	if !errors.As(err, &se) {
		t.Fatalf("error %T is not *status.Error", err)
	}
	if reason != "" && se.Reason != reason {
		t.Fatalf("Reason = %q, want %q (error %v)", se.Reason, reason, err)
	}
}

func TestCheckVectors(t *testing.T) {
	dir := testdata.Vectors(t, "bitstring-status-list")
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	web := newFakeWeb()
	web.docs["https://example.com/credentials/status/3"] = read("spec-example-3-status-list-credential.json")
	clock := &fakeClock{t: t0}
	c := newChecker(web, clock)

	for _, name := range []string{"spec-example-4-revocable-vc.json", "spec-example-1-vc-two-entries.json"} {
		t.Run(name, func(t *testing.T) {
			cred, err := credential.Parse(read(name))
			if err != nil {
				t.Fatal(err)
			}
			r, err := c.Check(context.Background(), cred, cred.Status[0])
			if err != nil {
				t.Fatal(err)
			}
			want := Result{Purpose: PurposeRevocation, Index: 94567, Set: false,
				ListID: "https://example.com/credentials/status/3", FetchedAt: t0}
			if r != want {
				t.Fatalf("Check() = %+v, want %+v", r, want)
			}
			if len(cred.Status) > 1 {
				// The suspension list of example 1 is not published here.
				_, err := c.Check(context.Background(), cred, cred.Status[1])
				wantReason(t, err, ErrListUnavailable, ReasonListUnavailable)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	web := newFakeWeb()
	web.Put(t, testURL, listDoc(t, PurposeRevocation, 7, MinSize-1))
	c := newChecker(web, &fakeClock{t: t0})
	cred := testCred(t, testIssuer)
	for _, tc := range []struct {
		index string
		want  bool
	}{{"7", true}, {"8", false}, {"0", false}, {"131071", true}} {
		r, err := c.Check(context.Background(), cred, entry(PurposeRevocation, tc.index))
		if err != nil {
			t.Fatal(err)
		}
		if r.Set != tc.want || r.Purpose != PurposeRevocation || r.ListID != testURL || !r.FetchedAt.Equal(t0) {
			t.Errorf("index %s: Check() = %+v, want Set %v", tc.index, r, tc.want)
		}
	}
	if n := web.Fetches(testURL); n != 1 {
		t.Fatalf("%d fetches, want 1 (cache hits)", n)
	}
}

func TestCheckErrors(t *testing.T) {
	cred := testCred(t, testIssuer)
	withRaw := func(e credential.Status, k string, v any) credential.Status {
		raw := map[string]any{}
		for k, v := range e.Raw {
			raw[k] = v
		}
		raw[k] = v
		e.Raw = raw
		return e
	}
	tests := []struct {
		name    string
		doc     func(map[string]any) // changes the published list
		cred    *credential.Credential
		entry   credential.Status
		wantErr error
		reason  string
	}{
		{name: "ok", entry: entry(PurposeRevocation, "5")},
		{name: "purpose mismatch", entry: entry(PurposeSuspension, "5"), wantErr: ErrPurposeMismatch, reason: ReasonPurposeMismatch},
		{name: "issuer mismatch", cred: testCred(t, "did:example:other"), entry: entry(PurposeRevocation, "5"), wantErr: ErrIssuerMismatch, reason: ReasonIssuerMismatch},
		{name: "index at length", entry: entry(PurposeRevocation, "131072"), wantErr: ErrIndexOutOfRange, reason: ReasonIndexOutOfRange},
		{name: "index huge", entry: entry(PurposeRevocation, "99999999999999999999999999"), wantErr: ErrIndexOutOfRange, reason: ReasonIndexOutOfRange},
		{name: "index negative", entry: entry(PurposeRevocation, "-1"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "index plus", entry: entry(PurposeRevocation, "+1"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "index space", entry: entry(PurposeRevocation, " 1"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "index empty", entry: entry(PurposeRevocation, ""), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "index leading zero", entry: entry(PurposeRevocation, "05"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "index hex", entry: entry(PurposeRevocation, "0x10"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "entry type", entry: func() credential.Status { e := entry(PurposeRevocation, "5"); e.Type = "StatusList2021Entry"; return e }(), wantErr: ErrEntryInvalid, reason: ReasonEntryType},
		{name: "no list URL", entry: func() credential.Status { e := entry(PurposeRevocation, "5"); e.ListCredential = ""; return e }(), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "no purpose", entry: entry("", "5"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},
		{name: "statusSize 1", entry: withRaw(entry(PurposeRevocation, "5"), "statusSize", json.Number("1"))},
		{name: "statusSize 1 float", entry: withRaw(entry(PurposeRevocation, "5"), "statusSize", 1.0)},
		{name: "statusSize 2", entry: withRaw(entry(PurposeRevocation, "5"), "statusSize", json.Number("2")), wantErr: ErrUnsupported, reason: ReasonStatusSize},
		{name: "statusSize 0", entry: withRaw(entry(PurposeRevocation, "5"), "statusSize", json.Number("0")), wantErr: ErrEntryInvalid, reason: ReasonStatusSize},
		{name: "statusSize string", entry: withRaw(entry(PurposeRevocation, "5"), "statusSize", "1"), wantErr: ErrEntryInvalid, reason: ReasonStatusSize},
		{name: "statusMessage", entry: withRaw(entry(PurposeRevocation, "5"), "statusMessage", []any{}), wantErr: ErrUnsupported, reason: ReasonStatusMessage},
		{name: "nil credential", cred: (*credential.Credential)(nil), entry: entry(PurposeRevocation, "5"), wantErr: ErrEntryInvalid, reason: ReasonEntryInvalid},

		{name: "list purposes array", doc: func(d map[string]any) { subject(d)["statusPurpose"] = []any{"suspension", "revocation"} }, entry: entry(PurposeRevocation, "5")},
		{name: "list purpose missing", doc: func(d map[string]any) { delete(subject(d), "statusPurpose") }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list purpose empty array", doc: func(d map[string]any) { subject(d)["statusPurpose"] = []any{} }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list not a status list credential", doc: func(d map[string]any) { d["type"] = []any{"VerifiableCredential"} }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list subject type", doc: func(d map[string]any) { subject(d)["type"] = "StatusList2021" }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list subject type array", doc: func(d map[string]any) { subject(d)["type"] = []any{"BitstringStatusList"} }, entry: entry(PurposeRevocation, "5")},
		{name: "list id mismatch", doc: func(d map[string]any) { d["id"] = "https://evil.example/status/1" }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListIDMismatch},
		{name: "list without id", doc: func(d map[string]any) { delete(d, "id") }, entry: entry(PurposeRevocation, "5")},
		{name: "list encodedList missing", doc: func(d map[string]any) { delete(subject(d), "encodedList") }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list encodedList bad", doc: func(d map[string]any) { subject(d)["encodedList"] = "zabc" }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list too short", doc: func(d map[string]any) { subject(d)["encodedList"] = encodeRaw(t, make([]byte, 1024)) }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list two subjects", doc: func(d map[string]any) { d["credentialSubject"] = []any{subject(d), subject(d)} }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list ttl negative", doc: func(d map[string]any) { subject(d)["ttl"] = -1 }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list ttl string", doc: func(d map[string]any) { subject(d)["ttl"] = "300000" }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListInvalid},
		{name: "list statusSize 2", doc: func(d map[string]any) { subject(d)["statusSize"] = 2 }, entry: entry(PurposeRevocation, "5"), wantErr: ErrUnsupported, reason: ReasonStatusSize},
		{name: "list expired", doc: func(d map[string]any) { d["validUntil"] = formatTime(t0.Add(-time.Second)) }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListExpired},
		{name: "list not yet valid", doc: func(d map[string]any) { d["validFrom"] = formatTime(t0.Add(time.Second)) }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListNotYetValid},
		{name: "list bad proof", doc: func(d map[string]any) { d["proof"] = badProof() }, entry: entry(PurposeRevocation, "5"), wantErr: ErrListInvalid, reason: ReasonListUnverified},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := listDoc(t, PurposeRevocation, 5)
			if tt.doc != nil {
				tt.doc(doc)
			}
			web := newFakeWeb()
			web.Put(t, testURL, doc)
			c := newChecker(web, &fakeClock{t: t0})
			cr := cred
			if tt.cred != nil || tt.name == "nil credential" {
				cr = tt.cred
			}
			r, err := c.Check(context.Background(), cr, tt.entry)
			if tt.wantErr == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !r.Set {
					t.Fatal("bit 5 not set")
				}
				return
			}
			wantReason(t, err, tt.wantErr, tt.reason)
			if r != (Result{}) {
				t.Fatalf("Result %+v returned with error", r)
			}
		})
	}
}

func TestCheckCacheExpiry(t *testing.T) {
	cred := testCred(t, testIssuer)
	e := entry(PurposeRevocation, "5")
	tests := []struct {
		name   string
		maxAge time.Duration
		doc    func(map[string]any)
		fresh  time.Duration // still cached this long after the fetch
		stale  time.Duration // refetched this long after the fetch
	}{
		{name: "default max age", fresh: DefaultMaxAge - time.Second, stale: DefaultMaxAge},
		{name: "max age", maxAge: 2 * time.Minute, fresh: 2*time.Minute - time.Millisecond, stale: 2 * time.Minute},
		{name: "ttl", doc: func(d map[string]any) { subject(d)["ttl"] = json.Number("60000") }, fresh: 59 * time.Second, stale: 60 * time.Second},
		{name: "ttl float", doc: func(d map[string]any) { subject(d)["ttl"] = 1500.0 }, fresh: 1499 * time.Millisecond, stale: 1500 * time.Millisecond},
		{name: "ttl above max age", maxAge: time.Minute, doc: func(d map[string]any) { subject(d)["ttl"] = 3600000 }, fresh: 59 * time.Second, stale: time.Minute},
		{name: "valid until", doc: func(d map[string]any) { d["validUntil"] = formatTime(t0.Add(30 * time.Second)) }, fresh: 29 * time.Second, stale: 31 * time.Second},
		{name: "no cache", maxAge: -1, fresh: -1, stale: 0},
		{name: "ttl zero", doc: func(d map[string]any) { subject(d)["ttl"] = 0 }, fresh: -1, stale: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := listDoc(t, PurposeRevocation, 5)
			if tt.doc != nil {
				tt.doc(doc)
			}
			web := newFakeWeb()
			web.Put(t, testURL, doc)
			clock := &fakeClock{t: t0}
			c := newChecker(web, clock)
			c.MaxAge = tt.maxAge
			check := func() error {
				_, err := c.Check(context.Background(), cred, e)
				return err
			}
			if err := check(); err != nil {
				t.Fatal(err)
			}
			if tt.fresh >= 0 {
				clock.Advance(tt.fresh)
				if err := check(); err != nil {
					t.Fatal(err)
				}
				if n := web.Fetches(testURL); n != 1 {
					t.Fatalf("%d fetches %v after the first, want 1", n, tt.fresh)
				}
				clock.Advance(-tt.fresh)
			}
			clock.Advance(tt.stale)
			err := check()
			if n := web.Fetches(testURL); n != 2 {
				t.Fatalf("%d fetches %v after the first, want 2", n, tt.stale)
			}
			if tt.name == "valid until" {
				// The refetched list has expired: an error, and not cached.
				wantReason(t, err, ErrListInvalid, ReasonListExpired)
				wantReason(t, check(), ErrListInvalid, ReasonListExpired)
				if n := web.Fetches(testURL); n != 3 {
					t.Fatalf("%d fetches, want 3: an expired list must not be cached", n)
				}
			} else if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCheckErrorsNotCached(t *testing.T) {
	cred := testCred(t, testIssuer)
	e := entry(PurposeRevocation, "5")
	web := newFakeWeb()
	errDown := errors.New("connection refused")
	web.errs[testURL] = errDown
	clock := &fakeClock{t: t0}
	c := newChecker(web, clock)
	_, err := c.Check(context.Background(), cred, e)
	wantReason(t, err, ErrListUnavailable, ReasonListUnavailable)
	if !errors.Is(err, errDown) {
		t.Fatalf("error %v does not wrap the Fetch error", err)
	}

	// A list not yet valid is not cached either.
	delete(web.errs, testURL)
	doc := listDoc(t, PurposeRevocation, 5)
	doc["validFrom"] = formatTime(t0.Add(time.Minute))
	web.Put(t, testURL, doc)
	_, err = c.Check(context.Background(), cred, e)
	wantReason(t, err, ErrListInvalid, ReasonListNotYetValid)
	clock.Advance(time.Minute)
	if _, err := c.Check(context.Background(), cred, e); err != nil {
		t.Fatal(err)
	}
	if n := web.Fetches(testURL); n != 3 {
		t.Fatalf("%d fetches, want 3: failures must not be cached", n)
	}
	// Verification failures are not cached.
	doc["proof"] = badProof()
	web.Put(t, testURL, doc)
	clock.Advance(DefaultMaxAge)
	for range 2 {
		_, err = c.Check(context.Background(), cred, e)
		wantReason(t, err, ErrListInvalid, ReasonListUnverified)
		if !errors.Is(err, errBadProof) {
			t.Fatalf("error %v does not wrap the Verify error", err)
		}
	}
	if n := web.Fetches(testURL); n != 5 {
		t.Fatalf("%d fetches, want 5", n)
	}
}

func TestCheckMisconfigured(t *testing.T) {
	cred := testCred(t, testIssuer)
	for _, c := range []*Checker{{}, {Fetch: newFakeWeb().Fetch}, {Verify: fakeVerify}} {
		_, err := c.Check(context.Background(), cred, entry(PurposeRevocation, "5"))
		wantReason(t, err, ErrListUnavailable, ReasonListUnavailable)
	}
}

func TestCheckConcurrentFetchOnce(t *testing.T) {
	web := newFakeWeb()
	web.Put(t, testURL, listDoc(t, PurposeRevocation, 5))
	web.gate = make(chan struct{})
	c := newChecker(web, &fakeClock{t: t0})
	cred := testCred(t, testIssuer)
	const n = 50
	var wg sync.WaitGroup
	var failures atomic.Int32
	var started sync.WaitGroup
	started.Add(n)
	for i := range n {
		wg.Go(func() {
			started.Done()
			r, err := c.Check(context.Background(), cred, entry(PurposeRevocation, fmt.Sprint(i)))
			if err != nil || r.Set != (i == 5) {
				failures.Add(1)
			}
		})
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let them pile up on the fetch
	close(web.gate)
	wg.Wait()
	if failures.Load() != 0 {
		t.Fatalf("%d checks failed", failures.Load())
	}
	// Whatever the timing, one fetch: later checks hit the cache.
	if got := web.Fetches(testURL); got != 1 {
		t.Fatalf("%d fetches for %d concurrent checks, want 1", got, n)
	}
}

func TestCheckFetcherCanceled(t *testing.T) {
	// The goroutine that fetches gives up; one waiting on its fetch does not
	// inherit its cancellation but fetches again.
	web := newFakeWeb()
	web.Put(t, testURL, listDoc(t, PurposeRevocation, 5))
	web.gate = make(chan struct{})
	web.entered = make(chan struct{}, 10)
	c := newChecker(web, &fakeClock{t: t0})
	cred := testCred(t, testIssuer)

	ctx1, cancel1 := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.Check(ctx1, cred, entry(PurposeRevocation, "5"))
		first <- err
	}()
	<-web.entered // the first check is fetching
	second := make(chan error, 1)
	go func() {
		_, err := c.Check(context.Background(), cred, entry(PurposeRevocation, "5"))
		second <- err
	}()
	time.Sleep(20 * time.Millisecond) // the second check waits for the first's fetch
	cancel1()
	wantReason(t, <-first, ErrListUnavailable, ReasonListUnavailable)
	<-web.entered // the second check fetches itself
	close(web.gate)
	if err := <-second; err != nil {
		t.Fatalf("second check: %v", err)
	}

	// A waiter whose own context ends stops waiting.
	web2 := newFakeWeb()
	web2.Put(t, testURL, listDoc(t, PurposeRevocation, 5))
	web2.gate = make(chan struct{})
	web2.entered = make(chan struct{}, 10)
	c2 := newChecker(web2, &fakeClock{t: t0})
	go c2.Check(context.Background(), cred, entry(PurposeRevocation, "5"))
	<-web2.entered
	ctx3, cancel3 := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel3()
	_, err := c2.Check(ctx3, cred, entry(PurposeRevocation, "5"))
	wantReason(t, err, ErrListUnavailable, ReasonListUnavailable)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error %v does not wrap the context error", err)
	}
	close(web2.gate)
}

func TestCheckFetchPanics(t *testing.T) {
	web := newFakeWeb()
	web.Put(t, testURL, listDoc(t, PurposeRevocation, 5))
	var calls atomic.Int32
	c := &Checker{
		Fetch: func(ctx context.Context, url string) ([]byte, error) {
			if calls.Add(1) == 1 {
				panic("boom")
			}
			return web.Fetch(ctx, url)
		},
		Verify: fakeVerify,
		Now:    (&fakeClock{t: t0}).Now,
	}
	cred := testCred(t, testIssuer)
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("panic in Fetch was swallowed")
			}
		}()
		c.Check(context.Background(), cred, entry(PurposeRevocation, "5"))
	}()
	// The panicked fetch must not leave the URL stuck.
	done := make(chan error, 1)
	go func() {
		_, err := c.Check(context.Background(), cred, entry(PurposeRevocation, "5"))
		done <- err
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Check blocked after a panicking fetch")
	}
}

func TestCheckCacheBound(t *testing.T) {
	// Lists of MaxSize/2 bits (8 MiB): the cache keeps at most 8.
	web := newFakeWeb()
	clock := &fakeClock{t: t0}
	c := newChecker(web, clock)
	cred := testCred(t, testIssuer)
	big := ListCredential(testURL, testIssuer, PurposeRevocation, mustNew(t, MaxSize/2), t0.Add(-time.Hour), t0.Add(time.Hour))
	for i := range 12 {
		url := fmt.Sprintf("https://issuer.example/status/%d", i)
		doc := maps.Clone(big)
		doc["id"] = url
		web.Put(t, url, doc)
		e := entry(PurposeRevocation, "5")
		e.ListCredential = url
		if _, err := c.Check(context.Background(), cred, e); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.cacheBytes > maxCacheBytes || len(c.lists) != maxCacheBytes/(MaxSize/16) {
		t.Fatalf("cache holds %d lists, %d bytes", len(c.lists), c.cacheBytes)
	}
	// The newest stay.
	if _, ok := c.lists["https://issuer.example/status/11"]; !ok {
		t.Fatal("newest list evicted")
	}
	if _, ok := c.lists["https://issuer.example/status/0"]; ok {
		t.Fatal("oldest list kept")
	}
}

func TestCheckCachedAllocs(t *testing.T) {
	web := newFakeWeb()
	web.Put(t, testURL, listDoc(t, PurposeRevocation, 5))
	c := newChecker(web, &fakeClock{t: t0})
	c.Now = func() time.Time { return t0 }
	cred := testCred(t, testIssuer)
	e := entry(PurposeRevocation, "5")
	ctx := context.Background()
	if _, err := c.Check(ctx, cred, e); err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(100, func() { c.Check(ctx, cred, e) }); n != 0 {
		t.Fatalf("cached Check allocates %v times", n)
	}
}

func BenchmarkCheckCached(b *testing.B) {
	web := newFakeWeb()
	doc := ListCredential(testURL, testIssuer, PurposeRevocation, mustNew(b, MinSize), time.Now().Add(-time.Hour), time.Now().Add(time.Hour))
	web.Put(b, testURL, doc)
	c := &Checker{Fetch: web.Fetch, Verify: fakeVerify} // real clock
	cred := testCred(b, testIssuer)
	e := entry(PurposeRevocation, "94567")
	ctx := context.Background()
	if _, err := c.Check(ctx, cred, e); err != nil {
		b.Fatal(err)
	}
	b.Run("serial", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Check(ctx, cred, e); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := c.Check(ctx, cred, e); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkCheckUncached(b *testing.B) {
	// Fetch (from memory), parse, decode: the cost of a cache miss, without
	// the network and the proof.
	web := newFakeWeb()
	web.Put(b, testURL, ListCredential(testURL, testIssuer, PurposeRevocation, mustNew(b, MinSize), time.Now().Add(-time.Hour), time.Now().Add(time.Hour)))
	c := &Checker{Fetch: web.Fetch, Verify: fakeVerify, MaxAge: -1}
	cred := testCred(b, testIssuer)
	e := entry(PurposeRevocation, "94567")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Check(context.Background(), cred, e); err != nil {
			b.Fatal(err)
		}
	}
}
