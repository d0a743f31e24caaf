package web

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/holder"
)

// The wallet shows claims as the verifier portal does (claims.go's
// claimTree: nested, in the type metadata's order, names joined, dates
// in the page's calendar, enumerated values in words). The wallet hands
// out claims as a flat list of JSON pointers (holder.CardClaim): they
// are put back into a tree first. Technical claims (issuer, type, dates,
// holder key, status entry) are listed apart.

// envelopeClaims are the technical members of a credential: SD-JWT VC
// claims and VCDM envelope members.
var envelopeClaims = map[string]bool{
	"iss": true, "vct": true, "vct#integrity": true, "iat": true, "nbf": true, "exp": true, "cnf": true,
	"status": true, "_sd_alg": true, "sub": true,
	"@context": true, "issuer": true, "type": true, "validFrom": true, "validUntil": true,
	"credentialStatus": true, "credentialSchema": true, "id": true,
}

// walletTree splits card claims into the subject's claims, as a tree,
// and the technical ones, as a flat list.
func walletTree(v *View, typ, format string, claims []holder.CardClaim) (tree, technical []claimNode) {
	root := map[string]any{}
	for _, cl := range claims {
		toks := splitPointer(cl.Path)
		if len(toks) == 0 {
			continue
		}
		if len(toks) == 1 && envelopeClaims[toks[0]] {
			technical = append(technical, technicalNode(v, toks[0], cl))
			continue
		}
		setPath(root, toks, jsonShaped(cl.Value))
	}
	tree = claimTree(v.Lang, typ, root, format == holder.FormatSDJWT)
	return tree, technical
}

func splitPointer(p string) []string {
	if p == "" || p == "/" {
		return nil
	}
	toks := strings.Split(strings.TrimPrefix(p, "/"), "/")
	un := strings.NewReplacer("~1", "/", "~0", "~")
	for i := range toks {
		toks[i] = un.Replace(toks[i])
	}
	return toks
}

// setPath puts v at path in m, making objects on the way (array
// elements become members named by their index, which claimTree labels
// "#1", "#2", ...).
func setPath(m map[string]any, path []string, v any) {
	for _, k := range path[:len(path)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	m[path[len(path)-1]] = v
}

// jsonShaped turns the wallet's text by locale (map[string]string) into
// what a JSON decoder gives, which claimTree reads.
func jsonShaped(v any) any {
	if m, ok := v.(map[string]string); ok {
		out := make(map[string]any, len(m))
		for k, s := range m {
			out[k] = s
		}
		return out
	}
	return v
}

// technicalNode labels a technical claim and shows the values a person
// can read: the issuer, the type, the dates; keys and status entries by
// name only.
func technicalNode(v *View, name string, cl holder.CardClaim) claimNode {
	n := claimNode{Label: v.L(holder.ClaimLabel("/" + name))}
	switch name {
	case "iss", "issuer", "vct", "id":
		if s, ok := cl.Value.(string); ok {
			n.Value = s
		}
	case "iat", "nbf", "exp":
		if num, ok := cl.Value.(json.Number); ok {
			if sec, err := strconv.ParseInt(num.String(), 10, 64); err == nil {
				n.Value = v.Date(time.Unix(sec, 0))
			}
		}
	case "validFrom", "validUntil":
		if s, ok := cl.Value.(string); ok {
			if t, err := time.Parse(time.RFC3339, s); err == nil {
				n.Value = v.Date(t)
			}
		}
	}
	return n
}
