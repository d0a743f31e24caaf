package did

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/testdata"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/internal/base58"
)

// did:key test vectors from the did:key specification
// (w3c-ccg/did-method-key, test-vectors/ed25519-x25519.json and
// nist-curves.json): Ed25519 keys from fixed seeds, with the raw public
// key in base58; P-256 and P-384 keys with their JWKs.
var ed25519Vectors = []struct{ seed, did, publicKeyBase58 string }{
	{"0000000000000000000000000000000000000000000000000000000000000000", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS"},
	{"0000000000000000000000000000000000000000000000000000000000000001", "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG", "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt"},
	{"0000000000000000000000000000000000000000000000000000000000000002", "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf", "8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH"},
	{"0000000000000000000000000000000000000000000000000000000000000003", "did:key:z6MkvqoYXQfDDJRv8L4wKzxYeuKyVZBfi9Qo6Ro8MiLH3kDQ", "HPYVwAQmskwT1qEEeRzhoomyfyupJGASQQtCXSNG8XS2"},
	{"0000000000000000000000000000000000000000000000000000000000000004", "did:key:z6MkwW6aqMnjgrhJXFUko3NnZPGzVpkNzhYK7yEhnsibmLwL", "J3qYF7YJMKCqQke47UQwiHizgFUXapHxRxKmxbkar89x"},
}

var nistVectors = []struct {
	did string
	jwk signing.JWK
}{
	{"did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv", signing.JWK{Kty: "EC", Crv: "P-256",
		X: "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns", Y: "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
		D: "gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc"}},
	{"did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169", signing.JWK{Kty: "EC", Crv: "P-256",
		X: "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI", Y: "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
		D: "YjRs6vNvw4sYrzVVY8ipkEpDAD9PFqw1sUnvPRMA-WI"}},
	{"did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9", signing.JWK{Kty: "EC", Crv: "P-384",
		X: "lInTxl8fjLKp_UCrxI0WDklahi-7-_6JbtiHjiRvMvhedhKVdHBfi2HCY8t_QJyc", Y: "y6N1IC-2mXxHreETBW7K3mBcw0qGr3CWHCs-yl09yCQRLcyfGv7XhqAngHOu51Zv",
		D: "hAyGZNj9031guBCdpAOaZkO-E5m-LKLYnMIq0-msrp8JLctseaOeNTHmP3uKVWwX"}},
	{"did:key:z82LkvCwHNreneWpsgPEbV3gu1C6NFJEBg4srfJ5gdxEsMGRJUz2sG9FE42shbn2xkZJh54", signing.JWK{Kty: "EC", Crv: "P-384",
		X: "CA-iNoHDg1lL8pvX3d1uvExzVfCz7Rn6tW781Ub8K5MrDf2IMPyL0RTDiaLHC1JT", Y: "Kpnrn8DkXUD3ge4mFxi-DKr0DYO2KuJdwNBrhzLRtfMa3WFMZBiPKUPfJj8dYNl_",
		D: "Xe1HHeh-UsrJPRNLR_Y06VTrWpZYBXi7a7kiRqCgwnAOlJZPwE-xzL3DIIVMavAL"}},
}

func TestKeyDIDEd25519Vectors(t *testing.T) {
	for _, v := range ed25519Vectors {
		seed, _ := hex.DecodeString(v.seed)
		pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
		if raw, _ := base58.Decode(v.publicKeyBase58); !bytes.Equal(raw, pub) {
			t.Fatalf("seed %s: public key %x, vector %s", v.seed, pub, v.publicKeyBase58)
		}
		got, err := KeyDID(pub)
		if err != nil || got != v.did {
			t.Errorf("KeyDID(seed %s) = %s, %v; want %s", v.seed, got, err, v.did)
		}
		back, err := ParseKeyDID(v.did)
		if err != nil || !pub.Equal(back) {
			t.Errorf("ParseKeyDID(%s) = %x, %v", v.did, back, err)
		}
	}
}

func TestKeyDIDNISTVectors(t *testing.T) {
	for _, v := range nistVectors {
		priv, err := v.jwk.PrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		got, err := KeyDID(priv.Public())
		if err != nil || got != v.did {
			t.Errorf("KeyDID(%s %s) = %s, %v; want %s", v.jwk.Crv, v.jwk.X, got, err, v.did)
		}
		back, err := ParseKeyDID(v.did)
		if err != nil || !priv.Public().(*ecdsa.PublicKey).Equal(back) {
			t.Errorf("ParseKeyDID(%s) = %v, %v", v.did, back, err)
		}
		// Resolve and sign/verify through the document.
		var r Resolver
		msid := strings.TrimPrefix(v.did, "did:key:")
		pub, err := r.ResolveKey(t.Context(), v.did+"#"+msid, AssertionMethod)
		if err != nil {
			t.Fatal(err)
		}
		alg, _ := signing.AlgorithmFor(pub)
		sig, _ := signing.Sign(priv, alg, []byte("m"))
		if err := signing.Verify(alg, pub, []byte("m"), sig); err != nil {
			t.Fatal(err)
		}
	}
}

// The brief's P-384 example "z82Lm1MpAkeJcix9K8TMiLd5NMAmt4f..." is 95
// characters: neither a compressed (about 70) nor an uncompressed P-384
// key. The spec's own vectors are above; this one must be refused.
func TestKeyDIDRejectsMalformedP384Example(t *testing.T) {
	if _, err := ParseKeyDID("did:key:z82Lm1MpAkeJcix9K8TMiLd5NMAmt4fTgc3Pb1Yp3VaQoqtG3ADsGkmaWWL8xSHvrF7XZjeY7pMt7QKVN5GZ3MsNqG4MKzE"); err == nil {
		t.Fatal("accepted")
	}
}

// The W3C Data Integrity EdDSA vectors use a did:key verification method
// and publish the key pair as multibase values.
func TestEdDSARDFCVectors(t *testing.T) {
	dir := testdata.Vectors(t, "eddsa-rdfc-2022")
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(b))
	}
	const pubMB = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
	if !strings.Contains(read("keyPair.json"), pubMB) {
		t.Fatal("keyPair.json changed")
	}
	// privateKeyMultibase: ed25519-priv (0x1300, varint 80 26) + seed.
	privRaw, err := base58.Decode(strings.TrimPrefix("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq", "z"))
	if err != nil || len(privRaw) != 34 || privRaw[0] != 0x80 || privRaw[1] != 0x26 {
		t.Fatalf("private multikey %x %v", privRaw, err)
	}
	priv := ed25519.NewKeyFromSeed(privRaw[2:])
	mk, err := EncodeMultikey(priv.Public())
	if err != nil || mk != pubMB {
		t.Fatalf("EncodeMultikey = %s, %v", mk, err)
	}
	combined, _ := hex.DecodeString(read("combinedHashDataInt.txt"))
	wantSig := read("sigHexDataInt.txt")
	if got := hex.EncodeToString(ed25519.Sign(priv, combined)); got != wantSig {
		t.Fatalf("signature %s, want %s", got, wantSig)
	}
	sig, _ := hex.DecodeString(wantSig)
	if "z"+base58.Encode(sig) != read("sigBTC58DataInt.txt") {
		t.Fatal("base58btc signature differs")
	}
	var r Resolver
	pub, err := r.ResolveKey(t.Context(), "did:key:"+pubMB+"#"+pubMB, AssertionMethod)
	if err != nil {
		t.Fatal(err)
	}
	if err := signing.Verify(signing.EdDSA, pub, combined, sig); err != nil {
		t.Fatal(err)
	}
}

func TestKeyDIDRoundTrip(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384} {
		for range 20 { // both compressed-point parities
			k, _ := signing.GenerateKey(alg)
			d, err := KeyDID(k.Public())
			if err != nil {
				t.Fatal(err)
			}
			want := map[signing.Algorithm]string{signing.EdDSA: "did:key:z6Mk", signing.ES256: "did:key:zDna", signing.ES384: "did:key:z82L"}[alg]
			if !strings.HasPrefix(d, want) {
				t.Fatalf("%s did:key %s, want prefix %s", alg, d, want)
			}
			pub, err := ParseKeyDID(d)
			if err != nil || !equal(k.Public(), pub) {
				t.Fatalf("ParseKeyDID(%s) = %v, %v", d, pub, err)
			}
		}
	}
}

func TestParseKeyDIDInvalid(t *testing.T) {
	ed, _ := KeyDID(ed25519.PublicKey(make([]byte, 32)))
	p256 := nistVectors[0].did
	enc := func(b ...[]byte) string { return "did:key:z" + base58.Encode(bytes.Join(b, nil)) }
	x := make([]byte, 32)
	tests := map[string]struct {
		did     string
		wantErr error
	}{
		"not a DID":           {"z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", ErrInvalidDID},
		"did:web":             {"did:web:example.com", ErrInvalidDID},
		"fragment":            {ed + "#x", ErrInvalidDID},
		"no z":                {strings.Replace(ed, ":z", ":", 1), ErrInvalidDID},
		"base64 multibase":    {"did:key:mAAAA", ErrInvalidDID},
		"bad base58 char":     {"did:key:z0OIl", ErrInvalidDID},
		"short ed25519":       {ed[:len(ed)-2], nil},
		"long ed25519":        {enc(codecEd25519, make([]byte, 33)), ErrInvalidDID},
		"uncompressed p256":   {enc(codecP256, []byte{4}, x, x), ErrInvalidDID},
		"p256 bad prefix":     {enc(codecP256, []byte{5}, x), ErrInvalidDID},
		"p256 off curve":      {enc(codecP256, []byte{2}, bytes.Repeat([]byte{0xff}, 32)), ErrInvalidDID},
		"p384 short":          {enc(codecP384, []byte{2}, x), ErrInvalidDID},
		"x25519":              {enc([]byte{0xec, 0x01}, x), ErrUnsupportedKey},
		"secp256k1":           {enc([]byte{0xe7, 0x01}, []byte{2}, x), ErrUnsupportedKey},
		"non-minimal varint":  {enc([]byte{0xed, 0x81, 0x00}, x), ErrUnsupportedKey},
		"empty":               {"did:key:z", ErrInvalidDID},
		"huge":                {"did:key:z" + strings.Repeat("2", 5000), ErrInvalidDID},
		"long but valid-ish":  {"did:key:z" + strings.Repeat("2", 200), ErrInvalidDID},
		"trailing garbage":    {p256 + "1", nil},
		"version prefix form": {"did:key:1.0:" + strings.TrimPrefix(ed, "did:key:"), ErrInvalidDID},
	}
	for name, tt := range tests {
		pub, err := ParseKeyDID(tt.did)
		if err == nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) || pub != nil {
			t.Errorf("%s: ParseKeyDID = %v, %v; want %v", name, pub, err, tt.wantErr)
		}
	}
}

func TestJWKDID(t *testing.T) {
	// did:jwk specification example (P-256).
	const example = "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
	j, pub, err := ParseJWKDID(example)
	if err != nil {
		t.Fatal(err)
	}
	if j.X != "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0" || j.Y != "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE" {
		t.Fatalf("jwk %v", j)
	}
	if d, err := JWKDID(pub); err != nil || d != example {
		t.Fatalf("JWKDID = %s, %v", d, err)
	}
	var r Resolver
	got, err := r.ResolveKey(t.Context(), example+"#0", AssertionMethod)
	if err != nil || !pub.(*ecdsa.PublicKey).Equal(got) {
		t.Fatalf("ResolveKey = %v, %v", got, err)
	}
	// The spec's X25519 example is an encryption key: not usable here.
	const x25519 = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVHZE5yZngtRkctSUswOCJ9"
	if _, _, err := ParseJWKDID(x25519); !errors.Is(err, ErrUnsupportedKey) {
		t.Fatalf("X25519 did:jwk: %v", err)
	}
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384} {
		k, _ := signing.GenerateKey(alg)
		d, err := JWKDID(k.Public())
		if err != nil {
			t.Fatal(err)
		}
		_, back, err := ParseJWKDID(d)
		if err != nil || !equal(k.Public(), back) {
			t.Fatalf("%s round trip: %v", alg, err)
		}
	}
}

func TestParseJWKDIDInvalid(t *testing.T) {
	b := func(s string) string { return "did:jwk:" + strings.TrimRight(b64url(s), "=") }
	x := "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
	for name, d := range map[string]string{
		"private key":   b(`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","d":"` + x + `"}`),
		"duplicate":     b(`{"kty":"OKP","crv":"Ed25519","x":"` + x + `","x":"` + x + `"}`),
		"not object":    b(`["kty"]`),
		"padded":        b(`{"kty":"OKP","crv":"Ed25519","x":"`+x+`"}`) + "%3D",
		"not base64url": "did:jwk:eyJ.",
		"RSA":           b(`{"kty":"RSA","n":"AQAB","e":"AQAB"}`),
		"bad x":         b(`{"kty":"OKP","crv":"Ed25519","x":"AAAA"}`),
		"did:key":       "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
		"huge":          "did:jwk:" + strings.Repeat("A", 1100),
	} {
		if _, pub, err := ParseJWKDID(d); err == nil || pub != nil {
			t.Errorf("%s: ParseJWKDID(%s) accepted", name, d)
		}
	}
}

func b64url(s string) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	var out strings.Builder
	for i := 0; i < len(s); i += 3 {
		var n uint32
		k := min(3, len(s)-i)
		for j := 0; j < 3; j++ {
			n <<= 8
			if j < k {
				n |= uint32(s[i+j])
			}
		}
		for j := 0; j < k+1; j++ {
			out.WriteByte(alphabet[(n>>(18-6*j))&63])
		}
	}
	return out.String()
}

func FuzzParseKeyDID(f *testing.F) {
	for _, v := range ed25519Vectors {
		f.Add(v.did)
	}
	for _, v := range nistVectors {
		f.Add(v.did)
	}
	f.Add("did:key:z")
	f.Add("did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5IjoiX0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9")
	f.Fuzz(func(t *testing.T, s string) {
		pub, err := ParseKeyDID(s)
		if err != nil {
			if pub != nil {
				t.Fatal("error with non-nil key")
			}
		} else {
			// Round trip: a key has exactly one did:key.
			back, err := KeyDID(pub)
			if err != nil || back != s {
				t.Fatalf("KeyDID(ParseKeyDID(%q)) = %q, %v", s, back, err)
			}
		}
		j, pub2, err := ParseJWKDID(s)
		if err != nil {
			if pub2 != nil || j != (signing.JWK{}) {
				t.Fatal("error with non-zero result")
			}
		} else if _, err := JWKDID(pub2); err != nil {
			t.Fatal(err)
		}
		// Resolution of local methods never panics and agrees with parsing.
		var r Resolver
		if strings.HasPrefix(s, "did:key:") || strings.HasPrefix(s, "did:jwk:") {
			doc, err := r.Resolve(t.Context(), s)
			if (err == nil) != (pub != nil || pub2 != nil) {
				t.Fatalf("Resolve(%q) err = %v, parse ok = %v", s, err, pub != nil || pub2 != nil)
			}
			if err == nil && doc.ID != s {
				t.Fatal("document id differs")
			}
		}
	})
}

func equal(a, b crypto.PublicKey) bool {
	e, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && e.Equal(b)
}
