package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/signing"
)

// demoHolders reads the delegation demo's chain and opens its holder keys.
func demoHolders(t *testing.T, s *testServer) (app.DemoChain, map[string]jose.Signer) {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(s.App.DataDir, app.DemoDelegationChain))
	if err != nil {
		t.Fatal(err)
	}
	var dc app.DemoChain
	if err := json.Unmarshal(raw, &dc); err != nil {
		t.Fatal(err)
	}
	pass, err := app.KeyPassphrase(s.App.DataDir, s.App.Config)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]jose.Signer{}
	for role, rel := range dc.Keys {
		k, err := signing.Open(context.Background(), "file:"+filepath.Join(s.App.DataDir, rel), signing.OpenOptions{Passphrase: func() ([]byte, error) { return pass, nil }})
		if err != nil {
			t.Fatal(err)
		}
		if keys[role], err = delegation.HolderSigner(k); err != nil {
			t.Fatal(err)
		}
	}
	return dc, keys
}

// presentChain is the holder's vp+jwt of the tokens for nonce and aud.
func presentChain(t *testing.T, holder jose.Signer, did, nonce, aud string, tokens ...string) string {
	t.Helper()
	var vcs []any
	for _, tok := range tokens {
		vcs = append(vcs, credential.Envelope(jose.MediaTypeCredential, tok))
	}
	vp, err := jose.SecurePresentation(map[string]any{
		"@context": []any{credential.ContextV2}, "type": []any{credential.TypePresentation},
		"holder": did, "verifiableCredential": vcs,
	}, holder, jose.PresentationClaims{Nonce: nonce, Audience: aud, IssuedAt: time.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return vp
}

// TestDelegationScenario drives the demo's delegation scenario end to
// end over HTTP: the Revenue Department accepts the clerk's VAT filing
// for the company, the signing workflow refuses to issue on partial
// approvals and issues once the rule is met, and after DBD records a
// change of directors (revokes a director's authority) the clerk's filing
// is refused, naming the director link.
func TestDelegationScenario(t *testing.T) {
	s := startServer(t)
	dc, keys := demoHolders(t, s)
	rd := delegation.ScenarioRelyingParty
	filing := map[string]any{
		"action": dc.Action, "relyingParty": rd, "actingFor": dc.JuristicID,
		"amount": map[string]any{"amount": 45000, "currency": "THB"},
	}
	verify := func(holder string, tokens ...string) map[string]any {
		t.Helper()
		vp := presentChain(t, keys[holder], dc.DIDs[holder], "nonce-"+holder, rd, tokens...)
		return s.do(t, request{method: http.MethodPost, path: "/delegations/verify", body: map[string]any{
			"presentation": vp, "nonce": "nonce-" + holder, "audience": rd, "request": filing,
		}}).want(t, http.StatusOK).JSON(t)
	}
	clerkChain := []string{dc.Chain.Company, dc.Chain.Links[0], dc.Chain.Links[1]}
	if r := verify("clerk", clerkChain...); r["verified"] != true {
		t.Fatalf("the clerk's filing is refused: %v", r["failure"])
	}
	// The accountant cannot use the clerk's chain.
	if r := verify("accountant", clerkChain...); r["verified"] != false || r["failure"].(map[string]any)["reason"] != delegation.ReasonPresenterNotGrantee {
		t.Fatalf("accountant with the clerk's chain: %v", r["failure"])
	}

	// A new grant through the workflow: directors 1 and 3, with the seal.
	grant := delegation.ScenarioGrant(dc.DIDs["accountant"], time.Now())
	grant.Company, grant.Directors = dc.Chain.Company, []string{dc.Authorities[0], dc.Authorities[2]}
	grant.Delegation.Scope.Actions = []string{delegation.ScenarioActionWHT}
	s.do(t, request{method: http.MethodPost, path: "/delegations/drafts", body: grant}).problem(t, http.StatusUnauthorized, "")
	draft := s.do(t, request{method: http.MethodPost, path: "/delegations/drafts", token: demoToken, body: grant}).want(t, http.StatusCreated).JSON(t)
	id := draft["id"].(string)
	if len(draft["signers"].([]any)) != 3 || draft["ready"] != false {
		t.Fatalf("draft: %v", draft)
	}
	approve := func(role, holder string, wantCode int) map[string]any {
		t.Helper()
		jws, err := delegation.Approve(id, draft["digest"].(string), role, keys[holder])
		if err != nil {
			t.Fatal(err)
		}
		return s.do(t, request{method: http.MethodPost, path: "/delegations/drafts/" + id + "/approvals",
			body: map[string]any{"role": role, "jws": jws}}).want(t, wantCode).JSON(t)
	}
	approve(delegation.RoleDirector, "director-1", http.StatusOK)
	approve(delegation.RoleDirector, "director-2", http.StatusBadRequest) // not named in this draft
	s.do(t, request{method: http.MethodPost, path: "/delegations/drafts/" + id + "/issue", token: demoToken}).problem(t, http.StatusConflict, "signing_rule_not_met")
	approve(delegation.RoleSeal, "seal", http.StatusOK)
	if st := approve(delegation.RoleDirector, "director-3", http.StatusOK); st["ready"] != true {
		t.Fatalf("not ready: %v", st)
	}
	issued := s.do(t, request{method: http.MethodPost, path: "/delegations/drafts/" + id + "/issue", token: demoToken}).want(t, http.StatusOK).JSON(t)
	wht := issued["credential"].(string)
	filing["action"] = delegation.ScenarioActionWHT
	if r := verify("accountant", dc.Chain.Company, wht); r["verified"] != true {
		t.Fatalf("the accountant's withholding-tax filing: %v", r["failure"])
	}
	filing["action"] = dc.Action

	// DBD records a change of directors: director 2 leaves.
	s.do(t, request{method: http.MethodPost, path: "/issuers/dbd/credentials/status", token: demoToken,
		body: map[string]any{"credentialId": dc.Directors[1], "action": "revoke"}}).want(t, http.StatusOK)
	r := verify("clerk", clerkChain...)
	f, _ := r["failure"].(map[string]any)
	if r["verified"] != false || f["reason"] != delegation.ReasonRevoked || f["part"] != delegation.PartDirector || f["message_th"] == "" {
		t.Fatalf("after the change of directors: %v", r)
	}
	// The grant directors 1 and 3 executed still stands.
	filing["action"] = delegation.ScenarioActionWHT
	if r := verify("accountant", dc.Chain.Company, wht); r["verified"] != true {
		t.Fatalf("the other grant: %v", r["failure"])
	}
	// The chain form with an asserted presenter gives the same answer.
	r = s.do(t, request{method: http.MethodPost, path: "/delegations/verify", body: map[string]any{
		"chain": dc.Chain, "request": map[string]any{"action": dc.Action, "relyingParty": rd, "presenter": dc.DIDs["clerk"]},
	}}).want(t, http.StatusOK).JSON(t)
	if r["verified"] != false || r["failure"].(map[string]any)["reason"] != delegation.ReasonRevoked {
		t.Fatalf("chain form: %v", r)
	}
}
