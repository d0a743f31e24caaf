package registry

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// ListSource is a foreign trust list source this registry imports from.
type ListSource struct {
	// ID names the source (an entity id slug, e.g. "sg"): the foreign
	// scheme operator becomes entity ID, its entities ID:<their id>.
	ID string
	// Key is the foreign scheme operator's public key, pinned out of
	// band. JSON lists must verify with it.
	Key crypto.PublicKey
}

// ImportOptions configure an import.
type ImportOptions struct {
	Source ListSource
	// Types are the credential types the foreign entities are recognised
	// for. Required. Accreditations in the list are recorded with their
	// scope cut down to these types; entities with nothing left are not
	// recorded at all.
	Types []string
	// Policy: a list past its NextUpdate fails with ErrStale unless
	// Policy.AllowStale.
	Policy ListPolicy
	// ServiceTypes maps ETSI TS 119 612 ServiceTypeIdentifier URIs to
	// credential types, for XML lists whose services do not name
	// credential types the ThaiTrust way (additional service information
	// https://thaitrust.example/credential-types/<type>). Nil: none.
	ServiceTypes map[string][]string
	// UnsafeUnsignedXML lets ImportXML take a 119 612 list whose XAdES
	// signature ThaiTrust cannot check; the caller must have
	// authenticated the file some other way (a pinned digest, a trusted
	// channel). Zero: ImportXML refuses.
	UnsafeUnsignedXML bool
}

// ImportResult reports what an import recorded.
type ImportResult struct {
	Source         string   `json:"source"`
	Sequence       int64    `json:"sequence"`
	Entities       int      `json:"entities"`       // entities written (new or changed)
	Accreditations int      `json:"accreditations"` // accreditations written
	Withdrawn      int      `json:"withdrawn"`      // objects no longer listed, now withdrawn
	Skipped        []string `json:"skipped,omitempty"`
}

// Import verifies a foreign signed JSON trust list (another ThaiTrust
// registry's Export) with the pinned key and records its entities as
// recognised for opts.Types. A list whose sequence number is not above
// the last one imported from the source fails with ErrReplay; a stale one
// with ErrStale (unless allowed).
func (s *Service) Import(ctx context.Context, actor string, data []byte, opts ImportOptions) (ImportResult, error) {
	if opts.Source.Key == nil {
		return ImportResult{}, invalid("import: the source's pinned key is required")
	}
	tl, err := LoadTrustList(data, opts.Source.Key, s.now(), opts.Policy)
	if err != nil {
		return ImportResult{}, err
	}
	return s.importList(ctx, actor, tl.document, opts)
}

const recognitionPrefix = "recognition:"

// importList records a foreign list. Each object is one history event;
// the foreign operator's entity, carrying the list's sequence number, is
// written last, so an import cut short is retried in full, and a replay
// is recognised only once everything was recorded.
func (s *Service) importList(ctx context.Context, actor string, doc *TrustListDocument, opts ImportOptions) (ImportResult, error) {
	src := opts.Source.ID
	res := ImportResult{Source: src, Sequence: doc.SchemeInformation.SequenceNumber}
	if err := checkActor(actor); err != nil {
		return res, err
	}
	if !ValidID(src) || strings.Contains(src, ":") {
		return res, invalid("import: source id %q must be a slug without ':'", src)
	}
	if len(opts.Types) == 0 {
		return res, invalid("import: state the credential types the list is recognised for")
	}
	if src == s.cfg.Root {
		return res, invalid("import: source id %q is this registry's root", src)
	}
	si := doc.SchemeInformation
	if nu := si.NextUpdate; !nu.IsZero() && s.now().After(nu) && !opts.Policy.AllowStale {
		return res, fmt.Errorf("%w: next update was due %s", ErrStale, nu.Format(time.RFC3339))
	}
	if _, ok := s.Entity(s.cfg.Root); !ok {
		return res, fmt.Errorf("registry: import: the root %s is not registered", s.cfg.Root)
	}
	op, exists := s.Entity(src)
	switch {
	case exists && (op.Foreign == nil || op.Foreign.List != src):
		return res, fmt.Errorf("registry: import: entity %s exists and is not this source's operator: %w", src, ErrExists)
	case exists && si.SequenceNumber <= op.Foreign.Sequence:
		return res, fmt.Errorf("%w: list %s #%d, already imported #%d", ErrReplay, src, si.SequenceNumber, op.Foreign.Sequence)
	}
	ref := fmt.Sprintf("import %s #%d", src, si.SequenceNumber)
	mapID := func(id string) string {
		if id == si.SchemeOperatorID {
			return src
		}
		return src + ":" + id
	}
	listed := map[string]bool{}

	// The operator, first as it was (or new, with sequence 0), so that
	// the recognition can name it; its sequence is written at the end.
	var opListed ListedEntity
	for _, le := range doc.Entities {
		if le.Entity.ID == si.SchemeOperatorID {
			opListed = le
		}
	}
	opEntity := Entity{ID: src, Kinds: []Kind{KindSchemeOperator}, Name: si.SchemeOperatorName, Jurisdiction: si.SchemeTerritory,
		Identifiers: s.freeIdentifiers(opListed.Entity.Identifiers, src, &res), Foreign: &Foreign{List: src, ID: si.SchemeOperatorID}}
	if exists {
		opEntity.Foreign.Sequence = op.Foreign.Sequence
	}
	if !jurisdictionRE.MatchString(opEntity.Jurisdiction) {
		opEntity.Jurisdiction = opListed.Entity.Jurisdiction
	}
	if opEntity.Name == (Text{}) {
		opEntity.Name = opListed.Entity.Name
	}
	if err := s.upsertEntity(ctx, actor, ref, opEntity, &res); err != nil {
		return res, err
	}

	// The recognition: the root accredits the foreign operator as an
	// accreditor for the stated types.
	if err := s.recognise(ctx, actor, ref, src, opEntity.Jurisdiction, doc, opts.Types, &res); err != nil {
		return res, err
	}
	listed[objectAccreditation+"/"+recognitionPrefix+src] = true

	for _, le := range doc.Entities {
		if le.Entity.ID == si.SchemeOperatorID {
			continue
		}
		var accs []Accreditation
		for _, a := range le.Accreditations {
			if a.Role == RoleIdentityProvider {
				continue
			}
			types := slices.DeleteFunc(slices.Clone(a.Scope.CredentialTypes), func(t string) bool { return !slices.Contains(opts.Types, t) })
			if len(types) == 0 {
				continue
			}
			na := Accreditation{
				ID: src + ":" + a.ID, Subject: mapID(a.Subject), Accreditor: mapID(a.Accreditor), Role: a.Role,
				Scope: Scope{CredentialTypes: types, Domains: slices.Clone(a.Scope.Domains)}, Jurisdiction: a.Jurisdiction,
				ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil, Credential: a.Credential,
				Foreign: &Foreign{List: src, ID: a.ID, Sequence: si.SequenceNumber, NextUpdate: si.NextUpdate},
			}
			if a.Parent != "" {
				na.Parent = src + ":" + a.Parent
			}
			na.History = foreignHistory(a.History, na.ValidFrom)
			if err := na.validate(); err != nil {
				res.Skipped = append(res.Skipped, fmt.Sprintf("accreditation %s: %v", a.ID, err))
				continue
			}
			accs = append(accs, na)
		}
		if len(accs) == 0 {
			continue // not recognised for any stated type
		}
		e := Entity{ID: mapID(le.Entity.ID), Kinds: slices.Clone(le.Entity.Kinds), Name: le.Entity.Name, Jurisdiction: le.Entity.Jurisdiction,
			Contact: le.Entity.Contact, Identifiers: s.freeIdentifiers(le.Entity.Identifiers, src, &res),
			History: foreignHistory(le.Entity.History, time.Time{}),
			Foreign: &Foreign{List: src, ID: le.Entity.ID, Sequence: si.SequenceNumber, NextUpdate: si.NextUpdate}}
		if err := e.validate(); err != nil {
			res.Skipped = append(res.Skipped, fmt.Sprintf("entity %s: %v", le.Entity.ID, err))
			continue
		}
		if err := s.upsertEntity(ctx, actor, ref, e, &res); err != nil {
			if errors.Is(err, ErrExists) || errors.Is(err, ErrInvalid) {
				res.Skipped = append(res.Skipped, fmt.Sprintf("entity %s: %v", le.Entity.ID, err))
				continue
			}
			return res, err
		}
		listed[objectEntity+"/"+e.ID] = true
		for _, a := range accs {
			if err := s.upsertAccreditation(ctx, actor, ref, a, &res); err != nil {
				if errors.Is(err, ErrExists) || errors.Is(err, ErrInvalid) {
					res.Skipped = append(res.Skipped, fmt.Sprintf("accreditation %s: %v", a.Foreign.ID, err))
					continue
				}
				return res, err
			}
			listed[objectAccreditation+"/"+a.ID] = true
		}
	}

	// Whatever this source listed before and lists no more is withdrawn.
	if err := s.withdrawUnlisted(ctx, actor, ref, src, listed, &res); err != nil {
		return res, err
	}

	opEntity.Foreign.Sequence, opEntity.Foreign.NextUpdate = si.SequenceNumber, si.NextUpdate
	if err := s.upsertEntity(ctx, actor, ref, opEntity, &res); err != nil {
		return res, err
	}
	return res, nil
}

// foreignHistory keeps a listed status history's statuses and times.
func foreignHistory(h []StatusChange, validFrom time.Time) []StatusChange {
	var out []StatusChange
	for _, c := range h {
		if c.Status != StatusActive && c.Status != StatusSuspended && c.Status != StatusWithdrawn {
			continue
		}
		out = append(out, StatusChange{Status: c.Status, Reason: c.Reason, EffectiveFrom: c.EffectiveFrom.UTC(), RecordedAt: c.RecordedAt.UTC()})
	}
	if len(out) == 0 {
		out = []StatusChange{{Status: StatusActive, EffectiveFrom: validFrom.UTC(), RecordedAt: validFrom.UTC()}}
	}
	return out
}

// freeIdentifiers drops identifiers another source's (or a domestic)
// entity holds: a foreign list never takes over an identifier.
func (s *Service) freeIdentifiers(ids []Identifier, src string, res *ImportResult) []Identifier {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Identifier
	for _, id := range ids {
		if o, ok := s.ix.byIdent[id]; ok && (o.e.Foreign == nil || o.e.Foreign.List != src) {
			res.Skipped = append(res.Skipped, fmt.Sprintf("identifier %s: held by entity %s", id.Value, o.e.ID))
			continue
		}
		out = append(out, id)
	}
	return out
}

// sameExceptBookkeeping compares two versions ignoring Version, Seq and
// record times, so an unchanged object is not rewritten.
func sameEntity(a, b Entity) bool {
	a.Version, b.Version = 0, 0
	a.History, b.History = normHistory(a.History), normHistory(b.History)
	// The operator's entity carries the list's sequence number (replay
	// protection): there it counts.
	if a.Foreign != nil && b.Foreign != nil && a.ID != a.Foreign.List {
		fa, fb := *a.Foreign, *b.Foreign
		a.Foreign, b.Foreign = &fa, &fb
		fa.Sequence, fb.Sequence, fa.NextUpdate, fb.NextUpdate = 0, 0, time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(a, b)
}

func sameAccreditation(a, b Accreditation) bool {
	a.Version, b.Version = 0, 0
	a.History, b.History = normHistory(a.History), normHistory(b.History)
	if a.Foreign != nil && b.Foreign != nil {
		fa, fb := *a.Foreign, *b.Foreign
		a.Foreign, b.Foreign = &fa, &fb
		fa.Sequence, fb.Sequence, fa.NextUpdate, fb.NextUpdate = 0, 0, time.Time{}, time.Time{}
	}
	return reflect.DeepEqual(a, b)
}

func normHistory(h []StatusChange) []StatusChange {
	out := make([]StatusChange, len(h))
	for i, c := range h {
		out[i] = StatusChange{Status: c.Status, Reason: c.Reason, EffectiveFrom: c.EffectiveFrom.UTC()}
	}
	return out
}

// statusNow sets an object's Status from its history at `at`.
func statusNow(h []StatusChange, at time.Time) (Status, string) {
	p, ok := statusAt(timeline(h), at)
	if !ok {
		return StatusActive, ""
	}
	return p.status, p.reason
}

func (s *Service) upsertEntity(ctx context.Context, actor, reason string, e Entity, res *ImportResult) error {
	_, err := s.commit(ctx, change{actor: actor, action: ActionEntityImport, reason: reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			old, ok := s.Entity(e.ID)
			if ok && (old.Foreign == nil || old.Foreign.List != e.Foreign.List) {
				return "", nil, fmt.Errorf("registry: entity %s belongs to another source: %w", e.ID, ErrExists)
			}
			if !ok {
				if err := s.checkNew(e); err != nil {
					return "", nil, err
				}
			}
			n := cloneEntity(e)
			if len(n.History) == 0 {
				n.History = []StatusChange{{Status: StatusActive, Reason: reason, EffectiveFrom: at, RecordedAt: at}}
				if ok {
					n.History = old.History
				}
			}
			for i := range n.History {
				if n.History[i].Seq == 0 {
					n.History[i].Seq = seq
				}
			}
			n.Status, n.StatusReason = statusNow(n.History, at)
			n.Version = seq
			if ok && sameEntity(old, n) {
				return "", nil, errUnchanged
			}
			return n.ID, n, nil
		}})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err == nil {
		res.Entities++
	}
	return err
}

// errUnchanged aborts a commit that would write nothing new.
var errUnchanged = errors.New("registry: unchanged")

func (s *Service) upsertAccreditation(ctx context.Context, actor, reason string, a Accreditation, res *ImportResult) error {
	_, err := s.commit(ctx, change{actor: actor, action: ActionAccreditationImport, reason: reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			old, ok := s.Accreditation(a.ID)
			if ok && (old.Foreign == nil || a.Foreign == nil || old.Foreign.List != a.Foreign.List) {
				return "", nil, fmt.Errorf("registry: accreditation %s belongs to another source: %w", a.ID, ErrExists)
			}
			if _, found := s.Entity(a.Subject); !found {
				return "", nil, fmt.Errorf("registry: accreditation %s: subject %s: %w", a.ID, a.Subject, ErrNotFound)
			}
			n := cloneAccreditation(a)
			for i := range n.History {
				if n.History[i].Seq == 0 {
					n.History[i].Seq = seq
				}
			}
			n.Status, n.StatusReason = statusNow(n.History, at)
			n.Version = seq
			if ok && sameAccreditation(old, n) {
				return "", nil, errUnchanged
			}
			return n.ID, n, nil
		}})
	if errors.Is(err, errUnchanged) {
		return nil
	}
	if err == nil {
		res.Accreditations++
	}
	return err
}

// recognise records (or keeps) the root's accreditation of the foreign
// operator for the stated types. Changing the types withdraws the old
// recognition and grants a new one under the same id's successor.
func (s *Service) recognise(ctx context.Context, actor, reason, src, jurisdiction string, doc *TrustListDocument, types []string, res *ImportResult) error {
	id := recognitionPrefix + src
	from := doc.SchemeInformation.ListIssueDateTime
	for _, le := range doc.Entities {
		for _, a := range le.Accreditations {
			if !a.ValidFrom.IsZero() && a.ValidFrom.Before(from) {
				from = a.ValidFrom
			}
		}
	}
	want := Accreditation{ID: id, Subject: src, Accreditor: s.cfg.Root, Role: RoleAccreditor, Jurisdiction: jurisdiction,
		Scope: Scope{CredentialTypes: slices.Sorted(slices.Values(types))}, ValidFrom: from.UTC().Truncate(time.Second),
		History: []StatusChange{{Status: StatusActive, Reason: reason, EffectiveFrom: from.UTC().Truncate(time.Second)}},
		Foreign: &Foreign{List: src, ID: doc.SchemeInformation.SchemeOperatorID}}
	if err := want.validate(); err != nil {
		return err
	}
	old, ok := s.Accreditation(id)
	if ok {
		if slices.Equal(old.Scope.CredentialTypes, want.Scope.CredentialTypes) && old.Status != StatusWithdrawn {
			return nil // recognised as before; its history stands
		}
		// The scope of an accreditation never changes: a recognition for
		// other types is a new grant from now on.
		if old.Status != StatusWithdrawn {
			if _, err := s.SetAccreditationStatus(ctx, actor, id, StatusRequest{Status: StatusWithdrawn, Reason: "recognised types changed: " + reason}); err != nil {
				return err
			}
		}
		return s.regrant(ctx, actor, reason, want, res)
	}
	return s.upsertAccreditation(ctx, actor, reason, want, res)
}

// regrant replaces a withdrawn recognition's record by a new grant, from
// now, keeping the old one's history in the history log.
func (s *Service) regrant(ctx context.Context, actor, reason string, a Accreditation, res *ImportResult) error {
	_, err := s.commit(ctx, change{actor: actor, action: ActionAccreditationImport, reason: reason,
		build: func(seq int64, at time.Time) (string, any, error) {
			old, _ := s.Accreditation(a.ID)
			n := cloneAccreditation(a)
			n.History = append(old.History, StatusChange{Status: StatusActive, Reason: reason, EffectiveFrom: at, RecordedAt: at, Seq: seq})
			n.Status, n.StatusReason = statusNow(n.History, at)
			n.Version = seq
			return n.ID, n, nil
		}})
	if err == nil {
		res.Accreditations++
	}
	return err
}

// withdrawUnlisted withdraws this source's objects the new list no longer
// has.
func (s *Service) withdrawUnlisted(ctx context.Context, actor, reason, src string, listed map[string]bool, res *ImportResult) error {
	var ents, accs []string
	s.mu.RLock()
	for id, r := range s.ix.entities {
		if r.e.Foreign != nil && r.e.Foreign.List == src && id != src && !listed[objectEntity+"/"+id] && r.e.Status != StatusWithdrawn {
			ents = append(ents, id)
		}
	}
	for id, r := range s.ix.accs {
		if r.a.Foreign != nil && r.a.Foreign.List == src && !listed[objectAccreditation+"/"+id] && r.a.Status != StatusWithdrawn {
			accs = append(accs, id)
		}
	}
	s.mu.RUnlock()
	slices.Sort(ents)
	slices.Sort(accs)
	req := StatusRequest{Status: StatusWithdrawn, Reason: "no longer listed: " + reason}
	for _, id := range accs {
		if _, err := s.SetAccreditationStatus(ctx, actor, id, req); err != nil && !errors.Is(err, ErrWithdrawn) {
			return err
		}
		res.Withdrawn++
	}
	for _, id := range ents {
		if _, err := s.SetEntityStatus(ctx, actor, id, req); err != nil && !errors.Is(err, ErrWithdrawn) {
			return err
		}
		res.Withdrawn++
	}
	return nil
}
