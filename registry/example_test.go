package registry_test

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// The main flow: a scheme operator registers itself and a university,
// accredits it for degrees, and answers "was it allowed to issue a degree
// then?" before and after a withdrawal.
func Example() {
	ctx := context.Background()
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rootKey, _ := signing.GenerateKey(signing.EdDSA)
	rootDID, _ := did.KeyDID(rootKey.Public())
	uniKey, _ := signing.GenerateKey(signing.EdDSA)
	uniDID, _ := did.KeyDID(uniKey.Public())

	store := registrytest.NewMemoryStore() // internal/store/bolt in production
	reg, err := registry.Open(ctx, registry.Config{
		Store: store,
		Root:  "etda",
		Signers: map[string]jose.Signer{"etda": {Key: rootKey, Algorithm: signing.EdDSA,
			KeyID: rootDID + "#" + rootDID[len("did:key:"):]}},
		Now: func() time.Time { return now },
	})
	if err != nil {
		panic(err)
	}
	for _, e := range []registry.Entity{
		{ID: "etda", Kinds: []registry.Kind{registry.KindSchemeOperator}, Jurisdiction: "TH",
			Name:        registry.Text{TH: "สพธอ.", EN: "ETDA"},
			Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: rootDID}}},
		{ID: "university", Kinds: []registry.Kind{registry.KindIssuer}, Jurisdiction: "TH",
			Name:        registry.Text{TH: "มหาวิทยาลัยสยามดิจิทัล", EN: "Siam Digital University"},
			Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: uniDID}}},
	} {
		if _, err := reg.Register(ctx, "admin@etda", e, "onboarding"); err != nil {
			panic(err)
		}
	}
	acc, err := reg.Accredit(ctx, "admin@etda", registry.AccreditRequest{Subject: "university", Role: registry.RoleIssuer,
		Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}, Reason: "audit 2024 passed"})
	if err != nil {
		panic(err)
	}
	now = now.AddDate(0, 6, 0)
	if _, err := reg.SetAccreditationStatus(ctx, "admin@etda", acc.ID, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"}); err != nil {
		panic(err)
	}
	for _, issued := range []time.Time{now.AddDate(0, -3, 0), now.AddDate(0, 1, 0)} {
		a, _ := reg.Authorize(ctx, registry.AuthorizationQuery{Entity: uniDID, Action: registry.ActionIssue, Resource: "DegreeCredential", At: issued})
		fmt.Printf("issued %s: authorized %v%s\n", issued.Format("2006-01-02"), a.Authorized, strings.TrimRight(" "+a.Reason, " "))
	}
	n, err := registry.Verify(ctx, store) // the hash-chained history
	fmt.Println("history:", n, "events, verified:", err == nil)
	// Output:
	// issued 2025-04-01: authorized true
	// issued 2025-08-01: authorized false accreditation_withdrawn
	// history: 4 events, verified: true
}
