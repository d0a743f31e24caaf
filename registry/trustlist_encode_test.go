package registry

import (
	"bytes"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/signing"
)

// TestAppendListedMatchesJSON holds the hand-written list encoder to
// encoding/json: for entities with every optional member set and unset,
// nil and empty slices, Thai text, strings that need escaping (quotes,
// controls, U+2028, invalid UTF-8), times in other zones and with
// nanoseconds, foreign records and keys, appendListed writes exactly what
// marshalNoEscape(listed(...)) writes.
func TestAppendListedMatchesJSON(t *testing.T) {
	ict := time.FixedZone("ICT", 7*3600)
	t0 := time.Date(2025, 3, 1, 9, 30, 0, 0, time.UTC)
	hist := []StatusChange{
		{Status: StatusActive, EffectiveFrom: t0, RecordedAt: t0.Add(time.Second), Seq: 7},
		{Status: StatusSuspended, Reason: "audit \"pending\" <&>", EffectiveFrom: time.Date(2025, 6, 1, 0, 0, 0, 123456789, ict), RecordedAt: t0, Seq: 9},
	}
	odd := "tab\there, newline\n, bell\x07, del\x7f, line sep\u2028, para\u2029, bad \xff utf8, back\\slash, \b\f\r"
	acc := func(id string, mod func(*Accreditation)) *accRec {
		a := Accreditation{ID: id, Subject: "uni", Accreditor: "ohec", Role: RoleIssuer,
			Scope: Scope{CredentialTypes: []string{"DegreeCredential", "TranscriptCredential"}}, Jurisdiction: "TH",
			ValidFrom: t0, Status: StatusActive, History: hist, Credential: "eyJhbGciOiJFZERTQSJ9.e30.c2ln", Version: 3}
		if mod != nil {
			mod(&a)
		}
		return &accRec{a: a}
	}
	recs := []*entityRec{
		{e: Entity{ID: "minimal"}},
		{e: Entity{ID: "empty-slices", Kinds: []Kind{}, Identifiers: []Identifier{}, History: []StatusChange{}}},
		{
			e: Entity{ID: "uni", Kinds: []Kind{KindIssuer, KindVerifier},
				Identifiers: []Identifier{{Type: IdentifierDID, Value: "did:web:uni.example"}, {Type: IdentifierX509SHA256, Value: "ab"}},
				Name:        Text{TH: "มหาวิทยาลัยธารทอง", EN: "Than Thong University"}, Jurisdiction: "TH", Contact: "mailto:a@b.example",
				Status: StatusSuspended, StatusReason: "review", History: hist, Version: 12},
			accs: []*accRec{
				acc("a1", nil),
				acc("a2", func(a *Accreditation) {
					a.Role, a.Scope = RoleIdentityProvider, Scope{MaxIAL: IAL23, MaxAAL: 2}
					a.ValidUntil, a.Parent, a.StatusReason, a.Credential = t0.AddDate(1, 0, 0).In(ict), "a0", odd, ""
				}),
				acc("a3", func(a *Accreditation) {
					a.Role, a.Scope = RoleAuthoritativeSource, Scope{CredentialTypes: []string{}, Domains: []string{"civil-registration"}, MaxAAL: 1}
					a.History = nil
				}),
				acc("foreign", func(a *Accreditation) { a.Foreign = &Foreign{List: "https://sg.example/list", ID: "x", Sequence: 4} }),
			},
		},
		{e: Entity{ID: "odd", Kinds: []Kind{Kind(odd)}, Name: Text{TH: odd, EN: `"quoted"`}, Jurisdiction: "TH-10", Contact: odd,
			Foreign: &Foreign{List: "l", ID: "i", Sequence: 0, NextUpdate: t0.Add(time.Nanosecond)}}},
	}
	keys := []signing.JWK{
		{Kty: "OKP", Crv: "Ed25519", X: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo", Kid: "did:web:uni.example#key-1"},
		{Kty: "EC", Crv: "P-256", X: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", Y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0", Alg: "ES256", Use: "sig"},
	}
	for _, r := range recs {
		for _, credentials := range []bool{false, true} {
			for _, k := range [][]signing.JWK{nil, {}, keys} {
				le := listed(r, credentials)
				le.PublicKeys = k
				want, err := marshalNoEscape(le)
				if err != nil {
					t.Fatal(err)
				}
				got, err := appendListed([]byte("prefix"), r, credentials, k)
				if err != nil {
					t.Fatalf("%s: %v", r.e.ID, err)
				}
				if !bytes.Equal(got[len("prefix"):], want) {
					t.Errorf("%s (credentials %v, %d keys):\n got %s\nwant %s", r.e.ID, credentials, len(k), got[len("prefix"):], want)
				}
			}
		}
	}
}

// TestAppendListedRejectsWhatJSONRejects: a time encoding/json cannot
// write and an undefined level fail the hand-written encoder too.
func TestAppendListedRejectsWhatJSONRejects(t *testing.T) {
	bad := []*entityRec{
		{e: Entity{ID: "far", History: []StatusChange{{Status: StatusActive, EffectiveFrom: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}}}},
		{e: Entity{ID: "ial"}, accs: []*accRec{{a: Accreditation{ID: "x", Scope: Scope{MaxIAL: 200}}}}},
	}
	for _, r := range bad {
		if _, err := marshalNoEscape(listed(r, false)); err == nil {
			t.Fatalf("%s: encoding/json accepts it; the test is wrong", r.e.ID)
		}
		if _, err := appendListed(nil, r, false, nil); err == nil {
			t.Errorf("%s: appendListed accepted what encoding/json rejects", r.e.ID)
		}
	}
}
