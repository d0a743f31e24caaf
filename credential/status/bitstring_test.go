package status

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/testdata"
)

func TestNewBitstring(t *testing.T) {
	tests := []struct {
		name    string
		size    int
		wantErr error
	}{
		{"min", MinSize, nil},
		{"double", 2 * MinSize, nil},
		{"min plus a byte", MinSize + 8, nil},
		{"max", MaxSize, nil},
		{"zero", 0, ErrListInvalid},
		{"negative", -8, ErrListInvalid},
		{"below min", MinSize - 8, ErrListInvalid},
		{"not whole bytes", MinSize + 1, ErrListInvalid},
		{"above max", MaxSize + 8, ErrListInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := NewBitstring(tt.size)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("NewBitstring(%d) error = %v, want %v", tt.size, err, tt.wantErr)
			}
			if err != nil {
				if b != nil {
					t.Fatal("non-nil Bitstring with error")
				}
				return
			}
			if b.Len() != tt.size {
				t.Fatalf("Len() = %d, want %d", b.Len(), tt.size)
			}
			if got := b.Bytes(); len(got) != tt.size/8 || bytes.ContainsFunc(got, func(r rune) bool { return r != 0 }) {
				t.Fatal("new bitstring is not all clear")
			}
		})
	}
}

func TestBitOrder(t *testing.T) {
	b, _ := NewBitstring(MinSize)
	for _, tc := range []struct {
		index int
		byteN int
		want  byte
	}{
		{0, 0, 0x80}, // index 0 is the left-most (most significant) bit
		{1, 0, 0x40},
		{7, 0, 0x01},
		{8, 1, 0x80},
		{MinSize - 1, MinSize/8 - 1, 0x01},
	} {
		if err := b.Set(tc.index, true); err != nil {
			t.Fatal(err)
		}
		if got := b.Bytes()[tc.byteN]; got != tc.want {
			t.Errorf("after Set(%d): byte %d = %#02x, want %#02x", tc.index, tc.byteN, got, tc.want)
		}
		if v, err := b.Get(tc.index); err != nil || !v {
			t.Errorf("Get(%d) = %v, %v; want true", tc.index, v, err)
		}
		if err := b.Set(tc.index, false); err != nil {
			t.Fatal(err)
		}
		if v, _ := b.Get(tc.index); v {
			t.Errorf("Get(%d) after clearing = true", tc.index)
		}
	}
}

func TestGetSetOutOfRange(t *testing.T) {
	b, _ := NewBitstring(MinSize)
	for _, i := range []int{-1, MinSize, MinSize + 100, -1 << 62} {
		if _, err := b.Get(i); !errors.Is(err, ErrIndexOutOfRange) {
			t.Errorf("Get(%d) error = %v, want ErrIndexOutOfRange", i, err)
		}
		if err := b.Set(i, true); !errors.Is(err, ErrIndexOutOfRange) {
			t.Errorf("Set(%d) error = %v, want ErrIndexOutOfRange", i, err)
		}
	}
	if !bytes.Equal(b.Bytes(), make([]byte, MinSize/8)) {
		t.Fatal("failed Set modified the bitstring")
	}
}

func TestBitstringCopies(t *testing.T) {
	p := make([]byte, MinSize/8)
	b, err := BitstringFromBytes(p)
	if err != nil {
		t.Fatal(err)
	}
	p[0] = 0xff // must not affect b
	if v, _ := b.Get(0); v {
		t.Fatal("BitstringFromBytes kept a reference to its input")
	}
	out := b.Bytes()
	out[0] = 0xff // must not affect b
	if v, _ := b.Get(0); v {
		t.Fatal("Bytes returned the internal slice")
	}
	if _, err := BitstringFromBytes(p[:MinSize/8-1]); !errors.Is(err, ErrListInvalid) {
		t.Fatalf("short input: error = %v, want ErrListInvalid", err)
	}
	if _, err := BitstringFromBytes(nil); !errors.Is(err, ErrListInvalid) {
		t.Fatalf("nil input: error = %v, want ErrListInvalid", err)
	}
}

func randomBitstring(t testing.TB, size int, seed uint64) *Bitstring {
	t.Helper()
	b, err := NewBitstring(size)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 1))
	for range 1000 {
		if err := b.Set(r.IntN(size), true); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	full, _ := NewBitstring(MinSize)
	for i := range MinSize {
		full.Set(i, true)
	}
	for name, b := range map[string]*Bitstring{
		"empty":  mustNew(t, MinSize),
		"sparse": randomBitstring(t, MinSize, 1),
		"large":  randomBitstring(t, 8*MinSize, 2),
		"full":   full,
	} {
		t.Run(name, func(t *testing.T) {
			enc, err := b.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if enc[0] != 'u' || strings.ContainsAny(enc, "=+/") {
				t.Fatalf("Encode() = %.20q..., want multibase base64url without padding", enc)
			}
			again, _ := b.Encode()
			if again != enc {
				t.Fatal("Encode is not deterministic")
			}
			got, err := DecodeList(enc)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), b.Bytes()) {
				t.Fatal("DecodeList(Encode(b)) != b")
			}

			// Our output is plain GZIP that any decoder reads.
			raw, err := base64.RawURLEncoding.DecodeString(enc[1:])
			if err != nil {
				t.Fatal(err)
			}
			zr, err := gzip.NewReader(bytes.NewReader(raw))
			if err != nil {
				t.Fatal(err)
			}
			plain, err := io.ReadAll(zr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain, b.Bytes()) {
				t.Fatal("stdlib gzip decodes Encode output to different bytes")
			}
		})
	}
}

func mustNew(t testing.TB, size int) *Bitstring {
	t.Helper()
	b, err := NewBitstring(size)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// encodeRaw gzips p and encodes it as multibase base64url, without the size
// checks of Encode.
func encodeRaw(t testing.TB, p []byte) string {
	t.Helper()
	return "u" + base64.RawURLEncoding.EncodeToString(gzipBytes(t, p))
}

func gzipBytes(t testing.TB, p []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestSpeed)
	zw.Write(p)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecodeListRejects(t *testing.T) {
	ok := encodeRaw(t, make([]byte, MinSize/8))
	gz := gzipBytes(t, make([]byte, MinSize/8))
	corrupt := bytes.Clone(gz)
	corrupt[len(corrupt)-5] ^= 1 // CRC-32 / ISIZE trailer
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"empty", "", ErrListInvalid},
		{"no prefix", ok[1:], ErrListInvalid},
		{"base64 standard prefix m", "m" + ok[1:], ErrListInvalid},
		{"base64url padded prefix U", "U" + ok[1:], ErrListInvalid},
		{"base58btc prefix z", "z" + ok[1:], ErrListInvalid},
		{"padded", "u" + base64.URLEncoding.EncodeToString(gz), ErrListInvalid},
		{"standard alphabet", "u" + strings.NewReplacer("-", "+", "_", "/").Replace(ok[1:]), ErrListInvalid},
		{"bad base64 char", ok[:10] + "!" + ok[11:], ErrListInvalid},
		{"whitespace", ok[:10] + "\n" + ok[10:], ErrListInvalid},
		{"not gzip", "u" + base64.RawURLEncoding.EncodeToString(make([]byte, MinSize/8)), ErrListInvalid},
		{"prefix only", "u", ErrListInvalid},
		{"truncated gzip", "u" + base64.RawURLEncoding.EncodeToString(gz[:len(gz)-4]), ErrListInvalid},
		{"corrupt checksum", "u" + base64.RawURLEncoding.EncodeToString(corrupt), ErrListInvalid},
		{"trailing garbage", "u" + base64.RawURLEncoding.EncodeToString(append(bytes.Clone(gz), 0, 0, 0)), ErrListInvalid},
		{"two gzip members", "u" + base64.RawURLEncoding.EncodeToString(append(bytes.Clone(gz), gz...)), ErrListInvalid},
		{"too short", encodeRaw(t, make([]byte, MinSize/8-1)), ErrListInvalid},
		{"tiny", encodeRaw(t, []byte{0}), ErrListInvalid},
		{"empty list", encodeRaw(t, nil), ErrListInvalid},
		{"too long encoding", "u" + strings.Repeat("A", maxEncodedLen), ErrListInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := DecodeList(tt.in)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("DecodeList error = %v, want %v", err, tt.wantErr)
			}
			if b != nil {
				t.Fatal("non-nil Bitstring with error")
			}
			if !strings.HasPrefix(err.Error(), "status: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
	if _, err := DecodeList(ok); err != nil {
		t.Fatalf("control: %v", err)
	}
}

func TestDecodeListGzipBomb(t *testing.T) {
	// 20 MiB of zeros compresses to about 20 KiB.
	bomb := encodeRaw(t, make([]byte, 20<<20))
	if len(bomb) > 100<<10 {
		t.Fatalf("bomb is %d bytes, expected a small input", len(bomb))
	}
	b, err := DecodeList(bomb)
	if !errors.Is(err, ErrListInvalid) || b != nil {
		t.Fatalf("DecodeList(20 MiB of zeros) = %v, %v; want nil, ErrListInvalid", b, err)
	}
	// Exactly the maximum is accepted.
	maxList := encodeRaw(t, make([]byte, MaxSize/8))
	b, err = DecodeList(maxList)
	if err != nil || b.Len() != MaxSize {
		t.Fatalf("DecodeList(MaxSize bits) = %v, %v", b, err)
	}
}

func TestDecodeListAllocations(t *testing.T) {
	// A gzip bomb costs allocations bounded by the limit (about twice
	// MaxSize/8 in total, with geometric growth), not by its decoded size.
	if testing.Short() {
		t.Skip("slow")
	}
	bomb := encodeRaw(t, make([]byte, 48<<20))
	var before, after runtimeMem
	before.read()
	if _, err := DecodeList(bomb); !errors.Is(err, ErrListInvalid) {
		t.Fatal(err)
	}
	after.read()
	if got := after.totalAlloc - before.totalAlloc; got > 3*MaxSize/8 {
		t.Fatalf("decoding a 48 MiB bomb allocated %d MiB", got>>20)
	} else {
		t.Logf("decoding a 48 MiB bomb allocated %d MiB", got>>20)
	}
}

// TestVectorSpecExample decodes the list in the specification's example 3.
func TestVectorSpecExample(t *testing.T) {
	dir := testdata.Vectors(t, "bitstring-status-list")
	var doc struct {
		ID                string
		CredentialSubject struct {
			Type          string
			StatusPurpose string
			EncodedList   string
		}
	}
	data, err := os.ReadFile(filepath.Join(dir, "spec-example-3-status-list-credential.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	b, err := DecodeList(doc.CredentialSubject.EncodedList)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 131072 {
		t.Fatalf("Len() = %d, want 131072", b.Len())
	}
	if !bytes.Equal(b.Bytes(), make([]byte, 131072/8)) {
		t.Fatal("example list has set bits, want none")
	}
	if v, err := b.Get(94567); err != nil || v {
		t.Fatalf("Get(94567) = %v, %v; want false (the index of example 4)", v, err)
	}
}
