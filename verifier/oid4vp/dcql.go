package oid4vp

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Credential formats this verifier asks for.
const (
	FormatSDJWT = "dc+sd-jwt"   // SD-JWT VC, presented with a KB-JWT
	FormatJWTVC = "jwt_vc_json" // ThaiTrust's vc+jwt, presented in a vp+jwt
)

// Query is a DCQL query (OpenID4VP 1.0 section 6) as this verifier uses
// it: what it sends and what a response must satisfy.
type Query struct {
	Credentials    []CredentialQuery
	CredentialSets []CredentialSet // nil: every credential query is required
}

// CredentialQuery asks for one credential (section 6.1).
type CredentialQuery struct {
	ID       string
	Format   string // FormatSDJWT or FormatJWTVC
	Multiple bool   // several presentations may answer it
	// VCTValues (meta.vct_values, dc+sd-jwt) are the accepted vct.
	VCTValues []string
	// TypeValues (meta.type_values, jwt_vc_json) are alternatives: sets
	// of types the credential must all have.
	TypeValues [][]string
	// RequireBinding is require_cryptographic_holder_binding (default
	// true): the presenter must prove it holds the credential's key.
	RequireBinding bool
	// Claims are the claims asked for; nil asks for none beyond what the
	// credential always shows.
	Claims []ClaimQuery
	// ClaimSets are alternatives (claim ids) in order of preference; nil
	// means all of Claims.
	ClaimSets [][]string
}

// ClaimQuery asks for one claim (section 6.3).
type ClaimQuery struct {
	ID     string
	Path   Path
	Values []any // accepted values (strings, json.Number, bools); nil: any
}

// CredentialSet is one credential_sets entry (section 6.2).
type CredentialSet struct {
	Options  [][]string
	Required bool
}

// Path is a claims path pointer (section 7): member names (string),
// array indexes (int) and null (every element).
type Path []any

// String renders the path as JSON.
func (p Path) String() string {
	b, _ := json.Marshal([]any(p))
	return string(b)
}

// Pointer renders the path as a JSON pointer, "*" for null.
func (p Path) Pointer() string {
	var b strings.Builder
	for _, c := range p {
		b.WriteByte('/')
		switch x := c.(type) {
		case string:
			b.WriteString(strings.NewReplacer("~", "~0", "/", "~1").Replace(x))
		case int:
			b.WriteString(strconv.Itoa(x))
		default:
			b.WriteByte('*')
		}
	}
	return b.String()
}

// ParseQuery checks a decoded DCQL query and returns it. It refuses what
// this verifier cannot enforce or does not ask for: formats other than
// dc+sd-jwt and jwt_vc_json; a credential query without meta.vct_values
// (dc+sd-jwt) or meta.type_values (jwt_vc_json), which would accept any
// kind of credential; trusted_authorities (issuer trust is the
// verifier's policy, the trust registry, for every presentation: a
// narrower list in the query would not be enforced, so it is refused
// rather than ignored); require_cryptographic_holder_binding false (every
// presentation must be key-bound). Errors are *QueryError (errors.Is
// ErrInvalidQuery).
func ParseQuery(m map[string]any) (*Query, error) {
	bad := func(field, format string, args ...any) (*Query, error) {
		return nil, &QueryError{Field: field, Msg: fmt.Sprintf(format, args...)}
	}
	creds, ok := m["credentials"].([]any)
	if !ok || len(creds) == 0 {
		return bad("/credentials", "must be a non-empty array")
	}
	q := &Query{}
	ids := map[string]bool{}
	for i, x := range creds {
		at := fmt.Sprintf("/credentials/%d", i)
		cq, field, err := parseCredentialQuery(x)
		if err != nil {
			return bad(at+field, "%v", err)
		}
		if ids[cq.ID] {
			return bad(at+"/id", "duplicate id %q", cq.ID)
		}
		ids[cq.ID] = true
		q.Credentials = append(q.Credentials, cq)
	}
	if x, ok := m["credential_sets"]; ok {
		sets, ok := x.([]any)
		if !ok || len(sets) == 0 {
			return bad("/credential_sets", "must be a non-empty array")
		}
		for i, s := range sets {
			at := fmt.Sprintf("/credential_sets/%d", i)
			sm, ok := s.(map[string]any)
			if !ok {
				return bad(at, "must be an object")
			}
			cs := CredentialSet{Required: true}
			if v, ok := sm["required"]; ok {
				if cs.Required, ok = v.(bool); !ok {
					return bad(at+"/required", "must be a boolean")
				}
			}
			opts, ok := sm["options"].([]any)
			if !ok || len(opts) == 0 {
				return bad(at+"/options", "must be a non-empty array")
			}
			for j, o := range opts {
				vs, err := stringArray(o)
				if err != nil {
					return bad(fmt.Sprintf("%s/options/%d", at, j), "%v", err)
				}
				for _, id := range vs {
					if !ids[id] {
						return bad(fmt.Sprintf("%s/options/%d", at, j), "names unknown credential query %q", id)
					}
				}
				cs.Options = append(cs.Options, vs)
			}
			q.CredentialSets = append(q.CredentialSets, cs)
		}
	}
	return q, nil
}

func parseCredentialQuery(x any) (CredentialQuery, string, error) {
	m, ok := x.(map[string]any)
	if !ok {
		return CredentialQuery{}, "", fmt.Errorf("must be an object")
	}
	cq := CredentialQuery{RequireBinding: true}
	cq.ID, _ = m["id"].(string)
	if !validID(cq.ID) {
		return cq, "/id", fmt.Errorf("must be a non-empty string of letters, digits, '_' and '-'")
	}
	cq.Format, _ = m["format"].(string)
	if cq.Format != FormatSDJWT && cq.Format != FormatJWTVC {
		return cq, "/format", fmt.Errorf("%q is not asked for here (use %s or %s)", cq.Format, FormatSDJWT, FormatJWTVC)
	}
	if v, ok := m["multiple"]; ok {
		if cq.Multiple, ok = v.(bool); !ok {
			return cq, "/multiple", fmt.Errorf("must be a boolean")
		}
	}
	if v, ok := m["require_cryptographic_holder_binding"]; ok {
		if cq.RequireBinding, ok = v.(bool); !ok {
			return cq, "/require_cryptographic_holder_binding", fmt.Errorf("must be a boolean")
		}
		if !cq.RequireBinding {
			return cq, "/require_cryptographic_holder_binding", fmt.Errorf("this verifier always requires holder binding: a presentation that is not bound to its holder can be replayed by anyone who saw it")
		}
	}
	if _, ok := m["trusted_authorities"]; ok {
		return cq, "/trusted_authorities", fmt.Errorf("not supported: issuer trust is this verifier's policy (the trust registry), applied to every presentation")
	}
	meta, ok := m["meta"].(map[string]any)
	if !ok {
		return cq, "/meta", fmt.Errorf("must be an object")
	}
	switch cq.Format {
	case FormatSDJWT:
		vs, err := stringArray(meta["vct_values"])
		if err != nil {
			return cq, "/meta/vct_values", err
		}
		cq.VCTValues = vs
	case FormatJWTVC:
		arr, ok := meta["type_values"].([]any)
		if !ok || len(arr) == 0 {
			return cq, "/meta/type_values", fmt.Errorf("must be a non-empty array of arrays of strings")
		}
		for j, a := range arr {
			vs, err := stringArray(a)
			if err != nil {
				return cq, fmt.Sprintf("/meta/type_values/%d", j), err
			}
			cq.TypeValues = append(cq.TypeValues, vs)
		}
	}
	claimIDs := map[string]bool{}
	if v, ok := m["claims"]; ok {
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cq, "/claims", fmt.Errorf("must be a non-empty array")
		}
		for i, c := range arr {
			at := fmt.Sprintf("/claims/%d", i)
			cm, ok := c.(map[string]any)
			if !ok {
				return cq, at, fmt.Errorf("must be an object")
			}
			var cl ClaimQuery
			if v, ok := cm["id"]; ok {
				if cl.ID, ok = v.(string); !ok || !validID(cl.ID) {
					return cq, at + "/id", fmt.Errorf("must be a non-empty string of letters, digits, '_' and '-'")
				}
				if claimIDs[cl.ID] {
					return cq, at + "/id", fmt.Errorf("duplicate id %q", cl.ID)
				}
				claimIDs[cl.ID] = true
			}
			p, err := parsePath(cm["path"])
			if err != nil {
				return cq, at + "/path", err
			}
			cl.Path = p
			if v, ok := cm["values"]; ok {
				vs, ok := v.([]any)
				if !ok || len(vs) == 0 {
					return cq, at + "/values", fmt.Errorf("must be a non-empty array")
				}
				for _, x := range vs {
					if _, ok := canonical(x); !ok {
						return cq, at + "/values", fmt.Errorf("may hold strings, numbers and booleans only")
					}
				}
				cl.Values = vs
			}
			cq.Claims = append(cq.Claims, cl)
		}
	}
	if v, ok := m["claim_sets"]; ok {
		if cq.Claims == nil {
			return cq, "/claim_sets", fmt.Errorf("claim_sets without claims")
		}
		for _, c := range cq.Claims {
			if c.ID == "" {
				return cq, "/claim_sets", fmt.Errorf("claim_sets needs an id on every claim")
			}
		}
		arr, ok := v.([]any)
		if !ok || len(arr) == 0 {
			return cq, "/claim_sets", fmt.Errorf("must be a non-empty array")
		}
		for j, s := range arr {
			vs, err := stringArray(s)
			if err != nil {
				return cq, fmt.Sprintf("/claim_sets/%d", j), err
			}
			for _, id := range vs {
				if !claimIDs[id] {
					return cq, fmt.Sprintf("/claim_sets/%d", j), fmt.Errorf("names unknown claim %q", id)
				}
			}
			cq.ClaimSets = append(cq.ClaimSets, vs)
		}
	}
	return cq, "", nil
}

func validID(s string) bool {
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

func parsePath(x any) (Path, error) {
	arr, ok := x.([]any)
	if !ok || len(arr) == 0 {
		return nil, fmt.Errorf("must be a non-empty array")
	}
	p := make(Path, len(arr))
	for i, c := range arr {
		switch v := c.(type) {
		case nil:
			p[i] = nil
		case string:
			p[i] = v
		case json.Number:
			n, err := strconv.ParseInt(string(v), 10, 32)
			if err != nil || n < 0 {
				return nil, fmt.Errorf("[%d]: an index must be a non-negative integer", i)
			}
			p[i] = int(n)
		case float64:
			if v < 0 || v != math.Trunc(v) || v > 1<<30 {
				return nil, fmt.Errorf("[%d]: an index must be a non-negative integer", i)
			}
			p[i] = int(v)
		default:
			return nil, fmt.Errorf("[%d]: must be a string, a non-negative integer or null", i)
		}
	}
	return p, nil
}

// Select evaluates the path on claims (section 7.1): the selected values,
// ok false when it selects nothing or processing fails.
func (p Path) Select(claims any) (values []any, ok bool) {
	sel := []any{claims}
	for _, c := range p {
		var next []any
		for _, s := range sel {
			switch x := c.(type) {
			case string:
				m, isObj := s.(map[string]any)
				if !isObj {
					return nil, false
				}
				if v, has := m[x]; has {
					next = append(next, v)
				}
			case int:
				a, isArr := s.([]any)
				if !isArr {
					return nil, false
				}
				if x < len(a) {
					next = append(next, a[x])
				}
			default:
				a, isArr := s.([]any)
				if !isArr {
					return nil, false
				}
				next = append(next, a...)
			}
		}
		if len(next) == 0 {
			return nil, false
		}
		sel = next
	}
	return sel, true
}

// canonical returns a comparable form of a scalar JSON value: strings,
// booleans and numbers (compared by exact decimal value).
func canonical(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return "s" + x, true
	case bool:
		if x {
			return "btrue", true
		}
		return "bfalse", true
	case json.Number:
		if _, err := strconv.ParseFloat(string(x), 64); err != nil {
			return "", false // not a number, or beyond float64's range: never compared
		}
		r, ok := new(big.Rat).SetString(string(x))
		if !ok {
			return "", false
		}
		return "n" + r.RatString(), true
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "", false
		}
		r, _ := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
		return "n" + r.RatString(), true
	case int:
		return "n" + strconv.Itoa(x), true
	}
	return "", false
}

// matchesValues reports whether one of the selected values is one of the
// accepted values.
func matchesValues(selected, accepted []any) bool {
	for _, s := range selected {
		cs, ok := canonical(s)
		if !ok {
			continue
		}
		for _, a := range accepted {
			if ca, _ := canonical(a); ca == cs {
				return true
			}
		}
	}
	return false
}
