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
//   - schema: the claims satisfy the JSON Schema of every catalogue type
//     the credential claims (skipped, with a no_schema warning, when it
//     claims none).
//   - status: no revocation or suspension bit is set in the issuer's
//     published status lists (fetched, verified and cached). A
//     credential without credentialStatus passes with a no_status
//     warning: it cannot be revoked.
//   - issuer_trust: the policy trusts this issuer for every type the
//     credential claims (all but VerifiableCredential) at the time of
//     issuance (validFrom, else now).
//
// When the format or signature check fails, the later checks are skipped:
// nothing in an unauthenticated document is worth acting on. Issuer trust
// is decided right after the format check, although it is reported last:
// when the issuer is not trusted, the signature, validity, schema and
// status checks are skipped (reason not_checked_issuer_trust), so that a
// credential naming an untrusted issuer never makes the verifier resolve
// that issuer's DID or fetch its status lists, URLs chosen by whoever
// wrote the credential. The checks are always reported in the order above.
//
// A presentation (vp+jwt) goes through format, presentation_proof (the
// holder's key, listed under authentication, signed it),
// presentation_binding (nonce and audience, and exp/nbf) and credentials
// (each embedded credential verifies, as above; its Result is in
// Result.Credentials). An unsecured presentation is never verified.
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
