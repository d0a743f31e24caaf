package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var wantTypes = []string{
	"ThaiCitizenCredential", "HouseRegistrationCredential", "JuristicPersonCredential",
	"DirectorAuthorityCredential", "DelegationCredential", "DegreeCredential",
	"TranscriptCredential", "ForeignerIdentityCredential", "AccreditationCredential",
	"IdPAccreditationCredential",
}

// decode parses JSON the way the verifier's parser does: numbers as json.Number.
func decode(t testing.TB, raw []byte) map[string]any {
	t.Helper()
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var doc map[string]any
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("decode: %v", err)
	}
	return doc
}

func example(t testing.TB, name string) map[string]any {
	t.Helper()
	ty, ok := Lookup(name)
	if !ok {
		t.Fatalf("Lookup(%q) failed", name)
	}
	return decode(t, ty.Example)
}

func TestCatalogue(t *testing.T) {
	types := Types()
	var names []string
	for _, ty := range types {
		names = append(names, ty.Name)
	}
	if !slices.Equal(names, wantTypes) {
		t.Fatalf("Types() names = %v, want %v", names, wantTypes)
	}
	wantValidity := map[string]time.Duration{
		"ThaiCitizenCredential":       0,
		"HouseRegistrationCredential": 90 * 24 * time.Hour,
		"JuristicPersonCredential":    90 * 24 * time.Hour,
		"DirectorAuthorityCredential": 7 * 24 * time.Hour,
		"DelegationCredential":        0,
		"DegreeCredential":            0,
		"TranscriptCredential":        0,
		"ForeignerIdentityCredential": 365 * 24 * time.Hour,
		"AccreditationCredential":     365 * 24 * time.Hour,
		"IdPAccreditationCredential":  365 * 24 * time.Hour,
	}
	for _, ty := range types {
		t.Run(ty.Name, func(t *testing.T) {
			if ty.SchemaID != "https://thaitrust.example/schemas/"+ty.Name+".json" {
				t.Errorf("SchemaID = %q", ty.SchemaID)
			}
			if ty.Title["th"] == "" || ty.Title["en"] == "" || validThaiText(ty.Title["th"]) != nil {
				t.Errorf("Title = %v, want Thai and English", ty.Title)
			}
			if ty.DefaultValidity != wantValidity[ty.Name] {
				t.Errorf("DefaultValidity = %v, want %v", ty.DefaultValidity, wantValidity[ty.Name])
			}
			var schema map[string]any
			if err := json.Unmarshal(ty.Schema, &schema); err != nil {
				t.Fatalf("Schema is not JSON: %v", err)
			}
			if schema["$id"] != ty.SchemaID {
				t.Errorf("$id = %v, want %q", schema["$id"], ty.SchemaID)
			}
			if schema["$schema"] != "https://json-schema.org/draft/2020-12/schema" {
				t.Errorf("$schema = %v", schema["$schema"])
			}
			// The example is unsigned and incomplete in exactly the way the
			// issuer expects.
			doc := decode(t, ty.Example)
			for _, m := range []string{"issuer", "id", "validFrom", "validUntil", "credentialStatus", "proof"} {
				if _, ok := doc[m]; ok {
					t.Errorf("Example has %q; the issuer adds it", m)
				}
			}
			ctx, _ := doc["@context"].([]any)
			if len(ctx) != 2 || ctx[0] != "https://www.w3.org/ns/credentials/v2" || ctx[1] != "https://thaitrust.example/ns/credentials/v1" {
				t.Errorf("Example @context = %v", doc["@context"])
			}
			if typ, _ := doc["type"].([]any); len(typ) != 2 || typ[0] != "VerifiableCredential" || typ[1] != ty.Name {
				t.Errorf("Example type = %v", doc["type"])
			}
			if _, ok := doc["credentialSubject"].(map[string]any); !ok {
				t.Errorf("Example has no credentialSubject object")
			}
		})
	}
	if _, ok := Lookup("NoSuchCredential"); ok {
		t.Error("Lookup of an unknown name succeeded")
	}
}

func TestTypesReturnsCopies(t *testing.T) {
	a := Types()
	a[0].Title["en"] = "changed"
	a[0].Schema[0] = 'X'
	a[0].SelectivelyDisclosable[0] = "/changed"
	b, _ := Lookup(a[0].Name)
	if b.Title["en"] == "changed" || b.Schema[0] == 'X' || b.SelectivelyDisclosable[0] == "/changed" {
		t.Fatal("modifying the result of Types changed the catalogue")
	}
}

func TestExamplesValidate(t *testing.T) {
	for _, name := range wantTypes {
		t.Run(name, func(t *testing.T) {
			ty, _ := Lookup(name)
			if err := Validate(name, decode(t, ty.Example)); err != nil {
				t.Fatalf("json.Number document: %v", err)
			}
			var f64 map[string]any // numbers as float64
			if err := json.Unmarshal(ty.Example, &f64); err != nil {
				t.Fatal(err)
			}
			if err := Validate(name, f64); err != nil {
				t.Fatalf("float64 document: %v", err)
			}
		})
	}
}

// TestPublishedSchemas compiles each Type.Schema exactly as published, alone,
// in a fresh compiler that checks it against the draft 2020-12 metaschema
// and can load nothing, and validates the example with it.
func TestPublishedSchemas(t *testing.T) {
	for _, ty := range Types() {
		t.Run(ty.Name, func(t *testing.T) {
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ty.Schema))
			if err != nil {
				t.Fatal(err)
			}
			c := newCompiler()
			if err := c.AddResource(ty.SchemaID, doc); err != nil {
				t.Fatal(err)
			}
			sch, err := c.Compile(ty.SchemaID)
			if err != nil {
				t.Fatalf("compiling the published schema: %v", err)
			}
			if err := sch.Validate(any(decode(t, ty.Example))); err != nil {
				t.Fatalf("published schema rejects the example: %v", err)
			}
		})
	}
	// common.json on its own is valid 2020-12 too (a metaschema failure is
	// reported by Compile).
	raw, _ := files.ReadFile("json/common.json")
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	c := newCompiler()
	if err := c.AddResource(commonID, doc); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile(commonID); err != nil {
		t.Fatalf("common.json: %v", err)
	}
}

func TestMetaschemaRejectsBadSchema(t *testing.T) {
	// Proves that compiling checks schemas against the metaschema.
	c := newCompiler()
	bad := map[string]any{"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "strin", "minLength": "1"}
	if err := c.AddResource("https://thaitrust.example/schemas/bad.json", bad); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Compile("https://thaitrust.example/schemas/bad.json"); err == nil {
		t.Fatal("an invalid schema compiled")
	}
}

func TestSchemaFiles(t *testing.T) {
	known := map[string]bool{"date": true, "date-time": true, "uri": true, "uuid": true}
	for _, f := range customFormats {
		known[f.Name] = true
	}
	entries, err := files.ReadDir("json")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
		raw, _ := files.ReadFile("json/" + e.Name())
		var doc map[string]any
		if err := json.Unmarshal(raw, &doc); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		// Every format is one we assert: an unknown format name would be
		// silently ignored by the library.
		walk(doc, func(m map[string]any) {
			if f, ok := m["format"].(string); ok && !known[f] {
				t.Errorf("%s: format %q is not registered", e.Name(), f)
			}
		})
		if e.Name() == "common.json" {
			continue
		}
		// bundle appends $defs; a type schema must not have its own.
		if _, ok := doc["$defs"]; ok {
			t.Errorf("%s: type schemas keep their definitions in common.json", e.Name())
		}
	}
	want := append(slices.Clone(wantTypes), "common")
	slices.Sort(want)
	slices.Sort(names)
	if !slices.Equal(names, want) {
		t.Errorf("schema files %v, want %v", names, want)
	}
	exs, _ := files.ReadDir("examples")
	if len(exs) != len(wantTypes) {
		t.Errorf("%d example files, want %d", len(exs), len(wantTypes))
	}
}

func walk(v any, fn func(map[string]any)) {
	switch v := v.(type) {
	case map[string]any:
		fn(v)
		for _, x := range v {
			walk(x, fn)
		}
	case []any:
		for _, x := range v {
			walk(x, fn)
		}
	}
}

// TestSelectivelyDisclosable checks that every listed pointer names a member
// the type's schema defines under credentialSubject.
func TestSelectivelyDisclosable(t *testing.T) {
	for _, ty := range Types() {
		c := compiled()
		sch := c.schemas[ty.Name]
		subject := findProperty(sch, "credentialSubject")
		if subject == nil {
			t.Fatalf("%s: no credentialSubject in schema", ty.Name)
		}
		seen := map[string]bool{}
		for _, p := range ty.SelectivelyDisclosable {
			if seen[p] {
				t.Errorf("%s: %q listed twice", ty.Name, p)
			}
			seen[p] = true
			if !strings.HasPrefix(p, "/") {
				t.Errorf("%s: %q is not a JSON pointer", ty.Name, p)
				continue
			}
			s := subject
			for _, tok := range strings.Split(p[1:], "/") {
				if s = findProperty(s, tok); s == nil {
					t.Errorf("%s: %q is not defined by the schema", ty.Name, p)
					break
				}
			}
		}
	}
}

// findProperty finds the subschema for member name of s, looking through
// allOf, $ref and if/then/else.
func findProperty(s *jsonschema.Schema, name string) *jsonschema.Schema {
	if s == nil {
		return nil
	}
	if p, ok := s.Properties[name]; ok {
		return p
	}
	for _, sub := range append(slices.Clone(s.AllOf), s.Ref, s.Then, s.Else) {
		if p := findProperty(sub, name); p != nil {
			return p
		}
	}
	return nil
}

func TestValidateUnknownType(t *testing.T) {
	err := Validate("PassportCredential", map[string]any{})
	if !errors.Is(err, ErrUnknownType) || errors.Is(err, ErrInvalid) {
		t.Fatalf("Validate(unknown) = %v, want ErrUnknownType only", err)
	}
}

func TestValidationErrorString(t *testing.T) {
	err := error(&ValidationError{Field: "/credentialSubject/pid", Reason: ReasonCitizenIDChecksum, Msg: "the check digit does not match"})
	if got, want := err.Error(), "schemas: /credentialSubject/pid: thai_citizen_id_checksum: the check digit does not match"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, ErrInvalid) {
		t.Error("not ErrInvalid")
	}
}

func TestPointer(t *testing.T) {
	if got := pointer([]string{"a/b", "c~d", "0"}); got != "/a~1b/c~0d/0" {
		t.Errorf("pointer = %q", got)
	}
	if got := pointer(nil); got != "" {
		t.Errorf("pointer(nil) = %q", got)
	}
}

// ---- document edits for the invalid-document table ----

// splitPointer splits an RFC 6901 pointer into tokens.
func splitPointer(p string) []string {
	if p == "" {
		return nil
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		toks[i] = strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
	}
	return toks
}

// set sets (or with del, deletes) the member at pointer p of doc. The
// parent must exist.
func edit(t testing.TB, doc any, p string, v any, del bool) {
	t.Helper()
	toks := splitPointer(p)
	cur := doc
	for i, tok := range toks {
		last := i == len(toks)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				if del {
					delete(c, tok)
				} else {
					c[tok] = v
				}
				return
			}
			cur = c[tok]
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n >= len(c) {
				t.Fatalf("edit %s: bad index %q", p, tok)
			}
			if last {
				if del {
					t.Fatalf("edit %s: cannot delete array items", p)
				}
				c[n] = v
				return
			}
			cur = c[n]
		default:
			t.Fatalf("edit %s: %q is not in a container", p, tok)
		}
	}
}

func set(p string, v any) func(testing.TB, map[string]any) {
	return func(t testing.TB, doc map[string]any) { edit(t, doc, p, v, false) }
}

func del(p string) func(testing.TB, map[string]any) {
	return func(t testing.TB, doc map[string]any) { edit(t, doc, p, nil, true) }
}

func edits(fs ...func(testing.TB, map[string]any)) func(testing.TB, map[string]any) {
	return func(t testing.TB, doc map[string]any) {
		for _, f := range fs {
			f(t, doc)
		}
	}
}

func jsonValue(s string) any {
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		panic(err)
	}
	return v
}

type invalidCase struct {
	typ, name  string
	edit       func(testing.TB, map[string]any)
	wantField  string
	wantReason string
}

const (
	cs  = "/credentialSubject"
	nfd = "\u0e1b\u0e48\u0e39" // ป + MAI EK + SARA UU: not NFC (NFC puts the vowel first)
)

var invalidCases = []invalidCase{
	// envelope (loosely checked)
	{"DegreeCredential", "type lacks the credential type", set("/type", jsonValue(`["VerifiableCredential"]`)), "/type", "contains"},
	{"DegreeCredential", "type is a string", set("/type", "DegreeCredential"), "/type", "type"},
	{"DegreeCredential", "first context not v2", set("/@context/0", "https://www.w3.org/2018/credentials/v1"), "/@context/0", "const"},
	{"DegreeCredential", "our context missing", set("/@context/1", "https://example.org/ctx"), "/@context", "contains"},
	{"DegreeCredential", "validFrom not a date-time", set("/validFrom", "yesterday"), "/validFrom", "format"},
	{"DegreeCredential", "issuer object without id", set("/issuer", jsonValue(`{"name":"x"}`)), "/issuer/id", "required"},
	{"DegreeCredential", "issuer relative URL", set("/issuer", "issuers/ttu"), "/issuer", "format"},
	{"DegreeCredential", "credentialSubject array", set("/credentialSubject", jsonValue(`[{}]`)), "/credentialSubject", "type"},
	{"DegreeCredential", "credentialSubject missing", del("/credentialSubject"), "/credentialSubject", "required"},

	// ThaiCitizenCredential
	{"ThaiCitizenCredential", "bad citizen ID checksum", set(cs+"/pid", "1501400317848"), cs + "/pid", ReasonCitizenIDChecksum},
	{"ThaiCitizenCredential", "citizen ID 12 digits", set(cs+"/pid", "150140031784"), cs + "/pid", ReasonCitizenIDSyntax},
	{"ThaiCitizenCredential", "citizen ID person type 9", set(cs+"/pid", "9501400317840"), cs + "/pid", ReasonCitizenIDPersonType},
	{"ThaiCitizenCredential", "citizen ID as number", set(cs+"/pid", json.Number("1501400317847")), cs + "/pid", "type"},
	{"ThaiCitizenCredential", "BE date month 00 but day set", set(cs+"/birthDateBE", "25330012"), cs + "/birthDateBE", ReasonBEDate},
	{"ThaiCitizenCredential", "BE date 30 February", set(cs+"/birthDateBE", "25330230"), cs + "/birthDateBE", ReasonBEDate},
	{"ThaiCitizenCredential", "BE date disagrees with CE date", set(cs+"/birthDateBE", "25320812"), cs + "/birthDateBE", ReasonBEDateMismatch},
	{"ThaiCitizenCredential", "BE precision disagrees", set(cs+"/birthDatePrecision", "month"), cs + "/birthDateBE", ReasonBEDateMismatch},
	{"ThaiCitizenCredential", "reduced BE date with full CE date", set(cs+"/birthDateBE", "25330800"), cs + "/birthDateBE", ReasonBEDateMismatch},
	{"ThaiCitizenCredential", "card BE date disagrees", set(cs+"/card/issueDateBE", "25650316"), cs + "/card/issueDateBE", ReasonBEDateMismatch},
	{"ThaiCitizenCredential", "birthDate not ISO", set(cs+"/birthDate", "12/08/1990"), cs + "/birthDate", "format"},
	{"ThaiCitizenCredential", "birthDate impossible", set(cs+"/birthDate", "1990-02-30"), cs + "/birthDate", "format"},
	{"ThaiCitizenCredential", "non-NFC Thai family name", set(cs+"/name/th/family", nfd), cs + "/name/th/family", ReasonNotNFC},
	{"ThaiCitizenCredential", "non-NFC English name", set(cs+"/name/en/given", "Jose\u0301"), cs + "/name/en/given", ReasonNotNFC},
	{"ThaiCitizenCredential", "Latin letters in Thai name", set(cs+"/name/th/given", "Sudarat"), cs + "/name/th/given", ReasonThaiName},
	{"ThaiCitizenCredential", "Thai letters in English name", set(cs+"/name/en/family", "วงศ์สวัสดิ์"), cs + "/name/en/family", ReasonLatinName},
	{"ThaiCitizenCredential", "title inside given name", set(cs+"/name/th/given", "นางสาวสุดารัตน์ "), cs + "/name/th/given", ReasonThaiName},
	{"ThaiCitizenCredential", "English name missing", del(cs + "/name/en"), cs + "/name/en", "required"},
	{"ThaiCitizenCredential", "unknown member in name", set(cs+"/name/th/nickname", "แพร"), cs + "/name/th/nickname", "additional_property"},
	{"ThaiCitizenCredential", "unknown member in address", set(cs+"/address/street", "x"), cs + "/address/street", "additional_property"},
	{"ThaiCitizenCredential", "postal code 4 digits", set(cs+"/address/postalCode", "5021"), cs + "/address/postalCode", "pattern"},
	{"ThaiCitizenCredential", "province in English", set(cs+"/address/province", "Chiang Mai"), cs + "/address/province", ReasonNotThaiScript},
	{"ThaiCitizenCredential", "address without district", del(cs + "/address/district"), cs + "/address/district", "required"},
	{"ThaiCitizenCredential", "sex M", set(cs+"/sex", "M"), cs + "/sex", "enum"},
	{"ThaiCitizenCredential", "nationality alpha-2", set(cs+"/nationality", "TH"), cs + "/nationality", "pattern"},
	{"ThaiCitizenCredential", "card without expiry", del(cs + "/card/expiryDate"), cs + "/card/expiryDate", "required"},
	{"ThaiCitizenCredential", "lifelong card with expiry", set(cs+"/card/lifelong", true), cs + "/card/expiryDate", "not_allowed"},
	{"ThaiCitizenCredential", "portrait not a data URL", set(cs+"/portrait", "https://example.org/face.jpg"), cs + "/portrait", "pattern"},
	{"ThaiCitizenCredential", "evidence missing", del("/evidence"), "/evidence", "required"},
	{"ThaiCitizenCredential", "evidence empty", set("/evidence", jsonValue(`[]`)), "/evidence", "min_items"},
	{"ThaiCitizenCredential", "wrong IAL value", set("/evidence/0/ial", "2.4"), "/evidence/0/ial", "enum"},
	{"ThaiCitizenCredential", "IAL as a number", set("/evidence/0/ial", json.Number("2.3")), "/evidence/0/ial", "enum"},
	{"ThaiCitizenCredential", "wrong AAL value", set("/evidence/0/aal", "2"), "/evidence/0/aal", "enum"},
	{"ThaiCitizenCredential", "unknown proofing method", set("/evidence/0/proofingMethod", "selfie"), "/evidence/0/proofingMethod", "enum"},
	{"ThaiCitizenCredential", "ThaID without idpId", del("/evidence/0/idpId"), "/evidence/0/idpId", "required"},
	{"ThaiCitizenCredential", "FVS without match result", edits(set("/evidence/0/proofingMethod", "dopa_fvs"), del("/evidence/0/matchResult")), "/evidence/0/matchResult", "required"},
	{"ThaiCitizenCredential", "match score over 100", set("/evidence/0/matchResult/score", json.Number("140")), "/evidence/0/matchResult/score", "maximum"},
	{"ThaiCitizenCredential", "evidence type missing IdentityProofing", set("/evidence/0/type", jsonValue(`["Evidence"]`)), "/evidence/0/type", "contains"},
	{"ThaiCitizenCredential", "evidence type wrong string", set("/evidence/0/type", "Evidence"), "/evidence/0/type", "const"},
	{"ThaiCitizenCredential", "livenessPerformed as string", set("/evidence/0/livenessPerformed", "yes"), "/evidence/0/livenessPerformed", "type"},
	{"ThaiCitizenCredential", "proofedAt without zone", set("/evidence/0/proofedAt", "2025-05-20T09:14:00"), "/evidence/0/proofedAt", "format"},

	// HouseRegistrationCredential
	{"HouseRegistrationCredential", "house code 10 digits", set(cs+"/houseCode", "5014012345"), cs + "/houseCode", "pattern"},
	{"HouseRegistrationCredential", "resident status unknown", set(cs+"/residents/1/status", "tenant"), cs + "/residents/1/status", "enum"},
	{"HouseRegistrationCredential", "resident bad checksum", set(cs+"/residents/2/pid", "1501400317840"), cs + "/residents/2/pid", ReasonCitizenIDChecksum},
	{"HouseRegistrationCredential", "year-precision BE disagrees", set(cs+"/residents/0/birthDateBE", "25050000"), cs + "/residents/0/birthDateBE", ReasonBEDateMismatch},
	{"HouseRegistrationCredential", "no residents", set(cs+"/residents", jsonValue(`[]`)), cs + "/residents", "min_items"},
	{"HouseRegistrationCredential", "household head without Thai name", del(cs + "/householdHead/name/th"), cs + "/householdHead/name/th", "required"},

	// JuristicPersonCredential
	{"JuristicPersonCredential", "bad juristic ID checksum", set(cs+"/juristicId", "0105562034123"), cs + "/juristicId", ReasonJuristicIDChecksum},
	{"JuristicPersonCredential", "entity type unknown", set(cs+"/entityType", "llc"), cs + "/entityType", "enum"},
	{"JuristicPersonCredential", "jointly with one signer", set(cs+"/signingRule/minSigners", json.Number("1")), cs + "/signingRule/minSigners", "minimum"},
	{"JuristicPersonCredential", "alone with two signers", set(cs+"/signingRule/mode", "alone"), cs + "/signingRule/minSigners", "const"},
	{"JuristicPersonCredential", "more signers than eligible directors", set(cs+"/signingRule/minSigners", json.Number("4")), cs + "/signingRule/eligibleDirectors", "signing_rule_inconsistent"},
	{"JuristicPersonCredential", "minSigners fractional", set(cs+"/signingRule/minSigners", json.Number("2.5")), cs + "/signingRule/minSigners", "type"},
	{"JuristicPersonCredential", "seal flag missing", del(cs + "/signingRule/sealRequired"), cs + "/signingRule/sealRequired", "required"},
	{"JuristicPersonCredential", "negative capital", set(cs+"/registeredCapital/amount", json.Number("-1")), cs + "/registeredCapital/amount", "exclusive_minimum"},
	{"JuristicPersonCredential", "Thai name in English", set(cs+"/name/th", "Siam Digital Trade"), cs + "/name/th", ReasonNotThaiScript},
	{"JuristicPersonCredential", "English name missing", del(cs + "/name/en"), cs + "/name/en", "required"},
	{"JuristicPersonCredential", "registration BE date disagrees", set(cs+"/registrationDateBE", "25610422"), cs + "/registrationDateBE", ReasonBEDateMismatch},
	{"JuristicPersonCredential", "verbatim text missing", del(cs + "/signingAuthorityText"), cs + "/signingAuthorityText", "required"},
	{"JuristicPersonCredential", "no directors", set(cs+"/directors", jsonValue(`[]`)), cs + "/directors", "min_items"},
	{"JuristicPersonCredential", "status unknown", set(cs+"/status", "open"), cs + "/status", "enum"},

	// DirectorAuthorityCredential
	{"DirectorAuthorityCredential", "director without pid or passport", del(cs + "/director/pid"), cs + "/director/pid", "required"},
	{"DirectorAuthorityCredential", "minSigners as string", set(cs+"/signingRule/minSigners", "2"), cs + "/signingRule/minSigners", "type"},
	{"DirectorAuthorityCredential", "eligible director bad checksum", set(cs+"/signingRule/eligibleDirectors/1/pid", "3100600876540"), cs + "/signingRule/eligibleDirectors/1/pid", ReasonCitizenIDChecksum},
	{"DirectorAuthorityCredential", "limit amount zero", set(cs+"/signingRule/limits/maxAmount/amount", json.Number("0")), cs + "/signingRule/limits/maxAmount/amount", "exclusive_minimum"},
	{"DirectorAuthorityCredential", "unknown limit", set(cs+"/signingRule/limits/maxDays", json.Number("3")), cs + "/signingRule/limits/maxDays", "additional_property"},
	{"DirectorAuthorityCredential", "asOf missing", del(cs + "/asOf"), cs + "/asOf", "required"},

	// DelegationCredential
	{"DelegationCredential", "negative amount limit", set(cs+"/scope/amountLimit/amount", json.Number("-500000")), cs + "/scope/amountLimit/amount", "exclusive_minimum"},
	{"DelegationCredential", "negative amount limit (float64)", set(cs+"/scope/amountLimit/amount", float64(-500000)), cs + "/scope/amountLimit/amount", "exclusive_minimum"},
	{"DelegationCredential", "currency not ISO 4217", set(cs+"/scope/amountLimit/currency", "baht"), cs + "/scope/amountLimit/currency", "pattern"},
	{"DelegationCredential", "juristic grantor without executedBy", del(cs + "/executedBy"), cs + "/executedBy", "required"},
	{"DelegationCredential", "juristic grantor with pid", set(cs+"/grantor/pid", "1501400317847"), cs + "/grantor/pid", "not_allowed"},
	{"DelegationCredential", "juristic grantor without juristicId", del(cs + "/grantor/juristicId"), cs + "/grantor/juristicId", "required"},
	{"DelegationCredential", "natural grantee without pid or passport", del(cs + "/grantee/pid"), cs + "/grantee/pid", "required"},
	{"DelegationCredential", "natural grantee with juristicId", set(cs+"/grantee/juristicId", "0105562034122"), cs + "/grantee/juristicId", "not_allowed"},
	{"DelegationCredential", "grantee party type unknown", set(cs+"/grantee/type", "Person"), cs + "/grantee/type", "enum"},
	{"DelegationCredential", "executor bad checksum", set(cs+"/executedBy/1/pid", "3100600876540"), cs + "/executedBy/1/pid", ReasonCitizenIDChecksum},
	{"DelegationCredential", "no actions", set(cs+"/scope/actions", jsonValue(`[]`)), cs + "/scope/actions", "min_items"},
	{"DelegationCredential", "action not dotted lower case", set(cs+"/scope/actions/0", "File VAT"), cs + "/scope/actions/0", "pattern"},
	{"DelegationCredential", "duplicate relying parties", set(cs+"/scope/relyingParties", jsonValue(`["did:web:rd.thaitrust.example","did:web:rd.thaitrust.example"]`)), cs + "/scope/relyingParties", "unique_items"},
	{"DelegationCredential", "relying parties missing", del(cs + "/scope/relyingParties"), cs + "/scope/relyingParties", "required"},
	{"DelegationCredential", "maxUses zero", set(cs+"/maxUses", json.Number("0")), cs + "/maxUses", "minimum"},
	{"DelegationCredential", "maxUses fractional (float64)", set(cs+"/maxUses", 1.5), cs + "/maxUses", "type"},
	{"DelegationCredential", "sub-delegation allowed without depth", set(cs+"/subDelegation/allowed", true), cs + "/subDelegation/maxDepth", "required"},
	{"DelegationCredential", "depth without sub-delegation", set(cs+"/subDelegation/maxDepth", json.Number("2")), cs + "/subDelegation/maxDepth", "not_allowed"},
	{"DelegationCredential", "purpose without English", del(cs + "/purpose/en"), cs + "/purpose/en", "required"},
	{"DelegationCredential", "parent without id", set(cs+"/parent", jsonValue(`{"digestSRI":"sha256-abc="}`)), cs + "/parent/id", "required"},

	// DegreeCredential
	{"DegreeCredential", "missing award name", del(cs + "/award/name"), cs + "/award/name", "required"},
	{"DegreeCredential", "missing conferral date", del(cs + "/award/conferralDate"), cs + "/award/conferralDate", "required"},
	{"DegreeCredential", "award level unknown", set(cs+"/award/level", "phd"), cs + "/award/level", "enum"},
	{"DegreeCredential", "conferral date impossible", set(cs+"/award/conferralDate", "2024-02-30"), cs + "/award/conferralDate", "format"},
	{"DegreeCredential", "conferral BE disagrees", set(cs+"/award/conferralDateBE", "25660520"), cs + "/award/conferralDateBE", ReasonBEDateMismatch},
	{"DegreeCredential", "honours unknown", set(cs+"/award/honours", "summa_cum_laude"), cs + "/award/honours", "enum"},
	{"DegreeCredential", "gpax above scale", set(cs+"/summary/gpax", json.Number("4.5")), cs + "/summary/gpax", "gpax_exceeds_scale"},
	{"DegreeCredential", "student bad checksum", set(cs+"/student/pid", "1103701234564"), cs + "/student/pid", ReasonCitizenIDChecksum},
	{"DegreeCredential", "student without pid or passport", del(cs + "/student/pid"), cs + "/student/pid", "required"},
	{"DegreeCredential", "student without English name", del(cs + "/student/name/en"), cs + "/student/name/en", "required"},
	{"DegreeCredential", "student non-NFC given name", set(cs+"/student/name/th/given", nfd), cs + "/student/name/th/given", ReasonNotNFC},
	{"DegreeCredential", "student passport issuing state", set(cs+"/student/passport", jsonValue(`{"number":"AA1234567","issuingState":"UK"}`)), cs + "/student/passport/issuingState", "pattern"},
	{"DegreeCredential", "institution DID relative", set(cs+"/institution/did", "ttu"), cs + "/institution/did", "format"},
	{"DegreeCredential", "English award name blank", set(cs+"/award/name/en", " "), cs + "/award/name/en", ReasonBlank},
	{"DegreeCredential", "English award name with newline", set(cs+"/award/name/en", "Bachelor\nof Engineering"), cs + "/award/name/en", ReasonControlCharacter},

	// TranscriptCredential
	{"TranscriptCredential", "grade lower case", set(cs+"/terms/0/courses/1/grade", "a"), cs + "/terms/0/courses/1/grade", "pattern"},
	{"TranscriptCredential", "semester 4", set(cs+"/terms/1/semester", "4"), cs + "/terms/1/semester", "enum"},
	{"TranscriptCredential", "academic year in CE", set(cs+"/terms/0/academicYearBE", "2019"), cs + "/terms/0/academicYearBE", "pattern"},
	{"TranscriptCredential", "course title empty", set(cs+"/terms/0/courses/0/title", jsonValue(`{}`)), cs + "/terms/0/courses/0/title", "min_properties"},
	{"TranscriptCredential", "negative credits", set(cs+"/terms/1/courses/2/credits", json.Number("-3")), cs + "/terms/1/courses/2/credits", "minimum"},
	{"TranscriptCredential", "credit hours notation", set(cs+"/terms/1/courses/2/creditHours", "3 (2-2-5)"), cs + "/terms/1/courses/2/creditHours", "pattern"},
	{"TranscriptCredential", "no terms", del(cs + "/terms"), cs + "/terms", "required"},

	// ForeignerIdentityCredential
	{"ForeignerIdentityCredential", "Thai person type", set(cs+"/pid", "1501400317847"), cs + "/pid", "pattern"},
	{"ForeignerIdentityCredential", "bad checksum", set(cs+"/pid", "6103700123450"), cs + "/pid", ReasonCitizenIDChecksum},
	{"ForeignerIdentityCredential", "passport issuing state alpha-2", set(cs+"/passport/issuingState", "UK"), cs + "/passport/issuingState", "pattern"},
	{"ForeignerIdentityCredential", "passport expiry missing", del(cs + "/passport/expiryDate"), cs + "/passport/expiryDate", "required"},
	{"ForeignerIdentityCredential", "no nationality", set(cs+"/nationality", jsonValue(`[]`)), cs + "/nationality", "min_items"},
	{"ForeignerIdentityCredential", "permit expiry missing", del(cs + "/permitToStay/expiryDate"), cs + "/permitToStay/expiryDate", "required"},
	{"ForeignerIdentityCredential", "employer juristic ID checksum", set(cs+"/workPermit/employer/juristicId", "0105562034120"), cs + "/workPermit/employer/juristicId", ReasonJuristicIDChecksum},
	{"ForeignerIdentityCredential", "wrong AAL", set("/evidence/0/aal", "2"), "/evidence/0/aal", "enum"},
	{"ForeignerIdentityCredential", "evidence missing", del("/evidence"), "/evidence", "required"},

	// AccreditationCredential
	{"AccreditationCredential", "subject id missing", del(cs + "/id"), cs + "/id", "required"},
	{"AccreditationCredential", "role unknown", set(cs+"/role", "root"), cs + "/role", "enum"},
	{"AccreditationCredential", "jurisdiction spelled out", set(cs+"/accreditedFor/0/jurisdiction", "Thailand"), cs + "/accreditedFor/0/jurisdiction", "pattern"},
	{"AccreditationCredential", "credential type lower case", set(cs+"/accreditedFor/1/credentialType", "degree"), cs + "/accreditedFor/1/credentialType", "pattern"},
	{"AccreditationCredential", "nothing accredited", set(cs+"/accreditedFor", jsonValue(`[]`)), cs + "/accreditedFor", "min_items"},

	// IdPAccreditationCredential
	{"IdPAccreditationCredential", "max IAL unknown", set(cs+"/maxIal", "2.4"), cs + "/maxIal", "enum"},
	{"IdPAccreditationCredential", "max AAL as number", set(cs+"/maxAal", json.Number("2")), cs + "/maxAal", "enum"},
	{"IdPAccreditationCredential", "NDID node id not a UUID", set(cs+"/ndidNodeId", "node-1"), cs + "/ndidNodeId", "format"},
	{"IdPAccreditationCredential", "proofing methods duplicated", set(cs+"/proofingMethods", jsonValue(`["dopa_fvs","dopa_fvs"]`)), cs + "/proofingMethods", "unique_items"},
}

func TestValidateInvalid(t *testing.T) {
	seen := map[string]bool{}
	for _, tc := range invalidCases {
		seen[tc.typ] = true
		t.Run(tc.typ+"/"+tc.name, func(t *testing.T) {
			doc := example(t, tc.typ)
			tc.edit(t, doc)
			err := Validate(tc.typ, doc)
			var ve *ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Validate = %v, want *ValidationError", err)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(err, ErrInvalid) = false")
			}
			if ve.Field != tc.wantField || ve.Reason != tc.wantReason {
				t.Errorf("got Field %q Reason %q (%s), want Field %q Reason %q", ve.Field, ve.Reason, ve.Msg, tc.wantField, tc.wantReason)
			}
			if ve.Msg == "" {
				t.Error("empty Msg")
			}
		})
	}
	for _, name := range wantTypes {
		if !seen[name] {
			t.Errorf("no invalid-document cases for %s", name)
		}
	}
}

// TestValidateDeterministic: with several problems, the same one is
// reported every time (the library visits members in map order).
func TestValidateDeterministic(t *testing.T) {
	var first string
	for i := 0; i < 50; i++ {
		doc := example(t, "DegreeCredential")
		edit(t, doc, cs+"/student/pid", "1103701234564", false)
		edit(t, doc, cs+"/student/studentId", "??", false)
		edit(t, doc, cs+"/award/level", "phd", false)
		edit(t, doc, cs+"/award/name/th", "x", false)
		err := Validate("DegreeCredential", doc)
		if err == nil {
			t.Fatal("no error")
		}
		if i == 0 {
			first = err.Error()
		} else if err.Error() != first {
			t.Fatalf("run %d: %v, first run: %s", i, err, first)
		}
	}
}

// TestInlinedMatchesPublished: Validate runs the schemas with references
// inlined (inline.go); the schemas as published must decide every test
// document the same way, with the same Field and Reason.
func TestInlinedMatchesPublished(t *testing.T) {
	published := compileAll(false)
	inlined := compileAll(true)
	for name, err := range published.errs {
		t.Fatalf("published %s: %v", name, err)
	}
	for name, err := range inlined.errs {
		t.Fatalf("inlined %s: %v", name, err)
	}
	run := func(set *compiledSet, typ string, doc map[string]any) string {
		if err := set.schemas[typ].Validate(any(doc)); err != nil {
			var ve *jsonschema.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("%s: %v", typ, err)
			}
			v := convert(ve)
			return v.Field + " " + v.Reason
		}
		return "valid"
	}
	for _, tc := range invalidCases {
		doc := example(t, tc.typ)
		tc.edit(t, doc)
		if a, b := run(published, tc.typ, doc), run(inlined, tc.typ, doc); a != b {
			t.Errorf("%s/%s: published %q, inlined %q", tc.typ, tc.name, a, b)
		}
	}
	for _, name := range wantTypes {
		doc := example(t, name)
		if a, b := run(published, name, doc), run(inlined, name, doc); a != "valid" || b != "valid" {
			t.Errorf("%s example: published %q, inlined %q", name, a, b)
		}
	}
}

func TestValidateGoTypes(t *testing.T) {
	doc := example(t, "DelegationCredential")
	edit(t, doc, cs+"/maxUses", 12, false) // Go int
	if err := Validate("DelegationCredential", doc); err != nil {
		t.Errorf("Go int: %v", err)
	}
	edit(t, doc, cs+"/scope/actions", []string{"rd.vat.file_return"}, false) // not JSON-shaped
	err := Validate("DelegationCredential", doc)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Reason != "type" || ve.Field != cs+"/scope/actions" {
		t.Errorf("[]string member: %v, want type error at /credentialSubject/scope/actions", err)
	}
}

func TestValidateNilDocument(t *testing.T) {
	err := Validate("DegreeCredential", nil)
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Reason != "required" {
		t.Fatalf("Validate(nil) = %v, want a required error", err)
	}
}

// TestInlineRemovesRefs: after inlining, no $ref is left (each one left
// would cost a nested validation on every Validate).
func TestInlineRemovesRefs(t *testing.T) {
	raw, _ := files.ReadFile("json/common.json")
	common, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	defs := common.(map[string]any)["$defs"].(map[string]any)
	for _, name := range wantTypes {
		raw, _ := files.ReadFile("json/" + name + ".json")
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		in, err := inlineRefs(doc, defs, 0)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		walk(in, func(m map[string]any) {
			if ref, ok := m["$ref"]; ok {
				t.Errorf("%s: $ref %v left after inlining", name, ref)
			}
		})
	}
	if _, err := inlineRefs(map[string]any{"$ref": "common.json#/$defs/nope"}, defs, 0); err == nil {
		t.Error("a reference to a missing definition was accepted")
	}
	// In a type schema "#/$defs/x" is the type's own, not common.json's.
	out, err := inlineRefs(map[string]any{"$ref": "#/$defs/uri"}, defs, 0)
	if err != nil || out.(map[string]any)["$ref"] != "#/$defs/uri" {
		t.Errorf("local reference rewritten: %v %v", out, err)
	}
}
