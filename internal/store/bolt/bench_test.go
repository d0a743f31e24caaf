package bolt_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/issuer"
)

// parallelism is the b.SetParallelism factor of the parallel benchmarks:
// 32 goroutines per GOMAXPROCS, standing in for concurrent HTTP requests.
const parallelism = 32

func reportRate(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
}

// BenchmarkPutRecord measures durable (fsynced) inserts. Compare
// "parallel" with "parallel-nogroup" for the gain of group commit.
func BenchmarkPutRecord(b *testing.B) {
	ctx := context.Background()
	b.Run("sequential", func(b *testing.B) {
		s := open(b, bolt.Options{}).Issuer()
		i := 0
		for b.Loop() {
			if err := s.PutRecord(ctx, record(i)); err != nil {
				b.Fatal(err)
			}
			i++
		}
		reportRate(b, "records/s")
	})
	for _, bc := range []struct {
		name string
		opts bolt.Options
	}{
		{"parallel-nogroup", bolt.Options{MaxBatchSize: 1}},
		{"parallel", bolt.Options{}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := open(b, bc.opts).Issuer()
			var n atomic.Int64
			b.SetParallelism(parallelism)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := s.PutRecord(ctx, record(int(n.Add(1)))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			reportRate(b, "records/s")
		})
	}
}

// BenchmarkUpdateList measures the allocation step of issuance: Next++ on
// a list with two 16 KiB bitstrings, which rewrites the whole list.
func BenchmarkUpdateList(b *testing.B) {
	ctx := context.Background()
	inc := func(l issuer.StatusList) (issuer.StatusList, error) {
		l.Next++
		return l, nil
	}
	setup := func(b *testing.B) issuer.Store {
		s := open(b, bolt.Options{}).Issuer()
		err := s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "1", Seq: 1, Size: 131072,
			Revoked: make([]byte, 16384), Suspended: make([]byte, 16384)})
		if err != nil {
			b.Fatal(err)
		}
		return s
	}
	b.Run("sequential", func(b *testing.B) {
		s := setup(b)
		for b.Loop() {
			if _, err := s.UpdateList(ctx, "chula", "1", inc); err != nil {
				b.Fatal(err)
			}
		}
		reportRate(b, "updates/s")
	})
	b.Run("parallel", func(b *testing.B) {
		s := setup(b)
		b.SetParallelism(parallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.UpdateList(ctx, "chula", "1", inc); err != nil {
					b.Error(err)
					return
				}
			}
		})
		reportRate(b, "updates/s")
	})
}

func BenchmarkGetRecord(b *testing.B) {
	const n = 10000
	ctx := context.Background()
	db := open(b, bolt.Options{})
	s := db.Issuer()
	// Fill with one big batch-friendly burst.
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- s.PutRecord(ctx, record(i)) }()
	}
	for range n {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	b.Run("sequential", func(b *testing.B) {
		i := 0
		for b.Loop() {
			if _, err := s.GetRecord(ctx, "chula", record(i*7919%n).ID); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		var c atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.GetRecord(ctx, "chula", record(int(c.Add(7919))%n).ID); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
