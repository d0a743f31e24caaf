// Package sdjwt issues, presents and verifies Selective Disclosure JWTs
// (SD-JWT, RFC 9901) and SD-JWT-based Verifiable Credentials (SD-JWT VC,
// draft-ietf-oauth-sd-jwt-vc: typ dc+sd-jwt, vct, cnf, status).
//
// An SD-JWT is an issuer-signed JWT whose payload holds salted digests in
// place of some claims, followed by the disclosures that reveal them:
//
//	<issuer-jwt>~<disclosure>~<disclosure>~...~[<kb-jwt>]
//
// The holder keeps every disclosure and, for each verifier, presents only
// those it chooses, with a key-binding JWT (KB-JWT) signed by the key in
// the credential's cnf claim over the verifier's aud and nonce and a hash
// of exactly what was presented (sd_hash).
//
// # Issuing
//
// Issue secures a claims map; a Spec lists the selectively disclosable
// claims as JSON pointers: object members ("/address/street_address"),
// array elements ("/nationalities/0"), every element ("/nationalities/*"),
// nested (with "/address" and "/address/locality" both listed, the
// address is disclosable and so is its locality within it). Salts are 128
// bits from crypto/rand (IssueOptions.Rand), digests are SHA-256 (or
// SHA-384/512) over the base64url disclosure, _sd arrays are sorted, and
// each object or array with disclosable members gets 1 to
// IssueOptions.Decoys (default DefaultDecoys) decoy digests.
//
//	s, err := sdjwt.IssueVC(sdjwt.VC{
//		Type:   "https://credentials.example.th/degree",
//		Issuer: "did:web:university.example.th",
//		Expiry: time.Now().AddDate(5, 0, 0),
//		Holder: holderPublicKey,          // becomes cnf.jwk
//		Claims: map[string]any{"given_name": "สมชาย", "degree": "BEng"},
//	}, sdjwt.Spec{"/given_name", "/degree"},
//		sdjwt.Signer{Key: issuerKey, KeyID: "did:web:university.example.th#key-1"},
//		sdjwt.IssueOptions{})
//
// IssueVC sets typ dc+sd-jwt and keeps vct, iss, iat, nbf, exp, cnf and
// status always visible; a Spec that names one of them is an error (Issue
// refuses iss, aud, exp, nbf and cnf, which RFC 9901 section 9.7 calls
// security critical).
//
// # Presenting
//
// Parse decodes an SD-JWT in the compact form or either JWS JSON
// serialization (RFC 9901 section 8) and trusts nothing. Disclosable lists
// what can be disclosed, with each claim's path and value, for a consent
// screen. Present builds a presentation of the claims at the given
// pointers (each with everything nested in it, plus the disclosures of
// the claims containing it) and, with a KeyBinding, the KB-JWT (typ
// kb+jwt, iat, aud, nonce, sd_hash); PresentOnly stops at the named
// claims.
//
//	sd, err := sdjwt.Parse(s)
//	p, err := sd.Present([]string{"/degree"}, &sdjwt.KeyBinding{
//		Signer: holderKey, Audience: "https://employer.example.th", Nonce: nonce})
//
// # Verifying
//
// Verify parses and checks a presentation against explicit trust inputs
// (VerifyOptions): the JWS algorithms accepted (required; "none" never),
// a function choosing the issuer's key (required), the expected typ
// (required: TypVC for SD-JWT VC; the legacy vc+sd-jwt only with
// AllowLegacyTyp), the accepted _sd_alg values (default SHA-256 only),
// whether key binding is required and, if so, the audience and nonce, the
// clock, the KB-JWT age limit and the clock skew.
//
//	v, err := sdjwt.Verify(ctx, presentation, sdjwt.VerifyOptions{
//		Algorithms:        []signing.Algorithm{signing.EdDSA, signing.ES256},
//		IssuerKey:         issuerKeyFromDID,
//		Typ:               sdjwt.TypVC,
//		RequireKeyBinding: true,
//		Audience:          "https://employer.example.th",
//		Nonce:             nonce,
//	})
//
// It rejects, each with an *Error and a stable Reason: a bad issuer
// signature; a disclosure whose digest is not referenced; a digest
// referenced twice; a disclosure named "_sd" or "..."; a disclosed name
// that already exists; an array disclosure used as an object member or
// the reverse; a malformed disclosure; _sd_alg outside the allowed set;
// a disclosed iss, aud, exp, nbf or cnf (and, for SD-JWT VC, vct,
// vct#integrity, status); an SD-JWT VC without vct; an expired or not
// yet valid SD-JWT; a missing KB-JWT when binding is required; a KB-JWT
// with the wrong typ, aud, nonce or sd_hash, an iat too old or in the
// future, or not signed by the cnf key. Verified holds the processed
// claims (disclosed ones only, without _sd, _sd_alg and "..."), the
// disclosed paths, the header, the holder key, whether the presentation
// was key-bound, and the list of checks made.
//
// Verify shares nothing between calls: it is safe for concurrent use, and
// its result belongs to the caller. BenchmarkVerifyOverhead measures an
// EdDSA SD-JWT VC with 5 disclosures and a KB-JWT against one bare
// ed25519.Verify of the issuer signing input in the same run (about 2.3
// on the development machine; target 2.6, the two signatures alone make
// 2).
//
// # Hazards
//
// WARNING: without key binding (RequireKeyBinding false and no KB-JWT)
// a presentation proves only that someone holds a copy of the SD-JWT: it
// can be replayed by anyone who saw it, to any verifier. Require key
// binding unless the credential is meant to be a bearer token, and then
// check Verified.KeyBound rather than assuming it.
//
// WARNING: Audience and Nonce are checked only when set; RequireKeyBinding
// makes them mandatory. A nonce must be fresh per request and used once:
// this package checks it equals the one given, the caller must remember
// that it was used.
//
// WARNING: the privacy of undisclosed claims rests on the salts. Issue
// takes 128-bit salts from crypto/rand; an IssueOptions.Rand that is not
// a cryptographically secure source lets a verifier recover undisclosed
// claims by hashing guesses. Claims with few possible values (a boolean,
// a birth year) are only as hidden as their salt is unpredictable.
//
// WARNING: decoys hide how many claims are undisclosed, not which ones
// exist: claim names are visible to the holder, and to a verifier through
// the credential type. The issuer JWT itself (iss, vct, cnf, status,
// iat, exp, signature) is the same in every presentation and so links
// them; issue several credentials with different holder keys for
// unlinkability.
//
// WARNING: IssuerKey receives the header and payload before any
// verification. Use them to find a key your trust policy already accepts
// for this issuer (kid resolved under the issuer DID's assertionMethod, an
// x5c chain validated against a trust list), never as the key. A
// successful Verify says nothing about whether the issuer is accredited
// for the vct or whether the credential is revoked: package verifier does
// those checks.
//
// WARNING: UnsafeAnyTyp accepts JWTs of any type; any JWT the issuer key
// ever signed would then verify as an SD-JWT with no disclosures.
//
// WARNING: Parse does not limit the input size; bound what you read from
// the network first.
package sdjwt
