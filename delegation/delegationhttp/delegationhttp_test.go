package delegationhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/delegation/delegationhttp"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

type viIssuer struct{ vi *issuertest.VirtualIssuer }

func (i viIssuer) DID() string { return i.vi.DID }
func (i viIssuer) Issue(ctx context.Context, doc map[string]any) (string, error) {
	is, err := i.vi.Service.Issue(ctx, issuer.Request{Credential: doc})
	if err != nil {
		return "", err
	}
	return is.Token, nil
}

func holder(t *testing.T) string {
	k, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	s, err := delegation.HolderSigner(k)
	if err != nil {
		t.Fatal(err)
	}
	id, _, _ := strings.Cut(s.KeyID, "#")
	return id
}

// TestHandler pins down the HTTP contract around the domain calls:
// authentication and scope, input errors, and the mapping of workflow
// errors to problems. The whole flow runs in internal/app's
// TestDelegationScenario.
func TestHandler(t *testing.T) {
	dbd := issuertest.NewVirtualIssuer(t, "dbd", signing.EdDSA)
	v, err := delegation.NewVerifier(delegation.Config{
		Algorithms: issuertest.Algorithms, Keys: issuertest.Resolver(dbd), Trust: issuertest.Trust(dbd),
		Status: issuertest.StatusChecker(dbd.Clock, dbd), Now: dbd.Clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := delegation.New(delegation.ServiceConfig{Verifier: v, Issuer: viIssuer{dbd}, Store: delegation.NewMemoryStore(), Now: dbd.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	(&delegationhttp.Handler{Service: svc, Verifier: v, Scope: "dbd", Clients: []httpx.Client{
		{ID: "dbd", TokenHash: httpx.TokenHash("dbd-token-0123456789"), Scopes: []string{"dbd"}},
		{ID: "dopa", TokenHash: httpx.TokenHash("dopa-token-0123456789"), Scopes: []string{"dopa"}},
	}}).Register(e)
	srv := httptest.NewServer(e)
	defer srv.Close()

	call := func(method, path, token, body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}

	now := dbd.Clock.Now()
	company, _ := dbd.Issue(t, delegation.ScenarioCompany(holder(t), now))
	var dirs []string
	for i := range 2 {
		tok, _ := dbd.Issue(t, delegation.ScenarioDirector(i, holder(t), now))
		dirs = append(dirs, tok)
	}
	req := delegation.ScenarioGrant(holder(t), now)
	req.Company, req.Directors = company, dirs
	body, _ := json.Marshal(req)

	if code, _ := call("POST", "/delegations/drafts", "", string(body)); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	if code, _ := call("POST", "/delegations/drafts", "dopa-token-0123456789", string(body)); code != http.StatusForbidden {
		t.Errorf("another issuer's token: %d", code)
	}
	if code, m := call("POST", "/delegations/drafts", "dbd-token-0123456789", `{"delegation": {}, "bogus": 1}`); code != http.StatusBadRequest || m["reason"] != "invalid_json" {
		t.Errorf("unknown member: %d %v", code, m)
	}
	if code, m := call("POST", "/delegations/drafts", "dbd-token-0123456789", `{"delegation": {"grantor": {"type": "Robot"}}, "validUntil": "2030-01-01T00:00:00Z"}`); code != http.StatusBadRequest || m["reason"] != "invalid_draft" {
		t.Errorf("invalid draft: %d %v", code, m)
	}
	code, d := call("POST", "/delegations/drafts", "dbd-token-0123456789", string(body))
	if code != http.StatusCreated || d["ready"] != false || len(d["signers"].([]any)) != 3 {
		t.Fatalf("draft: %d %v", code, d)
	}
	id := d["id"].(string)
	if code, _ := call("GET", "/delegations/drafts/"+id, "", ""); code != http.StatusOK {
		t.Errorf("get: %d", code)
	}
	if code, _ := call("GET", "/delegations/drafts/urn:uuid:00000000-0000-4000-8000-000000000000", "", ""); code != http.StatusNotFound {
		t.Errorf("unknown draft: %d", code)
	}
	if code, m := call("POST", "/delegations/drafts/"+id+"/approvals", "", `{"role": "director", "jws": "a.b.c"}`); code != http.StatusBadRequest || m["reason"] != "approval_rejected" {
		t.Errorf("bad approval: %d %v", code, m)
	}
	if code, _ := call("POST", "/delegations/drafts/"+id+"/issue", "dopa-token-0123456789", ""); code != http.StatusForbidden {
		t.Errorf("issue with another issuer's token: %d", code)
	}
	if code, m := call("POST", "/delegations/drafts/"+id+"/issue", "dbd-token-0123456789", ""); code != http.StatusConflict || m["reason"] != "signing_rule_not_met" {
		t.Errorf("issue incomplete: %d %v", code, m)
	}
	if code, m := call("POST", "/delegations/verify", "", `{"chain": {"links": []}, "presentation": "x", "request": {}}`); code != http.StatusBadRequest {
		t.Errorf("chain and presentation: %d %v", code, m)
	}
	code, r := call("POST", "/delegations/verify", "", `{"chain": {"links": []}, "request": {"action": "rd.vat.file", "relyingParty": "did:web:rd.example"}}`)
	if code != http.StatusOK || r["verified"] != false || r["failure"].(map[string]any)["reason"] != delegation.ReasonChainEmpty {
		t.Errorf("empty chain: %d %v", code, r)
	}
}
