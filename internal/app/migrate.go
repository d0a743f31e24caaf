package app

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/registry"
)

// MigrateOptions configures Migrate.
type MigrateOptions struct {
	// Workers is how many records are copied at once; zero means 16.
	Workers int
	// Progress, if not nil, receives a line now and then.
	Progress io.Writer
}

// Migration is what Migrate copied and verified, per domain. "Copied"
// counts what it wrote; "Present" what the destination already held,
// identical (a migration run again after an interruption); "Verified" is
// what it found in the destination afterwards.
type Migration struct {
	Lists    Tally
	Records  Tally
	Issuers  map[string]int64 // records per issuer, as verified in the destination
	Registry Tally            // history events
	// RegistryHead is the Seq of the last event, the same in both stores.
	RegistryHead int64
	Keyring      Tally
	Templates    Tally
	Audit        Tally
	Drafts       Tally // delegation drafts (open ones and the record of issued ones)
}

// Tally counts one kind of object.
type Tally struct {
	Source, Copied, Present, Verified int64
}

func (t Tally) String() string {
	return fmt.Sprintf("%d in the source, %d copied, %d already there, %d verified", t.Source, t.Copied, t.Present, t.Verified)
}

// ErrMigrationMismatch reports that the destination holds something that
// differs from the source, or that the counts do not agree after the copy.
var ErrMigrationMismatch = errors.New("app: migration: destination does not match the source")

// Migrate copies an embedded store to another store (MongoDB) and verifies
// the copy: status lists (compared field by field), issuance records
// (counted per issuer and compared by a digest of their contents), the
// registry history (appended event by event, head hash compared, then
// registry.Verify on the destination), and the FVS keyring, templates and
// audit log, and delegation drafts (with their approvals: directors may
// take days to sign, so open drafts must not be lost; compared whole, but
// for their Version, which restarts at 1). It can be run again after an interruption: what is already
// there and identical is skipped; anything different is an error matching
// ErrMigrationMismatch, and nothing is overwritten.
//
// OpenID4VCI state (offers, access tokens, nonces) is not copied: it lives
// for minutes (an offer for 30 by default). Migrate with the server
// stopped (the source file is then not locked by it), and let holders ask
// for new offers after the switch.
//
// Times are compared at millisecond precision: MongoDB stores
// milliseconds.
func Migrate(ctx context.Context, src *bolt.DB, dst Store, opts MigrateOptions) (*Migration, error) {
	if opts.Workers <= 0 {
		opts.Workers = 16
	}
	m := &Migration{Issuers: map[string]int64{}}
	progress := func(format string, args ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, format+"\n", args...)
		}
	}
	if err := migrateLists(ctx, src, dst.Issuer(), m); err != nil {
		return m, err
	}
	progress("status lists: %v", m.Lists)
	if err := migrateRecords(ctx, src, dst.Issuer(), m, opts.Workers, progress); err != nil {
		return m, err
	}
	progress("records: %v", m.Records)
	if err := migrateRegistry(ctx, src.Registry(), dst.Registry(), m); err != nil {
		return m, err
	}
	progress("registry events: %v", m.Registry)
	if err := migrateFVS(ctx, src, dst.FVS(), m); err != nil {
		return m, err
	}
	progress("fvs: keyring %v; templates %v; audit %v", m.Keyring, m.Templates, m.Audit)
	if err := migrateDrafts(ctx, src, dst.Delegation(), m); err != nil {
		return m, err
	}
	progress("delegation drafts: %v", m.Drafts)
	return m, nil
}

func ms(t time.Time) time.Time { return t.Truncate(time.Millisecond) }

func sameList(a, b issuer.StatusList) bool {
	return a.Issuer == b.Issuer && a.ID == b.ID && a.Seq == b.Seq && a.Size == b.Size && a.Key == b.Key && a.Next == b.Next &&
		bytes.Equal(a.Revoked, b.Revoked) && bytes.Equal(a.Suspended, b.Suspended) &&
		ms(a.CreatedAt).Equal(ms(b.CreatedAt)) && ms(a.UpdatedAt).Equal(ms(b.UpdatedAt))
}

func migrateLists(ctx context.Context, src *bolt.DB, dst issuer.Store, m *Migration) error {
	return src.IssuerLists(ctx, func(l issuer.StatusList) error {
		m.Lists.Source++
		err := dst.CreateList(ctx, l)
		switch {
		case err == nil:
			m.Lists.Copied++
		case errors.Is(err, issuer.ErrExists):
			m.Lists.Present++
		default:
			return fmt.Errorf("app: migration: status list %s/%s: %w", l.Issuer, l.ID, err)
		}
		got, err := dst.GetList(ctx, l.Issuer, l.ID)
		if err != nil {
			return fmt.Errorf("app: migration: status list %s/%s: %w", l.Issuer, l.ID, err)
		}
		if !sameList(got, l) {
			return fmt.Errorf("%w: status list %s/%s differs (was the destination used since?)", ErrMigrationMismatch, l.Issuer, l.ID)
		}
		m.Lists.Verified++
		return nil
	})
}

// recordDigest hashes a record's contents (times at millisecond
// precision); digests are summed per issuer, so the order of the walk does
// not matter.
func recordDigest(r issuer.Record) [32]byte {
	h := sha256.New()
	var n [8]byte
	field := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	for _, s := range []string{r.ID, r.Issuer, r.Type, r.Subject, r.Format, r.ListID} {
		field([]byte(s))
	}
	binary.BigEndian.PutUint64(n[:], r.Index)
	field(n[:])
	for _, t := range []time.Time{r.IssuedAt, r.ValidFrom, r.ValidUntil} {
		b, _ := ms(t).UTC().MarshalBinary()
		field(b)
	}
	field(r.Credential)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// digestSum is an order-independent sum of digests (four 64-bit lanes).
type digestSum [4]uint64

func (s *digestSum) add(d [32]byte) {
	for i := range s {
		s[i] += binary.BigEndian.Uint64(d[8*i:])
	}
}

func sameRecord(a, b issuer.Record) bool { return recordDigest(a) == recordDigest(b) }

func migrateRecords(ctx context.Context, src *bolt.DB, dst issuer.Store, m *Migration, workers int, progress func(string, ...any)) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		mu      sync.Mutex
		want    = map[string]*digestSum{}
		counts  = map[string]int64{}
		firstEr error
		wg      sync.WaitGroup
		work    = make(chan issuer.Record, 4*workers)
	)
	fail := func(err error) {
		mu.Lock()
		if firstEr == nil {
			firstEr = err
			cancel()
		}
		mu.Unlock()
	}
	for range workers {
		wg.Go(func() {
			for r := range work {
				err := dst.PutRecord(ctx, r)
				present := false
				if errors.Is(err, issuer.ErrExists) {
					got, gerr := dst.GetRecord(ctx, r.Issuer, r.ID)
					switch {
					case gerr != nil:
						err = gerr
					case !sameRecord(got, r):
						err = fmt.Errorf("%w: record %s of %s differs", ErrMigrationMismatch, r.ID, r.Issuer)
					default:
						err, present = nil, true
					}
				}
				if err != nil {
					fail(fmt.Errorf("app: migration: record %s of %s: %w", r.ID, r.Issuer, err))
					continue
				}
				mu.Lock()
				if present {
					m.Records.Present++
				} else {
					m.Records.Copied++
				}
				mu.Unlock()
			}
		})
	}
	last := time.Now()
	err := src.IssuerRecords(ctx, func(r issuer.Record) error {
		mu.Lock()
		m.Records.Source++
		counts[r.Issuer]++
		if want[r.Issuer] == nil {
			want[r.Issuer] = new(digestSum)
		}
		want[r.Issuer].add(recordDigest(r))
		n := m.Records.Source
		mu.Unlock()
		if time.Since(last) > 5*time.Second {
			progress("records: %d read", n)
			last = time.Now()
		}
		select {
		case work <- r:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(work)
	wg.Wait()
	if firstEr != nil {
		return firstEr
	}
	if err != nil {
		return fmt.Errorf("app: migration: reading records: %w", err)
	}

	// Verify: every issuer's records, counted and digested as the
	// destination lists them.
	issuers := make([]string, 0, len(counts))
	for iss := range counts {
		issuers = append(issuers, iss)
	}
	sort.Strings(issuers)
	for _, iss := range issuers {
		var got digestSum
		var n int64
		for before := ""; ; {
			page, err := dst.ListRecords(ctx, iss, before, 1000)
			if err != nil {
				return fmt.Errorf("app: migration: verifying records of %s: %w", iss, err)
			}
			if len(page) == 0 {
				break
			}
			for _, r := range page {
				got.add(recordDigest(r))
			}
			n += int64(len(page))
			before = page[len(page)-1].ID
		}
		m.Issuers[iss] = n
		m.Records.Verified += n
		if n != counts[iss] || got != *want[iss] {
			return fmt.Errorf("%w: issuer %s has %d records in the source and %d in the destination (contents equal: %v)",
				ErrMigrationMismatch, iss, counts[iss], n, got == *want[iss])
		}
	}
	return nil
}

func migrateRegistry(ctx context.Context, src, dst registry.Store, m *Migration) error {
	var dstHead int64
	switch h, err := dst.Head(ctx); {
	case err == nil:
		dstHead = h.Seq
	case !errors.Is(err, registry.ErrNotFound):
		return fmt.Errorf("app: migration: registry: %w", err)
	}
	var last registry.Event
	for after := int64(0); ; {
		evs, err := src.Events(ctx, after, 1000)
		if err != nil {
			return fmt.Errorf("app: migration: registry: %w", err)
		}
		if len(evs) == 0 {
			break
		}
		var have []registry.Event
		if evs[0].Seq <= dstHead {
			if have, err = dst.Events(ctx, after, len(evs)); err != nil {
				return fmt.Errorf("app: migration: registry: %w", err)
			}
		}
		for i, ev := range evs {
			m.Registry.Source++
			if ev.Seq <= dstHead {
				if i >= len(have) || have[i].Seq != ev.Seq || have[i].Hash != ev.Hash {
					return fmt.Errorf("%w: registry event %d differs", ErrMigrationMismatch, ev.Seq)
				}
				m.Registry.Present++
				continue
			}
			if err := dst.Append(ctx, ev); err != nil {
				return fmt.Errorf("app: migration: registry event %d: %w", ev.Seq, err)
			}
			m.Registry.Copied++
		}
		last = evs[len(evs)-1]
		after = last.Seq
	}
	if dstHead > last.Seq {
		return fmt.Errorf("%w: the destination's registry has %d events, the source %d", ErrMigrationMismatch, dstHead, last.Seq)
	}
	if m.Registry.Source == 0 {
		return nil
	}
	n, err := registry.Verify(ctx, dst)
	if err != nil {
		return fmt.Errorf("app: migration: registry in the destination: %w", err)
	}
	h, err := dst.Head(ctx)
	if err != nil || h.Hash != last.Hash {
		return fmt.Errorf("%w: registry head differs (%v)", ErrMigrationMismatch, err)
	}
	m.Registry.Verified, m.RegistryHead = n, h.Seq
	return nil
}

// templateImporter is a destination that can store a template with its
// version (mongo.DB's FVS store can); others get PutTemplate.
type templateImporter interface {
	ImportTemplate(ctx context.Context, r fvs.TemplateRecord) error
}

func sameTemplate(a, b fvs.TemplateRecord) bool {
	return a.Subject == b.Subject && a.Model == b.Model && a.TemplateVersion == b.TemplateVersion && a.KEK == b.KEK &&
		bytes.Equal(a.WrappedKey, b.WrappedKey) && bytes.Equal(a.Nonce, b.Nonce) && bytes.Equal(a.Ciphertext, b.Ciphertext) &&
		a.Source == b.Source && ms(a.EnrolledAt).Equal(ms(b.EnrolledAt))
}

func sameAudit(a, b fvs.AuditEntry) bool {
	a.At, b.At = ms(a.At).UTC(), ms(b.At).UTC()
	return a == b
}

func migrateFVS(ctx context.Context, src *bolt.DB, dst fvs.Store, m *Migration) error {
	s := src.FVS()
	// Keyring.
	k, err := s.GetKeyring(ctx)
	switch {
	case errors.Is(err, fvs.ErrNotFound):
	case err != nil:
		return fmt.Errorf("app: migration: fvs keyring: %w", err)
	default:
		m.Keyring.Source = 1
		switch err := dst.CreateKeyring(ctx, k); {
		case err == nil:
			m.Keyring.Copied = 1
		case errors.Is(err, fvs.ErrExists):
			m.Keyring.Present = 1
		default:
			return fmt.Errorf("app: migration: fvs keyring: %w", err)
		}
		got, err := dst.GetKeyring(ctx)
		if err != nil {
			return fmt.Errorf("app: migration: fvs keyring: %w", err)
		}
		if got.KEK != k.KEK || !bytes.Equal(got.WrappedIndexKey, k.WrappedIndexKey) {
			return fmt.Errorf("%w: the fvs keyring differs", ErrMigrationMismatch)
		}
		m.Keyring.Verified = 1
	}
	// Templates.
	imp, canImport := dst.(templateImporter)
	err = src.FVSTemplates(ctx, func(r fvs.TemplateRecord) error {
		m.Templates.Source++
		got, err := dst.GetTemplate(ctx, r.Subject)
		switch {
		case err == nil && sameTemplate(got, r):
			m.Templates.Present++
		case err == nil:
			return fmt.Errorf("%w: fvs template %s differs", ErrMigrationMismatch, r.Subject)
		case !errors.Is(err, fvs.ErrNotFound):
			return fmt.Errorf("app: migration: fvs template %s: %w", r.Subject, err)
		case canImport:
			if err := imp.ImportTemplate(ctx, r); err != nil {
				return fmt.Errorf("app: migration: fvs template %s: %w", r.Subject, err)
			}
			m.Templates.Copied++
		default:
			if _, err := dst.PutTemplate(ctx, r); err != nil {
				return fmt.Errorf("app: migration: fvs template %s: %w", r.Subject, err)
			}
			m.Templates.Copied++
		}
		got, err = dst.GetTemplate(ctx, r.Subject)
		if err != nil || !sameTemplate(got, r) {
			return fmt.Errorf("%w: fvs template %s after the copy (%v)", ErrMigrationMismatch, r.Subject, err)
		}
		m.Templates.Verified++
		return nil
	})
	if err != nil {
		return err
	}
	// Audit log: the destination must hold a prefix of the source's; the
	// rest is appended, and gets the same Seqs.
	for after := int64(0); ; {
		es, err := s.ListAudit(ctx, after, 1000)
		if err != nil {
			return fmt.Errorf("app: migration: fvs audit: %w", err)
		}
		if len(es) == 0 {
			break
		}
		have, err := dst.ListAudit(ctx, after, len(es))
		if err != nil {
			return fmt.Errorf("app: migration: fvs audit: %w", err)
		}
		for i, e := range es {
			m.Audit.Source++
			if i < len(have) {
				if !sameAudit(have[i], e) {
					return fmt.Errorf("%w: fvs audit entry %d differs", ErrMigrationMismatch, e.Seq)
				}
				m.Audit.Present++
				continue
			}
			seq, err := dst.AppendAudit(ctx, e)
			if err != nil {
				return fmt.Errorf("app: migration: fvs audit entry %d: %w", e.Seq, err)
			}
			if seq != e.Seq {
				return fmt.Errorf("%w: fvs audit entry %d became %d", ErrMigrationMismatch, e.Seq, seq)
			}
			m.Audit.Copied++
		}
		after = es[len(es)-1].Seq
	}
	if extra, err := dst.ListAudit(ctx, m.Audit.Source, 1); err != nil || len(extra) > 0 {
		return fmt.Errorf("%w: the destination's fvs audit log is longer than the source's (%v)", ErrMigrationMismatch, err)
	}
	m.Audit.Verified = m.Audit.Source
	return nil
}

// sameDraft compares drafts but for Version (a copy starts again at 1)
// and below the millisecond (MongoDB's precision).
func sameDraft(a, b delegation.Draft) bool {
	norm := func(d delegation.Draft) []byte {
		d.Version = 0
		d.ValidFrom, d.ValidUntil, d.CreatedAt = ms(d.ValidFrom).UTC(), ms(d.ValidUntil).UTC(), ms(d.CreatedAt).UTC()
		d.Approvals = slices.Clone(d.Approvals)
		for i := range d.Approvals {
			d.Approvals[i].At = ms(d.Approvals[i].At).UTC()
		}
		if len(d.Approvals) == 0 {
			d.Approvals = nil
		}
		if len(d.Directors) == 0 {
			d.Directors = nil
		}
		if len(d.Body) == 0 {
			d.Body = nil
		}
		b, err := json.Marshal(d)
		if err != nil {
			return nil
		}
		return b
	}
	na, nb := norm(a), norm(b)
	return na != nil && bytes.Equal(na, nb)
}

func migrateDrafts(ctx context.Context, src *bolt.DB, dst delegation.Store, m *Migration) error {
	return src.DelegationDrafts(ctx, func(d delegation.Draft) error {
		m.Drafts.Source++
		got, err := dst.GetDraft(ctx, d.ID)
		switch {
		case err == nil && sameDraft(got, d):
			m.Drafts.Present++
		case err == nil:
			return fmt.Errorf("%w: delegation draft %s differs", ErrMigrationMismatch, d.ID)
		case !errors.Is(err, delegation.ErrNotFound):
			return fmt.Errorf("app: migration: delegation draft %s: %w", d.ID, err)
		default:
			if err := dst.CreateDraft(ctx, d); err != nil {
				return fmt.Errorf("app: migration: delegation draft %s: %w", d.ID, err)
			}
			m.Drafts.Copied++
		}
		got, err = dst.GetDraft(ctx, d.ID)
		if err != nil || !sameDraft(got, d) {
			return fmt.Errorf("%w: delegation draft %s after the copy (%v)", ErrMigrationMismatch, d.ID, err)
		}
		m.Drafts.Verified++
		return nil
	})
}
