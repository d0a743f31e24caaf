package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// Kind is a role an entity plays in the trust scheme. An entity may have
// several (DOPA is an authoritative source and an issuer).
type Kind string

// The entity kinds.
const (
	KindSchemeOperator      Kind = "scheme_operator"      // runs the scheme and this registry (ETDA); a trust anchor
	KindAccreditationBody   Kind = "accreditation_body"   // accredits issuers for a sector (a ministry)
	KindIssuer              Kind = "issuer"               // issues credentials (a university)
	KindIdentityProvider    Kind = "identity_provider"    // proofs and authenticates people (ThaID, NDID IdPs)
	KindAuthoritativeSource Kind = "authoritative_source" // keeps a base register (DOPA, DBD)
	KindVerifier            Kind = "verifier"             // relies on credentials (a bank)
)

var kinds = []Kind{KindSchemeOperator, KindAccreditationBody, KindIssuer, KindIdentityProvider, KindAuthoritativeSource, KindVerifier}

// Identifier types.
const (
	// IdentifierDID is a DID the entity controls, e.g. did:web:ttu.ac.th.
	IdentifierDID = "did"
	// IdentifierX509SHA256 is the SHA-256 fingerprint of an X.509
	// certificate of the entity, lower-case hex (64 digits).
	IdentifierX509SHA256 = "x509-sha256"
)

// Identifier is an identifier an entity is known by. No two entities of
// a registry share an identifier.
type Identifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// Text is a name or phrase in Thai and English.
type Text struct {
	TH string `json:"th"`
	EN string `json:"en"`
}

// Status is the standing of an entity or an accreditation.
type Status string

// The statuses. Withdrawn is final.
const (
	StatusActive    Status = "active"
	StatusSuspended Status = "suspended"
	StatusWithdrawn Status = "withdrawn"
)

// StatusChange is one entry of an entity's or accreditation's status
// history: from EffectiveFrom on, the status is Status (until a later
// entry's EffectiveFrom). See the package documentation, "Time".
type StatusChange struct {
	Status        Status    `json:"status"`
	Reason        string    `json:"reason,omitempty"`
	EffectiveFrom time.Time `json:"effective_from"`
	RecordedAt    time.Time `json:"recorded_at,omitzero"`
	Seq           int64     `json:"seq,omitempty"` // the history event that recorded it (trust lists omit it and RecordedAt)
}

// Foreign says where a foreign entity or accreditation came from: an
// imported trust list.
type Foreign struct {
	// List identifies the list source (ImportOptions.Source.ID).
	List string `json:"list"`
	// ID is the entity's or accreditation's id in that list.
	ID string `json:"id"`
	// Sequence is the list's sequence number at the last import that
	// touched this object.
	Sequence int64 `json:"sequence"`
	// NextUpdate is that list's NextUpdate (zero: none stated).
	NextUpdate time.Time `json:"next_update,omitzero"`
}

// Entity is an organisation known to the registry.
type Entity struct {
	// ID is a stable slug: lower-case letters, digits and ._:- , starting
	// with a letter or digit, at most 128 bytes (e.g. "etda",
	// "university", "eu-list:bank-x").
	ID          string       `json:"id"`
	Kinds       []Kind       `json:"kinds"`
	Identifiers []Identifier `json:"identifiers"`
	Name        Text         `json:"name"`
	// Jurisdiction is an ISO 3166-1 alpha-2 code, optionally with an
	// ISO 3166-2 subdivision ("TH", "TH-10").
	Jurisdiction string `json:"jurisdiction"`
	Contact      string `json:"contact,omitempty"`
	// Status and StatusReason are the status now (the last entry of
	// History whose EffectiveFrom has passed when the entity was last
	// changed); History holds every change.
	Status       Status         `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	History      []StatusChange `json:"history"`
	// Foreign is set for an entity recognised through an imported list.
	Foreign *Foreign `json:"foreign,omitempty"`
	// Version is the Seq of the history event that wrote this version
	// (trust lists omit it).
	Version int64 `json:"version,omitempty"`
}

// DIDs returns the entity's DIDs.
func (e *Entity) DIDs() []string {
	var out []string
	for _, id := range e.Identifiers {
		if id.Type == IdentifierDID {
			out = append(out, id.Value)
		}
	}
	return out
}

// HasKind reports whether the entity has kind k.
func (e *Entity) HasKind(k Kind) bool { return slices.Contains(e.Kinds, k) }

// Role is what an accreditation allows its subject to do.
type Role string

// The roles.
const (
	// RoleIssuer: issue credentials of the scope's types.
	RoleIssuer Role = "issuer"
	// RoleAccreditor: accredit others (issuers, or further accreditors)
	// for the scope's types, never beyond them. A recognised foreign
	// scheme operator holds this role from the root.
	RoleAccreditor Role = "accreditor"
	// RoleIdentityProvider: proof identities up to Scope.MaxIAL and
	// authenticate up to Scope.MaxAAL.
	RoleIdentityProvider Role = "identity_provider"
	// RoleAuthoritativeSource: keep the base registers of Scope.Domains
	// and issue the scope's credential types from them.
	RoleAuthoritativeSource Role = "authoritative_source"
)

var roles = []Role{RoleIssuer, RoleAccreditor, RoleIdentityProvider, RoleAuthoritativeSource}

// Scope is what an accreditation covers.
type Scope struct {
	// CredentialTypes are catalogue type names (DegreeCredential), or
	// other type identifiers (schema ids, SD-JWT VC vct values) matched
	// exactly. Required for every role but identity_provider.
	CredentialTypes []string `json:"credential_types,omitempty"`
	// MaxIAL and MaxAAL bound an identity provider. Required for
	// identity_provider, zero otherwise.
	MaxIAL IAL `json:"max_ial,omitzero"`
	MaxAAL AAL `json:"max_aal,omitzero"`
	// Domains are the data domains of an authoritative source
	// ("civil_registration", "company_registry").
	Domains []string `json:"domains,omitempty"`
}

// Covers reports whether the scope lists credential type t.
func (s Scope) Covers(t string) bool { return slices.Contains(s.CredentialTypes, t) }

// Accreditation says that an accreditor allows an entity to act in a
// role, within a scope, for a validity period. Its scope and period never
// change; only its status does. To change the scope, grant a new
// accreditation and withdraw the old one.
type Accreditation struct {
	// ID is the accreditation's id and its credential's id
	// (urn:uuid:<UUIDv7>, or a foreign list's id prefixed by the list).
	ID string `json:"id"`
	// Subject and Accreditor are entity ids.
	Subject    string `json:"subject"`
	Accreditor string `json:"accreditor"`
	// Parent is the accreditor's own accreditation (role accreditor)
	// this one is granted under; "" when the accreditor is the root.
	Parent       string    `json:"parent,omitempty"`
	Role         Role      `json:"role"`
	Scope        Scope     `json:"scope"`
	Jurisdiction string    `json:"jurisdiction"`
	ValidFrom    time.Time `json:"valid_from"`
	ValidUntil   time.Time `json:"valid_until,omitzero"` // zero: open-ended
	// Status, StatusReason and History: as for Entity.
	Status       Status         `json:"status"`
	StatusReason string         `json:"status_reason,omitempty"`
	History      []StatusChange `json:"history"`
	// Credential is the signed AccreditationCredential (or, for
	// identity providers, IdPAccreditationCredential) as vc+jwt, issued
	// by the accreditor's key. "" for foreign accreditations whose list
	// carries none.
	Credential string   `json:"credential,omitempty"`
	Foreign    *Foreign `json:"foreign,omitempty"`
	Version    int64    `json:"version,omitempty"`
}

// validity checks.

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._:-]{0,127}$`)

// ValidID reports whether id is a valid entity id.
func ValidID(id string) bool { return slugRE.MatchString(id) }

var (
	jurisdictionRE = regexp.MustCompile(`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`)
	hex64RE        = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}

func (e *Entity) validate() error {
	if !ValidID(e.ID) {
		return invalid("entity id %q: want a lower-case slug (a-z 0-9 . _ : -), at most 128 bytes", e.ID)
	}
	if len(e.Kinds) == 0 {
		return invalid("entity %s: at least one kind is required", e.ID)
	}
	for _, k := range e.Kinds {
		if !slices.Contains(kinds, k) {
			return invalid("entity %s: unknown kind %q", e.ID, k)
		}
	}
	if strings.TrimSpace(e.Name.TH) == "" && strings.TrimSpace(e.Name.EN) == "" {
		return invalid("entity %s: a name (th or en) is required", e.ID)
	}
	if !jurisdictionRE.MatchString(e.Jurisdiction) {
		return invalid("entity %s: jurisdiction %q is not an ISO 3166 code like TH", e.ID, e.Jurisdiction)
	}
	seen := map[Identifier]bool{}
	for _, id := range e.Identifiers {
		switch id.Type {
		case IdentifierDID:
			if !strings.HasPrefix(id.Value, "did:") || strings.ContainsAny(id.Value, "#?/ ") || len(id.Value) > 2048 {
				return invalid("entity %s: %q is not a DID", e.ID, id.Value)
			}
		case IdentifierX509SHA256:
			if !hex64RE.MatchString(id.Value) {
				return invalid("entity %s: x509-sha256 identifier must be 64 lower-case hex digits", e.ID)
			}
		default:
			return invalid("entity %s: unknown identifier type %q", e.ID, id.Type)
		}
		if seen[id] {
			return invalid("entity %s: identifier %s listed twice", e.ID, id.Value)
		}
		seen[id] = true
	}
	return nil
}

var typeRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._:/#+-]{0,255}$`)

func (a *Accreditation) validate() error {
	if a.Subject == "" || a.Accreditor == "" {
		return invalid("accreditation: subject and accreditor are required")
	}
	if a.Subject == a.Accreditor {
		return invalid("accreditation: %s cannot accredit itself", a.Subject)
	}
	if !slices.Contains(roles, a.Role) {
		return invalid("accreditation: unknown role %q", a.Role)
	}
	if !jurisdictionRE.MatchString(a.Jurisdiction) {
		return invalid("accreditation: jurisdiction %q is not an ISO 3166 code like TH", a.Jurisdiction)
	}
	if a.ValidFrom.IsZero() {
		return invalid("accreditation: valid_from is required")
	}
	if !a.ValidUntil.IsZero() && !a.ValidUntil.After(a.ValidFrom) {
		return invalid("accreditation: valid_until must be after valid_from")
	}
	s := a.Scope
	for _, t := range s.CredentialTypes {
		if !typeRE.MatchString(t) {
			return invalid("accreditation: credential type %q", t)
		}
	}
	if a.Role == RoleIdentityProvider {
		if !s.MaxIAL.Valid() || !s.MaxAAL.Valid() {
			return invalid("accreditation: an identity provider needs max_ial and max_aal")
		}
	} else {
		if len(s.CredentialTypes) == 0 {
			return invalid("accreditation: role %s needs at least one credential type", a.Role)
		}
		if s.MaxIAL != 0 || s.MaxAAL != 0 {
			return invalid("accreditation: max_ial and max_aal are for identity providers only")
		}
	}
	if a.Role == RoleAuthoritativeSource && len(s.Domains) == 0 {
		return invalid("accreditation: an authoritative source needs at least one domain")
	}
	return nil
}
