// Package verifier verifies credentials and presentations against a
// policy and explains the outcome.
//
// # Checks
//
// A credential goes through these checks, in order, each reported in
// Result.Checks with status passed, failed or skipped:
//
//   - format: the input is a secured credential in a supported format
//     (vc+jwt) whose document has the VCDM 2.0 structure.
//   - signature: the issuer's key (resolved from the kid DID URL, listed
//     under the issuer DID's assertionMethod) verifies the signature with
//     an allowed algorithm.
//   - validity: now is within validFrom/validUntil (and exp/nbf).
//   - schema: the claims satisfy the JSON Schema of the credential type.
//   - status: no revocation or suspension bit is set in the issuer's
//     published status lists (fetched, verified and cached).
//   - issuer_trust: the policy trusts this issuer for this credential
//     type at the time of issuance.
//
// When the format or signature check fails, the later checks are skipped:
// nothing in an unauthenticated document is worth acting on.
//
// Every failure carries a stable reason code (for example "revoked",
// "expired", "untrusted_issuer", "bad_signature") and sentences in
// English and Thai that tell a person what to do about it.
//
// # Fail closed
//
// New refuses a Config without allowed algorithms, a key resolver, an
// issuer-trust policy, or a status checker (unless UnsafeSkipStatus).
// A status list that cannot be fetched fails the status check.
package verifier
