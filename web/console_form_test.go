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
