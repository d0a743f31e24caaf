package interop

import (
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// threadCPU returns a reader of the CPU time of the calling thread
// (CLOCK_THREAD_CPUTIME_ID), locking the goroutine to its thread until
// the benchmark ends. Descheduling by other processes does not inflate
// it; garbage collection on other threads is not in it.
func threadCPU(b *testing.B) func() time.Duration {
	runtime.LockOSThread()
	b.Cleanup(runtime.UnlockOSThread)
	const clockThreadCPUTime = 3
	return func() time.Duration {
		var ts syscall.Timespec
		_, _, e := syscall.RawSyscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
		if e != 0 {
			return 0
		}
		return time.Duration(ts.Nano())
	}
}
