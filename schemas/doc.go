// Package schemas is ThaiTrust's credential-type catalogue: one JSON Schema
// (draft 2020-12) per credential type, a realistic example of each, and the
// Thai data validators the schemas use (citizen and juristic ID check
// digits, Buddhist-Era dates, names in Thai and Latin script).
//
// # Catalogue
//
//	Name                          Issuer            Default validity
//	ThaiCitizenCredential         DOPA              0: until the card's expiry (set from card.expiryDate)
//	HouseRegistrationCredential   DOPA              90 days
//	JuristicPersonCredential      DBD               90 days (banks accept copies up to 90 days old)
//	DirectorAuthorityCredential   DBD               7 days, plus status
//	DelegationCredential          the grantor       0: set by the grantor
//	DegreeCredential              university        0: no expiry
//	TranscriptCredential          university        0: no expiry
//	ForeignerIdentityCredential   Immigration/DOPA  1 year
//	AccreditationCredential       ETDA, accreditor  1 year
//	IdPAccreditationCredential    ETDA              1 year
//
// [Types] lists them with Thai and English titles, the schema ($id
// https://thaitrust.example/schemas/<Name>.json) and an unsigned example
// the issuer accepts as is (no issuer, id, validFrom or credentialStatus:
// the issuer adds those). [Lookup] finds one by name.
//
// # Schemas
//
// Each schema validates the whole VCDM 2.0 credential document. Envelope
// members (@context, type, issuer, validFrom, validUntil, credentialStatus,
// credentialSchema) are checked loosely; the credential package does the
// VCDM structure checks. credentialSubject is checked strictly where it
// protects people: required members, patterns, enumerations, formats, and
// additionalProperties false inside well-defined sub-objects (names,
// addresses, evidence, signing rules, scopes). credentialSubject itself is
// open, so a type can gain members without breaking verifiers.
// Identity credentials (citizen, foreigner) must carry evidence: ial
// ("1.1" ... "3") and aal ("1" ... "3") as strings, proofingMethod,
// authoritativeSource, livenessPerformed, proofedAt, and idpId (ThaID,
// NDID) or matchResult (DOPA FVS) where they apply.
//
// Shared definitions live in json/common.json. [Type].Schema is the type's
// schema with common.json bundled under $defs as an embedded resource
// (draft 2020-12 compound document), so it stands alone for publication.
//
// Custom formats, asserted by Validate (a validator that does not know them
// ignores them, so the schemas also carry portable patterns where a
// pattern can say it):
//
//	thai-citizen-id   ValidCitizenID
//	thai-juristic-id  ValidJuristicID
//	be-date           ParseBEDate ("YYYYMMDD", BE, 00 = unknown)
//	partial-date      ISO 8601 CE date, possibly reduced: YYYY, YYYY-MM, YYYY-MM-DD
//	nfc               NFC text, no control characters, not blank
//	thai-text         nfc and at least one Thai letter
//	thai-name         ValidThaiName
//	latin-name        ValidLatinName
//
// Dates from Thai cards are carried three ways: "birthDate" (ISO CE,
// reduced to the known precision), "birthDateBE" (the original BE value)
// and "birthDatePrecision" (day, month, year). The same convention holds
// for every "xBE" member.
//
// # Validation
//
// [Validate] checks a document (map[string]any as a JSON parser produces
// it, numbers as json.Number or float64) against its type's schema, then
// runs the cross-field checks a schema cannot express: every "xBE" member
// must denote the same date and precision as its "x" and "xPrecision"
// siblings; a signing rule needs at least minSigners eligible directors;
// gpax may not exceed scale (numbers compared exactly, whatever their
// size). It reports one [ValidationError]: the most specific problem
// (deepest JSON pointer; ties broken by a fixed order of reasons, then by
// pointer), with a stable Reason code. The choice does not depend on the
// order in which Go visits map members. Messages never quote the
// offending value.
//
// Validate does not use a general JSON Schema library. Each type's schema,
// exactly as published (Type.Schema), is compiled on its first use by
// schemas/internal/compile into a graph of small nodes ($refs resolved,
// patterns turned into automata, bounds parsed), which validates the
// generic values of a JSON decoder without allocating. The compiler
// implements only the keywords our schemas use (type, const, enum, format,
// required, minProperties, properties, additionalProperties, minItems,
// uniqueItems, prefixItems, items, contains, minLength, maxLength,
// pattern, minimum, maximum, exclusiveMinimum, allOf, anyOf, if/then/else,
// $ref, $defs, $id), each as draft 2020-12 defines it, and refuses to
// compile a schema with any other keyword or an unknown format, so that a
// schema edit cannot be silently ignored (TestSchemaKeywordsSupported
// names the keyword). Only when a document is invalid does it walk the
// document again, in full, to choose the problem to report.
//
// santhosh-tekuri/jsonschema v6, which Validate used before, remains the
// reference in tests: it checks the published schemas against the draft
// 2020-12 metaschema, and the differential tests require Validate and it
// (with the error conversion Validate used) to report the same Field,
// Reason and Msg for every example, every case of the invalid-document
// table and thousands of random mutations of the examples
// (TestDifferentialMutations; FuzzDifferential for more). The standard
// formats mean what they mean there: date as time.Parse reads
// "2006-01-02", date-time as RFC 3339 read by the library (which takes
// strconv.Atoi's view of the digits, so "+1" is an hour), uri as an
// absolute URI that net/url parses (looser than RFC 3986: it accepts a
// space in an opaque part, for instance), uuid as 8-4-4-4-12 hex digits.
//
// Patterns are ECMA-262 regular expressions in JSON Schema; Go's regexp is
// RE2. They agree on the subset our patterns use, which
// TestPatternsPortable enforces ("." is not in it: ECMA-262's excludes
// \r, U+2028 and U+2029, RE2's only \n; the one pattern that used it now
// spells ECMA-262's meaning out); TestPatternsMatchECMA compares both
// engines on probe strings where node.js is installed.
//
// # Selective disclosure
//
// [Type].SelectivelyDisclosable states, per type, which members under
// credentialSubject (as JSON pointers) an SD-JWT VC issuer should make
// selectively disclosable; everything else is always visible. The split:
// personal data a verifier may not need is disclosable (ID numbers, names
// of natural persons in identity credentials, birth dates, sex, address,
// the card record, portrait, passport and permits); what a verifier needs
// to make sense of the credential at all stays visible (nationality of a
// Thai citizen, the company and signing rule of a director's authority,
// the scope and parties of a delegation, the institution and award of a
// degree; registry credentials are public). Members that belong together
// (birthDate, birthDateBE, birthDatePrecision) are listed separately but
// should be disclosed together. The evidence (assurance levels) is part of
// the envelope and always visible.
//
// # SD-JWT VC types
//
// Each type is also an SD-JWT VC type: [VCT] gives its vct
// (https://thaitrust.example/vct/<Name>) and [TypeForVCT] the reverse.
// In the SD-JWT VC the members of credentialSubject are top-level claims
// ([SDJWTName]: the subject's id is "sub", and a member whose name JWT
// reserves is renamed, such as a company's "status" to
// "registrationStatus"); [SDJWTDisclosable] lists the selectively
// disclosable ones, including the derived age_equal_or_over.18 and .20
// of the identity types ([HasAgeClaim]). [TypeMetadata] is the SD-JWT VC
// Type Metadata document, with Thai and English labels for the claims,
// served at /vct/<Name>.
//
// # Performance
//
// Validate runs on every verification; all non-signature work has about
// 25 µs, and the target for Validate is 5 µs without allocations. On the
// DegreeCredential example it takes about 3 µs and allocates nothing
// (BenchmarkValidate; 2-CPU shared machine, noisy), against about 42-46 µs,
// 268 allocations and 15 KB for the reference library with the same
// checks (BenchmarkValidateReference; BenchmarkValidateBudget runs both,
// interleaved, and reports the ratio: 13-15 times). About a third of the
// 3 µs is the Buddhist-Era cross-check, which must visit every object under
// credentialSubject. An invalid document costs about 8 µs and a few dozen
// allocations (BenchmarkValidateInvalid). Compiling a type takes about
// 2 ms, once, on its first Validate (the whole catalogue: about 25 ms,
// against 75 ms for the library; BenchmarkCompile).
//
// # Hazards
//
// WARNING: a valid check digit does not mean the number was issued to
// anyone, let alone to the holder; the check digit catches typing errors
// only.
//
// WARNING: Validate checks shape, not truth or authority. Whether the
// issuer may issue the type (registry accreditation), whether a delegation
// narrows its parent, and whether a signing rule is satisfied by the
// signers are checked elsewhere (registry, delegation, verifier).
//
// WARNING: the DelegationCredential schema does not require validUntil
// (the grantor sets it, and the example must stay acceptable as is); an
// issuer of powers of attorney should refuse one without an end date.
//
// WARNING: a document holding Go values that are not JSON-shaped
// ([]string, structs, time.Time) fails with reason "type"; convert through
// JSON first.
package schemas
