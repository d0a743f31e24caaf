package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
)

// remote is a ThaiTrust server reached over HTTP.
type remote struct {
	base  string
	token string
	http  *http.Client
}

// target decides where a command acts: the server named by --server (or
// THAITRUST_SERVER), or else the local data directory -- and when a
// running server holds that directory, that server (its URL and demo
// token come from the directory).
type target struct {
	remote *remote
	local  *app.App
}

func (t *target) Close() {
	if t.local != nil {
		t.local.Close()
	}
}

func openTarget(ctx context.Context, e *env, server, token, data string) (*target, error) {
	if server == "" {
		server = e.getenv("THAITRUST_SERVER")
	}
	if token == "" {
		token = e.getenv("THAITRUST_TOKEN")
	}
	if token == "" {
		token = e.getenv(app.EnvDemoToken)
	}
	if server != "" {
		if token == "" {
			return nil, usagef("--server needs a token: --token or THAITRUST_TOKEN")
		}
		return &target{remote: newRemote(server, token)}, nil
	}
	dir := dataDir(e, data)
	if _, err := os.Stat(filepath.Join(dir, app.ConfigFile)); err != nil {
		return nil, usagef("no data directory at %s (give --data DIR, or --server URL --token TOKEN)", dir)
	}
	a, err := app.Open(ctx, app.Options{DataDir: dir, Store: e.getenv(app.EnvStore), Log: quietLog(e)})
	if errors.Is(err, bolt.ErrLocked) {
		cfg, cerr := app.LoadConfig(dir)
		if cerr != nil {
			return nil, cerr
		}
		if token == "" {
			if b, rerr := os.ReadFile(filepath.Join(dir, "secrets", "demo-token")); rerr == nil {
				token = strings.TrimSpace(string(b))
			}
		}
		if token == "" {
			return nil, fmt.Errorf("%s is in use by a running server; give --server %s --token TOKEN", dir, cfg.PublicURL)
		}
		fmt.Fprintf(e.stderr, "(%s is in use by the server at %s; sending the request there)\n", dir, cfg.PublicURL)
		return &target{remote: newRemote(cfg.PublicURL, token)}, nil
	}
	if err != nil {
		return nil, err
	}
	return &target{local: a}, nil
}

func newRemote(base, token string) *remote {
	return &remote{base: strings.TrimSuffix(base, "/"), token: token, http: &http.Client{Timeout: 30 * time.Second}}
}

// problemError is an RFC 9457 problem returned by the server.
type problemError struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail"`
	Reason string `json:"reason"`
	Errors []struct {
		Field   string `json:"field"`
		Reason  string `json:"reason"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *problemError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "server answered %d %s: %s", p.Status, p.Title, p.Detail)
	for _, f := range p.Errors {
		fmt.Fprintf(&b, "\n  %s: %s %s", f.Field, f.Reason, f.Message)
	}
	return b.String()
}

// do sends a JSON request and decodes a JSON answer into out.
func (r *remote) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.base+path, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+r.token)
	resp, err := r.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		p := &problemError{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
		_ = json.Unmarshal(b, p)
		return p
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}
