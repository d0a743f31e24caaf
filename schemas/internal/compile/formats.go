package compile

import (
	"net/netip"
	"net/url"
	"strings"
)

// Standard formats. Their definitions follow the reference validator
// (santhosh-tekuri/jsonschema v6) exactly, so that both decide every
// string alike (tests compare them); they are written so as not to
// allocate on valid input, except for URIs outside the common shapes.

// standardFormats are the draft 2020-12 formats this package implements.
var standardFormats = map[string]func(string) bool{
	"date":      isDate,
	"date-time": isDateTime,
	"uri":       isURI,
	"uuid":      isUUID,
}

// isDate: RFC 3339 full-date, as time.Parse("2006-01-02", s) reads it:
// four digits, two, two; month 01-12; a day that exists in that month of
// the proleptic Gregorian year (0000 included).
func isDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9} {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	year := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	month := int(s[5]-'0')*10 + int(s[6]-'0')
	day := int(s[8]-'0')*10 + int(s[9]-'0')
	if month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= daysIn(year, month)
}

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

// isDateTime: RFC 3339 date-time, as the reference validator reads it
// (which is somewhat looser than RFC 3339 in the time part: strconv.Atoi
// accepts a sign, so "+1" is an hour).
func isDateTime(s string) bool {
	if len(s) < 20 {
		return false
	}
	if s[10] != 't' && s[10] != 'T' {
		return false
	}
	return isDate(s[:10]) && isTime(s[11:])
}

func isTime(str string) bool {
	if len(str) < 9 {
		return false
	}
	if str[2] != ':' || str[5] != ':' {
		return false
	}
	// hh:mm:ss, split at the first two colons of the first 8 bytes.
	p := str[:8]
	i := strings.IndexByte(p, ':')
	t1, rest := p[:i], p[i+1:]
	j := strings.IndexByte(rest, ':')
	t2, t3 := rest[:j], rest[j+1:]
	h, ok1 := atoi(t1)
	m, ok2 := atoi(t2)
	s, ok3 := atoi(t3)
	if !ok1 || !ok2 || !ok3 || h < 0 || m < 0 || s < 0 {
		return false
	}
	if h > 23 || m > 59 || s > 60 {
		return false
	}
	str = str[8:]

	if rem, ok := strings.CutPrefix(str, "."); ok {
		n := 0
		for n < len(rem) && rem[n] >= '0' && rem[n] <= '9' {
			n++
		}
		if n == 0 {
			return false
		}
		str = rem[n:]
	}

	if str != "z" && str != "Z" {
		if len(str) != 6 {
			return false
		}
		var sign int
		switch str[0] {
		case '+':
			sign = -1
		case '-':
			sign = +1
		default:
			return false
		}
		str = str[1:]
		if str[2] != ':' {
			return false
		}
		z1, z2, _ := strings.Cut(str, ":")
		zh, ok1 := atoi(z1)
		zm, ok2 := atoi(z2)
		if !ok1 || !ok2 || zh < 0 || zm < 0 {
			return false
		}
		if zh > 23 || zm > 59 {
			return false
		}
		hm := (h*60 + m) + sign*(zh*60+zm)
		if hm < 0 {
			hm += 24 * 60
		}
		h, m = hm/60, hm%60
	}

	// A leap second only at 23:59 UTC.
	if s >= 60 && (h != 23 || m != 59) {
		return false
	}
	return true
}

// atoi is strconv.Atoi for short strings (an optional sign, then at least
// one ASCII digit), without allocating an error.
func atoi(s string) (int, bool) {
	neg := false
	if len(s) > 0 && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	if len(s) == 0 || len(s) > 9 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// isUUID: 8-4-4-4-12 hexadecimal digits (either case).
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
			continue
		}
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// isURI: an absolute URI as the reference validator decides it: net/url
// parses it, it has a scheme, and a host holding a colon is a bracketed
// IPv6 address without a zone. Common shapes (a scheme, then an opaque
// part, a path, or an authority of plain host name characters with an
// optional port; no percent escapes) are decided without net/url, which
// allocates; anything else goes through net/url.
func isURI(s string) bool {
	if ok, decided := uriFast(s); decided {
		return ok
	}
	return uriSlow(s)
}

// uriSlow is the reference definition.
func uriSlow(s string) bool {
	u, err := url.Parse(s)
	if err != nil {
		return false
	}
	if host := u.Hostname(); strings.Contains(host, ":") {
		if !strings.Contains(u.Host, "[") || !strings.Contains(u.Host, "]") {
			return false
		}
		addr, err := netip.ParseAddr(host)
		if err != nil || addr.Zone() != "" {
			return false
		}
	}
	return u.IsAbs()
}

// uriFast decides the common shapes exactly as uriSlow would; decided is
// false when it cannot tell.
func uriFast(s string) (ok, decided bool) {
	// Scheme: a letter, then letters, digits, '+', '-', '.', up to ':'.
	// Without one the URI is relative (or unparsable): not absolute.
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' || c == '+' || c == '-' || c == '.':
			if i == 0 {
				return false, true
			}
		case c == ':':
			if i == 0 {
				return false, true
			}
			goto scheme
		default:
			return false, true
		}
	}
	return false, true
scheme:
	for j := 0; j < len(s); j++ {
		if c := s[j]; c < 0x20 || c == 0x7f || c == '%' {
			return false, false
		}
	}
	rest := s[i+1:]
	rest, _, _ = strings.Cut(rest, "#")
	rest, _, _ = strings.Cut(rest, "?")
	if !strings.HasPrefix(rest, "//") {
		return true, true // opaque ("did:web:x", "urn:...") or a path
	}
	authority := rest[2:]
	if k := strings.IndexByte(authority, '/'); k >= 0 {
		authority = authority[:k]
	}
	colons := 0
	for j := 0; j < len(authority); j++ {
		c := authority[j]
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~':
			if colons > 0 && !('0' <= c && c <= '9') {
				return false, false // not a numeric port
			}
		case c == ':':
			colons++
			if colons > 1 {
				return false, false
			}
		default:
			return false, false
		}
	}
	return true, true
}
