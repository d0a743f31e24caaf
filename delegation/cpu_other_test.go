//go:build !unix

package delegation

// processCPU is not measured here: the benchmark reports wall clock only.
func processCPU() int64 { return 0 }
