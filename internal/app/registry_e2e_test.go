package app_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// trqp is the answer of POST /trqp/authorization and /trqp/recognition.
type trqp struct {
	Authorized *bool                    `json:"authorized"`
	Recognized *bool                    `json:"recognized"`
	Reason     string                   `json:"reason"`
	Evidence   []registry.Accreditation `json:"evidence"`
}

func (s *testServer) trqp(t *testing.T, path string, q map[string]any) trqp {
	t.Helper()
	r := s.do(t, request{method: "POST", path: path, body: q}).want(t, http.StatusOK)
	var a trqp
	if err := json.Unmarshal(r.Body, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// trustCheck returns the issuer_trust check of a verification.
func (s *testServer) trustCheck(t *testing.T, vc any) (verified bool, c verifier.Check) {
	t.Helper()
	r := s.do(t, request{method: "POST", path: "/credentials/verify", body: map[string]any{"verifiableCredential": vc}}).want(t, http.StatusOK)
	var res verifier.Result
	if err := json.Unmarshal(r.Body, &res); err != nil {
		t.Fatal(err)
	}
	for _, c := range res.Checks {
		if c.Check == verifier.CheckIssuerTrust {
			return res.Verified, c
		}
	}
	t.Fatalf("no issuer_trust check: %s", r.Body)
	return false, verifier.Check{}
}

// TestRegistryEndToEnd drives the demo's trust registry over HTTP: TRQP
// answers, the verifier deciding issuer trust through the registry and
// naming the accreditation, an administrator suspending, reinstating and
// withdrawing the university's accreditation (and what that does to
// degrees issued before and after), the signed trust list, and a
// verifier built from that list alone.
func TestRegistryEndToEnd(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	uni, dopa, etda := s.DIDs["university"], s.DIDs["dopa"], s.DIDs["etda"]

	t.Run("TRQP authorization", func(t *testing.T) {
		for _, tc := range []struct {
			name, entity, authority, resource string
			want                              bool
			reason                            string
		}{
			{"university issues degrees", uni, "", "DegreeCredential", true, ""},
			{"university under the ministry", uni, "mhesi", "DegreeCredential", true, ""},
			{"university under ETDA", uni, etda, "TranscriptCredential", true, ""},
			{"university under DOPA", uni, "dopa", "DegreeCredential", false, registry.ReasonAuthorityNotInChain},
			{"dopa issues no degrees", dopa, "", "DegreeCredential", false, registry.ReasonTypeNotAccredited},
			{"dopa issues citizen IDs", dopa, "", "ThaiCitizenCredential", true, ""},
			{"dbd issues delegations", s.DIDs["dbd"], "", "DelegationCredential", true, ""},
			{"unknown issuer", "did:web:nowhere.example", "", "DegreeCredential", false, registry.ReasonUnknownEntity},
		} {
			t.Run(tc.name, func(t *testing.T) {
				q := map[string]any{"entity_id": tc.entity, "action": "issue", "resource": tc.resource}
				if tc.authority != "" {
					q["authority_id"] = tc.authority
				}
				a := s.trqp(t, "/trqp/authorization", q)
				if a.Authorized == nil || *a.Authorized != tc.want || a.Reason != tc.reason {
					t.Fatalf("authorized %v reason %q, want %v %q", a.Authorized, a.Reason, tc.want, tc.reason)
				}
				if tc.want && len(a.Evidence) == 0 {
					t.Error("a positive answer without evidence")
				}
			})
		}
		a := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "DegreeCredential"})
		if len(a.Evidence) != 2 || a.Evidence[0].Subject != "university" || a.Evidence[0].Accreditor != "mhesi" ||
			a.Evidence[1].Subject != "mhesi" || a.Evidence[1].Accreditor != "etda" || a.Evidence[0].Credential == "" {
			t.Errorf("evidence %+v, want university by mhesi, then mhesi by etda, with credentials", a.Evidence)
		}
		// The identity providers and their levels.
		for _, idp := range []struct{ id, ial, aal string }{{"thaid", "2.3", "2.2"}, {"bankidp", "1.3", "2.1"}} {
			r := s.do(t, request{method: "GET", path: "/registry/entities/" + idp.id}).want(t, 200)
			var e struct {
				Accreditations []registry.Accreditation `json:"accreditations"`
			}
			if err := json.Unmarshal(r.Body, &e); err != nil {
				t.Fatal(err)
			}
			if len(e.Accreditations) != 1 || e.Accreditations[0].Scope.MaxIAL.String() != idp.ial || e.Accreditations[0].Scope.MaxAAL.String() != idp.aal {
				t.Errorf("%s accreditations %+v", idp.id, e.Accreditations)
			}
		}
	})

	t.Run("TRQP recognition", func(t *testing.T) {
		if a := s.trqp(t, "/trqp/recognition", map[string]any{"entity_id": "mhesi", "resource": "DegreeCredential"}); a.Recognized == nil || !*a.Recognized {
			t.Errorf("mhesi not recognised: %+v", a)
		}
		if a := s.trqp(t, "/trqp/recognition", map[string]any{"entity_id": uni}); a.Recognized == nil || *a.Recognized || a.Reason != registry.ReasonNotRecognised {
			t.Errorf("the university recognised as an authority: %+v", a)
		}
	})

	// The scheme operator's key, resolvable over HTTP, is the anchor of
	// the signed list.
	var anchor any
	t.Run("trust lists and the operator's key", func(t *testing.T) {
		doc := s.do(t, request{method: "GET", path: "/1.0/identifiers/" + etda}).want(t, 200)
		parsed, err := did.ParseDocument(doc.Body)
		if err != nil {
			t.Fatal(err)
		}
		pub, err := parsed.VerificationMethod[0].PublicKey()
		if err != nil {
			t.Fatal(err)
		}
		fromDir, err := app.RootPublicKey(s.App.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		tp1, _ := signing.Thumbprint(pub)
		tp2, _ := signing.Thumbprint(fromDir)
		if tp1 == "" || tp1 != tp2 {
			t.Fatal("the DID document's key is not the data directory's root key")
		}
		anchor = pub
		r := s.do(t, request{method: "GET", path: "/registry/trustlist.jwt"}).want(t, 200)
		if ct := r.Header.Get("Content-Type"); ct != registry.MediaTypeTrustList {
			t.Errorf("Content-Type %q", ct)
		}
		tl, err := registry.LoadTrustList(r.Body, pub, time.Now(), registry.ListPolicy{})
		if err != nil {
			t.Fatal(err)
		}
		if tl.Info.SchemeOperatorID != "etda" || len(tl.Document().Entities) != 7 {
			t.Errorf("list of %s with %d entities", tl.Info.SchemeOperatorID, len(tl.Document().Entities))
		}
		x := s.do(t, request{method: "GET", path: "/registry/trustlist.xml"}).want(t, 200)
		if !strings.Contains(string(x.Body), "TrustServiceStatusList") {
			t.Errorf("not a 119 612 list: %.200s", x.Body)
		}
	})

	cat := s.catalogue(t)
	degree := s.issue(t, "university", example(t, cat, "DegreeCredential"))
	citizen := s.issue(t, "dopa", example(t, cat, "ThaiCitizenCredential"))

	t.Run("the verifier names the deciding accreditation", func(t *testing.T) {
		s.wantVerified(t, degree.VC)
		s.wantVerified(t, citizen.VC)
		_, c := s.trustCheck(t, degree.VC)
		for _, want := range []string{"registry: accreditation urn:uuid:", "of university by mhesi for DegreeCredential", "active at", "(mhesi by etda)"} {
			if !strings.Contains(c.Detail, want) {
				t.Errorf("issuer_trust detail %q lacks %q", c.Detail, want)
			}
		}
	})

	// A credential of an issuer the registry does not know: a did:key.
	stranger := strangerDegree(t, cat)
	t.Run("an issuer not in the registry", func(t *testing.T) {
		ok, c := s.trustCheck(t, stranger)
		if ok || c.Status != verifier.Failed || c.Reason != registry.ReasonUnknownIssuer || c.MessageTH == "" || strings.Contains(c.Message, "Verification failed (") {
			t.Errorf("stranger: verified %v, check %+v", ok, c)
		}
	})

	t.Run("a verifier with only the trust list", func(t *testing.T) {
		if anchor == nil {
			t.Skip("needs the anchor of 'trust lists and the operator's key'")
		}
		list := s.do(t, request{method: "GET", path: "/registry/trustlist.jwt"}).want(t, 200).Body
		offline, _, err := app.NewTrustListVerifier(app.TrustListOptions{List: list, Anchor: anchor, UnsafeOffline: true})
		if err != nil {
			t.Fatal(err)
		}
		tok := strings.TrimPrefix(degree.VC["id"].(string), "data:application/vc+jwt,")
		res := offline.VerifyCredential(ctx, jose.MediaTypeCredential, tok)
		if !res.Verified {
			t.Fatalf("offline: not verified: %+v", res.Checks)
		}
		if st := checkOf(res, verifier.CheckStatus); st.Status != verifier.Skipped || st.Reason != "status_not_checked" || len(res.Warnings) == 0 {
			t.Errorf("offline status check %+v, warnings %+v", st, res.Warnings)
		}
		if d := checkOf(res, verifier.CheckIssuerTrust).Detail; !strings.HasPrefix(d, "trust list etda #") || !strings.Contains(d, "of university by mhesi") {
			t.Errorf("offline issuer_trust detail %q", d)
		}
		res = offline.VerifyCredential(ctx, jose.MediaTypeCredential, stranger)
		if res.Verified || checkOf(res, verifier.CheckIssuerTrust).Reason != registry.ReasonUnknownIssuer {
			t.Errorf("offline: stranger %+v", res.Checks)
		}
		// Online (status lists fetched from the server), all six pass.
		online, _, err := app.NewTrustListVerifier(app.TrustListOptions{List: list, Anchor: anchor, HTTPLoopback: true})
		if err != nil {
			t.Fatal(err)
		}
		if res := online.VerifyCredential(ctx, jose.MediaTypeCredential, tok); !res.Verified || checkOf(res, verifier.CheckStatus).Status != verifier.Passed {
			t.Errorf("with status lists: %+v", res.Checks)
		}
		// The list must verify with the anchor, and be fresh.
		other, _ := signing.GenerateKey(signing.EdDSA)
		if _, _, err := app.NewTrustListVerifier(app.TrustListOptions{List: list, Anchor: other.Public()}); !errors.Is(err, registry.ErrBadSignature) {
			t.Errorf("another anchor: %v", err)
		}
		tampered := []byte(strings.Replace(string(list), ".", ".e", 1))
		if _, _, err := app.NewTrustListVerifier(app.TrustListOptions{List: tampered, Anchor: anchor}); err == nil {
			t.Error("a tampered list loaded")
		}
		later := func() time.Time { return time.Now().Add(48 * time.Hour) }
		if _, _, err := app.NewTrustListVerifier(app.TrustListOptions{List: list, Anchor: anchor, Now: later}); !errors.Is(err, registry.ErrStale) {
			t.Errorf("a stale list: %v", err)
		}
		if _, _, err := app.NewTrustListVerifier(app.TrustListOptions{List: list, Anchor: anchor, Now: later, AllowStale: true, UnsafeOffline: true}); err != nil {
			t.Errorf("a stale list with AllowStale: %v", err)
		}
	})

	t.Run("administration needs a registry administrator", func(t *testing.T) {
		body := map[string]any{"id": "ttu", "kinds": []string{"issuer"}, "jurisdiction": "TH", "name": map[string]any{"en": "Than Thong University"},
			"identifiers": []any{map[string]any{"type": "did", "value": "did:web:ttu.thaitrust.example"}}, "reason": "application received"}
		s.do(t, request{method: "POST", path: "/registry/admin/entities", body: body}).problem(t, 401, "")
		s.do(t, request{method: "POST", path: "/registry/admin/entities", token: dopaToken, body: body}).problem(t, 403, "")
		s.do(t, request{method: "POST", path: "/registry/admin/entities", token: demoToken, body: body}).want(t, 201)
	})

	// The university's accreditation, and the degree issued before any
	// change to it.
	accID := ""
	if a := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "DegreeCredential"}); len(a.Evidence) > 0 {
		accID = a.Evidence[0].ID
	}
	setStatus := func(t *testing.T, body map[string]any) registry.Accreditation {
		t.Helper()
		r := s.do(t, request{method: "POST", path: "/registry/admin/accreditations/" + url.PathEscape(accID) + "/status", token: demoToken, body: body}).want(t, 200)
		var out struct {
			Accreditation registry.Accreditation `json:"accreditation"`
		}
		if err := json.Unmarshal(r.Body, &out); err != nil {
			t.Fatal(err)
		}
		return out.Accreditation
	}
	// issueAfter issues a degree valid from the second after t0 (the
	// registry judges a credential at its validFrom, which the issuer
	// truncates to seconds).
	issueAfter := func(t *testing.T, t0 time.Time) issued {
		c := example(t, cat, "DegreeCredential")
		c["validFrom"] = t0.Truncate(time.Second).Add(time.Second).UTC().Format(time.RFC3339)
		return s.issue(t, "university", c)
	}

	t.Run("suspension: degrees issued before stay valid, new ones fail", func(t *testing.T) {
		a := setStatus(t, map[string]any{"action": "suspend", "reason": "quality audit pending"})
		if a.Status != registry.StatusSuspended {
			t.Fatalf("status %s", a.Status)
		}
		suspendedAt := a.History[len(a.History)-1].EffectiveFrom
		s.wantVerified(t, degree.VC) // issued while accredited
		after := issueAfter(t, suspendedAt)
		s.wantNotVerified(t, after.VC, registry.ReasonAccreditationSuspended)
		_, c := s.trustCheck(t, after.VC)
		if !strings.Contains(c.Detail, accID) || !strings.Contains(c.Detail, "accreditation_suspended") || c.MessageTH == "" {
			t.Errorf("issuer_trust %+v does not name the suspended accreditation", c)
		}
		// TRQP at a time: before the suspension yes, after no.
		before := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "DegreeCredential",
			"context": map[string]any{"time": degree.Credential.ValidFrom.Format(time.RFC3339)}})
		now := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "DegreeCredential"})
		if !*before.Authorized || *now.Authorized || now.Reason != registry.ReasonAccreditationSuspended {
			t.Errorf("before %+v, now %+v", before, now)
		}

		// Reinstated (from a second after that degree's validFrom): new
		// degrees verify, the one issued while suspended stays untrusted,
		// as the registry answers for the time a credential was issued.
		a = setStatus(t, map[string]any{"action": "reinstate", "reason": "audit passed",
			"effective_from": after.Credential.ValidFrom.Add(time.Second).Format(time.RFC3339)})
		s.wantVerified(t, issueAfter(t, a.History[len(a.History)-1].EffectiveFrom).VC)
		s.wantNotVerified(t, after.VC, registry.ReasonAccreditationSuspended)
	})

	t.Run("withdrawal for cause reaches back", func(t *testing.T) {
		s.wantVerified(t, degree.VC)
		setStatus(t, map[string]any{"action": "withdraw", "reason": "degrees sold",
			"effective_from": degree.Credential.ValidFrom.Add(-time.Hour).Format(time.RFC3339)})
		s.wantNotVerified(t, degree.VC, registry.ReasonAccreditationWithdrawn)
		s.wantVerified(t, citizen.VC) // DOPA is not affected
		// Final: no reinstatement.
		s.do(t, request{method: "POST", path: "/registry/admin/accreditations/" + url.PathEscape(accID) + "/status", token: demoToken,
			body: map[string]any{"action": "reinstate", "reason": "appeal"}}).problem(t, 409, "")
	})

	t.Run("history", func(t *testing.T) {
		r := s.do(t, request{method: "GET", path: "/registry/entities/university/history"}).want(t, 200)
		var h struct {
			Events []registry.Event `json:"events"`
		}
		if err := json.Unmarshal(r.Body, &h); err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, ev := range h.Events {
			actions = append(actions, ev.Actor+" "+ev.Action+" "+ev.Reason)
		}
		want := []string{
			"demo-init entity.register demo scheme",
			"demo-init accreditation.grant demo scheme: quality assurance passed",
			"demo accreditation.status quality audit pending",
			"demo accreditation.status audit passed",
			"demo accreditation.status degrees sold",
		}
		if strings.Join(actions, "\n") != strings.Join(want, "\n") {
			t.Errorf("history:\n%s\nwant:\n%s", strings.Join(actions, "\n"), strings.Join(want, "\n"))
		}
	})
}

// strangerDegree returns a degree (vc+jwt) signed by a did:key issuer
// that no registry knows.
func strangerDegree(t *testing.T, cat []catalogueEntry) string {
	t.Helper()
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	id, err := did.KeyDID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	c := example(t, cat, "DegreeCredential")
	c["issuer"] = id
	c["validFrom"] = time.Now().UTC().Format(time.RFC3339)
	tok, err := jose.SecureCredential(c, jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: id + "#" + strings.TrimPrefix(id, "did:key:")})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func checkOf(r *verifier.Result, name string) verifier.Check {
	for _, c := range r.Checks {
		if c.Check == name {
			return c
		}
	}
	return verifier.Check{}
}

// TestRegistryImportsForeignList: an administrator imports another
// scheme's signed trust list from a source configured with its pinned key
// and recognised types; the registry then recognises that scheme's
// operator and authorizes its universities for the types recognised only,
// at the times its own list shows them accredited.
func TestRegistryImportsForeignList(t *testing.T) {
	ctx := context.Background()
	foreign := registrytest.NewSchemeIn(t, nil, "foreign.test")
	list, err := foreign.Service.Export(ctx, foreign.Members["etda"].Signer, registry.ExportOptions{
		NextUpdate: time.Now().Add(24 * time.Hour), Keys: foreign.Resolver})
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signing.PublicJWK(foreign.Key("etda"))
	if err != nil {
		t.Fatal(err)
	}
	s := startServerWith(t, func(cfg *app.Config) {
		cfg.Registry.Sources = []app.SourceConfig{{ID: "sg", Key: pub, Types: []string{"DegreeCredential"}}}
	})
	path := "/registry/admin/import?source=sg&types=DegreeCredential"
	hdr := map[string]string{"Content-Type": registry.MediaTypeTrustList}
	s.do(t, request{method: "POST", path: path, body: list, header: hdr}).problem(t, 401, "")
	s.do(t, request{method: "POST", path: "/registry/admin/import?source=elsewhere&types=DegreeCredential", token: demoToken, body: list, header: hdr}).problem(t, 400, "source_unknown")
	res := s.do(t, request{method: "POST", path: path, token: demoToken, body: list, header: hdr}).want(t, 200).JSON(t)
	if res["source"] != "sg" || res["entities"].(float64) < 2 {
		t.Fatalf("import %v", res)
	}
	// A replay of the same list is refused.
	s.do(t, request{method: "POST", path: path, token: demoToken, body: list, header: hdr}).problem(t, 409, "")

	in2025 := map[string]any{"time": "2025-06-01T00:00:00Z"}
	uni := foreign.Members["university"].DID
	if a := s.trqp(t, "/trqp/recognition", map[string]any{"entity_id": "sg", "resource": "DegreeCredential", "context": in2025}); !*a.Recognized {
		t.Errorf("sg not recognised: %+v", a)
	}
	if a := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "DegreeCredential", "context": in2025}); !*a.Authorized {
		t.Errorf("the foreign university: %+v", a)
	}
	// Transcripts were not recognised; the foreign list's accreditations
	// ended with 2025.
	if a := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "TranscriptCredential", "context": in2025}); *a.Authorized {
		t.Errorf("transcripts of the foreign university authorized: %+v", a)
	}
	if a := s.trqp(t, "/trqp/authorization", map[string]any{"entity_id": uni, "resource": "DegreeCredential"}); *a.Authorized || a.Reason != registry.ReasonAccreditationExpired {
		t.Errorf("the foreign university now: %+v", a)
	}
	// Foreign entities are not republished in this registry's list.
	r := s.do(t, request{method: "GET", path: "/registry/trustlist.jwt"}).want(t, 200)
	_, doc, err := registry.ParseTrustList(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	for _, le := range doc.Entities {
		if le.Entity.Foreign != nil {
			t.Errorf("foreign entity %s in the list", le.Entity.ID)
		}
	}
}
