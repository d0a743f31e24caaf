package verifier

// delegationMessages are the sentences of the OpenID4VP delegation
// extension (verifier/oid4vp/delegation.go). A refused chain's result
// carries the chain's own sentence (which link, which rule) as well.
var delegationMessages = map[string]message{
	"delegation_invalid": {
		"The power-of-attorney chain sent with the presentation is not readable.",
		"สายการมอบอำนาจที่ส่งมากับเอกสารสำแดงอ่านไม่ได้"},
	"delegation_missing": {
		"This request needs the power of attorney (and, where asked, the identity card) of the person acting, and it was not presented.",
		"คำขอนี้ต้องใช้หนังสือมอบอำนาจ (และบัตรประจำตัวเมื่อมีการขอ) ของผู้ดำเนินการ แต่ไม่ได้สำแดงมา"},
	"delegation_holder_mismatch": {
		"The identity card and the power of attorney were presented by different people. Do not accept them.",
		"บัตรประจำตัวและหนังสือมอบอำนาจสำแดงโดยคนละคน ห้ามรับ"},
	"delegation_refused": {
		"The power of attorney does not authorise this person to do this for the company. Do not accept it.",
		"หนังสือมอบอำนาจไม่ได้ให้อำนาจบุคคลนี้ดำเนินการเรื่องนี้แทนบริษัท ห้ามรับ"},
	"delegation_unavailable": {
		"The power-of-attorney chain could not be checked now. Try again later.",
		"ไม่สามารถตรวจสอบสายการมอบอำนาจได้ในขณะนี้ โปรดลองใหม่ภายหลัง"},
}

func init() {
	for reason, m := range delegationMessages {
		if _, ok := messages[reason]; !ok { // a sentence in messages.go wins
			messages[reason] = m
		}
	}
}
