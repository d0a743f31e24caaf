package registry

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/thaitrust/thaitrust/signing"
)

// appendListed appends the JSON of the list form of r (what
// marshalNoEscape(listed(r, credentials)) with PublicKeys = keys writes,
// byte for byte) to b, straight from the record: no clone of the entity
// and its accreditations, no reflection. TestAppendListedMatchesJSON
// holds it to encoding/json.
func appendListed(b []byte, r *entityRec, credentials bool, keys []signing.JWK) ([]byte, error) {
	var err error
	b = append(b, `{"TrustedEntityInformation":`...)
	if b, err = appendEntity(b, &r.e); err != nil {
		return nil, err
	}
	if len(keys) > 0 {
		b = append(b, `,"PublicKeys":[`...)
		for i := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJWK(b, &keys[i])
		}
		b = append(b, ']')
	}
	first := true
	for _, a := range r.accs {
		if a.a.Foreign != nil {
			continue
		}
		if first {
			b = append(b, `,"Accreditations":[`...)
			first = false
		} else {
			b = append(b, ',')
		}
		if b, err = appendAccreditation(b, &a.a, credentials); err != nil {
			return nil, err
		}
	}
	if !first {
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// appendEntity writes an Entity as the list has it: Version omitted, the
// history without its bookkeeping (see listed).
func appendEntity(b []byte, e *Entity) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendJSONString(b, e.ID)
	b = append(b, `,"kinds":`...)
	if e.Kinds == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, k := range e.Kinds {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, string(k))
		}
		b = append(b, ']')
	}
	b = append(b, `,"identifiers":`...)
	if e.Identifiers == nil {
		b = append(b, "null"...)
	} else {
		b = append(b, '[')
		for i, id := range e.Identifiers {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"type":`...)
			b = appendJSONString(b, id.Type)
			b = append(b, `,"value":`...)
			b = appendJSONString(b, id.Value)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	b = append(b, `,"name":{"th":`...)
	b = appendJSONString(b, e.Name.TH)
	b = append(b, `,"en":`...)
	b = appendJSONString(b, e.Name.EN)
	b = append(b, `},"jurisdiction":`...)
	b = appendJSONString(b, e.Jurisdiction)
	if e.Contact != "" {
		b = append(b, `,"contact":`...)
		b = appendJSONString(b, e.Contact)
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(e.Status))
	if e.StatusReason != "" {
		b = append(b, `,"status_reason":`...)
		b = appendJSONString(b, e.StatusReason)
	}
	b = append(b, `,"history":`...)
	if b, err = appendHistory(b, e.History); err != nil {
		return nil, err
	}
	if e.Foreign != nil {
		if b, err = appendForeign(b, e.Foreign); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendHistory writes status changes without RecordedAt and Seq (see
// listHistory).
func appendHistory(b []byte, h []StatusChange) ([]byte, error) {
	if h == nil {
		return append(b, "null"...), nil
	}
	var err error
	b = append(b, '[')
	for i := range h {
		c := &h[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"status":`...)
		b = appendJSONString(b, string(c.Status))
		if c.Reason != "" {
			b = append(b, `,"reason":`...)
			b = appendJSONString(b, c.Reason)
		}
		b = append(b, `,"effective_from":`...)
		if b, err = appendTime(b, c.EffectiveFrom); err != nil {
			return nil, err
		}
		b = append(b, '}')
	}
	return append(b, ']'), nil
}

func appendForeign(b []byte, f *Foreign) ([]byte, error) {
	var err error
	b = append(b, `,"foreign":{"list":`...)
	b = appendJSONString(b, f.List)
	b = append(b, `,"id":`...)
	b = appendJSONString(b, f.ID)
	b = append(b, `,"sequence":`...)
	b = strconv.AppendInt(b, f.Sequence, 10)
	if !f.NextUpdate.IsZero() {
		b = append(b, `,"next_update":`...)
		if b, err = appendTime(b, f.NextUpdate); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

// appendAccreditation writes an Accreditation as the list has it: Version
// omitted, the history without its bookkeeping, the credential only if
// credentials.
func appendAccreditation(b []byte, a *Accreditation, credentials bool) ([]byte, error) {
	var err error
	b = append(b, `{"id":`...)
	b = appendJSONString(b, a.ID)
	b = append(b, `,"subject":`...)
	b = appendJSONString(b, a.Subject)
	b = append(b, `,"accreditor":`...)
	b = appendJSONString(b, a.Accreditor)
	if a.Parent != "" {
		b = append(b, `,"parent":`...)
		b = appendJSONString(b, a.Parent)
	}
	b = append(b, `,"role":`...)
	b = appendJSONString(b, string(a.Role))
	b = append(b, `,"scope":{`...)
	sep := false
	if len(a.Scope.CredentialTypes) > 0 {
		b = append(b, `"credential_types":`...)
		b = appendStrings(b, a.Scope.CredentialTypes)
		sep = true
	}
	if a.Scope.MaxIAL != 0 {
		t, err := a.Scope.MaxIAL.MarshalText()
		if err != nil {
			return nil, err
		}
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"max_ial":`...)
		b = appendJSONString(b, string(t))
		sep = true
	}
	if a.Scope.MaxAAL != 0 {
		t, err := a.Scope.MaxAAL.MarshalText()
		if err != nil {
			return nil, err
		}
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"max_aal":`...)
		b = appendJSONString(b, string(t))
		sep = true
	}
	if len(a.Scope.Domains) > 0 {
		if sep {
			b = append(b, ',')
		}
		b = append(b, `"domains":`...)
		b = appendStrings(b, a.Scope.Domains)
	}
	b = append(b, `},"jurisdiction":`...)
	b = appendJSONString(b, a.Jurisdiction)
	b = append(b, `,"valid_from":`...)
	if b, err = appendTime(b, a.ValidFrom); err != nil {
		return nil, err
	}
	if !a.ValidUntil.IsZero() {
		b = append(b, `,"valid_until":`...)
		if b, err = appendTime(b, a.ValidUntil); err != nil {
			return nil, err
		}
	}
	b = append(b, `,"status":`...)
	b = appendJSONString(b, string(a.Status))
	if a.StatusReason != "" {
		b = append(b, `,"status_reason":`...)
		b = appendJSONString(b, a.StatusReason)
	}
	b = append(b, `,"history":`...)
	if b, err = appendHistory(b, a.History); err != nil {
		return nil, err
	}
	if credentials && a.Credential != "" {
		b = append(b, `,"credential":`...)
		b = appendJSONString(b, a.Credential)
	}
	if a.Foreign != nil {
		if b, err = appendForeign(b, a.Foreign); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendJWK(b []byte, j *signing.JWK) []byte {
	b = append(b, `{"kty":`...)
	b = appendJSONString(b, j.Kty)
	for _, m := range [...]struct{ name, v string }{
		{`,"crv":`, j.Crv}, {`,"x":`, j.X}, {`,"y":`, j.Y}, {`,"d":`, j.D},
		{`,"kid":`, j.Kid}, {`,"alg":`, j.Alg}, {`,"use":`, j.Use},
	} {
		if m.v != "" {
			b = append(b, m.name...)
			b = appendJSONString(b, m.v)
		}
	}
	return append(b, '}')
}

func appendStrings(b []byte, ss []string) []byte {
	b = append(b, '[')
	for i, s := range ss {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONString(b, s)
	}
	return append(b, ']')
}

// appendTime writes t as time.Time.MarshalJSON does (RFC 3339 with
// nanoseconds, quoted), failing as it does for a year outside 0..9999.
func appendTime(b []byte, t time.Time) ([]byte, error) {
	if y := t.Year(); y < 0 || y > 9999 {
		_, err := t.MarshalJSON()
		if err == nil {
			err = fmt.Errorf("registry: time %v out of range", t)
		}
		return nil, err
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), nil
}

// appendJSONString writes s as a JSON string the way encoding/json does
// without HTML escaping. Strings of printable ASCII and valid UTF-8 text
// without U+2028 and U+2029 (names, ids, DIDs, dates: nearly all) are
// copied as they are; the rest go through encoding/json itself.
func appendJSONString(b []byte, s string) []byte {
	ascii := true
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == '"' || c == '\\' {
			return appendJSONStringSlow(b, s)
		}
		if c >= utf8.RuneSelf {
			ascii = false
		}
	}
	if !ascii && (!utf8.ValidString(s) || strings.Contains(s, "\u2028") || strings.Contains(s, "\u2029")) {
		return appendJSONStringSlow(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendJSONStringSlow(b []byte, s string) []byte {
	var sb strings.Builder
	enc := json.NewEncoder(&sb)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(b, strings.TrimSuffix(sb.String(), "\n")...)
}
