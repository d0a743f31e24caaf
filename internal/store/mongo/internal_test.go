package mongo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
)

func openTest(t *testing.T) (*DB, string) {
	t.Helper()
	uri := mongotest.URI(t)
	db, err := Open(context.Background(), uri, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, uri
}

func TestDiffBits(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 500 {
		n := rng.IntN(300)
		old := make([]byte, n)
		for j := range old {
			old[j] = byte(rng.Uint32())
		}
		nu := bytes.Clone(old)
		switch i % 4 {
		case 0: // a few bytes
			for range rng.IntN(4) {
				if n > 0 {
					nu[rng.IntN(n)] ^= byte(1 + rng.IntN(255))
				}
			}
		case 1: // many
			for j := range nu {
				if rng.IntN(3) == 0 {
					nu[j]++
				}
			}
		case 2: // resized
			nu = append(nu, 1, 2, 3)
		case 3: // unchanged
		}
		c := diffBits(old, nu)
		if bytes.Equal(old, nu) != (c == nil) {
			t.Fatalf("case %d: change %+v for equal=%v", i, c, bytes.Equal(old, nu))
		}
		got, err := c.apply(old)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, nu) {
			t.Fatalf("case %d: apply(diff) differs", i)
		}
		if c != nil && !c.Replace {
			total := 0
			for _, s := range c.Spans {
				total += len(s.B)
			}
			if total > len(nu)/4 {
				t.Errorf("case %d: spans carry %d of %d bytes", i, total, len(nu))
			}
		}
	}
	// One revoked credential changes one byte: one span of one byte.
	old := make([]byte, 16384)
	nu := bytes.Clone(old)
	nu[9000] = 0x20
	if c := diffBits(old, nu); c.Replace || len(c.Spans) != 1 || len(c.Spans[0].B) != 1 || c.Spans[0].O != 9000 {
		t.Errorf("one bit: %+v", c)
	}
	if _, err := (&bitsChange{Spans: []span{{O: 10, B: []byte{1}}}}).apply(make([]byte, 5)); err == nil {
		t.Error("a span outside the bitstring applied")
	}
}

func newList(iss, id string, seq int64) issuer.StatusList {
	return issuer.StatusList{Issuer: iss, ID: id, Seq: seq, Size: 1024, Key: [32]byte{1, 2, 3},
		Revoked: make([]byte, 128), Suspended: make([]byte, 128), CreatedAt: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
}

// TestRollForward: a writer that committed changes but died before
// updating the list document, and (FerretDB) a late write that put an
// older snapshot back, are both invisible to readers and to the next
// writer.
func TestRollForward(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	s := db.Issuer().(*issuerStore)
	if err := s.CreateList(ctx, newList("u", "1", 1)); err != nil {
		t.Fatal(err)
	}
	k := key("u", "1")
	// Versions 2 and 3 committed, document left at 1.
	cur, _, err := s.current(ctx, bson.D{{Key: "_id", Value: k}})
	if err != nil {
		t.Fatal(err)
	}
	for v := int64(2); v <= 3; v++ {
		nl := cloneList(cur)
		nl.Next += 10
		nl.Revoked[v] = 0xff
		nl.Version = v
		c := changeDoc{Key: changeKey(k, v), V: issuerVersion, Issuer: "u", ID: "1", Version: v, Writer: []byte{byte(v)},
			Size: 1024, PermKey: nl.Key[:], Next: int64(nl.Next), CreatedAt: date(nl.CreatedAt),
			Revoked: diffBits(cur.Revoked, nl.Revoked)}
		if ok, err := s.commit(ctx, c); !ok || err != nil {
			t.Fatalf("commit %d: %v, %v", v, ok, err)
		}
		// A second commit of the same version by another writer loses.
		c.Writer = []byte("other")
		if ok, err := s.commit(ctx, c); ok || err != nil {
			t.Fatalf("second commit of %d: %v, %v", v, ok, err)
		}
		cur = nl
	}
	check := func(what string, wantNext uint64, wantVersion int64) {
		t.Helper()
		for _, get := range []func() (issuer.StatusList, error){
			func() (issuer.StatusList, error) { return s.GetList(ctx, "u", "1") },
			func() (issuer.StatusList, error) { return s.LatestList(ctx, "u") },
		} {
			l, err := get()
			if err != nil {
				t.Fatal(err)
			}
			if l.Next != wantNext || l.Version != wantVersion || l.Revoked[2] != 0xff || l.Revoked[3] != 0xff || !l.CreatedAt.Equal(cur.CreatedAt) {
				t.Errorf("%s: Next %d Version %d Revoked[2:4] %x; want %d, %d, ffff", what, l.Next, l.Version, l.Revoked[2:4], wantNext, wantVersion)
			}
		}
	}
	check("document behind the changes", 20, 3)

	// The next update starts from version 3, writes the whole document.
	other, err := Open(ctx, mongoURI(t, db), Options{}) // no cached state
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	l, err := other.Issuer().UpdateList(ctx, "u", "1", func(l issuer.StatusList) (issuer.StatusList, error) {
		l.Next++
		return l, nil
	})
	if err != nil || l.Version != 4 || l.Next != 21 {
		t.Fatalf("UpdateList = version %d next %d, %v", l.Version, l.Next, err)
	}
	var d listDoc
	if err := s.lists().FindOne(ctx, bson.D{{Key: "_id", Value: k}}).Decode(&d); err != nil || d.Version != 4 || d.Next != 21 {
		t.Fatalf("document after the update: version %d next %d, %v", d.Version, d.Next, err)
	}
	check("document caught up", 21, 4)

	// A late write puts the version-1 snapshot back.
	old, _ := encodeList(newList("u", "1", 1))
	old.Version = 1
	if _, err := s.lists().ReplaceOne(ctx, bson.D{{Key: "_id", Value: k}}, old); err != nil {
		t.Fatal(err)
	}
	check("document regressed", 21, 4)
	// This process's cached state is still right; the update fixes the
	// document.
	if l, err := s.UpdateList(ctx, "u", "1", func(l issuer.StatusList) (issuer.StatusList, error) { l.Next++; return l, nil }); err != nil || l.Version != 5 {
		t.Fatalf("UpdateList after regression: %d, %v", l.Version, err)
	}
	check("after update", 22, 5)
}

// mongoURI returns a URI of db's database on the test deployment.
func mongoURI(t *testing.T, db *DB) string {
	base, _ := mongotest.Server(t)
	u, err := mongotest.WithDatabase(base, db.Name())
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSchemaVersions(t *testing.T) {
	ctx := context.Background()
	db, uri := openTest(t)
	s := db.Issuer()
	if err := s.CreateList(ctx, newList("u", "1", 1)); err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord(ctx, issuer.Record{Issuer: "u", ID: "r1"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{collLists, collRecords} {
		if _, err := db.db.Collection(c).UpdateMany(ctx, bson.D{}, bson.D{{Key: "$set", Value: bson.D{{Key: "v", Value: 2}}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.GetList(ctx, "u", "1"); !errors.Is(err, ErrIncompatible) {
		t.Errorf("list of a newer version: %v", err)
	}
	if _, err := s.GetRecord(ctx, "u", "r1"); !errors.Is(err, ErrIncompatible) {
		t.Errorf("record of a newer version: %v", err)
	}
	// Reopening checks the recorded domain versions.
	if _, err := db.db.Collection(collMeta).UpdateOne(ctx, bson.D{{Key: "_id", Value: "registry"}}, bson.D{{Key: "$set", Value: bson.D{{Key: "v", Value: 2}}}}); err != nil {
		t.Fatal(err)
	}
	if db2, err := Open(ctx, uri, Options{}); !errors.Is(err, ErrIncompatible) {
		if db2 != nil {
			db2.Close()
		}
		t.Errorf("Open of a newer registry schema: %v", err)
	}
	var m struct {
		V int `bson:"v"`
	}
	if err := db.db.Collection(collMeta).FindOne(ctx, bson.D{{Key: "_id", Value: "issuer"}}).Decode(&m); err != nil || m.V != issuerVersion {
		t.Errorf("meta issuer: %d, %v", m.V, err)
	}
}

// TestRegistryHeadNotApplied: a writer died after inserting its event and
// before writing the object version. The walks and Entity see the object,
// the history verifies, and the next append goes on from there.
func TestRegistryHeadNotApplied(t *testing.T) {
	ctx := context.Background()
	db, _ := openTest(t)
	s := db.Registry().(*registryStore)
	sc := registrytest.NewScheme(t, s)
	id := sc.Members["university"].Entity.ID
	// forge inserts a further event for the university, without its
	// object, and returns a new client (one that applied nothing).
	forge := func(reason string) registry.Store {
		t.Helper()
		head, err := s.Head(ctx)
		if err != nil {
			t.Fatal(err)
		}
		e, err := s.Entity(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		e.StatusReason, e.Version = reason, head.Seq+1
		state, err := json.Marshal(e)
		if err != nil {
			t.Fatal(err)
		}
		ev := registry.Event{Seq: head.Seq + 1, At: head.At.Add(time.Second), Actor: "test", Action: registry.ActionEntityStatus,
			Subject: id, State: state, PrevHash: head.Hash}
		ev.Hash = ev.ComputeHash()
		if _, err := s.events().InsertOne(ctx, encodeEvent(ev)); err != nil {
			t.Fatal(err)
		}
		other, err := Open(ctx, mongoURI(t, db), Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { other.Close() })
		return other.Registry()
	}

	// The walk (here through Verify) applies the head.
	other := forge("crash before the walk")
	if _, err := registry.Verify(ctx, other); err != nil {
		t.Errorf("Verify: %v", err)
	}
	svc, err := registry.Open(ctx, registry.Config{Store: forge("crash before open"), Root: "etda", Now: sc.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := svc.Entity(id); !ok || e.StatusReason != "crash before open" {
		t.Errorf("registry.Open after a crash: %q, %v", e.StatusReason, ok)
	}
	// Entity applies the head.
	other = forge("crash before a read")
	if e, err := other.Entity(ctx, id); err != nil || e.StatusReason != "crash before a read" {
		t.Errorf("Entity after a crash: %q, %v", e.StatusReason, err)
	}
	// An append after a crash applies the head first.
	other = forge("crash before an append")
	svc, err = registry.Open(ctx, registry.Config{Store: other, Root: "etda", Now: sc.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	sc.Clock.Advance(time.Hour)
	if _, err := svc.SetEntityStatus(ctx, registrytest.Admin, id, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"}); err != nil {
		t.Fatal(err)
	}
	if n, err := registry.Verify(ctx, other); err != nil {
		t.Errorf("Verify after %d events: %v", n, err)
	}
	var objs int64
	if objs, err = s.objects().CountDocuments(ctx, bson.D{{Key: "id", Value: id}}); err != nil || objs < 5 {
		t.Errorf("%d versions of %s, %v", objs, id, err)
	}
}
