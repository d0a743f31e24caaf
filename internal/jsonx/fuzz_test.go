package jsonx

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParse is a differential test against encoding/json (UseNumber):
// whenever encoding/json rejects, Parse rejects; whenever both accept, the
// results are reflect.DeepEqual. It also checks that an error comes with a
// nil result, and that each rejection encoding/json does not share is one
// of the documented I-JSON rules, confirmed independently.
func FuzzParse(f *testing.F) {
	seeds := []string{
		``, `null`, `true`, `0`, `-0.5e+3`, `"a"`, `"\u0e01\ud83d\ude00"`, `[]`, `{}`,
		`{"a":[1,2,{"b":null}],"c":"\n"}`, `{"a":1,"a":2}`, `{"a":1,"\u0061":2}`,
		`"\ud800"`, `"\udc00\ud800"`, "\"\xff\"", "\"\xef\xbf\xbf\"", `[[[[[]]]]]`,
		`{"a":1} x`, `01`, `1.`, `"abcdefghijklmnopqrstuvwxyz0123456789"`,
		strings.Repeat("[", 70) + strings.Repeat("]", 70),
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	if data, err := os.ReadFile("testdata/credential.json"); err == nil {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		std, stdErr := stdDecode(data)
		if err != nil {
			if got != nil {
				t.Fatalf("error %v with non-nil result %#v", err, got)
			}
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > int64(len(data)) {
				t.Fatalf("error %v is not a *SyntaxError with an offset inside the input", err)
			}
			if stdErr != nil {
				return // both reject
			}
			// encoding/json accepts: the rejection must be an I-JSON rule.
			switch {
			case errors.Is(err, ErrDuplicateKey):
				if !hasDuplicateKey(t, data) {
					t.Fatalf("ErrDuplicateKey but no duplicate found: %v", err)
				}
			case errors.Is(err, ErrTooDeep):
				if depth(data) <= MaxDepth {
					t.Fatalf("ErrTooDeep at depth %d: %v", depth(data), err)
				}
			case errors.Is(err, ErrInvalidUTF8):
				if utf8.Valid(data) && !strings.Contains(string(data), `\u`) && !hasNoncharacter(string(data)) {
					t.Fatalf("ErrInvalidUTF8 on valid UTF-8 without escapes or noncharacters: %v", err)
				}
			default:
				t.Fatalf("jsonx rejects what encoding/json accepts (%#v): %v", std, err)
			}
			return
		}
		if stdErr != nil {
			t.Fatalf("jsonx accepts %q (%#v) but encoding/json rejects: %v", data, got, stdErr)
		}
		if !reflect.DeepEqual(got, std) {
			t.Fatalf("results differ for %q:\njsonx: %#v\nstd:   %#v", data, got, std)
		}
		// Accepted documents re-encode and re-parse to the same value.
		again, err := json.Marshal(got)
		if err != nil {
			t.Fatalf("re-encoding: %v", err)
		}
		got2, err := Parse(again)
		if err != nil || !reflect.DeepEqual(got, got2) {
			t.Fatalf("round trip of %q via %q: %#v, %v", data, again, got2, err)
		}
	})
}

// hasDuplicateKey walks the token stream of encoding/json (independent of
// jsonx) and reports an object with a repeated member name.
func hasDuplicateKey(t *testing.T, data []byte) bool {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	type frame struct {
		keys   map[string]bool
		object bool
		key    bool // next string token is a key
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if err != nil {
			return false
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '{', '[':
				if top != nil && top.object {
					top.key = true
				}
				stack = append(stack, &frame{keys: map[string]bool{}, object: v == '{', key: v == '{'})
				continue
			default:
				stack = stack[:len(stack)-1]
				continue
			}
		case string:
			if top != nil && top.object && top.key {
				if top.keys[v] {
					return true
				}
				top.keys[v] = true
				top.key = false
				continue
			}
		}
		if top != nil && top.object {
			top.key = true
		}
	}
}

func depth(data []byte) int {
	d, maxD := 0, 0
	inStr, esc := false, false
	for _, c := range data {
		switch {
		case esc:
			esc = false
		case inStr && c == '\\':
			esc = true
		case c == '"':
			inStr = !inStr
		case !inStr && (c == '[' || c == '{'):
			d++
			maxD = max(maxD, d)
		case !inStr && (c == ']' || c == '}'):
			d--
		}
	}
	return maxD
}

func hasNoncharacter(s string) bool {
	for _, r := range s {
		if isNoncharacter(r) {
			return true
		}
	}
	return false
}
