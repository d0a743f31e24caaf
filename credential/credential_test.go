package credential

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

func loadDoc(t testing.TB, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonx.ParseObject(data)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// j decodes a JSON literal used in a test table.
func j(s string) any {
	v, err := jsonx.Parse([]byte(s))
	if err != nil {
		panic(err)
	}
	return v
}

func set(k, v string) func(map[string]any) {
	return func(d map[string]any) { d[k] = j(v) }
}

func del(k string) func(map[string]any) {
	return func(d map[string]any) { delete(d, k) }
}

func all(fs ...func(map[string]any)) func(map[string]any) {
	return func(d map[string]any) {
		for _, f := range fs {
			f(d)
		}
	}
}

const v2 = `"https://www.w3.org/ns/credentials/v2"`

func TestParseDegree(t *testing.T) {
	data, err := os.ReadFile("testdata/degree.json")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "urn:uuid:3f1c6c2e-8d0b-4a8e-9a55-0f6b2c1e7d41" {
		t.Errorf("ID = %q", c.ID)
	}
	if !reflect.DeepEqual(c.Types, []string{"VerifiableCredential", "DegreeCredential"}) {
		t.Errorf("Types = %q", c.Types)
	}
	if !c.HasType("DegreeCredential") || c.HasType("ThaiCitizenCredential") {
		t.Error("HasType is wrong")
	}
	if c.PrimaryType() != "DegreeCredential" {
		t.Errorf("PrimaryType = %q", c.PrimaryType())
	}
	if c.Issuer.ID != "did:web:registrar.chula.ac.th" {
		t.Errorf("Issuer.ID = %q", c.Issuer.ID)
	}
	names, ok := c.Issuer.Name.([]any)
	if !ok || len(names) != 2 || names[0].(map[string]any)["@value"] != "จุฬาลงกรณ์มหาวิทยาลัย" {
		t.Errorf("Issuer.Name = %#v", c.Issuer.Name)
	}
	if c.Issuer.Description != nil {
		t.Errorf("Issuer.Description = %#v", c.Issuer.Description)
	}
	if want := time.Date(2025, 3, 15, 2, 0, 0, 0, time.UTC); !c.ValidFrom.Equal(want) || c.ValidFrom.Location() != time.UTC {
		t.Errorf("ValidFrom = %v, want %v (UTC)", c.ValidFrom, want)
	}
	if !c.ValidUntil.IsZero() {
		t.Errorf("ValidUntil = %v, want zero", c.ValidUntil)
	}
	if c.SubjectID() != "did:key:z6MkpJySvETLnxhQG9DzEdmKJtysBDjuuTeDfUj1uNNCUqcj" || len(c.Subjects) != 1 {
		t.Errorf("SubjectID = %q, %d subjects", c.SubjectID(), len(c.Subjects))
	}
	wantStatus := Status{
		ID: "https://registrar.chula.ac.th/status/3#94567", Type: "BitstringStatusListEntry",
		Purpose: "revocation", Index: "94567", ListCredential: "https://registrar.chula.ac.th/status/3",
		Raw: c.Map()["credentialStatus"].(map[string]any),
	}
	if len(c.Status) != 1 || !reflect.DeepEqual(c.Status[0], wantStatus) {
		t.Errorf("Status = %#v", c.Status)
	}
	if !reflect.DeepEqual(c.Schemas, []SchemaRef{{ID: "https://thaitrust.example/schemas/DegreeCredential.json", Type: "JsonSchema"}}) {
		t.Errorf("Schemas = %#v", c.Schemas)
	}
	if len(c.Context) != 2 || c.Context[1] != "https://thaitrust.example/ns/credentials/v1" {
		t.Errorf("Context = %#v", c.Context)
	}
}

func TestFromMapKeepsDocument(t *testing.T) {
	doc := loadDoc(t, "degree.json")
	c, err := FromMap(doc)
	if err != nil {
		t.Fatal(err)
	}
	if reflect.ValueOf(c.Map()).Pointer() != reflect.ValueOf(doc).Pointer() {
		t.Error("Map() is not the document passed to FromMap")
	}
}

func TestAccessorsOnMinimal(t *testing.T) {
	c, err := Parse([]byte(`{"@context":[` + v2 + `],"type":"VerifiableCredential","issuer":{"id":"did:example:i","description":"ผู้ออก"},"credentialSubject":[{"name":"x"},{"id":"did:example:s2"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.PrimaryType() != TypeCredential || c.SubjectID() != "" || c.ID != "" || len(c.Subjects) != 2 {
		t.Errorf("PrimaryType %q SubjectID %q ID %q subjects %d", c.PrimaryType(), c.SubjectID(), c.ID, len(c.Subjects))
	}
	if c.Issuer.Description != "ผู้ออก" {
		t.Errorf("Issuer.Description = %#v", c.Issuer.Description)
	}
	if c.Status != nil || c.Schemas != nil {
		t.Errorf("Status %v Schemas %v, want nil", c.Status, c.Schemas)
	}
}

func TestMarshalJSONRoundTrip(t *testing.T) {
	data, _ := os.ReadFile("testdata/degree.json")
	c, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	out, err := c.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "จุฬาลงกรณ์มหาวิทยาลัย") || strings.Contains(string(out), `\u003c`) {
		t.Errorf("unexpected encoding: %s", out)
	}
	c2, err := Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if !sameView(c, c2) {
		t.Error("round trip changed the credential")
	}
	// json.Marshal uses the method too.
	out2, err := json.Marshal(c)
	if err != nil || !json.Valid(out2) {
		t.Fatalf("json.Marshal: %v", err)
	}
}

// TestValidationReasons pins down the reason and field of every rejection,
// each from a valid Thai degree credential with one change.
func TestValidationReasons(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[string]any)
		want   want
	}{
		// @context
		{"context missing", del("@context"), want{ReasonContextMissing, "/@context"}},
		{"context string", set("@context", v2), want{ReasonContextNotArray, "/@context"}},
		{"context object", set("@context", `{"@vocab":"https://ex.org/#"}`), want{ReasonContextNotArray, "/@context"}},
		{"context null", set("@context", `null`), want{ReasonContextNotArray, "/@context"}},
		{"context empty", set("@context", `[]`), want{ReasonContextFirstNotV2, "/@context"}},
		{"context v2 second", set("@context", `["https://www.w3.org/ns/credentials/examples/v2",`+v2+`]`), want{ReasonContextFirstNotV2, "/@context/0"}},
		{"context v1 first", set("@context", `["https://www.w3.org/2018/credentials/v1"]`), want{ReasonContextFirstNotV2, "/@context/0"}},
		{"context object first", set("@context", `[{"a":"https://a"},`+v2+`]`), want{ReasonContextFirstNotV2, "/@context/0"}},
		{"context number", set("@context", `[`+v2+`,42]`), want{ReasonContextEntryInvalid, "/@context/1"}},
		{"context null entry", set("@context", `[`+v2+`,null]`), want{ReasonContextEntryInvalid, "/@context/1"}},
		{"context array entry", set("@context", `[`+v2+`,[]]`), want{ReasonContextEntryInvalid, "/@context/1"}},
		{"context unknown keyword", set("@context", `[`+v2+`,{"@foo":1}]`), want{ReasonContextEntryInvalid, "/@context/1/@foo"}},
		{"context bad version", set("@context", `[`+v2+`,{"@version":1.0}]`), want{ReasonContextEntryInvalid, "/@context/1/@version"}},
		{"context bad protected", set("@context", `[`+v2+`,{"@protected":"yes"}]`), want{ReasonContextEntryInvalid, "/@context/1/@protected"}},
		{"context bad direction", set("@context", `[`+v2+`,{"@direction":"up"}]`), want{ReasonContextEntryInvalid, "/@context/1/@direction"}},
		{"context url with space", set("@context", `[`+v2+`,"https ://not-a-url/v1"]`), want{ReasonContextURLInvalid, "/@context/1"}},
		{"context relative url", set("@context", `[`+v2+`,"contexts/v1"]`), want{ReasonContextURLInvalid, "/@context/1"}},
		{"context bad import", set("@context", `[`+v2+`,{"@import":"contexts/v1"}]`), want{ReasonContextURLInvalid, "/@context/1/@import"}},
		{"context v1 later", set("@context", `[`+v2+`,"https://www.w3.org/2018/credentials/v1"]`), want{ReasonTermRedefined, "/@context/1"}},

		// protected terms and mappings
		{"redefine VerifiableCredential", set("@context", `[`+v2+`,{"VerifiableCredential":"https://evil.example/#VC"}]`), want{ReasonTermRedefined, "/@context/1/VerifiableCredential"}},
		{"redefine issuer", set("@context", `[`+v2+`,{"issuer":"https://evil.example/#issuer"}]`), want{ReasonTermRedefined, "/@context/1/issuer"}},
		{"redefine validUntil type", set("@context", `[`+v2+`,{"validUntil":{"@id":"https://www.w3.org/2018/credentials#validUntil"}}]`), want{ReasonTermRedefined, "/@context/1/validUntil"}},
		{"undefine id", set("@context", `[`+v2+`,{"id":null}]`), want{ReasonTermRedefined, "/@context/1/id"}},
		{"redefine in scoped context", set("@context", `[`+v2+`,{"DegreeCredential":{"@id":"https://ex.org/#D","@context":{"credentialSubject":"https://evil.example/#s"}}}]`), want{ReasonTermRedefined, "/@context/1/DegreeCredential/@context/credentialSubject"}},
		{"redefine inline protected", set("@context", `[`+v2+`,{"@protected":true,"A":"https://a.example/1"},{"A":"https://a.example/2"}]`), want{ReasonTermRedefined, "/@context/2/A"}},
		{"redefine term-level protected", set("@context", `[`+v2+`,{"A":{"@id":"https://a.example/1","@protected":true}},{"A":"https://a.example/2"}]`), want{ReasonTermRedefined, "/@context/2/A"}},
		{"term not IRI", set("@context", `[`+v2+`,{"DegreeCredential":"https ://x#D"}]`), want{ReasonTermMappingInvalid, "/@context/1/DegreeCredential"}},
		{"term relative", set("@context", `[`+v2+`,{"DegreeCredential":"DegreeCredential"}]`), want{ReasonTermMappingInvalid, "/@context/1/DegreeCredential"}},
		{"term blank node", set("@context", `[`+v2+`,{"DegreeCredential":"_:b0"}]`), want{ReasonTermMappingInvalid, "/@context/1/DegreeCredential"}},
		{"term number", set("@context", `[`+v2+`,{"DegreeCredential":5}]`), want{ReasonTermMappingInvalid, "/@context/1/DegreeCredential"}},
		{"term bad @id", set("@context", `[`+v2+`,{"DegreeCredential":{"@id":"nope"}}]`), want{ReasonTermMappingInvalid, "/@context/1/DegreeCredential/@id"}},
		{"term bad @type", set("@context", `[`+v2+`,{"gpa":{"@id":"https://ex.org/#gpa","@type":"decimal"}}]`), want{ReasonTermMappingInvalid, "/@context/1/gpa/@type"}},
		{"term unknown member", set("@context", `[`+v2+`,{"gpa":{"@id":"https://ex.org/#gpa","range":1}}]`), want{ReasonTermMappingInvalid, "/@context/1/gpa/range"}},
		{"term without id or vocab", set("@context", `[`+v2+`,{"DegreeCredential":{}}]`), want{ReasonTermMappingInvalid, "/@context/1/DegreeCredential"}},
		{"vocab not IRI", set("@context", `[`+v2+`,{"@vocab":"examples#"}]`), want{ReasonTermMappingInvalid, "/@context/1/@vocab"}},
		{"first bad term in sorted order", set("@context", `[`+v2+`,{"z":"bad z","a":"bad a","m":"https://ok"}]`), want{ReasonTermMappingInvalid, "/@context/1/a"}},

		// id
		{"id number", set("id", `5`), want{ReasonIDInvalid, "/id"}},
		{"id null", set("id", `null`), want{ReasonIDInvalid, "/id"}},
		{"id array", set("id", `["urn:a:b"]`), want{ReasonIDInvalid, "/id"}},
		{"id relative", set("id", `"credentials/1"`), want{ReasonIDInvalid, "/id"}},
		{"id empty scheme rest", set("id", `"urn:"`), want{ReasonIDInvalid, "/id"}},
		{"id with space", set("id", `"https://ex.org/a b"`), want{ReasonIDInvalid, "/id"}},
		{"id bad percent", set("id", `"https://ex.org/%zz"`), want{ReasonIDInvalid, "/id"}},
		{"id bidi control", set("id", `"https://ex.org/\u202e"`), want{ReasonIDInvalid, "/id"}},

		// type
		{"type missing", del("type"), want{ReasonTypeMissing, "/type"}},
		{"type number", set("type", `7`), want{ReasonTypeNotArray, "/type"}},
		{"type object", set("type", `{}`), want{ReasonTypeNotArray, "/type"}},
		{"type null", set("type", `null`), want{ReasonTypeNotArray, "/type"}},
		{"type empty", set("type", `[]`), want{ReasonTypeMissingBase, "/type"}},
		{"type without base", set("type", `["DegreeCredential"]`), want{ReasonTypeMissingBase, "/type"}},
		{"type presentation", set("type", `"VerifiablePresentation"`), want{ReasonTypeMissingBase, "/type"}},
		{"type entry number", set("type", `["VerifiableCredential",7]`), want{ReasonTypeEntryInvalid, "/type/1"}},
		{"type entry empty", set("type", `["VerifiableCredential",""]`), want{ReasonTypeEntryInvalid, "/type/1"}},
		{"type entry keyword", set("type", `["VerifiableCredential","@json"]`), want{ReasonTypeEntryInvalid, "/type/1"}},
		{"type entry bad url", set("type", `["VerifiableCredential","https ://x#T"]`), want{ReasonTypeEntryInvalid, "/type/1"}},
		{"type entry space", set("type", `["VerifiableCredential","Degree Credential"]`), want{ReasonTypeEntryInvalid, "/type/1"}},
		{"type unmapped v2 only", set("@context", `[`+v2+`]`), want{ReasonTypeUnmapped, "/type/1"}},
		{"type undefined inline", set("@context", `[`+v2+`,{"DegreeCredential":null}]`), want{ReasonTypeUnmapped, "/type/1"}},
		{"type @id null", set("@context", `[`+v2+`,{"DegreeCredential":{"@id":null}}]`), want{ReasonTypeUnmapped, "/type/1"}},
		{"type vocab reset", set("@context", `[`+v2+`,"https://www.w3.org/ns/credentials/examples/v2",{"@vocab":null}]`), want{ReasonTypeUnmapped, "/type/1"}},

		// issuer
		{"issuer missing", del("issuer"), want{ReasonIssuerMissing, "/issuer"}},
		{"issuer null", set("issuer", `null`), want{ReasonIssuerInvalid, "/issuer"}},
		{"issuer empty", set("issuer", `""`), want{ReasonIssuerInvalid, "/issuer"}},
		{"issuer not url", set("issuer", `"chula"`), want{ReasonIssuerInvalid, "/issuer"}},
		{"issuer number", set("issuer", `1`), want{ReasonIssuerInvalid, "/issuer"}},
		{"issuer array", set("issuer", `["did:web:a"]`), want{ReasonIssuerInvalid, "/issuer"}},
		{"issuer object without id", set("issuer", `{"name":"จุฬา"}`), want{ReasonIssuerInvalid, "/issuer/id"}},
		{"issuer object id null", set("issuer", `{"id":null}`), want{ReasonIssuerInvalid, "/issuer/id"}},
		{"issuer object id not url", set("issuer", `{"id":"chula"}`), want{ReasonIssuerInvalid, "/issuer/id"}},
		{"issuer name number", set("issuer", `{"id":"did:web:a","name":5}`), want{ReasonNameInvalid, "/issuer/name"}},
		{"issuer description map", set("issuer", `{"id":"did:web:a","description":{"th":"ก","en":"a"}}`), want{ReasonDescriptionInvalid, "/issuer/description"}},

		// credentialSubject
		{"subject missing", del("credentialSubject"), want{ReasonSubjectMissing, "/credentialSubject"}},
		{"subject empty array", set("credentialSubject", `[]`), want{ReasonSubjectMissing, "/credentialSubject"}},
		{"subject string", set("credentialSubject", `"did:example:s"`), want{ReasonSubjectInvalid, "/credentialSubject"}},
		{"subject null", set("credentialSubject", `null`), want{ReasonSubjectInvalid, "/credentialSubject"}},
		{"subject entry string", set("credentialSubject", `[{"id":"did:example:s"},"did:example:t"]`), want{ReasonSubjectInvalid, "/credentialSubject/1"}},
		{"subject id number", set("credentialSubject", `{"id":5}`), want{ReasonSubjectInvalid, "/credentialSubject/id"}},
		{"subject id two", set("credentialSubject", `{"id":["did:example:a","did:example:b"]}`), want{ReasonSubjectInvalid, "/credentialSubject/id"}},
		{"subject id not url", set("credentialSubject", `[{"id":"did:example:a"},{"id":"นาย ก"}]`), want{ReasonSubjectInvalid, "/credentialSubject/1/id"}},
		{"subject empty", set("credentialSubject", `{}`), want{ReasonSubjectEmpty, "/credentialSubject"}},
		{"subject second empty", set("credentialSubject", `[{"id":"did:example:a"},{}]`), want{ReasonSubjectEmpty, "/credentialSubject/1"}},

		// validity
		{"validFrom number", set("validFrom", `20250315`), want{ReasonValidFromInvalid, "/validFrom"}},
		{"validFrom no zone", set("validFrom", `"2025-03-15T09:00:00"`), want{ReasonValidFromInvalid, "/validFrom"}},
		{"validFrom date only", set("validFrom", `"2025-03-15"`), want{ReasonValidFromInvalid, "/validFrom"}},
		{"validFrom 29 Feb 2025", set("validFrom", `"2025-02-29T00:00:00Z"`), want{ReasonValidFromInvalid, "/validFrom"}},
		{"validUntil rfc1123", set("validUntil", `"Sun, 26 Feb 2023 01:22:14 +0000"`), want{ReasonValidUntilInvalid, "/validUntil"}},
		{"validUntil null", set("validUntil", `null`), want{ReasonValidUntilInvalid, "/validUntil"}},
		{"validity order", set("validUntil", `"2025-03-15T01:59:59.999Z"`), want{ReasonValidityOrder, "/validUntil"}},

		// name, description
		{"name number", set("name", `5`), want{ReasonNameInvalid, "/name"}},
		{"name empty array", set("name", `[]`), want{ReasonNameInvalid, "/name"}},
		{"name language map", set("name", `{"th":"ปริญญา","en":"Degree"}`), want{ReasonNameInvalid, "/name"}},
		{"name value not string", set("name", `{"@value":5}`), want{ReasonNameInvalid, "/name"}},
		{"name bad language", set("name", `{"@value":"x","@language":"thai language"}`), want{ReasonNameInvalid, "/name"}},
		{"name bad direction", set("name", `[{"@value":"x","@direction":"ttb"}]`), want{ReasonNameInvalid, "/name"}},
		{"name extra member", set("name", `{"@value":"x","@language":"th","url":"https://a"}`), want{ReasonNameInvalid, "/name"}},
		{"description array entry", set("description", `["ok",5]`), want{ReasonDescriptionInvalid, "/description"}},

		// credentialStatus
		{"status string", set("credentialStatus", `"https://status.example/1"`), want{ReasonStatusInvalid, "/credentialStatus"}},
		{"status empty array", set("credentialStatus", `[]`), want{ReasonStatusInvalid, "/credentialStatus"}},
		{"status entry number", set("credentialStatus", `[5]`), want{ReasonStatusInvalid, "/credentialStatus/0"}},
		{"status no type", set("credentialStatus", `{"id":"https://s.example/1#1"}`), want{ReasonTypePropertyMissing, "/credentialStatus/type"}},
		{"status empty type", set("credentialStatus", `{"type":[]}`), want{ReasonTypePropertyMissing, "/credentialStatus/type"}},
		{"status id not url", set("credentialStatus", `{"type":"BitstringStatusListEntry","id":"status 1","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://s.example/1"}`), want{ReasonStatusInvalid, "/credentialStatus/id"}},
		{"bitstring no purpose", set("credentialStatus", `{"type":"BitstringStatusListEntry","statusListIndex":"1","statusListCredential":"https://s.example/1"}`), want{ReasonStatusInvalid, "/credentialStatus/statusPurpose"}},
		{"bitstring index number", set("credentialStatus", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":1,"statusListCredential":"https://s.example/1"}`), want{ReasonStatusInvalid, "/credentialStatus/statusListIndex"}},
		{"bitstring index leading zero", set("credentialStatus", `[{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"007","statusListCredential":"https://s.example/1"}]`), want{ReasonStatusInvalid, "/credentialStatus/0/statusListIndex"}},
		{"bitstring index negative", set("credentialStatus", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"-1","statusListCredential":"https://s.example/1"}`), want{ReasonStatusInvalid, "/credentialStatus/statusListIndex"}},
		{"bitstring list not url", set("credentialStatus", `{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"list-1"}`), want{ReasonStatusInvalid, "/credentialStatus/statusListCredential"}},
		{"status type unmapped", all(set("@context", `[`+v2+`,{"DegreeCredential":"https://ex.org/#D"}]`), set("credentialStatus", `{"type":"RevocationList2020Status"}`)), want{ReasonTypeUnmapped, "/credentialStatus/type"}},

		// credentialSchema
		{"schema string", set("credentialSchema", `"https://schemas.example/1"`), want{ReasonSchemaInvalid, "/credentialSchema"}},
		{"schema no id", set("credentialSchema", `{"type":"JsonSchema"}`), want{ReasonSchemaInvalid, "/credentialSchema/id"}},
		{"schema id not url", set("credentialSchema", `[{"type":"JsonSchema","id":"DegreeCredential.json"}]`), want{ReasonSchemaInvalid, "/credentialSchema/0/id"}},
		{"schema no type", set("credentialSchema", `{"id":"https://schemas.example/1"}`), want{ReasonTypePropertyMissing, "/credentialSchema/type"}},

		// evidence, refreshService, termsOfUse, proof
		{"evidence no type", set("evidence", `[{"type":"Check"},{"verifier":"did:web:a"}]`), want{ReasonTypePropertyMissing, "/evidence/1/type"}},
		{"evidence string", set("evidence", `"checked"`), want{ReasonPropertyInvalid, "/evidence"}},
		{"evidence empty array", set("evidence", `[]`), want{ReasonPropertyInvalid, "/evidence"}},
		{"evidence id not url", set("evidence", `{"type":"Check","id":"e1"}`), want{ReasonPropertyInvalid, "/evidence/id"}},
		{"refreshService no type", set("refreshService", `{"id":"https://r.example/1"}`), want{ReasonTypePropertyMissing, "/refreshService/type"}},
		{"termsOfUse entry number", set("termsOfUse", `[1]`), want{ReasonPropertyInvalid, "/termsOfUse/0"}},
		{"termsOfUse no type", set("termsOfUse", `{}`), want{ReasonTypePropertyMissing, "/termsOfUse/type"}},
		{"proof no type", set("proof", `{"proofValue":"z1"}`), want{ReasonTypePropertyMissing, "/proof/type"}},
		{"proof type number", set("proof", `{"type":1}`), want{ReasonTypeNotArray, "/proof/type"}},
		{"proof type unmapped", all(set("@context", `[`+v2+`,{"DegreeCredential":"https://ex.org/#D"}]`), del("evidence"), set("proof", `{"type":"Ed25519Signature2020"}`)), want{ReasonTypeUnmapped, "/proof/type"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadDoc(t, "degree.json")
			tc.mutate(doc)
			c, err := FromMap(doc)
			if c != nil {
				t.Errorf("non-nil credential with error")
			}
			checkReason(t, err, tc.want)
			if !strings.HasPrefix(err.Error(), "credential: "+tc.want.field) {
				t.Errorf("message %q does not start with the package and field", err)
			}
			// The same document through Parse gives the same error.
			data, merr := json.Marshal(doc)
			if merr != nil {
				t.Fatal(merr)
			}
			_, err2 := Parse(data)
			checkReason(t, err2, tc.want)
		})
	}
}

// TestValidationAccepts lists variations that must stay valid.
func TestValidationAccepts(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(map[string]any)
	}{
		{"no id", del("id")},
		{"did id", set("id", `"did:example:cred:1"`)},
		{"thai IRI id", set("id", `"https://มหาวิทยาลัย.ไทย/credentials/1"`)},
		{"type as string", all(set("type", `"VerifiableCredential"`))},
		{"type URL", set("type", `["VerifiableCredential","https://ex.org/#Degree"]`)},
		{"type compact IRI", set("type", `["VerifiableCredential","schema:EducationalOccupationalCredential"]`)},
		{"type base last", set("type", `["DegreeCredential","VerifiableCredential"]`)},
		{"types defined inline", set("@context", `[`+v2+`,{"DegreeCredential":"https://ex.org/#D","DocumentVerification":{"@id":"https://ex.org/#DV"}}]`)},
		{"type via inline vocab", set("@context", `[`+v2+`,{"@vocab":"https://ex.org/vocab#"}]`)},
		{"type via examples vocab", set("@context", `[`+v2+`,"https://www.w3.org/ns/credentials/examples/v2"]`)},
		{"vocab reset then set", set("@context", `[`+v2+`,{"@vocab":null},"https://www.w3.org/ns/credentials/examples/v2"]`)},
		{"v2 twice", set("@context", `[`+v2+`,"https://thaitrust.example/ns/credentials/v1",`+v2+`]`)},
		{"import", set("@context", `[`+v2+`,{"@import":"https://ex.org/ctx"}]`)},
		{"identical redefinitions", set("@context", `[`+v2+`,"https://thaitrust.example/ns/credentials/v1",{"id":"@id","type":"@type","name":"https://schema.org/name","description":{"@id":"https://schema.org/description"},"issuer":{"@id":"https://www.w3.org/2018/credentials#issuer","@type":"@id"}}]`)},
		{"unprotected redefinition", set("@context", `[`+v2+`,"https://thaitrust.example/ns/credentials/v1",{"A":"https://a.example/1"},{"A":"https://a.example/2"}]`)},
		{"identical protected redefinition", set("@context", `[`+v2+`,"https://thaitrust.example/ns/credentials/v1",{"@protected":true,"A":"https://a.example/1"},{"A":"https://a.example/1"}]`)},
		{"term-level unprotect", set("@context", `[`+v2+`,"https://thaitrust.example/ns/credentials/v1",{"@protected":true,"A":{"@id":"https://a.example/1","@protected":false}},{"A":"https://a.example/2"}]`)},
		{"keyword alias and rich terms", set("@context", `[`+v2+`,"https://thaitrust.example/ns/credentials/v1",{"@version":1.1,"@protected":true,"ex":"https://ex.org/#","lang":"@language","gpa":{"@id":"ex:gpa","@type":"http://www.w3.org/2001/XMLSchema#decimal"},"tags":{"@id":"ex:tags","@container":["@set"]},"Award":{"@id":"ex:Award","@context":{"level":"ex:level"}}}]`)},
		{"issuer string", set("issuer", `"did:web:registrar.chula.ac.th"`)},
		{"issuer name plain", set("issuer", `{"id":"did:web:a","name":"จุฬาลงกรณ์มหาวิทยาลัย","description":{"@value":"มหาวิทยาลัยแห่งแรกของไทย","@language":"th-TH","@direction":"ltr"}}`)},
		{"name mixed array", set("name", `["Degree",{"@value":"ปริญญา","@language":"th"}]`)},
		{"subject only id", set("credentialSubject", `{"id":"did:example:s"}`)},
		{"subject without id", set("credentialSubject", `{"degree":"B.Eng."}`)},
		{"validity equal", all(set("validFrom", `"2025-03-15T09:00:00+07:00"`), set("validUntil", `"2025-03-15T02:00:00Z"`))},
		{"validity leap day", set("validUntil", `"2028-02-29T23:59:59.123456789Z"`)},
		{"status without id", set("credentialStatus", `{"type":"BitstringStatusListEntry","statusPurpose":"suspension","statusListIndex":"0","statusListCredential":"https://s.example/1"}`)},
		{"status list of two", set("credentialStatus", `[{"type":"BitstringStatusListEntry","statusPurpose":"revocation","statusListIndex":"1","statusListCredential":"https://s.example/1"},{"type":"BitstringStatusListEntry","statusPurpose":"suspension","statusListIndex":"2","statusListCredential":"https://s.example/2"}]`)},
		{"status other type", set("credentialStatus", `{"type":"https://ex.org/#CustomStatus","id":"https://s.example/x"}`)},
		{"schemas two", set("credentialSchema", `[{"id":"https://a.example/1","type":"JsonSchema"},{"id":"https://a.example/2","type":["JsonSchemaCredential"]}]`)},
		{"proof data integrity", set("proof", `{"type":"DataIntegrityProof","cryptosuite":"eddsa-rdfc-2022","proofPurpose":"assertionMethod","proofValue":"z3FX"}`)},
		{"proof list", set("proof", `[{"type":"DataIntegrityProof"},{"type":"DataIntegrityProof","id":"urn:uuid:1"}]`)},
		{"unknown members kept", set("x-thaitrust-note", `{"any":["thing",1,true,null]}`)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			doc := loadDoc(t, "degree.json")
			tc.mutate(doc)
			if _, err := FromMap(doc); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestFromMapNil(t *testing.T) {
	c, err := FromMap(nil)
	if c != nil {
		t.Fatal("non-nil result")
	}
	checkReason(t, err, want{ReasonNotObject, ""})
}

func TestParseRejectsJSON(t *testing.T) {
	tests := []struct {
		in      string
		reason  string
		jsonErr error
	}{
		{``, ReasonMalformed, jsonx.ErrSyntax},
		{`{"@context":`, ReasonMalformed, jsonx.ErrSyntax},
		{`{"type":"VerifiableCredential","type":"DegreeCredential"}`, ReasonMalformed, jsonx.ErrDuplicateKey},
		{"{\"name\":\"\xff\"}", ReasonMalformed, jsonx.ErrInvalidUTF8},
		{`{"name":"\udc00"}`, ReasonMalformed, jsonx.ErrInvalidUTF8},
		{strings.Repeat(`{"a":`, 65) + `1` + strings.Repeat(`}`, 65), ReasonMalformed, jsonx.ErrTooDeep},
		{`{} {}`, ReasonMalformed, jsonx.ErrSyntax},
		{`[{"@context":[]}]`, ReasonNotObject, jsonx.ErrSyntax},
		{` "credential"`, ReasonNotObject, jsonx.ErrSyntax},
		{`null`, ReasonNotObject, jsonx.ErrSyntax},
	}
	for _, tc := range tests {
		c, err := Parse([]byte(tc.in))
		if c != nil {
			t.Errorf("Parse(%.20q) returned a credential with an error", tc.in)
		}
		checkReason(t, err, want{tc.reason, ""})
		if !errors.Is(err, tc.jsonErr) {
			t.Errorf("Parse(%.20q) = %v; want it to wrap %v", tc.in, err, tc.jsonErr)
		}
		p, err := ParsePresentation([]byte(tc.in))
		if p != nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParsePresentation(%.20q) = %v, %v", tc.in, p, err)
		}
	}
}

func TestIsURL(t *testing.T) {
	good := []string{
		"https://example.org", "did:web:registrar.chula.ac.th", "did:key:z6Mk", "urn:uuid:1",
		"https://ex.org/a?b=c#d", "https://ex.org/%E0%B8%81", "https://ไทย.ไทย/ก", "mailto:a@b.c",
		"https://[::1]:8443/x", "a:b", "data:application/vc+jwt,eyJ.eyJ.sig",
	}
	bad := []string{
		"", "a:", "https", "//ex.org/a", "/a", "1http://x", "https ://x", "https://x y",
		"fake-issuer", "https://x/\x00", "https://x/%", "https://x/%4", "https://x/%GG",
		"https://x/<a>", "https://x/\"", "https://x/\\", "https://x/{}", "https://x/\u200f",
		"https://x/\ufdd0", "https://x/\ue000", "https://x/\u0085", "_:b0", "z6MkpJySvETLnxhQG",
		"https://x/\xff",
	}
	for _, s := range good {
		if !isURL(s) {
			t.Errorf("isURL(%q) = false", s)
		}
	}
	for _, s := range bad {
		if isURL(s) {
			t.Errorf("isURL(%q) = true", s)
		}
	}
}

func TestIsLanguageTag(t *testing.T) {
	for _, s := range []string{"th", "en", "th-TH", "zh-Hant-TW", "x-private", "i-klingon", "th-TH-u-ca-buddhist", "es-419"} {
		if !isLanguageTag(s) {
			t.Errorf("isLanguageTag(%q) = false", s)
		}
	}
	for _, s := range []string{"", "-", "th-", "t", "1th", "thai language", "th_TH", "abcdefghi", "th--TH", "ไทย"} {
		if isLanguageTag(s) {
			t.Errorf("isLanguageTag(%q) = true", s)
		}
	}
}

// sameView compares what two credentials expose.
func sameView(a, b *Credential) bool {
	return reflect.DeepEqual(a.Context, b.Context) && a.ID == b.ID &&
		reflect.DeepEqual(a.Types, b.Types) && reflect.DeepEqual(a.Issuer, b.Issuer) &&
		a.ValidFrom.Equal(b.ValidFrom) && a.ValidUntil.Equal(b.ValidUntil) &&
		reflect.DeepEqual(a.Subjects, b.Subjects) && reflect.DeepEqual(a.Status, b.Status) &&
		reflect.DeepEqual(a.Schemas, b.Schemas) && reflect.DeepEqual(a.Map(), b.Map())
}
