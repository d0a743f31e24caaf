package holder

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Card is a credential as a person sees it: its summary and its claims,
// each with a label in Thai and English.
type Card struct {
	Summary
	// CredentialID is the credential shown (the first copy of a batch).
	CredentialID string `json:"credential_id"`
	// Description is the type's description by locale.
	Description map[string]string `json:"description,omitempty"`
	// IssuerURL is the OpenID4VCI credential issuer it came from.
	IssuerURL string `json:"issuer_url,omitempty"`
	// ValidFrom is the start of the validity period (zero: none stated).
	ValidFrom time.Time   `json:"valid_from,omitzero"`
	Claims    []CardClaim `json:"claims"`
}

// CardClaim is one claim of a card.
type CardClaim struct {
	// Path is the claim's JSON pointer (into the SD-JWT claims, or into
	// credentialSubject for jwt_vc_json).
	Path string `json:"path"`
	// Label is the claim's name by locale ("th", "en").
	Label map[string]string `json:"label"`
	// Value is the claim: a string, json.Number, bool, nil, []any, or a
	// map of strings by locale ("th", "en") for text in two languages.
	Value any `json:"value"`
	// Disclosable reports the holder can withhold it (an SD-JWT
	// disclosure, or inside one); false means every presentation of the
	// credential reveals it.
	Disclosable bool `json:"disclosable"`
}

// Show returns the card of a credential (or of the first copy of a
// batch) by card id, credential id or unique prefix.
func (w *Wallet) Show(ctx context.Context, id string) (*Card, error) {
	es, err := w.resolve(id)
	if err != nil {
		return nil, err
	}
	c, err := w.store.GetCredential(ctx, es[0].id)
	if err != nil {
		return nil, err
	}
	p, err := parseRaw(c)
	if err != nil {
		return nil, err
	}
	var sum Summary
	for _, s := range w.List(ctx) {
		if s.ID == es[0].cardID() {
			sum = s
		}
	}
	card := &Card{
		Summary: sum, CredentialID: c.ID, Description: c.Display.Description,
		IssuerURL: c.IssuerURL, ValidFrom: c.ValidFrom,
	}
	card.Claims = cardClaims(c.Format, p.claims, p.disclosable, c.Display.Claims)
	return card, nil
}

// technical claims of an SD-JWT VC, shown in the summary rather than as
// claims.
var technicalClaims = map[string]bool{
	"iss": true, "vct": true, "vct#integrity": true, "cnf": true, "status": true,
	"iat": true, "nbf": true, "exp": true, "_sd_alg": true, "sub": true,
}

// cardClaims flattens a credential's claims for display: objects are
// descended into (except text by locale), arrays of objects by index.
// For jwt_vc_json the claims shown are credentialSubject's.
func cardClaims(format string, claims map[string]any, disclosable map[string]bool, display []ClaimDisplay) []CardClaim {
	root := claims
	if format == FormatJWTVC {
		root, _ = claims["credentialSubject"].(map[string]any)
	}
	labels := labelIndex(display)
	var out []CardClaim
	var walk func(v any, path []string, isIdx []bool, sd bool)
	walk = func(v any, path []string, isIdx []bool, sd bool) {
		if disclosable[pointer(path)] {
			sd = true
		}
		switch x := v.(type) {
		case map[string]any:
			if len(path) > 0 && isLangMap(x) {
				break
			}
			keys := make([]string, 0, len(x))
			for k := range x {
				if len(path) == 0 && format == FormatSDJWT && technicalClaims[k] {
					continue
				}
				keys = append(keys, k)
			}
			slices.SortFunc(keys, claimOrder)
			for _, k := range keys {
				walk(x[k], append(slices.Clip(path), k), append(slices.Clip(isIdx), false), sd)
			}
			return
		case []any:
			if hasObjects(x) {
				for i, e := range x {
					walk(e, append(slices.Clip(path), strconv.Itoa(i)), append(slices.Clip(isIdx), true), sd)
				}
				return
			}
		}
		if len(path) == 0 {
			return
		}
		out = append(out, CardClaim{Path: pointer(path), Label: labels.label(path, isIdx), Value: v, Disclosable: sd})
	}
	if root != nil {
		walk(root, nil, nil, false)
	}
	return out
}

// claimOrder puts names first, then the rest alphabetically, so cards
// read naturally.
func claimOrder(a, b string) int {
	ra, rb := claimRank(a), claimRank(b)
	if ra != rb {
		return ra - rb
	}
	return strings.Compare(a, b)
}

func claimRank(k string) int {
	switch k {
	case "name", "title", "given", "family", "th":
		return 0
	case "en":
		return 1
	}
	return 2
}

func hasObjects(a []any) bool {
	for _, e := range a {
		switch e.(type) {
		case map[string]any, []any:
			return true
		}
	}
	return false
}

// isLangMap reports an object of text by locale: {"th": "...", "en": "..."}.
func isLangMap(m map[string]any) bool {
	if len(m) == 0 {
		return false
	}
	for k, v := range m {
		if _, ok := v.(string); !ok || (k != "th" && k != "en") {
			return false
		}
	}
	return true
}

func escapeToken(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

func pointer(path []string) string {
	var b strings.Builder
	for _, p := range path {
		b.WriteByte('/')
		b.WriteString(escapeToken(p))
	}
	return b.String()
}

type labels map[string]map[string]string

func labelIndex(cd []ClaimDisplay) labels {
	l := labels{}
	for _, c := range cd {
		l[c.Path] = c.Label
	}
	return l
}

// label names the claim at path: the metadata's label for it (array
// indexes also match "*"), else the nearest labelled ancestor followed by
// the rest, else built-in labels of common member names, else the member
// names made readable.
func (l labels) label(path []string, isIdx []bool) map[string]string {
	if lb := l.exact(path, isIdx); lb != nil {
		return lb
	}
	for i := len(path) - 1; i >= 1; i-- {
		if lb := l.exact(path[:i], isIdx); lb != nil {
			return joinLabels(lb, path[i:], isIdx[i:])
		}
	}
	return joinLabels(nil, path, isIdx)
}

func (l labels) exact(path []string, isIdx []bool) map[string]string {
	if lb, ok := l[pointer(path)]; ok {
		return lb
	}
	star := make([]string, len(path))
	any := false
	for i, p := range path {
		star[i] = p
		if isIdx[i] {
			star[i] = "*"
			any = true
		}
	}
	if any {
		return l[pointer(star)]
	}
	return nil
}

func joinLabels(base map[string]string, rest []string, isIdx []bool) map[string]string {
	out := map[string]string{}
	for _, lang := range []string{"th", "en"} {
		var parts []string
		if base != nil {
			b := base[lang]
			if b == "" {
				b = base["en"]
			}
			parts = append(parts, b)
		}
		for i, r := range rest {
			if isIdx[i] {
				n, _ := strconv.Atoi(r)
				parts = append(parts, "#"+strconv.Itoa(n+1))
				continue
			}
			parts = append(parts, memberLabel(r, lang))
		}
		out[lang] = strings.Join(parts, " › ")
	}
	return out
}

func memberLabel(name, lang string) string {
	if l, ok := builtinLabels[name]; ok {
		if lang == "th" {
			return l[0]
		}
		return l[1]
	}
	// "xBE" is the Buddhist-Era form of "x" (schemas convention).
	if base, ok := strings.CutSuffix(name, "BE"); ok && base != "" {
		if lang == "th" {
			return memberLabel(base, lang) + " (พ.ศ.)"
		}
		return memberLabel(base, lang) + " (BE)"
	}
	return humanize(name)
}

// humanize turns "conferralDate" into "conferral date".
func humanize(s string) string {
	var b strings.Builder
	prevUpper := true
	for _, r := range s {
		up := unicode.IsUpper(r)
		if up && !prevUpper {
			b.WriteByte(' ')
		}
		prevUpper = up
		if r == '_' {
			b.WriteByte(' ')
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}

// ClaimLabel names the claim at a JSON pointer (as the disclosure log
// records them) with the built-in labels of common member names, in "th"
// and "en".
func ClaimLabel(ptr string) map[string]string {
	if ptr == "" || ptr == "/" {
		return map[string]string{"th": "", "en": ""}
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	for i, t := range toks {
		toks[i] = strings.NewReplacer("~1", "/", "~0", "~").Replace(t)
	}
	if len(toks) == 1 {
		if l, ok := technicalLabels[toks[0]]; ok {
			return map[string]string{"th": l[0], "en": l[1]}
		}
	}
	if toks[0] == "credentialSubject" && len(toks) > 1 {
		toks = toks[1:]
	}
	return joinLabels(nil, toks, make([]bool, len(toks)))
}
