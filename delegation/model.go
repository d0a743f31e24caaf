package delegation

import (
	"encoding/json"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Credential types this package reads and writes.
const (
	TypeJuristicPerson    = "JuristicPersonCredential"
	TypeDirectorAuthority = "DirectorAuthorityCredential"
	TypeDelegation        = "DelegationCredential"
)

// Party types of a delegation (common.json#/$defs/party).
const (
	JuristicPerson = "JuristicPerson"
	NaturalPerson  = "NaturalPerson"
)

// Signing modes of a signing rule.
const (
	ModeAlone   = "alone"
	ModeJointly = "jointly"
)

// Roles of an approval (a signature over a draft).
const (
	// RoleDirector: a director executing for a juristic grantor, under a
	// DirectorAuthorityCredential that binds their key.
	RoleDirector = "director"
	// RoleSeal: the company's electronic seal, the key the
	// JuristicPersonCredential binds as its subject id. Required when the
	// signing rule says sealRequired.
	RoleSeal = "seal"
	// RoleGrantor: a natural-person grantor (the grantee of the parent
	// link, for a sub-delegation), with the key their credential binds.
	RoleGrantor = "grantor"
)

// Text is a text in Thai and English.
type Text struct {
	TH string `json:"th"`
	EN string `json:"en"`
}

// Money is an amount in a currency. Amount is a JSON number as written
// ("500000", "1250.50"); compare amounts with Cmp, never as strings or
// floats.
type Money struct {
	Amount   json.Number `json:"amount"`
	Currency string      `json:"currency"`
}

// rat returns the amount as an exact rational.
func (m Money) rat() (*big.Rat, error) {
	r, ok := new(big.Rat).SetString(string(m.Amount))
	if !ok || r.Sign() <= 0 {
		return nil, fmt.Errorf("delegation: amount %q is not a positive number", m.Amount)
	}
	return r, nil
}

// Cmp compares m with o: -1, 0 or +1. Different currencies, or an amount
// that is not a positive number, are an error.
func (m Money) Cmp(o Money) (int, error) {
	if m.Currency != o.Currency {
		return 0, fmt.Errorf("delegation: currencies differ: %s and %s", m.Currency, o.Currency)
	}
	a, err := m.rat()
	if err != nil {
		return 0, err
	}
	b, err := o.rat()
	if err != nil {
		return 0, err
	}
	return a.Cmp(b), nil
}

// String returns "500000 THB".
func (m Money) String() string { return string(m.Amount) + " " + m.Currency }

// Passport is a passport as the schemas record it.
type Passport struct {
	Number       string `json:"number"`
	IssuingState string `json:"issuingState"`
	IssueDate    string `json:"issueDate,omitempty"`
	ExpiryDate   string `json:"expiryDate,omitempty"`
}

// key identifies the passport: "passport:<state>:<number>" ("" for none).
func (p *Passport) key() string {
	if p == nil || p.Number == "" {
		return ""
	}
	return "passport:" + p.IssuingState + ":" + p.Number
}

func passportOf(v any) *Passport {
	m := mapOf(v)
	if m == nil {
		return nil
	}
	p := &Passport{}
	p.Number, _ = m["number"].(string)
	p.IssuingState, _ = m["issuingState"].(string)
	p.IssueDate, _ = m["issueDate"].(string)
	p.ExpiryDate, _ = m["expiryDate"].(string)
	return p
}

// Party is a grantor or grantee: a juristic person (JuristicID) or a
// natural person (PID or Passport). ID is the DID whose key the party
// signs and presents with (their holder key): the binding that lets a
// verifier check that the presenter is the grantee.
type Party struct {
	Type       string         `json:"type"`
	ID         string         `json:"id,omitempty"`
	JuristicID string         `json:"juristicId,omitempty"`
	PID        string         `json:"pid,omitempty"`
	Passport   *Passport      `json:"passport,omitempty"`
	Name       map[string]any `json:"name"`
}

// key returns the registry identifier of the party: "juristic:<id>",
// "pid:<pid>" or "passport:<number>" ("" when none).
func (p Party) key() string {
	switch {
	case p.Type == JuristicPerson && p.JuristicID != "":
		return "juristic:" + p.JuristicID
	case p.PID != "":
		return "pid:" + p.PID
	case p.Passport.key() != "":
		return p.Passport.key()
	}
	return ""
}

// DisplayName returns the party's name in lang ("th" or "en"), falling
// back to the other language.
func (p Party) DisplayName(lang string) string { return nameOf(p.Name, lang) }

// nameOf renders a names object ({"th": {...}, "en": {...}}) or a text
// object ({"th": "...", "en": "..."}) in lang.
func nameOf(n map[string]any, lang string) string {
	other := "en"
	if lang == "en" {
		other = "th"
	}
	for _, l := range []string{lang, other} {
		switch v := n[l].(type) {
		case string:
			return v
		case map[string]any:
			var parts []string
			for _, k := range []string{"title", "given", "middle", "family"} {
				if s, ok := v[k].(string); ok && s != "" {
					parts = append(parts, s)
				}
			}
			if lang == "th" && len(parts) > 1 && strings.HasPrefix(parts[0], "น") {
				// Thai titles are written joined to the given name.
				parts[1] = parts[0] + parts[1]
				parts = parts[1:]
			}
			if len(parts) > 0 {
				return strings.Join(parts, " ")
			}
		}
	}
	return ""
}

// Scope is what a delegation allows: actions (dotted codes such as
// rd.vat.file), at which relying parties (DIDs or URLs), up to which
// amount per action (nil: no limit of its own).
type Scope struct {
	Actions        []string `json:"actions"`
	RelyingParties []string `json:"relyingParties"`
	AmountLimit    *Money   `json:"amountLimit,omitempty"`
}

// SubDelegation says whether the grantee may delegate further, and how
// many levels below this link (1 to 5).
type SubDelegation struct {
	Allowed  bool `json:"allowed"`
	MaxDepth int  `json:"maxDepth,omitempty"`
}

// DirectorRef names a director: by PID or passport (a verifier can match
// only those), and by name.
type DirectorRef struct {
	PID      string         `json:"pid,omitempty"`
	Passport *Passport      `json:"passport,omitempty"`
	Name     map[string]any `json:"name,omitempty"`
}

func (d DirectorRef) key() string {
	switch {
	case d.PID != "":
		return "pid:" + d.PID
	case d.Passport.key() != "":
		return d.Passport.key()
	}
	return ""
}

// SigningRule is who may sign for a juristic person, as DBD records it:
// alone (one director) or jointly (MinSigners of the Eligible
// directors), with or without the company seal, within limits.
type SigningRule struct {
	Mode            string        `json:"mode"`
	MinSigners      int           `json:"minSigners"`
	Eligible        []DirectorRef `json:"eligibleDirectors,omitempty"`
	SealRequired    bool          `json:"sealRequired"`
	MaxAmount       *Money        `json:"maxAmount,omitempty"`       // limits.maxAmount
	ExcludedActions []string      `json:"excludedActions,omitempty"` // limits.excludedActions
}

// eligible reports whether the director with key k (DirectorRef.key) is
// one of the rule's eligible directors. A rule with no eligible list
// names nobody: no director is eligible under it (fail closed).
func (r SigningRule) eligible(k string) bool {
	if k == "" {
		return false
	}
	for _, e := range r.Eligible {
		if e.key() == k {
			return true
		}
	}
	return false
}

// Executor is a director who executed a delegation for a juristic
// grantor, with the id of the DirectorAuthorityCredential they signed
// under.
type Executor struct {
	PID                 string         `json:"pid,omitempty"`
	Passport            *Passport      `json:"passport,omitempty"`
	Name                map[string]any `json:"name"`
	AuthorityCredential string         `json:"authorityCredential,omitempty"`
}

func (e Executor) key() string { return DirectorRef{PID: e.PID, Passport: e.Passport}.key() }

// Company is what a JuristicPersonCredential says that matters here.
type Company struct {
	JuristicID string `json:"juristicId"`
	Name       Text   `json:"name"`
	Status     string `json:"status"` // "active", "restored", ...
	// SealID is the DID of the company's electronic seal (the
	// credential's subject id); "" when DBD bound none.
	SealID      string      `json:"sealId,omitempty"`
	Rule        SigningRule `json:"signingRule"`
	AuthorityTH string      `json:"signingAuthorityTextTh,omitempty"` // signingAuthorityText, verbatim
	AuthorityEN string      `json:"signingAuthorityTextEn,omitempty"`
}

// Director is what a DirectorAuthorityCredential says.
type Director struct {
	JuristicID string
	Ref        DirectorRef // the director (pid or passport, name)
	KeyID      string      // the subject id: the DID of the director's holder key
	Rule       SigningRule
}

// Delegation is what a DelegationCredential's subject says.
type Delegation struct {
	Grantor       Party         `json:"grantor"`
	ExecutedBy    []Executor    `json:"executedBy,omitempty"`
	Grantee       Party         `json:"grantee"`
	Scope         Scope         `json:"scope"`
	Purpose       Text          `json:"purpose"`
	MaxUses       int           `json:"maxUses,omitempty"`
	SubDelegation SubDelegation `json:"subDelegation"`
	Parent        *ParentRef    `json:"parent,omitempty"`
}

// ParentRef points a sub-delegation at the link it derives from: its
// credential id and the SHA-256 of its secured form (digestSRI).
type ParentRef struct {
	ID        string `json:"id"`
	DigestSRI string `json:"digestSRI,omitempty"`
}

// subject returns the credentialSubject of a DelegationCredential for d
// with the grantee's DID as its id, as JSON-shaped values.
func (d Delegation) subject() (map[string]any, error) {
	b, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	m, err := decodeObject(b)
	if err != nil {
		return nil, err
	}
	if d.Grantee.ID != "" {
		m["id"] = d.Grantee.ID
	}
	return m, nil
}

// decodeObject decodes JSON into generic values with json.Number numbers,
// the shape credential and schemas expect.
func decodeObject(b []byte) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// Readers of the generic JSON values a credential parser produces. They
// read only what the schema allows (the credential has been validated
// against its schema before they run) and ignore anything else.

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

func strsOf(v any) []string {
	a, _ := v.([]any)
	out := make([]string, 0, len(a))
	for _, e := range a {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func intOf(v any) int {
	switch n := v.(type) {
	case json.Number:
		i, _ := n.Int64()
		return int(i)
	case float64:
		return int(n)
	}
	return 0
}

func moneyOf(v any) *Money {
	m := mapOf(v)
	if m == nil {
		return nil
	}
	out := &Money{}
	switch a := m["amount"].(type) {
	case json.Number:
		out.Amount = a
	case float64:
		out.Amount = json.Number(strconv.FormatFloat(a, 'f', -1, 64))
	}
	out.Currency, _ = m["currency"].(string)
	return out
}

func directorRefOf(v any) DirectorRef {
	m := mapOf(v)
	var d DirectorRef
	d.PID, _ = m["pid"].(string)
	d.Passport = passportOf(m["passport"])
	d.Name = mapOf(m["name"])
	return d
}

func partyOf(v any) Party {
	m := mapOf(v)
	var p Party
	p.Type, _ = m["type"].(string)
	p.ID, _ = m["id"].(string)
	p.JuristicID, _ = m["juristicId"].(string)
	p.PID, _ = m["pid"].(string)
	p.Passport = passportOf(m["passport"])
	p.Name = mapOf(m["name"])
	return p
}

// parseRule reads a signingRule object.
func parseRule(v any) (SigningRule, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return SigningRule{}, fmt.Errorf("delegation: signingRule is not an object")
	}
	var r SigningRule
	r.Mode, _ = m["mode"].(string)
	r.MinSigners = intOf(m["minSigners"])
	r.SealRequired, _ = m["sealRequired"].(bool)
	if el, ok := m["eligibleDirectors"].([]any); ok {
		r.Eligible = make([]DirectorRef, 0, len(el))
		for _, e := range el {
			r.Eligible = append(r.Eligible, directorRefOf(e))
		}
	}
	if lim := mapOf(m["limits"]); lim != nil {
		r.MaxAmount = moneyOf(lim["maxAmount"])
		if _, ok := lim["excludedActions"]; ok {
			r.ExcludedActions = strsOf(lim["excludedActions"])
		}
	}
	switch {
	case r.Mode == ModeAlone && r.MinSigners == 1:
	case r.Mode == ModeJointly && r.MinSigners >= 2:
	default:
		return SigningRule{}, fmt.Errorf("delegation: signingRule: mode %q with minSigners %d", r.Mode, r.MinSigners)
	}
	return r, nil
}

// CompanyOf reads a JuristicPersonCredential's subject.
func CompanyOf(subject map[string]any) (Company, error) {
	var c Company
	c.JuristicID, _ = subject["juristicId"].(string)
	c.Status, _ = subject["status"].(string)
	c.SealID, _ = subject["id"].(string)
	if n, ok := subject["name"].(map[string]any); ok {
		c.Name.TH, _ = n["th"].(string)
		c.Name.EN, _ = n["en"].(string)
	}
	if t, ok := subject["signingAuthorityText"].(map[string]any); ok {
		c.AuthorityTH, _ = t["th"].(string)
		c.AuthorityEN, _ = t["en"].(string)
	}
	if c.JuristicID == "" {
		return Company{}, fmt.Errorf("delegation: company credential has no juristicId")
	}
	var err error
	if c.Rule, err = parseRule(subject["signingRule"]); err != nil {
		return Company{}, err
	}
	return c, nil
}

// DirectorOf reads a DirectorAuthorityCredential's subject.
func DirectorOf(subject map[string]any) (Director, error) {
	var d Director
	d.JuristicID, _ = subject["juristicId"].(string)
	d.KeyID, _ = subject["id"].(string)
	d.Ref = directorRefOf(subject["director"])
	if d.JuristicID == "" || d.Ref.key() == "" {
		return Director{}, fmt.Errorf("delegation: director authority names no company or no director id")
	}
	var err error
	if d.Rule, err = parseRule(subject["signingRule"]); err != nil {
		return Director{}, err
	}
	return d, nil
}

// DelegationOf reads a DelegationCredential's subject. The grantee's ID
// is the subject id (the key binding), whatever grantee.id says.
func DelegationOf(subject map[string]any) (Delegation, error) {
	var d Delegation
	d.Grantor, d.Grantee = partyOf(subject["grantor"]), partyOf(subject["grantee"])
	if ex, ok := subject["executedBy"].([]any); ok {
		d.ExecutedBy = make([]Executor, 0, len(ex))
		for _, e := range ex {
			m := mapOf(e)
			x := Executor{Name: mapOf(m["name"])}
			x.PID, _ = m["pid"].(string)
			x.Passport = passportOf(m["passport"])
			x.AuthorityCredential, _ = m["authorityCredential"].(string)
			d.ExecutedBy = append(d.ExecutedBy, x)
		}
	}
	sc := mapOf(subject["scope"])
	d.Scope = Scope{Actions: strsOf(sc["actions"]), RelyingParties: strsOf(sc["relyingParties"]), AmountLimit: moneyOf(sc["amountLimit"])}
	if p := mapOf(subject["purpose"]); p != nil {
		d.Purpose.TH, _ = p["th"].(string)
		d.Purpose.EN, _ = p["en"].(string)
	}
	d.MaxUses = intOf(subject["maxUses"])
	sd := mapOf(subject["subDelegation"])
	d.SubDelegation.Allowed, _ = sd["allowed"].(bool)
	d.SubDelegation.MaxDepth = intOf(sd["maxDepth"])
	if p := mapOf(subject["parent"]); p != nil {
		d.Parent = &ParentRef{}
		d.Parent.ID, _ = p["id"].(string)
		d.Parent.DigestSRI, _ = p["digestSRI"].(string)
	}
	if d.Grantor.Type == "" || d.Grantee.Type == "" || len(d.Scope.Actions) == 0 {
		return Delegation{}, fmt.Errorf("delegation: credentialSubject lacks grantor, grantee or scope")
	}
	id, _ := subject["id"].(string)
	if d.Grantee.ID != "" && d.Grantee.ID != id {
		return Delegation{}, fmt.Errorf("delegation: grantee.id and the subject id differ")
	}
	d.Grantee.ID = id
	return d, nil
}

// narrows reports the first way child's scope is wider than parent's:
// "" when child ⊆ parent.
func narrows(parent, child Scope) (reason string, detail string) {
	for _, a := range child.Actions {
		if !slices.Contains(parent.Actions, a) {
			return ReasonScopeActionsWidened, a
		}
	}
	for _, rp := range child.RelyingParties {
		if !slices.Contains(parent.RelyingParties, rp) {
			return ReasonScopeRelyingPartiesWidened, rp
		}
	}
	if parent.AmountLimit != nil {
		if child.AmountLimit == nil {
			return ReasonScopeAmountWidened, "no limit below " + parent.AmountLimit.String()
		}
		c, err := child.AmountLimit.Cmp(*parent.AmountLimit)
		if err != nil || c > 0 {
			return ReasonScopeAmountWidened, child.AmountLimit.String() + " > " + parent.AmountLimit.String()
		}
	}
	return "", ""
}

// within reports whether [from, until] lies inside [pFrom, pUntil]; a
// zero pUntil is unbounded.
func within(from, until, pFrom, pUntil time.Time) bool {
	if from.Before(pFrom) {
		return false
	}
	if !pUntil.IsZero() && (until.IsZero() || until.After(pUntil)) {
		return false
	}
	return true
}
