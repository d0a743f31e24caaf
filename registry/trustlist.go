package registry

import (
	"bytes"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
)

// Trust list media types and identifiers.
const (
	// TypTrustList is the JWS typ of a signed JSON trust list.
	TypTrustList = "trustlist+jwt"
	// MediaTypeTrustList is what GET /registry/trustlist.jwt serves.
	MediaTypeTrustList = "application/jwt"
	// ListType identifies ThaiTrust JSON trust lists (LoTEType).
	ListType = "https://thaitrust.example/trustlist/v1"
	// maxTrustList bounds what LoadTrustList and Import accept.
	maxTrustList = 512 << 20
)

// SchemeInformation is the list-and-scheme information of a trust list,
// modelled on ETSI TS 119 602 (ListAndSchemeInformation).
type SchemeInformation struct {
	VersionIdentifier int    `json:"LoTEVersionIdentifier"`
	SequenceNumber    int64  `json:"LoTESequenceNumber"`
	ListType          string `json:"LoTEType"`
	// SchemeOperatorName is the operator's name in Thai and English.
	SchemeOperatorName Text `json:"SchemeOperatorName"`
	// SchemeOperatorID is the operator's entity id in TrustedEntitiesList:
	// the root of every chain in the list.
	SchemeOperatorID  string    `json:"SchemeOperatorID"`
	SchemeTerritory   string    `json:"SchemeTerritory"`
	ListIssueDateTime time.Time `json:"ListIssueDateTime"`
	NextUpdate        time.Time `json:"NextUpdate"`
}

// ListedEntity is one trusted entity of a list: the entity with its
// status history, its public keys (from its DIDs' assertion methods, kid
// set to the verification method's DID URL) and its accreditations with
// their status histories.
type ListedEntity struct {
	Entity         Entity          `json:"TrustedEntityInformation"`
	PublicKeys     []signing.JWK   `json:"PublicKeys,omitempty"`
	Accreditations []Accreditation `json:"Accreditations,omitempty"`
}

// TrustListDocument is the payload of a signed JSON trust list.
type TrustListDocument struct {
	SchemeInformation SchemeInformation `json:"ListAndSchemeInformation"`
	Entities          []ListedEntity    `json:"TrustedEntitiesList"`
}

// DocumentResolver resolves DIDs to documents; *did.Resolver implements
// it. Export uses it to list entities' public keys.
type DocumentResolver interface {
	Resolve(ctx context.Context, did string) (*did.Document, error)
}

var _ DocumentResolver = (*did.Resolver)(nil)

// ExportOptions configure Export.
type ExportOptions struct {
	// NextUpdate is the list's NextUpdate. Required: verifiers treat the
	// list as stale after it.
	NextUpdate time.Time
	// Sequence is the list's sequence number; zero means the Seq of the
	// last history event, which grows with every change and stays put
	// when nothing changed.
	Sequence int64
	// Keys resolves entities' DIDs to list their public keys. Nil: no
	// keys are listed (a verifier then needs another way to get them).
	Keys DocumentResolver
	// Credentials includes each accreditation's signed credential, so a
	// verifier can validate chains offline (ValidateChain). Zero keeps
	// the list compact.
	Credentials bool
}

// records returns the published records of the domestic entities, in id
// order, and the root's. Records never change once published, so the
// caller may read them without the lock.
func (s *Service) records() (recs []*entityRec, root *entityRec) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	recs = make([]*entityRec, 0, len(s.ix.ids))
	for _, id := range s.ix.ids {
		if r := s.ix.entities[id]; r.e.Foreign == nil { // others' lists are not republished
			recs = append(recs, r)
		}
	}
	return recs, s.ix.entities[s.ix.root]
}

// listed is the list form of an entity record: its domestic
// accreditations, without the history bookkeeping (RecordedAt, Seq,
// Version).
func listed(r *entityRec, credentials bool) ListedEntity {
	le := ListedEntity{Entity: cloneEntity(r.e)}
	le.Entity.Version = 0
	le.Entity.History = listHistory(le.Entity.History)
	for _, a := range r.accs {
		if a.a.Foreign != nil {
			continue
		}
		ac := cloneAccreditation(a.a)
		ac.Version = 0
		ac.History = listHistory(ac.History)
		if !credentials {
			ac.Credential = ""
		}
		le.Accreditations = append(le.Accreditations, ac)
	}
	return le
}

func listHistory(h []StatusChange) []StatusChange {
	for i := range h {
		h[i].RecordedAt, h[i].Seq = time.Time{}, 0
	}
	return h
}

func (s *Service) schemeInformation(root *entityRec, opts ExportOptions) (SchemeInformation, error) {
	if opts.NextUpdate.IsZero() {
		return SchemeInformation{}, errors.New("registry: ExportOptions.NextUpdate is required")
	}
	if root == nil {
		return SchemeInformation{}, fmt.Errorf("registry: the root %s is not registered", s.cfg.Root)
	}
	si := SchemeInformation{
		VersionIdentifier: 1, SequenceNumber: opts.Sequence, ListType: ListType,
		SchemeOperatorName: root.e.Name, SchemeOperatorID: root.e.ID, SchemeTerritory: root.e.Jurisdiction,
		ListIssueDateTime: s.now().Truncate(time.Second), NextUpdate: opts.NextUpdate.UTC().Truncate(time.Second),
	}
	if si.SequenceNumber == 0 {
		si.SequenceNumber = s.Head().Seq
	}
	return si, nil
}

// Snapshot returns the registry as a trust list document (unsigned).
// It fails if an entity's DID cannot be resolved with opts.Keys: a list
// without an issuer's keys would make verifiers reject its credentials
// for the wrong reason.
func (s *Service) Snapshot(ctx context.Context, opts ExportOptions) (*TrustListDocument, error) {
	recs, root := s.records()
	si, err := s.schemeInformation(root, opts)
	if err != nil {
		return nil, err
	}
	doc := &TrustListDocument{SchemeInformation: si, Entities: make([]ListedEntity, len(recs))}
	for i, r := range recs {
		if i%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		doc.Entities[i] = listed(r, opts.Credentials)
		if opts.Keys != nil {
			if doc.Entities[i].PublicKeys, err = s.entityKeys(ctx, opts.Keys, r); err != nil {
				return nil, err
			}
		}
	}
	return doc, nil
}

// keysTTL is how long Export reuses an entity's resolved keys.
const keysTTL = 5 * time.Minute

type keyEntry struct {
	keys []signing.JWK
	at   time.Time
}

// entityKeys resolves the assertion keys of an entity's DIDs, reusing
// what was resolved within keysTTL.
func (s *Service) entityKeys(ctx context.Context, r DocumentResolver, e *entityRec) ([]signing.JWK, error) {
	var out []signing.JWK
	now := s.now()
	for _, d := range e.e.DIDs() {
		s.keyMu.Lock()
		k, ok := s.keyCache[d]
		s.keyMu.Unlock()
		if !ok || now.Sub(k.at) >= keysTTL || now.Before(k.at) {
			keys, err := assertionKeys(ctx, r, d)
			if err != nil {
				return nil, fmt.Errorf("registry: keys of entity %s: %w", e.e.ID, err)
			}
			k = keyEntry{keys: keys, at: now}
			s.keyMu.Lock()
			if s.keyCache == nil {
				s.keyCache = map[string]keyEntry{}
			}
			s.keyCache[d] = k
			s.keyMu.Unlock()
		}
		out = append(out, k.keys...)
	}
	return out, nil
}

// fragment is an entity's encoded ListedEntity, reused by later exports
// while its record (which changes with the entity and its
// accreditations) and its keys stay the same. data is the base64url of
// the entity's JSON, spaces, and a comma, padded to a multiple of three
// bytes, so that fragments concatenate into the base64url of the whole
// payload (see Export). It is a slice of the list it was written in:
// fragments are not kept anywhere else.
type fragment struct {
	rec         *entityRec
	credentials bool
	keysAt      time.Time // zero: encoded without keys
	data        []byte
	size        int           // len(data), or, while planned, the size to write
	keys        []signing.JWK // while planned: the keys to list
}

// Export signs the registry as a JSON trust list: a compact JWS (typ
// trustlist+jwt) by the scheme operator's key, whose payload is the
// TrustListDocument. signer.KeyID should be a DID URL of the root.
// ExportTo writes the same to a writer without holding it as a string.
//
// The token is written in fresh memory that becomes the string without a
// further copy.
func (s *Service) Export(ctx context.Context, signer jose.Signer, opts ExportOptions) (string, error) {
	s.exportMu.Lock()
	defer s.exportMu.Unlock()
	buf, err := s.signedList(ctx, signer, opts, func(n int) []byte { return make([]byte, 0, n) })
	if err != nil {
		return "", err
	}
	s.exportCur = -1 // the cache points into the string
	// buf is never written again: it is the string's memory from here on
	// (the kept fragments only read it).
	return unsafe.String(unsafe.SliceData(buf), len(buf)), nil
}

// ExportTo writes the signed JSON trust list (see Export) to w and
// returns the number of bytes written.
//
// Each entity's encoding (base64url included) is kept, with its keys for
// up to five minutes, and reused by the next export while the entity and
// its accreditations do not change. The list is written into one of two
// buffers kept between exports, the one the kept encodings do not point
// into (touching fresh memory costs page faults, seconds for a large list
// on some virtual machines). Re-exporting a large registry after a few
// changes costs about one copy and one pass of the signature's hash over
// the list. The buffers hold about twice the size of one list in memory.
// Exports run one at a time.
func (s *Service) ExportTo(ctx context.Context, w io.Writer, signer jose.Signer, opts ExportOptions) (int64, error) {
	s.exportMu.Lock()
	defer s.exportMu.Unlock()
	k := 0
	if s.exportCur == 0 {
		k = 1
	}
	buf, err := s.signedList(ctx, signer, opts, func(n int) []byte {
		if cap(s.exportBufs[k]) < n {
			s.exportBufs[k] = make([]byte, 0, n+n/8) // room to grow before the next reallocation
		}
		return s.exportBufs[k][:0]
	})
	if err != nil {
		return 0, err
	}
	s.exportCur = k
	if g, ok := w.(interface{ Grow(int) }); ok {
		g.Grow(len(buf))
	}
	m, err := w.Write(buf)
	return int64(m), err
}

// signedList builds the signed list (the compact JWS) in the memory
// buffer(n) returns (capacity at least n, not the memory the kept
// fragments are in) and returns it. The caller holds exportMu.
//
// The entities but the last are written in two parallel passes: the
// first plans, encoding the JSON of every entity not kept from the last
// export (in a buffer each worker reuses) to learn its size; the second
// writes every entity's base64url at its place in the list, copying kept
// ones and encoding the others again. Encoding twice costs less than
// writing fragments to memory of their own first: on a cold export of a
// large registry, fresh memory is mostly page faults.
func (s *Service) signedList(ctx context.Context, signer jose.Signer, opts ExportOptions, buffer func(n int) []byte) ([]byte, error) {
	if signer.Key == nil || signer.KeyID == "" {
		return nil, errors.New("registry: Export needs the scheme operator's signer")
	}
	alg := signer.Algorithm
	if alg == "" {
		var err error
		if alg, err = signing.AlgorithmFor(signer.Key.Public()); err != nil {
			return nil, fmt.Errorf("registry: %w", err)
		}
	}
	if _, err := signing.ParseAlgorithm(string(alg)); err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	recs, root := s.records()
	si, err := s.schemeInformation(root, opts)
	if err != nil {
		return nil, err
	}
	var body []*entityRec // every entity but the last, whose encoding ends the payload
	if len(recs) > 1 {
		body = recs[:len(recs)-1]
	}
	frags, err := s.planEntities(ctx, body, opts)
	if err != nil {
		return nil, err
	}
	// The payload is prefix, every entity's JSON followed by a comma but
	// the last's, and "]}". Each part but the tail is padded with spaces
	// to a multiple of three bytes, so its base64url (kept per entity)
	// concatenates into the payload's.
	siJSON, err := marshalNoEscape(si)
	if err != nil {
		return nil, fmt.Errorf("registry: encode trust list: %w", err)
	}
	prefix := append(append([]byte(`{"ListAndSchemeInformation":`), siJSON...), `,"TrustedEntitiesList":[`...)
	var tail []byte
	if len(recs) > 0 {
		last := recs[len(recs)-1]
		var keys []signing.JWK
		if opts.Keys != nil {
			if keys, err = s.entityKeys(ctx, opts.Keys, last); err != nil {
				return nil, err
			}
		}
		if tail, err = appendListed(nil, last, opts.Credentials, keys); err != nil {
			return nil, fmt.Errorf("registry: encode trust list: %w", err)
		}
		prefix = alignSpaces(prefix)
	}
	tail = append(tail, "]}"...)
	hdr, err := json.Marshal(struct {
		Alg signing.Algorithm `json:"alg"`
		Typ string            `json:"typ"`
		Kid string            `json:"kid"`
	}{alg, TypTrustList, signer.KeyID})
	if err != nil {
		return nil, err
	}
	enc := base64.RawURLEncoding
	head := enc.AppendEncode(nil, hdr)
	head = append(head, '.')
	head = enc.AppendEncode(head, prefix)
	tailB64 := enc.AppendEncode(nil, tail)
	n := len(head) + len(tailB64)
	for i := range frags {
		n += frags[i].size
	}
	buf := buffer(n + 1 + enc.EncodedLen(132))[:n]
	copy(buf, head)
	copy(buf[n-len(tailB64):], tailB64)
	if err := writeEntities(ctx, buf[len(head):n-len(tailB64)], frags); err != nil {
		return nil, err
	}
	sig, err := signing.Sign(signer.Key, alg, buf)
	if err != nil {
		return nil, fmt.Errorf("registry: sign trust list: %w", err)
	}
	fresh := make(map[string]fragment, len(frags))
	for _, f := range frags {
		fresh[f.rec.e.ID] = f
	}
	s.fragMu.Lock()
	s.frags = fresh
	s.fragMu.Unlock()
	buf = append(buf, '.')
	return enc.AppendEncode(buf, sig), nil
}

// planEntities returns a fragment per record: the kept one when it can
// be reused, else one with the size its encoding takes (data nil).
func (s *Service) planEntities(ctx context.Context, recs []*entityRec, opts ExportOptions) ([]fragment, error) {
	now := s.now()
	s.fragMu.Lock()
	cache := s.frags
	s.fragMu.Unlock()
	out := make([]fragment, len(recs))
	err := parallel(ctx, len(recs), func(lo, hi int, scratch *[]byte) error {
		for i := lo; i < hi; i++ {
			r := recs[i]
			if f, ok := cache[r.e.ID]; ok && f.rec == r && f.credentials == opts.Credentials &&
				(opts.Keys == nil) == f.keysAt.IsZero() && (f.keysAt.IsZero() || (now.Sub(f.keysAt) < keysTTL && !now.Before(f.keysAt))) {
				f.size = len(f.data)
				out[i] = f
				continue
			}
			f := fragment{rec: r, credentials: opts.Credentials}
			if opts.Keys != nil {
				keys, err := s.entityKeys(ctx, opts.Keys, r)
				if err != nil {
					return err
				}
				f.keys, f.keysAt = keys, now
			}
			b, err := encodeEntity((*scratch)[:0], r, opts.Credentials, f.keys)
			if err != nil {
				return err
			}
			*scratch = b
			f.size = base64.RawURLEncoding.EncodedLen(len(b))
			out[i] = f
		}
		return nil
	})
	return out, err
}

// writeEntities writes every fragment's base64url into dst, one after
// the other (dst is exactly their total size), and points the fragments
// at what it wrote.
func writeEntities(ctx context.Context, dst []byte, frags []fragment) error {
	offs := make([]int, len(frags)+1)
	for i := range frags {
		offs[i+1] = offs[i] + frags[i].size
	}
	return parallel(ctx, len(frags), func(lo, hi int, scratch *[]byte) error {
		for i := lo; i < hi; i++ {
			f := &frags[i]
			d := dst[offs[i]:offs[i+1]:offs[i+1]]
			if f.data != nil {
				copy(d, f.data)
				f.data = d
				continue
			}
			b, err := encodeEntity((*scratch)[:0], f.rec, f.credentials, f.keys)
			if err != nil {
				return err
			}
			*scratch = b
			if base64.RawURLEncoding.EncodedLen(len(b)) != len(d) {
				return fmt.Errorf("registry: encode trust list: entity %s encoded to another size the second time", f.rec.e.ID)
			}
			base64.RawURLEncoding.Encode(d, b)
			f.data, f.keys = d, nil
		}
		return nil
	})
}

// encodeEntity appends the list JSON of r with keys, padded and with its
// comma (see fragment), to b.
func encodeEntity(b []byte, r *entityRec, credentials bool, keys []signing.JWK) ([]byte, error) {
	b, err := appendListed(b, r, credentials, keys)
	if err != nil {
		return nil, fmt.Errorf("registry: encode trust list: %w", err)
	}
	return alignComma(b), nil
}

// parallel runs fn over [0, n) in blocks, on as many goroutines as
// GOMAXPROCS, each with a scratch buffer of its own, and returns the
// first error (or ctx's).
func parallel(ctx context.Context, n int, fn func(lo, hi int, scratch *[]byte) error) error {
	const block = 256
	var (
		next    atomic.Int64
		wg      sync.WaitGroup
		errOnce sync.Once
		failed  error
	)
	for range min(max(1, runtime.GOMAXPROCS(0)), (n+block-1)/block) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var scratch []byte
			for {
				lo := int(next.Add(block)) - block
				if lo >= n || ctx.Err() != nil {
					return
				}
				if err := fn(lo, min(lo+block, n), &scratch); err != nil {
					errOnce.Do(func() { failed = err })
					next.Store(int64(n))
					return
				}
			}
		}()
	}
	wg.Wait()
	if failed != nil {
		return failed
	}
	return ctx.Err()
}

// alignSpaces pads b with spaces to a multiple of three bytes.
func alignSpaces(b []byte) []byte {
	for len(b)%3 != 0 {
		b = append(b, ' ')
	}
	return b
}

// alignComma appends spaces and a comma so the length is a multiple of
// three bytes.
func alignComma(b []byte) []byte {
	for (len(b)+1)%3 != 0 {
		b = append(b, ' ')
	}
	return append(b, ',')
}

func marshalNoEscape(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// ListPolicy says how to treat a trust list's age.
type ListPolicy struct {
	// AllowStale accepts a list past its NextUpdate. Zero: such a list is
	// rejected with ErrStale (a verifier must fetch a fresh one).
	AllowStale bool
}

// TrustList is a loaded, verified JSON trust list: an offline registry.
// It implements verifier.IssuerTrust and jose.KeyResolver (from the
// listed public keys), so a verifier with no network can verify
// credentials of listed issuers. It never changes after loading and is
// safe for concurrent use.
type TrustList struct {
	Info     SchemeInformation
	ix       *index
	keys     map[string]crypto.PublicKey // kid (DID URL) -> key
	document *TrustListDocument
}

var (
	_ verifier.IssuerTrust = (*TrustList)(nil)
	_ jose.KeyResolver     = (*TrustList)(nil)
)

// ParseTrustList decodes a signed JSON trust list without verifying
// anything: for tools that show a list. Use LoadTrustList to trust one.
func ParseTrustList(data []byte) (*jws.Parsed, *TrustListDocument, error) {
	if len(data) > maxTrustList {
		return nil, nil, fmt.Errorf("registry: trust list larger than %d bytes", maxTrustList)
	}
	p, err := jws.Parse(string(bytes.TrimSpace(data)))
	if err != nil {
		return nil, nil, fmt.Errorf("registry: trust list: %w", err)
	}
	if !strings.EqualFold(strings.TrimPrefix(p.Header.Typ, "application/"), TypTrustList) {
		return nil, nil, fmt.Errorf("registry: trust list: typ %q, want %s", p.Header.Typ, TypTrustList)
	}
	var doc TrustListDocument
	dec := json.NewDecoder(bytes.NewReader(p.Payload))
	if err := dec.Decode(&doc); err != nil {
		return nil, nil, fmt.Errorf("registry: trust list payload: %w", err)
	}
	if err := doc.check(); err != nil {
		return nil, nil, err
	}
	return p, &doc, nil
}

// check validates a document's structure (not its trust).
func (d *TrustListDocument) check() error {
	si := d.SchemeInformation
	if si.SequenceNumber < 0 || si.ListIssueDateTime.IsZero() || !ValidID(si.SchemeOperatorID) {
		return errors.New("registry: trust list: scheme information needs a sequence number, an issue time and the operator's id")
	}
	seen := map[string]bool{}
	for _, le := range d.Entities {
		if seen[le.Entity.ID] {
			return fmt.Errorf("registry: trust list: entity %q listed twice", le.Entity.ID)
		}
		seen[le.Entity.ID] = true
		if err := le.Entity.validate(); err != nil {
			return fmt.Errorf("registry: trust list: %w", err)
		}
		for _, a := range le.Accreditations {
			if a.Subject != le.Entity.ID {
				return fmt.Errorf("registry: trust list: accreditation %q of %q listed under %q", a.ID, a.Subject, le.Entity.ID)
			}
			if err := a.validate(); err != nil {
				return fmt.Errorf("registry: trust list: %w", err)
			}
			if a.ID == "" || len(a.History) > 10000 || len(le.Entity.History) > 10000 {
				return fmt.Errorf("registry: trust list: accreditation of %q without id or with an oversized history", a.Subject)
			}
		}
	}
	if !seen[si.SchemeOperatorID] {
		return fmt.Errorf("registry: trust list: the scheme operator %q is not among its entities", si.SchemeOperatorID)
	}
	return nil
}

// LoadTrustList verifies a signed JSON trust list with the scheme
// operator's pinned public key and returns it ready for queries at any
// time. A list past its NextUpdate at now fails with ErrStale unless
// policy.AllowStale; a bad signature fails with ErrBadSignature.
func LoadTrustList(data []byte, anchor crypto.PublicKey, now time.Time, policy ListPolicy) (*TrustList, error) {
	if anchor == nil {
		return nil, errors.New("registry: LoadTrustList needs the scheme operator's key")
	}
	p, err := jws.Parse(string(bytes.TrimSpace(data)))
	if err != nil {
		return nil, fmt.Errorf("registry: trust list: %w", err)
	}
	if err := p.Verify(anchor, jws.VerifyOptions{Algorithms: allAlgorithms}); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	_, doc, err := ParseTrustList(data)
	if err != nil {
		return nil, err
	}
	if nu := doc.SchemeInformation.NextUpdate; !nu.IsZero() && now.After(nu) && !policy.AllowStale {
		return nil, fmt.Errorf("%w: next update was due %s", ErrStale, nu.Format(time.RFC3339))
	}
	return newTrustList(doc), nil
}

func newTrustList(doc *TrustListDocument) *TrustList {
	tl := &TrustList{Info: doc.SchemeInformation, ix: newIndex(doc.SchemeInformation.SchemeOperatorID), keys: map[string]crypto.PublicKey{}, document: doc}
	for _, le := range doc.Entities {
		tl.ix.putEntity(le.Entity, false)
		for _, a := range le.Accreditations {
			tl.ix.putAccreditation(a)
		}
		dids := le.Entity.DIDs()
		for _, k := range le.PublicKeys {
			d, _, _ := strings.Cut(k.Kid, "#")
			if !slices.Contains(dids, d) {
				continue // a key must belong to one of the entity's own DIDs
			}
			if pub, err := k.PublicKey(); err == nil {
				tl.keys[k.Kid] = pub
			}
		}
	}
	tl.ix.finish()
	return tl
}

// Document returns the list's content. Callers must not modify it.
func (tl *TrustList) Document() *TrustListDocument { return tl.document }

// Authorize answers an authorization query from the list.
func (tl *TrustList) Authorize(q AuthorizationQuery) Answer {
	if q.At.IsZero() {
		q.At = time.Now()
	}
	return tl.ix.authorize(q)
}

// Recognize answers a recognition query from the list.
func (tl *TrustList) Recognize(q RecognitionQuery) Answer {
	if q.At.IsZero() {
		q.At = time.Now()
	}
	return tl.ix.recognize(q)
}

// CheckEvidence checks identity evidence against the list (see
// Service.CheckEvidence).
func (tl *TrustList) CheckEvidence(e IdentityEvidence, minIAL IAL, minAAL AAL) Answer {
	return tl.ix.checkEvidence(e, minIAL, minAAL)
}

// TrustIssuer implements verifier.IssuerTrust.
func (tl *TrustList) TrustIssuer(ctx context.Context, q verifier.TrustQuery) (verifier.TrustDecision, error) {
	if err := ctx.Err(); err != nil {
		return verifier.TrustDecision{}, err
	}
	a := tl.ix.authorize(AuthorizationQuery{Entity: q.Issuer, Action: ActionIssue, Resource: q.Type, At: q.At})
	return decision(a, fmt.Sprintf("trust list %s #%d", tl.Info.SchemeOperatorID, tl.Info.SequenceNumber)), nil
}

// ResolveKey implements jose.KeyResolver from the listed keys. The list
// lists assertion keys only, so rel must be did.AssertionMethod.
func (tl *TrustList) ResolveKey(_ context.Context, didURL string, rel did.Relationship) (crypto.PublicKey, error) {
	if rel != did.AssertionMethod {
		return nil, fmt.Errorf("%w: the trust list holds assertion keys only", did.ErrKeyNotAuthorized)
	}
	if k, ok := tl.keys[didURL]; ok {
		return k, nil
	}
	return nil, fmt.Errorf("%w: %s is not in the trust list", did.ErrNotFound, didURL)
}

// Entity returns a listed entity by id or identifier.
func (tl *TrustList) Entity(ref string) (Entity, bool) {
	r := tl.ix.lookup(ref)
	if r == nil {
		return Entity{}, false
	}
	return cloneEntity(r.e), true
}

// assertionKeys returns the public keys a DID lists under
// assertionMethod, as JWKs whose kid is the method's DID URL.
func assertionKeys(ctx context.Context, r DocumentResolver, d string) ([]signing.JWK, error) {
	doc, err := r.Resolve(ctx, d)
	if err != nil {
		return nil, err
	}
	var out []signing.JWK
	for _, e := range doc.AssertionMethod {
		var vm did.VerificationMethod
		switch e := e.(type) {
		case string:
			ref := e
			if strings.HasPrefix(ref, "#") {
				ref = doc.ID + ref
			}
			i := slices.IndexFunc(doc.VerificationMethod, func(m did.VerificationMethod) bool {
				return m.ID == ref || (strings.HasPrefix(m.ID, "#") && doc.ID+m.ID == ref)
			})
			if i < 0 {
				continue
			}
			vm = doc.VerificationMethod[i]
			vm.ID = ref
		case did.VerificationMethod:
			vm = e
			if strings.HasPrefix(vm.ID, "#") {
				vm.ID = doc.ID + vm.ID
			}
		default:
			continue
		}
		if vm.Controller != d {
			continue
		}
		pub, err := vm.PublicKey()
		if err != nil {
			continue // a key type ThaiTrust cannot use
		}
		j, err := signing.PublicJWK(pub)
		if err != nil {
			continue
		}
		j.Kid = vm.ID
		out = append(out, j)
	}
	return out, nil
}
