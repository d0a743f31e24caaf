package credential

import (
	"errors"
	"strings"
)

// ErrInvalid is matched (errors.Is) by every *ValidationError.
var ErrInvalid = errors.New("credential: invalid")

// Reason codes of ValidationError. They are stable: callers may branch on
// them and map them to their own messages.
const (
	ReasonMalformed           = "malformed"             // not JSON, or not I-JSON (duplicate keys, invalid UTF-8, too deep)
	ReasonNotObject           = "not_object"            // the document is not a JSON object
	ReasonContextMissing      = "context_missing"       // no @context
	ReasonContextNotArray     = "context_not_array"     // @context is not an array
	ReasonContextFirstNotV2   = "context_first_not_v2"  // @context does not start with ContextV2
	ReasonContextEntryInvalid = "context_entry_invalid" // an @context entry is neither a URL nor an object, or an inline context is malformed
	ReasonContextURLInvalid   = "context_url_invalid"   // an @context URL is not an absolute URL
	ReasonTypeMissing         = "type_missing"          // no type
	ReasonTypeNotArray        = "type_not_array"        // type is neither a string nor an array
	ReasonTypeMissingBase     = "type_missing_base"     // type lacks VerifiableCredential / VerifiablePresentation
	ReasonTypeEntryInvalid    = "type_entry_invalid"    // a type value is not a term or an absolute URL
	ReasonTypeUnmapped        = "type_unmapped"         // a type term is defined by no context
	ReasonTermRedefined       = "term_redefined"        // an inline context redefines a protected term
	ReasonTermMappingInvalid  = "term_mapping_invalid"  // an inline context maps a term to something that is not an absolute IRI
	ReasonIDInvalid           = "id_invalid"            // id is not a single absolute URL
	ReasonIssuerMissing       = "issuer_missing"        // no issuer
	ReasonIssuerInvalid       = "issuer_invalid"        // issuer is neither a URL nor an object with a URL id
	ReasonSubjectMissing      = "subject_missing"       // no credentialSubject
	ReasonSubjectInvalid      = "subject_invalid"       // credentialSubject is not an object (or array of objects), or its id is not a URL
	ReasonSubjectEmpty        = "subject_empty"         // a credentialSubject object has no claims
	ReasonValidFromInvalid    = "valid_from_invalid"    // validFrom is not an XML Schema dateTimeStamp
	ReasonValidUntilInvalid   = "valid_until_invalid"   // validUntil is not an XML Schema dateTimeStamp
	ReasonValidityOrder       = "validity_order"        // validFrom is after validUntil
	ReasonStatusInvalid       = "status_invalid"        // a credentialStatus entry is malformed
	ReasonSchemaInvalid       = "schema_invalid"        // a credentialSchema entry is malformed
	ReasonTypePropertyMissing = "type_property_missing" // a status/schema/evidence/refreshService/termsOfUse/proof object has no type
	ReasonPropertyInvalid     = "property_invalid"      // an evidence/refreshService/termsOfUse/proof value is not an object, or its id is not a URL
	ReasonNameInvalid         = "name_invalid"          // name is not a string or language value object(s)
	ReasonDescriptionInvalid  = "description_invalid"   // description is not a string or language value object(s)
	ReasonHolderInvalid       = "holder_invalid"        // holder is neither a URL nor an object with a URL id
	ReasonVCInvalid           = "vc_invalid"            // a verifiableCredential entry is not a credential object
	ReasonEnvelopedInvalid    = "enveloped_invalid"     // an enveloped credential or its data: URL is malformed
	ReasonHolderMissing       = "holder_missing"        // CheckSelfAsserted: the presentation names no holder
	ReasonIssuerNotHolder     = "issuer_not_holder"     // CheckSelfAsserted: the credential's issuer is not the holder
)

// ValidationError reports one structural problem; errors.Is(err, ErrInvalid).
type ValidationError struct {
	Field  string // JSON pointer of the offending member, e.g. "/credentialSubject", "/@context/1"
	Reason string // stable code, see the Reason constants
	Msg    string // English sentence for people
	err    error  // underlying cause (a jsonx error for ReasonMalformed), or nil
}

// Error returns "credential: <field>: <msg> (<reason>)".
func (e *ValidationError) Error() string {
	var b strings.Builder
	b.WriteString("credential: ")
	if e.Field != "" {
		b.WriteString(e.Field)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	b.WriteString(" (")
	b.WriteString(e.Reason)
	b.WriteString(")")
	return b.String()
}

// Is reports whether target is ErrInvalid.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Unwrap returns the underlying cause, if any (for ReasonMalformed, the
// JSON parser's error).
func (e *ValidationError) Unwrap() error { return e.err }

func invalid(field, reason, msg string) *ValidationError {
	return &ValidationError{Field: field, Reason: reason, Msg: msg}
}

// prefixed returns e with its Field placed under prefix (used for
// credentials embedded in presentations).
func prefixed(prefix string, e *ValidationError) *ValidationError {
	c := *e
	c.Field = prefix + e.Field
	return &c
}

// pointerToken escapes a member name for use in a JSON pointer (RFC 6901).
func pointerToken(s string) string {
	if !strings.ContainsAny(s, "~/") {
		return s
	}
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}
