package holder

import (
	"encoding/json"
	"hash/maphash"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// index is the wallet's in-memory view of its credentials, built when the
// wallet is opened: for each credential, its type, issuer, validity and
// display titles, and the set of claim paths it has. DCQL matching runs on
// it without decrypting anything.
//
// Claim values are not kept: each leaf value is reduced to a 64-bit keyed
// hash (hash/maphash, with a seed drawn when the wallet is opened and
// never stored), enough to pre-select candidates for DCQL "values"
// constraints. Prepare then checks the real values of the chosen
// credential.
type index struct {
	seed    maphash.Seed
	paths   map[string]int32 // interned path keys
	entries map[string]*entry
	// byType lists entries by format: "dc+sd-jwt" and "jwt_vc_json"; and
	// by format and type: "dc+sd-jwt\x00<vct>" and, for each type term of
	// a jwt_vc_json credential, "jwt_vc_json\x00<term>". Every list is
	// sorted oldest first (entryOrder), so that walking one backwards
	// yields candidates newest first without sorting.
	byType map[string][]*entry
}

// entryOrder orders entries by time received, then id.
func entryOrder(a, b *entry) int {
	if c := a.receivedAt.Compare(b.receivedAt); c != 0 {
		return c
	}
	return strings.Compare(a.id, b.id)
}

func insertSorted(l []*entry, e *entry) []*entry {
	if n := len(l); n == 0 || entryOrder(l[n-1], e) < 0 {
		return append(l, e) // the usual case: received after the others
	}
	i, _ := slices.BinarySearchFunc(l, e, entryOrder)
	return slices.Insert(l, i, e)
}

func removeSorted(l []*entry, e *entry) []*entry {
	if i, ok := slices.BinarySearchFunc(l, e, entryOrder); ok {
		return slices.Delete(l, i, i+1)
	}
	return l
}

// entry is one credential in the index. Nothing in it is a claim value.
type entry struct {
	id, batch  string
	format     string
	vct        string
	types      []string
	terms      []string // typeTerm of each of types
	typeName   string
	title      map[string]string
	issuer     string
	issuerName map[string]string
	issuedAt   time.Time
	validUntil time.Time
	receivedAt time.Time
	uses       int // presentations logged

	pathIDs []int32    // sorted ids of the claim paths present
	vals    [][]uint64 // keyed hashes of the leaf values at each path (parallel to pathIDs)
}

func newIndex() *index {
	return &index{
		seed:    maphash.MakeSeed(),
		paths:   map[string]int32{},
		entries: map[string]*entry{},
		byType:  map[string][]*entry{},
	}
}

// typeKeys are the byType keys of an entry.
func (e *entry) typeKeys() []string {
	if e.format == FormatSDJWT {
		return []string{FormatSDJWT, FormatSDJWT + "\x00" + e.vct}
	}
	keys := make([]string, 0, len(e.terms)+1)
	keys = append(keys, e.format)
	for _, t := range e.terms {
		keys = append(keys, e.format+"\x00"+t)
	}
	return keys
}

// typeTerm reduces an expanded type IRI to its term
// ("https://www.w3.org/2018/credentials#VerifiableCredential" ->
// "VerifiableCredential"), so that DCQL type_values match the compact
// types of a vc+jwt whether the verifier expanded them or not.
func typeTerm(t string) string {
	if i := strings.LastIndexAny(t, "#/"); i >= 0 && i < len(t)-1 && strings.Contains(t, ":") {
		return t[i+1:]
	}
	return t
}

func (ix *index) add(e *entry, claims map[string]any) {
	ix.remove(e.id)
	e.terms = make([]string, len(e.types))
	for i, t := range e.types {
		e.terms[i] = typeTerm(t)
	}
	b := builder{ix: ix, m: map[int32][]uint64{}}
	b.walk(claims, []string{""}, 0)
	e.pathIDs = make([]int32, 0, len(b.m))
	for id := range b.m {
		e.pathIDs = append(e.pathIDs, id)
	}
	slices.Sort(e.pathIDs)
	e.vals = make([][]uint64, len(e.pathIDs))
	for i, id := range e.pathIDs {
		e.vals[i] = b.m[id]
	}
	ix.entries[e.id] = e
	for _, k := range e.typeKeys() {
		ix.byType[k] = insertSorted(ix.byType[k], e)
	}
}

func (ix *index) remove(id string) {
	e, ok := ix.entries[id]
	if !ok {
		return
	}
	delete(ix.entries, id)
	for _, k := range e.typeKeys() {
		l := removeSorted(ix.byType[k], e)
		if len(l) == 0 {
			delete(ix.byType, k)
		} else {
			ix.byType[k] = l
		}
	}
}

// Path keys encode a DCQL claims path unambiguously: a string component
// as 's' <len> ':' <string>, an array index as 'i' <n> ';', null (every
// element) as 'n'.
func appendKeyString(b []byte, s string) []byte {
	b = append(b, 's')
	b = strconv.AppendInt(b, int64(len(s)), 10)
	b = append(b, ':')
	return append(b, s...)
}

func appendKeyIndex(b []byte, i int) []byte {
	b = append(b, 'i')
	b = strconv.AppendInt(b, int64(i), 10)
	return append(b, ';')
}

// pathKey encodes a parsed claims path.
func pathKey(p ClaimPath) string {
	var b []byte
	for _, c := range p {
		switch {
		case c.All:
			b = append(b, 'n')
		case c.Name != nil:
			b = appendKeyString(b, *c.Name)
		default:
			b = appendKeyIndex(b, c.Index)
		}
	}
	return string(b)
}

// maxVariants bounds the path keys one claim gets: an element of an array
// is recorded under its index and under null, so nested arrays multiply
// the keys; beyond this, deeper elements are recorded under null only.
const maxVariants = 16

type builder struct {
	ix *index
	m  map[int32][]uint64
}

func (b *builder) id(key string) int32 {
	id, ok := b.ix.paths[key]
	if !ok {
		id = int32(len(b.ix.paths))
		b.ix.paths[key] = id
	}
	return id
}

// walk records v at every key in prefixes (the root has the empty key).
func (b *builder) walk(v any, prefixes []string, depth int) {
	if depth > 0 {
		h, leaf := b.ix.valueHash(v)
		for _, p := range prefixes {
			id := b.id(p)
			if leaf {
				b.m[id] = append(b.m[id], h)
			} else if _, ok := b.m[id]; !ok {
				b.m[id] = nil
			}
		}
	}
	if depth >= 32 {
		return
	}
	switch x := v.(type) {
	case map[string]any:
		next := make([]string, len(prefixes))
		for k, c := range x {
			for i, p := range prefixes {
				next[i] = string(appendKeyString([]byte(p), k))
			}
			b.walk(c, next, depth+1)
		}
	case []any:
		for i, c := range x {
			var next []string
			for _, p := range prefixes {
				if len(prefixes) < maxVariants {
					next = append(next, string(appendKeyIndex([]byte(p), i)))
				}
				next = append(next, p+"n")
			}
			b.walk(c, next, depth+1)
		}
	}
}

// valueHash returns the keyed hash of a leaf (string, number, bool) and
// whether v is one. Numbers are hashed by value: 3, 3.0 and 3e0 agree.
func (ix *index) valueHash(v any) (uint64, bool) {
	s, ok := canonicalValue(v)
	if !ok {
		return 0, false
	}
	return maphash.String(ix.seed, s), true
}

func canonicalValue(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return "s" + x, true
	case bool:
		if x {
			return "b1", true
		}
		return "b0", true
	case json.Number:
		return canonicalNumber(string(x))
	case float64:
		return canonicalNumber(strconv.FormatFloat(x, 'g', -1, 64))
	case int:
		return "n" + strconv.Itoa(x), true
	case int64:
		return "n" + strconv.FormatInt(x, 10), true
	}
	return "", false
}

func canonicalNumber(s string) (string, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return "n" + strconv.FormatInt(i, 10), true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "", false
	}
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return "n" + strconv.FormatInt(int64(f), 10), true
	}
	return "f" + strconv.FormatFloat(f, 'g', -1, 64), true
}

// find returns the position of path id in e.pathIDs, or -1.
func (e *entry) find(id int32) int {
	i, ok := slices.BinarySearch(e.pathIDs, id)
	if !ok {
		return -1
	}
	return i
}
