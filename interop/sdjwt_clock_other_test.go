//go:build !linux

package interop

import (
	"testing"
	"time"
)

// threadCPU is unavailable here: the cpu-* metrics read 0.
func threadCPU(*testing.B) func() time.Duration {
	return func() time.Duration { return 0 }
}
