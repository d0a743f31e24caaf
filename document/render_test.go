package document_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

func TestRenderScratch(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA)
	r, err := document.NewRenderer(document.Config{VerifyURL: "https://verify.thaitrust.example/verify", Now: vi.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range document.Templates() {
		token, c := vi.IssueExample(t, typ)
		d, err := r.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(token), Credential: c})
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		os.WriteFile(filepath.Join("/tmp", typ+".pdf"), d.PDF, 0o644)
		t.Logf("%s: %d bytes", typ, len(d.PDF))
	}
}
