package fvstest_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
)

func TestMemoryStore(t *testing.T) {
	fvstest.TestStore(t, func(t *testing.T) fvs.Store { return fvstest.NewMemoryStore() })
}
