package delegationtest_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/delegation/delegationtest"
)

func TestMemoryStore(t *testing.T) {
	delegationtest.TestStore(t, func(*testing.T) delegation.Store { return delegation.NewMemoryStore() })
}
