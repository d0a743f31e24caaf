package sdjwt

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// normalize turns caller-supplied claims into the generic values of
// internal/jsonx (map[string]any, []any, string, json.Number, bool, nil):
// it encodes them with encoding/json and parses the result strictly. The
// result shares nothing with the input, and everything in it is I-JSON.
func normalize(v any) (any, error) {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return jsonx.Parse([]byte(b.String()))
}

// appendJSON appends the JSON encoding of a generic value (as produced by
// jsonx or normalize). Object members are sorted by name. spaced selects
// the ", " / ": " separators of the RFC 9901 examples.
func appendJSON(b []byte, v any, spaced bool) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case bool:
		return strconv.AppendBool(b, x), nil
	case string:
		return appendString(b, x), nil
	case json.Number:
		if !validNumber(string(x)) {
			return nil, fmt.Errorf("invalid number %q", truncate(string(x)))
		}
		return append(b, x...), nil
	case []any:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = sep(b, ',', spaced)
			}
			var err error
			if b, err = appendJSON(b, e, spaced); err != nil {
				return nil, err
			}
		}
		return append(b, ']'), nil
	case []string:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = sep(b, ',', spaced)
			}
			b = appendString(b, e)
		}
		return append(b, ']'), nil
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = sep(b, ',', spaced)
			}
			b = appendString(b, k)
			b = sep(b, ':', spaced)
			var err error
			if b, err = appendJSON(b, x[k], spaced); err != nil {
				return nil, err
			}
		}
		return append(b, '}'), nil
	}
	return nil, fmt.Errorf("cannot encode %T", v)
}

func sep(b []byte, c byte, spaced bool) []byte {
	b = append(b, c)
	if spaced {
		b = append(b, ' ')
	}
	return b
}

// appendString appends s as a JSON string: '"', '\\' and control
// characters escaped (short forms where JSON has them), everything else
// as UTF-8. Invalid UTF-8 becomes U+FFFD, as with encoding/json.
func appendString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			b = append(b, c)
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && n == 1 {
				b = append(b, "\ufffd"...)
			} else {
				b = append(b, s[i:i+n]...)
			}
			i += n
			continue
		}
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
		}
		i++
	}
	return append(b, '"')
}

// validNumber reports whether s is a JSON number (RFC 8259 section 6).
func validNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		d := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == d {
			return false
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
			return false
		}
	}
	return i == len(s)
}

// JSON pointers (RFC 6901).

// escapeToken escapes one reference token: "~" -> "~0", "/" -> "~1".
func escapeToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// splitPointer splits a JSON pointer into unescaped reference tokens. ""
// is the whole document (no tokens).
func splitPointer(p string) ([]string, error) {
	if p == "" {
		return nil, nil
	}
	if p[0] != '/' {
		return nil, fmt.Errorf("sdjwt: JSON pointer %q does not start with '/'", truncate(p))
	}
	toks := strings.Split(p[1:], "/")
	for i, t := range toks {
		if !strings.Contains(t, "~") {
			continue
		}
		var b strings.Builder
		for j := 0; j < len(t); j++ {
			if t[j] != '~' {
				b.WriteByte(t[j])
				continue
			}
			if j+1 >= len(t) || (t[j+1] != '0' && t[j+1] != '1') {
				return nil, fmt.Errorf("sdjwt: JSON pointer %q has a bad '~' escape", truncate(p))
			}
			if t[j+1] == '0' {
				b.WriteByte('~')
			} else {
				b.WriteByte('/')
			}
			j++
		}
		toks[i] = b.String()
	}
	return toks, nil
}

// arrayIndex parses an RFC 6901 array index ("0" or no leading zeros).
func arrayIndex(tok string, n int) (int, bool) {
	if tok == "" || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	i := 0
	for _, c := range []byte(tok) {
		if c < '0' || c > '9' {
			return 0, false
		}
		i = i*10 + int(c-'0')
		if i >= n {
			return 0, false
		}
	}
	return i, true
}

// resolve expands pointer (whose "*" tokens match every element of an
// array) against doc, calling visit with the concrete pointer of every
// value it names. A pointer that names nothing is ErrNoSuchClaim.
func resolve(doc any, pointer string, visit func(concrete string, v any) error) error {
	toks, err := splitPointer(pointer)
	if err != nil {
		return err
	}
	found := false
	var walk func(v any, i int, at string) error
	walk = func(v any, i int, at string) error {
		if i == len(toks) {
			found = true
			return visit(at, v)
		}
		t := toks[i]
		switch x := v.(type) {
		case map[string]any:
			c, ok := x[t]
			if !ok {
				return nil
			}
			return walk(c, i+1, at+"/"+escapeToken(t))
		case []any:
			if t == "*" {
				if len(x) == 0 && i+1 == len(toks) {
					found = true // "every element" of an empty array
				}
				for j, e := range x {
					if err := walk(e, i+1, at+"/"+strconv.Itoa(j)); err != nil {
						return err
					}
				}
				return nil
			}
			j, ok := arrayIndex(t, len(x))
			if !ok {
				return nil
			}
			return walk(x[j], i+1, at+"/"+t)
		}
		return nil
	}
	if err := walk(doc, 0, ""); err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("%w: %q", ErrNoSuchClaim, truncate(pointer))
	}
	return nil
}

// within reports whether pointer p is q or inside q.
func within(p, q string) bool {
	return p == q || (len(p) > len(q) && p[len(q)] == '/' && p[:len(q)] == q)
}
