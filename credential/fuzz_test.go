package credential

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/testdata"
)

// addSeeds adds the package's test documents and, when the shared folder
// is present, the W3C VCDM 2.0 test-suite inputs whose name has prefix.
func addSeeds(f *testing.F, prefix string) {
	for _, name := range []string{"testdata/degree.json", "testdata/presentation.json"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
	}
	dir := filepath.Join(testdata.Shared(), "vectors", "vcdm2-test-suite-inputs")
	_ = filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasPrefix(d.Name(), prefix) {
			if data, err := os.ReadFile(path); err == nil {
				f.Add(data)
			}
		}
		return nil
	})
}

func checkFuzzError(t *testing.T, err error) {
	t.Helper()
	var ve *ValidationError
	if !errors.Is(err, ErrInvalid) || !errors.As(err, &ve) || ve.Reason == "" || !strings.HasPrefix(err.Error(), "credential: ") {
		t.Fatalf("error %v is not a well-formed *ValidationError", err)
	}
}

// FuzzParse: an error comes with a nil credential; an accepted credential
// re-marshals and re-parses to an equal view.
func FuzzParse(f *testing.F) {
	addSeeds(f, "")
	f.Add([]byte(`{"@context":["https://www.w3.org/ns/credentials/v2",{"@protected":true,"A":"https://a/1"},{"A":"https://a/2"}],"type":["VerifiableCredential","A"],"issuer":"did:a:b","credentialSubject":{"x":1}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err != nil {
			if c != nil {
				t.Fatalf("error %v with non-nil credential", err)
			}
			checkFuzzError(t, err)
			return
		}
		out, err := c.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		c2, err := Parse(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if !sameView(c, c2) {
			t.Fatalf("views differ after round trip through %s", out)
		}
	})
}

// FuzzParsePresentation: as FuzzParse, for presentations.
func FuzzParsePresentation(f *testing.F) {
	addSeeds(f, "presentation-")
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePresentation(data)
		if err != nil {
			if p != nil {
				t.Fatalf("error %v with non-nil presentation", err)
			}
			checkFuzzError(t, err)
			return
		}
		out, err := p.MarshalJSON()
		if err != nil {
			t.Fatalf("MarshalJSON: %v", err)
		}
		p2, err := ParsePresentation(out)
		if err != nil {
			t.Fatalf("re-parse of %s: %v", out, err)
		}
		if !reflect.DeepEqual(p.Context, p2.Context) || p.ID != p2.ID || p.Holder != p2.Holder ||
			!reflect.DeepEqual(p.Types, p2.Types) || !reflect.DeepEqual(p.Map(), p2.Map()) ||
			len(p.Credentials) != len(p2.Credentials) {
			t.Fatalf("views differ after round trip through %s", out)
		}
		for i := range p.Credentials {
			a, b := p.Credentials[i], p2.Credentials[i]
			switch {
			case a.Credential != nil:
				if b.Credential == nil || !sameView(a.Credential, b.Credential) {
					t.Fatalf("credential %d differs", i)
				}
			case a.Enveloped == nil || b.Enveloped == nil || *a.Enveloped != *b.Enveloped:
				t.Fatalf("enveloped credential %d differs", i)
			}
		}
	})
}

// FuzzParseDataURL: an error comes with the zero Enveloped; an accepted
// URL's canonical form parses back to the same value.
func FuzzParseDataURL(f *testing.F) {
	for _, s := range []string{
		"data:application/vc+jwt," + jws, "data:application/vc-ld+jwt;base64url,a.b.c",
		"data:application/vc+cose;base64,2IRDoQEm", "data:text/plain;charset=utf-8,%E0%B8%81",
		"data:application/vc+sd-jwt,a.b.c~d~", "data:,x", "data:a/b;base64,", "https://x",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := ParseDataURL(s)
		if err != nil {
			if e != (Enveloped{}) {
				t.Fatalf("error %v with non-zero result %#v", err, e)
			}
			checkFuzzError(t, err)
			return
		}
		if e.MediaType == "" || e.Data == "" {
			t.Fatalf("accepted %q with empty parts: %#v", s, e)
		}
		u := e.URL()
		e2, err := ParseDataURL(u)
		if err != nil || e2 != e {
			t.Fatalf("ParseDataURL(%q) = %#v; its URL %q parses to %#v, %v", s, e, u, e2, err)
		}
		if u2 := e2.URL(); u2 != u {
			t.Fatalf("URL not canonical: %q then %q", u, u2)
		}
	})
}
