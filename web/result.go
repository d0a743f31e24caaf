package web

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/verifier"
)

// resultData is a verification result as the result page shows it, in
// the view's language.
type resultData struct {
	Verified bool
	// Headline is the sentence under the verdict: the first failure's
	// explanation, or what was verified.
	Headline string
	Format   string // a dictionary key: verify.format.<format>
	// TypeTitle is the credential type's title; Type its name.
	Type, TypeTitle string
	Checks          []checkView
	// Inner are the checks of the credential a PDF carries.
	Inner    []checkView
	Warnings []string
	Issuer   *issuerView
	// Subject names whom the credential is about, when it says.
	Subject          string
	ID               string
	ValidFrom        time.Time
	ValidUntil       time.Time
	Claims           []claimNode
	Disclosed        int // SD-JWT VC: how many claims the holder disclosed
	KeyBound         bool
	SDJWT            bool
	Technical        string          // the result as JSON, for the technical details
	Delegation       *delegationView // a power of attorney's chain (delegation.go; the "delegation" partial)
	VerifyAnotherURL string
}

// checkView is one check in plain language.
type checkView struct {
	Name    string // the check's label
	Status  string // passed, failed, skipped
	Explain string
	Detail  string
}

// issuerView is the issuer as the registry names it.
type issuerView struct {
	DID    string
	Name   string
	Alt    string // the name in the other language
	Entity string // registry entity id; "" when unknown
	Status string // a dictionary key: registry.status.<status>
	Known  bool   // the registry knows the issuer
	// Accreditations are those that cover the credential's type (or
	// all the issuer's when none does).
	Accreditations []accView
	Basis          string // what decided the issuer_trust check
}

// accView is an accreditation in a sentence's parts.
type accView struct {
	ID         string
	Role       string // dictionary key registry.role.<role>
	Types      []string
	Accreditor string
	AccID      string // accreditor's entity id
	ValidFrom  time.Time
	ValidUntil time.Time
	Status     string // dictionary key
	StatusOK   bool
	Covers     bool // covers the credential's type
}

// resultView builds the page's view of r.
func (h *Handler) resultView(ctx context.Context, v *View, r *verifier.Result) *resultData {
	d := &resultData{Verified: r.Verified, Format: "verify.format." + formatKey(r.Format), Type: r.Type}
	if t, ok := schemas.Lookup(r.Type); ok {
		d.TypeTitle = v.L(t.Title)
	} else {
		d.TypeTitle = r.Type
	}
	d.Checks = h.checkViews(v, r.Checks)
	inner := r
	if r.Format == verifier.FormatPDF && len(r.Credentials) == 1 {
		inner = r.Credentials[0]
		d.Inner = h.checkViews(v, inner.Checks)
	}
	seen := map[string]bool{}
	for _, w := range r.Warnings {
		s := pick(v.Lang, w.Message, w.MessageTH)
		if !seen[s] {
			seen[s] = true
			d.Warnings = append(d.Warnings, s)
		}
	}
	switch {
	case r.Verified && d.TypeTitle != "":
		d.Headline = v.T("verify.headline.ok", d.TypeTitle)
	case r.Verified:
		d.Headline = v.T("verify.headline.okgeneric")
	default:
		d.Headline = firstFailure(v, r)
	}
	if r.Issuer != "" {
		d.Issuer = h.issuerView(v, r, inner)
	}
	if c := inner.Credential; c != nil {
		d.ID, d.ValidFrom, d.ValidUntil = c.ID, c.ValidFrom, c.ValidUntil
		if len(c.Subjects) > 0 {
			d.Claims = claimTree(v.Lang, r.Type, c.Subjects[0], false)
			d.Subject = subjectName(v.Lang, c.Subjects[0])
		}
	}
	if sd := inner.SDJWT; sd != nil {
		d.SDJWT, d.Disclosed, d.KeyBound = true, len(sd.Disclosed), sd.KeyBound
		if sd.Claims != nil {
			d.Claims = claimTree(v.Lang, r.Type, sd.Claims, true)
			d.Subject = subjectName(v.Lang, sd.Claims)
		}
		if d.ValidFrom.IsZero() {
			d.ValidFrom = numericTime(sd.Claims["nbf"], sd.Claims["iat"])
		}
		if d.ValidUntil.IsZero() {
			d.ValidUntil = numericTime(sd.Claims["exp"])
		}
	}
	if js, err := json.MarshalIndent(r, "", "  "); err == nil {
		d.Technical = string(js)
	}
	if c := inner.Credential; c != nil && len(c.Subjects) == 1 {
		d.Delegation = delegationOf(v.Lang, r.Type, c.Subjects[0])
	}
	return d
}

func formatKey(f string) string {
	switch f {
	case "vc+jwt", "dc+sd-jwt", "pdf":
		return f
	}
	return "other"
}

func pick(lang, en, th string) string {
	if lang == "th" && th != "" {
		return th
	}
	return en
}

// firstFailure explains the first failed check (of a PDF's credential
// when the PDF failed because of it).
func firstFailure(v *View, r *verifier.Result) string {
	for _, c := range r.Checks {
		if c.Status != verifier.Failed {
			continue
		}
		if c.Check == "credential" && len(r.Credentials) == 1 {
			if s := firstFailure(v, r.Credentials[0]); s != "" {
				return s
			}
		}
		if s := pick(v.Lang, c.Message, c.MessageTH); s != "" {
			return s
		}
		return v.T("verify.headline.bad")
	}
	for _, e := range r.Errors {
		return pick(v.Lang, e.Message, e.MessageTH)
	}
	return v.T("verify.headline.bad")
}

// checkViews explains each check: failed and skipped ones with the
// verifier's sentence for their reason, passed ones with the
// dictionary's sentence for what passing means.
func (h *Handler) checkViews(v *View, cs []verifier.Check) []checkView {
	out := make([]checkView, 0, len(cs))
	for _, c := range cs {
		cv := checkView{Name: checkLabel(v, c.Check), Status: c.Status, Detail: c.Detail}
		switch {
		case c.Status == verifier.Passed:
			cv.Explain = translateOr(v.Lang, "check."+c.Check+".ok", "")
		case strings.HasPrefix(c.Reason, "not_checked_"):
			cv.Explain = v.T("verify.notchecked", checkLabel(v, strings.TrimPrefix(c.Reason, "not_checked_")))
		default:
			cv.Explain = pick(v.Lang, c.Message, c.MessageTH)
		}
		out = append(out, cv)
	}
	return out
}

func checkLabel(v *View, check string) string {
	return translateOr(v.Lang, "check."+check, check)
}

// translateOr is translate with a fallback for keys the dictionary
// lacks (checks a newer verifier adds).
func translateOr(lang, key, fallback string) string {
	if _, ok := dict[key]; !ok {
		return fallback
	}
	return translate(lang, key)
}

// issuerView names the issuer of r as the registry knows it, with the
// accreditations that cover the credential's type.
func (h *Handler) issuerView(v *View, r, inner *verifier.Result) *issuerView {
	basis := ""
	for _, c := range inner.Checks {
		if c.Check == verifier.CheckIssuerTrust {
			basis = c.Detail
		}
	}
	var self any
	if c := inner.Credential; c != nil {
		self = c.Issuer.Name
	}
	return h.issuerOf(v, r.Issuer, r.Type, basis, self)
}

// issuerOf names issuer id (a DID) as the registry knows it, with the
// accreditations that cover type typ; selfName is the name the
// credential gives its issuer (shown, marked as such, when the registry
// does not know it).
func (h *Handler) issuerOf(v *View, id, typ, basis string, selfName any) *issuerView {
	iv := &issuerView{DID: id, Basis: basis}
	if h.Registry != nil {
		if e, ok := h.Registry.Entity(id); ok {
			iv.Known, iv.Entity = true, e.ID
			iv.Name, iv.Alt = textIn(v.Lang, e.Name)
			iv.Status = "registry.status." + string(e.Status)
			iv.Accreditations = h.accViews(v, h.Registry.Accreditations(e.ID), typ)
			return iv
		}
	}
	iv.Name = nameOf(v.Lang, selfName)
	return iv
}

// accViews describes accreditations, those covering typ first (only
// those, when any does).
func (h *Handler) accViews(v *View, accs []registry.Accreditation, typ string) []accView {
	var out []accView
	covering := slices.ContainsFunc(accs, func(a registry.Accreditation) bool { return typ != "" && a.Scope.Covers(typ) })
	for _, a := range accs {
		if covering && !a.Scope.Covers(typ) {
			continue
		}
		av := accView{
			ID: a.ID, Role: "registry.role." + string(a.Role), AccID: a.Accreditor,
			ValidFrom: a.ValidFrom, ValidUntil: a.ValidUntil,
			Status: "registry.status." + string(a.Status), StatusOK: a.Status == registry.StatusActive,
			Covers: typ != "" && a.Scope.Covers(typ),
		}
		for _, t := range a.Scope.CredentialTypes {
			av.Types = append(av.Types, credTypeTitle(v, t))
		}
		av.Accreditor = a.Accreditor
		if e, ok := h.Registry.Entity(a.Accreditor); ok {
			av.Accreditor, _ = textIn(v.Lang, e.Name)
		}
		out = append(out, av)
	}
	return out
}

func credTypeTitle(v *View, t string) string {
	if st, ok := schemas.Lookup(t); ok {
		return v.L(st.Title)
	}
	return t
}

// textIn returns a Text in lang and in the other language.
func textIn(lang string, t registry.Text) (s, alt string) {
	if lang == "en" {
		s, alt = t.EN, t.TH
	} else {
		s, alt = t.TH, t.EN
	}
	if s == "" {
		s, alt = alt, ""
	}
	if alt == s {
		alt = ""
	}
	return s, alt
}

// nameOf reads a VCDM name: a string, a language value object
// ({"@value", "@language"}), or an array of them.
func nameOf(lang string, n any) string {
	switch x := n.(type) {
	case string:
		return x
	case map[string]any:
		s, _ := x["@value"].(string)
		return s
	case []any:
		first := ""
		for _, e := range x {
			m, _ := e.(map[string]any)
			s, _ := m["@value"].(string)
			if l, _ := m["@language"].(string); strings.HasPrefix(l, lang) && s != "" {
				return s
			}
			if first == "" {
				first = nameOf(lang, e)
			}
		}
		return first
	}
	return ""
}

func numericTime(vs ...any) time.Time {
	for _, v := range vs {
		switch x := v.(type) {
		case float64:
			return time.Unix(int64(x), 0).UTC()
		case json.Number:
			if n, err := x.Int64(); err == nil {
				return time.Unix(n, 0).UTC()
			}
		case int64:
			return time.Unix(x, 0).UTC()
		}
	}
	return time.Time{}
}
