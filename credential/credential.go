package credential

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// Type names defined by the VCDM 2.0 base context.
const (
	TypeCredential               = "VerifiableCredential"
	TypePresentation             = "VerifiablePresentation"
	TypeEnvelopedCredential      = "EnvelopedVerifiableCredential"
	TypeEnvelopedPresentation    = "EnvelopedVerifiablePresentation"
	typeBitstringStatusListEntry = "BitstringStatusListEntry"
)

// Credential is a validated, read-only view of a credential document.
//
// The slices and maps share memory with the document; treat them all as
// read-only.
type Credential struct {
	Context    []any            // strings (URLs) or inline context objects
	ID         string           // "" when absent
	Types      []string         // the type values, in document order
	Issuer     Issuer           // the issuer
	ValidFrom  time.Time        // zero when absent; UTC
	ValidUntil time.Time        // zero when absent; UTC
	Subjects   []map[string]any // credentialSubject (one or more objects)
	Status     []Status         // credentialStatus entries
	Schemas    []SchemaRef      // credentialSchema entries

	doc map[string]any // the whole JSON object

	// Inline storage so that the usual credential (a few types, one
	// subject, a revocation and a suspension status entry, one schema)
	// needs no further allocations.
	typesBuf  [4]string
	subjBuf   [1]map[string]any
	statusBuf [2]Status
	schemaBuf [1]SchemaRef
}

// Issuer is the credential's issuer: a URL, or an object with a URL id.
type Issuer struct {
	ID          string // the issuer's URL (usually a DID)
	Name        any    // nil, a string, a language value object, or an array of them, as given
	Description any    // like Name
}

// Status is one credentialStatus entry.
type Status struct {
	ID             string         // "" when absent
	Type           string         // BitstringStatusListEntry when listed, else the first type
	Purpose        string         // statusPurpose
	Index          string         // statusListIndex (string of digits in BitstringStatusListEntry)
	ListCredential string         // statusListCredential URL
	Raw            map[string]any // the entry as given; read-only
}

// SchemaRef is one credentialSchema entry.
type SchemaRef struct {
	ID   string // the schema's URL
	Type string // the first type, e.g. "JsonSchema"
}

// Parse decodes and validates a credential document. The JSON must be
// I-JSON (no duplicate keys, valid UTF-8); see FromMap for the checks.
// Parse verifies no proof and trusts nothing.
func Parse(data []byte) (*Credential, error) {
	doc, err := parseJSON(data)
	if err != nil {
		return nil, err
	}
	return FromMap(doc)
}

// parseJSON decodes a document that must be a JSON object.
func parseJSON(data []byte) (map[string]any, error) {
	doc, err := jsonx.ParseObject(data)
	if err == nil {
		return doc, nil
	}
	reason := ReasonMalformed
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) > 0 && t[0] != '{' {
		if _, perr := jsonx.Parse(data); perr == nil {
			reason = ReasonNotObject
		}
	}
	return nil, &ValidationError{Reason: reason, Msg: err.Error(), err: err}
}

// FromMap validates the structure of a credential document and builds its
// view. It keeps doc (no copy): the caller must not modify doc afterwards.
//
// doc must hold the generic JSON values jsonx and encoding/json produce
// (map[string]any, []any, string, json.Number or float64, bool, nil); other
// Go types (for example []string) are rejected as malformed members.
func FromMap(doc map[string]any) (*Credential, error) {
	c := new(Credential)
	if err := c.build(doc); err != nil {
		return nil, err
	}
	return c, nil
}

// credMembers holds the members of a credential that validation looks at,
// collected in one pass over the document.
type credMembers struct {
	context, id, typ, issuer, subject, validFrom, validUntil, name, description, status, schema any
	typed                                                                                       [4]any // evidence, refreshService, termsOfUse, proof
	has                                                                                         uint16
}

const (
	hasContext = 1 << iota
	hasID
	hasType
	hasIssuer
	hasSubject
	hasValidFrom
	hasValidUntil
	hasName
	hasDescription
	hasStatus
	hasSchema
	hasTyped0 // + index into typed
)

func (m *credMembers) collect(doc map[string]any) {
	for k, v := range doc {
		switch k {
		case "@context":
			m.context, m.has = v, m.has|hasContext
		case "id":
			m.id, m.has = v, m.has|hasID
		case "type":
			m.typ, m.has = v, m.has|hasType
		case "issuer":
			m.issuer, m.has = v, m.has|hasIssuer
		case "credentialSubject":
			m.subject, m.has = v, m.has|hasSubject
		case "validFrom":
			m.validFrom, m.has = v, m.has|hasValidFrom
		case "validUntil":
			m.validUntil, m.has = v, m.has|hasValidUntil
		case "name":
			m.name, m.has = v, m.has|hasName
		case "description":
			m.description, m.has = v, m.has|hasDescription
		case "credentialStatus":
			m.status, m.has = v, m.has|hasStatus
		case "credentialSchema":
			m.schema, m.has = v, m.has|hasSchema
		case "evidence":
			m.typed[0], m.has = v, m.has|hasTyped0
		case "refreshService":
			m.typed[1], m.has = v, m.has|hasTyped0<<1
		case "termsOfUse":
			m.typed[2], m.has = v, m.has|hasTyped0<<2
		case "proof":
			m.typed[3], m.has = v, m.has|hasTyped0<<3
		}
	}
}

// credentialTyped are the optional credential members whose objects must be
// typed, in the order they are checked (the order of credMembers.typed).
var credentialTyped = []typedMember{
	{"evidence", "/evidence", true},
	{"refreshService", "/refreshService", true},
	{"termsOfUse", "/termsOfUse", true},
	{"proof", "/proof", false},
}

func (c *Credential) build(doc map[string]any) *ValidationError {
	if doc == nil {
		return invalid("", ReasonNotObject, "the credential is not a JSON object")
	}
	c.doc = doc
	var m credMembers
	m.collect(doc)

	// @context
	if m.has&hasContext == 0 {
		return invalid("/@context", ReasonContextMissing, "@context is missing")
	}
	ctx, err := checkContext(m.context, false)
	if err != nil {
		return err
	}
	c.Context = ctx.list

	// id
	if m.has&hasID != 0 {
		s, isStr := m.id.(string)
		if !isStr || !isURL(s) {
			return invalid("/id", ReasonIDInvalid, "id must be a single absolute URL")
		}
		c.ID = s
	}

	// type
	if m.has&hasType == 0 {
		return invalid("/type", ReasonTypeMissing, "type is missing")
	}
	types, err := ctx.checkTypes(m.typ, "/type", TypeCredential, c.typesBuf[:0])
	if err != nil {
		return err
	}
	c.Types = types

	// issuer
	if m.has&hasIssuer == 0 {
		return invalid("/issuer", ReasonIssuerMissing, "issuer is missing")
	}
	if err := c.issuer(m.issuer); err != nil {
		return err
	}

	// credentialSubject
	if m.has&hasSubject == 0 {
		return invalid("/credentialSubject", ReasonSubjectMissing, "credentialSubject is missing")
	}
	subjects, array, bad := objects(m.subject, c.subjBuf[:0])
	switch {
	case bad == -1 && array:
		return invalid("/credentialSubject", ReasonSubjectMissing, "credentialSubject is an empty array")
	case bad == -1:
		return invalid("/credentialSubject", ReasonSubjectInvalid, "credentialSubject must be an object or an array of objects")
	case bad >= 0:
		return invalid(itemField("/credentialSubject", true, bad), ReasonSubjectInvalid, "credentialSubject entries must be objects")
	}
	for i, s := range subjects {
		l := loc{"/credentialSubject", array, i}
		if len(s) == 0 {
			return invalid(l.at(""), ReasonSubjectEmpty, "a credentialSubject must make at least one claim")
		}
		if id, ok := s["id"]; ok {
			if str, isStr := id.(string); !isStr || !isURL(str) {
				return invalid(l.at("/id"), ReasonSubjectInvalid, "credentialSubject id must be a single absolute URL")
			}
		}
	}
	c.Subjects = subjects

	// validity period
	if m.has&hasValidFrom != 0 {
		s, _ := m.validFrom.(string)
		t, ok := parseDateTimeStamp(s)
		if !ok {
			return invalid("/validFrom", ReasonValidFromInvalid, "validFrom must be an XML Schema dateTimeStamp such as 2025-03-15T09:00:00+07:00")
		}
		c.ValidFrom = t
	}
	if m.has&hasValidUntil != 0 {
		s, _ := m.validUntil.(string)
		t, ok := parseDateTimeStamp(s)
		if !ok {
			return invalid("/validUntil", ReasonValidUntilInvalid, "validUntil must be an XML Schema dateTimeStamp such as 2026-03-15T09:00:00+07:00")
		}
		c.ValidUntil = t
	}
	if m.has&hasValidFrom != 0 && m.has&hasValidUntil != 0 && c.ValidFrom.After(c.ValidUntil) {
		return invalid("/validUntil", ReasonValidityOrder, "validUntil is earlier than validFrom")
	}

	// name, description
	if m.has&hasName != 0 && !checkLangValue(m.name) {
		return invalid("/name", ReasonNameInvalid, "name must be a string or language value objects")
	}
	if m.has&hasDescription != 0 && !checkLangValue(m.description) {
		return invalid("/description", ReasonDescriptionInvalid, "description must be a string or language value objects")
	}

	if m.has&hasStatus != 0 {
		if err := c.status(&ctx, m.status); err != nil {
			return err
		}
	}
	if m.has&hasSchema != 0 {
		if err := c.schemas(&ctx, m.schema); err != nil {
			return err
		}
	}
	for i, tm := range credentialTyped {
		if m.has&(hasTyped0<<i) != 0 {
			if err := checkTyped(&ctx, m.typed[i], tm); err != nil {
				return err
			}
		}
	}
	return nil
}

func (c *Credential) issuer(v any) *ValidationError {
	switch x := v.(type) {
	case string:
		if !isURL(x) {
			return invalid("/issuer", ReasonIssuerInvalid, "issuer must be an absolute URL")
		}
		c.Issuer.ID = x
		return nil
	case map[string]any:
		id, ok := x["id"]
		if !ok {
			return invalid("/issuer/id", ReasonIssuerInvalid, "an issuer object must have an id")
		}
		s, isStr := id.(string)
		if !isStr || !isURL(s) {
			return invalid("/issuer/id", ReasonIssuerInvalid, "issuer id must be an absolute URL")
		}
		c.Issuer.ID = s
		if n, ok := x["name"]; ok {
			if !checkLangValue(n) {
				return invalid("/issuer/name", ReasonNameInvalid, "issuer name must be a string or language value objects")
			}
			c.Issuer.Name = n
		}
		if d, ok := x["description"]; ok {
			if !checkLangValue(d) {
				return invalid("/issuer/description", ReasonDescriptionInvalid, "issuer description must be a string or language value objects")
			}
			c.Issuer.Description = d
		}
		return nil
	}
	return invalid("/issuer", ReasonIssuerInvalid, "issuer must be a URL or an object with an id")
}

func (c *Credential) status(ctx *ctxInfo, v any) *ValidationError {
	var buf [2]map[string]any
	entries, array, bad := objects(v, buf[:0])
	if bad != -2 {
		return invalid(itemField("/credentialStatus", bad >= 0, bad), ReasonStatusInvalid, "credentialStatus must be an object or a non-empty array of objects")
	}
	out := c.statusBuf[:0]
	var tbuf [4]string
	for i, e := range entries {
		l := loc{"/credentialStatus", array, i}
		types, err := typeOf(ctx, e, l, tbuf[:0])
		if err != nil {
			return err
		}
		st := Status{Type: types[0], Raw: e}
		if slices.Contains(types, typeBitstringStatusListEntry) {
			st.Type = typeBitstringStatusListEntry
		}
		if id, ok := e["id"]; ok {
			s, isStr := id.(string)
			if !isStr || !isURL(s) {
				return invalid(l.at("/id"), ReasonStatusInvalid, "credentialStatus id must be a single absolute URL")
			}
			st.ID = s
		}
		st.Purpose, _ = e["statusPurpose"].(string)
		st.Index, _ = e["statusListIndex"].(string)
		st.ListCredential, _ = e["statusListCredential"].(string)
		if st.Type == typeBitstringStatusListEntry {
			switch {
			case st.Purpose == "":
				return invalid(l.at("/statusPurpose"), ReasonStatusInvalid, "a BitstringStatusListEntry needs a statusPurpose string")
			case !isDecimalIndex(st.Index):
				return invalid(l.at("/statusListIndex"), ReasonStatusInvalid, "statusListIndex must be a string of decimal digits without leading zeros")
			case !isURL(st.ListCredential):
				return invalid(l.at("/statusListCredential"), ReasonStatusInvalid, "statusListCredential must be an absolute URL")
			}
		}
		out = append(out, st)
	}
	c.Status = out
	return nil
}

func (c *Credential) schemas(ctx *ctxInfo, v any) *ValidationError {
	var buf [2]map[string]any
	entries, array, bad := objects(v, buf[:0])
	if bad != -2 {
		return invalid(itemField("/credentialSchema", bad >= 0, bad), ReasonSchemaInvalid, "credentialSchema must be an object or a non-empty array of objects")
	}
	out := c.schemaBuf[:0]
	var tbuf [4]string
	for i, e := range entries {
		l := loc{"/credentialSchema", array, i}
		types, err := typeOf(ctx, e, l, tbuf[:0])
		if err != nil {
			return err
		}
		id, isStr := e["id"].(string)
		if !isStr || !isURL(id) {
			return invalid(l.at("/id"), ReasonSchemaInvalid, "credentialSchema needs an id that is an absolute URL")
		}
		out = append(out, SchemaRef{ID: id, Type: types[0]})
	}
	c.Schemas = out
	return nil
}

// loc is the JSON pointer of item i of a member that may hold one object
// or an array; it is turned into a string only for an error.
type loc struct {
	field string
	array bool
	i     int
}

func (l loc) at(suffix string) string { return itemField(l.field, l.array, l.i) + suffix }

// typeOf checks the type of an object that VCDM requires to be typed.
func typeOf(ctx *ctxInfo, e map[string]any, l loc, buf []string) ([]string, *ValidationError) {
	tv, ok := e["type"]
	if !ok {
		return nil, invalid(l.at("/type"), ReasonTypePropertyMissing, "this object must have a type")
	}
	types, err := ctx.checkTypes(tv, "", "", buf)
	if err != nil {
		return nil, prefixed(l.at("/type"), err)
	}
	return types, nil
}

// typedMember is a member whose value is one object or a non-empty array
// of objects, each with a type (and, if checkID, an optional URL id).
type typedMember struct {
	name, field string
	checkID     bool
}

func checkTyped(ctx *ctxInfo, v any, tm typedMember) *ValidationError {
	var buf [2]map[string]any
	entries, array, bad := objects(v, buf[:0])
	if bad != -2 {
		return invalid(itemField(tm.field, bad >= 0, bad), ReasonPropertyInvalid, tm.name+" must be an object or a non-empty array of objects")
	}
	var tbuf [4]string
	for i, e := range entries {
		l := loc{tm.field, array, i}
		if _, err := typeOf(ctx, e, l, tbuf[:0]); err != nil {
			return err
		}
		if !tm.checkID {
			continue // a proof's id, if any, is the securing mechanism's business
		}
		if id, ok := e["id"]; ok {
			if s, isStr := id.(string); !isStr || !isURL(s) {
				return invalid(l.at("/id"), ReasonPropertyInvalid, tm.name+" id must be a single absolute URL")
			}
		}
	}
	return nil
}

// Map returns the credential document. Callers must not modify it.
func (c *Credential) Map() map[string]any { return c.doc }

// MarshalJSON encodes the document (members sorted by name, no HTML
// escaping).
func (c *Credential) MarshalJSON() ([]byte, error) { return marshal(c.doc) }

// HasType reports whether t is one of the credential's types.
func (c *Credential) HasType(t string) bool { return slices.Contains(c.Types, t) }

// PrimaryType returns the first type that is not VerifiableCredential, else
// VerifiableCredential.
func (c *Credential) PrimaryType() string {
	for _, t := range c.Types {
		if t != TypeCredential {
			return t
		}
	}
	return TypeCredential
}

// SubjectID returns the id of the first subject, "" if none.
func (c *Credential) SubjectID() string {
	if len(c.Subjects) == 0 {
		return ""
	}
	id, _ := c.Subjects[0]["id"].(string)
	return id
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("credential: encoding JSON: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
