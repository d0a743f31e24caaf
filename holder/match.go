package holder

import (
	"hash/maphash"
	"slices"
	"time"
)

// Match is the wallet's answer to a DCQL query, before consent: for each
// credential query, the credentials that satisfy it and the claims each
// would disclose.
type Match struct {
	// Queries has one entry per credential query, in query order.
	Queries []QueryMatch `json:"queries"`
	// Answer lists the credential queries the wallet would answer: all of
	// them without credential_sets; with credential_sets, the queries of
	// the first satisfiable option of each required set.
	Answer []string `json:"answer"`
	// Optional lists the queries of the first satisfiable option of each
	// optional credential set (not in Answer); the holder may add them.
	Optional []string `json:"optional,omitempty"`
	// Missing lists the queries that keep the request from being
	// satisfied (empty when it is).
	Missing []string `json:"missing,omitempty"`
}

// Satisfied reports whether the wallet can answer every required query.
func (m *Match) Satisfied() bool { return len(m.Missing) == 0 }

// Query returns the match of the credential query id.
func (m *Match) Query(id string) *QueryMatch {
	for i := range m.Queries {
		if m.Queries[i].ID == id {
			return &m.Queries[i]
		}
	}
	return nil
}

// QueryMatch lists the candidates for one credential query, the most
// recently received first. Of the copies of a batch, only the one
// presented least often is a candidate.
type QueryMatch struct {
	ID         string      `json:"id"`
	Format     string      `json:"format"`
	Candidates []Candidate `json:"candidates"`
}

// Candidate is a credential that satisfies a credential query, and the
// claims of the query it would disclose (the first satisfiable claim set,
// or every claim; none when the query names no claims).
type Candidate struct {
	CredentialID string      `json:"credential_id"`
	Card         string      `json:"card"`
	Claims       []ClaimPath `json:"claims"`
}

type compiledClaim struct {
	id     string
	path   ClaimPath
	pathID int32 // -1: no credential has this path
	hashes []uint64
}

// Match finds, for each credential query of q, the credentials that
// satisfy it (format, type, claims present and, where the query lists
// values, of one of those values), working on the in-memory index only.
// Expired credentials are not candidates.
func (w *Wallet) Match(q *Query) *Match {
	w.mu.RLock()
	defer w.mu.RUnlock()
	now := w.now().Add(-w.skew)
	m := &Match{Queries: make([]QueryMatch, len(q.Credentials))}
	for i := range q.Credentials {
		m.Queries[i] = w.matchQuery(&q.Credentials[i], now)
	}
	has := func(id string) bool {
		qm := m.Query(id)
		return qm != nil && len(qm.Candidates) > 0
	}
	if q.CredentialSets == nil {
		for _, cq := range q.Credentials {
			m.Answer = append(m.Answer, cq.ID)
			if !has(cq.ID) {
				m.Missing = append(m.Missing, cq.ID)
			}
		}
		return m
	}
	add := func(l []string, ids []string) []string {
		for _, id := range ids {
			if !slices.Contains(l, id) {
				l = append(l, id)
			}
		}
		return l
	}
	for _, set := range q.CredentialSets {
		var chosen []string
		for _, opt := range set.Options {
			ok := true
			for _, id := range opt {
				ok = ok && has(id)
			}
			if ok {
				chosen = opt
				break
			}
		}
		switch {
		case chosen != nil && set.Required:
			m.Answer = add(m.Answer, chosen)
		case chosen != nil:
			m.Optional = add(m.Optional, chosen)
		case set.Required:
			for _, id := range set.Options[0] {
				if !has(id) {
					m.Missing = add(m.Missing, []string{id})
				}
			}
		}
	}
	var opt []string
	for _, id := range m.Optional {
		if !slices.Contains(m.Answer, id) {
			opt = append(opt, id)
		}
	}
	m.Optional = opt
	return m
}

func (w *Wallet) matchQuery(cq *CredentialQuery, now time.Time) QueryMatch {
	qm := QueryMatch{ID: cq.ID, Format: cq.Format, Candidates: []Candidate{}}
	ix := w.idx
	claims := make([]compiledClaim, len(cq.Claims))
	for i, c := range cq.Claims {
		cc := compiledClaim{id: c.ID, path: c.Path, pathID: -1}
		if id, ok := ix.paths[pathKey(c.Path)]; ok {
			cc.pathID = id
		}
		for _, v := range c.Values {
			if s, ok := canonicalValue(v); ok {
				cc.hashes = append(cc.hashes, maphash.String(ix.seed, s))
			}
		}
		claims[i] = cc
	}
	var sets [][]int
	if cq.ClaimSets != nil {
		for _, s := range cq.ClaimSets {
			idx := make([]int, 0, len(s))
			for _, id := range s {
				for i := range claims {
					if claims[i].id == id {
						idx = append(idx, i)
					}
				}
			}
			sets = append(sets, idx)
		}
	} else if len(claims) > 0 {
		all := make([]int, len(claims))
		for i := range all {
			all[i] = i
		}
		sets = [][]int{all}
	}

	// The claims each claim set discloses, shared by every candidate that
	// satisfies it (read-only).
	setPaths := make([][]ClaimPath, len(sets))
	for i, set := range sets {
		setPaths[i] = make([]ClaimPath, len(set))
		for j, ci := range set {
			setPaths[i][j] = claims[ci].path
		}
	}
	type hit struct {
		e   *entry
		set int // index into sets, -1 for none
	}
	hits := make([]hit, 0, 64)
	var batchPos map[string]int // batch id -> position in hits
	consider := func(e *entry) {
		if !e.validUntil.IsZero() && !now.Before(e.validUntil) {
			return
		}
		chosen := -1
		if sets != nil {
			for i, s := range sets {
				if e.hasAll(claims, s) {
					chosen = i
					break
				}
			}
			if chosen < 0 {
				return
			}
		}
		if e.batch != "" {
			// One candidate per batch: the copy presented least.
			if batchPos == nil {
				batchPos = map[string]int{}
			}
			if i, ok := batchPos[e.batch]; ok {
				old := hits[i].e
				if e.uses < old.uses || e.uses == old.uses && e.id < old.id {
					hits[i] = hit{e, chosen}
				}
				return
			}
			batchPos[e.batch] = len(hits)
		}
		hits = append(hits, hit{e, chosen})
	}
	// A credential is considered once even if several vct values or type
	// alternatives select it.
	var seen map[*entry]bool
	once := func(e *entry) bool {
		if seen == nil {
			return true
		}
		if seen[e] {
			return false
		}
		seen[e] = true
		return true
	}
	// walk considers a list newest first.
	walk := func(l []*entry, ok func(*entry) bool) {
		for i := len(l) - 1; i >= 0; i-- {
			if e := l[i]; ok(e) && once(e) {
				consider(e)
			}
		}
	}
	all := func(*entry) bool { return true }
	lists := 0
	switch cq.Format {
	case FormatSDJWT:
		if cq.VCTValues == nil {
			walk(ix.byType[FormatSDJWT], all)
			lists = 1
			break
		}
		if len(cq.VCTValues) > 1 {
			seen = map[*entry]bool{}
		}
		for _, v := range cq.VCTValues {
			walk(ix.byType[FormatSDJWT+"\x00"+v], all)
		}
		lists = len(cq.VCTValues)
	case FormatJWTVC:
		if cq.TypeValues == nil {
			walk(ix.byType[FormatJWTVC], all)
			lists = 1
			break
		}
		if len(cq.TypeValues) > 1 {
			seen = map[*entry]bool{}
		}
		for _, alt := range cq.TypeValues {
			terms := make([]string, len(alt))
			var bucket []*entry
			for i, t := range alt {
				terms[i] = typeTerm(t)
				// Walk the rarest type's list ("VerifiableCredential" is
				// every credential's).
				if l := ix.byType[FormatJWTVC+"\x00"+terms[i]]; i == 0 || len(l) < len(bucket) {
					bucket = l
				}
			}
			walk(bucket, func(e *entry) bool { return e.hasTerms(terms) })
		}
		lists = len(cq.TypeValues)
	}
	if lists > 1 {
		slices.SortFunc(hits, func(a, b hit) int { return entryOrder(b.e, a.e) })
	}
	qm.Candidates = make([]Candidate, len(hits))
	for i, h := range hits {
		c := Candidate{CredentialID: h.e.id, Card: h.e.cardID(), Claims: []ClaimPath{}}
		if h.set >= 0 {
			c.Claims = setPaths[h.set]
		}
		qm.Candidates[i] = c
	}
	return qm
}

func (e *entry) hasAll(claims []compiledClaim, set []int) bool {
	for _, ci := range set {
		c := &claims[ci]
		if c.pathID < 0 {
			return false
		}
		pos := e.find(c.pathID)
		if pos < 0 {
			return false
		}
		if c.hashes != nil && !anyIn(e.vals[pos], c.hashes) {
			return false
		}
	}
	return true
}

func anyIn(have, want []uint64) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

func (e *entry) hasTerms(want []string) bool {
	for _, t := range want {
		if !slices.Contains(e.terms, t) {
			return false
		}
	}
	return true
}
