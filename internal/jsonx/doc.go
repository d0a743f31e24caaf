// Package jsonx is a fast, strict JSON parser that decodes to the generic
// values encoding/json produces with Decoder.UseNumber: map[string]any,
// []any, string, json.Number, bool and nil.
//
// It exists because every credential, presentation and token ThaiTrust
// verifies is JSON that arrives from someone we do not yet trust, and
// encoding/json is both slower than needed on that path and more lenient
// than a security boundary should be.
//
// # Strictness
//
// Input must be exactly one JSON value (RFC 8259) optionally surrounded by
// space, and must also be an I-JSON message (RFC 7493):
//
//   - objects must not repeat a member name (compared after unescaping):
//     ErrDuplicateKey. encoding/json silently keeps the last one, which lets
//     two parsers of the same bytes see different claims;
//   - strings must be well-formed UTF-8, escapes must not encode lone
//     surrogates, and no string may contain a Unicode noncharacter:
//     ErrInvalidUTF8. encoding/json replaces such bytes with U+FFFD;
//   - objects and arrays nest at most MaxDepth (64) levels: ErrTooDeep;
//   - nothing but space may follow the value: ErrSyntax.
//
// Every error is a *SyntaxError carrying the byte offset and one of the
// sentinels above; use errors.Is to branch.
//
// # Equivalence with encoding/json
//
// Whenever encoding/json rejects an input, Parse rejects it too; whenever
// both accept, the results are reflect.DeepEqual to what
// json.Decoder.UseNumber decodes (empty objects and arrays are non-nil).
// FuzzParse checks both properties.
//
// # Performance
//
// Parse makes one pass over the input without reflection. It copies the
// input into one string (ParseString and ParseObjectString take a string
// and do not copy it) and returns substrings of it for keys, strings
// without escapes and numbers, collects object members and array elements
// on reusable stacks, and allocates each map once at its final size.
// Boxing a string, number or array in an interface would allocate its
// header once per value; the parser keeps the headers of one parse, and
// the elements of its arrays, in a few shared blocks instead (slab.go),
// and the string values nearly every credential repeats (language tags,
// the VCDM context, core types, status purposes) and one-digit numbers
// come back as statically boxed constants, equal in every respect. Non-ASCII text is validated
// three bytes at a time where it can be without decoding runes. BenchmarkParse compares it with encoding/json on a 2.8 KB credential
// with Thai text in the same run; BenchmarkSpeedup reports the ratio.
//
// # Hazards
//
// WARNING: every string in a result shares the memory of one copy of the
// input. Keeping a single short string from a large document keeps the
// whole document in memory; copy it (strings.Clone) if that matters.
//
// WARNING: Parse does not limit input size. Callers reading from the
// network must bound the body (http.MaxBytesReader, io.LimitReader) before
// calling it.
//
// WARNING: numbers are returned as json.Number text, exactly as written.
// Converting them (Int64, Float64) may fail or lose precision; I-JSON
// advises against numbers outside IEEE 754 double range but Parse does
// not enforce it.
package jsonx
