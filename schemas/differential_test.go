package schemas

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Differential tests: Validate (the compiled validator) against the
// reference (santhosh-tekuri/jsonschema with the error conversion Validate
// used before, reference_test.go) on every example, every invalid case
// of the table, and thousands of random mutations of the examples. They
// must agree on the verdict, and on Field, Reason and Msg.
//
// The reference runs on the schemas with references inlined (what
// production ran) and, for the verdict and the reported problem, also on
// the schemas as published (what Validate compiles).

// outcome renders a Validate result for comparison.
func outcome(err error) string {
	if err == nil {
		return "valid"
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return fmt.Sprintf("%s | %s | %s", ve.Field, ve.Reason, ve.Msg)
	}
	return "error: " + err.Error()
}

// compareWithReference validates doc with both and reports a difference.
// It returns the outcome.
func compareWithReference(t testing.TB, typ string, doc map[string]any, what func() string) string {
	t.Helper()
	got := outcome(Validate(typ, doc))
	want := outcome(referenceValidate(compiled(), typ, doc))
	if got != want {
		t.Errorf("%s %s:\n  Validate:  %s\n  reference: %s\n  document: %s", typ, what(), got, want, jsonString(doc))
	}
	if pub := outcome(referenceValidate(published(), typ, doc)); pub != got {
		t.Errorf("%s %s:\n  Validate:            %s\n  reference published: %s\n  document: %s", typ, what(), got, pub, jsonString(doc))
	}
	return got
}

func jsonString(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%#v", v)
	}
	return string(b)
}

func TestDifferentialExamplesAndCases(t *testing.T) {
	for _, name := range wantTypes {
		ty, _ := Lookup(name)
		if got := compareWithReference(t, name, decode(t, ty.Example), func() string { return "example" }); got != "valid" {
			t.Errorf("%s example: %s", name, got)
		}
		var f64 map[string]any
		if err := json.Unmarshal(ty.Example, &f64); err != nil {
			t.Fatal(err)
		}
		compareWithReference(t, name, f64, func() string { return "example (float64)" })
		// Every example against every other type's schema: mostly invalid
		// in interesting ways.
		for _, other := range wantTypes {
			compareWithReference(t, other, decode(t, ty.Example), func() string { return name + " example" })
		}
	}
	for _, tc := range invalidCases {
		doc := example(t, tc.typ)
		tc.edit(t, doc)
		compareWithReference(t, tc.typ, doc, func() string { return tc.name })
	}
	for _, typ := range wantTypes {
		compareWithReference(t, typ, nil, func() string { return "nil document" })
		compareWithReference(t, typ, map[string]any{}, func() string { return "empty document" })
	}
}

// TestDifferentialMutations applies random mutations to the examples and
// checks that Validate and the reference agree on each result. It also
// checks that the mutations reach both verdicts and many reasons (a
// mutator that only produced one kind of document would prove little).
func TestDifferentialMutations(t *testing.T) {
	n := 400 // per type and number mode: 8,000 documents
	if testing.Short() {
		n = 40
	}
	reasons := map[string]int{}
	valid, total := 0, 0
	for ti, typ := range wantTypes {
		for _, float := range []bool{false, true} {
			for i := range n {
				seed := uint64(ti)<<32 | uint64(i)<<1
				if float {
					seed |= 1
				}
				m := newMutator(rand.New(rand.NewPCG(seed, 0x7ea1)), float)
				doc := m.example(t, typ)
				var log []string
				for range 1 + i%3 { // one to three mutations
					log = append(log, m.mutate(doc))
				}
				out := compareWithReference(t, typ, doc, func() string {
					return fmt.Sprintf("seed %d (float64 %v), mutations %q", seed, float, log)
				})
				total++
				if out == "valid" {
					valid++
				} else if parts := strings.Split(out, " | "); len(parts) == 3 {
					reasons[parts[1]]++
				}
			}
		}
	}
	t.Logf("%d documents: %d valid; reasons: %v", total, valid, reasons)
	if valid < total/20 || valid > total*3/4 {
		t.Errorf("%d of %d mutated documents valid: the mutator is unbalanced", valid, total)
	}
	if !testing.Short() && len(reasons) < 20 {
		t.Errorf("mutations reached only %d reasons: %v", len(reasons), reasons)
	}
}

// FuzzDifferential: the fuzzer's input drives the mutator (which type,
// which number mode, which mutations, where), so that coverage guidance
// steers the mutations.
func FuzzDifferential(f *testing.F) {
	for i := range 20 {
		b := make([]byte, 24)
		binary.LittleEndian.PutUint64(b, uint64(i)*0x9e3779b97f4a7c15)
		binary.LittleEndian.PutUint64(b[8:], uint64(i))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 2 {
			return
		}
		typ := wantTypes[int(data[0])%len(wantTypes)]
		float := data[1]&1 == 1
		m := newMutator(&tape{data: data[2:]}, float)
		doc := m.example(t, typ)
		var log []string
		for range 1 + m.intn(4) {
			log = append(log, m.mutate(doc))
		}
		compareWithReference(t, typ, doc, func() string { return fmt.Sprintf("float64 %v, mutations %q", float, log) })
	})
}

// FuzzDifferentialJSON: arbitrary JSON documents, against every type.
func FuzzDifferentialJSON(f *testing.F) {
	for _, ty := range Types() {
		f.Add(string(ty.Example))
	}
	f.Add(`{"@context":[],"type":"x","credentialSubject":[]}`)
	f.Fuzz(func(t *testing.T, s string) {
		d := json.NewDecoder(strings.NewReader(s))
		d.UseNumber()
		var doc map[string]any
		if d.Decode(&doc) != nil {
			return
		}
		for _, typ := range wantTypes {
			compareWithReference(t, typ, doc, func() string { return "fuzz input" })
		}
	})
}

// ---- the mutator ----

// chooser supplies random choices: a PRNG, or a fuzzer's bytes.
type chooser interface {
	IntN(n int) int
}

// tape reads choices from fuzz input, then zeros.
type tape struct {
	data []byte
	i    int
}

func (t *tape) IntN(n int) int {
	if n <= 1 {
		return 0
	}
	var v int
	if n <= 256 {
		if t.i < len(t.data) {
			v = int(t.data[t.i])
			t.i++
		}
	} else if t.i+1 < len(t.data) {
		v = int(binary.LittleEndian.Uint16(t.data[t.i:]))
		t.i += 2
	}
	return v % n
}

type mutator struct {
	r     chooser
	float bool // numbers are float64, as json.Unmarshal without UseNumber
}

func newMutator(r chooser, float bool) *mutator { return &mutator{r: r, float: float} }

func (m *mutator) intn(n int) int { return m.r.IntN(n) }

func (m *mutator) example(t testing.TB, typ string) map[string]any {
	ty, _ := Lookup(typ)
	if m.float {
		var doc map[string]any
		if err := json.Unmarshal(ty.Example, &doc); err != nil {
			t.Fatal(err)
		}
		return doc
	}
	return decode(t, ty.Example)
}

// donors are subtrees of every example, to splice in: valid shapes of
// other places, which lead the validator deep into alternatives.
var donors = func() []any {
	var out []any
	var collect func(v any)
	collect = func(v any) {
		out = append(out, v)
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				collect(v[k])
			}
		case []any:
			for _, x := range v {
				collect(x)
			}
		}
	}
	for _, ty := range Types() {
		var doc any
		d := json.NewDecoder(strings.NewReader(string(ty.Example)))
		d.UseNumber()
		if err := d.Decode(&doc); err != nil {
			panic(err)
		}
		collect(doc)
	}
	return out
}()

// donorsByKey are the member values of every example by member name
// ("name", "address", "pid"...): plausible replacements.
var donorsByKey = func() map[string][]any {
	out := map[string][]any{}
	for _, d := range donors {
		if m, ok := d.(map[string]any); ok {
			for _, k := range slices.Sorted(maps.Keys(m)) {
				out[k] = append(out[k], m[k])
			}
		}
	}
	return out
}()

var stringPool = []string{
	"", " ", "  x", "x ", "x", "X", "abc", "ABC", "Ab", "TH", "THA", "D", "UK", "TH-10", "TH-1234", "th",
	"2024-05-20", "2024-02-29", "2023-02-29", "2024-02-30", "2024-13-01", "2024-00-10", "0000-01-01", "0000-02-29",
	"2024", "2024-05", "0000", "2024-5-20", "24-05-20", "2024-05-20 ", "2024/05/20",
	"25670520", "25670000", "25670500", "25670020", "25330230", "05430101", "00001231", "2567052", "256705200",
	"2024-05-20T09:14:00Z", "2024-05-20T09:14:00+07:00", "2024-05-20t09:14:00z", "2024-12-31T23:59:60Z",
	"2024-05-20T09:14:60Z", "2024-05-20T+1:00:00Z", "2024-05-20T09:14:00.5-00:00", "2024-05-20T09:14:00.Z",
	"2024-05-20T09:14:00+0700", "2024-05-20T24:00:00Z", "2024-05-20T09:14:00", "2024-12-31T16:59:60-07:00",
	"1501400317847", "1501400317848", "9501400317840", "0000000000000", "150140031784", "6103700123459",
	"0105562034122", "0105562034123", "3100600876541", "1103701234563",
	"https://x.example/a", "https://thaitrust.example/schemas/DegreeCredential.json", "http://[::1]/", "http://[::1%25en0]/",
	"http://[fe80::1%25en0]:8080/", "http://[1.2.3.4]/", "http://a:b@c/", "http://a:1:2/", "http://a:x/", "http://a:80/p?q#f",
	"did:web:x", "did:web:x\r", "did:web:x\u2028", "did:web:x y", "did:web:x\n", "did:web:", "did:a:b", "did:", "urn:uuid:x",
	"relative", "//x/y", "/abs/path", "http://x/%zz", "http://x/%41", "mailto:a@b", "HTTP://X", "a:b", "1a:b", ":x", "x:",
	"http://exa mple/", "http://x/\x7f", "http://x/#\n", "http://%41/", "http://a_b.example/", "ftp://[::1]:21/x",
	"123e4567-e89b-12d3-a456-426614174000", "123E4567-E89B-12D3-A456-42661417400G", "123e4567e89b12d3a456426614174000",
	"ณัฐวุฒิ", "นาย", "นางสาว", "มหาวิทยาลัย", "กรุงเทพมหานคร", "พ.ต.ท.", "ณัฐ วุฒิ", "ณัฐ  วุฒิ", "\u0e34ก", "ก๑",
	nfd, "Jose\u0301", "José", "O'Brien", "Mary-Jane", "Mr.", ".Mr", "x\u0301", "\u0301x", "Łukasz", "Д",
	"A\nB", "\x00", "\ufffd", "\u200b", "\t", "x\u2028y", "\U0001F600", "ก\U0001F600",
	"alone", "jointly", "JuristicPerson", "NaturalPerson", "IdentityProofing", "Evidence", "VerifiableCredential",
	"DegreeCredential", "ThaiCitizenCredential", "DelegationCredential", "https://www.w3.org/ns/credentials/v2",
	"https://thaitrust.example/ns/credentials/v1", "dopa_fvs", "thaid", "ndid", "selfie", "match", "no_match",
	"day", "month", "year", "1.1", "2.3", "2.2", "2", "3", "summer", "4", "A", "A+", "B-", "AA", "a", "ABC",
	"3(2-2-5)", "3.5(2-2-5)", "3 (2-2-5)", "data:image/png;base64,AAAA", "data:image/png;base64,AAAA===", "data:image/gif;base64,AA",
	"sha256-abc=", "sha1-abc", "rd.vat.file_return", "File VAT", "rd..x", "6230123421", "0417", "AA1234567", "male",
	"female", "not_known", "M", "bachelor", "phd", "first_class", "active", "open", "company_limited", "dopa",
	"did:web:rd.thaitrust.example", "12345", "1234", "50210", "05021", "123", "1234", "2567", "2400", "2399", "3000",
	"AB-12/3", "A", "0", "-", "th-x",
}

var numberPool = []string{
	"0", "-0", "1", "-1", "1.0", "1.5", "2", "2.0", "2.5", "3", "4", "4.0", "4.5", "5", "6", "12", "60", "61", "60.000001",
	"100", "100.0", "100.0000001", "101", "1e2", "1E2", "1e+2", "10e1", "0.1e3", "1e-7", "0.0001", "-500000", "3.42",
	"146", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "0.000000000000000000000000001",
	"99.99999999999999999999999", "100.00000000000000000000001", "4.00000000000000000001", "-0.0", "0e0", "2e0",
}

var keyPool = []string{
	"foo", "pid", "passport", "juristicId", "name", "th", "en", "x", "birthDateBE", "birthDate", "birthDatePrecision",
	"issueDateBE", "issueDate", "lifelong", "expiryDate", "expiryDateBE", "idpId", "matchResult", "maxDepth",
	"executedBy", "type", "id", "@context", "a/b", "a~b", "", "evidence", "given", "title", "score", "mode",
	"conferralDateBE", "moveInDateBE", "moveInDatePrecision", "xBE", "BE", "credentialSubject", "summary",
}

func (m *mutator) number(s string) any {
	if m.float {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			panic(err)
		}
		return f
	}
	return json.Number(s)
}

// scalar returns a random scalar (or, rarely, a value that is not JSON).
func (m *mutator) scalar() any {
	switch m.intn(12) {
	case 0, 1, 2, 3, 4:
		return stringPool[m.intn(len(stringPool))]
	case 5, 6:
		return m.number(numberPool[m.intn(len(numberPool))])
	case 7:
		return m.intn(2) == 0
	case 8:
		return nil
	case 9:
		return map[string]any{}
	case 10:
		return []any{}
	}
	switch m.intn(6) { // Go values: accepted numbers, and values that are not JSON
	case 0:
		return m.intn(200) - 50
	case 1:
		return float32(1.5)
	case 2:
		return math.NaN()
	case 3:
		return []string{"x"}
	case 4:
		return uint64(math.MaxUint64)
	}
	return map[string]string{"th": "x"}
}

// place is a value inside the document: its parent container and key.
type place struct {
	obj   map[string]any
	arr   []any
	key   string
	index int
	path  string
}

func (p place) get() any {
	if p.obj != nil {
		return p.obj[p.key]
	}
	return p.arr[p.index]
}

func (p place) set(v any) {
	if p.obj != nil {
		p.obj[p.key] = v
	} else {
		p.arr[p.index] = v
	}
}

// places lists every value of doc but the root, in a fixed order.
func places(doc map[string]any) []place {
	var out []place
	var walk func(v any, path string)
	walk = func(v any, path string) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				p := path + "/" + k
				out = append(out, place{obj: v, key: k, path: p})
				walk(v[k], p)
			}
		case []any:
			for i, x := range v {
				p := path + "/" + strconv.Itoa(i)
				out = append(out, place{arr: v, index: i, path: p})
				walk(x, p)
			}
		}
	}
	walk(doc, "")
	return out
}

// containers lists the objects and arrays of doc, with their places
// (the root has none).
func objects(doc map[string]any) []map[string]any {
	var out []map[string]any
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case map[string]any:
			out = append(out, v)
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(v[k])
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(doc)
	return out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[k] = deepCopy(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

// toFloat converts json.Number values to float64 (for donors spliced
// into a float64 document).
func toFloat(v any) any {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			v[k] = toFloat(x)
		}
	case []any:
		for i, x := range v {
			v[i] = toFloat(x)
		}
	case json.Number:
		f, _ := v.Float64()
		return f
	}
	return v
}

// mutate applies one random mutation to doc and describes it.
func (m *mutator) mutate(doc map[string]any) string {
	ps := places(doc)
	if len(ps) == 0 {
		doc["credentialSubject"] = map[string]any{}
		return "add credentialSubject"
	}
	p := ps[m.intn(len(ps))]
	v := p.get()
	switch op := m.intn(20); op {
	case 16, 17: // a value of the same member name from any example
		if p.obj != nil && len(donorsByKey[p.key]) > 0 {
			d := donorsByKey[p.key]
			x := deepCopy(d[m.intn(len(d))])
			if m.float {
				x = toFloat(x)
			}
			p.set(x)
			return "same-name donor " + p.path
		}
		p.set(m.sameType(v))
		return "same type " + p.path
	case 18, 19: // a value of the same JSON type
		p.set(m.sameType(v))
		return "same type " + p.path
	case 0, 1: // delete a member (or blank an item)
		if p.obj != nil {
			delete(p.obj, p.key)
			return "delete " + p.path
		}
		p.set(nil)
		return "null " + p.path
	case 2, 3: // a random scalar
		x := m.scalar()
		p.set(x)
		return fmt.Sprintf("set %s = %#v", p.path, x)
	case 4: // change the type, keeping the content where possible
		switch x := v.(type) {
		case string:
			if _, err := strconv.ParseFloat(x, 64); err == nil {
				p.set(m.number(x))
			} else {
				p.set([]any{x})
			}
		case json.Number:
			p.set(string(x))
		case float64:
			p.set(strconv.FormatFloat(x, 'g', -1, 64))
		case map[string]any:
			p.set([]any{x})
		case []any:
			if len(x) > 0 {
				p.set(x[0])
			} else {
				p.set(map[string]any{})
			}
		case bool:
			p.set(strconv.FormatBool(x))
		default:
			p.set("x")
		}
		return "retype " + p.path
	case 5, 6: // edit a string
		s, ok := v.(string)
		if !ok {
			p.set(stringPool[m.intn(len(stringPool))])
			return "set string " + p.path
		}
		p.set(m.editString(s))
		return "edit " + p.path
	case 7: // arrays: truncate, duplicate, append
		a, ok := v.([]any)
		if !ok {
			// Find an array to work on.
			for _, q := range ps {
				if x, ok := q.get().([]any); ok && m.intn(2) == 0 {
					p, a = q, x
				}
			}
			if a == nil {
				p.set([]any{v, v})
				return "wrap twice " + p.path
			}
		}
		switch m.intn(4) {
		case 0:
			p.set(a[:0])
		case 1:
			if len(a) > 0 {
				p.set(a[:len(a)-1])
			}
		case 2:
			if len(a) > 0 {
				p.set(append(slices.Clone(a), deepCopy(a[m.intn(len(a))])))
			}
		default:
			p.set(append(slices.Clone(a), m.scalar()))
		}
		return "array " + p.path
	case 8, 9: // add a member to an object
		objs := objects(doc)
		o := objs[m.intn(len(objs))]
		k := keyPool[m.intn(len(keyPool))]
		o[k] = m.value()
		return "add member " + k
	case 10, 11: // splice in a subtree of an example
		p.set(m.donor())
		return "splice " + p.path
	case 12: // numbers
		d, ok := numberValue(v)
		if !ok {
			p.set(m.number(numberPool[m.intn(len(numberPool))]))
			return "set number " + p.path
		}
		deltas := []float64{1, -1, 0.5, -d, 10*d - d, 1e-9}
		p.set(m.number(strconv.FormatFloat(d+deltas[m.intn(len(deltas))], 'g', -1, 64)))
		return "tweak number " + p.path
	case 13: // citizen/juristic IDs: break or fix the check digit
		s, ok := v.(string)
		if ok && len(s) == 13 {
			p.set(s[:12] + strconv.Itoa(m.intn(10)))
			return "check digit " + p.path
		}
		p.set(stringPool[m.intn(len(stringPool))])
		return "set string " + p.path
	case 14: // move a value to another place
		q := ps[m.intn(len(ps))]
		p.set(deepCopy(q.get()))
		return "copy " + q.path + " to " + p.path
	default: // replace the whole subtree by a fresh object or array of it
		p.set(map[string]any{"x": v})
		return "nest " + p.path
	}
}

// sameType returns a random value of v's JSON type.
func (m *mutator) sameType(v any) any {
	switch x := v.(type) {
	case string:
		if m.intn(2) == 0 {
			return m.editString(x)
		}
		return stringPool[m.intn(len(stringPool))]
	case bool:
		return !x
	case map[string]any, []any:
		return m.donor()
	case nil:
		return nil
	}
	return m.number(numberPool[m.intn(len(numberPool))])
}

func numberValue(v any) (float64, bool) {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case float64:
		return x, true
	}
	return 0, false
}

func (m *mutator) value() any {
	if m.intn(3) == 0 {
		return m.donor()
	}
	return m.scalar()
}

func (m *mutator) donor() any {
	d := deepCopy(donors[m.intn(len(donors))])
	if m.float {
		d = toFloat(d)
	}
	return d
}

func (m *mutator) editString(s string) string {
	rs := []rune(s)
	pool := []rune("aZ09 .-_/:~'+\u0e01\u0e48\u0e38\u0301\n\r\u2028\x00\ufffdé")
	switch m.intn(6) {
	case 0:
		i := m.intn(len(rs) + 1)
		rs = slices.Insert(rs, i, pool[m.intn(len(pool))])
	case 1:
		if len(rs) > 0 {
			i := m.intn(len(rs))
			rs = slices.Delete(rs, i, i+1)
		}
	case 2:
		if len(rs) > 0 {
			rs[m.intn(len(rs))] = pool[m.intn(len(pool))]
		}
	case 3:
		return strings.ToUpper(s)
	case 4:
		return s + s
	default:
		return strings.Repeat("a", []int{19, 20, 21, 32, 33, 64, 65, 100, 101, 128, 129, 256, 257, 2048, 2049, 4000, 4001}[m.intn(17)])
	}
	return string(rs)
}
