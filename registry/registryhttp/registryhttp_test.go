package registryhttp_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registryhttp"
	"github.com/thaitrust/thaitrust/registry/registrytest"
)

const (
	adminToken = "admin-token-0123456789"
	otherToken = "other-token-0123456789"
)

func day(n int) time.Time { return registrytest.Epoch.Add(time.Duration(n) * 24 * time.Hour) }

func server(t *testing.T) (*echo.Echo, *registrytest.Scheme, *registrytest.Scheme) {
	t.Helper()
	sc := registrytest.NewScheme(t, nil)
	sc.Clock.Set(day(10))
	sg := registrytest.NewSchemeIn(t, nil, "sg.test")
	sg.Clock.Set(day(10))
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	(&registryhttp.Handler{
		Registry: sc.Service,
		Clients: []httpx.Client{{ID: "ops@etda", TokenHash: httpx.TokenHash(adminToken), Scopes: []string{registryhttp.AdminScope}},
			{ID: "issuer-client", TokenHash: httpx.TokenHash(otherToken), Scopes: []string{"university"}}},
		Signer: sc.Members["etda"].Signer, Keys: sc.Resolver, Credentials: true, Now: sc.Clock.Now,
		Sources: map[string]registry.ListSource{"sg": {ID: "sg", Key: sg.Key("etda")}},
	}).Register(e)
	return e, sc, sg
}

type response struct {
	code int
	hdr  http.Header
	body []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("body %s: %v", r.body, err)
	}
	return m
}

func do(e *echo.Echo, method, path, token, ctype, body string) response {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return response{rec.Code, rec.Header(), rec.Body.Bytes()}
}

func TestReadRoutes(t *testing.T) {
	e, sc, _ := server(t)
	uni := sc.Members["university"]
	tests := []struct {
		name, path string
		code       int
		want       string // substring of the body
	}{
		{"search by name", "/registry/entities?name=siam", 200, `"id":"university"`},
		{"search by kind", "/registry/entities?kind=identity_provider", 200, `"thaid"`},
		{"search by type", "/registry/entities?type=JuristicPersonCredential", 200, `"dbd"`},
		{"search paging", "/registry/entities?limit=2", 200, `"next":"dbd"`},
		{"bad limit", "/registry/entities?limit=0", 400, "limit_invalid"},
		{"entity", "/registry/entities/university", 200, `"accreditations":[{`},
		{"entity by DID", "/registry/entities/" + url.PathEscape(uni.DID), 200, `"id":"university"`},
		{"no entity", "/registry/entities/nobody", 404, "not-found"},
		{"history", "/registry/entities/university/history", 200, `"action":"accreditation.grant"`},
		{"accreditation", "/registry/accreditations/" + uni.Accreditation.ID, 200, `"chain":["ey`},
		{"no accreditation", "/registry/accreditations/urn:uuid:nope", 404, "not-found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(e, http.MethodGet, tt.path, "", "", "")
			if r.code != tt.code || !strings.Contains(string(r.body), tt.want) {
				t.Fatalf("%d %.600s; want %d with %s", r.code, r.body, tt.code, tt.want)
			}
		})
	}
	// The chain served validates offline.
	var acc struct {
		Chain []string `json:"chain"`
	}
	r := do(e, http.MethodGet, "/registry/accreditations/"+uni.Accreditation.ID, "", "", "")
	if err := json.Unmarshal(r.body, &acc); err != nil {
		t.Fatal(err)
	}
	if _, err := registry.ValidateChain(t.Context(), acc.Chain, sc.Anchor, day(10), sc.Resolver); err != nil {
		t.Errorf("served chain: %v", err)
	}
}

func TestTrustLists(t *testing.T) {
	e, sc, _ := server(t)
	r := do(e, http.MethodGet, "/registry/trustlist.jwt", "", "", "")
	if r.code != 200 || r.hdr.Get("Content-Type") != "application/jwt" {
		t.Fatalf("%d %s", r.code, r.hdr.Get("Content-Type"))
	}
	tl, err := registry.LoadTrustList(r.body, sc.Key("etda"), day(10), registry.ListPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if a := tl.Authorize(registry.AuthorizationQuery{Entity: sc.Members["university"].DID, Resource: "DegreeCredential", At: day(5)}); !a.Authorized {
		t.Errorf("from the served list: %+v", a)
	}
	// Cached until the registry changes.
	if again := do(e, http.MethodGet, "/registry/trustlist.jwt", "", "", ""); string(again.body) != string(r.body) {
		t.Error("an unchanged registry was re-signed")
	}
	do(e, http.MethodPost, "/registry/admin/accreditations/"+url.PathEscape(sc.Members["dbd"].Accreditation.ID)+"/status", adminToken, "application/json", `{"action":"suspend","reason":"audit"}`)
	if again := do(e, http.MethodGet, "/registry/trustlist.jwt", "", "", ""); string(again.body) == string(r.body) {
		t.Error("a changed registry served the old list")
	}
	x := do(e, http.MethodGet, "/registry/trustlist.xml", "", "", "")
	if x.code != 200 || !strings.Contains(x.hdr.Get("Content-Type"), "xml") {
		t.Fatalf("xml %d %s", x.code, x.hdr.Get("Content-Type"))
	}
	if doc, err := registry.ParseTrustListXML(x.body, nil); err != nil || len(doc.Entities) != 7 {
		t.Errorf("served XML: %v", err)
	}
}

func TestTRQP(t *testing.T) {
	e, sc, _ := server(t)
	uni := sc.Members["university"].DID
	tests := []struct {
		name, path, body string
		code             int
		want             []string
	}{
		{"authorized", "/trqp/authorization", `{"entity_id":"` + uni + `","authority_id":"etda","action":"issue","resource":"DegreeCredential"}`,
			200, []string{`"authorized":true`, `"evidence":[{`, `"time_requested":"2025-01-11T00:00:00Z"`}},
		{"at a time", "/trqp/authorization", `{"entity_id":"` + uni + `","resource":"DegreeCredential","context":{"time":"2024-06-01T00:00:00Z"}}`,
			200, []string{`"authorized":false`, `"reason":"accreditation_not_yet_valid"`}},
		{"type", "/trqp/authorization", `{"entity_id":"university","action":"issue","resource":"ThaiCitizenCredential"}`,
			200, []string{`"authorized":false`, `"reason":"type_not_accredited"`}},
		{"unknown", "/trqp/authorization", `{"entity_id":"did:web:x.example","resource":"DegreeCredential"}`,
			200, []string{`"authorized":false`, `"reason":"unknown_entity"`, `"evidence":[]`}},
		{"no resource", "/trqp/authorization", `{"entity_id":"university"}`, 400, []string{"missing_member"}},
		{"bad time", "/trqp/authorization", `{"entity_id":"university","resource":"DegreeCredential","context":{"time":"yesterday"}}`, 400, []string{"invalid_time"}},
		{"bad member", "/trqp/authorization", `{"entity_id":7,"resource":"DegreeCredential"}`, 400, []string{"invalid_member"}},
		{"not JSON", "/trqp/authorization", `{"entity_id":`, 400, []string{"malformed_json"}},
		{"recognised", "/trqp/recognition", `{"entity_id":"mhesi","authority_id":"etda","action":"recognize","resource":"DegreeCredential"}`,
			200, []string{`"recognized":true`}},
		{"root", "/trqp/recognition", `{"entity_id":"etda"}`, 200, []string{`"recognized":true`}},
		{"not recognised", "/trqp/recognition", `{"entity_id":"sg"}`, 200, []string{`"recognized":false`, `"reason":"unknown_authority"`}},
		{"other authority", "/trqp/recognition", `{"entity_id":"mhesi","authority_id":"did:web:elsewhere.example"}`, 200, []string{`"recognized":false`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(e, http.MethodPost, tt.path, "", "application/json", tt.body)
			if r.code != tt.code {
				t.Fatalf("%d %s, want %d", r.code, r.body, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(r.body), w) {
					t.Errorf("body %.500s lacks %s", r.body, w)
				}
			}
		})
	}
}

func TestAdmin(t *testing.T) {
	e, sc, sg := server(t)
	newDID := sc.NewMember(t, "cmu", "EdDSA").DID
	accID := ""
	tests := []struct {
		name, path, token, body string
		code                    int
		want                    string
		after                   func(t *testing.T, r response)
	}{
		{"no token", "/registry/admin/entities", "", `{}`, 401, "unauthorized", nil},
		{"wrong scope", "/registry/admin/entities", otherToken, `{}`, 403, "forbidden", nil},
		{"unknown member", "/registry/admin/entities", adminToken, `{"id":"x","colour":"red"}`, 400, "invalid_body", nil},
		{"invalid entity", "/registry/admin/entities", adminToken, `{"id":"Bad"}`, 400, "invalid_request", nil},
		{"register", "/registry/admin/entities", adminToken,
			`{"id":"cmu","kinds":["issuer"],"name":{"th":"มหาวิทยาลัยเชียงใหม่","en":"Chiang Mai University"},"jurisdiction":"TH","identifiers":[{"type":"did","value":"` + newDID + `"}],"reason":"new university"}`,
			201, `"id":"cmu"`, nil},
		{"register again", "/registry/admin/entities", adminToken,
			`{"id":"cmu","kinds":["issuer"],"name":{"en":"x"},"jurisdiction":"TH"}`, 409, "conflict", nil},
		{"accredit", "/registry/admin/accreditations", adminToken,
			`{"subject":"cmu","accreditor":"mhesi","role":"issuer","credential_types":["DegreeCredential"],"reason":"accredited","valid_until":"2025-12-01T00:00:00Z"}`,
			201, `"credential":"ey`, func(t *testing.T, r response) {
				accID = r.json(t)["accreditation"].(map[string]any)["id"].(string)
			}},
		{"accredit beyond scope", "/registry/admin/accreditations", adminToken,
			`{"subject":"cmu","accreditor":"mhesi","role":"issuer","credential_types":["ThaiCitizenCredential"]}`, 400, "invalid_request", nil},
		{"unknown subject", "/registry/admin/accreditations", adminToken,
			`{"subject":"nobody","role":"issuer","credential_types":["DegreeCredential"]}`, 404, "not-found", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(e, http.MethodPost, tt.path, tt.token, "application/json", tt.body)
			if r.code != tt.code || !strings.Contains(string(r.body), tt.want) {
				t.Fatalf("%d %.600s; want %d with %s", r.code, r.body, tt.code, tt.want)
			}
			if tt.after != nil {
				tt.after(t, r)
			}
		})
	}
	if accID == "" {
		t.Fatal("no accreditation")
	}
	authorized := func() string {
		r := do(e, http.MethodPost, "/trqp/authorization", "", "application/json", `{"entity_id":"cmu","resource":"DegreeCredential"}`)
		m := r.json(t)
		reason, _ := m["reason"].(string)
		return reason
	}
	if got := authorized(); got != "" {
		t.Fatalf("new accreditation: %q", got)
	}
	status := "/registry/admin/accreditations/" + url.PathEscape(accID) + "/status"
	for _, st := range []struct {
		path, body string
		code       int
		reason     string
	}{
		{status, `{"action":"suspend","reason":"audit"}`, 200, "accreditation_suspended"},
		{status, `{"action":"suspend"}`, 400, "accreditation_suspended"},
		{status, `{"action":"reinstate","reason":"ok"}`, 200, ""},
		{status, `{"action":"explode"}`, 400, ""},
		{"/registry/admin/entities/cmu/status", `{"action":"withdraw","reason":"closed"}`, 200, "entity_withdrawn"},
		{"/registry/admin/entities/cmu/status", `{"action":"reinstate","reason":"oops"}`, 409, "entity_withdrawn"},
		{"/registry/admin/entities/nobody/status", `{"action":"withdraw","reason":"x"}`, 404, "entity_withdrawn"},
	} {
		sc.Clock.Advance(time.Hour)
		r := do(e, http.MethodPost, st.path, adminToken, "application/json", st.body)
		if r.code != st.code {
			t.Fatalf("%s %s: %d %s", st.path, st.body, r.code, r.body)
		}
		sc.Clock.Advance(time.Minute)
		if got := authorized(); got != st.reason {
			t.Errorf("after %s: reason %q, want %q", st.body, got, st.reason)
		}
	}
	// History records the actor.
	r := do(e, http.MethodGet, "/registry/entities/cmu/history", "", "", "")
	if !strings.Contains(string(r.body), `"actor":"ops@etda"`) {
		t.Errorf("history %.400s", r.body)
	}

	// Import a foreign list.
	tok, err := sg.Service.Export(t.Context(), sg.Members["etda"].Signer, registry.ExportOptions{NextUpdate: day(40), Keys: sg.Resolver})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		query, body string
		code        int
		want        string
	}{
		{"?source=xx&types=DegreeCredential", tok, 400, "source_unknown"},
		{"?source=sg&types=DegreeCredential", tok[:len(tok)-4] + "AAAA", 422, "bad-signature"},
		{"?source=sg&types=DegreeCredential", tok, 200, `"source":"sg"`},
		{"?source=sg&types=DegreeCredential", tok, 409, "list-replay"},
	} {
		r := do(e, http.MethodPost, "/registry/admin/import"+tc.query, adminToken, "application/jwt", tc.body)
		if r.code != tc.code || !strings.Contains(string(r.body), tc.want) {
			t.Errorf("import %s: %d %.300s, want %d %s", tc.query, r.code, r.body, tc.code, tc.want)
		}
	}
	r = do(e, http.MethodPost, "/trqp/recognition", "", "application/json", `{"entity_id":"sg","resource":"DegreeCredential"}`)
	if !strings.Contains(string(r.body), `"recognized":true`) {
		t.Errorf("after import: %.400s", r.body)
	}
}
