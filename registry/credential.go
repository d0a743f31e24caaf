package registry

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Credential types and contexts of accreditation credentials.
const (
	TypeAccreditation    = "AccreditationCredential"    // issuers, authoritative sources, accreditors
	TypeIdPAccreditation = "IdPAccreditationCredential" // identity providers
	contextVC            = "https://www.w3.org/ns/credentials/v2"
	contextThaiTrust     = "https://thaitrust.example/ns/credentials/v1"
)

// allAlgorithms are the algorithms ThaiTrust supports; chains accept any.
var allAlgorithms = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}

// AccreditRequest asks for an accreditation.
type AccreditRequest struct {
	// Subject is the accredited entity's id.
	Subject string
	// Accreditor is the accrediting entity's id; "" means the root.
	Accreditor string
	Role       Role
	Scope      Scope
	// Jurisdiction: "" means the subject's.
	Jurisdiction string
	// ValidFrom: zero means now. ValidUntil: zero means ValidFrom plus
	// Config.DefaultValidity. Both are truncated to seconds.
	ValidFrom, ValidUntil time.Time
	Reason                string
	// Credential is an AccreditationCredential (vc+jwt) the accreditor
	// signed itself, for accreditors whose keys the registry does not
	// hold. When set, Role, Scope, Jurisdiction and the validity period
	// are taken from it (the fields above must be zero), its signature
	// is verified with Config.Keys, and its issuer and subject must be
	// DIDs of Accreditor and Subject.
	Credential string
}

// Accredit grants an accreditation and records it. The accreditor must be
// the root, or hold an active accreditor accreditation whose scope
// includes every requested credential type over the whole requested
// period (scopes only narrow down a chain). Identity providers are
// accredited by the root only. The credential is signed with the
// accreditor's key from Config.Signers unless req.Credential is given.
func (s *Service) Accredit(ctx context.Context, actor string, req AccreditRequest) (Accreditation, error) {
	if req.Accreditor == "" {
		req.Accreditor = s.cfg.Root
	}
	if req.Credential != "" {
		if err := s.fromCredential(ctx, &req); err != nil {
			return Accreditation{}, err
		}
	}
	var out Accreditation
	_, err := s.commit(ctx, change{actor: actor, action: ActionAccreditationGrant, reason: req.Reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			a, err := s.prepare(req, seq, at)
			if err != nil {
				return "", nil, err
			}
			out = a
			return a.ID, a, nil
		}})
	if err != nil {
		return Accreditation{}, err
	}
	return cloneAccreditation(out), nil
}

// roleKinds are the entity kinds that may hold each role.
var roleKinds = map[Role][]Kind{
	RoleIssuer:              {KindIssuer, KindAuthoritativeSource},
	RoleAccreditor:          {KindAccreditationBody, KindSchemeOperator},
	RoleIdentityProvider:    {KindIdentityProvider},
	RoleAuthoritativeSource: {KindAuthoritativeSource},
}

// prepare builds (and, unless given, signs) an accreditation.
func (s *Service) prepare(req AccreditRequest, seq int64, at time.Time) (Accreditation, error) {
	s.mu.RLock()
	subj, accr := s.ix.entities[req.Subject], s.ix.entities[req.Accreditor]
	var sub, acc Entity
	if subj != nil {
		sub = cloneEntity(subj.e)
	}
	if accr != nil {
		acc = cloneEntity(accr.e)
	}
	s.mu.RUnlock()
	switch {
	case subj == nil:
		return Accreditation{}, fmt.Errorf("registry: subject %s: %w", req.Subject, ErrNotFound)
	case accr == nil:
		return Accreditation{}, fmt.Errorf("registry: accreditor %s: %w", req.Accreditor, ErrNotFound)
	case sub.Status != StatusActive:
		return Accreditation{}, invalid("subject %s is %s", sub.ID, sub.Status)
	case acc.Status != StatusActive:
		return Accreditation{}, invalid("accreditor %s is %s", acc.ID, acc.Status)
	case len(sub.DIDs()) == 0 || len(acc.DIDs()) == 0:
		return Accreditation{}, invalid("subject and accreditor need a DID identifier")
	}
	if !slices.ContainsFunc(roleKinds[req.Role], sub.HasKind) {
		return Accreditation{}, invalid("role %s needs an entity of kind %v; %s is %v", req.Role, roleKinds[req.Role], sub.ID, sub.Kinds)
	}
	a := Accreditation{
		Subject: req.Subject, Accreditor: req.Accreditor, Role: req.Role, Jurisdiction: req.Jurisdiction,
		Scope:     Scope{CredentialTypes: slices.Clone(req.Scope.CredentialTypes), MaxIAL: req.Scope.MaxIAL, MaxAAL: req.Scope.MaxAAL, Domains: slices.Clone(req.Scope.Domains)},
		ValidFrom: req.ValidFrom.UTC().Truncate(time.Second), ValidUntil: req.ValidUntil.UTC().Truncate(time.Second),
		Status: StatusActive, Version: seq,
	}
	if a.Jurisdiction == "" {
		a.Jurisdiction = sub.Jurisdiction
	}
	if a.ValidFrom.IsZero() {
		a.ValidFrom = at.Truncate(time.Second)
	}
	if a.ValidUntil.IsZero() {
		a.ValidUntil = a.ValidFrom.Add(s.cfg.DefaultValidity)
	}
	if err := a.validate(); err != nil {
		return Accreditation{}, err
	}
	if req.Accreditor != s.cfg.Root {
		if a.Role == RoleIdentityProvider {
			return Accreditation{}, invalid("identity providers are accredited by the root (%s) only", s.cfg.Root)
		}
		parent, err := s.parentFor(a)
		if err != nil {
			return Accreditation{}, err
		}
		a.Parent = parent.ID
	}
	a.History = []StatusChange{{Status: StatusActive, Reason: req.Reason, EffectiveFrom: a.ValidFrom, RecordedAt: at, Seq: seq}}
	if req.Credential != "" {
		a.ID, a.Credential = idOfCredential(req.Credential), req.Credential
		s.mu.RLock()
		_, taken := s.ix.accs[a.ID]
		s.mu.RUnlock()
		if taken {
			return Accreditation{}, fmt.Errorf("registry: accreditation %s: %w", a.ID, ErrExists)
		}
		return a, nil
	}
	signer, ok := s.cfg.Signers[acc.ID]
	if !ok {
		return Accreditation{}, invalid("the registry holds no signing key of %s; submit a credential %s signed", acc.ID, acc.ID)
	}
	var err error
	if a.ID, err = s.newID(at); err != nil {
		return Accreditation{}, err
	}
	parentCred := ""
	if a.Parent != "" {
		parentCred = a.Parent
	}
	doc, err := credentialDocument(a, sub, acc, parentCred, s.cfg.EntryURL)
	if err != nil {
		return Accreditation{}, err
	}
	if a.Credential, err = jose.SecureCredential(doc, signer); err != nil {
		return Accreditation{}, fmt.Errorf("registry: sign accreditation: %w", err)
	}
	return a, nil
}

// parentFor finds the accreditor's accreditor-role accreditation that
// covers a's types for a's whole period, active now.
func (s *Service) parentFor(a Accreditation) (Accreditation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	r := s.ix.entities[a.Accreditor]
	for _, p := range r.accs {
		if p.a.Role != RoleAccreditor || p.a.Status != StatusActive {
			continue
		}
		if !slices.ContainsFunc(a.Scope.CredentialTypes, func(t string) bool { return !p.a.Scope.Covers(t) }) &&
			!a.ValidFrom.Before(p.a.ValidFrom) && (p.a.ValidUntil.IsZero() || (!a.ValidUntil.IsZero() && !a.ValidUntil.After(p.a.ValidUntil))) &&
			strings.HasPrefix(a.Jurisdiction, p.a.Jurisdiction) {
			return cloneAccreditation(p.a), nil
		}
	}
	return Accreditation{}, invalid("%s holds no active accreditor accreditation covering %v in %s from %s to %s: an accreditor can only accredit within its own scope and period",
		a.Accreditor, a.Scope.CredentialTypes, a.Jurisdiction, a.ValidFrom.Format(time.RFC3339), a.ValidUntil.Format(time.RFC3339))
}

// credentialDocument builds the unsigned AccreditationCredential (or
// IdPAccreditationCredential) of a and validates it against the
// catalogue schema.
func credentialDocument(a Accreditation, sub, acc Entity, parent, entryURL string) (map[string]any, error) {
	cs := map[string]any{"id": sub.DIDs()[0], "name": map[string]any{"th": sub.Name.TH, "en": sub.Name.EN}}
	typ := TypeAccreditation
	if a.Role == RoleIdentityProvider {
		typ = TypeIdPAccreditation
		cs["maxIal"], cs["maxAal"], cs["jurisdiction"] = a.Scope.MaxIAL.String(), a.Scope.MaxAAL.String(), a.Jurisdiction
	} else {
		role := "issuer"
		if a.Role == RoleAccreditor {
			role = "accreditor"
		}
		cs["role"] = role
		var forTypes []any
		for _, t := range a.Scope.CredentialTypes {
			m := map[string]any{"credentialType": t, "jurisdiction": a.Jurisdiction}
			if ct, ok := schemas.Lookup(t); ok {
				m["schemaId"] = ct.SchemaID
			}
			forTypes = append(forTypes, m)
		}
		cs["accreditedFor"] = forTypes
		if parent != "" {
			cs["parent"] = parent
		}
		if len(a.Scope.Domains) > 0 {
			// Not in the catalogue schema (which allows extra subject
			// members): the data domains of an authoritative source.
			var ds []any
			for _, d := range a.Scope.Domains {
				ds = append(ds, d)
			}
			cs["domains"] = ds
		}
	}
	if entryURL != "" {
		cs["registryEntry"] = entryURL + sub.ID
	}
	raw := map[string]any{
		"@context":          []any{contextVC, contextThaiTrust},
		"id":                a.ID,
		"type":              []any{"VerifiableCredential", typ},
		"issuer":            acc.DIDs()[0],
		"validFrom":         a.ValidFrom.UTC().Format(time.RFC3339),
		"validUntil":        a.ValidUntil.UTC().Format(time.RFC3339),
		"credentialSubject": cs,
	}
	// Round trip through JSON so the document holds only the generic
	// types credential.FromMap and schemas.Validate expect.
	b, err := json.Marshal(raw)
	if err != nil {
		return nil, err
	}
	doc, err := jsonx.ParseObject(b)
	if err != nil {
		return nil, err
	}
	if err := schemas.Validate(typ, doc); err != nil {
		return nil, invalid("the %s would not validate: %v", typ, err)
	}
	if _, err := credential.FromMap(doc); err != nil {
		return nil, invalid("the %s would not be a valid credential: %v", typ, err)
	}
	return doc, nil
}

func idOfCredential(token string) string {
	s, err := jose.ParseCredential(token)
	if err != nil {
		return ""
	}
	return s.Credential.ID
}

// fromCredential fills a request from a credential the accreditor signed,
// after verifying it.
func (s *Service) fromCredential(ctx context.Context, req *AccreditRequest) error {
	if s.cfg.Keys == nil {
		return invalid("this registry does not accept submitted credentials (no key resolver)")
	}
	if req.Role != "" || len(req.Scope.CredentialTypes) > 0 || req.Scope.MaxIAL != 0 || req.Jurisdiction != "" || !req.ValidFrom.IsZero() || !req.ValidUntil.IsZero() {
		return invalid("with a credential, role, scope, jurisdiction and validity come from the credential")
	}
	c, err := jose.VerifyCredential(ctx, req.Credential, jose.VerifyOptions{Algorithms: s.cfg.Algorithms, Keys: s.cfg.Keys, Now: s.now})
	if err != nil {
		return invalid("submitted credential: %v", err)
	}
	if c.ID == "" {
		return invalid("submitted credential has no id")
	}
	sub, ok1 := s.Entity(req.Subject)
	acc, ok2 := s.Entity(req.Accreditor)
	if !ok1 || !ok2 {
		return fmt.Errorf("registry: subject or accreditor: %w", ErrNotFound)
	}
	if !slices.Contains(acc.DIDs(), c.Issuer.ID) {
		return invalid("submitted credential is issued by %s, not by a DID of %s", c.Issuer.ID, req.Accreditor)
	}
	link, err := linkOf(c)
	if err != nil {
		return invalid("submitted credential: %v", err)
	}
	if !slices.Contains(sub.DIDs(), link.Subject) {
		return invalid("submitted credential's subject %s is not a DID of %s", link.Subject, req.Subject)
	}
	req.Role, req.Scope, req.Jurisdiction = link.Role, link.Scope, link.Jurisdiction
	req.ValidFrom, req.ValidUntil = c.ValidFrom, c.ValidUntil
	return nil
}

// Chain returns the signed credentials of an accreditation's chain, leaf
// first, ending with the one the root signed: the input ValidateChain
// takes.
func (s *Service) Chain(id string) ([]string, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for range maxChainDepth + 1 {
		r, ok := s.ix.accs[id]
		if !ok {
			return nil, fmt.Errorf("registry: accreditation %s: %w", id, ErrNotFound)
		}
		if r.a.Credential == "" {
			return nil, fmt.Errorf("registry: accreditation %s has no credential", id)
		}
		out = append(out, r.a.Credential)
		if r.a.Accreditor == s.ix.root || r.a.Parent == "" {
			return out, nil
		}
		id = r.a.Parent
	}
	return nil, fmt.Errorf("registry: accreditation chain longer than %d", maxChainDepth)
}

// Anchor is the trust anchor of a chain: the root's DID and public key,
// obtained out of band (pinned).
type Anchor struct {
	DID string
	Key crypto.PublicKey
}

// ChainLink is one validated link of an accreditation chain.
type ChainLink struct {
	ID           string // credential id
	Issuer       string // accreditor DID
	Subject      string // subject DID
	Role         Role   // RoleAccreditor, RoleIssuer or RoleIdentityProvider
	Scope        Scope
	Jurisdiction string
	Parent       string // the credential's parent member
	ValidFrom    time.Time
	ValidUntil   time.Time
}

// ErrChain is matched by every *ChainLinkError.
var ErrChain = errors.New("registry: accreditation chain does not validate")

// ChainLinkError reports why a chain failed, at which link (0 = the leaf).
type ChainLinkError struct {
	Index  int
	Reason string // malformed, wrong_type, bad_signature, not_yet_valid, expired, broken_link, not_accreditor, scope_widened, untrusted_root, too_long, empty
	Err    error
}

func (e *ChainLinkError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("registry: accreditation chain link %d: %s: %v", e.Index, e.Reason, e.Err)
	}
	return fmt.Sprintf("registry: accreditation chain link %d: %s", e.Index, e.Reason)
}

func (e *ChainLinkError) Unwrap() error { return e.Err }

// Is makes errors.Is(err, ErrChain) true.
func (e *ChainLinkError) Is(target error) bool { return target == ErrChain }

func linkErr(i int, reason string, format string, args ...any) error {
	return &ChainLinkError{Index: i, Reason: reason, Err: fmt.Errorf(format, args...)}
}

// ValidateChain validates an accreditation chain offline. creds are vc+jwt
// AccreditationCredentials (the leaf may be an IdPAccreditationCredential)
// ordered leaf first: creds[0] accredits the entity in question, each
// creds[i+1] accredits the issuer of creds[i], and the last is issued by
// the anchor. It checks, for every link: the signature (the last with
// anchor.Key, the others with keys resolving the issuer's kid), validity
// at `at`, that the issuer is the previous link's subject, that every link
// above the leaf has role accreditor, and that scope only narrows (types
// and jurisdictions of a link are within its accreditor's).
//
// It cannot see suspensions or withdrawals: accreditation credentials
// carry no status list; ask the registry (or a fresh trust list) for
// status.
func ValidateChain(ctx context.Context, creds []string, anchor Anchor, at time.Time, keys jose.KeyResolver) ([]ChainLink, error) {
	if len(creds) == 0 {
		return nil, &ChainLinkError{Reason: "empty", Err: errors.New("no credentials")}
	}
	if len(creds) > maxChainDepth+1 {
		return nil, &ChainLinkError{Reason: "too_long", Err: fmt.Errorf("%d links, at most %d", len(creds), maxChainDepth+1)}
	}
	if anchor.Key == nil || !strings.HasPrefix(anchor.DID, "did:") {
		return nil, errors.New("registry: ValidateChain needs an anchor DID and key")
	}
	links := make([]ChainLink, len(creds))
	for i, tok := range creds {
		sc, err := jose.ParseCredential(tok)
		if err != nil {
			return nil, &ChainLinkError{Index: i, Reason: "malformed", Err: err}
		}
		c := sc.Credential
		wantIdP := i == 0 && c.HasType(TypeIdPAccreditation)
		if !c.HasType(TypeAccreditation) && !wantIdP {
			return nil, linkErr(i, "wrong_type", "not an %s", TypeAccreditation)
		}
		last := i == len(creds)-1
		if last {
			if c.Issuer.ID != anchor.DID {
				return nil, linkErr(i, "untrusted_root", "the chain ends at %s, not at the anchor %s", c.Issuer.ID, anchor.DID)
			}
			kid, _, _ := strings.Cut(sc.JWS.Header.Kid, "#")
			if kid != anchor.DID {
				return nil, linkErr(i, "untrusted_root", "kid %q is not a key of the anchor", sc.JWS.Header.Kid)
			}
			if err := sc.JWS.Verify(anchor.Key, jws.VerifyOptions{Algorithms: allAlgorithms}); err != nil {
				return nil, &ChainLinkError{Index: i, Reason: "bad_signature", Err: err}
			}
		} else {
			if keys == nil {
				return nil, errors.New("registry: ValidateChain needs a key resolver for chains longer than one link")
			}
			if err := sc.VerifyProof(ctx, jose.VerifyOptions{Algorithms: allAlgorithms, Keys: keys}); err != nil {
				return nil, &ChainLinkError{Index: i, Reason: "bad_signature", Err: err}
			}
		}
		if err := sc.CheckValidity(at, 0); err != nil {
			return nil, &ChainLinkError{Index: i, Reason: jose.Reason(err), Err: err}
		}
		if links[i], err = linkOf(c); err != nil {
			return nil, &ChainLinkError{Index: i, Reason: "malformed", Err: err}
		}
		if i > 0 && links[i].Role != RoleAccreditor {
			return nil, linkErr(i, "not_accreditor", "%s is accredited as %s, not as an accreditor", links[i].Subject, links[i].Role)
		}
	}
	for i := 0; i+1 < len(links); i++ {
		child, parent := links[i], links[i+1]
		if child.Issuer != parent.Subject {
			return nil, linkErr(i, "broken_link", "issued by %s, but the next link accredits %s", child.Issuer, parent.Subject)
		}
		if child.Parent != "" && child.Parent != parent.ID {
			return nil, linkErr(i, "broken_link", "names parent %s, but the next link is %s", child.Parent, parent.ID)
		}
		if child.Role == RoleIdentityProvider {
			return nil, linkErr(i, "scope_widened", "identity providers are accredited by the root only")
		}
		for _, t := range child.Scope.CredentialTypes {
			if !parent.Scope.Covers(t) {
				return nil, linkErr(i, "scope_widened", "accredits %s, which its accreditor may not accredit", t)
			}
		}
		if !strings.HasPrefix(child.Jurisdiction, parent.Jurisdiction) {
			return nil, linkErr(i, "scope_widened", "jurisdiction %s is outside the accreditor's %s", child.Jurisdiction, parent.Jurisdiction)
		}
	}
	return links, nil
}

// linkOf reads the accreditation in a credential.
func linkOf(c *credential.Credential) (ChainLink, error) {
	if len(c.Subjects) != 1 {
		return ChainLink{}, errors.New("an accreditation credential has exactly one subject")
	}
	cs := c.Subjects[0]
	l := ChainLink{ID: c.ID, Issuer: c.Issuer.ID, ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil}
	l.Subject, _ = cs["id"].(string)
	if l.Subject == "" {
		return l, errors.New("credentialSubject.id is missing")
	}
	l.Parent, _ = cs["parent"].(string)
	if c.HasType(TypeIdPAccreditation) {
		l.Role = RoleIdentityProvider
		ial, _ := cs["maxIal"].(string)
		aal, _ := cs["maxAal"].(string)
		var err1, err2 error
		l.Scope.MaxIAL, err1 = ParseIAL(ial)
		l.Scope.MaxAAL, err2 = ParseAAL(aal)
		if err := errors.Join(err1, err2); err != nil || !l.Scope.MaxIAL.Valid() || !l.Scope.MaxAAL.Valid() {
			return l, fmt.Errorf("maxIal/maxAal: %v", err)
		}
		l.Jurisdiction, _ = cs["jurisdiction"].(string)
		return l, nil
	}
	switch role, _ := cs["role"].(string); role {
	case "accreditor":
		l.Role = RoleAccreditor
	case "issuer":
		l.Role = RoleIssuer
	default:
		return l, fmt.Errorf("role %q", role)
	}
	items, _ := cs["accreditedFor"].([]any)
	if len(items) == 0 {
		return l, errors.New("accreditedFor is empty")
	}
	for _, it := range items {
		m, _ := it.(map[string]any)
		t, _ := m["credentialType"].(string)
		j, _ := m["jurisdiction"].(string)
		if t == "" || j == "" {
			return l, errors.New("accreditedFor entries need credentialType and jurisdiction")
		}
		if l.Jurisdiction == "" {
			l.Jurisdiction = j
		} else if j != l.Jurisdiction {
			return l, errors.New("accreditedFor entries with different jurisdictions are not supported")
		}
		if !slices.Contains(l.Scope.CredentialTypes, t) {
			l.Scope.CredentialTypes = append(l.Scope.CredentialTypes, t)
		}
	}
	if ds, ok := cs["domains"].([]any); ok {
		for _, d := range ds {
			if s, ok := d.(string); ok {
				l.Scope.Domains = append(l.Scope.Domains, s)
			}
		}
		if len(l.Scope.Domains) > 0 && l.Role == RoleIssuer {
			l.Role = RoleAuthoritativeSource
		}
	}
	return l, nil
}
