// Package b64 is strict unpadded base64url (RFC 4648 section 5), the
// encoding JOSE uses everywhere.
//
// Decode accepts exactly the strings Encode produces: no padding, no
// whitespace or line breaks, no characters outside the URL-safe alphabet,
// no length of 1 mod 4, and no non-zero trailing bits. So every byte
// string has exactly one accepted encoding, which matters for values that
// are compared or hashed in encoded form.
package b64

import (
	"bytes"
	"encoding/base64"
	"errors"
)

// ErrInvalid is returned for anything that is not canonical unpadded
// base64url.
var ErrInvalid = errors.New("invalid base64url")

var strict = base64.RawURLEncoding.Strict()

// Encode returns the unpadded base64url encoding of p.
func Encode(p []byte) string { return base64.RawURLEncoding.EncodeToString(p) }

// Decode decodes canonical unpadded base64url.
func Decode(s string) ([]byte, error) {
	return AppendDecode(make([]byte, 0, strict.DecodedLen(len(s))), []byte(s))
}

// AppendDecode appends the decoding of src to dst (like Decode, but over
// bytes and without extra allocation when dst has room).
func AppendDecode(dst, src []byte) ([]byte, error) {
	// Without padding configured, the decoder rejects '=' and every
	// character outside the alphabet, except '\r' and '\n', which it
	// skips; refuse those here (IndexByte is vectorised).
	if bytes.IndexByte(src, '\n') >= 0 || bytes.IndexByte(src, '\r') >= 0 {
		return nil, ErrInvalid
	}
	out, err := strict.AppendDecode(dst, src)
	if err != nil {
		return nil, ErrInvalid
	}
	return out, nil
}

// DecodedLen is the maximum length of the decoding of n characters.
func DecodedLen(n int) int { return strict.DecodedLen(n) }
