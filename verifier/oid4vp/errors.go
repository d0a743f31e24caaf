package oid4vp

import (
	"errors"

	"github.com/thaitrust/thaitrust/verifier"
)

// Store errors.
var (
	// ErrNotFound: no request with that id (or not of this verifier).
	ErrNotFound = errors.New("oid4vp: not found")
	// ErrExists: a request with that id exists already.
	ErrExists = errors.New("oid4vp: already exists")
	// ErrConflict: a compare-and-swap lost too many races; retry.
	ErrConflict = errors.New("oid4vp: concurrent update conflict")
)

// OAuth 2.0 and OpenID4VP 1.0 error codes of a response refused.
const (
	CodeInvalidRequest = "invalid_request"
	CodeAccessDenied   = "access_denied"
)

// Reason codes of a refused response or a failed verification (besides
// those of package verifier's checks, which a failed presentation
// carries). Package verifier has English and Thai sentences for each.
const (
	ReasonResponseInvalid   = "response_invalid"         // the form is malformed (no vp_token and no error, both, ...)
	ReasonVPTokenInvalid    = "vp_token_invalid"         // vp_token is not a JSON object of non-empty arrays of strings
	ReasonStateMismatch     = "state_mismatch"           // state is not the request's
	ReasonNonceUsed         = "nonce_used"               // a response took the nonce already: a replay
	ReasonRequestExpired    = "request_expired"          // the request (and its nonce) expired
	ReasonUnknownQuery      = "unknown_credential_query" // vp_token names a credential query the request does not have
	ReasonTooMany           = "too_many_presentations"   // several presentations for a query without multiple, or more than MaxPresentations
	ReasonPresentationFail  = "presentation_failed"      // a presentation failed the verifier's checks
	ReasonCredentialType    = "credential_type_mismatch" // vct or type not among those asked for
	ReasonClaimMissing      = "claim_missing"            // a claim asked for was not disclosed
	ReasonClaimValue        = "claim_value_mismatch"     // a claim asked for has none of the accepted values
	ReasonCredentialMissing = "credential_missing"       // a required credential query (or set) was not answered
	ReasonHolderNotSubject  = "holder_not_subject"       // a jwt_vc_json credential not bound to the presenter
)

// Error is a response the verifier refused, or a request it cannot
// make: an OAuth error code, a stable reason and a description. The
// transport renders it as {"error", "error_description", "reason"}.
type Error struct {
	Code        string // invalid_request
	Reason      string // a Reason* constant, or a verifier check's reason
	Description string
}

func (e *Error) Error() string {
	s := "oid4vp: " + e.Code + ": " + e.Reason
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// Is reports whether target is an *Error with the same Reason and no
// Description, so that errors.Is(err, &oid4vp.Error{Reason:
// oid4vp.ReasonNonceUsed}) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Description == "" && t.Reason == e.Reason
}

func refuse(reason, desc string) *Error {
	if desc == "" {
		desc, _ = verifier.Message(reason)
	}
	return &Error{Code: CodeInvalidRequest, Reason: reason, Description: desc}
}

// QueryError is a DCQL query (or a request) the verifier will not send.
type QueryError struct {
	Field string // JSON pointer into the query
	Msg   string
}

func (e *QueryError) Error() string {
	if e.Field == "" {
		return "oid4vp: dcql_query: " + e.Msg
	}
	return "oid4vp: dcql_query" + e.Field + ": " + e.Msg
}

// ErrInvalidQuery is matched (errors.Is) by every *QueryError.
var ErrInvalidQuery = errors.New("oid4vp: invalid DCQL query")

// Is reports whether target is ErrInvalidQuery.
func (e *QueryError) Is(target error) bool { return target == ErrInvalidQuery }
