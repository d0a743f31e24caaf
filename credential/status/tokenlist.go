package status

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// IETF Token Status List (draft-ietf-oauth-status-list): the status list
// that SD-JWT VCs point to with "status": {"status_list": {"idx", "uri"}}.

// Token Status List media type and JWT typ.
const (
	// TypTokenList is the typ of a Status List Token in JWT form.
	TypTokenList = "statuslist+jwt"
	// MediaTypeTokenList is its media type.
	MediaTypeTokenList = "application/statuslist+jwt"
)

// Status Type values (draft-ietf-oauth-status-list, section "Status
// Types"). ThaiTrust publishes 2-bit lists with these three.
const (
	TokenValid     uint8 = 0x00 // VALID
	TokenInvalid   uint8 = 0x01 // INVALID: revoked, permanent
	TokenSuspended uint8 = 0x02 // SUSPENDED: may become valid again
)

// MaxTokenListBytes bounds the decompressed size of a token status list
// that DecodeTokenList accepts (and EncodeTokenList writes): 16 MiB, room
// for 134 million 1-bit or 16 million 8-bit statuses. It bounds the
// memory a zlib bomb can take.
const MaxTokenListBytes = 16 << 20

// TokenList is a decoded token status list: n statuses of Bits bits
// each, packed as the draft says: status i lives in byte i*bits/8, in the
// bits counted from the least significant one. It is immutable.
type TokenList struct {
	bits int
	data []byte
}

func checkBits(bits int) error {
	switch bits {
	case 1, 2, 4, 8:
		return nil
	}
	return fmt.Errorf("%w: bits %d (1, 2, 4 or 8)", ErrListInvalid, bits)
}

// Bits returns the number of bits per status: 1, 2, 4 or 8.
func (l *TokenList) Bits() int { return l.bits }

// Len returns the number of statuses: the bytes times 8/Bits.
func (l *TokenList) Len() int { return len(l.data) * 8 / l.bits }

// Get returns status i. An index outside [0, Len()) is an error wrapping
// ErrIndexOutOfRange.
func (l *TokenList) Get(i int) (uint8, error) {
	if i < 0 || i >= l.Len() {
		return 0, fmt.Errorf("%w: index %d, list of %d statuses", ErrIndexOutOfRange, i, l.Len())
	}
	return l.get(i), nil
}

func (l *TokenList) get(i int) uint8 {
	per := 8 / l.bits
	shift := uint(i%per) * uint(l.bits)
	return (l.data[i/per] >> shift) & (1<<l.bits - 1)
}

// Bytes returns a copy of the uncompressed byte array.
func (l *TokenList) Bytes() []byte { return bytes.Clone(l.data) }

// EncodeTokenList packs n statuses of bits bits each (values(i) for i in
// [0, n)) and returns the list's "lst": the byte array (n*bits rounded up
// to whole bytes, padding zero) compressed with DEFLATE in the ZLIB format
// at the highest level, base64url-encoded without padding. A value that
// does not fit in bits bits, a bits other than 1, 2, 4, 8, n < 1, or a
// list larger than MaxTokenListBytes is an error wrapping ErrListInvalid.
func EncodeTokenList(bits int, values func(i int) uint8, n int) (string, error) {
	if err := checkBits(bits); err != nil {
		return "", err
	}
	if n < 1 || n > MaxTokenListBytes/bits*8 {
		return "", fmt.Errorf("%w: %d statuses of %d bits (1 to %d bytes)", ErrListInvalid, n, bits, MaxTokenListBytes)
	}
	per := 8 / bits
	data := make([]byte, (n+per-1)/per)
	limit := uint8(1<<bits - 1)
	for i := range n {
		v := values(i)
		if v > limit {
			return "", fmt.Errorf("%w: status %d at index %d does not fit in %d bits", ErrListInvalid, v, i, bits)
		}
		data[i/per] |= v << (uint(i%per) * uint(bits))
	}
	return encodeTokenBytes(data)
}

func encodeTokenBytes(data []byte) (string, error) {
	var buf bytes.Buffer
	zw, err := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	if err != nil {
		return "", fmt.Errorf("status: zlib: %w", err)
	}
	if _, err := zw.Write(data); err != nil {
		return "", fmt.Errorf("status: zlib: %w", err)
	}
	if err := zw.Close(); err != nil {
		return "", fmt.Errorf("status: zlib: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(buf.Bytes()), nil
}

// maxTokenLstLen bounds the lst string DecodeTokenList reads: the base64
// of MaxTokenListBytes stored uncompressed, with framing to spare.
const maxTokenLstLen = (MaxTokenListBytes + MaxTokenListBytes/1024 + 1024) * 4 / 3

// DecodeTokenList decodes the "lst" of a status list with bits bits per
// status, the inverse of EncodeTokenList. It rejects (with errors
// wrapping ErrListInvalid) bits other than 1, 2, 4, 8; base64url that is
// padded or not canonical; data that is not one valid ZLIB stream
// (checksum errors and trailing data included); an empty list; and a
// list that decompresses to more than MaxTokenListBytes (decompression
// stops there).
func DecodeTokenList(bits int, lst string) (*TokenList, error) {
	if err := checkBits(bits); err != nil {
		return nil, err
	}
	if lst == "" {
		return nil, fmt.Errorf("%w: lst is empty", ErrListInvalid)
	}
	if len(lst) > maxTokenLstLen {
		return nil, fmt.Errorf("%w: lst of %d characters is too long", ErrListInvalid, len(lst))
	}
	if strings.ContainsAny(lst, "\r\n=") {
		return nil, fmt.Errorf("%w: lst is not base64url without padding", ErrListInvalid)
	}
	compressed, err := base64.RawURLEncoding.Strict().DecodeString(lst)
	if err != nil {
		return nil, fmt.Errorf("%w: lst is not base64url without padding: %v", ErrListInvalid, err)
	}
	br := bytes.NewReader(compressed)
	zr, err := zlib.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("%w: lst is not ZLIB: %v", ErrListInvalid, err)
	}
	data, err := readTokenBounded(zr, MaxTokenListBytes)
	if err != nil {
		return nil, err
	}
	if br.Len() != 0 {
		return nil, fmt.Errorf("%w: lst has %d bytes after the end of the ZLIB stream", ErrListInvalid, br.Len())
	}
	if len(data) == 0 {
		return nil, fmt.Errorf("%w: lst holds no statuses", ErrListInvalid)
	}
	return &TokenList{bits: bits, data: data}, nil
}

// readTokenBounded reads r to io.EOF (which zlib returns only after the
// Adler-32 check), failing once more than limit bytes come out.
func readTokenBounded(r io.Reader, limit int) ([]byte, error) {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(r, int64(limit)+1))
	if err != nil {
		return nil, fmt.Errorf("%w: lst ZLIB stream: %v", ErrListInvalid, err)
	}
	if n > int64(limit) {
		return nil, fmt.Errorf("%w: lst decompresses to more than %d bytes", ErrListInvalid, limit)
	}
	return buf.Bytes(), nil
}

// TokenListClaims are the claims of a Status List Token.
type TokenListClaims struct {
	// Subject is sub: the URI the token is served at, which Referenced
	// Tokens name as status_list.uri. Required.
	Subject string
	// Issuer is iss: the issuer of the Referenced Tokens (ThaiTrust: the
	// issuer's DID); "" leaves it out.
	Issuer string
	// IssuedAt is iat. Required.
	IssuedAt time.Time
	// Expiry is exp; zero leaves it out. Verifiers stop using the list
	// after it: keep it short (hours) and re-sign before it passes.
	Expiry time.Time
	// TTL is ttl: how long a verifier may cache the token, in whole
	// seconds; zero leaves it out.
	TTL time.Duration
	// Bits and List are status_list.bits and status_list.lst (from
	// EncodeTokenList).
	Bits int
	List string
}

type tokenPayload struct {
	Iss        string          `json:"iss,omitempty"`
	Sub        string          `json:"sub"`
	Iat        int64           `json:"iat"`
	Exp        int64           `json:"exp,omitempty"`
	TTL        int64           `json:"ttl,omitempty"`
	StatusList tokenListObject `json:"status_list"`
}

type tokenListObject struct {
	Bits int    `json:"bits"`
	Lst  string `json:"lst"`
}

// SignTokenList signs c as a Status List Token (JWT, typ statuslist+jwt)
// with key, naming it kid (a DID URL of the issuer: verifiers resolve it).
// alg "" uses the key's algorithm.
func SignTokenList(key crypto.Signer, alg signing.Algorithm, kid string, c TokenListClaims) (string, error) {
	switch {
	case key == nil:
		return "", errors.New("status: SignTokenList needs a key")
	case c.Subject == "" || c.IssuedAt.IsZero():
		return "", errors.New("status: a status list token needs sub and iat")
	case c.TTL < 0 || (c.TTL > 0 && c.TTL < time.Second):
		return "", errors.New("status: ttl must be zero or at least one second")
	}
	if err := checkBits(c.Bits); err != nil {
		return "", err
	}
	p := tokenPayload{Iss: c.Issuer, Sub: c.Subject, Iat: c.IssuedAt.Unix(), TTL: int64(c.TTL / time.Second),
		StatusList: tokenListObject{Bits: c.Bits, Lst: c.List}}
	if !c.Expiry.IsZero() {
		p.Exp = c.Expiry.Unix()
	}
	body, err := json.Marshal(p)
	if err != nil {
		return "", fmt.Errorf("status: %w", err)
	}
	tok, err := jws.Sign(key, jws.Header{Alg: alg, Kid: kid, Typ: TypTokenList}, body)
	if err != nil {
		return "", fmt.Errorf("status: signing the status list token: %w", err)
	}
	return tok, nil
}

// TokenRef is the status_list member of a Referenced Token's status
// claim: the index of its status and the URI of the Status List Token.
type TokenRef struct {
	Index int    // idx
	URI   string // uri
}

// ParseTokenRef reads the status_list reference from the value of a
// Referenced Token's "status" claim ({"status_list": {"idx": N, "uri":
// "https://..."}}). An absent or malformed reference (idx not a
// non-negative integer, uri not an absolute URI) is an *Error wrapping
// ErrEntryInvalid.
func ParseTokenRef(statusClaim any) (TokenRef, error) {
	invalid := func(format string, args ...any) (TokenRef, error) {
		return TokenRef{}, &Error{Reason: ReasonEntryInvalid, Err: fmt.Errorf("%w: "+format, append([]any{ErrEntryInvalid}, args...)...)}
	}
	st, ok := statusClaim.(map[string]any)
	if !ok {
		return invalid("the status claim is not an object")
	}
	sl, ok := st["status_list"].(map[string]any)
	if !ok {
		return invalid("the status claim has no status_list object")
	}
	uri, _ := sl["uri"].(string)
	if !isAbsoluteURI(uri) {
		return invalid("status_list.uri is missing or not an absolute URI")
	}
	f, ok := number(sl["idx"])
	if !ok || f < 0 || f != math.Trunc(f) || f > math.MaxInt32 {
		return TokenRef{}, &Error{Reason: ReasonEntryInvalid, URL: uri, Err: fmt.Errorf("%w: status_list.idx is not a non-negative integer", ErrEntryInvalid)}
	}
	return TokenRef{Index: int(f), URI: uri}, nil
}

func isAbsoluteURI(s string) bool {
	i := strings.Index(s, ":")
	if i < 1 {
		return false
	}
	for j := 0; j < i; j++ {
		c := s[j]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return false
		}
	}
	return len(s) > i+1 && !strings.ContainsAny(s, " \t\r\n")
}
