package registry_test

import (
	"bytes"
	"testing"

	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/registry/registrytest"
)

// TestExportReusesEncodingsExactly: exports that reuse the kept
// encodings of unchanged entities (alternating Export and ExportTo, whose
// buffers alternate, after changes at the start, the middle and the end
// of the registration order, status changes, and with and without
// credentials) are byte for byte the export of a fresh Service over the
// same store (the scheme operator signs with Ed25519, deterministically).
func TestExportReusesEncodingsExactly(t *testing.T) {
	sc := registrytest.NewScheme(t, nil)
	signer := sc.Members["etda"].Signer
	fresh := func(opts registry.ExportOptions) string {
		t.Helper()
		svc, err := registry.Open(ctx, registry.Config{Store: sc.Store, Root: sc.Service.Root(), Now: sc.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		tok, err := svc.Export(ctx, signer, opts)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	suspend := func(ids ...string) func() {
		return func() {
			for _, id := range ids {
				if _, err := sc.Service.SetEntityStatus(ctx, "admin", id, registry.StatusRequest{Status: registry.StatusSuspended, Reason: "audit"}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	// Entities are listed in the order they were registered: an early
	// one's longer encoding moves every later one (within the room the
	// buffers keep for growth, so ExportTo writes over the previous list
	// in the same buffer if it picks the wrong one).
	steps := []func(){
		func() {},
		func() {},
		suspend("dopa"),
		func() { register(t, sc, "aaa-first") },
		func() { register(t, sc, "m-middle") },
		suspend("dbd", "m-middle"),
		func() { sc.Clock.Advance(1) },
		func() { register(t, sc, "zzz-later") },
		func() { register(t, sc, "b-second") },
	}
	for i, step := range steps {
		step()
		{
			credentials := i >= 7 // all encodings change at step 7
			opts := registry.ExportOptions{NextUpdate: day(60), Keys: sc.Resolver, Credentials: credentials}
			want := fresh(opts)
			// ExportTo, Export, ExportTo twice (the second writes the other
			// buffer); the first reads what the last step's second
			// ExportTo kept.
			for j, toWriter := range []bool{true, false, true, true} {
				var got string
				if toWriter {
					var b bytes.Buffer
					if _, err := sc.Service.ExportTo(ctx, &b, signer, opts); err != nil {
						t.Fatal(err)
					}
					got = b.String()
				} else {
					var err error
					if got, err = sc.Service.Export(ctx, signer, opts); err != nil {
						t.Fatal(err)
					}
				}
				if got != want {
					t.Fatalf("step %d, export %d (credentials %v): differs from a fresh Service's", i, j, credentials)
				}
			}
		}
	}
}

func register(t *testing.T, sc *registrytest.Scheme, id string) {
	t.Helper()
	if _, err := sc.Service.Register(ctx, "admin", registry.Entity{ID: id, Kinds: []registry.Kind{registry.KindVerifier},
		Name: registry.Text{TH: "ผู้ตรวจสอบ " + id, EN: "Verifier " + id}, Jurisdiction: "TH"}, "test"); err != nil {
		t.Fatal(err)
	}
}
