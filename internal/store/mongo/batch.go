package mongo

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// Group commit. A durable insert costs a round trip and, with w: majority
// and j: true, a journal flush on a majority of the replica set (on
// FerretDB, a SQLite commit). Concurrent inserts into one collection are
// therefore sent together: an insert that finds fewer than maxFlights
// batches in flight sends at once everything queued (itself included, so
// a lone writer waits for nothing); inserts that arrive meanwhile queue up
// and go in the next batch, as one unordered insertMany. Each caller gets
// its own document's outcome: a duplicate key at its index is its
// ErrExists, and does not fail the others.
const (
	maxFlights  = 4
	maxBatch    = 1000
	batchTimout = time.Minute
)

type inserter struct {
	coll *mongo.Collection

	mu      sync.Mutex
	queue   []*insertReq
	flights int
}

type insertReq struct {
	doc  any
	done chan error // buffered: the flusher never blocks
}

// errDuplicate is a caller's duplicate key inside a batch.
var errDuplicate = errors.New("mongo: duplicate key")

func (in *inserter) insert(ctx context.Context, doc any) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &insertReq{doc: doc, done: make(chan error, 1)}
	in.mu.Lock()
	in.queue = append(in.queue, r)
	lead := in.flights < maxFlights
	if lead {
		in.flights++
	}
	in.mu.Unlock()
	if lead {
		in.flush()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		// The insert may still be written: as with any network write,
		// an error leaves the outcome unknown.
		return ctx.Err()
	}
}

// flush sends one batch from the queue, holding a flight; if more is
// queued afterwards, another goroutine takes the flight on, so the caller
// returns after its own batch.
func (in *inserter) flush() {
	in.mu.Lock()
	n := min(len(in.queue), maxBatch)
	if n == 0 {
		in.flights--
		in.mu.Unlock()
		return
	}
	batch := make([]*insertReq, n)
	copy(batch, in.queue)
	in.queue = in.queue[n:]
	in.mu.Unlock()

	in.write(batch)

	in.mu.Lock()
	more := len(in.queue) > 0
	if !more {
		in.flights--
	}
	in.mu.Unlock()
	if more {
		go in.flush()
	}
}

func (in *inserter) write(batch []*insertReq) {
	ctx, cancel := context.WithTimeout(context.Background(), batchTimout)
	defer cancel()
	docs := make([]any, len(batch))
	for i, r := range batch {
		docs[i] = r.doc
	}
	var err error
	if len(docs) == 1 {
		_, err = in.coll.InsertOne(ctx, docs[0])
		if err != nil && mongo.IsDuplicateKeyError(err) {
			err = errDuplicate
		}
		batch[0].done <- err
		return
	}
	_, err = in.coll.InsertMany(ctx, docs, options.InsertMany().SetOrdered(false))
	var bwe mongo.BulkWriteException
	switch {
	case err == nil:
	case errors.As(err, &bwe) && bwe.WriteConcernError == nil:
		// Per-document errors; the other documents were written.
		failed := make(map[int]error, len(bwe.WriteErrors))
		for _, we := range bwe.WriteErrors {
			if isDuplicateCode(we.Code) {
				failed[we.Index] = errDuplicate
			} else {
				failed[we.Index] = fmt.Errorf("mongo: %w", we.WriteError)
			}
		}
		for i, r := range batch {
			r.done <- failed[i]
		}
		return
	default:
		// The command failed, or not durably (write concern error):
		// every caller gets the error.
		for _, r := range batch {
			r.done <- err
		}
		return
	}
	for _, r := range batch {
		r.done <- nil
	}
}

// isDuplicateCode reports a duplicate-key write error code.
func isDuplicateCode(code int) bool { return code == 11000 || code == 11001 || code == 12582 }
