// Package interop checks ThaiTrust against independent implementations.
// It holds tests and benchmarks only, in a module of its own
// (github.com/thaitrust/thaitrust/interop) so that their dependencies never
// enter the main module's build or go.sum.
//
// # What is checked
//
//   - ThaiTrust -> lestrrat-go/jwx v3: credentials issued by issuer.Service
//     (EdDSA, ES256, ES384) verify with jwx's jws.Verify, given nothing but
//     the issuer's DID document as JSON (its publicKeyJwk imported with
//     jwx's jwk package); the payload is the credential itself and the
//     header carries typ vc+jwt, cty vc and a DID URL kid.
//   - jwx -> ThaiTrust: credentials (and a Bitstring Status List
//     credential) signed with jwx by a did:jwk issuer verify in
//     verifier.Verifier, revocation included; alg "none", a wrong typ, a
//     VCDM 1.1 "vc" claim and a signature by another key are rejected.
//   - trustbloc/vc-go v1.3.3: its verifiable.ParseCredential accepts
//     ThaiTrust's credential documents against its VCDM 2.0 JSON schema
//     (and the status list credential through full JSON-LD validation,
//     offline), and its JOSE layer verifies the signatures of ThaiTrust's
//     vc+jwt. vc-go does not implement VC-JOSE-COSE: it issues VCDM 1.1
//     style JWTs (the credential in a "vc" claim), and its credential
//     parser panics on a vc+jwt without JWT registered claims; see
//     trustbloc_test.go.
//   - SD-JWT VC (sdjwt_trustbloc_test.go, sdjwt_node_test.go): ThaiTrust's
//     SD-JWT VCs (issuer.Service, EdDSA and ES256), presented by its holder
//     with a KB-JWT, verify in vc-go's sdjwt/verifier and in the OpenWallet
//     Foundation's @sd-jwt/sd-jwt-vc (run by node from sdjwt-js/peer.mjs,
//     status list and revocation included), which see the same claims as
//     verifier.VerifyPresentation; SD-JWT VCs issued and presented by
//     either verify in verifier.VerifyPresentation with every check on,
//     showing only what was disclosed. Tampered presentations are rejected
//     by both sides. vc-go stops at draft 05 of SD-JWT: its KB-JWT has no
//     sd_hash (ThaiTrust refuses it; vc-go does not check one) and its
//     issued form lacks the closing "~" (see the top of
//     sdjwt_trustbloc_test.go).
//
// # Benchmarks
//
// BenchmarkVsTrustbloc compares ThaiTrust's verification (every check on)
// with vc-go verifying its own JWT VC of the same content and key type, in
// the same run. BenchmarkSDJWTVsTrustbloc and BenchmarkSDJWTVsJS compare
// the verification of one SD-JWT VC presentation (5 disclosures, KB-JWT,
// EdDSA) by ThaiTrust, vc-go and @sd-jwt/sd-jwt-vc, each against a raw
// Ed25519 verification in its runtime, in the same run.
//
// Run with `make test-interop` and `make bench` from the repository root.
package interop
