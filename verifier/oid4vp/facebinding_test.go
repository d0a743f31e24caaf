package oid4vp_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
)

const (
	fvsDID      = "did:web:dopa.thaitrust.test:fvs"
	otherFVSDID = "did:web:rogue.example:fvs"
	citizenPID  = "1501400317847" // the ThaiCitizenCredential example's pid
	otherPID    = "1101700230708"
)

// faceFixture: DOPA issuing a citizen ID card as an SD-JWT VC to a
// holder key, DOPA's FVS (a fake matcher: no face models needed) with the
// citizen enrolled, a rogue FVS, and an employer verifier that trusts
// DOPA's FVS only.
type faceFixture struct {
	t                testing.TB
	vi               *issuertest.VirtualIssuer
	holder, other    crypto.Signer
	token            string // the SD-JWT VC, every disclosure
	fvs, rogue       *fvs.Service
	probe, strangers []byte
	svc              *oid4vp.Service
	store            *oid4vptest.MemoryStore
	trustCalls       int
}

// testPNG returns a distinct PNG image (the fake matcher knows images by
// content).
func testPNG(t testing.TB, shade uint8) []byte {
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

func newFVS(t testing.TB, m *fvstest.FakeMatcher, id string, now func() time.Time) (*fvs.Service, *did.Document) {
	t.Helper()
	_, kekKey, _ := ed25519.GenerateKey(nil)
	kek, err := fvs.SignerKEK(kekKey)
	if err != nil {
		t.Fatal(err)
	}
	_, attKey, _ := ed25519.GenerateKey(nil)
	doc := did.NewDocument(id, attKey.Public())
	s, err := fvs.New(context.Background(), fvs.Config{
		Matcher: m, Store: fvstest.NewMemoryStore(), KEK: kek, Calibration: fvstest.FakeCalibration(), Now: now,
		Attestation: &fvs.AttestationSigner{Key: attKey, Issuer: id, KeyID: doc.VerificationMethod[0].ID},
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, doc
}

var fvsCall = fvs.Call{Caller: "thaid", Purpose: "oid4vp-face-binding", Consent: "consent-1"}

func newFaceFixture(t testing.TB) *faceFixture {
	t.Helper()
	ctx := context.Background()
	f := &faceFixture{t: t, vi: issuertest.NewVirtualIssuer(t, "dopa", signing.EdDSA, "ThaiCitizenCredential")}
	var err error
	if f.holder, err = signing.GenerateKey(signing.EdDSA); err != nil {
		t.Fatal(err)
	}
	if f.other, err = signing.GenerateKey(signing.EdDSA); err != nil {
		t.Fatal(err)
	}
	is, err := f.vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "ThaiCitizenCredential"),
		Format: issuer.FormatSDJWT, HolderKey: f.holder.Public()})
	if err != nil {
		t.Fatal(err)
	}
	f.token = is.Token

	m := fvstest.NewFakeMatcher()
	enrol := testPNG(t, 10)
	f.probe, f.strangers = testPNG(t, 20), testPNG(t, 30)
	m.Set(enrol, []float32{0, 0, 0, 0})
	m.Set(f.probe, []float32{0.2, 0, 0, 0})     // distance 0.2: a match at 1e-3 and 1e-4
	m.Set(f.strangers, []float32{0.9, 0, 0, 0}) // distance 0.9: no match
	var doc, rogueDoc *did.Document
	f.fvs, doc = newFVS(t, m, fvsDID, f.vi.Clock.Now)
	f.rogue, rogueDoc = newFVS(t, m, otherFVSDID, f.vi.Clock.Now)
	for _, s := range []*fvs.Service{f.fvs, f.rogue} {
		for _, pid := range []string{citizenPID, otherPID} {
			if _, err := s.Enroll(ctx, fvs.EnrollRequest{Call: fvsCall, PID: pid, Image: enrol}); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Both FVS keys resolve; only DOPA's FVS is trusted.
	keys := &did.Resolver{Local: func(id string) (*did.Document, bool) {
		switch id {
		case fvsDID:
			return doc, true
		case otherFVSDID:
			return rogueDoc, true
		}
		return nil, false
	}}
	trust := oid4vp.FVSTrustFunc(func(_ context.Context, d string, _ time.Time) error {
		f.trustCalls++
		if d == fvsDID {
			return nil
		}
		return oid4vp.ErrFVSNotTrusted
	})
	cfg := f.vi.VerifierConfig()
	cfg.TokenStatus = issuertest.TokenStatusChecker(f.vi.Clock, f.vi)
	v, err := verifier.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rpKey, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	f.store = oid4vptest.NewMemoryStore()
	f.svc, err = oid4vp.New(oid4vp.Config{
		Name: "employer", DID: "did:web:employer.thaitrust.test",
		Signer:  jose.Signer{Key: rpKey, Algorithm: signing.EdDSA, KeyID: "did:web:employer.thaitrust.test#key-1"},
		BaseURL: "https://employer.thaitrust.test", Verifier: v, Store: f.store, Now: f.vi.Clock.Now,
		FaceBinding: &oid4vp.FaceBindingPolicy{Keys: keys, Trust: trust},
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func citizenQuery() map[string]any {
	return map[string]any{"credentials": []any{map[string]any{
		"id": "citizen", "format": "dc+sd-jwt",
		"meta":   map[string]any{"vct_values": []any{schemas.VCT("ThaiCitizenCredential")}},
		"claims": []any{map[string]any{"path": []any{"pid"}}, map[string]any{"path": []any{"name"}}},
	}}}
}

// request creates a presentation request demanding face binding at
// maxFMR and returns it as stored.
func (f *faceFixture) request(maxFMR float64) oid4vp.Request {
	f.t.Helper()
	ctx := context.Background()
	c, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: citizenQuery(),
		FaceBinding: &oid4vp.FaceBinding{CredentialIDs: []string{"citizen"}, MaxFMR: maxFMR}})
	if err != nil {
		f.t.Fatal(err)
	}
	r, err := f.store.GetRequest(ctx, c.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// present makes the holder's presentation for r: the pid and name
// disclosed, a KB-JWT for the verifier and r's nonce.
func (f *faceFixture) present(r oid4vp.Request) string {
	f.t.Helper()
	sd, err := sdjwt.Parse(f.token)
	if err != nil {
		f.t.Fatal(err)
	}
	p, err := sd.Present([]string{"/pid", "/name"}, &sdjwt.KeyBinding{Signer: f.holder, Audience: f.svc.ClientID(), Nonce: r.Nonce, IssuedAt: f.vi.Clock.Now()})
	if err != nil {
		f.t.Fatal(err)
	}
	return p
}

func thumbprint(t testing.TB, k crypto.Signer) string {
	t.Helper()
	tp, err := signing.Thumbprint(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

// attest asks an FVS for an attestation; change edits the request first.
func (f *faceFixture) attest(s *fvs.Service, r oid4vp.Request, change func(*fvs.AttestRequest)) string {
	f.t.Helper()
	req := fvs.AttestRequest{VerifyRequest: fvs.VerifyRequest{Call: fvsCall, PID: citizenPID, Image: f.probe, FMR: 1e-3},
		Nonce: r.Nonce, HolderKeyThumbprint: thumbprint(f.t, f.holder), Verifier: f.svc.ClientID()}
	if change != nil {
		change(&req)
	}
	res, tok, err := s.Attest(context.Background(), req)
	if err != nil || tok == "" {
		f.t.Fatalf("Attest: %+v, %v", res, err)
	}
	return tok
}

func attestations(m map[string]string) []string {
	b, _ := json.Marshal(m)
	return []string{string(b)}
}

// respond posts the response and returns the error and the recorded
// result.
func (f *faceFixture) respond(r oid4vp.Request, vp string, face []string) (*oid4vp.Result, error) {
	f.t.Helper()
	ctx := context.Background()
	token, _ := json.Marshal(map[string][]string{"citizen": {vp}})
	form := url.Values{"vp_token": {string(token)}, "state": {r.State}}
	if face != nil {
		form[oid4vp.ParamFaceAttestations] = face
	}
	_, err := f.svc.Respond(ctx, r.ID, form)
	view, gerr := f.svc.Get(ctx, r.ID)
	if gerr != nil {
		f.t.Fatal(gerr)
	}
	return view.Result, err
}

func faceCheck(p *oid4vp.Presented) *verifier.Check {
	for i := range p.Checks {
		if p.Checks[i].Check == oid4vp.CheckFaceBinding {
			return &p.Checks[i]
		}
	}
	return nil
}

func TestFaceBinding(t *testing.T) {
	f := newFaceFixture(t)
	r := f.request(1e-3)

	// The signed request object carries the demand.
	p, err := jws.Parse(r.Object)
	if err != nil {
		t.Fatal(err)
	}
	var obj map[string]any
	if err := json.Unmarshal(p.Payload, &obj); err != nil {
		t.Fatal(err)
	}
	fb, _ := obj[oid4vp.ParamFaceBinding].(map[string]any)
	if fb == nil || fb["max_fmr"] != 1e-3 || len(fb["credential_ids"].([]any)) != 1 {
		t.Fatalf("request object face_binding = %v", obj[oid4vp.ParamFaceBinding])
	}

	res, err := f.respond(r, f.present(r), attestations(map[string]string{"citizen": f.attest(f.fvs, r, nil)}))
	if err != nil || !res.Verified {
		t.Fatalf("Respond: %v; result %+v", err, res)
	}
	pres := res.Credentials["citizen"][0]
	c := faceCheck(pres)
	if c == nil || c.Status != verifier.Passed || !strings.Contains(c.Detail, fvsDID) || !strings.Contains(c.Detail, "FMR 1e-3") {
		t.Fatalf("face_binding check %+v", c)
	}
	if pres.Claims["pid"] != citizenPID {
		t.Errorf("claims %v", pres.Claims)
	}
	if f.trustCalls == 0 {
		t.Error("the FVS trust was not consulted")
	}
}

// TestFaceBindingNoAudience: an attestation without aud (the wallet did
// not tell the FVS where it presents) is accepted; the nonce binds it.
func TestFaceBindingNoAudience(t *testing.T) {
	f := newFaceFixture(t)
	r := f.request(1e-3)
	tok := f.attest(f.fvs, r, func(a *fvs.AttestRequest) { a.Verifier = "" })
	if _, a, err := fvs.ParseAttestation(tok); err != nil || a.Audience != "" {
		t.Fatalf("attestation %+v, %v", a, err)
	}
	if res, err := f.respond(r, f.present(r), attestations(map[string]string{"citizen": tok})); err != nil || !res.Verified {
		t.Fatalf("Respond: %v", err)
	}
}

// TestFaceBindingStricterFMR: an attestation made at 1e-4 satisfies a
// policy of 1e-3.
func TestFaceBindingStricterFMR(t *testing.T) {
	f := newFaceFixture(t)
	r := f.request(1e-3)
	tok := f.attest(f.fvs, r, func(a *fvs.AttestRequest) { a.FMR = 1e-4 })
	if res, err := f.respond(r, f.present(r), attestations(map[string]string{"citizen": tok})); err != nil || !res.Verified {
		t.Fatalf("Respond: %v", err)
	}
}

// TestFaceBindingRejected: every way an attestation can fail to bind the
// presentation to the person presenting is refused with its own reason.
func TestFaceBindingRejected(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		// fmr is the request's max_fmr (0: 1e-3); face produces the
		// face_attestations parameter for request r, and may move the
		// clock.
		fmr    float64
		face   func(f *faceFixture, r oid4vp.Request) []string
		reason string
	}{
		{"missing", 0, func(f *faceFixture, r oid4vp.Request) []string { return nil }, oid4vp.ReasonFaceBindingMissing},
		{"missing for the query", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"other": f.attest(f.fvs, r, nil)})
		}, oid4vp.ReasonFaceBindingMissing},
		{"replayed from another request (another nonce)", 0, func(f *faceFixture, r oid4vp.Request) []string {
			earlier := f.request(1e-3)
			return attestations(map[string]string{"citizen": f.attest(f.fvs, earlier, nil)})
		}, "face_attestation_nonce_mismatch"},
		{"for another holder key", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"citizen": f.attest(f.fvs, r, func(a *fvs.AttestRequest) {
				a.HolderKeyThumbprint = thumbprint(f.t, f.other)
			})})
		}, "face_attestation_holder_key_mismatch"},
		{"for another subject", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"citizen": f.attest(f.fvs, r, func(a *fvs.AttestRequest) { a.PID = otherPID })})
		}, "face_attestation_subject_mismatch"},
		{"for another verifier", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"citizen": f.attest(f.fvs, r, func(a *fvs.AttestRequest) { a.Verifier = "decentralized_identifier:did:web:shop.example" })})
		}, "face_attestation_audience_mismatch"},
		{"expired", 0, func(f *faceFixture, r oid4vp.Request) []string {
			tok := f.attest(f.fvs, r, nil)
			f.vi.Clock.Advance(fvs.DefaultAttestationTTL + time.Second) // the request (10 minutes) is still open
			return attestations(map[string]string{"citizen": tok})
		}, "face_attestation_expired"},
		{"FMR looser than the policy", 1e-4, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"citizen": f.attest(f.fvs, r, nil)}) // decided at 1e-3
		}, "face_attestation_fmr_too_high"},
		{"by an FVS the verifier does not trust", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"citizen": f.attest(f.rogue, r, nil)})
		}, "face_attestation_untrusted_issuer"},
		{"tampered", 0, func(f *faceFixture, r oid4vp.Request) []string {
			tok := f.attest(f.fvs, r, nil)
			parts := strings.Split(tok, ".")
			var claims map[string]any
			b, _ := base64.RawURLEncoding.DecodeString(parts[1])
			_ = json.Unmarshal(b, &claims)
			claims["face_match"].(map[string]any)["fmr_target"] = 1e-6
			nb, _ := json.Marshal(claims)
			parts[1] = base64.RawURLEncoding.EncodeToString(nb)
			return attestations(map[string]string{"citizen": strings.Join(parts, ".")})
		}, "face_attestation_bad_signature"},
		{"not a JWT", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return attestations(map[string]string{"citizen": "not-a-jwt"})
		}, "face_attestation_malformed"},
		{"parameter not a JSON object", 0, func(f *faceFixture, r oid4vp.Request) []string {
			return []string{`["x"]`}
		}, oid4vp.ReasonFaceBindingInvalid},
		{"parameter twice", 0, func(f *faceFixture, r oid4vp.Request) []string {
			tok := f.attest(f.fvs, r, nil)
			a := attestations(map[string]string{"citizen": tok})
			return append(a, a...)
		}, oid4vp.ReasonFaceBindingInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFaceFixture(t)
			fmr := tt.fmr
			if fmr == 0 {
				fmr = 1e-3
			}
			r := f.request(fmr)
			face := tt.face(f, r)
			res, err := f.respond(r, f.present(r), face)
			var oe *oid4vp.Error
			if !errors.As(err, &oe) || oe.Reason != tt.reason {
				t.Fatalf("Respond error %v, want reason %s", err, tt.reason)
			}
			if res == nil || res.Verified || res.Reason != tt.reason {
				t.Fatalf("result %+v", res)
			}
			en, th := verifier.Message(tt.reason)
			if res.Message != en || res.MessageTH != th || strings.Contains(en, "("+tt.reason+")") {
				t.Errorf("message %q / %q", res.Message, res.MessageTH)
			}
			for _, ps := range res.Credentials["citizen"] {
				if ps.Claims != nil || ps.Verified {
					t.Errorf("a refused response kept claims: %+v", ps)
				}
				if tt.reason != oid4vp.ReasonFaceBindingInvalid {
					if c := faceCheck(ps); c == nil || c.Status != verifier.Failed || c.Reason != tt.reason || c.MessageTH == "" {
						t.Errorf("face_binding check %+v", c)
					}
				}
			}
			// The nonce is spent: the right attestation cannot be tried
			// again on the same request.
			if v, _ := f.svc.Get(ctx, r.ID); v.Status != oid4vp.StatusFailed {
				t.Errorf("status %s", v.Status)
			}
		})
	}
}

// TestFaceBindingNoDemand: a request without face_binding ignores a
// face_attestations parameter, and passes without it.
func TestFaceBindingNoDemand(t *testing.T) {
	f := newFaceFixture(t)
	c, err := f.svc.CreateRequest(context.Background(), oid4vp.NewRequest{Query: citizenQuery()})
	if err != nil {
		t.Fatal(err)
	}
	r, _ := f.store.GetRequest(context.Background(), c.ID)
	res, err := f.respond(r, f.present(r), nil)
	if err != nil || !res.Verified || faceCheck(res.Credentials["citizen"][0]) != nil {
		t.Fatalf("Respond: %v, %+v", err, res)
	}
}

func TestFaceBindingRequestChecks(t *testing.T) {
	f := newFaceFixture(t)
	ctx := context.Background()
	noPID := citizenQuery()
	noPID["credentials"].([]any)[0].(map[string]any)["claims"] = []any{map[string]any{"path": []any{"name"}}}
	multiple := citizenQuery()
	multiple["credentials"].([]any)[0].(map[string]any)["multiple"] = true
	unbound := citizenQuery()
	unbound["credentials"].([]any)[0].(map[string]any)["require_cryptographic_holder_binding"] = false
	sets := citizenQuery()
	cq := sets["credentials"].([]any)[0].(map[string]any)
	cq["claims"] = []any{map[string]any{"id": "pid", "path": []any{"pid"}}, map[string]any{"id": "name", "path": []any{"name"}}}
	cq["claim_sets"] = []any{[]any{"name"}, []any{"pid", "name"}}
	good := oid4vp.FaceBinding{CredentialIDs: []string{"citizen"}, MaxFMR: 1e-3}
	tests := []struct {
		name  string
		query map[string]any
		fb    oid4vp.FaceBinding
	}{
		{"no citizen ID asked for", noPID, good},
		{"multiple", multiple, good},
		{"no holder binding", unbound, good},
		{"a claim set without the citizen ID", sets, good},
		{"unknown credential query", citizenQuery(), oid4vp.FaceBinding{CredentialIDs: []string{"degree"}, MaxFMR: 1e-3}},
		{"no credential query", citizenQuery(), oid4vp.FaceBinding{MaxFMR: 1e-3}},
		{"twice", citizenQuery(), oid4vp.FaceBinding{CredentialIDs: []string{"citizen", "citizen"}, MaxFMR: 1e-3}},
		{"no FMR", citizenQuery(), oid4vp.FaceBinding{CredentialIDs: []string{"citizen"}}},
		{"FMR too loose", citizenQuery(), oid4vp.FaceBinding{CredentialIDs: []string{"citizen"}, MaxFMR: 0.1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fb := tt.fb
			if _, err := f.svc.CreateRequest(ctx, oid4vp.NewRequest{Query: tt.query, FaceBinding: &fb}); !errors.Is(err, oid4vp.ErrInvalidQuery) {
				t.Fatalf("CreateRequest: %v", err)
			}
		})
	}
	// A verifier without a face-binding policy cannot demand it.
	cfg := f.vi.VerifierConfig()
	v, _ := verifier.New(cfg)
	key, _ := signing.GenerateKey(signing.EdDSA)
	plain, err := oid4vp.New(oid4vp.Config{Name: "shop", DID: "did:web:shop.example", Signer: jose.Signer{Key: key, Algorithm: signing.EdDSA, KeyID: "did:web:shop.example#k"},
		BaseURL: "https://shop.example", Verifier: v, Store: oid4vptest.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	fb := good
	if _, err := plain.CreateRequest(ctx, oid4vp.NewRequest{Query: citizenQuery(), FaceBinding: &fb}); !errors.Is(err, oid4vp.ErrInvalidQuery) {
		t.Fatalf("CreateRequest without a policy: %v", err)
	}
	// ParseFaceBinding reads what an API receives.
	got, err := oid4vp.ParseFaceBinding(map[string]any{"credential_ids": []any{"citizen"}, "max_fmr": json.Number("1e-4"), "subject_claim": []any{"pid"}})
	if err != nil || got.MaxFMR != 1e-4 || got.CredentialIDs[0] != "citizen" || len(got.SubjectClaim) != 1 {
		t.Fatalf("ParseFaceBinding = %+v, %v", got, err)
	}
	for _, bad := range []any{"x", map[string]any{"max_fmr": 1e-3}, map[string]any{"credential_ids": []any{1}, "max_fmr": 1e-3},
		map[string]any{"credential_ids": []any{"a"}, "max_fmr": "1e-3"}, map[string]any{"credential_ids": []any{"a"}, "max_fmr": 1e-3, "subject_claim": "pid"}} {
		if _, err := oid4vp.ParseFaceBinding(bad); !errors.Is(err, oid4vp.ErrInvalidQuery) {
			t.Errorf("ParseFaceBinding(%v) = %v", bad, err)
		}
	}
}

// Every face-binding reason has its own sentences in English and Thai.
func TestFaceBindingMessages(t *testing.T) {
	reasons := append(oid4vp.FaceAttestationReasons(), oid4vp.ReasonFaceBindingMissing, oid4vp.ReasonFaceBindingInvalid,
		oid4vp.ReasonFaceBindingNoSubject, oid4vp.ReasonFaceBindingHolderKey, oid4vp.ReasonFaceBindingUnavailable)
	for _, reason := range reasons {
		en, th := verifier.Message(reason)
		if en == "" || th == "" || strings.Contains(en, "("+reason+")") || !strings.ContainsFunc(th, func(r rune) bool { return r >= 0x0E00 && r <= 0x0E7F }) {
			t.Errorf("%s: %q / %q", reason, en, th)
		}
	}
}

// FuzzParseFaceBinding: a face_binding value either parses (and then
// round-trips through its JSON form unchanged) or fails with an
// ErrInvalidQuery and no value.
func FuzzParseFaceBinding(f *testing.F) {
	for _, s := range []string{`{"credential_ids":["citizen"],"max_fmr":0.001}`, `{"credential_ids":["a","b"],"max_fmr":1e-4,"subject_claim":["credentialSubject","pid"]}`,
		`{"credential_ids":[],"max_fmr":"x"}`, `[]`, `{"credential_ids":["a"],"max_fmr":1e999}`, `{"subject_claim":[null,0]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.UseNumber()
		var v any
		if dec.Decode(&v) != nil {
			return
		}
		fb, err := oid4vp.ParseFaceBinding(v)
		if err != nil {
			if fb != nil || !errors.Is(err, oid4vp.ErrInvalidQuery) {
				t.Fatalf("error %v with %+v", err, fb)
			}
			return
		}
		b, err := json.Marshal(fb)
		if err != nil {
			t.Fatal(err)
		}
		var back any
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		fb2, err := oid4vp.ParseFaceBinding(back)
		if err != nil {
			t.Fatalf("%s does not parse again: %v", b, err)
		}
		b2, _ := json.Marshal(fb2)
		if !bytes.Equal(b, b2) {
			t.Fatalf("round trip %s -> %s", b, b2)
		}
	})
}

// BenchmarkRespondFaceBinding measures Respond (the verification of a
// response) with a face-binding demand and its attestation, against the
// same response to a request without the demand (the baseline, in the
// same run). Creating requests, presenting and attesting are not timed.
func BenchmarkRespondFaceBinding(b *testing.B) {
	for _, withFace := range []bool{false, true} {
		name := "baseline"
		if withFace {
			name = "face_binding"
		}
		b.Run(name, func(b *testing.B) {
			f := newFaceFixture(b)
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				nr := oid4vp.NewRequest{Query: citizenQuery()}
				if withFace {
					nr.FaceBinding = &oid4vp.FaceBinding{CredentialIDs: []string{"citizen"}, MaxFMR: 1e-3}
				}
				c, err := f.svc.CreateRequest(ctx, nr)
				if err != nil {
					b.Fatal(err)
				}
				r, _ := f.store.GetRequest(ctx, c.ID)
				token, _ := json.Marshal(map[string][]string{"citizen": {f.present(r)}})
				form := url.Values{"vp_token": {string(token)}, "state": {r.State}}
				if withFace {
					form[oid4vp.ParamFaceAttestations] = attestations(map[string]string{"citizen": f.attest(f.fvs, r, nil)})
				}
				b.StartTimer()
				if _, err := f.svc.Respond(ctx, r.ID, form); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
