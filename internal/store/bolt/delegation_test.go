package bolt_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/delegation/delegationtest"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
)

func TestDelegationStore(t *testing.T) {
	delegationtest.TestStore(t, func(t *testing.T) delegation.Store {
		return open(t, bolt.Options{}).Delegation()
	})
}

func TestDelegationStoreNoGroupCommit(t *testing.T) {
	delegationtest.TestStore(t, func(t *testing.T) delegation.Store {
		return open(t, bolt.Options{MaxBatchSize: 1}).Delegation()
	})
}

// TestDelegationDraftReopen: a draft and its approvals survive closing and
// reopening the file, with the grant intact, and the export walk sees it.
func TestDelegationDraftReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "thaitrust.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	d := delegation.Draft{
		ID: "urn:uuid:reopen", State: delegation.StateOpen, Issuer: "did:web:dbd.example",
		Delegation: delegation.Delegation{
			Grantee: delegation.Party{ID: "did:key:zGrantee"},
			Scope:   delegation.Scope{Actions: []string{"vat.file"}},
			Purpose: delegation.Text{TH: "ยื่นภาษี", EN: "file VAT"},
		},
		ValidFrom: at.Truncate(time.Second), ValidUntil: at.Add(time.Hour).Truncate(time.Second),
		Directors: []delegation.Signer{{Role: delegation.RoleDirector, Key: "did:key:z1", Director: "pid:1", Authority: "eyJ.a.b"}},
		Body:      []byte(`{"type":"DelegationDraft"}`), Digest: "digest", CreatedAt: at,
	}
	if err := db.Delegation().CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Delegation().UpdateDraft(ctx, d.ID, func(o delegation.Draft) (delegation.Draft, error) {
		o.Approvals = append(o.Approvals, delegation.Approval{Role: delegation.RoleDirector, Key: "did:key:z1", JWS: "x.y.z", At: at})
		return o, nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.Delegation().GetDraft(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != 2 || len(got.Approvals) != 1 || got.Approvals[0].JWS != "x.y.z" || !got.Approvals[0].At.Equal(at) ||
		!got.CreatedAt.Equal(at) || got.Delegation.Grantee.ID != "did:key:zGrantee" || got.Delegation.Purpose.TH != "ยื่นภาษี" ||
		len(got.Delegation.Scope.Actions) != 1 || got.Directors[0].Director != "pid:1" {
		t.Fatalf("after reopen: %+v", got)
	}
	var seen []string
	if err := db.DelegationDrafts(ctx, func(d delegation.Draft) error { seen = append(seen, d.ID); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(seen) != 1 || seen[0] != d.ID {
		t.Fatalf("export walk: %v", seen)
	}
}
