package jws_test

import (
	"errors"
	"fmt"
	"log"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

func Example() {
	key, _ := signing.GenerateKey(signing.EdDSA)
	tok, err := jws.Sign(key, jws.Header{Typ: "JWT", Kid: "did:example:issuer#key-1"}, []byte(`{"iss":"did:example:issuer"}`))
	if err != nil {
		log.Fatal(err)
	}

	p, err := jws.Parse(tok) // trusts nothing yet
	if err != nil {
		log.Fatal(err)
	}
	// The caller chooses the key (here: the one it knows for the kid) and
	// the algorithms it accepts.
	err = p.Verify(key.Public(), jws.VerifyOptions{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}})
	fmt.Println(p.Header.Kid, err, string(p.Payload))

	// Verification failures carry a stable reason.
	other, _ := signing.GenerateKey(signing.EdDSA)
	err = p.Verify(other.Public(), jws.VerifyOptions{Algorithms: []signing.Algorithm{signing.EdDSA}})
	var e *jws.Error
	fmt.Println(errors.As(err, &e), e.Reason, errors.Is(err, jws.ErrBadSignature))
	// Output:
	// did:example:issuer#key-1 <nil> {"iss":"did:example:issuer"}
	// true bad_signature true
}
