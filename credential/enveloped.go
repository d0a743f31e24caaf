package credential

import (
	"encoding/base64"
	"strings"
)

// Enveloped is a credential (or presentation) secured by an enveloping
// mechanism such as VC-JOSE-COSE, carried as the id of an
// EnvelopedVerifiableCredential: "data:<mediatype>[;base64url],<data>".
type Enveloped struct {
	MediaType string // e.g. "application/vc+jwt": type and subtype in lower case, parameters as written
	Data      string // the secured bytes, e.g. a compact JWS; decoded for ";base64"
}

// ParseDataURL parses the data: URL (RFC 2397) of an enveloped credential:
//
//   - "data:application/vc+jwt,<jws>": no encoding parameter, the data is
//     the token itself (percent-escapes, if any, are decoded);
//   - "data:<mediatype>;base64,<b64>": RFC 2397 base64 (standard alphabet,
//     padded), decoded into Data;
//   - "data:<mediatype>;base64url,<token>": the form of VC-JOSE-COSE drafts
//     and the W3C test suite, whose data is already base64url text (a
//     compact JWS or SD-JWT); Data is that text, not decoded.
//
// A media type (type/subtype, optional ;name=value parameters) and
// non-empty data are required. Errors are *ValidationError with
// ReasonEnvelopedInvalid; the result is the zero Enveloped on error.
func ParseDataURL(s string) (Enveloped, error) {
	bad := func(msg string) (Enveloped, error) {
		return Enveloped{}, invalid("", ReasonEnvelopedInvalid, msg)
	}
	if len(s) < 5 || !strings.EqualFold(s[:5], "data:") {
		return bad("enveloped id is not a data: URL")
	}
	comma := strings.IndexByte(s, ',')
	if comma < 0 {
		return bad("data: URL has no ','")
	}
	header, data := s[5:comma], s[comma+1:]
	encoding := ""
	if semi := strings.LastIndexByte(header, ';'); semi >= 0 {
		switch p := header[semi+1:]; {
		case strings.EqualFold(p, "base64"):
			encoding, header = "base64", header[:semi]
		case strings.EqualFold(p, "base64url"):
			encoding, header = "base64url", header[:semi]
		}
	}
	if !isMediaType(header) {
		return bad("data: URL has no valid media type")
	}
	if data == "" {
		return bad("data: URL carries no data")
	}
	var out string
	switch encoding {
	case "base64":
		b, err := base64.StdEncoding.Strict().DecodeString(data)
		if err != nil || len(b) == 0 {
			return bad("data: URL data is not valid base64")
		}
		out = string(b)
	case "base64url":
		for i := 0; i < len(data); i++ {
			if !tokenChar(data[i]) {
				return bad("base64url data: URL data has a character outside base64url, '.' and '~'")
			}
		}
		out = data
	default:
		var ok bool
		if out, ok = percentDecode(data); !ok {
			return bad("data: URL data has an invalid character or percent-escape")
		}
	}
	// Media types are case-insensitive (RFC 6838): lower-case type/subtype
	// so that callers can compare with ==.
	if end := strings.IndexByte(header, ';'); end >= 0 {
		header = strings.ToLower(header[:end]) + header[end:]
	} else {
		header = strings.ToLower(header)
	}
	return Enveloped{MediaType: header, Data: out}, nil
}

// URL returns the data: URL of e. Data made only of URL-safe token
// characters (base64url, '.', '~', as in a compact JWS or SD-JWT) is
// written as is ("data:application/vc+jwt,eyJ..."); anything else is
// base64-encoded (";base64"). ParseDataURL(e.URL()) returns e.
func (e Enveloped) URL() string {
	plain := true
	for i := 0; i < len(e.Data); i++ {
		if !tokenChar(e.Data[i]) {
			plain = false
			break
		}
	}
	if plain {
		return "data:" + e.MediaType + "," + e.Data
	}
	return "data:" + e.MediaType + ";base64," + base64.StdEncoding.EncodeToString([]byte(e.Data))
}

// Envelope returns an EnvelopedVerifiableCredential object for a credential
// secured as data of the given media type, ready to be placed in a
// presentation's verifiableCredential:
//
//	{"@context": ContextV2, "id": "data:<mediaType>,<data>", "type": "EnvelopedVerifiableCredential"}
//
// mediaType is not checked; pass a valid one such as "application/vc+jwt".
func Envelope(mediaType, data string) map[string]any {
	return map[string]any{
		"@context": ContextV2,
		"id":       Enveloped{MediaType: mediaType, Data: data}.URL(),
		"type":     TypeEnvelopedCredential,
	}
}

// tokenChar reports base64url characters plus '.' and '~' (JWS, SD-JWT).
func tokenChar(c byte) bool {
	return isAlpha(c) || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == '~'
}

// isMediaType checks type "/" subtype *(";" attribute "=" value) with
// RFC 2045 tokens (quoted values are not supported).
func isMediaType(s string) bool {
	parts := strings.Split(s, ";")
	slash := strings.IndexByte(parts[0], '/')
	if slash <= 0 || !isToken(parts[0][:slash]) || !isToken(parts[0][slash+1:]) {
		return false
	}
	for _, p := range parts[1:] {
		eq := strings.IndexByte(p, '=')
		if eq <= 0 || !isToken(p[:eq]) || !isToken(p[eq+1:]) {
			return false
		}
	}
	return true
}

func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7F || strings.IndexByte("()<>@,;:\\\"/[]?=", c) >= 0 {
			return false
		}
	}
	return true
}

// percentDecode decodes %XX escapes and rejects bytes a URL cannot carry
// unescaped.
func percentDecode(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 || !urlASCII[s[i]] {
				return "", false
			}
		}
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x80 || !urlASCII[c] {
			return "", false
		}
		if c == '%' {
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", false
			}
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
			continue
		}
		b = append(b, c)
	}
	return string(b), true
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}
