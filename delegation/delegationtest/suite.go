// Package delegationtest holds the conformance suite every
// delegation.Store backend runs:
//
//	func TestConformance(t *testing.T) {
//		delegationtest.TestStore(t, func(t *testing.T) delegation.Store { return openMyStore(t) })
//	}
package delegationtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/delegation"
)

// TestStore runs the conformance suite against stores made by open, each
// fresh and empty.
func TestStore(t *testing.T, open func(t *testing.T) delegation.Store) {
	ctx := context.Background()
	draft := func(id string) delegation.Draft {
		return delegation.Draft{
			ID: id, State: delegation.StateOpen, Issuer: "did:web:dbd.example",
			ValidFrom: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), ValidUntil: time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC),
			Body: []byte(`{"type":"DelegationDraft"}`), Digest: "digest",
			Directors: []delegation.Signer{{Role: delegation.RoleDirector, Key: "did:key:z1", Director: "pid:1", Authority: "eyJ.a.b"}},
			CreatedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC),
		}
	}

	t.Run("create get", func(t *testing.T) {
		s := open(t)
		d := draft("urn:uuid:1")
		if err := s.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateDraft(ctx, d); !errors.Is(err, delegation.ErrExists) {
			t.Fatalf("second create: %v, want ErrExists", err)
		}
		got, err := s.GetDraft(ctx, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != d.ID || got.Digest != d.Digest || string(got.Body) != string(d.Body) || !got.ValidUntil.Equal(d.ValidUntil) ||
			len(got.Directors) != 1 || got.Directors[0].Authority != "eyJ.a.b" || got.Version == 0 {
			t.Fatalf("got %+v", got)
		}
		if _, err := s.GetDraft(ctx, "urn:uuid:none"); !errors.Is(err, delegation.ErrNotFound) {
			t.Fatalf("absent: %v, want ErrNotFound", err)
		}
	})

	t.Run("update", func(t *testing.T) {
		s := open(t)
		d := draft("urn:uuid:2")
		if err := s.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		before, _ := s.GetDraft(ctx, d.ID)
		after, err := s.UpdateDraft(ctx, d.ID, func(old delegation.Draft) (delegation.Draft, error) {
			old.Approvals = append(old.Approvals, delegation.Approval{Role: delegation.RoleDirector, Key: "did:key:z1", JWS: "x.y.z"})
			return old, nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if after.Version <= before.Version || len(after.Approvals) != 1 {
			t.Fatalf("after update %+v", after)
		}
		stop := errors.New("stop")
		if _, err := s.UpdateDraft(ctx, d.ID, func(delegation.Draft) (delegation.Draft, error) { return delegation.Draft{}, stop }); !errors.Is(err, stop) {
			t.Fatalf("aborted update: %v", err)
		}
		if got, _ := s.GetDraft(ctx, d.ID); got.Version != after.Version {
			t.Fatal("an aborted update changed the draft")
		}
		if _, err := s.UpdateDraft(ctx, "urn:uuid:none", func(o delegation.Draft) (delegation.Draft, error) { return o, nil }); !errors.Is(err, delegation.ErrNotFound) {
			t.Fatalf("absent: %v", err)
		}
		// The caller's copies are its own.
		after.Approvals[0].JWS = "changed"
		if got, _ := s.GetDraft(ctx, d.ID); got.Approvals[0].JWS != "x.y.z" {
			t.Fatal("the store shares memory with its caller")
		}
	})

	t.Run("concurrent updates", func(t *testing.T) {
		s := open(t)
		d := draft("urn:uuid:3")
		if err := s.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
		const n = 16
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.UpdateDraft(ctx, d.ID, func(old delegation.Draft) (delegation.Draft, error) {
					old.Approvals = append(old.Approvals, delegation.Approval{Role: delegation.RoleGrantor, Key: string(rune('a' + i))})
					return old, nil
				})
				if err != nil && !errors.Is(err, delegation.ErrConflict) {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		got, _ := s.GetDraft(ctx, d.ID)
		if len(got.Approvals) != n {
			t.Fatalf("%d approvals after %d concurrent updates: an update was lost", len(got.Approvals), n)
		}
	})
}
