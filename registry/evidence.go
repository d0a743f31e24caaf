package registry

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/thaitrust/thaitrust/credential"
)

// EvidenceTypeIdentityProofing is the evidence type ThaiTrust identity
// credentials carry (STANDARDS.md).
const EvidenceTypeIdentityProofing = "IdentityProofing"

// ParseIdentityEvidence reads the IdentityProofing entries of a
// credential's evidence: ial, aal, idpId and proofedAt (idpId may be
// absent when the authoritative source proofed the person itself; IdP is
// then ""). Other evidence entries are skipped. It trusts nothing: the
// caller verified the credential first.
func ParseIdentityEvidence(c *credential.Credential) ([]IdentityEvidence, error) {
	var entries []any
	switch ev := c.Map()["evidence"].(type) {
	case nil:
		return nil, nil
	case []any:
		entries = ev
	case map[string]any:
		entries = []any{ev}
	default:
		return nil, errors.New("registry: evidence is neither an object nor an array")
	}
	var out []IdentityEvidence
	for i, e := range entries {
		m, ok := e.(map[string]any)
		if !ok || !hasType(m["type"], EvidenceTypeIdentityProofing) {
			continue
		}
		var ie IdentityEvidence
		var err error
		ial, _ := m["ial"].(string)
		aal, _ := m["aal"].(string)
		if ie.IAL, err = ParseIAL(ial); err != nil || !ie.IAL.Valid() {
			return nil, fmt.Errorf("registry: evidence %d: ial %q", i, ial)
		}
		if ie.AAL, err = ParseAAL(aal); err != nil || !ie.AAL.Valid() {
			return nil, fmt.Errorf("registry: evidence %d: aal %q", i, aal)
		}
		ie.IdP, _ = m["idpId"].(string)
		at, _ := m["proofedAt"].(string)
		if ie.ProofedAt, err = time.Parse(time.RFC3339, at); err != nil {
			return nil, fmt.Errorf("registry: evidence %d: proofedAt %q", i, at)
		}
		out = append(out, ie)
	}
	return out, nil
}

func hasType(v any, t string) bool {
	switch v := v.(type) {
	case string:
		return v == t
	case []any:
		return slices.Contains(v, any(t))
	}
	return false
}

// CheckCredentialEvidence checks a verified identity credential's
// evidence: some IdentityProofing entry must name an identity provider
// that was accredited, when it proofed the person, for the IAL and AAL
// asserted, and those must meet minIAL and minAAL. The answer of the
// entry that passed (or, failing all, of the last) is returned; a
// credential without such evidence gets reason idp_unknown.
func (s *Service) CheckCredentialEvidence(ctx context.Context, c *credential.Credential, minIAL IAL, minAAL AAL) (Answer, error) {
	evs, err := ParseIdentityEvidence(c)
	if err != nil {
		return Answer{Reason: ReasonIdentityProviderUnknown}, err
	}
	ans := Answer{Action: "identify", Reason: ReasonIdentityProviderUnknown}
	for _, e := range evs {
		if ans, err = s.CheckEvidence(ctx, e, minIAL, minAAL); err != nil || ans.Authorized {
			return ans, err
		}
	}
	return ans, nil
}
