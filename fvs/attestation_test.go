package fvs_test

import (
	"context"
	"crypto/ed25519"
	"errors"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

func thumbprint(t *testing.T) string {
	t.Helper()
	pub, _, _ := ed25519.GenerateKey(nil)
	tp, err := signing.Thumbprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestAttestation(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	enrol, probe, other := pngImage(t, 200, 200, 1), pngImage(t, 200, 200, 2), pngImage(t, 200, 200, 3)
	f.m.Set(enrol, vec(0))
	f.m.Set(probe, vec(0.2))
	f.m.Set(other, vec(0.9))
	if _, err := f.svc.Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pidA, Image: enrol}); err != nil {
		t.Fatal(err)
	}
	holder, otherHolder := thumbprint(t), thumbprint(t)
	req := fvs.AttestRequest{VerifyRequest: fvs.VerifyRequest{Call: call, PID: pidA, Image: probe}, Nonce: "n-123", HolderKeyThumbprint: holder, Verifier: "bank"}
	res, token, err := f.svc.Attest(ctx, req)
	if err != nil || !res.Match() || token == "" {
		t.Fatalf("Attest = %+v, %q, %v", res, token, err)
	}
	opts := fvs.AttestationOptions{Keys: f.res, Issuers: []string{fvsDID}, Now: clock, Nonce: "n-123",
		HolderKeyThumbprint: holder, Subject: pidA, MaxFMR: 1e-3}
	a, err := fvs.VerifyAttestation(ctx, token, opts)
	if err != nil {
		t.Fatal(err)
	}
	if a.SubjectFormat != fvs.SubjectPIDHMAC || a.Subject != fvs.SubjectHash(pidA, "n-123") || a.Decision != "match" ||
		a.FMR != 1e-3 || a.Model != "fake" || a.Audience != "bank" || a.ID != res.RequestID || len(a.Checked) == 0 {
		t.Fatalf("attestation = %+v", a)
	}
	// The keyed hash works as Subject too.
	o := opts
	o.Subject = fvs.SubjectHash(pidA, "n-123")
	if _, err := fvs.VerifyAttestation(ctx, token, o); err != nil {
		t.Errorf("with the subject hash: %v", err)
	}

	reject := []struct {
		name   string
		mutate func(o *fvs.AttestationOptions)
		want   string
	}{
		{"replayed with another nonce", func(o *fvs.AttestationOptions) { o.Nonce = "n-456" }, fvs.ReasonNonceMismatch},
		{"replayed with another holder key", func(o *fvs.AttestationOptions) { o.HolderKeyThumbprint = otherHolder }, fvs.ReasonHolderKeyMismatch},
		{"another subject", func(o *fvs.AttestationOptions) { o.Subject = pidB }, fvs.ReasonSubjectMismatch},
		{"stricter policy", func(o *fvs.AttestationOptions) { o.MaxFMR = 1e-4 }, fvs.ReasonFMRTooHigh},
		{"untrusted FVS", func(o *fvs.AttestationOptions) { o.Issuers = []string{"did:web:other.example"} }, fvs.ReasonUntrustedIssuer},
		{"expired", func(o *fvs.AttestationOptions) { o.Now = func() time.Time { return now.Add(6 * time.Minute) } }, fvs.ReasonExpired},
		{"too old for the verifier", func(o *fvs.AttestationOptions) {
			o.Now = func() time.Time { return now.Add(2 * time.Minute) }
			o.MaxAge = time.Minute
		}, fvs.ReasonTooOld},
		{"issued in the future", func(o *fvs.AttestationOptions) { o.Now = func() time.Time { return now.Add(-time.Minute) } }, fvs.ReasonIssuedInFuture},
		{"audience", func(o *fvs.AttestationOptions) { o.Audience = "shop" }, fvs.ReasonAudienceMismatch},
		{"no policy", func(o *fvs.AttestationOptions) { o.MaxFMR = 0 }, fvs.ReasonNoPolicy},
		{"no nonce expected", func(o *fvs.AttestationOptions) { o.Nonce = "" }, fvs.ReasonNoPolicy},
	}
	for _, tt := range reject {
		t.Run(tt.name, func(t *testing.T) {
			o := opts
			tt.mutate(&o)
			a, err := fvs.VerifyAttestation(ctx, token, o)
			var ae *fvs.AttestationError
			if !errors.As(err, &ae) || ae.Reason != tt.want || a != nil {
				t.Fatalf("VerifyAttestation = %+v, %v; want reason %s", a, err, tt.want)
			}
			if !errors.Is(err, &fvs.AttestationError{Reason: tt.want}) {
				t.Error("errors.Is with the reason sentinel fails")
			}
		})
	}
	t.Run("signed by another key", func(t *testing.T) {
		_, k, _ := ed25519.GenerateKey(nil)
		doc := did.NewDocument(fvsDID, k.Public())
		o := opts
		o.Keys = &did.Resolver{Local: func(id string) (*did.Document, bool) { return doc, id == fvsDID }}
		if _, err := fvs.VerifyAttestation(ctx, token, o); !errors.Is(err, &fvs.AttestationError{Reason: fvs.ReasonBadSignature}) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		if _, err := fvs.VerifyAttestation(ctx, token[:len(token)-4]+"AAAA", opts); err == nil {
			t.Fatal("accepted")
		}
		if _, err := fvs.VerifyAttestation(ctx, "not.a.jwt", opts); !errors.Is(err, &fvs.AttestationError{Reason: fvs.ReasonMalformed}) {
			t.Fatalf("got %v", err)
		}
	})

	// No attestation for a non-match; the pid only for an entitled verifier.
	if res, tok, err := f.svc.Attest(ctx, fvs.AttestRequest{VerifyRequest: fvs.VerifyRequest{Call: call, PID: pidA, Image: other},
		Nonce: "n", HolderKeyThumbprint: holder}); err != nil || res.Match() || tok != "" {
		t.Fatalf("non-match: %+v, %q, %v", res, tok, err)
	}
	disclose := req
	disclose.DisclosePID = true
	if _, _, err := f.svc.Attest(ctx, disclose); !errors.Is(err, fvs.ErrNotEntitled) {
		t.Fatalf("disclosure to an unentitled verifier: %v", err)
	}
	disclose.Verifier = "entitled-verifier"
	_, tok, err := f.svc.Attest(ctx, disclose)
	if err != nil {
		t.Fatal(err)
	}
	o = opts
	if a, err := fvs.VerifyAttestation(ctx, tok, o); err != nil || a.Subject != pidA || a.SubjectFormat != fvs.SubjectPID {
		t.Fatalf("disclosed: %+v, %v", a, err)
	}
	for _, bad := range []fvs.AttestRequest{
		{VerifyRequest: req.VerifyRequest, HolderKeyThumbprint: holder},
		{VerifyRequest: req.VerifyRequest, Nonce: "n"},
		{VerifyRequest: req.VerifyRequest, Nonce: "n", HolderKeyThumbprint: "short"},
	} {
		if _, _, err := f.svc.Attest(ctx, bad); err == nil {
			t.Errorf("Attest(%+v) succeeded", bad)
		}
	}
}
