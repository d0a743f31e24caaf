package mongo_test

import (
	"context"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

// parallelism is the b.SetParallelism factor: 32 goroutines per
// GOMAXPROCS, standing in for concurrent HTTP requests (as in the bolt
// benchmarks).
const parallelism = 32

// BenchmarkIssue measures issuance through issuer.Service (validate,
// allocate a status index, sign EdDSA, record durably) on three stores in
// the same run: the embedded file (bolt, fsync per group commit); MongoDB
// through one client (here FerretDB, or THAITRUST_MONGO_URI); and two
// clients of one database, one Service each, as two ThaiTrust processes
// would (they race for index reservations through the commit inserts).
// creds/s is the figure to compare.
func BenchmarkIssue(b *testing.B) {
	tmpl := issuertest.Example(b, "DegreeCredential")
	run := func(b *testing.B, services []*issuer.Service) {
		ctx := context.Background()
		// Warm up: the first reservation creates the list.
		for _, svc := range services {
			if _, err := svc.Issue(ctx, issuer.Request{Credential: issuertest.Clone(tmpl)}); err != nil {
				b.Fatal(err)
			}
		}
		var next atomic.Int64
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			svc := services[int(next.Add(1))%len(services)]
			for pb.Next() {
				if _, err := svc.Issue(ctx, issuer.Request{Credential: issuertest.Clone(tmpl)}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creds/s")
	}
	replicaServices := func(b *testing.B, stores []issuer.Store) []*issuer.Service {
		first := issuertest.NewVirtualIssuerConfig(b, "university", signing.EdDSA, issuer.Config{Store: stores[0]}, "DegreeCredential")
		out := []*issuer.Service{first.Service}
		for _, s := range stores[1:] {
			svc, err := issuer.New(issuer.Config{Store: s, Profile: first.Service.Profile(), Now: first.Clock.Now})
			if err != nil {
				b.Fatal(err)
			}
			out = append(out, svc)
		}
		return out
	}
	b.Run("store=bolt", func(b *testing.B) {
		db, err := bolt.Open(filepath.Join(b.TempDir(), "thaitrust.db"), bolt.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		run(b, replicaServices(b, []issuer.Store{db.Issuer()}))
	})
	b.Run("store=mongo/clients=1", func(b *testing.B) {
		run(b, replicaServices(b, []issuer.Store{open(b).Issuer()}))
	})
	b.Run("store=mongo/clients=2", func(b *testing.B) {
		uri := mongotest.URI(b)
		run(b, replicaServices(b, []issuer.Store{openURI(b, uri).Issuer(), openURI(b, uri).Issuer()}))
	})
}

// BenchmarkStoreOps measures the store operations of issuance on their
// own: a durable record insert and an index reservation (UpdateList
// Next++ on a list with two 16 KiB bitstrings), from parallel goroutines.
func BenchmarkStoreOps(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name string
		open func(b *testing.B) issuer.Store
	}{
		{"store=bolt", func(b *testing.B) issuer.Store {
			db, err := bolt.Open(filepath.Join(b.TempDir(), "thaitrust.db"), bolt.Options{})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { db.Close() })
			return db.Issuer()
		}},
		{"store=mongo", func(b *testing.B) issuer.Store { return open(b).Issuer() }},
	} {
		b.Run("PutRecord/"+bc.name, func(b *testing.B) {
			s := bc.open(b)
			var n atomic.Int64
			b.SetParallelism(parallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					r := issuer.Record{ID: "urn:uuid:" + itoa(i), Issuer: "university", Type: "DegreeCredential", Format: "vc+jwt", ListID: "1", Index: uint64(i)}
					if err := s.PutRecord(ctx, r); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
		})
		b.Run("UpdateList/"+bc.name, func(b *testing.B) {
			s := bc.open(b)
			if err := s.CreateList(ctx, issuer.StatusList{Issuer: "university", ID: "1", Seq: 1, Size: 131072,
				Revoked: make([]byte, 16384), Suspended: make([]byte, 16384)}); err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(parallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if _, err := s.UpdateList(ctx, "university", "1", func(l issuer.StatusList) (issuer.StatusList, error) {
						l.Next++
						return l, nil
					}); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "updates/s")
		})
	}
}

func itoa(i int64) string {
	const digits = "0123456789"
	var buf [20]byte
	p := len(buf)
	for {
		p--
		buf[p] = digits[i%10]
		i /= 10
		if i == 0 {
			return string(buf[p:])
		}
	}
}
