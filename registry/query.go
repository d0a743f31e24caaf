package registry

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/verifier"
)

// AuthorizationQuery asks whether Entity may perform Action on Resource
// at At, optionally under Authority. It follows the ToIP Trust Registry
// Query Protocol's authorization query (entity_id, authority_id, action,
// resource, context.time).
type AuthorizationQuery struct {
	// Entity is an entity id or one of its identifiers (a DID, an X.509
	// SHA-256 fingerprint).
	Entity string
	// Authority, when not "", must be the root or an accreditor on the
	// chain that authorizes Entity (an entity id or identifier).
	Authority string
	// Action is ActionIssue ("" means ActionIssue) or ActionAccredit.
	Action string
	// Resource is the credential type.
	Resource string
	// At is the time the question is about: for a credential, its
	// issuance time (validFrom). Zero means now.
	At time.Time
}

// RecognitionQuery asks whether this registry recognises Authority (a
// foreign scheme operator imported from its trust list, an accreditation
// body, or the registry's own root) at At, optionally for the credential
// type Resource.
type RecognitionQuery struct {
	Authority string
	Resource  string // "" any type
	At        time.Time
}

// Answer is the answer to a query, with the evidence it rests on.
type Answer struct {
	// Authorized is the answer (for recognition queries: recognised).
	Authorized bool `json:"authorized"`
	// Reason is the Reason* code of a negative answer; "" when
	// Authorized.
	Reason    string    `json:"reason,omitempty"`
	Entity    string    `json:"entity,omitempty"`    // the entity id the query resolved to
	Authority string    `json:"authority,omitempty"` // the authority id it resolved to
	Action    string    `json:"action"`
	Resource  string    `json:"resource,omitempty"`
	At        time.Time `json:"time"`
	// Evidence is the accreditation that decided, first, followed by the
	// accreditor accreditations that entitle its accreditor, up to the
	// root. For a negative answer it holds the accreditation that came
	// closest, when there was one.
	Evidence []Accreditation `json:"evidence"`
}

// IdentityEvidence is what an identity credential's evidence says about
// how its subject was identified (STANDARDS.md: ial, aal, idpId,
// proofedAt).
type IdentityEvidence struct {
	IAL       IAL
	AAL       AAL
	IdP       string    // the identity provider: entity id or DID (idpId)
	ProofedAt time.Time // when the identity was proofed
}

// Authorize answers an authorization query from the in-memory index: a
// map lookup per hop and a binary search per status timeline.
func (s *Service) Authorize(ctx context.Context, q AuthorizationQuery) (Answer, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	if q.At.IsZero() {
		q.At = s.now()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix.authorize(q), nil
}

// Recognize answers a recognition query.
func (s *Service) Recognize(ctx context.Context, q RecognitionQuery) (Answer, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	if q.At.IsZero() {
		q.At = s.now()
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix.recognize(q), nil
}

// CheckEvidence checks that the identity provider named in e was
// accredited at e.ProofedAt for at least the IAL and AAL it asserted, and
// that those meet the policy's minimums minIAL and minAAL.
func (s *Service) CheckEvidence(ctx context.Context, e IdentityEvidence, minIAL IAL, minAAL AAL) (Answer, error) {
	if err := ctx.Err(); err != nil {
		return Answer{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.ix.checkEvidence(e, minIAL, minAAL), nil
}

// TrustIssuer implements verifier.IssuerTrust: the issuer (a DID) must
// be accredited to issue q.Type at q.At (the credential's validFrom) and
// neither it nor its accreditation chain withdrawn or suspended at that
// time. See the package documentation on withdrawal.
func (s *Service) TrustIssuer(ctx context.Context, q verifier.TrustQuery) (verifier.TrustDecision, error) {
	a, err := s.Authorize(ctx, AuthorizationQuery{Entity: q.Issuer, Action: ActionIssue, Resource: q.Type, At: q.At})
	if err != nil {
		return verifier.TrustDecision{}, err
	}
	return decision(a, "registry"), nil
}

var _ verifier.IssuerTrust = (*Service)(nil)

// decision turns an answer into a verifier decision whose Basis names the
// accreditation that decided.
func decision(a Answer, source string) verifier.TrustDecision {
	d := verifier.TrustDecision{Trusted: a.Authorized, Reason: a.Reason}
	if d.Reason == ReasonUnknownEntity {
		d.Reason = ReasonUnknownIssuer
	}
	d.Basis = Basis(a, source)
	return d
}

// Basis describes the accreditation an answer rests on, in one line:
// "registry: accreditation urn:uuid:... of university by mhesi for
// DegreeCredential, valid 2025-01-01T00:00:00Z..2026-01-01T00:00:00Z,
// active at 2025-06-01T00:00:00Z; under mhesi by etda".
func Basis(a Answer, source string) string {
	var b strings.Builder
	b.WriteString(source)
	b.WriteString(": ")
	if len(a.Evidence) == 0 {
		if a.Authorized {
			return fmt.Sprintf("%s: %s is the registry's root (the scheme operator)", source, a.Entity)
		}
		if a.Entity == "" {
			return source + ": the issuer is not in the registry"
		}
		fmt.Fprintf(&b, "%s holds no accreditation to %s %s (%s)", a.Entity, a.Action, a.Resource, orOK(a.Reason))
		return b.String()
	}
	e := a.Evidence[0]
	until := "open"
	if !e.ValidUntil.IsZero() {
		until = e.ValidUntil.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "accreditation %s of %s by %s for %s, valid %s..%s, %s at %s",
		e.ID, e.Subject, e.Accreditor, orAll(a.Resource), e.ValidFrom.UTC().Format(time.RFC3339), until, orOK(a.Reason), a.At.UTC().Format(time.RFC3339))
	for _, p := range a.Evidence[1:] {
		fmt.Fprintf(&b, "; under %s (%s by %s)", p.ID, p.Subject, p.Accreditor)
	}
	return b.String()
}

func orOK(reason string) string {
	if reason == "" {
		return "active"
	}
	return reason
}

func orAll(t string) string {
	if t == "" {
		return "its scope"
	}
	return t
}
