package delegation

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/schemas"
)

// ContextThaiTrust is the JSON-LD context of ThaiTrust credential types.
const ContextThaiTrust = "https://thaitrust.example/ns/credentials/v1"

// States of a draft.
const (
	StateOpen    = "open"    // collecting approvals
	StateIssuing = "issuing" // the issuer is signing it
	StateIssued  = "issued"  // Credential holds the DelegationCredential
)

// Errors of the signing workflow.
var (
	// ErrBadRequest: the draft cannot be made as asked (see the message).
	ErrBadRequest = errors.New("delegation: bad request")
	// ErrApprovalInvalid: an approval is not a valid signature of this
	// draft by someone who must sign it.
	ErrApprovalInvalid = errors.New("delegation: approval rejected")
	// ErrIncomplete: the draft lacks approvals its signing rule requires;
	// nothing is issued.
	ErrIncomplete = errors.New("delegation: signing rule not yet satisfied")
	// ErrState: the draft is issued (or being issued) and cannot change.
	ErrState = errors.New("delegation: draft is no longer open")
)

// Issuer signs a completed DelegationCredential document: it adds the
// id, credentialStatus (revocation and suspension entries in its status
// lists) and credentialSchema, and returns the vc+jwt. internal/app adapts
// an issuer.Service to it.
type Issuer interface {
	// DID is the issuer's DID, which every credential it signs names.
	DID() string
	// Issue signs doc (an unsigned DelegationCredential naming DID as its
	// issuer) and returns the secured credential.
	Issue(ctx context.Context, doc map[string]any) (string, error)
}

// ServiceConfig configures a Service.
type ServiceConfig struct {
	// Verifier checks the company, director and parent credentials a
	// draft rests on, when it is made and again when it is issued.
	// Required.
	Verifier *Verifier
	// Issuer signs delegations once approved. Required.
	Issuer Issuer
	// Store keeps drafts. Required.
	Store Store
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Rand is the source of draft ids; nil means crypto/rand.
	Rand io.Reader
}

// Service runs the multi-party signing workflow: Draft, Approve (one call
// per signer), Status, Issue.
type Service struct{ cfg ServiceConfig }

// New returns a Service.
func New(cfg ServiceConfig) (*Service, error) {
	if cfg.Verifier == nil || cfg.Issuer == nil || cfg.Store == nil {
		return nil, errors.New("delegation: a verifier, an issuer and a store are required")
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{cfg: cfg}, nil
}

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// DraftRequest asks for a delegation.
type DraftRequest struct {
	// Delegation is what is granted: grantor, grantee (ID: the DID of
	// the grantee's holder key, required), scope, purpose, maxUses and
	// subDelegation. ExecutedBy and Parent are set by the service; for
	// a sub-delegation the grantor is set to the parent's grantee.
	Delegation Delegation `json:"delegation"`
	// ValidFrom is when it starts; zero means now. ValidUntil is
	// required.
	ValidFrom  time.Time `json:"validFrom,omitzero"`
	ValidUntil time.Time `json:"validUntil"`
	// Company is the company's current JuristicPersonCredential (vc+jwt)
	// when the grantor is a juristic person.
	Company string `json:"company,omitempty"`
	// Directors are the DirectorAuthorityCredentials (vc+jwt) of the
	// directors who will execute a juristic grantor's delegation: each of
	// them must approve it, and together they must satisfy the signing
	// rule.
	Directors []string `json:"directors,omitempty"`
	// Parent is the delegation (vc+jwt) the grantor holds, for a
	// sub-delegation.
	Parent string `json:"parent,omitempty"`
}

// Signer is someone whose approval a draft needs.
type Signer struct {
	Role string `json:"role"` // RoleDirector, RoleSeal, RoleGrantor
	// Key is the DID of the key that must sign.
	Key string `json:"key"`
	// Director is the director (pid:... or passport:...) for RoleDirector.
	Director string `json:"director,omitempty"`
	// Name is who it is, for people.
	Name string `json:"name,omitempty"`
	// Authority is the DirectorAuthorityCredential (vc+jwt), for
	// RoleDirector.
	Authority string `json:"authority,omitempty"`
}

// Approval is one signature a draft collected.
type Approval struct {
	Role string    `json:"role"`
	Key  string    `json:"key"` // the signer's DID
	JWS  string    `json:"jws"`
	At   time.Time `json:"at"`
}

// Draft is a delegation collecting its approvals. Body is the document
// every approval signs (through Digest); the issued credential carries it,
// so verifiers re-check every approval.
type Draft struct {
	ID         string     `json:"id"`
	State      string     `json:"state"`
	Issuer     string     `json:"issuer"`
	Delegation Delegation `json:"delegation"`
	ValidFrom  time.Time  `json:"validFrom"`
	ValidUntil time.Time  `json:"validUntil"`
	Company    string     `json:"company,omitempty"`
	Parent     string     `json:"parent,omitempty"`
	Directors  []Signer   `json:"signers"` // who must approve
	Body       []byte     `json:"body"`
	Digest     string     `json:"digest"`
	Approvals  []Approval `json:"approvals"`
	Credential string     `json:"credential,omitempty"`
	CreatedAt  time.Time  `json:"createdAt"`
	Version    int64      `json:"version"`
}

// Missing returns the signers who have not approved yet.
func (d Draft) Missing() []Signer {
	var out []Signer
	for _, sg := range d.Directors {
		if !d.approvedBy(sg) {
			out = append(out, sg)
		}
	}
	return out
}

func (d Draft) approvedBy(sg Signer) bool {
	for _, a := range d.Approvals {
		if a.Role == sg.Role && a.Key == sg.Key {
			return true
		}
	}
	return false
}

// Complete reports whether every required signer approved.
func (d Draft) Complete() bool { return len(d.Directors) > 0 && len(d.Missing()) == 0 }

func badRequest(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrBadRequest, fmt.Sprintf(format, a...))
}

// Draft checks a request and stores a draft for its signers to approve.
func (s *Service) Draft(ctx context.Context, req DraftRequest) (Draft, error) {
	d, err := s.prepare(ctx, req, true)
	if err != nil {
		return Draft{}, err
	}
	if err := s.cfg.Store.CreateDraft(ctx, d); err != nil {
		return Draft{}, err
	}
	return s.cfg.Store.GetDraft(ctx, d.ID)
}

// prepare builds a draft; with check false it skips the rules (tests make
// invalid chains with it, to see verification refuse them).
func (s *Service) prepare(ctx context.Context, req DraftRequest, check bool) (Draft, error) {
	now := s.now()
	v := s.cfg.Verifier
	dl := req.Delegation
	dl.ExecutedBy, dl.Parent = nil, nil
	from, until := req.ValidFrom.UTC().Truncate(time.Second), req.ValidUntil.UTC().Truncate(time.Second)
	if from.IsZero() {
		from = now.Truncate(time.Second)
	}
	if check {
		switch {
		case until.IsZero() || !until.After(from):
			return Draft{}, badRequest("validUntil is required and must be after validFrom")
		case dl.Grantee.ID == "":
			return Draft{}, badRequest("the grantee's DID (the key their wallet presents with) is required")
		case len(dl.Scope.Actions) == 0 || len(dl.Scope.RelyingParties) == 0:
			return Draft{}, badRequest("the scope needs at least one action and one relying party")
		}
		if _, err := keyOf(dl.Grantee.ID); err != nil {
			return Draft{}, badRequest("grantee id: %v", err)
		}
	}
	d := Draft{State: StateOpen, Issuer: s.cfg.Issuer.DID(), ValidFrom: from, ValidUntil: until, CreatedAt: now}
	var err error
	if d.ID, err = s.newID(); err != nil {
		return Draft{}, err
	}
	switch {
	case req.Parent != "":
		pc, reason, err := v.credential(ctx, req.Parent, TypeDelegation, now, now)
		if reason != "" {
			return Draft{}, badRequest("the parent delegation is not valid: %s (%v)", reason, err)
		}
		p, err := DelegationOf(pc.Subjects[0])
		if err != nil {
			return Draft{}, badRequest("parent: %v", err)
		}
		dl.Grantor = p.Grantee
		dl.Parent = &ParentRef{ID: pc.ID, DigestSRI: digestSRI(req.Parent)}
		if check {
			if !p.SubDelegation.Allowed {
				return Draft{}, badRequest("the parent delegation does not allow sub-delegation")
			}
			if dl.SubDelegation.Allowed && dl.SubDelegation.MaxDepth > p.SubDelegation.MaxDepth-1 {
				return Draft{}, badRequest("subDelegation.maxDepth may be at most %d", p.SubDelegation.MaxDepth-1)
			}
			if reason, detail := narrows(p.Scope, dl.Scope); reason != "" {
				en, _ := Message(reason)
				return Draft{}, badRequest("%s (%s)", en, detail)
			}
			if !within(from, until, pc.ValidFrom, pc.ValidUntil) {
				return Draft{}, badRequest("the validity period must lie within the parent's (%s to %s)", pc.ValidFrom.Format(time.RFC3339), pc.ValidUntil.Format(time.RFC3339))
			}
		}
		d.Parent = req.Parent
		d.Directors = []Signer{{Role: RoleGrantor, Key: dl.Grantor.ID, Name: dl.Grantor.DisplayName("en")}}
	case dl.Grantor.Type == JuristicPerson:
		if err := s.juristicSigners(ctx, &d, &dl, req, now, check); err != nil {
			return Draft{}, err
		}
	case dl.Grantor.Type == NaturalPerson:
		if check && dl.Grantor.ID == "" {
			return Draft{}, badRequest("a natural-person grantor needs an id: the DID of the key they sign with")
		}
		d.Directors = []Signer{{Role: RoleGrantor, Key: dl.Grantor.ID, Name: dl.Grantor.DisplayName("en")}}
	default:
		return Draft{}, badRequest("grantor.type must be JuristicPerson or NaturalPerson")
	}
	subject, err := dl.subject()
	if err != nil {
		return Draft{}, err
	}
	if check {
		doc := map[string]any{
			"@context": []any{credential.ContextV2, ContextThaiTrust},
			"type":     []any{credential.TypeCredential, TypeDelegation},
			"issuer":   d.Issuer, "credentialSubject": subject,
		}
		if err := schemas.Validate(TypeDelegation, doc); err != nil {
			return Draft{}, badRequest("%v", err)
		}
	}
	d.Delegation = dl
	if d.Body, d.Digest, err = encodeBody(d.ID, d.Issuer, from, until, subject); err != nil {
		return Draft{}, err
	}
	return d, nil
}

// juristicSigners checks the company and the executing directors and sets
// the draft's signers and executedBy.
func (s *Service) juristicSigners(ctx context.Context, d *Draft, dl *Delegation, req DraftRequest, now time.Time, check bool) error {
	v := s.cfg.Verifier
	cc, reason, err := v.credential(ctx, req.Company, TypeJuristicPerson, now, now)
	if reason != "" {
		return badRequest("the company credential is not valid: %s (%v)", reason, err)
	}
	company, err := CompanyOf(cc.Subjects[0])
	if err != nil {
		return badRequest("%v", err)
	}
	if check && company.JuristicID != dl.Grantor.JuristicID {
		return badRequest("the company credential is of %s, not of the grantor %s", company.JuristicID, dl.Grantor.JuristicID)
	}
	d.Company = req.Company
	rules := []SigningRule{company.Rule}
	seen := map[string]bool{}
	for i, tok := range req.Directors {
		dc, reason, err := v.credential(ctx, tok, TypeDirectorAuthority, now, now)
		if reason != "" {
			return badRequest("director %d: authority not valid: %s (%v)", i+1, reason, err)
		}
		dir, err := DirectorOf(dc.Subjects[0])
		if err != nil {
			return badRequest("director %d: %v", i+1, err)
		}
		k := dir.Ref.key()
		if check {
			switch {
			case dir.JuristicID != company.JuristicID:
				return badRequest("director %d is a director of %s", i+1, dir.JuristicID)
			case !company.Rule.eligible(k) || !dir.Rule.eligible(k):
				return badRequest("director %d (%s) is not eligible to sign under the company's signing rule", i+1, k)
			case seen[k]:
				return badRequest("director %d (%s) is named twice", i+1, k)
			case dir.KeyID == "":
				return badRequest("director %d's authority binds no key: ask DBD to issue it to the director's wallet", i+1)
			}
		}
		seen[k] = true
		rules = append(rules, dir.Rule)
		d.Directors = append(d.Directors, Signer{Role: RoleDirector, Key: dir.KeyID, Director: k, Name: nameOf(dir.Ref.Name, "en"), Authority: tok})
		dl.ExecutedBy = append(dl.ExecutedBy, Executor{PID: dir.Ref.PID, Passport: dir.Ref.Passport, Name: dir.Ref.Name, AuthorityCredential: dc.ID})
	}
	seal := false
	need := 0
	for _, r := range rules {
		need = max(need, r.MinSigners)
		seal = seal || r.SealRequired
	}
	if seal {
		if check && company.SealID == "" {
			return badRequest("the signing rule requires the company seal, but the company credential binds no seal key")
		}
		d.Directors = append(d.Directors, Signer{Role: RoleSeal, Key: company.SealID, Name: company.Name.EN + " (seal)"})
	}
	if !check {
		return nil
	}
	if len(seen) < need {
		return badRequest("the signing rule needs %d eligible directors; the draft names %d", need, len(seen))
	}
	for _, r := range rules {
		for _, a := range dl.Scope.Actions {
			if slices.Contains(r.ExcludedActions, a) {
				return badRequest("the directors' authority excludes %s", a)
			}
		}
		if r.MaxAmount != nil && dl.Scope.AmountLimit != nil {
			if reason := overLimit(*dl.Scope.AmountLimit, *r.MaxAmount); reason != "" {
				return badRequest("the amount limit is beyond the directors' authority (%s)", r.MaxAmount)
			}
		}
	}
	return nil
}

func (s *Service) newID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("urn:uuid:%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// Get returns a draft.
func (s *Service) Get(ctx context.Context, id string) (Draft, error) {
	return s.cfg.Store.GetDraft(ctx, id)
}

// Approve adds one signer's approval (a JWS made by Approve) to a draft.
// The approval must be by the key of a signer the draft names, for that
// signer's role, over this draft's digest; a director's authority must
// still be valid and unrevoked. Approving twice replaces nothing and is
// not an error.
func (s *Service) Approve(ctx context.Context, id, role, token string) (Draft, error) {
	d, err := s.cfg.Store.GetDraft(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	if d.State != StateOpen {
		return Draft{}, ErrState
	}
	var signer *Signer
	var lastErr error
	for i := range d.Directors {
		sg := d.Directors[i]
		if sg.Role != role {
			continue
		}
		if err := checkApproval(token, role, d.ID, d.Digest, sg.Key, s.cfg.Verifier.cfg.Algorithms); err != nil {
			lastErr = err
			continue
		}
		signer = &sg
		break
	}
	if signer == nil {
		if lastErr == nil {
			lastErr = fmt.Errorf("the draft needs no %s approval", role)
		}
		return Draft{}, fmt.Errorf("%w: %w", ErrApprovalInvalid, lastErr)
	}
	if signer.Role == RoleDirector {
		now := s.now()
		if _, reason, err := s.cfg.Verifier.credential(ctx, signer.Authority, TypeDirectorAuthority, now, now); reason != "" {
			return Draft{}, fmt.Errorf("%w: the director's authority is no longer valid: %s (%v)", ErrApprovalInvalid, reason, err)
		}
	}
	at := s.now()
	return s.cfg.Store.UpdateDraft(ctx, id, func(old Draft) (Draft, error) {
		if old.State != StateOpen {
			return Draft{}, ErrState
		}
		if old.approvedBy(*signer) {
			return old, nil
		}
		old.Approvals = append(old.Approvals, Approval{Role: role, Key: signer.Key, JWS: token, At: at})
		return old, nil
	})
}

// Issue issues the delegation of a draft whose signers have all approved:
// the directors' authorities are checked once more, and the issuer signs
// the credential with the draft and approvals as evidence. A draft that
// lacks an approval yields nothing (ErrIncomplete). Issuing an issued
// draft returns it again.
func (s *Service) Issue(ctx context.Context, id string) (Draft, error) {
	d, err := s.cfg.Store.GetDraft(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	switch d.State {
	case StateIssued:
		return d, nil
	case StateIssuing:
		return Draft{}, ErrState
	}
	if !d.Complete() {
		return Draft{}, fmt.Errorf("%w: %d approval(s) missing", ErrIncomplete, len(d.Missing()))
	}
	now := s.now()
	for _, sg := range d.Directors {
		if sg.Role == RoleDirector {
			if _, reason, err := s.cfg.Verifier.credential(ctx, sg.Authority, TypeDirectorAuthority, now, now); reason != "" {
				return Draft{}, fmt.Errorf("%w: director %s: %s (%v)", ErrIncomplete, sg.Director, reason, err)
			}
		}
	}
	if _, err := s.cfg.Store.UpdateDraft(ctx, id, func(old Draft) (Draft, error) {
		if old.State != StateOpen {
			return Draft{}, ErrState
		}
		old.State = StateIssuing
		return old, nil
	}); err != nil {
		return Draft{}, err
	}
	tok, err := s.issue(ctx, d, now)
	if err != nil {
		_, _ = s.cfg.Store.UpdateDraft(ctx, id, func(old Draft) (Draft, error) { old.State = StateOpen; return old, nil })
		return Draft{}, err
	}
	return s.cfg.Store.UpdateDraft(ctx, id, func(old Draft) (Draft, error) {
		old.State, old.Credential = StateIssued, tok
		return old, nil
	})
}

// issue signs the credential of d with its approvals, whatever they are.
func (s *Service) issue(ctx context.Context, d Draft, now time.Time) (string, error) {
	body, err := decodeObject(d.Body)
	if err != nil {
		return "", err
	}
	approvals := make([]any, 0, len(d.Approvals))
	for _, a := range d.Approvals {
		e := map[string]any{"role": a.Role, "jws": a.JWS}
		if a.Role == RoleDirector {
			for _, sg := range d.Directors {
				if sg.Role == RoleDirector && sg.Key == a.Key {
					e["authorityCredential"] = sg.Authority
				}
			}
		}
		approvals = append(approvals, e)
	}
	doc := map[string]any{
		"@context":          []any{credential.ContextV2, ContextThaiTrust},
		"type":              []any{credential.TypeCredential, TypeDelegation},
		"issuer":            d.Issuer,
		"validFrom":         d.ValidFrom.UTC().Format(time.RFC3339),
		"validUntil":        d.ValidUntil.UTC().Format(time.RFC3339),
		"credentialSubject": body["credentialSubject"],
		"evidence": []any{map[string]any{
			"type":       []any{EvidenceType},
			"executedAt": now.UTC().Format(time.RFC3339),
			"draft":      base64.RawURLEncoding.EncodeToString(d.Body),
			"approvals":  approvals,
		}},
	}
	return s.cfg.Issuer.Issue(ctx, doc)
}
