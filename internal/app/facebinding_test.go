package app_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// TestFVSServiceAttester: the in-process attester decides at the loosest
// FMR target the FVS offers that the verifier accepts, reports a
// non-match as holder.ErrNoFaceMatch, and refuses a verifier that asks
// for a stricter FMR than any target.
func TestFVSServiceAttester(t *testing.T) {
	ctx := context.Background()
	m := fvstest.NewFakeMatcher()
	enrol, probe, stranger := facePNG(t, 10), facePNG(t, 20), facePNG(t, 30)
	m.Set(enrol, []float32{0, 0, 0, 0})
	m.Set(probe, []float32{0.2, 0, 0, 0})
	m.Set(stranger, []float32{0.9, 0, 0, 0})
	_, kekKey, _ := ed25519.GenerateKey(nil)
	kek, _ := fvs.SignerKEK(kekKey)
	_, attKey, _ := ed25519.GenerateKey(nil)
	const id = "did:web:dopa.example:fvs"
	doc := did.NewDocument(id, attKey.Public())
	svc, err := fvs.New(ctx, fvs.Config{Matcher: m, Store: fvstest.NewMemoryStore(), KEK: kek, Calibration: fvstest.FakeCalibration(),
		Attestation: &fvs.AttestationSigner{Key: attKey, Issuer: id, KeyID: doc.VerificationMethod[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Enroll(ctx, fvs.EnrollRequest{Call: fvs.Call{Caller: "dopa", Purpose: "enrolment", Consent: "law"}, PID: faceCitizenPID, Image: enrol}); err != nil {
		t.Fatal(err)
	}
	holderKey, _ := signing.GenerateKey(signing.EdDSA)
	jkt, _ := signing.Thumbprint(holderKey.Public())
	a := app.FVSServiceAttester{Service: svc, Caller: "thaid"}
	req := holder.FaceAttestationRequest{PID: faceCitizenPID, Photo: probe, Nonce: "n-1", HolderKeyThumbprint: jkt,
		Verifier: "decentralized_identifier:did:web:employer.example", MaxFMR: 5e-4}
	tok, err := a.AttestFace(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	keys := &did.Resolver{Local: func(d string) (*did.Document, bool) { return doc, d == id }}
	att, err := fvs.VerifyAttestation(ctx, tok, fvs.AttestationOptions{Keys: keys, Issuers: []string{id}, Nonce: "n-1",
		HolderKeyThumbprint: jkt, Subject: faceCitizenPID, MaxFMR: 5e-4, Audience: req.Verifier})
	if err != nil || att.FMR != 1e-4 {
		t.Fatalf("attestation %+v, %v (want FMR 1e-4: the loosest target at or below 5e-4)", att, err)
	}
	stranger1 := req
	stranger1.Photo = stranger
	if _, err := a.AttestFace(ctx, stranger1); !errors.Is(err, holder.ErrNoFaceMatch) {
		t.Fatalf("a stranger's photo: %v", err)
	}
	strict := req
	strict.MaxFMR = 1e-6
	if _, err := a.AttestFace(ctx, strict); err == nil || !strings.Contains(err.Error(), "no FMR target") {
		t.Fatalf("max_fmr 1e-6: %v", err)
	}
}

// TestFVSClientURL: the photo goes over https only (http to a loopback
// host for the demo).
func TestFVSClientURL(t *testing.T) {
	for _, u := range []string{"http://fvs.example", "ftp://127.0.0.1", "http://10.0.0.1:8080"} {
		c := &app.FVSClient{BaseURL: u, Token: "t"}
		_, err := c.AttestFace(context.Background(), holder.FaceAttestationRequest{PID: faceCitizenPID, Photo: []byte("x"), MaxFMR: 1e-3})
		if err == nil || !strings.Contains(err.Error(), "want https") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
