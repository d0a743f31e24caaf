package delegation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/verifier"
)

func credID(t testing.TB, token string) string {
	t.Helper()
	s, err := jose.ParseCredential(token)
	if err != nil {
		t.Fatal(err)
	}
	return s.Credential.ID
}

type staticNobody struct{}

func (staticNobody) TrustIssuer(context.Context, verifierTrustQuery) (verifierTrustDecision, error) {
	return verifierTrustDecision{Basis: "nobody is trusted"}, nil
}

func TestWorkflowPartialNeverIssues(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	req := ScenarioGrant(didOf(f.accountant), f.start)
	req.Company, req.Directors = f.company, []string{f.authority[0], f.authority[2]}
	d, err := f.svc.Draft(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Directors) != 3 || d.Complete() { // two directors and the seal
		t.Fatalf("signers %+v", d.Directors)
	}
	approve := func(role string, s jose.Signer) error {
		jws, err := Approve(d.ID, DigestOf(d.Body), role, s)
		if err != nil {
			t.Fatal(err)
		}
		_, err = f.svc.Approve(ctx, d.ID, role, jws)
		return err
	}
	if err := approve(RoleDirector, f.directors[0]); err != nil {
		t.Fatal(err)
	}
	if err := approve(RoleDirector, f.directors[0]); err != nil { // again: no change
		t.Fatal(err)
	}
	if err := approve(RoleSeal, f.seal); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Issue(ctx, d.ID); !errors.Is(err, ErrIncomplete) {
		t.Fatalf("issue with one of two directors: %v, want ErrIncomplete", err)
	}
	// Someone who is not named, a director's key used as the seal, and
	// an approval of another digest are refused.
	if err := approve(RoleDirector, f.directors[1]); !errors.Is(err, ErrApprovalInvalid) {
		t.Errorf("unnamed director: %v", err)
	}
	if err := approve(RoleSeal, f.directors[2]); !errors.Is(err, ErrApprovalInvalid) {
		t.Errorf("director as seal: %v", err)
	}
	jws, _ := Approve(d.ID, DigestOf([]byte("other")), RoleDirector, f.directors[2])
	if _, err := f.svc.Approve(ctx, d.ID, RoleDirector, jws); !errors.Is(err, ErrApprovalInvalid) {
		t.Errorf("other digest: %v", err)
	}
	st, _ := f.svc.Get(ctx, d.ID)
	if m := st.Missing(); len(m) != 1 || m[0].Director != "pid:"+ScenarioDirectors[2].PID {
		t.Fatalf("missing %+v", m)
	}
	if err := approve(RoleDirector, f.directors[2]); err != nil {
		t.Fatal(err)
	}
	out, err := f.svc.Issue(ctx, d.ID)
	if err != nil || out.State != StateIssued || out.Credential == "" {
		t.Fatalf("issue: %v %+v", err, out.State)
	}
	again, err := f.svc.Issue(ctx, d.ID)
	if err != nil || again.Credential != out.Credential {
		t.Fatalf("issue again: %v", err)
	}
	if err := approve(RoleDirector, f.directors[2]); !errors.Is(err, ErrState) {
		t.Errorf("approve after issue: %v", err)
	}
	req2 := f.request()
	req2.Presenter = didOf(f.accountant)
	if r := f.v.Verify(ctx, Chain{Company: f.company, Links: []string{out.Credential}}, req2); !r.Verified {
		t.Fatalf("%+v", r.Failure)
	}
}

func TestDraftRefusals(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	root := f.grant(t, grantOpts{check: true})
	base := func() DraftRequest {
		r := ScenarioGrant(didOf(f.accountant), f.start)
		r.Company, r.Directors = f.company, []string{f.authority[0], f.authority[1]}
		return r
	}
	for name, tc := range map[string]struct {
		req  func() DraftRequest
		want string
	}{
		"one director":    {func() DraftRequest { r := base(); r.Directors = r.Directors[:1]; return r }, "needs 2 eligible directors"},
		"ineligible":      {func() DraftRequest { r := base(); r.Directors[1] = f.authority[3]; return r }, "not eligible"},
		"twice":           {func() DraftRequest { r := base(); r.Directors[1] = f.authority[0]; return r }, "named twice"},
		"no validUntil":   {func() DraftRequest { r := base(); r.ValidUntil = r.ValidFrom; return r }, "validUntil"},
		"no grantee key":  {func() DraftRequest { r := base(); r.Delegation.Grantee.ID = ""; return r }, "grantee's DID"},
		"over the rule":   {func() DraftRequest { r := base(); r.Delegation.Scope.AmountLimit.Amount = "10000001"; return r }, "beyond the directors"},
		"another company": {func() DraftRequest { r := base(); r.Delegation.Grantor.JuristicID = "0107544000108"; return r }, "not of the grantor"},
		"widened sub": {func() DraftRequest {
			r := ScenarioSubGrant(didOf(f.clerk), f.start)
			r.Parent = root
			r.Delegation.Scope.Actions = []string{"rd.cit.file"}
			return r
		}, "never received"},
		"deeper sub": {func() DraftRequest {
			r := ScenarioSubGrant(didOf(f.clerk), f.start)
			r.Parent = root
			r.Delegation.SubDelegation = SubDelegation{Allowed: true, MaxDepth: 1}
			return r
		}, "maxDepth may be at most 0"},
		"longer sub": {func() DraftRequest {
			r := ScenarioSubGrant(didOf(f.clerk), f.start)
			r.Parent = root
			r.ValidUntil = f.start.AddDate(3, 0, 0)
			return r
		}, "within the parent"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := f.svc.Draft(ctx, tc.req())
			if !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("%v, want ErrBadRequest with %q", err, tc.want)
			}
		})
	}
	t.Run("revoked director", func(t *testing.T) {
		f.dbd.Revoke(t, f.authID[1])
		if _, err := f.svc.Draft(ctx, base()); !errors.Is(err, ErrBadRequest) || !strings.Contains(err.Error(), "revoked") {
			t.Fatalf("%v", err)
		}
	})
}

func TestMoneyCmp(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{{"100", "100.00", 0}, {"100.01", "100", 1}, {"99.999", "100", -1}, {"1e3", "1000", 0}} {
		got, err := Money{Amount: jsonNumber(tc.a), Currency: "THB"}.Cmp(Money{Amount: jsonNumber(tc.b), Currency: "THB"})
		if err != nil || got != tc.want {
			t.Errorf("%s vs %s: %d %v", tc.a, tc.b, got, err)
		}
	}
	if _, err := (Money{Amount: "1", Currency: "THB"}).Cmp(Money{Amount: "1", Currency: "USD"}); err == nil {
		t.Error("currencies compared")
	}
	if _, err := (Money{Amount: "-1", Currency: "THB"}).Cmp(Money{Amount: "1", Currency: "THB"}); err == nil {
		t.Error("negative amount accepted")
	}
}

type (
	verifierTrustQuery    = verifier.TrustQuery
	verifierTrustDecision = verifier.TrustDecision
)

func jsonNumber(s string) json.Number { return json.Number(s) }
