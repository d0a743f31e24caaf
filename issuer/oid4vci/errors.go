package oid4vci

import (
	"errors"
	"fmt"
)

// OAuth 2.0 (RFC 6749, RFC 6750) and OpenID4VCI 1.0 error codes.
const (
	CodeInvalidRequest                 = "invalid_request"
	CodeInvalidGrant                   = "invalid_grant"
	CodeUnsupportedGrantType           = "unsupported_grant_type"
	CodeInvalidToken                   = "invalid_token"
	CodeInvalidCredentialRequest       = "invalid_credential_request"
	CodeUnknownCredentialConfiguration = "unknown_credential_configuration"
	CodeUnknownCredentialIdentifier    = "unknown_credential_identifier"
	CodeInvalidProof                   = "invalid_proof"
	CodeInvalidNonce                   = "invalid_nonce"
	CodeInvalidEncryptionParameters    = "invalid_encryption_parameters"
	CodeCredentialRequestDenied        = "credential_request_denied"
)

// Error is a protocol error: an OAuth error code and a description for
// the client. The transport maps codes to HTTP statuses (invalid_token:
// 401; the rest of the client errors: 400). Err, when set, is the cause,
// for logs; it is never sent.
type Error struct {
	Code        string
	Description string
	Err         error
}

func (e *Error) Error() string {
	if e.Description == "" {
		return "oid4vci: " + e.Code
	}
	return "oid4vci: " + e.Code + ": " + e.Description
}

func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Code and no
// Description, so that errors.Is(err, oid4vci.ErrInvalidGrant) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Description == "" && t.Code == e.Code
}

// Sentinels for errors.Is, one per code.
var (
	ErrInvalidRequest                 error = &Error{Code: CodeInvalidRequest}
	ErrInvalidGrant                   error = &Error{Code: CodeInvalidGrant}
	ErrUnsupportedGrantType           error = &Error{Code: CodeUnsupportedGrantType}
	ErrInvalidToken                   error = &Error{Code: CodeInvalidToken}
	ErrInvalidCredentialRequest       error = &Error{Code: CodeInvalidCredentialRequest}
	ErrUnknownCredentialConfiguration error = &Error{Code: CodeUnknownCredentialConfiguration}
	ErrUnknownCredentialIdentifier    error = &Error{Code: CodeUnknownCredentialIdentifier}
	ErrInvalidProof                   error = &Error{Code: CodeInvalidProof}
	ErrInvalidNonce                   error = &Error{Code: CodeInvalidNonce}
	ErrInvalidEncryptionParameters    error = &Error{Code: CodeInvalidEncryptionParameters}
	ErrCredentialRequestDenied        error = &Error{Code: CodeCredentialRequestDenied}
)

func fail(code, format string, args ...any) *Error {
	return &Error{Code: code, Description: fmt.Sprintf(format, args...)}
}

// Storage errors, returned by Store implementations.
var (
	// ErrNotFound: no such offer or ticket.
	ErrNotFound = errors.New("oid4vci: not found")
	// ErrExists: an offer or ticket with that key exists already.
	ErrExists = errors.New("oid4vci: already exists")
	// ErrConflict: a compare-and-swap lost too many races; retry.
	ErrConflict = errors.New("oid4vci: concurrent update conflict")
)
