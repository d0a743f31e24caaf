package delegation

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/credential/jose"
)

// forge drafts req without checks, stores the given approvals as they
// are (bypassing Service.Approve's checks) and issues: what a compromised
// or buggy issuer could sign, which verification must refuse.
func (f *fixture) forge(t *testing.T, req DraftRequest, approve func(d Draft) []Approval) string {
	t.Helper()
	ctx := context.Background()
	d, err := f.svc.prepare(ctx, req, false)
	if err != nil {
		t.Fatal(err)
	}
	d.Approvals = approve(d)
	tok, err := f.svc.issue(ctx, d, f.dbd.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func approval(t *testing.T, d Draft, role string, digest string, s jose.Signer) Approval {
	t.Helper()
	jws, err := Approve(d.ID, digest, role, s)
	if err != nil {
		t.Fatal(err)
	}
	return Approval{Role: role, Key: didOf(s), JWS: jws}
}

// naturalGrant is the accountant granting the clerk directly.
func (f *fixture) naturalGrant() DraftRequest {
	req := ScenarioSubGrant(didOf(f.clerk), f.start)
	req.Delegation.Grantor = Party{Type: NaturalPerson, ID: didOf(f.accountant), PID: ScenarioAccountant.PID, Name: ScenarioAccountant.Name}
	return req
}

func TestNaturalPersonGrantor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	req := f.request()
	req.ActingFor = ""
	root := f.run(t, f.naturalGrant(), true, []jose.Signer{f.accountant}, false)
	if r := f.v.Verify(ctx, Chain{Links: []string{root}}, req); !r.Verified {
		t.Fatalf("%+v", r.Failure)
	}
	req.ActingFor = didOf(f.accountant)
	if r := f.v.Verify(ctx, Chain{Links: []string{root}}, req); !r.Verified {
		t.Fatalf("acting for the grantor: %+v", r.Failure)
	}
	req.ActingFor = ScenarioJuristicID
	wantFailure(t, f.v.Verify(ctx, Chain{Links: []string{root}}, req), ReasonActingForMismatch, 0, PartDelegation)
	req.ActingFor = ""

	t.Run("approved by another key", func(t *testing.T) {
		tok := f.forge(t, f.naturalGrant(), func(d Draft) []Approval {
			return []Approval{approval(t, d, RoleGrantor, d.Digest, f.clerk)}
		})
		wantFailure(t, f.v.Verify(ctx, Chain{Links: []string{tok}}, req), ReasonGrantorSignatureInvalid, 0, PartDelegation)
	})
	t.Run("not approved", func(t *testing.T) {
		tok := f.forge(t, f.naturalGrant(), func(Draft) []Approval { return nil })
		wantFailure(t, f.v.Verify(ctx, Chain{Links: []string{tok}}, req), ReasonExecutionMissing, 0, PartDelegation)
	})
}

func TestForgedExecution(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	grant := func() DraftRequest {
		r := ScenarioGrant(didOf(f.accountant), f.start)
		r.Company, r.Directors = f.company, []string{f.authority[0], f.authority[1]}
		return r
	}
	req := f.request()
	req.Presenter = didOf(f.accountant)
	t.Run("directors approved another draft", func(t *testing.T) {
		tok := f.forge(t, grant(), func(d Draft) []Approval {
			return []Approval{
				approval(t, d, RoleDirector, DigestOf([]byte("another draft")), f.directors[0]),
				approval(t, d, RoleDirector, d.Digest, f.directors[1]),
				approval(t, d, RoleSeal, d.Digest, f.seal),
			}
		})
		wantFailure(t, f.v.Verify(ctx, Chain{Company: f.company, Links: []string{tok}}, req), ReasonDirectorSignatureInvalid, 0, PartDirector)
	})
	t.Run("a director's key used as the seal", func(t *testing.T) {
		tok := f.forge(t, grant(), func(d Draft) []Approval {
			return []Approval{
				approval(t, d, RoleDirector, d.Digest, f.directors[0]),
				approval(t, d, RoleDirector, d.Digest, f.directors[1]),
				approval(t, d, RoleSeal, d.Digest, f.directors[0]),
			}
		})
		wantFailure(t, f.v.Verify(ctx, Chain{Company: f.company, Links: []string{tok}}, req), ReasonSealInvalid, 0, PartSeal)
	})
	t.Run("an approval for another role", func(t *testing.T) {
		tok := f.forge(t, grant(), func(d Draft) []Approval {
			a := approval(t, d, RoleGrantor, d.Digest, f.directors[0])
			a.Role = RoleDirector // relabelled: the JWS says grantor
			return []Approval{a, approval(t, d, RoleDirector, d.Digest, f.directors[1]), approval(t, d, RoleSeal, d.Digest, f.seal)}
		})
		wantFailure(t, f.v.Verify(ctx, Chain{Company: f.company, Links: []string{tok}}, req), ReasonDirectorSignatureInvalid, 0, PartDirector)
	})
}
