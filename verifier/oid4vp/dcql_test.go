package oid4vp_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"slices"
	"testing"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

func TestParseQuery(t *testing.T) {
	q, err := oid4vp.ParseQuery(parseJSON(t, `{
		"credentials": [
			{"id": "degree", "format": "dc+sd-jwt", "multiple": true,
			 "meta": {"vct_values": ["https://thaitrust.example/vct/DegreeCredential"]},
			 "claims": [
				{"id": "name", "path": ["award", "name"]},
				{"id": "any_term", "path": ["terms", null, "semester"], "values": [1, 2]},
				{"id": "first", "path": ["terms", 0]}],
			 "claim_sets": [["name", "first"], ["name"]]},
			{"id": "citizen", "format": "jwt_vc_json", "require_cryptographic_holder_binding": true,
			 "meta": {"type_values": [["VerifiableCredential", "ThaiCitizenCredential"]]}}
		],
		"credential_sets": [{"options": [["degree"], ["citizen"]]}, {"options": [["citizen"]], "required": false}]
	}`))
	if err != nil {
		t.Fatal(err)
	}
	want := &oid4vp.Query{
		Credentials: []oid4vp.CredentialQuery{
			{
				ID: "degree", Format: oid4vp.FormatSDJWT, Multiple: true, RequireBinding: true,
				VCTValues: []string{"https://thaitrust.example/vct/DegreeCredential"},
				Claims: []oid4vp.ClaimQuery{
					{ID: "name", Path: oid4vp.Path{"award", "name"}},
					{ID: "any_term", Path: oid4vp.Path{"terms", nil, "semester"}, Values: []any{json.Number("1"), json.Number("2")}},
					{ID: "first", Path: oid4vp.Path{"terms", 0}},
				},
				ClaimSets: [][]string{{"name", "first"}, {"name"}},
			},
			{
				ID: "citizen", Format: oid4vp.FormatJWTVC, RequireBinding: true,
				TypeValues: [][]string{{"VerifiableCredential", "ThaiCitizenCredential"}},
			},
		},
		CredentialSets: []oid4vp.CredentialSet{
			{Options: [][]string{{"degree"}, {"citizen"}}, Required: true},
			{Options: [][]string{{"citizen"}}, Required: false},
		},
	}
	if !reflect.DeepEqual(q, want) {
		t.Errorf("parsed\n%+v\nwant\n%+v", q, want)
	}
	if p := q.Credentials[0].Claims[1].Path; p.String() != `["terms",null,"semester"]` || p.Pointer() != "/terms/*/semester" {
		t.Errorf("path renders as %s and %s", p.String(), p.Pointer())
	}
	if p := (oid4vp.Path{"a/b", "c~d", 2}); p.Pointer() != "/a~1b/c~0d/2" {
		t.Errorf("pointer escaping: %s", p.Pointer())
	}
	// Decoded without UseNumber, indexes arrive as float64.
	var m map[string]any
	json.Unmarshal([]byte(`{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":["x"]},"claims":[{"path":["a",1]},{"path":["a",1.5]}]}]}`), &m)
	if _, err := oid4vp.ParseQuery(m); !errors.Is(err, oid4vp.ErrInvalidQuery) {
		t.Errorf("a fractional index: %v", err)
	}
}

// TestPathSelect follows OpenID4VP 1.0 section 7.1: strings select object
// members, integers array elements, null every element; selecting from
// the wrong kind of value fails.
func TestPathSelect(t *testing.T) {
	claims := parseJSON(t, `{"name": {"en": "Nattawut"}, "degrees": [{"type": "bsc", "year": 2020}, {"type": "msc"}], "n": 3}`)
	for _, tc := range []struct {
		path Path
		want []any
		ok   bool
	}{
		{Path{"name", "en"}, []any{"Nattawut"}, true},
		{Path{"name"}, []any{map[string]any{"en": "Nattawut"}}, true},
		{Path{"degrees", nil, "type"}, []any{"bsc", "msc"}, true},
		{Path{"degrees", nil, "year"}, []any{json.Number("2020")}, true},
		{Path{"degrees", 1, "type"}, []any{"msc"}, true},
		{Path{"degrees", 2}, nil, false},
		{Path{"degrees", 1, "year"}, nil, false},
		{Path{"name", 0}, nil, false},         // an index into an object
		{Path{"degrees", "type"}, nil, false}, // a name into an array
		{Path{"n", nil}, nil, false},          // null on a number
		{Path{"missing"}, nil, false},
	} {
		got, ok := oid4vp.Path(tc.path).Select(claims)
		if ok != tc.ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s selects %v %v, want %v %v", oid4vp.Path(tc.path), got, ok, tc.want, tc.ok)
		}
	}
}

// Path is oid4vp.Path, short for the tables.
type Path = oid4vp.Path

// TestDCQLMatching: claim_sets in order of preference, values compared
// by exact value (numbers by decimal value), credential_sets with
// options, and multiple.
func TestDCQLMatching(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	holder2, _ := signing.GenerateKey(signing.EdDSA)
	degree2, _ := f.issueSD(t, "DegreeCredential", holder2)
	const vct = `"meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]}`
	type pres struct {
		qid      string
		tok      string
		pointers []string
		second   bool // presented with holder2's key
	}
	for _, tc := range []struct {
		name   string
		query  string
		pres   []pres
		reason string                    // "" verified
		claims map[string]map[string]any // query id -> claims kept (verified only)
	}{
		{
			name: "claim_sets: the first satisfied set wins",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt",` + vct + `,
				"claims":[{"id":"pid","path":["student","pid"]},{"id":"sid","path":["student","studentId"]},{"id":"level","path":["award","level"]}],
				"claim_sets":[["pid","level"],["sid","level"]]}]}`,
			pres:   []pres{{"degree", "", []string{"/student/studentId"}, false}},
			claims: map[string]map[string]any{"degree": {"student": map[string]any{"studentId": "6230123421"}, "award": map[string]any{"level": "bachelor"}}},
		},
		{
			name: "claim_sets: the preferred set when it can be met",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt",` + vct + `,
				"claims":[{"id":"pid","path":["student","pid"]},{"id":"sid","path":["student","studentId"]},{"id":"level","path":["award","level"]}],
				"claim_sets":[["pid","level"],["sid","level"]]}]}`,
			pres:   []pres{{"degree", "", []string{"/student/studentId", "/student/pid"}, false}},
			claims: map[string]map[string]any{"degree": {"student": map[string]any{"pid": "1103701234563"}, "award": map[string]any{"level": "bachelor"}}},
		},
		{
			name: "claim_sets: none met",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt",` + vct + `,
				"claims":[{"id":"pid","path":["student","pid"]},{"id":"sid","path":["student","studentId"]}],
				"claim_sets":[["pid"],["sid"]]}]}`,
			pres:   []pres{{"degree", "", nil, false}},
			reason: oid4vp.ReasonClaimMissing,
		},
		{
			name: "numbers by value",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt",` + vct + `,
				"claims":[{"path":["summary","gpax"],"values":[3.420, 4]},{"path":["summary","totalCredits"],"values":[146.0]}]}]}`,
			pres:   []pres{{"degree", "", []string{"/summary"}, false}},
			claims: map[string]map[string]any{"degree": {"summary": map[string]any{"gpax": json.Number("3.42"), "totalCredits": json.Number("146")}}},
		},
		{
			name: "a number is not its string",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt",` + vct + `,
				"claims":[{"path":["summary","gpax"],"values":["3.42"]}]}]}`,
			pres:   []pres{{"degree", "", []string{"/summary"}, false}},
			reason: oid4vp.ReasonClaimValue,
		},
		{
			name: "credential_sets: one option answered",
			query: `{"credentials":[
				{"id":"degree","format":"dc+sd-jwt",` + vct + `},
				{"id":"transcript","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/TranscriptCredential"]}}],
				"credential_sets":[{"options":[["transcript"],["degree"]]}]}`,
			pres:   []pres{{"degree", "", nil, false}},
			claims: map[string]map[string]any{"degree": nil},
		},
		{
			name: "credential_sets: a required set unanswered",
			query: `{"credentials":[
				{"id":"degree","format":"dc+sd-jwt",` + vct + `},
				{"id":"transcript","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/TranscriptCredential"]}}],
				"credential_sets":[{"options":[["degree"]]},{"options":[["transcript"]]}]}`,
			pres:   []pres{{"degree", "", nil, false}},
			reason: oid4vp.ReasonCredentialMissing,
		},
		{
			name: "credential_sets: an optional set may stay unanswered",
			query: `{"credentials":[
				{"id":"degree","format":"dc+sd-jwt",` + vct + `},
				{"id":"transcript","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/TranscriptCredential"]}}],
				"credential_sets":[{"options":[["degree"]]},{"options":[["transcript"]],"required":false}]}`,
			pres:   []pres{{"degree", "", nil, false}},
			claims: map[string]map[string]any{"degree": nil},
		},
		{
			name: "without credential_sets every query is required",
			query: `{"credentials":[
				{"id":"degree","format":"dc+sd-jwt",` + vct + `},
				{"id":"transcript","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/TranscriptCredential"]}}]}`,
			pres:   []pres{{"degree", "", nil, false}},
			reason: oid4vp.ReasonCredentialMissing,
		},
		{
			name: "multiple: two degrees",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt","multiple":true,` + vct + `,
				"claims":[{"path":["award","level"]}]}]}`,
			pres:   []pres{{"degree", "", nil, false}, {"degree", degree2, nil, true}},
			claims: map[string]map[string]any{"degree": {"award": map[string]any{"level": "bachelor"}}},
		},
		{
			name: "multiple: at most MaxPresentations",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt","multiple":true,` + vct + `,
				"claims":[{"path":["award","level"]}]}]}`,
			pres:   slices.Repeat([]pres{{"degree", "", nil, false}}, oid4vp.MaxPresentations+1),
			reason: oid4vp.ReasonTooMany,
		},
		{
			name: "multiple: one bad presentation fails the response",
			query: `{"credentials":[{"id":"degree","format":"dc+sd-jwt","multiple":true,` + vct + `,
				"claims":[{"path":["student","pid"]}]}]}`,
			pres:   []pres{{"degree", "", []string{"/student/pid"}, false}, {"degree", degree2, nil, true}},
			reason: oid4vp.ReasonClaimMissing,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := f.open(t, tc.query)
			vp := map[string][]string{}
			for _, p := range tc.pres {
				tok, key := p.tok, f.holder
				if tok == "" {
					tok = f.degree
				}
				if p.second {
					key = holder2
				}
				vp[p.qid] = append(vp[p.qid], presentAs(t, key, f.vi.Clock.Now(), tok, p.pointers, clientID, w.nonce))
			}
			raw, _ := json.Marshal(vp)
			_, err := f.svc.Respond(ctx, w.id, url.Values{"vp_token": {string(raw)}, "state": {w.state}})
			v, gerr := f.svc.Get(ctx, w.id)
			if gerr != nil {
				t.Fatal(gerr)
			}
			if tc.reason != "" {
				if !errors.Is(err, &oid4vp.Error{Reason: tc.reason}) || v.Result.Reason != tc.reason {
					t.Fatalf("got %v (result %s), want %s", err, v.Result.Reason, tc.reason)
				}
				return
			}
			if err != nil || !v.Result.Verified {
				t.Fatalf("Respond: %v; result %+v", err, v.Result)
			}
			for qid, want := range tc.claims {
				for i, p := range v.Result.Credentials[qid] {
					if len(want) == 0 && len(p.Claims) == 0 {
						continue
					}
					if got, w := jsonString(p.Claims), jsonString(want); got != w {
						t.Errorf("%s[%d] claims %s, want %s", qid, i, got, w)
					}
				}
			}
			if len(v.Result.Credentials) != len(tc.claims) {
				t.Errorf("answered %d queries, want %d", len(v.Result.Credentials), len(tc.claims))
			}
		})
	}
}

// jsonString compares claims by their JSON (numbers decode as float64 or
// json.Number depending on the path they took).
func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
