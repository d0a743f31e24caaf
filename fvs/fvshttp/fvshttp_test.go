package fvshttp_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvshttp"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

const (
	pid    = "1101700230708"
	fvsDID = "did:web:dopa.example:fvs"
)

var now = time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)

func photo(t *testing.T, shade uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, 120, 120))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(1, 1, color.Gray{Y: shade + 7})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type server struct {
	*httptest.Server
	m   *fvstest.FakeMatcher
	res *did.Resolver
}

func newServer(t *testing.T, rate fvshttp.Rate) *server {
	t.Helper()
	m := fvstest.NewFakeMatcher()
	_, kk, _ := ed25519.GenerateKey(nil)
	kek, _ := fvs.SignerKEK(kk)
	_, ak, _ := ed25519.GenerateKey(nil)
	doc := did.NewDocument(fvsDID, ak.Public())
	svc, err := fvs.New(context.Background(), fvs.Config{Matcher: m, Store: fvstest.NewMemoryStore(), KEK: kek,
		Calibration: fvstest.FakeCalibration(), Now: func() time.Time { return now },
		Attestation: &fvs.AttestationSigner{Key: ak, Issuer: fvsDID, KeyID: doc.VerificationMethod[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.New(nil)
	(&fvshttp.Handler{Service: svc, Rate: rate, DIDDocument: doc, Now: func() time.Time { return now },
		Clients: []httpx.Client{
			{ID: "idp-1", TokenHash: httpx.TokenHash("idp-token-0123456789"), Scopes: []string{"fvs"}},
			{ID: "issuer", TokenHash: httpx.TokenHash("issuer-token-0123456"), Scopes: []string{"dopa"}},
		}}).Register(e)
	s := &server{Server: httptest.NewServer(e), m: m, res: &did.Resolver{Local: func(id string) (*did.Document, bool) { return doc, id == fvsDID }}}
	t.Cleanup(s.Close)
	return s
}

func (s *server) postJSON(t *testing.T, path, token string, body map[string]any) (int, map[string]any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	return s.do(t, req, token)
}

func (s *server) postMultipart(t *testing.T, path, token string, fields map[string]string, img []byte) (int, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	fw, _ := w.CreateFormFile("image", "photo.png")
	fw.Write(img)
	w.Close()
	req, _ := http.NewRequest(http.MethodPost, s.URL+path, &b)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return s.do(t, req, token)
}

func (s *server) do(t *testing.T, req *http.Request, token string) (int, map[string]any) {
	t.Helper()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

const token = "idp-token-0123456789"

func TestFlow(t *testing.T) {
	s := newServer(t, fvshttp.Rate{PerMinute: 600, Burst: 100})
	enrol, probe, other := photo(t, 10), photo(t, 20), photo(t, 30)
	s.m.Set(enrol, []float32{0, 0})
	s.m.Set(probe, []float32{0.1, 0})
	s.m.Set(other, []float32{0.9, 0})

	code, body := s.postMultipart(t, "/fvs/enroll", token, map[string]string{"pid": pid, "purpose": "enrolment", "source": "dopa"}, enrol)
	if code != http.StatusCreated || body["enrolment"] != 1.0 {
		t.Fatalf("enroll: %d %v", code, body)
	}
	verify := map[string]any{"pid": pid, "image": base64.StdEncoding.EncodeToString(probe), "consent": "c-1", "purpose": "ial2.2", "fmr": "1e-4"}
	code, body = s.postJSON(t, "/fvs/verify", token, verify)
	if code != http.StatusOK || body["decision"] != "match" || body["fmr_target"] != 1e-4 || body["model_id"] != "fake" || body["request_id"] == "" {
		t.Fatalf("verify: %d %v", code, body)
	}
	verify["image"] = base64.StdEncoding.EncodeToString(other)
	code, body = s.postJSON(t, "/fvs/verify", token, verify)
	if code != http.StatusOK || body["decision"] != "no_match" {
		t.Fatalf("verify impostor: %d %v", code, body)
	}

	// Attestation, verified as a verifier would.
	pub, _, _ := ed25519.GenerateKey(nil)
	jkt, _ := signing.Thumbprint(pub)
	code, body = s.postMultipart(t, "/fvs/attestations", token, map[string]string{"pid": pid, "purpose": "presentation", "consent": "c-2",
		"nonce": "nonce-1", "holder_key_thumbprint": jkt, "verifier": "bank"}, probe)
	if code != http.StatusCreated || body["attestation"] == nil {
		t.Fatalf("attest: %d %v", code, body)
	}
	a, err := fvs.VerifyAttestation(context.Background(), body["attestation"].(string), fvs.AttestationOptions{
		Keys: s.res, Issuers: []string{fvsDID}, Now: func() time.Time { return now }, Nonce: "nonce-1", HolderKeyThumbprint: jkt, Subject: pid, MaxFMR: 1e-3})
	if err != nil || a.Decision != "match" {
		t.Fatalf("VerifyAttestation: %+v, %v", a, err)
	}

	bad := []struct {
		name   string
		token  string
		body   map[string]any
		status int
		reason string
	}{
		{"no token", "", verify, http.StatusUnauthorized, "unauthorized"},
		{"no fvs scope", "issuer-token-0123456", verify, http.StatusForbidden, "forbidden"},
		{"not an image", token, map[string]any{"pid": pid, "image": base64.StdEncoding.EncodeToString([]byte("hello")), "consent": "c", "purpose": "p"}, http.StatusUnsupportedMediaType, "not_image"},
		{"no face", token, map[string]any{"pid": pid, "image": base64.StdEncoding.EncodeToString(photo(t, 99)), "consent": "c", "purpose": "p"}, http.StatusUnprocessableEntity, "no_face"},
		{"bad pid", token, map[string]any{"pid": "123", "image": verify["image"], "consent": "c", "purpose": "p"}, http.StatusBadRequest, "invalid_pid"},
		{"no consent", token, map[string]any{"pid": pid, "image": verify["image"], "purpose": "p"}, http.StatusBadRequest, "consent_required"},
		{"bad base64", token, map[string]any{"pid": pid, "image": "***", "consent": "c", "purpose": "p"}, http.StatusBadRequest, "image_encoding"},
		{"not enrolled", token, map[string]any{"pid": "3100600123450", "image": verify["image"], "consent": "c", "purpose": "p"}, http.StatusNotFound, "not_enrolled"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			code, body := s.postJSON(t, "/fvs/verify", tt.token, tt.body)
			if code != tt.status || body["reason"] != tt.reason {
				t.Fatalf("%d %v; want %d %s", code, body, tt.status, tt.reason)
			}
		})
	}
	code, _ = s.postJSON(t, "/fvs/delete", token, map[string]any{"pid": pid, "purpose": "erasure request"})
	if code != http.StatusNoContent {
		t.Fatalf("delete: %d", code)
	}
	resp, err := http.Get(s.URL + "/fvs/policy")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("policy: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestRateLimit(t *testing.T) {
	s := newServer(t, fvshttp.Rate{PerMinute: 1, Burst: 3})
	body := map[string]any{"pid": pid, "image": base64.StdEncoding.EncodeToString(photo(t, 1)), "consent": "c", "purpose": "p"}
	for i := range 3 {
		if code, b := s.postJSON(t, "/fvs/verify", token, body); code == http.StatusTooManyRequests {
			t.Fatalf("request %d limited: %v", i, b)
		}
	}
	if code, b := s.postJSON(t, "/fvs/verify", token, body); code != http.StatusTooManyRequests || b["reason"] != "rate_limited" {
		t.Fatalf("fourth request: %d %v", code, b)
	}
}
