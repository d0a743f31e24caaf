package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// issuerDID is the did:web of the ThaiTrust test issuer.
const issuerDID = "did:web:university.thaitrust.example"

// statusBase is where the test issuer says it publishes status lists.
const statusBase = "https://university.thaitrust.example/status"

// subjectID is the credentialSubject id given to credentials that need
// one (vc-go's JWT VC does).
const subjectID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

// testNow is the fixed clock of every test: credentials are issued an hour
// before it.
var testNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// thaiIssuer is a ThaiTrust issuer.Service with an in-memory store, and the
// DID document a resolver would serve for it.
type thaiIssuer struct {
	svc     *issuer.Service
	doc     *did.Document
	docJSON []byte // the DID document as served (GET /1.0/identifiers/{did})
	alg     signing.Algorithm
}

func newThaiIssuer(t testing.TB, alg signing.Algorithm) *thaiIssuer {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	doc := did.NewDocument(issuerDID, key.Public())
	docJSON, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := issuer.New(issuer.Config{
		Profile: issuer.Profile{
			Name: "university", DID: issuerDID, Types: []string{"DegreeCredential"},
			DisplayName:   map[string]string{"th": "มหาวิทยาลัยธารทอง", "en": "Than Thong University"},
			Signer:        jose.Signer{Key: key, Algorithm: alg, KeyID: doc.VerificationMethod[0].ID},
			StatusBaseURL: statusBase,
		},
		Store: issuertest.NewMemoryStore(),
		Now:   func() time.Time { return testNow.Add(-time.Hour) },
	})
	if err != nil {
		t.Fatal(err)
	}
	return &thaiIssuer{svc: svc, doc: doc, docJSON: docJSON, alg: alg}
}

// issueDegree issues the catalogue's DegreeCredential example.
func (ti *thaiIssuer) issueDegree(t testing.TB) *issuer.Issued {
	t.Helper()
	issued, err := ti.svc.Issue(context.Background(), issuer.Request{Credential: degreeExample(t)})
	if err != nil {
		t.Fatal(err)
	}
	return issued
}

// degreeExample is schemas.Lookup("DegreeCredential").Example, decoded.
func degreeExample(t testing.TB) map[string]any {
	t.Helper()
	typ, ok := schemas.Lookup("DegreeCredential")
	if !ok {
		t.Fatal("no DegreeCredential in the catalogue")
	}
	var m map[string]any
	if err := json.Unmarshal(typ.Example, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// normalize decodes JSON (or re-encodes a value and decodes it) into
// generic values with json.Number numbers, so that documents from
// different decoders compare with reflect.DeepEqual.
func normalize(t testing.TB, v any) any {
	t.Helper()
	data, ok := v.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(v); err != nil {
			t.Fatal(err)
		}
	}
	var out any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("decoding %s: %v", data, err)
	}
	return out
}
