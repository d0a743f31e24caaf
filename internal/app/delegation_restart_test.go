package app_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/internal/app"
)

// TestDelegationDraftSurvivesRestart: a draft with one approval survives
// closing the app and opening it again on the same data directory (the
// embedded store); the remaining signers approve it after the restart and
// it is issued and verified.
func TestDelegationDraftSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := "http://" + ln.Addr().String()
	if _, err := app.InitDemo(dir, pub, demoToken); err != nil {
		t.Fatal(err)
	}
	s, stop := serveDir(t, dir, ln)
	dc, keys := demoHolders(t, s)

	grant := delegation.ScenarioGrant(dc.DIDs["accountant"], time.Now())
	grant.Company, grant.Directors = dc.Chain.Company, []string{dc.Authorities[0], dc.Authorities[1]}
	draft := s.do(t, request{method: http.MethodPost, path: "/delegations/drafts", token: demoToken, body: grant}).want(t, http.StatusCreated).JSON(t)
	id, digest := draft["id"].(string), draft["digest"].(string)
	approve := func(s *testServer, role, holder string) map[string]any {
		t.Helper()
		jws, err := delegation.Approve(id, digest, role, keys[holder])
		if err != nil {
			t.Fatal(err)
		}
		return s.do(t, request{method: http.MethodPost, path: "/delegations/drafts/" + id + "/approvals",
			body: map[string]any{"role": role, "jws": jws}}).want(t, http.StatusOK).JSON(t)
	}
	approve(s, delegation.RoleDirector, "director-1")

	// Restart: close the server and the app, open the data directory
	// anew at the same address (the DIDs and status list URLs name it).
	stop()
	if ln, err = net.Listen("tcp", ln.Addr().String()); err != nil {
		t.Fatal(err)
	}
	s2, stop2 := serveDir(t, dir, ln)
	defer stop2()

	got := s2.do(t, request{method: http.MethodGet, path: "/delegations/drafts/" + id}).want(t, http.StatusOK).JSON(t)
	if got["state"] != delegation.StateOpen || got["digest"] != digest || got["missing"] != float64(2) {
		t.Fatalf("draft after the restart: %v", got)
	}
	approved := map[string]bool{}
	for _, sg := range got["signers"].([]any) {
		v := sg.(map[string]any)
		approved[v["key"].(string)] = v["approved"].(bool)
	}
	if len(approved) != 3 || !approved[dc.DIDs["director-1"]] || approved[dc.DIDs["director-2"]] || approved[dc.DIDs["seal"]] {
		t.Fatalf("approvals after the restart: %v", approved)
	}

	approve(s2, delegation.RoleDirector, "director-2")
	if st := approve(s2, delegation.RoleSeal, "seal"); st["ready"] != true {
		t.Fatalf("not ready: %v", st)
	}
	issued := s2.do(t, request{method: http.MethodPost, path: "/delegations/drafts/" + id + "/issue", token: demoToken}).want(t, http.StatusOK).JSON(t)
	tok, _ := issued["credential"].(string)
	rd := delegation.ScenarioRelyingParty
	vp := presentChain(t, keys["accountant"], dc.DIDs["accountant"], "nonce-restart", rd, dc.Chain.Company, tok)
	r := s2.do(t, request{method: http.MethodPost, path: "/delegations/verify", body: map[string]any{
		"presentation": vp, "nonce": "nonce-restart", "audience": rd,
		"request": map[string]any{"action": dc.Action, "relyingParty": rd, "actingFor": dc.JuristicID,
			"amount": map[string]any{"amount": 45000, "currency": "THB"}},
	}}).want(t, http.StatusOK).JSON(t)
	if r["verified"] != true {
		t.Fatalf("the delegation issued after the restart is refused: %v", r["failure"])
	}
}

// serveDir opens the app on the demo data directory dir and serves it on
// ln; stop (idempotent, also run at cleanup) closes both and checks the
// logs hold no secrets.
func serveDir(t *testing.T, dir string, ln net.Listener) (*testServer, func()) {
	t.Helper()
	pub := "http://" + ln.Addr().String()
	logs := &syncBuffer{}
	a, err := app.Open(context.Background(), app.Options{DataDir: dir, PublicURL: pub, Demo: true, DemoToken: demoToken,
		Log: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			if err := a.Close(); err != nil {
				t.Errorf("closing the app: %v", err)
			}
			out := logs.String()
			for _, secret := range []string{demoToken, `"d":`, `\"d\":`} {
				if strings.Contains(out, secret) {
					t.Errorf("logs contain %q", secret)
				}
			}
			if t.Failed() {
				t.Logf("server logs:\n%s", out)
			}
		})
	}
	t.Cleanup(stop)
	return &testServer{URL: srv.URL, App: a, DIDs: map[string]string{}, logs: logs}, stop
}
