package bolt_test

import (
	"context"
	"errors"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
)

func TestRegistryStore(t *testing.T) {
	registrytest.TestStore(t, func(t *testing.T) registry.Store {
		return open(t, bolt.Options{}).Registry()
	})
}

func TestRegistryStoreNoGroupCommit(t *testing.T) {
	registrytest.TestStore(t, func(t *testing.T) registry.Store {
		return open(t, bolt.Options{MaxBatchSize: 1}).Registry()
	})
}

// TestRegistryReopen checks that a registry survives closing the file and
// that its buckets carry a schema version.
func TestRegistryReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "thaitrust.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	sc := registrytest.NewScheme(t, db.Registry())
	head := sc.Service.Head()
	db.Close()

	db, err = bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := registry.Open(context.Background(), registry.Config{Store: db.Registry(), Root: "etda", Now: sc.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if s.Head().Hash != head.Hash {
		t.Errorf("head after reopen %d, want %d", s.Head().Seq, head.Seq)
	}
	a, err := s.Authorize(context.Background(), registry.AuthorizationQuery{Entity: sc.Members["university"].DID, Resource: "DegreeCredential", At: registrytest.Epoch.Add(time.Hour)})
	if err != nil || !a.Authorized {
		t.Errorf("after reopen: %+v, %v", a, err)
	}
	if _, err := registry.Verify(context.Background(), db.Registry()); err != nil {
		t.Error(err)
	}
	db.Close()

	// A newer registry schema is refused.
	b, err := bbolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Update(func(tx *bbolt.Tx) error { return tx.Bucket([]byte("meta")).Put([]byte("registry"), []byte("2")) }); err != nil {
		t.Fatal(err)
	}
	b.Close()
	db, err = bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Registry().Head(context.Background()); !errors.Is(err, bolt.ErrIncompatible) {
		t.Errorf("newer registry schema: %v, want ErrIncompatible", err)
	}
}

// BenchmarkRegistryChange: one status change through registry.Service on
// the bbolt store: JSON state, hash, and a durable (fsynced) append of
// event, object and index in one transaction.
func BenchmarkRegistryChange(b *testing.B) {
	db := open(b, bolt.Options{})
	sc := registrytest.NewScheme(b, db.Registry())
	id := sc.Members["university"].Accreditation.ID
	ctx := context.Background()
	reqs := []registry.StatusRequest{{Status: registry.StatusSuspended, Reason: "audit"}, {Status: registry.StatusActive, Reason: "ok"}}
	i := 0
	for b.Loop() {
		sc.Clock.Advance(time.Second)
		if _, err := sc.Service.SetAccreditationStatus(ctx, registrytest.Admin, id, reqs[i%2]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkRegistryOpen: loading a registry of 10,000 entities with an
// accreditation each from the bbolt file into memory.
func BenchmarkRegistryOpen(b *testing.B) {
	db := open(b, bolt.Options{})
	sc := registrytest.NewScheme(b, db.Registry())
	ctx := context.Background()
	for i := range 10_000 {
		id := "issuer-" + strconv.Itoa(i)
		if _, err := sc.Service.Register(ctx, registrytest.Admin, registry.Entity{ID: id, Kinds: []registry.Kind{registry.KindIssuer},
			Name: registry.Text{EN: id}, Jurisdiction: "TH"}, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := registry.Open(ctx, registry.Config{Store: db.Registry(), Root: "etda"}); err != nil {
			b.Fatal(err)
		}
	}
}
