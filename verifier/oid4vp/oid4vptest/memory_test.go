package oid4vptest_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
)

func TestMemoryStore(t *testing.T) {
	oid4vptest.TestStore(t, func(t *testing.T) oid4vp.Store { return oid4vptest.NewMemoryStore() })
}
