package credential

import (
	"slices"
	"strconv"
)

// Presentation is a validated, read-only view of a presentation document.
type Presentation struct {
	Context     []any      // strings (URLs) or inline context objects
	ID          string     // "" when absent
	Types       []string   // the type values, in document order
	Holder      string     // holder id ("" when absent)
	Credentials []Embedded // verifiableCredential entries, in order

	doc map[string]any
}

// Embedded is one entry of verifiableCredential: either an unsecured
// embedded credential, or an enveloped one (data: URL).
type Embedded struct {
	Credential *Credential // non-nil for an embedded credential object
	Enveloped  *Enveloped  // non-nil for EnvelopedVerifiableCredential
}

// ParsePresentation decodes and validates a presentation document; see
// PresentationFromMap. It verifies no proof and trusts nothing.
func ParsePresentation(data []byte) (*Presentation, error) {
	doc, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	return PresentationFromMap(doc)
}

// PresentationFromMap validates the structure of a presentation document
// and builds its view. Each embedded credential is validated with FromMap
// (its errors have Field under "/verifiableCredential/<i>"); enveloped
// credentials are checked as envelopes only: their data is not decoded.
// doc is kept (no copy): the caller must not modify it afterwards.
func PresentationFromMap(doc map[string]any) (*Presentation, error) {
	p := new(Presentation)
	if err := p.build(doc); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Presentation) build(doc map[string]any) *ValidationError {
	if doc == nil {
		return invalid("", ReasonNotObject, "the presentation is not a JSON object")
	}
	p.doc = doc

	cv, ok := doc["@context"]
	if !ok {
		return invalid("/@context", ReasonContextMissing, "@context is missing")
	}
	ctx, err := checkContext(cv, false)
	if err != nil {
		return err
	}
	p.Context = ctx.list

	if v, ok := doc["id"]; ok {
		s, isStr := v.(string)
		if !isStr || !isURL(s) {
			return invalid("/id", ReasonIDInvalid, "id must be a single absolute URL")
		}
		p.ID = s
	}

	tv, ok := doc["type"]
	if !ok {
		return invalid("/type", ReasonTypeMissing, "type is missing")
	}
	types, err := ctx.checkTypes(tv, "/type", TypePresentation, nil)
	if err != nil {
		return err
	}
	p.Types = types

	if v, ok := doc["holder"]; ok {
		id, ok := holderID(v)
		if !ok {
			return invalid("/holder", ReasonHolderInvalid, "holder must be a URL or an object with an id that is a URL")
		}
		p.Holder = id
	}

	if v, ok := doc["verifiableCredential"]; ok {
		if err := p.credentials(v); err != nil {
			return err
		}
	}

	for _, tm := range presentationTyped {
		if v, ok := doc[tm.name]; ok {
			if err := checkTyped(&ctx, v, tm); err != nil {
				return err
			}
		}
	}
	return nil
}

var presentationTyped = []typedMember{
	{"termsOfUse", "/termsOfUse", true},
	{"proof", "/proof", false},
}

func holderID(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, isURL(x)
	case map[string]any:
		s, ok := x["id"].(string)
		return s, ok && isURL(s)
	}
	return "", false
}

func (p *Presentation) credentials(v any) *ValidationError {
	var list []any
	array := true
	switch x := v.(type) {
	case map[string]any:
		list, array = []any{x}, false
	case []any:
		if len(x) == 0 {
			return invalid("/verifiableCredential", ReasonVCInvalid, "verifiableCredential, when present, must hold at least one credential")
		}
		list = x
	default:
		return invalid("/verifiableCredential", ReasonVCInvalid, "verifiableCredential must hold credential objects, not strings or other values")
	}
	p.Credentials = make([]Embedded, len(list))
	for i, e := range list {
		f := itemField("/verifiableCredential", array, i)
		m, ok := e.(map[string]any)
		if !ok {
			return invalid(f, ReasonVCInvalid, "verifiableCredential entries must be credential objects, not strings or other values")
		}
		tv, ok := m["type"]
		if !ok {
			return invalid(f+"/type", ReasonTypeMissing, "the credential has no type")
		}
		switch {
		case rawHasType(tv, TypeEnvelopedCredential):
			env, err := envelopedFromMap(m)
			if err != nil {
				return prefixed(f, err)
			}
			p.Credentials[i].Enveloped = env
		case rawHasType(tv, TypeEnvelopedPresentation):
			return invalid(f+"/type", ReasonVCInvalid, "a presentation cannot be embedded as a credential")
		default:
			c := new(Credential)
			if err := c.build(m); err != nil {
				return prefixed(f, err)
			}
			p.Credentials[i].Credential = c
		}
	}
	return nil
}

// hasType reports whether a raw type value (string or array) contains t.
func rawHasType(v any, t string) bool {
	switch x := v.(type) {
	case string:
		return x == t
	case []any:
		return slices.Contains(x, any(t))
	}
	return false
}

// envelopedFromMap checks an EnvelopedVerifiableCredential object: exactly
// @context (ContextV2 first; the string form is allowed), id (a data: URL)
// and type (EnvelopedVerifiableCredential only).
func envelopedFromMap(m map[string]any) (*Enveloped, *ValidationError) {
	for _, k := range sortedKeys(m) {
		if k != "@context" && k != "id" && k != "type" {
			return nil, invalid("/"+pointerToken(k), ReasonEnvelopedInvalid, "an enveloped credential carries only @context, id and type; other claims are unsecured")
		}
	}
	cv, ok := m["@context"]
	if !ok {
		return nil, invalid("/@context", ReasonContextMissing, "@context is missing")
	}
	ctx, err := checkContext(cv, true)
	if err != nil {
		return nil, err
	}
	if _, err := ctx.checkTypes(m["type"], "/type", TypeEnvelopedCredential, nil); err != nil {
		return nil, err
	}
	if rawHasType(m["type"], TypeCredential) || rawHasType(m["type"], TypePresentation) {
		return nil, invalid("/type", ReasonEnvelopedInvalid, "an enveloped credential is not itself a VerifiableCredential")
	}
	id, ok := m["id"].(string)
	if !ok {
		return nil, invalid("/id", ReasonEnvelopedInvalid, "an enveloped credential needs an id that is a data: URL")
	}
	e, perr := ParseDataURL(id)
	if perr != nil {
		return nil, prefixed("/id", perr.(*ValidationError))
	}
	return &e, nil
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Map returns the presentation document. Callers must not modify it.
func (p *Presentation) Map() map[string]any { return p.doc }

// MarshalJSON encodes the document (members sorted by name, no HTML
// escaping).
func (p *Presentation) MarshalJSON() ([]byte, error) { return marshal(p.doc) }

// CheckSelfAsserted applies the VCDM 2.0 rule for self-asserted credentials
// (section 4.13.4, "Presentations Including Holder Claims") to embedded
// credential i: a credential secured only by the presentation's own proof
// requires the presentation to name a holder, and the credential's issuer
// to be that holder.
//
// Structural validation cannot know how each credential is secured, so
// PresentationFromMap does not apply this rule; a verifier calls it for
// every embedded credential that has no securing mechanism of its own.
func (p *Presentation) CheckSelfAsserted(i int) error {
	f := "/verifiableCredential/" + strconv.Itoa(i)
	if i < 0 || i >= len(p.Credentials) || p.Credentials[i].Credential == nil {
		return invalid(f, ReasonVCInvalid, "no embedded credential at this index")
	}
	if p.Holder == "" {
		return invalid("/holder", ReasonHolderMissing, "a presentation with a self-asserted credential must name its holder")
	}
	if iss := p.Credentials[i].Credential.Issuer.ID; iss != p.Holder {
		return invalid(f+"/issuer", ReasonIssuerNotHolder, "the issuer of a self-asserted credential must be the presentation's holder")
	}
	return nil
}
