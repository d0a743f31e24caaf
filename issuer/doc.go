// Package issuer issues W3C Verifiable Credentials for one issuing
// institution (an issuer profile) and manages their status.
//
// # Issuing
//
// Service.Issue takes an unsigned credential document whose type names a
// credential type of the catalogue (package schemas) that the profile may
// issue. The issuer completes the envelope (id, issuer, validFrom,
// validUntil, credentialSchema), validates the structure (package
// credential) and the claims (package schemas), allocates a status-list
// index, adds one credentialStatus entry per purpose (revocation and
// suspension), signs the result as vc+jwt (package credential/jose) and
// records it. Issue returns only after the record is durable.
//
// Unless the request sets it, validUntil is the earlier of validFrom plus
// the type's default validity and the end of the expiry date of the
// document the credential is about (for a ThaiCitizenCredential,
// credentialSubject.card.expiryDate, in Thai time; a card that has
// expired is refused). A credentialSchema in the request may name only
// the type's own schema.
//
// # Status lists
//
// Each profile owns a sequence of status lists (issuer.StatusList): a pair
// of bitstrings of at least 131,072 entries. Indexes are handed out in a
// pseudo-random order (status.Permute over a persisted counter) so that a
// credential's index says nothing about when it was issued or who else
// was issued one nearby. Counters are reserved from the store in blocks
// before use; a crash loses at most the unused rest of a block and never
// hands out an index twice, also across several processes sharing one
// store.
//
// Lists are published as signed BitstringStatusListCredentials
// (Service.StatusListCredential) at a stable URL per list and purpose. A
// signed list is reused until its bits change or half its validity has
// passed; reserving indexes does not re-sign it.
//
// Issue and Prepare never modify the request's document, and what they
// return shares no memory with it.
//
// # Records
//
// The issuer records the id, type, subject id, status index and dates of
// every credential. It keeps the signed credential itself only when
// Config.KeepCredentials is set.
//
// WARNING: revocation is permanent. A suspended credential can be
// reinstated; a revoked one cannot.
package issuer
