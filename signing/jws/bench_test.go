package jws

import (
	"crypto/ed25519"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
)

// benchToken is an EdDSA JWS over a 2 KB JSON payload, with a header like
// the ones vc+jwt uses.
func benchToken(b testing.TB) (string, ed25519.PublicKey) {
	k := mustKey(b, signing.EdDSA)
	payload := []byte(`{"@context":["https://www.w3.org/ns/credentials/v2"],"type":["VerifiableCredential"],"data":"` +
		strings.Repeat("x", 2048-95) + `"}`)
	if len(payload) != 2048 {
		b.Fatalf("payload is %d bytes", len(payload))
	}
	tok, err := Sign(k, Header{Kid: "did:web:issuer.example.th#key-1", Typ: "vc+jwt", Cty: "vc"}, payload)
	if err != nil {
		b.Fatal(err)
	}
	return tok, k.Public().(ed25519.PublicKey)
}

var benchOpts = VerifyOptions{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}}

func BenchmarkParseVerify(b *testing.B) {
	tok, pub := benchToken(b)
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(pub, benchOpts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParse(b *testing.B) {
	tok, _ := benchToken(b)
	b.SetBytes(int64(len(tok)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEd25519Verify is the floor: bare ed25519.Verify of the same
// signing input and signature.
func BenchmarkEd25519Verify(b *testing.B) {
	tok, pub := benchToken(b)
	p, _ := Parse(tok)
	input, sig := []byte(tok[:strings.LastIndexByte(tok, '.')]), p.Signature
	b.SetBytes(int64(len(tok)))
	for b.Loop() {
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("verify failed")
		}
	}
}

// BenchmarkParseVerifyOverhead measures Parse+Verify and bare
// ed25519.Verify of the same signing input in the same run, interleaved
// call by call so that machine noise hits both alike, and reports the
// ratio of their median times (target: <= 1.10; medians, because on a
// shared machine a few calls are always descheduled). Its ns/op is the
// cost of one call of each, not a result.
func BenchmarkParseVerifyOverhead(b *testing.B) {
	tok, pub := benchToken(b)
	input := []byte(tok[:strings.LastIndexByte(tok, '.')])
	p0, _ := Parse(tok)
	sig := p0.Signature
	var full, bare []time.Duration
	for b.Loop() {
		t0 := time.Now()
		p, err := Parse(tok)
		if err != nil {
			b.Fatal(err)
		}
		if err := p.Verify(pub, benchOpts); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if !ed25519.Verify(pub, input, sig) {
			b.Fatal("verify failed")
		}
		t2 := time.Now()
		full = append(full, t1.Sub(t0))
		bare = append(bare, t2.Sub(t1))
	}
	f, r := median(full), median(bare)
	b.ReportMetric(float64(f)/float64(r), "ratio")
	b.ReportMetric(float64(f.Nanoseconds()), "parse+verify-ns")
	b.ReportMetric(float64(r.Nanoseconds()), "ed25519-ns")
}

func median(d []time.Duration) time.Duration {
	slices.Sort(d)
	return d[len(d)/2]
}
