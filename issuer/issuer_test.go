package issuer_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
)

var ctx = context.Background()

func issue(t testing.TB, s *issuer.Service, doc map[string]any) *issuer.Issued {
	t.Helper()
	is, err := s.Issue(ctx, issuer.Request{Credential: doc})
	if err != nil {
		t.Fatal(err)
	}
	return is
}

// TestIssueCatalogue issues every catalogue example through a profile
// that allows its type, and verifies the result.
func TestIssueCatalogue(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "agency", signing.ES256) // every type
	v := vi.Verifier(t)
	types := schemas.Types()
	if len(types) < 10 {
		t.Fatalf("catalogue has %d types", len(types))
	}
	for _, ty := range types {
		t.Run(ty.Name, func(t *testing.T) {
			in := issuertest.Example(t, ty.Name)
			is := issue(t, vi.Service, in)
			c := is.Credential
			if c.Issuer.ID != vi.DID || !c.HasType(ty.Name) || !strings.HasPrefix(c.ID, "urn:uuid:") {
				t.Errorf("issued %s by %s of %v", c.ID, c.Issuer.ID, c.Types)
			}
			if !slices.Contains(c.Context, any(issuer.ContextThaiTrust)) || c.Context[0] != credential.ContextV2 {
				t.Errorf("@context %v", c.Context)
			}
			if len(c.Schemas) != 1 || c.Schemas[0].ID != ty.SchemaID || c.Schemas[0].Type != "JsonSchema" {
				t.Errorf("credentialSchema %+v", c.Schemas)
			}
			if !c.ValidFrom.Equal(issuertest.Epoch) {
				t.Errorf("validFrom %s", c.ValidFrom)
			}
			if ty.DefaultValidity > 0 && !c.ValidUntil.Equal(issuertest.Epoch.Add(ty.DefaultValidity)) {
				t.Errorf("validUntil %s, want validFrom + %s", c.ValidUntil, ty.DefaultValidity)
			}
			// One entry per purpose, both at the same index of one list.
			if len(c.Status) != 2 || c.Status[0].Purpose != status.PurposeRevocation || c.Status[1].Purpose != status.PurposeSuspension ||
				c.Status[0].Index != c.Status[1].Index || c.Status[0].Index != strconv.FormatUint(is.Record.Index, 10) {
				t.Errorf("credentialStatus %+v", c.Status)
			}
			if c.Status[0].ListCredential != vi.Service.ListURL(is.Record.ListID, status.PurposeRevocation) {
				t.Errorf("status list %s", c.Status[0].ListCredential)
			}
			r := is.Record
			if r.ID != c.ID || r.Issuer != "agency" || r.Type != ty.Name || r.Format != "vc+jwt" || r.ListID != "1" ||
				!r.IssuedAt.Equal(issuertest.Epoch) || !r.ValidFrom.Equal(c.ValidFrom) || !r.ValidUntil.Equal(c.ValidUntil) ||
				r.Subject != c.SubjectID() || string(r.Credential) != is.Token {
				t.Errorf("record %+v", r)
			}
			if is.MediaType != jose.MediaTypeCredential {
				t.Errorf("media type %s", is.MediaType)
			}
			stored, err := vi.Store.GetRecord(ctx, "agency", c.ID)
			if err != nil || stored.Index != r.Index {
				t.Errorf("stored record %+v, %v", stored, err)
			}
			if res := v.VerifyCredential(ctx, is.MediaType, is.Token); !res.Verified {
				t.Errorf("issued credential does not verify: %+v", res.Checks)
			}
		})
	}
}

// TestCitizenValidUntil: a citizen credential is valid until the end of
// the card's expiry date (Thai time), as the catalogue says.
func TestCitizenValidUntil(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "dopa", signing.EdDSA, "ThaiCitizenCredential")
	is := issue(t, vi.Service, issuertest.Example(t, "ThaiCitizenCredential"))
	card := is.Credential.Subjects[0]["card"].(map[string]any)
	want := time.Date(2030, 8, 11, 23, 59, 59, 0, time.FixedZone("ICT", 7*3600))
	if card["expiryDate"] != "2030-08-11" || !is.Credential.ValidUntil.Equal(want) || !is.Record.ValidUntil.Equal(want) {
		t.Errorf("card expires %v; validUntil %s, want %s", card["expiryDate"], is.Credential.ValidUntil, want.UTC())
	}
	// A validUntil given by the back office wins.
	doc := issuertest.Example(t, "ThaiCitizenCredential")
	doc["validUntil"] = "2026-01-01T00:00:00Z"
	if is := issue(t, vi.Service, doc); is.Credential.ValidUntil.Format(time.RFC3339) != "2026-01-01T00:00:00Z" {
		t.Errorf("validUntil %s", is.Credential.ValidUntil)
	}
	// A lifelong card gives a credential without expiry.
	doc = issuertest.Example(t, "ThaiCitizenCredential")
	c := doc["credentialSubject"].(map[string]any)["card"].(map[string]any)
	delete(c, "expiryDate")
	delete(c, "expiryDateBE")
	c["lifelong"] = true
	if is := issue(t, vi.Service, doc); !is.Credential.ValidUntil.IsZero() {
		t.Errorf("lifelong card: validUntil %s", is.Credential.ValidUntil)
	}
	// A card that has expired is not issued.
	vi.Clock.Set(time.Date(2030, 8, 12, 0, 0, 0, 0, time.UTC))
	_, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "ThaiCitizenCredential")})
	var inv *issuer.InvalidError
	if !errors.As(err, &inv) || inv.Field != "/credentialSubject/card/expiryDate" {
		t.Errorf("expired card: %v", err)
	}
}

func TestIssueRejects(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential", "TranscriptCredential")
	degree := func(kv ...any) map[string]any {
		doc := issuertest.Example(t, "DegreeCredential")
		for i := 0; i < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(doc, kv[i].(string))
			} else {
				doc[kv[i].(string)] = kv[i+1]
			}
		}
		return doc
	}
	subject := func(change func(s map[string]any)) map[string]any {
		doc := degree()
		change(doc["credentialSubject"].(map[string]any))
		return doc
	}
	tests := []struct {
		name    string
		doc     map[string]any
		format  string
		wantErr error  // errors.Is
		field   string // InvalidError.Field, when an *InvalidError
	}{
		{name: "type not allowed", doc: issuertest.Example(t, "ThaiCitizenCredential"), wantErr: issuer.ErrTypeNotAllowed},
		{name: "unknown type", doc: degree("type", []any{"VerifiableCredential", "FooCredential"}), wantErr: issuer.ErrUnknownType},
		{name: "only VerifiableCredential", doc: degree("type", []any{"VerifiableCredential"}), wantErr: issuer.ErrUnknownType},
		{name: "two catalogue types", doc: degree("type", []any{"VerifiableCredential", "DegreeCredential", "TranscriptCredential"}), field: "/type"},
		{name: "type a string", doc: degree("type", "DegreeCredential"), field: "/type"},
		{name: "type missing", doc: degree("type", nil), field: "/type"},
		{name: "issuer mismatch/string", doc: degree("issuer", "did:web:other.example"), wantErr: issuer.ErrIssuerMismatch},
		{name: "issuer mismatch/object", doc: degree("issuer", map[string]any{"id": "did:web:other.example"}), wantErr: issuer.ErrIssuerMismatch},
		{name: "issuer object without id", doc: degree("issuer", map[string]any{"name": "x"}), field: "/issuer/id"},
		{name: "issuer not a URL", doc: degree("issuer", "university"), field: "/issuer"},
		{name: "type missing", doc: degree("type", nil), field: "/type"},
		{name: "issuer a number", doc: degree("issuer", 7.0), field: "/issuer"},
		{name: "issuer absent", doc: degree("issuer", nil), wantErr: nil}, // filled in
		{name: "credentialStatus supplied", doc: degree("credentialStatus", []any{status.Entry("https://evil.example/s/1", "revocation", 7)}), field: "/credentialStatus"},
		{name: "credentialStatus empty", doc: degree("credentialStatus", []any{}), field: "/credentialStatus"},
		{name: "credentialSchema of another schema", doc: degree("credentialSchema", map[string]any{"id": "https://evil.example/degree.json", "type": "JsonSchema"}), field: "/credentialSchema"},
		{name: "credentialSchema with another as well", doc: degree("credentialSchema", []any{
			map[string]any{"id": "https://thaitrust.example/schemas/DegreeCredential.json", "type": "JsonSchema"},
			map[string]any{"id": "https://evil.example/degree.json", "type": "JsonSchema"},
		}), field: "/credentialSchema"},
		{name: "credentialSchema of the type", doc: degree("credentialSchema", map[string]any{"id": "https://thaitrust.example/schemas/DegreeCredential.json", "type": "JsonSchema"})},
		{name: "@context not an array", doc: degree("@context", credential.ContextV2), field: "/@context"},
		{name: "@context without VCDM 2", doc: degree("@context", []any{"https://thaitrust.example/ns/credentials/v1"}), field: "/@context/0"},
		{name: "id not a URL", doc: degree("id", "12345"), field: "/id"},
		{name: "id not a string", doc: degree("id", 12345.0), field: "/id"},
		{name: "validFrom not a date", doc: degree("validFrom", "yesterday"), field: "/validFrom"},
		{name: "validUntil before validFrom", doc: degree("validFrom", "2025-06-01T00:00:00Z", "validUntil", "2025-05-01T00:00:00Z"), field: "/validUntil"},
		{name: "subject missing", doc: degree("credentialSubject", nil), field: "/credentialSubject"},
		{name: "schema/pid checksum", doc: subject(func(s map[string]any) {
			s["student"].(map[string]any)["pid"] = "1103701234560"
		}), field: "/credentialSubject/student/pid"},
		{name: "schema/required member", doc: subject(func(s map[string]any) { delete(s, "award") }), field: "/credentialSubject/award"},
		{name: "schema/enum", doc: subject(func(s map[string]any) {
			s["award"].(map[string]any)["level"] = "kindergarten"
		}), field: "/credentialSubject/award/level"},
		{name: "schema/BE date mismatch", doc: subject(func(s map[string]any) {
			s["student"].(map[string]any)["birthDateBE"] = "25440110"
		}), field: "/credentialSubject/student/birthDateBE"},
		{name: "unsupported format", doc: degree(), format: "ldp_vc", wantErr: issuer.ErrUnsupportedFormat},
		{name: "SD-JWT VC without a holder key", doc: degree(), format: "dc+sd-jwt", wantErr: issuer.ErrBadRequest},
		{name: "nil document", doc: nil, field: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is, err := vi.Service.Issue(ctx, issuer.Request{Credential: tt.doc, Format: tt.format})
			if tt.wantErr == nil && tt.field == "" && tt.doc != nil {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil {
				t.Fatalf("issued %s", is.Credential.ID)
			}
			if is != nil {
				t.Errorf("result with an error")
			}
			if !strings.HasPrefix(err.Error(), "issuer: ") {
				t.Errorf("message %q lacks the package prefix", err)
			}
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			var inv *issuer.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("error %v (%T) is not an *InvalidError", err, err)
			}
			if inv.Field != tt.field || inv.Reason == "" || inv.Msg == "" {
				t.Errorf("field %q reason %q msg %q; want field %q", inv.Field, inv.Reason, inv.Msg, tt.field)
			}
		})
	}
	// Nothing was recorded and no index was spent on a rejected request.
	recs, err := vi.Service.Records(ctx, "", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 { // "issuer absent" and "credentialSchema of the type" were issued
		t.Errorf("%d records after rejected requests", len(recs))
	}
}

// TestDuplicateID: a credential id given by the back office is used,
// once.
func TestDuplicateID(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	doc := issuertest.Example(t, "DegreeCredential")
	doc["id"] = "https://ttu.example/degrees/6230123421"
	if is := issue(t, vi.Service, doc); is.Credential.ID != doc["id"] || is.Record.ID != doc["id"] {
		t.Fatalf("id %s", is.Credential.ID)
	}
	if _, err := vi.Service.Issue(ctx, issuer.Request{Credential: doc}); !errors.Is(err, issuer.ErrExists) {
		t.Fatalf("second credential with the id: %v", err)
	}
}

// TestPrepareDoesNotMutate: Prepare and Issue leave their input alone,
// and what they return does not share memory with it.
func TestPrepareDoesNotMutate(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	in := issuertest.Example(t, "DegreeCredential")
	in["issuer"] = map[string]any{"id": vi.DID, "name": "TTU"}
	orig := issuertest.Clone(in)
	doc, typ, err := vi.Service.Prepare(in)
	if err != nil {
		t.Fatal(err)
	}
	if typ != "DegreeCredential" {
		t.Errorf("type %q", typ)
	}
	if !reflect.DeepEqual(in, orig) {
		t.Fatalf("Prepare changed its input")
	}
	for _, k := range []string{"id", "validFrom", "credentialSchema"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("prepared document has no %s", k)
		}
	}
	if _, ok := doc["credentialStatus"]; ok {
		t.Errorf("Prepare allocated a status entry")
	}
	// Changing the prepared document does not reach the input.
	doc["credentialSubject"].(map[string]any)["student"].(map[string]any)["pid"] = "x"
	doc["issuer"].(map[string]any)["name"] = "x"
	if !reflect.DeepEqual(in, orig) {
		t.Fatalf("the prepared document shares memory with the input")
	}

	is := issue(t, vi.Service, in)
	if !reflect.DeepEqual(in, orig) {
		t.Fatalf("Issue changed its input")
	}
	// The issued view does not change when the caller reuses its map.
	in["credentialSubject"].(map[string]any)["student"].(map[string]any)["pid"] = "y"
	if is.Credential.Subjects[0]["student"].(map[string]any)["pid"] == "y" {
		t.Errorf("the issued credential shares memory with the request")
	}
	// Prepare allocates nothing: the list was created by Issue only.
	if _, err := vi.Store.GetList(ctx, "university", "2"); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("list 2: %v", err)
	}
}

func TestStatusTransitions(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	s := vi.Service
	id := issue(t, s, issuertest.Example(t, "DegreeCredential")).Credential.ID
	other := issue(t, s, issuertest.Example(t, "DegreeCredential")).Credential.ID
	steps := []struct {
		action             issuer.Action
		wantErr            error
		revoked, suspended bool
	}{
		{issuer.Unsuspend, nil, false, false}, // not suspended: no change, no error
		{issuer.Suspend, nil, false, true},
		{issuer.Suspend, nil, false, true},
		{issuer.Unsuspend, nil, false, false},
		{issuer.Suspend, nil, false, true},
		{issuer.Revoke, nil, true, true},
		{issuer.Revoke, nil, true, true}, // revoking twice is fine
		{issuer.Suspend, issuer.ErrRevoked, true, true},
		{issuer.Unsuspend, issuer.ErrRevoked, true, true},
	}
	for i, st := range steps {
		got, err := s.SetStatus(ctx, id, st.action)
		if !errors.Is(err, st.wantErr) {
			t.Fatalf("step %d %s: error %v, want %v", i, st.action, err, st.wantErr)
		}
		if err == nil && (got.ID != id || got.Revoked != st.revoked || got.Suspended != st.suspended) {
			t.Errorf("step %d %s: status %+v", i, st.action, got)
		}
		cur, rec, err := s.Status(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if cur.Revoked != st.revoked || cur.Suspended != st.suspended || rec.ID != id {
			t.Errorf("step %d %s: Status %+v", i, st.action, cur)
		}
	}
	// The other credential at another index is untouched.
	if cur, _, err := s.Status(ctx, other); err != nil || cur.Revoked || cur.Suspended {
		t.Errorf("other credential: %+v, %v", cur, err)
	}
	if _, err := s.SetStatus(ctx, "urn:uuid:00000000-0000-7000-8000-000000000000", issuer.Revoke); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("unknown credential: %v", err)
	}
	// Another issuer on the same store cannot change it.
	dbd := issuertest.NewVirtualIssuerConfig(t, "dbd", signing.EdDSA, issuer.Config{Store: vi.Store}, "JuristicPersonCredential")
	if _, err := dbd.Service.SetStatus(ctx, other, issuer.Revoke); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("another issuer's credential: %v", err)
	}

	for _, in := range []string{"revoke", "Suspend", "UNSUSPEND"} {
		if _, err := issuer.ParseAction(in); err != nil {
			t.Errorf("ParseAction(%q): %v", in, err)
		}
	}
	if _, err := issuer.ParseAction("delete"); !errors.Is(err, issuer.ErrBadRequest) {
		t.Errorf("ParseAction(delete): %v", err)
	}
}

// listBits fetches and decodes the signed list credential.
func listBits(t testing.TB, vi *issuertest.VirtualIssuer, list, purpose string) (string, *credential.Credential, *status.Bitstring) {
	t.Helper()
	tok, err := vi.Service.StatusListCredential(ctx, list, purpose)
	if err != nil {
		t.Fatal(err)
	}
	c, err := jose.VerifyCredential(ctx, tok, jose.VerifyOptions{Algorithms: issuertest.Algorithms, Keys: vi.KeyResolver(), Now: vi.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	enc, _ := c.Subjects[0]["encodedList"].(string)
	bits, err := status.DecodeList(enc)
	if err != nil {
		t.Fatal(err)
	}
	return tok, c, bits
}

func bit(t testing.TB, b *status.Bitstring, i uint64) bool {
	t.Helper()
	v, err := b.Get(int(i))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestStatusListCredential(t *testing.T) {
	vi := issuertest.NewVirtualIssuerConfig(t, "university", signing.ES384, issuer.Config{ReserveBlock: 1}, "DegreeCredential")
	s := vi.Service
	a := issue(t, s, issuertest.Example(t, "DegreeCredential"))
	b := issue(t, s, issuertest.Example(t, "DegreeCredential"))

	tok, c, bits := listBits(t, vi, "1", status.PurposeRevocation)
	url := s.ListURL("1", status.PurposeRevocation)
	subj := c.Subjects[0]
	if c.ID != url || c.Issuer.ID != vi.DID || !c.HasType(status.ListCredentialType) || subj["statusPurpose"] != "revocation" ||
		subj["type"] != status.ListType || !c.ValidFrom.Equal(issuertest.Epoch) || !c.ValidUntil.Equal(issuertest.Epoch.Add(24*time.Hour)) {
		t.Errorf("list credential %s by %s, %v, subject %v, valid %s..%s", c.ID, c.Issuer.ID, c.Types, subj, c.ValidFrom, c.ValidUntil)
	}
	if fmt.Sprint(subj["ttl"]) != "300000" {
		t.Errorf("ttl %v", subj["ttl"])
	}
	if bits.Len() != status.MinSize || bit(t, bits, a.Record.Index) || bit(t, bits, b.Record.Index) {
		t.Fatalf("fresh list: %d bits", bits.Len())
	}

	// Cached while nothing changes, even when issuing spends counters.
	issue(t, s, issuertest.Example(t, "DegreeCredential"))
	vi.Clock.Advance(time.Hour)
	if again, _, _ := listBits(t, vi, "1", status.PurposeRevocation); again != tok {
		t.Errorf("the list was re-signed although its bits did not change")
	}

	// Revoking changes the revocation list only.
	_, sus, _ := listBits(t, vi, "1", status.PurposeSuspension)
	vi.Revoke(t, a.Credential.ID)
	tok2, c2, bits := listBits(t, vi, "1", status.PurposeRevocation)
	if tok2 == tok || !bit(t, bits, a.Record.Index) || bit(t, bits, b.Record.Index) {
		t.Errorf("after revoking a: re-signed %v, a %v, b %v", tok2 != tok, bit(t, bits, a.Record.Index), bit(t, bits, b.Record.Index))
	}
	if !c2.ValidFrom.Equal(vi.Clock.Now()) {
		t.Errorf("re-signed list valid from %s", c2.ValidFrom)
	}
	if _, sus2, sbits := listBits(t, vi, "1", status.PurposeSuspension); !sus2.ValidFrom.Equal(sus.ValidFrom) || bit(t, sbits, a.Record.Index) {
		t.Errorf("the suspension list changed")
	}
	vi.Suspend(t, b.Credential.ID)
	_, _, sbits := listBits(t, vi, "1", status.PurposeSuspension)
	if !bit(t, sbits, b.Record.Index) || bit(t, sbits, a.Record.Index) {
		t.Errorf("suspension bits")
	}
	vi.Unsuspend(t, b.Credential.ID)
	if _, _, sbits := listBits(t, vi, "1", status.PurposeSuspension); bit(t, sbits, b.Record.Index) {
		t.Errorf("unsuspended bit still set")
	}

	// Re-signed when half the validity has passed.
	if again, _, _ := listBits(t, vi, "1", status.PurposeRevocation); again != tok2 {
		t.Errorf("re-signed too early")
	}
	vi.Clock.Advance(12 * time.Hour)
	if again, c3, _ := listBits(t, vi, "1", status.PurposeRevocation); again == tok2 || !c3.ValidUntil.Equal(vi.Clock.Now().Add(24*time.Hour)) {
		t.Errorf("not re-signed after half its validity")
	}

	for _, x := range []struct{ list, purpose string }{{"1", "message"}, {"1", ""}, {"2", "revocation"}, {"../1", "revocation"}} {
		if _, err := s.StatusListCredential(ctx, x.list, x.purpose); !errors.Is(err, issuer.ErrNotFound) {
			t.Errorf("list %q purpose %q: %v", x.list, x.purpose, err)
		}
	}
}

// pair is a status list index.
type pair struct {
	list  string
	index uint64
}

func pairOf(r issuer.Record) pair { return pair{r.ListID, r.Index} }

func TestIndexAllocation(t *testing.T) {
	store := issuertest.NewMemoryStore()
	cfg := issuer.Config{Store: store, ReserveBlock: 3}
	vi := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA, cfg, "DegreeCredential")
	seen := map[pair]string{}
	check := func(is *issuer.Issued) {
		t.Helper()
		p := pairOf(is.Record)
		if prev, ok := seen[p]; ok {
			t.Fatalf("%v given to %s and %s", p, prev, is.Record.ID)
		}
		seen[p] = is.Record.ID
		if p.index >= status.MinSize {
			t.Fatalf("index %d outside the list", p.index)
		}
	}
	for range 20 {
		check(issue(t, vi.Service, issuertest.Example(t, "DegreeCredential")))
	}
	l, err := store.GetList(ctx, "university", "1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Next != 21 { // 7 blocks of 3
		t.Errorf("Next = %d after 20 credentials in blocks of 3", l.Next)
	}
	// Not sequential: the indexes are permuted over the whole list.
	var idx []uint64
	for p := range seen {
		idx = append(idx, p.index)
	}
	if slices.Max(idx) < 1000 {
		t.Errorf("indexes %v look sequential", idx)
	}

	// A restart (a new Service on the same store) skips the rest of the
	// block the old one held and reuses nothing.
	for restart := range 3 {
		svc, err := issuer.New(issuer.Config{Store: store, ReserveBlock: 3, Profile: vi.Service.Profile(), Now: vi.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		for range 5 + restart {
			check(issue(t, svc, issuertest.Example(t, "DegreeCredential")))
		}
	}
	if len(seen) != 20+5+6+7 {
		t.Errorf("%d distinct pairs", len(seen))
	}
}

// TestRollover: a full list is followed by a new one.
func TestRollover(t *testing.T) {
	store := issuertest.NewMemoryStore()
	size := uint64(status.MinSize)
	full := issuer.StatusList{
		Issuer: "university", ID: "1", Seq: 1, Size: size, Next: size - 3,
		Revoked: make([]byte, size/8), Suspended: make([]byte, size/8),
		Key: [32]byte{1, 2, 3}, CreatedAt: issuertest.Epoch, UpdatedAt: issuertest.Epoch,
	}
	if err := store.CreateList(ctx, full); err != nil {
		t.Fatal(err)
	}
	// The indexes list 1 handed out before: counters 0 .. size-4.
	used := map[uint64]bool{}
	for i := range size - 3 {
		used[status.Permute(full.Key, size, i)] = true
	}
	vi := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA, issuer.Config{Store: store, ReserveBlock: 2}, "DegreeCredential")
	var got []*issuer.Issued
	seen := map[pair]bool{}
	for range 10 {
		is := issue(t, vi.Service, issuertest.Example(t, "DegreeCredential"))
		p := pairOf(is.Record)
		if seen[p] || (p.list == "1" && used[p.index]) {
			t.Fatalf("pair %v reused", p)
		}
		seen[p] = true
		got = append(got, is)
	}
	var lists []string
	for _, is := range got {
		lists = append(lists, is.Record.ListID)
	}
	if want := []string{"1", "1", "1", "2", "2", "2", "2", "2", "2", "2"}; !slices.Equal(lists, want) {
		t.Errorf("lists %v, want %v", lists, want)
	}
	l1, err := store.GetList(ctx, "university", "1")
	if err != nil {
		t.Fatal(err)
	}
	l2, err := store.GetList(ctx, "university", "2")
	if err != nil {
		t.Fatal(err)
	}
	if l1.Next != size || l2.Seq != 2 || l2.Size != size || l2.Key == l1.Key || l2.Key == ([32]byte{}) {
		t.Errorf("list 1 Next %d; list 2 seq %d size %d", l1.Next, l2.Seq, l2.Size)
	}
	// Credentials on both lists can be revoked and verify as such.
	v := vi.Verifier(t)
	for _, is := range []*issuer.Issued{got[0], got[9]} {
		vi.Revoke(t, is.Credential.ID)
		if r := v.VerifyCredential(ctx, is.MediaType, is.Token); r.Reason() != "revoked" {
			t.Errorf("list %s: reason %q", is.Record.ListID, r.Reason())
		}
	}
	if r := v.VerifyCredential(ctx, got[5].MediaType, got[5].Token); !r.Verified {
		t.Errorf("list 2 credential: %+v", r.Checks)
	}
}

// TestConcurrentReplicas: two Services sharing one store, as two
// replicas would, issuing concurrently (run with -race), across a
// rollover, never hand out one pair twice.
func TestConcurrentReplicas(t *testing.T) {
	store := issuertest.NewMemoryStore()
	size := uint64(status.MinSize)
	if err := store.CreateList(ctx, issuer.StatusList{
		Issuer: "university", ID: "1", Seq: 1, Size: size, Next: size - 50, Key: [32]byte{9},
		Revoked: make([]byte, size/8), Suspended: make([]byte, size/8),
	}); err != nil {
		t.Fatal(err)
	}
	a := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA, issuer.Config{Store: store, ReserveBlock: 4}, "DegreeCredential")
	b, err := issuer.New(issuer.Config{Store: store, ReserveBlock: 7, Profile: a.Service.Profile(), Now: a.Clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 40
	type result struct {
		p   pair
		err error
	}
	out := make(chan result, 2*workers*each)
	tmpl := issuertest.Example(t, "DegreeCredential")
	for _, svc := range []*issuer.Service{a.Service, b} {
		for range workers {
			go func() {
				for range each {
					is, err := svc.Issue(ctx, issuer.Request{Credential: issuertest.Clone(tmpl)})
					if err != nil {
						out <- result{err: err}
						continue
					}
					out <- result{p: pairOf(is.Record)}
				}
			}()
		}
	}
	seen := map[pair]bool{}
	lists := map[string]int{}
	for range 2 * workers * each {
		r := <-out
		if r.err != nil {
			t.Fatal(r.err)
		}
		if seen[r.p] {
			t.Fatalf("pair %v handed out twice", r.p)
		}
		seen[r.p] = true
		lists[r.p.list]++
	}
	if lists["1"] > 50 || lists["2"] == 0 {
		t.Errorf("per list: %v", lists)
	}
	recs, err := store.ListRecords(ctx, "university", "", 1000)
	if err != nil || len(recs) != 2*workers*each {
		t.Errorf("%d records, %v", len(recs), err)
	}
}

func TestNewRejects(t *testing.T) {
	vi := issuertest.NewVirtualIssuer(t, "university", signing.EdDSA, "DegreeCredential")
	good := issuer.Config{Profile: vi.Service.Profile(), Store: issuertest.NewMemoryStore()}
	if _, err := issuer.New(good); err != nil {
		t.Fatal(err)
	}
	p384, err := signing.GenerateKey(signing.ES384)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		change func(*issuer.Config)
	}{
		{"no store", func(c *issuer.Config) { c.Store = nil }},
		{"no name", func(c *issuer.Config) { c.Profile.Name = "" }},
		{"name with a slash", func(c *issuer.Config) { c.Profile.Name = "a/b" }},
		{"DID not a DID", func(c *issuer.Config) { c.Profile.DID = "https://university.example" }},
		{"kid of another DID", func(c *issuer.Config) { c.Profile.Signer.KeyID = "did:web:other.example#key-1" }},
		{"kid without fragment", func(c *issuer.Config) { c.Profile.Signer.KeyID = c.Profile.DID }},
		{"no key", func(c *issuer.Config) { c.Profile.Signer.Key = nil }},
		{"algorithm does not fit the key", func(c *issuer.Config) { c.Profile.Signer.Algorithm = signing.ES256 }},
		{"algorithm empty", func(c *issuer.Config) { c.Profile.Signer.Algorithm = "" }},
		{"P-384 key as EdDSA", func(c *issuer.Config) { c.Profile.Signer.Key = p384 }},
		{"no status URL", func(c *issuer.Config) { c.Profile.StatusBaseURL = "" }},
		{"unknown type", func(c *issuer.Config) { c.Profile.Types = []string{"DegreeCredential", "FooCredential"} }},
		{"list too small", func(c *issuer.Config) { c.ListSize = status.MinSize - 8 }},
		{"list size not bytes", func(c *issuer.Config) { c.ListSize = status.MinSize + 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			cfg.Profile.Types = slices.Clone(good.Profile.Types)
			tt.change(&cfg)
			if s, err := issuer.New(cfg); err == nil {
				t.Fatalf("New accepted it: %+v", s.Profile())
			}
		})
	}
}

func TestAllowGeneric(t *testing.T) {
	vi := issuertest.NewVirtualIssuerConfig(t, "w3c", signing.EdDSA, issuer.Config{AllowGeneric: true}, "DegreeCredential")
	doc := map[string]any{
		"@context":          []any{credential.ContextV2, "https://www.w3.org/ns/credentials/examples/v2"},
		"type":              []any{"VerifiableCredential", "ExampleDegreeCredential"},
		"credentialSubject": map[string]any{"id": "did:example:ebfeb1f712ebc6f1c276e12ec21", "degree": map[string]any{"type": "BachelorDegree"}},
	}
	is := issue(t, vi.Service, doc)
	if is.Record.Type != "ExampleDegreeCredential" || len(is.Credential.Schemas) != 0 || slices.Contains(is.Credential.Context, any(issuer.ContextThaiTrust)) {
		t.Errorf("generic credential: type %s, schemas %v, context %v", is.Record.Type, is.Credential.Schemas, is.Credential.Context)
	}
	// Catalogue types stay subject to the profile and their schemas.
	if _, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "ThaiCitizenCredential")}); !errors.Is(err, issuer.ErrTypeNotAllowed) {
		t.Errorf("catalogue type not allowed: %v", err)
	}
	// Without AllowGeneric they are refused.
	strict := issuertest.NewVirtualIssuer(t, "strict", signing.EdDSA, "DegreeCredential")
	if _, err := strict.Service.Issue(ctx, issuer.Request{Credential: doc}); !errors.Is(err, issuer.ErrUnknownType) {
		t.Errorf("generic without AllowGeneric: %v", err)
	}
}

func TestRecords(t *testing.T) {
	store := issuertest.NewMemoryStore()
	vi := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA, issuer.Config{Store: store}, "DegreeCredential")
	var ids []string
	for range 5 {
		ids = append(ids, issue(t, vi.Service, issuertest.Example(t, "DegreeCredential")).Credential.ID)
		vi.Clock.Advance(time.Millisecond)
	}
	recs, err := vi.Service.Records(ctx, "", 3)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range recs {
		got = append(got, r.ID)
		if r.Credential != nil {
			t.Errorf("record keeps the credential without KeepCredentials")
		}
	}
	if want := []string{ids[4], ids[3], ids[2]}; !slices.Equal(got, want) {
		t.Errorf("newest first: %v, want %v", got, want)
	}
}
