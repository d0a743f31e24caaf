package verifier

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"time"
)

// Fetcher fetches status lists and other published documents over HTTPS.
type Fetcher struct {
	// Client makes the requests; nil means a client with a 10 s timeout
	// that does not follow redirects to other hosts.
	Client *http.Client
	// MaxBytes bounds a response body; zero means 1 MiB.
	MaxBytes int64
	// HTTPLoopback permits plain http:// URLs whose host is a loopback
	// address (127.0.0.0/8, ::1, localhost). Zero value: HTTPS only.
	HTTPLoopback bool
}

var defaultClient = &http.Client{
	Timeout: 10 * time.Second,
	CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("too many redirects")
		}
		if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme {
			return errors.New("redirect to another origin")
		}
		return nil
	},
}

// Fetch GETs u and returns the body.
func (f *Fetcher) Fetch(ctx context.Context, u string) ([]byte, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, fmt.Errorf("verifier: fetch %q: %w", u, err)
	}
	switch {
	case parsed.Scheme == "https":
	case parsed.Scheme == "http" && f.HTTPLoopback && IsLoopback(parsed.Hostname()):
	default:
		return nil, fmt.Errorf("verifier: fetch %s: only https URLs are fetched", u)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/vc+jwt, application/vc+ld+json;q=0.5, application/json;q=0.4")
	c := f.Client
	if c == nil {
		c = defaultClient
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, fmt.Errorf("verifier: fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("verifier: fetch %s: HTTP %d", u, resp.StatusCode)
	}
	max := f.MaxBytes
	if max <= 0 {
		max = 1 << 20
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("verifier: fetch %s: %w", u, err)
	}
	if int64(len(body)) > max {
		return nil, fmt.Errorf("verifier: fetch %s: response larger than %d bytes", u, max)
	}
	return body, nil
}

// IsLoopback reports whether host names the local machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
