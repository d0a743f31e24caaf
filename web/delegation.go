package web

import (
	"strings"

	"github.com/thaitrust/thaitrust/delegation"
)

// delegationView draws a power of attorney (a DelegationCredential) as a
// chain: the grantor (and the directors who executed it for a company),
// then the grantee; a sub-delegation names its parent first.
type delegationView struct {
	Parent  string // the parent delegation's credential id, for a sub-delegation
	Links   []delegationLink
	Purpose string
	Actions []string
	Amount  string
	Sub     bool // the grantee may delegate further
}

type delegationLink struct {
	Role  string // dictionary key
	Name  string
	Alt   string
	ID    string   // juristic id or personal id
	Signs []string // the directors who executed it
}

// delegationOf reads the chain a DelegationCredential's subject states.
// It is what the credential says (its signature, validity, status and
// issuer were checked with it); the directors' authority under the
// company's signing rule is checked by a relying party that verifies the
// presented chain (package delegation).
func delegationOf(lang, typ string, subject map[string]any) *delegationView {
	if typ != delegation.TypeDelegation || subject == nil {
		return nil
	}
	d := &delegationView{}
	if p, ok := subject["parent"].(map[string]any); ok {
		d.Parent, _ = p["id"].(string)
	}
	party := func(role string, m map[string]any) delegationLink {
		l := delegationLink{Role: role}
		if n, ok := m["name"].(map[string]any); ok {
			l.Name, l.Alt, _ = langText(lang, n)
		}
		for _, k := range []string{"juristicId", "pid"} {
			if s, ok := m[k].(string); ok && l.ID == "" {
				l.ID = s
			}
		}
		return l
	}
	if g, ok := subject["grantor"].(map[string]any); ok {
		l := party("verify.delegation.grantor", g)
		if ex, ok := subject["executedBy"].([]any); ok {
			for _, e := range ex {
				if m, ok := e.(map[string]any); ok {
					l.Signs = append(l.Signs, party("", m).Name)
				}
			}
		}
		d.Links = append(d.Links, l)
	}
	if g, ok := subject["grantee"].(map[string]any); ok {
		d.Links = append(d.Links, party("verify.delegation.grantee", g))
	}
	if p, ok := subject["purpose"].(map[string]any); ok {
		d.Purpose, _, _ = langText(lang, p)
	}
	if sc, ok := subject["scope"].(map[string]any); ok {
		if as, ok := sc["actions"].([]any); ok {
			for _, a := range as {
				if s, ok := a.(string); ok {
					d.Actions = append(d.Actions, s)
				}
			}
		}
		if am, ok := sc["amountLimit"].(map[string]any); ok {
			d.Amount = strings.TrimSpace(scalar(lang, am["amount"]) + " " + scalar(lang, am["currency"]))
		}
	}
	if sd, ok := subject["subDelegation"].(map[string]any); ok {
		d.Sub, _ = sd["allowed"].(bool)
	}
	if len(d.Links) == 0 {
		return nil
	}
	return d
}
