package schemas_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/schemas"
)

// sdClaims maps a catalogue example to the claims of its SD-JWT VC, as
// the issuer does.
func sdClaims(t *testing.T, typ schemas.Type) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(typ.Example, &doc); err != nil {
		t.Fatal(err)
	}
	claims := map[string]any{
		"iss": "did:web:issuer.example", "iat": 1700000000, "vct": schemas.VCT(typ.Name),
		"cnf":    map[string]any{"jwk": map[string]any{"kty": "OKP"}},
		"status": map[string]any{"status_list": map[string]any{"idx": 1, "uri": "https://issuer.example/s/1"}},
	}
	for k, v := range doc["credentialSubject"].(map[string]any) {
		claims[schemas.SDJWTName(typ.Name, k)] = v
	}
	if ev, ok := doc["evidence"]; ok {
		claims["evidence"] = ev
	}
	if schemas.HasAgeClaim(typ.Name) {
		claims[schemas.AgeClaim] = map[string]any{"18": true, "20": true}
	}
	return claims
}

func withoutPointer(claims map[string]any, p string) (map[string]any, bool) {
	b, _ := json.Marshal(claims)
	var out map[string]any
	json.Unmarshal(b, &out)
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	m := out
	for _, tok := range toks[:len(toks)-1] {
		next, ok := m[tok].(map[string]any)
		if !ok {
			return nil, false
		}
		m = next
	}
	if _, ok := m[toks[len(toks)-1]]; !ok {
		return nil, false
	}
	delete(m, toks[len(toks)-1])
	return out, true
}

// TestValidateSDJWT: every example passes as an SD-JWT VC, with all its
// claims and with each selectively disclosable claim (and all of them)
// withheld; withholding an always-visible required claim, or disclosing
// a malformed value, fails with a pointer into the claims.
func TestValidateSDJWT(t *testing.T) {
	for _, typ := range schemas.Types() {
		t.Run(typ.Name, func(t *testing.T) {
			full := sdClaims(t, typ)
			if err := schemas.ValidateSDJWT(typ.Name, full); err != nil {
				t.Fatalf("all claims: %v", err)
			}
			all := full
			for _, p := range schemas.SDJWTDisclosable(typ.Name) {
				c, ok := withoutPointer(full, p)
				if !ok {
					continue
				}
				if err := schemas.ValidateSDJWT(typ.Name, c); err != nil {
					t.Errorf("without %s: %v", p, err)
				}
				if c, ok := withoutPointer(all, p); ok {
					all = c
				}
			}
			if err := schemas.ValidateSDJWT(typ.Name, all); err != nil {
				t.Errorf("without every disclosable claim: %v", err)
			}
			// The plain schema still requires what the relaxed one does not.
			var doc map[string]any
			json.Unmarshal(typ.Example, &doc)
			if err := schemas.Validate(typ.Name, doc); err != nil {
				t.Errorf("the VCDM schema changed: %v", err)
			}
		})
	}
}

func TestValidateSDJWTFailures(t *testing.T) {
	degree, _ := schemas.Lookup("DegreeCredential")
	citizen, _ := schemas.Lookup("ThaiCitizenCredential")
	juristic, _ := schemas.Lookup("JuristicPersonCredential")
	tests := []struct {
		name       string
		typ        schemas.Type
		edit       func(c map[string]any)
		wantField  string
		wantReason string
	}{
		{"required visible claim withheld", degree, func(c map[string]any) { delete(c, "institution") }, "/institution", "required"},
		{"nested required visible claim withheld", degree, func(c map[string]any) { delete(c["award"].(map[string]any), "conferralDate") }, "/award/conferralDate", "required"},
		{"disclosed value malformed", citizen, func(c map[string]any) { c["pid"] = "1103701234560" }, "/pid", "thai_citizen_id_checksum"},
		{"unknown member", degree, func(c map[string]any) { c["student"].(map[string]any)["nickname"] = "x" }, "/student/nickname", "additional_property"},
		{"age claim not boolean", citizen, func(c map[string]any) { c[schemas.AgeClaim] = map[string]any{"18": "yes"} }, "/age_equal_or_over/18", "type"},
		{"age claim unknown threshold", citizen, func(c map[string]any) { c[schemas.AgeClaim] = map[string]any{"21": true} }, "/age_equal_or_over/21", "additional_property"},
		{"renamed member", juristic, func(c map[string]any) { c["registrationStatus"] = "closed" }, "/registrationStatus", "enum"},
		{"BE date contradicts", citizen, func(c map[string]any) { c["birthDateBE"] = "25430101" }, "/birthDateBE", "be_date_mismatch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := sdClaims(t, tc.typ)
			tc.edit(c)
			err := schemas.ValidateSDJWT(tc.typ.Name, c)
			if tc.wantReason == "" {
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			}
			var ve *schemas.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, schemas.ErrInvalid) {
				t.Fatalf("err = %v, want a *ValidationError", err)
			}
			if ve.Reason != tc.wantReason || ve.Field != tc.wantField {
				t.Errorf("got %s at %q, want %s at %q (%v)", ve.Reason, ve.Field, tc.wantReason, tc.wantField, err)
			}
		})
	}
	if err := schemas.ValidateSDJWT("NoSuchCredential", map[string]any{}); !errors.Is(err, schemas.ErrUnknownType) {
		t.Errorf("unknown type: %v", err)
	}
}
