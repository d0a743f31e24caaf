package schemas

import (
	"fmt"
	"strings"
)

// Inlining $refs for speed.
//
// The validator spends most of its time per $ref hop (each hop is a nested
// validation with its own allocations). Before compiling, inlineRefs
// replaces every {"$ref": ".../common.json#/$defs/x", ...siblings} with the
// definition merged with the siblings, which is the same assertion (a $ref
// to a plain subschema is an allOf of it; in 2020-12, keywords in one
// object are independent except for the applicator groups handled below).
// The published schemas (Type.Schema) keep their $refs; a test checks that
// the inlined and the published forms give the same result on every test
// document.

// mergeBlocked lists keyword groups whose meaning depends on other keywords
// in the same object: properties/patternProperties are what
// additionalProperties is relative to; if/then/else belong together.
var mergeBlocked = [][]string{
	{"properties", "patternProperties", "additionalProperties", "unevaluatedProperties"},
	{"prefixItems", "items", "unevaluatedItems", "contains", "minContains", "maxContains"},
	{"if", "then", "else"},
}

// annotation keywords: on conflict, the referring site wins.
var annotations = map[string]bool{"description": true, "title": true, "$comment": true, "examples": true, "default": true}

// Keywords whose value is a schema, an array of schemas, or an object whose
// member values are schemas (draft 2020-12 applicators).
var (
	schemaKeywords    = map[string]bool{"items": true, "additionalProperties": true, "not": true, "if": true, "then": true, "else": true, "contains": true, "propertyNames": true, "unevaluatedItems": true, "unevaluatedProperties": true, "contentSchema": true}
	schemaListKeyword = map[string]bool{"allOf": true, "anyOf": true, "oneOf": true, "prefixItems": true}
	schemaMapKeyword  = map[string]bool{"properties": true, "patternProperties": true, "dependentSchemas": true}
)

// inlineRefs returns a copy of schema with every reference to a definition
// in common.json (defs, by name) replaced by the definition's content,
// itself inlined. Other references, and members that are not subschemas
// (including $defs), are copied as they are. The definitions must not be
// recursive (depth guards against it).
func inlineRefs(schema any, defs map[string]any, depth int) (any, error) {
	return inlineIn(schema, defs, false, depth)
}

// inlineIn is inlineRefs; inCommon says whether schema comes from
// common.json, where references read "#/$defs/x" (in a type schema they
// read "common.json#/$defs/x").
func inlineIn(schema any, defs map[string]any, inCommon bool, depth int) (any, error) {
	if depth > 64 {
		return nil, fmt.Errorf("schemas: $ref nesting too deep while inlining")
	}
	m, ok := schema.(map[string]any)
	if !ok {
		return schema, nil // boolean schema
	}
	out := make(map[string]any, len(m))
	for k, x := range m {
		switch {
		case schemaKeywords[k]:
			y, err := inlineIn(x, defs, inCommon, depth+1)
			if err != nil {
				return nil, err
			}
			out[k] = y
		case schemaListKeyword[k]:
			list, _ := x.([]any)
			ys := make([]any, len(list))
			for i, item := range list {
				y, err := inlineIn(item, defs, inCommon, depth+1)
				if err != nil {
					return nil, err
				}
				ys[i] = y
			}
			out[k] = ys
		case schemaMapKeyword[k]:
			sm, _ := x.(map[string]any)
			ym := make(map[string]any, len(sm))
			for name, item := range sm {
				y, err := inlineIn(item, defs, inCommon, depth+1)
				if err != nil {
					return nil, err
				}
				ym[name] = y
			}
			out[k] = ym
		default:
			out[k] = x
		}
	}
	ref, ok := out["$ref"].(string)
	if !ok {
		return out, nil
	}
	name, ok := defName(ref, inCommon)
	if !ok {
		return out, nil
	}
	def, ok := defs[name]
	if !ok {
		return nil, fmt.Errorf("schemas: $ref %q: no such definition", ref)
	}
	target, err := inlineIn(def, defs, true, depth+1)
	if err != nil {
		return nil, err
	}
	delete(out, "$ref")
	tm, ok := target.(map[string]any)
	if !ok { // boolean schema
		if len(out) == 0 {
			return target, nil
		}
		out["allOf"] = append(anySlice(out["allOf"]), target)
		return out, nil
	}
	if len(out) == 0 {
		return tm, nil
	}
	if !canMerge(out, tm) {
		out["allOf"] = append(anySlice(out["allOf"]), tm)
		return out, nil
	}
	for k, x := range tm {
		if _, taken := out[k]; taken && annotations[k] {
			continue
		}
		out[k] = x
	}
	return out, nil
}

// defName extracts x from "common.json#/$defs/x", its absolute form, or
// (inside common.json) "#/$defs/x".
func defName(ref string, inCommon bool) (string, bool) {
	i := strings.Index(ref, "#/$defs/")
	if i < 0 {
		return "", false
	}
	switch doc := ref[:i]; {
	case doc == "common.json" || doc == commonID:
	case doc == "" && inCommon:
	default:
		return "", false
	}
	name := ref[i+len("#/$defs/"):]
	if name == "" || strings.ContainsAny(name, "/~%") {
		return "", false
	}
	return name, true
}

// canMerge reports whether the keywords of a and b can live in one object
// with the meaning of allOf [a, b].
func canMerge(a, b map[string]any) bool {
	for k := range b {
		if _, ok := a[k]; ok && !annotations[k] {
			return false
		}
	}
	for _, group := range mergeBlocked {
		inA, inB := false, false
		for _, k := range group {
			if _, ok := a[k]; ok {
				inA = true
			}
			if _, ok := b[k]; ok {
				inB = true
			}
		}
		if inA && inB {
			return false
		}
	}
	return true
}

func anySlice(v any) []any {
	s, _ := v.([]any)
	return s
}
