package registry

import (
	"slices"
	"sort"
	"strings"
	"time"
)

// period is a stretch of effective time with one status, from `from`
// until the next period's from.
type period struct {
	from   time.Time
	status Status
	reason string
}

// timeline turns a status history into periods sorted by from. Changes
// apply in the order they were recorded; each one sets the status from
// its EffectiveFrom onwards, replacing whatever earlier changes said about
// those times (see the package documentation, "Time").
func timeline(h []StatusChange) []period {
	out := make([]period, 0, len(h))
	for _, c := range h {
		i := sort.Search(len(out), func(i int) bool { return !out[i].from.Before(c.EffectiveFrom) })
		out = append(out[:i], period{from: c.EffectiveFrom, status: c.Status, reason: c.Reason})
	}
	return out
}

// statusAt returns the period in force at t, or ok false when t is before
// the first one.
func statusAt(ps []period, t time.Time) (period, bool) {
	i := sort.Search(len(ps), func(i int) bool { return ps[i].from.After(t) })
	if i == 0 {
		return period{}, false
	}
	return ps[i-1], true
}

type entityRec struct {
	e       Entity
	periods []period
	accs    []*accRec // accreditations whose subject this is
}

type accRec struct {
	a       Accreditation
	periods []period
}

// index is the in-memory form of a registry or a loaded trust list:
// every entity and accreditation with its status timeline, by id and by
// identifier. Queries against it are map lookups and binary searches. It
// is not synchronised: the Service guards it; a TrustList never changes
// it after loading.
type index struct {
	root     string // entity id of the trust anchor (the scheme operator)
	entities map[string]*entityRec
	byIdent  map[Identifier]*entityRec
	accs     map[string]*accRec
	ids      []string // entity ids, sorted
	bulk     bool     // loading: finish links accreditations
}

// newIndex returns an empty index in bulk-loading mode: call finish
// after the initial puts.
func newIndex(root string) *index {
	return &index{root: root, entities: map[string]*entityRec{}, byIdent: map[Identifier]*entityRec{}, accs: map[string]*accRec{}, bulk: true}
}

// Records are copy-on-write: a published *entityRec or *accRec never
// changes. A change replaces the record (and, for an accreditation, its
// subject's record) in the maps, so that Export can encode records it
// picked up under the read lock after releasing it.

// putEntity adds or replaces an entity. sorted false defers the id sort
// (bulk loading calls finish).
func (ix *index) putEntity(e Entity, sorted bool) {
	r := &entityRec{e: e, periods: timeline(e.History)}
	if old, ok := ix.entities[e.ID]; ok {
		r.accs = old.accs
		for _, id := range old.e.Identifiers {
			if ix.byIdent[id] == old {
				delete(ix.byIdent, id)
			}
		}
	} else if sorted {
		i, _ := slices.BinarySearch(ix.ids, e.ID)
		ix.ids = slices.Insert(ix.ids, i, e.ID)
	} else {
		ix.ids = append(ix.ids, e.ID)
	}
	ix.entities[e.ID] = r
	for _, id := range e.Identifiers {
		ix.byIdent[id] = r
	}
}

// putAccreditation adds or replaces an accreditation. Its subject's
// record is replaced too (with the new accreditation in its list) when
// the subject is in the index; bulk loads link subjects in finish.
func (ix *index) putAccreditation(a Accreditation) {
	r := &accRec{a: a, periods: timeline(a.History)}
	old := ix.accs[a.ID]
	ix.accs[a.ID] = r
	s := ix.entities[a.Subject]
	if s == nil || ix.bulk {
		return
	}
	ns := *s
	ns.accs = slices.Clone(s.accs)
	if i := slices.Index(ns.accs, old); old != nil && i >= 0 {
		ns.accs[i] = r
	} else {
		ns.accs = append(ns.accs, r)
	}
	ix.entities[a.Subject] = &ns
	for _, id := range ns.e.Identifiers {
		if ix.byIdent[id] == s {
			ix.byIdent[id] = &ns
		}
	}
}

// finish sorts the ids after a bulk load and links accreditations to
// their subjects. Records are not yet published during a bulk load.
func (ix *index) finish() {
	slices.Sort(ix.ids)
	for _, e := range ix.entities {
		e.accs = nil
	}
	for _, a := range ix.accs {
		if s := ix.entities[a.a.Subject]; s != nil {
			s.accs = append(s.accs, a)
		}
	}
	for _, e := range ix.entities {
		slices.SortFunc(e.accs, func(x, y *accRec) int { return strings.Compare(x.a.ID, y.a.ID) })
	}
	ix.bulk = false
}

// lookup finds an entity by id, else by DID or any identifier value.
func (ix *index) lookup(ref string) *entityRec {
	if r, ok := ix.entities[ref]; ok {
		return r
	}
	if strings.HasPrefix(ref, "did:") {
		return ix.byIdent[Identifier{Type: IdentifierDID, Value: ref}]
	}
	return ix.byIdent[Identifier{Type: IdentifierX509SHA256, Value: ref}]
}

// Reason codes of negative answers (Answer.Reason, and
// verifier.TrustDecision.Reason from TrustIssuer). Stable: programs
// branch on them and the verifier maps them to sentences.
const (
	ReasonUnknownEntity             = "unknown_entity"              // no entity has that id or identifier
	ReasonUnknownIssuer             = "unknown_issuer"              // TrustIssuer's name for unknown_entity
	ReasonEntitySuspended           = "entity_suspended"            // the entity itself was suspended at the time
	ReasonEntityWithdrawn           = "entity_withdrawn"            // the entity itself was withdrawn at the time
	ReasonNotAccredited             = "not_accredited"              // it holds no accreditation for the action
	ReasonTypeNotAccredited         = "type_not_accredited"         // it is accredited for the action, not for this type
	ReasonAccreditationNotYetValid  = "accreditation_not_yet_valid" // the time is before the accreditation's validity
	ReasonAccreditationExpired      = "accreditation_expired"       // the time is after the accreditation's validity
	ReasonAccreditationSuspended    = "accreditation_suspended"     // the accreditation was suspended at the time
	ReasonAccreditationWithdrawn    = "accreditation_withdrawn"     // the accreditation was withdrawn at the time
	ReasonAccreditorNotAccredited   = "accreditor_not_accredited"   // a link above it (accreditor, root) was not valid then
	ReasonAuthorityNotInChain       = "authority_not_in_chain"      // valid, but not under the authority asked about
	ReasonUnknownAuthority          = "unknown_authority"           // the authority asked about is not in the registry
	ReasonNotRecognised             = "not_recognised"              // the authority holds no valid accreditor role
	ReasonUnknownAction             = "unknown_action"              // the action is not issue or accredit
	ReasonIALBelowPolicy            = "ial_below_policy"            // the evidence's IAL is below the policy's minimum
	ReasonAALBelowPolicy            = "aal_below_policy"            // the evidence's AAL is below the policy's minimum
	ReasonIALExceedsAccreditation   = "ial_exceeds_accreditation"   // the IdP asserted an IAL above its accreditation
	ReasonAALExceedsAccreditation   = "aal_exceeds_accreditation"   // the IdP asserted an AAL above its accreditation
	ReasonIdentityProviderUnknown   = "idp_unknown"                 // the evidence names no known entity
	ReasonIdentityProviderNotAccred = "idp_not_accredited"          // the entity holds no identity-provider accreditation
)

// Actions of authorization queries.
const (
	// ActionIssue: issue credentials of the resource type (roles issuer
	// and authoritative_source).
	ActionIssue = "issue"
	// ActionAccredit: accredit others for the resource type (role
	// accreditor).
	ActionAccredit = "accredit"
)

// maxChainDepth bounds accreditor chains (root -> ... -> subject).
const maxChainDepth = 8

// failure ranks: how far a candidate got before failing.
const (
	rankWindow = iota + 1
	rankStatus
	rankChain
)

type verdict struct {
	ok     bool
	reason string
	rank   int
	chain  []*accRec // leaf first
}

// entityOK checks an entity's own status at t.
func entityOK(r *entityRec, t time.Time) string {
	if p, ok := statusAt(r.periods, t); ok {
		switch p.status {
		case StatusSuspended:
			return ReasonEntitySuspended
		case StatusWithdrawn:
			return ReasonEntityWithdrawn
		}
	}
	return ""
}

// accOK checks an accreditation's window and status at t.
func accOK(a *accRec, t time.Time) (string, int) {
	if t.Before(a.a.ValidFrom) {
		return ReasonAccreditationNotYetValid, rankWindow
	}
	p, ok := statusAt(a.periods, t)
	if !ok {
		return ReasonAccreditationNotYetValid, rankWindow
	}
	// A withdrawal says more than an expiry (it may be for cause).
	if p.status == StatusWithdrawn {
		return ReasonAccreditationWithdrawn, rankStatus
	}
	if !a.a.ValidUntil.IsZero() && !t.Before(a.a.ValidUntil) {
		return ReasonAccreditationExpired, rankWindow
	}
	if p.status == StatusSuspended {
		return ReasonAccreditationSuspended, rankStatus
	}
	return "", 0
}

// chainOK checks that the accreditor of a is entitled at t to accredit
// for typ (or, typ "", for a's role without types), up to the root. It
// returns the accreditor accreditations used, leaf first. authority, when
// not "", must be the root or one of the accreditors on the way.
func (ix *index) chainOK(a *accRec, typ string, t time.Time, authority string, depth int) ([]*accRec, bool) {
	acc := ix.entities[a.a.Accreditor]
	if acc == nil || entityOK(acc, t) != "" || depth > maxChainDepth {
		return nil, false
	}
	if acc.e.ID == ix.root {
		return nil, authority == "" || authority == ix.root
	}
	if typ == "" {
		// Accreditations without types (identity providers) come from the
		// root only.
		return nil, false
	}
	if authority == acc.e.ID {
		authority = "" // satisfied
	}
	for _, p := range acc.accs {
		if p.a.Role != RoleAccreditor || !p.a.Scope.Covers(typ) || p == a {
			continue
		}
		if r, _ := accOK(p, t); r != "" {
			continue
		}
		if up, ok := ix.chainOK(p, typ, t, authority, depth+1); ok {
			return append([]*accRec{p}, up...), true
		}
	}
	return nil, false
}

// evaluate decides whether the entity r may act in one of roles for typ
// at t, under authority ("" any).
func (ix *index) evaluate(r *entityRec, roles []Role, typ string, t time.Time, authority string) verdict {
	if reason := entityOK(r, t); reason != "" {
		return verdict{reason: reason}
	}
	best := verdict{reason: ReasonNotAccredited}
	var bestFrom time.Time
	for _, a := range r.accs {
		if !slices.Contains(roles, a.a.Role) {
			continue
		}
		if typ != "" && !a.a.Scope.Covers(typ) {
			if best.rank == 0 {
				best.reason = ReasonTypeNotAccredited
			}
			continue
		}
		v := verdict{chain: []*accRec{a}}
		if reason, rank := accOK(a, t); reason != "" {
			v.reason, v.rank = reason, rank
		} else if up, ok := ix.chainOK(a, typ, t, authority, 1); ok {
			v.ok = true
			v.chain = append(v.chain, up...)
			return v
		} else {
			v.reason, v.rank = ReasonAccreditorNotAccredited, rankChain
			if authority != "" {
				if _, ok := ix.chainOK(a, typ, t, "", 1); ok {
					v.reason = ReasonAuthorityNotInChain
				}
			}
		}
		if v.rank > best.rank || (v.rank == best.rank && a.a.ValidFrom.After(bestFrom)) {
			best, bestFrom = v, a.a.ValidFrom
		}
	}
	return best
}

// accreditationIssuer decides who may issue accreditation credentials:
// the root (both types), and entities holding a valid accreditor
// accreditation (AccreditationCredential only; identity providers are
// accredited by the root).
func (ix *index) accreditationIssuer(r *entityRec, typ string, t time.Time, authority string) verdict {
	if reason := entityOK(r, t); reason != "" {
		return verdict{reason: reason}
	}
	if r.e.ID == ix.root {
		return verdict{ok: authority == "" || authority == ix.root, reason: ReasonAuthorityNotInChain}
	}
	best := verdict{reason: ReasonNotAccredited}
	if typ == TypeIdPAccreditation {
		return best
	}
	for _, a := range r.accs {
		if a.a.Role != RoleAccreditor || len(a.a.Scope.CredentialTypes) == 0 {
			continue
		}
		if reason, rank := accOK(a, t); reason != "" {
			if rank > best.rank {
				best = verdict{reason: reason, rank: rank, chain: []*accRec{a}}
			}
			continue
		}
		if up, ok := ix.chainOK(a, a.a.Scope.CredentialTypes[0], t, authority, 1); ok {
			return verdict{ok: true, chain: append([]*accRec{a}, up...)}
		}
		if rankChain > best.rank {
			best = verdict{reason: ReasonAccreditorNotAccredited, rank: rankChain, chain: []*accRec{a}}
		}
	}
	return best
}

// rolesFor maps a query action to the roles that allow it.
func rolesFor(action string) []Role {
	switch action {
	case ActionIssue, "":
		return []Role{RoleIssuer, RoleAuthoritativeSource}
	case ActionAccredit:
		return []Role{RoleAccreditor}
	}
	return nil
}

func (ix *index) authorize(q AuthorizationQuery) Answer {
	ans := Answer{At: q.At, Action: q.Action, Resource: q.Resource}
	if ans.Action == "" {
		ans.Action = ActionIssue
	}
	r := ix.lookup(q.Entity)
	if r == nil {
		ans.Reason = ReasonUnknownEntity
		return ans
	}
	ans.Entity = r.e.ID
	authority := ""
	if q.Authority != "" {
		ar := ix.lookup(q.Authority)
		if ar == nil {
			ans.Reason = ReasonUnknownAuthority
			return ans
		}
		authority = ar.e.ID
		ans.Authority = authority
	}
	roles := rolesFor(ans.Action)
	if roles == nil {
		ans.Reason = ReasonUnknownAction
		return ans
	}
	var v verdict
	if ans.Action == ActionIssue && (q.Resource == TypeAccreditation || q.Resource == TypeIdPAccreditation) {
		v = ix.accreditationIssuer(r, q.Resource, q.At, authority)
	} else {
		v = ix.evaluate(r, roles, q.Resource, q.At, authority)
	}
	ans.Authorized, ans.Reason = v.ok, v.reason
	if v.ok {
		ans.Reason = ""
	}
	ans.Evidence = evidence(v.chain)
	return ans
}

func (ix *index) recognize(q RecognitionQuery) Answer {
	ans := Answer{At: q.At, Action: "recognize"}
	r := ix.lookup(q.Authority)
	if r == nil {
		ans.Reason = ReasonUnknownAuthority
		return ans
	}
	ans.Entity, ans.Authority = r.e.ID, ix.root
	if reason := entityOK(r, q.At); reason != "" {
		ans.Reason = reason
		return ans
	}
	if r.e.ID == ix.root {
		ans.Authorized = true
		return ans
	}
	v := verdict{reason: ReasonNotRecognised}
	for _, a := range r.accs {
		if a.a.Role != RoleAccreditor || (q.Resource != "" && !a.a.Scope.Covers(q.Resource)) {
			continue
		}
		typ := q.Resource
		if typ == "" && len(a.a.Scope.CredentialTypes) > 0 {
			typ = a.a.Scope.CredentialTypes[0]
		}
		if reason, rank := accOK(a, q.At); reason != "" {
			if rank > v.rank {
				v = verdict{reason: reason, rank: rank, chain: []*accRec{a}}
			}
			continue
		}
		if up, ok := ix.chainOK(a, typ, q.At, "", 1); ok {
			ans.Authorized = true
			ans.Evidence = evidence(append([]*accRec{a}, up...))
			return ans
		}
		if rankChain > v.rank {
			v = verdict{reason: ReasonAccreditorNotAccredited, rank: rankChain, chain: []*accRec{a}}
		}
	}
	ans.Reason = v.reason
	ans.Evidence = evidence(v.chain)
	return ans
}

// checkEvidence checks an identity provider's accreditation at e.ProofedAt
// against the asserted and required levels.
func (ix *index) checkEvidence(e IdentityEvidence, minIAL IAL, minAAL AAL) Answer {
	ans := Answer{At: e.ProofedAt, Action: "identify"}
	if e.IAL < minIAL {
		ans.Reason = ReasonIALBelowPolicy
		return ans
	}
	if e.AAL < minAAL {
		ans.Reason = ReasonAALBelowPolicy
		return ans
	}
	r := ix.lookup(e.IdP)
	if r == nil {
		ans.Reason = ReasonIdentityProviderUnknown
		return ans
	}
	ans.Entity = r.e.ID
	if reason := entityOK(r, e.ProofedAt); reason != "" {
		ans.Reason = reason
		return ans
	}
	best := verdict{reason: ReasonIdentityProviderNotAccred}
	for _, a := range r.accs {
		if a.a.Role != RoleIdentityProvider {
			continue
		}
		v := verdict{chain: []*accRec{a}}
		switch reason, rank := accOK(a, e.ProofedAt); {
		case reason != "":
			v.reason, v.rank = reason, rank
		case e.IAL > a.a.Scope.MaxIAL:
			v.reason, v.rank = ReasonIALExceedsAccreditation, rankChain+1
		case e.AAL > a.a.Scope.MaxAAL:
			v.reason, v.rank = ReasonAALExceedsAccreditation, rankChain+1
		default:
			if up, ok := ix.chainOK(a, "", e.ProofedAt, "", 1); ok {
				ans.Authorized = true
				ans.Evidence = evidence(append(v.chain, up...))
				return ans
			}
			v.reason, v.rank = ReasonAccreditorNotAccredited, rankChain
		}
		if v.rank > best.rank {
			best = v
		}
	}
	ans.Reason = best.reason
	ans.Evidence = evidence(best.chain)
	return ans
}

// evidence copies accreditations out of the index for an answer.
func evidence(chain []*accRec) []Accreditation {
	if len(chain) == 0 {
		return nil
	}
	out := make([]Accreditation, len(chain))
	for i, a := range chain {
		out[i] = cloneAccreditation(a.a)
	}
	return out
}

func cloneEntity(e Entity) Entity {
	e.Kinds = slices.Clone(e.Kinds)
	e.Identifiers = slices.Clone(e.Identifiers)
	e.History = slices.Clone(e.History)
	if e.Foreign != nil {
		f := *e.Foreign
		e.Foreign = &f
	}
	return e
}

func cloneAccreditation(a Accreditation) Accreditation {
	a.Scope.CredentialTypes = slices.Clone(a.Scope.CredentialTypes)
	a.Scope.Domains = slices.Clone(a.Scope.Domains)
	a.History = slices.Clone(a.History)
	if a.Foreign != nil {
		f := *a.Foreign
		a.Foreign = &f
	}
	return a
}
