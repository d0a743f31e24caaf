package interop

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"maps"
	"math/big"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tbecdsa "github.com/trustbloc/vc-go/crypto-ext/verifiers/ecdsa"
	tbed25519 "github.com/trustbloc/vc-go/crypto-ext/verifiers/ed25519"
	"github.com/trustbloc/vc-go/proof/checker"
	"github.com/trustbloc/vc-go/proof/jwtproofs/eddsa"
	"github.com/trustbloc/vc-go/proof/jwtproofs/es256"
	"github.com/trustbloc/vc-go/verifiable"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
)

// vsTrustbloc holds the three operations BenchmarkVsTrustbloc compares,
// each over the same DegreeCredential content with the same key type.
type vsTrustbloc struct {
	thaitrust func() bool // ThaiTrust: verifier.VerifyCredential of its vc+jwt, every check on
	trustbloc func() bool // vc-go: ParseCredential of its own JWT VC, signature checked
	raw       func() bool // the standard library verifying ThaiTrust's signature
	sizes     [2]int      // token lengths: ThaiTrust, vc-go
}

// newVsTrustbloc sets up both sides.
//
// ThaiTrust verifies with every check on: format, signature (the issuer's
// DID document already resolved: served from the resolver's Local table),
// validity, schema, status (two entries, from a warm status-list cache) and
// issuer trust (StaticTrust).
//
// vc-go gets its fastest honest configuration that still checks the
// signature:
//
//   - verifiable.WithJWTProofChecker with a checker.ProofChecker holding
//     only the one JWT algorithm and signature verifier needed
//     (eddsa.New + crypto-ext ed25519.New, or es256.New + ecdsa.NewES256)
//     instead of proof/defaults.NewDefaultProofChecker's full list;
//   - a verification method resolver that returns the issuer's did:jwk key
//     resolved beforehand (after checking kid and issuer), as
//     vermethod.VerificationMethod{Type: "JsonWebKey2020", JWK: ...};
//   - verifiable.WithCredDisableValidation (no JSON-LD or JSON schema
//     validation; vc-go skips them for JWT VCs anyway) and
//     verifiable.WithDisabledRelatedResourceCheck (the credential has no
//     relatedResource).
//
// vc-go checks nothing else here: no validity period, no status, no
// schema, no issuer trust. It verifies its own JWT VC (the credential in a
// "vc" claim), since it cannot parse a VC-JOSE-COSE vc+jwt (see
// trustbloc_test.go); the credential inside is ThaiTrust's document, the
// issuer changed to vc-go's did:jwk.
func newVsTrustbloc(b testing.TB, alg signing.Algorithm) *vsTrustbloc {
	b.Helper()
	ctx := context.Background()
	ti := newThaiIssuer(b, alg)
	claims := degreeExample(b)
	claims["credentialSubject"].(map[string]any)["id"] = subjectID
	issued, err := ti.svc.Issue(ctx, issuer.Request{Credential: claims})
	if err != nil {
		b.Fatal(err)
	}

	resolver := &did.Resolver{Local: func(id string) (*did.Document, bool) { return ti.doc, id == issuerDID }}
	algs := []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	now := func() time.Time { return testNow }
	listOpts := jose.VerifyOptions{Algorithms: algs, Keys: resolver, Now: now}
	checker := &status.Checker{
		Fetch: func(ctx context.Context, url string) ([]byte, error) {
			list, purpose, _ := strings.Cut(strings.TrimPrefix(url, statusBase+"/"), "/")
			tok, err := ti.svc.StatusListCredential(ctx, list, purpose)
			return []byte(tok), err
		},
		Verify: func(ctx context.Context, raw []byte) (*credential.Credential, error) {
			return jose.VerifyCredential(ctx, string(raw), listOpts)
		},
		Now: now,
	}
	v, err := verifier.New(verifier.Config{
		Algorithms: algs, Keys: resolver, Status: checker, Now: now,
		Trust: verifier.StaticTrust{"DegreeCredential": {issuerDID}},
	})
	if err != nil {
		b.Fatal(err)
	}
	r := v.VerifyCredential(ctx, jose.MediaTypeCredential, issued.Token)
	for _, c := range r.Checks {
		if c.Status != verifier.Passed {
			b.Fatalf("ThaiTrust check %s: %s %s", c.Check, c.Status, c.Reason)
		}
	}

	tb := newTBIssuer(b, alg)
	doc := maps.Clone(issued.Credential.Map())
	doc["issuer"] = map[string]any{"id": tb.did, "name": doc["issuer"].(map[string]any)["name"]}
	data, err := json.Marshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	var tbDoc map[string]any
	if err := json.Unmarshal(data, &tbDoc); err != nil {
		b.Fatal(err)
	}
	tbToken := tb.signJWT(b, tbDoc)
	tbChecker := tbProofCheckerFor(alg, tb.resolver())
	tbVerify := func() bool {
		vc, err := verifiable.ParseCredential([]byte(tbToken),
			verifiable.WithJWTProofChecker(tbChecker),
			verifiable.WithCredDisableValidation(),
			verifiable.WithDisabledRelatedResourceCheck(),
		)
		return err == nil && vc.Contents().Issuer.ID == tb.did
	}
	if !tbVerify() {
		_, err := verifiable.ParseCredential([]byte(tbToken), verifiable.WithJWTProofChecker(tbChecker), verifiable.WithCredDisableValidation())
		b.Fatalf("vc-go does not verify its own JWT VC: %v", err)
	}

	p, err := jws.Parse(issued.Token)
	if err != nil {
		b.Fatal(err)
	}
	return &vsTrustbloc{
		thaitrust: func() bool {
			return v.VerifyCredential(ctx, jose.MediaTypeCredential, issued.Token).Verified
		},
		trustbloc: tbVerify,
		raw:       rawVerify(b, alg, ti.doc, p.SigningInput, p.Signature),
		sizes:     [2]int{len(issued.Token), len(tbToken)},
	}
}

// TestVsTrustblocFixture keeps BenchmarkVsTrustbloc's set-up working:
// both sides verify, and so does the baseline.
func TestVsTrustblocFixture(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		f := newVsTrustbloc(t, alg)
		if !f.thaitrust() || !f.trustbloc() || !f.raw() {
			t.Errorf("%s: a side does not verify", alg)
		}
	}
}

// tbProofCheckerFor is vc-go's JWT proof checker with only alg's proof
// descriptor and signature verifier.
func tbProofCheckerFor(alg signing.Algorithm, res *fixedResolver) *checker.ProofChecker {
	if alg == signing.EdDSA {
		return checker.New(res, checker.WithSignatureVerifiers(tbed25519.New()), checker.WithJWTAlg(eddsa.New()))
	}
	return checker.New(res, checker.WithSignatureVerifiers(tbecdsa.NewES256()), checker.WithJWTAlg(es256.New()))
}

// rawVerify is the baseline: the standard library verifying the signature
// of the signing input (ECDSA: SHA-256 and ecdsa.Verify, R and S decoded
// beforehand).
func rawVerify(b testing.TB, alg signing.Algorithm, doc *did.Document, input, sig []byte) func() bool {
	pub, err := doc.VerificationMethod[0].PublicKey()
	if err != nil {
		b.Fatal(err)
	}
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

// BenchmarkVsTrustbloc compares the verification throughput of ThaiTrust
// (every check on) with trustbloc/vc-go v1.3.3 verifying its own JWT VC of
// the same content and key type (its options: see newVsTrustbloc), and
// reports "x-trustbloc": how many times ThaiTrust's throughput is
// trustbloc's (target: >= 2.5). It also reports each against the raw
// signature verification ("thaitrust-x-raw", "trustbloc-x-raw") and the
// median time per verification of each.
//
// Sequential: one goroutine; the three operations alternate in blocks of
// 32 calls so that drifting machine load hits all alike while each pays
// for its own garbage collection, and the ratios are those of the median
// block times. Parallel: each block is spread over GOMAXPROCS goroutines,
// so garbage collection competes with the work as in a loaded server.
// *-allocs/call and *-B/call are each side's heap allocations per
// verification, *-token-B the sizes of the two tokens. ns/op (and, with -benchmem, B/op and allocs/op) are per
// block of each, not results.
func BenchmarkVsTrustbloc(b *testing.B) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		for _, mode := range []string{"sequential", "parallel"} {
			b.Run(string(alg)+"/"+mode, func(b *testing.B) {
				f := newVsTrustbloc(b, alg)
				const block = 32
				run := func(fn func() bool) time.Duration {
					t0 := time.Now()
					if mode == "parallel" {
						parallel(b, block, fn)
					} else {
						for range block {
							if !fn() {
								b.Fatal("verification failed")
							}
						}
					}
					return time.Since(t0)
				}
				var tt, tb, raw []time.Duration
				for b.Loop() {
					tt = append(tt, run(f.thaitrust))
					tb = append(tb, run(f.trustbloc))
					raw = append(raw, run(f.raw))
				}
				mtt, mtb, mraw := median(tt), median(tb), median(raw)
				b.ReportMetric(float64(mtb)/float64(mtt), "x-trustbloc")
				b.ReportMetric(float64(mtt)/float64(mraw), "thaitrust-x-raw")
				b.ReportMetric(float64(mtb)/float64(mraw), "trustbloc-x-raw")
				b.ReportMetric(float64(mtt.Nanoseconds())/block, "thaitrust-ns")
				b.ReportMetric(float64(mtb.Nanoseconds())/block, "trustbloc-ns")
				b.ReportMetric(float64(mraw.Nanoseconds())/block, "raw-ns")
				tta, ttb := memPerCall(f.thaitrust)
				tba, tbb := memPerCall(f.trustbloc)
				b.ReportMetric(tta, "thaitrust-allocs/call")
				b.ReportMetric(ttb, "thaitrust-B/call")
				b.ReportMetric(tba, "trustbloc-allocs/call")
				b.ReportMetric(tbb, "trustbloc-B/call")
				b.ReportMetric(float64(f.sizes[0]), "thaitrust-token-B")
				b.ReportMetric(float64(f.sizes[1]), "trustbloc-token-B")
			})
		}
	}
}

// memPerCall returns the heap allocations and bytes of one call of fn.
func memPerCall(fn func() bool) (allocs, bytes float64) {
	var m0, m1 runtime.MemStats
	const n = 100
	runtime.ReadMemStats(&m0)
	for range n {
		fn()
	}
	runtime.ReadMemStats(&m1)
	return float64(m1.Mallocs-m0.Mallocs) / n, float64(m1.TotalAlloc-m0.TotalAlloc) / n
}

// parallel runs fn n times over GOMAXPROCS goroutines.
func parallel(b *testing.B, n int, fn func() bool) {
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	var failed sync.Once
	for w := range workers {
		count := n / workers
		if w < n%workers {
			count++
		}
		wg.Go(func() {
			for range count {
				if !fn() {
					failed.Do(func() { b.Error("verification failed") })
				}
			}
		})
	}
	wg.Wait()
	if b.Failed() {
		b.FailNow()
	}
}

func median(d []time.Duration) time.Duration {
	d = slices.Clone(d)
	slices.Sort(d)
	return d[len(d)/2]
}
