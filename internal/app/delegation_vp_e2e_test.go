package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// rdFiling has the Revenue Department (the demo's "rd" verifier) ask for
// a power of attorney to do action for the scenario's company, amount
// 45000 THB, and, with identity, the presenter's citizen ID card.
func rdFiling(t *testing.T, s *testServer, action string, identity bool) (id, requestURI string) {
	t.Helper()
	creds := []any{map[string]any{
		"id": "poa", "format": "jwt_vc_json",
		"meta": map[string]any{"type_values": []any{[]any{"VerifiableCredential", delegation.TypeDelegation}}},
	}}
	demand := map[string]any{
		"credential_id": "poa", "acting_for": delegation.ScenarioJuristicID, "action": action,
		"amount": map[string]any{"value": "45000", "currency": "THB"},
	}
	if identity {
		creds = append(creds, map[string]any{
			"id": "citizen", "format": "jwt_vc_json",
			"meta":   map[string]any{"type_values": []any{[]any{"VerifiableCredential", delegation.TypeThaiCitizen}}},
			"claims": []any{map[string]any{"path": []any{"credentialSubject", "pid"}}},
		})
		demand["identity_id"] = "citizen"
	}
	r := s.do(t, request{method: http.MethodPost, path: "/verifiers/rd/requests", token: demoToken, body: map[string]any{
		"dcql_query": map[string]any{"credentials": creds},
		"purpose":    map[string]any{"th": "ยื่นแบบ ภ.พ.30 แทนบริษัท", "en": "File the VAT return for the company"},
		"delegation": demand,
	}}).want(t, http.StatusCreated).JSON(t)
	id, _ = r["id"].(string)
	requestURI, _ = r["request_uri"].(string)
	if id == "" || requestURI == "" {
		t.Fatalf("created %v", r)
	}
	return id, requestURI
}

// addWithKey puts a vc+jwt in wallet w bound to key (the holder's own,
// as the demo scenario made it).
func addWithKey(t *testing.T, w *vpWallet, token string, key jose.Signer) {
	t.Helper()
	jwk, err := signing.PrivateJWK(key.Key)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Add(context.Background(), &holder.Credential{Format: holder.FormatJWTVC, Raw: token}, &holder.Key{JWK: jwk}); err != nil {
		t.Fatal(err)
	}
}

// presentFiling has wallet w answer request requestURI with its
// credentials and the chain above its delegation; it returns the
// wallet's error (the verifier's refusal).
func presentFiling(t *testing.T, w *vpWallet, requestURI string, chain ...string) error {
	t.Helper()
	ctx := context.Background()
	req, err := w.ResolveRequest(ctx, requestURI)
	if err != nil {
		t.Fatal(err)
	}
	if d := req.Delegation; d == nil || d.Action == "" || d.ActingFor != delegation.ScenarioJuristicID || d.Amount == nil {
		t.Fatalf("the wallet does not show what it is asked to act for: %+v", req.Delegation)
	}
	c, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.AttachDelegationChain(chain); err != nil {
		t.Fatal(err)
	}
	_, err = w.Respond(ctx, c)
	return err
}

// TestDelegationOverOpenID4VP: the Revenue Department asks, over
// OpenID4VP, for someone acting for the scenario's company to file VAT;
// the clerk's wallet presents their DelegationCredential (bound to their
// key) and their citizen ID card, with the company certificate and the
// accountant's grant as the chain: accepted, the chain's steps in the
// result. Refused: a withholding-tax filing (outside the clerk's scope);
// the clerk's delegation presented from another person's wallet (holder
// key mismatch); and, after DBD records a change of directors, the VAT
// filing itself, naming the director link.
func TestDelegationOverOpenID4VP(t *testing.T) {
	s := startServer(t)
	dc, keys := demoHolders(t, s)
	company, grant, leaf := dc.Chain.Company, dc.Chain.Links[0], dc.Chain.Links[1]

	// DOPA's citizen ID card for the clerk, issued to the clerk's key.
	doc := issuertest.Example(t, delegation.TypeThaiCitizen)
	sub := doc["credentialSubject"].(map[string]any)
	sub["pid"], sub["id"] = delegation.ScenarioClerk.PID, dc.DIDs["clerk"]
	env, err := credential.ParseDataURL(s.issue(t, "dopa", doc).VC["id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	clerk := newVPWallet(t)
	above, err := s.App.AddDemoClerk(context.Background(), clerk.Wallet)
	if err != nil || !slices.Equal(above, []string{company, grant}) {
		t.Fatalf("AddDemoClerk: %v", err)
	}
	addWithKey(t, clerk, env.Data, keys["clerk"])

	refused := func(t *testing.T, id string, err error, reason string) *oid4vp.Result {
		t.Helper()
		var he *holder.Error
		if !errors.As(err, &he) || he.Reason != holder.ReasonResponseRejected {
			t.Fatalf("the wallet's error %v, want the verifier's refusal", err)
		}
		v := result(t, s, id)
		if v.Status != oid4vp.StatusFailed || v.Result == nil || v.Result.Verified || v.Result.Reason != reason || v.Result.MessageTH == "" {
			t.Fatalf("result %+v, want refused with %s", v.Result, reason)
		}
		return v.Result
	}

	t.Run("accepted", func(t *testing.T) {
		id, uri := rdFiling(t, s, delegation.ScenarioActionVAT, true)
		if err := presentFiling(t, clerk, uri, company, grant); err != nil {
			t.Fatalf("the clerk's filing: %v", err)
		}
		v := result(t, s, id)
		if v.Status != oid4vp.StatusAnswered || !v.Result.Verified {
			t.Fatalf("result %+v", v.Result)
		}
		d := v.Result.Delegation
		if d == nil || !d.Verified || d.Reason != "" {
			t.Fatalf("delegation outcome %+v", d)
		}
		var report delegation.Result
		if err := json.Unmarshal(d.Report, &report); err != nil {
			t.Fatal(err)
		}
		if !report.Verified || report.Depth != 1 || report.Company == nil || report.Company.JuristicID != delegation.ScenarioJuristicID ||
			report.Grantee.PID != delegation.ScenarioClerk.PID || len(report.Steps) < 5 {
			t.Fatalf("report %+v", report)
		}
		checks := v.Result.Credentials["poa"][0].Checks
		if last := checks[len(checks)-1]; last.Check != oid4vp.CheckDelegation || last.Status != "passed" {
			t.Fatalf("the presentation's checks end with %+v", last)
		}
		// Only what was asked for: the citizen ID card's pid.
		if pid := v.Result.Credentials["citizen"][0].Claims["credentialSubject"].(map[string]any)["pid"]; pid != delegation.ScenarioClerk.PID {
			t.Fatalf("claims %v", v.Result.Credentials["citizen"][0].Claims)
		}
	})

	t.Run("malformed demand", func(t *testing.T) {
		p := s.do(t, request{method: http.MethodPost, path: "/verifiers/rd/requests", token: demoToken, body: map[string]any{
			"dcql_query": map[string]any{"credentials": []any{map[string]any{"id": "poa", "format": "jwt_vc_json",
				"meta": map[string]any{"type_values": []any{[]any{delegation.TypeDelegation}}}}}},
			"delegation": map[string]any{"credential_id": "poa", "action": "rd.vat.file", "amount": map[string]any{"value": "lots", "currency": "THB"}},
		}}).problem(t, http.StatusBadRequest, "dcql_query_invalid")
		if !strings.Contains(fmt.Sprint(p), "/delegation") {
			t.Errorf("problem %v", p)
		}
	})

	t.Run("action outside the scope", func(t *testing.T) {
		id, uri := rdFiling(t, s, delegation.ScenarioActionWHT, true)
		r := refused(t, id, presentFiling(t, clerk, uri, company, grant), oid4vp.ReasonDelegationRefused)
		if d := r.Delegation; d == nil || d.Reason != delegation.ReasonActionNotInScope || d.Message == "" || r.Message != d.Message {
			t.Fatalf("delegation outcome %+v", r.Delegation)
		}
	})

	t.Run("without the chain", func(t *testing.T) {
		id, uri := rdFiling(t, s, delegation.ScenarioActionVAT, true)
		r := refused(t, id, presentFiling(t, clerk, uri), oid4vp.ReasonDelegationRefused)
		if d := r.Delegation; d == nil || d.Reason != delegation.ReasonRootHasParent || d.Link != 0 {
			t.Fatalf("delegation outcome %+v", r.Delegation)
		}
	})

	t.Run("identity card of another holder", func(t *testing.T) {
		// The clerk's delegation with the accountant's citizen ID card
		// (bound to the accountant's key).
		doc := issuertest.Example(t, delegation.TypeThaiCitizen)
		sub := doc["credentialSubject"].(map[string]any)
		sub["pid"], sub["id"] = delegation.ScenarioAccountant.PID, dc.DIDs["accountant"]
		env, err := credential.ParseDataURL(s.issue(t, "dopa", doc).VC["id"].(string))
		if err != nil {
			t.Fatal(err)
		}
		mixed := newVPWallet(t)
		addWithKey(t, mixed, leaf, keys["clerk"])
		addWithKey(t, mixed, env.Data, keys["accountant"])
		id, uri := rdFiling(t, s, delegation.ScenarioActionVAT, true)
		if r := refused(t, id, presentFiling(t, mixed, uri, company, grant), oid4vp.ReasonDelegationHolder); r.Delegation != nil {
			t.Fatalf("the chain was checked: %+v", r.Delegation)
		}
	})

	t.Run("a delegation above the presented one", func(t *testing.T) {
		// The accountant presents their own grant, and sends the clerk's
		// sub-delegation in the chain: the chain's last grantee is the
		// clerk, not the accountant's presented credential.
		acc := newVPWallet(t)
		addWithKey(t, acc, grant, keys["accountant"])
		id, uri := rdFiling(t, s, delegation.ScenarioActionVAT, false)
		r := refused(t, id, presentFiling(t, acc, uri, company, leaf), oid4vp.ReasonDelegationRefused)
		if r.Delegation == nil || r.Delegation.Reason != app.ReasonNotFinalLink {
			t.Fatalf("delegation outcome %+v", r.Delegation)
		}
		// Their own grant alone, with the company: accepted.
		id, uri = rdFiling(t, s, delegation.ScenarioActionVAT, false)
		if err := presentFiling(t, acc, uri, company); err != nil {
			t.Fatalf("the accountant's own filing: %v (%+v)", err, result(t, s, id).Result)
		}
	})

	t.Run("someone else's delegation", func(t *testing.T) {
		// The accountant copied the clerk's credential into their wallet;
		// it can only be presented with the accountant's key.
		other := newVPWallet(t)
		addWithKey(t, other, leaf, keys["accountant"])
		id, uri := rdFiling(t, s, delegation.ScenarioActionVAT, false)
		r := refused(t, id, presentFiling(t, other, uri, company, grant), "holder_not_subject")
		if r.Delegation != nil {
			t.Fatalf("the chain was checked for a presentation that failed: %+v", r.Delegation)
		}
	})

	t.Run("director revoked at DBD", func(t *testing.T) {
		s.do(t, request{method: http.MethodPost, path: "/issuers/dbd/credentials/status", token: demoToken,
			body: map[string]any{"credentialId": dc.Directors[1], "action": "revoke"}}).want(t, http.StatusOK)
		id, uri := rdFiling(t, s, delegation.ScenarioActionVAT, true)
		r := refused(t, id, presentFiling(t, clerk, uri, company, grant), oid4vp.ReasonDelegationRefused)
		d := r.Delegation
		if d == nil || d.Reason != delegation.ReasonRevoked || d.Part != delegation.PartDirector || d.Link != 0 ||
			!strings.Contains(r.Errors[0].Detail, "director") || d.MessageTH == "" {
			t.Fatalf("delegation outcome %+v, errors %+v", d, r.Errors)
		}
	})
}

// A demo data directory made before the Revenue Department verifier gets
// it on its next open (the employer kept, and still the default).
func TestDemoRDVerifierAddedToOldDirectory(t *testing.T) {
	dir := t.TempDir()
	cfg, err := app.InitDemo(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	employer := cfg.Verifiers[0]
	cfg.Verifiers = cfg.Verifiers[:1]
	if err := cfg.Save(dir); err != nil {
		t.Fatal(err)
	}
	a, err := app.Open(context.Background(), app.Options{DataDir: dir, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	rd, ok := a.OID4VP("rd")
	if !ok || !strings.HasSuffix(rd.DID(), ":verifiers:rd") || len(a.Config.Verifiers) != 2 || a.Config.Verifiers[0].Name != employer.Name ||
		a.Config.Verifiers[1].RelyingPartyID != delegation.ScenarioRelyingParty {
		t.Fatalf("verifiers after open: %+v", a.Config.Verifiers)
	}
	saved, err := app.LoadConfig(dir)
	if err != nil || len(saved.Verifiers) != 2 {
		t.Fatalf("not saved: %v %+v", err, saved)
	}
}
