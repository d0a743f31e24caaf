package verifier_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/verifier"
)

func TestFetcher(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/list", func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept"), "application/vc+jwt") {
			t.Errorf("Accept %q", r.Header.Get("Accept"))
		}
		w.Write([]byte("token"))
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 2048)) })
	mux.HandleFunc("/gone", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) })
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/list", http.StatusFound) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:1/list", http.StatusFound)
	})
	plain := httptest.NewServer(mux)
	defer plain.Close()
	ctx := context.Background()

	tests := []struct {
		name    string
		f       *verifier.Fetcher
		url     string
		want    string
		wantErr string
	}{
		{"plain http refused", &verifier.Fetcher{}, plain.URL + "/list", "", "only https"},
		{"plain http to loopback with HTTPLoopback", &verifier.Fetcher{HTTPLoopback: true}, plain.URL + "/list", "token", ""},
		{"plain http elsewhere even with HTTPLoopback", &verifier.Fetcher{HTTPLoopback: true}, "http://status.example/list", "", "only https"},
		{"other schemes refused", &verifier.Fetcher{HTTPLoopback: true}, "file:///etc/passwd", "", "only https"},
		{"not a URL", &verifier.Fetcher{}, "://", "", "fetch"},
		{"too large", &verifier.Fetcher{HTTPLoopback: true, MaxBytes: 1024}, plain.URL + "/big", "", "larger than 1024"},
		{"HTTP error", &verifier.Fetcher{HTTPLoopback: true}, plain.URL + "/gone", "", "HTTP 410"},
		{"redirect on the same origin", &verifier.Fetcher{HTTPLoopback: true}, plain.URL + "/here", "token", ""},
		{"redirect to another origin", &verifier.Fetcher{HTTPLoopback: true}, plain.URL + "/away", "", "another origin"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.f.Fetch(ctx, tt.url)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
					t.Fatalf("got %q, %v; want an error with %q", got, err, tt.wantErr)
				}
				if !strings.HasPrefix(err.Error(), "verifier: ") {
					t.Errorf("message %q lacks the package prefix", err)
				}
				return
			}
			if err != nil || string(got) != tt.want {
				t.Fatalf("got %q, %v; want %q", got, err, tt.want)
			}
		})
	}

	// HTTPS with the server's own client.
	tls := httptest.NewTLSServer(mux)
	defer tls.Close()
	f := &verifier.Fetcher{Client: tls.Client()}
	if got, err := f.Fetch(ctx, tls.URL+"/list"); err != nil || string(got) != "token" {
		t.Fatalf("https: %q, %v", got, err)
	}
	for _, h := range []string{"localhost", "127.0.0.1", "::1", "127.8.9.10"} {
		if !verifier.IsLoopback(h) {
			t.Errorf("IsLoopback(%q) = false", h)
		}
	}
	for _, h := range []string{"10.0.0.1", "example.com", "localhost.example.com", ""} {
		if verifier.IsLoopback(h) {
			t.Errorf("IsLoopback(%q) = true", h)
		}
	}
}
