package app_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/fvs/goface"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/httpx"
	"github.com/thaitrust/thaitrust/internal/testdata"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

// faceCitizenPID is the pid of the catalogue's ThaiCitizenCredential
// example, which DOPA issues in these tests.
const faceCitizenPID = "1501400317847"

// faceQuery asks for a citizen ID card's pid and name, as an SD-JWT VC.
func faceQuery() map[string]any {
	return map[string]any{"credentials": []any{map[string]any{
		"id": "citizen", "format": "dc+sd-jwt",
		"meta":   map[string]any{"vct_values": []any{schemas.VCT("ThaiCitizenCredential")}},
		"claims": []any{map[string]any{"path": []any{"pid"}}, map[string]any{"path": []any{"name"}}},
	}}}
}

// faceQueryJWT asks for the same as a jwt_vc_json credential.
func faceQueryJWT() map[string]any {
	return map[string]any{"credentials": []any{map[string]any{
		"id": "citizen", "format": "jwt_vc_json",
		"meta": map[string]any{"type_values": []any{[]any{"VerifiableCredential", "ThaiCitizenCredential"}}},
		"claims": []any{map[string]any{"path": []any{"credentialSubject", "pid"}},
			map[string]any{"path": []any{"credentialSubject", "name"}}},
	}}}
}

var faceDemand = map[string]any{"credential_ids": []any{"citizen"}, "max_fmr": 1e-3}

// facePNG is a distinct PNG for the fake matcher, which knows images by
// content.
func facePNG(t *testing.T, shade uint8) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, 200, 200))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	img.Set(0, 0, color.Gray{Y: shade + 1})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// faceWallet is a holder's wallet (in memory) holding DOPA's citizen ID
// card in format (dc+sd-jwt or vc+jwt), received over OpenID4VCI from the
// test server.
func faceWallet(t *testing.T, s *testServer, format string) *holder.Wallet {
	t.Helper()
	w, err := holder.New(context.Background(), holder.Config{Store: holdertest.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	off := s.do(t, request{method: "POST", path: "/issuers/dopa/offers", token: demoToken,
		body: map[string]any{"credential": issuertest.Example(t, "ThaiCitizenCredential"), "format": format}}).want(t, 201).JSON(t)
	if _, err := w.Receive(context.Background(), off["offer_uri"].(string), holder.ReceiveOptions{}); err != nil {
		t.Fatal(err)
	}
	return w
}

// enrolFace has DOPA enrol the citizen's authoritative photo over the
// FVS API.
func enrolFace(t *testing.T, s *testServer, pid string, photo []byte) {
	t.Helper()
	s.do(t, request{method: "POST", path: "/fvs/enroll", token: demoToken, body: map[string]any{
		"pid": pid, "image": base64.StdEncoding.EncodeToString(photo), "consent": "civil-registration-act",
		"purpose": "enrolment", "source": "dopa-civil-registry",
	}}).want(t, 201)
}

// faceRequest has the demo employer ask for the citizen ID card with
// face binding; it returns the request's id and URI.
func faceRequest(t *testing.T, s *testServer) (string, string) {
	t.Helper()
	r := s.do(t, request{method: "POST", path: "/verifier/requests", token: demoToken, body: map[string]any{
		"dcql_query": faceQuery(), "face_binding": faceDemand,
		"purpose": map[string]any{"th": "ยืนยันตัวตนผู้สมัครงาน", "en": "identifying a job applicant"},
	}}).want(t, 201).JSON(t)
	return r["id"].(string), r["request_uri"].(string)
}

// faceResult reads the verifier's result of request id.
func faceResult(t *testing.T, s *testServer, id string) (status string, res map[string]any) {
	t.Helper()
	v := s.do(t, request{method: "GET", path: "/verifier/requests/" + id, token: demoToken}).want(t, 200).JSON(t)
	res, _ = v["result"].(map[string]any)
	return v["status"].(string), res
}

// faceCheckOf returns the face_binding check of the first presentation
// of a result.
func faceCheckOf(res map[string]any) map[string]any {
	creds, _ := res["credentials"].(map[string]any)
	ps, _ := creds["citizen"].([]any)
	if len(ps) == 0 {
		return nil
	}
	checks, _ := ps[0].(map[string]any)["checks"].([]any)
	for _, c := range checks {
		if m := c.(map[string]any); m["check"] == oid4vp.CheckFaceBinding {
			return m
		}
	}
	return nil
}

// present answers the request at uri with the wallet, face-bound with
// photo through fa (no BindFace when fa is nil).
func present(t *testing.T, w *holder.Wallet, uri string, photo []byte, fa holder.FaceAttester) error {
	t.Helper()
	ctx := context.Background()
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	c, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if fa != nil {
		if err := w.BindFace(ctx, c, photo, fa); err != nil {
			return err
		}
	}
	_, err = w.Respond(ctx, c)
	return err
}

// fixedAttester hands over a given attestation: a wallet that replays
// one obtained for another presentation.
type fixedAttester string

func (a fixedAttester) AttestFace(context.Context, holder.FaceAttestationRequest) (string, error) {
	return string(a), nil
}

// capturing passes requests to next and keeps the attestation.
type capturing struct {
	next  holder.FaceAttester
	token string
}

func (c *capturing) AttestFace(ctx context.Context, r holder.FaceAttestationRequest) (string, error) {
	tok, err := c.next.AttestFace(ctx, r)
	c.token = tok
	return tok, err
}

// TestFaceBindingE2E: the demo employer asks for a citizen ID card with
// face binding; the wallet gets DOPA's FVS attestation over the FVS API
// (an identity provider's token) and presents; the employer accepts it,
// the FVS trusted because the registry lists it as DOPA's. A fake matcher
// stands in for the face models.
func TestFaceBindingE2E(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	m := fvstest.NewFakeMatcher()
	enrol, probe, stranger := facePNG(t, 10), facePNG(t, 20), facePNG(t, 30)
	m.Set(enrol, []float32{0, 0, 0, 0})
	m.Set(probe, []float32{0.2, 0, 0, 0})
	m.Set(stranger, []float32{0.9, 0, 0, 0})
	fv, err := s.App.EnableFVS(ctx, app.FVSOptions{Matcher: m, Calibration: fvstest.FakeCalibration()})
	if err != nil {
		t.Fatal(err)
	}
	defer fv.Close()
	fvsDID, _ := app.FVSDID(s.URL)
	if fv.DID != fvsDID {
		t.Fatalf("FVS DID %s, want %s", fv.DID, fvsDID)
	}
	// The registry lists the FVS as DOPA's.
	if e, ok := s.App.Registry().Entity(fvsDID); !ok || e.ID != "dopa" {
		t.Fatalf("the registry resolves %s to %+v", fvsDID, e)
	}
	enrolFace(t, s, faceCitizenPID, enrol)
	w := faceWallet(t, s, "dc+sd-jwt")
	idp := &app.FVSClient{BaseURL: s.URL, Token: demoToken}

	t.Run("accepted", func(t *testing.T) {
		id, uri := faceRequest(t, s)
		if err := present(t, w, uri, probe, idp); err != nil {
			t.Fatal(err)
		}
		status, res := faceResult(t, s, id)
		c := faceCheckOf(res)
		if status != "answered" || res["verified"] != true || c == nil || c["status"] != "passed" ||
			!strings.Contains(c["detail"].(string), fvsDID) || !strings.Contains(c["detail"].(string), "FMR 1e-3") {
			t.Fatalf("status %s, result %v", status, res)
		}
	})
	t.Run("another person's face", func(t *testing.T) {
		_, uri := faceRequest(t, s)
		err := present(t, w, uri, stranger, idp)
		if holder.Reason(err) != holder.ReasonFaceBindingFailed || !errors.Is(err, holder.ErrNoFaceMatch) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("the wallet cannot answer without the face check", func(t *testing.T) {
		_, uri := faceRequest(t, s)
		if err := present(t, w, uri, nil, nil); holder.Reason(err) != holder.ReasonFaceBindingRequired {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("a wallet that ignores face_binding is refused", func(t *testing.T) {
		id, uri := faceRequest(t, s)
		req, err := w.ResolveRequest(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		req.FaceBinding = nil // as a wallet that does not know the parameter
		c, err := w.Prepare(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Respond(ctx, c); holder.Reason(err) != holder.ReasonResponseRejected {
			t.Fatalf("got %v", err)
		}
		status, res := faceResult(t, s, id)
		if status != "failed" || res["reason"] != oid4vp.ReasonFaceBindingMissing || res["message_th"] == "" || res["credentials"].(map[string]any)["citizen"].([]any)[0].(map[string]any)["claims"] != nil {
			t.Fatalf("status %s, result %v", status, res)
		}
	})
	t.Run("an attestation replayed into another presentation", func(t *testing.T) {
		// An attestation obtained for one request (its nonce)...
		_, first := faceRequest(t, s)
		req, err := w.ResolveRequest(ctx, first)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := w.Prepare(ctx, req)
		got := &capturing{next: idp}
		if err := w.BindFace(ctx, c, probe, got); err != nil {
			t.Fatal(err)
		}
		// ...sent with another.
		id, uri := faceRequest(t, s)
		if err := present(t, w, uri, probe, fixedAttester(got.token)); holder.Reason(err) != holder.ReasonResponseRejected {
			t.Fatalf("got %v", err)
		}
		status, res := faceResult(t, s, id)
		if status != "failed" || res["reason"] != "face_attestation_nonce_mismatch" {
			t.Fatalf("status %s, result %v", status, res)
		}
	})
	t.Run("the FVS API needs a client with scope fvs", func(t *testing.T) {
		_, uri := faceRequest(t, s)
		err := present(t, w, uri, probe, &app.FVSClient{BaseURL: s.URL, Token: dopaToken})
		if holder.Reason(err) != holder.ReasonFaceBindingFailed || !strings.Contains(err.Error(), "forbidden") {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("DOPA suspended in the registry: its FVS is no longer trusted", func(t *testing.T) {
		id, uri := faceRequest(t, s)
		// The credential, issued before the suspension, still verifies
		// (issuer trust is at issuance); the attestation, checked now,
		// does not. The pause puts the suspension after the credential's
		// validFrom, which has a one-second resolution.
		time.Sleep(1100 * time.Millisecond)
		if _, err := s.App.Registry().SetEntityStatus(ctx, "test-admin", "dopa", registry.StatusRequest{Status: registry.StatusSuspended, Reason: "test: FVS audit"}); err != nil {
			t.Fatal(err)
		}
		if err := present(t, w, uri, probe, idp); holder.Reason(err) != holder.ReasonResponseRejected {
			t.Fatalf("got %v", err)
		}
		status, res := faceResult(t, s, id)
		if status != "failed" || res["reason"] != "face_attestation_untrusted_issuer" {
			t.Fatalf("status %s, result %v", status, res)
		}
		if _, err := s.App.Registry().SetEntityStatus(ctx, "test-admin", "dopa", registry.StatusRequest{Status: registry.StatusActive}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a bad demand is refused when the request is made", func(t *testing.T) {
		p := s.do(t, request{method: "POST", path: "/verifier/requests", token: demoToken, body: map[string]any{
			"dcql_query": faceQuery(), "face_binding": map[string]any{"credential_ids": []any{"degree"}, "max_fmr": 1e-3},
		}}).problem(t, 400, "dcql_query_invalid")
		if b, _ := json.Marshal(p); !strings.Contains(string(b), "/face_binding") {
			t.Errorf("problem %v", p)
		}
	})
}

// TestFaceBindingAbroad: a verifier abroad with only the signed trust
// list (no DID resolution for the FVS, no contact with the registry)
// checks a face-bound presentation of a jwt_vc_json citizen ID card (the
// holder key is the vp+jwt's did:key): DOPA's credential and DOPA's FVS
// attestation both verify with keys from the list.
func TestFaceBindingAbroad(t *testing.T) {
	s := startServer(t)
	ctx := context.Background()
	m := fvstest.NewFakeMatcher()
	enrol, probe := facePNG(t, 10), facePNG(t, 20)
	m.Set(enrol, []float32{0, 0, 0, 0})
	m.Set(probe, []float32{0.2, 0, 0, 0})
	fv, err := s.App.EnableFVS(ctx, app.FVSOptions{Matcher: m, Calibration: fvstest.FakeCalibration()})
	if err != nil {
		t.Fatal(err)
	}
	defer fv.Close()
	enrolFace(t, s, faceCitizenPID, enrol)
	// A vc+jwt with its Bitstring Status List: the trust-list verifier
	// (NewTrustListVerifier) has no IETF Token Status List checker for
	// SD-JWT VCs.
	w := faceWallet(t, s, "vc+jwt")

	anchor, err := app.RootPublicKey(s.App.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	list := s.do(t, request{method: "GET", path: "/registry/trustlist.jwt"}).want(t, 200).Body
	v, tl, err := app.NewTrustListVerifier(app.TrustListOptions{List: list, Anchor: anchor, HTTPLoopback: true})
	if err != nil {
		t.Fatal(err)
	}
	// The foreign verifier's own service, on its own server.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := "http://" + ln.Addr().String()
	rpDID, err := did.WebDID(base + "/verifiers/abroad")
	if err != nil {
		t.Fatal(err)
	}
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	doc := did.NewDocument(rpDID, key.Public())
	rp, err := oid4vp.New(oid4vp.Config{
		Name: "abroad", DID: rpDID, Signer: jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: doc.VerificationMethod[0].ID},
		DisplayName: map[string]string{"en": "Example University, Helsinki"},
		BaseURL:     base + "/verifiers/abroad", Verifier: v, Store: oid4vptest.NewMemoryStore(),
		FaceBinding: app.TrustListFaceBinding(tl),
	})
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	(&verifierhttp.OID4VPHandler{Verifiers: map[string]*oid4vp.Service{"abroad": rp}}).Register(e)
	srv := httptest.NewUnstartedServer(e)
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	defer srv.Close()

	fb, err := oid4vp.ParseFaceBinding(faceDemand)
	if err != nil {
		t.Fatal(err)
	}
	created, err := rp.CreateRequest(ctx, oid4vp.NewRequest{Query: faceQueryJWT(), FaceBinding: fb})
	if err != nil {
		t.Fatal(err)
	}
	if err := present(t, w, created.RequestURI, probe, &app.FVSClient{BaseURL: s.URL, Token: demoToken}); err != nil {
		t.Fatal(err)
	}
	view, err := rp.Get(ctx, created.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !view.Result.Verified {
		t.Fatalf("result %+v", view.Result)
	}
	var passed bool
	for _, c := range view.Result.Credentials["citizen"][0].Checks {
		passed = passed || (c.Check == oid4vp.CheckFaceBinding && c.Status == "passed")
	}
	if !passed {
		t.Fatalf("checks %+v", view.Result.Credentials["citizen"][0].Checks)
	}
}

// TestFaceBindingLFW: the same flow with the real face models and LFW
// photos: enrolled from one photo of a person, presented with another of
// the same person (accepted), refused with a photo of someone else.
func TestFaceBindingLFW(t *testing.T) {
	if _, err := goface.ModelsDir(); err != nil {
		t.Skipf("face models not installed (run scripts/setup.sh): %v", err)
	}
	images := testdata.LFW(t, "images")
	read := func(name string, n int) []byte {
		b, err := os.ReadFile(filepath.Join(images, name, name+"_000"+string(rune('0'+n))+".jpg"))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	s := startServer(t)
	ctx := context.Background()
	fv, err := s.App.EnableFVS(ctx, app.FVSOptions{Recognizers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer fv.Close()
	enrolFace(t, s, faceCitizenPID, read("Abel_Pacheco", 1))
	w := faceWallet(t, s, "dc+sd-jwt")
	idp := &app.FVSClient{BaseURL: s.URL, Token: demoToken}

	id, uri := faceRequest(t, s)
	start := time.Now()
	if err := present(t, w, uri, read("Abel_Pacheco", 4), idp); err != nil {
		t.Fatal(err)
	}
	t.Logf("face-bound presentation (attestation over HTTP, presentation, verification) took %s", time.Since(start).Round(time.Millisecond))
	status, res := faceResult(t, s, id)
	c := faceCheckOf(res)
	if status != "answered" || c == nil || c["status"] != "passed" || !strings.Contains(c["detail"].(string), fv.Service.Model()) {
		t.Fatalf("status %s, result %v", status, res)
	}
	t.Logf("face_binding check: %s", c["detail"])

	_, uri = faceRequest(t, s)
	if err := present(t, w, uri, read("Dean_Barker", 1), idp); !errors.Is(err, holder.ErrNoFaceMatch) {
		t.Fatalf("an impostor's photo: %v", err)
	}
}
