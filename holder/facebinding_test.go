package holder_test

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

const citizenQuery = `{"credentials":[{"id":"citizen","format":"dc+sd-jwt",
	"meta":{"vct_values":["` + schemas.VCTBase + `ThaiCitizenCredential"]},
	"claims":[{"path":["pid"]},{"path":["name"]}]}]}`

// faceVerifier is a minimal verifier for the wallet's side of face
// binding: it signs request objects (did:key client, passed by value)
// with any extra parameters and records the forms posted to it.
type faceVerifier struct {
	t        *testing.T
	srv      *httptest.Server
	did, kid string
	key      crypto.Signer
	mu       sync.Mutex
	forms    []url.Values
}

func newFaceVerifier(t *testing.T) *faceVerifier {
	t.Helper()
	k, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	v := &faceVerifier{t: t, did: d, kid: d + "#" + strings.TrimPrefix(d, "did:key:"), key: k}
	v.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		v.mu.Lock()
		v.forms = append(v.forms, r.PostForm)
		v.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("{}"))
	}))
	t.Cleanup(v.srv.Close)
	return v
}

func (v *faceVerifier) clientID() string { return holder.PrefixDID + ":" + v.did }

// request returns an openid4vp:// URI with the request object by value.
func (v *faceVerifier) request(extra map[string]any) (string, string) {
	v.t.Helper()
	var q map[string]any
	if err := json.Unmarshal([]byte(citizenQuery), &q); err != nil {
		v.t.Fatal(err)
	}
	nonce := "nonce-" + strings.Repeat("x", 16)
	now := time.Now()
	claims := map[string]any{
		"client_id": v.clientID(), "response_type": "vp_token", "response_mode": "direct_post",
		"response_uri": v.srv.URL + "/response", "nonce": nonce, "state": "st-1", "dcql_query": q,
		"aud": holder.AudienceSelfIssued, "iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(),
	}
	for k, x := range extra {
		claims[k] = x
	}
	payload, _ := json.Marshal(claims)
	obj, err := jws.Sign(v.key, jws.Header{Typ: holder.TypRequest, Kid: v.kid}, payload)
	if err != nil {
		v.t.Fatal(err)
	}
	return holder.RequestScheme + "://?client_id=" + url.QueryEscape(v.clientID()) + "&request=" + url.QueryEscape(obj), nonce
}

func (v *faceVerifier) posted() []url.Values {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.forms
}

// fakeAttester records what it was asked and answers with a fixed token
// (or err).
type fakeAttester struct {
	got   []holder.FaceAttestationRequest
	token string
	err   error
}

func (a *fakeAttester) AttestFace(_ context.Context, r holder.FaceAttestationRequest) (string, error) {
	a.got = append(a.got, r)
	return a.token, a.err
}

var faceBinding = map[string]any{"credential_ids": []any{"citizen"}, "max_fmr": 1e-3}

func TestFaceBindingWallet(t *testing.T) {
	ctx := context.Background()
	store := holdertest.NewMemoryStore()
	w := liveWallet(t, store)
	cred := holdertest.NewMinter(t).Add(t, w, "ThaiCitizenCredential", holder.FormatSDJWT)
	v := newFaceVerifier(t)
	uri, nonce := v.request(map[string]any{holder.ParamFaceBinding: faceBinding})

	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	if req.FaceBinding == nil || req.FaceBinding.MaxFMR != 1e-3 || len(req.FaceBinding.CredentialIDs) != 1 {
		t.Fatalf("FaceBinding %+v", req.FaceBinding)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if got := consent.FaceBound(); len(got) != 1 || got[0] != "citizen" {
		t.Fatalf("FaceBound %v", got)
	}

	// Without the face check, nothing is sent.
	if _, err := w.Respond(ctx, consent); holder.Reason(err) != holder.ReasonFaceBindingRequired {
		t.Fatalf("Respond without BindFace: %v", err)
	}
	if len(v.posted()) != 0 {
		t.Fatal("a response was posted")
	}

	// An FVS that finds no match: no attestation, still nothing sent.
	if err := w.BindFace(ctx, consent, []byte("photo"), &fakeAttester{err: holder.ErrNoFaceMatch}); holder.Reason(err) != holder.ReasonFaceBindingFailed || !errors.Is(err, holder.ErrNoFaceMatch) {
		t.Fatalf("BindFace with no match: %v", err)
	}
	if _, err := w.Respond(ctx, consent); holder.Reason(err) != holder.ReasonFaceBindingRequired {
		t.Fatalf("Respond after a failed BindFace: %v", err)
	}

	fa := &fakeAttester{token: "eyJ.attestation.sig"}
	if err := w.BindFace(ctx, consent, []byte("photo"), fa); err != nil {
		t.Fatal(err)
	}
	key, err := store.GetKey(ctx, cred.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := key.Signer()
	jkt, _ := signing.Thumbprint(s.Public())
	if len(fa.got) != 1 {
		t.Fatalf("%d attestation requests", len(fa.got))
	}
	got := fa.got[0]
	if got.PID != "1501400317847" || string(got.Photo) != "photo" || got.Nonce != nonce || got.HolderKeyThumbprint != jkt ||
		got.Verifier != "" || got.MaxFMR != 1e-3 {
		t.Fatalf("attestation request %+v (want holder key %s)", got, jkt)
	}
	if _, err := w.Respond(ctx, consent); err != nil {
		t.Fatal(err)
	}
	forms := v.posted()
	if len(forms) != 1 {
		t.Fatalf("%d responses", len(forms))
	}
	var att map[string]string
	if err := json.Unmarshal([]byte(forms[0].Get(holder.ParamFaceAttestations)), &att); err != nil || att["citizen"] != fa.token || len(att) != 1 {
		t.Fatalf("face_attestations %q", forms[0].Get(holder.ParamFaceAttestations))
	}
	if strings.Contains(forms[0].Encode(), "photo") {
		t.Error("the photo reached the verifier")
	}
	// The disclosure log says a face attestation went with the card.
	log, err := w.Log(ctx)
	if err != nil || len(log) != 1 || !log[0].Credentials[0].FaceAttestation {
		t.Fatalf("log %+v, %v", log, err)
	}
}

// TestFaceBindingChosenCredential: an attestation is for the credential it
// was obtained for; choosing another one needs a new face check.
func TestFaceBindingChosenCredential(t *testing.T) {
	ctx := context.Background()
	w := liveWallet(t, nil)
	m := holdertest.NewMinter(t)
	m.Add(t, w, "ThaiCitizenCredential", holder.FormatSDJWT)
	m.Add(t, w, "ThaiCitizenCredential", holder.FormatSDJWT)
	v := newFaceVerifier(t)
	uri, _ := v.request(map[string]any{holder.ParamFaceBinding: faceBinding})
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	it := consent.Items[0]
	if len(it.Candidates) != 2 {
		t.Fatalf("%d candidates", len(it.Candidates))
	}
	if err := w.BindFace(ctx, consent, []byte("photo"), &fakeAttester{token: "a.b.c"}); err != nil {
		t.Fatal(err)
	}
	other := it.Candidates[1-it.Chosen].CredentialID
	if err := w.Choose(ctx, consent, "citizen", other); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Respond(ctx, consent); holder.Reason(err) != holder.ReasonFaceBindingRequired {
		t.Fatalf("Respond with an attestation for another credential: %v", err)
	}
}

func TestFaceBindingRequestParameter(t *testing.T) {
	ctx := context.Background()
	w := liveWallet(t, nil)
	holdertest.NewMinter(t).Add(t, w, "ThaiCitizenCredential", holder.FormatSDJWT)
	v := newFaceVerifier(t)
	for _, bad := range []any{
		"yes",
		map[string]any{"max_fmr": 1e-3},
		map[string]any{"credential_ids": []any{"degree"}, "max_fmr": 1e-3},
		map[string]any{"credential_ids": []any{"citizen", "citizen"}, "max_fmr": 1e-3},
		map[string]any{"credential_ids": []any{"citizen"}},
		map[string]any{"credential_ids": []any{"citizen"}, "max_fmr": 2},
		map[string]any{"credential_ids": []any{"citizen"}, "max_fmr": 1e-3, "subject_claim": "pid"},
	} {
		uri, _ := v.request(map[string]any{holder.ParamFaceBinding: bad})
		if _, err := w.ResolveRequest(ctx, uri); holder.Reason(err) != holder.ReasonRequestInvalid {
			t.Errorf("face_binding %v: %v", bad, err)
		}
	}
	// Without a demand, BindFace does nothing and no parameter is sent.
	uri, _ := v.request(nil)
	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	fa := &fakeAttester{token: "a.b.c"}
	if err := w.BindFace(ctx, consent, []byte("photo"), fa); err != nil || len(fa.got) != 0 || consent.FaceBound() != nil {
		t.Fatalf("BindFace without a demand: %v, %d calls", err, len(fa.got))
	}
	if _, err := w.Respond(ctx, consent); err != nil {
		t.Fatal(err)
	}
	if f := v.posted(); len(f) != 1 || f[0].Has(holder.ParamFaceAttestations) {
		t.Fatalf("posted %v", f)
	}
}
