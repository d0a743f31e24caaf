package bolt

import (
	"context"
	"fmt"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/issuer"
)

// Export: walks over everything a domain holds, for copying a data file
// to another backend (thaitrust store migrate). The store interfaces have
// no "list everything" methods because the services never need them.
//
// Each walk reads in batches of exportBatch entries, each batch in its own
// read transaction, and calls fn outside it, so that a slow fn (a network
// write) holds no transaction open. Run it on a file no one writes to
// (migrate opens the data file, which locks out a server).

const exportBatch = 512

// walkKeys visits the keys and values of the bucket at path (nil: the
// walk is empty) in key order, batch by batch. fn gets copies.
func (db *DB) walkKeys(ctx context.Context, path [][]byte, fn func(k, v []byte) error) error {
	var after []byte
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		type kv struct{ k, v []byte }
		var batch []kv
		err := db.bolt.View(func(tx *bbolt.Tx) error {
			b := tx.Bucket(path[0])
			for _, p := range path[1:] {
				if b == nil {
					break
				}
				b = b.Bucket(p)
			}
			if b == nil {
				return nil
			}
			c := b.Cursor()
			k, v := c.First()
			if after != nil {
				if k, v = c.Seek(after); k != nil && string(k) == string(after) {
					k, v = c.Next()
				}
			}
			for ; k != nil && len(batch) < exportBatch; k, v = c.Next() {
				batch = append(batch, kv{append([]byte(nil), k...), append([]byte(nil), v...)})
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, e := range batch {
			if err := fn(e.k, e.v); err != nil {
				return err
			}
		}
		if len(batch) < exportBatch {
			return nil
		}
		after = batch[len(batch)-1].k
	}
}

// IssuerLists calls fn with every status list in the file, ordered by
// issuer, then id. An error from fn stops the walk and is returned.
func (db *DB) IssuerLists(ctx context.Context, fn func(issuer.StatusList) error) error {
	return db.walkKeys(ctx, [][]byte{bucketIssuer, bucketLists}, func(k, _ []byte) error {
		var l issuer.StatusList
		err := db.bolt.View(func(tx *bbolt.Tx) error {
			var (
				ok  bool
				err error
			)
			l, ok, err = getList(tx, k)
			if err == nil && !ok {
				err = fmt.Errorf("bolt: status list %q vanished during export", k)
			}
			return err
		})
		if err != nil {
			return err
		}
		return fn(l)
	})
}

// IssuerRecords calls fn with every issuance record in the file, ordered
// by issuer, then id.
func (db *DB) IssuerRecords(ctx context.Context, fn func(issuer.Record) error) error {
	return db.walkKeys(ctx, [][]byte{bucketIssuer, bucketRecords}, func(_, v []byte) error {
		r, err := decodeRecord(v)
		if err != nil {
			return err
		}
		return fn(r)
	})
}

// FVSTemplates calls fn with every enrolled template, ordered by subject
// key. A file whose FVS was never used has none.
func (db *DB) FVSTemplates(ctx context.Context, fn func(fvs.TemplateRecord) error) error {
	s := db.FVS()
	return db.walkKeys(ctx, [][]byte{bucketFVS, bucketFVSTemplates}, func(k, _ []byte) error {
		var sub fvs.SubjectKey
		if len(k) != len(sub) {
			return fmt.Errorf("bolt: fvs template key of %d bytes", len(k))
		}
		copy(sub[:], k)
		r, err := s.GetTemplate(ctx, sub)
		if err != nil {
			return err
		}
		return fn(r)
	})
}
