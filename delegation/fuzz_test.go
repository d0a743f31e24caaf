package delegation

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
)

// FuzzApproval: no token but the signer's own approval passes
// checkApproval (strict JWS and non-malleable Ed25519 give a signed
// approval exactly one encoding).
func FuzzApproval(f *testing.F) {
	s := holder(f)
	good, err := Approve("urn:uuid:draft", "digest", RoleDirector, s)
	if err != nil {
		f.Fatal(err)
	}
	other, _ := Approve("urn:uuid:draft", "digest", RoleSeal, s)
	f.Add(good)
	f.Add(other)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	algs := []signing.Algorithm{signing.EdDSA, signing.ES256}
	f.Fuzz(func(t *testing.T, token string) {
		err := checkApproval(token, RoleDirector, "urn:uuid:draft", "digest", didOf(s), algs)
		if err == nil && token != good {
			t.Fatalf("accepted %q", token)
		}
	})
}

// FuzzEvidence: evidenceOf and matchDraft never panic on any evidence,
// and matchDraft passes only for a draft that says what the credential
// says.
func FuzzEvidence(f *testing.F) {
	subject := `{"grantor": {"type": "NaturalPerson"}, "grantee": {"type": "NaturalPerson"}, "scope": {"actions": ["a.b"], "amountLimit": {"amount": 100, "currency": "THB"}}}`
	body := `{"type":"DelegationDraft","id":"urn:uuid:1","issuer":"did:web:dbd.example","validFrom":"2025-06-01T00:00:00Z","validUntil":"2025-07-01T00:00:00Z","credentialSubject":` + subject + `}`
	f.Add(`{"type": "DelegationExecution", "executedAt": "2025-06-01T00:00:00Z", "draft": "` + base64.RawURLEncoding.EncodeToString([]byte(body)) + `", "approvals": [{"role": "grantor", "jws": "a.b.c"}]}`)
	f.Add(`[{"type": ["DelegationExecution"], "draft": "e30", "approvals": []}]`)
	f.Add(`{"type": "DelegationExecution", "executedAt": "x", "draft": 1}`)
	f.Fuzz(func(t *testing.T, evidence string) {
		ev, err := jsonx.ParseString(evidence)
		if err != nil {
			return
		}
		sub, _ := jsonx.ParseObjectString(subject)
		doc := map[string]any{
			"@context": []any{credential.ContextV2, ContextThaiTrust}, "type": []any{credential.TypeCredential, TypeDelegation},
			"issuer": "did:web:dbd.example", "validFrom": "2025-06-01T00:00:00Z", "validUntil": "2025-07-01T00:00:00Z",
			"credentialSubject": sub, "evidence": ev,
		}
		c, err := credential.FromMap(doc)
		if err != nil {
			return
		}
		ex, err := evidenceOf(c)
		if err != nil {
			return
		}
		if matchDraft(ex, c) == nil && !jsonEqual(ex.body["credentialSubject"], c.Subjects[0]) {
			t.Fatal("matchDraft passed a draft that says something else")
		}
	})
}

// FuzzVerify: no token a fuzzer makes verifies as a link, and none
// panics the verifier.
func FuzzVerify(f *testing.F) {
	fx := newFixture(f, true)
	chain := fx.chain(f)
	f.Add(chain.Links[1])
	f.Add(chain.Links[0][:len(chain.Links[0])-3] + "AAA")
	f.Add("a.b.c")
	req := fx.request()
	f.Fuzz(func(t *testing.T, tok string) {
		r := fx.v.Verify(context.Background(), Chain{Company: chain.Company, Links: []string{chain.Links[0], tok}}, req)
		if r.Verified && tok != chain.Links[1] {
			t.Fatalf("verified a chain with link %q", tok)
		}
		if !r.Verified && (r.Failure == nil || r.Failure.Reason == "") {
			t.Fatal("a failure without a reason")
		}
	})
}
