package app_test

import (
	"context"
	"crypto"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// The six checks every credential verification reports, in order.
var allChecks = []string{"format", "signature", "validity", "schema", "status", "issuer_trust"}

// issued is a credential issued in a test, with what its response said.
type issued struct {
	Type, Issuer string
	ID           string         // credentialId of the response
	VC           map[string]any // the EnvelopedVerifiableCredential
	Credential   *credential.Credential
}

// issue posts an unsigned credential to an issuer and checks the VC API
// response: 201, an EnvelopedVerifiableCredential whose id is a
// data:application/vc+jwt URL, a Location, and a signed credential that
// names this issuer and carries a revocation and a suspension entry.
func (s *testServer) issue(t *testing.T, issuerName string, cred map[string]any) issued {
	t.Helper()
	r := s.do(t, request{method: "POST", path: "/issuers/" + issuerName + "/credentials/issue", token: demoToken,
		body: map[string]any{"credential": cred}}).want(t, http.StatusCreated)
	body := r.JSON(t)
	vc, ok := body["verifiableCredential"].(map[string]any)
	if !ok {
		t.Fatalf("no verifiableCredential object: %s", r.Body)
	}
	if vc["type"] != credential.TypeEnvelopedCredential {
		t.Fatalf("verifiableCredential type %v, want %s", vc["type"], credential.TypeEnvelopedCredential)
	}
	dataURL, _ := vc["id"].(string)
	if !strings.HasPrefix(dataURL, "data:application/vc+jwt,") {
		t.Fatalf("verifiableCredential id %.60q..., want a data:application/vc+jwt URL", dataURL)
	}
	env, err := credential.ParseDataURL(dataURL)
	if err != nil {
		t.Fatal(err)
	}
	sec, err := jose.ParseCredential(env.Data)
	if err != nil {
		t.Fatalf("issued credential does not parse: %v", err)
	}
	c := sec.Credential
	id, _ := body["credentialId"].(string)
	if id == "" || id != c.ID {
		t.Fatalf("credentialId %q, credential id %q", id, c.ID)
	}
	if loc := r.Header.Get("Location"); loc != "/issuers/"+issuerName+"/credentials/"+url.PathEscape(id) {
		t.Errorf("Location %q", loc)
	}
	if c.Issuer.ID != s.DIDs[issuerName] {
		t.Errorf("issuer %q, want %q", c.Issuer.ID, s.DIDs[issuerName])
	}
	var purposes []string
	for _, e := range c.Status {
		purposes = append(purposes, e.Purpose)
	}
	if !slices.Equal(purposes, []string{status.PurposeRevocation, status.PurposeSuspension}) {
		t.Errorf("status purposes %v", purposes)
	}
	return issued{Type: c.PrimaryType(), Issuer: issuerName, ID: id, VC: vc, Credential: c}
}

// verification is the VC API verification response.
type verification struct {
	Verified bool `json:"verified"`
	Checks   []struct {
		Check  string `json:"check"`
		Status string `json:"status"`
		Reason string `json:"reason"`
	} `json:"checks"`
	Warnings []struct {
		Reason string `json:"reason"`
	} `json:"warnings"`
	Errors []struct {
		Check  string `json:"check"`
		Reason string `json:"reason"`
	} `json:"errors"`
}

func (v verification) firstReason() string {
	if len(v.Errors) == 0 {
		return ""
	}
	return v.Errors[0].Reason
}

func (s *testServer) verify(t *testing.T, vc any) verification {
	t.Helper()
	r := s.do(t, request{method: "POST", path: "/credentials/verify", body: map[string]any{"verifiableCredential": vc}}).want(t, http.StatusOK)
	var v verification
	if err := json.Unmarshal(r.Body, &v); err != nil {
		t.Fatal(err)
	}
	if v.Checks == nil || v.Errors == nil || v.Warnings == nil {
		t.Errorf("checks, warnings and errors must be arrays: %s", r.Body)
	}
	return v
}

// wantVerified checks that all six checks passed.
func (s *testServer) wantVerified(t *testing.T, vc any) {
	t.Helper()
	v := s.verify(t, vc)
	var got []string
	for _, c := range v.Checks {
		if c.Status != "passed" {
			t.Errorf("check %s: %s (%s)", c.Check, c.Status, c.Reason)
		}
		got = append(got, c.Check)
	}
	if !v.Verified || len(v.Errors) != 0 {
		t.Fatalf("not verified: %+v", v)
	}
	if !slices.Equal(got, allChecks) {
		t.Errorf("checks %v, want %v", got, allChecks)
	}
}

// wantNotVerified checks that verification fails with reason first.
func (s *testServer) wantNotVerified(t *testing.T, vc any, reason string) {
	t.Helper()
	v := s.verify(t, vc)
	if v.Verified {
		t.Fatalf("verified; want failure %q", reason)
	}
	if v.firstReason() != reason {
		t.Fatalf("errors %+v; want first reason %q", v.Errors, reason)
	}
}

type catalogueEntry struct {
	Name     string          `json:"name"`
	SchemaID string          `json:"schemaId"`
	Schema   json.RawMessage `json:"schema"`
	Example  json.RawMessage `json:"example"`
}

type issuerEntry struct {
	Name  string   `json:"name"`
	DID   string   `json:"did"`
	Types []string `json:"types"`
}

func (s *testServer) catalogue(t *testing.T) []catalogueEntry {
	t.Helper()
	r := s.do(t, request{method: "GET", path: "/schemas"}).want(t, http.StatusOK)
	var out []catalogueEntry
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func (s *testServer) issuers(t *testing.T) []issuerEntry {
	t.Helper()
	r := s.do(t, request{method: "GET", path: "/issuers"}).want(t, http.StatusOK)
	var out []issuerEntry
	if err := json.Unmarshal(r.Body, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// example returns a fresh copy of a type's example from GET /schemas.
func example(t *testing.T, cat []catalogueEntry, name string) map[string]any {
	t.Helper()
	for _, e := range cat {
		if e.Name == name {
			var m map[string]any
			if err := json.Unmarshal(e.Example, &m); err != nil {
				t.Fatal(err)
			}
			return m
		}
	}
	t.Fatalf("no type %s in GET /schemas", name)
	return nil
}

// TestEndToEnd drives the demo server through HTTP as an agency's back
// office and a relying party would: issue every catalogue type from its
// published example, verify, revoke, suspend and reinstate, and the
// failure paths (authentication, scopes, invalid input, unknown names).
func TestEndToEnd(t *testing.T) {
	s := startServer(t)

	t.Run("healthz", func(t *testing.T) {
		body := s.do(t, request{method: "GET", path: "/healthz"}).want(t, http.StatusOK).JSON(t)
		if body["status"] != "ok" || body["store"] != "ok" {
			t.Errorf("healthz %v", body)
		}
	})

	t.Run("home", func(t *testing.T) {
		r := s.do(t, request{method: "GET", path: "/"}).want(t, http.StatusOK)
		if !strings.Contains(string(r.Body), s.DIDs["university"]) {
			t.Error("home page does not list the university's DID")
		}
	})

	// Every type in the catalogue, its example issued as is by the one
	// issuer that issues it, then verified.
	cat := s.catalogue(t)
	byType := map[string]issued{}
	t.Run("every catalogue example issues and verifies", func(t *testing.T) {
		issuers := s.issuers(t)
		if len(cat) == 0 {
			t.Fatal("GET /schemas is empty")
		}
		for _, e := range cat {
			t.Run(e.Name, func(t *testing.T) {
				if e.SchemaID == "" || len(e.Schema) == 0 || len(e.Example) == 0 {
					t.Fatalf("entry lacks schemaId, schema or example")
				}
				var by []string
				for _, is := range issuers {
					if slices.Contains(is.Types, e.Name) {
						by = append(by, is.Name)
					}
				}
				if len(by) != 1 {
					t.Fatalf("issued by %v; want exactly one demo issuer", by)
				}
				var cred map[string]any
				if err := json.Unmarshal(e.Example, &cred); err != nil {
					t.Fatal(err)
				}
				got := s.issue(t, by[0], cred)
				if got.Type != e.Name {
					t.Errorf("primary type %s", got.Type)
				}
				if len(got.Credential.Schemas) != 1 || got.Credential.Schemas[0].ID != e.SchemaID {
					t.Errorf("credentialSchema %+v, want %s", got.Credential.Schemas, e.SchemaID)
				}
				s.wantVerified(t, got.VC)
				// The other accepted input forms: a data: URL, a bare JWS.
				dataURL := got.VC["id"].(string)
				s.wantVerified(t, dataURL)
				s.wantVerified(t, strings.TrimPrefix(dataURL, "data:application/vc+jwt,"))
				byType[e.Name] = got
			})
		}
	})
	if t.Failed() {
		t.FailNow()
	}
	degree, transcript, citizen := byType["DegreeCredential"], byType["TranscriptCredential"], byType["ThaiCitizenCredential"]
	// The subtests below use these credentials; run alone (-run
	// TestEndToEnd/revoke) they skip unless the catalogue subtest ran too.
	needIssued := func(t *testing.T) {
		t.Helper()
		if degree.ID == "" || transcript.ID == "" || citizen.ID == "" {
			t.Skip("needs the credentials of the subtest 'every catalogue example issues and verifies'")
		}
	}

	t.Run("record", func(t *testing.T) {
		needIssued(t)
		r := s.do(t, request{method: "GET", path: "/issuers/university/credentials/" + url.PathEscape(degree.ID), token: demoToken}).want(t, http.StatusOK)
		rec := r.JSON(t)
		if rec["id"] != degree.ID || rec["type"] != "DegreeCredential" || rec["revoked"] != false || rec["suspended"] != false {
			t.Errorf("record %s", r.Body)
		}
		if _, has := rec["credential"]; has {
			t.Error("record shows the credential")
		}
		s.do(t, request{method: "GET", path: "/issuers/university/credentials/urn:uuid:00000000-0000-7000-8000-000000000000", token: demoToken}).problem(t, 404, "not_found")
		s.do(t, request{method: "GET", path: "/issuers/dopa/credentials/" + url.PathEscape(degree.ID), token: demoToken}).problem(t, 404, "not_found")
	})

	t.Run("records page newest first", func(t *testing.T) {
		needIssued(t)
		var ids []string
		before := ""
		for range 10 {
			r := s.do(t, request{method: "GET", path: "/issuers/university/credentials?limit=1&before=" + url.QueryEscape(before), token: demoToken}).want(t, http.StatusOK)
			var page struct {
				Records []struct {
					ID          string `json:"id"`
					StatusList  string `json:"statusList"`
					StatusIndex uint64 `json:"statusIndex"`
				} `json:"records"`
			}
			if err := json.Unmarshal(r.Body, &page); err != nil {
				t.Fatal(err)
			}
			if len(page.Records) == 0 {
				break
			}
			if len(page.Records) != 1 {
				t.Fatalf("limit=1 gave %d records", len(page.Records))
			}
			ids = append(ids, page.Records[0].ID)
			before = page.Records[0].ID
		}
		if want := []string{transcript.ID, degree.ID}; !slices.Equal(ids, want) && !slices.Equal(ids, []string{degree.ID, transcript.ID}) {
			t.Errorf("records %v, want %v", ids, want)
		}
		s.do(t, request{method: "GET", path: "/issuers/university/credentials?limit=abc", token: demoToken}).problem(t, 400, "limit_invalid")
		s.do(t, request{method: "GET", path: "/issuers/university/credentials?limit=0", token: demoToken}).problem(t, 400, "limit_invalid")
	})

	t.Run("revoke", func(t *testing.T) {
		needIssued(t)
		path := "/issuers/university/credentials/status"
		body := s.do(t, request{method: "POST", path: path, token: demoToken,
			body: map[string]any{"credentialId": degree.ID, "action": "revoke"}}).want(t, http.StatusOK).JSON(t)
		if body["revoked"] != true || body["credentialId"] != degree.ID {
			t.Errorf("revoke answered %v", body)
		}
		s.wantNotVerified(t, degree.VC, "revoked")
		// Revoking again is not an error; reinstating is refused.
		s.do(t, request{method: "POST", path: path, token: demoToken,
			body: map[string]any{"credentialId": degree.ID, "action": "revoke"}}).want(t, http.StatusOK)
		s.do(t, request{method: "POST", path: path, token: demoToken,
			body: map[string]any{"credentialId": degree.ID, "action": "suspend"}}).problem(t, 409, "revoked")
		s.do(t, request{method: "POST", path: path, token: demoToken,
			body: map[string]any{"credentialId": degree.ID, "credentialStatus": []any{
				map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "revocation", "status": false}}}}).problem(t, 400, "revocation_permanent")
		s.wantNotVerified(t, degree.VC, "revoked")
	})

	t.Run("suspend and reinstate (VC API form)", func(t *testing.T) {
		needIssued(t)
		set := func(v bool) map[string]any {
			return map[string]any{"credentialId": transcript.ID, "credentialStatus": []any{
				map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": v}}}
		}
		path := "/issuers/university/credentials/status"
		body := s.do(t, request{method: "POST", path: path, token: demoToken, body: set(true)}).want(t, http.StatusOK).JSON(t)
		if body["suspended"] != true || body["revoked"] != false {
			t.Errorf("suspend answered %v", body)
		}
		s.wantNotVerified(t, transcript.VC, "suspended")
		body = s.do(t, request{method: "POST", path: path, token: demoToken, body: set(false)}).want(t, http.StatusOK).JSON(t)
		if body["suspended"] != false {
			t.Errorf("unsuspend answered %v", body)
		}
		s.wantVerified(t, transcript.VC)
		// The action form does the same.
		for _, a := range []string{"suspend", "unsuspend"} {
			s.do(t, request{method: "POST", path: path, token: demoToken,
				body: map[string]any{"credentialId": transcript.ID, "action": a}}).want(t, http.StatusOK)
		}
		s.wantVerified(t, transcript.VC)
	})

	t.Run("status update errors", func(t *testing.T) {
		needIssued(t)
		path := "/issuers/university/credentials/status"
		for _, tc := range []struct {
			name   string
			body   any
			code   int
			reason string
		}{
			{"no id", map[string]any{"action": "revoke"}, 400, "credential_id_missing"},
			{"no action", map[string]any{"credentialId": transcript.ID}, 400, "action_missing"},
			{"unknown action", map[string]any{"credentialId": transcript.ID, "action": "delete"}, 400, "action_invalid"},
			{"unknown entry type", map[string]any{"credentialId": transcript.ID, "credentialStatus": []any{
				map[string]any{"type": "StatusList2021Entry", "statusPurpose": "suspension", "status": true}}}, 400, "status_type_invalid"},
			{"unknown purpose", map[string]any{"credentialId": transcript.ID, "credentialStatus": []any{
				map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "message", "status": true}}}, 400, "status_purpose_invalid"},
			{"bad status value", map[string]any{"credentialId": transcript.ID, "credentialStatus": []any{
				map[string]any{"type": "BitstringStatusListEntry", "statusPurpose": "suspension", "status": "maybe"}}}, 400, "status_value_invalid"},
			{"entry not an object", map[string]any{"credentialId": transcript.ID, "credentialStatus": []any{"revoke"}}, 400, "status_type_invalid"},
			{"unknown credential", map[string]any{"credentialId": "urn:uuid:00000000-0000-7000-8000-000000000000", "action": "revoke"}, 404, "not_found"},
			{"another issuer's credential", map[string]any{"credentialId": citizen.ID, "action": "revoke"}, 404, "not_found"},
			{"not JSON", "revoke it", 400, "malformed_json"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.do(t, request{method: "POST", path: path, token: demoToken, body: tc.body}).problem(t, tc.code, tc.reason)
			})
		}
		s.wantVerified(t, citizen.VC)
		s.wantVerified(t, transcript.VC)
	})

	t.Run("status list", func(t *testing.T) {
		needIssued(t)
		lists := map[string]*status.Bitstring{}
		for _, purpose := range []string{status.PurposeRevocation, status.PurposeSuspension} {
			r := s.do(t, request{method: "GET", path: "/issuers/university/status/1/" + purpose}).want(t, http.StatusOK)
			if ct := r.Header.Get("Content-Type"); ct != jose.MediaTypeCredential {
				t.Errorf("Content-Type %q, want %s", ct, jose.MediaTypeCredential)
			}
			c, err := jose.VerifyCredential(context.Background(), string(r.Body), jose.VerifyOptions{
				Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384},
				Keys:       s.App.Resolver(),
			})
			if err != nil {
				t.Fatalf("status list does not verify: %v", err)
			}
			if !c.HasType("BitstringStatusListCredential") || c.Issuer.ID != s.DIDs["university"] {
				t.Errorf("status list credential: types %v issuer %s", c.Types, c.Issuer.ID)
			}
			subj := c.Subjects[0]
			if subj["statusPurpose"] != purpose {
				t.Errorf("statusPurpose %v", subj["statusPurpose"])
			}
			bits, err := status.DecodeList(subj["encodedList"].(string))
			if err != nil {
				t.Fatal(err)
			}
			lists[purpose] = bits
		}
		bit := func(purpose string, c issued) bool {
			for _, e := range c.Credential.Status {
				if e.Purpose == purpose {
					i, _ := strconv.Atoi(e.Index)
					v, err := lists[purpose].Get(i)
					if err != nil {
						t.Fatal(err)
					}
					return v
				}
			}
			t.Fatalf("no %s entry", purpose)
			return false
		}
		if !bit(status.PurposeRevocation, degree) || bit(status.PurposeSuspension, degree) {
			t.Error("degree: want revoked, not suspended")
		}
		if bit(status.PurposeRevocation, transcript) || bit(status.PurposeSuspension, transcript) {
			t.Error("transcript: want neither revoked nor suspended")
		}
		s.do(t, request{method: "GET", path: "/issuers/university/status/99/revocation"}).problem(t, 404, "not_found")
		s.do(t, request{method: "GET", path: "/issuers/university/status/1/refresh"}).problem(t, 404, "not_found")
	})

	t.Run("authentication and scopes", func(t *testing.T) {
		needIssued(t)
		issuePath := "/issuers/university/credentials/issue"
		body := map[string]any{"credential": example(t, cat, "DegreeCredential")}
		r := s.do(t, request{method: "POST", path: issuePath, body: body})
		r.problem(t, 401, "unauthorized")
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
		r = s.do(t, request{method: "POST", path: issuePath, token: "not-the-token-0123456789", body: body})
		r.problem(t, 401, "unauthorized")
		if !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
			t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
		s.do(t, request{method: "POST", path: issuePath, body: body, header: map[string]string{"Authorization": "Basic ZGVtbzpkZW1v"}}).problem(t, 401, "unauthorized")
		s.do(t, request{method: "POST", path: issuePath, body: body, header: map[string]string{"Authorization": "Bearer "}}).problem(t, 401, "unauthorized")
		// A client scoped to dopa acts for dopa only.
		s.do(t, request{method: "POST", path: issuePath, token: dopaToken, body: body}).problem(t, 403, "forbidden")
		s.do(t, request{method: "POST", path: "/issuers/university/credentials/status", token: dopaToken,
			body: map[string]any{"credentialId": transcript.ID, "action": "revoke"}}).problem(t, 403, "forbidden")
		s.do(t, request{method: "GET", path: "/issuers/university/credentials", token: dopaToken}).problem(t, 403, "forbidden")
		s.do(t, request{method: "GET", path: "/issuers/university/credentials"}).problem(t, 401, "unauthorized")
		s.do(t, request{method: "POST", path: "/issuers/dopa/credentials/issue", token: dopaToken,
			body: map[string]any{"credential": example(t, cat, "ThaiCitizenCredential")}}).want(t, http.StatusCreated)
		s.wantVerified(t, transcript.VC) // the forbidden revocation did nothing
	})

	t.Run("invalid issue requests", func(t *testing.T) {
		issuePath := "/issuers/university/credentials/issue"
		withSubject := func(f func(subj map[string]any)) map[string]any {
			c := example(t, cat, "DegreeCredential")
			f(c["credentialSubject"].(map[string]any))
			return map[string]any{"credential": c}
		}
		with := func(f func(c map[string]any)) map[string]any {
			c := example(t, cat, "DegreeCredential")
			f(c)
			return map[string]any{"credential": c}
		}
		for _, tc := range []struct {
			name   string
			path   string
			body   any
			ctype  string
			code   int
			reason string
			field  string // errors[0].field, when set
		}{
			{name: "not JSON", body: "{not json", code: 400, reason: "malformed_json"},
			{name: "JSON array", body: "[]", code: 400, reason: "malformed_json"},
			{name: "duplicate member", body: `{"credential": {}, "credential": {}}`, code: 400, reason: "malformed_json"},
			{name: "credential missing", body: map[string]any{"options": map[string]any{}}, code: 400, reason: "credential_missing", field: "/credential"},
			{name: "credential not an object", body: map[string]any{"credential": "DegreeCredential"}, code: 400, reason: "credential_missing", field: "/credential"},
			{name: "options not an object", body: map[string]any{"credential": example(t, cat, "DegreeCredential"), "options": "vc+jwt"}, code: 400, reason: "options_invalid"},
			{name: "unsupported format", body: map[string]any{"credential": example(t, cat, "DegreeCredential"), "options": map[string]any{"format": "ldp_vc"}}, code: 400, reason: "unsupported_format"},
			{name: "wrong content type", body: map[string]any{"credential": example(t, cat, "DegreeCredential")}, ctype: "text/plain", code: 415, reason: "unsupported_media_type"},
			{name: "body too large", body: `{"credential": {"x": "` + strings.Repeat("a", 1<<20) + `"}}`, code: 413, reason: "body_too_large"},
			{name: "pid checksum", body: withSubject(func(s map[string]any) { s["student"].(map[string]any)["pid"] = "1103701234560" }),
				code: 400, reason: "invalid_credential", field: "/credentialSubject/student/pid"},
			{name: "level not in enum", body: withSubject(func(s map[string]any) { s["award"].(map[string]any)["level"] = "kindergarten" }),
				code: 400, reason: "invalid_credential", field: "/credentialSubject/award/level"},
			{name: "member of the wrong type", body: withSubject(func(s map[string]any) { s["student"].(map[string]any)["studentId"] = 6230123421 }),
				code: 400, reason: "invalid_credential", field: "/credentialSubject/student/studentId"},
			{name: "subject missing", body: with(func(c map[string]any) { delete(c, "credentialSubject") }),
				code: 400, reason: "invalid_credential", field: "/credentialSubject"},
			{name: "type not issued by this issuer", path: "/issuers/dopa/credentials/issue", body: map[string]any{"credential": example(t, cat, "DegreeCredential")},
				code: 400, reason: "type_not_allowed"},
			{name: "type not in the catalogue", body: with(func(c map[string]any) { c["type"] = []any{"VerifiableCredential", "LibraryCardCredential"} }),
				code: 400, reason: "unknown_type"},
			{name: "two catalogue types", body: with(func(c map[string]any) {
				c["type"] = []any{"VerifiableCredential", "DegreeCredential", "TranscriptCredential"}
			}), code: 400, reason: "invalid_credential", field: "/type"},
			{name: "another issuer named", body: with(func(c map[string]any) { c["issuer"] = "did:web:other.example" }),
				code: 400, reason: "issuer_mismatch"},
			{name: "status set by the caller", body: with(func(c map[string]any) {
				c["credentialStatus"] = map[string]any{"type": "BitstringStatusListEntry"}
			}), code: 400, reason: "invalid_credential", field: "/credentialStatus"},
			{name: "id not a URL", body: with(func(c map[string]any) { c["id"] = "degree 42" }),
				code: 400, reason: "invalid_credential", field: "/id"},
			{name: "validUntil before validFrom", body: with(func(c map[string]any) {
				c["validFrom"], c["validUntil"] = "2030-01-01T00:00:00Z", "2029-01-01T00:00:00Z"
			}), code: 400, reason: "invalid_credential", field: "/validUntil"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				path := tc.path
				if path == "" {
					path = issuePath
				}
				req := request{method: "POST", path: path, token: demoToken, body: tc.body}
				if tc.ctype != "" {
					req.header = map[string]string{"Content-Type": tc.ctype}
				}
				p := s.do(t, req).problem(t, tc.code, tc.reason)
				if tc.field == "" {
					return
				}
				errs, _ := p["errors"].([]any)
				var fields []string
				for _, e := range errs {
					if f, ok := e.(map[string]any)["field"].(string); ok {
						fields = append(fields, f)
					}
				}
				if !slices.Contains(fields, tc.field) {
					t.Errorf("errors[].field %v, want %s; problem %v", fields, tc.field, p)
				}
			})
		}
	})

	t.Run("credential id from options", func(t *testing.T) {
		id := "https://university.example/transcripts/" + strconv.FormatInt(time.Now().UnixNano(), 36)
		body := map[string]any{"credential": example(t, cat, "TranscriptCredential"), "options": map[string]any{"credentialId": id}}
		r := s.do(t, request{method: "POST", path: "/issuers/university/credentials/issue", token: demoToken, body: body}).want(t, http.StatusCreated)
		if got := r.JSON(t)["credentialId"]; got != id {
			t.Errorf("credentialId %v, want %s", got, id)
		}
		s.do(t, request{method: "POST", path: "/issuers/university/credentials/issue", token: demoToken, body: body}).problem(t, 409, "conflict")
	})

	t.Run("invalid verify requests", func(t *testing.T) {
		needIssued(t)
		for _, tc := range []struct {
			name   string
			path   string
			body   any
			reason string
		}{
			{"not JSON", "/credentials/verify", "verify this", "malformed_json"},
			{"credential missing", "/credentials/verify", map[string]any{"credential": degree.VC}, "credential_missing"},
			{"credential a number", "/credentials/verify", map[string]any{"verifiableCredential": 42}, "credential_unreadable"},
			{"plain string", "/credentials/verify", map[string]any{"verifiableCredential": "hello"}, "credential_unreadable"},
			{"unsecured credential", "/credentials/verify", map[string]any{"verifiableCredential": example(t, cat, "DegreeCredential")}, "credential_unreadable"},
			{"bad data URL", "/credentials/verify", map[string]any{"verifiableCredential": "data:application/vc+jwt"}, "credential_unreadable"},
			{"presentation missing", "/presentations/verify", map[string]any{"verifiableCredential": degree.VC}, "presentation_missing"},
			{"presentation a number", "/presentations/verify", map[string]any{"verifiablePresentation": 7}, "presentation_unreadable"},
			{"presentation without type", "/presentations/verify", map[string]any{"verifiablePresentation": map[string]any{"@context": []any{credential.ContextV2}}}, "presentation_invalid"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				s.do(t, request{method: "POST", path: tc.path, body: tc.body}).problem(t, 400, tc.reason)
			})
		}
		// Readable but false: 200 with the reason.
		jws := strings.TrimPrefix(citizen.VC["id"].(string), "data:application/vc+jwt,")
		sig := jws[strings.LastIndexByte(jws, '.')+1:]
		flipped := "A"
		if sig[0] == 'A' {
			flipped = "B"
		}
		s.wantNotVerified(t, jws[:len(jws)-len(sig)]+flipped+sig[1:], "bad_signature")
		s.wantNotVerified(t, "data:application/vc+sd-jwt,"+jws, "unsupported_format")
		v := s.verify(t, "eyJhbGciOiJub25lIn0.e30.")
		if v.Verified {
			t.Error("alg none verified")
		}
	})

	t.Run("validity period", func(t *testing.T) {
		future := example(t, cat, "TranscriptCredential")
		future["validFrom"] = time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		s.wantNotVerified(t, s.issue(t, "university", future).VC, "not_yet_valid")
		expired := example(t, cat, "TranscriptCredential")
		expired["validFrom"], expired["validUntil"] = "2020-01-01T00:00:00Z", "2021-01-01T00:00:00Z"
		s.wantNotVerified(t, s.issue(t, "university", expired).VC, "expired")
	})

	t.Run("signed presentation", func(t *testing.T) {
		needIssued(t)
		key, err := signing.GenerateKey(signing.ES256)
		if err != nil {
			t.Fatal(err)
		}
		holder, err := did.KeyDID(key.Public())
		if err != nil {
			t.Fatal(err)
		}
		doc, err := s.App.Resolver().Resolve(context.Background(), holder)
		if err != nil {
			t.Fatal(err)
		}
		signer := jose.Signer{Key: key, Algorithm: signing.ES256, KeyID: doc.VerificationMethod[0].ID}
		present := func(vcs ...map[string]any) string {
			list := make([]any, len(vcs))
			for i, vc := range vcs {
				list[i] = vc
			}
			vp, err := jose.SecurePresentation(map[string]any{
				"@context": []any{credential.ContextV2}, "type": []any{credential.TypePresentation},
				"holder": holder, "verifiableCredential": list,
			}, signer, jose.PresentationClaims{Nonce: "n-0S6_WzA2Mj", Audience: "https://employer.example", IssuedAt: time.Now()})
			if err != nil {
				t.Fatal(err)
			}
			return vp
		}
		verifyVP := func(vp, challenge string) verification {
			body := map[string]any{
				"verifiablePresentation": credential.Enveloped{MediaType: jose.MediaTypePresentation, Data: vp}.URL(),
				"options":                map[string]any{"challenge": challenge, "domain": "https://employer.example"},
			}
			r := s.do(t, request{method: "POST", path: "/presentations/verify", body: body}).want(t, http.StatusOK)
			var v verification
			if err := json.Unmarshal(r.Body, &v); err != nil {
				t.Fatal(err)
			}
			return v
		}
		if v := verifyVP(present(citizen.VC, transcript.VC), "n-0S6_WzA2Mj"); !v.Verified {
			t.Errorf("presentation of two good credentials: %+v", v)
		}
		if v := verifyVP(present(citizen.VC), "another-nonce"); v.Verified || v.firstReason() == "" {
			t.Errorf("presentation with the wrong challenge: %+v", v)
		}
		if v := verifyVP(present(citizen.VC, degree.VC), "n-0S6_WzA2Mj"); v.Verified || v.firstReason() != "credential_failed" {
			t.Errorf("presentation with a revoked credential: %+v", v)
		}
	})

	t.Run("did documents", func(t *testing.T) {
		for _, is := range s.issuers(t) {
			t.Run(is.Name, func(t *testing.T) {
				if is.DID != s.DIDs[is.Name] {
					t.Fatalf("GET /issuers says %s, config %s", is.DID, s.DIDs[is.Name])
				}
				r := s.do(t, request{method: "GET", path: "/issuers/" + is.Name + "/did.json"}).want(t, http.StatusOK)
				if ct := r.Header.Get("Content-Type"); ct != "application/did+json" {
					t.Errorf("Content-Type %q", ct)
				}
				checkDIDDocument(t, r.Body, is.DID)
				// The DID as written (with its %3A), and escaped as a
				// whole path segment (url.PathEscape, encodeURIComponent).
				for _, p := range []string{is.DID, url.PathEscape(is.DID), url.QueryEscape(is.DID)} {
					r := s.do(t, request{method: "GET", path: "/1.0/identifiers/" + p}).want(t, http.StatusOK)
					checkDIDDocument(t, r.Body, is.DID)
				}
			})
		}
		key, err := signing.GenerateKey(signing.ES256)
		if err != nil {
			t.Fatal(err)
		}
		for _, mk := range []func(crypto.PublicKey) (string, error){did.KeyDID, did.JWKDID} {
			id, err := mk(key.Public())
			if err != nil {
				t.Fatal(err)
			}
			checkDIDDocument(t, s.do(t, request{method: "GET", path: "/1.0/identifiers/" + id}).want(t, http.StatusOK).Body, id)
		}
		s.do(t, request{method: "GET", path: "/1.0/identifiers/not-a-did"}).problem(t, 400, "invalid_did")
		s.do(t, request{method: "GET", path: "/1.0/identifiers/did:example:123"}).problem(t, 501, "method_not_supported")
	})

	t.Run("unknown names", func(t *testing.T) {
		needIssued(t)
		s.do(t, request{method: "GET", path: "/issuers/nobody/did.json"}).problem(t, 404, "unknown_issuer")
		s.do(t, request{method: "GET", path: "/issuers/nobody/status/1/revocation"}).problem(t, 404, "unknown_issuer")
		s.do(t, request{method: "POST", path: "/issuers/nobody/credentials/issue", token: demoToken,
			body: map[string]any{"credential": example(t, cat, "DegreeCredential")}}).problem(t, 404, "unknown_issuer")
		s.do(t, request{method: "POST", path: "/issuers/nobody/credentials/status", token: demoToken,
			body: map[string]any{"credentialId": degree.ID, "action": "revoke"}}).problem(t, 404, "unknown_issuer")
		s.do(t, request{method: "GET", path: "/schemas/NoSuchCredential"}).problem(t, 404, "unknown_type")
		s.do(t, request{method: "GET", path: "/no/such/page"}).problem(t, 404, "not_found")
		r := s.do(t, request{method: "GET", path: "/credentials/verify"})
		if r.Status != http.StatusMethodNotAllowed && r.Status != http.StatusNotFound {
			t.Errorf("GET /credentials/verify: %d", r.Status)
		}
	})

	t.Run("schemas", func(t *testing.T) {
		r := s.do(t, request{method: "GET", path: "/schemas/DegreeCredential.json"}).want(t, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "application/schema+json" {
			t.Errorf("Content-Type %q", ct)
		}
		body := s.do(t, request{method: "GET", path: "/schemas/DegreeCredential"}).want(t, http.StatusOK).JSON(t)
		if body["name"] != "DegreeCredential" {
			t.Errorf("GET /schemas/DegreeCredential: %v", body["name"])
		}
	})

	t.Run("request id", func(t *testing.T) {
		const id = "e2e-request-0001"
		r := s.do(t, request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": id}})
		if got := r.Header.Get("X-Request-Id"); got != id {
			t.Errorf("X-Request-Id %q, want %q", got, id)
		}
		r = s.do(t, request{method: "POST", path: "/credentials/verify", body: "{", header: map[string]string{"X-Request-Id": id}})
		if p := r.problem(t, 400, "malformed_json"); p["request_id"] != id {
			t.Errorf("problem request_id %v, want %s", p["request_id"], id)
		}
		// Ids that could forge log lines are replaced.
		r = s.do(t, request{method: "GET", path: "/healthz", header: map[string]string{"X-Request-Id": "bad id\" level=ERROR"}})
		if got := r.Header.Get("X-Request-Id"); got == "" || strings.ContainsAny(got, "\" =") {
			t.Errorf("X-Request-Id %q", got)
		}
	})

	t.Run("responses are not cached", func(t *testing.T) {
		r := s.do(t, request{method: "POST", path: "/issuers/university/credentials/issue", token: demoToken,
			body: map[string]any{"credential": example(t, cat, "TranscriptCredential")}}).want(t, http.StatusCreated)
		if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("Cache-Control %q on an issued credential", cc)
		}
	})
}

func checkDIDDocument(t *testing.T, body []byte, want string) {
	t.Helper()
	doc, err := did.ParseDocument(body)
	if err != nil {
		t.Fatalf("DID document does not parse: %v\n%s", err, body)
	}
	if doc.ID != want {
		t.Fatalf("DID document id %s, want %s", doc.ID, want)
	}
	if len(doc.VerificationMethod) == 0 {
		t.Fatalf("DID document of %s has no verification method", want)
	}
}
