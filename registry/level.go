package registry

import (
	"fmt"
	"strconv"
)

// IAL is an identity assurance level as Thai schemes state it (NDID,
// DGS 1-2:2564, ETDA): one of 1.1, 1.2, 1.3, 2.1, 2.2, 2.3, 3. The values
// are totally ordered: a greater IAL is stronger, so levels compare with
// < and >=. The zero IAL means "not stated" and is below every level.
//
// IALs are written as the decimal strings above, in JSON too (MarshalText).
type IAL uint8

// AAL is an authentication assurance level: one of 1, 2.1, 2.2, 3,
// totally ordered like IAL. The zero AAL means "not stated".
type AAL uint8

var (
	ialNames = [...]string{"", "1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "3"}
	aalNames = [...]string{"", "1", "2.1", "2.2", "3"}
)

// The identity assurance levels, weakest first.
const (
	IAL11 IAL = iota + 1
	IAL12
	IAL13
	IAL21
	IAL22
	IAL23
	IAL3
)

// The authentication assurance levels, weakest first.
const (
	AAL1 AAL = iota + 1
	AAL21
	AAL22
	AAL3
)

func parseLevel(names []string, s, what string) (uint8, error) {
	if s == "" {
		return 0, nil
	}
	for i, n := range names[1:] {
		if s == n {
			return uint8(i + 1), nil
		}
	}
	// Accept equivalent decimal spellings ("3.0", "2.30") but nothing
	// between levels ("2.4").
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		for i, n := range names[1:] {
			if g, _ := strconv.ParseFloat(n, 64); g == f {
				return uint8(i + 1), nil
			}
		}
	}
	return 0, fmt.Errorf("registry: %q is not an %s (want one of %v)", s, what, names[1:])
}

// ParseIAL parses an IAL written as a decimal ("2.3"); "" is the zero IAL.
func ParseIAL(s string) (IAL, error) {
	v, err := parseLevel(ialNames[:], s, "IAL")
	return IAL(v), err
}

// ParseAAL parses an AAL written as a decimal ("2.2"); "" is the zero AAL.
func ParseAAL(s string) (AAL, error) {
	v, err := parseLevel(aalNames[:], s, "AAL")
	return AAL(v), err
}

// String returns the level as a decimal, "" for the zero IAL.
func (l IAL) String() string {
	if int(l) < len(ialNames) {
		return ialNames[l]
	}
	return "IAL(" + strconv.Itoa(int(l)) + ")"
}

// String returns the level as a decimal, "" for the zero AAL.
func (l AAL) String() string {
	if int(l) < len(aalNames) {
		return aalNames[l]
	}
	return "AAL(" + strconv.Itoa(int(l)) + ")"
}

// Valid reports whether l is a defined level (not zero).
func (l IAL) Valid() bool { return l > 0 && int(l) < len(ialNames) }

// Valid reports whether l is a defined level (not zero).
func (l AAL) Valid() bool { return l > 0 && int(l) < len(aalNames) }

// MarshalText implements encoding.TextMarshaler.
func (l IAL) MarshalText() ([]byte, error) {
	if l != 0 && !l.Valid() {
		return nil, fmt.Errorf("registry: invalid IAL %d", uint8(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *IAL) UnmarshalText(b []byte) error {
	v, err := ParseIAL(string(b))
	*l = v
	return err
}

// MarshalText implements encoding.TextMarshaler.
func (l AAL) MarshalText() ([]byte, error) {
	if l != 0 && !l.Valid() {
		return nil, fmt.Errorf("registry: invalid AAL %d", uint8(l))
	}
	return []byte(l.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *AAL) UnmarshalText(b []byte) error {
	v, err := ParseAAL(string(b))
	*l = v
	return err
}
