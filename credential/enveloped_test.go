package credential

import (
	"errors"
	"reflect"
	"testing"
)

const jws = "eyJhbGciOiJFUzI1NiIsInR5cCI6InZjK2p3dCJ9.eyJpc3MiOiJkaWQ6d2ViOmRvcGEuZ28udGgifQ.sig-_"

func TestParseDataURL(t *testing.T) {
	tests := []struct {
		in   string
		want Enveloped
	}{
		{"data:application/vc+jwt," + jws, Enveloped{"application/vc+jwt", jws}},
		{"data:application/vc-ld+jwt;base64url," + jws, Enveloped{"application/vc-ld+jwt", jws}},
		{"data:application/vc+sd-jwt,eyJ.eyJ.sig~WyJzYWx0Il0~", Enveloped{"application/vc+sd-jwt", "eyJ.eyJ.sig~WyJzYWx0Il0~"}},
		{"data:application/vc+cose;base64,2IRDoQEm", Enveloped{"application/vc+cose", "\xd8\x84\x43\xa1\x01\x26"}},
		{"DATA:application/vc+jwt;BASE64URL,a.b.c", Enveloped{"application/vc+jwt", "a.b.c"}},
		{"data:text/plain;charset=utf-8,%E0%B8%81%20x", Enveloped{"text/plain;charset=utf-8", "ก x"}},
		{"data:text/plain;charset=utf-8;base64,4LiB", Enveloped{"text/plain;charset=utf-8", "ก"}},
		{"data:Application/VC+JWT;Charset=UTF-8,a.b.c", Enveloped{"application/vc+jwt;Charset=UTF-8", "a.b.c"}},
	}
	for _, tc := range tests {
		got, err := ParseDataURL(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseDataURL(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
			continue
		}
		again, err := ParseDataURL(got.URL())
		if err != nil || again != got {
			t.Errorf("ParseDataURL(%q.URL() = %q) = %#v, %v", tc.in, got.URL(), again, err)
		}
	}
	bad := []string{
		"", "data:", "data:application/vc+jwt", "https://ex.org/a,b", "data:,abc", "data:;base64,YQ==",
		"data:application,abc", "data:/jwt,abc", "data:application/,abc", "data:application/vc+jwt,",
		"data:application/vc jwt,abc", "data:application/vc+jwt;charset,abc", "data:application/vc+jwt;base64,YQ",
		"data:application/vc+jwt;base64,!!!!", "data:application/vc+jwt;base64url,a.b=", "data:application/vc+jwt;base64url,a b",
		"data:application/vc+jwt,a b", "data:application/vc+jwt,%zz", "data:application/vc+jwt,%4", "data:application/vc+jwt,ก",
		"data:application/vc+jwt;base64,", "data:application/vc+jwt;base64url,",
	}
	for _, s := range bad {
		got, err := ParseDataURL(s)
		if err == nil {
			t.Errorf("ParseDataURL(%q) = %#v, want error", s, got)
			continue
		}
		if got != (Enveloped{}) {
			t.Errorf("ParseDataURL(%q) returned %#v with an error", s, got)
		}
		var ve *ValidationError
		if !errors.Is(err, ErrInvalid) || !errors.As(err, &ve) || ve.Reason != ReasonEnvelopedInvalid {
			t.Errorf("ParseDataURL(%q) error = %v", s, err)
		}
	}
}

func TestEnvelopedURL(t *testing.T) {
	if got := (Enveloped{"application/vc+jwt", jws}).URL(); got != "data:application/vc+jwt,"+jws {
		t.Errorf("URL() = %q", got)
	}
	if got := (Enveloped{"application/vc+cose", "\x00\x01"}).URL(); got != "data:application/vc+cose;base64,AAE=" {
		t.Errorf("URL() = %q", got)
	}
}

func TestEnvelope(t *testing.T) {
	got := Envelope("application/vc+jwt", jws)
	want := map[string]any{
		"@context": ContextV2,
		"id":       "data:application/vc+jwt," + jws,
		"type":     "EnvelopedVerifiableCredential",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Envelope = %#v", got)
	}
	p, err := PresentationFromMap(map[string]any{
		"@context":             []any{ContextV2},
		"type":                 "VerifiablePresentation",
		"verifiableCredential": got,
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Credentials) != 1 || p.Credentials[0].Enveloped == nil || *p.Credentials[0].Enveloped != (Enveloped{"application/vc+jwt", jws}) {
		t.Fatalf("Credentials = %#v", p.Credentials)
	}
}
