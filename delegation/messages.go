package delegation

import "strconv"

// Reason codes of a failed Step. They are stable: callers may branch on
// them; new ones may be added.
const (
	ReasonInternal          = "internal_error"     // a failure with no better reason (fail closed)
	ReasonChainEmpty        = "chain_empty"        // no delegation credential was presented
	ReasonRequestInvalid    = "request_invalid"    // the request lacks an action or relying party, or its amount is not a number
	ReasonMalformed         = "malformed"          // a credential could not be read
	ReasonWrongType         = "wrong_type"         // a credential of another type where one of this type belongs
	ReasonUntrustedIssuer   = "untrusted_issuer"   // the registry does not vouch for the issuer for this type
	ReasonTrustUnavailable  = "trust_unavailable"  // the trust registry could not be asked
	ReasonBadSignature      = "bad_signature"      // the issuer's signature does not verify
	ReasonExpired           = "expired"            // outside its validity period (for a director: at the time of signing)
	ReasonNotYetValid       = "not_yet_valid"      // before its validFrom
	ReasonSchemaInvalid     = "schema_invalid"     // the claims do not fit the type's schema
	ReasonStatusMissing     = "status_missing"     // a credential that cannot be revoked has no place in a chain
	ReasonStatusUnavailable = "status_unavailable" // the status list could not be read
	ReasonRevoked           = "revoked"            // revoked by its issuer
	ReasonSuspended         = "suspended"          // suspended by its issuer

	ReasonCompanyMissing    = "company_missing"     // a juristic grantor, but no JuristicPersonCredential
	ReasonCompanyInactive   = "company_inactive"    // the company is not active (dissolved, in liquidation, ...)
	ReasonCompanyMismatch   = "company_mismatch"    // the company credential is another company's than the grantor
	ReasonActingForMismatch = "acting_for_mismatch" // the chain is for another company than the request names

	ReasonExecutionMissing         = "execution_missing"          // no DelegationExecution evidence
	ReasonExecutionMismatch        = "execution_mismatch"         // the credential is not the draft that was signed, or executedBy differs from the signers
	ReasonDirectorOtherCompany     = "director_other_company"     // a director's authority is for another company
	ReasonDirectorSignatureInvalid = "director_signature_invalid" // a director's approval is not by the key their authority binds, or not of this draft
	ReasonDirectorNotEligible      = "director_not_eligible"      // a signer is not an eligible director under the signing rule
	ReasonDirectorDuplicate        = "director_duplicate"         // the same director signed twice
	ReasonSignersInsufficient      = "signers_insufficient"       // fewer eligible directors signed than the rule requires
	ReasonSealMissing              = "seal_missing"               // the rule requires the company seal; it was not applied
	ReasonSealInvalid              = "seal_invalid"               // the seal approval is not by the company's seal key
	ReasonActionExcludedByRule     = "action_excluded_by_rule"    // the directors granted an action their rule excludes
	ReasonAmountOverDirectorLimit  = "amount_over_director_limit" // beyond the signing rule's maximum amount
	ReasonGrantorSignatureMissing  = "grantor_signature_missing"  // a natural-person grantor's approval is missing
	ReasonGrantorSignatureInvalid  = "grantor_signature_invalid"  // it is not by the grantor's bound key, or not of this draft

	ReasonRootHasParent              = "root_has_parent"               // the first link is itself a sub-delegation
	ReasonParentMismatch             = "parent_mismatch"               // a link's parent is not the link before it
	ReasonGrantorNotParentGrantee    = "grantor_not_parent_grantee"    // a sub-delegation's grantor is not the parent's grantee
	ReasonSubDelegationNotAllowed    = "subdelegation_not_allowed"     // the parent forbids sub-delegation
	ReasonDepthExceeded              = "depth_exceeded"                // deeper than an ancestor allows
	ReasonScopeActionsWidened        = "scope_actions_widened"         // an action the parent does not grant
	ReasonScopeRelyingPartiesWidened = "scope_relying_parties_widened" // a relying party the parent does not name
	ReasonScopeAmountWidened         = "scope_amount_widened"          // a higher (or no) amount limit than the parent's
	ReasonValidityExceedsParent      = "validity_exceeds_parent"       // valid outside the parent's period
	ReasonValidityUnbounded          = "validity_unbounded"            // a link without validUntil

	ReasonActionNotInScope       = "action_not_in_scope"        // the requested action is not granted
	ReasonRelyingPartyNotInScope = "relying_party_not_in_scope" // not granted for this relying party
	ReasonAmountOverLimit        = "amount_over_limit"          // the amount exceeds a link's limit
	ReasonAmountCurrencyMismatch = "amount_currency_mismatch"   // the amount is in another currency than the limit

	ReasonGranteeBindingMissing    = "grantee_binding_missing"   // the final grantee is bound to no key (no subject id)
	ReasonPresenterUnauthenticated = "presenter_unauthenticated" // the presenter proved control of no key
	ReasonPresenterNotGrantee      = "presenter_not_grantee"     // the presenter is not the final grantee

	ReasonIdentityMissing  = "identity_missing"  // the request requires the presenter's identity credential; none was presented
	ReasonIdentityMismatch = "identity_mismatch" // the identity credential is of another person or another key than the grantee's

	// WarningMaxUsesNotCounted: the link limits its uses, which a
	// stateless verification cannot count; the relying party must.
	WarningMaxUsesNotCounted = "max_uses_not_counted"
)

// sentences holds, per reason, what happened and what to do, in English
// and Thai. message prefixes them with where in the chain it happened.
var sentences = map[string][2]string{
	ReasonInternal:          {"The chain could not be checked. Try again; if it persists, report it to the system administrator.", "ไม่สามารถตรวจสอบสายการมอบอำนาจได้ กรุณาลองใหม่ หากยังเกิดขึ้นอีกให้แจ้งผู้ดูแลระบบ"},
	ReasonChainEmpty:        {"No power of attorney was presented. Ask the person to present their power of attorney.", "ไม่มีการแสดงหนังสือมอบอำนาจ ขอให้ผู้ยื่นแสดงหนังสือมอบอำนาจ"},
	ReasonRequestInvalid:    {"The request is incomplete: it must name the action, the relying party and a valid amount.", "คำขอไม่ครบถ้วน ต้องระบุรายการที่ทำ หน่วยงานผู้รับ และจำนวนเงินที่ถูกต้อง"},
	ReasonMalformed:         {"The document cannot be read. Ask for a new copy from its issuer.", "ไม่สามารถอ่านเอกสารได้ ขอสำเนาใหม่จากผู้ออกเอกสาร"},
	ReasonWrongType:         {"A document of the wrong kind was presented here. Ask for the right document.", "เอกสารที่แสดงไม่ใช่ประเภทที่ต้องการ ขอเอกสารที่ถูกต้อง"},
	ReasonUntrustedIssuer:   {"Its issuer is not accredited to issue this document. Do not accept it.", "ผู้ออกเอกสารไม่ได้รับการรับรองให้ออกเอกสารประเภทนี้ ห้ามรับเอกสารนี้"},
	ReasonTrustUnavailable:  {"The trust registry could not be reached. Try again later.", "ไม่สามารถติดต่อทะเบียนความน่าเชื่อถือได้ กรุณาลองใหม่ภายหลัง"},
	ReasonBadSignature:      {"Its electronic signature is not valid: it may have been altered. Do not accept it.", "ลายมือชื่ออิเล็กทรอนิกส์ไม่ถูกต้อง เอกสารอาจถูกแก้ไข ห้ามรับเอกสารนี้"},
	ReasonExpired:           {"It has expired (for a director's authority: it was not valid when they signed). Ask for a current one.", "เอกสารหมดอายุแล้ว (สำหรับอำนาจกรรมการ: ไม่มีผลในขณะลงนาม) ขอเอกสารฉบับปัจจุบัน"},
	ReasonNotYetValid:       {"It is not valid yet. Accept it only from its start date.", "เอกสารยังไม่มีผลใช้บังคับ รับได้ตั้งแต่วันที่เริ่มมีผลเท่านั้น"},
	ReasonSchemaInvalid:     {"Its content is incomplete or malformed. Ask its issuer for a corrected document.", "ข้อมูลในเอกสารไม่ครบถ้วนหรือไม่ถูกรูปแบบ ขอให้ผู้ออกเอกสารแก้ไข"},
	ReasonStatusMissing:     {"It cannot be revoked, so it cannot be part of a power of attorney. Ask for a document with a status entry.", "เอกสารนี้ไม่สามารถเพิกถอนได้ จึงใช้ในสายการมอบอำนาจไม่ได้ ขอเอกสารที่มีการตรวจสอบสถานะ"},
	ReasonStatusUnavailable: {"Its revocation status could not be checked. Try again later; do not accept it meanwhile.", "ไม่สามารถตรวจสอบสถานะการเพิกถอนได้ กรุณาลองใหม่ภายหลัง และอย่าเพิ่งรับเอกสาร"},
	ReasonRevoked:           {"It has been revoked by its issuer. Do not accept it; ask the company for a new power of attorney.", "เอกสารถูกเพิกถอนแล้ว ห้ามรับ และขอหนังสือมอบอำนาจฉบับใหม่จากบริษัท"},
	ReasonSuspended:         {"It is suspended by its issuer. Do not accept it until it is reinstated.", "เอกสารถูกระงับการใช้ชั่วคราว ห้ามรับจนกว่าจะได้รับการคืนสถานะ"},

	ReasonCompanyMissing:    {"The company's registration certificate was not presented. Ask for the current DBD certificate.", "ไม่มีหนังสือรับรองการจดทะเบียนนิติบุคคล ขอหนังสือรับรองฉบับปัจจุบันจากกรมพัฒนาธุรกิจการค้า"},
	ReasonCompanyInactive:   {"The company is not active at DBD (dissolved, in liquidation or similar). Nobody can act for it under this power of attorney.", "นิติบุคคลไม่อยู่ในสถานะดำเนินกิจการที่กรมพัฒนาธุรกิจการค้า (เลิก ชำระบัญชี หรืออื่น ๆ) ไม่มีผู้ใดทำการแทนได้ตามหนังสือมอบอำนาจนี้"},
	ReasonCompanyMismatch:   {"The registration certificate is of another company than the one that granted the power. Ask for the grantor company's certificate.", "หนังสือรับรองเป็นของนิติบุคคลอื่น ไม่ใช่ผู้มอบอำนาจ ขอหนังสือรับรองของบริษัทผู้มอบอำนาจ"},
	ReasonActingForMismatch: {"The power of attorney is from another company than the one the person says they act for.", "หนังสือมอบอำนาจออกโดยนิติบุคคลอื่น ไม่ใช่นิติบุคคลที่ผู้ยื่นอ้างว่าทำการแทน"},

	ReasonExecutionMissing:         {"The power of attorney does not carry the grantor's signatures. Do not accept it.", "หนังสือมอบอำนาจไม่มีลายมือชื่อของผู้มอบอำนาจ ห้ามรับ"},
	ReasonExecutionMismatch:        {"The power of attorney differs from what its grantor signed. Do not accept it.", "หนังสือมอบอำนาจไม่ตรงกับฉบับที่ผู้มอบอำนาจลงนาม ห้ามรับ"},
	ReasonDirectorOtherCompany:     {"A signer is a director of another company. Ask the company for a power of attorney signed by its own directors.", "ผู้ลงนามเป็นกรรมการของนิติบุคคลอื่น ขอหนังสือมอบอำนาจที่ลงนามโดยกรรมการของบริษัทเอง"},
	ReasonDirectorSignatureInvalid: {"A director's signature is not valid. Ask the company to sign the power of attorney again.", "ลายมือชื่อของกรรมการไม่ถูกต้อง ขอให้บริษัทลงนามหนังสือมอบอำนาจใหม่"},
	ReasonDirectorNotEligible:      {"A signer is not among the directors authorised to sign for the company at DBD. Ask for a power of attorney signed by authorised directors.", "ผู้ลงนามไม่ใช่กรรมการผู้มีอำนาจลงนามตามที่จดทะเบียนไว้กับกรมพัฒนาธุรกิจการค้า ขอหนังสือมอบอำนาจที่ลงนามโดยกรรมการผู้มีอำนาจ"},
	ReasonDirectorDuplicate:        {"The same director signed twice. Ask for a power of attorney signed by enough different directors.", "กรรมการคนเดียวกันลงนามซ้ำ ขอหนังสือมอบอำนาจที่ลงนามโดยกรรมการต่างคนกันให้ครบจำนวน"},
	ReasonSignersInsufficient:      {"Not enough authorised directors signed: the company's signing rule requires more. Ask for the missing directors' signatures.", "กรรมการผู้มีอำนาจลงนามไม่ครบตามข้อกำหนดอำนาจกรรมการของบริษัท ขอให้กรรมการที่ยังขาดลงนาม"},
	ReasonSealMissing:              {"The company seal is required by its signing rule but was not applied. Ask for a power of attorney with the company seal.", "ข้อกำหนดอำนาจกรรมการกำหนดให้ประทับตราบริษัท แต่ไม่มีการประทับตรา ขอหนังสือมอบอำนาจที่ประทับตราบริษัท"},
	ReasonSealInvalid:              {"The company seal is not the one registered at DBD. Do not accept it.", "ตราบริษัทไม่ตรงกับที่จดทะเบียนไว้กับกรมพัฒนาธุรกิจการค้า ห้ามรับ"},
	ReasonActionExcludedByRule:     {"The directors granted a power their own signing authority excludes. Do not accept it.", "กรรมการมอบอำนาจในเรื่องที่อยู่นอกอำนาจของตน ห้ามรับ"},
	ReasonAmountOverDirectorLimit:  {"The amount is beyond what the directors themselves may authorise. A board resolution is needed.", "จำนวนเงินเกินกว่าที่กรรมการมีอำนาจอนุมัติ ต้องมีมติคณะกรรมการ"},
	ReasonGrantorSignatureMissing:  {"The grantor did not sign this power of attorney. Ask the grantor to sign it.", "ผู้มอบอำนาจไม่ได้ลงนามในหนังสือมอบอำนาจนี้ ขอให้ผู้มอบอำนาจลงนาม"},
	ReasonGrantorSignatureInvalid:  {"The grantor's signature is not valid. Ask the grantor to sign again.", "ลายมือชื่อของผู้มอบอำนาจไม่ถูกต้อง ขอให้ผู้มอบอำนาจลงนามใหม่"},

	ReasonRootHasParent:              {"The first power of attorney presented is itself a sub-delegation: the chain is incomplete. Ask for the whole chain back to the company.", "หนังสือมอบอำนาจฉบับแรกเป็นการมอบช่วง สายการมอบอำนาจไม่ครบ ขอหนังสือมอบอำนาจทั้งสายจนถึงบริษัท"},
	ReasonParentMismatch:             {"This sub-delegation does not derive from the power of attorney before it. Ask for the complete chain in order.", "การมอบช่วงนี้ไม่ได้มาจากหนังสือมอบอำนาจฉบับก่อนหน้า ขอสายการมอบอำนาจที่ครบและเรียงลำดับถูกต้อง"},
	ReasonGrantorNotParentGrantee:    {"This sub-delegation was granted by someone who did not hold the power. Do not accept it.", "การมอบช่วงนี้มอบโดยผู้ที่ไม่ได้รับมอบอำนาจ ห้ามรับ"},
	ReasonSubDelegationNotAllowed:    {"The power of attorney above forbids passing it on. Ask the original grantee to act in person.", "หนังสือมอบอำนาจฉบับก่อนหน้าไม่อนุญาตให้มอบช่วง ขอให้ผู้รับมอบอำนาจเดิมดำเนินการเอง"},
	ReasonDepthExceeded:              {"The power has been passed on more times than allowed. Ask for a power of attorney from higher up the chain.", "มีการมอบช่วงเกินจำนวนชั้นที่อนุญาต ขอหนังสือมอบอำนาจจากผู้มอบในลำดับที่สูงกว่า"},
	ReasonScopeActionsWidened:        {"This sub-delegation grants an action its grantor never received. Do not accept it.", "การมอบช่วงนี้มอบอำนาจในเรื่องที่ผู้มอบไม่เคยได้รับ ห้ามรับ"},
	ReasonScopeRelyingPartiesWidened: {"This sub-delegation names an agency its grantor's power does not cover. Do not accept it.", "การมอบช่วงนี้ระบุหน่วยงานที่อยู่นอกอำนาจของผู้มอบ ห้ามรับ"},
	ReasonScopeAmountWidened:         {"This sub-delegation allows a higher amount than its grantor holds. Do not accept it.", "การมอบช่วงนี้กำหนดวงเงินสูงกว่าที่ผู้มอบได้รับ ห้ามรับ"},
	ReasonValidityExceedsParent:      {"This sub-delegation is valid longer than the power it derives from. Do not accept it.", "การมอบช่วงนี้มีระยะเวลานานกว่าอำนาจที่ผู้มอบได้รับ ห้ามรับ"},
	ReasonValidityUnbounded:          {"This power of attorney has no end date. Ask for one with a stated validity period.", "หนังสือมอบอำนาจนี้ไม่มีวันสิ้นสุด ขอฉบับที่ระบุระยะเวลาชัดเจน"},

	ReasonActionNotInScope:       {"The power of attorney does not cover this action. Ask the company for a power of attorney that does.", "หนังสือมอบอำนาจไม่ครอบคลุมรายการนี้ ขอหนังสือมอบอำนาจที่ครอบคลุมจากบริษัท"},
	ReasonRelyingPartyNotInScope: {"The power of attorney is not for this agency. Ask for one that names this agency.", "หนังสือมอบอำนาจไม่ได้ให้ใช้กับหน่วยงานนี้ ขอฉบับที่ระบุหน่วยงานนี้"},
	ReasonAmountOverLimit:        {"The amount is over the limit of the power of attorney. Ask the company to act directly or to raise the limit.", "จำนวนเงินเกินวงเงินที่มอบอำนาจ ขอให้บริษัทดำเนินการเองหรือเพิ่มวงเงิน"},
	ReasonAmountCurrencyMismatch: {"The amount is in another currency than the power's limit. Ask for the amount in the limit's currency.", "จำนวนเงินเป็นสกุลเงินอื่นที่ไม่ตรงกับวงเงินที่มอบ ขอให้ระบุจำนวนเงินในสกุลเงินของวงเงิน"},

	ReasonGranteeBindingMissing:    {"The power of attorney is not bound to the grantee's digital identity, so nobody can prove they are the grantee. Ask for a power of attorney bound to the grantee's wallet.", "หนังสือมอบอำนาจไม่ได้ผูกกับตัวตนดิจิทัลของผู้รับมอบอำนาจ จึงพิสูจน์ไม่ได้ว่าผู้ยื่นคือผู้รับมอบ ขอฉบับที่ผูกกับกระเป๋าเอกสารดิจิทัลของผู้รับมอบ"},
	ReasonPresenterUnauthenticated: {"The person presenting did not prove their digital identity. Ask them to present from their wallet.", "ผู้ยื่นไม่ได้พิสูจน์ตัวตนดิจิทัล ขอให้ยื่นผ่านกระเป๋าเอกสารดิจิทัลของตน"},
	ReasonPresenterNotGrantee:      {"The person presenting is not the grantee of this power of attorney. Do not accept it.", "ผู้ยื่นไม่ใช่ผู้รับมอบอำนาจตามหนังสือมอบอำนาจนี้ ห้ามรับ"},

	ReasonPresentationInvalid: {"The presentation is not validly signed by the person presenting. Ask them to present again from their wallet.", "การแสดงเอกสารไม่ได้ลงนามอย่างถูกต้องโดยผู้ยื่น ขอให้ยื่นใหม่ผ่านกระเป๋าเอกสารดิจิทัล"},
	ReasonPresentationUnbound: {"The presentation was not made for this request (another or no challenge, another agency, or too old). Ask them to present again.", "การแสดงเอกสารไม่ได้ทำขึ้นสำหรับคำขอนี้ (รหัสท้าทายไม่ตรงหรือไม่มี หน่วยงานไม่ตรง หรือเก่าเกินไป) ขอให้ยื่นใหม่"},
	ReasonIdentityMissing:     {"The person presenting did not show their identity credential. Ask them to present it from their wallet with the power of attorney.", "ผู้ยื่นไม่ได้แสดงเอกสารยืนยันตัวตน ขอให้แสดงพร้อมหนังสือมอบอำนาจผ่านกระเป๋าเอกสารดิจิทัล"},
	ReasonIdentityMismatch:    {"The identity credential shown is not the grantee's. Do not accept the filing.", "เอกสารยืนยันตัวตนที่แสดงไม่ใช่ของผู้รับมอบอำนาจ ห้ามรับ"},
	WarningMaxUsesNotCounted:  {"This power of attorney limits how many times it may be used; this check does not count uses, so record each use.", "หนังสือมอบอำนาจนี้จำกัดจำนวนครั้งที่ใช้ได้ การตรวจสอบนี้ไม่ได้นับจำนวนครั้ง กรุณาบันทึกการใช้ทุกครั้ง"},
}

// Message returns the English and Thai sentences for a reason code,
// without the location prefix.
func Message(reason string) (en, th string) {
	s, ok := sentences[reason]
	if !ok {
		s = sentences[ReasonInternal]
	}
	return s[0], s[1]
}

// message prefixes the reason's sentences with where it happened.
func message(reason string, link int, part string) (en, th string) {
	en, th = Message(reason)
	var wen, wth string
	switch {
	case part == PartCompany:
		wen, wth = "Company registration certificate", "หนังสือรับรองนิติบุคคล"
	case part == PartDirector:
		wen, wth = "Director's authority (power of attorney 1)", "อำนาจกรรมการ (หนังสือมอบอำนาจฉบับที่ 1)"
	case part == PartSeal:
		wen, wth = "Company seal (power of attorney 1)", "ตราบริษัท (หนังสือมอบอำนาจฉบับที่ 1)"
	case part == PartIdentity:
		wen, wth = "Identity credential of the person presenting", "เอกสารยืนยันตัวตนของผู้ยื่น"
	case part == PartRequest && link < 0:
		wen, wth = "Request", "คำขอ"
	case part == PartRequest:
		n := strconv.Itoa(link + 1)
		wen, wth = "Request against power of attorney "+n, "คำขอเทียบกับหนังสือมอบอำนาจฉบับที่ "+n
	default:
		n := strconv.Itoa(link + 1)
		wen, wth = "Power of attorney "+n, "หนังสือมอบอำนาจฉบับที่ "+n
	}
	return wen + ": " + en, wth + ": " + th
}
