package status

import (
	"crypto/rand"
	"testing"
)

func randomKey(t testing.TB) [32]byte {
	t.Helper()
	var k [32]byte
	if _, err := rand.Read(k[:]); err != nil {
		t.Fatal(err)
	}
	return k
}

// checkBijection fails unless Permute(key, n, ·) maps [0, n) onto [0, n).
func checkBijection(t testing.TB, key [32]byte, n uint64) {
	t.Helper()
	seen := make([]bool, n)
	for i := range n {
		x := Permute(key, n, i)
		if x >= n {
			t.Fatalf("Permute(n=%d, %d) = %d, out of range", n, i, x)
		}
		if seen[x] {
			t.Fatalf("Permute(n=%d) hits %d twice", n, x)
		}
		seen[x] = true
	}
}

func TestPermuteBijection(t *testing.T) {
	key := randomKey(t)
	for _, n := range []uint64{1, 2, 3, 4, 5, 15, 16, 17, 1000, 4096, 65537, MinSize, MinSize + 8} {
		checkBijection(t, key, n)
	}
}

func TestPermuteLargeN(t *testing.T) {
	key := randomKey(t)
	for _, n := range []uint64{1 << 40, 1<<63 + 12345, ^uint64(0)} {
		for _, i := range []uint64{0, 1, n / 2, n - 1} {
			if x := Permute(key, n, i); x >= n {
				t.Fatalf("Permute(n=%d, %d) = %d, out of range", n, i, x)
			}
		}
	}
}

func TestPermuteKeyed(t *testing.T) {
	k1, k2 := randomKey(t), randomKey(t)
	const n = MinSize
	var same, fixed int
	for i := range uint64(n) {
		a, b := Permute(k1, n, i), Permute(k2, n, i)
		if a == b {
			same++
		}
		if a == i {
			fixed++
		}
	}
	// A random pair of permutations agrees at about one point.
	if same > 20 {
		t.Fatalf("two keys agree on %d of %d counters", same, n)
	}
	if fixed > 20 {
		t.Fatalf("%d of %d counters map to themselves", fixed, n)
	}
	// Deterministic for a fixed key.
	for i := range uint64(100) {
		if Permute(k1, n, i) != Permute(k1, n, i) {
			t.Fatal("Permute is not deterministic")
		}
	}
	// The first indexes handed out are not in order.
	ascending := 0
	for i := range uint64(64) {
		if Permute(k1, n, i) < Permute(k1, n, i+1) {
			ascending++
		}
	}
	if ascending == 64 || ascending == 0 {
		t.Fatal("Permute output is monotonic")
	}
}

// TestPermuteKnownAnswer pins the construction: changing it would make
// issuers reuse indexes of lists already being allocated.
func TestPermuteKnownAnswer(t *testing.T) {
	var key [32]byte
	for i := range key {
		key[i] = byte(i)
	}
	got := [4]uint64{}
	for i := range got {
		got[i] = Permute(key, MinSize, uint64(i))
	}
	want := [4]uint64{75541, 29751, 82311, 43917}
	if got != want {
		t.Fatalf("Permute(key 00..1f, %d, 0..3) = %v, want %v", MinSize, got, want)
	}
}

func TestPermutePanics(t *testing.T) {
	for _, tc := range []struct{ n, i uint64 }{{0, 0}, {10, 10}, {10, 11}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Permute(n=%d, i=%d) did not panic", tc.n, tc.i)
				}
			}()
			Permute([32]byte{}, tc.n, tc.i)
		}()
	}
}

func BenchmarkPermute(b *testing.B) {
	key := randomKey(b)
	for _, n := range []uint64{MinSize, MinSize + 8} {
		b.Run(sizeName(n), func(b *testing.B) {
			var i uint64
			for b.Loop() {
				Permute(key, n, i)
				i++
				if i == n {
					i = 0
				}
			}
		})
	}
}

func sizeName(n uint64) string {
	switch n {
	case MinSize:
		return "n=131072"
	case MinSize + 8:
		return "n=131080"
	}
	return "n"
}

func TestPermuteKeyCache(t *testing.T) {
	// Alternating keys must not mix up the cached key schedule.
	k1, k2 := randomKey(t), randomKey(t)
	want1, want2 := Permute(k1, 1000, 7), Permute(k2, 1000, 7)
	for range 10 {
		if Permute(k1, 1000, 7) != want1 || Permute(k2, 1000, 7) != want2 {
			t.Fatal("result depends on the previously used key")
		}
	}
}

func TestPermuteConcurrent(t *testing.T) {
	keys := [][32]byte{randomKey(t), randomKey(t), randomKey(t)}
	want := make([]uint64, len(keys))
	for j, k := range keys {
		want[j] = Permute(k, 5000, 4321)
	}
	done := make(chan bool)
	for g := range 4 {
		go func() {
			ok := true
			for n := range 2000 {
				j := (g + n) % len(keys)
				ok = ok && Permute(keys[j], 5000, 4321) == want[j]
			}
			done <- ok
		}()
	}
	for range 4 {
		if !<-done {
			t.Fatal("concurrent Permute with different keys gave wrong results")
		}
	}
}
