// Package oid4vci is the issuer side of OpenID for Verifiable Credential
// Issuance 1.0 for one issuer profile: credential issuer and
// authorization server metadata, credential offers, the pre-authorized
// code flow with an optional transaction code, and the token, nonce and
// credential endpoints, issuing dc+sd-jwt and jwt_vc_json (ThaiTrust's
// vc+jwt) credentials through package issuer.
//
// # Flow
//
//	CreateOffer (back office)  -> offer id, pre-authorized code, tx_code?
//	Offer (by reference)       -> the credential offer object
//	Token(code, tx_code)       -> access token (single use, TokenTTL)
//	Nonce()                    -> c_nonce (single use, NonceTTL)
//	Credential(token, request) -> one credential per key proof
//
// The credential issuer identifier (Config.CredentialIssuer, e.g.
// https://thaitrust.example/issuers/university) is also the authorization
// server's issuer and the aud of key proofs. Credential configurations are
// <Type>.sd_jwt (dc+sd-jwt, bound to the proof's jwk as cnf) and
// <Type>.jwt (jwt_vc_json, the subject becomes the proof key's did:key).
//
// # Secrets
//
// Offer ids, pre-authorized codes, access tokens and nonces are 128-bit
// random values (the code derives from the offer id by HMAC, so the offer
// served by reference can carry it without the store holding it). The
// store holds only their SHA-256 hashes (HashSecret), and secrets are
// found by looking the hash up, never by comparing strings. A transaction
// code (6 digits) is stored as an HMAC keyed with the code (TxCodeHash).
// Codes, tokens and nonces are single use: the offer changes state by
// compare-and-swap, tokens and nonces are taken (deleted) atomically.
// After MaxTxCodeAttempts wrong transaction codes the offer is burned. A
// replayed pre-authorized code revokes the token issued for it.
//
// # Errors
//
// Every protocol failure is an *Error with the OAuth or OpenID4VCI error
// code (invalid_request, invalid_grant, unsupported_grant_type,
// invalid_token, invalid_credential_request,
// unknown_credential_configuration, invalid_proof, invalid_nonce,
// credential_request_denied, ...) and a description; the transport
// renders it as {"error", "error_description"}. Errors from package
// issuer (a credential that is invalid when offered) pass through.
//
// # Hazards
//
// WARNING: an offer id (in the offer URI and QR code) is a bearer
// secret: whoever has it can redeem the offer unless it has a
// transaction code. Send the transaction code by another channel.
//
// WARNING: the nonce endpoint is unauthenticated and each call stores a
// nonce (deleted when expired, at most a minute late). Rate-limit it in
// front of the server.
//
// WARNING: key proofs prove possession of a key, not who holds it; the
// binding to a person comes from who received the offer (and the
// transaction code).
package oid4vci
