package did

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// WebDID returns the did:web for a base URL (did:web spec section 3.2):
// "https://host:port/issuers/dopa" -> "did:web:host%3Aport:issuers:dopa".
// The URL must be https (http is accepted for loopback hosts only, for
// development) and must have no user info, query or fragment. A trailing
// slash is ignored; empty, "." and ".." path segments are refused.
func WebDID(baseURL string) (string, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return "", fmt.Errorf("%w: base URL: %v", ErrInvalidDID, err)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return "", fmt.Errorf("%w: did:web base URL must be https", ErrInvalidDID)
	}
	if u.Opaque != "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return "", fmt.Errorf("%w: did:web base URL must be scheme://host[:port][/path]", ErrInvalidDID)
	}
	if err := checkHost(u.Host); err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("did:web:")
	b.WriteString(escape(u.Host))
	if p := strings.TrimSuffix(u.Path, "/"); p != "" {
		for _, seg := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
			if seg == "" || seg == "." || seg == ".." {
				return "", fmt.Errorf("%w: did:web base URL path has an empty, . or .. segment", ErrInvalidDID)
			}
			b.WriteByte(':')
			b.WriteString(escape(seg))
		}
	}
	did := b.String()
	if _, _, err := parseDID(did); err != nil {
		return "", err
	}
	return did, nil
}

// WebDocumentURL is the inverse of WebDID: the URL of a did:web's
// document. "did:web:example.com" -> "https://example.com/.well-known/did.json";
// "did:web:example.com%3A8443:a:b" -> "https://example.com:8443/a/b/did.json".
// It always returns https; Resolver.HTTPLoopback decides whether to use
// http for loopback hosts.
func WebDocumentURL(did string) (string, error) {
	u, err := webURL(did)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}

func webURL(did string) (*url.URL, error) {
	method, msid, err := parseDID(did)
	if err != nil {
		return nil, err
	}
	if method != "web" {
		return nil, fmt.Errorf("%w: not a did:web", ErrInvalidDID)
	}
	parts := strings.Split(msid, ":")
	host, err := url.PathUnescape(parts[0])
	if err != nil {
		return nil, fmt.Errorf("%w: bad percent-encoding in did:web host", ErrInvalidDID)
	}
	if err := checkHost(host); err != nil {
		return nil, err
	}
	u := &url.URL{Scheme: "https", Host: host}
	var path strings.Builder
	if len(parts) == 1 {
		path.WriteString("/.well-known")
	}
	for _, p := range parts[1:] {
		seg, err := url.PathUnescape(p)
		if err != nil || seg == "" || seg == "." || seg == ".." || strings.ContainsAny(seg, "/\\?#") {
			return nil, fmt.Errorf("%w: bad did:web path segment %q", ErrInvalidDID, truncate(p))
		}
		path.WriteByte('/')
		path.WriteString(seg)
	}
	path.WriteString("/did.json")
	u.Path = path.String()
	return u, nil
}

// checkHost accepts a DNS name, IPv4 address or bracketed IPv6 address,
// with an optional port; nothing that could change the URL's meaning
// (user info, path, ...).
func checkHost(hostport string) error {
	host, port := hostport, ""
	if h, p, err := net.SplitHostPort(hostport); err == nil {
		host, port = h, p
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 || port[0] == '0' {
			return fmt.Errorf("%w: bad port in did:web host", ErrInvalidDID)
		}
	} else if strings.HasPrefix(hostport, "[") && strings.HasSuffix(hostport, "]") {
		host = hostport[1 : len(hostport)-1]
	}
	if host == "" || len(host) > 253 {
		return fmt.Errorf("%w: empty or overlong did:web host", ErrInvalidDID)
	}
	if strings.Contains(host, ":") { // IPv6 must be bracketed
		if ip := net.ParseIP(host); ip == nil || !strings.HasPrefix(hostport, "[") {
			return fmt.Errorf("%w: bad IPv6 address in did:web host", ErrInvalidDID)
		}
		return nil
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			return fmt.Errorf("%w: character %q not allowed in did:web host", ErrInvalidDID, c)
		}
	}
	if host[0] == '.' || host[0] == '-' || strings.Contains(host, "..") {
		return fmt.Errorf("%w: bad did:web host name", ErrInvalidDID)
	}
	return nil
}

// escape percent-encodes everything but the DID idchars other than ':'.
func escape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// isLoopback reports whether host (no port, no brackets) is "localhost"
// or an IP literal in 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
