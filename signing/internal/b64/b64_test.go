package b64

import (
	"bytes"
	"encoding/base64"
	"testing"
)

func TestStrict(t *testing.T) {
	for _, s := range []string{"", "AA", "AAA", "AAAA", "_-8", "YWJj"} {
		if _, err := Decode(s); err != nil {
			t.Errorf("Decode(%q): %v", s, err)
		}
	}
	for _, s := range []string{"A", "AB", "AAB", "AA==", "AA=", "A+/A", "AA\nAA", "AA\rAA", "\nAAAA", "AAAA\n", " AAA", "AA.A", "AAAAA", "YWJ\x00", "é"} {
		if b, err := Decode(s); err == nil {
			t.Errorf("Decode(%q) = %x, want error", s, b)
		}
		if b, err := AppendDecode(nil, []byte(s)); err == nil {
			t.Errorf("AppendDecode(%q) = %x, want error", s, b)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add("YWJj")
	f.Add("AB")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := Decode(s)
		if err != nil {
			if b != nil {
				t.Fatal("error with result")
			}
			return
		}
		if Encode(b) != s {
			t.Fatalf("not canonical: %q -> %x -> %q", s, b, Encode(b))
		}
		b2, err := AppendDecode([]byte{1}, []byte(s))
		if err != nil || !bytes.Equal(b2[1:], b) {
			t.Fatal("AppendDecode differs")
		}
		if std, err := base64.RawURLEncoding.DecodeString(s); err != nil || !bytes.Equal(std, b) {
			t.Fatal("differs from encoding/base64")
		}
	})
}
