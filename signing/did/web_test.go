package did

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
)

func TestWebDIDAndURL(t *testing.T) {
	tests := []struct{ base, did, docURL string }{
		{"https://example.com", "did:web:example.com", "https://example.com/.well-known/did.json"},
		{"https://example.com/", "did:web:example.com", "https://example.com/.well-known/did.json"},
		{"https://w3c-ccg.github.io/user/alice", "did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"},
		{"https://example.com:3000/issuers/dopa", "did:web:example.com%3A3000:issuers:dopa", "https://example.com:3000/issuers/dopa/did.json"},
		{"https://example.com/a%20b", "did:web:example.com:a%20b", "https://example.com/a%20b/did.json"},
		{"https://127.0.0.1:8443", "did:web:127.0.0.1%3A8443", "https://127.0.0.1:8443/.well-known/did.json"},
		{"https://[::1]:8443/x", "did:web:%5B%3A%3A1%5D%3A8443:x", "https://[::1]:8443/x/did.json"},
		{"http://localhost:8080/issuers/x", "did:web:localhost%3A8080:issuers:x", "https://localhost:8080/issuers/x/did.json"},
	}
	for _, tt := range tests {
		got, err := WebDID(tt.base)
		if err != nil || got != tt.did {
			t.Errorf("WebDID(%s) = %s, %v; want %s", tt.base, got, err, tt.did)
		}
		u, err := WebDocumentURL(tt.did)
		if err != nil || u != tt.docURL {
			t.Errorf("WebDocumentURL(%s) = %s, %v; want %s", tt.did, u, err, tt.docURL)
		}
	}
}

func TestWebDIDInvalid(t *testing.T) {
	for _, base := range []string{
		"http://example.com", "ftp://example.com", "https://user@example.com", "https://example.com?x=1",
		"https://example.com#f", "https://example.com/a//b", "https://example.com/./b", "https://example.com/../b",
		"https://", "https://exa_mple.com", "https://example.com:0", "https://example.com:99999", "example.com",
		"https://-example.com", "https://example..com",
	} {
		if d, err := WebDID(base); err == nil {
			t.Errorf("WebDID(%q) = %s, want error", base, d)
		}
	}
	for _, d := range []string{
		"did:web:", "did:web:example.com:", "did:web:example.com::a", "did:web:example.com%2Fevil.com",
		"did:web:evil.com%2F%40good.com", "did:web:example.com%3Aabc", "did:web:example.com%3A0",
		"did:web:example.com:..", "did:web:example.com:.", "did:web:example.com:a%2Fb", "did:web:example.com:a%3Fb",
		"did:web:example.com%40x", "did:web:%5B%3A%3A1", "did:web:%3A%3A1", "did:key:z6Mk", "did:web:example.com#frag",
		"did:web:example.com/path", "did:web:ex%ZZ.com", "did:WEB:example.com", "did:web:exa mple.com",
	} {
		if u, err := WebDocumentURL(d); err == nil || !errors.Is(err, ErrInvalidDID) {
			t.Errorf("WebDocumentURL(%q) = %s, %v; want ErrInvalidDID", d, u, err)
		}
	}
}

// webServer serves DID documents by path over TLS and counts requests.
type webServer struct {
	*httptest.Server
	docs  map[string]string // path -> body
	hits  atomic.Int32
	extra func(w http.ResponseWriter, r *http.Request) bool // true: handled
}

func newWebServer(t *testing.T, tlsOn bool) *webServer {
	s := &webServer{docs: map[string]string{}}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		if s.extra != nil && s.extra(w, r) {
			return
		}
		body, ok := s.docs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/did+json")
		fmt.Fprint(w, body)
	})
	s.Server = httptest.NewUnstartedServer(h)
	s.Config.ErrorLog = log.New(io.Discard, "", 0) // expected TLS handshake failures
	if tlsOn {
		s.StartTLS()
	} else {
		s.Start()
	}
	t.Cleanup(s.Close)
	return s
}

// did returns the did:web of the server's host:port plus path segments.
func (s *webServer) did(path ...string) string {
	u, _ := url.Parse(s.URL)
	return strings.Join(append([]string{"did:web:" + strings.ReplaceAll(u.Host, ":", "%3A")}, path...), ":")
}

func (s *webServer) addDoc(t *testing.T, did, path string, keys ...crypto.PublicKey) *Document {
	t.Helper()
	doc := NewDocument(did, keys...)
	if len(doc.VerificationMethod) != len(keys) {
		t.Fatalf("NewDocument(%s) has %d methods", did, len(doc.VerificationMethod))
	}
	b, _ := json.Marshal(doc)
	s.docs[path] = string(b)
	return doc
}

func mustKey(t testing.TB, alg signing.Algorithm) crypto.Signer {
	k, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestResolveWebTLS(t *testing.T) {
	srv := newWebServer(t, true)
	k := mustKey(t, signing.ES256)
	root := srv.did()
	srv.addDoc(t, root, "/.well-known/did.json", k.Public())
	issuer := srv.did("issuers", "dopa")
	srv.addDoc(t, issuer, "/issuers/dopa/did.json", k.Public())

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	r := &Resolver{HTTPClient: srv.Client(), Now: func() time.Time { return now }}
	for _, d := range []string{root, issuer} {
		doc, err := r.Resolve(t.Context(), d)
		if err != nil {
			t.Fatalf("Resolve(%s): %v", d, err)
		}
		if doc.ID != d || len(doc.VerificationMethod) != 1 {
			t.Fatalf("doc %+v", doc)
		}
		pub, err := r.ResolveKey(t.Context(), d+"#key-1", AssertionMethod)
		if err != nil || !equal(k.Public(), pub) {
			t.Fatalf("ResolveKey: %v, %v", pub, err)
		}
	}
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("%d requests, want 2 (ResolveKey must use the cache)", n)
	}

	// Cache: modifying a returned document does not affect the cache.
	doc, _ := r.Resolve(t.Context(), root)
	doc.VerificationMethod[0].PublicKeyJwk.X = "tampered"
	doc.AssertionMethod[0] = "#evil"
	if _, err := r.ResolveKey(t.Context(), root+"#key-1", AssertionMethod); err != nil {
		t.Fatalf("cache was modified through a returned document: %v", err)
	}

	// TTL expiry: after 5 minutes the document is fetched again.
	now = now.Add(5*time.Minute - time.Second)
	r.Resolve(t.Context(), root)
	if n := srv.hits.Load(); n != 2 {
		t.Fatalf("refetched before TTL: %d", n)
	}
	now = now.Add(time.Second)
	r.Resolve(t.Context(), root)
	if n := srv.hits.Load(); n != 3 {
		t.Fatalf("not refetched after TTL: %d", n)
	}

	// No cache.
	nc := &Resolver{HTTPClient: srv.Client(), CacheTTL: -1}
	nc.Resolve(t.Context(), root)
	nc.Resolve(t.Context(), root)
	if n := srv.hits.Load(); n != 5 {
		t.Fatalf("CacheTTL<0 still caches: %d", n)
	}
}

// A did:web with a DNS name, mapped to the test server by the dialer (the
// test certificate is valid for example.com).
func TestResolveWebHostMapping(t *testing.T) {
	srv := newWebServer(t, true)
	k := mustKey(t, signing.EdDSA)
	const d = "did:web:example.com:issuers:mfa"
	srv.addDoc(t, d, "/issuers/mfa/did.json", k.Public())
	var dialed atomic.Value
	client := exampleClient(srv)
	tr := client.Transport.(*http.Transport)
	dial := tr.DialContext
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		dialed.Store(a)
		return dial(ctx, network, a)
	}
	r := &Resolver{HTTPClient: client, HTTPLoopback: true} // not loopback: still https
	pub, err := r.ResolveKey(t.Context(), d+"#key-1", Authentication)
	if err != nil || !equal(k.Public(), pub) {
		t.Fatalf("ResolveKey: %v %v", pub, err)
	}
	if got := dialed.Load(); got != "example.com:443" {
		t.Fatalf("dialed %v, want example.com:443", got)
	}
}

func TestResolveWebFailures(t *testing.T) {
	srv := newWebServer(t, true)
	k := mustKey(t, signing.EdDSA)
	good := srv.did("good")
	srv.addDoc(t, good, "/good/did.json", k.Public())
	// A document served at another DID's URL.
	srv.addDoc(t, srv.did("other"), "/mismatch/did.json", k.Public())
	big := NewDocument(srv.did("big"), k.Public())
	big.Controller = strings.Repeat("x", 70<<10)
	bigJSON, _ := json.Marshal(big)
	srv.docs["/big/did.json"] = string(bigJSON)
	srv.docs["/dup/did.json"] = `{"id":"` + srv.did("dup") + `","id":"` + srv.did("dup") + `"}`
	srv.docs["/notjson/did.json"] = `<html>`
	srv.docs["/privkey/did.json"] = `{"id":"` + srv.did("privkey") + `","verificationMethod":[{"id":"#k","type":"JsonWebKey","controller":"` +
		srv.did("privkey") + `","publicKeyJwk":{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}}]}`
	srv.extra = func(w http.ResponseWriter, r *http.Request) bool {
		switch r.URL.Path {
		case "/error/did.json":
			http.Error(w, "boom", http.StatusInternalServerError)
		case "/gone/did.json":
			w.WriteHeader(http.StatusGone)
		case "/loop/did.json":
			http.Redirect(w, r, "/loop/did.json", http.StatusFound)
		case "/stream/did.json": // no Content-Length, endless
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"id":"`))
			for range 100 {
				w.Write([]byte(strings.Repeat("a", 1024)))
			}
		case "/slow/did.json":
			<-r.Context().Done()
		default:
			return false
		}
		return true
	}

	r := &Resolver{HTTPClient: srv.Client()}
	tests := []struct {
		path    string
		wantErr error // nil: any error
	}{
		{"missing", ErrNotFound},
		{"gone", ErrNotFound},
		{"mismatch", ErrInvalidDocument},
		{"big", ErrInvalidDocument},
		{"stream", ErrInvalidDocument},
		{"dup", ErrInvalidDocument},
		{"notjson", ErrInvalidDocument},
		{"privkey", ErrInvalidDocument},
		{"error", nil},
		{"loop", nil},
	}
	for _, tt := range tests {
		d := srv.did(tt.path)
		doc, err := r.Resolve(t.Context(), d)
		if err == nil || doc != nil || (tt.wantErr != nil && !errors.Is(err, tt.wantErr)) {
			t.Errorf("%s: Resolve = %v, %v; want %v", tt.path, doc, err, tt.wantErr)
		}
	}
	// Failures are not cached: the good document still resolves, and a
	// later fix to a failing document is seen.
	if _, err := r.Resolve(t.Context(), good); err != nil {
		t.Fatal(err)
	}
	srv.addDoc(t, srv.did("missing"), "/missing/did.json", k.Public())
	if _, err := r.Resolve(t.Context(), srv.did("missing")); err != nil {
		t.Fatalf("failure was cached: %v", err)
	}
	// MaxDocumentBytes is honoured both ways.
	small := &Resolver{HTTPClient: srv.Client(), MaxDocumentBytes: 100}
	if _, err := small.Resolve(t.Context(), good); !errors.Is(err, ErrInvalidDocument) {
		t.Fatalf("MaxDocumentBytes=100: %v", err)
	}
	large := &Resolver{HTTPClient: srv.Client(), MaxDocumentBytes: 1 << 20}
	if _, err := large.Resolve(t.Context(), srv.did("big")); err != nil {
		t.Fatalf("MaxDocumentBytes=1MiB: %v", err)
	}
	// Context cancellation.
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Resolve(ctx, srv.did("slow")); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("slow: %v", err)
	}
	// Without the test CA, TLS fails.
	if _, err := (&Resolver{}).Resolve(t.Context(), srv.did("good2")); err == nil {
		t.Fatal("untrusted certificate accepted")
	}
}

func TestResolveWebHTTP(t *testing.T) {
	plain := newWebServer(t, false)
	k := mustKey(t, signing.EdDSA)
	d := plain.did("dev")
	plain.addDoc(t, d, "/dev/did.json", k.Public())

	// Without HTTPLoopback the resolver speaks TLS to a plain server: fails.
	if _, err := (&Resolver{}).Resolve(t.Context(), d); err == nil {
		t.Fatal("resolved over plain http without HTTPLoopback")
	}
	if plain.hits.Load() != 0 {
		// A TLS handshake is not an HTTP request.
		t.Fatalf("plain server saw %d HTTP requests", plain.hits.Load())
	}
	r := &Resolver{HTTPLoopback: true}
	if _, err := r.ResolveKey(t.Context(), d+"#key-1", AssertionMethod); err != nil {
		t.Fatalf("HTTPLoopback: %v", err)
	}

	// Redirects from https to http: refused, unless HTTPLoopback and the
	// target is loopback. The TLS server is reached as example.com (so
	// that HTTPLoopback does not switch the first request to http).
	tlsSrv := newWebServer(t, true)
	const redirected = "did:web:example.com:redirect"
	tlsSrv.extra = func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/redirect/did.json" {
			http.Redirect(w, r, plain.URL+"/redirect/did.json", http.StatusFound)
			return true
		}
		return false
	}
	plain.addDoc(t, redirected, "/redirect/did.json", k.Public())
	before := plain.hits.Load()
	if _, err := (&Resolver{HTTPClient: exampleClient(tlsSrv)}).Resolve(t.Context(), redirected); err == nil || !strings.Contains(err.Error(), "redirect") {
		t.Fatalf("https->http redirect: %v", err)
	}
	if plain.hits.Load() != before {
		t.Fatal("downgrade redirect was followed")
	}
	if _, err := (&Resolver{HTTPClient: exampleClient(tlsSrv), HTTPLoopback: true}).Resolve(t.Context(), redirected); err != nil {
		t.Fatalf("loopback redirect with HTTPLoopback: %v", err)
	}

	// HTTPLoopback never applies to other hosts: a transport that records
	// the scheme sees https.
	var scheme atomic.Value
	rec := &Resolver{HTTPLoopback: true, HTTPClient: &http.Client{Transport: roundTripper(func(req *http.Request) (*http.Response, error) {
		scheme.Store(req.URL.Scheme)
		return nil, errors.New("stop")
	})}}
	rec.Resolve(t.Context(), "did:web:issuer.example.th")
	if scheme.Load() != "https" {
		t.Fatalf("scheme %v for a public host with HTTPLoopback", scheme.Load())
	}
	rec.Resolve(t.Context(), "did:web:localhost%3A1")
	if scheme.Load() != "http" {
		t.Fatalf("scheme %v for localhost with HTTPLoopback", scheme.Load())
	}
	// A caller's CheckRedirect still runs.
	called := false
	c := exampleClient(tlsSrv)
	c.CheckRedirect = func(*http.Request, []*http.Request) error { called = true; return errors.New("no") }
	(&Resolver{HTTPClient: c, HTTPLoopback: true}).Resolve(t.Context(), redirected)
	if !called {
		t.Fatal("caller's CheckRedirect was not called")
	}
}

// exampleClient is the server's client with every TLS dial sent to the
// server, so that did:web:example.com resolves to it (the httptest
// certificate is valid for example.com). Plain-http dials to other
// addresses go where they say.
func exampleClient(srv *webServer) *http.Client {
	client := srv.Client()
	tr := client.Transport.(*http.Transport).Clone()
	addr := srv.Listener.Addr().String()
	tr.DialContext = func(ctx context.Context, network, a string) (net.Conn, error) {
		if strings.HasPrefix(a, "example.com:") {
			a = addr
		}
		return (&net.Dialer{}).DialContext(ctx, network, a)
	}
	client.Transport = tr
	return client
}

type roundTripper func(*http.Request) (*http.Response, error)

func (f roundTripper) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestResolveConcurrent(t *testing.T) {
	srv := newWebServer(t, true)
	k := mustKey(t, signing.EdDSA)
	d := srv.did("c")
	srv.addDoc(t, d, "/c/did.json", k.Public())
	r := &Resolver{HTTPClient: srv.Client()}
	done := make(chan error)
	for range 8 {
		go func() {
			_, err := r.ResolveKey(context.Background(), d+"#key-1", AssertionMethod)
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
