package jsonx

import (
	"encoding/json"
	"unsafe"
)

// Boxing.
//
// Converting a string, a json.Number or a slice to an interface value
// allocates a copy of its header (16 or 24 bytes) for the interface to
// point to: about half the allocations of parsing a credential, one per
// string value. The parser instead keeps the headers of one parse in a
// few shared arrays (a slab) and makes each interface value point to its
// element, which is what the runtime's own conversion does with a fresh
// allocation. The resulting values are ordinary interface values of the
// ordinary types (string, json.Number, []any): type switches, assertions,
// reflect, == and fmt see no difference. A header in the slab is written
// once, before its interface value exists, and never again; the slab
// stays alive as long as any value in it is reachable, like any
// allocation an interface points into.
//
// Array elements are carved from shared arrays the same way, each slice
// capped at its length, so appending to one never writes into another.

// eface is the layout of an empty interface value (runtime.eface): a type
// word and a pointer to the value.
type eface struct {
	typ  unsafe.Pointer
	data unsafe.Pointer
}

func typeWord(v any) unsafe.Pointer { return (*eface)(unsafe.Pointer(&v)).typ }

var (
	stringType = typeWord("")
	numberType = typeWord(json.Number(""))
	sliceType  = typeWord([]any(nil))
)

// slab is the memory one parse boxes values in. The zero value is ready;
// the parser resets it to the zero value after every parse, since the
// results own what it holds.
type slab struct {
	strs   []string // headers of boxed strings and json.Numbers
	slices [][]any  // headers of boxed arrays
	elts   []any    // array elements
}

// box returns s as an interface value of the string type typ (string or
// json.Number). inputLen, the size of the whole input, sizes the first
// block.
func (sl *slab) box(typ unsafe.Pointer, s string, inputLen int) (v any) {
	if len(sl.strs) == cap(sl.strs) {
		// A credential has about one string or number value (that is not
		// a boxed constant) per 48 bytes; the first block is sized for a
		// little more than that, later ones smaller, to waste little.
		n := inputLen / 44
		if cap(sl.strs) > 0 {
			n = cap(sl.strs) / 2
		}
		sl.strs = make([]string, 0, min(max(8, n), 512))
	}
	sl.strs = append(sl.strs, s)
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = typ, unsafe.Pointer(&sl.strs[len(sl.strs)-1])
	return v
}

// boxSlice returns a as an interface value of type []any.
func (sl *slab) boxSlice(a []any) (v any) {
	if len(sl.slices) == cap(sl.slices) {
		sl.slices = make([][]any, 0, min(max(4, 2*cap(sl.slices)), 1024))
	}
	sl.slices = append(sl.slices, a)
	e := (*eface)(unsafe.Pointer(&v))
	e.typ, e.data = sliceType, unsafe.Pointer(&sl.slices[len(sl.slices)-1])
	return v
}

// elems returns a slice of n elements (len and cap n) for an array; an
// empty array is a fresh non-nil empty slice, as encoding/json makes.
func (sl *slab) elems(n int, inputLen int) []any {
	if n == 0 {
		return []any{}
	}
	if cap(sl.elts)-len(sl.elts) < n {
		if n > 64 {
			return make([]any, n) // a long array gets its own
		}
		// A credential has about one array element per 256 bytes.
		m := max(8, inputLen/256)
		if cap(sl.elts) > 0 {
			m = 2 * cap(sl.elts)
		}
		sl.elts = make([]any, 0, max(n, min(m, 1024)))
	}
	m := len(sl.elts)
	sl.elts = sl.elts[:m+n]
	return sl.elts[m : m+n : m+n]
}
