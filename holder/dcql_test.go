package holder_test

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/jsonx"
)

func TestParseQuery(t *testing.T) {
	tests := []struct {
		name, query string
		ok          bool
	}{
		{"minimal", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{}}]}`, true},
		{"full", `{"credentials":[{"id":"pid","format":"dc+sd-jwt","multiple":false,"meta":{"vct_values":["x"]},
			"trusted_authorities":[{"type":"aki","values":["abc"]}],"require_cryptographic_holder_binding":true,
			"claims":[{"id":"n","path":["name",null,0]},{"id":"v","path":["age"],"values":[18,true,"x"]}],
			"claim_sets":[["n","v"],["n"]]}],
			"credential_sets":[{"options":[["pid"]],"required":false}]}`, true},
		{"jwt", `{"credentials":[{"id":"d","format":"jwt_vc_json","meta":{"type_values":[["VerifiableCredential","DegreeCredential"]]}}]}`, true},
		{"unknown members ignored", `{"credentials":[{"id":"a","format":"x","meta":{},"foo":1}],"bar":2}`, true},
		{"not json", `{`, false},
		{"duplicate member", `{"credentials":[],"credentials":[]}`, false},
		{"no credentials", `{}`, false},
		{"empty credentials", `{"credentials":[]}`, false},
		{"no id", `{"credentials":[{"format":"dc+sd-jwt","meta":{}}]}`, false},
		{"bad id", `{"credentials":[{"id":"a b","format":"dc+sd-jwt","meta":{}}]}`, false},
		{"duplicate id", `{"credentials":[{"id":"a","format":"f","meta":{}},{"id":"a","format":"f","meta":{}}]}`, false},
		{"no format", `{"credentials":[{"id":"a","meta":{}}]}`, false},
		{"no meta", `{"credentials":[{"id":"a","format":"dc+sd-jwt"}]}`, false},
		{"vct_values empty", `{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{"vct_values":[]}}]}`, false},
		{"type_values flat", `{"credentials":[{"id":"a","format":"jwt_vc_json","meta":{"type_values":["X"]}}]}`, false},
		{"claims empty", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[]}]}`, false},
		{"path empty", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":[]}]}]}`, false},
		{"path negative", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":["a",-1]}]}]}`, false},
		{"path fraction", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":["a",1.5]}]}]}`, false},
		{"path object", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":[{}]}]}]}`, false},
		{"values object", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":["a"],"values":[{}]}]}]}`, false},
		{"claim_sets without ids", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"path":["a"]}],"claim_sets":[["x"]]}]}`, false},
		{"claim_sets unknown id", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"id":"x","path":["a"]}],"claim_sets":[["y"]]}]}`, false},
		{"claim_sets without claims", `{"credentials":[{"id":"a","format":"f","meta":{},"claim_sets":[["y"]]}]}`, false},
		{"duplicate claim id", `{"credentials":[{"id":"a","format":"f","meta":{},"claims":[{"id":"x","path":["a"]},{"id":"x","path":["b"]}]}]}`, false},
		{"credential_sets unknown", `{"credentials":[{"id":"a","format":"f","meta":{}}],"credential_sets":[{"options":[["b"]]}]}`, false},
		{"credential_sets empty options", `{"credentials":[{"id":"a","format":"f","meta":{}}],"credential_sets":[{"options":[]}]}`, false},
		{"required not bool", `{"credentials":[{"id":"a","format":"f","meta":{}}],"credential_sets":[{"options":[["a"]],"required":"yes"}]}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := holder.ParseQuery([]byte(tt.query))
			if tt.ok != (err == nil) {
				t.Fatalf("ParseQuery: %v (want ok=%v)", err, tt.ok)
			}
			if err != nil {
				if q != nil {
					t.Error("non-nil query with an error")
				}
				if holder.Reason(err) != holder.ReasonQueryInvalid {
					t.Errorf("reason %q", holder.Reason(err))
				}
			}
		})
	}
	q, _ := holder.ParseQuery([]byte(tests[1].query))
	if cs := q.CredentialSets[0]; cs.Required || !reflect.DeepEqual(cs.Options, [][]string{{"pid"}}) {
		t.Errorf("credential set %+v", cs)
	}
	if p := q.Credentials[0].Claims[0].Path; p.String() != `["name",null,0]` || p.Pointer() != "/name/*/0" {
		t.Errorf("path %s / %s", p, p.Pointer())
	}
}

// TestClaimPathSelect runs the examples of OpenID4VP 1.0 section 7.4.
func TestClaimPathSelect(t *testing.T) {
	doc := mustJSON(t, `{"name":"Arthur Dent","address":{"street_address":"42 Market Street","locality":"Milliways","postal_code":"12345"},
		"degrees":[{"type":"Bachelor of Science","university":"University of Betelgeuse"},{"type":"Master of Science","university":"University of Betelgeuse"}],
		"nationalities":["British","Betelgeusian"]}`)
	tests := []struct {
		path string
		want string // JSON of the selected values; "" for no match
	}{
		{`["name"]`, `["Arthur Dent"]`},
		{`["address"]`, `[{"locality":"Milliways","postal_code":"12345","street_address":"42 Market Street"}]`},
		{`["address","street_address"]`, `["42 Market Street"]`},
		{`["degrees",null,"type"]`, `["Bachelor of Science","Master of Science"]`},
		{`["nationalities",1]`, `["Betelgeusian"]`},
		{`["nationalities",2]`, ``},
		{`["missing"]`, ``},
		{`["name","x"]`, ``},     // a member of a string
		{`["address",null]`, ``}, // null on an object
		{`["address",0]`, ``},    // index on an object
		{`["degrees","type"]`, ``},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			v, err := jsonx.Parse([]byte(tt.path))
			if err != nil {
				t.Fatal(err)
			}
			p, err := holder.ParseClaimPath(v)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := p.Select(doc)
			if tt.want == "" {
				if ok {
					t.Fatalf("selected %v, want nothing", got)
				}
				return
			}
			b, _ := json.Marshal(got)
			if !ok || string(b) != tt.want {
				t.Fatalf("Select = %s, %v; want %s", b, ok, tt.want)
			}
		})
	}
}

func mustJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	m, err := jsonx.ParseObject([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func query(t testing.TB, s string) *holder.Query {
	t.Helper()
	q, err := holder.ParseQuery([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func candidates(m *holder.Match, id string) []string {
	var out []string
	for _, c := range m.Query(id).Candidates {
		out = append(out, c.CredentialID)
	}
	slices.Sort(out)
	return out
}

func TestMatch(t *testing.T) {
	ctx := context.Background()
	w := newWallet(t, nil)
	m := holdertest.NewMinter(t)
	degSD := m.Add(t, w, "DegreeCredential", holder.FormatSDJWT)
	degJWT := m.Add(t, w, "DegreeCredential", holder.FormatJWTVC)
	cit := m.Add(t, w, "ThaiCitizenCredential", holder.FormatSDJWT)
	m.Expiry = holdertest.Epoch.Add(time.Minute) // expired by the wallet's clock (Epoch + 1h)
	expired := m.Add(t, w, "DegreeCredential", holder.FormatSDJWT)
	_ = ctx

	vct := func(typ string) string { return holder.VCTBase + typ }
	tests := []struct {
		name    string
		query   string
		want    map[string][]string // query id -> candidate credential ids
		answer  []string
		missing []string
		claims  map[string]string // query id -> claims of the first candidate (JSON)
	}{
		{
			name:   "degree by vct with claims",
			query:  `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]},"claims":[{"path":["award","name"]},{"path":["institution","name","th"]}]}]}`,
			want:   map[string][]string{"deg": {degSD.ID}},
			answer: []string{"deg"},
			claims: map[string]string{"deg": `[["award","name"],["institution","name","th"]]`},
		},
		{
			name:   "no claims asked",
			query:  `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]}}]}`,
			want:   map[string][]string{"deg": {degSD.ID}},
			answer: []string{"deg"},
			claims: map[string]string{"deg": `[]`},
		},
		{
			name:    "claim the credential lacks",
			query:   `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]},"claims":[{"path":["award","nonexistent"]}]}]}`,
			want:    map[string][]string{"deg": nil},
			answer:  []string{"deg"},
			missing: []string{"deg"},
		},
		{
			name:   "values match",
			query:  `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]},"claims":[{"path":["award","level"],"values":["master","bachelor"]}]}]}`,
			want:   map[string][]string{"deg": {degSD.ID}},
			answer: []string{"deg"},
		},
		{
			name:    "values do not match",
			query:   `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]},"claims":[{"path":["award","level"],"values":["doctoral"]}]}]}`,
			want:    map[string][]string{"deg": nil},
			answer:  []string{"deg"},
			missing: []string{"deg"},
		},
		{
			name:   "numeric values compare by value",
			query:  `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]},"claims":[{"path":["summary","totalCredits"],"values":[146.0]}]}]}`,
			want:   map[string][]string{"deg": {degSD.ID}},
			answer: []string{"deg"},
		},
		{
			name:   "claim_sets: first satisfiable",
			query:  `{"credentials":[{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]},"claims":[{"id":"a","path":["award","nope"]},{"id":"b","path":["award","name"]},{"id":"c","path":["student","pid"]}],"claim_sets":[["a","c"],["b","c"],["b"]]}]}`,
			want:   map[string][]string{"deg": {degSD.ID}},
			answer: []string{"deg"},
			claims: map[string]string{"deg": `[["award","name"],["student","pid"]]`},
		},
		{
			name:   "jwt_vc_json by type_values, expanded IRIs too",
			query:  `{"credentials":[{"id":"deg","format":"jwt_vc_json","meta":{"type_values":[["https://www.w3.org/2018/credentials#VerifiableCredential","https://thaitrust.example/ns#DegreeCredential"]]},"claims":[{"path":["credentialSubject","award","name"]}]}]}`,
			want:   map[string][]string{"deg": {degJWT.ID}},
			answer: []string{"deg"},
		},
		{
			name:   "array wildcard",
			query:  `{"credentials":[{"id":"c","format":"jwt_vc_json","meta":{"type_values":[["DegreeCredential"]]},"claims":[{"path":["type",null]},{"path":["@context",1]}]}]}`,
			want:   map[string][]string{"c": {degJWT.ID}},
			answer: []string{"c"},
		},
		{
			name: "credential_sets",
			query: `{"credentials":[
				{"id":"pid","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("ThaiCitizenCredential") + `"]}},
				{"id":"foreigner","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("ForeignerIdentityCredential") + `"]}},
				{"id":"deg","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("DegreeCredential") + `"]}},
				{"id":"transcript","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("TranscriptCredential") + `"]}}],
				"credential_sets":[{"options":[["foreigner"],["pid"]]},{"options":[["deg"]],"required":false},{"options":[["transcript"]],"required":false}]}`,
			want:   map[string][]string{"pid": {cit.ID}, "foreigner": nil, "deg": {degSD.ID}, "transcript": nil},
			answer: []string{"pid"},
		},
		{
			name:    "credential_sets unsatisfied",
			query:   `{"credentials":[{"id":"foreigner","format":"dc+sd-jwt","meta":{"vct_values":["` + vct("ForeignerIdentityCredential") + `"]}}],"credential_sets":[{"options":[["foreigner"]]}]}`,
			want:    map[string][]string{"foreigner": nil},
			missing: []string{"foreigner"},
		},
		{
			name:    "unsupported format",
			query:   `{"credentials":[{"id":"m","format":"mso_mdoc","meta":{"doctype_value":"org.iso.18013.5.1.mDL"}}]}`,
			want:    map[string][]string{"m": nil},
			answer:  []string{"m"},
			missing: []string{"m"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := w.Match(query(t, tt.query))
			for id, want := range tt.want {
				slices.Sort(want)
				if c := candidates(got, id); !slices.Equal(c, want) {
					t.Errorf("%s: candidates %v, want %v", id, c, want)
				}
				if slices.Contains(candidates(got, id), expired.ID) {
					t.Errorf("%s: the expired credential is a candidate", id)
				}
			}
			if !slices.Equal(got.Answer, tt.answer) {
				t.Errorf("Answer %v, want %v", got.Answer, tt.answer)
			}
			if !slices.Equal(got.Missing, tt.missing) {
				t.Errorf("Missing %v, want %v", got.Missing, tt.missing)
			}
			if got.Satisfied() != (len(tt.missing) == 0) {
				t.Error("Satisfied disagrees with Missing")
			}
			for id, want := range tt.claims {
				b, _ := json.Marshal(got.Query(id).Candidates[0].Claims)
				if string(b) != want {
					t.Errorf("%s claims %s, want %s", id, b, want)
				}
			}
		})
	}
	t.Run("optional sets", func(t *testing.T) {
		got := w.Match(query(t, tests[9].query))
		if !slices.Equal(got.Optional, []string{"deg"}) {
			t.Errorf("Optional %v", got.Optional)
		}
	})
}

// TestMatchBatch: copies of a batch are one candidate, the one presented
// least.
func TestMatchBatch(t *testing.T) {
	ctx := context.Background()
	w := newWallet(t, nil)
	m := holdertest.NewMinter(t)
	var ids []string
	for range 3 {
		key, s := holdertest.NewKey(t)
		c := &holder.Credential{Format: holder.FormatSDJWT, Raw: m.SDJWT(t, "DegreeCredential", s.Public()), Batch: "batchbatchbatch1", ReceivedAt: holdertest.Epoch}
		if err := w.Add(ctx, c, key); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	if l := w.List(ctx); len(l) != 1 || l[0].ID != "batchbatchbatch1" || len(l[0].Credentials) != 3 {
		t.Fatalf("List of a batch: %+v", l)
	}
	got := w.Match(query(t, `{"credentials":[{"id":"d","format":"dc+sd-jwt","meta":{}}]}`))
	if c := candidates(got, "d"); !slices.Equal(c, ids[:1]) {
		t.Fatalf("candidates %v, want the first copy %v", c, ids[:1])
	}
	if _, err := w.Show(ctx, "batchbatch"); err != nil {
		t.Errorf("Show(batch prefix): %v", err)
	}
	if _, err := w.Show(ctx, "ba"); !errors.Is(err, holder.ErrNotFound) {
		t.Errorf("Show(2 chars): %v", err)
	}
	if del, err := w.Delete(ctx, "batchbatchbatch1"); err != nil || len(del) != 3 {
		t.Errorf("Delete(batch) = %v, %v", del, err)
	}
}
