package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/signing"
)

// Tokens of the test servers' clients: the demo client may act for every
// issuer, the DOPA back office for dopa only.
const (
	demoToken = "e2e-demo-token-0123456789"
	dopaToken = "e2e-dopa-backoffice-token-0123456789"
)

// conformanceIssuer is the name of the AllowGeneric issuer that
// startServer adds when asked (withConformance).
const conformanceIssuer = "conformance"

// testServer is an app served over real HTTP on a loopback port whose
// address is the app's public URL, so that DIDs, status list URLs and the
// addresses clients use agree.
type testServer struct {
	URL  string
	App  *app.App
	DIDs map[string]string // issuer name -> DID
	logs *syncBuffer
}

type serverOption int

const withConformance serverOption = iota + 1

// startServer creates a demo data directory in a temporary directory,
// adds a client scoped to dopa (and, withConformance, an issuer with
// AllowGeneric), opens the app and serves it. Cleanup stops the server and
// checks that nothing secret or internal reached the logs.
func startServer(t *testing.T, opts ...serverOption) *testServer {
	t.Helper()
	return startServerWith(t, nil, opts...)
}

// startServerWith is startServer with a change to the configuration
// before the app opens it.
func startServerWith(t *testing.T, configure func(cfg *app.Config), opts ...serverOption) *testServer {
	t.Helper()
	dir := t.TempDir()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pub := "http://" + ln.Addr().String()
	cfg, err := app.InitDemo(dir, pub, demoToken)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Clients = append(cfg.Clients, httpx.Client{ID: "dopa-backoffice", TokenHash: httpx.TokenHash(dopaToken), Scopes: []string{"dopa"}})
	for _, o := range opts {
		if o == withConformance {
			addConformanceIssuer(t, dir, cfg)
		}
	}
	if configure != nil {
		configure(cfg)
	}
	if err := cfg.Save(dir); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a, err := app.Open(context.Background(), app.Options{DataDir: dir, PublicURL: pub, Demo: true, DemoToken: demoToken, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(a.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	s := &testServer{URL: srv.URL, App: a, DIDs: map[string]string{}, logs: logs}
	for _, ic := range a.Config.Issuers {
		s.DIDs[ic.Name] = ic.DID
	}
	t.Cleanup(func() {
		srv.Close()
		if err := a.Close(); err != nil {
			t.Errorf("closing the app: %v", err)
		}
		out := logs.String()
		if strings.Contains(out, "goroutine ") {
			t.Errorf("logs contain a stack trace:\n%s", out)
		}
		for _, secret := range []string{demoToken, dopaToken, `"d":`, `\"d\":`} {
			if strings.Contains(out, secret) {
				t.Errorf("logs contain %q", secret)
			}
		}
		if t.Failed() {
			t.Logf("server logs:\n%s", out)
		}
	})
	return s
}

// addConformanceIssuer adds an issuer that signs credentials of any type
// (AllowGeneric), as a W3C conformance test run configures it.
func addConformanceIssuer(t *testing.T, dir string, cfg *app.Config) {
	t.Helper()
	pass, err := app.KeyPassphrase(dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	rel := filepath.Join("keys", conformanceIssuer+".key.json")
	if err := signing.WriteKeyFileKDF(filepath.Join(dir, rel), key, pass, signing.KDFParams{Time: 1, MemoryKiB: 8 << 10, Threads: 1}); err != nil {
		t.Fatal(err)
	}
	id, err := app.IssuerDID(cfg.PublicURL, conformanceIssuer)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Issuers = append(cfg.Issuers, app.IssuerConfig{
		Name: conformanceIssuer, DID: id, Key: "file:" + filepath.ToSlash(rel), Algorithm: string(signing.EdDSA),
		DisplayName:  map[string]string{"en": "W3C conformance test issuer"},
		AllowGeneric: true,
	})
}

// reply is an HTTP response, read whole.
type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body as a JSON object.
func (r reply) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.Body)
	}
	return m
}

// want fails the test unless the status is code.
func (r reply) want(t *testing.T, code int) reply {
	t.Helper()
	if r.Status != code {
		t.Fatalf("status %d, want %d; body:\n%s", r.Status, code, r.Body)
	}
	return r
}

// problem checks that the reply is an RFC 9457 problem with the status
// and, when reason is not "", the reason; it returns the problem.
func (r reply) problem(t *testing.T, code int, reason string) map[string]any {
	t.Helper()
	r.want(t, code)
	p := r.JSON(t)
	if reason != "" && p["reason"] != reason {
		t.Fatalf("reason %v, want %s; body:\n%s", p["reason"], reason, r.Body)
	}
	return p
}

// request is one HTTP call of a test.
type request struct {
	method, path string
	token        string            // bearer token; "" sends none
	body         any               // nil, []byte or string (sent as is) or a value (sent as JSON)
	header       map[string]string // extra headers
}

// do sends req and checks what every response must satisfy: a request
// id, no stack traces or private key material in the body, and errors as
// problem JSON that repeat the status and the request id.
func (s *testServer) do(t *testing.T, req request) reply {
	t.Helper()
	var body io.Reader
	switch b := req.body.(type) {
	case nil:
	case []byte:
		body = bytes.NewReader(b)
	case string:
		body = strings.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	hr, err := http.NewRequestWithContext(ctx, req.method, s.URL+req.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		hr.Header.Set("Content-Type", "application/json")
	}
	if req.token != "" {
		hr.Header.Set("Authorization", "Bearer "+req.token)
	}
	for k, v := range req.header {
		hr.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", req.method, req.path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{Status: resp.StatusCode, Header: resp.Header, Body: raw}
	rid := resp.Header.Get(httpx.HeaderRequestID)
	if rid == "" {
		t.Errorf("%s %s: no %s in the response", req.method, req.path, httpx.HeaderRequestID)
	}
	for _, bad := range []string{"goroutine ", `"d":`, ".go:"} {
		if bytes.Contains(raw, []byte(bad)) {
			t.Errorf("%s %s: response body contains %q:\n%s", req.method, req.path, bad, raw)
		}
	}
	if r.Status >= 400 && req.method != http.MethodHead {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, httpx.MediaTypeProblem) {
			t.Errorf("%s %s: %d with Content-Type %q, want %s", req.method, req.path, r.Status, ct, httpx.MediaTypeProblem)
		}
		var p struct {
			Type    string `json:"type"`
			Title   string `json:"title"`
			Status  int    `json:"status"`
			Request string `json:"request_id"`
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Errorf("%s %s: problem body is not JSON: %v\n%s", req.method, req.path, err, raw)
		} else if p.Status != r.Status || p.Type == "" || p.Title == "" || p.Request != rid {
			t.Errorf("%s %s: problem %+v does not match status %d / request id %q", req.method, req.path, p, r.Status, rid)
		}
	}
	return r
}

// syncBuffer is a bytes.Buffer safe for the server's concurrent logging.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
