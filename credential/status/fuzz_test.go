package status

import (
	"bytes"
	"encoding/binary"
	"testing"
)

func FuzzDecodeList(f *testing.F) {
	empty, _ := mustNew(f, MinSize).Encode()
	sparse, _ := randomBitstring(f, MinSize, 3).Encode()
	f.Add(empty)
	f.Add(sparse)
	f.Add("u")
	f.Add("")
	f.Add("uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA") // spec example 3
	f.Add("zH4sIAAAAAAAAA")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeList(s)
		if err != nil {
			if b != nil {
				t.Fatalf("DecodeList(%q) returned a Bitstring with error %v", s, err)
			}
			return
		}
		if b.Len() < MinSize || b.Len() > MaxSize || b.Len()%8 != 0 {
			t.Fatalf("DecodeList accepted a list of %d bits", b.Len())
		}
		// Re-encoding may compress differently; decoding again must give
		// the same bits.
		enc, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		b2, err := DecodeList(enc)
		if err != nil {
			t.Fatalf("DecodeList(Encode(b)): %v", err)
		}
		if !bytes.Equal(b.Bytes(), b2.Bytes()) {
			t.Fatal("DecodeList(Encode(b)) != b")
		}
	})
}

// FuzzEncodeRoundTrip checks decode(encode(x)) == x for bitstrings holding
// the fuzzer's bytes at a fuzzer-chosen offset.
func FuzzEncodeRoundTrip(f *testing.F) {
	f.Add([]byte{0x80}, uint32(0), uint8(0))
	f.Add([]byte("status list"), uint32(MinSize/8-3), uint8(1))
	f.Fuzz(func(t *testing.T, p []byte, offset uint32, extra uint8) {
		size := MinSize + int(extra)*8*1024
		raw := make([]byte, size/8)
		copy(raw[int(offset)%len(raw):], p)
		b, err := BitstringFromBytes(raw)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := b.Encode()
		if err != nil {
			t.Fatal(err)
		}
		got, err := DecodeList(enc)
		if err != nil {
			t.Fatalf("DecodeList(Encode(x)): %v", err)
		}
		if !bytes.Equal(got.Bytes(), raw) {
			t.Fatal("DecodeList(Encode(x)) != x")
		}
		for _, i := range []int{0, int(offset) * 8 % size, size - 1} {
			want := raw[i/8]&(0x80>>(i%8)) != 0
			if v, err := got.Get(i); err != nil || v != want {
				t.Fatalf("Get(%d) = %v, %v; want %v", i, v, err, want)
			}
		}
	})
}

// FuzzPermute checks that Permute is a bijection on [0, n) for small n.
func FuzzPermute(f *testing.F) {
	f.Add([]byte("key"), uint16(1))
	f.Add([]byte{1, 2, 3}, uint16(1000))
	f.Add([]byte{}, uint16(4097))
	f.Fuzz(func(t *testing.T, k []byte, n16 uint16) {
		n := uint64(n16%5000) + 1
		var key [32]byte
		copy(key[:], k)
		binary.LittleEndian.PutUint16(key[30:], n16) // vary the key with n too
		checkBijection(t, key, n)
	})
}
