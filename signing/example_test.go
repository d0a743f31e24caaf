package signing_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/thaitrust/thaitrust/signing"
)

// An issuer key is generated once, stored encrypted, and later opened by
// URI wherever something must be signed.
func Example() {
	dir, _ := os.MkdirTemp("", "keys")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "issuer.json")

	key, err := signing.GenerateKey(signing.ES256)
	if err != nil {
		log.Fatal(err)
	}
	// WriteKeyFile uses the default Argon2id parameters (64 MiB).
	if err := signing.WriteKeyFile(path, key, []byte("correct horse battery staple")); err != nil {
		log.Fatal(err)
	}

	signer, err := signing.Open(context.Background(), "file:"+path, signing.OpenOptions{
		Passphrase: func() ([]byte, error) { return []byte("correct horse battery staple"), nil },
	})
	if err != nil {
		log.Fatal(err)
	}
	input := []byte("eyJhbGciOiJFUzI1NiJ9.e30")
	sig, err := signing.Sign(signer, signing.ES256, input)
	if err != nil {
		log.Fatal(err)
	}
	pub, _ := signing.ReadPublicKeyFile(path)
	fmt.Println(len(sig), signing.Verify(signing.ES256, pub, input, sig))
	// Output: 64 <nil>
}

func ExampleThumbprint() {
	j := signing.JWK{Kty: "OKP", Crv: "Ed25519", X: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"} // RFC 8037 A.2
	pub, err := j.PublicKey()
	if err != nil {
		log.Fatal(err)
	}
	tp, _ := signing.Thumbprint(pub)
	fmt.Println(tp)
	// Output: kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k
}
