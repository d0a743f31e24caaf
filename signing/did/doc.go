// Package did resolves Decentralized Identifiers (W3C DID Core) to
// documents and keys for the three methods ThaiTrust uses: did:web for
// institutions, did:key and did:jwk for holders.
//
// # Methods
//
//   - did:key (W3C CCG did:key): the DID is the key. KeyDID encodes an
//     Ed25519, P-256 or P-384 public key as base58btc multibase over the
//     multicodec prefix (ed25519-pub 0xed, p256-pub 0x1200, p384-pub
//     0x1201) and the key (compressed points for ECDSA); ParseKeyDID
//     decodes it. The document has one Multikey method, did#<multibase>.
//   - did:jwk: the DID is base64url of the key's JWK. JWKDID encodes the
//     required members only, sorted, so a key has one did:jwk. The
//     document has one JsonWebKey method, did#0.
//   - did:web: the DID names an HTTPS URL (WebDocumentURL):
//     did:web:example.com -> https://example.com/.well-known/did.json,
//     did:web:example.com%3A8443:issuers:dopa ->
//     https://example.com:8443/issuers/dopa/did.json. WebDID is the
//     inverse, from a base URL.
//
// # Resolving keys
//
// A verifier holds a kid (a DID URL) from a signature and needs the key
// the DID authorizes for a purpose:
//
//	var r did.Resolver // zero value: HTTPS only, 5-minute cache, 64 KiB limit
//	pub, err := r.ResolveKey(ctx, kid, did.AssertionMethod)
//
// ResolveKey resolves the DID of the DID URL itself, so the key always
// belongs to that DID; the method must be listed under the relationship
// (by reference or embedded) and be controlled by the DID. Resolver.Local
// serves this process's own DIDs without a network round trip.
//
// # Strictness
//
// DIDs are checked against the DID Core ABNF and bounded in length.
// Documents are parsed with internal/jsonx (duplicate members and invalid
// UTF-8 are errors), must carry the resolved DID as id, must not contain
// private keys, and must not repeat a verification method id. did:web
// documents are fetched over HTTPS with a size limit and at most three
// redirects, never downgraded to http.
//
// # Errors
//
// Errors wrap ErrInvalidDID, ErrUnsupportedMethod, ErrNotFound,
// ErrKeyNotAuthorized, ErrInvalidDocument or ErrUnsupportedKey; test with
// errors.Is. Network errors from did:web are returned wrapped.
//
// # Hazards
//
// WARNING: did:web is as trustworthy as the web server and the DNS of its
// host at the time of resolution, and resolving an attacker-supplied
// did:web makes this process send an HTTPS request to a host the attacker
// chose (including internal hosts reachable from it). Verifiers that
// resolve DIDs from untrusted input should give Resolver an HTTPClient
// whose transport only dials permitted addresses, and check the DID
// against a trust registry before relying on it.
//
// WARNING: a cached did:web document is used until CacheTTL expires, so a
// key removed from the document stays usable here for up to that long.
//
// WARNING: HTTPLoopback turns off TLS for loopback hosts. It is for
// development servers on the same machine; never enable it in production.
//
// WARNING: resolving a DID says which keys its controller authorizes, not
// whether the controller is accredited for anything. That is the trust
// registry's question.
package did
