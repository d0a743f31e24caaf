package jsonx

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"unicode/utf8"
)

// MaxDepth is the deepest nesting of objects and arrays Parse accepts. A
// top-level object or array is at depth 1.
const MaxDepth = 64

// Sentinel errors. Every error returned by Parse and ParseObject is a
// *SyntaxError whose Err is one of these, so callers branch with errors.Is.
var (
	// ErrSyntax reports input that is not one well-formed JSON value
	// (RFC 8259), including trailing non-space data after the value and,
	// for ParseObject, a top-level value that is not an object.
	ErrSyntax = errors.New("jsonx: syntax error")
	// ErrDuplicateKey reports an object with two members of the same name
	// (compared after unescaping), which I-JSON (RFC 7493 section 2.3) forbids.
	ErrDuplicateKey = errors.New("jsonx: duplicate object key")
	// ErrInvalidUTF8 reports ill-formed UTF-8, an escape that encodes a lone
	// surrogate, or a Unicode noncharacter (RFC 7493 section 2.1).
	ErrInvalidUTF8 = errors.New("jsonx: invalid UTF-8")
	// ErrTooDeep reports nesting deeper than MaxDepth.
	ErrTooDeep = errors.New("jsonx: nesting too deep")
)

// SyntaxError describes why and where the input was rejected.
type SyntaxError struct {
	Offset int64 // byte offset in the input where the problem was found
	Err    error // ErrSyntax, ErrDuplicateKey, ErrInvalidUTF8 or ErrTooDeep
	msg    string
}

// Error returns a message of the form "jsonx: <what> at offset <n>".
func (e *SyntaxError) Error() string {
	msg := e.msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return "jsonx: " + msg + " at offset " + strconv.FormatInt(e.Offset, 10)
}

// Unwrap returns the sentinel (ErrSyntax, ErrDuplicateKey, ...).
func (e *SyntaxError) Unwrap() error { return e.Err }

// Parse decodes one JSON value: objects -> map[string]any, arrays -> []any,
// strings -> string, numbers -> json.Number, true/false -> bool, null -> nil.
// Stricter than encoding/json (I-JSON, RFC 7493): rejects duplicate object
// keys, invalid UTF-8 (including lone surrogate escapes), nesting deeper
// than MaxDepth, and trailing non-space data.
//
// Empty objects and arrays decode to non-nil empty values, as with
// encoding/json. Parse copies data once and reads only the copy, so the
// caller may reuse data as soon as Parse returns; strings in the result
// share that copy, so holding any of them keeps all of it alive.
func Parse(data []byte) (any, error) {
	return ParseString(string(data))
}

// ParseString is Parse for input held in a string. It does not copy s:
// strings in the result are substrings of s, so holding any of them keeps
// all of s alive.
func ParseString(s string) (any, error) {
	p := getParser(s)
	defer putParser(p)
	p.skipSpace()
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return v, nil
}

// ParseObject is Parse for documents whose top level must be an object.
// Anything else fails with ErrSyntax before the value is decoded.
func ParseObject(data []byte) (map[string]any, error) {
	return ParseObjectString(string(data))
}

// ParseObjectString is ParseObject for input held in a string; like
// ParseString it does not copy s.
func ParseObjectString(s string) (map[string]any, error) {
	p := getParser(s)
	defer putParser(p)
	p.skipSpace()
	if p.i >= len(p.s) {
		return nil, p.fail(p.i, ErrSyntax, "unexpected end of input")
	}
	if p.s[p.i] != '{' {
		return nil, p.fail(p.i, ErrSyntax, "top-level value is not an object")
	}
	m, err := p.object()
	if err != nil {
		return nil, err
	}
	if err := p.end(); err != nil {
		return nil, err
	}
	return m, nil
}

// parsers recycles the stacks and scratch buffer between calls.
var parsers = sync.Pool{New: func() any {
	return &parser{members: make([]member, 0, 32), elems: make([]any, 0, 32)}
}}

func getParser(s string) *parser {
	p := parsers.Get().(*parser)
	p.s, p.i, p.depth = s, 0, 0
	return p
}

func putParser(p *parser) {
	// Drop every reference into the caller's data and results: the
	// slabs belong to the results now.
	clear(p.members)
	clear(p.elems)
	p.members, p.elems = p.members[:0], p.elems[:0]
	p.s = ""
	p.slab = slab{}
	if cap(p.members) > 1024 || cap(p.elems) > 1024 || cap(p.scratch) > 64<<10 {
		return // do not keep huge buffers alive
	}
	parsers.Put(p)
}

// member is one parsed object member waiting for its object to close.
type member struct {
	key string
	val any
	off int // offset of the key, for duplicate reports
}

// parser holds the state of one Parse call. members and elems are stacks
// shared by all nesting levels: an object's members are collected there and
// copied into an exactly sized map when it closes.
type parser struct {
	s       string // the same input as one string; results are substrings of it
	i       int
	depth   int
	members []member
	elems   []any
	scratch []byte // unescaping buffer
	slab    slab   // memory of this parse's boxed values and array elements
}

func (p *parser) fail(off int, sentinel error, msg string) error {
	return &SyntaxError{Offset: int64(off), Err: sentinel, msg: msg}
}

func (p *parser) end() error {
	p.skipSpace()
	if p.i != len(p.s) {
		return p.fail(p.i, ErrSyntax, "invalid character "+quoteByte(p.s[p.i])+" after top-level value")
	}
	return nil
}

func (p *parser) skipSpace() {
	s := p.s
	i := p.i
	for i < len(s) {
		switch s[i] {
		case ' ', '\t', '\n', '\r':
			i++
			continue
		}
		break
	}
	p.i = i
}

// value parses the value starting at p.i (space already skipped).
func (p *parser) value() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.fail(p.i, ErrSyntax, "unexpected end of input")
	}
	switch c := p.s[p.i]; c {
	case '{':
		m, err := p.object()
		if err != nil {
			return nil, err
		}
		return m, nil
	case '[':
		a, err := p.array()
		if err != nil {
			return nil, err
		}
		return p.slab.boxSlice(a), nil
	case '"':
		s, err := p.str()
		if err != nil {
			return nil, err
		}
		if v := boxString(s); v != nil {
			return v, nil
		}
		return p.slab.box(stringType, s, len(p.s)), nil
	case 't':
		return p.literal("true", true)
	case 'f':
		return p.literal("false", false)
	case 'n':
		return p.literal("null", nil)
	default:
		if c == '-' || (c >= '0' && c <= '9') {
			return p.number()
		}
		return nil, p.fail(p.i, ErrSyntax, "invalid character "+quoteByte(c)+" looking for beginning of value")
	}
}

func (p *parser) literal(lit string, v any) (any, error) {
	if len(p.s)-p.i >= len(lit) && p.s[p.i:p.i+len(lit)] == lit {
		p.i += len(lit)
		return v, nil
	}
	// Point at the first byte that differs.
	j := 0
	for p.i+j < len(p.s) && j < len(lit) && p.s[p.i+j] == lit[j] {
		j++
	}
	if p.i+j >= len(p.s) {
		return nil, p.fail(p.i+j, ErrSyntax, "unexpected end of input in literal "+lit)
	}
	return nil, p.fail(p.i+j, ErrSyntax, "invalid character "+quoteByte(p.s[p.i+j])+" in literal "+lit)
}

func (p *parser) object() (map[string]any, error) {
	open := p.i
	p.depth++
	if p.depth > MaxDepth {
		return nil, p.fail(open, ErrTooDeep, "nesting deeper than "+strconv.Itoa(MaxDepth))
	}
	p.i++
	p.skipSpace()
	base := len(p.members)
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		p.depth--
		return map[string]any{}, nil
	}
	for {
		if p.i >= len(p.s) {
			return nil, p.fail(p.i, ErrSyntax, "unexpected end of input in object")
		}
		if p.s[p.i] != '"' {
			return nil, p.fail(p.i, ErrSyntax, "invalid character "+quoteByte(p.s[p.i])+" looking for beginning of object key string")
		}
		off := p.i
		k, err := p.str()
		if err != nil {
			return nil, err
		}
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail(p.i, ErrSyntax, "unexpected end of input after object key")
		}
		if p.s[p.i] != ':' {
			return nil, p.fail(p.i, ErrSyntax, "invalid character "+quoteByte(p.s[p.i])+" after object key")
		}
		p.i++
		p.skipSpace()
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.members = append(p.members, member{key: k, val: v, off: off})
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail(p.i, ErrSyntax, "unexpected end of input in object")
		}
		c := p.s[p.i]
		p.i++
		if c == ',' {
			p.skipSpace()
			continue
		}
		if c == '}' {
			break
		}
		return nil, p.fail(p.i-1, ErrSyntax, "invalid character "+quoteByte(c)+" after object key:value pair")
	}
	ms := p.members[base:]
	m := make(map[string]any, len(ms))
	for j := range ms {
		m[ms[j].key] = ms[j].val
		if len(m) != j+1 {
			return nil, p.fail(ms[j].off, ErrDuplicateKey, "duplicate object key "+strconv.Quote(ms[j].key))
		}
	}
	clear(ms)
	p.members = p.members[:base]
	p.depth--
	return m, nil
}

func (p *parser) array() ([]any, error) {
	open := p.i
	p.depth++
	if p.depth > MaxDepth {
		return nil, p.fail(open, ErrTooDeep, "nesting deeper than "+strconv.Itoa(MaxDepth))
	}
	p.i++
	p.skipSpace()
	base := len(p.elems)
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		p.depth--
		return []any{}, nil
	}
	for {
		v, err := p.value()
		if err != nil {
			return nil, err
		}
		p.elems = append(p.elems, v)
		p.skipSpace()
		if p.i >= len(p.s) {
			return nil, p.fail(p.i, ErrSyntax, "unexpected end of input in array")
		}
		c := p.s[p.i]
		p.i++
		if c == ',' {
			p.skipSpace()
			continue
		}
		if c == ']' {
			break
		}
		return nil, p.fail(p.i-1, ErrSyntax, "invalid character "+quoteByte(c)+" after array element")
	}
	es := p.elems[base:]
	a := p.slab.elems(len(es), len(p.s))
	copy(a, es)
	clear(es)
	p.elems = p.elems[:base]
	p.depth--
	return a, nil
}

func (p *parser) number() (any, error) {
	s := p.s
	start := p.i
	i := start
	if s[i] == '-' {
		i++
	}
	switch {
	case i >= len(s):
		return nil, p.fail(i, ErrSyntax, "unexpected end of input in number")
	case s[i] == '0':
		i++
	case s[i] >= '1' && s[i] <= '9':
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return nil, p.fail(i, ErrSyntax, "invalid character "+quoteByte(s[i])+" in numeric literal")
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return nil, p.numFail(i, "after decimal point in numeric literal")
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return nil, p.numFail(i, "in exponent of numeric literal")
		}
	}
	p.i = i
	if i-start == 1 {
		return digits[s[start]-'0'], nil
	}
	return p.slab.box(numberType, s[start:i], len(s)), nil
}

// digits are the boxed one-digit numbers: returning a shared interface
// value saves the allocation of converting json.Number to any.
var digits = [10]any{json.Number("0"), json.Number("1"), json.Number("2"), json.Number("3"),
	json.Number("4"), json.Number("5"), json.Number("6"), json.Number("7"), json.Number("8"), json.Number("9")}

// boxString returns s as a statically boxed constant when it is one of
// the string values that recur in nearly every credential (language tags,
// the VCDM context, core types, status purposes), which are
// indistinguishable from s to every consumer (same type, same bytes), and
// nil otherwise (the parser then boxes s in its slab). The switch on the
// length first keeps the common miss to a jump and a compare or two.
func boxString(s string) any {
	switch len(s) {
	case 2:
		switch s {
		case "en":
			return "en"
		case "th":
			return "th"
		}
	case 10:
		switch s {
		case "revocation":
			return "revocation"
		case "suspension":
			return "suspension"
		case "JsonSchema":
			return "JsonSchema"
		}
	case 20:
		if s == "VerifiableCredential" {
			return "VerifiableCredential"
		}
	case 22:
		if s == "VerifiablePresentation" {
			return "VerifiablePresentation"
		}
	case 24:
		if s == "BitstringStatusListEntry" {
			return "BitstringStatusListEntry"
		}
	case 36:
		if s == "https://www.w3.org/ns/credentials/v2" {
			return "https://www.w3.org/ns/credentials/v2"
		}
	}
	return nil
}

func (p *parser) numFail(i int, where string) error {
	if i >= len(p.s) {
		return p.fail(i, ErrSyntax, "unexpected end of input "+where)
	}
	return p.fail(i, ErrSyntax, "invalid character "+quoteByte(p.s[i])+" "+where)
}

const (
	lsb = 0x0101010101010101
	msb = 0x8080808080808080
)

// special reports (in the high bit of each byte) the bytes of x that end
// the fast path of a string scan: controls below 0x20, '"', '\\' and any
// byte >= 0x80. It has no false negatives.
func special(x uint64) uint64 {
	q := x ^ (lsb * '"')
	bs := x ^ (lsb * '\\')
	ctl := (x - lsb*0x20) &^ x // hasless(x, 0x20)
	qz := (q - lsb) &^ q       // haszero(q): a '"' byte
	bz := (bs - lsb) &^ bs     // haszero(bs): a '\\' byte
	return (ctl | qz | bz | x) & msb
}

// load64 reads 8 bytes little-endian; the compiler merges the byte loads
// into one.
func load64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// str parses the string starting at the quote at p.i.
func (p *parser) str() (string, error) {
	s := p.s
	start := p.i + 1
	i := start
	for {
		for i+8 <= len(s) && special(load64(s[i:i+8])) == 0 {
			i += 8
		}
		if i >= len(s) {
			return "", p.fail(p.i, ErrSyntax, "unexpected end of input in string")
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			return s[start:i], nil
		case c == '\\':
			return p.strEscaped(start, i)
		case c < 0x20:
			return "", p.fail(i, ErrSyntax, "invalid character "+quoteByte(c)+" in string literal")
		case c < utf8.RuneSelf:
			i++
		case valid3(s, i):
			i += 3 // Thai and most other BMP scripts
		default:
			n, err := p.utf8At(i)
			if err != nil {
				return "", err
			}
			i += n
		}
	}
}

// valid3 reports a well-formed three-byte sequence at i that is neither a
// surrogate (lead 0xED) nor possibly a noncharacter (lead 0xEF): the
// common case of non-ASCII text, checked without decoding the rune. When
// it reports false, utf8At decides.
func valid3(s string, i int) bool {
	if i+2 >= len(s) {
		return false
	}
	c, c1, c2 := s[i], s[i+1], s[i+2]
	return c >= 0xE0 && c <= 0xEE && c != 0xED &&
		c1&0xC0 == 0x80 && c2&0xC0 == 0x80 && (c != 0xE0 || c1 >= 0xA0)
}

// utf8At validates the multi-byte sequence at i and returns its length.
func (p *parser) utf8At(i int) (int, error) {
	r, n := utf8.DecodeRuneInString(p.s[i:])
	if r == utf8.RuneError && n == 1 {
		return 0, p.fail(i, ErrInvalidUTF8, "invalid UTF-8 in string")
	}
	if isNoncharacter(r) {
		return 0, p.fail(i, ErrInvalidUTF8, "noncharacter "+runeName(r)+" in string")
	}
	return n, nil
}

// strEscaped finishes a string that has an escape at i; start is the
// first byte of its content.
func (p *parser) strEscaped(start, i int) (string, error) {
	s := p.s
	buf := append(p.scratch[:0], s[start:i]...)
	for {
		if i >= len(s) {
			return "", p.fail(p.i, ErrSyntax, "unexpected end of input in string")
		}
		c := s[i]
		switch {
		case c == '"':
			p.i = i + 1
			p.scratch = buf
			return string(buf), nil
		case c == '\\':
			if i+1 >= len(s) {
				return "", p.fail(i+1, ErrSyntax, "unexpected end of input in string escape")
			}
			e := s[i+1]
			switch e {
			case '"', '\\', '/':
				buf = append(buf, e)
				i += 2
			case 'b':
				buf = append(buf, '\b')
				i += 2
			case 'f':
				buf = append(buf, '\f')
				i += 2
			case 'n':
				buf = append(buf, '\n')
				i += 2
			case 'r':
				buf = append(buf, '\r')
				i += 2
			case 't':
				buf = append(buf, '\t')
				i += 2
			case 'u':
				r, n, err := p.unicodeEscape(i)
				if err != nil {
					return "", err
				}
				buf = utf8.AppendRune(buf, r)
				i += n
			default:
				return "", p.fail(i+1, ErrSyntax, "invalid character "+quoteByte(e)+" in string escape code")
			}
		case c < 0x20:
			return "", p.fail(i, ErrSyntax, "invalid character "+quoteByte(c)+" in string literal")
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			i++
		default:
			n, err := p.utf8At(i)
			if err != nil {
				return "", err
			}
			buf = append(buf, s[i:i+n]...)
			i += n
		}
	}
}

// unicodeEscape decodes \uXXXX at i (and a following low surrogate escape
// when the first is a high surrogate). It returns the rune and the number
// of input bytes used.
func (p *parser) unicodeEscape(i int) (rune, int, error) {
	r, err := p.hex4(i + 2)
	if err != nil {
		return 0, 0, err
	}
	switch {
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, 0, p.fail(i, ErrInvalidUTF8, "lone low surrogate escape "+p.s[i:i+6])
	case r >= 0xD800 && r <= 0xDBFF:
		if i+8 > len(p.s) || p.s[i+6] != '\\' || p.s[i+7] != 'u' {
			return 0, 0, p.fail(i, ErrInvalidUTF8, "lone high surrogate escape "+p.s[i:i+6])
		}
		lo, err := p.hex4(i + 8)
		if err != nil {
			return 0, 0, err
		}
		if lo < 0xDC00 || lo > 0xDFFF {
			return 0, 0, p.fail(i, ErrInvalidUTF8, "lone high surrogate escape "+p.s[i:i+6])
		}
		r = 0x10000 + (r-0xD800)<<10 + (lo - 0xDC00)
		if isNoncharacter(r) {
			return 0, 0, p.fail(i, ErrInvalidUTF8, "noncharacter "+runeName(r)+" in string escape")
		}
		return r, 12, nil
	}
	if isNoncharacter(r) {
		return 0, 0, p.fail(i, ErrInvalidUTF8, "noncharacter "+runeName(r)+" in string escape")
	}
	return r, 6, nil
}

func (p *parser) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(p.s) {
			return 0, p.fail(j, ErrSyntax, "unexpected end of input in \\u escape")
		}
		c := p.s[j]
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, p.fail(j, ErrSyntax, "invalid character "+quoteByte(c)+" in \\u hexadecimal character escape")
		}
		r = r<<4 | rune(d)
	}
	return r, nil
}

// isNoncharacter reports the 66 Unicode noncharacters: U+FDD0..U+FDEF and
// the last two code points of every plane.
func isNoncharacter(r rune) bool {
	return (r >= 0xFDD0 && r <= 0xFDEF) || r&0xFFFE == 0xFFFE
}

func runeName(r rune) string { return fmt.Sprintf("U+%04X", r) }

func quoteByte(c byte) string {
	if c >= 0x20 && c < 0x7F && c != '\'' {
		return "'" + string(rune(c)) + "'"
	}
	return "0x" + strconv.FormatUint(uint64(c), 16)
}
