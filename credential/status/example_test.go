package status_test

import (
	"fmt"
	"log"

	"github.com/thaitrust/thaitrust/credential/status"
)

// An issuer allocates indexes in pseudo-random order from a persisted
// counter, and writes the entry into the credential.
func ExamplePermute() {
	var key [32]byte // in practice: random, secret, stored with the list
	const size = status.MinSize
	seen := map[uint64]bool{}
	for counter := range uint64(5) {
		index := status.Permute(key, size, counter)
		seen[index] = true
	}
	fmt.Println(len(seen), "distinct indexes")

	entry := status.Entry("https://issuer.example/status/7/revocation", status.PurposeRevocation, 94567)
	fmt.Println(entry["id"], entry["statusListIndex"])
	// Output:
	// 5 distinct indexes
	// https://issuer.example/status/7/revocation#94567 94567
}

// Revoking sets the credential's bit; the list is then republished.
func ExampleBitstring() {
	bits, err := status.NewBitstring(status.MinSize)
	if err != nil {
		log.Fatal(err)
	}
	if err := bits.Set(94567, true); err != nil {
		log.Fatal(err)
	}
	encoded, err := bits.Encode()
	if err != nil {
		log.Fatal(err)
	}

	decoded, err := status.DecodeList(encoded)
	if err != nil {
		log.Fatal(err)
	}
	revoked, _ := decoded.Get(94567)
	fmt.Println(decoded.Len(), revoked)
	// Output: 131072 true
}
