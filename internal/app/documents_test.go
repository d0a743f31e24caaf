package app_test

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"testing"

	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/verifier"
)

// TestDocuments issues a degree with options.pdf over the VC API,
// verifies the PDF by upload, and checks what is refused.
func TestDocuments(t *testing.T) {
	s := startServer(t)
	example := func(typ string) map[string]any {
		ty, _ := schemas.Lookup(typ)
		var doc map[string]any
		json.Unmarshal(ty.Example, &doc)
		return doc
	}
	r := s.do(t, request{method: "POST", path: "/issuers/university/credentials/issue", token: demoToken,
		body: map[string]any{"credential": example("DegreeCredential"), "options": map[string]any{"pdf": true}}}).want(t, 201).JSON(t)
	pdf, err := base64.StdEncoding.DecodeString(r["pdf"].(string))
	if err != nil || len(pdf) < 1000 {
		t.Fatalf("pdf: %v", err)
	}
	if os.Getenv("THAITRUST_KEEP_PDF") != "" {
		os.WriteFile(os.Getenv("THAITRUST_KEEP_PDF"), pdf, 0o644)
	}
	check := func(body any, header map[string]string) map[string]any {
		res := s.do(t, request{method: "POST", path: "/documents/verify", body: body, header: header}).want(t, 200).JSON(t)
		return res
	}
	res := check(pdf, map[string]string{"Content-Type": verifier.MediaTypePDF})
	if res["verified"] != true || res["format"] != "pdf" || res["type"] != "DegreeCredential" {
		t.Fatalf("verify: %v", res)
	}
	res = check(map[string]any{"document": base64.StdEncoding.EncodeToString(pdf)}, nil)
	if res["verified"] != true {
		t.Fatalf("verify (JSON): %v", res)
	}
	// Revoking the credential fails the document.
	s.do(t, request{method: "POST", path: "/issuers/university/credentials/status", token: demoToken,
		body: map[string]any{"credentialId": r["credentialId"], "action": "revoke"}}).want(t, 200)
	res = check(pdf, map[string]string{"Content-Type": verifier.MediaTypePDF})
	if res["verified"] != false || res["errors"].([]any)[0].(map[string]any)["reason"] != "revoked" {
		t.Fatalf("revoked: %v", res)
	}
	// A type without a template is refused before anything is issued.
	s.do(t, request{method: "POST", path: "/issuers/dopa/credentials/issue", token: demoToken,
		body: map[string]any{"credential": example("ThaiCitizenCredential"), "options": map[string]any{"pdf": true}}}).problem(t, 400, "pdf_no_template")
	s.do(t, request{method: "POST", path: "/documents/verify", body: []byte("not a pdf"), header: map[string]string{"Content-Type": verifier.MediaTypePDF}}).problem(t, 400, "not_pdf")
	// The TSA answers RFC 3161 requests.
	if got := s.do(t, request{method: "POST", path: "/tsa", body: []byte{0x30, 0}, header: map[string]string{"Content-Type": "application/timestamp-query"}}); got.Status != 200 || got.Header.Get("Content-Type") != "application/timestamp-reply" {
		t.Fatalf("tsa: %d %v", got.Status, got.Header)
	}
}
