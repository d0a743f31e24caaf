package bolt_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(crashChildEnv); path != "" {
		crashChild(path) // never returns
	}
	os.Exit(m.Run())
}

func open(t testing.TB, opts bolt.Options) *bolt.DB {
	t.Helper()
	db, err := bolt.Open(filepath.Join(t.TempDir(), "data", "thaitrust.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func TestIssuerStore(t *testing.T) {
	issuertest.TestStore(t, func(t *testing.T) issuer.Store {
		return open(t, bolt.Options{}).Issuer()
	})
}

// TestIssuerStoreNoGroupCommit runs the suite with group commit disabled,
// so every write takes bbolt's plain Update path.
func TestIssuerStoreNoGroupCommit(t *testing.T) {
	issuertest.TestStore(t, func(t *testing.T) issuer.Store {
		return open(t, bolt.Options{MaxBatchSize: 1}).Issuer()
	})
}

func record(i int) issuer.Record {
	return issuer.Record{
		ID:        fmt.Sprintf("urn:uuid:01977a2c-0000-7000-8000-%012x", i),
		Issuer:    "chula",
		Type:      "DegreeCredential",
		Subject:   "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
		Format:    "vc+jwt",
		ListID:    "1",
		Index:     uint64(i) * 7919 % 131072,
		IssuedAt:  time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC),
		ValidFrom: time.Date(2025, 6, 1, 9, 30, 0, 0, time.UTC),
	}
}

func TestOpenCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "var", "thaitrust")
	path := filepath.Join(dir, "thaitrust.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Path() != path {
		t.Errorf("Path() = %q, want %q", db.Path(), path)
	}
	if runtime.GOOS == "windows" {
		return
	}
	for _, c := range []struct {
		path string
		want os.FileMode
	}{{dir, 0o700 | os.ModeDir}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		// The umask can only remove bits.
		if fi.Mode()&^c.want != 0 {
			t.Errorf("%s: mode %v, want at most %v", c.path, fi.Mode(), c.want)
		}
	}
}

func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "thaitrust.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// flock locks belong to the open file, so a second Open in this
	// process conflicts just as another process would.
	start := time.Now()
	db2, err := bolt.Open(path, bolt.Options{LockTimeout: 200 * time.Millisecond})
	waited := time.Since(start)
	if !errors.Is(err, bolt.ErrLocked) {
		db2.Close()
		t.Fatalf("second Open: err = %v, want ErrLocked", err)
	}
	want := "bolt: data file " + path + " is in use by another thaitrust process"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q does not start with %q", err, want)
	}
	if waited > 2*time.Second {
		t.Errorf("second Open took %v to fail", waited)
	}

	// Once the holder closes, the file opens and the data is there.
	ctx := context.Background()
	if err := db.Issuer().PutRecord(ctx, record(1)); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db2, err = bolt.Open(path, bolt.Options{LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	defer db2.Close()
	if _, err := db2.Issuer().GetRecord(ctx, "chula", record(1).ID); err != nil {
		t.Errorf("record written before reopening: %v", err)
	}
}

// TestLayout pins the on-disk format: bucket names, keys and document
// versions. Changing any of them needs a schema version bump and a
// migration.
func TestLayout(t *testing.T) {
	path := filepath.Join(t.TempDir(), "thaitrust.db")
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s := db.Issuer()
	err = s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "10", Seq: 10, Size: 16,
		Revoked: []byte{0x80, 0x01}, Suspended: []byte{0x00, 0x02}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.PutRecord(ctx, record(1)); err != nil {
		t.Fatal(err)
	}
	db.Close()

	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.View(func(tx *bbolt.Tx) error {
		var top []string
		tx.ForEach(func(name []byte, _ *bbolt.Bucket) error { top = append(top, string(name)); return nil })
		if got := strings.Join(top, ","); got != "issuer,meta" {
			t.Errorf("top-level buckets %s, want issuer,meta", got)
		}
		meta := tx.Bucket([]byte("meta"))
		for k, want := range map[string]string{"layout": "1", "issuer": "1"} {
			if got := string(meta.Get([]byte(k))); got != want {
				t.Errorf("meta %q = %q, want %q", k, got, want)
			}
		}
		iss := tx.Bucket([]byte("issuer"))
		list := iss.Bucket([]byte("lists")).Get([]byte("chula\x0010"))
		idx := iss.Bucket([]byte("lists_by_seq")).Get([]byte("chula\x00\x80\x00\x00\x00\x00\x00\x00\x0a10"))
		rec := iss.Bucket([]byte("records")).Get([]byte("chula\x00" + record(1).ID))
		rev := iss.Bucket([]byte("revoked")).Get([]byte("chula\x0010"))
		sus := iss.Bucket([]byte("suspended")).Get([]byte("chula\x0010"))
		if string(rev) != "\x80\x01" || string(sus) != "\x00\x02" {
			t.Errorf("raw bitstrings %x, %x; want 8001, 0002", rev, sus)
		}
		if list == nil || idx == nil || rec == nil {
			t.Fatalf("missing keys: list %v, index %v, record %v", list != nil, idx != nil, rec != nil)
		}
		for name, doc := range map[string][]byte{"list": list, "record": rec} {
			var d struct {
				V int `json:"v"`
			}
			if err := json.Unmarshal(doc, &d); err != nil || d.V != 1 {
				t.Errorf("%s document %s: v = %d, %v; want v 1", name, doc, d.V, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestOpenIncompatible(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(tx *bbolt.Tx) error
	}{
		{"foreign file", func(tx *bbolt.Tx) error {
			_, err := tx.CreateBucket([]byte("key"))
			return err
		}},
		{"newer layout", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("layout"), []byte("2"))
		}},
		{"newer issuer schema", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("issuer"), []byte("2"))
		}},
		{"garbled version", func(tx *bbolt.Tx) error {
			return tx.Bucket([]byte("meta")).Put([]byte("issuer"), []byte("one"))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "thaitrust.db")
			if tc.name != "foreign file" {
				db, err := bolt.Open(path, bolt.Options{})
				if err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			b, err := bbolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Update(tc.setup); err != nil {
				t.Fatal(err)
			}
			b.Close()
			db, err := bolt.Open(path, bolt.Options{})
			if !errors.Is(err, bolt.ErrIncompatible) {
				if err == nil {
					db.Close()
				}
				t.Fatalf("Open: err = %v, want ErrIncompatible", err)
			}
		})
	}
}

func TestNULIssuer(t *testing.T) {
	s := open(t, bolt.Options{}).Issuer()
	ctx := context.Background()
	bad := "chula\x00x"
	if err := s.CreateList(ctx, issuer.StatusList{Issuer: bad, ID: "1"}); err == nil {
		t.Error("CreateList with a NUL in the issuer name succeeded")
	}
	r := record(1)
	r.Issuer = bad
	if err := s.PutRecord(ctx, r); err == nil {
		t.Error("PutRecord with a NUL in the issuer name succeeded")
	}
	// "chula\x00x" + 0x00 + "1" must not find list "x\x001" of "chula".
	if err := s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "x\x001"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GetList(ctx, bad, "1"); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("GetList: err = %v, want ErrNotFound", err)
	}
	if _, err := s.LatestList(ctx, bad); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("LatestList: err = %v, want ErrNotFound", err)
	}
	if _, err := s.GetRecord(ctx, bad, "1"); !errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("GetRecord: err = %v, want ErrNotFound", err)
	}
	if rs, err := s.ListRecords(ctx, bad, "", 0); err != nil || len(rs) != 0 {
		t.Errorf("ListRecords = %d records, %v; want none", len(rs), err)
	}
}

func TestClosed(t *testing.T) {
	db, err := bolt.Open(filepath.Join(t.TempDir(), "thaitrust.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := db.Issuer()
	db.Close()
	ctx := context.Background()
	if err := s.PutRecord(ctx, record(1)); err == nil {
		t.Error("PutRecord on a closed DB succeeded")
	}
	if _, err := s.GetRecord(ctx, "chula", record(1).ID); err == nil || errors.Is(err, issuer.ErrNotFound) {
		t.Errorf("GetRecord on a closed DB: err = %v, want a non-ErrNotFound error", err)
	}
}
