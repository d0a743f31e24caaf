// Package compile compiles JSON Schema (draft 2020-12) into a validator
// for the generic values a JSON decoder produces, for exactly the subset
// of the specification the ThaiTrust schemas use.
//
// # Subset
//
// [Keywords] lists what is implemented: type (one or several), const,
// enum, format, required, minProperties, properties,
// additionalProperties, minItems, uniqueItems, prefixItems, items,
// contains, minLength, maxLength, pattern, minimum, maximum,
// exclusiveMinimum, allOf, anyOf, if/then/else, $ref (to a JSON pointer
// in the document, including into resources embedded with their own
// $id), $defs, $id, $schema (2020-12 only), and the annotations title and
// description. [Compile] fails, with an error wrapping [ErrUnsupported],
// on any other keyword, on an anchor reference, and on a format that is
// neither standard (date, date-time, uri, uuid) nor in [Options].Formats:
// a validator that skipped what it did not understand would pass
// documents the schema rejects. Nothing is ever fetched: a $ref outside
// the document is an error.
//
// Each keyword follows the specification; where it leaves room, the
// behaviour is that of santhosh-tekuri/jsonschema v6, against which the
// tests compare (a literally empty schema {} is true even for Go values
// that are not JSON; the standard formats are that library's).
//
// # Values
//
// An instance is what encoding/json decodes into any, with or without
// UseNumber: map[string]any, []any, string, json.Number or float64, bool,
// nil. The other Go integer and float types are numbers too. Any other Go
// value (a []string, a struct, NaN) is not a JSON value, and fails with
// reason "type" wherever a subschema looks at it.
//
// Numbers are compared exactly, by their decimal value, whatever their
// spelling (1, 1.0, 10e-1) or size (1e400 is greater than 100; there is
// no rounding through float64 and no big-number arithmetic): a float64 is
// taken at its shortest decimal form, as the reference does. An integer
// is a number with no fractional part, so 1.0 is one and 1.5 is not.
// String lengths count code points.
//
// # Patterns
//
// Patterns compile with Go's regexp (RE2). A pattern of the form ^...$
// (all of ours) also becomes a deterministic automaton over classes of
// runes, which decides a string in one table step per character and
// agrees with regexp on every input (tested and fuzzed). JSON Schema
// patterns are ECMA-262 regular expressions; keeping them to the subset
// where both dialects agree is the schema author's job (the schemas
// package tests it).
//
// # Performance
//
// [Schema.Valid] and [Schema.Validate] on a valid instance do not allocate
// (except for uniqueItems on arrays of more than 16 items and URIs outside
// the common shapes). They stop at the first problem. On an invalid
// instance, Validate walks it again in full, in the order the reference
// validator does, and picks the problem to report ([Problem]).
package compile
