package sdjwt

import (
	"context"
	"crypto/ed25519"
	"slices"
	"testing"
	"time"
)

// benchPresentation is an EdDSA SD-JWT VC presented with 5 disclosures
// and a KB-JWT, the case of the issue's acceptance benchmark. It returns
// the presentation, the options that verify it, and the issuer JWT's
// signing input and signature for the bare Ed25519 baseline.
func benchPresentation(b testing.TB) (string, VerifyOptions, []byte, []byte, ed25519.PublicKey) {
	f := newFixture(b)
	vc := VC{
		Type:     "https://credentials.thaitrust.example/degree",
		Issuer:   "did:web:registry.dopa.go.th",
		IssuedAt: t0.Add(-time.Hour),
		Expiry:   t0.Add(365 * 24 * time.Hour),
		Holder:   f.holder.Public(),
		Status:   map[string]any{"status_list": map[string]any{"idx": 94567, "uri": "https://status.example.th/lists/1"}},
		Claims: map[string]any{
			"given_name":  "สมชาย",
			"family_name": "ใจดี",
			"degree":      "Bachelor of Engineering",
			"institution": "Chulalongkorn University",
			"conferred":   "2025-05-30",
		},
	}
	spec := Spec{"/given_name", "/family_name", "/degree", "/institution", "/conferred"}
	s, err := IssueVC(vc, spec, f.signer(), IssueOptions{})
	if err != nil {
		b.Fatal(err)
	}
	sd, err := Parse(s)
	if err != nil {
		b.Fatal(err)
	}
	pres, err := sd.Present([]string{""}, f.kb())
	if err != nil {
		b.Fatal(err)
	}
	opts := f.opts()
	v, err := Verify(context.Background(), pres, opts)
	if err != nil || len(v.Disclosed) != 5 || !v.KeyBound {
		b.Fatalf("setup: %v %v", err, v)
	}
	return pres, opts, sd.sigs[0].jws.SigningInput, sd.sigs[0].jws.Signature, f.issuer.Public().(ed25519.PublicKey)
}

// BenchmarkVerify is Verify of an SD-JWT VC presentation: 5 disclosures,
// a KB-JWT, EdDSA for both signatures.
func BenchmarkVerify(b *testing.B) {
	pres, opts, _, _, _ := benchPresentation(b)
	ctx := context.Background()
	b.SetBytes(int64(len(pres)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Verify(ctx, pres, opts); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519Verify is the baseline: one bare ed25519.Verify of the
// issuer JWT's signing input.
func BenchmarkEd25519Verify(b *testing.B) {
	_, _, input, sig, pub := benchPresentation(b)
	for b.Loop() {
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("verify failed")
		}
	}
}

// BenchmarkVerifyOverhead measures Verify and one bare ed25519.Verify of
// the same issuer signing input in the same run, interleaved call by call
// (blocks of one) so that machine noise hits both alike, and reports the
// ratio of their median times (target: <= 2.6; the two signatures alone
// make 2; medians, because on a shared machine some calls are always
// descheduled). Where the OS offers per-thread CPU clocks it also
// reports cpu-ratio, the same ratio in CPU time of the benchmark's
// thread, which descheduling does not inflate (GC work on other threads
// is not in it). Its ns/op is the cost of one call of each, not a result.
func BenchmarkVerifyOverhead(b *testing.B) {
	pres, opts, input, sig, pub := benchPresentation(b)
	ctx := context.Background()
	clock := threadClock(b)
	var full, bare, fullCPU, bareCPU []time.Duration
	for b.Loop() {
		c0, t0 := clock(), time.Now()
		if _, err := Verify(ctx, pres, opts); err != nil {
			b.Fatal(err)
		}
		c1, t1 := clock(), time.Now()
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("verify failed")
		}
		c2, t2 := clock(), time.Now()
		full, bare = append(full, t1.Sub(t0)), append(bare, t2.Sub(t1))
		fullCPU, bareCPU = append(fullCPU, c1-c0), append(bareCPU, c2-c1)
	}
	f, r := median(full), median(bare)
	b.ReportMetric(float64(f)/float64(r), "ratio")
	b.ReportMetric(float64(f.Nanoseconds()), "verify-ns")
	b.ReportMetric(float64(r.Nanoseconds()), "ed25519-ns")
	if fc, rc := median(fullCPU), median(bareCPU); rc > 0 {
		b.ReportMetric(float64(fc)/float64(rc), "cpu-ratio")
	}
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkParse is the decoding and processing part of Verify alone.
func BenchmarkParse(b *testing.B) {
	pres, _, _, _, _ := benchPresentation(b)
	b.SetBytes(int64(len(pres)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(pres); err != nil {
			b.Fatal(err)
		}
	}
}
