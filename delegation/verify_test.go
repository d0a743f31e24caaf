package delegation

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
)

func TestVerifyScenario(t *testing.T) {
	f := newFixture(t, false)
	chain := f.chain(t)
	r := f.v.Verify(context.Background(), chain, f.request())
	if !r.Verified {
		t.Fatalf("not verified: %+v", r.Failure)
	}
	if r.Depth != 1 || r.Grantee.PID != ScenarioClerk.PID || r.Grantor.JuristicID != ScenarioJuristicID {
		t.Errorf("result: depth %d grantee %s grantor %s", r.Depth, r.Grantee.PID, r.Grantor.JuristicID)
	}
	if r.Company == nil || r.Company.Name.EN == "" {
		t.Error("no company in the result")
	}
	if want := f.start.AddDate(0, 0, 30); !r.Until.Equal(want) {
		t.Errorf("until %v, want %v", r.Until, want)
	}
	for _, s := range r.Steps {
		if s.Status != Passed {
			t.Errorf("step %+v", s)
		}
	}
	// The accountant may file withholding tax directly, with the root link alone.
	req := f.request()
	req.Action, req.Presenter = ScenarioActionWHT, didOf(f.accountant)
	if r := f.v.Verify(context.Background(), Chain{Company: chain.Company, Links: chain.Links[:1]}, req); !r.Verified {
		t.Fatalf("accountant: %+v", r.Failure)
	}
}

// wantFailure checks the first failure's reason, link and part, and that
// it says something in both languages.
func wantFailure(t *testing.T, r *Result, reason string, link int, part string) {
	t.Helper()
	if r.Verified || r.Failure == nil {
		t.Fatalf("verified; want %s", reason)
	}
	f := r.Failure
	if f.Reason != reason || f.Link != link || f.Part != part {
		t.Fatalf("failure %s at link %d (%s), detail %q; want %s at link %d (%s)", f.Reason, f.Link, f.Part, f.Detail, reason, link, part)
	}
	if f.Message == "" || f.MessageTH == "" || f.Status != Failed {
		t.Errorf("failure without sentences: %+v", f)
	}
	if en, _ := Message(reason); en == sentencesInternal() && reason != ReasonInternal {
		t.Errorf("reason %s has no sentences of its own", reason)
	}
}

func sentencesInternal() string { en, _ := Message(ReasonInternal); return en }

func TestVerifyFailures(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, false)
	good := f.grant(t, grantOpts{check: true})
	goodSub := f.sub(t, good, true, nil)

	tests := []struct {
		name   string
		chain  func() Chain
		req    func(*Request)
		reason string
		link   int
		part   string
	}{
		{"only one of two required directors signed", func() Chain {
			root := f.grant(t, grantOpts{directors: []int{0}})
			return Chain{Company: f.company, Links: []string{root, f.sub(t, root, false, nil)}}
		}, nil, ReasonSignersInsufficient, 0, PartDirector},
		{"a named director did not sign", func() Chain {
			root := f.grant(t, grantOpts{directors: []int{0, 1}, approve: []int{0}})
			return Chain{Company: f.company, Links: []string{root}}
		}, func(r *Request) { r.Presenter = didOf(f.accountant) }, ReasonExecutionMismatch, 0, PartDelegation},
		{"ineligible director", func() Chain {
			root := f.grant(t, grantOpts{directors: []int{0, 3}})
			return Chain{Company: f.company, Links: []string{root}}
		}, func(r *Request) { r.Presenter = didOf(f.accountant) }, ReasonDirectorNotEligible, 0, PartDirector},
		{"same director twice, under two authorities", func() Chain {
			// DBD issued director 1 a second authority, bound to another key.
			second := holder(t)
			auth2, _ := f.dbd.Issue(t, ScenarioDirector(1, didOf(second), f.start))
			req := ScenarioGrant(didOf(f.accountant), f.start)
			req.Company, req.Directors = f.company, []string{f.authority[1], auth2}
			root := f.run(t, req, false, []jose.Signer{f.directors[1], second}, true)
			return Chain{Company: f.company, Links: []string{root}}
		}, func(r *Request) { r.Presenter = didOf(f.accountant) }, ReasonDirectorDuplicate, 0, PartDirector},
		{"seal missing", func() Chain {
			root := f.grant(t, grantOpts{noSeal: true})
			return Chain{Company: f.company, Links: []string{root}}
		}, func(r *Request) { r.Presenter = didOf(f.accountant) }, ReasonSealMissing, 0, PartSeal},
		{"limit above the directors' authority", func() Chain {
			root := f.grant(t, grantOpts{mutate: func(r *DraftRequest) { r.Delegation.Scope.AmountLimit = &Money{Amount: "20000000", Currency: "THB"} }})
			return Chain{Company: f.company, Links: []string{root}}
		}, func(r *Request) { r.Presenter = didOf(f.accountant) }, ReasonAmountOverDirectorLimit, 0, PartDelegation},
		{"scope widened in a sub-delegation: action", func() Chain {
			return Chain{Company: f.company, Links: []string{good, f.sub(t, good, false, func(r *DraftRequest) {
				r.Delegation.Scope.Actions = []string{ScenarioActionVAT, "rd.cit.file"}
			})}}
		}, nil, ReasonScopeActionsWidened, 1, PartDelegation},
		{"scope widened in a sub-delegation: amount", func() Chain {
			return Chain{Company: f.company, Links: []string{good, f.sub(t, good, false, func(r *DraftRequest) {
				r.Delegation.Scope.AmountLimit = &Money{Amount: "500000.01", Currency: "THB"}
			})}}
		}, nil, ReasonScopeAmountWidened, 1, PartDelegation},
		{"scope widened in a sub-delegation: relying party", func() Chain {
			return Chain{Company: f.company, Links: []string{good, f.sub(t, good, false, func(r *DraftRequest) {
				r.Delegation.Scope.RelyingParties = []string{ScenarioRelyingParty, "did:web:customs.thaitrust.example"}
			})}}
		}, nil, ReasonScopeRelyingPartiesWidened, 1, PartDelegation},
		{"sub-delegation valid beyond its parent", func() Chain {
			return Chain{Company: f.company, Links: []string{good, f.sub(t, good, false, func(r *DraftRequest) {
				r.ValidUntil = f.start.AddDate(2, 0, 0)
			})}}
		}, nil, ReasonValidityExceedsParent, 1, PartDelegation},
		{"depth exceeded", func() Chain {
			return Chain{Company: f.company, Links: []string{good, f.sub(t, good, false, func(r *DraftRequest) {
				r.Delegation.SubDelegation = SubDelegation{Allowed: true, MaxDepth: 1}
			})}}
		}, nil, ReasonDepthExceeded, 1, PartDelegation},
		{"sub-delegation not allowed", func() Chain {
			root := f.grant(t, grantOpts{mutate: func(r *DraftRequest) { r.Delegation.SubDelegation = SubDelegation{} }})
			return Chain{Company: f.company, Links: []string{root, f.sub(t, root, false, nil)}}
		}, nil, ReasonSubDelegationNotAllowed, 1, PartDelegation},
		{"amount over the limit", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.Amount = &Money{Amount: "100000.50", Currency: "THB"} }, ReasonAmountOverLimit, 1, PartRequest},
		{"amount in another currency", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.Amount = &Money{Amount: "100", Currency: "USD"} }, ReasonAmountCurrencyMismatch, 0, PartRequest},
		{"action not granted", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.Action = ScenarioActionWHT }, ReasonActionNotInScope, 1, PartRequest},
		{"another relying party", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.RelyingParty = "did:web:bank.thaitrust.example" }, ReasonRelyingPartyNotInScope, 1, PartRequest},
		{"grantee binding missing", func() Chain {
			return Chain{Company: f.company, Links: []string{good, f.sub(t, good, false, func(r *DraftRequest) { r.Delegation.Grantee.ID = "" })}}
		}, nil, ReasonGranteeBindingMissing, 1, PartRequest},
		{"presenter is not the grantee", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.Presenter = didOf(f.accountant) }, ReasonPresenterNotGrantee, 1, PartRequest},
		{"presenter unauthenticated", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.Presenter = "" }, ReasonPresenterUnauthenticated, 1, PartRequest},
		{"acting for another company", func() Chain { return Chain{Company: f.company, Links: []string{good, goodSub}} },
			func(r *Request) { r.ActingFor = "0107544000108" }, ReasonActingForMismatch, -1, PartCompany},
		{"company certificate missing", func() Chain { return Chain{Links: []string{good, goodSub}} }, nil, ReasonCompanyMissing, -1, PartCompany},
		{"links out of order", func() Chain { return Chain{Company: f.company, Links: []string{goodSub, good}} }, nil, ReasonRootHasParent, 0, PartDelegation},
		{"a company certificate where a delegation belongs", func() Chain { return Chain{Company: f.company, Links: []string{f.company}} }, nil, ReasonWrongType, 0, PartDelegation},
		{"sub-delegation of another chain", func() Chain {
			other := f.grant(t, grantOpts{check: true})
			return Chain{Company: f.company, Links: []string{other, goodSub}}
		}, nil, ReasonParentMismatch, 1, PartDelegation},
		{"empty chain", func() Chain { return Chain{Company: f.company} }, nil, ReasonChainEmpty, 0, PartDelegation},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := f.request()
			if tc.req != nil {
				tc.req(&req)
			}
			wantFailure(t, f.v.Verify(ctx, tc.chain(), req), tc.reason, tc.link, tc.part)
		})
	}
}

func TestVerifyAfterGrant(t *testing.T) {
	ctx := context.Background()
	t.Run("director revoked at DBD after the grant", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Revoke(t, f.authID[1])
		wantFailure(t, f.v.Verify(ctx, chain, f.request()), ReasonRevoked, 0, PartDirector)
	})
	t.Run("director suspended", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Suspend(t, f.authID[0])
		wantFailure(t, f.v.Verify(ctx, chain, f.request()), ReasonSuspended, 0, PartDirector)
	})
	t.Run("director authorities expired since the grant are fine", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Clock.Advance(10 * 24 * time.Hour) // DirectorAuthorityCredentials live 7 days
		if r := f.v.Verify(ctx, chain, f.request()); !r.Verified {
			t.Fatalf("%+v", r.Failure)
		}
	})
	t.Run("expired link", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Clock.Advance(31 * 24 * time.Hour)
		wantFailure(t, f.v.Verify(ctx, chain, f.request()), ReasonExpired, 1, PartDelegation)
	})
	t.Run("revoked link", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Revoke(t, credID(t, chain.Links[1]))
		wantFailure(t, f.v.Verify(ctx, chain, f.request()), ReasonRevoked, 1, PartDelegation)
	})
	t.Run("revoked root", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Revoke(t, credID(t, chain.Links[0]))
		wantFailure(t, f.v.Verify(ctx, chain, f.request()), ReasonRevoked, 0, PartDelegation)
	})
	t.Run("company certificate revoked", func(t *testing.T) {
		f := newFixture(t, false)
		chain := f.chain(t)
		f.dbd.Revoke(t, credID(t, f.company))
		wantFailure(t, f.v.Verify(ctx, chain, f.request()), ReasonRevoked, -1, PartCompany)
	})
}

func TestVerifyUntrustedIssuer(t *testing.T) {
	f := newFixture(t, false)
	chain := f.chain(t)
	v, err := NewVerifier(Config{Algorithms: f.v.cfg.Algorithms, Keys: f.v.cfg.Keys, Trust: staticNobody{}, Status: f.v.cfg.Status, Now: f.v.cfg.Now})
	if err != nil {
		t.Fatal(err)
	}
	wantFailure(t, v.Verify(context.Background(), chain, f.request()), ReasonUntrustedIssuer, 0, PartDelegation)
}

func TestNewVerifierFailsClosed(t *testing.T) {
	f := newFixture(t, false)
	good := f.v.cfg
	for name, mut := range map[string]func(*Config){
		"algorithms": func(c *Config) { c.Algorithms = nil },
		"keys":       func(c *Config) { c.Keys = nil },
		"trust":      func(c *Config) { c.Trust = nil },
		"status":     func(c *Config) { c.Status = nil },
		"alg none":   func(c *Config) { c.Algorithms = append(c.Algorithms, "none") },
	} {
		c := good
		mut(&c)
		if _, err := NewVerifier(c); !errors.Is(err, ErrConfig) {
			t.Errorf("%s: %v, want ErrConfig", name, err)
		}
	}
}
