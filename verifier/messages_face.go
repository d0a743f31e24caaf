package verifier

// Sentences for the reason codes of face binding in OpenID4VP responses
// (package verifier/oid4vp, facebinding.go): face_binding_* for the
// response, face_attestation_<fvs reason> for an attestation rejected by
// fvs.VerifyAttestation.
var faceMessages = map[string]message{
	"face_binding_missing": {
		"This request requires a face check by the national face verification service, and none came with the credential. Ask the holder to present again and take the face check.",
		"คำขอนี้ต้องมีการตรวจใบหน้ากับบริการตรวจสอบใบหน้าของรัฐ แต่ไม่มีผลการตรวจแนบมากับเอกสาร โปรดให้ผู้ถือสำแดงใหม่และตรวจใบหน้า"},
	"face_binding_invalid": {
		"The face check results sent with the presentation are not readable.",
		"ผลการตรวจใบหน้าที่ส่งมากับเอกสารสำแดงอ่านไม่ได้"},
	"face_binding_no_subject": {
		"The credential does not show the citizen ID the face check must be compared with.",
		"เอกสารไม่แสดงเลขประจำตัวประชาชนที่ต้องใช้เทียบกับผลการตรวจใบหน้า"},
	"face_binding_no_holder_key": {
		"The key the holder proved possession of is not known here, so the face check cannot be tied to this presentation.",
		"ไม่ทราบกุญแจที่ผู้ถือใช้พิสูจน์การครอบครอง จึงผูกผลการตรวจใบหน้ากับการสำแดงครั้งนี้ไม่ได้"},
	"face_binding_unavailable": {
		"The face check could not be verified now (the trust registry or the verifier's configuration). Try again later.",
		"ยังตรวจสอบผลการตรวจใบหน้าไม่ได้ในขณะนี้ (ทะเบียนความน่าเชื่อถือหรือการตั้งค่าของผู้ตรวจสอบ) โปรดลองใหม่ภายหลัง"},

	"face_attestation_malformed": {
		"The face check result is not a well-formed attestation. Do not accept it.",
		"ผลการตรวจใบหน้าไม่อยู่ในรูปแบบที่ถูกต้อง ห้ามรับ"},
	"face_attestation_wrong_typ": {
		"The token sent as a face check result is something else. Do not accept it.",
		"ข้อมูลที่ส่งมาเป็นผลการตรวจใบหน้าไม่ใช่ผลการตรวจใบหน้า ห้ามรับ"},
	"face_attestation_untrusted_issuer": {
		"The face check was not made by a face verification service the trust registry recognises (DOPA's). Do not accept it.",
		"ผลการตรวจใบหน้าไม่ได้มาจากบริการตรวจสอบใบหน้าที่ทะเบียนความน่าเชื่อถือรับรอง (ของกรมการปกครอง) ห้ามรับ"},
	"face_attestation_kid_issuer_mismatch": {
		"The face check result is signed with a key that does not belong to the service it names. Do not accept it.",
		"ผลการตรวจใบหน้าลงนามด้วยกุญแจที่ไม่ใช่ของบริการที่ระบุ ห้ามรับ"},
	"face_attestation_key_not_found": {
		"The key that signed the face check result could not be found.",
		"หากุญแจที่ใช้ลงนามผลการตรวจใบหน้าไม่พบ"},
	"face_attestation_bad_signature": {
		"The signature of the face check result is not valid: it was altered or forged. Do not accept it.",
		"ลายมือชื่อของผลการตรวจใบหน้าไม่ถูกต้อง ผลถูกแก้ไขหรือปลอมแปลง ห้ามรับ"},
	"face_attestation_expired": {
		"The face check result has expired. Ask the holder to present again and take a new face check.",
		"ผลการตรวจใบหน้าหมดอายุแล้ว โปรดให้ผู้ถือสำแดงใหม่และตรวจใบหน้าอีกครั้ง"},
	"face_attestation_too_old": {
		"The face check was made longer ago than this verifier accepts. Ask the holder to take a new face check.",
		"การตรวจใบหน้าทำไว้นานเกินกว่าที่ผู้ตรวจสอบยอมรับ โปรดให้ผู้ถือตรวจใบหน้าใหม่"},
	"face_attestation_issued_in_future": {
		"The face check result is dated in the future. Check the clocks; do not accept it meanwhile.",
		"ผลการตรวจใบหน้าลงวันที่ในอนาคต โปรดตรวจนาฬิกาของระบบ และอย่าเพิ่งรับ"},
	"face_attestation_nonce_mismatch": {
		"The face check was made for another request: it is being replayed. Do not accept it.",
		"ผลการตรวจใบหน้าทำไว้สำหรับคำขออื่น เป็นการนำมาใช้ซ้ำ ห้ามรับ"},
	"face_attestation_holder_key_mismatch": {
		"The face check was made for another holder's key, not the one that signed this presentation. Do not accept it.",
		"ผลการตรวจใบหน้าทำไว้สำหรับกุญแจของผู้ถือรายอื่น ไม่ใช่กุญแจที่ลงนามการสำแดงนี้ ห้ามรับ"},
	"face_attestation_subject_mismatch": {
		"The face check is about another person than the credential's subject. Do not accept it.",
		"ผลการตรวจใบหน้าเป็นของบุคคลอื่น ไม่ใช่เจ้าของข้อมูลในเอกสาร ห้ามรับ"},
	"face_attestation_audience_mismatch": {
		"The face check was made for another verifier. Do not accept it.",
		"ผลการตรวจใบหน้าทำไว้สำหรับผู้ตรวจสอบรายอื่น ห้ามรับ"},
	"face_attestation_fmr_too_high": {
		"The face check was decided at a looser false-match rate than this request requires. Ask for a stricter check.",
		"ผลการตรวจใบหน้าตัดสินที่อัตราการจับคู่ผิดพลาดสูงกว่าที่คำขอนี้กำหนด โปรดขอการตรวจที่เข้มงวดกว่า"},
	"face_attestation_not_a_match": {
		"The face did not match the credential's subject.",
		"ใบหน้าไม่ตรงกับเจ้าของข้อมูลในเอกสาร"},
}

func init() {
	for reason, m := range faceMessages {
		if _, ok := messages[reason]; !ok { // a sentence in messages.go wins
			messages[reason] = m
		}
	}
}
