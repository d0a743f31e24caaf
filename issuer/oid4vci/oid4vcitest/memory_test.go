package oid4vcitest_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/issuer/oid4vci/oid4vcitest"
)

func TestMemoryStore(t *testing.T) {
	oid4vcitest.TestStore(t, func(*testing.T) oid4vci.Store { return oid4vcitest.NewMemoryStore() })
}
