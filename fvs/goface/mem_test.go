package goface_test

import (
	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
)

func memStore() fvs.Store { return fvstest.NewMemoryStore() }
