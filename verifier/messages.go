package verifier

// message is what a person reads about a reason, in English and Thai.
type message struct{ en, th string }

// messages maps reason codes to sentences a person can act on. Reason
// codes are stable API; the sentences may improve.
var messages = map[string]message{
	"malformed":                  {"This is not a readable credential. Ask the sender for the original file or link.", "ไม่สามารถอ่านเอกสารนี้ได้ โปรดขอไฟล์หรือลิงก์ต้นฉบับจากผู้ส่ง"},
	"unsupported_format":         {"This credential format is not supported here.", "ระบบนี้ไม่รองรับรูปแบบเอกสารนี้"},
	"invalid_credential":         {"The credential does not have the structure of a W3C Verifiable Credential.", "เอกสารไม่มีโครงสร้างตามมาตรฐาน W3C Verifiable Credential"},
	"invalid_presentation":       {"The presentation does not have the structure of a W3C Verifiable Presentation.", "เอกสารสำแดงไม่มีโครงสร้างตามมาตรฐาน W3C Verifiable Presentation"},
	"wrong_typ":                  {"The credential is declared as a different kind of token. It may have been altered or mislabelled.", "เอกสารระบุประเภทโทเค็นไม่ถูกต้อง อาจถูกแก้ไขหรือติดป้ายผิด"},
	"wrong_cty":                  {"The credential declares the wrong content type.", "เอกสารระบุประเภทเนื้อหาไม่ถูกต้อง"},
	"alg_none":                   {"The credential is not signed. Do not accept it.", "เอกสารนี้ไม่มีลายมือชื่อดิจิทัล ห้ามรับ"},
	"alg_not_allowed":            {"The credential is signed with an algorithm this verifier does not accept.", "เอกสารลงนามด้วยอัลกอริทึมที่ผู้ตรวจสอบไม่ยอมรับ"},
	"key_type_mismatch":          {"The signature does not fit the issuer's key type. Do not accept it.", "ลายมือชื่อไม่ตรงกับชนิดกุญแจของผู้ออกเอกสาร ห้ามรับ"},
	"unknown_crit":               {"The credential requires an extension this verifier does not understand.", "เอกสารกำหนดส่วนขยายที่ผู้ตรวจสอบไม่รู้จัก"},
	"kid_missing":                {"The signature does not say which key made it.", "ลายมือชื่อไม่ระบุกุญแจที่ใช้ลงนาม"},
	"kid_issuer_mismatch":        {"The credential was signed with a key that does not belong to its stated issuer. Do not accept it.", "เอกสารลงนามด้วยกุญแจที่ไม่ใช่ของผู้ออกเอกสารที่ระบุ ห้ามรับ"},
	"key_not_found":              {"The issuer's key could not be found. Try again later; if it persists, contact the issuer.", "ไม่พบกุญแจของผู้ออกเอกสาร โปรดลองใหม่ภายหลัง หากยังพบปัญหาโปรดติดต่อผู้ออกเอกสาร"},
	"bad_signature":              {"The signature is not valid: the credential was altered or not made by its issuer. Do not accept it.", "ลายมือชื่อไม่ถูกต้อง เอกสารถูกแก้ไขหรือไม่ได้ออกโดยผู้ออกเอกสารที่ระบุ ห้ามรับ"},
	"claim_mismatch":             {"The signed claims contradict the credential's contents. Do not accept it.", "ข้อมูลที่ลงนามขัดแย้งกับเนื้อหาเอกสาร ห้ามรับ"},
	"expired":                    {"The credential has expired. Ask the holder for a current one.", "เอกสารหมดอายุแล้ว โปรดขอฉบับปัจจุบันจากผู้ถือ"},
	"not_yet_valid":              {"The credential is not valid yet.", "เอกสารยังไม่ถึงวันที่มีผล"},
	"schema_invalid":             {"The credential's data does not match its type's schema.", "ข้อมูลในเอกสารไม่ตรงตามโครงสร้างที่กำหนดของเอกสารประเภทนี้"},
	"no_schema":                  {"There is no ThaiTrust schema for this credential type, so its data was not checked.", "ไม่มีโครงสร้างข้อมูลของ ThaiTrust สำหรับเอกสารประเภทนี้ จึงไม่ได้ตรวจข้อมูล"},
	"revoked":                    {"The issuer has revoked this credential. Do not accept it; ask the holder for a current one.", "ผู้ออกเอกสารได้เพิกถอนเอกสารนี้แล้ว ห้ามรับ โปรดขอฉบับปัจจุบันจากผู้ถือ"},
	"suspended":                  {"The issuer has suspended this credential. Do not accept it now; the holder should contact the issuer.", "ผู้ออกเอกสารระงับเอกสารนี้ไว้ชั่วคราว ห้ามรับในขณะนี้ ผู้ถือควรติดต่อผู้ออกเอกสาร"},
	"status_unavailable":         {"The issuer's status list could not be fetched, so revocation could not be checked. Try again later.", "ไม่สามารถดึงรายการสถานะของผู้ออกเอกสารได้ จึงตรวจการเพิกถอนไม่ได้ โปรดลองใหม่ภายหลัง"},
	"status_list_invalid":        {"The issuer's status list is not valid, so revocation could not be checked.", "รายการสถานะของผู้ออกเอกสารไม่ถูกต้อง จึงตรวจการเพิกถอนไม่ได้"},
	"status_issuer_mismatch":     {"The status list was not published by the credential's issuer.", "รายการสถานะไม่ได้เผยแพร่โดยผู้ออกเอกสาร"},
	"status_purpose_mismatch":    {"The status list has a different purpose than the credential says.", "รายการสถานะมีวัตถุประสงค์ไม่ตรงกับที่เอกสารระบุ"},
	"status_index_invalid":       {"The credential's status entry points outside the status list.", "ตำแหน่งสถานะของเอกสารอยู่นอกรายการสถานะ"},
	"status_type_unsupported":    {"The credential uses a status mechanism this verifier does not support.", "เอกสารใช้กลไกสถานะที่ผู้ตรวจสอบไม่รองรับ"},
	"status_purpose_unsupported": {"The credential uses a status purpose this verifier does not support.", "เอกสารใช้วัตถุประสงค์สถานะที่ผู้ตรวจสอบไม่รองรับ"},
	"status_not_checked":         {"Revocation was not checked (offline mode).", "ไม่ได้ตรวจสถานะการเพิกถอน (โหมดออฟไลน์)"},
	"no_status":                  {"The credential has no status entry; it cannot be revoked.", "เอกสารไม่มีรายการสถานะ จึงไม่สามารถเพิกถอนได้"},
	"untrusted_issuer":           {"The issuer is not trusted to issue this kind of credential.", "ผู้ออกเอกสารไม่ได้รับความเชื่อถือให้ออกเอกสารประเภทนี้"},
	"type_not_trusted":           {"This verifier does not accept this kind of credential from any issuer.", "ผู้ตรวจสอบไม่รับเอกสารประเภทนี้จากผู้ออกรายใด"},
	"trust_unavailable":          {"The trust registry could not be consulted. Try again later.", "ไม่สามารถตรวจสอบกับทะเบียนความน่าเชื่อถือได้ โปรดลองใหม่ภายหลัง"},
	"holder_missing":             {"The presentation does not name its holder, so its signature cannot be checked.", "เอกสารสำแดงไม่ระบุผู้ถือ จึงตรวจลายมือชื่อไม่ได้"},
	"presentation_unsecured":     {"The presentation is not signed by its holder, so the holder is not authenticated.", "เอกสารสำแดงไม่ได้ลงนามโดยผู้ถือ จึงยืนยันตัวผู้ถือไม่ได้"},
	"nonce_mismatch":             {"The presentation was made for another request (possible replay). Ask the holder to present again.", "เอกสารสำแดงจัดทำสำหรับคำขออื่น (อาจเป็นการนำมาใช้ซ้ำ) โปรดให้ผู้ถือสำแดงใหม่"},
	"audience_mismatch":          {"The presentation was made for another verifier.", "เอกสารสำแดงจัดทำสำหรับผู้ตรวจสอบรายอื่น"},
	"no_challenge":               {"No challenge was required, so this presentation could be a replay.", "ไม่ได้กำหนดค่าท้าทาย เอกสารสำแดงนี้อาจเป็นการนำมาใช้ซ้ำ"},
	"credential_unsecured":       {"A credential in the presentation carries no proof.", "เอกสารในเอกสารสำแดงไม่มีหลักฐานการลงนาม"},
	"credential_failed":          {"At least one credential in the presentation failed verification.", "มีเอกสารอย่างน้อยหนึ่งฉบับในเอกสารสำแดงที่ตรวจสอบไม่ผ่าน"},
	"holder_not_subject":         {"The holder presenting is not the subject of a credential.", "ผู้ถือที่สำแดงไม่ใช่เจ้าของข้อมูลในเอกสาร"},
	"no_credentials":             {"The presentation contains no credentials.", "เอกสารสำแดงไม่มีเอกสารใด"},
}

// messageFor returns the sentences for a reason. Reasons of the form
// not_checked_<check> say an earlier check failed.
func messageFor(reason string) message {
	if m, ok := messages[reason]; ok {
		return m
	}
	if len(reason) > 12 && reason[:12] == "not_checked_" {
		return message{"Not checked because the " + reason[12:] + " check failed.", "ไม่ได้ตรวจ เนื่องจากการตรวจ " + reason[12:] + " ไม่ผ่าน"}
	}
	return message{"Verification failed (" + reason + ").", "การตรวจสอบไม่ผ่าน (" + reason + ")"}
}

// Message returns the English and Thai sentences for a reason code.
func Message(reason string) (en, th string) {
	m := messageFor(reason)
	return m.en, m.th
}
