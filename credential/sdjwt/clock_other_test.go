//go:build !linux

package sdjwt

import (
	"testing"
	"time"
)

// threadClock is unavailable here: cpu-ratio is not reported.
func threadClock(*testing.B) func() time.Duration {
	return func() time.Duration { return 0 }
}
