package status

import (
	"strconv"
	"time"
)

// Vocabulary of the Bitstring Status List specification.
const (
	// PurposeRevocation marks a list whose set bits mean "revoked"
	// (permanent).
	PurposeRevocation = "revocation"
	// PurposeSuspension marks a list whose set bits mean "suspended"
	// (may be cleared again).
	PurposeSuspension = "suspension"
)

// Type names used in credentials.
const (
	// EntryType is the type of a credentialStatus entry.
	EntryType = "BitstringStatusListEntry"
	// ListType is the type of the credentialSubject of a status list
	// credential.
	ListType = "BitstringStatusList"
	// ListCredentialType is the type (besides VerifiableCredential) of a
	// status list credential.
	ListCredentialType = "BitstringStatusListCredential"
)

const (
	contextV2      = "https://www.w3.org/ns/credentials/v2"
	typeCredential = "VerifiableCredential"
)

// ListCredential builds the unsigned BitstringStatusListCredential document
// that publishes bits, for the caller to secure (sign) and serve at id:
//
//	{"@context": ["https://www.w3.org/ns/credentials/v2"],
//	 "id": id, "type": ["VerifiableCredential", "BitstringStatusListCredential"],
//	 "issuer": issuer, "validFrom": ..., "validUntil": ...,
//	 "credentialSubject": {"id": id + "#list", "type": "BitstringStatusList",
//	   "statusPurpose": purpose, "encodedList": "u..."}}
//
// validFrom and validUntil are written in RFC 3339 UTC with whole seconds,
// and left out when zero. Verifiers stop using the list after validUntil,
// so a short validUntil (hours) bounds how long a revocation can go
// unnoticed; re-sign and republish before it passes. To hint a cache
// lifetime shorter than that, add "ttl" (milliseconds, a number) to the
// credentialSubject before signing.
//
// The document is made of map[string]any, []any, string and (for ttl, if
// added) number values, as a JSON decoder would produce. ListCredential
// panics if bits is nil.
func ListCredential(id, issuer, purpose string, bits *Bitstring, validFrom, validUntil time.Time) map[string]any {
	encoded, err := bits.Encode()
	if err != nil {
		panic(err) // only for a nil or empty Bitstring, which NewBitstring never returns
	}
	doc := map[string]any{
		"@context": []any{contextV2},
		"id":       id,
		"type":     []any{typeCredential, ListCredentialType},
		"issuer":   issuer,
		"credentialSubject": map[string]any{
			"id":            id + "#list",
			"type":          ListType,
			"statusPurpose": purpose,
			"encodedList":   encoded,
		},
	}
	if !validFrom.IsZero() {
		doc["validFrom"] = formatTime(validFrom)
	}
	if !validUntil.IsZero() {
		doc["validUntil"] = formatTime(validUntil)
	}
	return doc
}

func formatTime(t time.Time) string {
	return t.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// Entry builds the credentialStatus entry that points a credential at bit
// index of the list published at listURL:
//
//	{"id": listURL + "#" + index, "type": "BitstringStatusListEntry",
//	 "statusPurpose": purpose, "statusListIndex": "<index in base 10>",
//	 "statusListCredential": listURL}
func Entry(listURL, purpose string, index uint64) map[string]any {
	idx := strconv.FormatUint(index, 10)
	return map[string]any{
		"id":                   listURL + "#" + idx,
		"type":                 EntryType,
		"statusPurpose":        purpose,
		"statusListIndex":      idx,
		"statusListCredential": listURL,
	}
}
