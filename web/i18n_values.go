package web

// Labels of the catalogue schemas' enumerated values, as the result
// page shows them ("value.<value>"). A value without one shows as it is.
func init() {
	addDict(map[string]entry{
		// Member names the type metadata and the wallet's built-in labels
		// leave unnamed ("claim.<member>").
		"claim.amount":                          {"จำนวนเงิน", "amount"},
		"claim.currency":                        {"สกุลเงิน", "currency"},
		"claim.actions":                         {"การกระทำ", "actions"},
		"claim.relyingParties":                  {"หน่วยงานที่รับ", "relying parties"},
		"value.diploma":                         {"อนุปริญญา", "diploma"},
		"value.bachelor":                        {"ปริญญาตรี", "bachelor's degree"},
		"value.graduate_diploma":                {"ประกาศนียบัตรบัณฑิต", "graduate diploma"},
		"value.master":                          {"ปริญญาโท", "master's degree"},
		"value.higher_graduate_diploma":         {"ประกาศนียบัตรบัณฑิตชั้นสูง", "higher graduate diploma"},
		"value.doctorate":                       {"ปริญญาเอก", "doctorate"},
		"value.first_class":                     {"เกียรตินิยมอันดับหนึ่ง", "first-class honours"},
		"value.second_class":                    {"เกียรตินิยมอันดับสอง", "second-class honours"},
		"value.day":                             {"ทราบวันที่", "exact day"},
		"value.month":                           {"ทราบเพียงเดือนและปี", "month and year only"},
		"value.year":                            {"ทราบเพียงปี", "year only"},
		"value.male":                            {"ชาย", "male"},
		"value.female":                          {"หญิง", "female"},
		"value.not_known":                       {"ไม่ทราบ", "not known"},
		"value.alone":                           {"ลงนามคนเดียวได้", "may sign alone"},
		"value.jointly":                         {"ต้องลงนามร่วมกัน", "must sign jointly"},
		"value.company_limited":                 {"บริษัทจำกัด", "company limited"},
		"value.public_company_limited":          {"บริษัทมหาชนจำกัด", "public company limited"},
		"value.limited_partnership":             {"ห้างหุ้นส่วนจำกัด", "limited partnership"},
		"value.registered_ordinary_partnership": {"ห้างหุ้นส่วนสามัญนิติบุคคล", "registered ordinary partnership"},
		"value.householder":                     {"เจ้าบ้าน", "householder"},
		"value.resident":                        {"ผู้อาศัย", "resident"},
		"value.moved_out":                       {"ย้ายออก", "moved out"},
		"value.deceased":                        {"เสียชีวิต", "deceased"},
		"value.JuristicPerson":                  {"นิติบุคคล", "juristic person"},
		"value.NaturalPerson":                   {"บุคคลธรรมดา", "natural person"},
		"value.dopa_card_check":                 {"ตรวจบัตรกับกรมการปกครอง", "DOPA card check"},
		"value.dopa_fvs":                        {"เทียบใบหน้ากับกรมการปกครอง (FVS)", "DOPA face verification (FVS)"},
		"value.dip_chip_f2f":                    {"เสียบบัตรแบบพบหน้า", "chip card, face to face"},
		"value.epassport_nfc":                   {"อ่านชิปหนังสือเดินทาง", "e-passport chip (NFC)"},
		"value.match":                           {"ตรงกัน", "match"},
		"value.no_match":                        {"ไม่ตรงกัน", "no match"},
	})
}
