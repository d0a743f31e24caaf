package status_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/status"
)

// A verifier checks a credential's revocation entry. Fetch and Verify are
// where a real verifier plugs in its HTTP client and its proof verifier
// (vc+jwt, say); here the list is served from memory, unsigned.
func ExampleChecker() {
	const listURL = "https://issuer.example/status/7/revocation"
	const issuer = "did:web:issuer.example"
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

	// The issuer revokes index 94567 and publishes the list.
	bits, _ := status.NewBitstring(status.MinSize)
	bits.Set(94567, true)
	published, _ := json.Marshal(status.ListCredential(listURL, issuer, status.PurposeRevocation, bits, now, now.Add(24*time.Hour)))

	checker := &status.Checker{
		Fetch: func(ctx context.Context, url string) ([]byte, error) {
			if url != listURL {
				return nil, fmt.Errorf("not found: %s", url)
			}
			return published, nil
		},
		Verify: func(ctx context.Context, raw []byte) (*credential.Credential, error) {
			return credential.Parse(raw) // a real Verify checks the proof first
		},
		Now: func() time.Time { return now },
	}

	cred, err := credential.FromMap(map[string]any{
		"@context":          []any{credential.ContextV2},
		"type":              []any{"VerifiableCredential"},
		"issuer":            issuer,
		"credentialSubject": map[string]any{"id": "did:example:holder"},
		"credentialStatus":  status.Entry(listURL, status.PurposeRevocation, 94567),
	})
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range cred.Status {
		r, err := checker.Check(context.Background(), cred, e)
		if err != nil {
			log.Fatal(err) // status unknown: treat the credential as not valid
		}
		fmt.Println(r.Purpose, r.Index, r.Set)
	}
	// Output: revocation 94567 true
}
