package mongo_test

import (
	"context"
	"testing"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/delegation/delegationtest"
	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvstest"
	"github.com/thaitrust/thaitrust/internal/store/mongo"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/issuer/oid4vci/oid4vcitest"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
	"github.com/thaitrust/thaitrust/verifier/oid4vp/oid4vptest"
)

// open opens a fresh database on the test deployment (FerretDB, or
// THAITRUST_MONGO_URI); it is dropped when t ends.
func open(t testing.TB) *mongo.DB {
	t.Helper()
	return openURI(t, mongotest.URI(t))
}

// openURI opens another client of the database at uri, as another
// ThaiTrust replica would.
func openURI(t testing.TB, uri string) *mongo.DB {
	t.Helper()
	db, err := mongo.Open(context.Background(), uri, mongo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestIssuerStore(t *testing.T) {
	issuertest.TestStore(t, func(t *testing.T) issuer.Store { return open(t).Issuer() })
}

func TestRegistryStore(t *testing.T) {
	registrytest.TestStore(t, func(t *testing.T) registry.Store { return open(t).Registry() })
}

func TestOID4VCIStore(t *testing.T) {
	oid4vcitest.TestStore(t, func(t *testing.T) oid4vci.Store { return open(t).OID4VCI() })
}

func TestOID4VPStore(t *testing.T) {
	oid4vptest.TestStore(t, func(t *testing.T) oid4vp.Store { return open(t).OID4VP() })
}

func TestFVSStore(t *testing.T) {
	fvstest.TestStore(t, func(t *testing.T) fvs.Store { return open(t).FVS() })
}

func TestDelegationStore(t *testing.T) {
	delegationtest.TestStore(t, func(t *testing.T) delegation.Store { return open(t).Delegation() })
}
