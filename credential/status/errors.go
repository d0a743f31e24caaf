package status

import "errors"

// Sentinel errors. Every error returned by this package wraps exactly one of
// them, so callers can branch with errors.Is. Errors from Checker.Check are
// *Error values, which add a stable Reason code.
var (
	// ErrListUnavailable means the status list credential could not be
	// fetched. The credential's status is unknown; treat it as a failure.
	ErrListUnavailable = errors.New("status: status list unavailable")

	// ErrListInvalid means a status list (the credential, its proof, its
	// validity period or its encodedList) is malformed, unverifiable,
	// expired or not yet valid. It is also returned for bitstrings of an
	// unacceptable size.
	ErrListInvalid = errors.New("status: status list invalid")

	// ErrIndexOutOfRange means a status list index is not inside the list.
	ErrIndexOutOfRange = errors.New("status: status list index out of range")

	// ErrIssuerMismatch means the status list credential was issued by
	// someone other than the issuer of the credential being checked.
	ErrIssuerMismatch = errors.New("status: status list issuer differs from credential issuer")

	// ErrPurposeMismatch means the status list does not serve the
	// statusPurpose named by the credentialStatus entry.
	ErrPurposeMismatch = errors.New("status: status purpose mismatch")

	// ErrEntryInvalid means a credentialStatus entry is not a well-formed
	// BitstringStatusListEntry (wrong type, missing list URL or purpose,
	// statusListIndex not base-10 digits without leading zeros).
	ErrEntryInvalid = errors.New("status: invalid credentialStatus entry")

	// ErrUnsupported means a status entry or list uses a feature this
	// package does not implement yet: statusSize other than 1, or
	// statusMessage.
	ErrUnsupported = errors.New("status: unsupported status list feature")
)

// Reason codes of *Error. They are stable and may be shown to people or
// logged; new codes may be added.
const (
	ReasonEntryInvalid    = "entry_invalid"              // ErrEntryInvalid
	ReasonEntryType       = "entry_type"                 // ErrEntryInvalid: type is not BitstringStatusListEntry
	ReasonStatusSize      = "status_size_unsupported"    // ErrUnsupported
	ReasonStatusMessage   = "status_message_unsupported" // ErrUnsupported
	ReasonListUnavailable = "list_unavailable"           // ErrListUnavailable: Fetch failed
	ReasonListUnverified  = "list_unverified"            // ErrListInvalid: Verify failed
	ReasonListInvalid     = "list_invalid"               // ErrListInvalid: structure or encodedList
	ReasonListIDMismatch  = "list_id_mismatch"           // ErrListInvalid: list id != statusListCredential
	ReasonListNotYetValid = "list_not_yet_valid"         // ErrListInvalid: now before validFrom
	ReasonListExpired     = "list_expired"               // ErrListInvalid: now after validUntil
	ReasonPurposeMismatch = "purpose_mismatch"           // ErrPurposeMismatch
	ReasonIssuerMismatch  = "issuer_mismatch"            // ErrIssuerMismatch
	ReasonIndexOutOfRange = "index_out_of_range"         // ErrIndexOutOfRange
)

// Error is the error returned by Checker.Check. Err wraps one of the
// package's sentinel errors (and, where there is one, the underlying cause,
// such as the error returned by Fetch or Verify), so errors.Is works on
// both.
type Error struct {
	Reason string // stable snake_case code, one of the Reason constants
	URL    string // the statusListCredential URL, "" when the entry had none
	Err    error  // wraps a sentinel (ErrListInvalid, ...) and the cause
}

// Error returns the message of the wrapped error, which is prefixed with
// "status: ".
func (e *Error) Error() string { return e.Err.Error() }

// Unwrap returns the wrapped error.
func (e *Error) Unwrap() error { return e.Err }
