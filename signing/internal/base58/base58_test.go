package base58

import (
	"bytes"
	"encoding/hex"
	"testing"
)

// Vectors from the IETF base58 draft (draft-msporny-base58) and the
// Bitcoin test suite.
var vectors = []struct{ hex, enc string }{
	{"", ""},
	{"00", "1"},
	{"0000", "11"},
	{"61", "2g"},
	{"626262", "a3gV"},
	{"636363", "aPEr"},
	{"00000000000000000000", "1111111111"},
	{"000111d38e5fc9071ffcd20b4a763cc9ae4f252bb4e48fd66a835e252ada93ff480d6dd43dc62a641155a5", "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"},
	{"48656c6c6f20576f726c6421", "2NEpo7TZRRrLZSi2U"}, // "Hello World!"
	{"54686520717569636b2062726f776e20666f78206a756d7073206f76657220746865206c617a7920646f672e", "USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z"}, // "The quick brown fox..."
	{"0000287fb4cd", "11233QC4"},
	{"572e4794", "3EFU7m"},
	{"ecac89cad93923c02321", "EJDM8drfXA6uyA"},
	{"10c8511e", "Rt5zm"},
}

func TestVectors(t *testing.T) {
	for _, v := range vectors {
		raw, _ := hex.DecodeString(v.hex)
		if got := Encode(raw); got != v.enc {
			t.Errorf("Encode(%s) = %q, want %q", v.hex, got, v.enc)
		}
		got, err := Decode(v.enc)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("Decode(%q) = %x, %v; want %s", v.enc, got, err, v.hex)
		}
	}
}

func TestDecodeInvalid(t *testing.T) {
	for _, s := range []string{"0", "O", "I", "l", "abc+", " 1", "1 ", "z\x00", "\xff", "é"} {
		if b, err := Decode(s); err == nil || b != nil {
			t.Errorf("Decode(%q) = %x, %v; want error", s, b, err)
		}
	}
}

func FuzzRoundTrip(f *testing.F) {
	for _, v := range vectors {
		raw, _ := hex.DecodeString(v.hex)
		f.Add(raw, v.enc)
	}
	f.Fuzz(func(t *testing.T, raw []byte, s string) {
		if len(raw) > 512 || len(s) > 700 {
			return
		}
		if got, err := Decode(Encode(raw)); err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("Decode(Encode(%x)) = %x, %v", raw, got, err)
		}
		b, err := Decode(s)
		if err != nil {
			if b != nil {
				t.Fatal("error with non-nil result")
			}
			return
		}
		// Decoding is injective: the only encoding of b is s.
		if Encode(b) != s {
			t.Fatalf("Encode(Decode(%q)) = %q", s, Encode(b))
		}
	})
}

func BenchmarkDecodeDIDKey(b *testing.B) {
	const s = "z82Lm1MpAkeJcix9K8TMiLd5NMAhnwkjjCBeWHXyu3U4oT2MVJJKXkcVBgjGhnLBn2Kaau9"
	for b.Loop() {
		if _, err := Decode(s[1:]); err != nil {
			b.Fatal(err)
		}
	}
}
