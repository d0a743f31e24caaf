package credential

import "time"

// parseDateTimeStamp parses an XML Schema 1.1 dateTimeStamp, the lexical
// form VCDM 2.0 requires for validFrom and validUntil:
//
//	-?YYYY-MM-DDThh:mm:ss(.s+)?(Z|(+|-)hh:mm)
//
// The year has at least four digits (no leading zero beyond four), the day
// must exist in its month, 24:00:00 means the first instant of the next
// day, the time zone is required and at most ±14:00, and fractional
// seconds beyond nanoseconds are truncated. The result is in UTC.
func parseDateTimeStamp(s string) (time.Time, bool) {
	i := 0
	neg := false
	if i < len(s) && s[i] == '-' {
		neg = true
		i++
	}
	y0 := i
	year := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		year = year*10 + int(s[i]-'0')
		i++
		if i-y0 > 9 {
			return time.Time{}, false
		}
	}
	if n := i - y0; n < 4 || (n > 4 && s[y0] == '0') {
		return time.Time{}, false
	}
	if neg {
		year = -year
	}
	// The rest has a fixed layout up to the seconds: "-MM-DDThh:mm:ss".
	r := s[i:]
	if len(r) < 15 || r[0] != '-' || r[3] != '-' || r[6] != 'T' || r[9] != ':' || r[12] != ':' {
		return time.Time{}, false
	}
	month, ok1 := two(r[1:3])
	day, ok2 := two(r[4:6])
	hour, ok3 := two(r[7:9])
	minute, ok4 := two(r[10:12])
	sec, ok5 := two(r[13:15])
	if !(ok1 && ok2 && ok3 && ok4 && ok5) {
		return time.Time{}, false
	}
	if month < 1 || month > 12 || day < 1 || day > daysIn(month, year) || hour > 24 || minute > 59 || sec > 59 {
		return time.Time{}, false
	}
	r = r[15:]
	nsec := 0
	fracZero := true
	if len(r) > 0 && r[0] == '.' {
		j := 1
		scale := 100000000
		for j < len(r) && r[j] >= '0' && r[j] <= '9' {
			d := int(r[j] - '0')
			if d != 0 {
				fracZero = false
			}
			nsec += d * scale
			scale /= 10
			j++
		}
		if j == 1 {
			return time.Time{}, false
		}
		r = r[j:]
	}
	if hour == 24 && (minute != 0 || sec != 0 || !fracZero) {
		return time.Time{}, false
	}
	offset := 0
	switch {
	case r == "Z":
	case len(r) == 6 && (r[0] == '+' || r[0] == '-') && r[3] == ':':
		oh, ok1 := two(r[1:3])
		om, ok2 := two(r[4:6])
		if !ok1 || !ok2 || om > 59 || oh > 14 || (oh == 14 && om != 0) {
			return time.Time{}, false
		}
		offset = oh*3600 + om*60
		if r[0] == '-' {
			offset = -offset
		}
	default:
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, hour, minute, sec, nsec, time.UTC)
	return t.Add(-time.Duration(offset) * time.Second), true
}

func two(s string) (int, bool) {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return 0, false
	}
	return int(s[0]-'0')*10 + int(s[1]-'0'), true
}

func daysIn(month, year int) int {
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
