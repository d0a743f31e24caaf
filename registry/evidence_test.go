package registry_test

import (
	"encoding/json"
	"testing"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/schemas"
)

func TestCredentialEvidence(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	citizen := func(idp, ial, aal, proofed string) *credential.Credential {
		ty, _ := schemas.Lookup("ThaiCitizenCredential")
		var doc map[string]any
		must(t, json.Unmarshal(ty.Example, &doc))
		doc["issuer"] = sc.Members["dopa"].DID
		ev := doc["evidence"].([]any)[0].(map[string]any)
		ev["idpId"], ev["ial"], ev["aal"], ev["proofedAt"] = idp, ial, aal, proofed
		b, _ := json.Marshal(doc)
		c, err := credential.Parse(b)
		must(t, err)
		return c
	}
	thaid, bank := sc.Members["thaid"].DID, sc.Members["bankidp"].DID
	for _, tt := range []struct {
		name   string
		c      *credential.Credential
		min    registry.IAL
		reason string
	}{
		{"thaid 2.3", citizen(thaid, "2.3", "2.2", "2025-02-01T09:00:00+07:00"), registry.IAL22, ""},
		{"bank claims 2.3", citizen(bank, "2.3", "2.1", "2025-02-01T09:00:00+07:00"), registry.IAL13, registry.ReasonIALExceedsAccreditation},
		{"policy wants 2.3", citizen(bank, "1.3", "2.1", "2025-02-01T09:00:00+07:00"), registry.IAL23, registry.ReasonIALBelowPolicy},
		{"proofed before accreditation", citizen(thaid, "2.3", "2.2", "2024-12-01T09:00:00+07:00"), registry.IAL22, registry.ReasonAccreditationNotYetValid},
		{"unknown idp", citizen("did:web:idp.example", "2.3", "2.2", "2025-02-01T09:00:00+07:00"), registry.IAL22, registry.ReasonIdentityProviderUnknown},
	} {
		t.Run(tt.name, func(t *testing.T) {
			a, err := sc.Service.CheckCredentialEvidence(ctx, tt.c, tt.min, 0)
			must(t, err)
			if a.Authorized != (tt.reason == "") || a.Reason != tt.reason {
				t.Errorf("authorized=%v reason=%q, want %q", a.Authorized, a.Reason, tt.reason)
			}
		})
	}
	if _, err := registry.ParseIdentityEvidence(citizen(thaid, "2.4", "2.2", "2025-02-01T09:00:00Z")); err == nil {
		t.Error("IAL 2.4 accepted")
	}
}
