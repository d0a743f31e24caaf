package schemas

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// BenchmarkValidate measures Validate on the DegreeCredential example,
// decoded once with json.Decoder.UseNumber (as the verifier's parser
// does). Budget: Validate runs on every verification; all non-signature
// work has about 25 µs, and the target for Validate is 5 µs with no
// allocations.
func BenchmarkValidate(b *testing.B) {
	doc := example(b, "DegreeCredential")
	if err := Validate("DegreeCredential", doc); err != nil { // also compiles once
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate("DegreeCredential", doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateReference is the same document through the reference
// (santhosh-tekuri/jsonschema on the schemas with inlined references, and
// the error conversion: what Validate did before it had its own compiled
// validator).
func BenchmarkValidateReference(b *testing.B) {
	doc := example(b, "DegreeCredential")
	set := compiled()
	if err := referenceValidate(set, "DegreeCredential", doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := referenceValidate(set, "DegreeCredential", doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateReferencePublished: the reference on the schema as
// published ($refs not inlined).
func BenchmarkValidateReferencePublished(b *testing.B) {
	doc := example(b, "DegreeCredential")
	set := published()
	b.ReportAllocs()
	for b.Loop() {
		if err := referenceValidate(set, "DegreeCredential", doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkValidateTypes runs every example, one sub-benchmark per type.
func BenchmarkValidateTypes(b *testing.B) {
	for _, name := range wantTypes {
		b.Run(name, func(b *testing.B) {
			doc := example(b, name)
			if err := Validate(name, doc); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if err := Validate(name, doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkValidateInvalid: the error path (a second, complete pass that
// chooses the problem to report).
func BenchmarkValidateInvalid(b *testing.B) {
	doc := example(b, "DegreeCredential")
	edit(b, doc, cs+"/student/pid", "1103701234564", false)
	b.ReportAllocs()
	for b.Loop() {
		if err := Validate("DegreeCredential", doc); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkValidateInvalidReference: the same through the reference.
func BenchmarkValidateInvalidReference(b *testing.B) {
	doc := example(b, "DegreeCredential")
	edit(b, doc, cs+"/student/pid", "1103701234564", false)
	set := compiled()
	b.ReportAllocs()
	for b.Loop() {
		if err := referenceValidate(set, "DegreeCredential", doc); err == nil {
			b.Fatal("no error")
		}
	}
}

// BenchmarkCompile measures compiling the whole catalogue (done once per
// type, on its first Validate).
func BenchmarkCompile(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		for _, name := range wantTypes {
			if _, err := compileType(name); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCompileReference: the reference library compiling the
// catalogue.
func BenchmarkCompileReference(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if set := compileAll(true); len(set.errs) != 0 {
			b.Fatal(set.errs)
		}
	}
}

func BenchmarkValidCitizenID(b *testing.B) {
	for b.Loop() {
		if err := ValidCitizenID("1501400317847"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBEDate(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseBEDate("25330812"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeDegree is a baseline: decoding the same example with
// encoding/json and UseNumber.
func BenchmarkDecodeDegree(b *testing.B) {
	ty, _ := Lookup("DegreeCredential")
	b.ReportAllocs()
	for b.Loop() {
		d := json.NewDecoder(bytes.NewReader(ty.Example))
		d.UseNumber()
		var doc map[string]any
		if err := d.Decode(&doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTraversalFloor is the reference library's floor for this
// document: a schema that mirrors the document's shape and checks only
// "type" at each value (no formats, patterns, required, enums). The
// compiled validator does all the checks in less.
func BenchmarkTraversalFloor(b *testing.B) {
	doc := example(b, "DegreeCredential")
	sch := compileTypeOnly(b, doc)
	b.ReportAllocs()
	for b.Loop() {
		if err := sch.Validate(any(doc)); err != nil {
			b.Fatal(err)
		}
	}
}

func compileTypeOnly(b *testing.B, doc map[string]any) *jsonschema.Schema {
	c := jsonschema.NewCompiler()
	if err := c.AddResource("https://thaitrust.example/schemas/floor.json", typeOnly(doc)); err != nil {
		b.Fatal(err)
	}
	sch, err := c.Compile("https://thaitrust.example/schemas/floor.json")
	if err != nil {
		b.Fatal(err)
	}
	return sch
}

// typeOnly returns a schema that mirrors v's shape with only "type" checks.
func typeOnly(v any) any {
	switch v := v.(type) {
	case map[string]any:
		props := map[string]any{}
		for k, x := range v {
			props[k] = typeOnly(x)
		}
		return map[string]any{"type": "object", "properties": props}
	case []any:
		if len(v) == 0 {
			return map[string]any{"type": "array"}
		}
		return map[string]any{"type": "array", "items": typeOnly(v[0])}
	case string:
		return map[string]any{"type": "string"}
	case bool:
		return map[string]any{"type": "boolean"}
	}
	return map[string]any{"type": "number"}
}

// BenchmarkValidateBudget times Validate on the degree example, the
// reference and two baselines in the same process, and reports Validate's
// time and allocations, how many times faster than the reference it is,
// its ratio to a JSON decode of the same document, and its share of the
// 5 µs target and of the 25 µs budget for all non-signature work. (Its
// ns/op is the cost of one round of measurements, not a result.)
func BenchmarkValidateBudget(b *testing.B) {
	ty, _ := Lookup("DegreeCredential")
	doc := example(b, "DegreeCredential")
	floor := compileTypeOnly(b, doc)
	set := compiled()
	validate := func() {
		if err := Validate("DegreeCredential", doc); err != nil {
			b.Fatal(err)
		}
	}
	reference := func() {
		if err := referenceValidate(set, "DegreeCredential", doc); err != nil {
			b.Fatal(err)
		}
	}
	decode := func() {
		d := json.NewDecoder(bytes.NewReader(ty.Example))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			b.Fatal(err)
		}
	}
	traverse := func() {
		if err := floor.Validate(any(doc)); err != nil {
			b.Fatal(err)
		}
	}
	validate() // compile once
	reference()
	for b.Loop() {
		v, r, d, f := perOp(validate), perOp(reference), perOp(decode), perOp(traverse)
		b.ReportMetric(v, "validate-ns")
		b.ReportMetric(testing.AllocsPerRun(100, validate), "validate-allocs")
		b.ReportMetric(r, "reference-ns")
		b.ReportMetric(testing.AllocsPerRun(100, reference), "reference-allocs")
		b.ReportMetric(r/v, "x-faster")
		b.ReportMetric(d, "decode-ns")
		b.ReportMetric(f, "library-floor-ns")
		b.ReportMetric(v/d, "x-vs-decode")
		b.ReportMetric(v/5000, "target-share")
		b.ReportMetric(v/25000, "budget-share")
	}
}

// perOp runs f for about 200 ms and returns nanoseconds per call.
func perOp(f func()) float64 {
	n := 0
	start := time.Now()
	for time.Since(start) < 200*time.Millisecond {
		for i := 0; i < 100; i++ {
			f()
		}
		n += 100
	}
	return float64(time.Since(start).Nanoseconds()) / float64(n)
}
