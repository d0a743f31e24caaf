package jws

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/internal/b64"
)

// Header is a JWS protected header (RFC 7515 section 4).
type Header struct {
	// Alg is the "alg" parameter. Parse keeps whatever string the JWS
	// names (Verify decides whether it is acceptable); Sign fills it from
	// the key when empty and refuses one that does not fit the key.
	Alg signing.Algorithm
	// Kid, Typ and Cty are "kid", "typ" and "cty"; "" when absent.
	Kid, Typ, Cty string
	// Crit lists the extension parameters the signer says must be
	// understood ("crit"); nil when absent.
	Crit []string
	// JWK is the "jwk" parameter: a public key the signer chose to
	// attach. WARNING: it is attacker-chosen; never verify with it unless
	// something trusted (a DID, a thumbprint you know) vouches for it.
	JWK *signing.JWK
	// X5C is the "x5c" certificate chain, standard base64 DER, leaf first;
	// nil when absent. Parse checks the encoding only, not the chain.
	X5C []string
	// Extra holds every other header parameter, as decoded by
	// internal/jsonx (strings, json.Number, bool, nil, []any,
	// map[string]any). When signing, its members are added after the
	// registered ones, sorted by name. Nil when there are none.
	Extra map[string]any
}

// Parsed is a decoded compact JWS. Nothing in it has been verified.
type Parsed struct {
	Header       Header
	Payload      []byte // the decoded payload (nil from ParseText)
	PayloadText  string // the decoded payload, from ParseText only ("" from Parse)
	SigningInput []byte // ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), what the signature covers
	Signature    []byte // the decoded signature

	buf *tokenBuf // holds SigningInput and Signature; see Release
}

// tokenBuf is the memory of a token's signing input and signature, which
// Release recycles: a verifier that releases what it parsed does not
// allocate a copy of every token it sees.
type tokenBuf struct{ b []byte }

var tokenBufs sync.Pool // of *tokenBuf

// maxPooledToken bounds the tokens whose buffers are recycled, so that one
// huge token does not keep a huge buffer alive.
const maxPooledToken = 64 << 10

// copyToken returns a copy of compact, in a recycled buffer when there is
// one (nil tb: a fresh allocation, not recycled).
func copyToken(compact string) (b []byte, tb *tokenBuf) {
	if len(compact) > maxPooledToken {
		return []byte(compact), nil
	}
	tb, _ = tokenBufs.Get().(*tokenBuf)
	if tb == nil {
		tb = new(tokenBuf)
	}
	if cap(tb.b) < len(compact) {
		tb.b = []byte(compact) // a string conversion does not zero memory first
	} else {
		tb.b = tb.b[:len(compact)]
		copy(tb.b, compact)
	}
	return tb.b, tb
}

// Release lets a later Parse or ParseText reuse the memory that holds
// p.SigningInput and p.Signature, and sets both to nil. Call it when done
// with p, and only if no copy of those two slices (or of slices of them)
// is still in use; the header and the payload are not affected and stay
// valid. Not calling it is always safe: the memory is then garbage
// collected.
func (p *Parsed) Release() {
	tb := p.buf
	if tb == nil {
		return
	}
	p.buf, p.SigningInput, p.Signature = nil, nil, nil
	tokenBufs.Put(tb)
}

// VerifyOptions are the trust inputs of Parsed.Verify.
type VerifyOptions struct {
	// Algorithms the caller accepts. Required: empty fails with
	// ErrNoAlgorithms (fail closed). "none" is never accepted, even if
	// listed, and any entry that is not a supported algorithm is an error.
	Algorithms []signing.Algorithm
	// Crit names the extension header parameters the caller understands
	// and has processed. A JWS whose "crit" lists any other name fails
	// with reason unknown_crit. Nil: no extensions are understood.
	Crit []string
}

// Reason codes of *Error.
const (
	ReasonMalformed       = "malformed"         // not a well-formed compact JWS (Parse)
	ReasonAlgNone         = "alg_none"          // alg "none" (any case)
	ReasonAlgNotAllowed   = "alg_not_allowed"   // alg not in VerifyOptions.Algorithms
	ReasonKeyTypeMismatch = "key_type_mismatch" // the key cannot be used with alg
	ReasonUnknownCrit     = "unknown_crit"      // crit names a parameter not in VerifyOptions.Crit
	ReasonBadSignature    = "bad_signature"     // the signature does not verify
)

// Error reports why a JWS was rejected. Reason is one of the Reason*
// constants, stable for programs; Err carries details for people.
type Error struct {
	Reason string
	Err    error
}

// Error returns "jws: <reason>: <details>".
func (e *Error) Error() string {
	if e.Err == nil {
		return "jws: " + e.Reason
	}
	return "jws: " + e.Reason + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is an *Error with the same Reason and no Err,
// so that errors.Is(err, jws.ErrBadSignature) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Err == nil && t.Reason == e.Reason
}

// Sentinels for errors.Is, one per reason.
var (
	ErrMalformed       error = &Error{Reason: ReasonMalformed}       // Parse failures
	ErrAlgNone         error = &Error{Reason: ReasonAlgNone}         // alg "none"
	ErrAlgNotAllowed   error = &Error{Reason: ReasonAlgNotAllowed}   // alg not in VerifyOptions.Algorithms
	ErrKeyTypeMismatch error = &Error{Reason: ReasonKeyTypeMismatch} // key does not fit alg
	ErrUnknownCrit     error = &Error{Reason: ReasonUnknownCrit}     // crit not understood
	ErrBadSignature    error = &Error{Reason: ReasonBadSignature}    // signature does not verify
)

// ErrNoAlgorithms is returned by Verify when VerifyOptions.Algorithms is
// empty: a verifier without an algorithm policy accepts nothing.
var ErrNoAlgorithms = errors.New("jws: VerifyOptions.Algorithms is empty")

func malformed(format string, args ...any) *Error {
	return &Error{Reason: ReasonMalformed, Err: fmt.Errorf(format, args...)}
}

// registered are the header parameter names of RFC 7515 section 4.1 (and
// RFC 7797's b64). They must not appear in crit, and Extra must not
// redefine those Header has fields for.
var registered = map[string]bool{
	"alg": true, "jku": true, "jwk": true, "kid": true, "x5u": true, "x5c": true,
	"x5t": true, "x5t#S256": true, "typ": true, "cty": true, "crit": true,
}

// Sign produces a compact JWS of payload signed by s. The header JSON is
// deterministic: alg, typ, cty, kid, crit, jwk, x5c (those set), then
// Extra sorted by name.
//
// h.Alg may be empty (the key's algorithm is used) and otherwise must fit
// the key. h.JWK must be a public key. Every Crit entry must be a member
// of Extra. Extra must not use the names Header has fields for, nor
// "b64" (unencoded payloads are not supported).
func Sign(s crypto.Signer, h Header, payload []byte) (string, error) {
	if s == nil {
		return "", errors.New("jws: nil signer")
	}
	if h.Alg == "" {
		alg, err := signing.AlgorithmFor(s.Public())
		if err != nil {
			return "", fmt.Errorf("jws: %w", err)
		}
		h.Alg = alg
	}
	hdr, err := h.marshal()
	if err != nil {
		return "", err
	}
	n := base64.RawURLEncoding.EncodedLen(len(hdr)) + 1 + base64.RawURLEncoding.EncodedLen(len(payload))
	input := make([]byte, 0, n+1+base64.RawURLEncoding.EncodedLen(96))
	input = base64.RawURLEncoding.AppendEncode(input, hdr)
	input = append(input, '.')
	input = base64.RawURLEncoding.AppendEncode(input, payload)
	sig, err := signing.Sign(s, h.Alg, input)
	if err != nil {
		return "", fmt.Errorf("jws: %w", err)
	}
	out := append(input, '.')
	out = base64.RawURLEncoding.AppendEncode(out, sig)
	return string(out), nil
}

func (h *Header) marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	member := func(name string, v any) error {
		val, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("jws: header parameter %q: %w", name, err)
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
		return nil
	}
	if _, err := signing.ParseAlgorithm(string(h.Alg)); err != nil {
		return nil, fmt.Errorf("jws: %w", err)
	}
	_ = member("alg", string(h.Alg))
	for _, p := range []struct{ name, v string }{{"typ", h.Typ}, {"cty", h.Cty}, {"kid", h.Kid}} {
		if p.v != "" {
			_ = member(p.name, p.v)
		}
	}
	if h.Crit != nil {
		if err := checkCrit(h.Crit, func(name string) bool { _, ok := h.Extra[name]; return ok }); err != nil {
			return nil, fmt.Errorf("jws: cannot sign: %w", err)
		}
		_ = member("crit", h.Crit)
	}
	if h.JWK != nil {
		if h.JWK.D != "" {
			return nil, errors.New("jws: header jwk holds a private key")
		}
		if _, err := h.JWK.PublicKey(); err != nil {
			return nil, fmt.Errorf("jws: header jwk: %w", err)
		}
		_ = member("jwk", h.JWK)
	}
	if h.X5C != nil {
		if err := checkX5C(h.X5C); err != nil {
			return nil, fmt.Errorf("jws: cannot sign: %w", err)
		}
		_ = member("x5c", h.X5C)
	}
	names := make([]string, 0, len(h.Extra))
	for k := range h.Extra {
		switch k {
		case "alg", "typ", "cty", "kid", "crit", "jwk", "x5c":
			return nil, fmt.Errorf("jws: Extra must not set %q; use the Header field", k)
		case "b64":
			return nil, errors.New(`jws: "b64" (unencoded payload) is not supported`)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if err := member(k, h.Extra[k]); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// checkCrit applies RFC 7515 section 4.1.11 to a crit list: non-empty, no
// duplicates, no registered names, every name present in the header.
func checkCrit(crit []string, present func(string) bool) error {
	if len(crit) == 0 {
		return errors.New("crit is empty")
	}
	for i, c := range crit {
		if c == "" {
			return errors.New("crit has an empty name")
		}
		if registered[c] {
			return fmt.Errorf("crit lists registered parameter %q", c)
		}
		if slices.Contains(crit[:i], c) {
			return fmt.Errorf("crit lists %q twice", c)
		}
		if !present(c) {
			return fmt.Errorf("crit lists %q, which the header does not have", c)
		}
	}
	return nil
}

func checkX5C(x5c []string) error {
	if len(x5c) == 0 {
		return errors.New("x5c is empty")
	}
	for _, c := range x5c {
		// RFC 7515 4.1.6: standard base64 with padding, not base64url.
		if _, err := base64.StdEncoding.Strict().DecodeString(c); err != nil || c == "" || strings.ContainsAny(c, "\r\n") {
			return errors.New("x5c entry is not base64 DER")
		}
	}
	return nil
}

// Parse decodes a compact JWS and trusts nothing (no verification). It
// rejects: not exactly 3 parts; bad base64url (also padded, with
// whitespace, or with non-zero trailing bits); a header that is not a
// JSON object or has duplicate member names, invalid UTF-8, or a missing
// or non-string alg; registered parameters of the wrong JSON type; a crit
// that is empty, has duplicates, names a registered parameter or one
// absent from the header (RFC 7515 section 4.1.11); a jwk that is not a
// valid public key; and "b64" other than true (RFC 7797 is not
// supported). Every error is an *Error with Reason "malformed".
//
// WARNING: Parse does not limit the input size; bound what you read from
// the network first.
func Parse(compact string) (*Parsed, error) { return parse(compact, false) }

// ParseText is Parse for a payload that is read as text, such as the JSON
// claims of a JWT: the payload is decoded once, straight into PayloadText
// (a string, which internal/jsonx.ParseObjectString takes apart without
// copying it again), and Payload is nil. Everything else, every check
// included, is as Parse.
func ParseText(compact string) (*Parsed, error) { return parse(compact, true) }

func parse(compact string, text bool) (*Parsed, error) {
	d1 := strings.IndexByte(compact, '.')
	if d1 < 0 {
		return nil, malformed("not a compact JWS (no '.')")
	}
	d2 := strings.IndexByte(compact[d1+1:], '.')
	if d2 < 0 {
		return nil, malformed("not a compact JWS (2 parts)")
	}
	d2 += d1 + 1
	if strings.IndexByte(compact[d2+1:], '.') >= 0 {
		return nil, malformed("not a compact JWS (more than 3 parts)")
	}
	if d1 == 0 {
		return nil, malformed("empty header")
	}
	// Allocation matters here (Parse is on every verification). buf is
	// one copy of the token (recycled, see Release): its first d2 bytes
	// are the signing input and the source the header and payload are
	// decoded from, and the decoded signature, which is shorter than its
	// encoding, overwrites that encoding.
	buf, tb := copyToken(compact)
	input := buf[:d2:d2]
	p := &Parsed{SigningInput: input, buf: tb}
	if err := p.decode(buf, d1, d2, text); err != nil {
		p.Release()
		return nil, err
	}
	return p, nil
}

// decode fills p from buf, the copy of the token with dots at d1 and d2.
func (p *Parsed) decode(buf []byte, d1, d2 int, text bool) error {
	hdr, err := decodeHeader(buf[:d1])
	if err != nil {
		return malformed("header: %w", err)
	}
	if text {
		p.PayloadText, err = decodeText(buf[d1+1 : d2])
	} else {
		p.Payload, err = b64.AppendDecode(make([]byte, 0, b64.DecodedLen(d2-d1-1)), buf[d1+1:d2])
	}
	if err != nil {
		return malformed("payload: %w", err)
	}
	var sb [128]byte
	sig, err := b64.AppendDecode(sb[:0], buf[d2+1:])
	if err != nil {
		return malformed("signature: %w", err)
	}
	n := copy(buf[d2:], sig) // len(sig) < len(buf)-d2: all of it
	p.Signature = buf[d2 : d2+n : d2+n]
	return p.Header.parse(hdr)
}

// decodeHeader decodes the base64url header into a string, through a
// buffer on the stack when it is of the usual size: one allocation, which
// the header's string parameters then share.
func decodeHeader(src []byte) (string, error) {
	var b [256]byte
	out, err := b64.AppendDecode(b[:0], src)
	if err != nil {
		return "", err
	}
	return string(out), nil
}

// decodeText decodes base64url into a string with one allocation and no
// intermediate heap buffer: chunks of 1024 characters (whole 4-character
// groups, so strictness and the result are those of decoding it all at
// once) go through a buffer on the stack into a builder of exact size.
func decodeText(src []byte) (string, error) {
	var sb strings.Builder
	sb.Grow(b64.DecodedLen(len(src)))
	var b [768]byte
	for len(src) > 0 {
		n := min(len(src), 1024)
		out, err := b64.AppendDecode(b[:0], src[:n])
		if err != nil {
			return "", err
		}
		sb.Write(out)
		src = src[n:]
	}
	return sb.String(), nil
}

func (h *Header) parse(data string) error {
	if simple, ok := simpleHeader(data); ok {
		*h = simple
		return nil
	}
	return h.parseGeneral(data)
}

func (h *Header) parseGeneral(data string) error {
	m, err := jsonx.ParseObjectString(data)
	if err != nil {
		return malformed("header: %w", err)
	}
	str := func(name string) (string, error) {
		v, ok := m[name]
		if !ok {
			return "", nil
		}
		s, ok := v.(string)
		if !ok {
			return "", malformed("header %q is not a string", name)
		}
		return s, nil
	}
	alg, err := str("alg")
	if err != nil {
		return err
	}
	if alg == "" {
		return malformed("header has no alg")
	}
	h.Alg = signing.Algorithm(alg)
	if h.Kid, err = str("kid"); err != nil {
		return err
	}
	if h.Typ, err = str("typ"); err != nil {
		return err
	}
	if h.Cty, err = str("cty"); err != nil {
		return err
	}
	known := 1 // alg
	for _, name := range []string{"kid", "typ", "cty"} {
		if _, ok := m[name]; ok {
			known++
		}
	}
	if v, ok := m["crit"]; ok {
		known++
		if h.Crit, err = stringArray(v); err != nil {
			return malformed("header crit: %w", err)
		}
		if err := checkCrit(h.Crit, func(n string) bool { _, ok := m[n]; return ok }); err != nil {
			return malformed("header: %w", err)
		}
	}
	if v, ok := m["jwk"]; ok {
		known++
		obj, ok := v.(map[string]any)
		if !ok {
			return malformed("header jwk is not an object")
		}
		if _, ok := obj["d"]; ok {
			return malformed("header jwk holds a private key")
		}
		j, err := signing.JWKFromMap(obj)
		if err != nil {
			return malformed("header jwk: %w", err)
		}
		if _, err := j.PublicKey(); err != nil {
			return malformed("header jwk: %w", err)
		}
		h.JWK = &j
	}
	if v, ok := m["x5c"]; ok {
		known++
		if h.X5C, err = stringArray(v); err != nil {
			return malformed("header x5c: %w", err)
		}
		if err := checkX5C(h.X5C); err != nil {
			return malformed("header: %w", err)
		}
	}
	if v, ok := m["b64"]; ok && v != true {
		return malformed(`header "b64": unencoded payloads (RFC 7797) are not supported`)
	}
	if len(m) > known {
		h.Extra = make(map[string]any, len(m)-known)
		for k, v := range m {
			switch k {
			case "alg", "kid", "typ", "cty", "crit", "jwk", "x5c":
			default:
				h.Extra[k] = v
			}
		}
	}
	return nil
}

// simpleHeader parses the usual header fast: a JSON object without space
// whose members are only alg (not empty), kid, typ and cty, each at most
// once and each a string of printable ASCII without escapes, e.g.
// {"alg":"EdDSA","kid":"did:web:example.org#key-1","typ":"vc+jwt","cty":"vc"}.
// It reports false for anything else, which the general parser then
// accepts or rejects; what it accepts, the general parser accepts too,
// with the same Header (FuzzSimpleHeader checks this).
func simpleHeader(s string) (h Header, ok bool) {
	if len(s) < 2 || s[0] != '{' {
		return Header{}, false
	}
	var seen uint8
	for i := 1; ; {
		name, j, ok := simpleString(s, i)
		if !ok || j >= len(s) || s[j] != ':' {
			return Header{}, false
		}
		val, k, ok := simpleString(s, j+1)
		if !ok || k >= len(s) {
			return Header{}, false
		}
		var bit uint8
		switch name {
		case "alg":
			bit, h.Alg = 1, signing.Algorithm(val)
		case "kid":
			bit, h.Kid = 2, val
		case "typ":
			bit, h.Typ = 4, val
		case "cty":
			bit, h.Cty = 8, val
		default:
			return Header{}, false
		}
		if seen&bit != 0 {
			return Header{}, false // a duplicate: the general parser rejects it
		}
		seen |= bit
		switch s[k] {
		case ',':
			i = k + 1
		case '}':
			if k+1 != len(s) || h.Alg == "" {
				return Header{}, false
			}
			return h, true
		default:
			return Header{}, false
		}
	}
}

// simpleString reads the JSON string at s[i] if it is printable ASCII
// without escapes, and returns its content and the offset after it.
func simpleString(s string, i int) (string, int, bool) {
	if i >= len(s) || s[i] != '"' {
		return "", 0, false
	}
	for j := i + 1; j < len(s); j++ {
		switch c := s[j]; {
		case c == '"':
			return s[i+1 : j], j + 1, true
		case c < 0x20 || c >= 0x7F || c == '\\':
			return "", 0, false
		}
	}
	return "", 0, false
}

func stringArray(v any) ([]string, error) {
	a, ok := v.([]any)
	if !ok {
		return nil, errors.New("not an array")
	}
	out := make([]string, len(a))
	for i, e := range a {
		s, ok := e.(string)
		if !ok {
			return nil, errors.New("not an array of strings")
		}
		out[i] = s
	}
	return out, nil
}

// Verify checks, in order: that opts lists algorithms (ErrNoAlgorithms);
// alg is not "none" in any letter case (reason alg_none, even if listed);
// alg is in opts.Algorithms (alg_not_allowed); every crit entry is in
// opts.Crit (unknown_crit); pub fits alg (key_type_mismatch); and the
// signature over SigningInput (bad_signature). Failures are *Error.
//
// Verify does not decide whether pub is the right key: that is the
// caller's job (kid resolution, trust lists), done before calling.
func (p *Parsed) Verify(pub crypto.PublicKey, opts VerifyOptions) error {
	if len(opts.Algorithms) == 0 {
		return ErrNoAlgorithms
	}
	alg := p.Header.Alg
	if strings.EqualFold(string(alg), "none") {
		return &Error{Reason: ReasonAlgNone, Err: errors.New(`alg "none" is never accepted`)}
	}
	allowed := false
	for _, a := range opts.Algorithms {
		if _, err := signing.ParseAlgorithm(string(a)); err != nil {
			return fmt.Errorf("jws: VerifyOptions.Algorithms: %w", err)
		}
		allowed = allowed || a == alg
	}
	if !allowed {
		return &Error{Reason: ReasonAlgNotAllowed, Err: fmt.Errorf("alg %q is not allowed", truncate(string(alg)))}
	}
	for _, c := range p.Header.Crit {
		if !slices.Contains(opts.Crit, c) {
			return &Error{Reason: ReasonUnknownCrit, Err: fmt.Errorf("critical header parameter %q is not understood", truncate(c))}
		}
	}
	if verifyECDSA(alg, pub, p.SigningInput, p.Signature) {
		return nil
	}
	if err := signing.Verify(alg, pub, p.SigningInput, p.Signature); err != nil {
		if errors.Is(err, signing.ErrBadSignature) {
			return &Error{Reason: ReasonBadSignature, Err: err}
		}
		return &Error{Reason: ReasonKeyTypeMismatch, Err: err}
	}
	return nil
}

// verifyECDSA verifies an ES256 or ES384 signature (R||S) over input
// with an ECDSA key of the algorithm's curve, as signing.Verify does, but
// without its allocations: signing.Verify turns R and S into big.Ints for
// ecdsa.Verify, which turns them into bytes again and encodes them as an
// ASN.1 signature for ecdsa.VerifyASN1; here that encoding is built from
// R||S on the stack and given to ecdsa.VerifyASN1 directly (the same
// check: it rejects R or S of zero or not below the order, and points
// off the curve). It reports true only for a signature that verifies;
// for anything else (another algorithm or key type, a signature of the
// wrong size, a bad signature) it reports false and the caller asks
// signing.Verify, whose error then says why.
func verifyECDSA(alg signing.Algorithm, pub crypto.PublicKey, input, sig []byte) bool {
	k, ok := pub.(*ecdsa.PublicKey)
	if !ok || k == nil {
		return false
	}
	var digest []byte
	var n int
	switch {
	case alg == signing.ES256 && k.Curve == elliptic.P256():
		d := sha256.Sum256(input)
		digest, n = d[:], 32
	case alg == signing.ES384 && k.Curve == elliptic.P384():
		d := sha512.Sum384(input)
		digest, n = d[:], 48
	default:
		return false
	}
	if len(sig) != 2*n {
		return false
	}
	var buf [2 + 2*(2+1+48)]byte
	return ecdsa.VerifyASN1(k, digest, derSignature(buf[:0], sig[:n], sig[n:]))
}

// derSignature appends the DER ECDSA-Sig-Value SEQUENCE { INTEGER r,
// INTEGER s } of the unsigned big-endian r and s (at most 48 bytes each,
// so every length fits one byte) to b.
func derSignature(b, r, s []byte) []byte {
	r, s = trimZeros(r), trimZeros(s)
	intLen := func(x []byte) int { return len(x) + int(x[0]>>7) } // a 0x00 before a high bit
	b = append(b, 0x30, byte(2+intLen(r)+2+intLen(s)))
	for _, x := range [2][]byte{r, s} {
		b = append(b, 0x02, byte(intLen(x)))
		if x[0]&0x80 != 0 {
			b = append(b, 0)
		}
		b = append(b, x...)
	}
	return b
}

// trimZeros drops leading zero bytes, keeping at least one byte.
func trimZeros(x []byte) []byte {
	for len(x) > 1 && x[0] == 0 {
		x = x[1:]
	}
	return x
}

func truncate(s string) string {
	if len(s) > 32 {
		return s[:32] + "..."
	}
	return s
}
