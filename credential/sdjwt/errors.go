package sdjwt

import (
	"errors"
	"fmt"

	"github.com/thaitrust/thaitrust/signing/jws"
)

// Reason codes of *Error. They are stable: programs branch on them, and
// package verifier turns them into messages a person can act on.
const (
	// ReasonMalformed: not a well-formed SD-JWT (Parse): bad separators,
	// a JWS or KB-JWT that does not parse, a payload that is not an
	// I-JSON object, an _sd that is not an array of strings, ...
	ReasonMalformed = "malformed"
	// ReasonDisclosureMalformed: a disclosure that is not base64url of a
	// JSON array [salt, name, value] or [salt, value] with string salt
	// and name.
	ReasonDisclosureMalformed = "disclosure_malformed"
	// ReasonDisclosureUnreferenced: a disclosure whose digest appears
	// nowhere in the payload or in another disclosure.
	ReasonDisclosureUnreferenced = "disclosure_unreferenced"
	// ReasonDigestDuplicate: a digest referenced twice (in the payload,
	// across disclosures, or two identical disclosures).
	ReasonDigestDuplicate = "digest_duplicate"
	// ReasonReservedName: a disclosure naming a claim "_sd" or "..." (or
	// "_sd_alg" at the top level).
	ReasonReservedName = "reserved_name"
	// ReasonNameClash: a disclosed claim whose name the object already has.
	ReasonNameClash = "name_clash"
	// ReasonDisclosureKind: an array-element disclosure referenced from an
	// object's _sd, or an object-member disclosure from an array element.
	ReasonDisclosureKind = "disclosure_kind_mismatch"
	// ReasonSDAlgNotAllowed: _sd_alg is unknown or not in
	// VerifyOptions.SDAlgorithms.
	ReasonSDAlgNotAllowed = "sd_alg_not_allowed"
	// ReasonNotDisclosable: a claim that must never be selectively
	// disclosable (iss, aud, exp, nbf, cnf; for SD-JWT VC also vct,
	// vct#integrity and status) arrived in a disclosure.
	ReasonNotDisclosable = "claim_not_disclosable"
	// ReasonInvalidVC: an SD-JWT VC without a string vct.
	ReasonInvalidVC = "invalid_vc"
	// ReasonWrongTyp: the issuer JWT's typ is not the expected one.
	ReasonWrongTyp = "wrong_typ"

	// Issuer signature (the names of package jws).
	ReasonAlgNone         = "alg_none"          // alg "none", in any letter case
	ReasonAlgNotAllowed   = "alg_not_allowed"   // alg not in VerifyOptions.Algorithms
	ReasonKeyTypeMismatch = "key_type_mismatch" // the issuer key cannot be used with alg
	ReasonUnknownCrit     = "unknown_crit"      // crit names a parameter not understood
	ReasonKeyNotFound     = "key_not_found"     // VerifyOptions.IssuerKey returned no key
	ReasonBadSignature    = "bad_signature"     // the issuer signature does not verify

	// Validity period of the issuer JWT.
	ReasonExpired     = "expired"       // now - ClockSkew >= exp
	ReasonNotYetValid = "not_yet_valid" // now + ClockSkew < nbf

	// Key binding.
	ReasonCnfMissing      = "cnf_missing"        // key binding needed but the payload has no cnf
	ReasonCnfInvalid      = "cnf_invalid"        // cnf has no usable jwk (wrong shape, RSA, bad point, ...)
	ReasonKBMissing       = "kb_missing"         // RequireKeyBinding and no KB-JWT
	ReasonKBWrongTyp      = "kb_wrong_typ"       // KB-JWT typ is not kb+jwt
	ReasonKBAlgNone       = "kb_alg_none"        // KB-JWT alg "none"
	ReasonKBAlgNotAllowed = "kb_alg_not_allowed" // KB-JWT alg not in KBAlgorithms (or Algorithms)
	ReasonKBUnknownCrit   = "kb_unknown_crit"    // KB-JWT crit not understood
	ReasonKBBadSignature  = "kb_bad_signature"   // KB-JWT not signed by the cnf key
	ReasonKBWrongSDHash   = "kb_wrong_sd_hash"   // sd_hash is not the digest of what was presented
	ReasonKBStale         = "kb_iat_stale"       // iat older than MaxKBAge (+ ClockSkew)
	ReasonKBFuture        = "kb_iat_future"      // iat later than now + ClockSkew
	ReasonKBWrongAud      = "kb_wrong_aud"       // aud is not VerifyOptions.Audience
	ReasonKBWrongNonce    = "kb_wrong_nonce"     // nonce is not VerifyOptions.Nonce
)

// Error reports why an SD-JWT was rejected by Parse or Verify. Reason is
// one of the Reason* constants; Err carries details for people (and, for
// signature failures, wraps the *jws.Error).
type Error struct {
	Reason string // one of the Reason* constants
	Err    error  // details; may wrap a *jws.Error
}

// Error returns "sdjwt: <reason>: <details>".
func (e *Error) Error() string {
	if e.Err == nil {
		return "sdjwt: " + e.Reason
	}
	return "sdjwt: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Reason and no Err,
// so that errors.Is(err, sdjwt.ErrDigestDuplicate) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Err == nil && t.Reason == e.Reason
}

// Sentinels for errors.Is, one per reason.
var (
	ErrMalformed              error = &Error{Reason: ReasonMalformed}              // errors.Is target for ReasonMalformed
	ErrDisclosureMalformed    error = &Error{Reason: ReasonDisclosureMalformed}    // errors.Is target for ReasonDisclosureMalformed
	ErrDisclosureUnreferenced error = &Error{Reason: ReasonDisclosureUnreferenced} // errors.Is target for ReasonDisclosureUnreferenced
	ErrDigestDuplicate        error = &Error{Reason: ReasonDigestDuplicate}        // errors.Is target for ReasonDigestDuplicate
	ErrReservedName           error = &Error{Reason: ReasonReservedName}           // errors.Is target for ReasonReservedName
	ErrNameClash              error = &Error{Reason: ReasonNameClash}              // errors.Is target for ReasonNameClash
	ErrDisclosureKind         error = &Error{Reason: ReasonDisclosureKind}         // errors.Is target for ReasonDisclosureKind
	ErrSDAlgNotAllowed        error = &Error{Reason: ReasonSDAlgNotAllowed}        // errors.Is target for ReasonSDAlgNotAllowed
	ErrNotDisclosable         error = &Error{Reason: ReasonNotDisclosable}         // errors.Is target for ReasonNotDisclosable
	ErrInvalidVC              error = &Error{Reason: ReasonInvalidVC}              // errors.Is target for ReasonInvalidVC
	ErrWrongTyp               error = &Error{Reason: ReasonWrongTyp}               // errors.Is target for ReasonWrongTyp
	ErrAlgNone                error = &Error{Reason: ReasonAlgNone}                // errors.Is target for ReasonAlgNone
	ErrAlgNotAllowed          error = &Error{Reason: ReasonAlgNotAllowed}          // errors.Is target for ReasonAlgNotAllowed
	ErrKeyTypeMismatch        error = &Error{Reason: ReasonKeyTypeMismatch}        // errors.Is target for ReasonKeyTypeMismatch
	ErrUnknownCrit            error = &Error{Reason: ReasonUnknownCrit}            // errors.Is target for ReasonUnknownCrit
	ErrKeyNotFound            error = &Error{Reason: ReasonKeyNotFound}            // errors.Is target for ReasonKeyNotFound
	ErrBadSignature           error = &Error{Reason: ReasonBadSignature}           // errors.Is target for ReasonBadSignature
	ErrExpired                error = &Error{Reason: ReasonExpired}                // errors.Is target for ReasonExpired
	ErrNotYetValid            error = &Error{Reason: ReasonNotYetValid}            // errors.Is target for ReasonNotYetValid
	ErrCnfMissing             error = &Error{Reason: ReasonCnfMissing}             // errors.Is target for ReasonCnfMissing
	ErrCnfInvalid             error = &Error{Reason: ReasonCnfInvalid}             // errors.Is target for ReasonCnfInvalid
	ErrKBMissing              error = &Error{Reason: ReasonKBMissing}              // errors.Is target for ReasonKBMissing
	ErrKBWrongTyp             error = &Error{Reason: ReasonKBWrongTyp}             // errors.Is target for ReasonKBWrongTyp
	ErrKBAlgNone              error = &Error{Reason: ReasonKBAlgNone}              // errors.Is target for ReasonKBAlgNone
	ErrKBAlgNotAllowed        error = &Error{Reason: ReasonKBAlgNotAllowed}        // errors.Is target for ReasonKBAlgNotAllowed
	ErrKBUnknownCrit          error = &Error{Reason: ReasonKBUnknownCrit}          // errors.Is target for ReasonKBUnknownCrit
	ErrKBBadSignature         error = &Error{Reason: ReasonKBBadSignature}         // errors.Is target for ReasonKBBadSignature
	ErrKBWrongSDHash          error = &Error{Reason: ReasonKBWrongSDHash}          // errors.Is target for ReasonKBWrongSDHash
	ErrKBStale                error = &Error{Reason: ReasonKBStale}                // errors.Is target for ReasonKBStale
	ErrKBFuture               error = &Error{Reason: ReasonKBFuture}               // errors.Is target for ReasonKBFuture
	ErrKBWrongAud             error = &Error{Reason: ReasonKBWrongAud}             // errors.Is target for ReasonKBWrongAud
	ErrKBWrongNonce           error = &Error{Reason: ReasonKBWrongNonce}           // errors.Is target for ReasonKBWrongNonce
)

// Configuration errors: returned by Verify before looking at the input,
// when VerifyOptions lacks a policy. They are not *Error.
var (
	// ErrNoAlgorithms: VerifyOptions.Algorithms is empty.
	ErrNoAlgorithms = errors.New("sdjwt: VerifyOptions.Algorithms is empty")
	// ErrNoIssuerKey: VerifyOptions.IssuerKey is nil.
	ErrNoIssuerKey = errors.New("sdjwt: VerifyOptions.IssuerKey is nil")
	// ErrNoTyp: VerifyOptions.Typ is empty and UnsafeAnyTyp is not set.
	ErrNoTyp = errors.New("sdjwt: VerifyOptions.Typ is empty (set it, or UnsafeAnyTyp)")
	// ErrNoAudienceOrNonce: RequireKeyBinding without Audience and Nonce.
	ErrNoAudienceOrNonce = errors.New("sdjwt: RequireKeyBinding needs VerifyOptions.Audience and Nonce")
)

// ErrNoSuchClaim is returned (wrapped) by Present and Issue for a JSON
// pointer that names no claim.
var ErrNoSuchClaim = errors.New("sdjwt: no such claim")

func fail(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

func malformed(format string, args ...any) *Error {
	return fail(ReasonMalformed, format, args...)
}

// fromJWS turns a *jws.Error from the issuer JWT (prefix "") or the
// KB-JWT (prefix "kb_") into an *Error with the matching reason.
func fromJWS(err error, prefix string) error {
	var je *jws.Error
	if !errors.As(err, &je) {
		return err // configuration error (ErrNoAlgorithms, bad list entry)
	}
	reason := je.Reason
	if prefix != "" && reason == jws.ReasonKeyTypeMismatch {
		// A KB-JWT whose alg does not fit the cnf key was not signed by it.
		reason = "bad_signature"
	}
	return &Error{Reason: prefix + reason, Err: err}
}

// truncate shortens attacker-controlled strings before they go into error
// messages.
func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
