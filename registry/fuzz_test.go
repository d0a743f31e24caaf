package registry_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// fuzzSeedScheme is a small exported registry for seeds.
func fuzzSeeds(f *testing.F) (jwt string, xml []byte) {
	f.Helper()
	sc := registrytest.NewScheme(f, nil)
	sc.Clock.Set(day(3))
	_, err := sc.Service.SetAccreditationStatus(context.Background(), admin, sc.Members["dbd"].Accreditation.ID,
		registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"})
	if err != nil {
		f.Fatal(err)
	}
	opts := registry.ExportOptions{NextUpdate: day(30), Keys: sc.Resolver}
	jwt, err = sc.Service.Export(context.Background(), sc.Members["etda"].Signer, opts)
	if err != nil {
		f.Fatal(err)
	}
	xml, err = sc.Service.ExportXML(context.Background(), opts)
	if err != nil {
		f.Fatal(err)
	}
	return jwt, xml
}

// FuzzTrustList feeds JSON trust list payloads, signed with a test key,
// to LoadTrustList: it must never panic, an error means no list, and a
// list it accepts answers queries.
func FuzzTrustList(f *testing.F) {
	tok, _ := fuzzSeeds(f)
	p, err := jws.Parse(tok)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(p.Payload)
	f.Add([]byte(`{"ListAndSchemeInformation":{"LoTESequenceNumber":1,"ListIssueDateTime":"2025-01-01T00:00:00Z","SchemeOperatorID":"op"},"TrustedEntitiesList":[]}`))
	f.Add([]byte(`{}`))
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	f.Fuzz(func(t *testing.T, payload []byte) {
		signed, err := jws.Sign(key, jws.Header{Alg: signing.EdDSA, Typ: registry.TypTrustList}, payload)
		if err != nil {
			t.Fatal(err)
		}
		tl, err := registry.LoadTrustList([]byte(signed), key.Public(), day(1), registry.ListPolicy{AllowStale: true})
		if (err == nil) != (tl != nil) {
			t.Fatalf("LoadTrustList = %v, %v", tl != nil, err)
		}
		if err != nil {
			return
		}
		for _, le := range tl.Document().Entities {
			for _, d := range le.Entity.DIDs() {
				tl.Authorize(registry.AuthorizationQuery{Entity: d, Resource: "DegreeCredential", At: day(10)})
				tl.Recognize(registry.RecognitionQuery{Authority: le.Entity.ID, At: day(10)})
				tl.CheckEvidence(registry.IdentityEvidence{IAL: registry.IAL23, IdP: d, ProofedAt: day(10)}, 0, 0)
			}
		}
	})
}

// FuzzParseTrustList: compact JWS input to the unverified parser.
func FuzzParseTrustList(f *testing.F) {
	tok, _ := fuzzSeeds(f)
	f.Add([]byte(tok))
	f.Add([]byte("eyJhbGciOiJFZERTQSIsInR5cCI6InRydXN0bGlzdCtqd3QifQ.e30.AA"))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, doc, err := registry.ParseTrustList(data)
		if (err == nil) != (p != nil && doc != nil) {
			t.Fatalf("ParseTrustList = %v, %v, %v", p != nil, doc != nil, err)
		}
	})
}

// FuzzParseTrustListXML: arbitrary XML to the 119 612 parser; what it
// accepts must survive MarshalXML and parse again to the same shape, and
// import into a registry without breaking its history.
func FuzzParseTrustListXML(f *testing.F) {
	_, x := fuzzSeeds(f)
	f.Add(x)
	f.Add([]byte(`<TrustServiceStatusList xmlns="http://uri.etsi.org/02231/v2#"><SchemeInformation><TSLSequenceNumber>1</TSLSequenceNumber><ListIssueDateTime>2025-01-01T00:00:00Z</ListIssueDateTime><SchemeTerritory>EE</SchemeTerritory></SchemeInformation></TrustServiceStatusList>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := registry.ParseTrustListXML(data, map[string][]string{"http://uri.etsi.org/TrstSvc/Svctype/CA/QC": {"DegreeCredential"}})
		if (err == nil) != (doc != nil) {
			t.Fatalf("ParseTrustListXML = %v, %v", doc != nil, err)
		}
		if err != nil {
			return
		}
		out, err := registry.MarshalXML(doc)
		if err != nil {
			t.Fatalf("MarshalXML of a parsed list: %v", err)
		}
		again, err := registry.ParseTrustListXML(out, nil)
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		if len(again.Entities) != len(doc.Entities) || again.SchemeInformation.SequenceNumber != doc.SchemeInformation.SequenceNumber {
			t.Fatalf("round trip: %d entities, want %d", len(again.Entities), len(doc.Entities))
		}
		// Import into a registry that has only its root.
		store := registrytest.NewMemoryStore()
		clock := func() time.Time { return day(1) }
		s, err := registry.Open(context.Background(), registry.Config{Store: store, Root: "root", Now: clock})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Register(context.Background(), admin, registry.Entity{ID: "root", Kinds: []registry.Kind{registry.KindSchemeOperator},
			Name: registry.Text{EN: "Root"}, Jurisdiction: "TH"}, ""); err != nil {
			t.Fatal(err)
		}
		_, _ = s.ImportXML(context.Background(), admin, data, registry.ImportOptions{Source: registry.ListSource{ID: "x"},
			Types: []string{"DegreeCredential"}, UnsafeUnsignedXML: true, Policy: registry.ListPolicy{AllowStale: true},
			ServiceTypes: map[string][]string{"http://uri.etsi.org/TrstSvc/Svctype/CA/QC": {"DegreeCredential"}}})
		if _, err := registry.Verify(context.Background(), store); err != nil {
			t.Fatalf("history after import: %v", err)
		}
	})
}
