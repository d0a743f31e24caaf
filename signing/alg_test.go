package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"testing"
)

var allAlgs = []Algorithm{EdDSA, ES256, ES384}

func TestParseAlgorithm(t *testing.T) {
	tests := []struct {
		in      string
		want    Algorithm
		wantErr error
	}{
		{"EdDSA", EdDSA, nil},
		{"ES256", ES256, nil},
		{"ES384", ES384, nil},
		{"none", "", ErrUnsupportedAlgorithm},
		{"None", "", ErrUnsupportedAlgorithm},
		{"", "", ErrUnsupportedAlgorithm},
		{"es256", "", ErrUnsupportedAlgorithm},
		{"HS256", "", ErrUnsupportedAlgorithm},
		{"RS256", "", ErrUnsupportedAlgorithm},
		{"ES512", "", ErrUnsupportedAlgorithm},
		{"Ed25519", "", ErrUnsupportedAlgorithm},
	}
	for _, tt := range tests {
		got, err := ParseAlgorithm(tt.in)
		if !errors.Is(err, tt.wantErr) || got != tt.want {
			t.Errorf("ParseAlgorithm(%q) = %q, %v; want %q, %v", tt.in, got, err, tt.want, tt.wantErr)
		}
	}
}

func TestAlgorithmFor(t *testing.T) {
	p224, _ := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	p521, _ := ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	for _, alg := range allAlgs {
		k := mustKey(t, alg)
		got, err := AlgorithmFor(k.Public())
		if err != nil || got != alg {
			t.Errorf("AlgorithmFor(%s key) = %q, %v", alg, got, err)
		}
	}
	for name, pub := range map[string]crypto.PublicKey{
		"P-224":        &p224.PublicKey,
		"P-521":        &p521.PublicKey,
		"nil":          nil,
		"nil ecdsa":    (*ecdsa.PublicKey)(nil),
		"short ed":     ed25519.PublicKey(make([]byte, 31)),
		"private ed":   mustKey(t, EdDSA),
		"ecdsa value":  p224.PublicKey,
		"ed25519 priv": ed25519.PrivateKey(make([]byte, 64)),
	} {
		if _, err := AlgorithmFor(pub); !errors.Is(err, ErrUnsupportedAlgorithm) {
			t.Errorf("AlgorithmFor(%s) err = %v, want ErrUnsupportedAlgorithm", name, err)
		}
	}
}

func mustKey(t testing.TB, alg Algorithm) crypto.Signer {
	t.Helper()
	k, err := GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestGenerateKeyUnsupported(t *testing.T) {
	for _, alg := range []Algorithm{"", "none", "HS256", "ES512"} {
		if _, err := GenerateKey(alg); !errors.Is(err, ErrUnsupportedAlgorithm) {
			t.Errorf("GenerateKey(%q) err = %v", alg, err)
		}
	}
}

func TestSignVerify(t *testing.T) {
	msg := []byte("eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ0aGFpdHJ1c3QifQ")
	for _, alg := range allAlgs {
		t.Run(string(alg), func(t *testing.T) {
			k := mustKey(t, alg)
			sig, err := Sign(k, alg, msg)
			if err != nil {
				t.Fatal(err)
			}
			want := map[Algorithm]int{EdDSA: 64, ES256: 64, ES384: 96}[alg]
			if len(sig) != want {
				t.Fatalf("signature length %d, want %d", len(sig), want)
			}
			if err := Verify(alg, k.Public(), msg, sig); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			// Every single-bit change of message or signature fails.
			for i := range sig {
				bad := append([]byte(nil), sig...)
				bad[i] ^= 0x01
				if err := Verify(alg, k.Public(), msg, bad); !errors.Is(err, ErrBadSignature) {
					t.Fatalf("flipped sig byte %d: err = %v", i, err)
				}
			}
			badMsg := append([]byte(nil), msg...)
			badMsg[0] ^= 1
			if err := Verify(alg, k.Public(), badMsg, sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("changed message: err = %v", err)
			}
			// Wrong lengths, including ASN.1 DER and truncated forms.
			for _, bad := range [][]byte{nil, {}, sig[:len(sig)-1], append(append([]byte(nil), sig...), 0), make([]byte, len(sig))} {
				if err := Verify(alg, k.Public(), msg, bad); !errors.Is(err, ErrBadSignature) {
					t.Fatalf("sig of len %d: err = %v", len(bad), err)
				}
			}
			// Another key of the same type fails.
			if err := Verify(alg, mustKey(t, alg).Public(), msg, sig); !errors.Is(err, ErrBadSignature) {
				t.Fatalf("other key: err = %v", err)
			}
		})
	}
}

func TestVerifyECDSARejectsASN1(t *testing.T) {
	k := mustKey(t, ES256).(*ecdsa.PrivateKey)
	msg := []byte("x")
	_, digest := hashFor(ES256, msg)
	der, err := ecdsa.SignASN1(rand.Reader, k, digest)
	if err != nil {
		t.Fatal(err)
	}
	if err := Verify(ES256, &k.PublicKey, msg, der); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("DER signature accepted by Verify: %v", err)
	}
}

func TestKeyTypeMismatch(t *testing.T) {
	keys := map[Algorithm]crypto.Signer{}
	for _, a := range allAlgs {
		keys[a] = mustKey(t, a)
	}
	for _, signAlg := range allAlgs {
		for keyAlg, k := range keys {
			if keyAlg == signAlg {
				continue
			}
			if _, err := Sign(k, signAlg, []byte("m")); !errors.Is(err, ErrKeyTypeMismatch) {
				t.Errorf("Sign(%s key, %s) err = %v", keyAlg, signAlg, err)
			}
			if err := Verify(signAlg, k.Public(), []byte("m"), make([]byte, 96)); !errors.Is(err, ErrKeyTypeMismatch) {
				t.Errorf("Verify(%s, %s key) err = %v", signAlg, keyAlg, err)
			}
		}
	}
	if err := Verify(EdDSA, nil, nil, nil); !errors.Is(err, ErrKeyTypeMismatch) {
		t.Errorf("nil key: %v", err)
	}
	if err := Verify("none", keys[EdDSA].Public(), nil, nil); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("alg none: %v", err)
	}
	if _, err := Sign(keys[EdDSA], "none", nil); !errors.Is(err, ErrUnsupportedAlgorithm) {
		t.Errorf("Sign alg none: %v", err)
	}
	if _, err := Sign(nil, EdDSA, nil); !errors.Is(err, ErrKeyTypeMismatch) {
		t.Errorf("Sign nil signer: %v", err)
	}
}

// rawSigner is a crypto.Signer whose output we control, like a misbehaving
// HSM.
type rawSigner struct {
	pub crypto.PublicKey
	out []byte
}

func (s rawSigner) Public() crypto.PublicKey { return s.pub }
func (s rawSigner) Sign(io.Reader, []byte, crypto.SignerOpts) ([]byte, error) {
	return s.out, nil
}

func TestSignRejectsBadSignerOutput(t *testing.T) {
	ec := mustKey(t, ES256)
	ed := mustKey(t, EdDSA)
	der := func(h string) []byte { b, _ := hex.DecodeString(h); return b }
	tests := []struct {
		name string
		s    crypto.Signer
		alg  Algorithm
	}{
		{"raw instead of DER", rawSigner{ec.Public(), make([]byte, 64)}, ES256},
		{"trailing data", rawSigner{ec.Public(), der("3006020101020101" + "00")}, ES256},
		{"negative r", rawSigner{ec.Public(), der("30060201ff020101")}, ES256},
		{"r too long", rawSigner{ec.Public(), der("3026022101" + "0000000000000000000000000000000000000000000000000000000000000000" + "020101")}, ES256},
		{"short ed25519", rawSigner{ed.Public(), make([]byte, 63)}, EdDSA},
	}
	for _, tt := range tests {
		if _, err := Sign(tt.s, tt.alg, []byte("m")); err == nil {
			t.Errorf("%s: Sign accepted bad signer output", tt.name)
		}
	}
}

func TestASN1ToRawPadding(t *testing.T) {
	// r and s shorter than the field must be left-padded.
	der, _ := hex.DecodeString("3006020101020102")
	raw, err := asn1ToRaw(der, 32)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) != 64 || raw[31] != 1 || raw[63] != 2 {
		t.Fatalf("raw = %x", raw)
	}
	for i, b := range raw {
		if i != 31 && i != 63 && b != 0 {
			t.Fatalf("raw = %x", raw)
		}
	}
	// A 33-byte r with a sign byte is fine.
	r := append([]byte{0x00, 0xff}, make([]byte, 31)...)
	der = append(append([]byte{0x30, 0x26, 0x02, 0x21}, r...), 0x02, 0x01, 0x01)
	if raw, err = asn1ToRaw(der, 32); err != nil || raw[0] != 0xff {
		t.Fatalf("sign byte: %x %v", raw, err)
	}
}

func TestSignManyECDSA(t *testing.T) {
	// Short R or S values (leading zero bytes) occur about 1 in 128
	// signatures; sign enough to hit some and check they all verify.
	for _, alg := range []Algorithm{ES256, ES384} {
		k := mustKey(t, alg)
		for i := range 300 {
			msg := []byte{byte(i), byte(i >> 8)}
			sig, err := Sign(k, alg, msg)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(alg, k.Public(), msg, sig); err != nil {
				t.Fatalf("%s #%d: %v", alg, i, err)
			}
		}
	}
}

func BenchmarkSign(b *testing.B) {
	msg := make([]byte, 2048)
	for _, alg := range allAlgs {
		k := mustKey(b, alg)
		b.Run(string(alg), func(b *testing.B) {
			for b.Loop() {
				if _, err := Sign(k, alg, msg); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	msg := make([]byte, 2048)
	for _, alg := range allAlgs {
		k := mustKey(b, alg)
		sig, _ := Sign(k, alg, msg)
		b.Run(string(alg), func(b *testing.B) {
			for b.Loop() {
				if err := Verify(alg, k.Public(), msg, sig); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
