// Package fvs is the Face Verification Service (FVS) that DOPA runs: it
// enrols face templates from the authoritative photo of each citizen and
// verifies, 1:1, a probe photo sent by an accredited identity provider
// against the template of a citizen ID. It answers with a score, a
// decision made at a stated false match rate (ISO/IEC 19795-1), and, on
// request, a signed face-match attestation that binds the match to one
// presentation of a credential (holder binding).
//
// # Flows
//
//	svc, err := fvs.New(ctx, fvs.Config{Matcher: m, Store: store, KEK: kek, Attestation: signer})
//	_, err = svc.Enroll(ctx, fvs.EnrollRequest{Call: call, PID: pid, Image: authoritativePhoto})
//	res, err := svc.Verify(ctx, fvs.VerifyRequest{Call: call, PID: pid, Image: selfie, FMR: 1e-3})
//	res, token, err := svc.Attest(ctx, fvs.AttestRequest{VerifyRequest: ..., Nonce: n, HolderKeyThumbprint: jkt})
//	att, err := fvs.VerifyAttestation(ctx, token, fvs.AttestationOptions{...}) // at the verifier
//
// Every call states a Call: the caller (an authenticated IdP), the
// purpose, and a consent reference (required to verify). fvshttp serves
// the flows over HTTP; cmd/thaitrust has "thaitrust fvs enroll|verify|
// delete|bench".
//
// # Matchers
//
// A Matcher finds faces in an image, turns each into a Template, and
// compares templates by distance. fvs/goface is the first backend (dlib's
// ResNet through github.com/Kagami/go-face, CPU): HOG detection on images
// scaled to at most 1024 px, the MMOD CNN detector when HOG finds no face,
// 5-point landmarks, a 128-number descriptor, Euclidean distance, and a
// pool of recognizers for concurrency; JPEGs with an EXIF orientation
// (phone photos) are turned upright first. A stronger model (an ONNX model run
// by onnxruntime, say) is another Matcher with its own model id and
// calibration; nothing that calls the service changes. Templates carry
// their model id and format version, and a template of another model is
// never compared (ErrModelMismatch: the citizen must be re-enrolled).
//
// # Bad input
//
// Bad input is an *InputError whose Reason is stable; each condition has
// its own sentinel. CheckImage runs first and costs little: size in bytes
// (ErrImageTooLarge), magic bytes (ErrNotImage: JPEG and PNG only), the
// header's dimensions read with image.DecodeConfig (ErrCorruptImage,
// ErrTooManyPixels, ErrImageTooSmall), so a decompression bomb is refused
// before its pixels exist. The citizen ID (ErrInvalidPID), purpose,
// consent and FMR target are checked before that, and the template is
// looked up (ErrNotEnrolled) before any face detection runs. Detection
// then decides ErrNoFace, ErrManyFaces and ErrFaceTooSmall
// (Policy.MinFaceSize, in pixels of the image as sent). Quality findings
// (faces found, face size, detector) come with every result.
//
// # Scores, decisions and calibration
//
// Decisions are made at a false match rate, never at a fixed distance. A
// Calibration, measured by "thaitrust fvs bench" over all impostor pairs
// of a data set and embedded here (calibration/*.json, versioned by id,
// with the model id), maps a distance d to FMR(d): the share of impostor
// comparisons at distance d or closer. The policy offers FMR targets
// (default 1e-3 and 1e-4); each has a threshold in the calibration (the
// largest distance whose measured FMR is within the target), named by a
// threshold id. The decision is "match" when d is at most the threshold
// of the requested target.
//
// The score is a percentage: score = 100 × (1 − FMR(d)). A score of 99.9
// means one impostor comparison in a thousand comes as close; "score ≥
// 99.9" is the same decision as "match at FMR 1e-3", and "score ≥ 99.99"
// as "match at FMR 1e-4". FMR(d) interpolates log10(FMR) between the
// calibration's points and never goes below one impostor comparison in
// those measured (FMRFloor, 3.4e-8 for the LFW calibration), so the score
// is rounded to 4 decimals and reads 100 beyond what was measured.
//
// # Templates at rest
//
// No face image is kept, for enrolment or verification: images live in
// memory for the duration of the call. Templates are stored encrypted in
// an envelope:
//
//	KEK (from signing: SignerKEK over a key URI's key, or PassphraseKEK)
//	 ├─ wraps the index key (32 random bytes; Keyring, one per store)
//	 │    └─ SubjectKey = HMAC-SHA256(index key, "thaitrust fvs pid v1" 0x00 pid)
//	 └─ wraps a fresh data key per template (AES-256-GCM, random nonce)
//	      └─ template = AES-256-GCM(data key, vector), additional data =
//	         subject key, model id, template version, KEK id
//
// Records are indexed by the SubjectKey, never by the citizen ID; the
// citizen ID is never stored. The additional data binds each ciphertext
// to its record, so a template moved to another citizen or relabelled
// with another model does not decrypt. A KEK derived from a signing key
// (SignerKEK) is protected like the signing keys: an encrypted key file
// today, a PKCS#11 token later (Ed25519 signs a fixed label and the
// deterministic signature is the secret; software ECDSA keys use ECDH with
// their own public key). PassphraseKEK derives it with Argon2id. The
// KEK's id (a key check value) is stored with what it wraps; another KEK
// is ErrWrongKEK. Re-enrolment replaces a template (Version counts
// enrolments); Delete removes it.
//
// # Audit
//
// Every call, rejected ones included, appends an AuditEntry to the store:
// caller, time, action, purpose, consent, outcome or rejection reason,
// score band, FMR target, model, request id and the SubjectKey; never an
// image, a template or a citizen ID. The log is append-only (the Store
// interface has no way to change or remove entries). A call that succeeds
// but cannot be audited fails.
//
// # Face-match attestations (holder binding)
//
// After a match, Attest signs a short-lived JWT (typ fvs-attestation+jwt,
// DefaultAttestationTTL 5 minutes) with the FVS's key (kid: a DID URL of
// the FVS's DID, e.g. did:web:dopa.go.th:fvs#key-1):
//
//	{"iss": "<FVS DID>", "sub": "<SubjectHash(pid, nonce) or pid>", "sub_format": "pid-hmac" | "pid",
//	 "aud": "<verifier>", "nonce": "<the verifier's presentation nonce>",
//	 "cnf": {"jkt": "<RFC 7638 thumbprint of the holder's key-binding key>"},
//	 "iat": ..., "exp": ..., "jti": "<FVS request id>",
//	 "face_match": {"decision": "match", "score": 99.95, "fmr_target": 0.001,
//	                "threshold_id": "...", "model_id": "dlib-resnet-v1"}}
//
// sub is SubjectHash(pid, nonce), an HMAC keyed by the nonce, unless the
// verifier is entitled to the citizen ID (AttestationSigner.PIDEntitled)
// and the request asks for it (DisclosePID).
//
// The wiring through OpenID4VP is left to the wallet and verifier; what
// they need is:
//
//   - Verifier: a request that demands face binding names the FMR it
//     accepts; its nonce is the presentation nonce.
//   - Wallet: when the request demands face binding, the holder takes a
//     selfie in an accredited IdP's capture flow (liveness there), and the
//     IdP calls POST /fvs/attestations with the citizen ID, the photo,
//     consent, purpose, the verifier's nonce, the thumbprint of the key
//     that will sign the key-binding JWT (signing.Thumbprint), and the
//     verifier's client id. The wallet adds the returned attestation to
//     the presentation response.
//   - Verifier: after verifying the credential and its key binding, it
//     calls VerifyAttestation with Keys (a resolver for the FVS's DID),
//     Issuers (the FVS DIDs its trust list names as DOPA's), Now, MaxAge,
//     Nonce (its own), HolderKeyThumbprint (of the key-binding key),
//     Subject (the credential's pid; its SubjectHash works too) and
//     MaxFMR (its policy). A verifier abroad needs only the trust list.
//     Rejections are *AttestationError with a Reason: an attestation
//     replayed into another presentation fails with nonce_mismatch, one
//     presented with another holder key with holder_key_mismatch.
//
// # Hazards
//
// WARNING: the FVS checks that two photos show the same face, not that a
// live person is in front of the camera. Presentation-attack detection
// (ISO/IEC 30107-3) must run in the capture flow before a photo is sent.
//
// WARNING: the embedded calibration was measured on LFW (photos of public
// figures, mostly of European descent, from news images), not on Thai ID
// photos and selfies. FMRs on the deployed population may differ; measure
// on representative data (fvs/eval) and embed that calibration before
// relying on the stated rates.
//
// WARNING: losing the KEK's key loses every template (they cannot be
// decrypted and must be enrolled again). There is no KEK rotation yet.
//
// WARNING: templates of one model are comparable wherever they are: an
// attacker with a decrypted template and the model could match it against
// other photos. Keep the KEK's key in a token where possible.
//
// WARNING: the HTTP rate limit is per process, in memory.
package fvs
