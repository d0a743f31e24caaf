package mongo

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/readconcern"
	"go.mongodb.org/mongo-driver/v2/mongo/readpref"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/connstring"

	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/registry"
)

// DefaultDatabase is the database used when neither the URI's path nor
// Options.Database names one.
const DefaultDatabase = "thaitrust"

// DefaultConnectTimeout bounds Open when Options.ConnectTimeout is zero.
const DefaultConnectTimeout = 30 * time.Second

var (
	// ErrIncompatible reports that the database holds data written by a
	// newer ThaiTrust with a schema this version does not know.
	ErrIncompatible = errors.New("mongo: incompatible database")
	// ErrURI reports a connection string that is not a mongodb:// or
	// mongodb+srv:// URI, or that the driver rejects.
	ErrURI = errors.New("mongo: invalid connection string")
)

// Options configures Open. The zero value is ready to use.
type Options struct {
	// Database is the database name. Zero: the URI's path
	// (mongodb://host/NAME), and DefaultDatabase if that is empty too.
	Database string
	// ConnectTimeout bounds Open: connecting, finding a primary, and
	// creating indexes. Zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// AppName is reported to the server (visible in its logs and
	// currentOp). Zero: "thaitrust".
	AppName string
}

// DB is a connection to one database. It is safe for concurrent use; open
// one per process and share it.
type DB struct {
	client *mongo.Client
	db     *mongo.Database
	name   string
	hosts  string // for messages; never the full URI, which may hold a password

	// records group-commits issuance record inserts (batch.go).
	records *inserter

	// slots serialise this process's updates of each status list and
	// remember the state it last committed (see issuerStore.UpdateList).
	slotsMu sync.Mutex
	slots   map[string]*listSlot

	// regMu serialises this process's registry appends (they all compete
	// for the next Seq); regApplied is the highest Seq whose object
	// version this process wrote or saw written.
	regMu      sync.Mutex
	regApplied int64

	// auditMu serialises this process's FVS audit appends; auditHead is
	// the last Seq it knows of, when auditKnown.
	auditMu    sync.Mutex
	auditHead  int64
	auditKnown bool
}

// IsURI reports whether s is a MongoDB connection string (by its scheme).
func IsURI(s string) bool {
	return strings.HasPrefix(s, "mongodb://") || strings.HasPrefix(s, "mongodb+srv://")
}

// Open connects to the deployment named by uri, checks that a primary is
// reachable, creates the collections' indexes (idempotently) and checks
// or records each domain's schema version.
//
// TLS, authentication, the replica set name and other connection settings
// come from the URI (tls=true, tlsCAFile=..., authSource=...,
// replicaSet=...). Read and write concerns in the URI are overridden: see
// the package documentation, "Durability".
func Open(ctx context.Context, uri string, opts Options) (*DB, error) {
	if !IsURI(uri) {
		return nil, fmt.Errorf("%w: want mongodb:// or mongodb+srv://", ErrURI)
	}
	cs, err := connstring.Parse(uri)
	if err != nil {
		// The driver's message may quote the URI; ours does not.
		return nil, fmt.Errorf("%w: %s", ErrURI, redact(err.Error(), uri))
	}
	name := opts.Database
	if name == "" {
		name = cs.Database
	}
	if name == "" {
		name = DefaultDatabase
	}
	hosts := strings.Join(cs.Hosts, ",")
	if opts.ConnectTimeout <= 0 {
		opts.ConnectTimeout = DefaultConnectTimeout
	}
	if opts.AppName == "" {
		opts.AppName = "thaitrust"
	}
	co := options.Client().ApplyURI(uri).
		SetAppName(opts.AppName).
		SetServerSelectionTimeout(opts.ConnectTimeout).
		SetReadPreference(readpref.Primary()).
		SetReadConcern(readConcern()).
		SetWriteConcern(writeConcern())
	client, err := mongo.Connect(co)
	if err != nil {
		return nil, fmt.Errorf("mongo: connect to %s: %s", hosts, redact(err.Error(), uri))
	}
	db := &DB{
		client: client,
		db: client.Database(name, options.Database().
			SetReadConcern(readConcern()).
			SetWriteConcern(writeConcern()).
			SetReadPreference(readpref.Primary())),
		name:  name,
		hosts: hosts,
		slots: map[string]*listSlot{},
	}
	db.records = &inserter{coll: db.db.Collection(collRecords)}
	ctx, cancel := context.WithTimeout(ctx, opts.ConnectTimeout)
	defer cancel()
	if err := db.Ping(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := db.init(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("mongo: %s/%s: %w", hosts, name, err)
	}
	return db, nil
}

// readConcern and writeConcern are the concerns of every operation; see
// the package documentation, "Durability".
func readConcern() *readconcern.ReadConcern { return readconcern.Majority() }

func writeConcern() *writeconcern.WriteConcern {
	j := true
	return &writeconcern.WriteConcern{W: writeconcern.WCMajority, Journal: &j}
}

// redact removes the URI (which may hold a password) from a message.
func redact(msg, uri string) string {
	return strings.ReplaceAll(msg, uri, "<uri>")
}

// Close disconnects, waiting up to 10 seconds for operations in progress.
func (db *DB) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := db.client.Disconnect(ctx); err != nil {
		return fmt.Errorf("mongo: disconnect from %s: %w", db.hosts, err)
	}
	return nil
}

// Ping reports whether the deployment's primary is reachable: the health
// check. Without a primary no write can be acknowledged.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.client.Ping(ctx, readpref.Primary()); err != nil {
		return fmt.Errorf("mongo: %s unreachable: %w", db.hosts, err)
	}
	return nil
}

// Name returns the database name.
func (db *DB) Name() string { return db.name }

// Hosts returns the deployment's seed hosts, comma-separated (for
// messages: it holds no credentials).
func (db *DB) Hosts() string { return db.hosts }

// Issuer returns the issuer domain's store.
func (db *DB) Issuer() issuer.Store { return &issuerStore{db: db} }

// Registry returns the registry domain's store.
func (db *DB) Registry() registry.Store { return &registryStore{db: db} }

// Collections, by domain; see the package documentation.
const (
	collMeta           = "meta"
	collLists          = "issuer_lists"
	collListChanges    = "issuer_list_changes"
	collRecords        = "issuer_records"
	collRegistryEvents = "registry_events"
	collRegistryObjs   = "registry_objects"
	collOffers         = "oid4vci_offers"
	collOfferChanges   = "oid4vci_offer_changes"
	collOfferCodes     = "oid4vci_codes"
	collTickets        = "oid4vci_tickets"
	collFVSKeyring     = "fvs_keyring"
	collFVSTemplates   = "fvs_templates"
	collFVSAudit       = "fvs_audit"
	collVPRequests     = "oid4vp_requests"
	collVPChanges      = "oid4vp_request_changes"
	collDrafts         = "delegation_drafts"
	collDraftChanges   = "delegation_draft_changes"
)

// Schema versions: each domain's, recorded in the meta collection, and the
// "v" of every document it writes. A reader refuses documents of a newer
// version.
const (
	issuerVersion     = 1
	registryVersion   = 1
	oid4vciVersion    = 1
	fvsVersion        = 1
	oid4vpVersion     = 1
	delegationVersion = 1
)

// domain is one domain's schema version and indexes.
type domain struct {
	name    string
	version int
	indexes map[string][]mongo.IndexModel // collection -> indexes
}

var domains = []domain{
	{name: "issuer", version: issuerVersion, indexes: map[string][]mongo.IndexModel{
		// LatestList: the issuer's lists by Seq, highest first.
		collLists: {{Keys: bson.D{{Key: "issuer", Value: 1}, {Key: "seq", Value: -1}}, Options: options.Index().SetName("issuer_seq")}},
	}},
	{name: "registry", version: registryVersion, indexes: map[string][]mongo.IndexModel{
		// SubjectEvents: one object's events in Seq order.
		collRegistryEvents: {{Keys: bson.D{{Key: "kind", Value: 1}, {Key: "subject", Value: 1}, {Key: "_id", Value: 1}}, Options: options.Index().SetName("kind_subject_seq")}},
	}},
	{name: "oid4vci", version: oid4vciVersion, indexes: map[string][]mongo.IndexModel{
		// DeleteExpired.
		collOffers:       {expiresIndex},
		collOfferChanges: {expiresIndex},
		collOfferCodes:   {expiresIndex},
		collTickets:      {expiresIndex},
	}},
	// The FVS uses only _id: templates by subject and slot, the audit
	// log by Seq.
	{name: "fvs", version: fvsVersion},
	{name: "oid4vp", version: oid4vpVersion, indexes: map[string][]mongo.IndexModel{
		collVPRequests: {expiresIndex}, // DeleteExpired
		collVPChanges:  {expiresIndex},
	}},
	// Delegation drafts are read by _id only (a change by draft id and
	// version); they do not expire.
	{name: "delegation", version: delegationVersion},
}

var expiresIndex = mongo.IndexModel{Keys: bson.D{{Key: "expires_at", Value: 1}}, Options: options.Index().SetName("expires_at")}

// init records or checks the schema version of every domain and creates
// their indexes. Both are idempotent, so replicas starting together do
// not conflict.
func (db *DB) init(ctx context.Context) error {
	meta := db.db.Collection(collMeta)
	for _, d := range domains {
		_, err := meta.InsertOne(ctx, bson.D{{Key: "_id", Value: d.name}, {Key: "v", Value: d.version}})
		if err != nil && !mongo.IsDuplicateKeyError(err) {
			return fmt.Errorf("schema version of %s: %w", d.name, err)
		}
		var doc struct {
			V int `bson:"v"`
		}
		if err := meta.FindOne(ctx, bson.D{{Key: "_id", Value: d.name}}).Decode(&doc); err != nil {
			return fmt.Errorf("schema version of %s: %w", d.name, err)
		}
		if doc.V > d.version {
			return fmt.Errorf("%w: %s schema version %d is newer than this program's %d", ErrIncompatible, d.name, doc.V, d.version)
		}
		// Older versions would be migrated here; version 1 is the first.
		for coll, ixs := range d.indexes {
			if _, err := db.db.Collection(coll).Indexes().CreateMany(ctx, ixs); err != nil {
				return fmt.Errorf("indexes of %s: %w", coll, err)
			}
		}
	}
	return nil
}

// Commit-point retries: a compare-and-swap that loses a race re-reads and
// tries again, up to maxAttempts times with a jittered, growing pause.
const (
	maxAttempts = 64
	minBackoff  = 200 * time.Microsecond
	maxBackoff  = 20 * time.Millisecond
)

// backoff waits before attempt (0-based) and reports ctx's error.
func backoff(ctx context.Context, attempt int) error {
	if attempt == 0 {
		return ctx.Err()
	}
	d := minBackoff << min(attempt, 10)
	d = min(d, maxBackoff)
	d = d/2 + rand.N(d/2+1)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// isNotFound reports whether err is the driver's "no document".
func isNotFound(err error) bool { return errors.Is(err, mongo.ErrNoDocuments) }

// Times are stored as BSON datetimes (millisecond precision, UTC); the
// zero time is stored as an absent field.

func date(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func undate(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// Unsigned counters are stored as BSON int64.

func toInt64(what string, u uint64) (int64, error) {
	if u > 1<<63-1 {
		return 0, fmt.Errorf("mongo: %s %d does not fit a BSON int64", what, u)
	}
	return int64(u), nil
}

func toUint64(what string, i int64) (uint64, error) {
	if i < 0 {
		return 0, fmt.Errorf("mongo: corrupt document: negative %s %d", what, i)
	}
	return uint64(i), nil
}
