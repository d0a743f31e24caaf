// Package mongo is ThaiTrust's networked storage backend, on MongoDB (Go
// driver v2), for deployments that outgrow one machine: several ThaiTrust
// replicas share one replica set (or sharded cluster).
//
//	db, err := mongo.Open(ctx, "mongodb://app:secret@db1,db2,db3/thaitrust?replicaSet=rs0&tls=true", mongo.Options{})
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	var store issuer.Store = db.Issuer()
//
// The stores it hands out (Issuer, Registry, OID4VCI, FVS) pass the same
// conformance suites as the embedded backend (issuertest.TestStore,
// registrytest.TestStore, oid4vcitest.TestStore, fvstest.TestStore). TLS and
// authentication are configured in the URI; the database is the URI's
// path, Options.Database, or "thaitrust".
//
// # Correct without transactions
//
// Nothing here uses multi-document transactions, change streams or TTL
// indexes. Every decision that concurrent writers may race for is made by
// inserting one document under a unique _id: the storage engine lets
// exactly one insert of a key succeed and fails the others with a
// duplicate-key error (E11000). That is the one single-document atomic
// operation that MongoDB and FerretDB both honour; see "FerretDB" for why
// conditional updates are not used as commit points.
//
// A writer that loses a race re-reads and retries (UpdateList, with
// jittered backoff, up to 64 times before issuer.ErrConflict) or reports
// the conflict (registry Append: registry.ErrConflict, which the registry
// Service resolves). A writer whose insert succeeded but whose reply was
// lost recognises its own document (a random writer id, or the event
// hash) instead of reporting a conflict.
//
// # Collections
//
//	meta                 _id: domain name            {v: schema version}
//	issuer_lists         _id: issuer NUL list id     list document (bitstrings as BSON binary)
//	                     index issuer_seq {issuer: 1, seq: -1}: LatestList
//	issuer_list_changes  _id: issuer NUL list id NUL version (20 digits)
//	                                                 one committed UpdateList
//	issuer_records       _id: issuer NUL credential id
//	                                                 issuance record
//	registry_events      _id: Seq (int64)            history event (state as binary, byte for byte)
//	                     index kind_subject_seq {kind: 1, subject: 1, _id: 1}: SubjectEvents
//	registry_objects     _id: kind NUL id NUL Seq (20 digits)
//	                                                 object version written by event Seq
//	oid4vci_offers       _id: issuer NUL offer id    offer document
//	oid4vci_offer_changes _id: issuer NUL offer id NUL version (20 digits)
//	                                                 one committed UpdateOfferByCode (the whole offer)
//	oid4vci_codes        _id: issuer NUL code hash   {offer: id}: the code's claim
//	oid4vci_tickets      _id: issuer NUL kind NUL hash
//	                                                 access token or c_nonce
//	                     index expires_at on the four: DeleteExpired
//	fvs_keyring          _id: "keyring"              wrapped index key
//	fvs_templates        _id: subject (hex) NUL slot (20 digits)
//	                                                 one enrolment or deletion of a subject
//	fvs_audit            _id: Seq (int64)            audit entry
//	oid4vp_requests      _id: request id             presentation request (nonce, state, status, result)
//	oid4vp_request_changes _id: request id NUL version (20 digits)
//	                                                 one committed UpdateRequest (the whole request)
//	                     index expires_at on both: DeleteExpired
//	delegation_drafts    _id: draft id               delegation draft (signers, body, approvals; grant as JSON)
//	delegation_draft_changes _id: draft id NUL version (20 digits)
//	                                                 one committed UpdateDraft (the whole draft)
//
// Issuer names and registry ids may not contain NUL (writes reject them),
// so a key's first NUL ends the issuer name and issuer+NUL is a prefix no
// other issuer's keys share. The _id of issuer_records is the unique
// index on (issuer, credential id): a second insert of a record is a
// duplicate key, which PutRecord returns as issuer.ErrExists, and
// ListRecords is a backward scan of that index from issuer NUL before.
//
// Every document carries "v", its schema version (1), checked on every
// read; the meta collection holds each domain's version, recorded or
// checked by Open, which refuses (ErrIncompatible) a database written by
// a newer schema. Open also creates the indexes; both steps are
// idempotent, so replicas may start together. Times are BSON datetimes
// (milliseconds, UTC); a zero time is an absent field. Counters are int64.
//
// # Issuer
//
// A status list lives in issuer_lists, with Version. UpdateList reads the
// list, applies fn, and commits by inserting the change (the list's
// scalar fields after it, and its bitstrings as spans of changed bytes,
// or whole) into issuer_list_changes under (list, Version+1). Only then
// does it update the list document, with a filter on the version it read.
// The change is the truth; the list document is a snapshot of some
// version. A reader (GetList, LatestList, UpdateList) reads the document
// and then looks up the change to the next version, applying changes until
// there is none: usually one point lookup that finds nothing. So a writer
// that dies between the two writes leaves a committed change that every
// reader sees, and the next update writes the whole current state back.
//
// Within one process, updates of a list are serialised and the state it
// last committed is kept: the next update guesses from it without reading,
// and a guess made stale by another replica fails its insert and is
// redone from the database. This keeps replicas' races to the few
// updates that really interleave (index reservations, one per 128
// credentials by default, and status changes).
//
// Concurrent PutRecords are group-committed: an insert that finds fewer
// than four batches in flight sends everything queued at once (itself
// included: a lone writer waits for nothing), and the inserts that arrive
// meanwhile go together in the next batch, one unordered insertMany. Each
// caller gets its own document's outcome (a duplicate key at its index is
// its ErrExists). Acknowledgement still waits for w: majority, j: true;
// the batch shares that wait. Through FerretDB this raised issuance from
// about 225 to about 1,200 credentials a second (BenchmarkIssue).
//
// issuer_list_changes grows by one small document (about 200 bytes plus
// the changed bytes) per reservation and per status change; it is also
// the history of the list. Changes below the version of a list document
// may be deleted once no writer can still be updating that document (an
// hour later is ample); nothing here deletes them.
//
// # Registry
//
// The registry's history is registry_events, keyed by Seq: Append reads
// the head, checks Seq and PrevHash, and inserts the event; a second
// writer of the same Seq gets a duplicate key (registry.ErrConflict). The
// object the event carries is then inserted as an immutable version in
// registry_objects. Appends first make sure the head's object version is
// there, so at most the head's may be missing; Entity, Accreditation and
// the walks insert it when it is. An object's current state is its
// highest version, found by a backward scan of the _id index over the
// object's prefix; Entities and Accreditations scan the kind's prefix
// forward and call fn with each object's last version, in id order.
//
// # OpenID4VCI
//
// Offers are updated like status lists: the change (here the whole offer)
// is inserted under (offer, version + 1), then the offer document is
// replaced; readers roll forward. CreateOffer first inserts the code's
// claim, (issuer, code hash) being unique, then the offer, and releases
// the claim if the offer's id is taken. A ticket is taken by reading it
// (tickets never change) and deleting it by _id: only the delete that
// removed the document reports a deleted count of 1, so of concurrent
// takes of one nonce or token exactly one succeeds, on FerretDB as well
// (it takes the count from SQLite's DELETE). DeleteExpired deletes
// expired tickets, and offers expired in their current state with their
// claim and changes; there are no TTL indexes.
//
// # FVS
//
// A subject's template is a series of immutable slots, _id subject NUL
// slot: each enrolment or deletion inserts the next slot (the insert
// decides concurrent writers) and the highest slot is the current state,
// a deletion slot meaning none. The slots below are then stripped of the
// template (wrapped key, nonce, ciphertext, model) but kept: deleting
// them would let a writer with a stale read insert a used slot number
// again and lose its write (the replicas test caught exactly that). The
// audit log is keyed by Seq: an append inserts head + 1, and a taken Seq
// sends it back to read the head; a process serialises its own appends and
// remembers the head.
//
// # Durability
//
// Every operation uses write concern {w: "majority", j: true}, read
// concern "majority" and read preference primary, whatever the URI says.
//
//   - w: majority: a write is acknowledged only once a majority of the
//     replica set holds it, so it survives the loss of the primary: a
//     failover cannot roll back an acknowledged issuance record, status
//     change or registry event. With w: 1 it could, and a credential
//     would be in a holder's hands with no record or with a status index
//     that is handed out again.
//   - j: true: each of those members has written it to its on-disk
//     journal, so it also survives all of them losing power at once
//     (the embedded backend's fsync-before-acknowledge promise).
//   - read concern majority: reads return only majority-committed data,
//     which no failover can undo, so no one publishes a revocation, or
//     reserves indexes after a counter, that may then vanish.
//   - primary reads: a secondary may lag, and a verifier or a replica
//     must see a revocation as soon as it is acknowledged.
//
// A standalone server (majority of one) and FerretDB accept these
// concerns.
//
// # FerretDB
//
// Tests run on FerretDB v1 with its SQLite handler (package mongotest),
// because no mongod can be installed here. Three of its limits shape this
// package:
//
//   - Updates are not atomic. FerretDB evaluates an update's filter on a
//     document it has read and then writes the whole document back by
//     _id; two updateOne({_id, version: 5}) calls can both match. With 8
//     concurrent writers, 400 version-checked updates all "succeeded"
//     and the version rose by 58; 400 $inc of one field added 51. Hence
//     inserts as commit points, and list documents that are only
//     snapshots: a late write on FerretDB may put an older snapshot back,
//     which readers roll forward like any lagging document. (MongoDB's
//     conditional updates are atomic; the design costs it one small
//     insert per update and gives it a change history.)
//   - Only a filter that is exactly {_id: string} is pushed down to
//     SQLite; every other query reads the whole collection. The hot
//     paths (GetList, GetRecord, the next-change lookup, PutRecord) are
//     point operations on _id; ListRecords, LatestList and the registry
//     scans are index scans on MongoDB and full scans on FerretDB, which
//     is fine for tests and not for production.
//   - No multi-document transactions, change streams or TTL indexes:
//     none is used.
//
// WARNING: issuer_lists and issuer_list_changes hold each list's
// permutation key, which must stay secret, and issuer_records holds the
// signed credentials when KeepCredentials is on. Give ThaiTrust's
// database user readWrite on its database only, require TLS and
// authentication, and treat backups accordingly.
package mongo
