package fvs

import (
	"errors"
	"fmt"
)

// InputError is a request the FVS refuses because of what the caller sent:
// the image, the citizen ID, the consent or purpose, the FMR target. Reason
// is a stable code; the sentinels below are *InputError values without Err,
// so errors.Is(err, fvs.ErrNoFace) works, and errors.As(err, &ie) tells any
// bad input (HTTP 4xx, CLI exit 2) from a failure of the service.
type InputError struct {
	Reason string
	Err    error
}

// Error returns "fvs: <reason>: <details>".
func (e *InputError) Error() string {
	if e.Err == nil {
		return "fvs: " + e.Reason
	}
	return "fvs: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the details.
func (e *InputError) Unwrap() error { return e.Err }

// Is matches the sentinel with the same Reason.
func (e *InputError) Is(target error) bool {
	t, ok := target.(*InputError)
	return ok && t.Err == nil && t.Reason == e.Reason
}

func badInput(sentinel error, format string, args ...any) error {
	return &InputError{Reason: sentinel.(*InputError).Reason, Err: fmt.Errorf(format, args...)}
}

// Bad input, one sentinel per reason. Image checks run in this order and
// stop at the first failure; the cheap ones (size in bytes, magic bytes,
// dimensions from the header) run before anything is decoded.
var (
	ErrNotImage      error = &InputError{Reason: "not_image"}       // not a JPEG or PNG (magic bytes)
	ErrImageTooLarge error = &InputError{Reason: "image_too_large"} // more bytes than Limits.MaxBytes
	ErrTooManyPixels error = &InputError{Reason: "too_many_pixels"} // width, height or area above Limits (from the header)
	ErrImageTooSmall error = &InputError{Reason: "image_too_small"} // a side below Limits.MinSide
	ErrCorruptImage  error = &InputError{Reason: "corrupt_image"}   // the header or the data does not decode
	ErrNoFace        error = &InputError{Reason: "no_face"}         // no face found (HOG, then the CNN detector)
	ErrManyFaces     error = &InputError{Reason: "many_faces"}      // more than one face found
	ErrFaceTooSmall  error = &InputError{Reason: "face_too_small"}  // the face box is narrower than Policy.MinFaceSize

	ErrInvalidPID         error = &InputError{Reason: "invalid_pid"}         // not a valid 13-digit citizen ID
	ErrConsentRequired    error = &InputError{Reason: "consent_required"}    // no consent reference
	ErrPurposeRequired    error = &InputError{Reason: "purpose_required"}    // no purpose
	ErrUnsupportedFMR     error = &InputError{Reason: "unsupported_fmr"}     // the FMR target is not one the policy offers
	ErrNonceRequired      error = &InputError{Reason: "nonce_required"}      // an attestation needs the verifier's nonce
	ErrHolderKeyRequired  error = &InputError{Reason: "holder_key_required"} // an attestation needs the holder key thumbprint
	ErrNotEntitled        error = &InputError{Reason: "not_entitled"}        // the citizen ID may not be disclosed to this verifier
	ErrInvalidRequestText error = &InputError{Reason: "invalid_text"}        // a text field is too long or holds control characters
)

// Conditions of the service (not the caller's input).
var (
	// ErrNotEnrolled reports that no template is enrolled for the citizen ID.
	ErrNotEnrolled = errors.New("fvs: no template enrolled for this citizen ID")
	// ErrModelMismatch reports that the enrolled template was made by
	// another model than the matcher's: the citizen must be re-enrolled.
	ErrModelMismatch = errors.New("fvs: the enrolled template belongs to another model; re-enrol")
	// ErrWrongKEK reports that the key-encryption key does not open the
	// store's keys (another KEK, or altered data).
	ErrWrongKEK = errors.New("fvs: the key-encryption key does not open this store")
	// ErrNoCalibration reports that no calibration is known for the
	// matcher's model.
	ErrNoCalibration = errors.New("fvs: no calibration for this model")
)

// Storage errors. Backends return these (wrapped or not).
var (
	// ErrNotFound reports a missing record.
	ErrNotFound = errors.New("fvs: not found")
	// ErrExists reports a record that exists already.
	ErrExists = errors.New("fvs: already exists")
)
