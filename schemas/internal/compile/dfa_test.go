package compile

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// schemaPatterns are the patterns of the ThaiTrust schemas (a copy: the
// schemas package checks them against ECMA-262; here they must all get an
// automaton, and match as regexp does).
var schemaPatterns = []string{
	`^([A-Z]{3}|D)$`,
	"^([a-z][a-z0-9_]{1,31}|did:[a-z0-9]+:[^\\r\\n\u2028\u2029]+)$",
	`^2[4-9][0-9]{2}$`,
	`^[0-9A-Z][0-9A-Z/-]{3,29}$`,
	`^[0-9A-Z]{2,12}$`,
	`^[0-9A-Za-z-]{1,20}$`,
	`^[0-9A-Za-z][0-9A-Za-z -]{0,19}$`,
	`^[0-9]+(\.[0-9]+)?\([0-9]+-[0-9]+-[0-9]+\)$`,
	`^[0-9]{1,3}$`,
	`^[0-9]{11}$`,
	`^[0-9]{13}$`,
	`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`,
	`^[0-9]{8}$`,
	`^[0678][0-9]{12}$`,
	`^[1-9][0-9]{4}$`,
	`^[A-Z0-9]{5,20}$`,
	`^[A-Z][A-Za-z0-9]{0,63}$`,
	`^[A-Z]{1,2}[+-]?$`,
	`^[A-Z]{2}$`,
	`^[A-Z]{2}(-[A-Z0-9]{1,3})?$`,
	`^[A-Z]{3}$`,
	`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$`,
	`^data:image/(jpeg|png|jp2);base64,[A-Za-z0-9+/]+={0,2}$`,
	`^sha(256|384|512)-[A-Za-z0-9+/]+={0,2}$`,
}

// otherPatterns exercise the construction: any-character forms, non-ASCII
// classes, empty matches, nested repetition; and forms left to regexp.
var otherPatterns = []string{
	`^$`, `^a*$`, `^(a|ab)(c|bcd)(d*)$`, `^.*$`, `^.+x$`, `^[^a]*$`, `^[ก-ฮ]+[่-๋]?$`, `^\p{Thai}+$`, `^(?s:.)$`,
	`^[\x{10000}-\x{10FFFF}]$`, `^(a+)+$`, `^((a|b)*c)*$`, `^x{2,5}y{0,3}$`, `^[a-c]{1,100}$`, `^\d+\.\d*$`,
	`^é|e\x{301}$`, `^\Q.*\E$`,
	// Not of the form ^...$: regexp decides these.
	`a`, `^a`, `a$`, `^a$|^b$`, `^a\b$`, `(?i)^a$`, `^(?i:a)$`, `(?m)^a$`,
}

func TestDFAChosen(t *testing.T) {
	for _, p := range schemaPatterns {
		if newDFA(p) == nil {
			t.Errorf("pattern %q: no automaton", p)
		}
	}
	for _, p := range []string{`a`, `^a`, `a$`, `^a$|^b$`, `^a\b$`, `(?i)^a$`, `^(?i:a)$`, `(?m)^a$`} {
		if newDFA(p) != nil {
			t.Errorf("pattern %q: automaton built for a form it does not handle", p)
		}
	}
}

func dfaProbes() []string {
	probes := []string{"", "a", "ab", "abc", "abcd", "x", "xx", "é", "e\u0301", "\n", "\r", "\u2028", "ก", "กข่", "😀", "\xff", "\xe0\xb8", "a\xffb"}
	alphabet := []string{"a", "b", "c", "d", "x", "y", "A", "Z", "D", "0", "1", "2", "5", "9", "-", "+", "/", "=", ".", "_", "(", ")", " ", ":", ";", ",",
		"\n", "\r", "\u2028", "\u2029", "é", "\u0301", "ก", "ฮ", "่", "😀", "\xff", "data:image/png;base64,", "sha256-", "did:web:", "2567", "12"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 4000 {
		var b strings.Builder
		for range r.IntN(12) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		probes = append(probes, b.String())
	}
	return probes
}

func TestDFAMatchesRegexp(t *testing.T) {
	probes := dfaProbes()
	for _, p := range append(schemaPatterns, otherPatterns...) {
		d := newDFA(p)
		if d == nil {
			continue
		}
		re := regexp.MustCompile(p)
		for _, s := range probes {
			if got, want := d.match(s), re.MatchString(s); got != want {
				t.Errorf("pattern %q on %q: automaton %v, regexp %v", p, s, got, want)
			}
		}
	}
}

func FuzzDFA(f *testing.F) {
	patterns := append(schemaPatterns, otherPatterns...)
	for i, s := range dfaProbes()[:200] {
		f.Add(uint8(i), s)
	}
	type compiled struct {
		d  *dfa
		re *regexp.Regexp
	}
	var cs []compiled
	for _, p := range patterns {
		if d := newDFA(p); d != nil {
			cs = append(cs, compiled{d, regexp.MustCompile(p)})
		}
	}
	f.Fuzz(func(t *testing.T, i uint8, s string) {
		c := cs[int(i)%len(cs)]
		if got, want := c.d.match(s), c.re.MatchString(s); got != want {
			t.Fatalf("pattern %q on %q: automaton %v, regexp %v", c.re, s, got, want)
		}
	})
}
