package jose_test

import (
	"context"
	"fmt"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// An issuer secures a credential as vc+jwt; a verifier checks the
// envelope, the issuer's signature (resolving the kid DID URL) and the
// validity period, with the algorithms and the time it chooses.
func Example() {
	// The issuer: a key and the DID document that publishes it.
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		panic(err)
	}
	const issuer = "did:web:ttu.thaitrust.example"
	doc := did.NewDocument(issuer, key.Public()) // key id issuer#key-1

	token, err := jose.SecureCredential(map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"},
		"id":                "urn:uuid:0197a7e2-0000-7000-8000-000000000001",
		"type":              []any{"VerifiableCredential", "ExampleDegreeCredential"},
		"issuer":            issuer,
		"validFrom":         "2025-05-20T00:00:00Z",
		"credentialSubject": map[string]any{"id": "did:example:somying", "degree": "Bachelor of Engineering"},
	}, jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: issuer + "#key-1"})
	if err != nil {
		panic(err)
	}

	// The verifier: a resolver (here it knows the document; in production
	// it fetches did:web over HTTPS), the algorithms it accepts, a clock.
	resolver := &did.Resolver{Local: func(id string) (*did.Document, bool) { return doc, id == issuer }}
	opts := jose.VerifyOptions{
		Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256},
		Keys:       resolver,
		Now:        func() time.Time { return time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC) },
	}
	c, err := jose.VerifyCredential(context.Background(), token, opts)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Issuer.ID, c.PrimaryType(), c.SubjectID())

	// Before validFrom the same credential is rejected, with a reason.
	opts.Now = func() time.Time { return time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC) }
	_, err = jose.VerifyCredential(context.Background(), token, opts)
	fmt.Println(jose.Reason(err))
	// Output:
	// did:web:ttu.thaitrust.example ExampleDegreeCredential did:example:somying
	// not_yet_valid
}
