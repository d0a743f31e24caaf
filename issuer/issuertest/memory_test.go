package issuertest_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
)

func TestMemoryStore(t *testing.T) {
	issuertest.TestStore(t, func(*testing.T) issuer.Store {
		return issuertest.NewMemoryStore()
	})
}
