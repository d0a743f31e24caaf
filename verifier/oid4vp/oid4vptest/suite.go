package oid4vptest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// TestStore runs the conformance suite for oid4vp.Store implementations.
// open must return a new, empty store for each call (it is called once per
// subtest) and arrange its cleanup with t.Cleanup.
//
// Beyond the interface documentation, the suite pins down: CreateRequest
// stores Version 1 and each successful update the previous + 1; an update
// function's error is returned as is (==) and nothing is stored; of
// concurrent updates that each take a pending request, exactly one
// succeeds (single use of a nonce); times keep their instant to the
// millisecond; byte slices and maps are never shared with the caller; a
// cancelled context fails every method with context.Canceled.
func TestStore(t *testing.T, open func(t *testing.T) oid4vp.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s oid4vp.Store)
	}{
		{"CreateGet", testCreateGet},
		{"CreateExists", testCreateExists},
		{"Update", testUpdate},
		{"UpdateFnError", testUpdateFnError},
		{"TakeOnce", testTakeOnce},
		{"DeleteExpired", testDeleteExpired},
		{"ContextCanceled", testContextCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var t0 = time.Date(2025, 6, 1, 9, 30, 0, 123_000_000, time.UTC)

func request(i int) oid4vp.Request {
	return oid4vp.Request{
		ID: fmt.Sprintf("req-%d", i), Verifier: "employer", Nonce: fmt.Sprintf("nonce-%d", i), State: fmt.Sprintf("state-%d", i),
		Query:   []byte(`{"credentials":[{"id":"degree","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]}}]}`),
		Purpose: map[string]string{"th": "ตรวจสอบวุฒิการศึกษา", "en": "Check a degree"},
		Object:  "eyJhbGciOiJFZERTQSJ9.e30.c2ln", Status: oid4vp.StatusPending,
		CreatedAt: t0, ExpiresAt: t0.Add(10 * time.Minute),
	}
}

func same(t *testing.T, got, want oid4vp.Request) {
	t.Helper()
	if got.ID != want.ID || got.Verifier != want.Verifier || got.Nonce != want.Nonce || got.State != want.State ||
		string(got.Query) != string(want.Query) || fmt.Sprint(got.Purpose) != fmt.Sprint(want.Purpose) ||
		got.Object != want.Object || got.Status != want.Status || string(got.Result) != string(want.Result) ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || !got.FetchedAt.Equal(want.FetchedAt) ||
		!got.ReceivedAt.Equal(want.ReceivedAt) || !got.CompletedAt.Equal(want.CompletedAt) {
		t.Errorf("request\n got %+v\nwant %+v", got, want)
	}
}

func testCreateGet(t *testing.T, s oid4vp.Store) {
	ctx := context.Background()
	r := request(1)
	if err := s.CreateRequest(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Query[0] = 'X' // the store kept its own copy
	r.Purpose["en"] = "changed"
	got, err := s.GetRequest(ctx, "req-1")
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, request(1))
	if got.Version != 1 {
		t.Errorf("Version %d, want 1", got.Version)
	}
	if !got.FetchedAt.IsZero() || got.Result != nil {
		t.Errorf("zero fields came back set: %+v", got)
	}
	got.Query[0] = 'Y'
	got.Purpose["th"] = "changed"
	again, _ := s.GetRequest(ctx, "req-1")
	same(t, again, request(1))
	if _, err := s.GetRequest(ctx, "req-2"); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("GetRequest of a missing request: %v", err)
	}
}

func testCreateExists(t *testing.T, s oid4vp.Store) {
	ctx := context.Background()
	if err := s.CreateRequest(ctx, request(1)); err != nil {
		t.Fatal(err)
	}
	other := request(2)
	other.ID = "req-1"
	if err := s.CreateRequest(ctx, other); !errors.Is(err, oid4vp.ErrExists) {
		t.Errorf("same id: %v", err)
	}
	got, _ := s.GetRequest(ctx, "req-1")
	same(t, got, request(1))
}

func testUpdate(t *testing.T, s oid4vp.Store) {
	ctx := context.Background()
	if err := s.CreateRequest(ctx, request(1)); err != nil {
		t.Fatal(err)
	}
	want := request(1)
	want.Status, want.FetchedAt, want.ReceivedAt, want.CompletedAt = oid4vp.StatusAnswered, t0.Add(time.Second), t0.Add(2*time.Second), t0.Add(3*time.Second)
	want.Result = []byte(`{"verified":true}`)
	got, err := s.UpdateRequest(ctx, "req-1", func(r oid4vp.Request) (oid4vp.Request, error) {
		if r.Version != 1 {
			t.Errorf("fn saw Version %d", r.Version)
		}
		r.Status, r.FetchedAt, r.ReceivedAt, r.CompletedAt, r.Result = want.Status, want.FetchedAt, want.ReceivedAt, want.CompletedAt, want.Result
		return r, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	same(t, got, want)
	stored, _ := s.GetRequest(ctx, "req-1")
	same(t, stored, want)
	if got.Version != 2 || stored.Version != 2 {
		t.Errorf("Version %d/%d, want 2", got.Version, stored.Version)
	}
	if _, err := s.UpdateRequest(ctx, "req-9", func(r oid4vp.Request) (oid4vp.Request, error) { return r, nil }); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("unknown id: %v", err)
	}
	if _, err := s.UpdateRequest(ctx, "req-1", func(r oid4vp.Request) (oid4vp.Request, error) {
		r.ID = "other"
		return r, nil
	}); err == nil {
		t.Error("an update changed the ID")
	}
	if _, err := s.GetRequest(ctx, "other"); !errors.Is(err, oid4vp.ErrNotFound) {
		t.Errorf("the refused update stored something: %v", err)
	}
}

func testUpdateFnError(t *testing.T, s oid4vp.Store) {
	ctx := context.Background()
	if err := s.CreateRequest(ctx, request(1)); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	_, err := s.UpdateRequest(ctx, "req-1", func(r oid4vp.Request) (oid4vp.Request, error) {
		r.Status = oid4vp.StatusFailed
		return r, stop
	})
	if err != stop {
		t.Errorf("err = %v, want the function's error as is", err)
	}
	got, _ := s.GetRequest(ctx, "req-1")
	if got.Status != oid4vp.StatusPending || got.Version != 1 {
		t.Errorf("aborted update stored: %+v", got)
	}
}

// testTakeOnce: of many concurrent responses to one request, exactly one
// takes it (the nonce is single use), and no update is lost.
func testTakeOnce(t *testing.T, s oid4vp.Store) {
	ctx := context.Background()
	if err := s.CreateRequest(ctx, request(1)); err != nil {
		t.Fatal(err)
	}
	used := errors.New("nonce used")
	var wins, losses atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				_, err := s.UpdateRequest(ctx, "req-1", func(r oid4vp.Request) (oid4vp.Request, error) {
					if r.Status != oid4vp.StatusPending {
						return r, used
					}
					r.Status = oid4vp.StatusReceived
					return r, nil
				})
				switch {
				case errors.Is(err, oid4vp.ErrConflict):
					continue
				case err == nil:
					wins.Add(1)
				case err == used:
					losses.Add(1)
				default:
					t.Error(err)
				}
				return
			}
		}()
	}
	wg.Wait()
	got, _ := s.GetRequest(ctx, "req-1")
	if wins.Load() != 1 || losses.Load() != 15 || got.Status != oid4vp.StatusReceived || got.Version != 2 {
		t.Errorf("wins %d, losses %d, status %s, version %d", wins.Load(), losses.Load(), got.Status, got.Version)
	}
}

func testDeleteExpired(t *testing.T, s oid4vp.Store) {
	ctx := context.Background()
	for i := range 4 {
		r := request(i)
		r.ExpiresAt = t0.Add(time.Duration(i) * time.Hour)
		if err := s.CreateRequest(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx, t0.Add(90*time.Minute))
	if err != nil || n != 2 {
		t.Fatalf("DeleteExpired = %d, %v; want 2", n, err)
	}
	for i, want := range []bool{false, false, true, true} {
		_, err := s.GetRequest(ctx, fmt.Sprintf("req-%d", i))
		if got := err == nil; got != want {
			t.Errorf("req-%d kept %v, want %v (%v)", i, got, want, err)
		}
	}
}

func testContextCanceled(t *testing.T, s oid4vp.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := s.CreateRequest(ctx, request(1)); !errors.Is(err, context.Canceled) {
		t.Errorf("CreateRequest: %v", err)
	}
	if _, err := s.GetRequest(ctx, "req-1"); !errors.Is(err, context.Canceled) {
		t.Errorf("GetRequest: %v", err)
	}
	if _, err := s.UpdateRequest(ctx, "req-1", func(r oid4vp.Request) (oid4vp.Request, error) { return r, nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("UpdateRequest: %v", err)
	}
	if _, err := s.DeleteExpired(ctx, t0); !errors.Is(err, context.Canceled) {
		t.Errorf("DeleteExpired: %v", err)
	}
}
