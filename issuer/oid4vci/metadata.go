package oid4vci

import (
	"slices"

	"github.com/thaitrust/thaitrust/schemas"
)

// Metadata returns the Credential Issuer Metadata (OpenID4VCI 1.0,
// section 12.2.4): endpoints, batch size, display in Thai and English,
// and for each type the issuer issues two configurations, <Type>.sd_jwt
// (dc+sd-jwt, vct, bound to a jwk) and <Type>.jwt (jwt_vc_json, bound to
// a did:key or did:jwk subject), each with the jwt proof type and the
// type's display and claim labels (from its SD-JWT VC Type Metadata).
func (s *Service) Metadata() map[string]any {
	p := s.profile
	var display []any
	for _, lang := range []string{"th", "en"} {
		if n := p.DisplayName[lang]; n != "" {
			display = append(display, map[string]any{"name": n, "locale": lang})
		}
	}
	proofAlgs := make([]string, len(s.cfg.ProofAlgorithms))
	for i, a := range s.cfg.ProofAlgorithms {
		proofAlgs[i] = string(a)
	}
	proofTypes := map[string]any{"jwt": map[string]any{"proof_signing_alg_values_supported": proofAlgs}}
	signAlg := []string{string(p.Signer.Algorithm)}
	configs := map[string]any{}
	for _, typ := range p.Types {
		m, ok := schemas.TypeMetadata(typ)
		if !ok {
			continue
		}
		var tdisplay []any
		for _, d := range m.Display {
			tdisplay = append(tdisplay, map[string]any{"name": d.Name, "locale": d.Locale, "description": d.Description})
		}
		var claims []any
		for _, c := range m.Claims {
			var cd []any
			for _, d := range c.Display {
				cd = append(cd, map[string]any{"name": d.Label, "locale": d.Locale})
			}
			claims = append(claims, map[string]any{"path": slices.Clone(c.Path), "display": cd})
		}
		meta := map[string]any{"display": tdisplay, "claims": claims}
		configs[typ+SuffixSDJWT] = map[string]any{
			"format": FormatSDJWT,
			"vct":    m.VCT,
			"scope":  typ + SuffixSDJWT,
			"cryptographic_binding_methods_supported": []string{"jwk"},
			"credential_signing_alg_values_supported": signAlg,
			"proof_types_supported":                   proofTypes,
			"credential_metadata":                     meta,
		}
		configs[typ+SuffixJWT] = map[string]any{
			"format":                FormatJWTVCJS,
			"scope":                 typ + SuffixJWT,
			"credential_definition": map[string]any{"type": []string{"VerifiableCredential", typ}},
			"cryptographic_binding_methods_supported": []string{"did:key", "did:jwk"},
			"credential_signing_alg_values_supported": signAlg,
			"proof_types_supported":                   proofTypes,
			"credential_metadata":                     meta,
		}
	}
	return map[string]any{
		"credential_issuer":                   s.cfg.CredentialIssuer,
		"credential_endpoint":                 s.CredentialEndpoint(),
		"nonce_endpoint":                      s.NonceEndpoint(),
		"batch_credential_issuance":           map[string]any{"batch_size": s.cfg.BatchSize},
		"display":                             display,
		"credential_configurations_supported": configs,
	}
}

// AuthorizationServerMetadata returns the OAuth 2.0 Authorization Server
// Metadata (RFC 8414) of the issuer's authorization server, which is the
// credential issuer itself: the pre-authorized code grant only, with
// anonymous access to the token endpoint.
func (s *Service) AuthorizationServerMetadata() map[string]any {
	return map[string]any{
		"issuer":                                          s.cfg.CredentialIssuer,
		"token_endpoint":                                  s.TokenEndpoint(),
		"grant_types_supported":                           []string{GrantPreAuthorized},
		"response_types_supported":                        []string{},
		"token_endpoint_auth_methods_supported":           []string{"none"},
		"pre-authorized_grant_anonymous_access_supported": true,
	}
}
