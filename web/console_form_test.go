package web

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/thaitrust/thaitrust/schemas"
)

// TestFormRoundTrip: for every catalogue type, the form filled with the
// type's example gives back the example's subject and evidence exactly:
// the form has an input for every member the examples use, and turns
// text back into the JSON types the schema names.
func TestFormRoundTrip(t *testing.T) {
	for _, typ := range schemas.Types() {
		t.Run(typ.Name, func(t *testing.T) {
			f, err := newTypeForm(typ)
			if err != nil {
				t.Fatal(err)
			}
			ex := decodeJSON(t, typ.Example)
			st := f.fill(ex)
			doc, errs := f.document(st)
			if len(errs) != 0 {
				t.Fatalf("errors reading the example back: %v", errs)
			}
			for _, k := range []string{"@context", "type", "credentialSubject", "evidence"} {
				if got, want := canon(t, doc[k]), canon(t, ex[k]); got != want {
					t.Errorf("%s:\n got %s\nwant %s", k, got, want)
				}
			}
		})
	}
}

func decodeJSON(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func canon(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestFormMergesRefinedMembers: a member described by a referenced
// schema and refined by a sibling (here: made required inside) gets
// both: its inputs from the first, what is required from the second.
func TestFormMergesRefinedMembers(t *testing.T) {
	typ := schemas.Type{Name: "TestCredential", Schema: []byte(`{
	  "$id": "https://thaitrust.example/schemas/TestCredential.json",
	  "properties": {"credentialSubject": {
	    "allOf": [{"$ref": "common.json#/$defs/subject"}],
	    "properties": {"x": {"required": ["y"], "properties": {"z": {"enum": ["a", "b"]}}}}
	  }},
	  "$defs": {"common.json": {"$id": "https://thaitrust.example/schemas/common.json", "$defs": {
	    "subject": {"type": "object", "properties": {"x": {"$ref": "#/$defs/x"}}},
	    "x": {"type": "object", "properties": {"y": {"type": "string"}, "n": {"type": "integer"}}}
	  }}}
	}`), Example: []byte(`{"@context": [], "type": ["VerifiableCredential", "TestCredential"]}`)}
	f, err := newTypeForm(typ)
	if err != nil {
		t.Fatal(err)
	}
	x := f.nodeAt("/credentialSubject/x")
	if x == nil || x.Kind != kindObject || len(x.Props) != 3 {
		t.Fatalf("x: %+v", x)
	}
	got := map[string]string{}
	for _, p := range x.Props {
		got[p.Name] = p.Kind
		if p.Name == "y" && !p.Required {
			t.Error("y is not required")
		}
	}
	if got["y"] != kindString || got["n"] != kindInteger || got["z"] != kindEnum {
		t.Errorf("members %v", got)
	}
	st := newFormState()
	st.Values["/credentialSubject/x/n"] = "12345678901234567890"
	st.Values["/credentialSubject/x/y"] = "  "
	doc, errs := f.document(st)
	if len(errs) != 0 || canon(t, doc["credentialSubject"]) != `{"x":{"n":12345678901234567890}}` {
		t.Errorf("document %v, errors %v", doc["credentialSubject"], errs)
	}
	st.Values["/credentialSubject/x/n"] = "1.5"
	if _, errs := f.document(st); errs["/credentialSubject/x/n"] != "integer" {
		t.Errorf("1.5 as an integer: %v", errs)
	}
}

// FuzzFormState: whatever a browser posts, reading the form, adding and
// removing rows and building the document never panic, and the document
// has only members the form knows.
func FuzzFormState(f *testing.F) {
	f.Add("/credentialSubject/terms/0/courses/1/credits", "3", "/credentialSubject/terms/0", "/credentialSubject/terms")
	f.Add("/credentialSubject/summary/gpax", "3,42", "/credentialSubject/terms/7", "/x")
	f.Add("/evidence", "[", "", "/credentialSubject/terms/0/courses")
	form := forms["TranscriptCredential"]
	f.Fuzz(func(t *testing.T, ptr, value, remove, add string) {
		st := stateFromForm(map[string][]string{
			prefixValue + ptr: {value},
			prefixRows + ptr:  {value},
			prefixRows + add:  {"3"},
		})
		form.addRow(st, add)
		form.removeRow(st, remove)
		doc, errs := form.document(st)
		for p := range errs {
			if form.nodeAt(p) == nil {
				t.Errorf("an error at %q, which the form does not have", p)
			}
		}
		for k := range doc {
			switch k {
			case "@context", "type", "credentialSubject", "evidence", "validUntil":
			default:
				t.Errorf("document member %q", k)
			}
		}
	})
}
