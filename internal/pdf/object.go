// Package pdf reads and writes the PDF syntax ThaiTrust needs (ISO
// 32000-1): objects, cross-reference tables and streams, object streams,
// Flate-compressed streams and incremental updates.
//
// It is a wire-format package: it decodes bytes into objects and writes
// objects back as bytes. It knows nothing about pages, fonts, signatures
// or PDF/A; packages document and signing/pades build those on top.
//
// # Reading
//
// Open parses the cross-reference sections of a file from its last
// startxref back through every /Prev, keeping each revision (incremental
// update) separately: File.Revisions lists them oldest first, with the
// byte offset where each one ends. Resolve reads an object as of the
// newest revision, ResolveAt as of an older one. Nothing is trusted: a
// reader that finds an inconsistent file returns an error rather than
// guessing (there is no reconstruction of broken cross-reference tables).
//
// Work is bounded: at most MaxRevisions revisions, MaxObjects objects,
// nesting depth MaxDepth, and MaxStreamSize bytes per decoded stream.
//
// # Writing
//
// Writer writes a new file or an incremental update to an existing one:
// objects are numbered by Alloc and written by Put; Finish appends the
// cross-reference table and trailer. Dictionaries are written with sorted
// keys (/Type first), so the same objects always give the same bytes.
package pdf

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
)

// Object is a PDF object: nil (null), bool, int64, float64, Name, String,
// Array, Dict, Ref or *Stream.
type Object any

// Name is a PDF name, without the leading slash.
type Name string

// String is a PDF string (literal or hexadecimal; the bytes as decoded).
type String []byte

// Array is a PDF array.
type Array []Object

// Dict is a PDF dictionary.
type Dict map[Name]Object

// Ref is an indirect reference.
type Ref struct {
	Num int
	Gen int
}

func (r Ref) String() string { return fmt.Sprintf("%d %d R", r.Num, r.Gen) }

// Stream is a stream object: its dictionary and its data as stored
// (still encoded by the dictionary's /Filter).
type Stream struct {
	Dict Dict
	Data []byte
}

// Name returns d[key] as a name ("" when absent or not a name).
func (d Dict) Name(key Name) Name {
	n, _ := d[key].(Name)
	return n
}

// Int returns d[key] as an integer; ok is false when it is not one.
func (d Dict) Int(key Name) (int64, bool) {
	n, ok := d[key].(int64)
	return n, ok
}

// Clone returns a shallow copy of d.
func (d Dict) Clone() Dict {
	c := make(Dict, len(d)+2)
	for k, v := range d {
		c[k] = v
	}
	return c
}

// TextString encodes s as a PDF text string: PDFDocEncoding-compatible
// ASCII as is, anything else as UTF-16BE with a byte-order mark.
func TextString(s string) String {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] < 0x20 && s[i] != '\n' && s[i] != '\t' {
			ascii = false
			break
		}
	}
	if ascii {
		return String(s)
	}
	return String(UTF16BE(s, true))
}

// UTF16BE encodes s in UTF-16BE, with a byte-order mark when bom is set.
func UTF16BE(s string, bom bool) []byte {
	out := make([]byte, 0, 2*len(s)+2)
	if bom {
		out = append(out, 0xFE, 0xFF)
	}
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			hi, lo := 0xD800+(r>>10), 0xDC00+(r&0x3FF)
			out = append(out, byte(hi>>8), byte(hi), byte(lo>>8), byte(lo))
			continue
		}
		out = append(out, byte(r>>8), byte(r))
	}
	return out
}

// DecodeText decodes a PDF text string (UTF-16BE with a byte-order mark,
// UTF-8 with one, or PDFDocEncoding, read as Latin-1).
func DecodeText(s String) string {
	switch {
	case len(s) >= 2 && s[0] == 0xFE && s[1] == 0xFF:
		var rs []rune
		for i := 2; i+1 < len(s); i += 2 {
			u := rune(s[i])<<8 | rune(s[i+1])
			if u >= 0xD800 && u < 0xDC00 && i+3 < len(s) {
				l := rune(s[i+2])<<8 | rune(s[i+3])
				if l >= 0xDC00 && l < 0xE000 {
					rs = append(rs, 0x10000+(u-0xD800)<<10+(l-0xDC00))
					i += 2
					continue
				}
			}
			rs = append(rs, u)
		}
		return string(rs)
	case len(s) >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF:
		return string(s[3:])
	}
	rs := make([]rune, len(s))
	for i, b := range s {
		rs[i] = rune(b)
	}
	return string(rs)
}

// AppendObject appends the serialization of o to b.
func AppendObject(b []byte, o Object) []byte {
	switch x := o.(type) {
	case nil:
		return append(b, "null"...)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		return AppendReal(b, x)
	case Name:
		return appendName(b, x)
	case String:
		return appendString(b, x)
	case HexString:
		return appendHex(b, x)
	case Array:
		b = append(b, '[')
		for i, e := range x {
			if i > 0 {
				b = append(b, ' ')
			}
			b = AppendObject(b, e)
		}
		return append(b, ']')
	case Dict:
		return appendDict(b, x)
	case Ref:
		b = strconv.AppendInt(b, int64(x.Num), 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, int64(x.Gen), 10)
		return append(b, " R"...)
	case Raw:
		return append(b, x...)
	case *Stream:
		// A stream is only valid as an indirect object; Writer.Put
		// writes it. Written inline it would be corrupt.
		panic("pdf: stream written as a direct object")
	}
	panic(fmt.Sprintf("pdf: cannot write %T", o))
}

// HexString is a string the writer writes in hexadecimal form.
type HexString []byte

// Raw is written as is: already-serialized PDF syntax.
type Raw []byte

// SortedKeys returns d's keys in writing order: Type, then Subtype, then
// the rest sorted.
func SortedKeys(d Dict) []Name {
	keys := make([]Name, 0, len(d))
	for k := range d {
		keys = append(keys, k)
	}
	rank := func(k Name) int {
		switch k {
		case "Type":
			return 0
		case "Subtype":
			return 1
		}
		return 2
	}
	slices.SortFunc(keys, func(a, b Name) int {
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra - rb
		}
		return bytes.Compare([]byte(a), []byte(b))
	})
	return keys
}

func appendDict(b []byte, d Dict) []byte {
	b = append(b, "<<"...)
	for _, k := range SortedKeys(d) {
		b = appendName(b, k)
		switch d[k].(type) {
		case Name, String, HexString, Array, Dict:
		default:
			b = append(b, ' ')
		}
		b = AppendObject(b, d[k])
	}
	return append(b, ">>"...)
}

// AppendReal appends a real number with at most 4 decimals, no exponent.
func AppendReal(b []byte, f float64) []byte {
	if f == float64(int64(f)) {
		return strconv.AppendInt(b, int64(f), 10)
	}
	s := strconv.FormatFloat(f, 'f', 4, 64)
	s = trimZeros(s)
	if s == "-0" {
		s = "0"
	}
	return append(b, s...)
}

func trimZeros(s string) string {
	if !bytes.ContainsRune([]byte(s), '.') {
		return s
	}
	for len(s) > 0 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if len(s) > 0 && s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

func appendName(b []byte, n Name) []byte {
	b = append(b, '/')
	for i := 0; i < len(n); i++ {
		c := n[i]
		if c < '!' || c > '~' || c == '#' || isDelim(c) {
			b = append(b, '#', hexDigit(c>>4), hexDigit(c&15))
			continue
		}
		b = append(b, c)
	}
	return b
}

func appendString(b []byte, s String) []byte {
	b = append(b, '(')
	for _, c := range []byte(s) {
		switch c {
		case '(', ')', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			if c < 0x20 || c >= 0x7f {
				b = append(b, '\\', '0'+c>>6, '0'+(c>>3)&7, '0'+c&7)
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, ')')
}

func appendHex(b []byte, s []byte) []byte {
	b = append(b, '<')
	for _, c := range s {
		b = append(b, hexDigit(c>>4), hexDigit(c&15))
	}
	return append(b, '>')
}

func hexDigit(c byte) byte {
	if c < 10 {
		return '0' + c
	}
	return 'A' + c - 10
}

func isDelim(c byte) bool {
	switch c {
	case '(', ')', '<', '>', '[', ']', '{', '}', '/', '%':
		return true
	}
	return false
}

func isSpace(c byte) bool {
	switch c {
	case 0, '\t', '\n', '\f', '\r', ' ':
		return true
	}
	return false
}

// Equal reports whether two objects are equal: same kind and value,
// dictionaries with the same keys and equal values, streams with equal
// dictionaries and identical data. A String equals a HexString with the
// same bytes.
func Equal(a, b Object) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool, int64, float64, Name, Ref:
		if i, ok := b.(int); ok {
			b = int64(i)
		}
		return a == b
	case int:
		return Equal(int64(x), b)
	case String:
		y := stringBytes(b)
		return y != nil && bytes.Equal(x, y)
	case HexString:
		return Equal(String(x), b)
	case Array:
		y, ok := b.(Array)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !Equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case Dict:
		y, ok := b.(Dict)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !Equal(v, w) {
				return false
			}
		}
		return true
	case *Stream:
		y, ok := b.(*Stream)
		return ok && Equal(x.Dict, y.Dict) && bytes.Equal(x.Data, y.Data)
	}
	return false
}

func stringBytes(o Object) []byte {
	switch s := o.(type) {
	case String:
		if s == nil {
			return []byte{}
		}
		return s
	case HexString:
		if s == nil {
			return []byte{}
		}
		return s
	}
	return nil
}
