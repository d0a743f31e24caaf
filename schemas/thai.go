package schemas

import (
	"fmt"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Reason codes reported by the Thai validators (and, through the custom
// schema formats, by Validate).
const (
	ReasonCitizenIDSyntax     = "thai_citizen_id_syntax"      // not 13 ASCII digits, or all zeros
	ReasonCitizenIDPersonType = "thai_citizen_id_person_type" // first digit is not a person type 0-8
	ReasonCitizenIDChecksum   = "thai_citizen_id_checksum"    // mod-11 check digit does not match
	ReasonJuristicIDSyntax    = "thai_juristic_id_syntax"     // not 13 ASCII digits, or all zeros
	ReasonJuristicIDChecksum  = "thai_juristic_id_checksum"   // mod-11 check digit does not match
	ReasonBEDate              = "be_date"                     // not a possible YYYYMMDD Buddhist-Era date
	ReasonBEDateMismatch      = "be_date_mismatch"            // BE value disagrees with its CE value or precision
	ReasonNotNFC              = "not_nfc"                     // text is not in Unicode Normalization Form C
	ReasonControlCharacter    = "control_character"           // text holds a control character
	ReasonBlank               = "blank"                       // text is empty or only white space
	ReasonNotThaiScript       = "not_thai_script"             // Thai text holds no Thai letter
	ReasonThaiName            = "thai_name"                   // a Thai name part holds characters other than Thai letters, space, '.', '-'
	ReasonLatinName           = "latin_name"                  // a Latin name part holds characters other than Latin letters, space, hyphen, apostrophe, period
)

// ValidCitizenID checks a 13-digit Thai personal identification number
// (เลขประจำตัวประชาชน): 13 ASCII digits, a first digit that is a known person
// type (0-8), and the check digit (11 - (Σ d[i]·(13-i), i=0..11) mod 11) mod 10.
// The all-zero number is rejected. The error is a *ValidationError with an
// empty Field; errors.Is(err, ErrInvalid) holds.
func ValidCitizenID(s string) error { return problem(citizenIDProblem(s)) }

// problem returns a *ValidationError for a non-empty reason, else nil.
func problem(reason, msg string) error {
	if reason == "" {
		return nil
	}
	return &ValidationError{Reason: reason, Msg: msg}
}

// The xProblem functions are the checks behind the exported validators
// and the custom schema formats: they return the reason and message of
// the first problem, or empty strings, and never allocate (Validate runs
// them on every credential).

func citizenIDProblem(s string) (reason, msg string) {
	if !thirteenDigits(s) {
		return ReasonCitizenIDSyntax, "a Thai citizen ID is 13 digits"
	}
	if s[0] == '9' {
		return ReasonCitizenIDPersonType, "the first digit of a Thai citizen ID is a person type 0-8"
	}
	if s == "0000000000000" {
		return ReasonCitizenIDSyntax, "the all-zero citizen ID is not issued"
	}
	if !mod11OK(s) {
		return ReasonCitizenIDChecksum, "the check digit of the Thai citizen ID does not match"
	}
	return "", ""
}

// ValidJuristicID checks a 13-digit Thai juristic person registration number
// (เลขทะเบียนนิติบุคคล, also the tax ID): 13 ASCII digits with the same mod-11
// check digit as citizen IDs. The all-zero number is rejected. The error is a
// *ValidationError with an empty Field; errors.Is(err, ErrInvalid) holds.
func ValidJuristicID(s string) error { return problem(juristicIDProblem(s)) }

func juristicIDProblem(s string) (reason, msg string) {
	if !thirteenDigits(s) || s == "0000000000000" {
		return ReasonJuristicIDSyntax, "a juristic person registration number is 13 digits"
	}
	if !mod11OK(s) {
		return ReasonJuristicIDChecksum, "the check digit of the juristic person registration number does not match"
	}
	return "", ""
}

func thirteenDigits(s string) bool {
	if len(s) != 13 {
		return false
	}
	for i := 0; i < 13; i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// mod11OK reports whether the 13th digit of s (13 ASCII digits) is the
// mod-11 check digit of the first 12.
func mod11OK(s string) bool {
	sum := 0
	for i := 0; i < 12; i++ {
		sum += int(s[i]-'0') * (13 - i)
	}
	return int(s[12]-'0') == (11-sum%11)%10
}

// Precision says which parts of a date are known.
type Precision string

// Date precisions, as used in the "...Precision" members of credentials.
const (
	PrecisionDay   Precision = "day"   // year, month and day known
	PrecisionMonth Precision = "month" // year and month known, day unknown
	PrecisionYear  Precision = "year"  // only the year known
)

// BEDate is a Buddhist-Era date as written on Thai ID cards, converted to
// the Common Era.
type BEDate struct {
	// Time is midnight UTC of the first day the date can denote: unknown
	// day -> the 1st, unknown month -> January.
	Time time.Time
	// ISO is the CE date in ISO 8601, reduced to the known precision:
	// "1990-08-12", "1990-08" or "1990".
	ISO string
	// Precision says which parts are known.
	Precision Precision
}

// BE returns the date in the YYYYMMDD Buddhist-Era form ParseBEDate reads,
// with 00 for an unknown day or month.
func (d BEDate) BE() string {
	y, m, day := d.Time.Date()
	switch d.Precision {
	case PrecisionYear:
		m, day = 0, 0
	case PrecisionMonth:
		day = 0
	}
	return fmt.Sprintf("%04d%02d%02d", y+beOffset, int(m), day)
}

// String returns d.ISO.
func (d BEDate) String() string { return d.ISO }

// beOffset is BE year - CE year.
const beOffset = 543

// ParseBEDate parses a Buddhist-Era date "YYYYMMDD" (BE = CE + 543) as
// written on Thai ID cards, where "00" stands for an unknown day or month.
// It rejects anything but 8 ASCII digits, impossible dates (month 13, 30
// February, 29 February of a CE year that is not a leap year), a known day
// with an unknown month, and BE years before 544 (CE year 1). On error the
// BEDate is the zero value and the error is a *ValidationError with reason
// "be_date".
func ParseBEDate(s string) (BEDate, error) {
	ce, month, day, prec, msg := parseBE(s)
	if msg != "" {
		return BEDate{}, beErr(msg)
	}
	var iso [10]byte
	n := appendISO(iso[:0], ce, month, day, prec)
	return BEDate{
		Time:      time.Date(ce, time.Month(max(month, 1)), max(day, 1), 0, 0, 0, 0, time.UTC),
		ISO:       string(n),
		Precision: prec,
	}, nil
}

// parseBE is ParseBEDate without allocating: the CE year, month (0 when
// unknown), day (0 when unknown) and precision, or a non-empty msg.
func parseBE(s string) (ce, month, day int, prec Precision, msg string) {
	if len(s) != 8 {
		return 0, 0, 0, "", "a Buddhist-Era date is 8 digits YYYYMMDD"
	}
	var n [8]int
	for i := 0; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, 0, 0, "", "a Buddhist-Era date is 8 digits YYYYMMDD"
		}
		n[i] = int(s[i] - '0')
	}
	ce = n[0]*1000 + n[1]*100 + n[2]*10 + n[3] - beOffset
	month = n[4]*10 + n[5]
	day = n[6]*10 + n[7]
	switch {
	case ce < 1:
		return 0, 0, 0, "", "the Buddhist-Era year is before CE year 1"
	case month > 12:
		return 0, 0, 0, "", "the month is not 00-12"
	case month == 0 && day != 0:
		return 0, 0, 0, "", "a day is given but the month is unknown (00)"
	case month == 0:
		return ce, 0, 0, PrecisionYear, ""
	case day == 0:
		return ce, month, 0, PrecisionMonth, ""
	case day > daysIn(ce, month):
		return 0, 0, 0, "", "the day does not exist in that month"
	}
	return ce, month, day, PrecisionDay, ""
}

// appendISO appends the ISO 8601 CE date reduced to prec.
func appendISO(b []byte, year, month, day int, prec Precision) []byte {
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10))
	if prec == PrecisionYear {
		return b
	}
	b = append(b, '-', byte('0'+month/10), byte('0'+month%10))
	if prec == PrecisionMonth {
		return b
	}
	return append(b, '-', byte('0'+day/10), byte('0'+day%10))
}

func beErr(msg string) error {
	return &ValidationError{Reason: ReasonBEDate, Msg: msg}
}

func beDateProblem(s string) (reason, msg string) {
	if _, _, _, _, msg := parseBE(s); msg != "" {
		return ReasonBEDate, msg
	}
	return "", ""
}

// daysIn returns the number of days of month (1-12) in the proleptic
// Gregorian CE year.
func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// validPartialDate checks an ISO 8601 CE calendar date reduced to the known
// precision: "YYYY", "YYYY-MM" or "YYYY-MM-DD" (year 0001-9999).
func validPartialDate(s string) error { return problem(partialDateProblem(s)) }

func partialDateProblem(s string) (reason, msg string) {
	const badReason, badMsg = "format", "not a calendar date YYYY, YYYY-MM or YYYY-MM-DD"
	if len(s) != 4 && len(s) != 7 && len(s) != 10 {
		return badReason, badMsg
	}
	num := func(t string) (int, bool) {
		v := 0
		for i := 0; i < len(t); i++ {
			if t[i] < '0' || t[i] > '9' {
				return 0, false
			}
			v = v*10 + int(t[i]-'0')
		}
		return v, true
	}
	y, ok := num(s[:4])
	if !ok || y == 0 {
		return badReason, badMsg
	}
	if len(s) == 4 {
		return "", ""
	}
	if s[4] != '-' {
		return badReason, badMsg
	}
	m, ok := num(s[5:7])
	if !ok || m < 1 || m > 12 {
		return badReason, badMsg
	}
	if len(s) == 7 {
		return "", ""
	}
	if s[7] != '-' {
		return badReason, badMsg
	}
	d, ok := num(s[8:10])
	if !ok || d < 1 || d > daysIn(y, m) {
		return badReason, badMsg
	}
	return "", ""
}

// Thai script ranges used by the text checks.
func isThaiLetter(r rune) bool { return r >= 0x0E01 && r <= 0x0E2E } // ก..ฮ

func isThaiCombining(r rune) bool {
	return r == 0x0E31 || (r >= 0x0E34 && r <= 0x0E3A) || (r >= 0x0E47 && r <= 0x0E4E)
}

// isThaiNameRune: consonants, vowels, tone marks and signs used in names
// (U+0E01-U+0E3A, U+0E40-U+0E4E); not Thai digits or the currency sign.
func isThaiNameRune(r rune) bool {
	return (r >= 0x0E01 && r <= 0x0E3A) || (r >= 0x0E40 && r <= 0x0E4E)
}

// isNFC reports whether s is in Unicode Normalization Form C. Strings made
// only of ASCII and the Thai block (the common case here) are decided
// without the normalisation tables: Thai has no canonical compositions or
// decompositions, so such a string is NFC exactly when its combining marks
// are in canonical order (combining classes: U+0E3A PHINTHU 9, U+0E38/U+0E39
// SARA U/UU 103, U+0E48-U+0E4B tone marks 107; a mark may not follow one of
// a higher class). Anything else goes to golang.org/x/text/unicode/norm.
func isNFC(s string) bool {
	prevCCC := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			prevCCC = 0
			i++
			continue
		}
		// Thai block U+0E00-U+0E7F is E0 B8 80 - E0 B9 BF in UTF-8.
		if c != 0xE0 || i+2 >= len(s) || (s[i+1] != 0xB8 && s[i+1] != 0xB9) || s[i+2]&0xC0 != 0x80 {
			return norm.NFC.IsNormalString(s)
		}
		r := rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
		ccc := 0
		switch {
		case r == 0x0E3A:
			ccc = 9
		case r == 0x0E38 || r == 0x0E39:
			ccc = 103
		case r >= 0x0E48 && r <= 0x0E4B:
			ccc = 107
		}
		if ccc != 0 && ccc < prevCCC {
			return false
		}
		prevCCC = ccc
		i += 3
	}
	return true
}

// validText checks free text: NFC, no control characters, not blank.
func validText(s string) error { return problem(textProblem(s)) }

func textProblem(s string) (reason, msg string) {
	if !isNFC(s) {
		return ReasonNotNFC, "text is not in Unicode Normalization Form C"
	}
	blank := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			if r == utf8.RuneError {
				return ReasonControlCharacter, "text holds invalid UTF-8 or U+FFFD"
			}
			return ReasonControlCharacter, "text holds a control character"
		}
		if blank && !unicode.IsSpace(r) {
			blank = false
		}
	}
	if blank {
		return ReasonBlank, "text is empty or only white space"
	}
	return "", ""
}

// validThaiText checks free text that must be written in Thai: validText
// plus at least one Thai letter. Latin letters, digits and punctuation may
// appear too ("บริษัท เอบีซี จำกัด (มหาชน)").
func validThaiText(s string) error { return problem(thaiTextProblem(s)) }

func thaiTextProblem(s string) (reason, msg string) {
	if reason, msg := textProblem(s); reason != "" {
		return reason, msg
	}
	for _, r := range s {
		if isThaiLetter(r) {
			return "", ""
		}
	}
	return ReasonNotThaiScript, "Thai text holds no Thai letter"
}

// ValidThaiName checks one part of a name written in Thai script (title,
// given, middle or family name): Unicode NFC, only Thai letters, vowels,
// tone marks and signs plus space, '.' (ranks such as พ.ต.ท.) and '-';
// starting with a Thai letter or a leading vowel (not a combining mark);
// no leading, trailing or doubled spaces. The error is a *ValidationError
// with reason "not_nfc" or "thai_name".
func ValidThaiName(s string) error { return problem(thaiNameProblem(s)) }

func thaiNameProblem(s string) (reason, msg string) {
	if !isNFC(s) {
		return ReasonNotNFC, "the name is not in Unicode Normalization Form C"
	}
	bad := func(msg string) (string, string) { return ReasonThaiName, msg }
	if s == "" {
		return bad("the name is empty")
	}
	prev := ' '
	for i, r := range s {
		switch {
		case isThaiNameRune(r):
			if i == 0 && isThaiCombining(r) {
				return bad("the name starts with a combining mark")
			}
		case r == ' ':
			if prev == ' ' {
				return bad("the name has a leading or doubled space")
			}
		case r == '.' || r == '-':
			if i == 0 {
				return bad("the name starts with punctuation")
			}
		default:
			return bad("a Thai name holds only Thai script, space, period and hyphen")
		}
		prev = r
	}
	if prev == ' ' {
		return bad("the name has a trailing space")
	}
	return "", ""
}

// ValidLatinName checks one part of a name written in Latin letters (the
// English name DOPA issued, or the name in a passport): Unicode NFC, Latin
// letters (accented letters included) and combining marks after them, plus
// space, hyphen, apostrophe and period; starting with a letter; no leading, trailing or
// doubled spaces. The error is a *ValidationError with reason "not_nfc" or
// "latin_name".
func ValidLatinName(s string) error { return problem(latinNameProblem(s)) }

func latinNameProblem(s string) (reason, msg string) {
	if !isNFC(s) {
		return ReasonNotNFC, "the name is not in Unicode Normalization Form C"
	}
	bad := func(msg string) (string, string) { return ReasonLatinName, msg }
	if s == "" {
		return bad("the name is empty")
	}
	prev := ' '
	for i, r := range s {
		switch {
		case r < utf8.RuneSelf && (r|0x20 >= 'a' && r|0x20 <= 'z'):
		case r >= utf8.RuneSelf && unicode.Is(unicode.Latin, r):
		case unicode.Is(unicode.Mn, r):
			if i == 0 || !unicode.IsLetter(prev) && !unicode.Is(unicode.Mn, prev) {
				return bad("a combining mark does not follow a letter")
			}
		case r == ' ':
			if prev == ' ' {
				return bad("the name has a leading or doubled space")
			}
		case r == '-' || r == '\'' || r == '.':
			if i == 0 {
				return bad("the name starts with punctuation")
			}
		default:
			return bad("a Latin name holds only Latin letters, space, hyphen, apostrophe and period")
		}
		prev = r
	}
	if prev == ' ' {
		return bad("the name has a trailing space")
	}
	return "", ""
}
