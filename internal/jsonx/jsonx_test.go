package jsonx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// stdDecode decodes like encoding/json with UseNumber, requiring exactly one
// value (as json.Unmarshal does).
func stdDecode(data []byte) (any, error) {
	if !json.Valid(data) {
		return nil, errors.New("encoding/json: invalid")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

func TestParseAccepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want any
	}{
		{"null", `null`, nil},
		{"true", ` true `, true},
		{"false", "\t\r\nfalse\n", false},
		{"zero", `0`, json.Number("0")},
		{"negative", `-12`, json.Number("-12")},
		{"fraction", `3.1400`, json.Number("3.1400")},
		{"exponent", `-1.5E+10`, json.Number("-1.5E+10")},
		{"exponent lower", `2e-3`, json.Number("2e-3")},
		{"negative zero", `-0`, json.Number("-0")},
		{"empty string", `""`, ""},
		{"ascii", `"hello, world"`, "hello, world"},
		{"thai", `"สวัสดีครับ"`, "สวัสดีครับ"},
		{"escapes", `"\"\\\/\b\f\n\r\t"`, "\"\\/\b\f\n\r\t"},
		{"unicode escape", `"\u0e2a\u0E27"`, "สว"},
		{"surrogate pair", `"\ud83d\ude00"`, "\U0001F600"},
		{"escaped nul", `"a\u0000b"`, "a\x00b"},
		{"escape after long ascii", `"abcdefghijklmnopqrstuvwxyz\n0123456789"`, "abcdefghijklmnopqrstuvwxyz\n0123456789"},
		{"four byte utf8", `"𝔘𝔫𝔦"`, "𝔘𝔫𝔦"},
		{"empty object", `{}`, map[string]any{}},
		{"empty array", `[ ]`, []any{}},
		{"nested", `{"a":[1,{"b":null}],"c":{}}`, map[string]any{
			"a": []any{json.Number("1"), map[string]any{"b": nil}},
			"c": map[string]any{},
		}},
		{"same key in sibling objects", `[{"a":1},{"a":2}]`, []any{
			map[string]any{"a": json.Number("1")}, map[string]any{"a": json.Number("2")},
		}},
		{"max depth", strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth), nest(MaxDepth)},
		{"BMP max", `"\uFFFD"`, "\uFFFD"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("Parse(%q) = %#v, want %#v", tc.in, got, tc.want)
			}
			std, err := stdDecode([]byte(tc.in))
			if err != nil {
				t.Fatalf("encoding/json rejects %q: %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, std) {
				t.Fatalf("Parse(%q) = %#v, encoding/json = %#v", tc.in, got, std)
			}
		})
	}
}

func nest(n int) any {
	var v any = []any{}
	for i := 1; i < n; i++ {
		v = []any{v}
	}
	return v
}

func TestParseRejects(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
		offset  int64
	}{
		// Syntax.
		{"empty", ``, ErrSyntax, 0},
		{"only space", "  \n", ErrSyntax, 3},
		{"trailing data", `{} x`, ErrSyntax, 3},
		{"two values", `1 2`, ErrSyntax, 2},
		{"trailing comma object", `{"a":1,}`, ErrSyntax, 7},
		{"trailing comma array", `[1,]`, ErrSyntax, 3},
		{"missing colon", `{"a" 1}`, ErrSyntax, 5},
		{"missing comma", `[1 2]`, ErrSyntax, 3},
		{"unquoted key", `{a:1}`, ErrSyntax, 1},
		{"single quotes", `'a'`, ErrSyntax, 0},
		{"unterminated string", `"abc`, ErrSyntax, 0},
		{"unterminated long string", `"abcdefghijklmnop`, ErrSyntax, 0},
		{"unterminated object", `{"a":1`, ErrSyntax, 6},
		{"unterminated array", `[1`, ErrSyntax, 2},
		{"raw newline in string", "\"a\nb\"", ErrSyntax, 2},
		{"raw tab in string", "\"a\tb\"", ErrSyntax, 2},
		{"raw control after escape", "\"\\n\x01\"", ErrSyntax, 3},
		{"bad escape", `"\x41"`, ErrSyntax, 2},
		{"short unicode escape", `"\u12"`, ErrSyntax, 5},
		{"bad hex", `"\u12G4"`, ErrSyntax, 5},
		{"truncated escape", `"\`, ErrSyntax, 2},
		{"leading zero", `01`, ErrSyntax, 1},
		{"plus sign", `+1`, ErrSyntax, 0},
		{"bare minus", `-`, ErrSyntax, 1},
		{"minus letter", `-a`, ErrSyntax, 1},
		{"dot without digits", `1.`, ErrSyntax, 2},
		{"dot then letter", `1.e5`, ErrSyntax, 2},
		{"exponent without digits", `1e`, ErrSyntax, 2},
		{"exponent sign only", `1e+`, ErrSyntax, 3},
		{"leading dot", `.5`, ErrSyntax, 0},
		{"hex number", `0x10`, ErrSyntax, 1},
		{"NaN", `NaN`, ErrSyntax, 0},
		{"Infinity", `-Infinity`, ErrSyntax, 1},
		{"bad literal", `tru`, ErrSyntax, 3},
		{"literal typo", `nul1`, ErrSyntax, 3},
		{"capital literal", `True`, ErrSyntax, 0},
		{"byte order mark", "\xef\xbb\xbf{}", ErrSyntax, 0},
		{"comment", `{} // c`, ErrSyntax, 3},
		{"form feed space", "\f1", ErrSyntax, 0},
		{"non-breaking space", "\u00a01", ErrSyntax, 0},
		{"key not string", `{1:2}`, ErrSyntax, 1},
		{"close mismatch", `[}`, ErrSyntax, 1},
		// Duplicates (I-JSON 2.3).
		{"duplicate key", `{"a":1,"a":2}`, ErrDuplicateKey, 7},
		{"duplicate key after escape", `{"a":1,"\u0061":2}`, ErrDuplicateKey, 7},
		{"duplicate key nested", `{"x":{"b":1,"c":2,"b":3}}`, ErrDuplicateKey, 18},
		{"duplicate key same value", `{"a":null,"a":null}`, ErrDuplicateKey, 10},
		// UTF-8 and surrogates (I-JSON 2.1).
		{"invalid byte", "\"a\xffb\"", ErrInvalidUTF8, 2},
		{"truncated sequence", "\"\xe0\xb8\"", ErrInvalidUTF8, 1},
		{"overlong encoding", "\"\xc0\xaf\"", ErrInvalidUTF8, 1},
		{"utf8 encoded surrogate", "\"\xed\xa0\x80\"", ErrInvalidUTF8, 1},
		{"above max code point", "\"\xf4\x90\x80\x80\"", ErrInvalidUTF8, 1},
		{"invalid in key", "{\"\xff\":1}", ErrInvalidUTF8, 2},
		{"invalid after escape", "\"\\n\xff\"", ErrInvalidUTF8, 3},
		{"invalid far in long string", "\"abcdefghijklmnopqrstuv\x80\"", ErrInvalidUTF8, 23},
		{"lone high surrogate", `"\ud800"`, ErrInvalidUTF8, 1},
		{"lone high surrogate then text", `"\ud800abcdef"`, ErrInvalidUTF8, 1},
		{"high surrogate then non-surrogate", `"\ud800\u0041"`, ErrInvalidUTF8, 1},
		{"two high surrogates", `"\ud800\ud800"`, ErrInvalidUTF8, 1},
		{"lone low surrogate", `"\udc00"`, ErrInvalidUTF8, 1},
		{"reversed pair", `"\ude00\ud83d"`, ErrInvalidUTF8, 1},
		{"noncharacter raw FFFF", "\"\xef\xbf\xbf\"", ErrInvalidUTF8, 1},
		{"noncharacter raw FDD0", "\"\xef\xb7\x90\"", ErrInvalidUTF8, 1},
		{"noncharacter escape FFFE", `"\uFFFE"`, ErrInvalidUTF8, 1},
		{"noncharacter escape FDEF", `"\ufdef"`, ErrInvalidUTF8, 1},
		{"noncharacter pair 1FFFF", `"\ud83f\udfff"`, ErrInvalidUTF8, 1},
		{"noncharacter raw 10FFFE", "\"\xf4\x8f\xbf\xbe\"", ErrInvalidUTF8, 1},
		// Depth.
		{"too deep arrays", strings.Repeat("[", MaxDepth+1) + strings.Repeat("]", MaxDepth+1), ErrTooDeep, MaxDepth},
		{"too deep objects", strings.Repeat(`{"a":`, MaxDepth+1) + "1" + strings.Repeat("}", MaxDepth+1), ErrTooDeep, 5 * MaxDepth},
		{"too deep unterminated", strings.Repeat("[", 100000), ErrTooDeep, MaxDepth},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want error %v", tc.in, v, tc.wantErr)
			}
			if v != nil {
				t.Errorf("Parse(%q) returned %#v with error", tc.in, v)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Parse(%q) error = %v, want %v", tc.in, err, tc.wantErr)
			}
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %T is not a *SyntaxError", err)
			}
			if se.Offset != tc.offset {
				t.Errorf("Parse(%q) offset = %d, want %d (%v)", tc.in, se.Offset, tc.offset, err)
			}
			if !strings.HasPrefix(err.Error(), "jsonx: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
			// Anything encoding/json rejects must be a syntax error here.
			if _, stdErr := stdDecode([]byte(tc.in)); stdErr != nil && !errors.Is(err, ErrSyntax) && !errors.Is(err, ErrTooDeep) {
				t.Errorf("encoding/json rejects %q as malformed but jsonx says %v", tc.in, err)
			}
		})
	}
}

func TestParseObject(t *testing.T) {
	m, err := ParseObject([]byte(` {"a":"b"} `))
	if err != nil || !reflect.DeepEqual(m, map[string]any{"a": "b"}) {
		t.Fatalf("ParseObject = %v, %v", m, err)
	}
	for _, in := range []string{``, `[]`, `"a"`, `null`, `1`, `{"a":1} []`, `{"a":1,"a":2}`} {
		m, err := ParseObject([]byte(in))
		if err == nil || m != nil {
			t.Errorf("ParseObject(%q) = %v, %v; want nil and an error", in, m, err)
		}
	}
	_, err = ParseObject([]byte(`[{"a":1}]`))
	if !errors.Is(err, ErrSyntax) || !strings.Contains(err.Error(), "not an object") {
		t.Errorf("ParseObject(array) error = %v", err)
	}
	_, err = ParseObject([]byte(`{"a":1,"a":2}`))
	if !errors.Is(err, ErrDuplicateKey) {
		t.Errorf("ParseObject(dup) error = %v", err)
	}
}

// TestResultsDoNotAlias checks that reusing the parser's pooled stacks
// never leaks one document's values into another's results.
func TestResultsDoNotAlias(t *testing.T) {
	a, err := Parse([]byte(`{"x":[1,2,3],"y":{"z":"a"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Parse([]byte(`{"x":[4,5,6,7],"y":{"z":"b","w":1}}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := Parse([]byte(`{"x":[4,5,6,7],"y":{"z":"b","z":1}}`)); err == nil {
		t.Fatal("duplicate accepted")
	}
	want := map[string]any{"x": []any{json.Number("1"), json.Number("2"), json.Number("3")}, "y": map[string]any{"z": "a"}}
	if !reflect.DeepEqual(a, want) {
		t.Fatalf("first result changed: %#v", a)
	}
}

func TestInputNotRetainedByMutation(t *testing.T) {
	in := []byte(`{"k":"value"}`)
	v, err := Parse(in)
	if err != nil {
		t.Fatal(err)
	}
	copy(in, `{"k":"XXXXX"}`)
	if got := v.(map[string]any)["k"]; got != "value" {
		t.Fatalf("result aliases the input: %q", got)
	}
}

func TestSpecial(t *testing.T) {
	// Exhaustive over each byte value in each lane.
	for lane := 0; lane < 8; lane++ {
		for c := 0; c < 256; c++ {
			b := []byte("aaaaaaaa")
			b[lane] = byte(c)
			x := uint64(0)
			for i := 7; i >= 0; i-- {
				x = x<<8 | uint64(b[i])
			}
			want := c < 0x20 || c == '"' || c == '\\' || c >= 0x80
			if got := special(x) != 0; got != want {
				t.Fatalf("special(lane %d, byte %#x) = %v, want %v", lane, c, got, want)
			}
		}
	}
}

func TestCredentialMatchesStdlib(t *testing.T) {
	data, err := os.ReadFile("testdata/credential.json")
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := stdDecode(data)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("results differ:\njsonx: %#v\nstd:   %#v", got, want)
	}
}

func TestAllocations(t *testing.T) {
	data, err := os.ReadFile("testdata/credential.json")
	if err != nil {
		t.Fatal(err)
	}
	Parse(data) // warm the pool
	ours := testing.AllocsPerRun(100, func() { Parse(data) })
	std := testing.AllocsPerRun(100, func() { stdDecode(data) })
	t.Logf("allocations per parse: jsonx %.0f, encoding/json %.0f", ours, std)
	if ours >= std/2 {
		t.Errorf("jsonx allocates %.0f times, encoding/json %.0f; want at most half", ours, std)
	}
}

func TestParseString(t *testing.T) {
	for _, in := range []string{`{"a":["th","en",1,"x"]}`, ` "s" `, `[1,{"b":null}]`, `{"a":1,"a":2}`, "\"\xff\""} {
		want, wantErr := Parse([]byte(in))
		got, err := ParseString(in)
		if !reflect.DeepEqual(got, want) || (err == nil) != (wantErr == nil) {
			t.Errorf("ParseString(%q) = %#v, %v; Parse: %#v, %v", in, got, err, want, wantErr)
		}
		wantObj, wantErr := ParseObject([]byte(in))
		gotObj, err := ParseObjectString(in)
		if !reflect.DeepEqual(gotObj, wantObj) || (err == nil) != (wantErr == nil) {
			t.Errorf("ParseObjectString(%q) = %#v, %v; ParseObject: %#v, %v", in, gotObj, err, wantObj, wantErr)
		}
	}
}

// TestBoxedConstants: the values boxString and number return without
// allocating are the very strings and numbers of the input; boxString
// returns nil for any other string (the parser boxes those in its slab).
func TestBoxedConstants(t *testing.T) {
	for _, s := range []string{"en", "th", "revocation", "suspension", "JsonSchema", "VerifiableCredential",
		"VerifiablePresentation", "BitstringStatusListEntry", "https://www.w3.org/ns/credentials/v2"} {
		if got := boxString(s); got != any(s) {
			t.Errorf("boxString(%q) = %#v", s, got)
		}
	}
	for _, s := range []string{"", "eN", "revocatioN", "https://www.w3.org/ns/credentials/v1", "x"} {
		if got := boxString(s); got != nil {
			t.Errorf("boxString(%q) = %#v, want nil", s, got)
		}
	}
	for d := 0; d <= 9; d++ {
		n := strconv.Itoa(d)
		v, err := Parse([]byte(n))
		if err != nil || v != any(json.Number(n)) {
			t.Errorf("Parse(%s) = %#v, %v", n, v, err)
		}
	}
	data := []byte(`["en","th","VerifiableCredential","BitstringStatusListEntry",0,1,9]`)
	Parse(data) // warm the pool
	// The fewest over single parses: under the race detector sync.Pool
	// drops a random quarter of what is put back, so some parses also
	// allocate a parser (an average would count those).
	n := math.Inf(1)
	for range 50 {
		n = min(n, testing.AllocsPerRun(1, func() { Parse(data) }))
	}
	if n > 3 {
		t.Errorf("%v allocations; want 3 (copy of the input, array, its elements boxed for free)", n)
	}
}

// TestValid3 checks the three-byte fast path of string scanning against
// unicode/utf8 over every lead byte and continuation pair: whatever it
// accepts is well-formed, neither a surrogate nor a noncharacter.
func TestValid3(t *testing.T) {
	accepted := 0
	for c := 0xC0; c <= 0xFF; c++ {
		for c1 := 0; c1 < 256; c1++ {
			for c2 := 0; c2 < 256; c2++ {
				s := string([]byte{byte(c), byte(c1), byte(c2)})
				if !valid3(s, 0) {
					continue
				}
				accepted++
				r, n := utf8.DecodeRuneInString(s)
				if n != 3 || r == utf8.RuneError || isNoncharacter(r) {
					t.Fatalf("valid3 accepts % x (%U, %d bytes)", s, r, n)
				}
			}
		}
	}
	// Every three-byte scalar value except leads 0xED and 0xEF.
	if want := 0x10000 - 0x800 - 0x1000 - 0x1000; accepted != want {
		t.Fatalf("valid3 accepts %d sequences, want %d", accepted, want)
	}
	if valid3("\xe0\xb8", 0) {
		t.Fatal("valid3 reads past the end")
	}
}

// TestSlabValues: values boxed in the parser's slab are ordinary values
// that outlive the parse and collections, across several slab blocks
// (thousands of strings, numbers and arrays, short and long arrays), and
// appending to one array never changes another.
func TestSlabValues(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"arrays":[`)
	for i := range 3000 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `["s%d", %d.5, [], ["x", "y\u0e01"]]`, i, i)
	}
	b.WriteString(`],"long":[`)
	for i := range 200 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `"l%d"`, i)
	}
	b.WriteString(`]}`)
	data := []byte(b.String())
	got, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	want, err := stdDecode(data)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		Parse(data) // more parses through the pooled parser
		runtime.GC()
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatal("slab-boxed values differ from encoding/json's after collections")
	}
	arrays := got.(map[string]any)["arrays"].([]any)
	first, second := arrays[0].([]any), arrays[1].([]any)
	_ = append(first, "appended")
	_ = append(first[3].([]any), "appended")
	if !reflect.DeepEqual(second, want.(map[string]any)["arrays"].([]any)[1]) {
		t.Fatal("appending to one array changed its neighbour")
	}
	if s, ok := first[0].(string); !ok || s != "s0" {
		t.Fatalf("first[0] = %#v", first[0])
	}
	if n, ok := first[1].(json.Number); !ok || n != "0.5" {
		t.Fatalf("first[1] = %#v", first[1])
	}
}
