package bolt_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
)

func TestOID4VPStore(t *testing.T) {
	oid4vptest.TestStore(t, func(t *testing.T) oid4vp.Store {
		return open(t, bolt.Options{}).OID4VP()
	})
}

func TestOID4VPStoreNoGroupCommit(t *testing.T) {
	oid4vptest.TestStore(t, func(t *testing.T) oid4vp.Store {
		return open(t, bolt.Options{MaxBatchSize: 1}).OID4VP()
	})
}
