package delegation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
)

// BenchmarkVerifyChain verifies the scenario's three-link chain (DBD
// company + two directors + seal -> accountant -> clerk), every signature
// EdDSA, with status lists cached (the first verification fetches them).
// A chain costs nine Ed25519 verifications: the company, two director
// authorities, two director approvals, the seal, two links and the
// accountant's approval.
//
// Besides ns/op (wall clock), it reports the process CPU time per
// verification (cpu-ns/op, garbage collection included), which a loaded
// machine distorts far less, and the same measure for one raw
// ed25519.Verify of a 2 KB message taken in the same run
// (ed25519-cpu-ns), and their ratio (x-ed25519). The sub-benchmark
// ed25519 is the raw verification's wall clock.
func BenchmarkVerifyChain(b *testing.B) {
	f := newFixture(b, true)
	chain := f.chain(b)
	req := f.request()
	ctx := context.Background()
	if r := f.v.Verify(ctx, chain, req); !r.Verified {
		b.Fatalf("%+v", r.Failure)
	}
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	msg := make([]byte, 2048)
	sig := ed25519.Sign(priv, msg)
	raw := func() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("bad signature")
		}
	}
	b.Run("chain", func(b *testing.B) {
		const baseline = 500
		c0 := processCPU()
		for range baseline {
			raw()
		}
		ed := float64(processCPU()-c0) / baseline
		b.ReportAllocs()
		n := 0
		c0 = processCPU()
		for b.Loop() {
			if r := f.v.Verify(ctx, chain, req); !r.Verified {
				b.Fatal(r.Failure)
			}
			n++
		}
		if cpu := float64(processCPU()-c0) / float64(n); cpu > 0 && ed > 0 {
			b.ReportMetric(cpu, "cpu-ns/op")
			b.ReportMetric(ed, "ed25519-cpu-ns")
			b.ReportMetric(cpu/ed, "x-ed25519")
		}
	})
	b.Run("ed25519", func(b *testing.B) {
		for b.Loop() {
			raw()
		}
	})
}
