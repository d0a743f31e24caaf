package schemas

// The reference validator: santhosh-tekuri/jsonschema v6, which Validate
// used before it had its own compiled validator, with the conversion of
// its error tree into one ValidationError that Validate used. Tests
// compare Validate with it (differential_test.go); it also checks the
// published schemas against the draft 2020-12 metaschema.

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// referenceValidate validates doc with set as Validate did before the
// compiled validator: schema, then the cross-field checks.
func referenceValidate(set *compiledSet, typeName string, doc map[string]any) error {
	sch, ok := set.schemas[typeName]
	if !ok {
		if err, bad := set.errs[typeName]; bad {
			return err
		}
		return fmt.Errorf("%w %q", ErrUnknownType, typeName)
	}
	if err := sch.Validate(doc); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return convert(ve)
		}
		return fmt.Errorf("schemas: validating %s: %w", typeName, err)
	}
	return crossCheck(typeName, doc)
}

// compiledSet is the result of compiling the catalogue once.
type compiledSet struct {
	schemas map[string]*jsonschema.Schema
	errs    map[string]error // per type: why it did not compile
}

// compiled is the reference as production used it before the compiled
// validator: the schemas with references to common.json inlined.
var compiled = sync.OnceValue(func() *compiledSet { return compileAll(true) })

// published is the reference on the schemas exactly as published.
var published = sync.OnceValue(func() *compiledSet { return compileAll(false) })

// compileAll compiles every type schema. With inline, references to
// common.json are inlined first (see inlineRefs); without, the schemas are
// compiled as published.
func compileAll(inline bool) *compiledSet {
	cs := &compiledSet{schemas: map[string]*jsonschema.Schema{}, errs: map[string]error{}}
	types := loaded()
	common, err := files.ReadFile("json/common.json")
	fail := func(err error) {
		for _, t := range types {
			cs.errs[t.Name] = fmt.Errorf("schemas: compiling %s: %w", t.Name, err)
		}
	}
	if err != nil {
		fail(err)
		return cs
	}
	c := newCompiler()
	commonDoc, err := jsonschema.UnmarshalJSON(bytes.NewReader(common))
	if err == nil {
		err = c.AddResource(commonID, commonDoc)
	}
	if err != nil {
		fail(err)
		return cs
	}
	var defs map[string]any
	if m, ok := commonDoc.(map[string]any); ok {
		defs, _ = m["$defs"].(map[string]any)
	}
	for _, t := range types {
		raw, err := files.ReadFile("json/" + t.Name + ".json")
		var doc any
		if err == nil {
			doc, err = jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		}
		if err == nil && inline {
			doc, err = inlineRefs(doc, defs, 0)
		}
		if err == nil {
			err = c.AddResource(t.SchemaID, doc)
		}
		var sch *jsonschema.Schema
		if err == nil {
			sch, err = c.Compile(t.SchemaID)
		}
		if err != nil {
			cs.errs[t.Name] = fmt.Errorf("schemas: compiling %s: %w", t.Name, err)
			continue
		}
		cs.schemas[t.Name] = sch
	}
	return cs
}

// newCompiler returns a compiler for draft 2020-12 that asserts formats,
// with the custom Thai formats registered. It loads nothing from the
// network: every $ref must resolve to a resource added to it.
func newCompiler() *jsonschema.Compiler {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	c.UseLoader(noLoader{})
	for _, f := range customFormats {
		c.RegisterFormat(f)
	}
	return c
}

// noLoader refuses to fetch anything.
type noLoader struct{}

func (noLoader) Load(url string) (any, error) {
	return nil, fmt.Errorf("schemas: no loader for %s (all schemas are embedded)", url)
}

func stringFormat(name string, check func(string) error) *jsonschema.Format {
	return &jsonschema.Format{Name: name, Validate: func(v any) error {
		s, ok := v.(string)
		if !ok {
			return nil
		}
		return check(s)
	}}
}

// customFormats are the production custom formats (formats), as the
// reference library takes them.
var customFormats = func() []*jsonschema.Format {
	var out []*jsonschema.Format
	for _, name := range slices.Sorted(maps.Keys(formats)) {
		check := formats[name].Check
		out = append(out, stringFormat(name, func(s string) error { return problem(check(s)) }))
	}
	return out
}()

// ---- error conversion ----

// candidate is one leaf problem of the library's error tree.
type candidate struct {
	loc    []string // instance location, plus the missing/extra member name
	reason string
	msg    string
}

// convert picks the most specific leaf of the library's error tree: the
// deepest instance location, then the lowest reason rank, then the
// lexically smallest pointer (deterministic even though the library visits
// object members in map order).
func convert(e *jsonschema.ValidationError) *ValidationError {
	var cands []candidate
	collect(e, &cands)
	if len(cands) == 0 {
		return &ValidationError{Reason: "invalid", Msg: "the document does not satisfy the schema"}
	}
	best := cands[0]
	for _, c := range cands[1:] {
		if better(c, best) {
			best = c
		}
	}
	return &ValidationError{Field: pointer(best.loc), Reason: best.reason, Msg: best.msg}
}

func better(a, b candidate) bool {
	if len(a.loc) != len(b.loc) {
		return len(a.loc) > len(b.loc)
	}
	if ra, rb := rank(a.reason), rank(b.reason); ra != rb {
		return ra < rb
	}
	return pointer(a.loc) < pointer(b.loc)
}

func rank(reason string) int {
	switch reason {
	case "type":
		return 0
	case "required":
		return 1
	case "const", "enum", "not_allowed":
		return 2
	case "pattern":
		return 3
	case "format":
		return 5
	case "additional_property":
		return 7
	case "min_length", "max_length", "minimum", "maximum", "exclusive_minimum", "exclusive_maximum",
		"min_items", "max_items", "unique_items", "contains", "min_properties", "max_properties":
		return 6
	}
	return 4 // the specific Thai reasons
}

func collect(e *jsonschema.ValidationError, out *[]candidate) {
	loc := e.InstanceLocation
	add := func(reason, msg string, extra ...string) {
		l := make([]string, 0, len(loc)+len(extra))
		l = append(append(l, loc...), extra...)
		*out = append(*out, candidate{loc: l, reason: reason, msg: msg})
	}
	switch k := e.ErrorKind.(type) {
	case *kind.Schema, *kind.Group, *kind.Reference, *kind.AllOf:
		if len(e.Causes) == 0 {
			add("invalid", "the value does not satisfy the schema")
		}
		for _, c := range e.Causes {
			collect(c, out)
		}
	case *kind.AnyOf:
		collectAlternatives(e, out, add)
	case *kind.OneOf:
		if k.Subschemas != nil {
			add("one_of", "the value matches more than one alternative")
			return
		}
		collectAlternatives(e, out, add)
	case *kind.Required:
		add("required", fmt.Sprintf("required member %q is missing", k.Missing[0]), k.Missing[0])
	case *kind.DependentRequired:
		add("required", fmt.Sprintf("member %q is required when %q is present", k.Missing[0], k.Prop), k.Missing[0])
	case *kind.Dependency:
		if len(k.Missing) > 0 {
			add("required", fmt.Sprintf("member %q is required when %q is present", k.Missing[0], k.Prop), k.Missing[0])
		} else {
			add("dependency", fmt.Sprintf("the value does not satisfy what %q requires", k.Prop))
		}
	case *kind.AdditionalProperties:
		props := slices.Sorted(slices.Values(k.Properties))
		add("additional_property", fmt.Sprintf("member %q is not allowed here", props[0]), props[0])
	case *kind.FalseSchema:
		add("not_allowed", "this member is not allowed here")
	case *kind.Type:
		add("type", fmt.Sprintf("must be of type %s, not %s", strings.Join(k.Want, " or "), k.Got))
	case *kind.InvalidJsonValue:
		add("type", fmt.Sprintf("a %T is not a JSON value", k.Value))
	case *kind.Enum:
		add("enum", "must be one of "+listValues(k.Want))
	case *kind.Const:
		add("const", "must be "+listValues([]any{k.Want}))
	case *kind.Format:
		var ve *ValidationError
		if errors.As(k.Err, &ve) {
			add(ve.Reason, ve.Msg)
		} else {
			add("format", fmt.Sprintf("not a valid %s", k.Want))
		}
	case *kind.Pattern:
		add("pattern", fmt.Sprintf("does not match the pattern %s", k.Want))
	case *kind.MinLength:
		add("min_length", "must be at least "+plural(k.Want, "character")+" long")
	case *kind.MaxLength:
		add("max_length", "must be at most "+plural(k.Want, "character")+" long")
	case *kind.Minimum:
		add("minimum", "must be at least "+ratString(k.Want))
	case *kind.Maximum:
		add("maximum", "must be at most "+ratString(k.Want))
	case *kind.ExclusiveMinimum:
		add("exclusive_minimum", "must be greater than "+ratString(k.Want))
	case *kind.ExclusiveMaximum:
		add("exclusive_maximum", "must be less than "+ratString(k.Want))
	case *kind.MultipleOf:
		add("multiple_of", "must be a multiple of "+ratString(k.Want))
	case *kind.MinItems:
		add("min_items", "must have at least "+plural(k.Want, "item"))
	case *kind.MaxItems:
		add("max_items", "must have at most "+plural(k.Want, "item"))
	case *kind.UniqueItems:
		add("unique_items", fmt.Sprintf("items %d and %d are equal", k.Duplicates[0], k.Duplicates[1]))
	case *kind.Contains, *kind.MinContains:
		add("contains", "does not contain a required item")
	case *kind.MinProperties:
		add("min_properties", "must have at least "+plural(k.Want, "member"))
	case *kind.MaxProperties:
		add("max_properties", "must have at most "+plural(k.Want, "member"))
	case *kind.Not:
		add("not", "matches a form that is not allowed")
	default:
		add("invalid", "the value does not satisfy the schema")
	}
}

// collectAlternatives handles anyOf/oneOf with no matching alternative. If
// every alternative failed only for missing members of this object ("pid
// or passport"), the problem is one "required" naming them all, pointing
// at the first. Otherwise the deepest problem of any alternative is kept,
// as the one closest to what the document meant.
func collectAlternatives(e *jsonschema.ValidationError, out *[]candidate, add func(string, string, ...string)) {
	var sub []candidate
	for _, c := range e.Causes {
		collect(c, &sub)
	}
	var missing []string
	allRequired := len(sub) > 0
	for _, c := range sub {
		if c.reason != "required" || len(c.loc) != len(e.InstanceLocation)+1 {
			allRequired = false
			break
		}
		if m := c.loc[len(c.loc)-1]; !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	if allRequired {
		add("required", "one of "+quoteList(missing)+" is required", missing[0])
		return
	}
	if len(sub) == 0 {
		add("any_of", "the value matches none of the alternatives")
		return
	}
	*out = append(*out, sub...)
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = strconv.Quote(s)
	}
	return strings.Join(q, ", ")
}

// listValues renders schema constants (never document values).
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

func ratString(r *big.Rat) string {
	if r == nil {
		return "?"
	}
	if r.IsInt() {
		return r.Num().String()
	}
	return r.FloatString(6)
}
