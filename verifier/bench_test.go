package verifier_test

// Benchmarks of vc+jwt verification with every check on, against the raw
// signature verification of the same signing input measured in the same
// run (the acceptance targets of issue 2: at most 1.6x one ed25519.Verify
// for EdDSA, at most 1.4x one P-256 verification for ES256), with a bare
// standard-library JWT check of the same token as context, and a
// breakdown of where the time goes.
//
//	go test -run '^$' -bench . ./verifier

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/big"
	"runtime"
	"runtime/metrics"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
)

// benchFixture is one issued DegreeCredential and a verifier with every
// check on: signature (the issuer's DID document already resolved: it is
// served from the resolver's Local table, as the server does for its own
// issuers and as a cache hit does for did:web), validity, schema, status
// (both entries from a warm status-list cache) and issuer trust.
type benchFixture struct {
	token    string
	verifier *verifier.Verifier
	checker  *status.Checker
	resolver *did.Resolver
	trust    verifier.StaticTrust
	issuer   string
	kid      string
	pub      any    // the issuer's public key
	input    []byte // the JWS signing input
	sig      []byte // the raw JWS signature
	payload  []byte // the decoded JWS payload (the credential's JSON)
	raw      func() bool
	bare     func() bool
}

const benchDID = "did:web:university.thaitrust.example"

// benchNow is the fixed clock: after issuance, inside every validity
// period.
var benchNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func newBenchFixture(b testing.TB, alg signing.Algorithm) *benchFixture {
	b.Helper()
	ctx := context.Background()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		b.Fatal(err)
	}
	doc := did.NewDocument(benchDID, key.Public())
	kid := doc.VerificationMethod[0].ID
	svc, err := issuer.New(issuer.Config{
		Profile: issuer.Profile{
			Name: "university", DID: benchDID, Types: []string{"DegreeCredential"},
			DisplayName:   map[string]string{"th": "มหาวิทยาลัยธารทอง", "en": "Than Thong University"},
			Signer:        jose.Signer{Key: key, Algorithm: alg, KeyID: kid},
			StatusBaseURL: "https://university.thaitrust.example/status",
		},
		Store: issuertest.NewMemoryStore(),
		Now:   func() time.Time { return benchNow.Add(-time.Hour) },
	})
	if err != nil {
		b.Fatal(err)
	}
	typ, _ := schemas.Lookup("DegreeCredential")
	var claims map[string]any
	if err := json.Unmarshal(typ.Example, &claims); err != nil {
		b.Fatal(err)
	}
	issued, err := svc.Issue(ctx, issuer.Request{Credential: claims})
	if err != nil {
		b.Fatal(err)
	}

	resolver := &did.Resolver{Local: func(id string) (*did.Document, bool) {
		return doc, id == benchDID
	}}
	algs := []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	now := func() time.Time { return benchNow }
	listOpts := jose.VerifyOptions{Algorithms: algs, Keys: resolver, Now: now}
	checker := &status.Checker{
		Fetch: func(ctx context.Context, url string) ([]byte, error) {
			rest := strings.TrimPrefix(url, "https://university.thaitrust.example/status/")
			list, purpose, _ := strings.Cut(rest, "/")
			tok, err := svc.StatusListCredential(ctx, list, purpose)
			return []byte(tok), err
		},
		Verify: func(ctx context.Context, raw []byte) (*credential.Credential, error) {
			return jose.VerifyCredential(ctx, string(raw), listOpts)
		},
		Now: now,
	}
	trust := verifier.StaticTrust{"DegreeCredential": {benchDID}}
	v, err := verifier.New(verifier.Config{
		Algorithms: algs, Keys: resolver, Trust: trust, Status: checker, Now: now,
	})
	if err != nil {
		b.Fatal(err)
	}
	f := &benchFixture{
		token: issued.Token, verifier: v, checker: checker, resolver: resolver, trust: trust,
		issuer: benchDID, kid: kid, pub: key.Public(),
	}
	// Warm the status cache and check that everything passes.
	r := v.VerifyCredential(ctx, jose.MediaTypeCredential, f.token)
	if !r.Verified || len(r.Warnings) > 0 {
		b.Fatalf("fixture does not verify cleanly: %+v", r)
	}
	for _, c := range r.Checks {
		if c.Status != verifier.Passed {
			b.Fatalf("check %s is %s, want every check to run and pass", c.Check, c.Status)
		}
	}
	p, err := jws.Parse(f.token)
	if err != nil {
		b.Fatal(err)
	}
	f.input, f.sig, f.payload = p.SigningInput, p.Signature, p.Payload
	f.raw = rawVerify(b, alg, f.pub, f.input, f.sig)
	if !f.raw() {
		b.Fatal("raw verification fails")
	}
	f.bare = bareCheck(b, alg, f.pub, f.token)
	if !f.bare() {
		b.Fatal("bare stdlib check fails")
	}
	return f
}

// TestBenchFixture keeps the benchmarks' fixture working (make test does
// not run benchmarks): every check runs and passes, and the baseline
// verifies.
func TestBenchFixture(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		newBenchFixture(t, alg)
	}
}

// rawVerify returns the baseline: one bare signature verification of the
// signing input with the standard library (for ECDSA: SHA-256 of the input
// and ecdsa.Verify, R and S decoded beforehand).
func rawVerify(b testing.TB, alg signing.Algorithm, pub any, input, sig []byte) func() bool {
	switch alg {
	case signing.EdDSA:
		k := pub.(ed25519.PublicKey)
		return func() bool { return ed25519.Verify(k, input, sig) }
	case signing.ES256:
		k := pub.(*ecdsa.PublicKey)
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return func() bool {
			d := sha256.Sum256(input)
			return ecdsa.Verify(k, d[:], r, s)
		}
	}
	b.Fatalf("no baseline for %s", alg)
	return nil
}

// bareCheck returns the second baseline: what a minimal hand-written JWT
// check with nothing but the standard library does with the same token,
// and nothing more: split the compact JWS, base64url-decode header and
// payload, encoding/json the header into a small struct (alg must be the
// expected one) and the payload into a map[string]any, and verify the
// signature (for ES256: SHA-256 and ecdsa.Verify of r||s). No strictness
// (duplicate keys, canonical base64), no credential structure, kid,
// validity, schema, status or trust.
func bareCheck(b testing.TB, alg signing.Algorithm, pub any, token string) func() bool {
	switch alg {
	case signing.EdDSA:
		k := pub.(ed25519.PublicKey)
		return func() bool {
			input, sig, ok := bareDecode(token, "EdDSA")
			return ok && ed25519.Verify(k, input, sig)
		}
	case signing.ES256:
		k := pub.(*ecdsa.PublicKey)
		return func() bool {
			input, sig, ok := bareDecode(token, "ES256")
			if !ok || len(sig) != 64 {
				return false
			}
			d := sha256.Sum256(input)
			r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
			return ecdsa.Verify(k, d[:], r, s)
		}
	}
	b.Fatalf("no bare check for %s", alg)
	return nil
}

// bareDecode is the decoding half of bareCheck: it returns the signing
// input and the signature.
func bareDecode(token, alg string) (input, sig []byte, ok bool) {
	h, rest, ok1 := strings.Cut(token, ".")
	p, s, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 {
		return nil, nil, false
	}
	hj, err := base64.RawURLEncoding.DecodeString(h)
	if err != nil {
		return nil, nil, false
	}
	var hdr struct {
		Alg string `json:"alg"`
		Kid string `json:"kid"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(hj, &hdr); err != nil || hdr.Alg != alg {
		return nil, nil, false
	}
	pj, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return nil, nil, false
	}
	var claims map[string]any
	if err := json.Unmarshal(pj, &claims); err != nil {
		return nil, nil, false
	}
	if sig, err = base64.RawURLEncoding.DecodeString(s); err != nil {
		return nil, nil, false
	}
	return []byte(token[:len(h)+1+len(p)]), sig, true
}

func (f *benchFixture) verify(b *testing.B) {
	r := f.verifier.VerifyCredential(context.Background(), jose.MediaTypeCredential, f.token)
	if !r.Verified {
		b.Fatal("verification failed")
	}
}

// BenchmarkVerifyVsRaw measures, in the same run and on the same token,
// full verification (every check on), the raw signature verification of
// the same signing input, and a bare standard-library JWT check (see
// bareCheck), and reports the ratios of the first and the last to raw:
// "x-raw" is full verification (targets: EdDSA <= 1.6, ES256 <= 1.4),
// "bare-x-raw" the bare stdlib check.
//
// The three alternate in blocks of 32 calls, so that drifting machine
// load hits them alike while each pays for its own garbage collection;
// the ratios are those of the median block times (on a shared 2-core
// machine a few blocks are always descheduled). verify-ns, raw-ns and
// bare-ns are the median block times per call; allocs/call and B/call are
// the verification's heap allocations; token-B and payload-B the sizes of
// the compact JWS and of its decoded payload (the credential's JSON). Its
// ns/op (and, with -benchmem, B/op and allocs/op) are per block of each,
// not results.
func BenchmarkVerifyVsRaw(b *testing.B) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			f := newBenchFixture(b, alg)
			const block = 32
			var full, raw, bare []time.Duration
			for b.Loop() {
				t0 := time.Now()
				for range block {
					f.verify(b)
				}
				t1 := time.Now()
				for range block {
					if !f.raw() {
						b.Fatal("raw verification failed")
					}
				}
				t2 := time.Now()
				for range block {
					if !f.bare() {
						b.Fatal("bare stdlib check failed")
					}
				}
				t3 := time.Now()
				full = append(full, t1.Sub(t0))
				raw = append(raw, t2.Sub(t1))
				bare = append(bare, t3.Sub(t2))
			}
			reportRatio(b, "verify", full, "raw", raw, block)
			mb, mr := median(bare), median(raw)
			b.ReportMetric(float64(mb)/float64(mr), "bare-x-raw")
			b.ReportMetric(float64(mb.Nanoseconds())/float64(block), "bare-ns")
			b.ReportMetric(float64(len(f.token)), "token-B")
			b.ReportMetric(float64(len(f.payload)), "payload-B")
			reportMem(b, func() { f.verify(b) })
		})
	}
}

// BenchmarkVerifyCost measures what each operation costs the process in
// CPU time, garbage collection included, which the wall-clock medians of
// BenchmarkVerifyVsRaw leave partly out: the collector's background work
// runs on the other core, and the median block is one that no
// collection's pauses or assists fell into.
//
// Full verification, the raw signature verification and the bare stdlib
// JWT check run in turns (phases of 256 calls each), and the process CPU
// time of each phase is taken (getrusage, all threads). The collector's
// CPU time (runtime/metrics /cpu/classes/gc/total) is then taken out of
// the phase it happened to fall into and charged to the operations in
// proportion to the bytes each allocated, since allocation is what makes
// the collector run. "cpu-x-raw" and "bare-cpu-x-raw" are full
// verification's and the bare check's cost in raw verifications;
// verify-cpu-ns, raw-cpu-ns and bare-cpu-ns the costs per call; gc-ns and
// bare-gc-ns the collector's share of them; B/call and bare-B/call the
// bytes allocated per call. CPU time does not count the time the process
// waits for the CPU, so a busy machine disturbs these figures less than
// wall-clock ones, though not at all is too much to hope for (caches and
// memory bandwidth are shared). Its ns/op is the time of one round of the
// three phases, not a result.
func BenchmarkVerifyCost(b *testing.B) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			f := newBenchFixture(b, alg)
			ops := []func(){
				func() { f.verify(b) },
				func() {
					if !f.raw() {
						b.Fatal("raw verification failed")
					}
				},
				func() {
					if !f.bare() {
						b.Fatal("bare stdlib check failed")
					}
				},
			}
			const phase = 256
			var cpu, gc [3]time.Duration
			var bytes [3]uint64
			calls := 0
			for b.Loop() {
				for i, op := range ops {
					c0, g0, a0 := processCPU(), gcCPU(), allocatedBytes()
					for range phase {
						op()
					}
					cpu[i] += processCPU() - c0
					gc[i] += gcCPU() - g0
					bytes[i] += allocatedBytes() - a0
				}
				calls += phase
			}
			allGC := gc[0] + gc[1] + gc[2]
			allBytes := float64(bytes[0] + bytes[1] + bytes[2])
			var cost, gcShare [3]float64 // ns per call
			for i := range ops {
				gcShare[i] = float64(allGC) * float64(bytes[i]) / allBytes / float64(calls)
				cost[i] = float64(cpu[i]-gc[i])/float64(calls) + gcShare[i]
			}
			b.ReportMetric(cost[0]/cost[1], "cpu-x-raw")
			b.ReportMetric(cost[2]/cost[1], "bare-cpu-x-raw")
			b.ReportMetric(cost[0], "verify-cpu-ns")
			b.ReportMetric(cost[1], "raw-cpu-ns")
			b.ReportMetric(cost[2], "bare-cpu-ns")
			b.ReportMetric(gcShare[0], "gc-ns")
			b.ReportMetric(gcShare[2], "bare-gc-ns")
			b.ReportMetric(float64(bytes[0])/float64(calls), "B/call")
			b.ReportMetric(float64(bytes[2])/float64(calls), "bare-B/call")
		})
	}
}

// processCPU returns the CPU time the process has used, all threads.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

var gcMetrics = []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}, {Name: "/gc/heap/allocs:bytes"}}

// gcCPU returns the runtime's estimate of the CPU time spent collecting
// garbage so far.
func gcCPU() time.Duration {
	metrics.Read(gcMetrics[:1])
	return time.Duration(gcMetrics[0].Value.Float64() * 1e9)
}

// allocatedBytes returns the bytes allocated on the heap so far.
func allocatedBytes() uint64 {
	metrics.Read(gcMetrics[1:])
	return gcMetrics[1].Value.Uint64()
}

// reportMem reports the heap allocations of one call of fn (allocs/call,
// B/call): with -benchmem, allocs/op and B/op of the interleaved
// benchmarks count a whole block of each operation.
func reportMem(b *testing.B, fn func()) {
	var m0, m1 runtime.MemStats
	const n = 100
	runtime.ReadMemStats(&m0)
	for range n {
		fn()
	}
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/n, "allocs/call")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/n, "B/call")
}

// reportRatio reports the ratio of the median block times of a and base,
// and each median per call.
func reportRatio(b *testing.B, aName string, a []time.Duration, baseName string, base []time.Duration, block int) {
	ma, mb := median(a), median(base)
	b.ReportMetric(float64(ma)/float64(mb), "x-"+baseName)
	b.ReportMetric(float64(ma.Nanoseconds())/float64(block), aName+"-ns")
	b.ReportMetric(float64(mb.Nanoseconds())/float64(block), baseName+"-ns")
}

func median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}

// BenchmarkVerifyBreakdown measures each step of a verification on its
// own, in the order the verifier runs them, so one can see where the time
// of BenchmarkVerifyVsRaw goes. Like it, each step alternates with the raw
// signature verification in blocks of 32 calls; "x-raw" is the step's
// median block time over raw's, i.e. its cost in raw verifications, which
// stays meaningful when the machine is busy; step-ns is its median time
// per call. The steps' sum exceeds the whole a little (each step re-reads
// what the previous one left in cache). ns/op is the cost of a block of
// each, not a result.
func BenchmarkVerifyBreakdown(b *testing.B) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		b.Run(string(alg), func(b *testing.B) {
			f := newBenchFixture(b, alg)
			benchBreakdown(b, f)
		})
	}
}

func benchBreakdown(b *testing.B, f *benchFixture) {
	ctx := context.Background()
	p, err := jws.Parse(f.token)
	if err != nil {
		b.Fatal(err)
	}
	payload := string(p.Payload)
	doc, err := jsonx.ParseObjectString(payload)
	if err != nil {
		b.Fatal(err)
	}
	c, err := credential.FromMap(doc)
	if err != nil {
		b.Fatal(err)
	}
	s, err := jose.ParseCredential(f.token)
	if err != nil {
		b.Fatal(err)
	}
	algs := []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	pub, err := f.resolver.ResolveKey(ctx, f.kid, did.AssertionMethod)
	if err != nil {
		b.Fatal(err)
	}
	run := func(name string, fn func() error) {
		b.Run(name, func(b *testing.B) {
			const block = 32
			var step, bare []time.Duration
			for b.Loop() {
				t0 := time.Now()
				for range block {
					if err := fn(); err != nil {
						b.Fatal(err)
					}
				}
				t1 := time.Now()
				for range block {
					if !f.raw() {
						b.Fatal("raw verification failed")
					}
				}
				t2 := time.Now()
				step = append(step, t1.Sub(t0))
				bare = append(bare, t2.Sub(t1))
			}
			reportRatio(b, "step", step, "raw", bare, block)
			reportMem(b, func() { fn() })
		})
	}
	run("0-all", func() error { f.verify(b); return nil })
	// Format: jose.ParseCredential = jws.ParseText + jsonx payload + claims
	// + FromMap. Each JWS is released once done with, as the verifier does.
	run("1-format/jose.ParseCredential", func() error {
		s, err := jose.ParseCredential(f.token)
		if err == nil {
			s.Release()
		}
		return err
	})
	run("1-format/jws.ParseText", func() error {
		p, err := jws.ParseText(f.token)
		if err == nil {
			p.Release()
		}
		return err
	})
	run("1-format/jsonx.ParseObjectString-payload", func() error { _, err := jsonx.ParseObjectString(payload); return err })
	run("1-format/credential.FromMap", func() error { _, err := credential.FromMap(doc); return err })
	// Signature: jose VerifyProof = DID key resolution + jws Verify.
	opts := jose.VerifyOptions{Algorithms: algs, Keys: f.resolver}
	run("2-signature/jose.VerifyProof", func() error { return s.VerifyProof(ctx, opts) })
	run("2-signature/did.ResolveKey-cached", func() error {
		_, err := f.resolver.ResolveKey(ctx, f.kid, did.AssertionMethod)
		return err
	})
	run("2-signature/jws.Verify", func() error { return p.Verify(pub, jws.VerifyOptions{Algorithms: algs}) })
	run("3-validity", func() error { return s.CheckValidity(benchNow, 0) })
	run("4-schema/schemas.Has", func() error {
		if !schemas.Has(c.PrimaryType()) {
			return fmt.Errorf("no schema")
		}
		return nil
	})
	run("4-schema/schemas.Validate", func() error { return schemas.Validate("DegreeCredential", c.Map()) })
	run("5-status/cached-2-entries", func() error {
		for _, e := range c.Status {
			if _, err := f.checker.Check(ctx, c, e); err != nil {
				return err
			}
		}
		return nil
	})
	run("6-trust/StaticTrust", func() error {
		d, err := f.trust.TrustIssuer(ctx, verifier.TrustQuery{Issuer: c.Issuer.ID, Type: c.PrimaryType(), At: c.ValidFrom})
		if err == nil && !d.Trusted {
			err = fmt.Errorf("not trusted")
		}
		return err
	})
}
