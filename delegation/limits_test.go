package delegation

import (
	"context"
	"errors"
	"testing"
)

// TestExcludedActions: a signing rule that excludes an action bounds what
// the directors may grant, at drafting and at verification.
func TestExcludedActions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	exclude := func(doc map[string]any) map[string]any {
		rule := doc["credentialSubject"].(map[string]any)["signingRule"].(map[string]any)
		rule["limits"].(map[string]any)["excludedActions"] = []any{ScenarioActionWHT}
		return doc
	}
	f.company, _ = f.dbd.Issue(t, exclude(ScenarioCompany(didOf(f.seal), f.start)))
	for i := range 2 {
		var c = exclude(ScenarioDirector(i, didOf(f.directors[i]), f.start))
		tok, cred := f.dbd.Issue(t, c)
		f.authority[i], f.authID[i] = tok, cred.ID
	}
	req := ScenarioGrant(didOf(f.accountant), f.start)
	req.Company, req.Directors = f.company, []string{f.authority[0], f.authority[1]}
	if _, err := f.svc.Draft(ctx, req); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("draft granting an excluded action: %v", err)
	}
	root := f.grant(t, grantOpts{}) // unchecked: VAT and WHT
	r := f.request()
	r.Presenter = didOf(f.accountant)
	wantFailure(t, f.v.Verify(ctx, Chain{Company: f.company, Links: []string{root}}, r), ReasonActionExcludedByRule, 0, PartDelegation)
	vatOnly := f.grant(t, grantOpts{check: true, mutate: func(r *DraftRequest) { r.Delegation.Scope.Actions = []string{ScenarioActionVAT} }})
	if res := f.v.Verify(ctx, Chain{Company: f.company, Links: []string{vatOnly}}, r); !res.Verified {
		t.Fatalf("%+v", res.Failure)
	}
}
