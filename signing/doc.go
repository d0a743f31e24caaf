// Package signing holds ThaiTrust's signing keys and the signature
// primitives every secured format builds on.
//
// # Algorithms
//
// Exactly three JWS algorithms exist here: EdDSA (Ed25519, RFC 8037), ES256
// (ECDSA P-256/SHA-256) and ES384 (ECDSA P-384/SHA-384). ParseAlgorithm
// refuses everything else, "none" first of all. Sign and Verify work on
// JWS signing inputs and JWS-form signatures: ECDSA signatures are the
// fixed-width R||S of RFC 7518 section 3.4, not the ASN.1 DER that
// crypto.Signer produces; Sign converts, Verify rejects any other length.
// Only the standard library's crypto is used.
//
// # Keys are crypto.Signers named by URI
//
// A key is a crypto.Signer. Code that signs receives a key URI from its
// configuration and calls Open:
//
//	key, err := signing.Open(ctx, "file:/etc/thaitrust/issuer-key.json", signing.OpenOptions{
//		Passphrase: func() ([]byte, error) { return []byte(os.Getenv("KEY_PASSPHRASE")), nil },
//	})
//
// Backends (PKCS#11, cloud KMS) register an Opener for their scheme with
// Register; an unknown scheme is an *UnknownSchemeError. The "file" scheme
// is built in: "file:/abs/path", "file:///abs/path" or "file:rel/path"
// names a key file.
//
// # Key files
//
// WriteKeyFile writes a private key encrypted under a passphrase: Argon2id
// (time 3, 64 MiB, 2 threads by default; the parameters are stored in the
// file) derives an AES-256-GCM key that seals the PKCS#8 DER private key,
// with the RFC 7638 canonical JSON of the public JWK as additional data.
// The JSON envelope also carries the public JWK in clear, so
// ReadPublicKeyFile needs no passphrase. Files are written with mode 0600
// via a temporary file, fsync and link, and an existing file is never
// replaced. A wrong passphrase (or an altered file) is ErrWrongPassphrase.
//
// # JWK
//
// JWK encodes and decodes OKP/Ed25519 and EC P-256/P-384 keys. Decoding
// JSON rejects duplicate members; JWK.PublicKey checks exact lengths and
// that EC points are on their curve; Thumbprint is RFC 7638 (SHA-256).
//
// # Errors
//
// Errors wrap the package's sentinels (ErrUnsupportedAlgorithm,
// ErrKeyTypeMismatch, ErrBadSignature, ErrUnknownScheme,
// ErrWrongPassphrase, ErrPassphraseRequired, ErrInvalidJWK); test them
// with errors.Is. No error message contains key material, a passphrase or
// a key URI (URIs of other schemes can carry PINs).
//
// # Hazards
//
// WARNING: Verify proves only that the holder of the given public key
// signed the input. Which key to trust, and for what, is the caller's
// decision (a DID resolved under a verification relationship, a trust
// list); never take the key from the thing being verified.
//
// WARNING: a JWK with D set is a private key. PrivateJWK produces one;
// JWK.String redacts it but json.Marshal does not.
//
// WARNING: ReadPublicKeyFile's result is not authenticated until the file
// is opened with its passphrase. Anyone who can write a key file can swap
// its public key; protect key files with permissions.
//
// WARNING: WriteKeyFileKDF with parameters weaker than DefaultKDFParams is
// for tests only.
//
// WARNING: Ed25519 public keys are not checked for being valid curve
// points when decoded (the standard library offers no such check); an
// invalid one simply never verifies.
package signing
