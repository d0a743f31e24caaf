package issuertest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/issuer"
)

// TestStore runs the conformance suite for [issuer.Store] implementations.
//
// open must return a new, empty store for each call; the suite calls it
// once per subtest and registers nothing for cleanup itself, so open should
// use t.Cleanup to close what it opened.
//
// Beyond the method documentation in package issuer, the suite pins down
// these behaviours, which every backend must share:
//
//   - CreateList stores Version 1 whatever the caller passed; each
//     successful UpdateList stores and returns the previous Version + 1.
//   - An UpdateList fn may not change Issuer, ID or Seq: the update fails
//     with a non-nil error and nothing is stored.
//   - An error from an UpdateList fn is returned as is (==, not wrapped),
//     and nothing is stored even if fn mutated its argument first.
//   - Byte slices are never shared between the caller and the store, in
//     either direction.
//   - Times keep their instant to at least millisecond precision (they are
//     compared with time.Time.Equal, so the location may change); zero
//     times stay zero. nil and empty byte slices are interchangeable.
//   - With a context that is already cancelled, every method fails with an
//     error matching context.Canceled and writes nothing.
//   - ErrConflict from UpdateList is a retryable condition: the concurrency
//     test retries on it and still expects no lost update.
func TestStore(t *testing.T, open func(t *testing.T) issuer.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s issuer.Store)
	}{
		{"CreateGetList", testCreateGetList},
		{"CreateListExists", testCreateListExists},
		{"GetListNotFound", testGetListNotFound},
		{"LatestList", testLatestList},
		{"UpdateList", testUpdateList},
		{"UpdateListNotFound", testUpdateListNotFound},
		{"UpdateListFnError", testUpdateListFnError},
		{"UpdateListIdentity", testUpdateListIdentity},
		{"UpdateListConcurrent", testUpdateListConcurrent},
		{"PutGetRecord", testPutGetRecord},
		{"PutRecordExists", testPutRecordExists},
		{"GetRecordNotFound", testGetRecordNotFound},
		{"PutRecordConcurrent", testPutRecordConcurrent},
		{"ListRecords", testListRecords},
		{"Isolation", testIsolation},
		{"Copies", testCopies},
		{"RoundTrip", testRoundTrip},
		{"ContextCanceled", testContextCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, open(t))
		})
	}
}

// Fixed instants, millisecond precision (see TestStore).
var (
	t0 = time.Date(2025, 6, 1, 9, 30, 0, 123_000_000, time.UTC)
	t1 = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
)

// Issuer names that are prefixes of one another, to catch key-encoding
// bugs in backends that concatenate issuer and id.
const (
	issA  = "chula"
	issA2 = "chula-med"
	issB  = "mahidol"
)

// newList returns a list of size bits with a few bits set in each
// bitstring.
func newList(iss string, seq int64, size uint64) issuer.StatusList {
	l := issuer.StatusList{
		Issuer:    iss,
		ID:        fmt.Sprint(seq),
		Seq:       seq,
		Size:      size,
		Next:      7,
		Revoked:   make([]byte, size/8),
		Suspended: make([]byte, size/8),
		CreatedAt: t0,
		UpdatedAt: t0,
	}
	for i := range l.Key {
		l.Key[i] = byte(i) ^ byte(seq)
	}
	l.Revoked[0] = 0x80
	l.Suspended[len(l.Suspended)-1] = 0x01
	return l
}

// recordID returns the i-th record id; ids sort in i order, like UUIDv7s.
func recordID(i int) string {
	return fmt.Sprintf("urn:uuid:01977a2c-%04x-7000-8000-%012x", i>>16, i)
}

func newRecord(iss string, i int) issuer.Record {
	return issuer.Record{
		ID:         recordID(i),
		Issuer:     iss,
		Type:       "DegreeCredential",
		Subject:    fmt.Sprintf("did:key:z6Mk%d", i),
		Format:     "vc+jwt",
		ListID:     "1",
		Index:      uint64(i) * 31,
		IssuedAt:   t0.Add(time.Duration(i) * time.Millisecond),
		ValidFrom:  t0,
		ValidUntil: t1,
		Credential: []byte(fmt.Sprintf("eyJhbGciOiJFUzI1NiJ9.%d.sig", i)),
	}
}

func diffList(got, want issuer.StatusList) []string {
	var d []string
	add := func(field string, g, w any) { d = append(d, fmt.Sprintf("%s = %v, want %v", field, g, w)) }
	if got.Issuer != want.Issuer {
		add("Issuer", got.Issuer, want.Issuer)
	}
	if got.ID != want.ID {
		add("ID", got.ID, want.ID)
	}
	if got.Seq != want.Seq {
		add("Seq", got.Seq, want.Seq)
	}
	if got.Size != want.Size {
		add("Size", got.Size, want.Size)
	}
	if got.Key != want.Key {
		add("Key", got.Key, want.Key)
	}
	if got.Next != want.Next {
		add("Next", got.Next, want.Next)
	}
	if !bytes.Equal(got.Revoked, want.Revoked) {
		add("Revoked", abbrev(got.Revoked), abbrev(want.Revoked))
	}
	if !bytes.Equal(got.Suspended, want.Suspended) {
		add("Suspended", abbrev(got.Suspended), abbrev(want.Suspended))
	}
	if got.Version != want.Version {
		add("Version", got.Version, want.Version)
	}
	if !got.CreatedAt.Equal(want.CreatedAt) {
		add("CreatedAt", got.CreatedAt, want.CreatedAt)
	}
	if !got.UpdatedAt.Equal(want.UpdatedAt) {
		add("UpdatedAt", got.UpdatedAt, want.UpdatedAt)
	}
	return d
}

func diffRecord(got, want issuer.Record) []string {
	var d []string
	add := func(field string, g, w any) { d = append(d, fmt.Sprintf("%s = %v, want %v", field, g, w)) }
	for _, f := range []struct{ name, g, w string }{
		{"ID", got.ID, want.ID},
		{"Issuer", got.Issuer, want.Issuer},
		{"Type", got.Type, want.Type},
		{"Subject", got.Subject, want.Subject},
		{"Format", got.Format, want.Format},
		{"ListID", got.ListID, want.ListID},
	} {
		if f.g != f.w {
			add(f.name, fmt.Sprintf("%q", f.g), fmt.Sprintf("%q", f.w))
		}
	}
	if got.Index != want.Index {
		add("Index", got.Index, want.Index)
	}
	for _, f := range []struct {
		name string
		g, w time.Time
	}{
		{"IssuedAt", got.IssuedAt, want.IssuedAt},
		{"ValidFrom", got.ValidFrom, want.ValidFrom},
		{"ValidUntil", got.ValidUntil, want.ValidUntil},
	} {
		if !f.g.Equal(f.w) {
			add(f.name, f.g, f.w)
		}
	}
	if !bytes.Equal(got.Credential, want.Credential) {
		add("Credential", abbrev(got.Credential), abbrev(want.Credential))
	}
	return d
}

func abbrev(b []byte) string {
	if len(b) <= 16 {
		return fmt.Sprintf("%x", b)
	}
	return fmt.Sprintf("%x... (%d bytes)", b[:16], len(b))
}

func checkList(t *testing.T, what string, got, want issuer.StatusList) {
	t.Helper()
	if d := diffList(got, want); d != nil {
		t.Errorf("%s: list differs:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

func checkRecord(t *testing.T, what string, got, want issuer.Record) {
	t.Helper()
	if d := diffRecord(got, want); d != nil {
		t.Errorf("%s: record differs:\n\t%s", what, strings.Join(d, "\n\t"))
	}
}

// checkStoredList asserts that GetList returns want.
func checkStoredList(t *testing.T, s issuer.Store, want issuer.StatusList) {
	t.Helper()
	got, err := s.GetList(context.Background(), want.Issuer, want.ID)
	if err != nil {
		t.Fatalf("GetList(%q, %q): %v", want.Issuer, want.ID, err)
	}
	checkList(t, fmt.Sprintf("GetList(%q, %q)", want.Issuer, want.ID), got, want)
}

func checkStoredRecord(t *testing.T, s issuer.Store, want issuer.Record) {
	t.Helper()
	got, err := s.GetRecord(context.Background(), want.Issuer, want.ID)
	if err != nil {
		t.Fatalf("GetRecord(%q, %q): %v", want.Issuer, want.ID, err)
	}
	checkRecord(t, fmt.Sprintf("GetRecord(%q, %q)", want.Issuer, want.ID), got, want)
}

func mustCreateList(t *testing.T, s issuer.Store, l issuer.StatusList) issuer.StatusList {
	t.Helper()
	if err := s.CreateList(context.Background(), l); err != nil {
		t.Fatalf("CreateList(%q, %q): %v", l.Issuer, l.ID, err)
	}
	l.Version = 1
	return l
}

func mustPutRecord(t *testing.T, s issuer.Store, r issuer.Record) {
	t.Helper()
	if err := s.PutRecord(context.Background(), r); err != nil {
		t.Fatalf("PutRecord(%q, %q): %v", r.Issuer, r.ID, err)
	}
}

func testCreateGetList(t *testing.T, s issuer.Store) {
	l := newList(issA, 1, 1024)
	l.Version = 42 // ignored: the backend sets Version
	want := mustCreateList(t, s, l)
	checkStoredList(t, s, want)
}

func testCreateListExists(t *testing.T, s issuer.Store) {
	want := mustCreateList(t, s, newList(issA, 1, 1024))
	dup := newList(issA, 1, 2048)
	dup.Next = 1000
	err := s.CreateList(context.Background(), dup)
	if !errors.Is(err, issuer.ErrExists) {
		t.Fatalf("second CreateList: err = %v, want ErrExists", err)
	}
	checkStoredList(t, s, want)
}

func testGetListNotFound(t *testing.T, s issuer.Store) {
	ctx := context.Background()
	mustCreateList(t, s, newList(issA, 1, 1024))
	for _, k := range []struct{ iss, id string }{
		{issA, "2"},
		{issA, ""},
		{issA2, "1"},
		{"chul", "1"},
		{"", ""},
	} {
		_, err := s.GetList(ctx, k.iss, k.id)
		if !errors.Is(err, issuer.ErrNotFound) {
			t.Errorf("GetList(%q, %q): err = %v, want ErrNotFound", k.iss, k.id, err)
		}
	}
}

func testLatestList(t *testing.T, s issuer.Store) {
	ctx := context.Background()
	if _, err := s.LatestList(ctx, issA); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("LatestList on empty store: err = %v, want ErrNotFound", err)
	}
	// Created out of order; "9" > "10" as strings, so a backend that
	// orders by ID instead of Seq fails here.
	var want issuer.StatusList
	for _, seq := range []int64{3, 1, 10, 9, 2, 5} {
		l := mustCreateList(t, s, newList(issA, seq, 1024))
		if seq > want.Seq {
			want = l
		}
		got, err := s.LatestList(ctx, issA)
		if err != nil {
			t.Fatalf("LatestList after creating list %d: %v", seq, err)
		}
		if got.ID != want.ID {
			t.Errorf("LatestList after creating list %d = list %q, want %q", seq, got.ID, want.ID)
		}
	}
	// Other issuers' lists, including higher Seqs, do not interfere.
	mustCreateList(t, s, newList(issA2, 99, 1024))
	mustCreateList(t, s, newList(issB, 11, 1024))
	got, err := s.LatestList(ctx, issA)
	if err != nil {
		t.Fatal(err)
	}
	checkList(t, "LatestList", got, want)

	// The latest list is found by Seq even after it was updated.
	upd, err := s.UpdateList(ctx, issA, "9", func(l issuer.StatusList) (issuer.StatusList, error) {
		l.Next++
		return l, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if upd.Version != 2 {
		t.Errorf("UpdateList: Version = %d, want 2", upd.Version)
	}
	if got, err := s.LatestList(ctx, issA); err != nil || got.ID != "10" {
		t.Errorf("LatestList after updating list 9 = %q, %v; want list 10", got.ID, err)
	}
	if got, err := s.LatestList(ctx, issA2); err != nil || got.ID != "99" {
		t.Errorf("LatestList(%q) = %q, %v; want list 99", issA2, got.ID, err)
	}
	if _, err := s.LatestList(ctx, "chul"); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("LatestList(%q): err = %v, want ErrNotFound", "chul", err)
	}
}

func testUpdateList(t *testing.T, s issuer.Store) {
	ctx := context.Background()
	want := mustCreateList(t, s, newList(issA, 1, 1024))
	for i := range 3 {
		calls := 0
		got, err := s.UpdateList(ctx, issA, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
			calls++
			checkList(t, fmt.Sprintf("update %d: fn argument", i), l, want)
			l.Next += 10
			l.Revoked[1+i] = 0xff
			l.Suspended[0] ^= 0x0f
			l.Version = 1000 // ignored: the backend sets Version
			l.UpdatedAt = t1.Add(time.Duration(i) * time.Hour)
			return l, nil
		})
		if err != nil {
			t.Fatalf("update %d: %v", i, err)
		}
		if calls < 1 {
			t.Fatalf("update %d: fn called %d times", i, calls)
		}
		want.Next += 10
		want.Revoked = bytes.Clone(want.Revoked)
		want.Revoked[1+i] = 0xff
		want.Suspended = bytes.Clone(want.Suspended)
		want.Suspended[0] ^= 0x0f
		want.Version++
		want.UpdatedAt = t1.Add(time.Duration(i) * time.Hour)
		checkList(t, fmt.Sprintf("update %d: result", i), got, want)
		checkStoredList(t, s, want)
	}
}

func testUpdateListNotFound(t *testing.T, s issuer.Store) {
	mustCreateList(t, s, newList(issA, 1, 1024))
	for _, k := range []struct{ iss, id string }{{issA, "2"}, {issB, "1"}, {"chul", "1"}} {
		_, err := s.UpdateList(context.Background(), k.iss, k.id, func(l issuer.StatusList) (issuer.StatusList, error) {
			t.Errorf("UpdateList(%q, %q): fn called for a missing list", k.iss, k.id)
			return l, nil
		})
		if !errors.Is(err, issuer.ErrNotFound) {
			t.Errorf("UpdateList(%q, %q): err = %v, want ErrNotFound", k.iss, k.id, err)
		}
	}
}

var errBoom = errors.New("issuertest: boom")

func testUpdateListFnError(t *testing.T, s issuer.Store) {
	want := mustCreateList(t, s, newList(issA, 1, 1024))
	_, err := s.UpdateList(context.Background(), issA, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
		// Scribble on the argument before failing: nothing may stick.
		l.Revoked[0] = 0x55
		l.Suspended[0] = 0x55
		l.Next = 99
		return l, errBoom
	})
	if err != errBoom {
		t.Fatalf("UpdateList: err = %v, want the fn's error unchanged", err)
	}
	checkStoredList(t, s, want)
}

func testUpdateListIdentity(t *testing.T, s issuer.Store) {
	want := mustCreateList(t, s, newList(issA, 1, 1024))
	for _, tc := range []struct {
		name   string
		mutate func(*issuer.StatusList)
	}{
		{"Issuer", func(l *issuer.StatusList) { l.Issuer = issB }},
		{"ID", func(l *issuer.StatusList) { l.ID = "2" }},
		{"Seq", func(l *issuer.StatusList) { l.Seq = 2 }},
		{"zero", func(l *issuer.StatusList) { *l = issuer.StatusList{} }},
	} {
		_, err := s.UpdateList(context.Background(), issA, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
			tc.mutate(&l)
			l.Next++
			return l, nil
		})
		if err == nil {
			t.Errorf("UpdateList changing %s: err = nil, want an error", tc.name)
		}
	}
	checkStoredList(t, s, want)
	for _, k := range []struct{ iss, id string }{{issB, "1"}, {issA, "2"}, {"", ""}} {
		if _, err := s.GetList(context.Background(), k.iss, k.id); !errors.Is(err, issuer.ErrNotFound) {
			t.Errorf("GetList(%q, %q) after identity-changing updates: err = %v, want ErrNotFound", k.iss, k.id, err)
		}
	}
}

func testUpdateListConcurrent(t *testing.T, s issuer.Store) {
	const goroutines, perGoroutine = 8, 200
	ctx := context.Background()
	l := newList(issA, 1, 1024)
	l.Next = 0
	mustCreateList(t, s, l)
	mustCreateList(t, s, newList(issA, 2, 1024)) // a bystander

	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		seen = make(map[uint64]int) // Next value returned -> count
	)
	for g := range goroutines {
		wg.Go(func() {
			for i := 0; i < perGoroutine; {
				got, err := s.UpdateList(ctx, issA, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
					l.Next++
					l.Revoked[l.Next%128] ^= 1 << (g % 8)
					return l, nil
				})
				if errors.Is(err, issuer.ErrConflict) {
					continue
				}
				if err != nil {
					t.Errorf("goroutine %d: UpdateList: %v", g, err)
					return
				}
				mu.Lock()
				seen[got.Next]++
				mu.Unlock()
				i++
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	got, err := s.GetList(ctx, issA, "1")
	if err != nil {
		t.Fatal(err)
	}
	const total = goroutines * perGoroutine
	if got.Next != total {
		t.Errorf("Next = %d after %d concurrent increments (lost updates)", got.Next, total)
	}
	if got.Version != total+1 {
		t.Errorf("Version = %d, want %d", got.Version, total+1)
	}
	// Each successful update saw a distinct predecessor.
	for n := uint64(1); n <= total; n++ {
		if seen[n] != 1 {
			t.Errorf("UpdateList returned Next = %d %d times, want once", n, seen[n])
			break
		}
	}
	checkStoredList(t, s, newListV(issA, 2, 1024, 1))
}

func newListV(iss string, seq int64, size uint64, version int64) issuer.StatusList {
	l := newList(iss, seq, size)
	l.Version = version
	return l
}

func testPutGetRecord(t *testing.T, s issuer.Store) {
	r := newRecord(issA, 1)
	mustPutRecord(t, s, r)
	checkStoredRecord(t, s, r)

	// A record that keeps no credential and does not expire.
	r2 := newRecord(issA, 2)
	r2.Credential = nil
	r2.ValidUntil = time.Time{}
	r2.Subject = ""
	mustPutRecord(t, s, r2)
	checkStoredRecord(t, s, r2)
	got, _ := s.GetRecord(context.Background(), issA, r2.ID)
	if !got.ValidUntil.IsZero() {
		t.Errorf("ValidUntil = %v, want the zero time", got.ValidUntil)
	}
}

func testPutRecordExists(t *testing.T, s issuer.Store) {
	want := newRecord(issA, 1)
	mustPutRecord(t, s, want)
	dup := newRecord(issA, 1)
	dup.Type = "TranscriptCredential"
	dup.Credential = []byte("other")
	if err := s.PutRecord(context.Background(), dup); !errors.Is(err, issuer.ErrExists) {
		t.Fatalf("second PutRecord: err = %v, want ErrExists", err)
	}
	checkStoredRecord(t, s, want)
}

func testGetRecordNotFound(t *testing.T, s issuer.Store) {
	mustPutRecord(t, s, newRecord(issA, 1))
	for _, k := range []struct{ iss, id string }{
		{issA, recordID(2)},
		{issA2, recordID(1)},
		{"chul", recordID(1)},
		{issA, ""},
	} {
		if _, err := s.GetRecord(context.Background(), k.iss, k.id); !errors.Is(err, issuer.ErrNotFound) {
			t.Errorf("GetRecord(%q, %q): err = %v, want ErrNotFound", k.iss, k.id, err)
		}
	}
}

// testPutRecordConcurrent races writers of one id against writers of
// distinct ids: exactly one writer of the contested id wins, and the losers
// do not disturb the others (backends that batch writes must not let an
// ErrExists fail or duplicate its neighbours).
func testPutRecordConcurrent(t *testing.T, s issuer.Store) {
	const n = 16
	ctx := context.Background()
	var (
		wg       sync.WaitGroup
		errs     [n]error
		distinct [n]error
	)
	for i := range n {
		wg.Go(func() {
			r := newRecord(issA, 0)
			r.Type = fmt.Sprintf("Type%d", i)
			errs[i] = s.PutRecord(ctx, r)
		})
		wg.Go(func() {
			distinct[i] = s.PutRecord(ctx, newRecord(issA, 1+i))
		})
	}
	wg.Wait()
	winner := -1
	for i, err := range errs {
		switch {
		case err == nil && winner >= 0:
			t.Errorf("PutRecord of one id succeeded twice (writers %d and %d)", winner, i)
		case err == nil:
			winner = i
		case !errors.Is(err, issuer.ErrExists):
			t.Errorf("writer %d: err = %v, want nil or ErrExists", i, err)
		}
	}
	if winner < 0 {
		t.Fatal("no PutRecord of the contested id succeeded")
	}
	want := newRecord(issA, 0)
	want.Type = fmt.Sprintf("Type%d", winner)
	checkStoredRecord(t, s, want)
	for i, err := range distinct {
		if err != nil {
			t.Errorf("PutRecord(%q): %v", recordID(1+i), err)
			continue
		}
		checkStoredRecord(t, s, newRecord(issA, 1+i))
	}
}

func ids(rs []issuer.Record) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ID
	}
	return out
}

func testListRecords(t *testing.T, s issuer.Store) {
	const n = 150
	ctx := context.Background()
	// Insert in a fixed shuffled order.
	order := rand.New(rand.NewPCG(1, 2)).Perm(n)
	for _, i := range order {
		mustPutRecord(t, s, newRecord(issA, i))
	}
	for i := range 5 {
		mustPutRecord(t, s, newRecord(issA2, n+i)) // newer, other issuer
		mustPutRecord(t, s, newRecord(issB, i))
	}
	// want(hi, k) is the ids of records hi-1, hi-2, ... at most k of them.
	want := func(hi, k int) []string {
		var out []string
		for i := hi - 1; i >= 0 && len(out) < k; i-- {
			out = append(out, recordID(i))
		}
		return out
	}
	tests := []struct {
		name   string
		iss    string
		before string
		limit  int
		want   []string
	}{
		{"default limit", issA, "", 0, want(n, 100)},
		{"negative limit", issA, "", -1, want(n, 100)},
		{"limit 10", issA, "", 10, want(n, 10)},
		{"limit 1", issA, "", 1, want(n, 1)},
		{"limit above count", issA, "", 1000, want(n, n)},
		{"before existing id", issA, recordID(50), 10, want(50, 10)},
		{"before existing id, default limit", issA, recordID(120), 0, want(120, 100)},
		{"before absent id", issA, recordID(50) + "0", 3, want(51, 3)},
		{"before oldest", issA, recordID(0), 10, nil},
		{"before above all", issA, "urn:uuid:f", 5, want(n, 5)},
		{"before below all", issA, "urn", 5, nil},
		{"other issuer", issB, "", 0, want(5, 5)},
		{"unknown issuer", "chul", "", 0, nil},
	}
	for _, tt := range tests {
		got, err := s.ListRecords(ctx, tt.iss, tt.before, tt.limit)
		if err != nil {
			t.Errorf("%s: ListRecords(%q, %q, %d): %v", tt.name, tt.iss, tt.before, tt.limit, err)
			continue
		}
		if !slices.Equal(ids(got), tt.want) {
			t.Errorf("%s: ListRecords(%q, %q, %d) = %d ids %v\nwant %d ids %v", tt.name, tt.iss, tt.before, tt.limit,
				len(got), abbrevIDs(ids(got)), len(tt.want), abbrevIDs(tt.want))
		}
		for _, r := range got {
			if r.Issuer != tt.iss {
				t.Errorf("%s: ListRecords(%q) returned a record of issuer %q", tt.name, tt.iss, r.Issuer)
				break
			}
		}
	}
	// Full records come back, not just ids.
	got, err := s.ListRecords(ctx, issA, recordID(8), 1)
	if err != nil || len(got) != 1 {
		t.Fatalf("ListRecords: %d records, %v", len(got), err)
	}
	checkRecord(t, "ListRecords", got[0], newRecord(issA, 7))

	// Paging with the last id as cursor visits every record once.
	var all []string
	for before := ""; ; {
		page, err := s.ListRecords(ctx, issA, before, 40)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		if len(all) > n {
			t.Fatal("paging does not terminate")
		}
		all = append(all, ids(page)...)
		before = page[len(page)-1].ID
	}
	if !slices.Equal(all, want(n, n)) {
		t.Errorf("paging with limit 40: got %d ids, want %d in descending order", len(all), n)
	}
}

func abbrevIDs(ids []string) string {
	short := make([]string, len(ids))
	for i, id := range ids {
		short[i] = id[max(0, len(id)-4):]
	}
	if len(short) > 12 {
		return strings.Join(short[:6], " ") + " ... " + strings.Join(short[len(short)-6:], " ")
	}
	return strings.Join(short, " ")
}

func testIsolation(t *testing.T, s issuer.Store) {
	ctx := context.Background()
	// The same ids under issuers whose names are prefixes of each other.
	lists := map[string]issuer.StatusList{}
	for i, iss := range []string{issA, issA2, "chul", issB} {
		l := newList(iss, 1, 1024)
		l.Next = uint64(100 * i)
		lists[iss] = mustCreateList(t, s, l)
		r := newRecord(iss, 1)
		r.Type = "Type-" + iss
		mustPutRecord(t, s, r)
	}
	if _, err := s.UpdateList(ctx, issA2, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
		l.Next = 12345
		return l, nil
	}); err != nil {
		t.Fatal(err)
	}
	l := lists[issA2]
	l.Next, l.Version = 12345, 2
	lists[issA2] = l
	for iss, want := range lists {
		checkStoredList(t, s, want)
		got, err := s.LatestList(ctx, iss)
		if err != nil {
			t.Fatalf("LatestList(%q): %v", iss, err)
		}
		checkList(t, fmt.Sprintf("LatestList(%q)", iss), got, want)
		r := newRecord(iss, 1)
		r.Type = "Type-" + iss
		checkStoredRecord(t, s, r)
		rs, err := s.ListRecords(ctx, iss, "", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 1 || rs[0].Issuer != iss {
			t.Errorf("ListRecords(%q) = %d records, want its 1", iss, len(rs))
		}
	}
}

func testCopies(t *testing.T, s issuer.Store) {
	ctx := context.Background()

	// In: the caller's slices are not retained.
	l := newList(issA, 1, 1024)
	want := l
	want.Revoked, want.Suspended = bytes.Clone(l.Revoked), bytes.Clone(l.Suspended)
	want.Version = 1
	if err := s.CreateList(ctx, l); err != nil {
		t.Fatal(err)
	}
	l.Revoked[0], l.Suspended[0] = 0x11, 0x22
	checkStoredList(t, s, want)

	r := newRecord(issA, 1)
	wantR := r
	wantR.Credential = bytes.Clone(r.Credential)
	mustPutRecord(t, s, r)
	r.Credential[0] = 'X'
	checkStoredRecord(t, s, wantR)

	// Out: mutating what the store returned changes nothing.
	scribble := func(l issuer.StatusList) {
		l.Revoked[0] ^= 0xff
		l.Suspended[0] ^= 0xff
	}
	got, err := s.GetList(ctx, issA, "1")
	if err != nil {
		t.Fatal(err)
	}
	scribble(got)
	got, err = s.LatestList(ctx, issA)
	if err != nil {
		t.Fatal(err)
	}
	scribble(got)
	checkStoredList(t, s, want)

	// UpdateList: neither the slices fn returned nor the result alias
	// the stored list.
	var fromFn issuer.StatusList
	got, err = s.UpdateList(ctx, issA, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
		l.Revoked[2] = 0x33
		fromFn = l
		return l, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want.Revoked[2] = 0x33
	want.Version = 2
	scribble(fromFn)
	scribble(got)
	checkStoredList(t, s, want)

	gotR, err := s.GetRecord(ctx, issA, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	gotR.Credential[0] = 'Y'
	rs, err := s.ListRecords(ctx, issA, "", 0)
	if err != nil || len(rs) != 1 {
		t.Fatalf("ListRecords: %d records, %v", len(rs), err)
	}
	rs[0].Credential[0] = 'Z'
	checkStoredRecord(t, s, wantR)
}

func testRoundTrip(t *testing.T, s issuer.Store) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(3, 4))
	random := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}

	// Zero times, 16 KiB bitstrings of random bytes, large counters.
	const size = 16 * 1024 * 8
	l := issuer.StatusList{
		Issuer:    "มหาวิทยาลัย", // Thai, and not ASCII
		ID:        "1099511627776",
		Seq:       1 << 40,
		Size:      size,
		Next:      1<<33 + 5,
		Revoked:   random(size / 8),
		Suspended: random(size / 8),
	}
	copy(l.Key[:], random(32))
	want := mustCreateList(t, s, l)
	checkStoredList(t, s, want)
	got, err := s.GetList(ctx, l.Issuer, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !got.CreatedAt.IsZero() || !got.UpdatedAt.IsZero() {
		t.Errorf("zero times came back as %v, %v", got.CreatedAt, got.UpdatedAt)
	}

	// Rewrite every byte of both bitstrings through UpdateList.
	newRev, newSus := random(size/8), random(size/8)
	ict := time.FixedZone("ICT", 7*60*60)
	got, err = s.UpdateList(ctx, l.Issuer, l.ID, func(l issuer.StatusList) (issuer.StatusList, error) {
		copy(l.Revoked, newRev)
		copy(l.Suspended, newSus)
		l.UpdatedAt = t1.In(ict)
		return l, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want.Revoked, want.Suspended = newRev, newSus
	want.UpdatedAt = t1
	want.Version = 2
	checkList(t, "UpdateList", got, want)
	checkStoredList(t, s, want)
	latest, err := s.LatestList(ctx, l.Issuer)
	if err != nil {
		t.Fatal(err)
	}
	checkList(t, "LatestList", latest, want)

	// A record with zero times, a large index, a binary credential and
	// non-ASCII strings; times in a non-UTC zone.
	r := issuer.Record{
		ID:         recordID(1),
		Issuer:     l.Issuer,
		Type:       "ใบปริญญาบัตร",
		Subject:    "did:web:example.ac.th:นักศึกษา:6530000021",
		Format:     "dc+sd-jwt",
		ListID:     l.ID,
		Index:      size - 1,
		IssuedAt:   t0.In(ict),
		Credential: random(64 * 1024),
	}
	mustPutRecord(t, s, r)
	checkStoredRecord(t, s, r)
	gotR, err := s.GetRecord(ctx, r.Issuer, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !gotR.ValidFrom.IsZero() || !gotR.ValidUntil.IsZero() {
		t.Errorf("zero times came back as %v, %v", gotR.ValidFrom, gotR.ValidUntil)
	}
}

func testContextCanceled(t *testing.T, s issuer.Store) {
	bg := context.Background()
	mustCreateList(t, s, newList(issA, 1, 1024))
	mustPutRecord(t, s, newRecord(issA, 1))
	ctx, cancel := context.WithCancel(bg)
	cancel()

	check := func(method string, err error) {
		t.Helper()
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: err = %v, want context.Canceled", method, err)
		}
	}
	check("CreateList", s.CreateList(ctx, newList(issA, 2, 1024)))
	_, err := s.GetList(ctx, issA, "1")
	check("GetList", err)
	_, err = s.LatestList(ctx, issA)
	check("LatestList", err)
	_, err = s.UpdateList(ctx, issA, "1", func(l issuer.StatusList) (issuer.StatusList, error) {
		l.Next = 1000
		return l, nil
	})
	check("UpdateList", err)
	check("PutRecord", s.PutRecord(ctx, newRecord(issA, 2)))
	_, err = s.GetRecord(ctx, issA, recordID(1))
	check("GetRecord", err)
	_, err = s.ListRecords(ctx, issA, "", 0)
	check("ListRecords", err)

	// Nothing was written.
	if _, err := s.GetList(bg, issA, "2"); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("list created with a cancelled context: GetList err = %v, want ErrNotFound", err)
	}
	checkStoredList(t, s, newListV(issA, 1, 1024, 1))
	if _, err := s.GetRecord(bg, issA, recordID(2)); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("record put with a cancelled context: GetRecord err = %v, want ErrNotFound", err)
	}
}
