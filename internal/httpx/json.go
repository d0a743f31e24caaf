package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// DefaultMaxBody bounds JSON request bodies unless a route says otherwise.
const DefaultMaxBody = 1 << 20

// WriteJSON writes v as JSON with the given content type. HTML-significant
// characters are not escaped (JSON is not embedded in HTML here) so Thai
// and URLs stay readable.
func WriteJSON(c *echo.Context, status int, contentType string, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return c.Blob(status, contentType, buf.Bytes())
}

// JSON writes v as application/json.
func JSON(c *echo.Context, status int, v any) error {
	return WriteJSON(c, status, "application/json", v)
}

// ReadBody reads the request body, at most max bytes (0: DefaultMaxBody).
// A longer body is a 413 problem.
func ReadBody(c *echo.Context, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBody
	}
	body, err := io.ReadAll(io.LimitReader(c.Request().Body, max+1))
	if err != nil {
		return nil, BadRequest("body_unreadable", "the request body could not be read")
	}
	if int64(len(body)) > max {
		p := NewProblem(http.StatusRequestEntityTooLarge, "body-too-large", "the request body is larger than the limit for this endpoint")
		return nil, p
	}
	return body, nil
}

// ReadJSONObject reads a JSON object body strictly (no duplicate keys,
// valid UTF-8; see internal/jsonx). The content type must be JSON.
func ReadJSONObject(c *echo.Context, max int64) (map[string]any, error) {
	if ct := c.Request().Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || !(mt == "application/json" || (len(mt) > 5 && mt[len(mt)-5:] == "+json")) {
			return nil, NewProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send the body as application/json")
		}
	}
	body, err := ReadBody(c, max)
	if err != nil {
		return nil, err
	}
	obj, err := jsonx.ParseObject(body)
	if err != nil {
		var se *jsonx.SyntaxError
		detail := "the request body is not a valid JSON object"
		if errors.As(err, &se) {
			detail += ": " + se.Error()
		}
		return nil, BadRequest("malformed_json", detail)
	}
	return obj, nil
}

// PathParam returns a path parameter decoded exactly once. Echo matches
// routes on the escaped path when the request's escaping differs from the
// default (URL.RawPath is set) and then hands out parameters still
// escaped; otherwise it hands them out decoded. Unescaping every parameter
// would decode the second kind twice (an id containing "%25" would lose
// it), and unescaping none would leave "%2F" in the first.
func PathParam(c *echo.Context, name string) (string, error) {
	v := c.Param(name)
	if c.Request().URL.RawPath == "" {
		return v, nil
	}
	return url.PathUnescape(v)
}
