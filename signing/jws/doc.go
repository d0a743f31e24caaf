// Package jws signs, parses and verifies compact JSON Web Signatures
// (RFC 7515) with the algorithms of package signing: EdDSA, ES256, ES384.
//
// # Parse, then verify
//
// Parse decodes and trusts nothing; Parsed.Verify takes its trust inputs
// explicitly: the public key (which the caller chose, for example by
// resolving the header's kid under a DID verification relationship) and
// the algorithms it accepts.
//
//	p, err := jws.Parse(token)
//	if err != nil { ... }                 // *jws.Error, Reason "malformed"
//	pub, err := resolver.ResolveKey(ctx, p.Header.Kid, did.AssertionMethod)
//	if err != nil { ... }
//	err = p.Verify(pub, jws.VerifyOptions{Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256}})
//
// # Strictness
//
// Parse accepts exactly three parts of canonical unpadded base64url (no
// padding, whitespace or non-zero trailing bits), so a token has one
// encoding only. The header must be an I-JSON object (internal/jsonx):
// duplicate member names, invalid UTF-8 and trailing data are rejected,
// since two parsers must never see two different headers. Registered
// parameters must have their JSON types; crit follows RFC 7515 section
// 4.1.11 (non-empty, only extension names, each present in the header); a
// jwk parameter must be a valid public key. Unencoded payloads (RFC 7797,
// b64=false), the JSON serializations and JWE are not supported.
//
// # Errors
//
// Rejections are *Error with a stable Reason: malformed, alg_none,
// alg_not_allowed, key_type_mismatch, unknown_crit, bad_signature. Test
// them with errors.Is against ErrMalformed, ErrAlgNone, ... or read
// Reason. A VerifyOptions without Algorithms is ErrNoAlgorithms: a
// verifier with no policy accepts nothing.
//
// # Performance
//
// Parse copies the token once (the signing input, followed by the
// decoded signature), decodes the header into a string parsed in place
// (the usual alg/kid/typ/cty header by a dedicated scanner, anything else
// with internal/jsonx) and the payload into its own buffer; ParseText
// decodes the payload straight into a string instead, for JSON parsers
// that take strings. Verify adds no allocation. Parsed.Release recycles
// the copy of the token for the next Parse: a verifier that releases each
// JWS once it has verified it (as credential/jose's VerifyCredential and
// package verifier do) copies tokens without allocating. BenchmarkParseVerifyOverhead measures Parse+Verify of an
// EdDSA JWS with a 2 KB payload against bare ed25519.Verify of the same
// signing input, interleaved in the same run, and reports the ratio of
// the medians (about 1.07 on the development machine; target 1.10).
//
// # Hazards
//
// WARNING: the header (kid, jwk, x5c, Extra) is attacker-controlled until
// Verify succeeds with a key the caller trusts for reasons outside the
// JWS. In particular never verify with Header.JWK, and never pick the
// algorithm from the header: Verify requires the caller's list.
//
// WARNING: alg "none" (in any letter case) is refused even when listed in
// VerifyOptions.Algorithms; there is no way to accept an unsigned JWS.
//
// WARNING: Parse does not limit input size. Bound what you read from the
// network before calling it.
//
// WARNING: Verify does not check claims (exp, nbf, aud, nonce, ...); the
// payload is opaque bytes here. Formats built on JWS (credential/jose,
// credential/sdjwt) do that.
package jws
