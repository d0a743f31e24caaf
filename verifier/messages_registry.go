package verifier

// The reason codes of the trust registry (registry.Reason*), which a
// registry or a loaded trust list gives as TrustDecision.Reason when the
// issuer_trust check fails. The check's Detail (TrustDecision.Basis)
// names the accreditation that decided, or says that none was found.
var registryMessages = map[string]message{
	"unknown_issuer": {
		"The issuer is not in the trust registry: no accreditation vouches for it. Do not accept this credential.",
		"ไม่พบผู้ออกเอกสารในทะเบียนความน่าเชื่อถือ ไม่มีการรับรองใดยืนยันผู้ออกเอกสารนี้ ห้ามรับเอกสารนี้"},
	"unknown_entity": {
		"The issuer is not in the trust registry. Do not accept this credential.",
		"ไม่พบผู้ออกเอกสารในทะเบียนความน่าเชื่อถือ ห้ามรับเอกสารนี้"},
	"entity_suspended": {
		"The issuer was suspended in the trust registry when this credential was issued.",
		"ผู้ออกเอกสารถูกระงับในทะเบียนความน่าเชื่อถือ ณ เวลาที่ออกเอกสารนี้"},
	"entity_withdrawn": {
		"The issuer had been removed from the trust registry when this credential was issued. Do not accept it.",
		"ผู้ออกเอกสารถูกถอนออกจากทะเบียนความน่าเชื่อถือแล้ว ณ เวลาที่ออกเอกสารนี้ ห้ามรับ"},
	"not_accredited": {
		"The issuer holds no accreditation to issue credentials.",
		"ผู้ออกเอกสารไม่ได้รับการรับรองให้ออกเอกสารใด"},
	"type_not_accredited": {
		"The issuer is accredited, but not for this kind of credential.",
		"ผู้ออกเอกสารได้รับการรับรอง แต่ไม่ใช่สำหรับเอกสารประเภทนี้"},
	"accreditation_not_yet_valid": {
		"The credential was issued before the issuer's accreditation began.",
		"เอกสารออกก่อนวันที่การรับรองผู้ออกเอกสารมีผล"},
	"accreditation_expired": {
		"The credential was issued after the issuer's accreditation had expired.",
		"เอกสารออกหลังจากการรับรองผู้ออกเอกสารหมดอายุแล้ว"},
	"accreditation_suspended": {
		"The issuer's accreditation was suspended when this credential was issued. Do not accept it; ask the issuer.",
		"การรับรองผู้ออกเอกสารถูกระงับ ณ เวลาที่ออกเอกสารนี้ ห้ามรับ โปรดสอบถามผู้ออกเอกสาร"},
	"accreditation_withdrawn": {
		"The issuer's accreditation had been withdrawn when this credential was issued. Do not accept it.",
		"การรับรองผู้ออกเอกสารถูกเพิกถอนแล้ว ณ เวลาที่ออกเอกสารนี้ ห้ามรับ"},
	"accreditor_not_accredited": {
		"The body that accredited the issuer was not itself accredited at the time, so the chain of trust is broken.",
		"หน่วยงานที่รับรองผู้ออกเอกสารไม่ได้รับการรับรอง ณ เวลานั้น ห่วงโซ่ความน่าเชื่อถือจึงขาดตอน"},
	"authority_not_in_chain": {
		"The issuer is accredited, but not under the authority asked about.",
		"ผู้ออกเอกสารได้รับการรับรอง แต่ไม่ได้อยู่ภายใต้หน่วยงานกำกับที่ระบุ"},
	"unknown_authority": {
		"The authority asked about is not in the trust registry.",
		"ไม่พบหน่วยงานกำกับที่ระบุในทะเบียนความน่าเชื่อถือ"},
	"not_recognised": {
		"The trust registry does not recognise this authority.",
		"ทะเบียนความน่าเชื่อถือไม่ได้รับรองหน่วยงานนี้"},
	"unknown_action": {
		"The trust registry cannot answer for this action.",
		"ทะเบียนความน่าเชื่อถือไม่สามารถตอบคำถามสำหรับการดำเนินการนี้ได้"},
	"ial_below_policy": {
		"The holder's identity was proofed at a lower assurance level (IAL) than this verifier requires.",
		"ระดับความน่าเชื่อถือของการพิสูจน์ตัวตน (IAL) ต่ำกว่าที่ผู้ตรวจสอบกำหนด"},
	"aal_below_policy": {
		"The holder was authenticated at a lower assurance level (AAL) than this verifier requires.",
		"ระดับความน่าเชื่อถือของการยืนยันตัวตน (AAL) ต่ำกว่าที่ผู้ตรวจสอบกำหนด"},
	"ial_exceeds_accreditation": {
		"The identity provider claims an identity assurance level (IAL) above what it is accredited for. Do not accept it.",
		"ผู้ให้บริการยืนยันตัวตนอ้างระดับ IAL สูงกว่าที่ได้รับการรับรอง ห้ามรับ"},
	"aal_exceeds_accreditation": {
		"The identity provider claims an authentication assurance level (AAL) above what it is accredited for. Do not accept it.",
		"ผู้ให้บริการยืนยันตัวตนอ้างระดับ AAL สูงกว่าที่ได้รับการรับรอง ห้ามรับ"},
	"idp_unknown": {
		"The identity provider named in the evidence is not in the trust registry.",
		"ไม่พบผู้ให้บริการยืนยันตัวตนที่ระบุในหลักฐานในทะเบียนความน่าเชื่อถือ"},
	"idp_not_accredited": {
		"The identity provider named in the evidence is not accredited as an identity provider.",
		"ผู้ให้บริการยืนยันตัวตนที่ระบุในหลักฐานไม่ได้รับการรับรองเป็นผู้ให้บริการยืนยันตัวตน"},
}

func init() {
	for reason, m := range registryMessages {
		if _, ok := messages[reason]; !ok { // a sentence in messages.go wins
			messages[reason] = m
		}
	}
}
