package bolt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/issuer"
)

func openInternal(t *testing.T, opts Options) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "thaitrust.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// txID returns the id of the last committed write transaction: the number
// of commits (and so of fsync rounds) so far.
func txID(t *testing.T, db *DB) int {
	t.Helper()
	var id int
	if err := db.bolt.View(func(tx *bbolt.Tx) error { id = tx.ID(); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSeqKeyOrder(t *testing.T) {
	seqs := []int64{math.MinInt64, -10, -1, 0, 1, 2, 9, 10, 255, 256, 1 << 40, math.MaxInt64}
	var keys [][]byte
	for _, s := range seqs {
		keys = append(keys, seqKey("chula", s, "x"))
	}
	if !slices.IsSortedFunc(keys, bytes.Compare) {
		t.Errorf("seqKey does not order by Seq: %x", keys)
	}
	// All of an issuer's keys sort between prefix and prefixEnd, and no
	// key of an issuer whose name extends this one's falls in between.
	p, end := prefix("chula"), prefixEnd("chula")
	for _, k := range append(keys, key("chula", ""), key("chula", "\xff\xff"), key("chula", "\x00")) {
		if bytes.Compare(k, p) < 0 || bytes.Compare(k, end) >= 0 {
			t.Errorf("key %q outside [%q, %q)", k, p, end)
		}
	}
	for _, k := range [][]byte{key("chula-med", "1"), key("chul", "a\x00"), key("chulb", ""), seqKey("chula-med", math.MinInt64, "")} {
		if bytes.Compare(k, p) >= 0 && bytes.Compare(k, end) < 0 {
			t.Errorf("other issuer's key %q inside [%q, %q)", k, p, end)
		}
	}
}

// TestGroupCommit checks that concurrent writes share commits, and that
// outcomes decided inside a batch (ErrExists, fn errors) neither fail nor
// duplicate the writes they were batched with.
func TestGroupCommit(t *testing.T) {
	// A long delay keeps the test meaningful on a loaded machine, where
	// the goroutines below may take many milliseconds to all arrive.
	db := openInternal(t, Options{MaxBatchDelay: 50 * time.Millisecond})
	s := db.Issuer()
	ctx := context.Background()
	if err := s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "1", Seq: 1}); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	before := txID(t, db)

	const n = 64
	var (
		wg    sync.WaitGroup
		start = make(chan struct{})
		errs  [3][n]error
	)
	for i := range n {
		rec := issuer.Record{Issuer: "chula", ID: fmt.Sprintf("urn:uuid:%04d", i)}
		wg.Go(func() { <-start; errs[0][i] = s.PutRecord(ctx, rec) })
		// Same id from every goroutine: one wins. These pass the
		// pre-check together, so most are decided inside a batch.
		dup := issuer.Record{Issuer: "chula", ID: "urn:uuid:dup", Type: fmt.Sprint(i)}
		wg.Go(func() { <-start; errs[1][i] = s.PutRecord(ctx, dup) })
		wg.Go(func() {
			<-start
			_, errs[2][i] = s.UpdateList(ctx, "chula", "1", func(l issuer.StatusList) (issuer.StatusList, error) {
				if i%2 == 1 {
					return l, errBoom
				}
				l.Next++
				return l, nil
			})
		})
	}
	close(start)
	wg.Wait()
	commits := txID(t, db) - before

	wins := 0
	for i := range n {
		if errs[0][i] != nil {
			t.Errorf("PutRecord %d: %v", i, errs[0][i])
		}
		switch err := errs[1][i]; {
		case err == nil:
			wins++
		case !errors.Is(err, issuer.ErrExists):
			t.Errorf("duplicate PutRecord %d: %v", i, err)
		}
		if want := map[bool]error{false: nil, true: errBoom}[i%2 == 1]; errs[2][i] != want {
			t.Errorf("UpdateList %d: err = %v, want %v", i, errs[2][i], want)
		}
	}
	if wins != 1 {
		t.Errorf("%d duplicate PutRecords succeeded, want 1", wins)
	}
	l, err := s.GetList(ctx, "chula", "1")
	if err != nil {
		t.Fatal(err)
	}
	if l.Next != n/2 || l.Version != n/2+1 {
		t.Errorf("list Next = %d, Version = %d; want %d, %d", l.Next, l.Version, n/2, n/2+1)
	}
	writes := n + 1 + n/2
	t.Logf("%d acknowledged writes in %d commits", writes, commits)
	if commits > writes/4 {
		t.Errorf("%d writes took %d commits: group commit is not grouping", writes, commits)
	}
}

// TestNoCommitWithoutWrite checks that a lone write whose outcome is
// decided by what it reads rolls back instead of committing (and fsyncing)
// an empty transaction.
func TestNoCommitWithoutWrite(t *testing.T) {
	db := openInternal(t, Options{})
	s := db.Issuer()
	ctx := context.Background()
	if err := s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "1", Seq: 1}); err != nil {
		t.Fatal(err)
	}
	before := txID(t, db)
	errBoom := errors.New("boom")
	_, err := s.UpdateList(ctx, "chula", "1", func(l issuer.StatusList) (issuer.StatusList, error) { return l, errBoom })
	if err != errBoom {
		t.Fatalf("UpdateList: %v", err)
	}
	if _, err := s.UpdateList(ctx, "chula", "2", nil); !errors.Is(err, issuer.ErrNotFound) {
		t.Fatalf("UpdateList: %v", err)
	}
	if err := s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "1", Seq: 1}); !errors.Is(err, issuer.ErrExists) {
		t.Fatalf("CreateList: %v", err)
	}
	if after := txID(t, db); after != before {
		t.Errorf("%d commits for updates that wrote nothing", after-before)
	}
}
