//go:build !linux

package verifier_test

import (
	"testing"
	"time"
)

// sdThreadClock is unavailable here: cpu-ratio is not reported.
func sdThreadClock(*testing.B) func() time.Duration {
	return func() time.Duration { return 0 }
}
