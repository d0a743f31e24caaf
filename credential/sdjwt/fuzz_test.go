package sdjwt

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"github.com/thaitrust/thaitrust/internal/testdata"
	"github.com/thaitrust/thaitrust/signing"
)

// seedVectors adds every issued SD-JWT and presentation of the shared
// vectors, when they are present.
func seedVectors(f *testing.F) {
	root := filepath.Join(testdata.Shared(), "vectors", "sd-jwt")
	files, _ := filepath.Glob(filepath.Join(root, "*", "*.json"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		m := map[string]any{}
		if err := json.Unmarshal(b, &m); err != nil {
			continue
		}
		for _, k := range []string{"sd_jwt_issuance", "sd_jwt_presentation"} {
			if s, ok := m[k].(string); ok {
				f.Add(s)
			}
		}
	}
}

// FuzzParse: Parse never panics, an error comes with a nil result and is
// an *Error, and a parsed SD-JWT presents (everything, or nothing) into
// something Parse accepts again with the same claims.
func FuzzParse(f *testing.F) {
	fx := newFixture(f)
	iss := fx.degreeVC(f, degreeSpec, IssueOptions{})
	f.Add(iss)
	f.Add(mustPresent(f, fx))
	f.Add("a.b.c~")
	f.Add(`{"payload":"e30","protected":"eyJhbGciOiJFZERTQSJ9","signature":"","header":{"disclosures":["WyJzIiwiYSIsMV0"]}}`)
	seedVectors(f)
	f.Fuzz(func(t *testing.T, s string) {
		sd, err := Parse(s)
		if err != nil {
			if sd != nil {
				t.Fatal("error with a result")
			}
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error is not *Error: %v", err)
			}
			return
		}
		_ = sd.Disclosable()
		claims := sd.Claims()
		if sd.KBJWT != nil {
			return
		}
		all, err := sd.Present([]string{""}, nil)
		if err != nil {
			t.Fatalf("Present(all): %v", err)
		}
		again, err := Parse(all)
		if err != nil {
			t.Fatalf("Parse(Present(all)): %v\n%q", err, all)
		}
		if !reflect.DeepEqual(again.Claims(), claims) || len(again.Disclosures) != len(sd.Disclosures) {
			t.Fatalf("Present(all) changed the claims")
		}
		none, err := sd.Present(nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if again, err = Parse(none); err != nil || len(again.Disclosures) != 0 {
			t.Fatalf("Parse(Present(none)): %v", err)
		}
	})
}

// FuzzDisclosure: ParseDisclosure never panics, fails with a zero result,
// and what it accepts re-encodes to a disclosure with the same content.
func FuzzDisclosure(f *testing.F) {
	for _, s := range []string{
		"WyIyR0xDNDJzS1F2ZUNmR2ZyeU5STjl3IiwgImdpdmVuX25hbWUiLCAiSm9obiJd",
		"WyJsa2x4RjVqTVlsR1RQVW92TU5JdkNBIiwgIlVTIl0",
		"WyJzIiwiYSIse30sMV0", "e30", "", "!!",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDisclosure(s, SHA256)
		if err != nil {
			if !reflect.DeepEqual(d, Disclosure{}) {
				t.Fatal("error with a result")
			}
			if !isReason(err, ReasonDisclosureMalformed) {
				t.Fatalf("reason: %v", err)
			}
			return
		}
		if d.Encoded != s || d.Digest != SHA256.Digest(s) {
			t.Fatal("Encoded or Digest wrong")
		}
		var name *string
		if !d.Element {
			name = &d.Name
		}
		enc, err := encodeDisclosure(d.Salt, name, d.Value)
		if err != nil {
			t.Fatal(err)
		}
		e, err := ParseDisclosure(enc, SHA256)
		if err != nil {
			t.Fatalf("re-encoded disclosure does not parse: %v", err)
		}
		if e.Salt != d.Salt || e.Name != d.Name || e.Element != d.Element || !reflect.DeepEqual(e.Value, d.Value) {
			t.Fatalf("round trip: %+v != %+v", e, d)
		}
	})
}

// roundTripClaims is the document FuzzRoundTrip issues, with objects,
// arrays, arrays of objects, nested arrays, Thai text, null and empties.
var roundTripClaims = map[string]any{
	"given_name":    "สมชาย",
	"family_name":   "ใจดี",
	"address":       map[string]any{"street": "1 ถนนราชดำเนิน", "locality": "Bangkok", "country": "TH"},
	"nationalities": []any{"TH", "JP"},
	"degrees":       []any{map[string]any{"name": "BEng", "year": 2020}, map[string]any{"name": "MSc", "year": 2022}},
	"age_over":      map[string]any{"18": true, "20": true},
	"nested":        []any{[]any{1, 2}, []any{3}},
	"empty":         map[string]any{},
	"nothing":       nil,
	"a/b~c":         "escaped",
}

// pointers lists every non-root pointer of v.
func pointers(v any, at string, out *[]string) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := at + "/" + escapeToken(k)
			*out = append(*out, p)
			pointers(x[k], p, out)
		}
	case []any:
		for i, e := range x {
			p := at + "/" + strconv.Itoa(i)
			*out = append(*out, p)
			pointers(e, p, out)
		}
	}
}

// view is the claims a verifier must see: everything, except the marked
// (disclosable) claims that were not presented.
func view(v any, at string, hidden func(string) bool) any {
	switch x := v.(type) {
	case map[string]any:
		out := map[string]any{}
		for k, e := range x {
			p := at + "/" + escapeToken(k)
			if !hidden(p) {
				out[k] = view(e, p, hidden)
			}
		}
		return out
	case []any:
		out := []any{}
		for i, e := range x {
			p := at + "/" + strconv.Itoa(i)
			if !hidden(p) {
				out = append(out, view(e, p, hidden))
			}
		}
		return out
	}
	return v
}

// FuzzRoundTrip: Issue with a random Spec, Present a random selection
// (Present or PresentOnly), Verify with key binding: the verifier sees
// exactly the plaintext claims plus the presented ones, computed here
// independently of the package's processing.
func FuzzRoundTrip(f *testing.F) {
	fx := newFixture(f)
	doc, err := normalize(roundTripClaims)
	if err != nil {
		f.Fatal(err)
	}
	var all []string
	pointers(doc, "", &all)
	f.Add(uint64(0), uint64(0), false)
	f.Add(^uint64(0), ^uint64(0), false)
	f.Add(^uint64(0), uint64(0x5555), true)
	f.Add(uint64(0xF0F0F0F0), uint64(0x0F0F0F0F), false)
	f.Fuzz(func(t *testing.T, specBits, selBits uint64, only bool) {
		var spec Spec
		var sel []string
		marked := map[string]bool{}
		for i, p := range all {
			if specBits&(1<<(i%64)) != 0 && i < 64 {
				spec = append(spec, p)
				marked[p] = true
			}
			if selBits&(1<<(i%64)) != 0 && i < 64 {
				sel = append(sel, p)
			}
		}
		s, err := Issue(roundTripClaims, spec, fx.signer(), IssueOptions{Typ: "example+sd-jwt"})
		if err != nil {
			t.Fatal(err)
		}
		sd, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if len(sd.Disclosures) != len(spec) {
			t.Fatalf("%d disclosures for %d disclosable claims", len(sd.Disclosures), len(spec))
		}
		present := sd.Present
		if only {
			present = sd.PresentOnly
		}
		pres, err := present(sel, nil)
		if err != nil {
			t.Fatal(err)
		}
		opts := fx.opts()
		opts.Typ, opts.RequireKeyBinding = "example+sd-jwt", false
		v, err := Verify(context.Background(), pres, opts)
		if err != nil {
			t.Fatal(err)
		}
		presented := func(p string) bool {
			for _, q := range sel {
				if within(q, p) || (!only && within(p, q)) {
					return true
				}
			}
			return false
		}
		want := view(doc, "", func(p string) bool { return marked[p] && !presented(p) })
		if !reflect.DeepEqual(v.Claims, want) {
			t.Fatalf("spec %q, selection %q (only %t):\n got %s\nwant %s", spec, sel, only, js(v.Claims), js(want))
		}
	})
}

// With key binding the same holds, and the whole presentation is bound.
func TestRoundTripKeyBound(t *testing.T) {
	fx := newFixture(t)
	claims := map[string]any{"cnf": map[string]any{"jwk": mustJWK(t, fx.holder)}}
	for k, v := range roundTripClaims {
		claims[k] = v
	}
	s, err := Issue(claims, Spec{"/address", "/address/street", "/degrees/*", "/degrees/1/year", "/nested/0/*"}, fx.signer(), IssueOptions{Typ: "example+sd-jwt"})
	if err != nil {
		t.Fatal(err)
	}
	sd, _ := Parse(s)
	pres, err := sd.Present([]string{"/degrees/1/name", "/nested/0/1"}, fx.kb())
	if err != nil {
		t.Fatal(err)
	}
	opts := fx.opts()
	opts.Typ = "example+sd-jwt"
	v, err := Verify(context.Background(), pres, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !v.KeyBound || !slices.Equal(v.Disclosed, []string{"/degrees/0", "/nested/0/0"}) {
		t.Errorf("%v %q", v.KeyBound, v.Disclosed)
	}
	if got := js(v.Claims["degrees"]); got != `[{"name":"MSc"}]` {
		t.Errorf("degrees %s", got)
	}
	if got := js(v.Claims["nested"]); got != `[[2],[3]]` {
		t.Errorf("nested %s", got)
	}
}

func mustJWK(t *testing.T, k crypto.Signer) signing.JWK {
	t.Helper()
	j, err := signing.PublicJWK(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return j
}
