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
// # SD-JWT VC
//
// With Request.Format FormatSDJWT the same validated, completed document,
// with the same status index, is issued as an SD-JWT VC (typ dc+sd-jwt)
// bound to Request.HolderKey (cnf.jwk): vct is schemas.VCT of the type,
// iss the issuer's DID, iat the time of issue, nbf and exp validFrom and
// validUntil; the members of credentialSubject become top-level claims
// (schemas.SDJWTName: the subject id is sub), with evidence; the claims
// schemas.SDJWTDisclosable lists are selectively disclosable, with
// decoys; status is {"status_list": {"idx": <index>, "uri":
// TokenListURL(list)}}. Citizen and foreigner credentials also carry
// age_equal_or_over {"18", "20"}, computed from birthDate at issuance in
// Thai time; each member is present only when certain (a birth year
// alone does not say whether someone born in it is 18 today).
//
// WARNING: age_equal_or_over is true or false as of issuance. A "false"
// goes stale on the holder's birthday; verifiers should treat it as
// "not known to be".
//
// With a HolderKey, a vc+jwt's subject becomes the key's did:key; a
// did:key or did:jwk subject in the request must be that key's.
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
// (Service.StatusListCredential) at a stable URL per list and purpose,
// and, for SD-JWT VCs, as IETF Token Status Lists with 2 bits per index
// (Service.TokenStatusList: 0 valid, 1 revoked, 2 suspended) at
// TokenListURL. A signed list is reused until its bits change or half its
// validity has passed; reserving indexes does not re-sign it.
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
