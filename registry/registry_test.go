package registry_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/verifier"
)

var ctx = context.Background()

const admin = registrytest.Admin

func day(n int) time.Time { return registrytest.Epoch.Add(time.Duration(n) * 24 * time.Hour) }

func trust(t *testing.T, it verifier.IssuerTrust, issuer, typ string, at time.Time) verifier.TrustDecision {
	t.Helper()
	d, err := it.TrustIssuer(ctx, verifier.TrustQuery{Issuer: issuer, Type: typ, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSchemeTrust(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	uni := sc.Members["university"]
	tests := []struct {
		name, issuer, typ string
		at                time.Time
		wantReason        string // "" trusted
	}{
		{"degree", uni.DID, "DegreeCredential", day(10), ""},
		{"transcript", uni.DID, "TranscriptCredential", day(10), ""},
		{"type not accredited", uni.DID, "ThaiCitizenCredential", day(10), registry.ReasonTypeNotAccredited},
		{"before accreditation", uni.DID, "DegreeCredential", day(-1), registry.ReasonAccreditationNotYetValid},
		{"after expiry", uni.DID, "DegreeCredential", day(366), registry.ReasonAccreditationExpired},
		{"unknown issuer", "did:web:nobody.example", "DegreeCredential", day(10), registry.ReasonUnknownIssuer},
		{"authoritative source", sc.Members["dopa"].DID, "ThaiCitizenCredential", day(10), ""},
		{"idp is no issuer", sc.Members["thaid"].DID, "ThaiCitizenCredential", day(10), registry.ReasonNotAccredited},
		{"accreditor is no issuer", sc.Members["mhesi"].DID, "DegreeCredential", day(10), registry.ReasonNotAccredited},
		{"root issues accreditations", sc.Members["etda"].DID, "AccreditationCredential", day(10), ""},
		{"root issues IdP accreditations", sc.Members["etda"].DID, "IdPAccreditationCredential", day(10), ""},
		{"accreditor issues accreditations", sc.Members["mhesi"].DID, "AccreditationCredential", day(10), ""},
		{"accreditor before its accreditation", sc.Members["mhesi"].DID, "AccreditationCredential", day(-10), registry.ReasonAccreditationNotYetValid},
		{"accreditor issues no IdP accreditations", sc.Members["mhesi"].DID, "IdPAccreditationCredential", day(10), registry.ReasonNotAccredited},
		{"issuer issues no accreditations", uni.DID, "AccreditationCredential", day(10), registry.ReasonNotAccredited},
		{"root is no degree issuer", sc.Members["etda"].DID, "DegreeCredential", day(10), registry.ReasonNotAccredited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := trust(t, sc.Service, tt.issuer, tt.typ, tt.at)
			if d.Trusted != (tt.wantReason == "") || d.Reason != tt.wantReason {
				t.Fatalf("got trusted=%v reason=%q (%s), want reason %q", d.Trusted, d.Reason, d.Basis, tt.wantReason)
			}
			if d.Trusted && !strings.Contains(d.Basis, uni.Accreditation.ID) && tt.issuer == uni.DID {
				t.Errorf("basis %q does not name the accreditation %s", d.Basis, uni.Accreditation.ID)
			}
		})
	}
}

func TestStatusChanges(t *testing.T) {
	type step struct {
		clock  int // day the change is recorded
		target string
		entity bool // change the entity, else its accreditation
		req    registry.StatusRequest
	}
	suspend := registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"}
	withdraw := registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"}
	reinstate := registry.StatusRequest{Status: registry.StatusActive, Reason: "audit passed"}
	type probe struct {
		at         int
		wantReason string
	}
	tests := []struct {
		name   string
		steps  []step
		probes []probe
	}{
		{"withdrawn: issued before stays trusted, after is not",
			[]step{{100, "university", false, withdraw}},
			[]probe{{50, ""}, {99, ""}, {100, registry.ReasonAccreditationWithdrawn}, {150, registry.ReasonAccreditationWithdrawn}}},
		{"suspended then reinstated",
			[]step{{100, "university", false, suspend}, {120, "university", false, reinstate}},
			[]probe{{50, ""}, {110, registry.ReasonAccreditationSuspended}, {120, ""}, {130, ""}}},
		{"entity withdrawn for cause, retroactively",
			[]step{{100, "university", true, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "fraud", EffectiveFrom: day(30)}}},
			[]probe{{20, ""}, {30, registry.ReasonEntityWithdrawn}, {50, registry.ReasonEntityWithdrawn}, {200, registry.ReasonEntityWithdrawn}}},
		{"entity suspended",
			[]step{{100, "university", true, suspend}},
			[]probe{{99, ""}, {101, registry.ReasonEntitySuspended}}},
		{"accreditor's accreditation suspended breaks the chain",
			[]step{{100, "mhesi", false, suspend}},
			[]probe{{50, ""}, {110, registry.ReasonAccreditorNotAccredited}}},
		{"accreditor withdrawn",
			[]step{{100, "mhesi", true, withdraw}},
			[]probe{{50, ""}, {110, registry.ReasonAccreditorNotAccredited}}},
		{"root withdrawn",
			[]step{{100, "etda", true, withdraw}},
			[]probe{{50, ""}, {110, registry.ReasonAccreditorNotAccredited}}},
		{"scheduled suspension",
			[]step{{100, "university", false, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "planned", EffectiveFrom: day(200)}}},
			[]probe{{150, ""}, {201, registry.ReasonAccreditationSuspended}}},
		{"retroactive withdrawal overrides a later reinstatement",
			[]step{{100, "university", false, suspend}, {120, "university", false, reinstate},
				{140, "university", false, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "fraud", EffectiveFrom: day(90)}}},
			[]probe{{80, ""}, {95, registry.ReasonAccreditationWithdrawn}, {130, registry.ReasonAccreditationWithdrawn}}},
		{"expired",
			nil,
			[]probe{{364, ""}, {365, registry.ReasonAccreditationExpired}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := registrytest.NewScheme(t, nil)
			for _, s := range tt.steps {
				sc.Clock.Set(day(s.clock))
				var err error
				if s.entity {
					_, err = sc.Service.SetEntityStatus(ctx, admin, s.target, s.req)
				} else {
					_, err = sc.Service.SetAccreditationStatus(ctx, admin, sc.Members[s.target].Accreditation.ID, s.req)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			sc.Clock.Set(day(300))
			for _, p := range tt.probes {
				d := trust(t, sc.Service, sc.Members["university"].DID, "DegreeCredential", day(p.at))
				if d.Trusted != (p.wantReason == "") || d.Reason != p.wantReason {
					t.Errorf("issued day %d: trusted=%v reason=%q (%s), want reason %q", p.at, d.Trusted, d.Reason, d.Basis, p.wantReason)
				}
			}
			// The same answers after a restart from the store.
			re, err := registry.Open(ctx, registry.Config{Store: sc.Store, Root: "etda", Now: sc.Clock.Now})
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range tt.probes {
				if d := trust(t, re, sc.Members["university"].DID, "DegreeCredential", day(p.at)); d.Reason != p.wantReason {
					t.Errorf("after reload, issued day %d: reason %q, want %q", p.at, d.Reason, p.wantReason)
				}
			}
		})
	}
}

func TestChangeRules(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	s := sc.Service
	uniAcc := sc.Members["university"].Accreditation.ID
	withdraw := registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"}
	if _, err := s.SetAccreditationStatus(ctx, "", uniAcc, withdraw); !errors.Is(err, registry.ErrUnauthenticated) {
		t.Errorf("empty actor: %v, want ErrUnauthenticated", err)
	}
	if _, err := s.SetAccreditationStatus(ctx, admin, uniAcc, registry.StatusRequest{Status: registry.StatusSuspended}); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("suspension without reason: %v, want ErrInvalid", err)
	}
	if _, err := s.SetAccreditationStatus(ctx, admin, uniAcc, withdraw); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetAccreditationStatus(ctx, admin, uniAcc, registry.StatusRequest{Status: registry.StatusActive}); !errors.Is(err, registry.ErrWithdrawn) {
		t.Errorf("reinstating a withdrawn accreditation: %v, want ErrWithdrawn", err)
	}
	if _, err := s.SetEntityStatus(ctx, admin, "nobody", withdraw); !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("unknown entity: %v, want ErrNotFound", err)
	}
	dup := sc.Members["dopa"].Entity
	dup.ID = "dopa2"
	if _, err := s.Register(ctx, admin, dup, ""); !errors.Is(err, registry.ErrExists) {
		t.Errorf("identifier taken: %v, want ErrExists", err)
	}
	if _, err := s.Register(ctx, admin, registry.Entity{ID: "Bad ID"}, ""); !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("bad id: %v, want ErrInvalid", err)
	}
	// An accreditor accredits only within its own scope.
	_, err := s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "university", Accreditor: "mhesi", Role: registry.RoleIssuer,
		Scope: registry.Scope{CredentialTypes: []string{"ThaiCitizenCredential"}}})
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("widening scope: %v, want ErrInvalid", err)
	}
	// ... and not beyond its own period.
	_, err = s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "university", Accreditor: "mhesi", Role: registry.RoleIssuer,
		Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}, ValidUntil: day(800)})
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("outliving the accreditor: %v, want ErrInvalid", err)
	}
	// Identity providers need levels; issuers need types.
	_, err = s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "thaid", Role: registry.RoleIdentityProvider})
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("idp without levels: %v, want ErrInvalid", err)
	}
	// Roles fit kinds.
	_, err = s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "thaid", Role: registry.RoleIssuer, Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}})
	if !errors.Is(err, registry.ErrInvalid) {
		t.Errorf("issuer role for an IdP: %v, want ErrInvalid", err)
	}
}

// TestPointInTime records a sequence of changes over two years and asks,
// afterwards, about many instants.
func TestPointInTime(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	s := sc.Service
	uni := sc.Members["university"]
	// Day 60: suspended; day 90: reinstated; day 200: renewed for year 2
	// (granted from day 365); day 400: the year-2 accreditation is
	// withdrawn for cause from day 380.
	sc.Clock.Set(day(60))
	must(t, first(s.SetAccreditationStatus(ctx, admin, uni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"})))
	sc.Clock.Set(day(90))
	must(t, first(s.SetAccreditationStatus(ctx, admin, uni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusActive, Reason: "ok"})))
	sc.Clock.Set(day(200))
	// mhesi first needs year 2 itself.
	must(t, first(s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "mhesi", Role: registry.RoleAccreditor, ValidFrom: day(365), ValidUntil: day(730),
		Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential", "TranscriptCredential"}}})))
	y2, err := s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "university", Accreditor: "mhesi", Role: registry.RoleIssuer, ValidFrom: day(365), ValidUntil: day(730),
		Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}})
	must(t, err)
	sc.Clock.Set(day(400))
	must(t, first(s.SetAccreditationStatus(ctx, admin, y2.ID, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "fraud", EffectiveFrom: day(380)})))
	sc.Clock.Set(day(800))
	for _, p := range []struct {
		at         int
		typ        string
		wantReason string
		wantAcc    string
	}{
		{10, "DegreeCredential", "", uni.Accreditation.ID},
		{59, "DegreeCredential", "", uni.Accreditation.ID},
		{60, "DegreeCredential", registry.ReasonAccreditationSuspended, uni.Accreditation.ID},
		{89, "TranscriptCredential", registry.ReasonAccreditationSuspended, uni.Accreditation.ID},
		{90, "DegreeCredential", "", uni.Accreditation.ID},
		{364, "DegreeCredential", "", uni.Accreditation.ID},
		{370, "DegreeCredential", "", y2.ID},
		{370, "TranscriptCredential", registry.ReasonAccreditationExpired, uni.Accreditation.ID},
		{379, "DegreeCredential", "", y2.ID},
		{380, "DegreeCredential", registry.ReasonAccreditationWithdrawn, y2.ID},
		{731, "DegreeCredential", registry.ReasonAccreditationWithdrawn, y2.ID},
	} {
		a, err := s.Authorize(ctx, registry.AuthorizationQuery{Entity: "university", Resource: p.typ, At: day(p.at)})
		must(t, err)
		got := ""
		if len(a.Evidence) > 0 {
			got = a.Evidence[0].ID
		}
		if a.Authorized != (p.wantReason == "") || a.Reason != p.wantReason || got != p.wantAcc {
			t.Errorf("day %d %s: authorized=%v reason=%q evidence=%s; want reason %q evidence %s", p.at, p.typ, a.Authorized, a.Reason, got, p.wantReason, p.wantAcc)
		}
	}
	// Authority: the chain runs through mhesi and etda, not dopa.
	for _, tc := range []struct {
		authority, want string
	}{{"mhesi", ""}, {"etda", ""}, {sc.Members["mhesi"].DID, ""}, {"dopa", registry.ReasonAuthorityNotInChain}, {"nobody", registry.ReasonUnknownAuthority}} {
		a, _ := s.Authorize(ctx, registry.AuthorizationQuery{Entity: uni.DID, Authority: tc.authority, Resource: "DegreeCredential", At: day(10)})
		if a.Reason != tc.want {
			t.Errorf("authority %s: reason %q, want %q", tc.authority, a.Reason, tc.want)
		}
	}
	// mhesi may accredit degree issuers, not citizen-ID issuers.
	if a, _ := s.Authorize(ctx, registry.AuthorizationQuery{Entity: "mhesi", Action: registry.ActionAccredit, Resource: "DegreeCredential", At: day(10)}); !a.Authorized {
		t.Errorf("mhesi accredit degrees: %+v", a)
	}
	if a, _ := s.Authorize(ctx, registry.AuthorizationQuery{Entity: "mhesi", Action: registry.ActionAccredit, Resource: "ThaiCitizenCredential", At: day(10)}); a.Authorized {
		t.Errorf("mhesi accredit citizen IDs: %+v", a)
	}
}

func first[T any](v T, err error) error { return err }

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestCheckEvidence(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	s := sc.Service
	tests := []struct {
		name       string
		ev         registry.IdentityEvidence
		minIAL     registry.IAL
		minAAL     registry.AAL
		wantReason string
	}{
		{"thaid at 2.3", registry.IdentityEvidence{IAL: registry.IAL23, AAL: registry.AAL22, IdP: "thaid", ProofedAt: day(5)}, registry.IAL22, registry.AAL21, ""},
		{"by DID", registry.IdentityEvidence{IAL: registry.IAL22, AAL: registry.AAL21, IdP: sc.Members["thaid"].DID, ProofedAt: day(5)}, registry.IAL22, 0, ""},
		{"bank claims 2.3", registry.IdentityEvidence{IAL: registry.IAL23, AAL: registry.AAL21, IdP: "bankidp", ProofedAt: day(5)}, registry.IAL13, 0, registry.ReasonIALExceedsAccreditation},
		{"bank claims AAL 3", registry.IdentityEvidence{IAL: registry.IAL13, AAL: registry.AAL3, IdP: "bankidp", ProofedAt: day(5)}, 0, 0, registry.ReasonAALExceedsAccreditation},
		{"bank below policy", registry.IdentityEvidence{IAL: registry.IAL13, AAL: registry.AAL21, IdP: "bankidp", ProofedAt: day(5)}, registry.IAL23, 0, registry.ReasonIALBelowPolicy},
		{"aal below policy", registry.IdentityEvidence{IAL: registry.IAL23, AAL: registry.AAL21, IdP: "thaid", ProofedAt: day(5)}, 0, registry.AAL22, registry.ReasonAALBelowPolicy},
		{"proofed before accreditation", registry.IdentityEvidence{IAL: registry.IAL23, AAL: registry.AAL22, IdP: "thaid", ProofedAt: day(-5)}, 0, 0, registry.ReasonAccreditationNotYetValid},
		{"unknown idp", registry.IdentityEvidence{IAL: registry.IAL23, IdP: "nobody", ProofedAt: day(5)}, 0, 0, registry.ReasonIdentityProviderUnknown},
		{"issuer is no idp", registry.IdentityEvidence{IAL: registry.IAL11, IdP: "dopa", ProofedAt: day(5)}, 0, 0, registry.ReasonIdentityProviderNotAccred},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := s.CheckEvidence(ctx, tt.ev, tt.minIAL, tt.minAAL)
			must(t, err)
			if a.Authorized != (tt.wantReason == "") || a.Reason != tt.wantReason {
				t.Fatalf("authorized=%v reason=%q, want %q", a.Authorized, a.Reason, tt.wantReason)
			}
		})
	}
}

func TestLevels(t *testing.T) {
	order := []string{"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3"}
	var prev registry.IAL
	for _, s := range order {
		l, err := registry.ParseIAL(s)
		if err != nil || l <= prev || l.String() != s {
			t.Fatalf("ParseIAL(%q) = %v, %v (prev %v)", s, l, err, prev)
		}
		prev = l
	}
	if l, err := registry.ParseIAL("3.0"); err != nil || l != registry.IAL3 {
		t.Errorf("3.0 = %v, %v", l, err)
	}
	for _, bad := range []string{"2.4", "0", "4", "x", "1.15"} {
		if _, err := registry.ParseIAL(bad); err == nil {
			t.Errorf("ParseIAL(%q) accepted", bad)
		}
	}
	if a, err := registry.ParseAAL("2.2"); err != nil || a != registry.AAL22 || !(registry.AAL21 < a) {
		t.Errorf("ParseAAL(2.2) = %v, %v", a, err)
	}
	if _, err := registry.ParseAAL("1.1"); err == nil {
		t.Error("ParseAAL(1.1) accepted")
	}
}

func TestHistoryTamper(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	store := sc.Store.(*registrytest.MemoryStore)
	n, err := registry.Verify(ctx, store)
	if err != nil || n != sc.Service.Head().Seq || n == 0 {
		t.Fatalf("Verify = %d, %v; head %d", n, err, sc.Service.Head().Seq)
	}
	evs, _ := store.SubjectEvents(ctx, "entity", "university")
	if len(evs) != 1 || evs[0].Action != registry.ActionEntityRegister {
		t.Fatalf("university history %+v", evs)
	}
	tests := []struct {
		name    string
		tamper  func(evs []registry.Event, objs map[string]map[string][]byte)
		wantSeq int64
		reason  string
	}{
		{"changed reason", func(evs []registry.Event, _ map[string]map[string][]byte) { evs[4].Reason = "nothing to see" }, 5, "hash_mismatch"},
		{"changed state and rehashed", func(evs []registry.Event, _ map[string]map[string][]byte) {
			evs[2].State = []byte(strings.Replace(string(evs[2].State), "Siam", "Fake", 1))
			evs[2].Hash = evs[2].ComputeHash()
		}, 4, "prev_hash_mismatch"},
		{"changed time", func(evs []registry.Event, _ map[string]map[string][]byte) { evs[7].At = evs[7].At.Add(time.Hour) }, 8, "hash_mismatch"},
		{"changed current object", func(_ []registry.Event, objs map[string]map[string][]byte) {
			objs["entity"]["dopa"] = []byte(strings.Replace(string(objs["entity"]["dopa"]), `"active"`, `"withdrawn"`, 1))
		}, 4, "state_mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sc := registrytest.NewScheme(t, nil)
			store := sc.Store.(*registrytest.MemoryStore)
			store.Tamper(tt.tamper)
			_, err := registry.Verify(ctx, store)
			var ce *registry.ChainError
			if !errors.As(err, &ce) || !errors.Is(err, registry.ErrTampered) {
				t.Fatalf("Verify = %v, want a *ChainError", err)
			}
			if ce.Reason != tt.reason || ce.Seq != tt.wantSeq {
				t.Errorf("broken at %d (%s), want %d (%s): %v", ce.Seq, ce.Reason, tt.wantSeq, tt.reason, err)
			}
		})
	}
}

// TestTwoWriters: two Services on one store (two processes on one
// database) see each other's changes through conflicts and Sync.
func TestTwoWriters(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	b, err := registry.Open(ctx, registry.Config{Store: sc.Store, Root: "etda", Now: sc.Clock.Now})
	must(t, err)
	uni := sc.Members["university"]
	sc.Clock.Set(day(20))
	// b suspends; a has not seen it and withdraws: its append conflicts,
	// it catches up and records the withdrawal after the suspension.
	must(t, first(b.SetAccreditationStatus(ctx, admin, uni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"})))
	a, err := sc.Service.SetAccreditationStatus(ctx, admin, uni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"})
	must(t, err)
	if len(a.History) != 3 {
		t.Fatalf("history %+v", a.History)
	}
	if got, _ := b.Accreditation(uni.Accreditation.ID); got.Status != registry.StatusSuspended {
		t.Fatalf("b before Sync: %s", got.Status)
	}
	must(t, b.Sync(ctx))
	if got, _ := b.Accreditation(uni.Accreditation.ID); got.Status != registry.StatusWithdrawn {
		t.Errorf("b after Sync: %s", got.Status)
	}
	if b.Head().Hash != sc.Service.Head().Hash {
		t.Error("heads differ after Sync")
	}
	if _, err := registry.Verify(ctx, sc.Store); err != nil {
		t.Error(err)
	}
}

// TestSubmittedCredential: an accreditor whose key the registry does not
// hold signs the accreditation itself.
func TestSubmittedCredential(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	s, err := registry.Open(ctx, registry.Config{Store: sc.Store, Root: "etda", Now: sc.Clock.Now, Keys: sc.Resolver,
		Signers: map[string]jose.Signer{"etda": sc.Members["etda"].Signer}})
	must(t, err)
	cmu := sc.NewMember(t, "cmu", signing.EdDSA)
	_, err = s.Register(ctx, admin, registry.Entity{ID: "cmu", Kinds: []registry.Kind{registry.KindIssuer}, Jurisdiction: "TH",
		Name: registry.Text{TH: "มหาวิทยาลัยเชียงใหม่", EN: "Chiang Mai University"}, Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: cmu.DID}}}, "")
	must(t, err)
	req := registry.AccreditRequest{Subject: "cmu", Accreditor: "mhesi", Role: registry.RoleIssuer, Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}}
	if _, err := s.Accredit(ctx, admin, req); !errors.Is(err, registry.ErrInvalid) {
		t.Fatalf("no key, no credential: %v", err)
	}
	mk := func(subject string, types ...string) string {
		var fors []any
		for _, ty := range types {
			fors = append(fors, map[string]any{"credentialType": ty, "jurisdiction": "TH"})
		}
		tok, err := jose.SecureCredential(map[string]any{
			"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://thaitrust.example/ns/credentials/v1"},
			"id":       "urn:uuid:0193a1b2-0000-7000-8000-0000000000c" + string(rune('0'+len(types))), "type": []any{"VerifiableCredential", "AccreditationCredential"},
			"issuer": sc.Members["mhesi"].DID, "validFrom": registrytest.Epoch.Format(time.RFC3339), "validUntil": day(200).Format(time.RFC3339),
			"credentialSubject": map[string]any{"id": subject, "name": map[string]any{"th": "มช", "en": "CMU"}, "role": "issuer", "accreditedFor": fors},
		}, sc.Members["mhesi"].Signer)
		must(t, err)
		return tok
	}
	good := mk(cmu.DID, "DegreeCredential")
	parts := strings.Split(good, ".")
	for name, tok := range map[string]string{
		"someone else's subject": mk(sc.Members["university"].DID, "DegreeCredential"),
		"beyond mhesi's scope":   mk(cmu.DID, "DegreeCredential", "ThaiCitizenCredential"),
		"tampered":               parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])),
	} {
		if _, err := s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "cmu", Accreditor: "mhesi", Credential: tok}); !errors.Is(err, registry.ErrInvalid) {
			t.Errorf("%s: %v, want ErrInvalid", name, err)
		}
	}
	a, err := s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "cmu", Accreditor: "mhesi", Credential: good})
	must(t, err)
	if a.Credential != good || a.Parent != sc.Members["mhesi"].Accreditation.ID || !a.ValidUntil.Equal(day(200)) {
		t.Errorf("accreditation %+v", a)
	}
	chain, err := s.Chain(a.ID)
	must(t, err)
	if _, err := registry.ValidateChain(ctx, chain, sc.Anchor, day(10), sc.Resolver); err != nil {
		t.Error(err)
	}
	if d := trust(t, s, cmu.DID, "DegreeCredential", day(10)); !d.Trusted {
		t.Errorf("%+v", d)
	}
}
