package credential

import (
	"strconv"
	"unicode/utf8"
)

// urlASCII marks the ASCII bytes allowed in a URL (RFC 3986 unreserved,
// reserved and '%'); space, controls, DEL and "<>\"\\^`{|} are not.
var urlASCII = func() (t [128]bool) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for _, c := range "-._~:/?#[]@!$&'()*+,;=%" {
		t[c] = true
	}
	return t
}()

// isURL reports whether s is an absolute URL: an RFC 3986 scheme, ':' and a
// non-empty rest made of URL characters, with '%' followed by two hex
// digits. Non-ASCII characters are allowed as in IRIs (RFC 3987), except
// controls, private-use code points, noncharacters and the bidirectional
// formatting characters RFC 3987 forbids. DIDs ("did:web:example.org") and
// URNs are URLs in this sense; "https ://x" and "fake-issuer" are not.
func isURL(s string) bool {
	if len(s) < 3 || !isAlpha(s[0]) {
		return false
	}
	i := 1
	for i < len(s) && (isAlpha(s[i]) || (s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-' || s[i] == '.') {
		i++
	}
	if i >= len(s)-1 || s[i] != ':' {
		return false
	}
	for i++; i < len(s); {
		c := s[i]
		if urlPlain[c] {
			i++
			continue
		}
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return false
			}
			i += 3
			continue
		}
		if c < utf8.RuneSelf {
			return false
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if !iriChar(r, n) {
			return false
		}
		i += n
	}
	return true
}

// urlPlain is urlASCII without '%' over all byte values, for the fast path
// of isURL.
var urlPlain = func() (t [256]bool) {
	for c := 0; c < 128; c++ {
		t[c] = urlASCII[c] && c != '%'
	}
	return t
}()

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || ((c|0x20) >= 'a' && (c|0x20) <= 'f')
}

// iriChar reports RFC 3987 ucschar (without the bidi formatting controls).
func iriChar(r rune, n int) bool {
	switch {
	case r == utf8.RuneError && n == 1:
		return false
	case r < 0xA0:
		return false
	case r == 0x200E || r == 0x200F || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069):
		return false // bidi formatting: RFC 3987 section 4.1
	case r >= 0xD800 && r <= 0xF8FF:
		return false // surrogates and private use
	case r >= 0xFDD0 && r <= 0xFDEF, r&0xFFFE == 0xFFFE:
		return false // noncharacters
	case r >= 0xE0000:
		return false // tags and private use planes
	}
	return true
}

// checkLangValue validates a name or description: a string, a language
// value object {"@value", "@language"?, "@direction"?}, or a non-empty
// array of those (VCDM 2.0 section 11.1).
func checkLangValue(v any) bool {
	switch x := v.(type) {
	case string:
		return true
	case map[string]any:
		return isValueObject(x)
	case []any:
		if len(x) == 0 {
			return false
		}
		for _, e := range x {
			switch y := e.(type) {
			case string:
			case map[string]any:
				if !isValueObject(y) {
					return false
				}
			default:
				return false
			}
		}
		return true
	}
	return false
}

func isValueObject(m map[string]any) bool {
	if _, ok := m["@value"].(string); !ok {
		return false
	}
	n := 1
	if l, ok := m["@language"]; ok {
		s, isStr := l.(string)
		if !isStr || !isLanguageTag(s) {
			return false
		}
		n++
	}
	if d, ok := m["@direction"]; ok {
		if d != "ltr" && d != "rtl" {
			return false
		}
		n++
	}
	return len(m) == n // no other members
}

// isLanguageTag checks BCP 47 well-formedness loosely: subtags of 1-8
// letters or digits separated by '-', the first 2-8 letters (or "x"/"i").
func isLanguageTag(s string) bool {
	first := true
	start := 0
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] != '-' {
			c := s[i]
			if !isAlpha(c) && !(c >= '0' && c <= '9') {
				return false
			}
			if first && !isAlpha(c) {
				return false
			}
			continue
		}
		n := i - start
		if n < 1 || n > 8 {
			return false
		}
		if first && n == 1 && s[start]|0x20 != 'x' && s[start]|0x20 != 'i' {
			return false
		}
		first = false
		start = i + 1
	}
	return true
}

// objects returns v as a list of objects: one object, or a non-empty
// array of objects. bad is the index of the first non-object entry (-1
// for v itself), or -2 when all are objects.
func objects(v any, buf []map[string]any) (list []map[string]any, array bool, bad int) {
	switch x := v.(type) {
	case map[string]any:
		return append(buf, x), false, -2
	case []any:
		if len(x) == 0 {
			return nil, true, -1
		}
		for i, e := range x {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, true, i
			}
			buf = append(buf, m)
		}
		return buf, true, -2
	}
	return nil, false, -1
}

// itemField returns the pointer of item i of a property that may be one
// object or an array.
func itemField(field string, array bool, i int) string {
	if !array {
		return field
	}
	return field + "/" + strconv.Itoa(i)
}

// isDecimalIndex reports a canonical base-10 non-negative integer ("0",
// "94567"; not "", "-1", "007" or "1e3").
func isDecimalIndex(s string) bool {
	if s == "" || len(s) > 1 && s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
