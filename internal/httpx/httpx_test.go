package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
)

const secret = "s3cr3t-database-password"

// newServer returns an echo with httpx's middleware and a few routes that
// fail in the ways handlers fail, and the buffer its logs go to.
func newServer(t *testing.T) (*echo.Echo, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	e := httpx.New(slog.New(slog.NewTextHandler(&logs, nil)))
	e.GET("/ok", func(c *echo.Context) error { return httpx.JSON(c, 200, map[string]string{"ok": "ใช่ <&>"}) })
	e.GET("/problem", func(c *echo.Context) error {
		p := httpx.BadRequest("claims_invalid", "fix the claims", httpx.FieldError{Field: "/credentialSubject/pid", Reason: "checksum"})
		p.Err = errors.New("cause with " + secret)
		return p
	})
	e.GET("/internal", func(c *echo.Context) error {
		return fmt.Errorf("store: open /var/lib/thaitrust: %s", secret)
	})
	e.GET("/panic", func(c *echo.Context) error { panic("boom " + secret) })
	e.GET("/echo-error", func(c *echo.Context) error { return echo.NewHTTPError(http.StatusTeapot, "short and stout") })
	e.GET("/echo-500", func(c *echo.Context) error { return echo.NewHTTPError(http.StatusBadGateway, secret) })
	e.GET("/items/:id", func(c *echo.Context) error {
		id, err := httpx.PathParam(c, "id")
		if err != nil {
			return httpx.BadRequest("id_invalid", "bad escape")
		}
		return httpx.JSON(c, 200, map[string]string{"id": id})
	})
	e.POST("/json", func(c *echo.Context) error {
		obj, err := httpx.ReadJSONObject(c, 64)
		if err != nil {
			return err
		}
		return httpx.JSON(c, 200, obj)
	})
	clients := []httpx.Client{
		{ID: "all", TokenHash: httpx.TokenHash("token-for-everything"), Scopes: []string{"*"}},
		{ID: "dopa", TokenHash: httpx.TokenHash("token-for-dopa"), Scopes: []string{"dopa"}},
		{ID: "broken", TokenHash: "not hex", Scopes: []string{"*"}},
	}
	e.GET("/private", func(c *echo.Context) error {
		p, ok := httpx.PrincipalOf(c)
		if !ok {
			return errors.New("no principal")
		}
		return httpx.JSON(c, 200, map[string]any{"id": p.ID, "dopa": p.HasScope("dopa"), "dbd": p.HasScope("dbd")})
	}, httpx.Bearer(clients))
	return e, &logs
}

type result struct {
	code   int
	header http.Header
	body   string
}

func serve(e *echo.Echo, method, target, body string, header map[string]string) result {
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, target, strings.NewReader(body))
	} else {
		r = httptest.NewRequest(method, target, nil)
	}
	for k, v := range header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return result{w.Code, w.Header(), w.Body.String()}
}

type problem struct {
	Type     string `json:"type"`
	Title    string `json:"title"`
	Status   int    `json:"status"`
	Detail   string `json:"detail"`
	Instance string `json:"instance"`
	Reason   string `json:"reason"`
	Request  string `json:"request_id"`
	Errors   []struct {
		Field, Reason string
	} `json:"errors"`
}

func TestErrorsAreProblems(t *testing.T) {
	e, logs := newServer(t)
	tests := []struct {
		method, path string
		code         int
		reason       string
		logged       bool // the failure is logged (5xx)
	}{
		{"GET", "/problem", 400, "claims_invalid", false},
		{"GET", "/internal", 500, "internal", true},
		{"GET", "/panic", 500, "internal", true},
		{"GET", "/echo-error", 418, "bad_request", false},
		{"GET", "/echo-500", 500, "internal", true},
		{"GET", "/nowhere", 404, "not_found", false},
		{"DELETE", "/ok", 405, "method_not_allowed", false},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			logs.Reset()
			r := serve(e, tc.method, tc.path, "", nil)
			if r.code != tc.code {
				t.Fatalf("status %d, want %d: %s", r.code, tc.code, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != httpx.MediaTypeProblem {
				t.Errorf("Content-Type %q", ct)
			}
			var p problem
			if err := json.Unmarshal([]byte(r.body), &p); err != nil {
				t.Fatal(err)
			}
			if p.Status != tc.code || p.Reason != tc.reason || !strings.HasPrefix(p.Type, httpx.ProblemBase) || p.Title == "" {
				t.Errorf("problem %+v", p)
			}
			if p.Request == "" || p.Request != r.header.Get(httpx.HeaderRequestID) {
				t.Errorf("request_id %q, header %q", p.Request, r.header.Get(httpx.HeaderRequestID))
			}
			if p.Instance != tc.path {
				t.Errorf("instance %q", p.Instance)
			}
			for _, leak := range []string{secret, "goroutine", ".go:", "boom"} {
				if strings.Contains(r.body, leak) {
					t.Errorf("response contains %q: %s", leak, r.body)
				}
			}
			if strings.Contains(logs.String(), "goroutine") {
				t.Errorf("stack trace logged:\n%s", logs)
			}
			if strings.Contains(logs.String(), "boom") {
				t.Errorf("panic value logged:\n%s", logs)
			}
			if tc.logged != strings.Contains(logs.String(), "level=ERROR") {
				t.Errorf("error logged: %v, want %v:\n%s", !tc.logged, tc.logged, logs)
			}
		})
	}
	t.Run("field errors", func(t *testing.T) {
		var p problem
		_ = json.Unmarshal([]byte(serve(e, "GET", "/problem", "", nil).body), &p)
		if len(p.Errors) != 1 || p.Errors[0].Field != "/credentialSubject/pid" || p.Errors[0].Reason != "checksum" {
			t.Errorf("errors %+v", p.Errors)
		}
	})
	t.Run("HEAD has no body", func(t *testing.T) {
		r := serve(e, "HEAD", "/nowhere", "", nil)
		if r.code != 404 || r.body != "" {
			t.Errorf("HEAD: %d %q", r.code, r.body)
		}
	})
}

func TestJSONDoesNotEscapeHTML(t *testing.T) {
	e, _ := newServer(t)
	r := serve(e, "GET", "/ok", "", nil)
	if r.code != 200 || !strings.Contains(r.body, `"ใช่ <&>"`) {
		t.Errorf("%d %s", r.code, r.body)
	}
	for _, h := range []string{"X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Content-Security-Policy"} {
		if r.header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
}

func TestRequestIDs(t *testing.T) {
	e, _ := newServer(t)
	for _, tc := range []struct{ in, want string }{
		{"abc-DEF_123", "abc-DEF_123"},
		{"", ""},
		{"short", ""},
		{"bad id with spaces", ""},
		{"quote\"inject=1", ""},
		{strings.Repeat("a", 65), ""},
	} {
		r := serve(e, "GET", "/ok", "", map[string]string{httpx.HeaderRequestID: tc.in})
		got := r.header.Get(httpx.HeaderRequestID)
		switch {
		case tc.want != "" && got != tc.want:
			t.Errorf("%q: got %q, want it kept", tc.in, got)
		case tc.want == "" && (len(got) != 32 || got == tc.in):
			t.Errorf("%q: got %q, want a new 32-hex-digit id", tc.in, got)
		}
	}
}

func TestReadJSONObject(t *testing.T) {
	e, _ := newServer(t)
	for _, tc := range []struct {
		name, body, ctype string
		code              int
		reason            string
	}{
		{"object", `{"a":1}`, "application/json", 200, ""},
		{"no content type", `{"a":1}`, "", 200, ""},
		{"+json", `{"a":1}`, "application/vc+json; charset=utf-8", 200, ""},
		{"text", `{"a":1}`, "text/plain", 415, "unsupported_media_type"},
		{"bad media type", `{"a":1}`, "application/", 415, "unsupported_media_type"},
		{"not JSON", `{a:1}`, "application/json", 400, "malformed_json"},
		{"array", `[1]`, "application/json", 400, "malformed_json"},
		{"duplicate key", `{"a":1,"a":2}`, "application/json", 400, "malformed_json"},
		{"trailing data", `{"a":1} {}`, "application/json", 400, "malformed_json"},
		{"empty", ``, "application/json", 400, "malformed_json"},
		{"at the limit", `{"a":"` + strings.Repeat("x", 64-8) + `"}`, "application/json", 200, ""},
		{"over the limit", `{"a":"` + strings.Repeat("x", 64-7) + `"}`, "application/json", 413, "body_too_large"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.ctype != "" {
				h["Content-Type"] = tc.ctype
			}
			r := serve(e, "POST", "/json", tc.body, h)
			if r.code != tc.code {
				t.Fatalf("status %d, want %d: %s", r.code, tc.code, r.body)
			}
			if tc.reason != "" {
				var p problem
				_ = json.Unmarshal([]byte(r.body), &p)
				if p.Reason != tc.reason {
					t.Errorf("reason %q, want %q", p.Reason, tc.reason)
				}
			}
		})
	}
}

func TestBearer(t *testing.T) {
	e, logs := newServer(t)
	for _, tc := range []struct {
		name, auth string
		code       int
		challenge  string // WWW-Authenticate
		id         string
	}{
		{"no header", "", 401, `Bearer realm="thaitrust"`, ""},
		{"basic", "Basic YTpi", 401, `Bearer realm="thaitrust"`, ""},
		{"empty token", "Bearer ", 401, `Bearer realm="thaitrust"`, ""},
		{"wrong token", "Bearer token-for-nothing", 401, `Bearer realm="thaitrust", error="invalid_token"`, ""},
		{"hash as token", "Bearer " + httpx.TokenHash("token-for-dopa"), 401, `Bearer realm="thaitrust", error="invalid_token"`, ""},
		{"malformed stored hash never matches", "Bearer not hex", 401, `Bearer realm="thaitrust", error="invalid_token"`, ""},
		{"all", "Bearer token-for-everything", 200, "", "all"},
		{"scheme is case-insensitive", "bearer token-for-dopa", 200, "", "dopa"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := map[string]string{}
			if tc.auth != "" {
				h["Authorization"] = tc.auth
			}
			r := serve(e, "GET", "/private", "", h)
			if r.code != tc.code {
				t.Fatalf("status %d, want %d: %s", r.code, tc.code, r.body)
			}
			if got := r.header.Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
			if tc.id != "" {
				var p struct {
					ID        string
					Dopa, Dbd bool
				}
				_ = json.Unmarshal([]byte(r.body), &p)
				if p.ID != tc.id || !p.Dopa || p.Dbd != (tc.id == "all") {
					t.Errorf("principal %+v", p)
				}
			}
		})
	}
	if strings.Contains(logs.String(), "token-for") {
		t.Errorf("a token reached the logs:\n%s", logs)
	}
}

func TestPathParam(t *testing.T) {
	e, _ := newServer(t)
	for _, tc := range []struct{ path, want string }{
		{"/items/urn:uuid:0193", "urn:uuid:0193"},
		{"/items/https:%2F%2Fexample.edu%2Fc%2F1", "https://example.edu/c/1"}, // escaped as a segment: decoded once
		{"/items/100%25", "100%"},                                             // Go's default escaping: echo decodes, not twice
		{"/items/a%2520b", "a%20b"},                                           // decoded exactly once
		{"/items/did:web:x%253A8443", "did:web:x%3A8443"},
	} {
		r := serve(e, "GET", tc.path, "", nil)
		var got struct{ ID string }
		_ = json.Unmarshal([]byte(r.body), &got)
		if r.code != 200 || got.ID != tc.want {
			t.Errorf("%s: %d %q, want %q", tc.path, r.code, got.ID, tc.want)
		}
	}
}
