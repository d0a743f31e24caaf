package delegation

import (
	"encoding/json"
	"testing"
)

// TestEligibilityByPassport: directors identified by passport are eligible
// by issuing state and number together; names alone identify nobody.
func TestEligibilityByPassport(t *testing.T) {
	rule := map[string]any{
		"mode": "jointly", "minSigners": json.Number("2"), "sealRequired": false,
		"eligibleDirectors": []any{
			map[string]any{"passport": map[string]any{"number": "AA1234567", "issuingState": "JPN"}, "name": map[string]any{"en": map[string]any{"given": "Ken"}}},
			map[string]any{"name": map[string]any{"en": map[string]any{"given": "Nameless"}}},
		},
	}
	r, err := parseRule(rule)
	if err != nil {
		t.Fatal(err)
	}
	dir := func(passport map[string]any) string {
		d, err := DirectorOf(map[string]any{"juristicId": "0105562034122", "director": map[string]any{"passport": passport}, "signingRule": rule})
		if err != nil {
			return ""
		}
		return d.Ref.key()
	}
	if k := dir(map[string]any{"number": "AA1234567", "issuingState": "JPN"}); !r.eligible(k) {
		t.Errorf("%q not eligible", k)
	}
	if k := dir(map[string]any{"number": "AA1234567", "issuingState": "KOR"}); r.eligible(k) {
		t.Errorf("%q: another state's passport is eligible", k)
	}
	if r.eligible("") {
		t.Error("a director with no id is eligible")
	}
	for _, bad := range []map[string]any{
		{"mode": "alone", "minSigners": json.Number("2")},
		{"mode": "jointly", "minSigners": json.Number("1")},
		{"mode": "anyhow", "minSigners": json.Number("1")},
	} {
		if _, err := parseRule(bad); err == nil {
			t.Errorf("rule %v accepted", bad)
		}
	}
}
