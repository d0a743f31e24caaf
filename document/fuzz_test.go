package document_test

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/signing/pades"
)

// FuzzVerify feeds mutated signed documents to Verify: it must not panic,
// and an error (only for bad options) means no result.
func FuzzVerify(f *testing.F) {
	e := newEnv(f, pades.LevelBLT)
	signed, _, _ := e.issue(f, "DegreeCredential")
	f.Add(signed)
	f.Add(signed[:len(signed)/2])
	opts := document.VerifyOptions{
		Roots: e.kit.Roots, Now: e.vi.Clock.Now,
		VerifyCredential: func(context.Context, string, []byte) document.CredentialOutcome {
			return document.CredentialOutcome{Reason: "not_checked"}
		},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := document.Verify(context.Background(), data, opts)
		if err != nil {
			if r != nil {
				t.Fatal("error with a result")
			}
			return
		}
		if r.Verified {
			t.Fatal("verified with a stub that verifies no credential")
		}
	})
}

func FuzzParseXMP(f *testing.F) {
	f.Add([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:thaitrust="` + document.NamespaceXMP + `"><thaitrust:sha256>ab</thaitrust:sha256></rdf:Description></rdf:RDF></x:xmpmeta>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := document.ParseXMP(data)
		if err != nil && m != (document.Metadata{}) {
			t.Fatal("error with metadata")
		}
	})
}
