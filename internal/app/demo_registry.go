package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/signing"
)

// The demo trust scheme (seedDemoRegistry):
//
//	etda        scheme operator, the root (the etda issuer profile's key
//	            signs the trust lists and its accreditations)
//	mhesi       accreditation body: accredited by etda to accredit
//	            DegreeCredential and TranscriptCredential issuers
//	university  issuer, accredited by mhesi for both (mhesi's key signs)
//	dopa        authoritative source (civil registration): ThaiCitizen-,
//	            HouseRegistration-, ForeignerIdentityCredential; its
//	            identifiers include its FVS's DID (facebinding.go)
//	dbd         authoritative source (company registry): JuristicPerson-,
//	            DirectorAuthorityCredential; issuer of DelegationCredential
//	thaid       identity provider, IAL 2.3, AAL 2.2
//	bankidp     identity provider, IAL 1.3, AAL 2.1
//
// The accreditations are valid from DemoAccreditedSince to the start of
// the fifth year after seeding. The members (mhesi, thaid, bankidp) are
// not issuers of this server: their keys are kept in keys/ and their
// did:web identifiers under thaitrust.example (the catalogue's
// ThaiCitizenCredential example names did:web:thaid.thaitrust.example as
// its identity provider) are answered by this server's resolver.
const (
	demoRoot  = "etda"
	demoActor = "demo-init" // the administrator the seeding is recorded as
)

// DemoAccreditedSince is when the demo's accreditations start: before any
// credential the demo and its tests issue (the catalogue examples are
// issued now; tests backdate some to 2020).
var DemoAccreditedSince = time.Date(2019, time.January, 1, 0, 0, 0, 0, time.UTC)

// demoMember describes one of the registry's demo members.
type demoMember struct {
	name   string
	alg    signing.Algorithm
	did    string
	th, en string
}

var demoMembers = []demoMember{
	{"mhesi", signing.ES256, "did:web:mhesi.thaitrust.example", "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม (อว.)", "Ministry of Higher Education, Science, Research and Innovation (MHESI)"},
	{"thaid", signing.EdDSA, "did:web:thaid.thaitrust.example", "ไทยดี (ThaID) กรมการปกครอง", "ThaID (DOPA digital identity)"},
	{"bankidp", signing.ES256, "did:web:bankidp.thaitrust.example", "ธนาคารชัยพฤกษ์ (ผู้ให้บริการยืนยันตัวตน NDID)", "Chaiyaphruek Bank (NDID identity provider)"},
}

// addDemoMembers creates the registry members' keys (a key file that
// exists is kept) and sets cfg.Registry to the demo's. It does not save
// cfg.
func addDemoMembers(dir string, cfg *Config, pass []byte) error {
	rc := &RegistryConfig{Root: demoRoot, Signers: []string{demoRoot, "mhesi"}, ListValidity: "24h", Credentials: true}
	for _, m := range demoMembers {
		rel := filepath.Join("keys", m.name+".key.json")
		path := filepath.Join(dir, rel)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			key, err := signing.GenerateKey(m.alg)
			if err != nil {
				return err
			}
			if err := signing.WriteKeyFileKDF(path, key, pass, demoKDF); err != nil {
				return fmt.Errorf("app: writing key of %s: %w", m.name, err)
			}
		} else if err != nil {
			return err
		}
		rc.Members = append(rc.Members, MemberConfig{Name: m.name, DID: m.did, Key: "file:" + filepath.ToSlash(rel),
			Algorithm: string(m.alg), Display: map[string]string{"th": m.th, "en": m.en}})
	}
	cfg.Registry = rc
	return nil
}

// addDemoRegistry adds the registry to a demo data directory made before
// there was one, and saves the configuration. Its static trust policy
// stays in the file, unused.
func addDemoRegistry(dir string, cfg *Config) error {
	if _, err := cfg.Issuer(demoRoot); err != nil {
		return fmt.Errorf("app: cannot add the demo registry: %w", err)
	}
	pass, err := KeyPassphrase(dir, cfg)
	if err != nil {
		return err
	}
	if err := addDemoMembers(dir, cfg, pass); err != nil {
		return err
	}
	return cfg.Save(dir)
}

// seedDemoRegistry registers and accredits the demo scheme (see the top
// of this file) as administrator "demo-init".
func seedDemoRegistry(ctx context.Context, reg *registry.Service, cfg *Config, now func() time.Time) error {
	if now == nil {
		now = time.Now
	}
	type entity struct {
		id    string
		kinds []registry.Kind
	}
	entities := []entity{
		{"etda", []registry.Kind{registry.KindSchemeOperator}},
		{"mhesi", []registry.Kind{registry.KindAccreditationBody}},
		{"university", []registry.Kind{registry.KindIssuer}},
		{"dopa", []registry.Kind{registry.KindAuthoritativeSource, registry.KindIssuer}},
		{"dbd", []registry.Kind{registry.KindAuthoritativeSource, registry.KindIssuer}},
		{"thaid", []registry.Kind{registry.KindIdentityProvider}},
		{"bankidp", []registry.Kind{registry.KindIdentityProvider}},
	}
	for _, e := range entities {
		id, name, err := demoParty(cfg, e.id)
		if err != nil {
			return err
		}
		if _, err := reg.Register(ctx, demoActor, registry.Entity{
			ID: e.id, Kinds: e.kinds, Name: name, Jurisdiction: "TH", Contact: e.id + "@thaitrust.example",
			Identifiers: demoIdentifiers(cfg, e.id, id), // DOPA's FVS too (facebinding.go)
		}, "demo scheme"); err != nil {
			return err
		}
	}
	from := DemoAccreditedSince
	until := time.Date(now().UTC().Year()+5, time.January, 1, 0, 0, 0, 0, time.UTC)
	types := func(t ...string) registry.Scope { return registry.Scope{CredentialTypes: t} }
	source := func(domain string, t ...string) registry.Scope {
		return registry.Scope{CredentialTypes: t, Domains: []string{domain}}
	}
	for _, r := range []registry.AccreditRequest{
		{Subject: "mhesi", Role: registry.RoleAccreditor, Scope: types("DegreeCredential", "TranscriptCredential"),
			Reason: "demo scheme: MHESI accredits higher-education institutions"},
		{Subject: "university", Accreditor: "mhesi", Role: registry.RoleIssuer, Scope: types("DegreeCredential", "TranscriptCredential"),
			Reason: "demo scheme: quality assurance passed"},
		{Subject: "dopa", Role: registry.RoleAuthoritativeSource,
			Scope:  source("civil_registration", "ThaiCitizenCredential", "HouseRegistrationCredential", "ForeignerIdentityCredential"),
			Reason: "demo scheme: keeper of the civil registration"},
		{Subject: "dbd", Role: registry.RoleAuthoritativeSource,
			Scope:  source("company_registry", "JuristicPersonCredential", "DirectorAuthorityCredential"),
			Reason: "demo scheme: keeper of the company registry"},
		{Subject: "dbd", Role: registry.RoleIssuer, Scope: types("DelegationCredential"),
			Reason: "demo scheme: issues delegations of juristic persons' authority"},
		{Subject: "thaid", Role: registry.RoleIdentityProvider, Scope: registry.Scope{MaxIAL: registry.IAL23, MaxAAL: registry.AAL22},
			Reason: "demo scheme: identity provider audit passed"},
		{Subject: "bankidp", Role: registry.RoleIdentityProvider, Scope: registry.Scope{MaxIAL: registry.IAL13, MaxAAL: registry.AAL21},
			Reason: "demo scheme: identity provider audit passed"},
	} {
		r.ValidFrom, r.ValidUntil = from, until
		if _, err := reg.Accredit(ctx, demoActor, r); err != nil {
			return fmt.Errorf("accredit %s: %w", r.Subject, err)
		}
	}
	return nil
}

// demoParty returns the DID and names of a demo issuer profile or
// registry member.
func demoParty(cfg *Config, name string) (string, registry.Text, error) {
	if ic, err := cfg.Issuer(name); err == nil {
		return ic.DID, registry.Text{TH: ic.DisplayName["th"], EN: ic.DisplayName["en"]}, nil
	}
	if cfg.Registry != nil {
		for _, m := range cfg.Registry.Members {
			if m.Name == name {
				return m.DID, registry.Text{TH: m.Display["th"], EN: m.Display["en"]}, nil
			}
		}
	}
	return "", registry.Text{}, fmt.Errorf("app: the demo scheme needs %q, which is neither an issuer profile nor a registry member here", name)
}
