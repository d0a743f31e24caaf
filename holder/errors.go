package holder

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by this package wrap them (or are an
// *Error); test with errors.Is.
var (
	// ErrNotFound: no credential, key or log entry with that id.
	ErrNotFound = errors.New("holder: not found")
	// ErrAmbiguous: an id prefix that names more than one credential.
	ErrAmbiguous = errors.New("holder: ambiguous id")
	// ErrWrongPassphrase: the passphrase does not open the wallet (or the
	// backup): the key-check value does not match.
	ErrWrongPassphrase = errors.New("holder: wrong passphrase")
	// ErrCorrupted: a record or a backup that does not decrypt although
	// the passphrase is right: it was altered, truncated or moved.
	ErrCorrupted = errors.New("holder: wallet data is corrupted or was tampered with")
	// ErrExists: creating a wallet where one (or anything else) already is.
	ErrExists = errors.New("holder: wallet already exists")
	// ErrNotWallet: opening a directory that holds no wallet.
	ErrNotWallet = errors.New("holder: not a wallet")
	// ErrNoMatch: the wallet holds no credentials that satisfy a
	// presentation request. The *NoMatchError says which queries failed.
	ErrNoMatch = errors.New("holder: no credentials match the request")
	// ErrTxCodeRequired: the credential offer asks for a transaction code
	// (sent to the person out of band) and none was given.
	ErrTxCodeRequired = errors.New("holder: the offer needs a transaction code")
)

// Reasons of *Error: why an offer, a credential, a request or a response
// was rejected. They are stable: programs branch on them.
const (
	ReasonInsecureURL       = "insecure_url"          // not https (http only for loopback hosts), or not a URL
	ReasonTooLarge          = "too_large"             // a response bigger than the wallet accepts
	ReasonHTTP              = "http_error"            // a network failure or an unexpected HTTP status
	ReasonOfferInvalid      = "offer_invalid"         // a credential offer that is malformed or unsupported
	ReasonMetadataInvalid   = "metadata_invalid"      // issuer or authorization server metadata malformed or inconsistent
	ReasonIssuerError       = "issuer_error"          // the issuer answered with an OAuth error (invalid_grant, invalid_proof, ...)
	ReasonCredentialInvalid = "credential_invalid"    // a received credential that does not verify (signature, type, validity)
	ReasonKeyMismatch       = "holder_key_mismatch"   // a received credential not bound to the key the wallet sent
	ReasonRequestInvalid    = "request_invalid"       // an authorization request (URI or request object) that is malformed
	ReasonRequestUnsigned   = "request_unsigned"      // a request that is not a signed request object
	ReasonClientIDScheme    = "client_id_unsupported" // a client_id prefix this wallet does not support
	ReasonRequestSignature  = "request_signature"     // the request object's signature or key does not verify for its client_id
	ReasonRequestExpired    = "request_expired"       // exp passed (or iat in the future)
	ReasonRequestAudience   = "request_audience"      // aud is not https://self-issued.me/v2
	ReasonQueryInvalid      = "query_invalid"         // a DCQL query that is malformed
	ReasonResponseRejected  = "response_rejected"     // the verifier did not accept the response
)

// Error is a rejection of something the wallet received from an issuer or
// a verifier, with a stable Reason.
type Error struct {
	Reason string // one of the Reason* constants
	Err    error  // details for people
}

// Error returns "holder: <reason>: <details>".
func (e *Error) Error() string {
	if e.Err == nil {
		return "holder: " + e.Reason
	}
	return "holder: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the details.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Reason and no Err,
// so that errors.Is(err, &holder.Error{Reason: holder.ReasonRequestExpired})
// works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Err == nil && t.Reason == e.Reason
}

func fail(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Err: fmt.Errorf(format, args...)}
}

// Reason returns the Reason of an *Error in err's chain, or "".
func Reason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// NoMatchError says which credential queries of a request the wallet
// cannot answer. errors.Is(err, ErrNoMatch) holds.
type NoMatchError struct {
	// Queries are the ids of the required credential queries (or, with
	// credential_sets, of the queries of the first option of each
	// required set) that no credential satisfies.
	Queries []string
}

func (e *NoMatchError) Error() string {
	return fmt.Sprintf("holder: no credentials match the request (credential queries %q)", e.Queries)
}

// Is reports whether target is ErrNoMatch.
func (e *NoMatchError) Is(target error) bool { return target == ErrNoMatch }
