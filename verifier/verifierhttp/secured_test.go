package verifierhttp_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

const jws = "eyJhbGciOiJFZERTQSJ9.eyJhIjoxfQ.c2ln"

func TestSecured(t *testing.T) {
	env := credential.Envelope(jose.MediaTypeCredential, jws)
	tests := []struct {
		name      string
		in        any
		wantMT    string
		wantData  string
		wantError bool
	}{
		{"enveloped object", env, jose.MediaTypeCredential, jws, false},
		{"enveloped, type in an array", map[string]any{"id": env["id"], "type": []any{credential.TypeEnvelopedCredential}}, jose.MediaTypeCredential, jws, false},
		{"data URL", "data:application/vc+jwt," + jws, jose.MediaTypeCredential, jws, false},
		{"data URL with space around", "  data:application/vc+jwt," + jws + "\n", jose.MediaTypeCredential, jws, false},
		{"other media type kept", "data:application/dc+sd-jwt," + jws, "application/dc+sd-jwt", jws, false},
		{"bare JWS", jws, jose.MediaTypeCredential, jws, false},
		{"presentation envelope where a credential is wanted", map[string]any{"id": env["id"], "type": credential.TypeEnvelopedPresentation}, "", "", true},
		{"object without type", map[string]any{"id": env["id"]}, "", "", true},
		{"envelope without id", map[string]any{"type": credential.TypeEnvelopedCredential}, "", "", true},
		{"envelope with a non-data id", map[string]any{"type": credential.TypeEnvelopedCredential, "id": "https://example.com/vc"}, "", "", true},
		{"unsecured credential", map[string]any{"type": []any{"VerifiableCredential"}, "credentialSubject": map[string]any{"a": 1}}, "", "", true},
		{"text", "hello", "", "", true},
		{"two dots but not a string of a JWS", 1.5, "", "", true},
		{"array", []any{jws}, "", "", true},
		{"null", nil, "", "", true},
		{"bad data URL", "data:application/vc+jwt", "", "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mt, data, err := verifierhttp.Secured(tc.in, credential.TypeEnvelopedCredential, jose.MediaTypeCredential)
			if tc.wantError {
				if err == nil {
					t.Fatalf("accepted as %q %q", mt, data)
				}
				if mt != "" || data != "" {
					t.Errorf("error with a result %q %q", mt, data)
				}
				return
			}
			if err != nil || mt != tc.wantMT || data != tc.wantData {
				t.Fatalf("got %q %q %v, want %q %q", mt, data, err, tc.wantMT, tc.wantData)
			}
		})
	}
}

// FuzzSecured: a string input either yields a media type and data or an
// error with nothing else.
func FuzzSecured(f *testing.F) {
	for _, s := range []string{jws, "data:application/vc+jwt," + jws, "data:application/vc+jwt;base64,ZXlK", "data:,", "a.b.c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		mt, data, err := verifierhttp.Secured(s, credential.TypeEnvelopedCredential, jose.MediaTypeCredential)
		if err != nil && (mt != "" || data != "") {
			t.Fatalf("error %v with a result %q %q", err, mt, data)
		}
		if err == nil && mt == "" {
			t.Fatalf("no media type for %q", s)
		}
	})
}
