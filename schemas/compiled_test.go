package schemas

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/schemas/internal/compile"
)

// schemaFiles returns every file of json/, decoded.
func schemaFiles(t *testing.T) map[string]any {
	t.Helper()
	entries, err := files.ReadDir("json")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for _, e := range entries {
		raw, _ := files.ReadFile("json/" + e.Name())
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.UseNumber()
		var doc any
		if err := d.Decode(&doc); err != nil {
			t.Fatalf("%s: %v", e.Name(), err)
		}
		out[e.Name()] = doc
	}
	return out
}

// Draft 2020-12 keywords whose values are subschemas, so that the walk
// below finds every subschema even under keywords the compiler does not
// implement.
var (
	subschemaKeywords   = []string{"additionalProperties", "items", "contains", "not", "if", "then", "else", "propertyNames", "unevaluatedItems", "unevaluatedProperties", "contentSchema"}
	subschemaListKwords = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	subschemaMapKwords  = []string{"$defs", "definitions", "properties", "patternProperties", "dependentSchemas"}
)

// walkSchemas calls fn for every subschema object of schema, with its
// location.
func walkSchemas(schema any, loc string, fn func(m map[string]any, loc string)) {
	m, ok := schema.(map[string]any)
	if !ok {
		return
	}
	fn(m, loc)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		v := m[k]
		switch {
		case slices.Contains(subschemaKeywords, k):
			walkSchemas(v, loc+"/"+k, fn)
		case slices.Contains(subschemaListKwords, k):
			list, _ := v.([]any)
			for i, x := range list {
				walkSchemas(x, fmt.Sprintf("%s/%s/%d", loc, k, i), fn)
			}
		case slices.Contains(subschemaMapKwords, k):
			sm, _ := v.(map[string]any)
			for _, name := range slices.Sorted(maps.Keys(sm)) {
				walkSchemas(sm[name], loc+"/"+k+"/"+name, fn)
			}
		}
	}
}

// TestSchemaKeywordsSupported: every keyword in every schema file is one
// the compiled validator implements. A keyword it does not know would
// make Validate fail to compile the type (the compiler refuses unknown
// keywords rather than ignore them); this test names the keyword and the
// place, so that a schema edit and the compiler move together.
func TestSchemaKeywordsSupported(t *testing.T) {
	supported := map[string]bool{}
	for _, k := range compile.Keywords {
		supported[k] = true
	}
	used := map[string]int{}
	for name, doc := range schemaFiles(t) {
		walkSchemas(doc, name+"#", func(m map[string]any, loc string) {
			for k := range m {
				used[k]++
				if !supported[k] {
					t.Errorf("%s: keyword %q is not implemented by schemas/internal/compile", loc, k)
				}
			}
		})
	}
	for _, k := range compile.Keywords {
		if used[k] == 0 { // harmless, but the compiler should stay minimal
			t.Logf("keyword %q is implemented but no schema uses it any more", k)
		}
	}
	t.Logf("keywords used: %v", used)
}

// TestCompileRejectsUnknownKeyword: the guard behind the test above.
func TestCompileRejectsUnknownKeyword(t *testing.T) {
	for _, kw := range []string{"oneOf", "not", "patternProperties", "maxItems", "unevaluatedProperties", "$anchor", "dependentRequired", "multipleOf", "minimun"} {
		schema := map[string]any{"$schema": compile.Draft, "properties": map[string]any{"a": map[string]any{kw: json.Number("1")}}}
		if _, err := compile.Compile(schema, compile.Options{}); !errors.Is(err, compile.ErrUnsupported) {
			t.Errorf("keyword %q: Compile error %v, want ErrUnsupported", kw, err)
		}
	}
	if _, err := compile.Compile(map[string]any{"format": "hostname"}, compile.Options{}); !errors.Is(err, compile.ErrUnsupported) {
		t.Errorf("unknown format: %v, want ErrUnsupported", err)
	}
}

// TestEveryTypeCompiles compiles every type (as Validate does on first
// use).
func TestEveryTypeCompiles(t *testing.T) {
	for _, name := range wantTypes {
		if _, err := validator(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// ---- patterns: ECMA-262 (what JSON Schema specifies) vs RE2 (Go) ----

// patterns returns every "pattern" in the schema files, with where it is.
func patterns(t *testing.T) map[string]string {
	out := map[string]string{}
	for name, doc := range schemaFiles(t) {
		walkSchemas(doc, name+"#", func(m map[string]any, loc string) {
			if p, ok := m["pattern"].(string); ok {
				out[p] = loc
			}
		})
	}
	return out
}

// portable reports why pattern might mean something different as an
// ECMA-262 regular expression (with the u flag) than as Go RE2, or nil.
// Only a conservative subset passes: literals, bracket classes, groups,
// alternation, quantifiers, and ^ and $ (which match only at the ends of
// the input in both, without the m flag).
func portable(pattern string) error {
	for i := 0; i < len(pattern); i++ {
		switch pattern[i] {
		case '\\':
			if i+1 >= len(pattern) {
				return errors.New("trailing backslash")
			}
			i++
			// Escaped syntax characters are literals in both; \r \n \t are
			// the same control characters. \d \w \s \b \p, \x, \u and
			// friends differ or do not exist in one of them.
			if !strings.ContainsRune(`\/.-^$*+?()[]{}|rnt`, rune(pattern[i])) {
				return fmt.Errorf("escape \\%c", pattern[i])
			}
		case '(':
			if i+1 < len(pattern) && pattern[i+1] == '?' {
				return errors.New("(? groups (flags, lookaround, named groups) differ")
			}
		}
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return err
	}
	var check func(re *syntax.Regexp) error
	check = func(re *syntax.Regexp) error {
		switch re.Op {
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			return errors.New(`"." differs: ECMA-262 excludes \r, U+2028 and U+2029 too, RE2 only \n`)
		case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
			return fmt.Errorf("%v differs", re.Op)
		case syntax.OpLiteral, syntax.OpCharClass:
			if re.Flags&syntax.FoldCase != 0 {
				return errors.New("case folding")
			}
		case syntax.OpBeginText, syntax.OpEndText, syntax.OpConcat, syntax.OpAlternate, syntax.OpCapture,
			syntax.OpStar, syntax.OpPlus, syntax.OpQuest, syntax.OpRepeat, syntax.OpEmptyMatch:
		default:
			return fmt.Errorf("%v not in the portable subset", re.Op)
		}
		for _, sub := range re.Sub {
			if err := check(sub); err != nil {
				return err
			}
		}
		return nil
	}
	return check(re)
}

func TestPatternsPortable(t *testing.T) {
	ps := patterns(t)
	if len(ps) == 0 {
		t.Fatal("no patterns found")
	}
	for p, loc := range ps {
		if err := portable(p); err != nil {
			t.Errorf("%s: pattern %q is not portable between ECMA-262 and RE2: %v", loc, p, err)
		}
	}
	for p, reason := range map[string]string{
		`^a.b$`: "dot", `^\d+$`: "\\d", `^\s$`: "\\s", `^(?i)a$`: "flags", `^\bx$`: "\\b", `(?m)^a$`: "multiline",
		`^a(?=b)`: "lookahead", `^\x41$`: "\\x", `^\p{L}$`: "\\p",
	} {
		if portable(p) == nil {
			t.Errorf("portable(%q) accepted a pattern with %s", p, reason)
		}
	}
}

// TestPatternsMatchECMA runs every pattern in node.js (ECMA-262, with and
// without the u flag) and in Go on a corpus of probe strings, and compares.
// Skipped where node is not installed.
func TestPatternsMatchECMA(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node not installed")
	}
	ps := slices.Sorted(maps.Keys(patterns(t)))
	probes := patternProbes(ps)
	in, _ := json.Marshal(map[string]any{"patterns": ps, "probes": probes})
	dir := t.TempDir()
	input := filepath.Join(dir, "in.json")
	if err := os.WriteFile(input, in, 0o600); err != nil {
		t.Fatal(err)
	}
	script := `
const {patterns, probes} = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const out = patterns.map(p => { const u = new RegExp(p, 'u'), plain = new RegExp(p);
  return probes.map(s => [u.test(s), plain.test(s)]); });
process.stdout.write(JSON.stringify(out));`
	outb, err := exec.Command(node, "-e", script, input).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var results [][][2]bool
	if err := json.Unmarshal(outb, &results); err != nil {
		t.Fatal(err)
	}
	for i, p := range ps {
		re := regexp.MustCompile(p)
		for j, s := range probes {
			goRes := re.MatchString(s)
			if u, plain := results[i][j][0], results[i][j][1]; goRes != u || goRes != plain {
				t.Errorf("pattern %q on %q: Go %v, ECMA-262 with u flag %v, without %v", p, s, goRes, u, plain)
			}
		}
	}
	t.Logf("%d patterns × %d probes", len(ps), len(probes))
}

// patternProbes returns strings near what the patterns accept: every
// example string, and random edits of them with characters that regex
// dialects treat differently.
func patternProbes(ps []string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, d := range donors {
		if s, ok := d.(string); ok {
			add(s)
		}
	}
	for _, s := range stringPool {
		add(s)
	}
	base := slices.Clone(out)
	special := []rune("\r\n\t\u2028\u2029\u0085\u00a0 .-_/:+=()aZ09\u0e01é\U0001F600\x00\\$^")
	r := rand.New(rand.NewPCG(1, 2))
	for _, s := range base {
		for range 6 {
			rs := []rune(s)
			i := r.IntN(len(rs) + 1)
			switch r.IntN(3) {
			case 0:
				rs = slices.Insert(rs, i, special[r.IntN(len(special))])
			case 1:
				if i < len(rs) {
					rs[i] = special[r.IntN(len(special))]
				}
			default:
				rs = append(rs, special[r.IntN(len(special))])
			}
			add(string(rs))
		}
	}
	return out
}

// ---- numbers ----

// TestValidateHugeNumbers: numbers beyond float64 (and beyond math/big's
// exponent range) are compared exactly, quickly, and without panicking.
// (The reference validator panics on some of these: a nil *big.Rat.)
func TestValidateHugeNumbers(t *testing.T) {
	tests := []struct {
		field, number string
		wantReason    string
	}{
		{"/summary/gpax", "1e1000000", "gpax_exceeds_scale"},
		{"/summary/gpax", "1e400000000000", "gpax_exceeds_scale"},
		{"/summary/gpax", "-1e400000000000", "minimum"},
		{"/summary/gpax", "0e200000000000000000000", ""},
		{"/summary/gpax", "3.99999999999999999999999999", ""},
		{"/summary/gpax", "4.00000000000000000000000001", "gpax_exceeds_scale"},
		{"/summary/scale", "100.00000000000000000000001", "maximum"},
		{"/summary/scale", "1e-400000000000", ""}, // > 0; gpax 3.42 then exceeds it
		{"/summary/totalCredits", "1e999999999999", ""},
	}
	for _, tt := range tests {
		doc := example(t, "DegreeCredential")
		edit(t, doc, cs+tt.field, json.Number(tt.number), false)
		err := Validate("DegreeCredential", doc)
		got := ""
		var ve *ValidationError
		if errors.As(err, &ve) {
			got = ve.Reason
		}
		want := tt.wantReason
		if tt.field == "/summary/scale" && tt.number == "1e-400000000000" {
			want = "gpax_exceeds_scale"
		}
		if got != want {
			t.Errorf("%s = %s: %v, want reason %q", tt.field, tt.number, err, want)
		}
	}
}

// ---- allocations and determinism ----

func TestValidateDoesNotAllocate(t *testing.T) {
	for _, name := range wantTypes {
		doc := example(t, name)
		if err := Validate(name, doc); err != nil {
			t.Fatal(err)
		}
		if n := testing.AllocsPerRun(50, func() { _ = Validate(name, doc) }); n != 0 {
			t.Errorf("%s: %v allocations per Validate", name, n)
		}
	}
}

// TestBEDatesDeterministic: with several Buddhist-Era problems the same
// one (the deepest, then the smallest pointer) is reported every time.
func TestBEDatesDeterministic(t *testing.T) {
	for i := 0; i < 50; i++ {
		doc := example(t, "ThaiCitizenCredential")
		edit(t, doc, cs+"/birthDateBE", "25320812", false)
		edit(t, doc, cs+"/card/issueDateBE", "25650316", false)
		edit(t, doc, cs+"/card/expiryDateBE", "25730812", false)
		var ve *ValidationError
		if err := Validate("ThaiCitizenCredential", doc); !errors.As(err, &ve) || ve.Field != cs+"/card/expiryDateBE" || ve.Reason != ReasonBEDateMismatch {
			t.Fatalf("run %d: %v, want be_date_mismatch at %s/card/expiryDateBE", i, err, cs)
		}
	}
}

// TestValidateConcurrent: many goroutines validating every type at once,
// from the first use (run with -race; the compiled types are shared).
func TestValidateConcurrent(t *testing.T) {
	docs := map[string][]byte{}
	for _, ty := range Types() {
		docs[ty.Name] = ty.Example
	}
	errc := make(chan error, 4*len(wantTypes))
	for i := range 4 * len(wantTypes) {
		name := wantTypes[i%len(wantTypes)]
		go func() {
			var doc map[string]any
			d := json.NewDecoder(strings.NewReader(string(docs[name])))
			d.UseNumber()
			if err := d.Decode(&doc); err != nil {
				errc <- err
				return
			}
			for range 20 {
				if err := Validate(name, doc); err != nil {
					errc <- fmt.Errorf("%s: %w", name, err)
					return
				}
			}
			errc <- nil
		}()
	}
	for range 4 * len(wantTypes) {
		if err := <-errc; err != nil {
			t.Error(err)
		}
	}
}
