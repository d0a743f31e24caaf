// Package fvshttp serves the face verification service over HTTP.
//
//	POST /fvs/enroll        enrol a template from an authoritative photo (bearer token, scope "fvs")
//	POST /fvs/verify        1:1 verification: score, decision at an FMR target (bearer token, scope "fvs")
//	POST /fvs/attestations  verification and, on a match, a signed face-match attestation (bearer token, scope "fvs")
//	POST /fvs/delete        delete a citizen's template (bearer token, scope "fvs")
//	GET  /fvs/policy        the model, calibration and FMR targets in force
//	GET  /fvs/did.json      the FVS's DID document (did:web), whose key signs attestations
//
// Requests are multipart/form-data (fields pid, consent, purpose, fmr,
// source, nonce, holder_key_thumbprint, verifier, disclose_pid; the photo
// in a file field "image") or JSON with the photo base64-encoded:
//
//	{"pid": "1101700230708", "image": "<base64 JPEG or PNG>",
//	 "consent": "consent-ref", "purpose": "ial2.2-proofing", "fmr": "1e-3"}
//
// Callers are accredited identity providers holding a bearer token whose
// client has the scope "fvs" (or "*"). Each caller is rate-limited by a
// token bucket in memory. Errors are RFC 9457 problem JSON with a stable
// reason (the fvs.InputError reasons, not_enrolled, model_mismatch,
// rate_limited). The photo is never logged or kept.
package fvshttp

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

// Scope is the client scope that may call the FVS.
const Scope = "fvs"

// Handler serves one FVS.
type Handler struct {
	// Service is the FVS. Required.
	Service *fvs.Service
	// Clients may call the authenticated endpoints if they hold Scope.
	Clients []httpx.Client
	// Rate limits each caller. Zero: 60 requests a minute, bursts of 10.
	Rate Rate
	// DIDDocument is served at /fvs/did.json when not nil.
	DIDDocument any
	// Now is the limiter's clock. Nil: time.Now.
	Now func() time.Time

	limiter *limiter
}

// Rate is a token bucket: PerMinute tokens a minute, at most Burst held.
type Rate struct {
	PerMinute float64
	Burst     int
}

// maxBody bounds request bodies: the largest image, base64-encoded, and
// the other fields.
const maxBody = fvs.DefaultMaxBytes*4/3 + 64<<10

// Register adds the routes to e.
func (h *Handler) Register(e *echo.Echo) {
	if h.Rate.PerMinute <= 0 {
		h.Rate.PerMinute = 60
	}
	if h.Rate.Burst <= 0 {
		h.Rate.Burst = 10
	}
	now := h.Now
	if now == nil {
		now = time.Now
	}
	h.limiter = &limiter{rate: h.Rate, now: now, buckets: map[string]*bucket{}}
	auth := httpx.Bearer(h.Clients)
	g := e.Group("/fvs")
	g.POST("/enroll", h.enroll, auth, h.guard)
	g.POST("/verify", h.verify, auth, h.guard)
	g.POST("/attestations", h.attest, auth, h.guard)
	g.POST("/delete", h.delete, auth, h.guard)
	g.GET("/policy", h.policy)
	if h.DIDDocument != nil {
		g.GET("/did.json", func(c *echo.Context) error {
			c.Response().Header().Set("Cache-Control", "public, max-age=300")
			return httpx.WriteJSON(c, http.StatusOK, "application/did+json", h.DIDDocument)
		})
	}
}

// guard checks the scope and the caller's rate.
func (h *Handler) guard(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c *echo.Context) error {
		p, _ := httpx.PrincipalOf(c)
		if !p.HasScope(Scope) {
			return httpx.NewProblem(http.StatusForbidden, "forbidden", "this client may not call the FVS (scope \"fvs\" needed)")
		}
		if wait, ok := h.limiter.take(p.ID); !ok {
			c.Response().Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			return httpx.NewProblem(http.StatusTooManyRequests, "rate-limited", "too many FVS requests from this client; retry later")
		}
		return next(c)
	}
}

// form is a request's fields, from multipart or JSON.
type form struct {
	fields map[string]string
	image  []byte
}

func (f *form) get(name string) string { return f.fields[name] }

func (f *form) call(c *echo.Context) fvs.Call {
	p, _ := httpx.PrincipalOf(c)
	return fvs.Call{Caller: p.ID, Purpose: f.get("purpose"), Consent: f.get("consent"), RequestID: httpx.RequestID(c)}
}

func (f *form) fmr() (float64, error) {
	s := f.get("fmr")
	if s == "" {
		return 0, nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 || v >= 1 {
		return 0, httpx.BadRequest("unsupported_fmr", "fmr must be a false match rate such as 1e-3")
	}
	return v, nil
}

var textFields = []string{"pid", "consent", "purpose", "fmr", "source", "nonce", "holder_key_thumbprint", "verifier", "disclose_pid"}

// bind reads a multipart or JSON request.
func bind(c *echo.Context) (*form, error) {
	r := c.Request()
	r.Body = http.MaxBytesReader(c.Response(), r.Body, maxBody)
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	f := &form{fields: map[string]string{}}
	switch {
	case mt == "multipart/form-data":
		mr := multipart.NewReader(r.Body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return nil, bodyError(err, "the multipart body is malformed")
			}
			name := part.FormName()
			switch {
			case name == "image":
				b, err := io.ReadAll(io.LimitReader(part, fvs.DefaultMaxBytes+1))
				if err != nil {
					return nil, bodyError(err, "the image part could not be read")
				}
				f.image = b
			case isTextField(name):
				b, err := io.ReadAll(io.LimitReader(part, 1024))
				if err != nil {
					return nil, bodyError(err, "a field could not be read")
				}
				f.fields[name] = string(b)
			}
			part.Close()
		}
	case mt == "application/json" || mt == "":
		m, err := httpx.ReadJSONObject(c, maxBody)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			switch x := v.(type) {
			case string:
				if k == "image" {
					img, err := decodeBase64(x)
					if err != nil {
						return nil, httpx.BadRequest("image_encoding", `"image" must be base64 (standard or URL alphabet)`,
							httpx.FieldError{Field: "/image", Reason: "base64"})
					}
					f.image = img
				} else if isTextField(k) {
					f.fields[k] = x
				}
			case bool:
				f.fields[k] = strconv.FormatBool(x)
			case json.Number:
				f.fields[k] = string(x)
			}
		}
	default:
		return nil, httpx.NewProblem(http.StatusUnsupportedMediaType, "unsupported-media-type", "send multipart/form-data or application/json")
	}
	return f, nil
}

func isTextField(name string) bool {
	for _, n := range textFields {
		if n == name {
			return true
		}
	}
	return false
}

func bodyError(err error, detail string) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return httpx.NewProblem(http.StatusRequestEntityTooLarge, "body-too-large", "the request body is larger than the limit for this endpoint")
	}
	return httpx.BadRequest("malformed_body", detail)
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if i := strings.Index(s, ";base64,"); strings.HasPrefix(s, "data:") && i > 0 {
		s = s[i+len(";base64,"):]
	}
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}

func (h *Handler) enroll(c *echo.Context) error {
	f, err := bind(c)
	if err != nil {
		return err
	}
	res, err := h.Service.Enroll(c.Request().Context(), fvs.EnrollRequest{Call: f.call(c), PID: f.get("pid"), Image: f.image, Source: f.get("source")})
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusCreated, res)
}

func (h *Handler) verify(c *echo.Context) error {
	f, err := bind(c)
	if err != nil {
		return err
	}
	fmr, err := f.fmr()
	if err != nil {
		return err
	}
	res, err := h.Service.Verify(c.Request().Context(), fvs.VerifyRequest{Call: f.call(c), PID: f.get("pid"), Image: f.image, FMR: fmr})
	if err != nil {
		return problem(err)
	}
	return httpx.JSON(c, http.StatusOK, res)
}

// attestationResponse is the answer of POST /fvs/attestations.
type attestationResponse struct {
	Result      *fvs.Result `json:"result"`
	Attestation string      `json:"attestation,omitempty"` // compact JWS, typ fvs-attestation+jwt; absent when no match
}

func (h *Handler) attest(c *echo.Context) error {
	f, err := bind(c)
	if err != nil {
		return err
	}
	fmr, err := f.fmr()
	if err != nil {
		return err
	}
	res, token, err := h.Service.Attest(c.Request().Context(), fvs.AttestRequest{
		VerifyRequest:       fvs.VerifyRequest{Call: f.call(c), PID: f.get("pid"), Image: f.image, FMR: fmr},
		Nonce:               f.get("nonce"),
		HolderKeyThumbprint: f.get("holder_key_thumbprint"),
		Verifier:            f.get("verifier"),
		DisclosePID:         f.get("disclose_pid") == "true",
	})
	if err != nil {
		return problem(err)
	}
	status := http.StatusOK
	if token != "" {
		status = http.StatusCreated
	}
	return httpx.JSON(c, status, attestationResponse{Result: res, Attestation: token})
}

func (h *Handler) delete(c *echo.Context) error {
	f, err := bind(c)
	if err != nil {
		return err
	}
	if err := h.Service.Delete(c.Request().Context(), f.call(c), f.get("pid")); err != nil {
		return problem(err)
	}
	return c.NoContent(http.StatusNoContent)
}

// policyView is GET /fvs/policy.
type policyView struct {
	Model       string          `json:"model_id"`
	Calibration string          `json:"calibration_id"`
	Dataset     string          `json:"calibration_dataset"`
	DefaultFMR  float64         `json:"default_fmr"`
	Thresholds  []fvs.Threshold `json:"thresholds"`
	MinFaceSize int             `json:"min_face_size"`
	Score       string          `json:"score"`
}

func (h *Handler) policy(c *echo.Context) error {
	cal, p := h.Service.Calibration(), h.Service.Policy()
	v := policyView{Model: h.Service.Model(), Calibration: cal.ID, Dataset: cal.Dataset, DefaultFMR: p.DefaultFMR, MinFaceSize: p.MinFaceSize,
		Score: "100 × (1 − FMR at the measured distance): a score of 99.9 means one impostor comparison in a thousand comes as close"}
	for _, f := range p.FMRTargets {
		t, _ := cal.Threshold(f)
		v.Thresholds = append(v.Thresholds, t)
	}
	return httpx.JSON(c, http.StatusOK, v)
}

// problem maps fvs errors to problems, in one place.
func problem(err error) error {
	var ie *fvs.InputError
	switch {
	case errors.As(err, &ie):
		status := http.StatusUnprocessableEntity // an image that is well-formed but unusable
		switch ie.Reason {
		case "image_too_large":
			status = http.StatusRequestEntityTooLarge
		case "not_image":
			status = http.StatusUnsupportedMediaType
		case "invalid_pid", "consent_required", "purpose_required", "unsupported_fmr", "nonce_required",
			"holder_key_required", "invalid_text":
			status = http.StatusBadRequest
		case "not_entitled":
			status = http.StatusForbidden
		}
		p := httpx.NewProblem(status, strings.ReplaceAll(ie.Reason, "_", "-"), ie.Error())
		p.Reason = ie.Reason
		return p
	case errors.Is(err, fvs.ErrNotEnrolled):
		return httpx.NewProblem(http.StatusNotFound, "not-enrolled", "no template is enrolled for this citizen ID")
	case errors.Is(err, fvs.ErrModelMismatch):
		return httpx.NewProblem(http.StatusConflict, "model-mismatch", "the template was enrolled with another model; re-enrol the citizen")
	}
	return err
}

// limiter is a token bucket per caller.
type limiter struct {
	rate    Rate
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

// take spends a token of caller; when none is left it returns how long
// until one is.
func (l *limiter) take(caller string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	b, ok := l.buckets[caller]
	if !ok {
		b = &bucket{tokens: float64(l.rate.Burst), last: now}
		l.buckets[caller] = b
	}
	perSec := l.rate.PerMinute / 60
	b.tokens = min(float64(l.rate.Burst), b.tokens+now.Sub(b.last).Seconds()*perSec)
	b.last = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / perSec * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}
