package credential

import (
	"os"
	"testing"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// BenchmarkFromMap is the structural validation that runs on every
// verification, beyond the JSON parse (budget: well under 2 µs for a 2 KB
// credential).
func BenchmarkFromMap(b *testing.B) {
	doc := loadDoc(b, "degree.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromMap(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFromMapInlineContext is FromMap on a credential whose types are
// defined by an inline context (the slower path of the context checks).
func BenchmarkFromMapInlineContext(b *testing.B) {
	doc := loadDoc(b, "degree.json")
	doc["@context"] = []any{ContextV2, map[string]any{
		"@protected":           true,
		"DegreeCredential":     "https://thaitrust.example/ns#DegreeCredential",
		"DocumentVerification": "https://thaitrust.example/ns#DocumentVerification",
		"student":              map[string]any{"@id": "https://thaitrust.example/ns#student", "@type": "@id"},
	}}
	if _, err := FromMap(doc); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := FromMap(doc); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParse is jsonx.ParseObject plus FromMap.
func BenchmarkParse(b *testing.B) {
	data, err := os.ReadFile("testdata/degree.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePresentation(b *testing.B) {
	data, err := os.ReadFile("testdata/presentation.json")
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParsePresentation(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseDataURL(b *testing.B) {
	s := "data:application/vc+jwt," + jws
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseDataURL(s); err != nil {
			b.Fatal(err)
		}
	}
}

// TestFromMapAllocations keeps FromMap at one allocation for the usual
// credential (the Credential itself).
func TestFromMapAllocations(t *testing.T) {
	data, err := os.ReadFile("testdata/degree.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonx.ParseObject(data)
	if err != nil {
		t.Fatal(err)
	}
	n := testing.AllocsPerRun(100, func() {
		if _, err := FromMap(doc); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("FromMap allocates %.0f times, want 1", n)
	}
}
