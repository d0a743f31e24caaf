package httpx

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v5"
)

// ProblemBase prefixes the type URIs of ThaiTrust problems. The pages
// behind them are part of the documentation.
const ProblemBase = "https://thaitrust.example/problems/"

// MediaTypeProblem is the content type of RFC 9457 problem details.
const MediaTypeProblem = "application/problem+json"

// FieldError names one invalid member of a request.
type FieldError struct {
	Field   string `json:"field"`             // JSON pointer into the request body
	Reason  string `json:"reason"`            // stable machine-readable code
	Message string `json:"message,omitempty"` // English sentence
}

// Problem is an RFC 9457 problem detail, and an error. Handlers return it
// to choose the status and the words the client sees.
type Problem struct {
	Type     string       `json:"type"`
	Title    string       `json:"title"`
	Status   int          `json:"status"`
	Detail   string       `json:"detail,omitempty"`
	Instance string       `json:"instance,omitempty"`
	Reason   string       `json:"reason,omitempty"`     // stable machine-readable code
	Errors   []FieldError `json:"errors,omitempty"`     // per-field problems
	Request  string       `json:"request_id,omitempty"` // for support: matches the logs

	// Err is the cause, logged but never sent.
	Err error `json:"-"`
}

// NewProblem returns a problem with a status, a type slug (appended to
// ProblemBase) and a detail sentence.
func NewProblem(status int, slug, detail string) *Problem {
	return &Problem{Type: ProblemBase + slug, Title: http.StatusText(status), Status: status, Detail: detail, Reason: strings.ReplaceAll(slug, "-", "_")}
}

// BadRequest is a 400 problem for input the client must fix.
func BadRequest(reason, detail string, fields ...FieldError) *Problem {
	p := NewProblem(http.StatusBadRequest, strings.ReplaceAll(reason, "_", "-"), detail)
	p.Reason = reason
	p.Errors = fields
	return p
}

// Error implements error.
func (p *Problem) Error() string {
	if p.Err != nil {
		return fmt.Sprintf("%d %s: %s: %v", p.Status, p.Title, p.Detail, p.Err)
	}
	return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail)
}

// Unwrap returns the cause.
func (p *Problem) Unwrap() error { return p.Err }

// StatusCode implements echo.HTTPStatusCoder.
func (p *Problem) StatusCode() int { return p.Status }

// ErrorHandler renders every error as problem JSON. Errors that are not
// *Problem or echo status errors are logged and answered with a 500 that
// reveals nothing but the request id.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(c *echo.Context, err error) {
		if r, _ := echo.UnwrapResponse(c.Response()); r != nil && r.Committed {
			return
		}
		p := toProblem(err)
		p.Request = RequestID(c)
		if p.Instance == "" {
			p.Instance = c.Request().URL.Path
		}
		if p.Status >= 500 {
			log.ErrorContext(c.Request().Context(), "request failed",
				"request_id", p.Request, "path", c.Path(), "status", p.Status, "error", errString(err))
		}
		if c.Request().Method == http.MethodHead {
			_ = c.NoContent(p.Status)
			return
		}
		_ = WriteJSON(c, p.Status, MediaTypeProblem, p)
	}
}

func toProblem(err error) *Problem {
	var p *Problem
	if errors.As(err, &p) {
		cp := *p
		if cp.Title == "" {
			cp.Title = http.StatusText(cp.Status)
		}
		return &cp
	}
	var sc echo.HTTPStatusCoder
	if errors.As(err, &sc) && sc.StatusCode() != 0 && sc.StatusCode() < 500 {
		code := sc.StatusCode()
		slug := map[int]string{
			http.StatusNotFound:              "not-found",
			http.StatusMethodNotAllowed:      "method-not-allowed",
			http.StatusRequestEntityTooLarge: "body-too-large",
			http.StatusUnsupportedMediaType:  "unsupported-media-type",
			http.StatusUnauthorized:          "unauthorized",
			http.StatusForbidden:             "forbidden",
			http.StatusTooManyRequests:       "rate-limited",
		}[code]
		if slug == "" {
			slug = "bad-request"
		}
		detail := http.StatusText(code)
		var he *echo.HTTPError
		if errors.As(err, &he) && he.Message != "" {
			detail = he.Message
		}
		return NewProblem(code, slug, detail)
	}
	return &Problem{Type: ProblemBase + "internal", Title: http.StatusText(http.StatusInternalServerError),
		Status: http.StatusInternalServerError, Detail: "internal error; quote the request id when reporting it", Reason: "internal", Err: err}
}

// errString is the logged form of an error: its message only.
func errString(err error) string {
	if err == nil {
		return ""
	}
	s := err.Error()
	if len(s) > 500 {
		s = s[:500] + "..."
	}
	return s
}
