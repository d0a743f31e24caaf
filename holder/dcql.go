package holder

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// Query is a DCQL query (OpenID4VP 1.0 section 6): what a verifier asks
// the wallet for.
type Query struct {
	Credentials    []CredentialQuery
	CredentialSets []CredentialSetQuery // nil: every credential query is required
}

// CredentialQuery asks for one credential (OpenID4VP 1.0 section 6.1).
type CredentialQuery struct {
	ID     string
	Format string // "dc+sd-jwt", "jwt_vc_json"; other formats match nothing here
	// Multiple allows several credentials in the answer; the wallet
	// presents one.
	Multiple bool
	// VCTValues (meta.vct_values, dc+sd-jwt): accepted vct values; nil
	// accepts any.
	VCTValues []string
	// TypeValues (meta.type_values, jwt_vc_json): alternatives, each a set
	// of types the credential must all have; nil accepts any.
	TypeValues [][]string
	// TrustedAuthorities are parsed and kept for display; the wallet does
	// not filter on them (the verifier checks trust).
	TrustedAuthorities []TrustedAuthority
	// RequireBinding is require_cryptographic_holder_binding (default
	// true). Every credential this wallet holds is key-bound.
	RequireBinding bool
	// Claims are the claims asked for; nil asks for none that is
	// selectively disclosable.
	Claims []ClaimQuery
	// ClaimSets are alternatives (claim ids), in order of preference;
	// nil means all of Claims.
	ClaimSets [][]string
}

// TrustedAuthority is one trusted_authorities entry.
type TrustedAuthority struct {
	Type   string
	Values []string
}

// ClaimQuery asks for one claim (OpenID4VP 1.0 section 6.3).
type ClaimQuery struct {
	ID     string    // required when the credential query has claim_sets
	Path   ClaimPath // claims path pointer (section 7)
	Values []any     // accepted values (string, json.Number, bool); nil: any
}

// CredentialSetQuery is one credential_sets entry (section 6.2): options
// (lists of credential query ids) in order of preference.
type CredentialSetQuery struct {
	Options  [][]string
	Required bool // default true
}

// ClaimPath is a claims path pointer (OpenID4VP 1.0 section 7): object
// member names, array indexes and "every element" (null).
type ClaimPath []PathElement

// PathElement is one component of a ClaimPath: exactly one of a member
// name (Name non-nil), an array index, or All (null).
type PathElement struct {
	Name  *string
	Index int
	All   bool
}

// MarshalJSON encodes the path as DCQL does: ["award", null, 0].
func (p ClaimPath) MarshalJSON() ([]byte, error) {
	out := make([]any, len(p))
	for i, c := range p {
		switch {
		case c.All:
			out[i] = nil
		case c.Name != nil:
			out[i] = *c.Name
		default:
			out[i] = c.Index
		}
	}
	return json.Marshal(out)
}

// Pointer returns the path as a JSON pointer, with "*" for null (the
// convention of credential/sdjwt's Present).
func (p ClaimPath) Pointer() string {
	var b strings.Builder
	for _, c := range p {
		b.WriteByte('/')
		switch {
		case c.All:
			b.WriteByte('*')
		case c.Name != nil:
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(*c.Name))
		default:
			b.WriteString(strconv.Itoa(c.Index))
		}
	}
	return b.String()
}

// String is the JSON form.
func (p ClaimPath) String() string {
	b, _ := p.MarshalJSON()
	return string(b)
}

// ParseQuery decodes and checks a DCQL query (a JSON object).
func ParseQuery(data []byte) (*Query, error) {
	m, err := jsonx.ParseObject(data)
	if err != nil {
		return nil, fail(ReasonQueryInvalid, "%v", err)
	}
	return QueryFromMap(m)
}

// QueryFromMap checks a DCQL query already decoded (by internal/jsonx or
// encoding/json with UseNumber) and returns it. Unknown members are
// ignored, as the specification asks.
func QueryFromMap(m map[string]any) (*Query, error) {
	q := &Query{}
	creds, ok := m["credentials"].([]any)
	if !ok || len(creds) == 0 {
		return nil, fail(ReasonQueryInvalid, "credentials must be a non-empty array")
	}
	ids := map[string]bool{}
	for i, x := range creds {
		cq, err := parseCredentialQuery(x)
		if err != nil {
			return nil, fail(ReasonQueryInvalid, "credentials[%d]: %v", i, err)
		}
		if ids[cq.ID] {
			return nil, fail(ReasonQueryInvalid, "credentials[%d]: duplicate id %q", i, cq.ID)
		}
		ids[cq.ID] = true
		q.Credentials = append(q.Credentials, cq)
	}
	if x, ok := m["credential_sets"]; ok {
		sets, ok := x.([]any)
		if !ok || len(sets) == 0 {
			return nil, fail(ReasonQueryInvalid, "credential_sets must be a non-empty array")
		}
		for i, s := range sets {
			cs, err := parseCredentialSet(s, ids)
			if err != nil {
				return nil, fail(ReasonQueryInvalid, "credential_sets[%d]: %v", i, err)
			}
			q.CredentialSets = append(q.CredentialSets, cs)
		}
	}
	return q, nil
}

func validQueryID(s string) bool {
	if s == "" || len(s) > 128 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func parseCredentialQuery(x any) (CredentialQuery, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return CredentialQuery{}, fmt.Errorf("not an object")
	}
	cq := CredentialQuery{RequireBinding: true}
	cq.ID, _ = m["id"].(string)
	if !validQueryID(cq.ID) {
		return cq, fmt.Errorf("id must be a non-empty string of letters, digits, '_' and '-'")
	}
	if cq.Format, ok = m["format"].(string); !ok || cq.Format == "" {
		return cq, fmt.Errorf("format must be a non-empty string")
	}
	if v, ok := m["multiple"]; ok {
		if cq.Multiple, ok = v.(bool); !ok {
			return cq, fmt.Errorf("multiple must be a boolean")
		}
	}
	if v, ok := m["require_cryptographic_holder_binding"]; ok {
		if cq.RequireBinding, ok = v.(bool); !ok {
			return cq, fmt.Errorf("require_cryptographic_holder_binding must be a boolean")
		}
	}
	meta, ok := m["meta"].(map[string]any)
	if !ok {
		return cq, fmt.Errorf("meta must be an object")
	}
	if v, ok := meta["vct_values"]; ok {
		vs, err := stringArray(v)
		if err != nil {
			return cq, fmt.Errorf("meta.vct_values: %v", err)
		}
		cq.VCTValues = vs
	}
	if v, ok := meta["type_values"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cq, fmt.Errorf("meta.type_values must be a non-empty array of arrays of strings")
		}
		for _, a := range arr {
			vs, err := stringArray(a)
			if err != nil {
				return cq, fmt.Errorf("meta.type_values: %v", err)
			}
			cq.TypeValues = append(cq.TypeValues, vs)
		}
	}
	if v, ok := m["trusted_authorities"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cq, fmt.Errorf("trusted_authorities must be a non-empty array")
		}
		for _, a := range arr {
			am, ok := a.(map[string]any)
			if !ok {
				return cq, fmt.Errorf("trusted_authorities: not an object")
			}
			t, _ := am["type"].(string)
			vs, err := stringArray(am["values"])
			if t == "" || err != nil {
				return cq, fmt.Errorf("trusted_authorities: needs a type and non-empty string values")
			}
			cq.TrustedAuthorities = append(cq.TrustedAuthorities, TrustedAuthority{Type: t, Values: vs})
		}
	}
	claimIDs := map[string]bool{}
	if v, ok := m["claims"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cq, fmt.Errorf("claims must be a non-empty array")
		}
		for i, c := range arr {
			cl, err := parseClaimQuery(c)
			if err != nil {
				return cq, fmt.Errorf("claims[%d]: %v", i, err)
			}
			if cl.ID != "" {
				if claimIDs[cl.ID] {
					return cq, fmt.Errorf("claims[%d]: duplicate id %q", i, cl.ID)
				}
				claimIDs[cl.ID] = true
			}
			cq.Claims = append(cq.Claims, cl)
		}
	}
	if v, ok := m["claim_sets"]; ok {
		if cq.Claims == nil {
			return cq, fmt.Errorf("claim_sets without claims")
		}
		for _, c := range cq.Claims {
			if c.ID == "" {
				return cq, fmt.Errorf("claim_sets needs an id on every claim")
			}
		}
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cq, fmt.Errorf("claim_sets must be a non-empty array")
		}
		for _, s := range arr {
			vs, err := stringArray(s)
			if err != nil {
				return cq, fmt.Errorf("claim_sets: %v", err)
			}
			for _, id := range vs {
				if !claimIDs[id] {
					return cq, fmt.Errorf("claim_sets names unknown claim %q", id)
				}
			}
			cq.ClaimSets = append(cq.ClaimSets, vs)
		}
	}
	return cq, nil
}

func parseClaimQuery(x any) (ClaimQuery, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return ClaimQuery{}, fmt.Errorf("not an object")
	}
	var cl ClaimQuery
	if v, ok := m["id"]; ok {
		if cl.ID, ok = v.(string); !ok || !validQueryID(cl.ID) {
			return cl, fmt.Errorf("id must be a non-empty string of letters, digits, '_' and '-'")
		}
	}
	p, err := ParseClaimPath(m["path"])
	if err != nil {
		return cl, err
	}
	cl.Path = p
	if v, ok := m["values"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cl, fmt.Errorf("values must be a non-empty array")
		}
		for _, a := range arr {
			if _, ok := canonicalValue(a); !ok {
				return cl, fmt.Errorf("values may hold strings, numbers and booleans only")
			}
		}
		cl.Values = arr
	}
	return cl, nil
}

// ParseClaimPath checks a decoded claims path pointer: a non-empty array
// of strings, non-negative integers and nulls.
func ParseClaimPath(x any) (ClaimPath, error) {
	arr, ok := x.([]any)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("path must be a non-empty array")
	}
	p := make(ClaimPath, len(arr))
	for i, c := range arr {
		switch v := c.(type) {
		case nil:
			p[i].All = true
		case string:
			s := v
			p[i].Name = &s
		case json.Number:
			n, err := strconv.ParseInt(string(v), 10, 32)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("path[%d]: an index must be a non-negative integer", i)
			}
			p[i].Index = int(n)
		case float64:
			if v < 0 || v != float64(int(v)) || v > 1<<30 {
				return nil, fmt.Errorf("path[%d]: an index must be a non-negative integer", i)
			}
			p[i].Index = int(v)
		default:
			return nil, fmt.Errorf("path[%d]: must be a string, a non-negative integer or null", i)
		}
	}
	return p, nil
}

func stringArray(x any) ([]string, error) {
	arr, ok := x.([]any)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("must be a non-empty array of strings")
	}
	out := make([]string, len(arr))
	for i, a := range arr {
		s, ok := a.(string)
		if !ok || s == "" {
			return nil, fmt.Errorf("must be a non-empty array of non-empty strings")
		}
		out[i] = s
	}
	return out, nil
}

func parseCredentialSet(x any, ids map[string]bool) (CredentialSetQuery, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return CredentialSetQuery{}, fmt.Errorf("not an object")
	}
	cs := CredentialSetQuery{Required: true}
	if v, ok := m["required"]; ok {
		if cs.Required, ok = v.(bool); !ok {
			return cs, fmt.Errorf("required must be a boolean")
		}
	}
	opts, ok := m["options"].([]any)
	if !ok || len(opts) == 0 {
		return cs, fmt.Errorf("options must be a non-empty array")
	}
	for _, o := range opts {
		vs, err := stringArray(o)
		if err != nil {
			return cs, fmt.Errorf("options: %v", err)
		}
		for _, id := range vs {
			if !ids[id] {
				return cs, fmt.Errorf("options name unknown credential query %q", id)
			}
		}
		cs.Options = append(cs.Options, vs)
	}
	return cs, nil
}

// Select evaluates a claims path pointer on claims (OpenID4VP 1.0 section
// 7.1) and returns the selected values; ok is false when the path selects
// nothing or processing fails (a member name applied to something that
// is not an object, an index or null to something that is not an array).
func (p ClaimPath) Select(claims any) (values []any, ok bool) {
	sel := []any{claims}
	for _, c := range p {
		var next []any
		for _, s := range sel {
			switch {
			case c.Name != nil:
				m, isObj := s.(map[string]any)
				if !isObj {
					return nil, false
				}
				if v, has := m[*c.Name]; has {
					next = append(next, v)
				}
			case c.All:
				a, isArr := s.([]any)
				if !isArr {
					return nil, false
				}
				next = append(next, a...)
			default:
				a, isArr := s.([]any)
				if !isArr {
					return nil, false
				}
				if c.Index < len(a) {
					next = append(next, a[c.Index])
				}
			}
		}
		if len(next) == 0 {
			return nil, false
		}
		sel = next
	}
	return sel, true
}

// matchesValues reports whether one of the selected values is one of the
// accepted values (same type and value).
func matchesValues(selected, accepted []any) bool {
	for _, s := range selected {
		cs, ok := canonicalValue(s)
		if !ok {
			continue
		}
		for _, a := range accepted {
			if ca, _ := canonicalValue(a); ca == cs {
				return true
			}
		}
	}
	return false
}
