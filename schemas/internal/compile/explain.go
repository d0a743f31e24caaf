package compile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Problem is the most specific problem in an invalid instance.
type Problem struct {
	// Pointer is the JSON pointer (RFC 6901) of the offending value; for
	// a missing or disallowed member, of where that member is or would be.
	Pointer string
	// Reason is a snake_case code: a keyword ("type", "required", "enum",
	// "const", "pattern", "format", "min_length", "max_length", "minimum",
	// "maximum", "exclusive_minimum", "min_items", "unique_items",
	// "contains", "min_properties", "additional_property",
	// "not_allowed"), or the reason a custom format gave.
	Reason string
	// Msg is an English sentence. It never quotes the offending value.
	Msg string
}

// Validate returns nil if v satisfies the schema, else the most specific
// problem: the one with the deepest Pointer; among those, the first by
// reason (type, required, const/enum/not_allowed, pattern, the reasons of
// custom formats, format, the size and bound keywords,
// additional_property), then the smallest Pointer. The choice does not
// depend on map iteration order. Valid values cost what Valid costs; only
// invalid ones are examined again, in full, to choose the problem.
func (s *Schema) Validate(v any) *Problem {
	if s.root.valid(v) {
		return nil
	}
	return explain(s.root, v)
}

// The problem chosen is the one the schemas package chose from the
// reference validator's error tree before this package existed: the
// leaves of the tree (with a missing member's name appended to its
// location, the first missing one only; for additionalProperties the
// first disallowed name in sort order; for anyOf failing only for
// missing members of this object, one "required" naming them all), then
// deepest, by rank, by pointer, first in tree order. gen below walks the
// schema in the reference's order and produces those leaves.

type candidate struct {
	loc    []string
	reason string
	msg    string
}

type explainer struct {
	loc []string
	out []candidate
}

func explain(root *node, v any) *Problem {
	e := &explainer{}
	e.gen(root, v)
	if len(e.out) == 0 { // cannot happen: valid and gen agree
		return &Problem{Reason: "invalid", Msg: "the document does not satisfy the schema"}
	}
	best := e.out[0]
	for _, c := range e.out[1:] {
		if better(c, best) {
			best = c
		}
	}
	return &Problem{Pointer: pointer(best.loc), Reason: best.reason, Msg: best.msg}
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
	return 4 // the reasons of custom formats
}

func pointer(tokens []string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(escapeToken(t))
	}
	return b.String()
}

func (e *explainer) add(reason, msg string, extra ...string) {
	l := make([]string, 0, len(e.loc)+len(extra))
	l = append(append(l, e.loc...), extra...)
	e.out = append(e.out, candidate{loc: l, reason: reason, msg: msg})
}

func notJSON(v any) string { return fmt.Sprintf("a %T is not a JSON value", v) }

// gen appends the problems of v against n. Called only where n rejects v
// (so that something is appended), or where the caller does not care.
func (e *explainer) gen(n *node, v any) {
	if n.boolean != 0 {
		if n.boolean < 0 {
			e.add("not_allowed", "this member is not allowed here")
		}
		return
	}
	t := jsonType(v)
	if t == 0 {
		e.add("type", notJSON(v))
		return
	}
	if n.types != 0 && !typeMatches(n.types, t, v) {
		e.add("type", fmt.Sprintf("must be of type %s, not %s", strings.Join(n.typeNames, " or "), typeName(t)))
		return
	}
	if n.konst != nil {
		eq, bad, badVal := equalsReport(v, n.konst.v)
		if bad {
			e.add("type", notJSON(badVal))
			return
		}
		if !eq {
			e.add("const", n.konst.msg)
			return
		}
	}
	if n.enum != nil {
		matched := false
		for _, c := range n.enum {
			if jsonType(c.v) != t {
				continue
			}
			eq, bad, badVal := equalsReport(v, c.v)
			if bad {
				e.add("type", notJSON(badVal))
				return
			}
			if eq {
				matched = true
				break
			}
		}
		if !matched {
			e.add("enum", n.enumMsg)
			return
		}
	}
	if s, ok := v.(string); ok && n.format != nil {
		if f := n.format; f.std != nil {
			if !f.std(s) {
				e.add("format", "not a valid "+f.name)
				return
			}
		} else if reason, msg := f.check(s); reason != "" {
			e.add(reason, msg)
			return
		}
	}
	if n.ref != nil && !n.ref.valid(v) {
		e.gen(n.ref, v)
	}
	switch x := v.(type) {
	case map[string]any:
		e.genObject(n, x)
	case []any:
		e.genArray(n, x)
	case string:
		e.genString(n, x)
	case bool, nil:
	default:
		if d, _, ok := numberOf(v); ok {
			e.genNumber(n, &d)
		}
	}
	for _, s := range n.allOf {
		if !s.valid(v) {
			e.gen(s, v)
		}
	}
	if n.anyOf != nil {
		e.genAnyOf(n, v)
	}
	if n.ifN != nil {
		if n.ifN.valid(v) {
			if n.thenN != nil && !n.thenN.valid(v) {
				e.gen(n.thenN, v)
			}
		} else if n.elseN != nil && !n.elseN.valid(v) {
			e.gen(n.elseN, v)
		}
	}
}

func typeMatches(types, t uint8, v any) bool {
	if types&t != 0 {
		return true
	}
	if t == tNumber && types&tInteger != 0 {
		d, _, ok := numberOf(v)
		return ok && d.isInt()
	}
	return false
}

func typeName(t uint8) string {
	for _, tn := range typeNames {
		if tn.bit == t {
			return tn.name
		}
	}
	return "?"
}

func (e *explainer) child(tok string, n *node, v any) {
	e.loc = append(e.loc, tok)
	e.gen(n, v)
	e.loc = e.loc[:len(e.loc)-1]
}

func (e *explainer) genObject(n *node, m map[string]any) {
	if n.minProps >= 0 && len(m) < n.minProps {
		e.add("min_properties", "must have at least "+plural(n.minProps, "member"))
	}
	for _, r := range n.requiredAll {
		if _, ok := m[r]; !ok {
			e.add("required", fmt.Sprintf("required member %q is missing", r), r)
			break // the reference's conversion reports the first missing one
		}
	}
	var extra []string
	for _, k := range slices.Sorted(mapKeys(m)) {
		pv := m[k]
		if i, found := slices.BinarySearchFunc(n.props, k, func(p prop, name string) int { return strings.Compare(p.name, name) }); found {
			if s := n.props[i].node; !s.valid(pv) {
				e.child(k, s, pv)
			}
			continue
		}
		switch {
		case n.addlFalse:
			extra = append(extra, k)
		case n.addl != nil && !n.addl.valid(pv):
			e.child(k, n.addl, pv)
		}
	}
	if len(extra) > 0 {
		e.add("additional_property", fmt.Sprintf("member %q is not allowed here", extra[0]), extra[0])
	}
}

func (e *explainer) genArray(n *node, a []any) {
	if n.minItems >= 0 && len(a) < n.minItems {
		e.add("min_items", "must have at least "+plural(n.minItems, "item"))
	}
	if n.unique && len(a) > 1 {
		i, j, dup, bad := duplicates(a)
		switch {
		case bad:
			_, _, badVal := equalsReport(a[j], a[i])
			e.add("type", notJSON(badVal))
		case dup:
			e.add("unique_items", fmt.Sprintf("items %d and %d are equal", i, j))
		}
	}
	for i, item := range a {
		s := n.items
		if i < len(n.prefix) {
			s = n.prefix[i]
		}
		if s != nil && !s.valid(item) {
			e.child(strconv.Itoa(i), s, item)
		}
	}
	if n.contains != nil && !slices.ContainsFunc(a, n.contains.valid) {
		e.add("contains", "does not contain a required item")
	}
}

func (e *explainer) genString(n *node, s string) {
	if n.minLen >= 0 || n.maxLen >= 0 {
		c := utf8.RuneCountInString(s)
		if n.minLen >= 0 && c < n.minLen {
			e.add("min_length", "must be at least "+plural(n.minLen, "character")+" long")
		}
		if n.maxLen >= 0 && c > n.maxLen {
			e.add("max_length", "must be at most "+plural(n.maxLen, "character")+" long")
		}
	}
	if n.pattern != nil && !n.matchPattern(s) {
		e.add("pattern", n.patternMsg)
	}
}

func (e *explainer) genNumber(n *node, d *decimal) {
	if b := n.minimum; b != nil && cmpDecimal(d, &b.d) < 0 {
		e.add("minimum", b.msg)
	}
	if b := n.maximum; b != nil && cmpDecimal(d, &b.d) > 0 {
		e.add("maximum", b.msg)
	}
	if b := n.exclMinimum; b != nil && cmpDecimal(d, &b.d) <= 0 {
		e.add("exclusive_minimum", b.msg)
	}
}

// genAnyOf: when no alternative holds, and every problem of every
// alternative is a missing member of this object ("pid or passport"), the
// problem is one "required" naming them all, at the first; otherwise all
// the alternatives' problems compete.
func (e *explainer) genAnyOf(n *node, v any) {
	if slices.ContainsFunc(n.anyOf, func(s *node) bool { return s.valid(v) }) {
		return
	}
	sub := &explainer{loc: e.loc}
	for _, s := range n.anyOf {
		sub.gen(s, v)
	}
	var missing []string
	allRequired := len(sub.out) > 0
	for _, c := range sub.out {
		if c.reason != "required" || len(c.loc) != len(e.loc)+1 {
			allRequired = false
			break
		}
		if m := c.loc[len(c.loc)-1]; !slices.Contains(missing, m) {
			missing = append(missing, m)
		}
	}
	switch {
	case allRequired:
		e.add("required", "one of "+quoteList(missing)+" is required", missing[0])
	case len(sub.out) == 0:
		e.add("any_of", "the value matches none of the alternatives")
	default:
		e.out = append(e.out, sub.out...)
	}
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
