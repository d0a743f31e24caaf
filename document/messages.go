package document

// messages are the sentences a person reads about a document reason, in
// English and Thai. Reason codes are stable API; sentences may improve.
var messages = map[string][2]string{
	"pdf_malformed":             {"This is not a readable PDF document. Ask the sender for the original file.", "ไม่สามารถอ่านไฟล์ PDF นี้ได้ โปรดขอไฟล์ต้นฉบับจากผู้ส่ง"},
	"pdf_not_pdfa":              {"This PDF is not a ThaiTrust PDF/A-3 e-certificate.", "ไฟล์ PDF นี้ไม่ใช่เอกสารอิเล็กทรอนิกส์ PDF/A-3 ของ ThaiTrust"},
	"pdf_no_credential":         {"The PDF carries no verifiable credential, so its contents cannot be checked.", "ไฟล์ PDF ไม่มีข้อมูลเอกสารดิจิทัลที่ตรวจสอบได้แนบมา จึงตรวจเนื้อหาไม่ได้"},
	"pdf_not_signed":            {"The PDF is not signed. Do not accept it.", "ไฟล์ PDF ไม่ได้ลงลายมือชื่อดิจิทัล ห้ามรับ"},
	"pdf_several_signatures":    {"The PDF has several signatures; only documents with one issuer signature are accepted.", "ไฟล์ PDF มีลายมือชื่อหลายรายการ ระบบรับเฉพาะเอกสารที่มีลายมือชื่อของผู้ออกเอกสารรายการเดียว"},
	"pdf_signature_profile":     {"The PDF signature is not a PAdES baseline signature.", "ลายมือชื่อในไฟล์ PDF ไม่เป็นไปตามมาตรฐาน PAdES"},
	"pdf_byte_range":            {"The signature does not cover the document as it claims. Do not accept it.", "ลายมือชื่อไม่ครอบคลุมเอกสารตามที่ระบุ ห้ามรับ"},
	"pdf_modified":              {"The document was changed after it was signed. Do not accept it.", "เอกสารถูกแก้ไขหลังจากลงลายมือชื่อ ห้ามรับ"},
	"pdf_bad_signature":         {"The document's signature is not valid. Do not accept it.", "ลายมือชื่อของเอกสารไม่ถูกต้อง ห้ามรับ"},
	"pdf_signer_untrusted":      {"The document was not signed with a certificate from a trusted issuer.", "เอกสารไม่ได้ลงนามด้วยใบรับรองของผู้ออกเอกสารที่เชื่อถือได้"},
	"pdf_signer_revoked":        {"The signer's certificate had been revoked when the document was signed. Do not accept it.", "ใบรับรองของผู้ลงนามถูกเพิกถอนแล้วในขณะลงนาม ห้ามรับ"},
	"pdf_timestamp_invalid":     {"The document's signature timestamp is not valid.", "ตราประทับเวลาของลายมือชื่อไม่ถูกต้อง"},
	"pdf_changed_after_signing": {"Content was added to the document after it was signed. Do not accept it; ask for the original.", "มีการเพิ่มเนื้อหาในเอกสารหลังจากลงลายมือชื่อ ห้ามรับ โปรดขอฉบับต้นฉบับ"},
	"pdf_credential_mismatch":   {"The credential inside the PDF is not the one the document was made from. Do not accept it.", "ข้อมูลเอกสารดิจิทัลที่แนบในไฟล์ไม่ตรงกับเอกสารที่แสดง ห้ามรับ"},
	"pdf_qr_mismatch":           {"The QR code does not match the credential inside the PDF. Do not accept it.", "คิวอาร์โค้ดไม่ตรงกับข้อมูลเอกสารดิจิทัลที่แนบในไฟล์ ห้ามรับ"},
	"pdf_signer_not_issuer":     {"The document was not signed by the issuer of the credential it carries. Do not accept it.", "เอกสารไม่ได้ลงนามโดยผู้ออกเอกสารดิจิทัลที่แนบมา ห้ามรับ"},
	"pdf_no_timestamp":          {"The signature has no timestamp, so when it was made is not proven.", "ลายมือชื่อไม่มีตราประทับเวลา จึงพิสูจน์เวลาที่ลงนามไม่ได้"},
	"pdf_no_revocation_data":    {"The document holds no revocation data for its signer's certificate.", "เอกสารไม่มีข้อมูลการเพิกถอนใบรับรองของผู้ลงนาม"},
}

// Message returns the English and Thai sentences for a document reason
// code; ok is false for reasons this package does not define (those of
// the credential verifier).
func Message(reason string) (en, th string, ok bool) {
	m, ok := messages[reason]
	return m[0], m[1], ok
}
