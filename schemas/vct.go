package schemas

import (
	"slices"
	"strings"
)

// VCTBase is the prefix of every SD-JWT VC type (vct) of the catalogue: a
// type's vct is VCTBase + Name. Like the schema ids it is a scheme-level
// name, the same whichever server issues the credential; every ThaiTrust
// server serves the type's metadata at /vct/<Name>.
const VCTBase = "https://thaitrust.example/vct/"

// VCT returns the SD-JWT VC type (vct) of the catalogue type name, e.g.
// "https://thaitrust.example/vct/DegreeCredential", or "" when name is not
// in the catalogue.
func VCT(name string) string {
	if !Has(name) {
		return ""
	}
	return VCTBase + name
}

// TypeForVCT returns the catalogue type whose vct is vct.
func TypeForVCT(vct string) (string, bool) {
	name, ok := strings.CutPrefix(vct, VCTBase)
	if !ok || !Has(name) {
		return "", false
	}
	return name, true
}

// Selective-disclosure rules of a claim in Type Metadata (SD-JWT VC,
// section "Claim Selective Disclosure Metadata").
const (
	SDAlways  = "always"  // the issuer always makes the claim selectively disclosable
	SDAllowed = "allowed" // the issuer may make it selectively disclosable
	SDNever   = "never"   // the issuer never makes it selectively disclosable
)

// AgeClaim is the derived claim of identity credentials that answers
// "is the holder at least N years old?" without the birth date:
// {"age_equal_or_over": {"18": true, "20": true}}, each member
// selectively disclosable.
const AgeClaim = "age_equal_or_over"

// AgeThresholds are the members of AgeClaim, in years.
var AgeThresholds = []int{18, 20}

// VCTMetadata is an SD-JWT VC Type Metadata document
// (draft-ietf-oauth-sd-jwt-vc, section "Type Metadata").
type VCTMetadata struct {
	VCT         string          `json:"vct"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Display     []VCTDisplay    `json:"display"`
	Claims      []ClaimMetadata `json:"claims"`
	// SchemaURI names the type's JSON Schema. WARNING: that schema
	// validates the VCDM 2.0 form of the credential (claims under
	// credentialSubject), not the processed claims of the SD-JWT VC.
	SchemaURI string `json:"schema_uri"`
}

// VCTDisplay is the display of a type in one locale.
type VCTDisplay struct {
	Locale      string `json:"locale"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// ClaimMetadata describes one claim of an SD-JWT VC: its path (claim
// names, and nil for every element of an array), its labels and whether
// it is selectively disclosable (SDAlways, SDNever).
type ClaimMetadata struct {
	Path    []any          `json:"path"`
	Display []ClaimDisplay `json:"display,omitempty"`
	SD      string         `json:"sd"`
}

// ClaimDisplay is the label of a claim in one locale.
type ClaimDisplay struct {
	Locale string `json:"locale"`
	Label  string `json:"label"`
}

// SDJWTName returns the name a credentialSubject member of type typ
// takes as a claim of the SD-JWT VC. It is the member's own name except
// where JWT reserves it: a JuristicPersonCredential's "status" (the
// company's registration status) becomes "registrationStatus", since
// "status" is the status list reference; and every subject's "id"
// becomes "sub".
func SDJWTName(typ, member string) string {
	if member == "id" {
		return "sub"
	}
	if r, ok := sdjwtRenames[typ][member]; ok {
		return r
	}
	return member
}

var sdjwtRenames = map[string]map[string]string{
	"JuristicPersonCredential": {"status": "registrationStatus"},
}

// SDJWTDisclosable returns the JSON pointers, into the claims of the
// SD-JWT VC of type typ, of the selectively disclosable claims: the
// type's SelectivelyDisclosable with members renamed as SDJWTName says,
// plus each member of AgeClaim for the identity types that carry it.
// Pointers may name claims a given credential lacks.
func SDJWTDisclosable(typ string) []string {
	t, ok := find(typ)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(t.SelectivelyDisclosable)+len(AgeThresholds))
	for _, p := range t.SelectivelyDisclosable {
		first, rest, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
		q := "/" + SDJWTName(typ, first)
		if rest != "" {
			q += "/" + rest
		}
		out = append(out, q)
	}
	if HasAgeClaim(typ) {
		for _, n := range AgeThresholds {
			out = append(out, "/"+AgeClaim+"/"+itoa(n))
		}
	}
	return out
}

// HasAgeClaim reports whether SD-JWT VCs of type typ carry the derived
// AgeClaim (computed from credentialSubject.birthDate at issuance).
func HasAgeClaim(typ string) bool {
	return typ == "ThaiCitizenCredential" || typ == "ForeignerIdentityCredential"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// TypeMetadata returns the SD-JWT VC Type Metadata of the catalogue type
// name (a fresh copy): vct, names and descriptions in Thai and English,
// the schema, and a label in both languages for every claim the type's
// credentials carry at the top level and the main nested ones, with
// whether the claim is selectively disclosable (SDAlways: the issuer
// always makes it so, per SDJWTDisclosable) or not (SDNever). The
// subject's id, when a credential has one, is the claim "sub".
func TypeMetadata(name string) (VCTMetadata, bool) {
	t, ok := find(name)
	if !ok {
		return VCTMetadata{}, false
	}
	d := descriptions[name]
	m := VCTMetadata{
		VCT:         VCTBase + name,
		Name:        t.Title["en"],
		Description: d["en"],
		Display: []VCTDisplay{
			{Locale: "th", Name: t.Title["th"], Description: d["th"]},
			{Locale: "en", Name: t.Title["en"], Description: d["en"]},
		},
		SchemaURI: t.SchemaID,
	}
	sd := SDJWTDisclosable(name)
	labels := claimLabels[name]
	if !slices.ContainsFunc(labels, func(l label) bool { return l.path == "id" }) {
		labels = append([]label{{"id", "ตัวระบุเจ้าของข้อมูล", "Subject identifier"}}, labels...)
	}
	for _, l := range labels {
		path := make([]any, 0, 4)
		ptr := ""
		for i, seg := range strings.Split(l.path, ".") {
			if seg == "*" {
				path = append(path, nil)
				ptr += "/*"
				continue
			}
			if i == 0 {
				seg = SDJWTName(name, seg)
			}
			path = append(path, seg)
			ptr += "/" + seg
		}
		rule := SDNever
		if slices.Contains(sd, ptr) {
			rule = SDAlways
		}
		m.Claims = append(m.Claims, ClaimMetadata{
			Path:    path,
			Display: []ClaimDisplay{{Locale: "th", Label: l.th}, {Locale: "en", Label: l.en}},
			SD:      rule,
		})
	}
	return m, true
}

// label is one claim's path (dot-separated; "*" for every array element;
// the first segment is the credentialSubject member's own name) and its
// Thai and English labels.
type label struct{ path, th, en string }

var descriptions = map[string]map[string]string{
	"ThaiCitizenCredential": {
		"th": "ข้อมูลตามบัตรประจำตัวประชาชนของผู้มีสัญชาติไทย ออกโดยกรมการปกครอง",
		"en": "The identity of a Thai national as on their identity card, issued by the Department of Provincial Administration.",
	},
	"HouseRegistrationCredential": {
		"th": "ข้อมูลทะเบียนบ้าน (ท.ร.14): ที่อยู่ เจ้าบ้าน และผู้อาศัยในบ้าน",
		"en": "A house registration (Tor.Ror. 14): the address, the householder and the residents.",
	},
	"JuristicPersonCredential": {
		"th": "หนังสือรับรองการจดทะเบียนนิติบุคคล ออกโดยกรมพัฒนาธุรกิจการค้า",
		"en": "A certificate of registration of a juristic person, issued by the Department of Business Development.",
	},
	"DirectorAuthorityCredential": {
		"th": "รับรองว่ากรรมการผู้นี้มีอำนาจลงนามแทนนิติบุคคลตามเงื่อนไขที่จดทะเบียนไว้",
		"en": "Attests that a director may sign for a juristic person under its registered signing rule.",
	},
	"DelegationCredential": {
		"th": "หนังสือมอบอำนาจให้ผู้รับมอบอำนาจกระทำการแทนผู้มอบอำนาจภายในขอบเขตที่กำหนด",
		"en": "A power of attorney: the grantee may act for the grantor within the stated scope.",
	},
	"DegreeCredential": {
		"th": "ปริญญาบัตรที่สถาบันอุดมศึกษามอบให้ผู้สำเร็จการศึกษา",
		"en": "A degree conferred on a graduate by a higher-education institution.",
	},
	"TranscriptCredential": {
		"th": "ใบแสดงผลการศึกษารายภาคการศึกษาและผลการศึกษาโดยสรุป",
		"en": "An academic transcript: results by term and the overall summary.",
	},
	"ForeignerIdentityCredential": {
		"th": "ข้อมูลตัวตนของคนต่างด้าวที่อยู่ในประเทศไทย: หนังสือเดินทาง การอนุญาตให้อยู่ และใบอนุญาตทำงาน",
		"en": "The identity of a foreign national in Thailand: passport, permission to stay and work permit.",
	},
	"AccreditationCredential": {
		"th": "การรับรองจากผู้ดูแลกรอบความน่าเชื่อถือว่าหน่วยงานนี้ออกเอกสารประเภทที่ระบุได้",
		"en": "Accreditation by the trust-scheme operator of an organisation to issue the stated credential types.",
	},
	"IdPAccreditationCredential": {
		"th": "การรับรองผู้ให้บริการยืนยันตัวตนดิจิทัลที่ระดับความน่าเชื่อถือสูงสุดที่ระบุ",
		"en": "Accreditation of a digital identity provider up to the stated assurance levels.",
	},
}

// Label fragments shared by several types.

// nameLabels labels a natural person's name at prefix (name.th.given,
// ...).
func nameLabels(prefix, th, en string) []label {
	return []label{
		{prefix, th, en},
		{prefix + ".th", th + " (ภาษาไทย)", en + " in Thai"},
		{prefix + ".th.title", "คำนำหน้าชื่อ", "Title"},
		{prefix + ".th.given", "ชื่อ", "Given name"},
		{prefix + ".th.family", "นามสกุล", "Family name"},
		{prefix + ".en", th + " (ภาษาอังกฤษ)", en + " in English"},
		{prefix + ".en.title", "คำนำหน้าชื่อ (ภาษาอังกฤษ)", "Title in English"},
		{prefix + ".en.given", "ชื่อ (ภาษาอังกฤษ)", "Given name in English"},
		{prefix + ".en.middle", "ชื่อกลาง (ภาษาอังกฤษ)", "Middle name in English"},
		{prefix + ".en.family", "นามสกุล (ภาษาอังกฤษ)", "Family name in English"},
	}
}

// orgNameLabels labels an organisation's name in Thai and English.
func orgNameLabels(prefix, th, en string) []label {
	return []label{
		{prefix, th, en},
		{prefix + ".th", th + " (ภาษาไทย)", en + " in Thai"},
		{prefix + ".en", th + " (ภาษาอังกฤษ)", en + " in English"},
	}
}

func addressLabels(prefix, th, en string) []label {
	return []label{
		{prefix, th, en},
		{prefix + ".houseNumber", "บ้านเลขที่", "House number"},
		{prefix + ".moo", "หมู่ที่", "Village number (Moo)"},
		{prefix + ".village", "หมู่บ้าน", "Village"},
		{prefix + ".building", "อาคาร", "Building"},
		{prefix + ".floor", "ชั้น", "Floor"},
		{prefix + ".room", "ห้อง", "Room"},
		{prefix + ".soi", "ซอย", "Soi (lane)"},
		{prefix + ".road", "ถนน", "Road"},
		{prefix + ".subdistrict", "ตำบล/แขวง", "Subdistrict (tambon/khwaeng)"},
		{prefix + ".district", "อำเภอ/เขต", "District (amphoe/khet)"},
		{prefix + ".province", "จังหวัด", "Province"},
		{prefix + ".postalCode", "รหัสไปรษณีย์", "Postal code"},
		{prefix + ".country", "ประเทศ", "Country"},
		{prefix + ".en", th + " (ภาษาอังกฤษ)", en + " in English"},
	}
}

func birthLabels(prefix string) []label {
	return []label{
		{prefix + "birthDate", "วันเกิด", "Date of birth"},
		{prefix + "birthDateBE", "วันเกิด (พุทธศักราช)", "Date of birth (Buddhist Era)"},
		{prefix + "birthDatePrecision", "ความละเอียดของวันเกิด", "Precision of the date of birth"},
	}
}

func ageLabels() []label {
	return []label{
		{AgeClaim, "อายุถึงเกณฑ์", "Age at least"},
		{AgeClaim + ".18", "อายุ 18 ปีบริบูรณ์ขึ้นไป", "Aged 18 or over"},
		{AgeClaim + ".20", "อายุ 20 ปีบริบูรณ์ขึ้นไป", "Aged 20 or over"},
	}
}

func passportLabels(prefix string) []label {
	return []label{
		{prefix, "หนังสือเดินทาง", "Passport"},
		{prefix + ".number", "เลขที่หนังสือเดินทาง", "Passport number"},
		{prefix + ".issuingState", "ประเทศผู้ออกหนังสือเดินทาง", "Issuing state"},
		{prefix + ".issueDate", "วันออกหนังสือเดินทาง", "Date of issue"},
		{prefix + ".expiryDate", "วันหมดอายุหนังสือเดินทาง", "Date of expiry"},
	}
}

func studentLabels() []label {
	out := []label{
		{"student", "ผู้สำเร็จการศึกษา", "Student"},
		{"student.studentId", "รหัสนักศึกษา", "Student ID"},
		{"student.pid", "เลขประจำตัวประชาชน", "Personal identification number"},
		{"student.passport", "เลขที่หนังสือเดินทาง", "Passport number"},
	}
	out = append(out, nameLabels("student.name", "ชื่อ-นามสกุล", "Name")...)
	return append(out, birthLabels("student.")...)
}

func institutionLabels() []label {
	out := []label{{"institution", "สถาบันการศึกษา", "Institution"}}
	out = append(out, orgNameLabels("institution.name", "ชื่อสถาบัน", "Name of the institution")...)
	return append(out,
		label{"institution.code", "รหัสสถาบัน", "Institution code"},
		label{"institution.did", "ตัวระบุ (DID) ของสถาบัน", "Institution identifier (DID)"},
	)
}

func summaryLabels() []label {
	return []label{
		{"summary", "ผลการศึกษาโดยสรุป", "Academic summary"},
		{"summary.gpax", "เกรดเฉลี่ยสะสม", "Cumulative grade point average (GPAX)"},
		{"summary.scale", "คะแนนเต็มของเกรดเฉลี่ย", "Grade point scale"},
		{"summary.totalCredits", "หน่วยกิตสะสม", "Total credits"},
	}
}

func signingRuleLabels(prefix string) []label {
	return []label{
		{prefix, "เงื่อนไขการลงนาม", "Signing rule"},
		{prefix + ".mode", "วิธีการลงนาม", "Signing mode"},
		{prefix + ".minSigners", "จำนวนกรรมการขั้นต่ำที่ต้องลงนาม", "Minimum number of signing directors"},
		{prefix + ".eligibleDirectors", "กรรมการผู้มีอำนาจลงนาม", "Directors authorised to sign"},
		{prefix + ".sealRequired", "ต้องประทับตราสำคัญของบริษัท", "Company seal required"},
		{prefix + ".limits", "ข้อจำกัดอำนาจ", "Limits of authority"},
	}
}

func partyLabels(prefix, th, en string) []label {
	out := []label{
		{prefix, th, en},
		{prefix + ".type", "ประเภท" + th, "Type of " + strings.ToLower(en)},
		{prefix + ".juristicId", "เลขทะเบียนนิติบุคคล", "Juristic person registration number"},
		{prefix + ".pid", "เลขประจำตัวประชาชน", "Personal identification number"},
		{prefix + ".passport", "เลขที่หนังสือเดินทาง", "Passport number"},
	}
	return append(out, orgNameLabels(prefix+".name", "ชื่อ", "Name")...)
}

func concat(parts ...[]label) []label {
	var out []label
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

var claimLabels = map[string][]label{
	"ThaiCitizenCredential": concat(
		[]label{{"pid", "เลขประจำตัวประชาชน", "Personal identification number"}},
		nameLabels("name", "ชื่อ-นามสกุล", "Name"),
		birthLabels(""),
		ageLabels(),
		[]label{
			{"sex", "เพศ", "Sex"},
			{"nationality", "สัญชาติ", "Nationality"},
		},
		addressLabels("address", "ที่อยู่ตามทะเบียนบ้าน", "Registered address"),
		[]label{
			{"card", "ข้อมูลบัตรประจำตัวประชาชน", "Identity card"},
			{"card.issueDate", "วันออกบัตร", "Date of issue"},
			{"card.issueDateBE", "วันออกบัตร (พุทธศักราช)", "Date of issue (Buddhist Era)"},
			{"card.expiryDate", "วันบัตรหมดอายุ", "Date of expiry"},
			{"card.expiryDateBE", "วันบัตรหมดอายุ (พุทธศักราช)", "Date of expiry (Buddhist Era)"},
			{"card.issuingOffice", "สถานที่ออกบัตร", "Issuing office"},
			{"portrait", "ภาพถ่ายใบหน้า", "Portrait"},
			{"evidence", "หลักฐานการพิสูจน์และยืนยันตัวตน", "Identity proofing evidence"},
		},
	),
	"HouseRegistrationCredential": concat(
		[]label{
			{"houseCode", "รหัสประจำบ้าน", "House code"},
			{"registrationOffice", "สำนักทะเบียน", "Registration office"},
		},
		addressLabels("address", "ที่อยู่", "Address"),
		[]label{
			{"householdHead", "เจ้าบ้าน", "Householder"},
			{"householdHead.pid", "เลขประจำตัวประชาชนของเจ้าบ้าน", "Householder's personal identification number"},
		},
		nameLabels("householdHead.name", "ชื่อเจ้าบ้าน", "Householder's name"),
		[]label{
			{"residents", "ผู้อาศัยในบ้าน", "Residents"},
			{"residents.*.pid", "เลขประจำตัวประชาชน", "Personal identification number"},
			{"residents.*.name", "ชื่อ-นามสกุล", "Name"},
			{"residents.*.status", "สถานภาพในบ้าน", "Status in the household"},
			{"residents.*.sex", "เพศ", "Sex"},
			{"residents.*.birthDate", "วันเกิด", "Date of birth"},
			{"residents.*.moveInDate", "วันที่ย้ายเข้า", "Date moved in"},
			{"asOf", "ข้อมูล ณ วันที่", "Data as of"},
		},
	),
	"JuristicPersonCredential": concat(
		[]label{
			{"juristicId", "เลขทะเบียนนิติบุคคล", "Juristic person registration number"},
		},
		orgNameLabels("name", "ชื่อนิติบุคคล", "Registered name"),
		[]label{
			{"entityType", "ประเภทนิติบุคคล", "Type of entity"},
			{"registrationDate", "วันที่จดทะเบียน", "Date of registration"},
			{"registrationDateBE", "วันที่จดทะเบียน (พุทธศักราช)", "Date of registration (Buddhist Era)"},
			{"status", "สถานะนิติบุคคล", "Registration status"},
			{"registeredCapital", "ทุนจดทะเบียน", "Registered capital"},
			{"registeredCapital.amount", "จำนวนเงินทุนจดทะเบียน", "Amount"},
			{"registeredCapital.currency", "สกุลเงิน", "Currency"},
		},
		addressLabels("headOffice", "ที่ตั้งสำนักงานใหญ่", "Head office"),
		[]label{
			{"directors", "รายชื่อกรรมการ", "Directors"},
			{"directors.*.name", "ชื่อกรรมการ", "Director's name"},
			{"signingAuthorityText", "อำนาจกรรมการ", "Directors' signing authority"},
		},
		signingRuleLabels("signingRule"),
		[]label{{"asOf", "ข้อมูล ณ วันที่", "Data as of"}},
	),
	"DirectorAuthorityCredential": concat(
		[]label{{"juristicId", "เลขทะเบียนนิติบุคคล", "Juristic person registration number"}},
		orgNameLabels("juristicName", "ชื่อนิติบุคคล", "Registered name"),
		[]label{
			{"director", "กรรมการ", "Director"},
			{"director.pid", "เลขประจำตัวประชาชนของกรรมการ", "Director's personal identification number"},
			{"director.passport", "เลขที่หนังสือเดินทางของกรรมการ", "Director's passport number"},
		},
		nameLabels("director.name", "ชื่อกรรมการ", "Director's name"),
		orgNameLabels("director.position", "ตำแหน่ง", "Position"),
		signingRuleLabels("signingRule"),
		[]label{{"asOf", "ข้อมูล ณ วันที่", "Data as of"}},
	),
	"DelegationCredential": concat(
		partyLabels("grantor", "ผู้มอบอำนาจ", "Grantor"),
		[]label{
			{"executedBy", "ผู้ลงนามแทนผู้มอบอำนาจ", "Signed for the grantor by"},
			{"executedBy.*.pid", "เลขประจำตัวประชาชนของผู้ลงนาม", "Signer's personal identification number"},
			{"executedBy.*.name", "ชื่อผู้ลงนาม", "Signer's name"},
			{"executedBy.*.authorityCredential", "หนังสือรับรองอำนาจกรรมการที่ใช้", "Director authority relied on"},
		},
		partyLabels("grantee", "ผู้รับมอบอำนาจ", "Grantee"),
		[]label{
			{"scope", "ขอบเขตการมอบอำนาจ", "Scope of authority"},
			{"scope.actions", "การกระทำที่มอบอำนาจ", "Authorised actions"},
			{"scope.relyingParties", "หน่วยงานที่ใช้หนังสือมอบอำนาจได้", "Where it may be used"},
			{"scope.amountLimit", "วงเงินสูงสุด", "Amount limit"},
			{"purpose", "วัตถุประสงค์", "Purpose"},
			{"maxUses", "จำนวนครั้งที่ใช้ได้สูงสุด", "Maximum number of uses"},
			{"subDelegation", "การมอบอำนาจช่วง", "Sub-delegation"},
			{"subDelegation.allowed", "อนุญาตให้มอบอำนาจช่วง", "Sub-delegation allowed"},
			{"parent", "หนังสือมอบอำนาจต้นทาง", "Parent power of attorney"},
		},
	),
	"DegreeCredential": concat(
		studentLabels(),
		institutionLabels(),
		[]label{
			{"award", "ปริญญา", "Degree awarded"},
			{"award.name", "ชื่อปริญญา", "Degree"},
			{"award.name.th", "ชื่อปริญญา (ภาษาไทย)", "Degree in Thai"},
			{"award.name.en", "ชื่อปริญญา (ภาษาอังกฤษ)", "Degree in English"},
			{"award.abbreviation", "อักษรย่อปริญญา", "Abbreviation"},
			{"award.major", "สาขาวิชา", "Major"},
			{"award.faculty", "คณะ", "Faculty"},
			{"award.level", "ระดับการศึกษา", "Level"},
			{"award.conferralDate", "วันที่อนุมัติปริญญา", "Date of conferral"},
			{"award.conferralDateBE", "วันที่อนุมัติปริญญา (พุทธศักราช)", "Date of conferral (Buddhist Era)"},
			{"award.honours", "เกียรตินิยม", "Honours"},
		},
		summaryLabels(),
	),
	"TranscriptCredential": concat(
		studentLabels(),
		institutionLabels(),
		[]label{{"award", "ปริญญา", "Degree awarded"}},
		summaryLabels(),
		[]label{
			{"terms", "ผลการศึกษารายภาค", "Results by term"},
			{"terms.*.academicYearBE", "ปีการศึกษา (พุทธศักราช)", "Academic year (Buddhist Era)"},
			{"terms.*.semester", "ภาคการศึกษา", "Semester"},
			{"terms.*.gpa", "เกรดเฉลี่ยประจำภาค", "Term grade point average"},
			{"terms.*.courses", "รายวิชา", "Courses"},
		},
	),
	"ForeignerIdentityCredential": concat(
		[]label{{"pid", "เลขประจำตัว 13 หลัก", "13-digit identification number"}},
		nameLabels("name", "ชื่อ-นามสกุล", "Name"),
		birthLabels(""),
		ageLabels(),
		[]label{
			{"sex", "เพศ", "Sex"},
			{"nationality", "สัญชาติ", "Nationality"},
		},
		passportLabels("passport"),
		[]label{
			{"permitToStay", "การอนุญาตให้อยู่ในราชอาณาจักร", "Permission to stay"},
			{"permitToStay.visaType", "ประเภทการตรวจลงตรา (วีซ่า)", "Visa type"},
			{"permitToStay.entryDate", "วันที่เดินทางเข้า", "Date of entry"},
			{"permitToStay.expiryDate", "อนุญาตให้อยู่ถึงวันที่", "Permitted to stay until"},
			{"workPermit", "ใบอนุญาตทำงาน", "Work permit"},
			{"workPermit.number", "เลขที่ใบอนุญาตทำงาน", "Work permit number"},
			{"workPermit.employer", "นายจ้าง", "Employer"},
			{"workPermit.occupation", "ตำแหน่งงาน", "Occupation"},
			{"workPermit.expiryDate", "วันใบอนุญาตทำงานหมดอายุ", "Date of expiry of the work permit"},
		},
		addressLabels("address", "ที่อยู่ในประเทศไทย", "Address in Thailand"),
		[]label{
			{"portrait", "ภาพถ่ายใบหน้า", "Portrait"},
			{"evidence", "หลักฐานการพิสูจน์และยืนยันตัวตน", "Identity proofing evidence"},
		},
	),
	"AccreditationCredential": concat(
		[]label{{"id", "ตัวระบุ (DID) ของผู้ได้รับการรับรอง", "Identifier (DID) of the accredited organisation"}},
		orgNameLabels("name", "ชื่อผู้ได้รับการรับรอง", "Name of the accredited organisation"),
		[]label{
			{"juristicId", "เลขทะเบียนนิติบุคคล", "Juristic person registration number"},
			{"role", "บทบาท", "Role"},
			{"accreditedFor", "ขอบเขตการรับรอง", "Accredited for"},
			{"accreditedFor.*.credentialType", "ประเภทเอกสาร", "Credential type"},
			{"accreditedFor.*.schemaId", "โครงสร้างข้อมูล (schema)", "Schema"},
			{"accreditedFor.*.jurisdiction", "เขตอำนาจ", "Jurisdiction"},
			{"parent", "การรับรองต้นทาง", "Parent accreditation"},
			{"registryEntry", "รายการในทะเบียนความน่าเชื่อถือ", "Trust registry entry"},
		},
	),
	"IdPAccreditationCredential": concat(
		[]label{{"id", "ตัวระบุ (DID) ของผู้ให้บริการ", "Identifier (DID) of the identity provider"}},
		orgNameLabels("name", "ชื่อผู้ให้บริการ", "Name of the identity provider"),
		[]label{
			{"juristicId", "เลขทะเบียนนิติบุคคล", "Juristic person registration number"},
			{"idpType", "ประเภทผู้ให้บริการยืนยันตัวตน", "Type of identity provider"},
			{"maxIal", "ระดับความน่าเชื่อถือของการพิสูจน์ตัวตนสูงสุด (IAL)", "Maximum identity assurance level (IAL)"},
			{"maxAal", "ระดับความน่าเชื่อถือของการยืนยันตัวตนสูงสุด (AAL)", "Maximum authenticator assurance level (AAL)"},
			{"proofingMethods", "วิธีการพิสูจน์ตัวตน", "Identity proofing methods"},
			{"ndidNodeId", "รหัสโหนด NDID", "NDID node ID"},
			{"jurisdiction", "เขตอำนาจ", "Jurisdiction"},
			{"registryEntry", "รายการในทะเบียนความน่าเชื่อถือ", "Trust registry entry"},
		},
	),
}
