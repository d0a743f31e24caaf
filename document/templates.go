package document

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
)

// page is what a template says about a credential, in Thai first and
// English second; the layout decides where it goes.
type page struct {
	TitleTH, TitleEN   string
	IssuerTH, IssuerEN string
	Sections           []section
}

type section struct {
	HeadingTH, HeadingEN string
	Rows                 []row
	Table                *table
	Text                 []string // paragraphs, each one line
}

// row is one field: a label and a value, each in Thai and English. An
// empty EN value is not printed; an EN value equal to TH is printed once.
type row struct {
	LabelTH, LabelEN string
	TH, EN           string
}

type table struct {
	Cols  []column
	Rows  [][]string
	Notes []string // lines under the table (e.g. a term's GPA)
}

type column struct {
	HeadTH, HeadEN string
	Width          float64 // share of the table width
	Right          bool
}

// template builds the page of a credential of one type.
type template func(c *credential.Credential, s obj) (*page, error)

// templates are the credential types that have a document form.
var templates = map[string]template{
	"DegreeCredential":            degree,
	"TranscriptCredential":        transcript,
	"JuristicPersonCredential":    company,
	"HouseRegistrationCredential": houseRegistration,
}

// Templates returns the credential types that can be rendered.
func Templates() []string {
	return []string{"DegreeCredential", "TranscriptCredential", "JuristicPersonCredential", "HouseRegistrationCredential"}
}

// obj reads a decoded JSON object leniently: a missing or mistyped member
// reads as empty (the schema has already been checked by the issuer).
type obj map[string]any

func (o obj) obj(k string) obj {
	m, _ := o[k].(map[string]any)
	return m
}

func (o obj) str(k string) string {
	switch v := o[k].(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case interface{ String() string }: // json.Number
		return v.String()
	case bool:
		if v {
			return "yes"
		}
		return "no"
	}
	return ""
}

func (o obj) list(k string) []obj {
	a, _ := o[k].([]any)
	out := make([]obj, 0, len(a))
	for _, e := range a {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// num formats a number member with a fixed number of decimals.
func (o obj) num(k string, decimals int) string {
	s := o.str(k)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return s
	}
	return strconv.FormatFloat(f, 'f', decimals, 64)
}

// name joins title, given and family names of a names.th / names.en object.
func name(n obj) string {
	// Thai titles are often written without a space (นายณัฐวุฒิ); the
	// space keeps the given name a word of its own for search and
	// extraction.
	var parts []string
	for _, p := range []string{n.str("title"), n.str("given"), n.str("middle"), n.str("family")} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " ")
}

var thaiMonths = [...]string{"มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน", "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม"}

// dates formats an ISO date (YYYY, YYYY-MM or YYYY-MM-DD, or an RFC 3339
// date-time) in Thai (Buddhist Era) and English.
func dates(iso string) (th, en string) {
	if t, err := time.Parse(time.RFC3339, iso); err == nil {
		t = t.In(ict)
		return fmt.Sprintf("%d %s %d", t.Day(), thaiMonths[t.Month()-1], t.Year()+543),
			t.Format("2 January 2006")
	}
	parts := strings.Split(iso, "-")
	y, err := strconv.Atoi(parts[0])
	if err != nil || len(parts) > 3 {
		return iso, iso
	}
	switch len(parts) {
	case 1:
		return "พ.ศ. " + strconv.Itoa(y+543), strconv.Itoa(y)
	case 2:
		m, err := strconv.Atoi(parts[1])
		if err != nil || m < 1 || m > 12 {
			return iso, iso
		}
		return thaiMonths[m-1] + " " + strconv.Itoa(y+543), time.Month(m).String() + " " + strconv.Itoa(y)
	}
	t, err := time.Parse(time.DateOnly, iso)
	if err != nil {
		return iso, iso
	}
	return fmt.Sprintf("%d %s %d", t.Day(), thaiMonths[t.Month()-1], t.Year()+543), t.Format("2 January 2006")
}

var ict = time.FixedZone("ICT", 7*60*60)

func dateRow(labelTH, labelEN, iso string) row {
	th, en := dates(iso)
	return row{LabelTH: labelTH, LabelEN: labelEN, TH: th, EN: en}
}

// textRow is a row whose value is a {"th", "en"} object.
func textRow(labelTH, labelEN string, v obj) row {
	return row{LabelTH: labelTH, LabelEN: labelEN, TH: v.str("th"), EN: v.str("en")}
}

func enumRow(labelTH, labelEN, v string, names map[string][2]string) row {
	if n, ok := names[v]; ok {
		return row{LabelTH: labelTH, LabelEN: labelEN, TH: n[0], EN: n[1]}
	}
	return row{LabelTH: labelTH, LabelEN: labelEN, TH: v}
}

func studentRows(st obj) []row {
	names := st.obj("name")
	rows := []row{
		{LabelTH: "ชื่อ-นามสกุล", LabelEN: "Name", TH: name(names.obj("th")), EN: name(names.obj("en"))},
	}
	if id := st.str("studentId"); id != "" {
		rows = append(rows, row{LabelTH: "รหัสประจำตัวนักศึกษา", LabelEN: "Student ID", TH: id})
	}
	if pid := st.str("pid"); pid != "" {
		rows = append(rows, row{LabelTH: "เลขประจำตัวประชาชน", LabelEN: "Citizen ID", TH: pid})
	}
	if p := st.obj("passport"); p != nil {
		rows = append(rows, row{LabelTH: "หนังสือเดินทาง", LabelEN: "Passport", TH: p.str("number") + " " + p.str("issuingState")})
	}
	if bd := st.str("birthDate"); bd != "" {
		rows = append(rows, dateRow("วันเกิด", "Date of birth", bd))
	}
	return rows
}

var levels = map[string][2]string{
	"diploma":                 {"อนุปริญญา", "Diploma"},
	"bachelor":                {"ปริญญาตรี", "Bachelor's degree"},
	"graduate_diploma":        {"ประกาศนียบัตรบัณฑิต", "Graduate diploma"},
	"master":                  {"ปริญญาโท", "Master's degree"},
	"higher_graduate_diploma": {"ประกาศนียบัตรบัณฑิตชั้นสูง", "Higher graduate diploma"},
	"doctorate":               {"ปริญญาเอก", "Doctorate"},
}

var honours = map[string][2]string{
	"first_class":  {"เกียรตินิยมอันดับหนึ่ง", "First-class honours"},
	"second_class": {"เกียรตินิยมอันดับสอง", "Second-class honours"},
}

func degree(c *credential.Credential, s obj) (*page, error) {
	inst, award := s.obj("institution"), s.obj("award")
	p := &page{TitleTH: "ปริญญาบัตร", TitleEN: "Degree Certificate",
		IssuerTH: inst.obj("name").str("th"), IssuerEN: inst.obj("name").str("en")}
	p.Sections = append(p.Sections, section{HeadingTH: "ผู้สำเร็จการศึกษา", HeadingEN: "Graduate", Rows: studentRows(s.obj("student"))})
	rows := []row{
		textRow("ปริญญา", "Degree", award.obj("name")),
		textRow("อักษรย่อ", "Abbreviation", award.obj("abbreviation")),
	}
	if m := award.obj("major"); m != nil {
		rows = append(rows, textRow("สาขาวิชา", "Major", m))
	}
	if f := award.obj("faculty"); f != nil {
		rows = append(rows, textRow("คณะ", "Faculty", f))
	}
	if l := award.str("level"); l != "" {
		rows = append(rows, enumRow("ระดับ", "Level", l, levels))
	}
	if h := award.str("honours"); h != "" {
		rows = append(rows, enumRow("เกียรตินิยม", "Honours", h, honours))
	}
	rows = append(rows, dateRow("วันที่สำเร็จการศึกษา", "Date of conferral", award.str("conferralDate")))
	if sum := s.obj("summary"); sum != nil {
		rows = append(rows, row{LabelTH: "คะแนนเฉลี่ยสะสม", LabelEN: "GPAX", TH: sum.num("gpax", 2) + " / " + sum.num("scale", 2)})
		if tc := sum.str("totalCredits"); tc != "" {
			rows = append(rows, row{LabelTH: "หน่วยกิตรวม", LabelEN: "Total credits", TH: tc})
		}
	}
	p.Sections = append(p.Sections, section{HeadingTH: "ปริญญา", HeadingEN: "Award", Rows: rows})
	return p, nil
}

var semesters = map[string][2]string{
	"1": {"ภาคการศึกษาที่ 1", "First semester"}, "2": {"ภาคการศึกษาที่ 2", "Second semester"},
	"3": {"ภาคการศึกษาที่ 3", "Third semester"}, "summer": {"ภาคฤดูร้อน", "Summer session"},
}

func transcript(c *credential.Credential, s obj) (*page, error) {
	inst := s.obj("institution")
	p := &page{TitleTH: "ใบแสดงผลการศึกษา", TitleEN: "Academic Transcript",
		IssuerTH: inst.obj("name").str("th"), IssuerEN: inst.obj("name").str("en")}
	rows := studentRows(s.obj("student"))
	if award := s.obj("award"); award != nil {
		rows = append(rows, textRow("ปริญญา", "Degree", award.obj("name")))
	}
	p.Sections = append(p.Sections, section{HeadingTH: "นักศึกษา", HeadingEN: "Student", Rows: rows})
	cols := []column{
		{HeadTH: "รหัสวิชา", HeadEN: "Code", Width: 0.14},
		{HeadTH: "รายวิชา", HeadEN: "Course", Width: 0.44},
		{HeadTH: "หน่วยกิต", HeadEN: "Credits", Width: 0.14, Right: true},
		{HeadTH: "", HeadEN: "", Width: 0.16},
		{HeadTH: "ผลการเรียน", HeadEN: "Grade", Width: 0.12, Right: true},
	}
	for _, term := range s.list("terms") {
		sem := semesters[term.str("semester")]
		if sem[0] == "" {
			sem = [2]string{"ภาคการศึกษา " + term.str("semester"), "Semester " + term.str("semester")}
		}
		year := term.str("academicYearBE")
		yearCE := year
		if y, err := strconv.Atoi(year); err == nil {
			yearCE = fmt.Sprintf("%d/%d", y-543, y-542)
		}
		t := &table{Cols: cols}
		for _, course := range term.list("courses") {
			title := course.obj("title")
			t.Rows = append(t.Rows, []string{course.str("code"), title.str("th"), course.str("credits"), course.str("creditHours"), course.str("grade")})
			t.Rows = append(t.Rows, []string{"", title.str("en"), "", "", ""})
		}
		if g := term.str("gpa"); g != "" {
			t.Notes = append(t.Notes, "ค่าระดับคะแนนเฉลี่ย / GPA "+term.num("gpa", 2))
		}
		p.Sections = append(p.Sections, section{
			HeadingTH: sem[0] + " ปีการศึกษา " + year, HeadingEN: sem[1] + ", academic year " + yearCE, Table: t,
		})
	}
	if sum := s.obj("summary"); sum != nil {
		rows := []row{{LabelTH: "คะแนนเฉลี่ยสะสม", LabelEN: "GPAX", TH: sum.num("gpax", 2) + " / " + sum.num("scale", 2)}}
		if tc := sum.str("totalCredits"); tc != "" {
			rows = append(rows, row{LabelTH: "หน่วยกิตรวม", LabelEN: "Total credits", TH: tc})
		}
		p.Sections = append(p.Sections, section{HeadingTH: "สรุปผลการศึกษา", HeadingEN: "Summary", Rows: rows})
	}
	return p, nil
}

var entityTypes = map[string][2]string{
	"company_limited":                 {"บริษัทจำกัด", "Company limited"},
	"public_company_limited":          {"บริษัทมหาชนจำกัด", "Public company limited"},
	"limited_partnership":             {"ห้างหุ้นส่วนจำกัด", "Limited partnership"},
	"registered_ordinary_partnership": {"ห้างหุ้นส่วนสามัญนิติบุคคล", "Registered ordinary partnership"},
}

var companyStatus = map[string][2]string{
	"active": {"ยังดำเนินกิจการอยู่", "Active"}, "restored": {"ฟื้นฟู", "Restored"},
	"rehabilitation": {"ฟื้นฟูกิจการ", "Under rehabilitation"}, "dissolved": {"เลิก", "Dissolved"},
	"in_liquidation": {"อยู่ระหว่างชำระบัญชี", "In liquidation"}, "liquidated": {"เสร็จการชำระบัญชี", "Liquidated"},
	"deserted": {"ร้าง", "Deserted"}, "bankrupt": {"ล้มละลาย", "Bankrupt"},
}

// address formats a Thai address in Thai and, where the English parts
// are given, in English.
func address(a obj) (th, en string) {
	var t []string
	add := func(prefix, v string) {
		if v != "" {
			t = append(t, prefix+v)
		}
	}
	bangkok := a.str("province") == "กรุงเทพมหานคร"
	add("เลขที่ ", a.str("houseNumber"))
	add("หมู่ที่ ", a.str("moo"))
	add("", a.str("village"))
	add("", a.str("building"))
	add("ชั้น ", a.str("floor"))
	add("ห้อง ", a.str("room"))
	add("ซอย", a.str("soi"))
	add("ถนน", a.str("road"))
	if bangkok {
		add("แขวง", a.str("subdistrict"))
		add("เขต", a.str("district"))
		add("", a.str("province"))
	} else {
		add("ตำบล", a.str("subdistrict"))
		add("อำเภอ", a.str("district"))
		add("จังหวัด", a.str("province"))
	}
	add("", a.str("postalCode"))
	e := a.obj("en")
	if e == nil {
		return strings.Join(t, " "), ""
	}
	var n []string
	addE := func(v string) {
		if v != "" {
			n = append(n, v)
		}
	}
	addE(a.str("houseNumber"))
	if m := a.str("moo"); m != "" {
		n = append(n, "Moo "+m)
	}
	addE(e.str("village"))
	addE(e.str("building"))
	if f := a.str("floor"); f != "" {
		n = append(n, "Floor "+f)
	}
	addE(e.str("soi"))
	if r := e.str("road"); r != "" {
		n = append(n, r+" Road")
	}
	addE(e.str("subdistrict"))
	addE(e.str("district"))
	addE(e.str("province"))
	addE(a.str("postalCode"))
	return strings.Join(t, " "), strings.Join(n, ", ")
}

func company(c *credential.Credential, s obj) (*page, error) {
	p := &page{TitleTH: "หนังสือรับรองการจดทะเบียนนิติบุคคล", TitleEN: "Juristic Person Registration Certificate"}
	p.IssuerTH, p.IssuerEN = issuerNames(c)
	rows := []row{
		{LabelTH: "เลขทะเบียนนิติบุคคล", LabelEN: "Registration number", TH: s.str("juristicId")},
		textRow("ชื่อนิติบุคคล", "Name", s.obj("name")),
		enumRow("ประเภท", "Type", s.str("entityType"), entityTypes),
		dateRow("วันที่จดทะเบียน", "Registered on", s.str("registrationDate")),
		enumRow("สถานะ", "Status", s.str("status"), companyStatus),
	}
	if cap := s.obj("registeredCapital"); cap != nil {
		amt := groupDigits(cap.num("amount", 2))
		rows = append(rows, row{LabelTH: "ทุนจดทะเบียน", LabelEN: "Registered capital", TH: amt + " บาท", EN: amt + " " + cap.str("currency")})
	}
	if ho := s.obj("headOffice"); ho != nil {
		th, en := address(ho)
		rows = append(rows, row{LabelTH: "สำนักงานใหญ่", LabelEN: "Head office", TH: th, EN: en})
	}
	if asOf := s.str("asOf"); asOf != "" {
		rows = append(rows, dateRow("ข้อมูล ณ วันที่", "As of", asOf))
	}
	p.Sections = append(p.Sections, section{HeadingTH: "ข้อมูลนิติบุคคล", HeadingEN: "Juristic person", Rows: rows})
	var dirs []row
	for i, d := range s.list("directors") {
		n := d.obj("name")
		dirs = append(dirs, row{LabelTH: fmt.Sprintf("กรรมการ %d", i+1), LabelEN: fmt.Sprintf("Director %d", i+1), TH: name(n.obj("th")), EN: name(n.obj("en"))})
	}
	if len(dirs) > 0 {
		p.Sections = append(p.Sections, section{HeadingTH: "กรรมการ", HeadingEN: "Directors", Rows: dirs})
	}
	if a := s.obj("signingAuthorityText"); a != nil {
		p.Sections = append(p.Sections, section{HeadingTH: "อำนาจกรรมการ", HeadingEN: "Signing authority", Text: []string{a.str("th"), a.str("en")}})
	}
	return p, nil
}

var residentStatus = map[string][2]string{
	"householder": {"เจ้าบ้าน", "Householder"}, "resident": {"ผู้อาศัย", "Resident"},
	"moved_out": {"ย้ายออก", "Moved out"}, "deceased": {"ตาย", "Deceased"},
}

var sexes = map[string][2]string{"male": {"ชาย", "Male"}, "female": {"หญิง", "Female"}, "not_known": {"ไม่ระบุ", "Not known"}}

func houseRegistration(c *credential.Credential, s obj) (*page, error) {
	p := &page{TitleTH: "สำเนาทะเบียนบ้าน (ท.ร.14)", TitleEN: "House Registration Copy (Tor.Ror. 14)"}
	p.IssuerTH, p.IssuerEN = issuerNames(c)
	th, en := address(s.obj("address"))
	rows := []row{
		{LabelTH: "เลขรหัสประจำบ้าน", LabelEN: "House code", TH: s.str("houseCode")},
		{LabelTH: "ที่อยู่", LabelEN: "Address", TH: th, EN: en},
		textRow("สำนักทะเบียน", "Registration office", s.obj("registrationOffice")),
	}
	if h := s.obj("householdHead"); h != nil {
		n := h.obj("name")
		rows = append(rows, row{LabelTH: "เจ้าบ้าน", LabelEN: "Head of household", TH: name(n.obj("th")), EN: name(n.obj("en"))})
	}
	if asOf := s.str("asOf"); asOf != "" {
		rows = append(rows, dateRow("ข้อมูล ณ วันที่", "As of", asOf))
	}
	p.Sections = append(p.Sections, section{HeadingTH: "รายการเกี่ยวกับบ้าน", HeadingEN: "House", Rows: rows})
	t := &table{Cols: []column{
		{HeadTH: "ลำดับ", HeadEN: "No.", Width: 0.07, Right: true},
		{HeadTH: "ชื่อ-นามสกุล", HeadEN: "Name", Width: 0.31},
		{HeadTH: "เลขประจำตัวประชาชน", HeadEN: "Citizen ID", Width: 0.2},
		{HeadTH: "เพศ", HeadEN: "Sex", Width: 0.08},
		{HeadTH: "สถานภาพ", HeadEN: "Status", Width: 0.12},
		{HeadTH: "เกิด", HeadEN: "Born", Width: 0.22},
	}}
	for i, r := range s.list("residents") {
		n := r.obj("name")
		bornTH, bornEN := dates(r.str("birthDate"))
		st := residentStatus[r.str("status")]
		sx := sexes[r.str("sex")]
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), name(n.obj("th")), r.str("pid"), sx[0], st[0], bornTH})
		t.Rows = append(t.Rows, []string{"", name(n.obj("en")), "", sx[1], st[1], bornEN})
	}
	p.Sections = append(p.Sections, section{HeadingTH: "ผู้มีชื่ออยู่ในทะเบียนบ้าน", HeadingEN: "Persons registered", Table: t})
	return p, nil
}

// issuerNames reads the issuer's display names ("th" and "en" language
// values of issuer.name).
func issuerNames(c *credential.Credential) (th, en string) {
	var vals []any
	switch n := c.Issuer.Name.(type) {
	case string:
		return n, ""
	case map[string]any:
		vals = []any{n}
	case []any:
		vals = n
	}
	for _, v := range vals {
		m, _ := v.(map[string]any)
		s, _ := m["@value"].(string)
		switch m["@language"] {
		case "th":
			th = s
		case "en":
			en = s
		}
	}
	if th == "" {
		th = en
	}
	return th, en
}

// groupDigits puts thousands separators into a decimal number string and
// drops a ".00" fraction.
func groupDigits(s string) string {
	s = strings.TrimSuffix(s, ".00")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	neg := strings.HasPrefix(intPart, "-")
	intPart = strings.TrimPrefix(intPart, "-")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if neg {
		out = "-" + out
	}
	if hasFrac {
		out += "." + frac
	}
	return out
}
