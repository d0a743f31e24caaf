package credential

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// ContextV2 is the base context of VCDM 2.0; it must come first in every
// credential's and presentation's @context.
const ContextV2 = "https://www.w3.org/ns/credentials/v2"

const (
	// contextExamplesV2 defines nothing but "@vocab" (examples namespace).
	contextExamplesV2 = "https://www.w3.org/ns/credentials/examples/v2"
	// contextV1 is the VCDM 1.1 base context; it redefines terms the v2
	// context protects, which JSON-LD processors reject.
	contextV1 = "https://www.w3.org/2018/credentials/v1"
)

// termDef is a simple JSON-LD term definition (what a string, or an object
// with only @id/@type/@container, expands to).
type termDef struct {
	id, typ, container string
	scoped             bool // has a scoped @context: never redefinable
}

const (
	credNS   = "https://www.w3.org/2018/credentials#"
	statusNS = "https://www.w3.org/ns/credentials/status#"
	jwtNS    = "https://www.iana.org/assignments/jwt#"
	joseNS   = "https://www.iana.org/assignments/jose#"
	xsdNNI   = "https://www.w3.org/2001/XMLSchema#nonNegativeInteger"
	xsdDT    = "http://www.w3.org/2001/XMLSchema#dateTime"
)

// v2Terms are the protected terms of https://www.w3.org/ns/credentials/v2
// (W3C Recommendation, May 2025): its top-level terms and those of the
// contexts scoped to VerifiableCredential and VerifiablePresentation. An
// inline context may not redefine them (JSON-LD protected term
// redefinition), except with an identical simple definition.
//
// The final context has no @vocab (drafts had an issuer-dependent one), so
// a type term it does not define is unmapped unless another context maps it.
var v2Terms = map[string]termDef{
	// top level
	"id":                              {id: "@id"},
	"type":                            {id: "@type"},
	"description":                     {id: "https://schema.org/description"},
	"digestMultibase":                 {id: "https://w3id.org/security#digestMultibase", typ: "https://w3id.org/security#multibase"},
	"digestSRI":                       {id: credNS + "digestSRI", typ: credNS + "sriString"},
	"mediaType":                       {id: "https://schema.org/encodingFormat"},
	"name":                            {id: "https://schema.org/name"},
	"VerifiableCredential":            {id: credNS + "VerifiableCredential", scoped: true},
	"EnvelopedVerifiableCredential":   {id: credNS + "EnvelopedVerifiableCredential"},
	"VerifiablePresentation":          {id: credNS + "VerifiablePresentation", scoped: true},
	"EnvelopedVerifiablePresentation": {id: credNS + "EnvelopedVerifiablePresentation"},
	"JsonSchemaCredential":            {id: credNS + "JsonSchemaCredential"},
	"JsonSchema":                      {id: credNS + "JsonSchema", scoped: true},
	"BitstringStatusListCredential":   {id: statusNS + "BitstringStatusListCredential"},
	"BitstringStatusList":             {id: statusNS + "BitstringStatusList", scoped: true},
	"BitstringStatusListEntry":        {id: statusNS + "BitstringStatusListEntry", scoped: true},
	"DataIntegrityProof":              {id: "https://w3id.org/security#DataIntegrityProof", scoped: true},
	"...":                             {id: jwtNS + "..."},
	"_sd":                             {id: jwtNS + "_sd", typ: "@json"},
	"_sd_alg":                         {id: jwtNS + "_sd_alg"},
	"aud":                             {id: jwtNS + "aud", typ: "@id"},
	"cnf":                             {id: jwtNS + "cnf", scoped: true},
	"exp":                             {id: jwtNS + "exp", typ: xsdNNI},
	"iat":                             {id: jwtNS + "iat", typ: xsdNNI},
	"iss":                             {id: joseNS + "iss", typ: "@id"},
	"jku":                             {id: joseNS + "jku", typ: "@id"},
	"kid":                             {id: joseNS + "kid", typ: "@id"},
	"nbf":                             {id: jwtNS + "nbf", typ: xsdNNI},
	"sub":                             {id: joseNS + "sub", typ: "@id"},
	"x5u":                             {id: joseNS + "x5u", typ: "@id"},
	// scoped to VerifiableCredential
	"confidenceMethod":  {id: credNS + "confidenceMethod", typ: "@id"},
	"credentialSchema":  {id: credNS + "credentialSchema", typ: "@id"},
	"credentialStatus":  {id: credNS + "credentialStatus", typ: "@id"},
	"credentialSubject": {id: credNS + "credentialSubject", typ: "@id"},
	"evidence":          {id: credNS + "evidence", typ: "@id"},
	"issuer":            {id: credNS + "issuer", typ: "@id"},
	"proof":             {id: "https://w3id.org/security#proof", typ: "@id", container: "@graph"},
	"refreshService":    {id: credNS + "refreshService", typ: "@id"},
	"relatedResource":   {id: credNS + "relatedResource", typ: "@id"},
	"renderMethod":      {id: credNS + "renderMethod", typ: "@id"},
	"termsOfUse":        {id: credNS + "termsOfUse", typ: "@id"},
	"validFrom":         {id: credNS + "validFrom", typ: xsdDT},
	"validUntil":        {id: credNS + "validUntil", typ: xsdDT},
	// scoped to VerifiablePresentation
	"holder":               {id: credNS + "holder", typ: "@id"},
	"verifiableCredential": {id: credNS + "verifiableCredential", typ: "@id", container: "@graph", scoped: true},
}

// jsonldKeywords are the JSON-LD 1.1 keywords; a term may alias one.
var jsonldKeywords = map[string]bool{
	"@base": true, "@container": true, "@context": true, "@direction": true,
	"@graph": true, "@id": true, "@import": true, "@included": true,
	"@index": true, "@json": true, "@language": true, "@list": true,
	"@nest": true, "@none": true, "@prefix": true, "@propagate": true,
	"@protected": true, "@reverse": true, "@set": true, "@type": true,
	"@value": true, "@version": true, "@vocab": true,
}

// ctxInfo is what the validator knows about a document's active context,
// without a JSON-LD processor and without fetching anything.
type ctxInfo struct {
	list   []any // the @context array (nil for the string form)
	vocab  bool  // a non-null @vocab is in effect after the last context
	opaque bool  // a remote context we cannot see may define any term
}

// checkContext validates an @context value. allowString admits the single
// string ContextV2 (used by enveloped credentials, as in the VCDM examples).
func checkContext(v any, allowString bool) (ctxInfo, *ValidationError) {
	switch x := v.(type) {
	case string:
		if !allowString {
			return ctxInfo{}, invalid("/@context", ReasonContextNotArray, "@context must be an array")
		}
		if x != ContextV2 {
			return ctxInfo{}, invalid("/@context", ReasonContextFirstNotV2, "@context must be "+ContextV2)
		}
		return ctxInfo{}, nil
	case []any:
		if len(x) == 0 {
			return ctxInfo{}, invalid("/@context", ReasonContextFirstNotV2, "@context is empty; its first item must be "+ContextV2)
		}
		if s, ok := x[0].(string); !ok || s != ContextV2 {
			return ctxInfo{}, invalid("/@context/0", ReasonContextFirstNotV2, "the first @context item must be "+ContextV2)
		}
		c := ctxInfo{list: x}
		for i := 1; i < len(x); i++ {
			switch e := x[i].(type) {
			case string:
				if !isURL(e) {
					return ctxInfo{}, invalid(ctxField(i), ReasonContextURLInvalid, "@context item is not an absolute URL")
				}
				switch e {
				case ContextV2:
					// Reprocessing the same protected context is allowed.
				case contextExamplesV2:
					c.vocab = true
				case contextV1:
					return ctxInfo{}, invalid(ctxField(i), ReasonTermRedefined, "the VCDM 1.1 context redefines terms protected by "+ContextV2)
				default:
					c.opaque = true
				}
			case map[string]any:
				if err := c.inline(i, e); err != nil {
					return ctxInfo{}, err
				}
			default:
				return ctxInfo{}, invalid(ctxField(i), ReasonContextEntryInvalid, "@context items must be URLs or objects")
			}
		}
		return c, nil
	default:
		return ctxInfo{}, invalid("/@context", ReasonContextNotArray, "@context must be an array")
	}
}

func ctxField(i int) string { return "/@context/" + strconv.Itoa(i) }

// ptr is a JSON pointer kept as tokens and turned into a string only
// when an error reports it, so that valid documents cost no allocations.
// It is a value (no pointers), which keeps it on the stack.
type ptr struct {
	pre string // the pointer above the tokens
	n   int
	tok [6]string // member names
	idx [6]int    // array indexes; -1 for a member name
}

func (p ptr) key(k string) ptr {
	if p.n < len(p.tok) {
		p.tok[p.n], p.idx[p.n] = k, -1
		p.n++
	}
	return p
}

func (p ptr) index(i int) ptr {
	if p.n < len(p.tok) {
		p.idx[p.n] = i
		p.n++
	}
	return p
}

func (p ptr) child(k string) string { return p.key(k).String() }

func (p ptr) String() string {
	var b strings.Builder
	b.WriteString(p.pre)
	for i := 0; i < p.n; i++ {
		b.WriteByte('/')
		if p.idx[i] >= 0 {
			b.WriteString(strconv.Itoa(p.idx[i]))
		} else {
			b.WriteString(pointerToken(p.tok[i]))
		}
	}
	return b.String()
}

func (c *ctxInfo) inline(i int, def map[string]any) *ValidationError {
	base := ptr{pre: "/@context"}.index(i)
	known := 0
	for _, k := range contextKeywords {
		v, ok := def[k]
		if !ok {
			continue
		}
		known++
		if err := c.contextKeyword(base, k, v); err != nil {
			return err
		}
	}
	if len(def) == known {
		return nil
	}
	// Check every term; on failure, report the first in sorted order so
	// that the error does not depend on map iteration order.
	for k, v := range def {
		if k != "" && k[0] == '@' && isContextKeyword(k) {
			continue
		}
		if err := c.term(i, def, k, v, base); err != nil {
			keys := make([]string, 0, len(def))
			for k := range def {
				keys = append(keys, k)
			}
			slices.Sort(keys)
			for _, k := range keys {
				if k != "" && k[0] == '@' && isContextKeyword(k) {
					continue
				}
				if err := c.term(i, def, k, def[k], base); err != nil {
					return err
				}
			}
			return err
		}
	}
	return nil
}

// contextKeywords are the keywords allowed as members of a context object,
// in the order they are checked.
var contextKeywords = []string{"@version", "@protected", "@vocab", "@base", "@import", "@language", "@direction", "@propagate", "@type"}

func isContextKeyword(k string) bool { return slices.Contains(contextKeywords, k) }

func (c *ctxInfo) contextKeyword(base ptr, k string, v any) *ValidationError {
	at := base.key(k)
	bad := func() *ValidationError {
		return invalid(at.String(), ReasonContextEntryInvalid, "invalid "+k+" in inline context")
	}
	switch k {
	case "@version":
		if !isNumber(v, "1.1") {
			return bad()
		}
	case "@protected", "@propagate":
		if _, ok := v.(bool); !ok {
			return bad()
		}
	case "@vocab":
		switch x := v.(type) {
		case nil:
			c.vocab = false
		case string:
			if !isURL(x) {
				return invalid(at.String(), ReasonTermMappingInvalid, "@vocab must be an absolute IRI")
			}
			c.vocab = true
		default:
			return bad()
		}
	case "@base":
		if x, ok := v.(string); v != nil && (!ok || (x != "" && !isURL(x))) {
			return bad()
		}
	case "@import":
		x, ok := v.(string)
		if !ok || !isURL(x) {
			return invalid(at.String(), ReasonContextURLInvalid, "@import must be an absolute URL")
		}
		c.opaque = true
	case "@language":
		if _, ok := v.(string); v != nil && !ok {
			return bad()
		}
	case "@direction":
		if v != nil && v != "ltr" && v != "rtl" {
			return bad()
		}
	case "@type":
		if _, ok := v.(map[string]any); !ok {
			return bad()
		}
	}
	return nil
}

// term checks one term definition k: v of the inline context def at
// position i.
func (c *ctxInfo) term(i int, def map[string]any, k string, v any, base ptr) *ValidationError {
	at := base.key(k)
	if k == "" || k[0] == '@' {
		return invalid(at.String(), ReasonContextEntryInvalid, "inline context member "+strconv.Quote(k)+" is neither a term nor a context keyword")
	}
	if d, ok := v2Terms[k]; ok && !sameAsV2(d, v) {
		return invalid(at.String(), ReasonTermRedefined, "term "+strconv.Quote(k)+" is protected by "+ContextV2)
	}
	for j := 1; j < i; j++ {
		prev, ok := c.list[j].(map[string]any)
		if !ok {
			continue
		}
		if pd, ok := prev[k]; ok && isProtected(prev, pd) && !sameDef(pd, v) {
			return invalid(at.String(), ReasonTermRedefined, "term "+strconv.Quote(k)+" is protected by @context item "+strconv.Itoa(j))
		}
	}
	return c.definition(k, v, at, true)
}

// definition checks that a term definition maps to an absolute IRI (or a
// keyword). top is false inside scoped contexts, where @vocab is unknown.
func (c *ctxInfo) definition(k string, v any, at ptr, top bool) *ValidationError {
	switch d := v.(type) {
	case nil:
		return nil // explicitly undefined
	case string:
		if !validMapping(d) {
			return invalid(at.String(), ReasonTermMappingInvalid, "term "+strconv.Quote(k)+" is not mapped to an absolute IRI")
		}
		return nil
	case map[string]any:
		known := 0
		for _, key := range termKeywords {
			val, ok := d[key]
			if !ok {
				continue
			}
			known++
			if err := c.termKeyword(k, key, val, at, top); err != nil {
				return err
			}
		}
		if known != len(d) {
			var extra []string
			for key := range d {
				if !slices.Contains(termKeywords, key) {
					extra = append(extra, key)
				}
			}
			slices.Sort(extra)
			return invalid(at.child(extra[0]), ReasonTermMappingInvalid, "unknown member in the definition of term "+strconv.Quote(k))
		}
		_, hasID := d["@id"]
		_, hasReverse := d["@reverse"]
		if !hasID && !hasReverse && top && !strings.Contains(k, ":") && !c.vocab && !c.opaque {
			return invalid(at.String(), ReasonTermMappingInvalid, "term "+strconv.Quote(k)+" has no @id and no @vocab is in effect")
		}
		return nil
	default:
		return invalid(at.String(), ReasonTermMappingInvalid, "the definition of term "+strconv.Quote(k)+" is neither a string nor an object")
	}
}

// termKeywords are the members allowed in an expanded term definition.
var termKeywords = []string{"@id", "@reverse", "@type", "@container", "@context", "@protected", "@prefix", "@propagate", "@language", "@direction", "@index", "@nest"}

func (c *ctxInfo) termKeyword(k, key string, val any, at ptr, top bool) *ValidationError {
	bad := func(msg string) *ValidationError {
		return invalid(at.child(key), ReasonTermMappingInvalid, "term "+strconv.Quote(k)+": "+msg)
	}
	switch key {
	case "@id":
		if s, ok := val.(string); val != nil && (!ok || !validMapping(s)) {
			return bad("@id is not an absolute IRI")
		}
	case "@reverse":
		if s, ok := val.(string); !ok || !validMapping(s) {
			return bad("@reverse is not an absolute IRI")
		}
	case "@type":
		s, ok := val.(string)
		if !ok || !(s == "@id" || s == "@vocab" || s == "@json" || s == "@none" || isURL(s)) {
			return bad("@type is not an absolute IRI or @id, @vocab, @json, @none")
		}
	case "@container":
		switch x := val.(type) {
		case string:
			if !containerKeyword(x) {
				return bad("invalid @container")
			}
		case []any:
			for _, e := range x {
				if s, ok := e.(string); !ok || !containerKeyword(s) {
					return bad("invalid @container")
				}
			}
		default:
			return bad("invalid @container")
		}
	case "@context":
		return c.scoped(val, at.child(key))
	case "@protected", "@prefix", "@propagate":
		if _, ok := val.(bool); !ok {
			return bad(key + " must be a boolean")
		}
	case "@language", "@index", "@nest":
		if _, ok := val.(string); !ok && !(key == "@language" && val == nil) {
			return bad(key + " must be a string")
		}
	case "@direction":
		if val != nil && val != "ltr" && val != "rtl" {
			return bad("@direction must be ltr, rtl or null")
		}
	}
	return nil
}

func containerKeyword(s string) bool {
	switch s {
	case "@list", "@set", "@index", "@language", "@graph", "@id", "@type":
		return true
	}
	return false
}

// scoped checks a scoped context (the @context of a term definition): no
// protected v2 term may be redefined in it either.
func (c *ctxInfo) scoped(v any, field string) *ValidationError {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		if !isURL(x) {
			return invalid(field, ReasonContextURLInvalid, "scoped context is not an absolute URL")
		}
		return nil
	case []any:
		for i, e := range x {
			if err := c.scoped(e, field+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			f := ptr{pre: field}.key(k)
			if k != "" && k[0] == '@' {
				if !isContextKeyword(k) {
					return invalid(f.String(), ReasonContextEntryInvalid, "unknown keyword in scoped context")
				}
				if k == "@vocab" {
					if s, ok := x[k].(string); x[k] != nil && (!ok || !isURL(s)) {
						return invalid(f.String(), ReasonTermMappingInvalid, "@vocab must be an absolute IRI")
					}
				}
				continue
			}
			if d, ok := v2Terms[k]; ok && !sameAsV2(d, x[k]) {
				return invalid(f.String(), ReasonTermRedefined, "term "+strconv.Quote(k)+" is protected by "+ContextV2)
			}
			if err := c.definition(k, x[k], f, false); err != nil {
				return err
			}
		}
		return nil
	default:
		return invalid(field, ReasonContextEntryInvalid, "scoped context must be a URL, an object or an array")
	}
}

// validMapping reports whether s may be the IRI a term maps to: a JSON-LD
// keyword, an absolute IRI or a compact IRI.
func validMapping(s string) bool {
	if s != "" && s[0] == '@' {
		return jsonldKeywords[s]
	}
	return isURL(s)
}

func isProtected(ctx map[string]any, def any) bool {
	if m, ok := def.(map[string]any); ok {
		if p, ok := m["@protected"].(bool); ok {
			return p
		}
	}
	p, _ := ctx["@protected"].(bool)
	return p
}

// normalize reduces a simple term definition to a termDef.
func normalize(v any) (termDef, bool) {
	switch d := v.(type) {
	case string:
		return termDef{id: d}, true
	case map[string]any:
		var t termDef
		for k, val := range d {
			s, isStr := val.(string)
			switch k {
			case "@id":
				t.id = s
			case "@type":
				t.typ = s
			case "@container":
				t.container = s
			case "@protected":
				_, isStr = val.(bool)
			default:
				return termDef{}, false
			}
			if !isStr {
				return termDef{}, false
			}
		}
		return t, t.id != ""
	}
	return termDef{}, false
}

func sameAsV2(d termDef, v any) bool {
	if d.scoped {
		return false
	}
	n, ok := normalize(v)
	return ok && n == d
}

func sameDef(a, b any) bool {
	na, oka := normalize(a)
	nb, okb := normalize(b)
	if oka && okb {
		return na == nb
	}
	return reflect.DeepEqual(a, b)
}

// mapped reports whether the type term t expands to an IRI in the active
// context. t has already been checked by validType.
func (c *ctxInfo) mapped(t string) bool {
	for i := len(c.list) - 1; i >= 1; i-- {
		switch e := c.list[i].(type) {
		case string:
			if e != ContextV2 && e != contextExamplesV2 {
				return true // an opaque remote context may define it
			}
		case map[string]any:
			if d, ok := e[t]; ok {
				return definesIRI(d)
			}
		}
	}
	if _, ok := v2Terms[t]; ok {
		return true
	}
	if strings.IndexByte(t, ':') >= 0 {
		return true // absolute or compact IRI
	}
	return c.vocab || c.opaque
}

func definesIRI(d any) bool {
	switch x := d.(type) {
	case nil:
		return false
	case map[string]any:
		if id, ok := x["@id"]; ok && id == nil {
			return false
		}
	}
	return true
}

// validType reports whether t can be a type value: a term or an absolute
// (or compact) IRI.
func validType(t string) bool {
	if t == "" || t[0] == '@' {
		return false
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c <= ' ' || c == 0x7F {
			return false
		}
		if t[i] == ':' {
			return isURL(t)
		}
	}
	return true
}

// checkTypes validates a type value (a string or an array of strings),
// appends its entries to out and returns it. The base type, if any, must be
// among them; empty is the reason when there are none.
func (c *ctxInfo) checkTypes(v any, field, base string, out []string) ([]string, *ValidationError) {
	start := len(out)
	switch x := v.(type) {
	case string:
		if !validType(x) {
			return nil, invalid(field, ReasonTypeEntryInvalid, "type "+strconv.Quote(x)+" is not a term or an absolute URL")
		}
		out = append(out, x)
	case []any:
		for i, e := range x {
			s, ok := e.(string)
			if !ok || !validType(s) {
				return nil, invalid(field+"/"+strconv.Itoa(i), ReasonTypeEntryInvalid, "type values must be terms or absolute URLs")
			}
			out = append(out, s)
		}
	default:
		return nil, invalid(field, ReasonTypeNotArray, "type must be a string or an array of strings")
	}
	types := out[start:]
	if base != "" && !slices.Contains(types, base) {
		return nil, invalid(field, ReasonTypeMissingBase, "type must include "+base)
	}
	if base == "" && len(types) == 0 {
		return nil, invalid(field, ReasonTypePropertyMissing, "type is empty")
	}
	for i, t := range types {
		if !c.mapped(t) {
			f := field
			if _, isArray := v.([]any); isArray {
				f += "/" + strconv.Itoa(i)
			}
			return nil, invalid(f, ReasonTypeUnmapped, "type "+strconv.Quote(t)+" is not defined by any @context")
		}
	}
	return out, nil
}

func isNumber(v any, lit string) bool {
	switch n := v.(type) {
	case json.Number:
		return string(n) == lit
	case float64:
		return strconv.FormatFloat(n, 'f', -1, 64) == lit
	}
	return false
}
