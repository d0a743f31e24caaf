package sdjwt

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// HashAlg names the hash function of the _sd_alg claim, from the IANA
// "Named Information Hash Algorithm" registry (RFC 9901 section 4.1.1).
type HashAlg string

// The supported _sd_alg values. SHA256 is the default when _sd_alg is
// absent, and the only one VerifyOptions accepts unless told otherwise.
const (
	SHA256 HashAlg = "sha-256" // SHA-256, the default
	SHA384 HashAlg = "sha-384" // SHA-384
	SHA512 HashAlg = "sha-512" // SHA-512
)

func (h HashAlg) known() bool { return h == SHA256 || h == SHA384 || h == SHA512 }

func (h HashAlg) new() hash.Hash {
	switch h {
	case SHA384:
		return sha512.New384()
	case SHA512:
		return sha512.New()
	}
	return sha256.New()
}

// Digest returns base64url(H(ASCII(s))): the digest of a disclosure
// (s is its base64url encoding exactly as it appears in the SD-JWT) or,
// for sd_hash, of the presented SD-JWT up to and including the last "~".
// Digest panics if h is not SHA256, SHA384 or SHA512.
func (h HashAlg) Digest(s string) string {
	switch h {
	case SHA256:
		sum := sha256Sum(s)
		return base64.RawURLEncoding.EncodeToString(sum[:])
	case SHA384, SHA512:
		d := h.new()
		io.WriteString(d, s)
		return base64.RawURLEncoding.EncodeToString(d.Sum(nil))
	}
	panic("sdjwt: unknown hash algorithm " + string(h))
}

// digestIs reports whether digest is Digest(s), without allocating for
// SHA256.
func (h HashAlg) digestIs(s, digest string) bool {
	if h != SHA256 {
		return subtle.ConstantTimeCompare([]byte(h.Digest(s)), []byte(digest)) == 1
	}
	sum := sha256Sum(s)
	var enc [43]byte // base64url of 32 bytes, unpadded
	base64.RawURLEncoding.Encode(enc[:], sum[:])
	return len(digest) == len(enc) && subtle.ConstantTimeCompare(enc[:], []byte(digest)) == 1
}

// sha256Sum hashes s through a stack buffer: no copy of s on the heap
// (the hasher is devirtualized and stays on the stack too).
func sha256Sum(s string) [sha256.Size]byte {
	h := sha256.New()
	var buf [512]byte
	for len(s) > 0 {
		n := copy(buf[:], s)
		h.Write(buf[:n])
		s = s[n:]
	}
	var out [sha256.Size]byte
	h.Sum(out[:0])
	return out
}

// Disclosure is one decoded disclosure (RFC 9901 section 4.2): a salted
// object member [salt, name, value] or array element [salt, value].
type Disclosure struct {
	// Encoded is the base64url form exactly as in the SD-JWT; the digest
	// is computed over it.
	Encoded string
	// Digest is base64url(H(Encoded)) with the SD-JWT's _sd_alg.
	Digest string
	// Salt is the salt as transmitted.
	Salt string
	// Name is the object member name; "" for an array element.
	Name string
	// Element is true for an array element disclosure (2-element form).
	Element bool
	// Value is the disclosed value as decoded (strings, json.Number, bool,
	// nil, []any, map[string]any). It may itself hold _sd and "..."
	// digests of nested disclosures.
	Value any
	// Path is the JSON pointer (RFC 6901) of the claim in the processed
	// SD-JWT, set by Parse: "/address/street_address", "/nationalities/0".
	Path string
}

// ParseDisclosure decodes one disclosure and computes its digest with h.
// It rejects anything but canonical unpadded base64url of an I-JSON array
// of 2 or 3 elements whose salt (and name) are strings; errors are *Error
// with reason disclosure_malformed (or sd_alg_not_allowed for an unknown
// h). It does not check reserved names: that depends on where the
// disclosure is referenced, which Parse decides.
func ParseDisclosure(encoded string, h HashAlg) (Disclosure, error) {
	if !h.known() {
		return Disclosure{}, fail(ReasonSDAlgNotAllowed, "unknown _sd_alg %q", truncate(string(h)))
	}
	d, err := decodeDisclosure(encoded)
	if err != nil {
		return Disclosure{}, err
	}
	d.Digest = h.Digest(encoded)
	return d, nil
}

func decodeDisclosure(encoded string) (Disclosure, error) {
	d, _, err := decodeDisclosureBuf(encoded, nil)
	return d, err
}

// decodeDisclosureBuf decodes into scratch (which jsonx copies from, so it
// can be reused) and returns it for the next call.
func decodeDisclosureBuf(encoded string, scratch []byte) (Disclosure, []byte, error) {
	raw, err := b64AppendDecode(scratch[:0], encoded)
	if err != nil {
		return Disclosure{}, scratch, fail(ReasonDisclosureMalformed, "disclosure is not base64url")
	}
	d, err := disclosureFromJSON(encoded, raw)
	return d, raw, err
}

func disclosureFromJSON(encoded string, raw []byte) (Disclosure, error) {
	v, err := jsonx.Parse(raw)
	if err != nil {
		return Disclosure{}, fail(ReasonDisclosureMalformed, "disclosure: %w", err)
	}
	a, ok := v.([]any)
	if !ok || (len(a) != 2 && len(a) != 3) {
		return Disclosure{}, fail(ReasonDisclosureMalformed, "disclosure is not a JSON array of 2 or 3 elements")
	}
	salt, ok := a[0].(string)
	if !ok {
		return Disclosure{}, fail(ReasonDisclosureMalformed, "disclosure salt is not a string")
	}
	d := Disclosure{Encoded: encoded, Salt: salt}
	if len(a) == 2 {
		d.Element, d.Value = true, a[1]
		return d, nil
	}
	if d.Name, ok = a[1].(string); !ok {
		return Disclosure{}, fail(ReasonDisclosureMalformed, "disclosure claim name is not a string")
	}
	d.Value = a[2]
	return d, nil
}

var b64 = base64.RawURLEncoding.Strict()

var errBase64 = errors.New("invalid base64url")

// b64Decode decodes canonical unpadded base64url (the JOSE encoding). The
// standard decoder skips '\r' and '\n'; they are refused here so that each
// value has one encoding.
func b64Decode(s string) ([]byte, error) {
	return b64AppendDecode(nil, s)
}

func b64AppendDecode(dst []byte, s string) ([]byte, error) {
	if strings.IndexByte(s, '\n') >= 0 || strings.IndexByte(s, '\r') >= 0 {
		return nil, errBase64
	}
	if n := b64.DecodedLen(len(s)); cap(dst)-len(dst) < n {
		dst = append(make([]byte, 0, len(dst)+n), dst...)
	}
	out, err := b64.AppendDecode(dst, []byte(s))
	if err != nil {
		return nil, errBase64
	}
	return out, nil
}

// encodeDisclosure returns the base64url disclosure of [salt, name, value]
// (name nil: [salt, value]) in the layout of the RFC 9901 examples
// (", " and ": " separators, UTF-8 kept as is), so that the examples'
// salts and values reproduce their disclosures and digests exactly.
func encodeDisclosure(salt string, name *string, value any) (string, error) {
	b := make([]byte, 0, 64)
	b = append(b, '[')
	b = appendString(b, salt)
	if name != nil {
		b = append(b, ", "...)
		b = appendString(b, *name)
	}
	b = append(b, ", "...)
	b, err := appendJSON(b, value, true)
	if err != nil {
		return "", fmt.Errorf("sdjwt: disclosure value: %w", err)
	}
	b = append(b, ']')
	return base64.RawURLEncoding.EncodeToString(b), nil
}
