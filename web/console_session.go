package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/issuer"
)

// Sessions of the issuer console.
//
// A person signs in with an API client's bearer token (the token the
// client uses for POST /issuers/{name}/credentials/issue). The token is
// checked against every client's SHA-256 in constant time and then
// forgotten: the browser gets a random 256-bit session id in a cookie
// (HttpOnly, SameSite=Strict, Secure when the server is reached over
// https), and the server keeps, under the SHA-256 of that id, only the
// client's id and scopes. The token never appears in a page.
//
// Sessions live in memory: a restart signs everyone out. They end after
// 30 minutes without a request or 12 hours in all (the AAL2 session rule
// of DGS 1-2:2564), and on sign-out.
const (
	sessionCookie   = "console_session"
	sessionIdle     = 30 * time.Minute
	sessionMax      = 12 * time.Hour
	maxSessions     = 1000
	maxKeptIssued   = 20      // credentials a session keeps for download
	maxTokenLength  = 4 << 10 // longer "tokens" are refused unread
	loginFormMaxLen = 8 << 10
)

// consoleState holds the sessions.
type consoleState struct {
	mu       sync.Mutex
	sessions map[[32]byte]*consoleSession
}

// consoleSession is one signed-in browser.
type consoleSession struct {
	principal httpx.Principal
	created   time.Time
	seen      time.Time
	// issued are the credentials issued in this session, newest last:
	// the issuer keeps no claims (unless keep_credentials), so this is
	// what the PDF and the token are made from after the issue page.
	issued []*issuer.Issued
}

// keep remembers a credential issued in the session (the most recent
// maxKeptIssued).
func (s *consoleSession) keep(out *issuer.Issued) {
	s.issued = append(s.issued, out)
	if len(s.issued) > maxKeptIssued {
		s.issued = s.issued[len(s.issued)-maxKeptIssued:]
	}
}

// kept returns a credential issued in the session by issuer and id.
func (s *consoleSession) kept(issuerName, id string) *issuer.Issued {
	for _, x := range s.issued {
		if x.Record.Issuer == issuerName && x.Record.ID == id {
			return x
		}
	}
	return nil
}

// authenticate returns the client whose token this is. Every client's
// hash is compared, in constant time, whatever matched before.
func authenticate(clients []httpx.Client, token string) (httpx.Principal, bool) {
	if token == "" || len(token) > maxTokenLength {
		return httpx.Principal{}, false
	}
	got := []byte(httpx.TokenHash(token))
	var found *httpx.Client
	for i := range clients {
		want := []byte(clients[i].TokenHash)
		if len(want) == len(got) && subtle.ConstantTimeCompare(got, want) == 1 && found == nil {
			found = &clients[i]
		}
	}
	if found == nil {
		return httpx.Principal{}, false
	}
	return httpx.Principal{ID: found.ID, Scopes: append([]string(nil), found.Scopes...)}, true
}

func sessionKey(id string) [32]byte { return sha256.Sum256([]byte(id)) }

// newSession starts a session for p and returns its id (the cookie's
// value).
func (st *consoleState) newSession(p httpx.Principal, now time.Time) string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand)
	id := base64.RawURLEncoding.EncodeToString(b[:])
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.sessions == nil {
		st.sessions = map[[32]byte]*consoleSession{}
	}
	st.gc(now)
	if len(st.sessions) >= maxSessions {
		// Full: the session idle longest makes room.
		var oldest [32]byte
		var t time.Time
		for k, s := range st.sessions {
			if t.IsZero() || s.seen.Before(t) {
				oldest, t = k, s.seen
			}
		}
		delete(st.sessions, oldest)
	}
	st.sessions[sessionKey(id)] = &consoleSession{principal: p, created: now, seen: now}
	return id
}

// gc drops ended sessions; st.mu is held.
func (st *consoleState) gc(now time.Time) {
	for k, s := range st.sessions {
		if s.ended(now) {
			delete(st.sessions, k)
		}
	}
}

func (s *consoleSession) ended(now time.Time) bool {
	return now.Sub(s.seen) >= sessionIdle || now.Sub(s.created) >= sessionMax
}

// lookup returns the live session with this id and marks it seen; fn
// runs under the lock (sessions are shared by concurrent requests).
func (st *consoleState) lookup(id string, now time.Time, fn func(*consoleSession)) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	k := sessionKey(id)
	s, ok := st.sessions[k]
	if !ok {
		return false
	}
	if s.ended(now) {
		delete(st.sessions, k)
		return false
	}
	s.seen = now
	if fn != nil {
		fn(s)
	}
	return true
}

func (st *consoleState) end(id string) {
	st.mu.Lock()
	defer st.mu.Unlock()
	delete(st.sessions, sessionKey(id))
}

// secureCookies reports whether cookies must be Secure: the request came
// over TLS, or the server's public URL is https (behind a proxy that
// ends TLS).
func (h *Handler) secureCookies(c *echo.Context) bool {
	return c.Request().TLS != nil || strings.HasPrefix(h.PublicURL, "https://")
}

func (h *Handler) setSessionCookie(c *echo.Context, id string, maxAge int) {
	c.SetCookie(&http.Cookie{
		Name: sessionCookie, Value: id, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: h.secureCookies(c),
	})
}

// session returns the request's console session (ok false when signed
// out); fn, when not nil, runs with the session locked.
func (h *Handler) session(c *echo.Context, fn func(*consoleSession)) (httpx.Principal, bool) {
	ck, err := c.Cookie(sessionCookie)
	if err != nil {
		return httpx.Principal{}, false
	}
	var p httpx.Principal
	ok := h.console.lookup(ck.Value, h.now(), func(s *consoleSession) {
		p = s.principal
		if fn != nil {
			fn(s)
		}
	})
	return p, ok
}

// isLocalRequest reports whether the request comes straight from this
// machine: a loopback peer and no header saying a proxy forwarded it.
func isLocalRequest(r *http.Request) bool {
	for _, hd := range []string{"Forwarded", "X-Forwarded-For", "X-Real-Ip", "X-Forwarded-Host"} {
		if r.Header.Get(hd) != "" {
			return false
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
