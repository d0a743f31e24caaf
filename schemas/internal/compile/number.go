package compile

import (
	"encoding/json"
	"math"
	"strconv"
)

// decimal is a JSON number read exactly, without allocating: its value is
// mant × 10^exp, negated if neg, where mant holds the first (at most 19)
// significant digits and ndig counts all of them (leading and trailing
// zeros excluded, so a number has one representation whatever its
// spelling: 1, 1.0, 10e-1 and 0.1e1 are all mant 1, exp 0). When ndig > 19
// the digits that did not fit are in src, which comparisons read only in
// the rare case that two such numbers agree on their first 19 digits.
//
// exp is the exponent of the last significant digit, so the number is an
// integer exactly when exp >= 0 (or it is zero), as JSON Schema 2020-12
// defines integers: 1.0 is one, 1.5 is not.
type decimal struct {
	neg  bool
	ndig int   // significant digits; 0 for zero
	exp  int64 // of the last significant digit
	mant uint64
	src  string // the number's text; needed only when ndig > maxDigits
}

// maxDigits is how many significant digits fit in mant.
const maxDigits = 19

// expLimit bounds exponents so that arithmetic on them cannot overflow;
// numbers beyond it still compare correctly (by magnitude).
const expLimit = 1 << 40

var pow10 = func() (p [maxDigits + 1]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// parseDecimal reads a number in JSON syntax (also with a '+' exponent sign
// and leading zeros, as strconv prints floats). ok is false for anything
// else.
func parseDecimal[T string | []byte](s T) (d decimal, ok bool) {
	i := 0
	if i < len(s) && s[i] == '-' {
		d.neg = true
		i++
	}
	var (
		digits   int   // digits seen, integer and fraction part
		fracLen  int64 // fraction digits seen
		zeros    int   // zeros seen after the last nonzero digit
		started  bool  // a nonzero digit was seen
		inFrac   bool
		expValue int64
	)
	for ; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
			if inFrac {
				fracLen++
			}
			if c == '0' {
				if started {
					zeros++
				}
				continue
			}
			started = true
			for ; zeros > 0; zeros-- {
				if d.ndig < maxDigits {
					d.mant *= 10
				}
				d.ndig++
			}
			if d.ndig < maxDigits {
				d.mant = d.mant*10 + uint64(c-'0')
			}
			d.ndig++
		case c == '.' && !inFrac && digits > 0:
			inFrac = true
			if i+1 >= len(s) || s[i+1] < '0' || s[i+1] > '9' {
				return decimal{}, false
			}
		case (c == 'e' || c == 'E') && digits > 0:
			i++
			eneg := false
			if i < len(s) && (s[i] == '+' || s[i] == '-') {
				eneg = s[i] == '-'
				i++
			}
			if i >= len(s) {
				return decimal{}, false
			}
			for ; i < len(s); i++ {
				if s[i] < '0' || s[i] > '9' {
					return decimal{}, false
				}
				if expValue < expLimit {
					expValue = expValue*10 + int64(s[i]-'0')
				}
			}
			if eneg {
				expValue = -expValue
			}
		default:
			return decimal{}, false
		}
	}
	if digits == 0 {
		return decimal{}, false
	}
	if !started {
		return decimal{neg: d.neg}, true // zero
	}
	// The last significant digit is followed by `zeros` zeros, then the
	// fraction ends fracLen digits after the point.
	d.exp = int64(zeros) - fracLen + expValue
	if d.ndig > maxDigits {
		d.src = string(s)
	}
	return d, true
}

// isZero reports whether d is 0 (or -0).
func (d *decimal) isZero() bool { return d.ndig == 0 }

// isInt reports whether d is an integer.
func (d *decimal) isInt() bool { return d.ndig == 0 || d.exp >= 0 }

// cmp compares a and b exactly: -1, 0 or +1.
func cmpDecimal(a, b *decimal) int {
	switch {
	case a.isZero() && b.isZero():
		return 0
	case a.isZero():
		if b.neg {
			return 1
		}
		return -1
	case b.isZero():
		if a.neg {
			return -1
		}
		return 1
	case a.neg != b.neg:
		if a.neg {
			return -1
		}
		return 1
	}
	c := cmpMagnitude(a, b)
	if a.neg {
		return -c
	}
	return c
}

// cmpMagnitude compares |a| and |b|, both nonzero.
func cmpMagnitude(a, b *decimal) int {
	// Position of the leading digit: a number with ndig digits whose last
	// is at 10^exp leads at 10^(exp+ndig-1).
	pa, pb := a.exp+int64(a.ndig), b.exp+int64(b.ndig)
	if pa != pb {
		return sign(pa - pb)
	}
	na, nb := min(a.ndig, maxDigits), min(b.ndig, maxDigits)
	ma, mb := a.mant, b.mant
	if na < nb {
		ma *= pow10[nb-na]
	} else {
		mb *= pow10[na-nb]
	}
	if ma != mb {
		if ma < mb {
			return -1
		}
		return 1
	}
	switch {
	case a.ndig <= maxDigits && b.ndig <= maxDigits:
		return 0
	case a.ndig <= maxDigits: // b has more nonzero digits
		return -1
	case b.ndig <= maxDigits:
		return 1
	}
	// Both longer than mant: compare all their digits.
	ia, ib := digitIter{s: a.src}, digitIter{s: b.src}
	for k := 0; k < min(a.ndig, b.ndig); k++ {
		da, db := ia.next(), ib.next()
		if da != db {
			if da < db {
				return -1
			}
			return 1
		}
	}
	return sign(int64(a.ndig - b.ndig))
}

func sign(x int64) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// digitIter yields the significant digits of a number's text, from the
// first nonzero one.
type digitIter struct {
	s       string
	i       int
	started bool
}

func (it *digitIter) next() byte {
	for ; it.i < len(it.s); it.i++ {
		c := it.s[it.i]
		if c == 'e' || c == 'E' {
			break
		}
		if c < '0' || c > '9' || (c == '0' && !it.started) {
			continue
		}
		it.started = true
		it.i++
		return c
	}
	return '0'
}

// numberOf reads v as a number if it is one of the Go number types a JSON
// decoder produces (json.Number, float64) or that the reference validator
// also accepts (the other integer and float types). isNum reports whether v
// is a Go number type at all; ok whether it is a JSON number (finite, and
// for json.Number, well-formed).
func numberOf(v any) (d decimal, isNum, ok bool) {
	var buf [32]byte
	switch n := v.(type) {
	case json.Number:
		d, ok = parseDecimal(string(n))
		return d, true, ok
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return decimal{}, true, false
		}
		d, ok = parseDecimal(strconv.AppendFloat(buf[:0], n, 'e', -1, 64))
		return d, true, ok
	case float32:
		f := float64(n)
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return decimal{}, true, false
		}
		d, ok = parseDecimal(strconv.AppendFloat(buf[:0], f, 'e', -1, 32))
		return d, true, ok
	case int:
		return intDecimal(int64(n)), true, true
	case int8:
		return intDecimal(int64(n)), true, true
	case int16:
		return intDecimal(int64(n)), true, true
	case int32:
		return intDecimal(int64(n)), true, true
	case int64:
		return intDecimal(n), true, true
	case uint:
		return uintDecimal(uint64(n), false), true, true
	case uint8:
		return uintDecimal(uint64(n), false), true, true
	case uint16:
		return uintDecimal(uint64(n), false), true, true
	case uint32:
		return uintDecimal(uint64(n), false), true, true
	case uint64:
		return uintDecimal(n, false), true, true
	}
	return decimal{}, false, false
}

func intDecimal(n int64) decimal {
	if n < 0 {
		return uintDecimal(uint64(-(n+1))+1, true)
	}
	return uintDecimal(uint64(n), false)
}

func uintDecimal(u uint64, neg bool) decimal {
	if u == 0 {
		return decimal{}
	}
	d := decimal{neg: neg}
	for u%10 == 0 {
		u /= 10
		d.exp++
	}
	if u >= pow10[maxDigits] { // 20 digits: keep the text for exact comparisons
		var buf [24]byte
		d, _ = parseDecimal(string(strconv.AppendUint(buf[:0], u, 10)) + "e" + strconv.FormatInt(d.exp, 10))
		d.neg = neg
		return d
	}
	d.mant = u
	for x := u; x > 0; x /= 10 {
		d.ndig++
	}
	return d
}

// CompareNumbers compares two JSON numbers exactly, whatever their
// spelling or Go type (json.Number, float64, the other Go integer and float
// types): -1, 0 or +1. ok is false if either is not a (finite,
// well-formed) number.
func CompareNumbers(a, b any) (c int, ok bool) {
	da, _, oka := numberOf(a)
	db, _, okb := numberOf(b)
	if !oka || !okb {
		return 0, false
	}
	return cmpDecimal(&da, &db), true
}
