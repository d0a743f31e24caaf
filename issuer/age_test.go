package issuer

import (
	"maps"
	"testing"
	"time"
)

func TestAgeClaims(t *testing.T) {
	// 2025-06-01 03:00 UTC is 2025-06-01 10:00 in Thailand; 2025-05-31
	// 20:00 UTC is already 2025-06-01 03:00 there.
	now := time.Date(2025, 6, 1, 3, 0, 0, 0, time.UTC)
	late := time.Date(2025, 5, 31, 20, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		birth string
		now   time.Time
		want  map[string]any
	}{
		{"1990-08-12", now, map[string]any{"18": true, "20": true}},
		{"2007-06-01", now, map[string]any{"18": true, "20": false}},  // 18 today
		{"2007-06-02", now, map[string]any{"18": false, "20": false}}, // 18 tomorrow
		{"2007-06-01", late, map[string]any{"18": true, "20": false}}, // today in Thai time
		{"2005-06-01", now, map[string]any{"18": true, "20": true}},
		{"2005-06-02", now, map[string]any{"18": true, "20": false}},
		{"2007", now, map[string]any{"20": false}},                // 18 at some date in 2025: unknown
		{"2006", now, map[string]any{"18": true, "20": false}},    // 19 by the end of 2025 at most... and at least 18
		{"2005", now, map[string]any{"18": true}},                 // 20 unknown
		{"2007-05", now, map[string]any{"18": true, "20": false}}, // born by 2007-05-31
		{"2007-06", now, map[string]any{"20": false}},             // 1 June or later
		{"2008-02-29", time.Date(2026, 2, 28, 12, 0, 0, 0, time.UTC), map[string]any{"18": false, "20": false}},
		{"2008-02-29", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), map[string]any{"18": true, "20": false}},
		{"1990-13-01", now, nil},
		{"19900812", now, nil},
		{"", now, nil},
	} {
		got := ageClaims(tc.birth, tc.now)
		if !maps.Equal(got, tc.want) && !(len(got) == 0 && len(tc.want) == 0) {
			t.Errorf("ageClaims(%q, %s) = %v, want %v", tc.birth, tc.now, got, tc.want)
		}
	}
}
