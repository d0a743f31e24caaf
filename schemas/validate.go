package schemas

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/schemas/internal/compile"
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
// reason "type" where the schema looks at them.
//
// The result is nil, a *ValidationError (errors.Is ErrInvalid), an error
// wrapping ErrUnknownType, or, if the type's embedded schema failed to
// compile (a build defect), an error saying so.
//
// Validate does not allocate on a valid document.
func Validate(typeName string, doc map[string]any) error {
	sch, err := validator(typeName)
	if err != nil {
		return err
	}
	if p := sch.Validate(doc); p != nil {
		return &ValidationError{Field: p.Pointer, Reason: p.Reason, Msg: p.Msg}
	}
	return crossCheck(typeName, doc)
}

// formats are the custom formats the schemas use (see the package
// documentation); the standard ones (date, date-time, uri, uuid) are the
// compiler's.
var formats = map[string]compile.Format{
	"thai-citizen-id":  {Check: citizenIDProblem},
	"thai-juristic-id": {Check: juristicIDProblem},
	"be-date":          {Check: beDateProblem},
	"partial-date":     {Check: partialDateProblem},
	"nfc":              {Check: textProblem},
	"thai-text":        {Check: thaiTextProblem},
	"thai-name":        {Check: thaiNameProblem},
	"latin-name":       {Check: latinNameProblem},
}

// compiledType is one type's validator, compiled on first use.
type compiledType struct {
	once   sync.Once
	schema *compile.Schema
	err    error
}

// compiledTypes has an entry per catalogue type; the map is never written
// after init.
var compiledTypes = func() map[string]*compiledType {
	m := make(map[string]*compiledType, len(catalogue))
	for _, t := range catalogue {
		m[t.Name] = &compiledType{}
	}
	return m
}()

// validator returns the compiled schema of the type name, compiling it
// the first time.
func validator(name string) (*compile.Schema, error) {
	ct, ok := compiledTypes[name]
	if !ok {
		return nil, fmt.Errorf("%w %q", ErrUnknownType, name)
	}
	ct.once.Do(func() { ct.schema, ct.err = compileType(name) })
	return ct.schema, ct.err
}

// compileType compiles the type's schema exactly as published
// (Type.Schema: the type schema with common.json bundled).
func compileType(name string) (*compile.Schema, error) {
	var raw []byte
	for _, t := range loaded() {
		if t.Name == name {
			raw = t.Schema
		}
	}
	if raw == nil {
		return nil, fmt.Errorf("schemas: compiling %s: no schema", name)
	}
	doc, err := jsonx.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("schemas: compiling %s: %w", name, err)
	}
	sch, err := compile.Compile(doc, compile.Options{Formats: formats})
	if err != nil {
		return nil, fmt.Errorf("schemas: compiling %s: %w", name, err)
	}
	return sch, nil
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
// on documents the schema accepted, so shapes are known. Numbers are
// compared exactly (a gpax of 1e400 is not "unreadable, so fine").
func crossCheck(typeName string, doc map[string]any) error {
	subject, _ := doc["credentialSubject"].(map[string]any)
	if subject == nil {
		return nil
	}
	if !beDatesOK(subject) {
		err := beDatesProblem(subject)
		err.Field = "/credentialSubject" + err.Field
		return err
	}
	switch typeName {
	case "JuristicPersonCredential", "DirectorAuthorityCredential":
		if rule, ok := subject["signingRule"].(map[string]any); ok {
			dirs, okDirs := rule["eligibleDirectors"].([]any)
			if c, ok := compile.CompareNumbers(len(dirs), rule["minSigners"]); okDirs && ok && c < 0 {
				return &ValidationError{
					Field:  "/credentialSubject/signingRule/eligibleDirectors",
					Reason: "signing_rule_inconsistent",
					Msg:    "fewer eligible directors than minSigners",
				}
			}
		}
	case "DegreeCredential", "TranscriptCredential":
		if sum, ok := subject["summary"].(map[string]any); ok {
			if c, ok := compile.CompareNumbers(sum["gpax"], sum["scale"]); ok && c > 0 {
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

// The Buddhist-Era check: for every object member "xBE" whose value is a
// string and whose object has a string "x" or "xPrecision", both must
// denote the same date at the same precision. beDatesOK walks the subject
// in map order and stops at the first problem without building an error;
// only then does beDatesProblem walk it again in sorted order and report
// the deepest problem (then the smallest pointer), so that the choice does
// not depend on map order.

// beDatesOK reports whether v (and everything in it) passes the check.
func beDatesOK(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, val := range v {
			if reason, _ := beMember(v, k, val, false); reason != "" {
				return false
			}
			if !beDatesOK(val) {
				return false
			}
		}
	case []any:
		for _, item := range v {
			if !beDatesOK(item) {
				return false
			}
		}
	}
	return true
}

// beDatesProblem returns the problem beDatesOK found, with Field relative
// to v; callers prefix their own location.
func beDatesProblem(v any) *ValidationError {
	var best *ValidationError
	depth := -1
	var walk func(v any, loc []string)
	walk = func(v any, loc []string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				val := v[k]
				at := append(loc[:len(loc):len(loc)], k)
				if reason, msg := beMember(v, k, val, true); reason != "" {
					f := pointer(at)
					if len(at) > depth || len(at) == depth && f < best.Field {
						best, depth = &ValidationError{Field: f, Reason: reason, Msg: msg}, len(at)
					}
				}
				walk(val, at)
			}
		case []any:
			for i, item := range v {
				walk(item, append(loc[:len(loc):len(loc)], strconv.Itoa(i)))
			}
		}
	}
	walk(v, nil)
	if best == nil { // cannot happen: called when beDatesOK is false
		return &ValidationError{Reason: ReasonBEDate, Msg: "a Buddhist-Era date is inconsistent"}
	}
	return best
}

// beMember checks member k (value val) of m. The message is built only
// with msg set (it allocates).
func beMember(m map[string]any, k string, val any, msg bool) (reason, message string) {
	s, ok := val.(string)
	if !ok || len(k) <= 2 || k[len(k)-2:] != "BE" {
		return "", ""
	}
	base := k[:len(k)-2]
	ce, hasCE := m[base].(string)
	prec, hasPrec := m[base+"Precision"].(string)
	if !hasCE && !hasPrec {
		return "", ""
	}
	year, month, d, p, bad := parseBE(s)
	if bad != "" {
		return ReasonBEDate, bad
	}
	var buf [10]byte
	if hasCE && string(appendISO(buf[:0], year, month, d, p)) != ce {
		if msg {
			message = fmt.Sprintf("the Buddhist-Era date does not denote the same date as %q", base)
		}
		return ReasonBEDateMismatch, message
	}
	if hasPrec && string(p) != prec {
		if msg {
			message = fmt.Sprintf("the Buddhist-Era date's precision differs from %q", base+"Precision")
		}
		return ReasonBEDateMismatch, message
	}
	return "", ""
}
