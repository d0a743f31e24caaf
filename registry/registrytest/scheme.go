package registrytest

import (
	"context"
	"crypto"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Epoch is when a Scheme's clock starts: 2025-01-01T00:00:00Z. Its
// accreditations are valid from Epoch for one year.
var Epoch = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// Admin is the administrator id the Scheme makes its changes as.
const Admin = "admin@etda"

// Clock is a settable clock, safe for concurrent use. The zero value
// reads Epoch.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.now.IsZero() {
		return Epoch
	}
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) { c.mu.Lock(); c.now = t.UTC(); c.mu.Unlock() }

// Advance moves the clock by d.
func (c *Clock) Advance(d time.Duration) { c.Set(c.Now().Add(d)) }

// Member is one entity of a Scheme with its key.
type Member struct {
	Entity registry.Entity
	DID    string
	Signer jose.Signer
	// Accreditation is the accreditation the Scheme granted it ("" ID
	// for the root).
	Accreditation registry.Accreditation
}

// Scheme is the demo trust scheme in memory, with real keys:
//
//	etda        scheme operator (root)
//	mhesi       accreditation body, accredited by etda to accredit
//	            DegreeCredential and TranscriptCredential issuers
//	university  issuer, accredited by mhesi for both (mhesi signs)
//	dopa        authoritative source (civil registration): ThaiCitizen-,
//	            HouseRegistration-, ForeignerIdentityCredential
//	dbd         authoritative source (company registry):
//	            JuristicPerson-, DirectorAuthorityCredential
//	thaid       identity provider, IAL 2.3, AAL 2.2
//	bankidp     identity provider, IAL 1.3, AAL 2.1
//
// DIDs are did:web:<name>.thaitrust.test; Resolver resolves them without
// a network.
type Scheme struct {
	Service  *registry.Service
	Store    registry.Store
	Clock    *Clock
	Members  map[string]*Member
	Resolver *did.Resolver
	Anchor   registry.Anchor

	mu     sync.Mutex
	docs   map[string]*did.Document
	domain string
}

// NewScheme builds the demo scheme on store (nil: a new MemoryStore) with
// the clock at Epoch. It fails the test on any error.
func NewScheme(t testing.TB, store registry.Store) *Scheme {
	t.Helper()
	return NewSchemeIn(t, store, "thaitrust.test")
}

// NewSchemeIn is NewScheme with DIDs under another domain
// (did:web:<id>.<domain>): a second, foreign scheme for import tests.
func NewSchemeIn(t testing.TB, store registry.Store, domain string) *Scheme {
	t.Helper()
	if store == nil {
		store = NewMemoryStore()
	}
	sc := &Scheme{Store: store, Clock: new(Clock), Members: map[string]*Member{}, docs: map[string]*did.Document{}, domain: domain}
	sc.Resolver = &did.Resolver{Local: sc.document}
	ctx := context.Background()
	signers := map[string]jose.Signer{}
	add := func(id string, alg signing.Algorithm, th, en string, kinds ...registry.Kind) *Member {
		m := sc.NewMember(t, id, alg)
		signers[id] = m.Signer
		m.Entity = registry.Entity{ID: id, Kinds: kinds, Name: registry.Text{TH: th, EN: en}, Jurisdiction: "TH",
			Identifiers: []registry.Identifier{{Type: registry.IdentifierDID, Value: m.DID}}, Contact: id + "@" + domain}
		return m
	}
	etda := add("etda", signing.EdDSA, "สำนักงานพัฒนาธุรกรรมทางอิเล็กทรอนิกส์", "Electronic Transactions Development Agency", registry.KindSchemeOperator)
	mhesi := add("mhesi", signing.ES256, "กระทรวงการอุดมศึกษา วิทยาศาสตร์ วิจัยและนวัตกรรม", "Ministry of Higher Education, Science, Research and Innovation", registry.KindAccreditationBody)
	uni := add("university", signing.EdDSA, "มหาวิทยาลัยสยามดิจิทัล", "Siam Digital University", registry.KindIssuer)
	dopa := add("dopa", signing.EdDSA, "กรมการปกครอง", "Department of Provincial Administration", registry.KindAuthoritativeSource, registry.KindIssuer)
	dbd := add("dbd", signing.ES256, "กรมพัฒนาธุรกิจการค้า", "Department of Business Development", registry.KindAuthoritativeSource, registry.KindIssuer)
	thaid := add("thaid", signing.EdDSA, "ไทยดี", "ThaID", registry.KindIdentityProvider)
	bank := add("bankidp", signing.ES256, "ธนาคารชัยพฤกษ์", "Chaiyaphruek Bank", registry.KindIdentityProvider)

	svc, err := registry.Open(ctx, registry.Config{Store: store, Root: "etda", Signers: signers, Keys: sc.Resolver,
		Now: sc.Clock.Now, EntryURL: "https://registry.thaitrust.test/registry/entities/"})
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	sc.Service = svc
	sc.Anchor = registry.Anchor{DID: etda.DID, Key: etda.Signer.Key.Public()}
	for _, m := range []*Member{etda, mhesi, uni, dopa, dbd, thaid, bank} {
		e, err := svc.Register(ctx, Admin, m.Entity, "demo scheme")
		if err != nil {
			t.Fatalf("registrytest: register %s: %v", m.Entity.ID, err)
		}
		m.Entity = e
		sc.Members[e.ID] = m
	}
	grant := func(m *Member, req registry.AccreditRequest) {
		req.Subject, req.ValidFrom, req.Reason = m.Entity.ID, Epoch, "demo scheme"
		a, err := svc.Accredit(ctx, Admin, req)
		if err != nil {
			t.Fatalf("registrytest: accredit %s: %v", m.Entity.ID, err)
		}
		m.Accreditation = a
	}
	degrees := []string{"DegreeCredential", "TranscriptCredential"}
	grant(mhesi, registry.AccreditRequest{Role: registry.RoleAccreditor, Scope: registry.Scope{CredentialTypes: degrees}})
	grant(uni, registry.AccreditRequest{Accreditor: "mhesi", Role: registry.RoleIssuer, Scope: registry.Scope{CredentialTypes: degrees}})
	grant(dopa, registry.AccreditRequest{Role: registry.RoleAuthoritativeSource, Scope: registry.Scope{
		CredentialTypes: []string{"ThaiCitizenCredential", "HouseRegistrationCredential", "ForeignerIdentityCredential"}, Domains: []string{"civil_registration"}}})
	grant(dbd, registry.AccreditRequest{Role: registry.RoleAuthoritativeSource, Scope: registry.Scope{
		CredentialTypes: []string{"JuristicPersonCredential", "DirectorAuthorityCredential"}, Domains: []string{"company_registry"}}})
	grant(thaid, registry.AccreditRequest{Role: registry.RoleIdentityProvider, Scope: registry.Scope{MaxIAL: registry.IAL23, MaxAAL: registry.AAL22}})
	grant(bank, registry.AccreditRequest{Role: registry.RoleIdentityProvider, Scope: registry.Scope{MaxIAL: registry.IAL13, MaxAAL: registry.AAL21}})
	return sc
}

// NewMember makes a key and a did:web:<id>.<domain> DID that
// Resolver resolves, without registering anything.
func (sc *Scheme) NewMember(t testing.TB, id string, alg signing.Algorithm) *Member {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	d, err := did.WebDID("https://" + id + "." + sc.domain)
	if err != nil {
		t.Fatalf("registrytest: %v", err)
	}
	sc.mu.Lock()
	sc.docs[d] = did.NewDocument(d, key.Public())
	sc.mu.Unlock()
	return &Member{DID: d, Signer: jose.Signer{Key: key, Algorithm: alg, KeyID: d + "#key-1"}}
}

func (sc *Scheme) document(d string) (*did.Document, bool) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	doc, ok := sc.docs[d]
	return doc, ok
}

// Key returns a member's public key.
func (sc *Scheme) Key(id string) crypto.PublicKey { return sc.Members[id].Signer.Key.Public() }
