package oid4vcitest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/issuer/oid4vci"
)

// TestStore runs the conformance suite for oid4vci.Store implementations.
// open must return a new, empty store for each call (it is called once per
// subtest) and arrange its cleanup with t.Cleanup.
//
// Beyond the interface documentation, the suite pins down: CreateOffer
// stores Version 1 and each successful update the previous + 1; an update
// function's error is returned as is (==) and nothing is stored; issuers
// with names that are prefixes of one another do not see each other's
// state; times keep their instant to the millisecond; byte slices are
// never shared with the caller; a cancelled context fails every method
// with context.Canceled.
func TestStore(t *testing.T, open func(t *testing.T) oid4vci.Store) {
	t.Helper()
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s oid4vci.Store)
	}{
		{"CreateGetOffer", testCreateGetOffer},
		{"CreateOfferExists", testCreateOfferExists},
		{"UpdateOfferByCode", testUpdateOfferByCode},
		{"UpdateOfferFnError", testUpdateOfferFnError},
		{"UpdateOfferConcurrent", testUpdateOfferConcurrent},
		{"Tickets", testTickets},
		{"TakeTicketOnce", testTakeTicketOnce},
		{"Isolation", testIsolation},
		{"DeleteExpired", testDeleteExpired},
		{"ContextCanceled", testContextCanceled},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open(t)) })
	}
}

var t0 = time.Date(2025, 6, 1, 9, 30, 0, 123_000_000, time.UTC)

func offer(issuer string, i int) oid4vci.Offer {
	return oid4vci.Offer{
		Issuer: issuer, ID: fmt.Sprintf("id-%d", i), CodeHash: fmt.Sprintf("code-%d", i), TxCodeHash: "tx",
		Configurations: []string{"DegreeCredential.sd_jwt", "DegreeCredential.jwt"},
		Credential:     []byte(`{"type":["VerifiableCredential","DegreeCredential"]}`),
		State:          oid4vci.OfferActive, CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute),
	}
}

func sameOffer(t *testing.T, got, want oid4vci.Offer) {
	t.Helper()
	if got.Issuer != want.Issuer || got.ID != want.ID || got.CodeHash != want.CodeHash || got.TxCodeHash != want.TxCodeHash ||
		got.TxCodeAttempts != want.TxCodeAttempts || fmt.Sprint(got.Configurations) != fmt.Sprint(want.Configurations) ||
		string(got.Credential) != string(want.Credential) || got.State != want.State || got.TokenHash != want.TokenHash ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) || !got.RedeemedAt.Equal(want.RedeemedAt) {
		t.Errorf("offer\n got %+v\nwant %+v", got, want)
	}
}

func testCreateGetOffer(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	o := offer("university", 1)
	if err := s.CreateOffer(ctx, o); err != nil {
		t.Fatal(err)
	}
	o.Credential[0] = 'X' // the store kept its own copy
	got, err := s.GetOffer(ctx, "university", "id-1")
	if err != nil {
		t.Fatal(err)
	}
	o.Credential[0] = '{'
	sameOffer(t, got, o)
	if got.Version != 1 {
		t.Errorf("Version %d, want 1", got.Version)
	}
	got.Credential[0] = 'Y'
	again, _ := s.GetOffer(ctx, "university", "id-1")
	if again.Credential[0] != '{' {
		t.Error("GetOffer shares memory with the store")
	}
	if _, err := s.GetOffer(ctx, "university", "id-2"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("GetOffer of a missing offer: %v", err)
	}
}

func testCreateOfferExists(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	if err := s.CreateOffer(ctx, offer("university", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOffer(ctx, offer("university", 1)); !errors.Is(err, oid4vci.ErrExists) {
		t.Errorf("same id: %v", err)
	}
	o := offer("university", 2)
	o.CodeHash = "code-1"
	if err := s.CreateOffer(ctx, o); !errors.Is(err, oid4vci.ErrExists) {
		t.Errorf("same code: %v", err)
	}
	if _, err := s.GetOffer(ctx, "university", "id-2"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("refused offer stored: %v", err)
	}
}

func testUpdateOfferByCode(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	if err := s.CreateOffer(ctx, offer("university", 1)); err != nil {
		t.Fatal(err)
	}
	got, err := s.UpdateOfferByCode(ctx, "university", "code-1", func(o oid4vci.Offer) (oid4vci.Offer, error) {
		o.State = oid4vci.OfferRedeemed
		o.TokenHash = "tok"
		o.RedeemedAt = t0.Add(time.Minute)
		o.TxCodeAttempts = 2
		return o, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	want := offer("university", 1)
	want.State, want.TokenHash, want.RedeemedAt, want.TxCodeAttempts = oid4vci.OfferRedeemed, "tok", t0.Add(time.Minute), 2
	sameOffer(t, got, want)
	stored, _ := s.GetOffer(ctx, "university", "id-1")
	sameOffer(t, stored, want)
	if got.Version != 2 || stored.Version != 2 {
		t.Errorf("Version %d/%d, want 2", got.Version, stored.Version)
	}
	if _, err := s.UpdateOfferByCode(ctx, "university", "code-9", func(o oid4vci.Offer) (oid4vci.Offer, error) { return o, nil }); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("unknown code: %v", err)
	}
	if _, err := s.UpdateOfferByCode(ctx, "university", "code-1", func(o oid4vci.Offer) (oid4vci.Offer, error) {
		o.ID = "other"
		return o, nil
	}); err == nil {
		t.Error("an update changed the ID")
	}
}

func testUpdateOfferFnError(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	if err := s.CreateOffer(ctx, offer("university", 1)); err != nil {
		t.Fatal(err)
	}
	stop := errors.New("stop")
	_, err := s.UpdateOfferByCode(ctx, "university", "code-1", func(o oid4vci.Offer) (oid4vci.Offer, error) {
		o.State = oid4vci.OfferBurned
		return o, stop
	})
	if err != stop {
		t.Errorf("err = %v, want the function's error as is", err)
	}
	got, _ := s.GetOffer(ctx, "university", "id-1")
	if got.State != oid4vci.OfferActive || got.Version != 1 {
		t.Errorf("aborted update stored: %+v", got)
	}
}

// testUpdateOfferConcurrent: of many concurrent redemptions of one code,
// exactly one sees the offer active; and no attempt count is lost.
func testUpdateOfferConcurrent(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	if err := s.CreateOffer(ctx, offer("university", 1)); err != nil {
		t.Fatal(err)
	}
	var wins, attempts atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			won := false
			for {
				_, err := s.UpdateOfferByCode(ctx, "university", "code-1", func(o oid4vci.Offer) (oid4vci.Offer, error) {
					won = false
					o.TxCodeAttempts++
					if o.State == oid4vci.OfferActive {
						o.State = oid4vci.OfferRedeemed
						won = true
					}
					return o, nil
				})
				if errors.Is(err, oid4vci.ErrConflict) {
					continue
				}
				if err != nil {
					t.Error(err)
				}
				break
			}
			attempts.Add(1)
			if won {
				wins.Add(1)
			}
		}()
	}
	wg.Wait()
	got, _ := s.GetOffer(ctx, "university", "id-1")
	if wins.Load() != 1 || got.TxCodeAttempts != 16 || got.Version != 17 {
		t.Errorf("wins %d, attempts %d, version %d", wins.Load(), got.TxCodeAttempts, got.Version)
	}
}

func ticket(issuer string, kind oid4vci.TicketKind, hash string) oid4vci.Ticket {
	return oid4vci.Ticket{Issuer: issuer, Kind: kind, Hash: hash, Offer: "id-1", CreatedAt: t0, ExpiresAt: t0.Add(5 * time.Minute)}
}

func sameTicket(t *testing.T, got, want oid4vci.Ticket) {
	t.Helper()
	if got.Issuer != want.Issuer || got.Kind != want.Kind || got.Hash != want.Hash || got.Offer != want.Offer ||
		!got.CreatedAt.Equal(want.CreatedAt) || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ticket\n got %+v\nwant %+v", got, want)
	}
}

func testTickets(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	tok := ticket("university", oid4vci.KindAccessToken, "h1")
	if err := s.PutTicket(ctx, tok); err != nil {
		t.Fatal(err)
	}
	if err := s.PutTicket(ctx, tok); !errors.Is(err, oid4vci.ErrExists) {
		t.Errorf("duplicate: %v", err)
	}
	// The same hash as another kind is another ticket.
	n := ticket("university", oid4vci.KindNonce, "h1")
	n.Offer = ""
	if err := s.PutTicket(ctx, n); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetTicket(ctx, "university", oid4vci.KindAccessToken, "h1")
	if err != nil {
		t.Fatal(err)
	}
	sameTicket(t, got, tok)
	if got, err = s.GetTicket(ctx, "university", oid4vci.KindAccessToken, "h1"); err != nil {
		t.Fatal("GetTicket consumed the ticket")
	}
	got, err = s.TakeTicket(ctx, "university", oid4vci.KindAccessToken, "h1")
	if err != nil {
		t.Fatal(err)
	}
	sameTicket(t, got, tok)
	if _, err := s.TakeTicket(ctx, "university", oid4vci.KindAccessToken, "h1"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("second take: %v", err)
	}
	if _, err := s.GetTicket(ctx, "university", oid4vci.KindAccessToken, "h1"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("get after take: %v", err)
	}
	if got, err = s.GetTicket(ctx, "university", oid4vci.KindNonce, "h1"); err != nil {
		t.Errorf("the nonce went with the token: %v", err)
	}
	// Expiry is the caller's: an expired ticket is still returned.
	old := ticket("university", oid4vci.KindNonce, "old")
	old.ExpiresAt = t0.Add(-time.Hour)
	if err := s.PutTicket(ctx, old); err != nil {
		t.Fatal(err)
	}
	if got, err = s.TakeTicket(ctx, "university", oid4vci.KindNonce, "old"); err != nil || !got.ExpiresAt.Equal(old.ExpiresAt) {
		t.Errorf("take expired: %+v %v", got, err)
	}
}

func testTakeTicketOnce(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	for i := range 4 {
		if err := s.PutTicket(ctx, ticket("university", oid4vci.KindNonce, fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	var got [4]atomic.Int32
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 4 {
				if _, err := s.TakeTicket(ctx, "university", oid4vci.KindNonce, fmt.Sprint(i)); err == nil {
					got[i].Add(1)
				} else if !errors.Is(err, oid4vci.ErrNotFound) {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	for i := range got {
		if n := got[i].Load(); n != 1 {
			t.Errorf("ticket %d taken %d times", i, n)
		}
	}
}

func testIsolation(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	a, b := offer("chula", 1), offer("chula-med", 1)
	if err := s.CreateOffer(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateOffer(ctx, b); err != nil {
		t.Fatal("same id and code at another issuer:", err)
	}
	if _, err := s.UpdateOfferByCode(ctx, "chula", "code-1", func(o oid4vci.Offer) (oid4vci.Offer, error) {
		o.State = oid4vci.OfferBurned
		return o, nil
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.GetOffer(ctx, "chula-med", "id-1"); got.State != oid4vci.OfferActive {
		t.Error("update leaked to another issuer")
	}
	if err := s.PutTicket(ctx, ticket("chula", oid4vci.KindAccessToken, "h")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetTicket(ctx, "chula-med", oid4vci.KindAccessToken, "h"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("ticket visible to another issuer: %v", err)
	}
	if _, err := s.TakeTicket(ctx, "chul", oid4vci.KindAccessToken, "a\x00h"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Errorf("key confusion: %v", err)
	}
}

func testDeleteExpired(t *testing.T, s oid4vci.Store) {
	ctx := context.Background()
	old, fresh := offer("university", 1), offer("university", 2)
	old.ExpiresAt = t0.Add(-time.Minute)
	for _, o := range []oid4vci.Offer{old, fresh} {
		if err := s.CreateOffer(ctx, o); err != nil {
			t.Fatal(err)
		}
	}
	ot, ft := ticket("university", oid4vci.KindNonce, "old"), ticket("university", oid4vci.KindNonce, "fresh")
	ot.ExpiresAt = t0.Add(-time.Minute)
	for _, tk := range []oid4vci.Ticket{ot, ft} {
		if err := s.PutTicket(ctx, tk); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.DeleteExpired(ctx, t0)
	if err != nil || n != 2 {
		t.Errorf("DeleteExpired = %d, %v; want 2", n, err)
	}
	if _, err := s.GetOffer(ctx, "university", "id-1"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Error("expired offer kept")
	}
	if _, err := s.UpdateOfferByCode(ctx, "university", "code-1", func(o oid4vci.Offer) (oid4vci.Offer, error) { return o, nil }); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Error("expired offer's code kept")
	}
	if _, err := s.GetOffer(ctx, "university", "id-2"); err != nil {
		t.Error("fresh offer deleted")
	}
	if _, err := s.GetTicket(ctx, "university", oid4vci.KindNonce, "old"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Error("expired ticket kept")
	}
	if _, err := s.GetTicket(ctx, "university", oid4vci.KindNonce, "fresh"); err != nil {
		t.Error("fresh ticket deleted")
	}
}

func testContextCanceled(t *testing.T, s oid4vci.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	nop := func(o oid4vci.Offer) (oid4vci.Offer, error) { return o, nil }
	checks := map[string]error{
		"CreateOffer": s.CreateOffer(ctx, offer("university", 1)),
		"PutTicket":   s.PutTicket(ctx, ticket("university", oid4vci.KindNonce, "n")),
	}
	_, checks["GetOffer"] = s.GetOffer(ctx, "university", "id-1")
	_, checks["UpdateOfferByCode"] = s.UpdateOfferByCode(ctx, "university", "code-1", nop)
	_, checks["GetTicket"] = s.GetTicket(ctx, "university", oid4vci.KindNonce, "n")
	_, checks["TakeTicket"] = s.TakeTicket(ctx, "university", oid4vci.KindNonce, "n")
	_, checks["DeleteExpired"] = s.DeleteExpired(ctx, t0)
	for name, err := range checks {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := s.GetOffer(context.Background(), "university", "id-1"); !errors.Is(err, oid4vci.ErrNotFound) {
		t.Error("CreateOffer with a cancelled context stored the offer")
	}
}
