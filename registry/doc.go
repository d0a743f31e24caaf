// Package registry is ThaiTrust's trust registry: who is accredited by
// whom to do what, since when and until when, with the whole history of
// every change, answered fast and exported as signed trust lists.
//
// # Entities and accreditations
//
// An [Entity] is an organisation: a scheme operator (ETDA), an
// accreditation body (a ministry), an issuer (a university), an identity
// provider (ThaID, a bank), an authoritative source (DOPA, DBD) or a
// verifier. It has a stable slug id, identifiers (DIDs, X.509 SHA-256
// fingerprints; no two entities share one), names in Thai and English, a
// jurisdiction and a status.
//
// An [Accreditation] lets its subject act in a [Role] within a [Scope]
// for a validity period: issue (or, for authoritative sources, issue from
// their registers) credentials of listed types; accredit others for
// listed types; or, for identity providers, proof identities up to a
// maximum [IAL] and authenticate up to a maximum [AAL] (decimal levels
// with a total order, as STANDARDS.md requires). Its scope and period
// never change; only its status does. Each accreditation carries the
// signed AccreditationCredential (IdPAccreditationCredential for identity
// providers) its accreditor issued, as vc+jwt.
//
// # Chains
//
// The root is the scheme operator named by Config.Root. It accredits
// accreditation bodies (role accreditor) and issuers directly; an
// accreditation body accredits issuers, and further accreditors, only for
// types within its own scope and only within its own period (Accredit
// refuses anything wider). An answer is positive only if every link up to
// the root is valid and active at the time asked about: suspending a
// ministry's accreditation suspends, in effect, the universities it
// accredited. Identity providers are accredited by the root only.
//
// [ValidateChain] checks a chain of credentials offline, with the root's
// pinned key: signatures, validity at a time, that each link is issued
// by the previous link's subject, and that scope only narrows.
//
// # Time
//
// Every status change has an EffectiveFrom: it sets the status from that
// instant on, replacing whatever earlier changes said about later
// instants. Changes are recorded now but may take effect later (a
// scheduled suspension) or earlier (a retroactive withdrawal). The
// resulting timeline is what queries consult: "was X authorized at T" is
// answered with everything known now about T.
//
// The rule for withdrawal: a credential is judged at its issuance time
// (validFrom). A credential issued while its issuer was accredited stays
// trusted after an ordinary withdrawal (EffectiveFrom = now): the
// graduates of a university that closed keep valid degrees. A withdrawal
// for cause sets EffectiveFrom to the first moment the issuer can no
// longer be trusted (possibly the start of its accreditation), and every
// credential issued since then fails (reason accreditation_withdrawn or
// entity_withdrawn). Withdrawal is final; a suspension can be lifted
// (reinstated).
//
// The in-memory index keeps every entity and accreditation with its
// timeline; an authorization query is a few map lookups and one binary
// search per link (p50 about 5 µs, p99 well under 1 ms with 100,000
// entities and 1,000,000 history events; see bench_test.go).
//
// # History
//
// Every change is an [Event] in an append-only history: sequence number,
// time, the administrator (actor) who made it, the action, the object's
// id, the reason, and the object's complete new state; each event's hash
// is SHA-256 over a canonical encoding of those fields and the previous
// event's hash. [Verify] walks the chain and reports the first broken
// link ([ChainError]), and checks that the stored current objects are
// the states their last events recorded. Changes go through a [Service]
// and need an authenticated actor: the Service refuses an empty one
// ([ErrUnauthenticated]); the HTTP layer authenticates administrators
// with bearer tokens and passes their client id.
//
// Because each event carries the whole new state, the current objects are
// a function of the history. A [Store] appends the event and stores the
// object atomically: in one transaction where it has transactions
// (bbolt), or, with single-document operations only (MongoDB), by making
// the insert of the event (unique on its sequence number) the commit
// point and the object a cache repaired from the log. See [Store].
//
// # Queries
//
// [Service.Authorize] answers the TRQP authorization query (may entity X
// perform action A on resource R, under authority Z, at time T) with the
// evidence: the deciding accreditation and its chain. [Service.Recognize]
// answers the recognition query (does this registry recognise authority
// Z). [Service.TrustIssuer] implements verifier.IssuerTrust.
// [Service.CheckEvidence] checks an identity credential's evidence (IdP,
// IAL, AAL, proofedAt) against the IdP's accreditation and a policy's
// minimums.
//
// # Trust lists
//
// [Service.Export] signs the registry as a JSON trust list (JWS, typ
// trustlist+jwt) modelled on ETSI TS 119 602: scheme information
// (operator, territory, sequence number, issue time, next update) and
// every entity with its public keys and accreditations with their status
// histories. [LoadTrustList] verifies such a list with the operator's
// pinned key and returns a [TrustList], an offline registry that also
// resolves the listed keys: a verifier with no network can verify
// credentials of listed issuers. [Service.ExportXML] writes an ETSI TS
// 119 612 list. [Service.Import] and [Service.ImportXML] record a foreign
// list's entities as recognised for stated credential types: the root
// accredits the foreign operator as an accreditor for those types only.
//
// # Hazards
//
// WARNING: an issuer chooses its credentials' validFrom. A withdrawn
// issuer whose key still works can backdate credentials to a time it was
// accredited. Withdraw for cause with an EffectiveFrom that covers the
// suspect period, and have the issuer's key removed from its DID.
//
// WARNING: accreditation credentials carry no status list. A chain that
// ValidateChain accepts may have been suspended or withdrawn since; ask
// the registry, or load a fresh trust list, for status.
//
// WARNING: 119 612 XML is exported unsigned and imported without
// checking its XAdES signature (ImportXML requires
// ImportOptions.UnsafeUnsignedXML). Exchange XML lists over authenticated
// channels; prefer the signed JSON list.
//
// WARNING: a stale trust list (past NextUpdate) is refused unless
// ListPolicy.AllowStale. Allowing it means trusting withdrawals the list
// does not yet show.
//
// WARNING: a Service caches the registry in memory. Other processes
// writing to the same Store are seen only after Service.Sync (or when a
// write of this Service conflicts with theirs). Run one writer, or call
// Sync periodically on the others.
//
// WARNING: a foreign list never takes over an identifier held by another
// entity (such identifiers are skipped and reported), and foreign
// entities are never republished in this registry's own lists.
package registry
