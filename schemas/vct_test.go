package schemas_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/schemas"
)

func TestVCT(t *testing.T) {
	for _, ty := range schemas.Types() {
		vct := schemas.VCT(ty.Name)
		if vct != "https://thaitrust.example/vct/"+ty.Name {
			t.Errorf("VCT(%s) = %q", ty.Name, vct)
		}
		if got, ok := schemas.TypeForVCT(vct); !ok || got != ty.Name {
			t.Errorf("TypeForVCT(%q) = %q, %v", vct, got, ok)
		}
	}
	for _, bad := range []string{"", "NoSuchCredential", "https://thaitrust.example/vct/", "https://thaitrust.example/vct/NoSuch",
		"https://other.example/vct/DegreeCredential", "https://thaitrust.example/vct/DegreeCredential/x"} {
		if _, ok := schemas.TypeForVCT(bad); ok {
			t.Errorf("TypeForVCT(%q) ok", bad)
		}
	}
	if schemas.VCT("NoSuchCredential") != "" {
		t.Error("VCT of an unknown type is not empty")
	}
}

// TestTypeMetadata checks every type's metadata: both locales, a label
// in Thai and English for every top-level member of credentialSubject
// (from the schema) and every selectively disclosable claim, which must
// be marked "always", and nothing else "always".
func TestTypeMetadata(t *testing.T) {
	for _, ty := range schemas.Types() {
		t.Run(ty.Name, func(t *testing.T) {
			m, ok := schemas.TypeMetadata(ty.Name)
			if !ok {
				t.Fatal("no metadata")
			}
			if m.VCT != schemas.VCT(ty.Name) || m.SchemaURI != ty.SchemaID || m.Name != ty.Title["en"] || m.Description == "" {
				t.Errorf("header %+v", m)
			}
			if len(m.Display) != 2 || m.Display[0].Locale != "th" || m.Display[1].Locale != "en" ||
				m.Display[0].Name != ty.Title["th"] || m.Display[0].Description == "" || m.Display[1].Description == "" {
				t.Errorf("display %+v", m.Display)
			}
			claims := map[string]schemas.ClaimMetadata{}
			for _, c := range m.Claims {
				key := pathKey(c.Path)
				if _, dup := claims[key]; dup {
					t.Errorf("claim %s listed twice", key)
				}
				claims[key] = c
				if len(c.Display) != 2 || c.Display[0].Locale != "th" || c.Display[1].Locale != "en" ||
					c.Display[0].Label == "" || c.Display[1].Label == "" || !hasThai(c.Display[0].Label) {
					t.Errorf("claim %s display %+v", key, c.Display)
				}
				if c.SD != schemas.SDAlways && c.SD != schemas.SDNever {
					t.Errorf("claim %s sd %q", key, c.SD)
				}
			}
			var schema struct {
				Properties struct {
					CredentialSubject struct {
						Properties map[string]json.RawMessage `json:"properties"`
					} `json:"credentialSubject"`
				} `json:"properties"`
			}
			if err := json.Unmarshal(ty.Schema, &schema); err != nil {
				t.Fatal(err)
			}
			for member := range schema.Properties.CredentialSubject.Properties {
				if _, ok := claims[schemas.SDJWTName(ty.Name, member)]; !ok {
					t.Errorf("credentialSubject member %q (claim %q) has no label", member, schemas.SDJWTName(ty.Name, member))
				}
			}
			sd := schemas.SDJWTDisclosable(ty.Name)
			for _, p := range sd {
				key := strings.ReplaceAll(strings.TrimPrefix(p, "/"), "/", ".")
				c, ok := claims[key]
				if !ok {
					t.Errorf("selectively disclosable %s has no label", p)
				} else if c.SD != schemas.SDAlways {
					t.Errorf("selectively disclosable %s has sd %q", p, c.SD)
				}
			}
			for key, c := range claims {
				if c.SD == schemas.SDAlways && !slices.Contains(sd, "/"+strings.ReplaceAll(key, ".", "/")) {
					t.Errorf("claim %s is sd always but not disclosable", key)
				}
			}
			if schemas.HasAgeClaim(ty.Name) {
				for _, k := range []string{"age_equal_or_over", "age_equal_or_over.18", "age_equal_or_over.20"} {
					if _, ok := claims[k]; !ok {
						t.Errorf("no %s", k)
					}
				}
			}
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"vct", "name", "display", "claims", "schema_uri"} {
				if _, ok := back[k]; !ok {
					t.Errorf("JSON has no %q", k)
				}
			}
		})
	}
	if _, ok := schemas.TypeMetadata("NoSuchCredential"); ok {
		t.Error("metadata for an unknown type")
	}
}

func TestSDJWTName(t *testing.T) {
	for _, tc := range []struct{ typ, member, want string }{
		{"JuristicPersonCredential", "status", "registrationStatus"},
		{"JuristicPersonCredential", "name", "name"},
		{"DegreeCredential", "status", "status"},
		{"DegreeCredential", "id", "sub"},
	} {
		if got := schemas.SDJWTName(tc.typ, tc.member); got != tc.want {
			t.Errorf("SDJWTName(%s, %s) = %q, want %q", tc.typ, tc.member, got, tc.want)
		}
	}
	got := schemas.SDJWTDisclosable("ThaiCitizenCredential")
	for _, want := range []string{"/pid", "/name/th", "/age_equal_or_over/18", "/age_equal_or_over/20"} {
		if !slices.Contains(got, want) {
			t.Errorf("SDJWTDisclosable(ThaiCitizenCredential) lacks %s: %v", want, got)
		}
	}
	if slices.Contains(schemas.SDJWTDisclosable("DegreeCredential"), "/age_equal_or_over/18") {
		t.Error("degree has the age claim")
	}
}

func pathKey(p []any) string {
	parts := make([]string, len(p))
	for i, s := range p {
		if s == nil {
			parts[i] = "*"
		} else {
			parts[i] = s.(string)
		}
	}
	return strings.Join(parts, ".")
}

func hasThai(s string) bool {
	for _, r := range s {
		if r >= 0x0E00 && r <= 0x0E7F {
			return true
		}
	}
	return false
}
