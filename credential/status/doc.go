// Package status implements W3C Bitstring Status List v1.0: the bitstrings
// an issuer publishes to revoke or suspend credentials, the entries that
// point credentials at them, and a Checker that verifiers use to read them.
// It also implements the IETF Token Status List
// (draft-ietf-oauth-status-list), which SD-JWT VCs use: see "Token Status
// Lists" below.
//
// # Model
//
// A status list is a Bitstring of at least MinSize (131,072) bits. Each
// credential that can be revoked (or suspended) is given one index in a
// list; setting the bit at that index revokes (suspends) it. The issuer
// publishes the list as a signed BitstringStatusListCredential (built by
// ListCredential) whose credentialSubject carries the bits as encodedList
// (see Bitstring.Encode), and puts a BitstringStatusListEntry (built by
// Entry) into each credential's credentialStatus.
//
// # Allocation privacy
//
// A verifier fetching a list learns nothing about which credential it
// checks beyond the list's URL, and everyone can read every bit. For that
// to give "herd privacy", lists must be large (hence MinSize) and indexes
// must not reveal when a credential was issued or which credentials were
// issued together. Allocate indexes with Permute over a persisted counter:
// index = Permute(key, n, counter), with a random secret key per list. The
// permutation never repeats an index, so no index is reused however the
// counter advances, and without the key the order looks random.
//
// WARNING: never derive an index from the credential (a hash of its id,
// say) and never allocate sequentially; both leak issuance order or let
// anyone find a given credential's bit. Never reuse a counter value, and
// never change a list's key or size while allocating from it: that would
// hand out indexes already in use.
//
// # Checking and caching
//
// Checker.Check fetches the list credential named by an entry (through
// Checker.Fetch), verifies its proof (Checker.Verify), checks that it is a
// BitstringStatusListCredential within its validity period, that its id is
// the URL the entry names, that it was issued by the credential's issuer,
// that it serves the entry's statusPurpose and that the index is inside
// it, and returns the bit in a Result. Every failure is an *Error with a
// Reason, wrapping a sentinel; no failure yields a Result a caller could
// mistake for "not revoked".
//
// Lists are cached per URL. A cached list is used until the earliest of:
// its validUntil, its ttl (milliseconds, in the credentialSubject) after it
// was fetched, and Checker.MaxAge (default 5 minutes) after it was fetched.
// A list that is expired or not yet valid is an error and is never cached.
// Concurrent checks against one URL share one fetch. Failed fetches are not
// cached. The cache holds at most about 64 MiB of decoded lists; beyond
// that, expired and then the oldest lists are dropped. A check on a cached
// list does not allocate.
//
// WARNING: caching means a revocation takes up to the cache lifetime to be
// seen. Issuers bound it with validUntil and ttl; verifiers with MaxAge. A
// verifier that must see revocations immediately sets a negative MaxAge
// (no caching).
//
// # Token Status Lists
//
// A token status list holds a status of 1, 2, 4 or 8 bits per index,
// packed from the least significant bit of each byte (status i of a
// 2-bit list is bits 2*(i%4) and 2*(i%4)+1 of byte i/4), compressed with
// DEFLATE in the ZLIB format and base64url-encoded as "lst"
// (EncodeTokenList, DecodeTokenList). Note the bit order is the opposite
// of the W3C Bitstring's. An issuer publishes it as a Status List Token
// (SignTokenList: a JWT with typ statuslist+jwt and claims sub, iss, iat,
// exp, ttl and status_list {bits, lst}); a credential points at it with
// "status": {"status_list": {"idx": N, "uri": "<sub>"}} (ParseTokenRef).
// ThaiTrust publishes 2-bit lists: TokenValid (0), TokenInvalid (1,
// revoked), TokenSuspended (2).
//
// TokenChecker.Check is the verifier's side, parallel to Checker.Check:
// it fetches the token at the reference's uri, verifies it with the key
// TokenChecker.Key chooses for the credential's issuer (DIDTokenKeys: the
// kid must be a DID URL of the issuer, resolved under assertionMethod),
// checks typ, iss (when present: the credential's issuer), sub (the uri),
// iat, exp, nbf and ttl, and reads the status at idx. Lists are cached per
// uri until the earliest of exp, ttl after the fetch, and MaxAge (default
// 5 minutes); concurrent checks share one fetch; failures are not cached.
// A list verified for one issuer is never used for another.
//
// # Hazards
//
// WARNING: Check fetches URLs chosen by whoever wrote the credential. Call
// it only after the credential's own proof and its issuer's accreditation
// have been verified, and give Checker a Fetch that refuses internal
// addresses, bounds the response size and has a timeout. Check trusts
// Verify to check the list credential's proof against the list issuer's
// key; Check itself only compares issuer ids.
//
// WARNING: Result.Set is only the bit. What it means depends on
// Result.Purpose: revoked for PurposeRevocation, suspended for
// PurposeSuspension. Other purposes are checked the same way, and the
// caller decides what a set bit means. statusSize other than 1 and
// statusMessage are not supported and fail with ErrUnsupported.
//
// WARNING: Permute keeps the expanded AES key of the last key it was given
// in package memory, so that consecutive calls with one key are fast.
//
// A Bitstring is not safe for concurrent modification; a Checker is safe
// for concurrent use once its fields are set.
package status
