package mongo_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/store/mongo"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

// replicas opens n clients of one new database, each with its own
// connection pool, as n ThaiTrust processes would.
func replicas(t *testing.T, n int) []*mongo.DB {
	t.Helper()
	uri := mongotest.URI(t)
	dbs := make([]*mongo.DB, n)
	for i := range dbs {
		dbs[i] = openURI(t, uri)
	}
	return dbs
}

type pair struct {
	list  string
	index uint64
}

// TestReplicasAllocateOnce runs one issuer.Service per client, all for the
// same issuer profile, issuing concurrently across the rollover from list 1
// (nearly full) to list 2, which several replicas try to create at once.
// Every (list, index) pair handed out must be distinct, every credential
// recorded, and list 1 spent exactly.
func TestReplicasAllocateOnce(t *testing.T) {
	const (
		nReplicas = 3
		workers   = 4  // concurrent requests per replica
		each      = 25 // credentials per worker
		left      = 90 // free counters in list 1
	)
	ctx := context.Background()
	dbs := replicas(t, nReplicas)
	size := uint64(status.MinSize)
	if err := dbs[0].Issuer().CreateList(ctx, issuer.StatusList{
		Issuer: "university", ID: "1", Seq: 1, Size: size, Next: size - left, Key: [32]byte{7},
		Revoked: make([]byte, size/8), Suspended: make([]byte, size/8),
	}); err != nil {
		t.Fatal(err)
	}
	first := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA,
		issuer.Config{Store: dbs[0].Issuer(), ReserveBlock: 3}, "DegreeCredential")
	services := []*issuer.Service{first.Service}
	for i := 1; i < nReplicas; i++ {
		svc, err := issuer.New(issuer.Config{Store: dbs[i].Issuer(), ReserveBlock: uint64(3 + i), Profile: first.Service.Profile(), Now: first.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		services = append(services, svc)
	}

	tmpl := issuertest.Example(t, "DegreeCredential")
	var (
		mu    sync.Mutex
		seen  = map[pair]string{}
		lists = map[string]int{}
		wg    sync.WaitGroup
	)
	for r, svc := range services {
		for w := range workers {
			wg.Go(func() {
				for range each {
					is, err := svc.Issue(ctx, issuer.Request{Credential: issuertest.Clone(tmpl)})
					if err != nil {
						t.Errorf("replica %d worker %d: %v", r, w, err)
						return
					}
					p := pair{is.Record.ListID, is.Record.Index}
					mu.Lock()
					if prev, dup := seen[p]; dup {
						t.Errorf("status index %v handed out twice: %s and %s", p, prev, is.Record.ID)
					}
					seen[p] = is.Record.ID
					lists[p.list]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	const total = nReplicas * workers * each
	if len(seen) != total {
		t.Fatalf("%d distinct pairs for %d credentials", len(seen), total)
	}
	if lists["1"] > left || lists["2"] == 0 || len(lists) != 2 {
		t.Errorf("credentials per list: %v (list 1 had %d free indexes)", lists, left)
	}
	l1, err := dbs[1].Issuer().GetList(ctx, "university", "1")
	if err != nil || l1.Next != size {
		t.Errorf("list 1: Next %d, %v; want %d (spent)", l1.Next, err, size)
	}
	// Every credential is recorded, with its pair, in every replica's view.
	for i, db := range dbs {
		n := 0
		for before := ""; ; {
			page, err := db.Issuer().ListRecords(ctx, "university", before, 100)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				if seen[pair{r.ListID, r.Index}] != r.ID {
					t.Errorf("replica %d: record %s has pair (%s, %d), not the one it was issued with", i, r.ID, r.ListID, r.Index)
				}
			}
			n += len(page)
			before = page[len(page)-1].ID
		}
		if n != total {
			t.Errorf("replica %d sees %d records, want %d", i, n, total)
		}
	}
}

// TestReplicasUpdateList races raw UpdateList increments from several
// clients (the per-process serialisation does not apply across clients,
// so every race goes through the commit insert): no update is lost and
// each result is seen once.
func TestReplicasUpdateList(t *testing.T) {
	const nReplicas, goroutines, each = 4, 2, 60
	ctx := context.Background()
	dbs := replicas(t, nReplicas)
	if err := dbs[0].Issuer().CreateList(ctx, issuer.StatusList{Issuer: "u", ID: "1", Seq: 1, Size: 1024,
		Revoked: make([]byte, 128), Suspended: make([]byte, 128)}); err != nil {
		t.Fatal(err)
	}
	var (
		mu   sync.Mutex
		seen = map[uint64]int{}
		wg   sync.WaitGroup
	)
	for r, db := range dbs {
		for g := range goroutines {
			wg.Go(func() {
				s := db.Issuer()
				for i := 0; i < each; {
					got, err := s.UpdateList(ctx, "u", "1", func(l issuer.StatusList) (issuer.StatusList, error) {
						l.Next++
						l.Revoked[l.Next%128] ^= 1 << r
						return l, nil
					})
					if errors.Is(err, issuer.ErrConflict) {
						continue
					}
					if err != nil {
						t.Errorf("replica %d goroutine %d: %v", r, g, err)
						return
					}
					mu.Lock()
					seen[got.Next]++
					mu.Unlock()
					i++
				}
			})
		}
	}
	wg.Wait()
	const total = nReplicas * goroutines * each
	for i, db := range dbs {
		l, err := db.Issuer().GetList(ctx, "u", "1")
		if err != nil {
			t.Fatal(err)
		}
		if l.Next != total || l.Version != total+1 {
			t.Errorf("replica %d: Next %d, Version %d; want %d, %d (lost updates)", i, l.Next, l.Version, total, total+1)
		}
	}
	for n := uint64(1); n <= total; n++ {
		if seen[n] != 1 {
			t.Errorf("Next = %d returned %d times, want once", n, seen[n])
			break
		}
	}
}

// TestReplicasAudit: FVS audit appends from several clients get the
// sequence numbers 1..n, each once, and concurrent enrolments of one
// subject from several clients each get their own version.
func TestReplicasAudit(t *testing.T) {
	const nReplicas, each = 3, 15
	ctx := context.Background()
	dbs := replicas(t, nReplicas)
	var (
		mu       sync.Mutex
		seqs     = map[int64]int{}
		versions = map[int64]int{}
		wg       sync.WaitGroup
	)
	for r, db := range dbs {
		for g := range 2 {
			wg.Go(func() {
				s := db.FVS()
				for i := range each {
					seq, err := s.AppendAudit(ctx, fvs.AuditEntry{At: time.Now(), Action: "verify", RequestID: fmt.Sprint(r, g, i)})
					if err != nil {
						t.Error(err)
						return
					}
					v, err := s.PutTemplate(ctx, fvs.TemplateRecord{Model: "m", Ciphertext: []byte{byte(r), byte(i)}})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					seqs[seq]++
					versions[v]++
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	const total = nReplicas * 2 * each
	for n := int64(1); n <= total; n++ {
		if seqs[n] != 1 || versions[n] != 1 {
			t.Fatalf("audit seq %d given %d times, template version %d %d times; want once each", n, seqs[n], n, versions[n])
		}
	}
	es, err := dbs[0].FVS().ListAudit(ctx, 0, 1000)
	if err != nil || len(es) != total {
		t.Errorf("ListAudit: %d entries, %v", len(es), err)
	}
}
