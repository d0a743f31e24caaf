package delegation

import "testing"

// TestEveryReasonHasSentences: every reason code has its own sentences in
// English and Thai.
func TestEveryReasonHasSentences(t *testing.T) {
	for _, r := range []string{
		ReasonInternal,
		ReasonChainEmpty,
		ReasonRequestInvalid,
		ReasonMalformed,
		ReasonWrongType,
		ReasonUntrustedIssuer,
		ReasonTrustUnavailable,
		ReasonBadSignature,
		ReasonExpired,
		ReasonNotYetValid,
		ReasonSchemaInvalid,
		ReasonStatusMissing,
		ReasonStatusUnavailable,
		ReasonRevoked,
		ReasonSuspended,
		ReasonCompanyMissing,
		ReasonCompanyInactive,
		ReasonCompanyMismatch,
		ReasonActingForMismatch,
		ReasonExecutionMissing,
		ReasonExecutionMismatch,
		ReasonDirectorOtherCompany,
		ReasonDirectorSignatureInvalid,
		ReasonDirectorNotEligible,
		ReasonDirectorDuplicate,
		ReasonSignersInsufficient,
		ReasonSealMissing,
		ReasonSealInvalid,
		ReasonActionExcludedByRule,
		ReasonAmountOverDirectorLimit,
		ReasonGrantorSignatureMissing,
		ReasonGrantorSignatureInvalid,
		ReasonRootHasParent,
		ReasonParentMismatch,
		ReasonGrantorNotParentGrantee,
		ReasonSubDelegationNotAllowed,
		ReasonDepthExceeded,
		ReasonScopeActionsWidened,
		ReasonScopeRelyingPartiesWidened,
		ReasonScopeAmountWidened,
		ReasonValidityExceedsParent,
		ReasonValidityUnbounded,
		ReasonActionNotInScope,
		ReasonRelyingPartyNotInScope,
		ReasonAmountOverLimit,
		ReasonAmountCurrencyMismatch,
		ReasonGranteeBindingMissing,
		ReasonPresenterUnauthenticated,
		ReasonPresenterNotGrantee,
		ReasonIdentityMissing,
		ReasonIdentityMismatch,
		WarningMaxUsesNotCounted,
		ReasonPresentationInvalid,
		ReasonPresentationUnbound,
	} {
		s, ok := sentences[r]
		if !ok || s[0] == "" || s[1] == "" {
			t.Errorf("%s: no sentences", r)
		}
	}
}
