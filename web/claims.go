package web

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html/template"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/schemas"
)

// claimNode is one claim as a person reads it: its label and value in
// the page's language (Alt: the value in the other language, when the
// claim has both), or its members (Children).
type claimNode struct {
	Label    string
	Value    string
	Alt      string
	Image    template.URL // a portrait (data:image/...;base64)
	Children []claimNode
}

// technicalClaims are the SD-JWT VC claims that are not about the
// subject; the result page shows them as the credential's facts.
var technicalClaims = map[string]bool{
	"iss": true, "vct": true, "iat": true, "nbf": true, "exp": true, "cnf": true,
	"status": true, "_sd_alg": true, "_sd": true, "vct#integrity": true,
}

// claimLabels indexes the type metadata's claim labels by JSON pointer
// into the SD-JWT VC claims ("*" for every array element), with their
// rank (the metadata's order) for sorting.
type claimLabels struct {
	typ    string
	labels map[string]map[string]string
	rank   map[string]int
}

func labelsOf(typ string) claimLabels {
	l := claimLabels{typ: typ, labels: map[string]map[string]string{}, rank: map[string]int{}}
	m, ok := schemas.TypeMetadata(typ)
	if !ok {
		return l
	}
	for i, c := range m.Claims {
		var b strings.Builder
		for _, seg := range c.Path {
			b.WriteByte('/')
			if s, ok := seg.(string); ok {
				b.WriteString(s)
			} else {
				b.WriteByte('*')
			}
		}
		ptr := b.String()
		lb := map[string]string{}
		for _, d := range c.Display {
			lb[d.Locale] = d.Label
		}
		l.labels[ptr] = lb
		if _, seen := l.rank[ptr]; !seen {
			l.rank[ptr] = i
		}
	}
	return l
}

// claimTree turns the subject's claims (credentialSubject, or the SD-JWT
// VC's processed claims when sd) into labelled nodes.
func claimTree(lang, typ string, root map[string]any, sd bool) []claimNode {
	l := labelsOf(typ)
	var walk func(m map[string]any, path []string) []claimNode
	walk = func(m map[string]any, path []string) []claimNode {
		keys := make([]string, 0, len(m))
		for k := range m {
			if len(path) == 0 && sd && technicalClaims[k] {
				continue
			}
			keys = append(keys, k)
		}
		// The metadata's order, then names first, then alphabetical.
		slices.SortFunc(keys, func(a, b string) int {
			ra, oka := l.rank[l.ptr(append(slices.Clip(path), a), sd)]
			rb, okb := l.rank[l.ptr(append(slices.Clip(path), b), sd)]
			switch {
			case oka && okb:
				return ra - rb
			case oka:
				return -1
			case okb:
				return 1
			}
			return strings.Compare(a, b)
		})
		var out []claimNode
		for _, k := range keys {
			p := append(slices.Clip(path), k)
			out = append(out, nodeOf(lang, l, m[k], p, sd, walk))
		}
		return out
	}
	return walk(root, nil)
}

// ptr returns the metadata pointer of a path (array indexes as "*"; the
// first member renamed as the SD-JWT VC names it when the claims are a
// credentialSubject).
func (l claimLabels) ptr(path []string, sd bool) string {
	var b strings.Builder
	for i, p := range path {
		b.WriteByte('/')
		switch {
		case isArrayIndex(p):
			b.WriteByte('*')
		case i == 0 && !sd:
			b.WriteString(schemas.SDJWTName(l.typ, p))
		default:
			b.WriteString(p)
		}
	}
	return b.String()
}

func isArrayIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil && s != "" && s[0] != '+' && s[0] != '-'
}

// label names the claim at path in lang: the metadata's label, else the
// built-in label of its member name, else "#n" for an array element.
func (l claimLabels) label(lang string, path []string, sd bool) string {
	if lb, ok := l.labels[l.ptr(path, sd)]; ok && lb[lang] != "" {
		return lb[lang]
	}
	last := path[len(path)-1]
	if isArrayIndex(last) {
		n, _ := strconv.Atoi(last)
		return "#" + strconv.Itoa(n+1)
	}
	if _, ok := dict["claim."+last]; ok {
		return translate(lang, "claim."+last)
	}
	return holder.ClaimLabel("/" + strings.NewReplacer("~", "~0", "/", "~1").Replace(last))[lang]
}

// labelOfPointer labels the claim at a JSON pointer into SD-JWT VC
// claims, each level's label joined by " › ".
func (l claimLabels) labelOfPointer(lang, ptr string) string {
	if ptr == "" || ptr == "/" {
		return ptr
	}
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	un := strings.NewReplacer("~1", "/", "~0", "~")
	parts := make([]string, len(toks))
	for i := range toks {
		toks[i] = un.Replace(toks[i])
		parts[i] = l.label(lang, toks[:i+1], true)
	}
	return strings.Join(parts, " › ")
}

func nodeOf(lang string, l claimLabels, v any, path []string, sd bool, walk func(map[string]any, []string) []claimNode) claimNode {
	n := claimNode{Label: l.label(lang, path, sd)}
	switch x := v.(type) {
	case map[string]any:
		if s, alt, ok := langText(lang, x); ok {
			n.Value, n.Alt = s, alt
			return n
		}
		n.Children = walk(x, path)
	case []any:
		if !hasObjects(x) {
			parts := make([]string, 0, len(x))
			for _, e := range x {
				parts = append(parts, scalar(lang, e))
			}
			n.Value = strings.Join(parts, ", ")
			return n
		}
		for i, e := range x {
			p := append(slices.Clip(path), strconv.Itoa(i))
			switch e := e.(type) {
			case map[string]any:
				child := claimNode{Label: l.label(lang, p, sd)}
				if s, alt, ok := langText(lang, e); ok {
					child.Value, child.Alt = s, alt
				} else {
					child.Children = walk(e, p)
				}
				n.Children = append(n.Children, child)
			default:
				n.Children = append(n.Children, nodeOf(lang, l, e, p, sd, walk))
			}
		}
	case string:
		if img, ok := portrait(x); ok {
			n.Image = img
			return n
		}
		if d, ok := beDate(lang, path[len(path)-1], x); ok {
			n.Value = d
			return n
		}
		n.Value = scalar(lang, x)
	default:
		n.Value = scalar(lang, x)
	}
	return n
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

// langText reads text in two languages: {"th": "...", "en": "..."}, or
// names in two languages ({"th": {"given", "family"}, "en": {...}}).
func langText(lang string, m map[string]any) (s, alt string, ok bool) {
	if len(m) == 0 {
		return "", "", false
	}
	texts := map[string]string{}
	for k, v := range m {
		if k != "th" && k != "en" {
			return "", "", false
		}
		switch x := v.(type) {
		case string:
			texts[k] = x
		case map[string]any:
			name := fullName(x)
			if name == "" {
				return "", "", false
			}
			texts[k] = name
		default:
			return "", "", false
		}
	}
	s, alt = texts[lang], texts[otherLang(lang)]
	if s == "" {
		s, alt = alt, ""
	}
	if alt == s {
		alt = ""
	}
	return s, alt, true
}

// fullName joins a person's name parts (title, given, middle, family);
// "" when m is not a name.
func fullName(m map[string]any) string {
	if _, ok := m["given"].(string); !ok {
		if _, ok := m["family"].(string); !ok {
			return ""
		}
	}
	var parts []string
	for k, v := range m {
		if _, ok := v.(string); !ok || (k != "title" && k != "given" && k != "middle" && k != "family") {
			return ""
		}
	}
	for _, k := range []string{"title", "given", "middle", "family"} {
		if s, _ := m[k].(string); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

var isoDate = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)

// scalar formats a value: yes/no, numbers as they are, ISO dates in the
// page's calendar.
func scalar(lang string, v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case bool:
		if x {
			return translate(lang, "site.yes")
		}
		return translate(lang, "site.no")
	case string:
		if isoDate.MatchString(x) {
			if t, err := time.Parse(time.DateOnly, x); err == nil {
				return formatDate(lang, t)
			}
		}
		if _, ok := dict["value."+x]; ok {
			return translate(lang, "value."+x)
		}
		return x
	case json.Number:
		return groupDigits(x.String())
	case float64:
		return groupDigits(strconv.FormatFloat(x, 'f', -1, 64))
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// groupDigits writes an integer of five digits or more with thousands
// separators (500,000); other numbers stay as they are.
func groupDigits(s string) string {
	if len(s) < 5 || strings.Trim(s, "0123456789") != "" {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func formatDate(lang string, t time.Time) string {
	if lang == "th" {
		return fmt.Sprintf("%d %s %d", t.Day(), thaiMonths[t.Month()-1], t.Year()+543)
	}
	return t.Format("2 Jan 2006")
}

var beRE = regexp.MustCompile(`^(\d{4})(\d{2})(\d{2})$`)

// beDate formats a Buddhist-Era date as the catalogue writes it (a
// member named xBE, "YYYYMMDD" with 00 for an unknown month or day) in
// the page's calendar.
func beDate(lang, member, s string) (string, bool) {
	if !strings.HasSuffix(member, "BE") {
		return "", false
	}
	m := beRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	y, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	d, _ := strconv.Atoi(m[3])
	if mo > 12 || d > 31 || (mo == 0 && d != 0) {
		return "", false
	}
	month := func() string {
		if lang == "th" {
			return thaiMonths[mo-1]
		}
		return time.Month(mo).String()[:3]
	}
	year := strconv.Itoa(y)
	if lang == "en" {
		year = "BE " + year
	}
	switch {
	case mo == 0:
		return year, true
	case d == 0:
		return month() + " " + year, true
	}
	return strconv.Itoa(d) + " " + month() + " " + year, true
}

var portraitRE = regexp.MustCompile(`^data:image/(png|jpeg|webp);base64,([A-Za-z0-9+/]+={0,2})$`)

// portrait returns a data: URL of an image that is safe to show.
func portrait(s string) (template.URL, bool) {
	m := portraitRE.FindStringSubmatch(s)
	if m == nil {
		return "", false
	}
	if _, err := base64.StdEncoding.DecodeString(m[2]); err != nil {
		return "", false
	}
	return template.URL(s), true // checked: an image media type and base64 only
}

// subjectName finds the name of the person or organisation a credential
// is about.
func subjectName(lang string, root map[string]any) string {
	for _, p := range [][]string{{"name"}, {"student", "name"}, {"director", "name"}, {"grantee", "name"}, {"holder", "name"}} {
		var cur any = root
		for _, k := range p {
			m, _ := cur.(map[string]any)
			cur = m[k]
		}
		if m, ok := cur.(map[string]any); ok {
			if s, _, ok := langText(lang, m); ok {
				return s
			}
		}
	}
	return ""
}
