// Package testdata locates shared test inputs: the official test vectors in
// ../shared/vectors and the LFW face dataset in ../shared/datasets/lfw.
//
// The shared folder sits beside the repository. Set THAITRUST_SHARED to
// point elsewhere. Tests that need it skip with a message naming the path
// they looked at when it is absent; CI machines have it.
package testdata

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// Shared returns the absolute path of the shared folder (THAITRUST_SHARED,
// else ../shared next to the module root). It does not check existence.
func Shared() string {
	if p := os.Getenv("THAITRUST_SHARED"); p != "" {
		return p
	}
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("..", "shared")
	}
	// file is <root>/internal/testdata/testdata.go
	root := filepath.Dir(filepath.Dir(filepath.Dir(file)))
	return filepath.Join(filepath.Dir(root), "shared")
}

// Vectors returns the path of ../shared/vectors/<sub...>, skipping the test
// with a clear message when it does not exist.
func Vectors(t testing.TB, sub ...string) string {
	t.Helper()
	return need(t, append([]string{"vectors"}, sub...), "official test vectors")
}

// LFW returns the path of ../shared/datasets/lfw/<sub...>, skipping the
// test with a clear message when it does not exist.
func LFW(t testing.TB, sub ...string) string {
	t.Helper()
	return need(t, append([]string{"datasets", "lfw"}, sub...), "LFW face dataset")
}

func need(t testing.TB, sub []string, what string) string {
	t.Helper()
	p := filepath.Join(append([]string{Shared()}, sub...)...)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("%s not found at %s (the shared folder is absent on this machine; set THAITRUST_SHARED): %v", what, p, err)
	}
	return p
}
