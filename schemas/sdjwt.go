package schemas

import (
	"fmt"
	"strings"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/schemas/internal/compile"
)

// The claims of an SD-JWT VC that are not members of credentialSubject:
// JWT and SD-JWT VC claims, which the verifier checks itself (iss, iat,
// nbf, exp, cnf, status, vct), and those the VCDM form does not have.
var sdjwtEnvelopeClaims = map[string]bool{
	"iss": true, "iat": true, "nbf": true, "exp": true, "vct": true, "vct#integrity": true,
	"cnf": true, "status": true, "aud": true, "jti": true, "_sd_alg": true,
}

// ValidateSDJWT validates what a verifier sees of an SD-JWT VC of the
// catalogue type typeName: claims are its processed claims (the
// plaintext ones and those the holder disclosed; credential/sdjwt's
// Verified.Claims).
//
// The type's schema is written for the VCDM 2.0 form, so the claims are
// first mapped back to it (the inverse of the issuer's mapping,
// [SDJWTName]): "sub" becomes credentialSubject.id, "evidence" the
// evidence, every other claim but the JWT and SD-JWT VC ones (iss, iat,
// nbf, exp, vct, cnf, status, aud, jti) a member of credentialSubject
// under its VCDM name. The document is then validated against the type's
// schema with one change: the selectively disclosable members
// ([Type].SelectivelyDisclosable) are not required, since a holder may
// withhold them (and an object they belong to may be empty). Everything that was disclosed must satisfy the schema
// (formats, checksums, patterns, no unknown members where the schema
// forbids them), every always-visible required member must be there, and
// the cross-field checks of [Validate] apply to what is present. The
// derived age_equal_or_over claim ([HasAgeClaim] types) must be an object
// of booleans named by [AgeThresholds].
//
// Errors are as for [Validate], with Field a JSON pointer into claims
// ("/student/pid", "/iss"), not into the VCDM form.
//
// WARNING: a withheld claim is not checked at all: that a required member
// is disclosable means only that its absence is accepted.
func ValidateSDJWT(typeName string, claims map[string]any) error {
	sch, err := sdjwtValidator(typeName)
	if err != nil {
		return err
	}
	subject := make(map[string]any, len(claims))
	doc := map[string]any{
		"@context":          []any{"https://www.w3.org/ns/credentials/v2", "https://thaitrust.example/ns/credentials/v1"},
		"type":              []any{"VerifiableCredential", typeName},
		"credentialSubject": subject,
	}
	if iss, ok := claims["iss"]; ok {
		doc["issuer"] = iss
	}
	renamed := sdjwtRenames[typeName]
	for k, v := range claims {
		switch {
		case sdjwtEnvelopeClaims[k]:
		case k == "sub":
			subject["id"] = v
		case k == "evidence":
			doc["evidence"] = v
		case k == AgeClaim && HasAgeClaim(typeName):
			if err := checkAgeClaim(v); err != nil {
				return err
			}
		default:
			name := k
			for member, r := range renamed {
				if r == k {
					name = member
				}
			}
			subject[name] = v
		}
	}
	if p := sch.Validate(doc); p != nil {
		return &ValidationError{Field: sdjwtField(typeName, p.Pointer), Reason: p.Reason, Msg: p.Msg}
	}
	if err := crossCheck(typeName, doc); err != nil {
		var ve *ValidationError
		if e, ok := err.(*ValidationError); ok {
			ve = e
			ve.Field = sdjwtField(typeName, ve.Field)
			return ve
		}
		return err
	}
	return nil
}

func checkAgeClaim(v any) error {
	m, ok := v.(map[string]any)
	if !ok {
		return &ValidationError{Field: "/" + AgeClaim, Reason: "type", Msg: "must be an object"}
	}
	for k, b := range m {
		known := false
		for _, n := range AgeThresholds {
			known = known || k == itoa(n)
		}
		if !known {
			return &ValidationError{Field: "/" + AgeClaim + "/" + escapeToken(k), Reason: "additional_property", Msg: "not an age threshold of this type"}
		}
		if _, ok := b.(bool); !ok {
			return &ValidationError{Field: "/" + AgeClaim + "/" + escapeToken(k), Reason: "type", Msg: "must be a boolean"}
		}
	}
	return nil
}

// sdjwtField turns a pointer into the VCDM form into one into the SD-JWT
// VC claims.
func sdjwtField(typeName, p string) string {
	if rest, ok := strings.CutPrefix(p, "/credentialSubject"); ok {
		if rest == "" {
			return ""
		}
		first, tail, _ := strings.Cut(rest[1:], "/")
		q := "/" + escapeToken(SDJWTName(typeName, unescapeToken(first)))
		if tail != "" {
			q += "/" + tail
		}
		return q
	}
	if rest, ok := strings.CutPrefix(p, "/issuer"); ok {
		return "/iss" + rest
	}
	return p
}

func escapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1")
}

func unescapeToken(t string) string {
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

// sdjwtTypes holds the relaxed validators, compiled on first use.
var sdjwtTypes = func() map[string]*compiledType {
	m := make(map[string]*compiledType, len(catalogue))
	for _, t := range catalogue {
		m[t.Name] = &compiledType{}
	}
	return m
}()

func sdjwtValidator(name string) (*compile.Schema, error) {
	ct, ok := sdjwtTypes[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, name)
	}
	ct.once.Do(func() { ct.schema, ct.err = compileRelaxed(name) })
	return ct.schema, ct.err
}

// compileRelaxed compiles the type's schema with its selectively
// disclosable members removed from every "required" that names them (at
// their place in the document, through $ref, allOf, anyOf, oneOf, then
// and else; never in "if", whose meaning that would change). A $ref on
// the way is replaced by a copy of its target (in allOf), so that the
// shared definitions stay as they are for the other members and types.
func compileRelaxed(name string) (*compile.Schema, error) {
	t, ok := find(name)
	if !ok || t.Schema == nil {
		return nil, fmt.Errorf("schemas: compiling %s: no schema", name)
	}
	doc, err := jsonx.Parse(t.Schema)
	if err != nil {
		return nil, fmt.Errorf("schemas: compiling %s: %w", name, err)
	}
	root, _ := doc.(map[string]any)
	r := relaxer{root: root}
	for _, p := range t.SelectivelyDisclosable {
		toks := append([]string{"credentialSubject"}, strings.Split(strings.TrimPrefix(p, "/"), "/")...)
		if err := r.relax(root, toks, 0); err != nil {
			return nil, fmt.Errorf("schemas: relaxing %s at %s: %w", name, p, err)
		}
	}
	sch, err := compile.Compile(doc, compile.Options{Formats: formats})
	if err != nil {
		return nil, fmt.Errorf("schemas: compiling %s (SD-JWT VC): %w", name, err)
	}
	return sch, nil
}

type relaxer struct{ root map[string]any }

func (r *relaxer) relax(n any, toks []string, depth int) error {
	if depth > 64 {
		return fmt.Errorf("schema nested too deeply")
	}
	m, ok := n.(map[string]any)
	if !ok {
		return nil // a boolean schema requires nothing
	}
	if ref, ok := m["$ref"].(string); ok {
		target, err := r.target(ref)
		if err != nil {
			return err
		}
		delete(m, "$ref")
		all, _ := m["allOf"].([]any)
		m["allOf"] = append(all, absolutize(cloneJSON(target)))
	}
	if len(toks) == 1 {
		// An object whose members may be withheld may arrive empty.
		delete(m, "minProperties")
		if req, ok := m["required"].([]any); ok {
			kept := req[:0:0]
			for _, x := range req {
				if x != toks[0] {
					kept = append(kept, x)
				}
			}
			m["required"] = kept
		}
	} else if props, ok := m["properties"].(map[string]any); ok {
		if sub, ok := props[toks[0]]; ok {
			if err := r.relax(sub, toks[1:], depth+1); err != nil {
				return err
			}
		}
	}
	for _, kw := range []string{"allOf", "anyOf", "oneOf"} {
		subs, _ := m[kw].([]any)
		for _, sub := range subs {
			if err := r.relax(sub, toks, depth+1); err != nil {
				return err
			}
		}
	}
	for _, kw := range []string{"then", "else"} {
		if sub, ok := m[kw]; ok {
			if err := r.relax(sub, toks, depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

// target resolves a $ref into the bundled shared definitions
// ("common.json#/$defs/x" from a type schema, or the absolute form).
func (r *relaxer) target(ref string) (any, error) {
	frag, ok := strings.CutPrefix(ref, commonID+"#/$defs/")
	if !ok {
		frag, ok = strings.CutPrefix(ref, "common.json#/$defs/")
	}
	if !ok || strings.Contains(frag, "/") {
		return nil, fmt.Errorf("$ref %q is not a shared definition", ref)
	}
	defs, _ := r.root["$defs"].(map[string]any)
	common, _ := defs["common.json"].(map[string]any)
	cdefs, _ := common["$defs"].(map[string]any)
	t, ok := cdefs[frag]
	if !ok {
		return nil, fmt.Errorf("$ref %q: no such definition", ref)
	}
	return t, nil
}

// absolutize rewrites the local references of a copied shared definition
// ("#/$defs/x") to absolute ones, so that they still resolve from where
// the copy is placed.
func absolutize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" && strings.HasPrefix(s, "#") {
				x[k] = commonID + s
				continue
			}
			absolutize(e)
		}
	case []any:
		for _, e := range x {
			absolutize(e)
		}
	}
	return v
}

func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = cloneJSON(e)
		}
		return a
	}
	return v
}
