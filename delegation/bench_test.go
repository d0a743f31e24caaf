package delegation

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
)

// BenchmarkVerifyChain verifies the scenario's three-link chain (DBD
// company + two directors + seal -> accountant -> clerk), every signature
// EdDSA, with status lists cached (the first verification fetches them):
// nine Ed25519 verifications per chain (company, two director
// authorities, two director approvals, the seal, two links and the
// accountant's approval). Ed25519 is one raw ed25519.Verify of a
// 2 KB message in the same run, the baseline the figure is read against.
func BenchmarkVerifyChain(b *testing.B) {
	f := newFixture(b, true)
	chain := f.chain(b)
	req := f.request()
	ctx := context.Background()
	if r := f.v.Verify(ctx, chain, req); !r.Verified {
		b.Fatalf("%+v", r.Failure)
	}
	b.Run("chain", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if r := f.v.Verify(ctx, chain, req); !r.Verified {
				b.Fatal(r.Failure)
			}
		}
	})
	b.Run("ed25519", func(b *testing.B) {
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		msg := make([]byte, 2048)
		sig := ed25519.Sign(priv, msg)
		for b.Loop() {
			if !ed25519.Verify(pub, msg, sig) {
				b.Fatal("bad")
			}
		}
	})
}
