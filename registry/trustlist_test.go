package registry_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

func export(t *testing.T, sc *registrytest.Scheme, next time.Time) string {
	t.Helper()
	tok, err := sc.Service.Export(ctx, sc.Members["etda"].Signer, registry.ExportOptions{NextUpdate: next, Keys: sc.Resolver, Credentials: true})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// degree signs the catalogue's example DegreeCredential as m, valid from
// validFrom.
func degree(t *testing.T, m *registrytest.Member, validFrom time.Time) string {
	t.Helper()
	ty, _ := schemas.Lookup("DegreeCredential")
	var doc map[string]any
	if err := json.Unmarshal(ty.Example, &doc); err != nil {
		t.Fatal(err)
	}
	doc["id"] = "urn:uuid:0193a1b2-0000-7000-8000-000000000001"
	doc["issuer"] = m.DID
	doc["validFrom"] = validFrom.UTC().Format(time.RFC3339)
	tok, err := jose.SecureCredential(doc, m.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestChain(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	s := sc.Service
	uniAcc := sc.Members["university"].Accreditation
	creds, err := s.Chain(uniAcc.ID)
	if err != nil || len(creds) != 2 {
		t.Fatalf("Chain = %d creds, %v", len(creds), err)
	}
	links, err := registry.ValidateChain(ctx, creds, sc.Anchor, day(10), sc.Resolver)
	if err != nil {
		t.Fatal(err)
	}
	if links[0].Subject != sc.Members["university"].DID || links[1].Issuer != sc.Anchor.DID || links[0].Parent != links[1].ID {
		t.Errorf("links %+v", links)
	}
	// A second accreditation body, accredited by etda for degrees too.
	moe := sc.NewMember(t, "moe", signing.EdDSA)
	_, err = s.Register(ctx, admin, registry.Entity{ID: "moe", Kinds: []registry.Kind{registry.KindAccreditationBody}, Name: registry.Text{TH: "กระทรวงศึกษาธิการ", EN: "Ministry of Education"},
		Jurisdiction: "TH", Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: moe.DID}}}, "")
	must(t, err)
	moeAcc, err := s.Accredit(ctx, admin, registry.AccreditRequest{Subject: "moe", Role: registry.RoleAccreditor, Scope: registry.Scope{CredentialTypes: []string{"DegreeCredential"}}})
	must(t, err)
	// mhesi signs, outside the registry, a credential for a type beyond its scope.
	wide := map[string]any{
		"@context": []any{"https://www.w3.org/ns/credentials/v2", "https://thaitrust.example/ns/credentials/v1"},
		"id":       "urn:uuid:0193a1b2-0000-7000-8000-0000000000ff", "type": []any{"VerifiableCredential", "AccreditationCredential"},
		"issuer": sc.Members["mhesi"].DID, "validFrom": registrytest.Epoch.Format(time.RFC3339),
		"credentialSubject": map[string]any{"id": sc.Members["university"].DID, "name": map[string]any{"th": "ม", "en": "U"}, "role": "issuer",
			"accreditedFor": []any{map[string]any{"credentialType": "ThaiCitizenCredential", "jurisdiction": "TH"}}},
	}
	wideTok, err := jose.SecureCredential(wide, sc.Members["mhesi"].Signer)
	must(t, err)
	parts := strings.Split(creds[0], ".")
	sig := []byte(parts[2])
	if sig[5] == 'A' {
		sig[5] = 'B'
	} else {
		sig[5] = 'A'
	}
	badSig := parts[0] + "." + parts[1] + "." + string(sig)
	other := sc.Members["mhesi"]
	tests := []struct {
		name   string
		creds  []string
		anchor registry.Anchor
		at     time.Time
		reason string
		index  int
	}{
		{"broken link", []string{creds[0], moeAcc.Credential}, sc.Anchor, day(10), "broken_link", 0},
		{"tampered signature", []string{badSig, creds[1]}, sc.Anchor, day(10), "bad_signature", 0},
		{"wrong anchor", creds, registry.Anchor{DID: sc.Anchor.DID, Key: other.Signer.Key.Public()}, day(10), "bad_signature", 1},
		{"anchor is not the root", creds, registry.Anchor{DID: other.DID, Key: other.Signer.Key.Public()}, day(10), "untrusted_root", 1},
		{"expired", creds, sc.Anchor, day(400), "expired", 0},
		{"not yet valid", creds, sc.Anchor, day(-1), "not_yet_valid", 0},
		{"scope widened", []string{wideTok, creds[1]}, sc.Anchor, day(10), "scope_widened", 0},
		{"issuer accreditation as a link", []string{creds[0], sc.Members["dopa"].Accreditation.Credential}, sc.Anchor, day(10), "not_accreditor", 1},
		{"empty", nil, sc.Anchor, day(10), "empty", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := registry.ValidateChain(ctx, tt.creds, tt.anchor, tt.at, sc.Resolver)
			var le *registry.ChainLinkError
			if !errors.As(err, &le) || !errors.Is(err, registry.ErrChain) {
				t.Fatalf("err = %v, want a *ChainLinkError", err)
			}
			if le.Reason != tt.reason || le.Index != tt.index {
				t.Errorf("link %d %s, want link %d %s: %v", le.Index, le.Reason, tt.index, tt.reason, err)
			}
		})
	}
}

func TestTrustListOffline(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	sc.Clock.Set(day(1))
	tok := export(t, sc, day(31))
	root := sc.Key("etda")

	tl, err := registry.LoadTrustList([]byte(tok), root, day(2), registry.ListPolicy{})
	if err != nil {
		t.Fatal(err)
	}
	if tl.Info.SequenceNumber != sc.Service.Head().Seq || tl.Info.SchemeTerritory != "TH" {
		t.Errorf("info %+v", tl.Info)
	}
	// A verifier with nothing but the list: no network, no registry.
	v, err := verifier.New(verifier.Config{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}, Keys: tl, Trust: tl, UnsafeSkipStatus: true,
		Now: func() time.Time { return day(20) }})
	if err != nil {
		t.Fatal(err)
	}
	if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, degree(t, sc.Members["university"], day(10))); !r.Verified {
		t.Fatalf("listed issuer: %+v", r.Checks)
	}
	stranger := sc.NewMember(t, "diploma-mill", signing.EdDSA)
	if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, degree(t, stranger, day(10))); r.Verified || r.Reason() != registry.ReasonUnknownIssuer {
		t.Fatalf("unlisted issuer: verified=%v reason=%s", r.Verified, r.Reason())
	}
	// The chain validates offline from the listed credentials and keys.
	var chain []string
	for _, id := range []string{"university", "mhesi"} {
		for _, le := range tl.Document().Entities {
			if le.Entity.ID == id {
				chain = append(chain, le.Accreditations[0].Credential)
			}
		}
	}
	if _, err := registry.ValidateChain(ctx, chain, sc.Anchor, day(10), tl); err != nil {
		t.Errorf("chain from the list: %v", err)
	}
	if _, err := tl.ResolveKey(ctx, sc.Members["university"].Signer.KeyID, did.Authentication); err == nil {
		t.Error("the list lends an assertion key for authentication")
	}
	if a := tl.CheckEvidence(registry.IdentityEvidence{IAL: registry.IAL23, AAL: registry.AAL22, IdP: "thaid", ProofedAt: day(3)}, registry.IAL22, 0); !a.Authorized {
		t.Errorf("idp evidence from the list: %+v", a)
	}

	// A change shows in the next export (which reuses the encodings of
	// the entities that did not change).
	sc.Clock.Set(day(3))
	_, err = sc.Service.SetAccreditationStatus(ctx, admin, sc.Members["university"].Accreditation.ID, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"})
	must(t, err)
	tl2, err := registry.LoadTrustList([]byte(export(t, sc, day(31))), root, day(4), registry.ListPolicy{})
	must(t, err)
	if d := trust(t, tl2, sc.Members["university"].DID, "DegreeCredential", day(5)); d.Reason != registry.ReasonAccreditationSuspended {
		t.Errorf("re-exported list after a suspension: %+v", d)
	}
	if d := trust(t, tl2, sc.Members["dopa"].DID, "ThaiCitizenCredential", day(5)); !d.Trusted {
		t.Errorf("re-exported list, unchanged entity: %+v", d)
	}
	if len(tl2.Document().Entities) != len(tl.Document().Entities) {
		t.Errorf("re-export lists %d entities, first %d", len(tl2.Document().Entities), len(tl.Document().Entities))
	}

	parts := strings.Split(tok, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	forged := parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(payload), "Siam Digital", "Siam Digitel", 1))) + "." + parts[2]
	tests := []struct {
		name    string
		data    string
		key     any
		now     time.Time
		policy  registry.ListPolicy
		wantErr error
	}{
		{"fresh", tok, root, day(30), registry.ListPolicy{}, nil},
		{"stale", tok, root, day(32), registry.ListPolicy{}, registry.ErrStale},
		{"stale allowed", tok, root, day(32), registry.ListPolicy{AllowStale: true}, nil},
		{"tampered payload", forged, root, day(2), registry.ListPolicy{}, registry.ErrBadSignature},
		{"other key", tok, sc.Key("mhesi"), day(2), registry.ListPolicy{}, registry.ErrBadSignature},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tl, err := registry.LoadTrustList([]byte(tt.data), tt.key, tt.now, tt.policy)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tl != nil) {
				t.Fatalf("LoadTrustList = %v, %v; want %v", tl != nil, err, tt.wantErr)
			}
		})
	}
}

func TestImport(t *testing.T) {
	home := registrytest.NewScheme(t, nil)
	sg := registrytest.NewSchemeIn(t, nil, "sg.test")
	home.Clock.Set(day(5))
	sg.Clock.Set(day(5))
	sgKey := sg.Key("etda")
	opts := registry.ImportOptions{Source: registry.ListSource{ID: "sg", Key: sgKey}, Types: []string{"DegreeCredential"}}
	list1 := export(t, sg, day(35))

	if _, err := home.Service.Import(ctx, admin, []byte(list1), registry.ImportOptions{Source: registry.ListSource{ID: "sg", Key: home.Key("etda")}, Types: opts.Types}); !errors.Is(err, registry.ErrBadSignature) {
		t.Fatalf("wrong pinned key: %v", err)
	}
	if _, err := home.Service.Import(ctx, "", []byte(list1), opts); !errors.Is(err, registry.ErrUnauthenticated) {
		t.Fatalf("no actor: %v", err)
	}
	res, err := home.Service.Import(ctx, admin, []byte(list1), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Entities != 4 || res.Accreditations != 3 { // operator twice (before, after), mhesi, university; recognition, mhesi's, university's
		t.Errorf("result %+v", res)
	}
	sgUni := sg.Members["university"]
	tests := []struct {
		issuer, typ string
		at          time.Time
		want        string
	}{
		{sgUni.DID, "DegreeCredential", day(10), ""},
		{sgUni.DID, "TranscriptCredential", day(10), registry.ReasonTypeNotAccredited},
		{sg.Members["dopa"].DID, "ThaiCitizenCredential", day(10), registry.ReasonUnknownIssuer},
		{home.Members["university"].DID, "DegreeCredential", day(10), ""},
	}
	for _, tt := range tests {
		if d := trust(t, home.Service, tt.issuer, tt.typ, tt.at); d.Reason != tt.want {
			t.Errorf("%s %s: reason %q (%s), want %q", tt.issuer, tt.typ, d.Reason, d.Basis, tt.want)
		}
	}
	for _, tc := range []struct{ authority, typ, want string }{
		{"sg", "", ""}, {"sg", "DegreeCredential", ""}, {"sg", "TranscriptCredential", registry.ReasonNotRecognised},
		{"sg:mhesi", "DegreeCredential", ""}, {"etda", "", ""}, {"mhesi", "", ""}, {"university", "", registry.ReasonNotRecognised},
		{"nobody", "", registry.ReasonUnknownAuthority},
	} {
		a, err := home.Service.Recognize(ctx, registry.RecognitionQuery{Authority: tc.authority, Resource: tc.typ, At: day(10)})
		must(t, err)
		if a.Authorized != (tc.want == "") || a.Reason != tc.want {
			t.Errorf("recognize %s %s: %v %q, want %q", tc.authority, tc.typ, a.Authorized, a.Reason, tc.want)
		}
	}
	if _, err := home.Service.Import(ctx, admin, []byte(list1), opts); !errors.Is(err, registry.ErrReplay) {
		t.Errorf("same list again: %v, want ErrReplay", err)
	}
	// The foreign scheme withdraws its university at day 50 and drops dbd.
	sg.Clock.Set(day(50))
	_, err = sg.Service.SetAccreditationStatus(ctx, admin, sgUni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"})
	must(t, err)
	home.Clock.Set(day(60))
	if _, err := home.Service.Import(ctx, admin, []byte(export(t, sg, day(55))), opts); !errors.Is(err, registry.ErrStale) {
		t.Errorf("stale list: %v, want ErrStale", err)
	}
	res, err = home.Service.Import(ctx, admin, []byte(export(t, sg, day(90))), opts)
	must(t, err)
	if res.Accreditations != 1 {
		t.Errorf("second import %+v", res)
	}
	if d := trust(t, home.Service, sgUni.DID, "DegreeCredential", day(10)); !d.Trusted {
		t.Errorf("issued before the foreign withdrawal: %+v", d)
	}
	if d := trust(t, home.Service, sgUni.DID, "DegreeCredential", day(51)); d.Reason != registry.ReasonAccreditationWithdrawn {
		t.Errorf("issued after the foreign withdrawal: %+v", d)
	}
	// An older list cannot roll that back.
	if _, err := home.Service.Import(ctx, admin, []byte(list1), registry.ImportOptions{Source: opts.Source, Types: opts.Types, Policy: registry.ListPolicy{AllowStale: true}}); !errors.Is(err, registry.ErrReplay) {
		t.Errorf("older list: %v, want ErrReplay", err)
	}
	// Foreign entities are not republished in our list.
	tl, err := registry.LoadTrustList([]byte(export(t, home, day(90))), home.Key("etda"), day(60), registry.ListPolicy{})
	must(t, err)
	if _, ok := tl.Entity("sg:university"); ok {
		t.Error("our list republishes a foreign entity")
	}
	if n, err := registry.Verify(ctx, home.Store); err != nil || n == 0 {
		t.Errorf("history after imports: %d, %v", n, err)
	}
}

func TestImportIdentifierCollision(t *testing.T) {
	home := registrytest.NewScheme(t, nil)
	// A foreign list that claims our university's DID.
	evil := registrytest.NewSchemeIn(t, nil, "evil.test")
	_, err := evil.Service.Register(ctx, admin, registry.Entity{ID: "impostor", Kinds: []registry.Kind{registry.KindIssuer}, Name: registry.Text{EN: "Impostor", TH: "ปลอม"},
		Jurisdiction: "XX", Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: home.Members["university"].DID}}}, "")
	must(t, err)
	_, err = evil.Service.Accredit(ctx, admin, registry.AccreditRequest{Subject: "impostor", Role: registry.RoleIssuer, ValidFrom: registrytest.Epoch, Scope: registry.Scope{CredentialTypes: []string{"ThaiCitizenCredential"}}})
	must(t, err)
	tok, err := evil.Service.Export(ctx, evil.Members["etda"].Signer, registry.ExportOptions{NextUpdate: day(30)})
	must(t, err)
	res, err := home.Service.Import(ctx, admin, []byte(tok), registry.ImportOptions{Source: registry.ListSource{ID: "evil", Key: evil.Key("etda")}, Types: []string{"ThaiCitizenCredential"}})
	must(t, err)
	if len(res.Skipped) == 0 {
		t.Errorf("no identifier skipped: %+v", res)
	}
	e, _ := home.Service.Entity(home.Members["university"].DID)
	if e.ID != "university" {
		t.Errorf("our university's DID now names %s", e.ID)
	}
	if d := trust(t, home.Service, home.Members["university"].DID, "ThaiCitizenCredential", day(10)); d.Trusted {
		t.Errorf("a foreign list made our university a citizen-ID issuer: %+v", d)
	}
}

func TestXML(t *testing.T) {
	sg := registrytest.NewSchemeIn(t, nil, "sg.test")
	sg.Clock.Set(day(5))
	_, err := sg.Service.SetAccreditationStatus(ctx, admin, sg.Members["dbd"].Accreditation.ID, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"})
	must(t, err)
	x, err := sg.Service.ExportXML(ctx, registry.ExportOptions{NextUpdate: day(35), Keys: sg.Resolver})
	must(t, err)
	if !strings.Contains(string(x), "<TrustServiceStatusList") || !strings.Contains(string(x), registry.ServiceStatusSuspended) {
		t.Fatalf("export:\n%.2000s", x)
	}
	doc, err := registry.ParseTrustListXML(x, nil)
	must(t, err)
	snap, err := sg.Service.Snapshot(ctx, registry.ExportOptions{NextUpdate: day(35), Keys: sg.Resolver})
	must(t, err)
	if len(doc.Entities) != len(snap.Entities) {
		t.Fatalf("%d entities parsed, %d exported", len(doc.Entities), len(snap.Entities))
	}
	for _, le := range doc.Entities {
		var want registry.ListedEntity
		for _, w := range snap.Entities {
			if w.Entity.ID == le.Entity.ID {
				want = w
			}
		}
		if len(want.Accreditations) == 0 {
			continue // 119 612 carries identities on services only
		}
		if len(le.Accreditations) != len(want.Accreditations) || len(le.PublicKeys) != len(want.PublicKeys) || len(le.Entity.Identifiers) != len(want.Entity.Identifiers) {
			t.Errorf("%s: parsed %d accreditations, %d keys; exported %d, %d", le.Entity.ID, len(le.Accreditations), len(le.PublicKeys), len(want.Accreditations), len(want.PublicKeys))
			continue
		}
		for i, a := range le.Accreditations {
			w := want.Accreditations[i]
			if a.ID != w.ID || a.Role != w.Role || a.Status != w.Status || !a.ValidFrom.Equal(w.ValidFrom) || !a.ValidUntil.Equal(w.ValidUntil) ||
				strings.Join(a.Scope.CredentialTypes, ",") != strings.Join(w.Scope.CredentialTypes, ",") || a.Scope.MaxIAL != w.Scope.MaxIAL {
				t.Errorf("%s: parsed %+v\nexported %+v", le.Entity.ID, a, w)
			}
		}
	}

	home := registrytest.NewScheme(t, nil)
	home.Clock.Set(day(6))
	opts := registry.ImportOptions{Source: registry.ListSource{ID: "sgxml"}, Types: []string{"DegreeCredential", "JuristicPersonCredential"}}
	if _, err := home.Service.ImportXML(ctx, admin, x, opts); !errors.Is(err, registry.ErrInvalid) {
		t.Fatalf("unsigned XML without the opt-in: %v", err)
	}
	opts.UnsafeUnsignedXML = true
	_, err = home.Service.ImportXML(ctx, admin, x, opts)
	must(t, err)
	if d := trust(t, home.Service, sg.Members["university"].DID, "DegreeCredential", day(10)); !d.Trusted {
		t.Errorf("university from XML: %+v", d)
	}
	if d := trust(t, home.Service, sg.Members["dbd"].DID, "JuristicPersonCredential", day(10)); d.Reason != registry.ReasonAccreditationSuspended {
		t.Errorf("suspended dbd from XML: %+v", d)
	}
	if _, err := home.Service.ImportXML(ctx, admin, x, opts); !errors.Is(err, registry.ErrReplay) {
		t.Errorf("same XML again: %v", err)
	}
}

// TestXMLRealWorld reads a list in the shape EU member states publish:
// X.509 certificates, ETSI service types and statuses, no ThaiTrust
// extensions.
func TestXMLRealWorld(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "QTSP CA"}, NotBefore: registrytest.Epoch, NotAfter: day(3650)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	xml := `<?xml version="1.0" encoding="UTF-8"?>
<tsl:TrustServiceStatusList xmlns:tsl="http://uri.etsi.org/02231/v2#" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" TSLTag="http://uri.etsi.org/19612/TSLTag" Id="TSL">
 <tsl:SchemeInformation>
  <tsl:TSLVersionIdentifier>5</tsl:TSLVersionIdentifier>
  <tsl:TSLSequenceNumber>42</tsl:TSLSequenceNumber>
  <tsl:TSLType>http://uri.etsi.org/TrstSvc/TrustedList/TSLType/EUgeneric</tsl:TSLType>
  <tsl:SchemeOperatorName><tsl:Name xml:lang="en">Agency for Digital Trust</tsl:Name><tsl:Name xml:lang="de">Agentur</tsl:Name></tsl:SchemeOperatorName>
  <tsl:SchemeTerritory>EE</tsl:SchemeTerritory>
  <tsl:ListIssueDateTime>2025-01-02T00:00:00Z</tsl:ListIssueDateTime>
  <tsl:NextUpdate><tsl:dateTime>2025-06-30T00:00:00Z</tsl:dateTime></tsl:NextUpdate>
 </tsl:SchemeInformation>
 <tsl:TrustServiceProviderList>
  <tsl:TrustServiceProvider>
   <tsl:TSPInformation><tsl:TSPName><tsl:Name xml:lang="en">Example QTSP</tsl:Name></tsl:TSPName></tsl:TSPInformation>
   <tsl:TSPServices><tsl:TSPService><tsl:ServiceInformation>
    <tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</tsl:ServiceTypeIdentifier>
    <tsl:ServiceName><tsl:Name xml:lang="en">QC CA</tsl:Name></tsl:ServiceName>
    <tsl:ServiceDigitalIdentity><tsl:DigitalId><tsl:X509Certificate>` + base64.StdEncoding.EncodeToString(der) + `</tsl:X509Certificate></tsl:DigitalId></tsl:ServiceDigitalIdentity>
    <tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted</tsl:ServiceStatus>
    <tsl:StatusStartingTime>2024-07-01T00:00:00Z</tsl:StatusStartingTime>
   </tsl:ServiceInformation>
   <tsl:ServiceHistory><tsl:ServiceHistoryInstance>
    <tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/CA/QC</tsl:ServiceTypeIdentifier>
    <tsl:ServiceName><tsl:Name xml:lang="en">QC CA</tsl:Name></tsl:ServiceName>
    <tsl:ServiceDigitalIdentity/>
    <tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/accredited</tsl:ServiceStatus>
    <tsl:StatusStartingTime>2016-07-01T00:00:00Z</tsl:StatusStartingTime>
   </tsl:ServiceHistoryInstance></tsl:ServiceHistory>
   </tsl:TSPService>
   <tsl:TSPService><tsl:ServiceInformation>
    <tsl:ServiceTypeIdentifier>http://uri.etsi.org/TrstSvc/Svctype/TSA/QTST</tsl:ServiceTypeIdentifier>
    <tsl:ServiceName><tsl:Name xml:lang="en">TSA</tsl:Name></tsl:ServiceName>
    <tsl:ServiceDigitalIdentity/>
    <tsl:ServiceStatus>http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn</tsl:ServiceStatus>
    <tsl:StatusStartingTime>2020-01-01T00:00:00Z</tsl:StatusStartingTime>
   </tsl:ServiceInformation></tsl:TSPService></tsl:TSPServices>
  </tsl:TrustServiceProvider>
 </tsl:TrustServiceProviderList>
 <ds:Signature Id="sig"><ds:SignedInfo/></ds:Signature>
</tsl:TrustServiceStatusList>`
	doc, err := registry.ParseTrustListXML([]byte(xml), map[string][]string{"http://uri.etsi.org/TrstSvc/Svctype/CA/QC": {"QualifiedCertificate"}})
	must(t, err)
	if len(doc.Entities) != 2 || doc.SchemeInformation.SequenceNumber != 42 || doc.SchemeInformation.SchemeTerritory != "EE" {
		t.Fatalf("doc %+v", doc.SchemeInformation)
	}
	tsp := doc.Entities[1]
	if tsp.Entity.ID != "tsp-1" || len(tsp.Entity.Identifiers) != 1 || tsp.Entity.Identifiers[0].Type != registry.IdentifierX509SHA256 {
		t.Errorf("tsp %+v", tsp.Entity)
	}
	if len(tsp.Accreditations) != 1 || len(tsp.Accreditations[0].History) != 2 || !tsp.Accreditations[0].ValidFrom.Equal(time.Date(2016, 7, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("accreditations %+v", tsp.Accreditations)
	}
	home := registrytest.NewScheme(t, nil)
	home.Clock.Set(day(6))
	_, err = home.Service.ImportXML(ctx, admin, []byte(xml), registry.ImportOptions{Source: registry.ListSource{ID: "ee"}, Types: []string{"QualifiedCertificate"}, UnsafeUnsignedXML: true,
		ServiceTypes: map[string][]string{"http://uri.etsi.org/TrstSvc/Svctype/CA/QC": {"QualifiedCertificate"}}})
	must(t, err)
	a, err := home.Service.Authorize(ctx, registry.AuthorizationQuery{Entity: tsp.Entity.Identifiers[0].Value, Resource: "QualifiedCertificate", At: day(10)})
	must(t, err)
	if !a.Authorized || a.Entity != "ee:tsp-1" || len(a.Evidence) != 2 {
		t.Errorf("EU QTSP by certificate fingerprint: %+v", a)
	}
	home.Clock.Set(time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
	if _, err := home.Service.ImportXML(ctx, admin, []byte(strings.Replace(xml, ">42<", ">43<", 1)), registry.ImportOptions{Source: registry.ListSource{ID: "ee"}, Types: []string{"QualifiedCertificate"}, UnsafeUnsignedXML: true}); !errors.Is(err, registry.ErrStale) {
		t.Errorf("stale XML: %v", err)
	}
}

// TestVerifierOnline: the verifier with the registry as its issuer-trust
// policy verifies a degree and the registry's own accreditation
// credentials, and explains a withdrawal.
func TestVerifierOnline(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	now := day(20)
	v, err := verifier.New(verifier.Config{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}, Keys: sc.Resolver, Trust: sc.Service,
		UnsafeSkipStatus: true, Now: func() time.Time { return now }})
	must(t, err)
	uni := sc.Members["university"]
	for name, tok := range map[string]string{
		"degree":                        degree(t, uni, day(10)),
		"university's accreditation":    uni.Accreditation.Credential,
		"mhesi's accreditation":         sc.Members["mhesi"].Accreditation.Credential,
		"thaid's IdP accreditation":     sc.Members["thaid"].Accreditation.Credential,
		"dopa's (authoritative source)": sc.Members["dopa"].Accreditation.Credential,
	} {
		if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, tok); !r.Verified {
			t.Errorf("%s: %s %+v", name, r.Reason(), r.Checks)
		}
	}
	sc.Clock.Set(day(15))
	_, err = sc.Service.SetAccreditationStatus(ctx, admin, uni.Accreditation.ID, registry.StatusRequest{Status: registry.StatusWithdrawn, Reason: "closed"})
	must(t, err)
	if r := v.VerifyCredential(ctx, jose.MediaTypeCredential, degree(t, uni, day(10))); !r.Verified {
		t.Errorf("degree issued before the withdrawal: %s", r.Reason())
	}
	r := v.VerifyCredential(ctx, jose.MediaTypeCredential, degree(t, uni, day(16)))
	if r.Verified || r.Reason() != registry.ReasonAccreditationWithdrawn {
		t.Errorf("degree issued after the withdrawal: %v %s", r.Verified, r.Reason())
	}
	for _, c := range r.Checks {
		if c.Check == verifier.CheckIssuerTrust && !strings.Contains(c.Detail, uni.Accreditation.ID) {
			t.Errorf("the failed check does not name the accreditation: %q", c.Detail)
		}
	}
}
