package did_test

import (
	"context"
	"crypto"
	"fmt"
	"log"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// A holder's did:key resolves locally; the key it authorizes for
// authentication is the key itself.
func ExampleResolver_ResolveKey() {
	const holder = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"
	var r did.Resolver
	pub, err := r.ResolveKey(context.Background(), holder+"#z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", did.Authentication)
	if err != nil {
		log.Fatal(err)
	}
	alg, _ := signing.AlgorithmFor(pub)
	fmt.Println(alg)
	// Output: EdDSA
}

func ExampleWebDID() {
	d, _ := did.WebDID("https://issuers.example.th:8443/dopa")
	u, _ := did.WebDocumentURL(d)
	fmt.Println(d)
	fmt.Println(u)
	// Output:
	// did:web:issuers.example.th%3A8443:dopa
	// https://issuers.example.th:8443/dopa/did.json
}

// An issuer serves its own did:web document and resolves it locally.
func ExampleNewDocument() {
	key, _ := signing.GenerateKey(signing.ES256)
	const issuer = "did:web:issuers.example.th:dopa"
	doc := did.NewDocument(issuer, key.Public())
	r := did.Resolver{Local: func(d string) (*did.Document, bool) { return doc, d == issuer }}
	pub, err := r.ResolveKey(context.Background(), issuer+"#key-1", did.AssertionMethod)
	same := pub.(interface{ Equal(crypto.PublicKey) bool }).Equal(key.Public())
	fmt.Println(doc.VerificationMethod[0].ID, err, same)
	// Output: did:web:issuers.example.th:dopa#key-1 <nil> true
}
