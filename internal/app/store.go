package app

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/internal/store/mongo"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// EnvStore names the environment variable with the store URI when no
// --store flag gives one.
const EnvStore = "THAITRUST_STORE"

// Store is the database a server runs on: every domain's store, a health
// check and Close. OpenStore opens one by URI.
type Store interface {
	Issuer() issuer.Store
	Registry() registry.Store
	OID4VCI() oid4vci.Store
	FVS() fvs.Store
	OID4VP() oid4vp.Store
	Delegation() delegation.Store
	// Ping reports whether the database is reachable and usable: the
	// health check.
	Ping(ctx context.Context) error
	Close() error
}

var (
	_ Store = boltStore{}
	_ Store = (*mongo.DB)(nil)
)

// StoreSchemeError reports a store URI whose scheme no backend serves.
type StoreSchemeError struct {
	Scheme string
}

func (e *StoreSchemeError) Error() string {
	return fmt.Sprintf("app: no store backend for scheme %q (use bolt:PATH, mongodb:// or mongodb+srv://, or nothing for %s in the data directory)", e.Scheme, StoreFile)
}

// OpenStore opens the store named by uri:
//
//   - "": the embedded file StoreFile in dataDir;
//   - "bolt:PATH": the embedded file at PATH (relative to dataDir);
//   - "mongodb://..." or "mongodb+srv://...": MongoDB (internal/store/mongo),
//     TLS and authentication as the URI says, database from its path
//     (default "thaitrust").
//
// Any other scheme is a *StoreSchemeError.
func OpenStore(ctx context.Context, dataDir, uri string) (Store, error) {
	switch {
	case uri == "":
		return openBolt(filepath.Join(dataDir, StoreFile))
	case strings.HasPrefix(uri, "bolt:"):
		p := strings.TrimPrefix(uri, "bolt:")
		if p == "" {
			return nil, fmt.Errorf("app: store %q names no file", uri)
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dataDir, p)
		}
		return openBolt(p)
	case mongo.IsURI(uri):
		db, err := mongo.Open(ctx, uri, mongo.Options{})
		if err != nil {
			return nil, err
		}
		return db, nil
	}
	scheme, _, _ := strings.Cut(uri, ":")
	return nil, &StoreSchemeError{Scheme: scheme}
}

func openBolt(path string) (Store, error) {
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return nil, err
	}
	return boltStore{db}, nil
}

// DescribeStore returns a one-line description of a store URI for logs
// and messages: the backend and where, never credentials.
func DescribeStore(dataDir, uri string) string {
	switch {
	case uri == "":
		return "embedded file " + filepath.Join(dataDir, StoreFile)
	case strings.HasPrefix(uri, "bolt:"):
		p := strings.TrimPrefix(uri, "bolt:")
		if !filepath.IsAbs(p) {
			p = filepath.Join(dataDir, p)
		}
		return "embedded file " + p
	case mongo.IsURI(uri):
		return "MongoDB " + mongoWhere(uri)
	}
	scheme, _, _ := strings.Cut(uri, ":")
	return "unknown store (" + scheme + ")"
}

// mongoWhere is the hosts and database of a MongoDB URI, without the user
// information or the options (which may hold secrets).
func mongoWhere(uri string) string {
	rest := uri[strings.Index(uri, "://")+3:]
	if i := strings.LastIndexByte(strings.SplitN(rest, "/", 2)[0], '@'); i >= 0 {
		rest = rest[i+1:]
	}
	rest, _, _ = strings.Cut(rest, "?")
	return rest
}

// StoreHealth pings the store with a short deadline (2 s), for health
// checks: a replica that cannot reach its database must say so, so that
// the load balancer sends requests elsewhere.
func StoreHealth(ctx context.Context, s Store) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	return s.Ping(ctx)
}

// boltStore adapts *bolt.DB to Store (its Ping takes no context).
type boltStore struct{ *bolt.DB }

func (b boltStore) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return b.DB.Ping()
}
