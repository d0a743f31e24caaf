package oid4vp_test

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
)

func TestParseDelegation(t *testing.T) {
	ok := map[string]any{"credential_id": "poa", "identity_id": "citizen", "acting_for": "0105562034122",
		"action": "rd.vat.file", "amount": map[string]any{"value": "45000.50", "currency": "THB"}}
	d, err := oid4vp.ParseDelegation(ok)
	want := &oid4vp.Delegation{CredentialID: "poa", IdentityID: "citizen", ActingFor: "0105562034122", Action: "rd.vat.file",
		Amount: &oid4vp.Amount{Value: "45000.50", Currency: "THB"}}
	if err != nil || !reflect.DeepEqual(d, want) {
		t.Fatalf("ParseDelegation = %+v, %v", d, err)
	}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for kk, vv := range ok {
			m[kk] = vv
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for name, v := range map[string]any{
		"not an object":        "poa",
		"no credential_id":     with("credential_id", nil),
		"no action":            with("action", nil),
		"action not a code":    with("action", "File VAT!"),
		"same query twice":     with("identity_id", "poa"),
		"amount not decimal":   with("amount", map[string]any{"value": "1e5", "currency": "THB"}),
		"amount negative":      with("amount", map[string]any{"value": "-1", "currency": "THB"}),
		"currency not ISO":     with("amount", map[string]any{"value": "1", "currency": "baht"}),
		"amount not an object": with("amount", "45000"),
		"unknown member":       with("acting_as", "x"),
		"empty acting_for":     with("acting_for", ""),
	} {
		d, err := oid4vp.ParseDelegation(v)
		var qe *oid4vp.QueryError
		if d != nil || !errors.As(err, &qe) || qe.Field != "/delegation" {
			t.Errorf("%s: %+v, %v", name, d, err)
		}
	}
}

// fakeChecker answers with out (or err) and records its input.
type fakeChecker struct {
	out *oid4vp.DelegationOutcome
	err error
	in  []oid4vp.DelegationInput
}

func (c *fakeChecker) CheckDelegation(_ context.Context, in oid4vp.DelegationInput) (*oid4vp.DelegationOutcome, error) {
	c.in = append(c.in, in)
	return c.out, c.err
}

// delegationFixture is a verifier whose policy trusts a virtual issuer of
// DelegationCredential, with a fake chain checker, and a holder key with
// a DelegationCredential issued to its did:key.
type delegationFixture struct {
	vi     *issuertest.VirtualIssuer
	svc    *oid4vp.Service
	check  *fakeChecker
	holder crypto.Signer
	did    string
	vc     string
}

func newDelegationFixture(t *testing.T, withChecker bool) *delegationFixture {
	t.Helper()
	f := &delegationFixture{vi: issuertest.NewVirtualIssuer(t, "dbd", signing.EdDSA, "DelegationCredential"), check: &fakeChecker{}}
	v, err := verifier.New(f.vi.VerifierConfig())
	if err != nil {
		t.Fatal(err)
	}
	key, _ := signing.GenerateKey(signing.EdDSA)
	cfg := oid4vp.Config{
		Name: "rd", DID: employerDID, Signer: jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: employerDID + "#key-1"},
		BaseURL: employerBase, Verifier: v, Store: oid4vptest.NewMemoryStore(), Now: f.vi.Clock.Now,
	}
	if withChecker {
		cfg.Delegation = f.check
	}
	if f.svc, err = oid4vp.New(cfg); err != nil {
		t.Fatal(err)
	}
	f.holder, _ = signing.GenerateKey(signing.EdDSA)
	f.did, _ = did.KeyDID(f.holder.Public())
	doc := issuertest.Example(t, "DelegationCredential")
	doc["credentialSubject"].(map[string]any)["id"] = f.did
	f.vc, _ = f.vi.Issue(t, doc)
	return f
}

const poaQuery = `{"credentials":[{"id":"poa","format":"jwt_vc_json",
	"meta":{"type_values":[["VerifiableCredential","DelegationCredential"]]}}]}`

func vatFiling() *oid4vp.Delegation {
	return &oid4vp.Delegation{CredentialID: "poa", ActingFor: "0105562034122", Action: "rd.vat.file",
		Amount: &oid4vp.Amount{Value: "45000", Currency: "THB"}}
}

// open creates a request with demand d and returns its id, nonce, state
// and the request object's delegation parameter.
func (f *delegationFixture) open(t *testing.T, d *oid4vp.Delegation) (id, nonce, state string, param any) {
	t.Helper()
	ctx := context.Background()
	c, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: parseJSON(t, poaQuery), Delegation: d})
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.svc.RequestObject(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	ff := &fixture{svc: f.svc}
	claims := ff.verifyObject(t, obj)
	return c.ID, claims["nonce"].(string), claims["state"].(string), claims["delegation"]
}

func (f *delegationFixture) vp(t *testing.T, nonce string) string {
	t.Helper()
	tok, err := jose.SecurePresentation(map[string]any{
		"@context": []any{credential.ContextV2}, "type": []any{credential.TypePresentation},
		"holder": f.did, "verifiableCredential": []any{credential.Envelope(jose.MediaTypeCredential, f.vc)},
	}, jose.Signer{Key: f.holder, Algorithm: signing.EdDSA, KeyID: f.did + "#" + f.did[len("did:key:"):]},
		jose.PresentationClaims{Nonce: nonce, Audience: "decentralized_identifier:" + employerDID, IssuedAt: f.vi.Clock.Now(), Expiry: f.vi.Clock.Now().Add(5 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestCreateRequestDelegation(t *testing.T) {
	ctx := context.Background()
	f := newDelegationFixture(t, false)
	_, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: parseJSON(t, poaQuery), Delegation: vatFiling()})
	var qe *oid4vp.QueryError
	if !errors.As(err, &qe) || qe.Field != "/delegation" {
		t.Errorf("without a checker: %v", err)
	}
	f = newDelegationFixture(t, true)
	for name, q := range map[string]string{
		"unknown query": `{"credentials":[{"id":"other","format":"jwt_vc_json","meta":{"type_values":[["DelegationCredential"]]}}]}`,
		"sd-jwt":        `{"credentials":[{"id":"poa","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}]}`,
		"multiple":      `{"credentials":[{"id":"poa","format":"jwt_vc_json","multiple":true,"meta":{"type_values":[["DelegationCredential"]]}}]}`,
		"other type":    `{"credentials":[{"id":"poa","format":"jwt_vc_json","meta":{"type_values":[["DelegationCredential"],["DegreeCredential"]]}}]}`,
	} {
		_, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: parseJSON(t, q), Delegation: vatFiling()})
		if !errors.As(err, &qe) || qe.Field != "/delegation" {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, _, _, param := f.open(t, vatFiling())
	want := map[string]any{"credential_id": "poa", "acting_for": "0105562034122", "action": "rd.vat.file",
		"amount": map[string]any{"value": "45000", "currency": "THB"}}
	if !reflect.DeepEqual(param, want) {
		t.Errorf("the request object's delegation = %v", param)
	}
}

func TestRespondDelegation(t *testing.T) {
	ctx := context.Background()
	f := newDelegationFixture(t, true)
	respond := func(t *testing.T, chain []string) (*oid4vp.Result, error) {
		t.Helper()
		id, nonce, state, _ := f.open(t, vatFiling())
		fm := form(state, "poa", f.vp(t, nonce))
		if chain != nil {
			fm[oid4vp.ParamDelegationChain] = chain
		}
		_, err := f.svc.Respond(ctx, id, fm)
		v, gerr := f.svc.Get(ctx, id)
		if gerr != nil {
			t.Fatal(gerr)
		}
		return v.Result, err
	}
	chain, _ := json.Marshal(map[string][]string{"poa": {"company.jwt", "grant.jwt"}})

	f.check.out = &oid4vp.DelegationOutcome{Verified: true, Link: 1, Report: json.RawMessage(`{"verified":true}`)}
	r, err := respond(t, []string{string(chain)})
	if err != nil || !r.Verified || r.Delegation == nil || !r.Delegation.Verified {
		t.Fatalf("accepted: %v, %+v", err, r)
	}
	in := f.check.in[len(f.check.in)-1]
	if in.Holder != f.did || in.Credential != f.vc || !reflect.DeepEqual(in.Chain, []string{"company.jwt", "grant.jwt"}) ||
		in.Verifier != employerDID || in.Name != "rd" || !reflect.DeepEqual(in.Demand, *vatFiling()) || in.Identity != "" {
		t.Errorf("the checker got %+v", in)
	}
	if cs := r.Credentials["poa"][0].Checks; cs[len(cs)-1].Check != oid4vp.CheckDelegation || cs[len(cs)-1].Status != verifier.Passed {
		t.Errorf("checks %+v", cs)
	}

	f.check.out = &oid4vp.DelegationOutcome{Reason: "revoked", Part: "director", Link: 0, Message: "Director 2's authority was revoked.", MessageTH: "ถูกเพิกถอน"}
	r, err = respond(t, []string{string(chain)})
	if !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonDelegationRefused}) || r.Verified || r.Reason != oid4vp.ReasonDelegationRefused ||
		r.Message != "Director 2's authority was revoked." || r.MessageTH != "ถูกเพิกถอน" || r.Delegation.Reason != "revoked" {
		t.Errorf("refused: %v, %+v", err, r)
	}

	for name, c := range map[string][]string{
		"not JSON":       {"poa"},
		"twice":          {string(chain), string(chain)},
		"other query":    {`{"other":["x"]}`},
		"not strings":    {`{"poa":[1]}`},
		"not an array":   {`{"poa":"x"}`},
		"too many links": {`{"poa":["a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a"]}`},
	} {
		if _, err := respond(t, c); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonDelegationInvalid}) {
			t.Errorf("%s: %v", name, err)
		}
	}

	f.check.out, f.check.err = nil, errors.New("status list unreachable")
	if _, err := respond(t, nil); !errors.Is(err, &oid4vp.Error{Reason: oid4vp.ReasonDelegationUnavailable}) {
		t.Errorf("checker error: %v", err)
	}

	// A response without the DelegationCredential never reaches the checker.
	n := len(f.check.in)
	id, _, state, _ := f.open(t, vatFiling())
	if _, err := f.svc.Respond(ctx, id, url.Values{"vp_token": {`{}`}, "state": {state}}); err == nil {
		t.Error("an empty vp_token was accepted")
	}
	if len(f.check.in) != n {
		t.Error("the checker ran without a presentation")
	}
}

// TestDelegationMessages: every delegation reason has its own sentences.
func TestDelegationMessages(t *testing.T) {
	for _, r := range []string{oid4vp.ReasonDelegationInvalid, oid4vp.ReasonDelegationMissing, oid4vp.ReasonDelegationHolder,
		oid4vp.ReasonDelegationRefused, oid4vp.ReasonDelegationUnavailable} {
		en, th := verifier.Message(r)
		if th == "" || en == "Verification failed ("+r+")." {
			t.Errorf("%s has no sentences", r)
		}
	}
}

// FuzzParseDelegation: a demand parses to a valid value or fails with a
// nil result, and a parsed demand round-trips through JSON.
func FuzzParseDelegation(f *testing.F) {
	f.Add(`{"credential_id":"poa","action":"rd.vat.file","amount":{"value":"45000","currency":"THB"}}`)
	f.Add(`{"credential_id":"poa","identity_id":"citizen","acting_for":"0105562034122","action":"a"}`)
	f.Add(`{"credential_id":"poa","action":"a","amount":{"value":1.5,"currency":"THB"}}`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		d, err := oid4vp.ParseDelegation(v)
		if (d == nil) == (err == nil) {
			t.Fatalf("ParseDelegation = %+v, %v", d, err)
		}
		if d == nil {
			return
		}
		b, _ := json.Marshal(d)
		var back any
		_ = json.Unmarshal(b, &back)
		d2, err := oid4vp.ParseDelegation(back)
		if err != nil || !reflect.DeepEqual(d, d2) {
			t.Fatalf("round trip: %+v -> %s -> %+v, %v", d, b, d2, err)
		}
	})
}
