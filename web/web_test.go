package web

import (
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/internal/httpx"
)

// TestDictionaryComplete: every key has both languages, and every key a
// template or the navigation names is in the dictionary.
func TestDictionaryComplete(t *testing.T) {
	for k, e := range dict {
		if strings.TrimSpace(e.th) == "" || strings.TrimSpace(e.en) == "" {
			t.Errorf("dictionary key %s lacks a language (th %q, en %q)", k, e.th, e.en)
		}
	}
	for _, n := range navItems {
		if _, ok := dict[n.Label]; !ok {
			t.Errorf("nav item %s: no dictionary key %s", n.ID, n.Label)
		}
	}
	keyRE := regexp.MustCompile(`\.T "([^"]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(templateFS, p)
		if err != nil {
			return err
		}
		for _, m := range keyRE.FindAllStringSubmatch(string(data), -1) {
			if _, ok := dict[m[1]]; !ok {
				t.Errorf("%s: dictionary key %s is missing", p, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newTestServer serves h as the app does (httpx's middleware and error
// rendering).
func newTestServer(t *testing.T, h *Handler) *echo.Echo {
	t.Helper()
	e := httpx.New(slog.New(slog.DiscardHandler))
	h.Register(e)
	return e
}

func get(t *testing.T, e http.Handler, target string, cookies ...*http.Cookie) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	rec := httptest.NewRecorder()
	e.ServeHTTP(rec, req)
	return rec
}

func TestLanguageSwitch(t *testing.T) {
	e := newTestServer(t, &Handler{})
	rec := get(t, e, "/")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `<html lang="th">`) {
		t.Fatalf("default page: %d, want Thai:\n%s", rec.Code, rec.Body.String())
	}
	rec = get(t, e, "/?lang=en")
	body := rec.Body.String()
	if !strings.Contains(body, `<html lang="en">`) || !strings.Contains(body, "Verify a digital credential") {
		t.Fatalf("?lang=en did not give English:\n%s", body)
	}
	var lc *http.Cookie
	for _, c := range rec.Result().Cookies() {
		if c.Name == langCookie {
			lc = c
		}
	}
	if lc == nil || lc.Value != "en" {
		t.Fatalf("?lang=en set no lang cookie: %v", rec.Result().Cookies())
	}
	if !strings.Contains(body, `href="/?lang=th"`) {
		t.Error("the English page does not offer Thai")
	}
	// The cookie keeps the language; an unknown value falls back to Thai.
	if b := get(t, e, "/", lc).Body.String(); !strings.Contains(b, `<html lang="en">`) {
		t.Error("the lang cookie was not honoured")
	}
	if b := get(t, e, "/?lang=xx").Body.String(); !strings.Contains(b, `<html lang="th">`) {
		t.Error("?lang=xx did not fall back to Thai")
	}
}

func TestAssets(t *testing.T) {
	e := newTestServer(t, &Handler{})
	for path, ct := range map[string]string{
		"/assets/site.css":    "text/css; charset=utf-8",
		"/assets/site.js":     "text/javascript; charset=utf-8",
		"/assets/favicon.svg": "image/svg+xml",
	} {
		rec := get(t, e, path)
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != ct || rec.Body.Len() == 0 {
			t.Errorf("GET %s: %d %q (%d bytes)", path, rec.Code, rec.Header().Get("Content-Type"), rec.Body.Len())
		}
	}
	for _, path := range []string{"/assets/nope.css", "/assets/../handler.go", "/assets/%2e%2e/doc.go", "/assets/"} {
		if rec := get(t, e, path); rec.Code == http.StatusOK {
			t.Errorf("GET %s: 200, want an error", path)
		}
	}
}

func TestCSRF(t *testing.T) {
	h := &Handler{}
	e := echo.New()
	e.POST("/form", func(c *echo.Context) error {
		if err := h.checkCSRF(c); err != nil {
			return err
		}
		return c.String(http.StatusOK, "done")
	})
	tok := "AAAAAAAAAAAAAAAAAAAAAA"
	for _, tc := range []struct {
		name   string
		cookie string
		form   string
		want   int
	}{
		{"match", tok, tok, http.StatusOK},
		{"no cookie", "", tok, http.StatusForbidden},
		{"no field", tok, "", http.StatusForbidden},
		{"other token", tok, "BAAAAAAAAAAAAAAAAAAAAA", http.StatusForbidden},
		{"short equal", "abc", "abc", http.StatusForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodPost, "/form", strings.NewReader("csrf="+tc.form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tc.cookie != "" {
				req.AddCookie(&http.Cookie{Name: csrfCookie, Value: tc.cookie})
			}
			rec := httptest.NewRecorder()
			e.ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Fatalf("status %d, want %d", rec.Code, tc.want)
			}
		})
	}
}

func TestRateLimit(t *testing.T) {
	l := &rateLimit{max: 2, window: time.Minute}
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, tc := range []struct {
		key  string
		at   time.Duration
		want bool
	}{
		{"a", 0, true}, {"a", time.Second, true}, {"a", 2 * time.Second, false},
		{"b", 2 * time.Second, true},
		{"a", time.Minute, true}, // a new window
	} {
		if got := l.allow(tc.key, t0.Add(tc.at)); got != tc.want {
			t.Errorf("%d: allow(%s, +%v) = %v, want %v", i, tc.key, tc.at, got, tc.want)
		}
	}
}
