package schemas

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// ErrInvalid is matched (errors.Is) by every *ValidationError: the document
// does not satisfy its type's schema.
var ErrInvalid = errors.New("schemas: invalid credential")

// ErrUnknownType is returned by Validate for a type name that is not in the
// catalogue.
var ErrUnknownType = errors.New("schemas: unknown credential type")

// ValidationError reports the first, most specific problem found in a
// credential document (or, from the Thai validators, in one value).
// errors.Is(err, ErrInvalid) holds.
type ValidationError struct {
	// Field is the JSON pointer (RFC 6901) of the offending member in the
	// credential document, e.g. "/credentialSubject/student/pid". For a
	// missing member it points at where the member should be. Empty for
	// the Thai validators, which check a single value.
	Field string
	// Reason is a stable snake_case code: a JSON Schema keyword ("required",
	// "type", "enum", "const", "pattern", "format", "min_length",
	// "max_length", "minimum", "exclusive_minimum", "maximum", "min_items",
	// "unique_items", "contains", "min_properties", "additional_property",
	// "not_allowed", ...), a Thai check ("thai_citizen_id_checksum",
	// "thai_citizen_id_syntax", "thai_citizen_id_person_type",
	// "thai_juristic_id_checksum", "thai_juristic_id_syntax", "be_date",
	// "be_date_mismatch", "not_nfc", "control_character", "blank",
	// "not_thai_script", "thai_name", "latin_name") or a cross-field check
	// ("signing_rule_inconsistent", "gpax_exceeds_scale").
	Reason string
	// Msg is an English sentence for people. It never quotes the offending
	// value, which may be personal data.
	Msg string
}

// Error implements error.
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("schemas: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	if e.Msg != "" {
		b.WriteString(": ")
		b.WriteString(e.Msg)
	}
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Validate validates a credential document against the schema of the type
// typeName, then runs the cross-field checks a schema cannot express (a
// Buddhist-Era value must denote the same date as its CE sibling, e.g.
// birthDateBE and birthDate; a signing rule needs at least minSigners
// eligible directors; GPAX at most its scale).
//
// doc must be JSON-shaped: map[string]any, []any, string, bool, nil and
// numbers as json.Number or float64 (other Go integer and float types work
// too). A document with other Go types ([]string, structs) fails with
// reason "type".
//
// The result is nil, a *ValidationError (errors.Is ErrInvalid), an error
// wrapping ErrUnknownType, or, if the embedded schemas failed to compile
// (a build defect), an error saying so.
func Validate(typeName string, doc map[string]any) error {
	c := compiled()
	sch, ok := c.schemas[typeName]
	if !ok {
		if err, bad := c.errs[typeName]; bad {
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

var compiled = sync.OnceValue(func() *compiledSet { return compileAll(true) })

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

// customFormats are the formats the schemas use beyond the standard ones.
var customFormats = []*jsonschema.Format{
	stringFormat("thai-citizen-id", ValidCitizenID),
	stringFormat("thai-juristic-id", ValidJuristicID),
	stringFormat("be-date", func(s string) error {
		if _, _, _, _, msg := parseBE(s); msg != "" {
			return beErr(msg)
		}
		return nil
	}),
	stringFormat("partial-date", validPartialDate),
	stringFormat("nfc", validText),
	stringFormat("thai-text", validThaiText),
	stringFormat("thai-name", ValidThaiName),
	stringFormat("latin-name", ValidLatinName),
}

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

// pointer renders tokens as an RFC 6901 JSON pointer.
func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		if strings.ContainsAny(t, "~/") {
			t = strings.ReplaceAll(t, "~", "~0")
			t = strings.ReplaceAll(t, "/", "~1")
		}
		b.WriteString(t)
	}
	return b.String()
}

// ---- cross-field checks ----

// crossCheck runs the checks JSON Schema cannot express. It is called only
// on documents the schema accepted, so shapes are known.
func crossCheck(typeName string, doc map[string]any) error {
	subject, _ := doc["credentialSubject"].(map[string]any)
	if subject == nil {
		return nil
	}
	if err := checkBEDates(subject); err != nil {
		err.Field = "/credentialSubject" + err.Field
		return err
	}
	switch typeName {
	case "JuristicPersonCredential", "DirectorAuthorityCredential":
		if rule, ok := subject["signingRule"].(map[string]any); ok {
			min, okMin := number(rule["minSigners"])
			dirs, okDirs := rule["eligibleDirectors"].([]any)
			if okMin && okDirs && float64(len(dirs)) < min {
				return &ValidationError{
					Field:  "/credentialSubject/signingRule/eligibleDirectors",
					Reason: "signing_rule_inconsistent",
					Msg:    "fewer eligible directors than minSigners",
				}
			}
		}
	case "DegreeCredential", "TranscriptCredential":
		if sum, ok := subject["summary"].(map[string]any); ok {
			gpax, ok1 := number(sum["gpax"])
			scale, ok2 := number(sum["scale"])
			if ok1 && ok2 && gpax > scale {
				return &ValidationError{
					Field:  "/credentialSubject/summary/gpax",
					Reason: "gpax_exceeds_scale",
					Msg:    "gpax is greater than scale",
				}
			}
		}
	}
	return nil
}

// checkBEDates walks v and, for every object member "xBE" whose sibling "x"
// is a string, checks that both denote the same date at the same precision,
// and that "xPrecision", when present, agrees. On a problem it returns the
// error with Field relative to v; callers prefix their own location.
func checkBEDates(v any) *ValidationError {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if s, ok := val.(string); ok && len(k) > 2 && strings.HasSuffix(k, "BE") {
				base := k[:len(k)-2]
				ce, hasCE := v[base].(string)
				prec, hasPrec := v[base+"Precision"].(string)
				if !hasCE && !hasPrec {
					continue
				}
				year, month, d, p, msg := parseBE(s)
				if msg != "" {
					return &ValidationError{Field: pointer([]string{k}), Reason: ReasonBEDate, Msg: msg}
				}
				var buf [10]byte
				if hasCE && string(appendISO(buf[:0], year, month, d, p)) != ce {
					return &ValidationError{Field: pointer([]string{k}), Reason: ReasonBEDateMismatch,
						Msg: fmt.Sprintf("the Buddhist-Era date does not denote the same date as %q", base)}
				}
				if hasPrec && string(p) != prec {
					return &ValidationError{Field: pointer([]string{k}), Reason: ReasonBEDateMismatch,
						Msg: fmt.Sprintf("the Buddhist-Era date's precision differs from %q", base+"Precision")}
				}
				continue
			}
			switch val.(type) {
			case map[string]any, []any:
				if err := checkBEDates(val); err != nil {
					err.Field = pointer([]string{k}) + err.Field
					return err
				}
			}
		}
	case []any:
		for i, item := range v {
			switch item.(type) {
			case map[string]any, []any:
				if err := checkBEDates(item); err != nil {
					err.Field = "/" + strconv.Itoa(i) + err.Field
					return err
				}
			}
		}
	}
	return nil
}

// number reads a JSON number as float64 (json.Number, float64, or a Go
// integer type).
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case int32:
		return float64(n), true
	case uint64:
		return float64(n), true
	}
	return 0, false
}
