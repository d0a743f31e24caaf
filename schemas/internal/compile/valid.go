package compile

import "unicode/utf8"

// Valid reports whether v satisfies the schema. It does not allocate
// (except for unique-items checks on arrays longer than 16 items, and URIs
// outside the common shapes): it stops at the first problem and remembers
// nothing about it. v is a value as encoding/json decodes into any (with
// or without UseNumber): map[string]any, []any, string, json.Number or
// float64, bool, nil; the other Go integer and float types are numbers
// too. Any other Go type is not a JSON value, and fails wherever a
// subschema looks at it.
func (s *Schema) Valid(v any) bool { return s.root.valid(v) }

func (n *node) valid(v any) bool {
	if n.boolean != 0 {
		return n.boolean > 0
	}
	switch x := v.(type) {
	case string:
		if n.types != 0 && n.types&tString == 0 {
			return false
		}
		if n.enumStr != nil && !containsString(n.enumStr, x) {
			return false
		}
		if n.hasStr && !n.validString(x) {
			return false
		}
	case map[string]any:
		if n.types != 0 && n.types&tObject == 0 {
			return false
		}
		if n.hasObj && !n.validObject(x) {
			return false
		}
	case []any:
		if n.types != 0 && n.types&tArray == 0 {
			return false
		}
		if n.hasArr && !n.validArray(x) {
			return false
		}
	case bool:
		if n.types != 0 && n.types&tBoolean == 0 {
			return false
		}
	case nil:
		if n.types != 0 && n.types&tNull == 0 {
			return false
		}
	default:
		if n.needsNumber || n.types != 0 {
			d, isNum, ok := numberOf(v)
			if !isNum || !ok {
				return false
			}
			if n.types != 0 && n.types&tNumber == 0 && (n.types&tInteger == 0 || !d.isInt()) {
				return false
			}
			if n.hasNum && !n.validNumber(&d) {
				return false
			}
		} else if _, isNum, ok := numberOf(v); !isNum || !ok {
			return false
		}
	}
	if n.konst != nil && !equal(v, n.konst.v) {
		return false
	}
	if n.enum != nil {
		if n.enumStr != nil { // strings were checked above
			if _, ok := v.(string); !ok {
				return false
			}
		} else if !n.inEnum(v) {
			return false
		}
	}
	if n.ref != nil && !n.ref.valid(v) {
		return false
	}
	if n.hasApplicator {
		return n.validApplicators(v)
	}
	return true
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (n *node) inEnum(v any) bool {
	for _, e := range n.enum {
		if equal(v, e.v) {
			return true
		}
	}
	return false
}

func (n *node) validString(s string) bool {
	if n.minLen > 0 || n.maxLen >= 0 {
		// A string has at most len(s) runes and at least len(s)/4 (each
		// byte of invalid UTF-8 counts as a rune, as in the reference).
		if n.maxLen >= 0 && len(s) > n.maxLen || n.minLen > 0 && (len(s)+3)/4 < n.minLen {
			c := utf8.RuneCountInString(s)
			if n.maxLen >= 0 && c > n.maxLen || c < n.minLen {
				return false
			}
		}
		if len(s) < n.minLen {
			return false
		}
	}
	if n.pattern != nil && !n.matchPattern(s) {
		return false
	}
	if f := n.format; f != nil {
		if f.std != nil {
			return f.std(s)
		}
		r, _ := f.check(s)
		return r == ""
	}
	return true
}

func (n *node) matchPattern(s string) bool {
	if n.patternDFA != nil {
		return n.patternDFA.match(s)
	}
	return n.pattern.MatchString(s)
}

func (n *node) validNumber(d *decimal) bool {
	if b := n.minimum; b != nil && cmpDecimal(d, &b.d) < 0 {
		return false
	}
	if b := n.maximum; b != nil && cmpDecimal(d, &b.d) > 0 {
		return false
	}
	if b := n.exclMinimum; b != nil && cmpDecimal(d, &b.d) <= 0 {
		return false
	}
	return true
}

func (n *node) validObject(m map[string]any) bool {
	if len(m) < n.minProps {
		return false
	}
	for _, r := range n.required {
		if _, ok := m[r]; !ok {
			return false
		}
	}
	matched := 0
	for i := range n.props {
		p := &n.props[i]
		pv, ok := m[p.name]
		if !ok {
			if p.required {
				return false
			}
			continue
		}
		matched++
		if !p.node.valid(pv) {
			return false
		}
	}
	if matched == len(m) {
		return true
	}
	if n.addlFalse {
		return false
	}
	if n.addl != nil {
		for k, pv := range m {
			if !n.hasProp(k) && !n.addl.valid(pv) {
				return false
			}
		}
	}
	return true
}

func (n *node) hasProp(name string) bool {
	lo, hi := 0, len(n.props)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if n.props[mid].name < name {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(n.props) && n.props[lo].name == name
}

func (n *node) validArray(a []any) bool {
	if len(a) < n.minItems {
		return false
	}
	if n.unique && len(a) > 1 {
		if _, _, dup, bad := duplicates(a); dup || bad {
			return false
		}
	}
	for i, item := range a {
		var s *node
		if i < len(n.prefix) {
			s = n.prefix[i]
		} else {
			s = n.items
		}
		if s != nil && !s.valid(item) {
			return false
		}
	}
	if n.contains != nil {
		found := false
		for _, item := range a {
			if n.contains.valid(item) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (n *node) validApplicators(v any) bool {
	for _, s := range n.allOf {
		if !s.valid(v) {
			return false
		}
	}
	if n.anyOf != nil {
		ok := false
		for _, s := range n.anyOf {
			if s.valid(v) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	if n.ifN != nil {
		if n.ifN.valid(v) {
			if n.thenN != nil {
				return n.thenN.valid(v)
			}
		} else if n.elseN != nil {
			return n.elseN.valid(v)
		}
	}
	return true
}

// jsonType returns the JSON type of v (tNumber for any number, integer or
// not), or 0 if v is not a JSON value (including a malformed json.Number,
// which the reference would take for a number).
func jsonType(v any) uint8 {
	switch v.(type) {
	case nil:
		return tNull
	case bool:
		return tBoolean
	case string:
		return tString
	case []any:
		return tArray
	case map[string]any:
		return tObject
	}
	if _, isNum, ok := numberOf(v); isNum && ok {
		return tNumber
	}
	return 0
}

// equal is JSON equality (numbers by value: 1, 1.0 and 1e0 are equal),
// as the reference defines it for const, enum and uniqueItems.
func equal(a, b any) bool {
	eq, _, _ := equalsReport(a, b)
	return eq
}

// equalsReport is the reference validator's equality, including its
// report of a value that is not JSON (bad, badVal): only a's side is
// examined for that, in the order the reference visits it.
func equalsReport(a, b any) (eq, bad bool, badVal any) {
	switch a := a.(type) {
	case map[string]any:
		bm, ok := b.(map[string]any)
		if !ok || len(a) != len(bm) {
			return false, false, nil
		}
		for k, av := range a {
			bv, ok := bm[k]
			if !ok {
				return false, false, nil
			}
			if eq, bad, badVal := equalsReport(av, bv); !eq || bad {
				return eq, bad, badVal
			}
		}
		return true, false, nil
	case []any:
		bl, ok := b.([]any)
		if !ok || len(a) != len(bl) {
			return false, false, nil
		}
		for i := range a {
			if eq, bad, badVal := equalsReport(a[i], bl[i]); !eq || bad {
				return eq, bad, badVal
			}
		}
		return true, false, nil
	case nil:
		return b == nil, false, nil
	case bool:
		bb, ok := b.(bool)
		return ok && a == bb, false, nil
	case string:
		bs, ok := b.(string)
		return ok && a == bs, false, nil
	}
	da, isNum, ok := numberOf(a)
	if !isNum {
		return false, true, a
	}
	if jsonType(b) != tNumber {
		return false, false, nil
	}
	db, _, okb := numberOf(b)
	return ok && okb && cmpDecimal(&da, &db) == 0, false, nil
}

// duplicates finds the first pair of equal items (i < j, smallest j, then
// smallest i), as the reference does; bad reports an item that is not a
// JSON value met on the way.
func duplicates(a []any) (i, j int, dup, bad bool) {
	if len(a) <= 16 {
		for j := 1; j < len(a); j++ {
			for i := 0; i < j; i++ {
				eq, bad, _ := equalsReport(a[j], a[i])
				if bad {
					return i, j, false, true
				}
				if eq {
					return i, j, true, false
				}
			}
		}
		return -1, -1, false, false
	}
	// Longer arrays: bucket by a hash that equal values share.
	seen := make(map[uint64][]int, len(a))
	for j, item := range a {
		h := hashJSON(item, 14695981039346656037)
		for _, i := range seen[h] {
			eq, bad, _ := equalsReport(item, a[i])
			if bad {
				return i, j, false, true
			}
			if eq {
				return i, j, true, false
			}
		}
		seen[h] = append(seen[h], j)
	}
	return -1, -1, false, false
}

// hashJSON is an FNV-1a style hash of a JSON value such that equal values
// hash alike (numbers by value, object members in any order).
func hashJSON(v any, h uint64) uint64 {
	const prime = 1099511628211
	mix := func(h uint64, b byte) uint64 { return (h ^ uint64(b)) * prime }
	switch x := v.(type) {
	case nil:
		return mix(h, 1)
	case bool:
		if x {
			return mix(h, 2)
		}
		return mix(h, 3)
	case string:
		h = mix(h, 4)
		for i := 0; i < len(x); i++ {
			h = mix(h, x[i])
		}
		return h
	case []any:
		h = mix(h, 5)
		for _, e := range x {
			h = hashJSON(e, h)
		}
		return h
	case map[string]any:
		// Order-independent: sum the members' hashes.
		var sum uint64
		for k, e := range x {
			sum += hashJSON(e, hashJSON(k, 14695981039346656037))
		}
		h = mix(h, 6)
		for i := 0; i < 8; i++ {
			h = mix(h, byte(sum>>(8*i)))
		}
		return h
	}
	d, isNum, ok := numberOf(v)
	if !isNum || !ok {
		return mix(h, 0)
	}
	h = mix(h, 7)
	if d.neg && !d.isZero() {
		h = mix(h, '-')
	}
	for i := 0; i < 8; i++ {
		h = mix(h, byte(d.mant>>(8*i)))
	}
	for i := 0; i < 8; i++ {
		h = mix(h, byte(uint64(d.exp)>>(8*i)))
	}
	return h
}
