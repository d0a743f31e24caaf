package document_test

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/signing/pades"
)

// BenchmarkRenderSign renders a degree certificate and signs it at B-T
// with the TSA in process (the issue's budget: under 100 ms).
func BenchmarkRenderSign(b *testing.B) {
	for _, level := range []string{pades.LevelBT, pades.LevelBLT} {
		b.Run(level, func(b *testing.B) {
			e := newEnv(b, level)
			token, c := e.vi.IssueExample(b, "DegreeCredential")
			var size int
			for b.Loop() {
				d, err := e.renderer.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(token), Credential: c})
				if err != nil {
					b.Fatal(err)
				}
				signed, err := e.signer.Sign(context.Background(), d.PDF)
				if err != nil {
					b.Fatal(err)
				}
				size = len(signed)
			}
			b.ReportMetric(float64(size), "bytes/pdf")
		})
	}
}

// BenchmarkRender is rendering alone.
func BenchmarkRender(b *testing.B) {
	e := newEnv(b, pades.LevelBB)
	token, c := e.vi.IssueExample(b, "TranscriptCredential")
	for b.Loop() {
		if _, err := e.renderer.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(token), Credential: c}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerify verifies a signed B-LT degree certificate, including
// the embedded credential (signature, schema, status from memory, trust)
// (the issue's budget: under 20 ms).
func BenchmarkVerify(b *testing.B) {
	e := newEnv(b, pades.LevelBLT)
	signed, _, _ := e.issue(b, "DegreeCredential")
	for b.Loop() {
		if r := e.verify(b, signed); !r.Verified {
			b.Fatal(r.Reason())
		}
	}
}
