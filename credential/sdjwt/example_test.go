package sdjwt_test

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Example shows the whole path: a university issues a degree as an SD-JWT
// VC bound to the holder's key; the wallet presents only the degree name
// to an employer; the employer verifies it with key binding.
func Example() {
	issuerKey := ed25519.NewKeyFromSeed(make([]byte, 32))
	holderKey, _ := signing.GenerateKey(signing.EdDSA)
	const kid = "did:web:university.example.th#key-1"
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

	// Issuer.
	issued, err := sdjwt.IssueVC(sdjwt.VC{
		Type:     "https://credentials.example.th/degree",
		Issuer:   "did:web:university.example.th",
		IssuedAt: now.Add(-time.Hour),
		Holder:   holderKey.Public(),
		Claims: map[string]any{
			"given_name": "สมชาย",
			"degree":     "Bachelor of Engineering",
			"gpa":        "3.61",
		},
	}, sdjwt.Spec{"/given_name", "/degree", "/gpa"}, sdjwt.Signer{Key: issuerKey, KeyID: kid}, sdjwt.IssueOptions{})
	if err != nil {
		log.Fatal(err)
	}

	// Wallet: show what can be disclosed, present only the degree.
	sd, err := sdjwt.Parse(issued)
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range sd.Disclosable() {
		fmt.Println("disclosable:", c.Path, c.Value)
	}
	presentation, err := sd.Present([]string{"/degree"}, &sdjwt.KeyBinding{
		Signer: holderKey, Audience: "https://employer.example.th", Nonce: "n-42", IssuedAt: now,
	})
	if err != nil {
		log.Fatal(err)
	}

	// Verifier.
	v, err := sdjwt.Verify(context.Background(), presentation, sdjwt.VerifyOptions{
		Algorithms: []signing.Algorithm{signing.EdDSA},
		IssuerKey: func(_ context.Context, h jws.Header, _ map[string]any) (crypto.PublicKey, error) {
			if h.Kid != kid { // in real life: resolve the DID, check it is the iss
				return nil, errors.New("unknown issuer key")
			}
			return issuerKey.Public(), nil
		},
		Typ:               sdjwt.TypVC,
		RequireKeyBinding: true,
		Audience:          "https://employer.example.th",
		Nonce:             "n-42",
		Now:               func() time.Time { return now.Add(30 * time.Second) },
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("disclosed:", v.Disclosed, "key bound:", v.KeyBound)
	fmt.Println("degree:", v.Claims["degree"], "given_name present:", v.Claims["given_name"] != nil)

	// The same presentation, replayed to another verifier, fails.
	_, err = sdjwt.Verify(context.Background(), presentation, sdjwt.VerifyOptions{
		Algorithms: []signing.Algorithm{signing.EdDSA},
		IssuerKey: func(context.Context, jws.Header, map[string]any) (crypto.PublicKey, error) {
			return issuerKey.Public(), nil
		},
		Typ: sdjwt.TypVC, RequireKeyBinding: true,
		Audience: "https://bank.example.th", Nonce: "n-42",
		Now: func() time.Time { return now.Add(30 * time.Second) },
	})
	fmt.Println(errors.Is(err, sdjwt.ErrKBWrongAud))
	// Output:
	// disclosable: /degree Bachelor of Engineering
	// disclosable: /given_name สมชาย
	// disclosable: /gpa 3.61
	// disclosed: [/degree] key bound: true
	// degree: Bachelor of Engineering given_name present: false
	// true
}

// A Spec names object members, array elements, every element of an array,
// and nested disclosable claims.
func ExampleSpec() {
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	s, err := sdjwt.Issue(map[string]any{
		"address":       map[string]any{"locality": "Bangkok", "country": "TH"},
		"nationalities": []any{"TH", "JP"},
	}, sdjwt.Spec{"/address", "/address/locality", "/nationalities/*"}, sdjwt.Signer{Key: key}, sdjwt.IssueOptions{Typ: "example+sd-jwt"})
	if err != nil {
		log.Fatal(err)
	}
	sd, _ := sdjwt.Parse(s)
	for _, c := range sd.Disclosable() {
		fmt.Println(c.Path)
	}
	// Output:
	// /address
	// /address/locality
	// /nationalities/0
	// /nationalities/1
}
