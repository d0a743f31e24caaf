package schemas

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// checkDigit computes the mod-11 check digit of 12 digits (test oracle,
// written independently of mod11OK).
func checkDigit(t testing.TB, twelve string) string {
	t.Helper()
	if len(twelve) != 12 {
		t.Fatalf("checkDigit(%q): want 12 digits", twelve)
	}
	sum := 0
	for i, w := 0, 13; i < 12; i, w = i+1, w-1 {
		sum += int(twelve[i]-'0') * w
	}
	return string(rune('0' + (11-sum%11)%10))
}

func reasonOf(err error) string {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return ve.Reason
	}
	return ""
}

func TestValidCitizenID(t *testing.T) {
	tests := []struct {
		name       string
		id         string
		wantReason string // "" = valid
	}{
		{"type 1", "1501400317847", ""},
		{"type 3", "3501400456789", ""},
		{"type 6 foreigner", "6103700123459", ""},
		{"type 8", "8" + "10370012345" + "?", ""}, // check digit filled in below
		{"type 0", "0" + "10370012345" + "?", ""},
		{"sum = 0 mod 11: check digit (11-0)%10 = 1", "1103700123041", ""},
		{"sum = 1 mod 11: check digit (11-1)%10 = 0", "1103700123130", ""},
		{"sum = 1 mod 11 with 10 as check digit", "110370012313" + "1", ReasonCitizenIDChecksum},
		{"wrong check digit", "1501400317848", ReasonCitizenIDChecksum},
		{"transposed digits", "1510400317847", ReasonCitizenIDChecksum},
		{"person type 9", "9" + "10370012345" + "?", ReasonCitizenIDPersonType},
		{"12 digits", "150140031784", ReasonCitizenIDSyntax},
		{"14 digits", "15014003178470", ReasonCitizenIDSyntax},
		{"dashes", "1-5014-00317-84-7", ReasonCitizenIDSyntax},
		{"spaces", "1 5014 00317 84 7", ReasonCitizenIDSyntax},
		{"Thai digits", "๑๕๐๑๔๐๐๓๑๗๘๔๗", ReasonCitizenIDSyntax},
		{"fullwidth digits", "１５０１４００３１７８４７", ReasonCitizenIDSyntax},
		{"letter", "15014003178a7", ReasonCitizenIDSyntax},
		{"empty", "", ReasonCitizenIDSyntax},
		{"all zero", "0000000000000", ReasonCitizenIDSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := tt.id
			if strings.HasSuffix(id, "?") {
				id = id[:12] + checkDigit(t, id[:12])
			}
			err := ValidCitizenID(id)
			if got := reasonOf(err); got != tt.wantReason {
				t.Fatalf("ValidCitizenID(%q) = %v, want reason %q", id, err, tt.wantReason)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
		})
	}
}

func TestValidJuristicID(t *testing.T) {
	tests := []struct {
		id         string
		wantReason string
	}{
		{"0107544000108", ""}, // real, from STANDARDS.md
		{"0107536000102", ""}, // real
		{"0107542000011", ""}, // real
		{"0105562034122", ""}, // the examples' company
		{"0107537002150", ""}, // the examples' bank
		{"0994000158530" + "", ""},
		{"0107544000109", ReasonJuristicIDChecksum},
		{"0107544000180", ReasonJuristicIDChecksum},
		{"010754400010", ReasonJuristicIDSyntax},
		{"0-1075-44000-10-8", ReasonJuristicIDSyntax},
		{"0000000000000", ReasonJuristicIDSyntax},
		{"", ReasonJuristicIDSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			id := tt.id
			if id == "0994000158530" { // government-agency style number: make it valid
				id = id[:12] + checkDigit(t, id[:12])
			}
			err := ValidJuristicID(id)
			if got := reasonOf(err); got != tt.wantReason {
				t.Fatalf("ValidJuristicID(%q) = %v, want reason %q", id, err, tt.wantReason)
			}
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Errorf("errors.Is(%v, ErrInvalid) = false", err)
			}
		})
	}
}

func TestParseBEDate(t *testing.T) {
	tests := []struct {
		in        string
		wantISO   string
		wantPrec  Precision
		wantTime  time.Time
		wantError bool
	}{
		{in: "25330812", wantISO: "1990-08-12", wantPrec: PrecisionDay, wantTime: time.Date(1990, 8, 12, 0, 0, 0, 0, time.UTC)},
		{in: "25060400", wantISO: "1963-04", wantPrec: PrecisionMonth, wantTime: time.Date(1963, 4, 1, 0, 0, 0, 0, time.UTC)},
		{in: "25040000", wantISO: "1961", wantPrec: PrecisionYear, wantTime: time.Date(1961, 1, 1, 0, 0, 0, 0, time.UTC)},
		{in: "25670229", wantISO: "2024-02-29", wantPrec: PrecisionDay, wantTime: time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)}, // 2024 leap
		{in: "25430229", wantISO: "2000-02-29", wantPrec: PrecisionDay, wantTime: time.Date(2000, 2, 29, 0, 0, 0, 0, time.UTC)}, // 2000 leap (÷400)
		{in: "25431231", wantISO: "2000-12-31", wantPrec: PrecisionDay, wantTime: time.Date(2000, 12, 31, 0, 0, 0, 0, time.UTC)},
		{in: "05440101", wantISO: "0001-01-01", wantPrec: PrecisionDay, wantTime: time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)},
		{in: "99991231", wantISO: "9456-12-31", wantPrec: PrecisionDay, wantTime: time.Date(9456, 12, 31, 0, 0, 0, 0, time.UTC)},
		{in: "25660229", wantError: true}, // 2023 is not a leap year (BE 2566 % 4 == 2)
		{in: "24430229", wantError: true}, // 1900 is not a leap year
		{in: "25330012", wantError: true}, // day known, month unknown
		{in: "25331301", wantError: true},
		{in: "25330431", wantError: true},
		{in: "25330132", wantError: true},
		{in: "05430101", wantError: true}, // CE year 0
		{in: "00000000", wantError: true},
		{in: "2533081", wantError: true},
		{in: "253308120", wantError: true},
		{in: "2533-08-12", wantError: true},
		{in: "๒๕๓๓๐๘๑๒", wantError: true},
		{in: "", wantError: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := ParseBEDate(tt.in)
			if tt.wantError {
				if err == nil {
					t.Fatalf("ParseBEDate(%q) = %+v, want error", tt.in, d)
				}
				if reasonOf(err) != ReasonBEDate || !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v: want reason %q and ErrInvalid", err, ReasonBEDate)
				}
				if d != (BEDate{}) {
					t.Errorf("error with non-zero result %+v", d)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseBEDate(%q): %v", tt.in, err)
			}
			if d.ISO != tt.wantISO || d.Precision != tt.wantPrec || !d.Time.Equal(tt.wantTime) {
				t.Errorf("ParseBEDate(%q) = %+v, want %s %s %s", tt.in, d, tt.wantISO, tt.wantPrec, tt.wantTime)
			}
			if d.BE() != tt.in {
				t.Errorf("BE() = %q, want %q", d.BE(), tt.in)
			}
			if d.String() != tt.wantISO {
				t.Errorf("String() = %q", d.String())
			}
		})
	}
}

func TestValidPartialDate(t *testing.T) {
	for _, s := range []string{"1990", "1990-08", "1990-08-12", "2024-02-29", "0001"} {
		if err := validPartialDate(s); err != nil {
			t.Errorf("validPartialDate(%q) = %v", s, err)
		}
	}
	for _, s := range []string{"", "0000", "199", "1990-8", "1990-13", "1990-00", "1990-08-00", "2023-02-29", "1990/08/12", "1990-08-12T00:00:00Z", "25330812"} {
		if err := validPartialDate(s); err == nil {
			t.Errorf("validPartialDate(%q) = nil, want error", s)
		}
	}
}

func TestValidThaiName(t *testing.T) {
	valid := []string{"สุดารัตน์", "วงศ์สวัสดิ์", "นางสาว", "พ.ต.ท.", "ม.ร.ว.", "ณัฐวุฒิ", "ปู่", "เอ็มมา", "ศรี สุข", "ชัย-มงคล", "ไพโรจน์", "แก้วมณี"}
	for _, s := range valid {
		if err := ValidThaiName(s); err != nil {
			t.Errorf("ValidThaiName(%q) = %v", s, err)
		}
	}
	invalid := []struct{ s, reason string }{
		{"\u0e1b\u0e48\u0e39", ReasonNotNFC}, // ป + tone mark + SARA UU: marks out of canonical order
		{"Sudarat", ReasonThaiName},
		{"สุดา1", ReasonThaiName},
		{"สุดา๑", ReasonThaiName}, // Thai digit
		{" สุดา", ReasonThaiName},
		{"สุดา ", ReasonThaiName},
		{"สุดา  รัตน์", ReasonThaiName},
		{"\u0e48กา", ReasonThaiName}, // starts with a tone mark
		{".สุดา", ReasonThaiName},
		{"", ReasonThaiName},
		{"สุดา\u200bรัตน์", ReasonThaiName}, // zero-width space
	}
	for _, tt := range invalid {
		if got := reasonOf(ValidThaiName(tt.s)); got != tt.reason {
			t.Errorf("ValidThaiName(%q) reason %q, want %q", tt.s, got, tt.reason)
		}
	}
}

func TestValidLatinName(t *testing.T) {
	valid := []string{"Sudarat", "Mr.", "Emma Louise", "O'Brien", "Jean-Luc", "José", "Müller", "Nguyễn", "Ng\u0303"}
	for _, s := range valid {
		if err := ValidLatinName(s); err != nil {
			t.Errorf("ValidLatinName(%q) = %v", s, err)
		}
	}
	invalid := []struct{ s, reason string }{
		{"Jose\u0301", ReasonNotNFC},
		{"สุดารัตน์", ReasonLatinName},
		{"Sudarat2", ReasonLatinName},
		{"Σοφία", ReasonLatinName},
		{" Emma", ReasonLatinName},
		{"Emma ", ReasonLatinName},
		{"Emma  Carter", ReasonLatinName},
		{"-Emma", ReasonLatinName},
		{"\u0303n", ReasonLatinName},
		{"Emma\tCarter", ReasonLatinName},
		{"", ReasonLatinName},
	}
	for _, tt := range invalid {
		if got := reasonOf(ValidLatinName(tt.s)); got != tt.reason {
			t.Errorf("ValidLatinName(%q) reason %q, want %q", tt.s, got, tt.reason)
		}
	}
}

func TestTextChecks(t *testing.T) {
	tests := []struct {
		s          string
		thai       bool
		wantReason string
	}{
		{"Than Thong University", false, ""},
		{"มหาวิทยาลัยธารทอง", true, ""},
		{"บริษัท เอบีซี จำกัด (มหาชน)", true, ""},
		{"วศ.บ.", true, ""},
		{"Than Thong University", true, ReasonNotThaiScript},
		{"line\nbreak", false, ReasonControlCharacter},
		{"bad \ufffd", false, ReasonControlCharacter},
		{"   ", false, ReasonBlank},
		{"", false, ReasonBlank},
		{"Cafe\u0301", false, ReasonNotNFC},
		{"\u0e1b\u0e48\u0e39", true, ReasonNotNFC},
	}
	for _, tt := range tests {
		check := validText
		if tt.thai {
			check = validThaiText
		}
		if got := reasonOf(check(tt.s)); got != tt.wantReason {
			t.Errorf("thai=%v %q: reason %q, want %q", tt.thai, tt.s, got, tt.wantReason)
		}
	}
}

func TestIsNFCMatchesNorm(t *testing.T) {
	// Every pair and triple of Thai-block code points, plus ASCII neighbours.
	var runes []rune
	for r := rune(0x0E00); r <= 0x0E7F; r++ {
		runes = append(runes, r)
	}
	runes = append(runes, 'a', ' ', 0x0301)
	for _, a := range runes {
		for _, b := range runes {
			for _, c := range []rune{'x', 0x0E38, 0x0E3A, 0x0E48, 0x0E01} {
				s := string([]rune{a, b, c})
				if got, want := isNFC(s), norm.NFC.IsNormalString(s); got != want {
					t.Fatalf("isNFC(%+q) = %v, norm says %v", s, got, want)
				}
			}
		}
	}
}

func FuzzIsNFC(f *testing.F) {
	for _, s := range []string{"", "abc", "สุดารัตน์", "\u0e1b\u0e48\u0e39", "Jose\u0301", "\xe0\xb8", "\xe0\xb8\x01"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := isNFC(s), norm.NFC.IsNormalString(s); got != want {
			t.Fatalf("isNFC(%+q) = %v, norm says %v", s, got, want)
		}
	})
}

func FuzzParseBEDate(f *testing.F) {
	for _, s := range []string{"25330812", "25060400", "25040000", "25330012", "25660229", "00000000", "99991231", "2533081x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseBEDate(s)
		if err != nil {
			if d != (BEDate{}) {
				t.Fatalf("error %v with non-zero result %+v", err, d)
			}
			if !errors.Is(err, ErrInvalid) || reasonOf(err) != ReasonBEDate {
				t.Fatalf("error %v: want ErrInvalid with reason be_date", err)
			}
			return
		}
		// Round trip: BE() gives back the input.
		if d.BE() != s {
			t.Fatalf("ParseBEDate(%q).BE() = %q", s, d.BE())
		}
		// ISO agrees with Time and with the partial-date check.
		if err := validPartialDate(d.ISO); err != nil {
			t.Fatalf("ISO %q of %q: %v", d.ISO, s, err)
		}
		if !strings.HasPrefix(d.Time.Format("2006-01-02"), d.ISO) {
			t.Fatalf("Time %v does not start with ISO %q", d.Time, d.ISO)
		}
	})
}

func FuzzValidCitizenID(f *testing.F) {
	for _, s := range []string{"1501400317847", "1501400317848", "0000000000000", "9501400317840", "150140031784", "๑๕๐๑๔๐๐๓๑๗๘๔๗", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		err := ValidCitizenID(s)
		valid := len(s) == 13 && strings.Trim(s, "0123456789") == "" && s[0] != '9' && s != "0000000000000" &&
			checkDigit(t, s[:12]) == s[12:]
		if (err == nil) != valid {
			t.Fatalf("ValidCitizenID(%q) = %v, oracle says valid=%v", s, err, valid)
		}
		if err != nil && (!errors.Is(err, ErrInvalid) || !utf8.ValidString(err.Error())) {
			t.Fatalf("bad error %v", err)
		}
		// The juristic check is the same arithmetic without the person type.
		if err == nil && ValidJuristicID(s) != nil {
			t.Fatalf("valid citizen ID %q fails ValidJuristicID", s)
		}
	})
}
