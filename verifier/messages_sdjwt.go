package verifier

// Sentences for the reason codes of SD-JWT VCs (credential/sdjwt's
// Reason* and sdjwt.go's own) and of OpenID4VP responses (package
// verifier/oid4vp).
var sdjwtMessages = map[string]message{
	// Format: the disclosures must match what the issuer signed.
	"disclosure_malformed": {
		"A disclosed claim is not readable. The credential was damaged or altered. Do not accept it.",
		"ข้อมูลที่เปิดเผยบางรายการอ่านไม่ได้ เอกสารเสียหายหรือถูกแก้ไข ห้ามรับ"},
	"disclosure_unreferenced": {
		"A disclosed claim does not match anything the issuer signed: it was altered or added. Do not accept it.",
		"ข้อมูลที่เปิดเผยไม่ตรงกับข้อมูลที่ผู้ออกเอกสารลงนามไว้ ข้อมูลถูกแก้ไขหรือเพิ่มเข้ามา ห้ามรับ"},
	"digest_duplicate": {
		"A claim appears twice in the credential. It was altered. Do not accept it.",
		"มีข้อมูลรายการเดียวกันซ้ำสองครั้งในเอกสาร เอกสารถูกแก้ไข ห้ามรับ"},
	"reserved_name": {
		"A disclosed claim uses a reserved name. Do not accept the credential.",
		"ข้อมูลที่เปิดเผยใช้ชื่อที่สงวนไว้ ห้ามรับเอกสารนี้"},
	"name_clash": {
		"A disclosed claim would replace a claim the issuer signed. Do not accept the credential.",
		"ข้อมูลที่เปิดเผยจะแทนที่ข้อมูลที่ผู้ออกเอกสารลงนามไว้ ห้ามรับเอกสารนี้"},
	"disclosure_kind_mismatch": {
		"A disclosed claim does not fit where it is placed. Do not accept the credential.",
		"ข้อมูลที่เปิดเผยไม่ตรงกับตำแหน่งที่ระบุ ห้ามรับเอกสารนี้"},
	"sd_alg_not_allowed": {
		"The credential hides its claims with a hash algorithm this verifier does not accept.",
		"เอกสารซ่อนข้อมูลด้วยอัลกอริทึมแฮชที่ผู้ตรวจสอบไม่ยอมรับ"},
	"claim_not_disclosable": {
		"The issuer, validity, holder key or status of the credential was made optional. Do not accept it.",
		"ข้อมูลผู้ออก ระยะเวลามีผล กุญแจผู้ถือ หรือสถานะของเอกสารถูกทำให้เลือกเปิดเผยได้ ห้ามรับ"},
	"invalid_vc": {
		"The credential does not say what type it is (vct).",
		"เอกสารไม่ระบุประเภท (vct)"},
	"iss_not_did": {
		"The credential's issuer is not identified by a DID, so its key cannot be found.",
		"ผู้ออกเอกสารไม่ได้ระบุด้วย DID จึงหากุญแจของผู้ออกเอกสารไม่ได้"},

	// Key binding: the holder proves the presentation is theirs, for us.
	"cnf_missing": {
		"The credential is not bound to a holder key, so whoever presents it cannot prove it is theirs.",
		"เอกสารไม่ผูกกับกุญแจของผู้ถือ ผู้นำเสนอจึงพิสูจน์ไม่ได้ว่าเป็นเจ้าของเอกสาร"},
	"cnf_invalid": {
		"The credential's holder key is not usable.",
		"กุญแจของผู้ถือที่ระบุในเอกสารใช้งานไม่ได้"},
	"kb_missing": {
		"The holder did not prove that this presentation is theirs (no key-binding proof). It could be a copy. Ask the holder to present again from their wallet.",
		"ผู้ถือไม่ได้พิสูจน์ว่าการนำเสนอนี้เป็นของตน (ไม่มีหลักฐานผูกกุญแจ) อาจเป็นสำเนา โปรดให้ผู้ถือนำเสนอใหม่จากกระเป๋าเอกสาร"},
	"kb_wrong_typ": {
		"The holder's proof is not a key-binding proof.",
		"หลักฐานของผู้ถือไม่ใช่หลักฐานผูกกุญแจ"},
	"kb_alg_none": {
		"The holder's proof is not signed. Do not accept it.",
		"หลักฐานของผู้ถือไม่มีลายมือชื่อดิจิทัล ห้ามรับ"},
	"kb_alg_not_allowed": {
		"The holder's proof is signed with an algorithm this verifier does not accept.",
		"หลักฐานของผู้ถือลงนามด้วยอัลกอริทึมที่ผู้ตรวจสอบไม่ยอมรับ"},
	"kb_unknown_crit": {
		"The holder's proof requires an extension this verifier does not understand.",
		"หลักฐานของผู้ถือกำหนดส่วนขยายที่ผู้ตรวจสอบไม่รู้จัก"},
	"kb_bad_signature": {
		"The holder's proof was not made with the key the credential is bound to: the presenter is not its holder. Do not accept it.",
		"หลักฐานของผู้ถือไม่ได้ทำด้วยกุญแจที่ผูกกับเอกสาร ผู้นำเสนอไม่ใช่ผู้ถือเอกสาร ห้ามรับ"},
	"kb_wrong_sd_hash": {
		"The holder's proof covers a different selection of claims than the one presented. Do not accept it.",
		"หลักฐานของผู้ถือครอบคลุมข้อมูลชุดอื่นไม่ใช่ชุดที่นำเสนอ ห้ามรับ"},
	"kb_iat_stale": {
		"The holder's proof is too old. Ask the holder to present again.",
		"หลักฐานของผู้ถือเก่าเกินไป โปรดให้ผู้ถือนำเสนอใหม่"},
	"kb_iat_future": {
		"The holder's proof is dated in the future. Check the clocks, then ask the holder to present again.",
		"หลักฐานของผู้ถือลงวันที่ในอนาคต โปรดตรวจนาฬิกา แล้วให้ผู้ถือนำเสนอใหม่"},
	"kb_wrong_aud": {
		"The presentation was made for another verifier. Do not accept it.",
		"การนำเสนอนี้จัดทำให้ผู้ตรวจสอบรายอื่น ห้ามรับ"},
	"kb_wrong_nonce": {
		"The presentation was made for another request (possible replay). Ask the holder to present again.",
		"การนำเสนอนี้จัดทำสำหรับคำขออื่น (อาจเป็นการนำมาใช้ซ้ำ) โปรดให้ผู้ถือนำเสนอใหม่"},
	"no_key_binding": {
		"The holder did not prove possession of the credential (not needed to check an issued credential).",
		"ผู้ถือไม่ได้พิสูจน์การครอบครองเอกสาร (ไม่จำเป็นสำหรับการตรวจเอกสารที่ออกแล้ว)"},

	// Token status lists.
	"status_entry_invalid": {
		"The credential's status entry is malformed, so revocation cannot be checked.",
		"รายการสถานะของเอกสารไม่ถูกต้อง จึงตรวจการเพิกถอนไม่ได้"},
	"status_unrecognised": {
		"The issuer's status list gives this credential a status this verifier does not recognise. Do not accept it.",
		"รายการสถานะของผู้ออกเอกสารระบุสถานะที่ผู้ตรวจสอบไม่รู้จัก ห้ามรับ"},

	// OpenID4VP responses.
	"response_invalid": {
		"The wallet's response is malformed.",
		"คำตอบจากกระเป๋าเอกสารมีรูปแบบไม่ถูกต้อง"},
	"vp_token_invalid": {
		"The wallet's response does not hold presentations in the expected form.",
		"คำตอบจากกระเป๋าเอกสารไม่มีการนำเสนอในรูปแบบที่กำหนด"},
	"state_mismatch": {
		"The response does not belong to this request.",
		"คำตอบนี้ไม่ใช่ของคำขอนี้"},
	"nonce_used": {
		"This request was answered already; a second response (a replay) is refused. Create a new request.",
		"คำขอนี้ได้รับคำตอบแล้ว คำตอบซ้ำ (การนำมาใช้ซ้ำ) จะถูกปฏิเสธ โปรดสร้างคำขอใหม่"},
	"request_expired": {
		"The request expired before the wallet answered. Create a new request.",
		"คำขอหมดอายุก่อนที่กระเป๋าเอกสารจะตอบ โปรดสร้างคำขอใหม่"},
	"unknown_credential_query": {
		"The wallet answered a question that was not asked.",
		"กระเป๋าเอกสารตอบคำถามที่ไม่ได้ถาม"},
	"too_many_presentations": {
		"The wallet sent several credentials where one was asked for.",
		"กระเป๋าเอกสารส่งเอกสารหลายฉบับทั้งที่ขอเพียงฉบับเดียว"},
	"format_mismatch": {
		"The wallet sent a credential in another format than the one asked for.",
		"กระเป๋าเอกสารส่งเอกสารในรูปแบบที่ไม่ได้ขอ"},
	"credential_type_mismatch": {
		"The wallet sent another kind of credential than the one asked for.",
		"กระเป๋าเอกสารส่งเอกสารคนละประเภทกับที่ขอ"},
	"claim_missing": {
		"A claim that was asked for was not disclosed. Ask the holder to present again and share it.",
		"ผู้ถือไม่ได้เปิดเผยข้อมูลที่ขอ โปรดให้ผู้ถือนำเสนอใหม่และเปิดเผยข้อมูลนั้น"},
	"claim_value_mismatch": {
		"A claim that was asked for does not have one of the accepted values.",
		"ข้อมูลที่ขอมีค่าไม่ตรงกับค่าที่ยอมรับ"},
	"credential_missing": {
		"A credential that was asked for was not presented.",
		"ผู้ถือไม่ได้นำเสนอเอกสารที่ขอ"},
	"presentation_failed": {
		"A presented credential failed verification; see its checks.",
		"เอกสารที่นำเสนอตรวจสอบไม่ผ่าน โปรดดูผลการตรวจแต่ละรายการ"},
}

func init() {
	for reason, m := range sdjwtMessages {
		if _, ok := messages[reason]; !ok { // a sentence in messages.go wins
			messages[reason] = m
		}
	}
}
