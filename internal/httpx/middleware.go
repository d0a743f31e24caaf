package httpx

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v5"
)

const requestIDKey = "thaitrust.request_id"

// HeaderRequestID carries the request id in requests and responses.
const HeaderRequestID = "X-Request-Id"

// RequestID returns the request's id ("" outside the middleware).
func RequestID(c *echo.Context) string {
	id, _ := c.Get(requestIDKey).(string)
	return id
}

// newRequestID returns 16 random bytes in hex.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// requestIDs gives every request an id (a well-formed incoming one is
// kept, so ids follow a request through proxies) and echoes it back.
func requestIDs(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		id := c.Request().Header.Get(HeaderRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		c.Set(requestIDKey, id)
		c.Response().Header().Set(HeaderRequestID, id)
		return next(c)
	}
}

func validRequestID(s string) bool {
	if len(s) < 8 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// accessLog logs one line per request: method, route, status, duration,
// request id. Never the query string or the body.
func accessLog(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			start := time.Now()
			err := next(c)
			status := 0
			if r, _ := echo.UnwrapResponse(c.Response()); r != nil {
				status = r.Status
			}
			if err != nil {
				status = toProblem(err).Status
			}
			route := c.Path()
			if route == "" {
				route = "(no route)"
			}
			log.LogAttrs(c.Request().Context(), slog.LevelInfo, "http",
				slog.String("method", c.Request().Method),
				slog.String("route", route),
				slog.Int("status", status),
				slog.Duration("duration", time.Since(start)),
				slog.String("request_id", RequestID(c)))
			return err
		}
	}
}

// recoverPanics turns a panic into a 500 problem. The panic value's type
// is logged, not its text (it may hold data) and not the stack.
func recoverPanics(log *slog.Logger) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) (err error) {
			defer func() {
				if r := recover(); r != nil {
					if r == http.ErrAbortHandler {
						panic(r)
					}
					log.ErrorContext(c.Request().Context(), "panic recovered",
						"request_id", RequestID(c), "route", c.Path(), "panic_type", typeName(r))
					err = &Problem{Type: ProblemBase + "internal", Title: "Internal Server Error", Status: http.StatusInternalServerError,
						Detail: "internal error; quote the request id when reporting it", Reason: "internal"}
				}
			}()
			return next(c)
		}
	}
}

func typeName(v any) string {
	switch v.(type) {
	case error:
		return "error"
	case string:
		return "string"
	default:
		return "other"
	}
}

// securityHeaders sets conservative defaults; pages may relax CSP for
// their own needs by setting the header themselves.
func securityHeaders(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		h := c.Response().Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		if strings.HasPrefix(c.Request().URL.Path, "/issuers/") || c.Request().Method != http.MethodGet {
			h.Set("Cache-Control", "no-store")
		}
		return next(c)
	}
}

// Principal is who a bearer token belongs to.
type Principal struct {
	ID     string   // client id
	Scopes []string // e.g. issuer names the client may act for
}

// HasScope reports whether p may act for scope ("*" allows all).
func (p Principal) HasScope(scope string) bool {
	for _, s := range p.Scopes {
		if s == "*" || s == scope {
			return true
		}
	}
	return false
}

const principalKey = "thaitrust.principal"

// PrincipalOf returns the authenticated principal (ok false when the
// route is not behind Bearer).
func PrincipalOf(c *echo.Context) (Principal, bool) {
	p, ok := c.Get(principalKey).(Principal)
	return p, ok
}

// TokenHash is the stored form of a bearer token: SHA-256, hex.
func TokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Client is a registered API client: its id, the SHA-256 of its bearer
// token (TokenHash) and its scopes.
type Client struct {
	ID        string   `json:"id"`
	TokenHash string   `json:"token_sha256"`
	Scopes    []string `json:"scopes"`
}

// Bearer authenticates requests by "Authorization: Bearer <token>" against
// clients. Every client's hash is compared in constant time, so timing
// does not reveal which client (or how much of a hash) matched.
func Bearer(clients []Client) echo.MiddlewareFunc {
	type entry struct {
		hash []byte
		p    Principal
	}
	entries := make([]entry, 0, len(clients))
	for _, cl := range clients {
		h, err := hex.DecodeString(cl.TokenHash)
		if err != nil || len(h) != sha256.Size {
			continue // a malformed hash can never match
		}
		entries = append(entries, entry{h, Principal{ID: cl.ID, Scopes: cl.Scopes}})
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c *echo.Context) error {
			auth := c.Request().Header.Get("Authorization")
			scheme, token, ok := strings.Cut(auth, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="thaitrust"`)
				return NewProblem(http.StatusUnauthorized, "unauthorized", "send an issuer client token as Authorization: Bearer <token>")
			}
			sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
			var found Principal
			match := 0
			for _, e := range entries {
				if subtle.ConstantTimeCompare(sum[:], e.hash) == 1 {
					found = e.p
					match = 1
				}
			}
			if match == 0 {
				c.Response().Header().Set("WWW-Authenticate", `Bearer realm="thaitrust", error="invalid_token"`)
				return NewProblem(http.StatusUnauthorized, "unauthorized", "the bearer token is not valid")
			}
			c.Set(principalKey, found)
			return next(c)
		}
	}
}
