// Package jose secures and verifies credentials and presentations as JWS
// per W3C "Securing Verifiable Credentials using JOSE and COSE"
// (VC-JOSE-COSE): the media types application/vc+jwt and application/vp+jwt.
//
// # Securing
//
// The JWS payload is the credential (or presentation) document itself;
// there is no "vc" or "vp" claim. The protected header carries alg, kid
// (a DID URL naming the issuer's or holder's verification method),
// typ (vc+jwt / vp+jwt) and cty (vc / vp).
//
// # Verifying
//
// Parse decodes and checks the envelope (typ, cty, structure of the
// document) and trusts nothing. VerifyProof resolves the kid through a
// KeyResolver and checks it belongs to the issuer (the DID in kid must be
// the issuer's id; the method must be listed under assertionMethod) and
// that the signature is good with an algorithm from an explicit allow
// list. CheckValidity checks validFrom/validUntil (and exp/nbf when the
// issuer added them) against an injected clock. Verify does all three.
//
// Every failure is an *Error whose Reason is a stable code:
// malformed, wrong_typ, wrong_cty, alg_none, alg_not_allowed,
// key_type_mismatch, unknown_crit, kid_missing, kid_issuer_mismatch,
// key_not_found, bad_signature, claim_mismatch, expired, not_yet_valid,
// invalid_credential, invalid_presentation, holder_missing,
// nonce_mismatch, audience_mismatch. Failures of the JWS layer (package
// signing/jws) keep their *jws.Error wrapped, so errors.Is(err,
// jws.ErrBadSignature) holds as well.
//
// The algorithm is checked first, before the kid and before anything is
// resolved, so a token with alg "none" always fails with alg_none.
//
// JWT claims next to the document must agree with it: iss is the issuer
// (holder), jti the id, and sub the id of a credentialSubject
// (claim_mismatch otherwise). exp is exclusive (a token whose exp is now
// has expired, RFC 7519); validUntil is inclusive (VCDM 2.0). A signed
// presentation must name its holder (holder_missing).
//
// WARNING: a successful Verify says the issuer signed this document and
// that it is within its validity period. It says nothing about whether the
// issuer is trusted for the credential's type, or whether the credential
// has been revoked: package verifier does those checks.
package jose
