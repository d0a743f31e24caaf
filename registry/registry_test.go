package registry_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/verifier"
)

var ctx = context.Background()

const admin = registrytest.Admin

func day(n int) time.Time { return registrytest.Epoch.Add(time.Duration(n) * 24 * time.Hour) }

func trust(t *testing.T, it verifier.IssuerTrust, issuer, typ string, at time.Time) verifier.TrustDecision {
	t.Helper()
	d, err := it.TrustIssuer(ctx, verifier.TrustQuery{Issuer: issuer, Type: typ, At: at})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSchemeTrust(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	uni := sc.Members["university"]
	tests := []struct {
		name, issuer, typ string
		at                time.Time
		wantReason        string // "" trusted
	}{
		{"degree", uni.DID, "DegreeCredential", day(10), ""},
		{"transcript", uni.DID, "TranscriptCredential", day(10), ""},
		{"type not accredited", uni.DID, "ThaiCitizenCredential", day(10), registry.ReasonTypeNotAccredited},
		{"before accreditation", uni.DID, "DegreeCredential", day(-1), registry.ReasonAccreditationNotYetValid},
		{"after expiry", uni.DID, "DegreeCredential", day(366), registry.ReasonAccreditationExpired},
		{"unknown issuer", "did:web:nobody.example", "DegreeCredential", day(10), registry.ReasonUnknownIssuer},
		{"authoritative source", sc.Members["dopa"].DID, "ThaiCitizenCredential", day(10), ""},
		{"idp is no issuer", sc.Members["thaid"].DID, "ThaiCitizenCredential", day(10), registry.ReasonNotAccredited},
		{"accreditor is no issuer", sc.Members["mhesi"].DID, "DegreeCredential", day(10), registry.ReasonNotAccredited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := trust(t, sc.Service, tt.issuer, tt.typ, tt.at)
			if d.Trusted != (tt.wantReason == "") || d.Reason != tt.wantReason {
				t.Fatalf("got trusted=%v reason=%q (%s), want reason %q", d.Trusted, d.Reason, d.Basis, tt.wantReason)
			}
			if d.Trusted && !strings.Contains(d.Basis, uni.Accreditation.ID) && tt.issuer == uni.DID {
				t.Errorf("basis %q does not name the accreditation %s", d.Basis, uni.Accreditation.ID)
			}
		})
	}
}
