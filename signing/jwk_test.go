package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/testdata"
	"github.com/thaitrust/thaitrust/signing/internal/b64"
)

// RFC 8037 Appendix A.1 (private key), A.3 (thumbprint), A.4 (signature).
const (
	rfc8037D     = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"
	rfc8037X     = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	rfc8037Thumb = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"
	rfc8037Input = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
	rfc8037Sig   = "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
)

func TestRFC8037(t *testing.T) {
	j := JWK{Kty: "OKP", Crv: "Ed25519", D: rfc8037D, X: rfc8037X}
	priv, err := j.PrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	tp, err := Thumbprint(priv.Public())
	if err != nil || tp != rfc8037Thumb {
		t.Fatalf("Thumbprint = %q, %v; want %q", tp, err, rfc8037Thumb)
	}
	if tp, err := j.Thumbprint(); err != nil || tp != rfc8037Thumb {
		t.Fatalf("JWK.Thumbprint = %q, %v", tp, err)
	}
	sig, err := Sign(priv, EdDSA, []byte(rfc8037Input))
	if err != nil {
		t.Fatal(err)
	}
	if got := b64.Encode(sig); got != rfc8037Sig {
		t.Fatalf("signature = %s, want %s", got, rfc8037Sig)
	}
	want, _ := b64.Decode(rfc8037Sig)
	if err := Verify(EdDSA, priv.Public(), []byte(rfc8037Input), want); err != nil {
		t.Fatal(err)
	}
	pj, err := PrivateJWK(priv)
	if err != nil || pj != (JWK{Kty: "OKP", Crv: "Ed25519", X: rfc8037X, D: rfc8037D}) {
		t.Fatalf("PrivateJWK = %v, %v", pj, err)
	}
}

func TestThumbprintRFC7638(t *testing.T) {
	// RFC 7638 section 3.1: the RSA key of RFC 7517 Appendix A.1. The
	// package has no RSA keys, so this checks the canonical-JSON + SHA-256
	// + base64url machinery directly.
	const n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	if got := thumbprintMembers("e", "AQAB", "kty", "RSA", "n", n); got != "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs" {
		t.Fatalf("thumbprint = %s", got)
	}
}

func TestThumbprintIgnoresOptionalMembers(t *testing.T) {
	for _, alg := range allAlgs {
		k := mustKey(t, alg)
		j, _ := PrivateJWK(k)
		j.Kid, j.Alg, j.Use = "k1", string(alg), "sig"
		a, err := j.Thumbprint()
		if err != nil {
			t.Fatal(err)
		}
		b, _ := Thumbprint(k.Public())
		if a != b {
			t.Fatalf("%s: %s != %s", alg, a, b)
		}
		// The canonical form is the JSON of the required members, sorted.
		pj, _ := PublicJWK(k.Public())
		var m map[string]string
		if err := json.Unmarshal(pj.canonical(), &m); err != nil {
			t.Fatalf("canonical form not JSON: %v", err)
		}
	}
}

// sd-jwt vectors: the RFC 9901 example keys (EC P-256, private and public).
func TestSDJWTExampleKeys(t *testing.T) {
	path := testdata.Vectors(t, "sd-jwt", "rfc9901-examples", "_keys.json")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"issuer", "holder"} {
		priv, err := ParseJWK(keys[who+"_private_jwk"])
		if err != nil {
			t.Fatal(err)
		}
		pub, err := ParseJWK(keys[who+"_public_jwk"])
		if err != nil {
			t.Fatal(err)
		}
		k, err := priv.PrivateKey()
		if err != nil {
			t.Fatalf("%s private JWK: %v", who, err)
		}
		p, err := pub.PublicKey()
		if err != nil {
			t.Fatalf("%s public JWK: %v", who, err)
		}
		if !p.(*ecdsa.PublicKey).Equal(k.Public()) {
			t.Fatalf("%s: private and public JWK differ", who)
		}
		back, _ := PrivateJWK(k)
		if back.X != priv.X || back.Y != priv.Y || back.D != priv.D {
			t.Fatalf("%s: PrivateJWK round trip = %v", who, back)
		}
	}
}

func TestJWKRoundTrip(t *testing.T) {
	for _, alg := range allAlgs {
		k := mustKey(t, alg)
		j, err := PublicJWK(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		data, _ := json.Marshal(j)
		j2, err := ParseJWK(data)
		if err != nil || j2 != j {
			t.Fatalf("%s: ParseJWK(%s) = %v, %v", alg, data, j2, err)
		}
		pub, err := j2.PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		if !k.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
			t.Fatalf("%s: key changed in round trip", alg)
		}
		pj, err := PrivateJWK(k)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := pj.PrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		sig, _ := Sign(k2, alg, []byte("m"))
		if err := Verify(alg, k.Public(), []byte("m"), sig); err != nil {
			t.Fatalf("%s: restored key signs differently: %v", alg, err)
		}
	}
}

func TestJWKInvalid(t *testing.T) {
	ed := mustKey(t, EdDSA)
	edJ, _ := PrivateJWK(ed)
	p256 := mustKey(t, ES256)
	p256J, _ := PrivateJWK(p256)
	p384 := mustKey(t, ES384)
	p384J, _ := PrivateJWK(p384)
	otherEd, _ := PrivateJWK(mustKey(t, EdDSA))
	otherP256, _ := PrivateJWK(mustKey(t, ES256))

	mod := func(j JWK, f func(*JWK)) JWK { f(&j); return j }
	// Flip the last y byte: almost surely not on the curve.
	offCurve := mod(p256J, func(j *JWK) {
		y, _ := b64.Decode(j.Y)
		y[len(y)-1] ^= 1
		j.Y = b64.Encode(y)
	})
	zero32 := b64.Encode(make([]byte, 32))
	tests := []struct {
		name string
		j    JWK
		priv bool // also (only) PrivateKey must fail
	}{
		{"no kty", mod(edJ, func(j *JWK) { j.Kty = "" }), false},
		{"RSA", JWK{Kty: "RSA"}, false},
		{"oct", JWK{Kty: "oct", X: zero32}, false},
		{"X25519", mod(edJ, func(j *JWK) { j.Crv = "X25519" }), false},
		{"Ed448", mod(edJ, func(j *JWK) { j.Crv = "Ed448" }), false},
		{"ed short x", mod(edJ, func(j *JWK) { j.X = j.X[:42] }), false},
		{"ed long x", mod(edJ, func(j *JWK) { j.X = b64.Encode(make([]byte, 33)) }), false},
		{"ed padded x", mod(edJ, func(j *JWK) { j.X += "=" }), false},
		{"ed std base64 x", mod(edJ, func(j *JWK) { j.X = strings.NewReplacer("-", "+", "_", "/").Replace(j.X) + "+" }), false},
		{"ed non-canonical x", mod(edJ, func(j *JWK) { j.X = nonCanonical(j.X) }), false},
		{"ed with y", mod(edJ, func(j *JWK) { j.Y = j.X }), false},
		{"ed alg ES256", mod(edJ, func(j *JWK) { j.Alg = "ES256" }), false},
		{"ed alg none", mod(edJ, func(j *JWK) { j.Alg = "none" }), false},
		{"ed use enc", mod(edJ, func(j *JWK) { j.Use = "enc" }), false},
		{"ec no crv", mod(p256J, func(j *JWK) { j.Crv = "" }), false},
		{"ec P-521", mod(p256J, func(j *JWK) { j.Crv = "P-521" }), false},
		{"ec secp256k1", mod(p256J, func(j *JWK) { j.Crv = "secp256k1" }), false},
		{"ec wrong crv for size", mod(p256J, func(j *JWK) { j.Crv = "P-384" }), false},
		{"ec short x", mod(p256J, func(j *JWK) { j.X = b64.Encode(make([]byte, 31)) }), false},
		{"ec missing y", mod(p256J, func(j *JWK) { j.Y = "" }), false},
		{"ec off curve", offCurve, false},
		{"ec zero point", mod(p256J, func(j *JWK) { j.X, j.Y = zero32, zero32 }), false},
		{"ec alg ES384", mod(p256J, func(j *JWK) { j.Alg = "ES384" }), false},
		{"p384 alg ES256", mod(p384J, func(j *JWK) { j.Alg = "ES256" }), false},
		{"ed no d", mod(edJ, func(j *JWK) { j.D = "" }), true},
		{"ed wrong d", mod(edJ, func(j *JWK) { j.D = otherEd.D }), true},
		{"ed short d", mod(edJ, func(j *JWK) { j.D = j.D[:40] }), true},
		{"ec wrong d", mod(p256J, func(j *JWK) { j.D = otherP256.D }), true},
		{"ec zero d", mod(p256J, func(j *JWK) { j.D = zero32 }), true},
		{"ec d too big", mod(p256J, func(j *JWK) { j.D = b64.Encode([]byte(strings.Repeat("\xff", 32))) }), true},
		{"ec d bad base64", mod(p256J, func(j *JWK) { j.D = j.D + "!" }), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !tt.priv {
				pub, err := tt.j.PublicKey()
				if !errors.Is(err, ErrInvalidJWK) || pub != nil {
					t.Fatalf("PublicKey() = %v, %v; want ErrInvalidJWK", pub, err)
				}
			}
			priv, err := tt.j.PrivateKey()
			if err == nil || priv != nil {
				t.Fatalf("PrivateKey() = %v, %v; want error", priv, err)
			}
			if tt.j.D != "" && strings.Contains(err.Error(), tt.j.D) {
				t.Fatalf("error leaks d: %v", err)
			}
		})
	}
}

// nonCanonical changes the unused low bits of the last character, which a
// lenient decoder ignores. Only possible when len%4 != 0.
func nonCanonical(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	i := strings.IndexByte(alphabet, s[len(s)-1])
	return s[:len(s)-1] + string(alphabet[i|1])
}

func TestParseJWKStrict(t *testing.T) {
	x := b64.Encode(make([]byte, 32))
	for _, in := range []string{
		`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","x":"` + x + `"}`,
		`{"kty":"OKP","kty":"OKP","crv":"Ed25519","x":"` + x + `"}`,
		`{"kty":"OKP","crv":"Ed25519","x":5}`,
		`{"kty":["OKP"],"crv":"Ed25519","x":"` + x + `"}`,
		`{"crv":"Ed25519","x":"` + x + `"}`,
		`["kty"]`,
		`{"kty":"OKP"} {}`,
		`{"kty":"OKP","crv":"Ed25519","x":"` + x + `"`,
		"{\"kty\":\"OKP\xff\"}",
		`null`,
		``,
	} {
		j, err := ParseJWK([]byte(in))
		if !errors.Is(err, ErrInvalidJWK) || j != (JWK{}) {
			t.Errorf("ParseJWK(%s) = %v, %v; want ErrInvalidJWK", in, j, err)
		}
		var j2 JWK
		if err := json.Unmarshal([]byte(in), &j2); err == nil {
			t.Errorf("json.Unmarshal(%s) into JWK succeeded", in)
		}
	}
	// Unknown members are ignored.
	j, err := ParseJWK([]byte(`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","key_ops":["verify"],"ext":true}`))
	if err != nil || j.X != x {
		t.Fatalf("ParseJWK with extra members = %v, %v", j, err)
	}
}

func TestJWKStringRedacts(t *testing.T) {
	j, _ := PrivateJWK(mustKey(t, ES256))
	for _, s := range []string{j.String(), fmt.Sprint(j), fmt.Sprintf("%v", j), fmt.Sprintf("%+v", j), fmt.Sprintf("%#v", j), fmt.Sprint(&j)} {
		if strings.Contains(s, j.D) || !strings.Contains(s, "REDACTED") {
			t.Errorf("formatted JWK leaks d: %s", s)
		}
	}
	pub, _ := PublicJWK(mustKey(t, EdDSA).Public())
	if strings.Contains(pub.String(), "REDACTED") {
		t.Errorf("public JWK shows a redaction: %s", pub)
	}
}

func TestPublicJWKUnsupported(t *testing.T) {
	for _, k := range []any{nil, "key", ed25519.PublicKey(make([]byte, 16)), (*ecdsa.PublicKey)(nil)} {
		if _, err := PublicJWK(k); err == nil {
			t.Errorf("PublicJWK(%T) succeeded", k)
		}
		if _, err := Thumbprint(k); err == nil {
			t.Errorf("Thumbprint(%T) succeeded", k)
		}
	}
	if _, err := PrivateJWK(rawSigner{}); err == nil {
		t.Error("PrivateJWK of a hardware-style signer succeeded")
	}
}

func FuzzParseJWK(f *testing.F) {
	for _, alg := range allAlgs {
		k := mustKey(f, alg)
		j, _ := PrivateJWK(k)
		data, _ := json.Marshal(j)
		f.Add(data)
		j.D = ""
		data, _ = json.Marshal(j)
		f.Add(data)
	}
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","x":"` + rfc8037X + `","d":"` + rfc8037D + `"}`))
	f.Add([]byte(`{"kty":"EC","crv":"P-256","x":"","y":""}`))
	f.Add([]byte(`{"kty":"EC","kty":"EC"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		j, err := ParseJWK(data)
		if err != nil {
			if j != (JWK{}) {
				t.Fatalf("error with non-zero JWK %v", j)
			}
			return
		}
		pub, err := j.PublicKey()
		if err != nil {
			if pub != nil {
				t.Fatal("error with non-nil key")
			}
			return
		}
		// Round trip: the canonical encoding of the decoded key is what was
		// given (strict base64url makes the encoding unique).
		back, err := PublicJWK(pub)
		if err != nil {
			t.Fatalf("PublicJWK of a decoded key: %v", err)
		}
		if back.Kty != j.Kty || back.Crv != j.Crv || back.X != j.X || back.Y != j.Y {
			t.Fatalf("round trip %v -> %v", j, back)
		}
		if _, err := Thumbprint(pub); err != nil {
			t.Fatal(err)
		}
		if priv, err := j.PrivateKey(); err == nil {
			if !priv.Public().(interface{ Equal(crypto.PublicKey) bool }).Equal(pub) {
				t.Fatal("private key does not match public key")
			}
		} else if priv != nil {
			t.Fatal("error with non-nil private key")
		}
	})
}
