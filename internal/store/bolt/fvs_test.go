package bolt_test

import (
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
)

func TestFVSStore(t *testing.T) {
	fvstest.TestStore(t, func(t *testing.T) fvs.Store {
		return open(t, bolt.Options{}).FVS()
	})
}

func TestFVSStoreNoGroupCommit(t *testing.T) {
	fvstest.TestStore(t, func(t *testing.T) fvs.Store {
		return open(t, bolt.Options{MaxBatchSize: 1}).FVS()
	})
}
