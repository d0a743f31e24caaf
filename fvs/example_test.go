package fvs_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"image"
	"image/png"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// The main flow: DOPA's FVS enrols a citizen's authoritative photo; an
// IdP verifies a selfie and, for a presentation, obtains an attestation;
// the verifier checks the attestation against its own nonce, the holder's
// key and the credential's pid. (A fake matcher stands in for the face
// models; fvs/goface is the real one.)
func Example() {
	ctx := context.Background()
	now := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }

	// DOPA: keys, store, service.
	kekKey, _ := signing.GenerateKey(signing.EdDSA)
	kek, _ := fvs.SignerKEK(kekKey)
	_, attKey, _ := ed25519.GenerateKey(nil)
	const fvsDID = "did:web:dopa.example:fvs"
	doc := did.NewDocument(fvsDID, attKey.Public())
	m := fvstest.NewFakeMatcher()
	svc, err := fvs.New(ctx, fvs.Config{Matcher: m, Store: fvstest.NewMemoryStore(), KEK: kek,
		Calibration: fvstest.FakeCalibration(), Now: clock,
		Attestation: &fvs.AttestationSigner{Key: attKey, Issuer: fvsDID, KeyID: doc.VerificationMethod[0].ID}})
	if err != nil {
		panic(err)
	}
	registryPhoto, selfie := examplePNG(1), examplePNG(2)
	m.Set(registryPhoto, []float32{0.0, 0.0})
	m.Set(selfie, []float32{0.1, 0.05})

	const pid = "1101700230708"
	call := fvs.Call{Caller: "idp-1", Purpose: "ial2.2-proofing", Consent: "consent-42"}
	if _, err := svc.Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pid, Image: registryPhoto, Source: "dopa-civil-registry"}); err != nil {
		panic(err)
	}
	res, err := svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pid, Image: selfie, FMR: 1e-4})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Decision, res.FMR, res.Score)

	// For a presentation: bound to the verifier's nonce and the holder key.
	holderPub, _, _ := ed25519.GenerateKey(nil)
	jkt, _ := signing.Thumbprint(holderPub)
	_, token, err := svc.Attest(ctx, fvs.AttestRequest{VerifyRequest: fvs.VerifyRequest{Call: call, PID: pid, Image: selfie},
		Nonce: "verifier-nonce-1", HolderKeyThumbprint: jkt, Verifier: "bank"})
	if err != nil {
		panic(err)
	}

	// The verifier.
	resolver := &did.Resolver{Local: func(id string) (*did.Document, bool) { return doc, id == fvsDID }}
	opts := fvs.AttestationOptions{Keys: resolver, Issuers: []string{fvsDID}, Now: clock,
		Nonce: "verifier-nonce-1", HolderKeyThumbprint: jkt, Subject: pid, MaxFMR: 1e-3}
	a, err := fvs.VerifyAttestation(ctx, token, opts)
	fmt.Println(a.Decision, a.FMR, a.Checked, err)

	// Replayed into another presentation:
	opts.Nonce = "verifier-nonce-2"
	_, err = fvs.VerifyAttestation(ctx, token, opts)
	fmt.Println(err)
	// Output:
	// match 0.0001 99.9999
	// match 0.001 [signature issuer freshness nonce holder_key subject decision fmr] <nil>
	// fvs: attestation: nonce_mismatch: the attestation is bound to another presentation nonce
}

func examplePNG(shade uint8) []byte {
	img := image.NewGray(image.Rect(0, 0, 100, 100))
	for i := range img.Pix {
		img.Pix[i] = shade
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}
