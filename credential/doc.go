// Package credential is the W3C Verifiable Credentials Data Model 2.0
// model of ThaiTrust: it decodes credential and presentation documents,
// checks their structure, and gives a read-only view of what they say.
//
// It does not verify anything cryptographic and trusts nothing it parses:
// securing mechanisms (credential/jose, credential/sdjwt), status
// (credential/status), schemas (schemas) and issuer accreditation
// (registry) are checked elsewhere, on the view this package returns.
//
// # Parsing
//
// Parse decodes JSON with internal/jsonx, which rejects what a security
// boundary should not guess about: duplicate member names, invalid UTF-8,
// lone surrogate escapes and very deep nesting (ReasonMalformed). FromMap
// validates a document that is already decoded and builds the Credential
// view around it without copying. ParsePresentation and
// PresentationFromMap do the same for presentations, validating each
// embedded credential as FromMap does (errors point into it, e.g.
// "/verifiableCredential/0/credentialSubject").
//
// Every rejection is a *ValidationError with a JSON pointer (Field), a
// stable Reason code (the Reason constants) and an English Msg, and
// matches ErrInvalid with errors.Is. Validation stops at the first problem,
// checked in a fixed order (@context, id, type, issuer, credentialSubject,
// validFrom/validUntil, name/description, credentialStatus,
// credentialSchema, evidence, refreshService, termsOfUse, proof), so the
// same document always gives the same error.
//
// The rules follow VCDM 2.0 and the W3C VCDM 2.0 test suite, whose inputs
// run as subtests (TestVCDM2Vectors), each with the reason it must fail
// for:
//
//   - @context is an array whose first item is ContextV2; later items are
//     absolute URLs or inline context objects;
//   - id (credential, presentation, subject, status, evidence, ...) is one
//     absolute URL when present; DIDs and URNs qualify;
//   - type is a string or an array of terms and absolute URLs, including
//     VerifiableCredential (VerifiablePresentation); every term must be
//     defined by some context;
//   - issuer is a URL, or an object whose id is a URL, with optional name
//     and description;
//   - credentialSubject is one object or a non-empty array of objects,
//     none empty;
//   - validFrom and validUntil are XML Schema dateTimeStamp values (time
//     zone required, fractional seconds allowed), validFrom not after
//     validUntil; both are returned in UTC;
//   - name and description are strings, language value objects
//     ({"@value", "@language", "@direction"} and nothing else), or arrays of
//     them;
//   - credentialStatus, credentialSchema, evidence, refreshService,
//     termsOfUse and proof objects have a type; credentialSchema also an id;
//     a BitstringStatusListEntry also statusPurpose, a canonical decimal
//     statusListIndex string and a statusListCredential URL.
//
// Members the data model does not define are kept and not checked.
//
// # Contexts without a JSON-LD processor
//
// Nothing is fetched. The terms of ContextV2 (the May 2025 Recommendation:
// its top-level terms and those scoped to VerifiableCredential and
// VerifiablePresentation) are built in and protected: an inline context
// that redefines one of them differently, or redefines a term an earlier
// inline context protects with @protected, fails with ReasonTermRedefined;
// so does the VCDM 1.1 base context after ContextV2. A term mapped to
// something that is not an absolute IRI (or a keyword) fails with
// ReasonTermMappingInvalid. Known remote contexts are ContextV2 and the
// VCDM examples context (which only sets @vocab); any other absolute URL,
// including https://thaitrust.example/ns/credentials/v1, is opaque: it may
// define any term.
//
// A type term is mapped when an inline context defines it, ContextV2
// defines it, it is an absolute or compact IRI, or a @vocab or an opaque
// remote context is in effect; otherwise it fails with ReasonTypeUnmapped.
// ContextV2 has no @vocab (drafts had one), so a credential whose only
// context is ContextV2 cannot use a type such as "DegreeCredential"
// without defining it, and {"@vocab": null} removes an earlier vocabulary.
// The types of credentialSubject objects are left to schema validation.
//
// # Presentations and enveloped credentials
//
// A presentation's verifiableCredential holds credential objects: embedded
// credentials (validated like any credential, with their own @context and
// without any default issuer) or EnvelopedVerifiableCredential objects
// whose id is a data: URL (RFC 2397) carrying a secured credential, e.g.
// "data:application/vc+jwt,<compact JWS>". ParseDataURL reads those URLs
// (raw, ";base64" and the ";base64url" form of VC-JOSE-COSE drafts),
// Enveloped.URL writes them, and Envelope builds the object. Strings,
// numbers and empty arrays are rejected (ReasonVCInvalid).
//
// Whether an embedded credential is self-asserted depends on how it is
// secured, which only the verifier knows; for those it calls
// Presentation.CheckSelfAsserted (VCDM 2.0 section 4.13.4).
//
// # Performance
//
// FromMap runs on every verification. It makes one pass over the
// document's members, builds JSON pointers only for errors and keeps the
// usual credential in a single allocation (BenchmarkFromMap).
//
// # Hazards
//
// WARNING: a valid Credential is a well-formed claim by someone, not a
// true one. Nothing here checks a proof, a signature, the issuer's
// authority, revocation or the validity period against the clock: callers
// must do that (ValidFrom and ValidUntil are only parsed).
//
// WARNING: Credential, Presentation and their fields share memory with the
// document (Map returns it); modifying any of them changes the others and
// may invalidate the checks already made. FromMap keeps the map it is
// given: do not modify it afterwards.
//
// WARNING: the JSON-LD rules are a structural approximation made without
// fetching contexts. Terms of opaque remote contexts are assumed to be
// defined, and properties (as opposed to types) are not checked for being
// defined. A verifier that canonicalizes with JSON-LD (Data Integrity) must
// still run a real JSON-LD processor with its own document loader.
//
// WARNING: an enveloped credential is only checked as an envelope: its
// data is neither decoded nor verified here, and the envelope object may
// carry nothing but @context, id and type, because anything next to the
// data would be unsecured.
//
// WARNING: Parse does not limit input size; bound request bodies before
// calling it.
package credential
