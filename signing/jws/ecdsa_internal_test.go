package jws

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/asn1"
	"math/big"
	"testing"

	"github.com/thaitrust/thaitrust/signing"
)

// TestDERSignature: the stack-built encoding is encoding/asn1's, for
// values with leading zero bytes, the high bit set, zero and the largest.
func TestDERSignature(t *testing.T) {
	vals := [][]byte{{0}, {1}, {0x7f}, {0x80}, {0, 0, 0x80}, {0, 0x7f, 0xff}}
	for range 50 {
		v := make([]byte, 48)
		rand.Read(v)
		vals = append(vals, v, v[:32], append([]byte{0, 0}, v[:30]...))
	}
	ff := make([]byte, 48)
	for i := range ff {
		ff[i] = 0xff
	}
	vals = append(vals, ff, make([]byte, 48))
	for _, r := range vals {
		for _, s := range vals[:8] {
			want, err := asn1.Marshal(struct{ R, S *big.Int }{new(big.Int).SetBytes(r), new(big.Int).SetBytes(s)})
			if err != nil {
				t.Fatal(err)
			}
			if got := derSignature(nil, r, s); string(got) != string(want) {
				t.Fatalf("derSignature(%x, %x) = %x, want %x", r, s, got, want)
			}
		}
	}
}

// TestVerifyECDSAAgreesWithSigning: verifyECDSA accepts exactly what
// signing.Verify accepts: good signatures of both curves; not a tampered
// input or signature, R or S of zero or the group order, a signature of
// the wrong size, a key of the other curve or type, or another alg.
func TestVerifyECDSAAgreesWithSigning(t *testing.T) {
	for _, c := range []struct {
		alg   signing.Algorithm
		curve elliptic.Curve
	}{{signing.ES256, elliptic.P256()}, {signing.ES384, elliptic.P384()}} {
		k, err := ecdsa.GenerateKey(c.curve, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		other, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
		_, edPub, _ := ed25519.GenerateKey(rand.Reader)
		input := []byte("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0")
		sig, err := signing.Sign(k, c.alg, input)
		if err != nil {
			t.Fatal(err)
		}
		n := len(sig) / 2
		order := c.curve.Params().N.FillBytes(make([]byte, n))
		mut := func(f func(s []byte) []byte) []byte { return f(append([]byte(nil), sig...)) }
		cases := []struct {
			name  string
			alg   signing.Algorithm
			pub   any
			input []byte
			sig   []byte
		}{
			{"good", c.alg, &k.PublicKey, input, sig},
			{"tampered input", c.alg, &k.PublicKey, append([]byte("x"), input...), sig},
			{"tampered sig", c.alg, &k.PublicKey, input, mut(func(s []byte) []byte { s[5] ^= 1; return s })},
			{"r zero", c.alg, &k.PublicKey, input, mut(func(s []byte) []byte { clear(s[:n]); return s })},
			{"s zero", c.alg, &k.PublicKey, input, mut(func(s []byte) []byte { clear(s[n:]); return s })},
			{"r order", c.alg, &k.PublicKey, input, mut(func(s []byte) []byte { copy(s[:n], order); return s })},
			{"s order", c.alg, &k.PublicKey, input, mut(func(s []byte) []byte { copy(s[n:], order); return s })},
			{"short", c.alg, &k.PublicKey, input, sig[:len(sig)-1]},
			{"long", c.alg, &k.PublicKey, input, append(append([]byte(nil), sig...), 0)},
			{"other curve", c.alg, &other.PublicKey, input, sig},
			{"ed25519 key", c.alg, edPub, input, sig},
			{"nil key", c.alg, (*ecdsa.PublicKey)(nil), input, sig},
			{"EdDSA alg", signing.EdDSA, &k.PublicKey, input, sig},
		}
		for _, tc := range cases {
			got := verifyECDSA(tc.alg, tc.pub, tc.input, tc.sig)
			want := signing.Verify(tc.alg, tc.pub, tc.input, tc.sig) == nil
			if got != want || (tc.name == "good") != got {
				t.Errorf("%s %s: verifyECDSA %v, signing.Verify accepts: %v", c.alg, tc.name, got, want)
			}
		}
	}
}
