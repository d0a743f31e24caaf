package schemas

import (
	"bytes"
	"embed"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"
)

// SchemaBase is the URL prefix of every schema $id: a type's SchemaID is
// SchemaBase + Name + ".json".
const SchemaBase = "https://thaitrust.example/schemas/"

// commonID is the $id of the shared definitions every type schema refers to.
const commonID = SchemaBase + "common.json"

//go:embed json/*.json examples/*.json
var files embed.FS

// Type describes one credential type of the catalogue.
type Type struct {
	// Name is the credential type, as in the credential's "type" array,
	// e.g. "DegreeCredential".
	Name string
	// Title is the display title by language tag: "th" and "en".
	Title map[string]string
	// SchemaID is the schema's $id:
	// "https://thaitrust.example/schemas/DegreeCredential.json".
	SchemaID string
	// Schema is the JSON Schema (draft 2020-12) that validates the whole
	// credential document. It is self-contained: the shared definitions
	// (common.json) are bundled under $defs as an embedded resource.
	Schema json.RawMessage
	// Example is an unsigned credential (no issuer, id, validFrom or
	// credentialStatus) in Thai and English that the issuer accepts as is.
	Example json.RawMessage
	// DefaultValidity is how long a credential of this type is valid when
	// the issuer is not told otherwise; zero means no validUntil by default
	// (no expiry, or an expiry that comes from the data, such as the ID
	// card's expiry date, or from the grantor of a delegation).
	DefaultValidity time.Duration
	// SelectivelyDisclosable lists JSON pointers, relative to
	// credentialSubject, of the members a selective-disclosure issuer
	// (SD-JWT VC) should make disclosable. Members not listed are always
	// visible. See the package documentation for the split.
	SelectivelyDisclosable []string
}

const day = 24 * time.Hour

// catalogue is the fixed list of types, in the order Types returns them.
// Schemas and examples are read from the embedded files.
var catalogue = []Type{
	{
		Name:            "ThaiCitizenCredential",
		Title:           map[string]string{"th": "บัตรประจำตัวประชาชนดิจิทัล", "en": "Thai Citizen Identity Credential"},
		DefaultValidity: 0, // until the card's expiry date, set by the issuer from card.expiryDate
		SelectivelyDisclosable: []string{
			"/pid", "/name/th", "/name/en",
			"/birthDate", "/birthDateBE", "/birthDatePrecision",
			"/sex", "/address", "/card", "/portrait",
		},
	},
	{
		Name:                   "HouseRegistrationCredential",
		Title:                  map[string]string{"th": "ทะเบียนบ้าน (ท.ร.14)", "en": "House Registration (Tor.Ror. 14)"},
		DefaultValidity:        90 * day,
		SelectivelyDisclosable: []string{"/address", "/householdHead", "/residents"},
	},
	{
		Name:                   "JuristicPersonCredential",
		Title:                  map[string]string{"th": "หนังสือรับรองการจดทะเบียนนิติบุคคล", "en": "Juristic Person Registration Certificate"},
		DefaultValidity:        90 * day,
		SelectivelyDisclosable: []string{"/directors", "/registeredCapital"},
	},
	{
		Name:                   "DirectorAuthorityCredential",
		Title:                  map[string]string{"th": "หนังสือรับรองอำนาจกรรมการ", "en": "Director Signing Authority"},
		DefaultValidity:        7 * day,
		SelectivelyDisclosable: []string{"/director/pid", "/director/passport"},
	},
	{
		Name:            "DelegationCredential",
		Title:           map[string]string{"th": "หนังสือมอบอำนาจ", "en": "Power of Attorney"},
		DefaultValidity: 0, // set by the grantor
		SelectivelyDisclosable: []string{
			"/grantor/pid", "/grantor/passport",
			"/grantee/pid", "/grantee/passport",
			"/executedBy",
		},
	},
	{
		Name:            "DegreeCredential",
		Title:           map[string]string{"th": "ปริญญาบัตร", "en": "Degree Certificate"},
		DefaultValidity: 0,
		SelectivelyDisclosable: []string{
			"/student/studentId", "/student/pid", "/student/passport",
			"/student/birthDate", "/student/birthDateBE", "/student/birthDatePrecision",
			"/summary",
		},
	},
	{
		Name:            "TranscriptCredential",
		Title:           map[string]string{"th": "ใบแสดงผลการศึกษา", "en": "Academic Transcript"},
		DefaultValidity: 0,
		SelectivelyDisclosable: []string{
			"/student/studentId", "/student/pid", "/student/passport",
			"/student/birthDate", "/student/birthDateBE", "/student/birthDatePrecision",
		},
	},
	{
		Name:            "ForeignerIdentityCredential",
		Title:           map[string]string{"th": "เอกสารรับรองตัวตนคนต่างด้าว", "en": "Foreigner Identity Credential"},
		DefaultValidity: 365 * day,
		SelectivelyDisclosable: []string{
			"/pid", "/name/th", "/name/en",
			"/birthDate", "/birthDateBE", "/birthDatePrecision",
			"/sex", "/nationality", "/passport", "/permitToStay", "/workPermit",
			"/address", "/portrait",
		},
	},
	{
		Name:            "AccreditationCredential",
		Title:           map[string]string{"th": "การรับรองผู้ออกเอกสาร", "en": "Issuer Accreditation"},
		DefaultValidity: 365 * day,
	},
	{
		Name:            "IdPAccreditationCredential",
		Title:           map[string]string{"th": "การรับรองผู้ให้บริการยืนยันตัวตน", "en": "Identity Provider Accreditation"},
		DefaultValidity: 365 * day,
	},
}

// loaded holds the catalogue with schemas (bundled) and examples read from
// the embedded files. A missing file leaves Schema or Example nil; Validate
// then reports the problem (tests keep it from happening).
var loaded = sync.OnceValue(func() []Type {
	common, _ := files.ReadFile("json/common.json")
	out := make([]Type, len(catalogue))
	for i, t := range catalogue {
		t.SchemaID = SchemaBase + t.Name + ".json"
		if raw, err := files.ReadFile("json/" + t.Name + ".json"); err == nil {
			t.Schema = bundle(raw, common)
		}
		if ex, err := files.ReadFile("examples/" + t.Name + ".json"); err == nil {
			t.Example = ex
		}
		out[i] = t
	}
	return out
})

// bundle returns a type schema with the shared definitions embedded under
// $defs as a schema resource with its own $id (JSON Schema 2020-12, section
// 9.3 "Compound Schema Documents"), so that the result needs no other
// document. Type schemas have no top-level $defs of their own (a test
// checks), so the member is appended before the closing brace.
func bundle(schema, common []byte) json.RawMessage {
	s := bytes.TrimRight(schema, " \t\r\n")
	if len(s) == 0 || s[len(s)-1] != '}' || len(common) == 0 {
		return slices.Clone(schema)
	}
	s = bytes.TrimRight(s[:len(s)-1], " \t\r\n")
	var b bytes.Buffer
	b.Grow(len(s) + len(common) + 128)
	b.Write(s)
	b.WriteString(",\n  \"$defs\": {\n    \"common.json\": ")
	b.Write(bytes.ReplaceAll(bytes.TrimRight(common, " \t\r\n"), []byte("\n"), []byte("\n    ")))
	b.WriteString("\n  }\n}\n")
	return b.Bytes()
}

// Types returns the catalogue, in a fixed order. The result is a copy:
// callers may modify it.
func Types() []Type {
	ts := loaded()
	out := make([]Type, len(ts))
	for i, t := range ts {
		out[i] = t.clone()
	}
	return out
}

// Has reports whether name is a type of the catalogue. Unlike Lookup it
// copies nothing, so hot paths (every verification) use it.
func Has(name string) bool {
	_, ok := find(name)
	return ok
}

// Info is what the issuer needs of a type: no schema or example bytes.
type Info struct {
	Name            string
	SchemaID        string
	DefaultValidity time.Duration
}

// Describe returns a type's Info without copying its schema or example.
func Describe(name string) (Info, bool) {
	t, ok := find(name)
	if !ok {
		return Info{}, false
	}
	return Info{Name: t.Name, SchemaID: t.SchemaID, DefaultValidity: t.DefaultValidity}, true
}

// find returns the loaded type (shared: callers must not modify it).
func find(name string) (*Type, bool) {
	ts := loaded()
	for i := range ts {
		if ts[i].Name == name {
			return &ts[i], true
		}
	}
	return nil, false
}

// Lookup returns the type named name (e.g. "DegreeCredential"). The result
// is a copy: callers may modify it.
func Lookup(name string) (Type, bool) {
	for _, t := range loaded() {
		if t.Name == name {
			return t.clone(), true
		}
	}
	return Type{}, false
}

func (t Type) clone() Type {
	t.Title = maps.Clone(t.Title)
	t.Schema = slices.Clone(t.Schema)
	t.Example = slices.Clone(t.Example)
	t.SelectivelyDisclosable = slices.Clone(t.SelectivelyDisclosable)
	return t
}
