package web

func init() {
	addDict(map[string]entry{
		"verify.title":          {"ตรวจสอบเอกสารรับรองดิจิทัล", "Verify a digital credential"},
		"verify.lead":           {"วางไฟล์ เลือกไฟล์ หรือวางโทเค็น เพื่อดูว่าเอกสารถูกต้อง ยังไม่ถูกเพิกถอน และออกโดยหน่วยงานที่ได้รับการรับรองหรือไม่", "Drop or choose a file, or paste a token, to see whether a credential is genuine, not revoked, and issued by an accredited organisation."},
		"verify.fromqr":         {"คุณมาจากคิวอาร์โค้ดบนเอกสาร PDF โปรดวางหรือเลือกไฟล์ PDF ฉบับนั้นเพื่อตรวจสอบ", "You came from the QR code of a PDF document. Drop or choose that PDF file to verify it."},
		"verify.file.h":         {"ตรวจสอบไฟล์", "Check a file"},
		"verify.file.drop":      {"ลากไฟล์มาวางที่นี่", "Drop a file here"},
		"verify.file.label":     {"หรือเลือกไฟล์", "or choose a file"},
		"verify.file.hint":      {"PDF ใบรับรองอิเล็กทรอนิกส์ หรือไฟล์โทเค็น vc+jwt / SD-JWT VC", "a PDF e-certificate, or a vc+jwt / SD-JWT VC token file"},
		"verify.file.submit":    {"ตรวจสอบไฟล์", "Verify the file"},
		"verify.paste.h":        {"วางโทเค็น", "Paste a token"},
		"verify.paste.label":    {"โทเค็นของเอกสาร", "The credential token"},
		"verify.paste.hint":     {"vc+jwt (eyJ...), SD-JWT VC (มีเครื่องหมาย ~) หรือ data: URL", "vc+jwt (eyJ...), SD-JWT VC (with ~ separators) or a data: URL"},
		"verify.paste.submit":   {"ตรวจสอบ", "Verify"},
		"verify.request.h":      {"ขอเอกสารจากกระเป๋าเอกสารดิจิทัล", "Ask a wallet for a credential"},
		"verify.request.lead":   {"สร้างคำขอ OpenID4VP แล้วให้ผู้ถือสแกนคิวอาร์โค้ดด้วยกระเป๋าเอกสารดิจิทัล ผลจะแสดงที่นี่เมื่อผู้ถือตอบกลับ", "Create an OpenID4VP request and let the holder scan its QR code with their wallet. The result shows here when they answer."},
		"verify.request.submit": {"เริ่มคำขอ", "Start a request"},
	})
}
