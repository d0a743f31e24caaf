package delegation

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

// viIssuer adapts a virtual issuer to Issuer.
type viIssuer struct{ vi *issuertest.VirtualIssuer }

func (i viIssuer) DID() string { return i.vi.DID }
func (i viIssuer) Issue(ctx context.Context, doc map[string]any) (string, error) {
	is, err := i.vi.Service.Issue(ctx, issuer.Request{Credential: doc})
	if err != nil {
		return "", err
	}
	return is.Token, nil
}

// fixture is the scenario on a virtual DBD (EdDSA): the company, four
// directors with holder keys, the seal, the accountant and the clerk.
type fixture struct {
	dbd        *issuertest.VirtualIssuer
	v          *Verifier
	svc        *Service
	directors  [4]jose.Signer
	authority  [4]string // DirectorAuthorityCredential tokens
	authID     [4]string // and ids
	seal       jose.Signer
	company    string
	accountant jose.Signer
	clerk      jose.Signer
	start      time.Time
}

func holder(t testing.TB) jose.Signer {
	t.Helper()
	k, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	s, err := HolderSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func didOf(s jose.Signer) string { d, _, _ := strings.Cut(s.KeyID, "#"); return d }

// newFixture builds the scenario. cached makes the status checker cache
// lists (the benchmark); tests see revocations at once.
func newFixture(t testing.TB, cached bool) *fixture {
	t.Helper()
	f := &fixture{dbd: issuertest.NewVirtualIssuer(t, "dbd", signing.EdDSA, TypeJuristicPerson, TypeDirectorAuthority, TypeDelegation)}
	f.start = f.dbd.Clock.Now()
	checker := issuertest.StatusChecker(f.dbd.Clock, f.dbd)
	if cached {
		checker = &status.Checker{Fetch: checker.Fetch, Verify: checker.Verify, Now: checker.Now}
	}
	var err error
	f.v, err = NewVerifier(Config{
		Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256},
		Keys:       issuertest.Resolver(f.dbd),
		Trust:      issuertest.Trust(f.dbd),
		Status:     checker,
		Now:        f.dbd.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	if f.svc, err = New(ServiceConfig{Verifier: f.v, Issuer: viIssuer{f.dbd}, Store: NewMemoryStore(), Now: f.dbd.Clock.Now}); err != nil {
		t.Fatal(err)
	}
	f.seal = holder(t)
	f.company, _ = f.dbd.Issue(t, ScenarioCompany(didOf(f.seal), f.start))
	for i := range f.directors {
		f.directors[i] = holder(t)
		var c = ScenarioDirector(i, didOf(f.directors[i]), f.start)
		tok, cred := f.dbd.Issue(t, c)
		f.authority[i], f.authID[i] = tok, cred.ID
	}
	f.accountant, f.clerk = holder(t), holder(t)
	return f
}

// grantOpts shape a root grant made by the fixture.
type grantOpts struct {
	directors []int               // who the draft names and who approves (default 0, 1)
	approve   []int               // who approves, when not all of directors
	noSeal    bool                // leave the seal off
	check     bool                // run the service's draft checks
	mutate    func(*DraftRequest) // change the request
}

// grant issues the company's grant to the accountant, bypassing the
// service's completeness check (so that tests can make bad credentials)
// unless o.check.
func (f *fixture) grant(t testing.TB, o grantOpts) string {
	t.Helper()
	if o.directors == nil {
		o.directors = []int{0, 1}
	}
	if o.approve == nil {
		o.approve = o.directors
	}
	req := ScenarioGrant(didOf(f.accountant), f.start)
	req.Company = f.company
	for _, i := range o.directors {
		req.Directors = append(req.Directors, f.authority[i])
	}
	if o.mutate != nil {
		o.mutate(&req)
	}
	var approvers []jose.Signer
	for _, i := range o.approve {
		approvers = append(approvers, f.directors[i])
	}
	return f.run(t, req, o.check, approvers, !o.noSeal)
}

// sub issues the accountant's sub-delegation of parent to the clerk.
func (f *fixture) sub(t testing.TB, parent string, check bool, mutate func(*DraftRequest)) string {
	t.Helper()
	req := ScenarioSubGrant(didOf(f.clerk), f.start)
	req.Parent = parent
	if mutate != nil {
		mutate(&req)
	}
	return f.run(t, req, check, []jose.Signer{f.accountant}, false)
}

// run drafts req, has each approver (and the seal) approve through the
// service, and issues: through Service.Issue when check, else directly.
func (f *fixture) run(t testing.TB, req DraftRequest, check bool, approvers []jose.Signer, seal bool) string {
	t.Helper()
	ctx := context.Background()
	d, err := f.svc.prepare(ctx, req, check)
	if err != nil {
		t.Fatalf("draft: %v", err)
	}
	if err := f.svc.cfg.Store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	for _, a := range approvers {
		role := RoleDirector
		if d.Parent != "" || d.Delegation.Grantor.Type == NaturalPerson {
			role = RoleGrantor
		}
		jws, err := Approve(d.ID, DigestOf(d.Body), role, a)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, d.ID, role, jws); err != nil {
			t.Fatalf("approve: %v", err)
		}
	}
	if seal {
		jws, err := Approve(d.ID, DigestOf(d.Body), RoleSeal, f.seal)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Approve(ctx, d.ID, RoleSeal, jws); err != nil {
			t.Fatalf("seal: %v", err)
		}
	}
	if check {
		out, err := f.svc.Issue(ctx, d.ID)
		if err != nil {
			t.Fatalf("issue: %v", err)
		}
		return out.Credential
	}
	d, err = f.svc.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := f.svc.issue(ctx, d, f.dbd.Clock.Now())
	if err != nil {
		t.Fatalf("issue: %v", err)
	}
	return tok
}

// request is the clerk's VAT filing at the Revenue Department.
func (f *fixture) request() Request {
	return Request{
		Action: ScenarioActionVAT, RelyingParty: ScenarioRelyingParty,
		Amount:    &Money{Amount: "45000", Currency: "THB"},
		ActingFor: ScenarioJuristicID, Presenter: didOf(f.clerk),
	}
}

// chain is the happy chain: company -> accountant -> clerk.
func (f *fixture) chain(t testing.TB) Chain {
	t.Helper()
	root := f.grant(t, grantOpts{check: true})
	return Chain{Company: f.company, Links: []string{root, f.sub(t, root, true, nil)}}
}
