// Package holder is ThaiTrust's document wallet (กระเป๋าเอกสารดิจิทัล): it
// receives credentials over OpenID4VCI 1.0, keeps them encrypted at rest,
// shows them in Thai and English, answers OpenID4VP 1.0 requests (DCQL)
// after showing the holder exactly which claims would leave the wallet and
// to whom, and keeps a log of every disclosure.
//
// # Storage
//
// A Wallet works on a Store (credentials, holder keys, disclosure log),
// declared here and proven by holdertest.TestStore. The wallet's own
// Store is DirStore: a directory with a header (wallet.json: the Argon2id
// parameters, salt and a key-check value) and one file per record, each
// sealed with AES-256-GCM under a key derived from the passphrase
// (Argon2id, then HKDF-SHA256; a random 96-bit nonce per write; the
// wallet id, record kind and record id as additional data), written
// atomically (temporary file, fsync, rename, directory fsync). A wrong
// passphrase is ErrWrongPassphrase; an altered, truncated or moved record
// is ErrCorrupted. Export and Import move a whole wallet as one text
// backup sealed under a key derived from a separate backup passphrase.
//
// Opening a wallet (New) reads every credential once and builds an
// in-memory index: type (vct or W3C types), issuer, validity, display
// titles, the set of claim paths, and a keyed 64-bit hash of each leaf
// value (the seed is drawn at New and never stored). Listing and DCQL
// matching use only the index; claim values are decrypted when a card is
// shown or a presentation prepared.
//
// # Holder keys
//
// Every credential is bound to its own fresh key, generated when it is
// requested (several for a batch, one per copy); presenting the copies of
// a batch in turn (Match picks the copy presented least) keeps verifiers
// from linking presentations through the key or the issuer signature.
// Private keys exist only in sealed Key records and in memory while in
// use.
//
// # Receiving (OpenID4VCI 1.0, pre-authorized code flow)
//
// Receive (= ResolveOffer + Accept) takes an openid-credential-offer://
// URI with the offer by value or by reference, fetches the credential
// issuer metadata (path insertion, then <issuer>/.well-known/...), the
// authorization server metadata, redeems the pre-authorized code (with
// the transaction code when the offer asks for one: ErrTxCodeRequired
// without it), gets a c_nonce from the nonce endpoint and sends one
// credential request per configuration with one proof JWT per new key
// (typ openid4vci-proof+jwt, jwk header, aud = issuer id, iat, nonce; one
// retry with a fresh nonce on invalid_nonce). Each credential is verified
// before it is stored: a dc+sd-jwt with credential/sdjwt (typ dc+sd-jwt,
// signature by a key of the DID in iss, resolved under assertionMethod;
// validity; vct as configured) and a jwt_vc_json (our vc+jwt) with
// credential/jose; and it must be bound to one of the keys the wallet just
// sent: cnf.jwk for SD-JWT VC; for a vc+jwt, cnf.jwk or a did:jwk or
// did:key credentialSubject.id. A vc+jwt that names no holder key at all
// is kept under the key whose proof the issuer accepted (there is no
// other), and presented as that key's did:jwk (see Presenting): a
// verifier then sees a holder that the credential does not name, and
// verifier.Verifier warns holder_not_subject.
//
// Display: titles and claim labels come from the configuration's
// credential_metadata in the issuer's metadata, then from SD-JWT VC type
// metadata at <issuer origin>/vct/<Type> (the issue 3 contract), then from
// the schemas catalogue and built-in labels of common member names.
//
// # DCQL matching
//
// ParseQuery checks a DCQL query (OpenID4VP 1.0 section 6). Match finds,
// for each credential query, the credentials of its format and type
// (meta.vct_values; meta.type_values, compared by term so that expanded
// IRIs match compact types) that have every claim of the first
// satisfiable claim set (claims path pointers with null wildcards and
// indexes; values compared by type and value), not expired; then applies
// credential_sets (the first satisfiable option of each set; unsatisfied
// required sets are Missing). trusted_authorities are parsed but not
// used: the verifier checks trust. BenchmarkMatch10k runs on 10,000
// credentials.
//
// # Presenting (OpenID4VP 1.0)
//
// ResolveRequest accepts only signed request objects of verifiers
// identified as decentralized_identifier:<DID>: fetched by request_uri
// (GET, or POST when request_uri_method says so) or passed as request, of
// typ oauth-authz-req+jwt, signed by a key of that DID (the kid's DID must
// be the client_id's; resolved under authentication, else
// assertionMethod), with the same client_id inside, aud
// https://self-issued.me/v2, an exp at most 24 hours ahead and not past,
// response_type vp_token, response_mode direct_post, a nonce and a
// dcql_query. Unsigned requests and other client_id prefixes fail with
// ReasonRequestUnsigned and ReasonClientIDScheme.
//
// Prepare matches the query and builds a Consent: the verifier (DID, and
// the name it gives itself), the purpose (th/en), and for each credential
// the claims that would be disclosed and those that always go with it
// (for an SD-JWT VC: the always-visible claims, issuer, type, validity,
// holder key and status entry; for a vc+jwt: everything, as it cannot
// disclose selectively). Respond is the holder's approval: it builds the
// vp_token ({query id: [presentation]}): an SD-JWT presentation with
// exactly the disclosures the consent showed (sdjwt.Present) and a KB-JWT
// (aud = client_id, nonce = the request's nonce), or a vp+jwt enveloping
// the vc+jwt, signed by the holder key (kid = the key's did:jwk#0, or the
// subject's did:key when that is the key), with the same nonce and aud;
// then POSTs vp_token and state to response_uri. Decline sends
// error=access_denied.
//
// # Disclosure log
//
// Every Respond writes a LogEntry before sending (outcome pending) and
// updates it with the outcome (sent, failed); Decline logs a declined
// entry. An entry holds the time, the verifier (client_id, DID, stated
// name), the purpose, and per credential its id, type, issuer, format and
// the JSON pointers of the claims disclosed and of those always sent;
// never a claim value. Log lists it newest first.
//
// # Hazards
//
// WARNING: the verifier's name and purpose are what the verifier says of
// itself: only its DID is verified here. Whether the DID belongs to an
// accredited relying party is the trust registry's question, which the
// wallet does not yet ask.
//
// WARNING: the wallet fetches whatever URLs offers and requests name
// (https anywhere, http to loopback hosts): run in a server (holderhttp),
// it can be made to send requests to hosts of the caller's choosing.
//
// WARNING: DirStore does not hide how many records there are, their sizes
// or modification times, and cannot detect a deleted or rolled-back
// record. Passphrase strength is the wallet's strength: Argon2id slows
// guessing, it does not stop it. CreateOptions.KDF weaker than the
// default is for tests only.
//
// WARNING: an unlocked Wallet holds the index and, while presenting,
// decrypted credentials and private keys in memory.
//
// WARNING: a jwt_vc_json credential cannot disclose selectively: every
// presentation reveals all of it and the same issuer signature. Prefer
// dc+sd-jwt.
package holder
