// Package fvstest provides test kits for package fvs: an in-memory
// [fvs.Store], the conformance suite every Store backend runs, and a
// deterministic fake [fvs.Matcher] for tests that need no face models.
//
// # Memory store
//
// [NewMemoryStore] keeps everything in maps guarded by a mutex. It is for
// tests and examples: it is not durable.
//
// # Conformance suite
//
// [TestStore] pins down the behaviour every backend must share:
//
//	func TestFVSStore(t *testing.T) {
//		fvstest.TestStore(t, func(t *testing.T) fvs.Store {
//			return open(t).FVS()
//		})
//	}
package fvstest

import (
	"bytes"
	"context"
	"sync"

	"github.com/thaitrust/thaitrust/fvs"
)

// NewMemoryStore returns an empty in-memory [fvs.Store].
func NewMemoryStore() fvs.Store {
	return &memoryStore{templates: map[fvs.SubjectKey]fvs.TemplateRecord{}}
}

type memoryStore struct {
	mu        sync.Mutex
	keyring   *fvs.Keyring
	templates map[fvs.SubjectKey]fvs.TemplateRecord
	audit     []fvs.AuditEntry
}

var _ fvs.Store = (*memoryStore)(nil)

func copyRecord(r fvs.TemplateRecord) fvs.TemplateRecord {
	r.WrappedKey = bytes.Clone(r.WrappedKey)
	r.Nonce = bytes.Clone(r.Nonce)
	r.Ciphertext = bytes.Clone(r.Ciphertext)
	return r
}

func (m *memoryStore) CreateKeyring(ctx context.Context, k fvs.Keyring) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keyring != nil {
		return fvs.ErrExists
	}
	k.WrappedIndexKey = bytes.Clone(k.WrappedIndexKey)
	m.keyring = &k
	return nil
}

func (m *memoryStore) GetKeyring(ctx context.Context) (fvs.Keyring, error) {
	if err := ctx.Err(); err != nil {
		return fvs.Keyring{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keyring == nil {
		return fvs.Keyring{}, fvs.ErrNotFound
	}
	k := *m.keyring
	k.WrappedIndexKey = bytes.Clone(k.WrappedIndexKey)
	return k, nil
}

func (m *memoryStore) PutTemplate(ctx context.Context, r fvs.TemplateRecord) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r = copyRecord(r)
	r.Version = m.templates[r.Subject].Version + 1
	m.templates[r.Subject] = r
	return r.Version, nil
}

func (m *memoryStore) GetTemplate(ctx context.Context, s fvs.SubjectKey) (fvs.TemplateRecord, error) {
	if err := ctx.Err(); err != nil {
		return fvs.TemplateRecord{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	r, ok := m.templates[s]
	if !ok {
		return fvs.TemplateRecord{}, fvs.ErrNotFound
	}
	return copyRecord(r), nil
}

func (m *memoryStore) DeleteTemplate(ctx context.Context, s fvs.SubjectKey) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.templates[s]; !ok {
		return fvs.ErrNotFound
	}
	delete(m.templates, s)
	return nil
}

func (m *memoryStore) AppendAudit(ctx context.Context, e fvs.AuditEntry) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e.Seq = int64(len(m.audit)) + 1
	m.audit = append(m.audit, e)
	return e.Seq, nil
}

func (m *memoryStore) ListAudit(ctx context.Context, after int64, limit int) ([]fvs.AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = 100
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []fvs.AuditEntry
	for _, e := range m.audit {
		if e.Seq > after && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}
