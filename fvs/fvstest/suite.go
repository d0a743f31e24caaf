package fvstest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
)

// TestStore runs the conformance suite for [fvs.Store] implementations.
// open must return a new, empty store for each call (and register its own
// cleanup).
//
// Beyond the method documentation in package fvs, the suite pins down:
//
//   - PutTemplate versions count from 1 per subject and survive
//     deletion-free replacement; after DeleteTemplate a new enrolment
//     starts at 1 again.
//   - Byte slices are never shared between caller and store.
//   - Times keep their instant to at least millisecond precision.
//   - Audit sequence numbers start at 1 and increase by 1, also under
//     concurrent appends; ListAudit pages by Seq.
//   - With a cancelled context every method fails with context.Canceled
//     and writes nothing.
func TestStore(t *testing.T, open func(t *testing.T) fvs.Store) {
	t.Helper()
	tests := []struct {
		name string
		fn   func(t *testing.T, s fvs.Store)
	}{
		{"Keyring", testKeyring},
		{"Templates", testTemplates},
		{"TemplateCopies", testTemplateCopies},
		{"Audit", testAudit},
		{"AuditConcurrent", testAuditConcurrent},
		{"ContextCanceled", testContextCanceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, open(t)) })
	}
}

var t0 = time.Date(2026, 3, 1, 8, 0, 0, 123_000_000, time.UTC)

func subject(i byte) fvs.SubjectKey {
	var k fvs.SubjectKey
	for j := range k {
		k[j] = i ^ byte(j)
	}
	return k
}

func record(i byte) fvs.TemplateRecord {
	return fvs.TemplateRecord{Subject: subject(i), Model: "m", TemplateVersion: 1, KEK: "k",
		WrappedKey: []byte{1, 2, i}, Nonce: []byte{3, 4, i}, Ciphertext: []byte{5, 6, 7, i}, Source: "test", EnrolledAt: t0}
}

func testKeyring(t *testing.T, s fvs.Store) {
	ctx := context.Background()
	if _, err := s.GetKeyring(ctx); !errors.Is(err, fvs.ErrNotFound) {
		t.Fatalf("GetKeyring on empty store: %v, want ErrNotFound", err)
	}
	k := fvs.Keyring{KEK: "jkt:x/1", WrappedIndexKey: []byte{9, 8, 7}, CreatedAt: t0}
	if err := s.CreateKeyring(ctx, k); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateKeyring(ctx, fvs.Keyring{KEK: "other"}); !errors.Is(err, fvs.ErrExists) {
		t.Fatalf("second CreateKeyring: %v, want ErrExists", err)
	}
	got, err := s.GetKeyring(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.KEK != k.KEK || !bytes.Equal(got.WrappedIndexKey, k.WrappedIndexKey) || !got.CreatedAt.Equal(k.CreatedAt) {
		t.Fatalf("GetKeyring = %+v, want %+v", got, k)
	}
}

func sameRecord(a, b fvs.TemplateRecord) bool {
	return a.Subject == b.Subject && a.Model == b.Model && a.TemplateVersion == b.TemplateVersion && a.KEK == b.KEK &&
		bytes.Equal(a.WrappedKey, b.WrappedKey) && bytes.Equal(a.Nonce, b.Nonce) && bytes.Equal(a.Ciphertext, b.Ciphertext) &&
		a.Source == b.Source && a.EnrolledAt.Equal(b.EnrolledAt)
}

func testTemplates(t *testing.T, s fvs.Store) {
	ctx := context.Background()
	if _, err := s.GetTemplate(ctx, subject(1)); !errors.Is(err, fvs.ErrNotFound) {
		t.Fatalf("GetTemplate absent: %v, want ErrNotFound", err)
	}
	if err := s.DeleteTemplate(ctx, subject(1)); !errors.Is(err, fvs.ErrNotFound) {
		t.Fatalf("DeleteTemplate absent: %v, want ErrNotFound", err)
	}
	r1 := record(1)
	if v, err := s.PutTemplate(ctx, r1); err != nil || v != 1 {
		t.Fatalf("PutTemplate = %d, %v; want 1", v, err)
	}
	r2 := record(2)
	if v, err := s.PutTemplate(ctx, r2); err != nil || v != 1 {
		t.Fatalf("PutTemplate other subject = %d, %v; want 1", v, err)
	}
	// Re-enrolment replaces and counts.
	r1b := record(1)
	r1b.Ciphertext = []byte("replaced")
	r1b.Model = "m2"
	if v, err := s.PutTemplate(ctx, r1b); err != nil || v != 2 {
		t.Fatalf("re-enrolment = %d, %v; want 2", v, err)
	}
	got, err := s.GetTemplate(ctx, subject(1))
	if err != nil {
		t.Fatal(err)
	}
	if r1b.Version = 2; !sameRecord(got, r1b) || got.Version != 2 {
		t.Fatalf("GetTemplate = %+v, want %+v", got, r1b)
	}
	got2, err := s.GetTemplate(ctx, subject(2))
	if err != nil || !sameRecord(got2, r2) {
		t.Fatalf("GetTemplate(2) = %+v, %v", got2, err)
	}
	if err := s.DeleteTemplate(ctx, subject(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetTemplate(ctx, subject(1)); !errors.Is(err, fvs.ErrNotFound) {
		t.Fatalf("GetTemplate after delete: %v", err)
	}
	if v, err := s.PutTemplate(ctx, r1); err != nil || v != 1 {
		t.Fatalf("enrolment after delete = %d, %v; want 1", v, err)
	}
}

func testTemplateCopies(t *testing.T, s fvs.Store) {
	ctx := context.Background()
	r := record(3)
	if _, err := s.PutTemplate(ctx, r); err != nil {
		t.Fatal(err)
	}
	r.Ciphertext[0] = 0xFF // the caller's slice must not be the stored one
	got, err := s.GetTemplate(ctx, subject(3))
	if err != nil {
		t.Fatal(err)
	}
	if got.Ciphertext[0] == 0xFF {
		t.Fatal("the store kept the caller's slice")
	}
	got.Ciphertext[0] = 0xEE
	again, _ := s.GetTemplate(ctx, subject(3))
	if again.Ciphertext[0] == 0xEE {
		t.Fatal("the store handed out its own slice")
	}
}

func testAudit(t *testing.T, s fvs.Store) {
	ctx := context.Background()
	if es, err := s.ListAudit(ctx, 0, 0); err != nil || len(es) != 0 {
		t.Fatalf("ListAudit on empty = %v, %v", es, err)
	}
	for i := range 5 {
		e := fvs.AuditEntry{Seq: 99, At: t0.Add(time.Duration(i) * time.Second), RequestID: fmt.Sprint("r", i), Caller: "idp",
			Action: "verify", Subject: subject(byte(i)), Purpose: "p", Consent: "c", Outcome: "match", ScoreBand: ">=99.99", FMR: 1e-3, Model: "m"}
		seq, err := s.AppendAudit(ctx, e)
		if err != nil || seq != int64(i+1) {
			t.Fatalf("AppendAudit = %d, %v; want %d", seq, err, i+1)
		}
	}
	es, err := s.ListAudit(ctx, 0, 3)
	if err != nil || len(es) != 3 || es[0].Seq != 1 || es[2].Seq != 3 {
		t.Fatalf("ListAudit(0, 3) = %+v, %v", es, err)
	}
	e := es[1]
	if e.RequestID != "r1" || e.Caller != "idp" || e.Subject != subject(1) || !e.At.Equal(t0.Add(time.Second)) ||
		e.Outcome != "match" || e.ScoreBand != ">=99.99" || e.FMR != 1e-3 || e.Model != "m" || e.Purpose != "p" || e.Consent != "c" {
		t.Fatalf("entry 2 = %+v", e)
	}
	es, err = s.ListAudit(ctx, 3, 0)
	if err != nil || len(es) != 2 || es[0].Seq != 4 {
		t.Fatalf("ListAudit(3) = %+v, %v", es, err)
	}
}

func testAuditConcurrent(t *testing.T, s fvs.Store) {
	ctx := context.Background()
	const n = 40
	var wg sync.WaitGroup
	seqs := make(chan int64, n)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			seq, err := s.AppendAudit(ctx, fvs.AuditEntry{At: t0, Action: "verify"})
			if err != nil {
				t.Error(err)
			}
			seqs <- seq
		}()
	}
	wg.Wait()
	close(seqs)
	seen := map[int64]bool{}
	for q := range seqs {
		if seen[q] || q < 1 || q > n {
			t.Fatalf("sequence %d duplicated or out of range", q)
		}
		seen[q] = true
	}
	es, err := s.ListAudit(ctx, 0, 1000)
	if err != nil || len(es) != n {
		t.Fatalf("ListAudit = %d entries, %v", len(es), err)
	}
}

func testContextCanceled(t *testing.T, s fvs.Store) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, err := range map[string]error{
		"CreateKeyring":  s.CreateKeyring(ctx, fvs.Keyring{KEK: "k"}),
		"PutTemplate":    func() error { _, err := s.PutTemplate(ctx, record(1)); return err }(),
		"AppendAudit":    func() error { _, err := s.AppendAudit(ctx, fvs.AuditEntry{}); return err }(),
		"GetKeyring":     func() error { _, err := s.GetKeyring(ctx); return err }(),
		"GetTemplate":    func() error { _, err := s.GetTemplate(ctx, subject(1)); return err }(),
		"DeleteTemplate": s.DeleteTemplate(ctx, subject(1)),
		"ListAudit":      func() error { _, err := s.ListAudit(ctx, 0, 0); return err }(),
	} {
		if !errors.Is(err, context.Canceled) {
			t.Errorf("%s with a cancelled context: %v", name, err)
		}
	}
	bg := context.Background()
	if _, err := s.GetKeyring(bg); !errors.Is(err, fvs.ErrNotFound) {
		t.Errorf("a keyring was written under a cancelled context")
	}
	if _, err := s.GetTemplate(bg, subject(1)); !errors.Is(err, fvs.ErrNotFound) {
		t.Errorf("a template was written under a cancelled context")
	}
	if es, _ := s.ListAudit(bg, 0, 0); len(es) != 0 {
		t.Errorf("an audit entry was written under a cancelled context")
	}
}
