package registry_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	rand2 "crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registryhttp"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// The large registry of the benchmarks: 100,000 entities and 1,000,000
// history events, built once per test binary through the Service (every
// accreditation signed, every change hashed into the history).
const (
	largeBodies = 20
	largeTypes  = 40
)

// largeEntities and largeEvents are divided by THAITRUST_BENCH_DIV (for
// profiling the build on a smaller registry).
var (
	largeEntities = 100_000 / benchDiv()
	largeEvents   = int64(1_000_000 / benchDiv())
)

func benchDiv() int {
	if n, err := strconv.Atoi(os.Getenv("THAITRUST_BENCH_DIV")); err == nil && n > 0 {
		return n
	}
	return 1
}

type largeRegistry struct {
	svc      *registry.Service
	store    *registrytest.MemoryStore
	root     jose.Signer
	dids     []string // issuer DIDs
	types    [][]string
	start    time.Time
	end      time.Time
	buildDur time.Duration
}

var (
	largeOnce sync.Once
	large     *largeRegistry
	largeErr  error
)

func typeName(i int) string { return fmt.Sprintf("Type%02dCredential", i) }

// rootKey is the large registry's scheme operator key: ES256, whose
// signature hashes the list once (Ed25519 hashes it twice with SHA-512,
// about three times the work on a 200 MB list).
func rootKey() (string, jose.Signer) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand2.Reader)
	d, _ := did.KeyDID(k.Public())
	return d, jose.Signer{Key: k, Algorithm: signing.ES256, KeyID: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

func keyDID(seed uint64) (string, jose.Signer) {
	var s [32]byte
	r := rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	for i := 0; i < 32; i += 8 {
		v := r.Uint64()
		for j := range 8 {
			s[i+j] = byte(v >> (8 * j))
		}
	}
	k := ed25519.NewKeyFromSeed(s[:])
	d, _ := did.KeyDID(k.Public())
	return d, jose.Signer{Key: k, Algorithm: signing.EdDSA, KeyID: d + "#" + strings.TrimPrefix(d, "did:key:")}
}

func buildLarge() (*largeRegistry, error) {
	began := time.Now()
	ctx := context.Background()
	l := &largeRegistry{store: registrytest.NewMemoryStore(), start: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	now := l.start
	clock := func() time.Time { return now }
	signers := map[string]jose.Signer{}
	rootDID, root := rootKey()
	l.root = root
	signers["root"] = root
	bodyDIDs := make([]string, largeBodies)
	for i := range largeBodies {
		d, s := keyDID(uint64(100 + i))
		bodyDIDs[i] = d
		signers[fmt.Sprintf("body-%02d", i)] = s
	}
	svc, err := registry.Open(ctx, registry.Config{Store: l.store, Root: "root", Signers: signers, Now: clock, DefaultValidity: 2 * 365 * 24 * time.Hour})
	if err != nil {
		return nil, err
	}
	l.svc = svc
	ent := func(id, d string, k registry.Kind) registry.Entity {
		return registry.Entity{ID: id, Kinds: []registry.Kind{k}, Name: registry.Text{TH: "หน่วยงาน " + id, EN: "Organisation " + id}, Jurisdiction: "TH",
			Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: d}}}
	}
	if _, err := svc.Register(ctx, "bench", ent("root", rootDID, registry.KindSchemeOperator), ""); err != nil {
		return nil, err
	}
	// Each accreditation body may accredit 4 of the 40 types.
	for i := range largeBodies {
		id := fmt.Sprintf("body-%02d", i)
		if _, err := svc.Register(ctx, "bench", ent(id, bodyDIDs[i], registry.KindAccreditationBody), ""); err != nil {
			return nil, err
		}
		var ts []string
		for j := range 4 {
			ts = append(ts, typeName((i*2+j)%largeTypes))
		}
		if _, err := svc.Accredit(ctx, "bench", registry.AccreditRequest{Subject: id, Role: registry.RoleAccreditor, ValidFrom: l.start, ValidUntil: l.start.AddDate(3, 0, 0),
			Scope: registry.Scope{CredentialTypes: ts}}); err != nil {
			return nil, err
		}
	}
	rng := rand.New(rand.NewPCG(7, 7))
	accs := make([]string, 0, largeEntities)
	for i := range largeEntities {
		id := fmt.Sprintf("issuer-%06d", i)
		d, _ := keyDID(uint64(1000 + i))
		if _, err := svc.Register(ctx, "bench", ent(id, d, registry.KindIssuer), ""); err != nil {
			return nil, err
		}
		body := i % largeBodies
		ts := []string{typeName((body*2 + rng.IntN(4)) % largeTypes)}
		a, err := svc.Accredit(ctx, "bench", registry.AccreditRequest{Subject: id, Accreditor: fmt.Sprintf("body-%02d", body), Role: registry.RoleIssuer,
			ValidFrom: l.start.Add(time.Duration(rng.IntN(90*24)) * time.Hour), Scope: registry.Scope{CredentialTypes: ts}})
		if err != nil {
			return nil, err
		}
		l.dids = append(l.dids, d)
		l.types = append(l.types, ts)
		accs = append(accs, a.ID)
	}
	// The rest of the million events: suspensions and reinstatements
	// from the end of the accreditations' start period on (one a minute,
	// about a year and a half), a few withdrawals.
	now = l.start.AddDate(0, 0, 90)
	for svc.Head().Seq < largeEvents {
		now = now.Add(time.Minute)
		id := accs[rng.IntN(len(accs))]
		a, _ := svc.Accreditation(id)
		req := registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"}
		switch {
		case a.Status == registry.StatusWithdrawn:
			continue
		case rng.IntN(200) == 0:
			req = registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"}
		case a.Status == registry.StatusSuspended:
			req = registry.StatusRequest{Status: registry.StatusActive, Reason: "audit passed"}
		}
		if _, err := svc.SetAccreditationStatus(ctx, "bench", id, req); err != nil {
			return nil, err
		}
	}
	l.end = now
	l.buildDur = time.Since(began)
	return l, nil
}

func getLarge(b *testing.B) *largeRegistry {
	b.Helper()
	if testing.Short() {
		b.Skip("large registry: not in -short mode")
	}
	largeOnce.Do(func() {
		large, largeErr = buildLarge()
		if largeErr == nil {
			fmt.Printf("large registry: %d entities, %d events, built in %v\n", largeEntities+largeBodies+1, large.svc.Head().Seq, large.buildDur.Round(time.Millisecond))
		}
	})
	if largeErr != nil {
		b.Fatal(largeErr)
	}
	return large
}

// randomQuery: a random issuer, mostly one of its types, at a random time
// between the registry's start and its last change.
func (l *largeRegistry) randomQuery(rng *rand.Rand) registry.AuthorizationQuery {
	i := rng.IntN(len(l.dids))
	typ := l.types[i][0]
	if rng.IntN(5) == 0 {
		typ = typeName(rng.IntN(largeTypes))
	}
	at := l.start.Add(time.Duration(rng.Int64N(int64(l.end.Sub(l.start)))))
	return registry.AuthorizationQuery{Entity: l.dids[i], Resource: typ, At: at}
}

// latencies measures n calls of f one by one and reports p50, p99 and
// max, with a log-scale histogram on -v.
func latencies(b *testing.B, n int, f func(i int)) (p50, p99 time.Duration) {
	b.Helper()
	d := make([]time.Duration, n)
	for i := range n {
		t0 := time.Now()
		f(i)
		d[i] = time.Since(t0)
	}
	slices.Sort(d)
	p50, p99 = d[n/2], d[n*99/100]
	b.ReportMetric(float64(p50.Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(p99.Nanoseconds()), "p99-ns")
	b.ReportMetric(float64(d[n-1].Nanoseconds()), "max-ns")
	var hist strings.Builder
	lo := time.Duration(0)
	for hi := 500 * time.Nanosecond; lo < d[n-1]; hi *= 2 {
		c := 0
		for _, x := range d {
			if x >= lo && x < hi {
				c++
			}
		}
		if c > 0 {
			fmt.Fprintf(&hist, "  [%8v, %8v) %7d %s\n", lo, hi, c, strings.Repeat("#", max(1, c*60/n)))
		}
		lo = hi
	}
	b.Logf("%d queries: p50 %v, p99 %v, max %v\n%s", n, p50, p99, d[n-1], hist.String())
	return p50, p99
}

// BenchmarkAuthorizeLarge: in-process authorization queries against the
// large registry. Budget: p99 under 1 ms.
func BenchmarkAuthorizeLarge(b *testing.B) {
	l := getLarge(b)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	qs := make([]registry.AuthorizationQuery, 100_000)
	for i := range qs {
		qs[i] = l.randomQuery(rng)
	}
	authorized := 0
	_, p99 := latencies(b, len(qs), func(i int) {
		a, _ := l.svc.Authorize(ctx, qs[i])
		if a.Authorized {
			authorized++
		}
	})
	b.Logf("%d of %d queries authorized", authorized, len(qs))
	if p99 > time.Millisecond {
		b.Errorf("p99 %v over the 1 ms budget", p99)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		_, _ = l.svc.Authorize(ctx, qs[i%len(qs)])
	}
}

// BenchmarkAuthorizeLargeParallel: the same queries from all CPUs.
func BenchmarkAuthorizeLargeParallel(b *testing.B) {
	l := getLarge(b)
	ctx := context.Background()
	b.RunParallel(func(pb *testing.PB) {
		rng := rand.New(rand.NewPCG(rand.Uint64(), 3))
		for pb.Next() {
			_, _ = l.svc.Authorize(ctx, l.randomQuery(rng))
		}
	})
}

// BenchmarkAuthorizeLargeHTTP: TRQP authorization queries over HTTP on
// loopback. Budget: p99 under 5 ms.
func BenchmarkAuthorizeLargeHTTP(b *testing.B) {
	l := getLarge(b)
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	(&registryhttp.Handler{Registry: l.svc}).Register(e)
	srv := httptest.NewServer(e)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
	rng := rand.New(rand.NewPCG(5, 6))
	bodies := make([]string, 20_000)
	for i := range bodies {
		q := l.randomQuery(rng)
		bodies[i] = fmt.Sprintf(`{"entity_id":%q,"action":"issue","resource":%q,"context":{"time":%q}}`, q.Entity, q.Resource, q.At.Format(time.RFC3339))
	}
	post := func(body string) {
		resp, err := client.Post(srv.URL+"/trqp/authorization", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	for i := range 200 {
		post(bodies[i]) // warm up the connection
	}
	_, p99 := latencies(b, len(bodies), func(i int) { post(bodies[i]) })
	if p99 > 5*time.Millisecond {
		b.Errorf("p99 %v over the 5 ms budget", p99)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		post(bodies[i%len(bodies)])
	}
}

// BenchmarkExportLarge: the signed JSON trust list of the large registry,
// with every issuer's key (did:key resolution). cold-s is the first
// export of a fresh Service, which encodes every entity (after a
// collection, so that the garbage of building the registry is not
// charged to it; the log also gives the process CPU time it took, which
// a busy machine disturbs less); the loop (ns/op) re-exports to a writer
// after one change each time, reusing the other entities' encodings, as
// serving the list or writing it to a file does (the first two write
// buffers of their own for the first time: fresh memory); string-s is
// one more re-export as a string (Export), into fresh memory. Budget:
// under 2 s.
func BenchmarkExportLarge(b *testing.B) {
	l := getLarge(b)
	ctx := context.Background()
	keys := &did.Resolver{}
	svc, err := registry.Open(ctx, registry.Config{Store: l.store, Root: "root"}) // a Service with no cached encodings
	if err != nil {
		b.Fatal(err)
	}
	opts := registry.ExportOptions{NextUpdate: l.end.Add(24 * time.Hour), Keys: keys}
	runtime.GC()
	t0, c0 := time.Now(), processCPU()
	tok, err := svc.Export(ctx, l.root, opts)
	if err != nil {
		b.Fatal(err)
	}
	cold := time.Since(t0)
	b.ReportMetric(cold.Seconds(), "cold-s")
	coldCPU := processCPU() - c0
	b.ReportMetric(float64(len(tok))/1e6, "MB")
	b.Logf("cold export: %v (process CPU %v), %.1f MB", cold, coldCPU, float64(len(tok))/1e6)
	tok = ""
	change := func(i int) {
		if _, err := svc.Register(ctx, "bench", registry.Entity{ID: fmt.Sprintf("late-%06d", i), Kinds: []registry.Kind{registry.KindVerifier},
			Name: registry.Text{EN: "Late"}, Jurisdiction: "TH"}, ""); err != nil {
			b.Fatal(err)
		}
	}
	i := 0
	var worst time.Duration
	for b.Loop() {
		b.StopTimer()
		i++
		change(i)
		b.StartTimer()
		t0 := time.Now()
		if _, err := svc.ExportTo(ctx, io.Discard, l.root, opts); err != nil {
			b.Fatal(err)
		}
		worst = max(worst, time.Since(t0))
	}
	b.ReportMetric(worst.Seconds(), "worst-s")
	if worst > 2*time.Second {
		b.Errorf("re-export took %v, over the 2 s budget", worst)
	}
	change(i + 1)
	t0 = time.Now()
	if _, err := svc.Export(ctx, l.root, opts); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(time.Since(t0).Seconds(), "string-s")
	if err := l.svc.Sync(ctx); err != nil { // the shared registry sees the late entities
		b.Fatal(err)
	}
}

// BenchmarkLoadTrustListLarge: an offline verifier loading that list.
func BenchmarkLoadTrustListLarge(b *testing.B) {
	l := getLarge(b)
	tok, err := l.svc.Export(context.Background(), l.root, registry.ExportOptions{NextUpdate: l.end.Add(24 * time.Hour), Keys: &did.Resolver{}})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := registry.LoadTrustList([]byte(tok), l.root.Key.Public(), l.end, registry.ListPolicy{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenLarge: building the in-memory index from the store (what
// a restart costs).
func BenchmarkOpenLarge(b *testing.B) {
	l := getLarge(b)
	for b.Loop() {
		if _, err := registry.Open(context.Background(), registry.Config{Store: l.store, Root: "root"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyHistoryLarge: walking and checking the million-event
// hash chain.
func BenchmarkVerifyHistoryLarge(b *testing.B) {
	l := getLarge(b)
	for b.Loop() {
		head, _ := l.store.Head(context.Background())
		if n, err := registry.Verify(context.Background(), l.store); err != nil || n != head.Seq {
			b.Fatal(n, err)
		}
	}
}

// processCPU returns the CPU time the process has used, all threads
// (user and system: page faults are system time). On a busy machine it
// says more than wall-clock time about what an export costs.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
