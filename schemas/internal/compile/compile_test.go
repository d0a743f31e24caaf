package compile

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// parse decodes JSON with json.Number numbers.
func parse(t testing.TB, s string) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("%s: %v", s, err)
	}
	return v
}

func mustCompile(t testing.TB, schema string) *Schema {
	t.Helper()
	s, err := Compile(parse(t, schema), Options{})
	if err != nil {
		t.Fatalf("Compile(%s): %v", schema, err)
	}
	return s
}

// reference compiles schema with the reference validator.
func reference(t testing.TB, schema string) *jsonschema.Schema {
	t.Helper()
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(schema))
	if err != nil {
		t.Fatal(err)
	}
	id := "https://thaitrust.example/test.json"
	if m, ok := doc.(map[string]any); ok {
		if s, ok := m["$id"].(string); ok {
			id = s
		}
	}
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(id)
	if err != nil {
		t.Fatalf("reference Compile(%s): %v", schema, err)
	}
	return sch
}

func TestCompileErrors(t *testing.T) {
	tests := []struct {
		name, schema string
		unsupported  bool
	}{
		{"unknown keyword", `{"maxItems": 1}`, true},
		{"unknown keyword deep", `{"properties": {"a": {"items": {"oneOf": [true]}}}}`, true},
		{"unknown keyword in $defs", `{"$defs": {"x": {"not": {}}}}`, true},
		{"other draft", `{"$schema": "http://json-schema.org/draft-07/schema#"}`, true},
		{"unknown format", `{"format": "email"}`, true},
		{"anchor reference", `{"$defs": {"x": {}}, "$ref": "#x"}`, true},
		{"id with fragment", `{"$id": "https://x.example/a.json#f"}`, true},
		{"missing reference", `{"$ref": "#/$defs/nope"}`, false},
		{"external reference", `{"$ref": "https://example.org/other.json"}`, false},
		{"relative root id", `{"$id": "a.json"}`, false},
		{"reference cycle", `{"$ref": "#"}`, false},
		{"allOf cycle", `{"$defs": {"a": {"allOf": [{"$ref": "#/$defs/b"}]}, "b": {"anyOf": [{"$ref": "#/$defs/a"}]}}, "$ref": "#/$defs/a"}`, false},
		{"if cycle", `{"$defs": {"a": {"if": {"$ref": "#/$defs/a"}}}, "$ref": "#/$defs/a"}`, false},
		{"bad type", `{"type": "strin"}`, false},
		{"bad minLength", `{"minLength": -1}`, false},
		{"fractional minItems", `{"minItems": 1.5}`, false},
		{"bad pattern", `{"pattern": "("}`, false},
		{"empty allOf", `{"allOf": []}`, false},
		{"bad required", `{"required": ["a", "a"]}`, false},
		{"not a schema", `{"properties": {"a": 1}}`, false},
		{"bad enum", `{"enum": []}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Compile(parse(t, tt.schema), Options{})
			if err == nil {
				t.Fatalf("Compile(%s) succeeded", tt.schema)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("Compile(%s) = %v; errors.Is(ErrUnsupported) = %v, want %v", tt.schema, err, !tt.unsupported, tt.unsupported)
			}
		})
	}
}

// TestResolution: references into embedded resources resolve against
// their $id, as in the published (bundled) schemas; recursion through
// properties works.
func TestResolution(t *testing.T) {
	bundled := `{
		"$id": "https://x.example/schemas/t.json",
		"properties": {"a": {"$ref": "common.json#/$defs/n"}, "b": {"$ref": "#/$defs/local"}},
		"$defs": {
			"local": {"type": "boolean"},
			"common.json": {
				"$id": "https://x.example/schemas/common.json",
				"$defs": {"n": {"$ref": "#/$defs/m"}, "m": {"type": "integer", "minimum": 2}}
			}
		}
	}`
	tree := `{
		"$id": "https://x.example/tree.json",
		"type": "object",
		"required": ["v"],
		"properties": {"v": {"type": "integer"}, "kids": {"type": "array", "items": {"$ref": "#"}}}
	}`
	cases := map[string][]string{
		bundled: {`{"a": 2, "b": true}`, `{"a": 1}`, `{"a": 2.0}`, `{"a": 2.5}`, `{"b": 1}`, `{}`},
		tree:    {`{"v": 1}`, `{"v": 1, "kids": [{"v": 2, "kids": [{"v": 3}]}]}`, `{"v": 1, "kids": [{"v": 2, "kids": [{}]}]}`, `{"v": 1, "kids": [{"v": "x"}]}`},
	}
	for schema, instances := range cases {
		s, ref := mustCompile(t, schema), reference(t, schema)
		for _, inst := range instances {
			v := parse(t, inst)
			if got, want := s.Valid(v), ref.Validate(v) == nil; got != want {
				t.Errorf("%s on %s: %v, reference %v", schema, inst, got, want)
			}
		}
	}
}

// keywordSchemas exercise each implemented keyword alone and in the
// combinations our schemas use.
var keywordSchemas = []string{
	`true`, `false`, `{}`,
	`{"type": "string"}`, `{"type": "integer"}`, `{"type": "number"}`, `{"type": "boolean"}`, `{"type": "null"}`,
	`{"type": "object"}`, `{"type": "array"}`, `{"type": ["string", "object"]}`, `{"type": ["integer", "string"]}`,
	`{"type": ["number", "integer"]}`,
	`{"const": 1}`, `{"const": "a"}`, `{"const": true}`, `{"const": null}`, `{"const": {"a": [1, 2.0]}}`, `{"const": [1, "1"]}`,
	`{"enum": ["a", "b"]}`, `{"enum": [1, "1", true, null, [1], {"a": 1}]}`, `{"enum": [1.5, 2]}`,
	`{"format": "date"}`, `{"format": "date-time"}`, `{"format": "uri"}`, `{"format": "uuid"}`,
	`{"type": "string", "format": "uri", "maxLength": 20}`,
	`{"required": ["a", "b"]}`, `{"minProperties": 2}`, `{"properties": {"a": {"type": "string"}}}`,
	`{"properties": {"a": {"type": "string"}}, "additionalProperties": false}`,
	`{"properties": {"a": true}, "additionalProperties": {"type": "integer"}}`,
	`{"additionalProperties": false}`, `{"properties": {"a": false}}`,
	`{"required": ["a"], "properties": {"a": {"const": 1}}, "additionalProperties": false}`,
	`{"minItems": 2}`, `{"uniqueItems": true}`, `{"uniqueItems": false}`, `{"items": {"type": "string"}}`, `{"items": false}`,
	`{"prefixItems": [{"const": 1}], "items": {"type": "string"}}`, `{"prefixItems": [{"const": 1}, true]}`,
	`{"contains": {"const": 1}}`, `{"contains": {"type": "string"}, "minItems": 2}`,
	`{"minLength": 2}`, `{"maxLength": 3}`, `{"minLength": 1, "maxLength": 1}`, `{"pattern": "^[0-9]{2}$"}`, `{"pattern": "b"}`,
	`{"minimum": 2}`, `{"maximum": 2}`, `{"exclusiveMinimum": 0}`, `{"minimum": 0.5, "maximum": 100.25}`, `{"exclusiveMinimum": -1e2}`,
	`{"allOf": [{"type": "object"}, {"required": ["a"]}]}`, `{"anyOf": [{"required": ["a"]}, {"required": ["b"]}]}`,
	`{"anyOf": [{"type": "string"}, {"minimum": 3}]}`,
	`{"if": {"required": ["a"]}, "then": {"required": ["b"]}, "else": {"required": ["c"]}}`,
	`{"if": {"type": "string"}, "then": {"const": "x"}}`, `{"if": {"type": "string"}, "else": {"type": "array"}}`,
	`{"then": {"const": 1}, "else": {"const": 2}}`,
	`{"type": "object", "properties": {"t": {"enum": ["A", "B"]}}, "if": {"required": ["t"], "properties": {"t": {"const": "A"}}}, "then": {"required": ["x"], "properties": {"y": false}}, "else": {"properties": {"x": false}}}`,
}

var keywordInstances = []string{
	`null`, `true`, `false`, `0`, `-0`, `1`, `1.0`, `1e0`, `1.5`, `2`, `2.0`, `2.5`, `3`, `100.25`, `100.26`, `-100`, `-99.5`, `1e400`,
	`""`, `"a"`, `"b"`, `"x"`, `"1"`, `"12"`, `"123"`, `"1234"`, `"ab"`, `"ก"`, `"กข"`, `"😀"`, `"😀😀"`, `"é"`, `"e\u0301"`,
	`"2024-05-20"`, `"2024-02-30"`, `"2024-05-20T09:14:00Z"`, `"https://x.example/"`, `"did:web:x"`, `"relative"`,
	`"https://x.example/aaaaaaaaaaaaaaaaaaaaaa"`, `"123e4567-e89b-12d3-a456-426614174000"`,
	`[]`, `[1]`, `[1, 1]`, `[1, 1.0]`, `[1, "1"]`, `["a", "b"]`, `["a", "a"]`, `[1, "a", "b"]`, `[1, 2]`, `[{"a": 1, "b": 2}, {"b": 2, "a": 1.0}]`,
	`[[1, 2], [1, 2]]`, `[null, null]`, `[true, false]`, `[{"a": 1}, 1]`, `[1, [1, 2.0]]`, `[[1, "1"]]`,
	`{}`, `{"a": 1}`, `{"a": "x"}`, `{"b": 1}`, `{"a": 1, "b": 2}`, `{"a": "s", "b": 2}`, `{"a": 1, "c": 1}`, `{"a": [1, 2.0]}`,
	`{"t": "A", "x": 1}`, `{"t": "A"}`, `{"t": "A", "x": 1, "y": 1}`, `{"t": "B"}`, `{"t": "B", "x": 1}`, `{"t": "C"}`,
	`{"a": 1, "b": 2, "c": 3}`,
}

// TestKeywordsMatchReference: every keyword schema on every instance, as
// json.Number and as float64 values: same verdict as the reference.
func TestKeywordsMatchReference(t *testing.T) {
	for _, schema := range keywordSchemas {
		s, ref := mustCompile(t, schema), reference(t, schema)
		for _, inst := range keywordInstances {
			for _, float := range []bool{false, true} {
				var v any
				if float {
					if err := json.Unmarshal([]byte(inst), &v); err != nil {
						continue // 1e400
					}
				} else {
					v = parse(t, inst)
				}
				got, want := s.Valid(v), ref.Validate(v) == nil
				if got != want {
					t.Errorf("%s on %s (float64 %v): %v, reference %v", schema, inst, float, got, want)
				}
				if p := s.Validate(v); (p == nil) != got {
					t.Errorf("%s on %s: Validate %+v disagrees with Valid %v", schema, inst, p, got)
				}
			}
		}
		// Go values the reference also accepts, and values that are not JSON.
		for _, v := range []any{7, int64(-3), uint8(2), float32(1.5), math.NaN(), math.Inf(1), []string{"a"}, map[string]string{}, struct{}{}, []any{[]string{}}, map[string]any{"a": []string{}}} {
			if got, want := s.Valid(v), ref.Validate(v) == nil; got != want {
				t.Errorf("%s on %T %v: %v, reference %v", schema, v, v, got, want)
			}
		}
	}
}

// TestUniqueItemsLong: arrays past the pairwise-comparison threshold.
func TestUniqueItemsLong(t *testing.T) {
	s, ref := mustCompile(t, `{"uniqueItems": true}`), reference(t, `{"uniqueItems": true}`)
	for _, n := range []int{15, 16, 17, 20, 21, 40} {
		for dup := -1; dup < n; dup += 7 {
			items := make([]string, n)
			for i := range items {
				items[i] = fmt.Sprintf(`{"k": %d, "v": [%d.0, "x"]}`, i, i)
			}
			if dup >= 0 {
				items[dup] = fmt.Sprintf(`{"v": [%d, "x"], "k": %d.000}`, n-1, n-1) // equal to the last, spelled differently
			}
			inst := "[" + strings.Join(items, ",") + "]"
			v := parse(t, inst)
			if got, want := s.Valid(v), ref.Validate(v) == nil; got != want || got == (dup >= 0 && dup != n-1) {
				t.Errorf("n %d dup %d: %v, reference %v", n, dup, got, want)
			}
		}
	}
}

// TestValidDoesNotAllocate on a schema with most keywords.
func TestValidDoesNotAllocate(t *testing.T) {
	s := mustCompile(t, `{
		"type": "object", "required": ["a", "n"], "additionalProperties": false, "minProperties": 2,
		"properties": {
			"a": {"type": "array", "minItems": 1, "uniqueItems": true, "items": {"type": "string", "minLength": 1, "maxLength": 3, "pattern": "^[a-z]+$"}},
			"n": {"type": "integer", "minimum": 1, "maximum": 100},
			"x": {"type": "number", "exclusiveMinimum": 0},
			"d": {"type": "string", "format": "date-time"},
			"u": {"type": "string", "format": "uri"},
			"e": {"enum": ["x", 1]},
			"c": {"const": 1}
		},
		"anyOf": [{"required": ["a"]}, {"required": ["b"]}],
		"if": {"properties": {"n": {"const": 1}}}, "then": {"required": ["x"]}
	}`)
	v := parse(t, `{"a": ["ab", "cd"], "n": 1, "x": 0.5, "d": "2024-05-20T09:14:00+07:00", "u": "https://x.example/a", "e": 1, "c": 1.0}`)
	if !s.Valid(v) {
		t.Fatal("not valid")
	}
	if n := testing.AllocsPerRun(100, func() { s.Valid(v) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
}

// TestProblemChoice: deepest first, then by reason, then by pointer; a
// missing member's pointer names it; anyOf of "required" is one problem.
func TestProblemChoice(t *testing.T) {
	s := mustCompile(t, `{
		"type": "object",
		"required": ["z"],
		"properties": {
			"a": {"type": "object", "properties": {"b": {"type": "string", "minLength": 3, "pattern": "^x"}}},
			"c": {"type": "object", "additionalProperties": false, "properties": {"ok": true}},
			"p": {"anyOf": [{"required": ["pid"]}, {"required": ["passport"]}]},
			"w/x": {"type": "integer"}
		}
	}`)
	tests := []struct{ doc, pointer, reason string }{
		{`{"z": 1}`, "", ""},
		{`{}`, "/z", "required"},
		{`{"z": 1, "a": {"b": "y"}}`, "/a/b", "pattern"},
		{`{"z": 1, "a": {"b": 1}, "c": {"zz": 1, "yy": 2}}`, "/a/b", "type"},
		{`{"z": 1, "c": {"zz": 1, "yy": 2}}`, "/c/yy", "additional_property"},
		{`{"z": 1, "p": {}}`, "/p/pid", "required"},
		{`{"z": 1, "w/x": 1.5}`, "/w~1x", "type"},
	}
	for _, tt := range tests {
		p := s.Validate(parse(t, tt.doc))
		switch {
		case p == nil && tt.reason != "":
			t.Errorf("%s: valid, want %s at %s", tt.doc, tt.reason, tt.pointer)
		case p != nil && (p.Pointer != tt.pointer || p.Reason != tt.reason):
			t.Errorf("%s: %+v, want %s at %s", tt.doc, p, tt.reason, tt.pointer)
		}
	}
	if p := s.Validate(parse(t, `{"z": 1, "p": {}}`)); p == nil || p.Msg != `one of "pid", "passport" is required` {
		t.Errorf("anyOf message: %+v", p)
	}
}
