package bolt_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/issuer/oid4vci/oid4vcitest"
)

func TestOID4VCIStore(t *testing.T) {
	oid4vcitest.TestStore(t, func(t *testing.T) oid4vci.Store {
		return open(t, bolt.Options{}).OID4VCI()
	})
}

func TestOID4VCIStoreNoGroupCommit(t *testing.T) {
	oid4vcitest.TestStore(t, func(t *testing.T) oid4vci.Store {
		return open(t, bolt.Options{MaxBatchSize: 1}).OID4VCI()
	})
}
