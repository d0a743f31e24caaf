package compile

import (
	"encoding/json"
	"fmt"
	"math"
	"math/big"
	"strings"
	"testing"
)

var numberTexts = []string{
	"0", "-0", "0.0", "0e0", "0E+5", "-0.000", "1", "-1", "1.0", "1.00", "10", "10e-1", "0.1e1", "1e0", "1E0", "1e+0",
	"1.5", "-1.5", "15e-1", "2", "2.5", "100", "1e2", "100.0", "100.0000001", "99.9999999", "101", "4.5", "3.42",
	"0.0001", "1e-7", "-500000", "5e5", "1234567890123456789", "12345678901234567890", "1234567890123456789.5",
	"123456789012345678901234567890", "123456789012345678901234567891", "1234567890123456789012345678900e-1",
	"0.000000000000000000000000001", "1e-27", "99.99999999999999999999999", "100.00000000000000000000001",
	"18446744073709551615", "18446744073709551616", "9223372036854775807", "-9223372036854775808",
	"1e400", "-1e400", "1e-400", "7e22", "7.0e22", "70000000000000000000000", "1.7976931348623157e308",
}

func rat(t testing.TB, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("big.Rat cannot read %q", s)
	}
	return r
}

// TestDecimalMatchesRat: comparisons, equality and integer-ness agree
// with math/big (which the reference validator uses) on every pair.
func TestDecimalMatchesRat(t *testing.T) {
	for _, a := range numberTexts {
		da, ok := parseDecimal(a)
		if !ok {
			t.Fatalf("parseDecimal(%q) failed", a)
		}
		ra := rat(t, a)
		if da.isInt() != ra.IsInt() {
			t.Errorf("isInt(%s) = %v, want %v", a, da.isInt(), ra.IsInt())
		}
		for _, b := range numberTexts {
			db, _ := parseDecimal(b)
			if got, want := cmpDecimal(&da, &db), ra.Cmp(rat(t, b)); got != want {
				t.Errorf("cmp(%s, %s) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestParseDecimalRejects(t *testing.T) {
	for _, s := range []string{"", "-", "+1", ".5", "1.", "1e", "1e+", "--1", "1-", "0x10", "1/2", "Inf", "NaN", "1 ", " 1", "1.2.3", "1e5.5", "e5"} {
		if _, ok := parseDecimal(s); ok {
			t.Errorf("parseDecimal(%q) accepted", s)
		}
	}
}

// TestNumberOfGoTypes: every Go number type reads as the value fmt prints,
// which is what the reference compares.
func TestNumberOfGoTypes(t *testing.T) {
	values := []any{
		json.Number("3.42"), 3.42, float32(3.42), 0.1, float32(0.1), 1e21, 1e-7, -0.0, math.MaxFloat64, math.SmallestNonzeroFloat64,
		0, 7, -7, int8(-128), int16(300), int32(-1 << 31), int64(math.MinInt64), int64(math.MaxInt64),
		uint(7), uint8(255), uint16(65535), uint32(1 << 31), uint64(math.MaxUint64), uint64(1e19), uint64(10000000000000000000),
		1000, int64(1e18), -100,
	}
	for _, v := range values {
		d, isNum, ok := numberOf(v)
		if !isNum || !ok {
			t.Errorf("numberOf(%T %v) failed", v, v)
			continue
		}
		want := rat(t, fmt.Sprint(v))
		for _, b := range numberTexts {
			db, _ := parseDecimal(b)
			if got := cmpDecimal(&d, &db); got != want.Cmp(rat(t, b)) {
				t.Errorf("cmp(%T %v, %s) = %d, want %d", v, v, b, got, want.Cmp(rat(t, b)))
			}
		}
	}
	for _, v := range []any{math.NaN(), math.Inf(1), float32(math.Inf(-1)), json.Number("x"), json.Number("")} {
		if _, isNum, ok := numberOf(v); !isNum || ok {
			t.Errorf("numberOf(%T %v) = %v, %v; want a number that is not JSON", v, v, isNum, ok)
		}
	}
	for _, v := range []any{"1", true, nil, []any{}, struct{}{}} {
		if _, isNum, _ := numberOf(v); isNum {
			t.Errorf("numberOf(%T) says number", v)
		}
	}
}

func FuzzDecimal(f *testing.F) {
	for _, a := range numberTexts {
		f.Add(a, "1.5")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		da, oka := parseDecimal(a)
		db, okb := parseDecimal(b)
		if !oka || !okb {
			return
		}
		// Keep big.Rat away from astronomically large exponents.
		if strings.ContainsAny(a+b, "eE") && (len(a) > 40 || len(b) > 40) {
			return
		}
		if math.Abs(float64(da.exp)) > 500 || math.Abs(float64(db.exp)) > 500 {
			return
		}
		ra, okRa := new(big.Rat).SetString(a)
		rb, okRb := new(big.Rat).SetString(b)
		if !okRa || !okRb {
			// big.Rat cannot read exponents beyond its range (parseDecimal
			// can); anything else it cannot read, parseDecimal must not
			// accept either.
			for _, x := range []string{a, b} {
				if _, ok := new(big.Rat).SetString(x); !ok {
					if i := strings.IndexAny(x, "eE"); i < 0 || len(strings.TrimLeft(x[i+1:], "+-")) < 10 {
						t.Fatalf("parseDecimal accepted %q, big.Rat did not", x)
					}
				}
			}
			return
		}
		if got, want := cmpDecimal(&da, &db), ra.Cmp(rb); got != want {
			t.Fatalf("cmp(%q, %q) = %d, want %d", a, b, got, want)
		}
		if da.isInt() != ra.IsInt() {
			t.Fatalf("isInt(%q) = %v, want %v", a, da.isInt(), ra.IsInt())
		}
	})
}
