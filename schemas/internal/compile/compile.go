package compile

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/url"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Draft is the only dialect Compile accepts in "$schema".
const Draft = "https://json-schema.org/draft/2020-12/schema"

// Format is a string format the schemas may name in "format" besides the
// standard ones (date, date-time, uri, uuid).
type Format struct {
	// Check returns empty strings for a valid s, else a reason code and a
	// message that does not quote s. It must not allocate on valid input
	// and should not on invalid input: Validate runs it on every
	// credential.
	Check func(s string) (reason, msg string)
}

// Options configure Compile.
type Options struct {
	// Formats are the custom formats, by name. A "format" naming neither
	// one of these nor a standard format is a compile error (a validator
	// that silently ignores a format it does not know checks less than
	// the schema says).
	Formats map[string]Format
}

// Schema is a compiled schema. It is immutable and safe for concurrent use.
type Schema struct {
	root *node
}

// ErrUnsupported is wrapped by Compile's error for a keyword, a keyword
// value or a $ref form this package does not implement.
var ErrUnsupported = errors.New("compile: unsupported")

// Keywords lists every keyword Compile accepts; any other is an error
// (wrapping ErrUnsupported). Annotations are accepted and ignored.
var Keywords = slices.Sorted(func(yield func(string) bool) {
	for k := range keywords {
		if !yield(k) {
			return
		}
	}
})

type keywordKind int

const (
	kwAnnotation keywordKind = iota // no effect on validation
	kwValue                         // an assertion on the instance
	kwSchema                        // value is a subschema
	kwSchemaList                    // value is an array of subschemas
	kwSchemaMap                     // value is an object of subschemas
)

// keywords are the draft 2020-12 keywords our schemas use, and what their
// values hold.
var keywords = map[string]keywordKind{
	"$schema":     kwAnnotation, // checked: must be Draft
	"$id":         kwAnnotation, // sets the base URI
	"$defs":       kwSchemaMap,
	"$ref":        kwValue,
	"title":       kwAnnotation,
	"description": kwAnnotation,

	"type":   kwValue,
	"const":  kwValue,
	"enum":   kwValue,
	"format": kwValue,

	"required":             kwValue,
	"minProperties":        kwValue,
	"properties":           kwSchemaMap,
	"additionalProperties": kwSchema,

	"minItems":    kwValue,
	"uniqueItems": kwValue,
	"prefixItems": kwSchemaList,
	"items":       kwSchema,
	"contains":    kwSchema,

	"minLength": kwValue,
	"maxLength": kwValue,
	"pattern":   kwValue,

	"minimum":          kwValue,
	"maximum":          kwValue,
	"exclusiveMinimum": kwValue,

	"allOf": kwSchemaList,
	"anyOf": kwSchemaList,
	"if":    kwSchema,
	"then":  kwSchema,
	"else":  kwSchema,
}

// JSON types, as bits.
const (
	tNull uint8 = 1 << iota
	tBoolean
	tNumber
	tInteger // a number that is an integer; only in node.types
	tString
	tArray
	tObject
)

var typeNames = []struct {
	bit  uint8
	name string
}{
	{tNull, "null"}, {tBoolean, "boolean"}, {tNumber, "number"}, {tInteger, "integer"},
	{tString, "string"}, {tArray, "array"}, {tObject, "object"},
}

// node is one compiled subschema. Absent keywords have zero values (or -1
// for the numeric ones, where 0 is meaningful).
type node struct {
	loc string // where the subschema is, for compile errors and debugging

	boolean int8 // +1: the schema true, -1: false, 0: an object schema

	types     uint8 // 0: no "type"
	typeNames []string

	konst   *constValue
	enum    []constValue
	enumStr []string // enum, when every value is a string
	enumMsg string
	format  *format
	ref     *node

	// object
	minProps    int
	required    []string // required members that are not in props
	requiredAll []string // "required" as written, for error reports
	props       []prop   // sorted by name
	addlFalse   bool
	addl        *node

	// array
	minItems int
	unique   bool
	prefix   []*node
	items    *node
	contains *node

	// string
	minLen, maxLen int
	pattern        *regexp.Regexp
	patternDFA     *dfa // nil: use pattern
	patternMsg     string

	// number
	minimum, maximum, exclMinimum *bound

	// applicators
	allOf              []*node
	anyOf              []*node
	ifN, thenN, elseN  *node
	hasObj, hasArr     bool // any object/array keyword present
	hasStr, hasNum     bool
	hasApplicator      bool
	needsNumber        bool // the number must be parsed (bounds, integer type)
	onlyRefAnnotations bool // only $ref (and annotations): a pure alias
}

type prop struct {
	name     string
	node     *node
	required bool
}

type constValue struct {
	v   any
	msg string // for "const": "must be ..."
}

type format struct {
	name  string
	check func(string) (reason, msg string) // custom
	std   func(string) bool                 // standard
}

type bound struct {
	d   decimal
	msg string
}

var (
	trueNode  = &node{boolean: 1, loc: "true"}
	falseNode = &node{boolean: -1, loc: "false"}
)

// Compile compiles a schema document, decoded as encoding/json does with
// UseNumber (json.Number numbers; float64 works too). References may point
// anywhere inside the document, including into embedded resources (a
// subschema with its own "$id", as in a bundled compound document); they
// are resolved now, into a graph, and nothing is ever fetched. A
// reference cycle that does not descend into the instance is an error.
func Compile(doc any, opts Options) (*Schema, error) {
	c := &compiler{
		opts:      opts,
		resources: map[string]resource{},
		memo:      map[uintptr]*node{},
	}
	base := ""
	if m, ok := doc.(map[string]any); ok {
		if id, ok := m["$id"].(string); ok {
			u, err := url.Parse(id)
			if err != nil || !u.IsAbs() {
				return nil, fmt.Errorf("compile: root $id %q is not an absolute URI", id)
			}
			base = id
		}
	}
	if err := c.scan(doc, base, "#"); err != nil {
		return nil, err
	}
	if _, ok := c.resources[base]; !ok { // a root without $id
		c.resources[base] = resource{doc: doc, base: base}
	}
	root, err := c.compile(doc, base, "#")
	if err != nil {
		return nil, err
	}
	if err := checkCycles(root); err != nil {
		return nil, err
	}
	resolveAliases(root)
	for root.onlyRefAnnotations {
		root = root.ref
	}
	return &Schema{root: root}, nil
}

type resource struct {
	doc  any
	base string
}

type compiler struct {
	opts      Options
	resources map[string]resource // by absolute URI without fragment
	memo      map[uintptr]*node   // by identity of the schema object
}

// scan checks every keyword and registers every resource (subschema with
// "$id") before anything is compiled, so that references can point
// forward.
func (c *compiler) scan(v any, base, loc string) error {
	switch v := v.(type) {
	case bool:
		return nil
	case map[string]any:
		if id, ok := v["$id"]; ok {
			s, ok := id.(string)
			if !ok {
				return fmt.Errorf("compile: %s: $id is not a string", loc)
			}
			abs, err := resolve(base, s)
			if err != nil {
				return fmt.Errorf("compile: %s: $id: %w", loc, err)
			}
			if abs.Fragment != "" {
				return fmt.Errorf("compile: %s: $id %q has a fragment: %w", loc, s, ErrUnsupported)
			}
			base = abs.String()
			if _, dup := c.resources[base]; dup {
				return fmt.Errorf("compile: %s: duplicate $id %q", loc, base)
			}
			c.resources[base] = resource{doc: v, base: base}
		}
		if s, ok := v["$schema"]; ok && s != Draft {
			return fmt.Errorf("compile: %s: $schema %v: only %s is supported: %w", loc, s, Draft, ErrUnsupported)
		}
		for _, k := range slices.Sorted(mapKeys(v)) {
			kind, ok := keywords[k]
			if !ok {
				return fmt.Errorf("compile: %s: keyword %q: %w", loc, k, ErrUnsupported)
			}
			x := v[k]
			switch kind {
			case kwSchema:
				if err := c.scan(x, base, loc+"/"+k); err != nil {
					return err
				}
			case kwSchemaList:
				list, ok := x.([]any)
				if !ok {
					return fmt.Errorf("compile: %s/%s: not an array of schemas", loc, k)
				}
				for i, item := range list {
					if err := c.scan(item, base, loc+"/"+k+"/"+strconv.Itoa(i)); err != nil {
						return err
					}
				}
			case kwSchemaMap:
				m, ok := x.(map[string]any)
				if !ok {
					return fmt.Errorf("compile: %s/%s: not an object of schemas", loc, k)
				}
				for _, name := range slices.Sorted(mapKeys(m)) {
					if err := c.scan(m[name], base, loc+"/"+k+"/"+escapeToken(name)); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	return fmt.Errorf("compile: %s: a schema is an object or a boolean, not %T", loc, v)
}

func mapKeys(m map[string]any) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

func resolve(base, ref string) (*url.URL, error) {
	r, err := url.Parse(ref)
	if err != nil {
		return nil, err
	}
	if base == "" {
		return r, nil
	}
	b, err := url.Parse(base)
	if err != nil {
		return nil, err
	}
	return b.ResolveReference(r), nil
}

// lookupRef finds the subschema a $ref names, and the base URI of the
// resource enclosing it.
func (c *compiler) lookupRef(base, ref string) (any, string, string, error) {
	u, err := resolve(base, ref)
	if err != nil {
		return nil, "", "", fmt.Errorf("$ref %q: %w", ref, err)
	}
	frag := u.Fragment
	if frag != "" && !strings.HasPrefix(frag, "/") {
		return nil, "", "", fmt.Errorf("$ref %q: only JSON-pointer fragments are supported (no anchors): %w", ref, ErrUnsupported)
	}
	u.Fragment, u.RawFragment = "", ""
	docURI := u.String()
	res, ok := c.resources[docURI]
	if !ok {
		return nil, "", "", fmt.Errorf("$ref %q: no schema %q in the document (nothing is loaded)", ref, docURI)
	}
	v, curBase := res.doc, res.base
	loc := docURI + "#"
	if frag == "" {
		return v, curBase, loc, nil
	}
	toks := strings.Split(frag[1:], "/")
	for i, tok := range toks {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		loc += "/" + escapeToken(tok)
		switch x := v.(type) {
		case map[string]any:
			next, ok := x[tok]
			if !ok {
				return nil, "", "", fmt.Errorf("$ref %q: %q not found", ref, tok)
			}
			v = next
		case []any:
			n, err := strconv.Atoi(tok)
			if err != nil || n < 0 || n >= len(x) {
				return nil, "", "", fmt.Errorf("$ref %q: %q not found", ref, tok)
			}
			v = x[n]
		default:
			return nil, "", "", fmt.Errorf("$ref %q: %q not found", ref, tok)
		}
		// A resource inside the path changes the base for what is in it.
		if m, ok := v.(map[string]any); ok && i < len(toks)-1 {
			if id, ok := m["$id"].(string); ok {
				abs, err := resolve(curBase, id)
				if err != nil {
					return nil, "", "", err
				}
				curBase = abs.String()
			}
		}
	}
	return v, curBase, loc, nil
}

// compile compiles the subschema v; base is the base URI in effect where
// v sits (before v's own $id).
func (c *compiler) compile(v any, base, loc string) (*node, error) {
	switch v := v.(type) {
	case bool:
		if v {
			return trueNode, nil
		}
		return falseNode, nil
	case map[string]any:
		if len(v) == 0 {
			// {} is true. (For JSON values, by definition; the reference
			// also accepts Go values that are not JSON here, and so do we.)
			return trueNode, nil
		}
		key := reflect.ValueOf(v).Pointer()
		if n, ok := c.memo[key]; ok {
			return n, nil
		}
		n := &node{loc: loc, minProps: -1, minItems: -1, minLen: -1, maxLen: -1}
		c.memo[key] = n
		if err := c.fill(n, v, base, loc); err != nil {
			return nil, err
		}
		return n, nil
	}
	return nil, fmt.Errorf("compile: %s: a schema is an object or a boolean, not %T", loc, v)
}

func (c *compiler) fill(n *node, m map[string]any, base, loc string) error {
	if id, ok := m["$id"].(string); ok {
		abs, err := resolve(base, id)
		if err != nil {
			return err
		}
		base = abs.String()
	}
	fail := func(kw, format string, args ...any) error {
		return fmt.Errorf("compile: %s/%s: "+format, append([]any{loc, kw}, args...)...)
	}
	sub := func(kw string, x any) (*node, error) {
		return c.compile(x, base, loc+"/"+kw)
	}
	subList := func(kw string, x any) ([]*node, error) {
		list, _ := x.([]any)
		if len(list) == 0 {
			return nil, fail(kw, "must be a non-empty array of schemas")
		}
		out := make([]*node, len(list))
		for i, item := range list {
			s, err := c.compile(item, base, loc+"/"+kw+"/"+strconv.Itoa(i))
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	nonNegInt := func(kw string, x any) (int, error) {
		d, _, ok := numberOf(x)
		if !ok || d.neg && !d.isZero() || !d.isInt() || d.ndig+int(d.exp) > 9 {
			return 0, fail(kw, "must be a non-negative integer")
		}
		return int(d.mant * pow10[d.exp]), nil
	}
	var err error
	onlyRef := true
	for _, k := range slices.Sorted(mapKeys(m)) {
		x := m[k]
		if keywords[k] != kwAnnotation && k != "$ref" {
			onlyRef = false
		}
		switch k {
		case "$ref":
			s, ok := x.(string)
			if !ok {
				return fail(k, "must be a string")
			}
			target, tbase, tloc, err := c.lookupRef(base, s)
			if err != nil {
				return fail(k, "%w", err)
			}
			if n.ref, err = c.compile(target, tbase, tloc); err != nil {
				return err
			}
		case "$defs":
			defs, _ := x.(map[string]any)
			for _, name := range slices.Sorted(mapKeys(defs)) {
				if _, err := c.compile(defs[name], base, loc+"/$defs/"+escapeToken(name)); err != nil {
					return err
				}
			}

		case "type":
			var names []string
			switch t := x.(type) {
			case string:
				names = []string{t}
			case []any:
				for _, e := range t {
					s, ok := e.(string)
					if !ok {
						return fail(k, "must be a type name or an array of them")
					}
					names = append(names, s)
				}
			default:
				return fail(k, "must be a type name or an array of them")
			}
			for _, name := range names {
				found := false
				for _, tn := range typeNames {
					if tn.name == name {
						n.types |= tn.bit
						found = true
					}
				}
				if !found {
					return fail(k, "unknown type %q", name)
				}
			}
			for _, tn := range typeNames { // canonical order, as the reference reports them
				if n.types&tn.bit != 0 {
					n.typeNames = append(n.typeNames, tn.name)
				}
			}
			if n.types&tInteger != 0 && n.types&tNumber == 0 {
				n.needsNumber = true
			}
		case "const":
			if err := checkJSON(x); err != nil {
				return fail(k, "%v", err)
			}
			n.konst = &constValue{v: x, msg: "must be " + listValues([]any{x})}
		case "enum":
			list, ok := x.([]any)
			if !ok || len(list) == 0 {
				return fail(k, "must be a non-empty array")
			}
			allStr := true
			for _, e := range list {
				if err := checkJSON(e); err != nil {
					return fail(k, "%v", err)
				}
				n.enum = append(n.enum, constValue{v: e})
				if s, ok := e.(string); ok {
					n.enumStr = append(n.enumStr, s)
				} else {
					allStr = false
				}
			}
			if !allStr {
				n.enumStr = nil
			}
			n.enumMsg = "must be one of " + listValues(list)
		case "format":
			name, ok := x.(string)
			if !ok {
				return fail(k, "must be a string")
			}
			if f, ok := c.opts.Formats[name]; ok && f.Check != nil {
				n.format = &format{name: name, check: f.Check}
			} else if std, ok := standardFormats[name]; ok {
				n.format = &format{name: name, std: std}
			} else {
				return fail(k, "unknown format %q: %w", name, ErrUnsupported)
			}
			n.hasStr = true

		case "required":
			list, ok := x.([]any)
			if !ok {
				return fail(k, "must be an array of strings")
			}
			seen := map[string]bool{}
			for _, e := range list {
				s, ok := e.(string)
				if !ok || seen[s] {
					return fail(k, "must be an array of distinct strings")
				}
				seen[s] = true
				n.requiredAll = append(n.requiredAll, s)
			}
			n.hasObj = true
		case "minProperties":
			if n.minProps, err = nonNegInt(k, x); err != nil {
				return err
			}
			n.hasObj = true
		case "properties":
			pm, _ := x.(map[string]any)
			for _, name := range slices.Sorted(mapKeys(pm)) {
				s, err := c.compile(pm[name], base, loc+"/properties/"+escapeToken(name))
				if err != nil {
					return err
				}
				n.props = append(n.props, prop{name: name, node: s})
			}
			n.hasObj = true
		case "additionalProperties":
			if b, ok := x.(bool); ok && !b {
				n.addlFalse = true
			} else if n.addl, err = sub(k, x); err != nil {
				return err
			} else if n.addl == trueNode {
				n.addl = nil // allows anything: as if absent
			}
			n.hasObj = true

		case "minItems":
			if n.minItems, err = nonNegInt(k, x); err != nil {
				return err
			}
			n.hasArr = true
		case "uniqueItems":
			b, ok := x.(bool)
			if !ok {
				return fail(k, "must be a boolean")
			}
			n.unique = b
			n.hasArr = true
		case "prefixItems":
			if n.prefix, err = subList(k, x); err != nil {
				return err
			}
			n.hasArr = true
		case "items":
			if n.items, err = sub(k, x); err != nil {
				return err
			}
			n.hasArr = true
		case "contains":
			if n.contains, err = sub(k, x); err != nil {
				return err
			}
			n.hasArr = true

		case "minLength":
			if n.minLen, err = nonNegInt(k, x); err != nil {
				return err
			}
			n.hasStr = true
		case "maxLength":
			if n.maxLen, err = nonNegInt(k, x); err != nil {
				return err
			}
			n.hasStr = true
		case "pattern":
			s, ok := x.(string)
			if !ok {
				return fail(k, "must be a string")
			}
			cp, err := compilePattern(s)
			if err != nil {
				return fail(k, "%v", err)
			}
			n.pattern, n.patternDFA = cp.re, cp.dfa
			n.patternMsg = "does not match the pattern " + s
			n.hasStr = true

		case "minimum", "maximum", "exclusiveMinimum":
			d, _, ok := numberOf(x)
			if !ok {
				return fail(k, "must be a number")
			}
			b := &bound{d: d}
			switch k {
			case "minimum":
				b.msg = "must be at least " + ratString(x)
				n.minimum = b
			case "maximum":
				b.msg = "must be at most " + ratString(x)
				n.maximum = b
			case "exclusiveMinimum":
				b.msg = "must be greater than " + ratString(x)
				n.exclMinimum = b
			}
			n.hasNum, n.needsNumber = true, true

		case "allOf":
			if n.allOf, err = subList(k, x); err != nil {
				return err
			}
			n.hasApplicator = true
		case "anyOf":
			if n.anyOf, err = subList(k, x); err != nil {
				return err
			}
			n.hasApplicator = true
		case "if", "then", "else":
			s, err := sub(k, x)
			if err != nil {
				return err
			}
			switch k {
			case "if":
				n.ifN = s
			case "then":
				n.thenN = s
			case "else":
				n.elseN = s
			}
		default:
			if keywords[k] != kwAnnotation {
				return fail(k, "keyword not implemented: %w", ErrUnsupported)
			}
		}
	}
	if n.ifN == nil { // then and else without if have no effect
		n.thenN, n.elseN = nil, nil
	}
	if n.ifN != nil {
		n.hasApplicator = true
	}
	n.onlyRefAnnotations = onlyRef && n.ref != nil

	// Required members that have a subschema are checked while visiting
	// the properties; the others by lookup.
	for _, r := range n.requiredAll {
		i, found := slices.BinarySearchFunc(n.props, r, func(p prop, name string) int { return strings.Compare(p.name, name) })
		if found {
			n.props[i].required = true
		} else {
			n.required = append(n.required, r)
		}
	}
	return nil
}

// compiledPattern is a pattern as regexp and, where it can, as an
// automaton. Both are immutable, so compiled patterns are shared by every
// schema in the process (the ThaiTrust types share most of theirs).
type compiledPattern struct {
	re  *regexp.Regexp
	dfa *dfa
}

var patterns sync.Map // pattern string -> *compiledPattern

func compilePattern(s string) (*compiledPattern, error) {
	if cp, ok := patterns.Load(s); ok {
		return cp.(*compiledPattern), nil
	}
	re, err := regexp.Compile(s)
	if err != nil {
		return nil, err
	}
	cp, _ := patterns.LoadOrStore(s, &compiledPattern{re: re, dfa: newDFA(s)})
	return cp.(*compiledPattern), nil
}

// checkJSON rejects constants that are not JSON values.
func checkJSON(v any) error {
	switch v := v.(type) {
	case nil, bool, string, json.Number:
		return nil
	case float64:
		if _, _, ok := numberOf(v); !ok {
			return fmt.Errorf("%v is not a JSON number", v)
		}
		return nil
	case []any:
		for _, x := range v {
			if err := checkJSON(x); err != nil {
				return err
			}
		}
		return nil
	case map[string]any:
		for _, x := range v {
			if err := checkJSON(x); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("a %T is not a JSON value", v)
}

// listValues renders schema constants (never document values) as JSON.
func listValues(vs []any) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		b, err := json.Marshal(v)
		if err != nil {
			b = []byte(fmt.Sprint(v))
		}
		parts[i] = string(b)
	}
	return strings.Join(parts, ", ")
}

// ratString renders a schema bound as the reference validator's error
// conversion did: an integer as such, otherwise with six decimals.
func ratString(v any) string {
	r, ok := new(big.Rat).SetString(fmt.Sprint(v))
	if !ok {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(6)
}

func escapeToken(t string) string {
	if strings.ContainsAny(t, "~/") {
		t = strings.ReplaceAll(t, "~", "~0")
		t = strings.ReplaceAll(t, "/", "~1")
	}
	return t
}

// checkCycles rejects a cycle of subschemas that apply to the same
// instance ($ref, allOf, anyOf, if/then/else): validating with it would
// never end. Cycles through properties or items are fine (each step
// descends into the instance, which is finite).
func checkCycles(root *node) error {
	const (
		unseen = iota
		active
		done
	)
	state := map[*node]int{}
	var visit func(n *node, path []string) error
	var all func(n *node) error
	visit = func(n *node, path []string) error {
		switch state[n] {
		case active:
			return fmt.Errorf("compile: %s: reference cycle through %s", n.loc, strings.Join(path, " -> "))
		case done:
			return nil
		}
		state[n] = active
		path = append(path, n.loc)
		for _, s := range sameInstance(n) {
			if err := visit(s, path); err != nil {
				return err
			}
		}
		state[n] = done
		return nil
	}
	seen := map[*node]bool{}
	all = func(n *node) error {
		if seen[n] {
			return nil
		}
		seen[n] = true
		if err := visit(n, nil); err != nil {
			return err
		}
		for _, s := range children(n) {
			if err := all(s); err != nil {
				return err
			}
		}
		return nil
	}
	return all(root)
}

func sameInstance(n *node) []*node {
	var out []*node
	if n.ref != nil {
		out = append(out, n.ref)
	}
	out = append(out, n.allOf...)
	out = append(out, n.anyOf...)
	for _, s := range []*node{n.ifN, n.thenN, n.elseN} {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

func children(n *node) []*node {
	out := sameInstance(n)
	for _, p := range n.props {
		out = append(out, p.node)
	}
	out = append(out, n.prefix...)
	for _, s := range []*node{n.addl, n.items, n.contains} {
		if s != nil {
			out = append(out, s)
		}
	}
	return out
}

// resolveAliases points every edge at a subschema that holds only a $ref
// (and annotations) straight at its target: it asserts exactly what the
// target asserts, and reports the same problems. (checkCycles has ruled
// out alias cycles.)
func resolveAliases(root *node) {
	target := func(n *node) *node {
		for n != nil && n.onlyRefAnnotations {
			n = n.ref
		}
		return n
	}
	seen := map[*node]bool{}
	var walk func(n *node)
	walk = func(n *node) {
		if n == nil || seen[n] {
			return
		}
		seen[n] = true
		n.ref = target(n.ref)
		for i := range n.props {
			n.props[i].node = target(n.props[i].node)
		}
		for _, list := range [][]*node{n.prefix, n.allOf, n.anyOf} {
			for i := range list {
				list[i] = target(list[i])
			}
		}
		n.addl, n.items, n.contains = target(n.addl), target(n.items), target(n.contains)
		n.ifN, n.thenN, n.elseN = target(n.ifN), target(n.thenN), target(n.elseN)
		for _, s := range children(n) {
			walk(s)
		}
	}
	walk(root)
}
