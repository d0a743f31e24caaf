package registrytest_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
)

func TestMemoryStore(t *testing.T) {
	registrytest.TestStore(t, func(t *testing.T) registry.Store { return registrytest.NewMemoryStore() })
}
