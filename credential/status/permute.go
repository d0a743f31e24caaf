package status

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"math/bits"
	"sync/atomic"
)

// permuteRounds is the number of Feistel rounds. Luby and Rackoff's four
// rounds are enough for large halves; the halves here can be a few bits
// wide, so Permute uses eight, as NIST's FF3-1 does.
const permuteRounds = 8

// Permute maps a counter i in [0, n) to an index in [0, n). For a fixed key
// and n it is a bijection: every counter maps to a different index, and
// every index is reached by exactly one counter. Without the key the order
// looks random.
//
// It lets an issuer allocate status list indexes in an order that does not
// reveal issuance order, and without ever reusing one: persist a counter
// per list, and allocate index = Permute(key, n, counter), counter+1. The
// key must be secret and must stay the same for the life of the list.
//
// Construction: a balanced Feistel network of eight rounds over the
// smallest domain [0, 2^(2k)) containing [0, n), each round function being
// AES-256 under key of (half, round, k, n), and cycle walking (applying the
// network again until the result is below n; the domain is less than 4n, so
// this takes fewer than four steps on average). Including n in every block
// makes lists of different sizes use unrelated permutations.
//
// Permute panics if n == 0 or i >= n: a counter that reached n means the
// list is full, and the caller must start a new list.
func Permute(key [32]byte, n uint64, i uint64) uint64 {
	if i >= n {
		panic("status: Permute counter out of range (the status list is full)")
	}
	// Smallest k with 2^(2k) >= n.
	k := uint((bits.Len64(n-1) + 1) / 2)
	if k == 0 {
		return 0 // n == 1
	}
	block := permuteCipher(&key)
	mask := uint64(1)<<k - 1
	var buf [32]byte
	in, out := buf[:16], buf[16:]
	in[5] = byte(k)
	binary.BigEndian.PutUint64(in[8:], n)
	x := i
	for {
		l, r := x>>k, x&mask
		for round := range permuteRounds {
			binary.BigEndian.PutUint32(in[0:4], uint32(r))
			in[4] = byte(round)
			block.Encrypt(out, in)
			l, r = r, l^(binary.BigEndian.Uint64(out)&mask)
		}
		x = l<<k | r
		if x < n {
			return x
		}
	}
}

// lastPermuteKey remembers the AES key schedule of the last key Permute
// used: expanding an AES-256 key costs about as much as all the rounds, and
// an issuer allocates from one list (one key) at a time.
var lastPermuteKey atomic.Pointer[permuteKey]

type permuteKey struct {
	key   [32]byte
	block cipher.Block // safe for concurrent use
}

func permuteCipher(key *[32]byte) cipher.Block {
	if p := lastPermuteKey.Load(); p != nil && p.key == *key {
		return p.block
	}
	block, err := aes.NewCipher(key[:])
	if err != nil {
		panic("status: " + err.Error()) // unreachable: the key is 32 bytes
	}
	lastPermuteKey.Store(&permuteKey{key: *key, block: block})
	return block
}
