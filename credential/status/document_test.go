package status

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/testdata"
)

func TestEntry(t *testing.T) {
	got := Entry("https://example.com/credentials/status/3", PurposeRevocation, 94567)
	want := map[string]any{
		"id":                   "https://example.com/credentials/status/3#94567",
		"type":                 "BitstringStatusListEntry",
		"statusPurpose":        "revocation",
		"statusListIndex":      "94567",
		"statusListCredential": "https://example.com/credentials/status/3",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Entry() = %v, want %v", got, want)
	}
}

// TestEntryVectors rebuilds the credentialStatus entries of the
// specification's examples 1 and 4.
func TestEntryVectors(t *testing.T) {
	dir := testdata.Vectors(t, "bitstring-status-list")
	for _, name := range []string{"spec-example-1-vc-two-entries.json", "spec-example-4-revocable-vc.json"} {
		t.Run(name, func(t *testing.T) {
			var doc map[string]any
			data, err := os.ReadFile(filepath.Join(dir, name))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			entries, ok := doc["credentialStatus"].([]any)
			if !ok {
				entries = []any{doc["credentialStatus"]}
			}
			for _, e := range entries {
				m := e.(map[string]any)
				var idx uint64
				if err := json.Unmarshal([]byte(m["statusListIndex"].(string)), &idx); err != nil {
					t.Fatal(err)
				}
				got := Entry(m["statusListCredential"].(string), m["statusPurpose"].(string), idx)
				if !reflect.DeepEqual(got, m) {
					t.Errorf("Entry() = %v, want %v", got, m)
				}
			}
		})
	}
}

func TestListCredential(t *testing.T) {
	bits := mustNew(t, MinSize)
	bits.Set(42, true)
	from := time.Date(2026, 1, 2, 10, 4, 5, 999, time.FixedZone("ICT", 7*3600))
	until := from.Add(24 * time.Hour)
	doc := ListCredential("https://issuer.example/status/1", "did:web:issuer.example", PurposeSuspension, bits, from, until)

	enc, _ := bits.Encode()
	want := map[string]any{
		"@context":   []any{"https://www.w3.org/ns/credentials/v2"},
		"id":         "https://issuer.example/status/1",
		"type":       []any{"VerifiableCredential", "BitstringStatusListCredential"},
		"issuer":     "did:web:issuer.example",
		"validFrom":  "2026-01-02T03:04:05Z",
		"validUntil": "2026-01-03T03:04:05Z",
		"credentialSubject": map[string]any{
			"id":            "https://issuer.example/status/1#list",
			"type":          "BitstringStatusList",
			"statusPurpose": "suspension",
			"encodedList":   enc,
		},
	}
	if !reflect.DeepEqual(doc, want) {
		t.Fatalf("ListCredential() =\n%v\nwant\n%v", doc, want)
	}

	// JSON round trip keeps it the same (it is made of JSON values only).
	data, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back, want) {
		t.Fatal("ListCredential document changes through JSON")
	}
	decoded, err := DecodeList(back["credentialSubject"].(map[string]any)["encodedList"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := decoded.Get(42); !v {
		t.Fatal("bit 42 lost")
	}

	// Zero times are left out.
	doc = ListCredential("https://issuer.example/status/1", "did:web:issuer.example", PurposeRevocation, bits, time.Time{}, time.Time{})
	if _, ok := doc["validFrom"]; ok {
		t.Error("validFrom present for zero time")
	}
	if _, ok := doc["validUntil"]; ok {
		t.Error("validUntil present for zero time")
	}
}
