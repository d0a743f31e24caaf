package holder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

const (
	// DefaultMaxResponseBytes bounds what the wallet reads from an issuer
	// or verifier when Config.MaxResponseBytes is zero.
	DefaultMaxResponseBytes = 1 << 20
	// DefaultHTTPTimeout bounds each HTTP exchange when Config.HTTPClient
	// is nil.
	DefaultHTTPTimeout = 15 * time.Second
	maxRedirects       = 3
	userAgent          = "thaitrust-wallet/1"
)

// checkURL accepts https URLs, and http URLs of loopback hosts
// (127.0.0.0/8, ::1, localhost) for development servers on the same
// machine. It refuses user info and fragments.
func checkURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fail(ReasonInsecureURL, "not a URL: %v", err)
	}
	if u.Host == "" || u.User != nil || u.Fragment != "" {
		return nil, fail(ReasonInsecureURL, "%q is not an absolute https URL without user info or fragment", truncate(raw))
	}
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && isLoopback(u.Hostname()):
	default:
		return nil, fail(ReasonInsecureURL, "%q: only https (or http to a loopback host) is allowed", truncate(raw))
	}
	return u, nil
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// defaultHTTPClient is the client the wallet uses when Config.HTTPClient
// is nil.
func defaultHTTPClient() *http.Client {
	return &http.Client{Timeout: DefaultHTTPTimeout}
}

// fetcher makes the wallet's HTTP requests: URL policy, redirect policy,
// size limits, strict JSON.
type fetcher struct {
	client *http.Client
	max    int64
}

func newFetcher(c *http.Client, max int64) *fetcher {
	if c == nil {
		c = defaultHTTPClient()
	}
	cc := *c
	next := cc.CheckRedirect
	cc.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) >= maxRedirects {
			return errors.New("too many redirects")
		}
		if _, err := checkURL(req.URL.String()); err != nil {
			return err
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
	if max <= 0 {
		max = DefaultMaxResponseBytes
	}
	return &fetcher{client: &cc, max: max}
}

// response is a read, size-checked HTTP response.
type response struct {
	status      int
	contentType string // media type, lower case, no parameters
	body        []byte
}

func (f *fetcher) do(ctx context.Context, method, rawURL string, header http.Header, body io.Reader) (*response, error) {
	u, err := checkURL(rawURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, fail(ReasonHTTP, "%v", err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fail(ReasonHTTP, "%s %s: %v", method, redact(u), err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > f.max {
		return nil, fail(ReasonTooLarge, "%s %s: %d bytes (limit %d)", method, redact(u), resp.ContentLength, f.max)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, f.max+1))
	if err != nil {
		return nil, fail(ReasonHTTP, "%s %s: %v", method, redact(u), err)
	}
	if int64(len(data)) > f.max {
		return nil, fail(ReasonTooLarge, "%s %s: more than %d bytes", method, redact(u), f.max)
	}
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	return &response{status: resp.StatusCode, contentType: strings.ToLower(mt), body: data}, nil
}

// getJSON GETs a JSON object, requiring 200.
func (f *fetcher) getJSON(ctx context.Context, rawURL string) (map[string]any, error) {
	r, err := f.do(ctx, http.MethodGet, rawURL, http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		return nil, err
	}
	if r.status != http.StatusOK {
		return nil, httpStatusError(r, rawURL)
	}
	return r.jsonObject(rawURL)
}

func (r *response) jsonObject(rawURL string) (map[string]any, error) {
	m, err := jsonx.ParseObject(r.body)
	if err != nil {
		return nil, fail(ReasonHTTP, "%s: response is not a JSON object: %v", redactString(rawURL), err)
	}
	return m, nil
}

// oauthError is an OAuth 2.0 error response (RFC 6749 section 5.2).
type oauthError struct {
	Status      int
	Code        string
	Description string
}

func (e *oauthError) Error() string {
	s := fmt.Sprintf("HTTP %d", e.Status)
	if e.Code != "" {
		s += ": " + e.Code
	}
	if e.Description != "" {
		s += ": " + truncate(e.Description)
	}
	return s
}

func httpStatusError(r *response, rawURL string) error {
	oe := &oauthError{Status: r.status}
	if m, err := jsonx.ParseObject(r.body); err == nil {
		oe.Code, _ = m["error"].(string)
		oe.Description, _ = m["error_description"].(string)
		if oe.Description == "" {
			oe.Description, _ = m["detail"].(string) // RFC 9457 problem
		}
	}
	if oe.Code != "" {
		return &Error{Reason: ReasonIssuerError, Err: fmt.Errorf("%s: %w", redactString(rawURL), oe)}
	}
	return &Error{Reason: ReasonHTTP, Err: fmt.Errorf("%s: %w", redactString(rawURL), oe)}
}

// redact drops the query string, which may carry codes.
func redact(u *url.URL) string {
	c := *u
	c.RawQuery = ""
	return c.String()
}

func redactString(s string) string {
	if u, err := url.Parse(s); err == nil {
		return redact(u)
	}
	return truncate(s)
}

func truncate(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}
