package app_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/registry/registrytest"
)

// fillSource writes lists, records, a registry and FVS state into a new
// embedded store.
func fillSource(t *testing.T) *bolt.DB {
	t.Helper()
	ctx := context.Background()
	src, err := bolt.Open(filepath.Join(t.TempDir(), "thaitrust.db"), bolt.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	at := time.Date(2025, 6, 1, 9, 30, 0, 123_456_789, time.UTC) // below a millisecond too
	for i, iss := range []string{"university", "dopa"} {
		l := issuer.StatusList{Issuer: iss, ID: "1", Seq: 1, Size: 131072, Key: [32]byte{byte(i)}, Next: 256,
			Revoked: make([]byte, 16384), Suspended: make([]byte, 16384), CreatedAt: at, UpdatedAt: at}
		l.Revoked[100] = 0x10
		if err := src.Issuer().CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 250 {
		iss := "university"
		if i%5 == 0 {
			iss = "dopa"
		}
		r := issuer.Record{ID: fmt.Sprintf("urn:uuid:01977a2c-0000-7000-8000-%012x", i), Issuer: iss, Type: "DegreeCredential",
			Format: "vc+jwt", ListID: "1", Index: uint64(i * 17), IssuedAt: at.Add(time.Duration(i) * time.Second), ValidFrom: at}
		if i%2 == 0 {
			r.Credential = []byte(fmt.Sprint("eyJ...", i))
		}
		if err := src.Issuer().PutRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	registrytest.NewScheme(t, src.Registry())
	f := src.FVS()
	if err := f.CreateKeyring(ctx, fvs.Keyring{KEK: "jkt:x/1", WrappedIndexKey: []byte{1, 2, 3}, CreatedAt: at}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		r := fvs.TemplateRecord{Subject: fvs.SubjectKey{byte(i)}, Model: "m", TemplateVersion: 1, KEK: "k", WrappedKey: []byte{9}, Nonce: []byte{8},
			Ciphertext: []byte{byte(i)}, Source: "test", EnrolledAt: at}
		for range i + 1 { // versions 1..4
			if _, err := f.PutTemplate(ctx, r); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := f.AppendAudit(ctx, fvs.AuditEntry{At: at, Action: "enroll", Subject: r.Subject, Outcome: "enrolled", FMR: 1e-4}); err != nil {
			t.Fatal(err)
		}
	}
	return src
}

// migrateTo opens the destination store uri ("": a MongoDB database from
// mongotest) for the rest of the test and migrates src into it once.
func migrateTo(ctx context.Context, t *testing.T, src *bolt.DB, uri string) (app.Store, *app.Migration) {
	t.Helper()
	if uri == "" {
		uri = mongotest.URI(t)
	}
	dst, err := app.OpenStore(ctx, t.TempDir(), uri)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { dst.Close() })
	m, err := app.Migrate(ctx, src, dst, app.MigrateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return dst, m
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, uri string }{
		{"mongodb", ""},
		{"bolt", "bolt:copy.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := fillSource(t)
			dst, m := migrateTo(ctx, t, src, tc.uri)
			want := app.Tally{Source: 250, Copied: 250, Verified: 250}
			if m.Records != want || m.Issuers["dopa"] != 50 || m.Issuers["university"] != 200 {
				t.Errorf("records: %v, per issuer %v", m.Records, m.Issuers)
			}
			if m.Lists != (app.Tally{Source: 2, Copied: 2, Verified: 2}) {
				t.Errorf("lists: %v", m.Lists)
			}
			if m.Registry.Source == 0 || m.Registry.Copied != m.Registry.Source || m.Registry.Verified != m.Registry.Source || m.RegistryHead != m.Registry.Source {
				t.Errorf("registry: %v, head %d", m.Registry, m.RegistryHead)
			}
			if m.Keyring.Verified != 1 || m.Templates != (app.Tally{Source: 4, Copied: 4, Verified: 4}) || m.Audit != (app.Tally{Source: 4, Copied: 4, Verified: 4}) {
				t.Errorf("fvs: %v; %v; %v", m.Keyring, m.Templates, m.Audit)
			}
			if r, err := dst.FVS().GetTemplate(ctx, fvs.SubjectKey{3}); err != nil || r.Version != 4 && tc.name == "mongodb" {
				t.Errorf("template version after the copy: %d, %v", r.Version, err)
			}
			l, err := dst.Issuer().GetList(ctx, "university", "1")
			if err != nil || l.Revoked[100] != 0x10 || l.Next != 256 {
				t.Errorf("list after the copy: %v", err)
			}

			// Again: everything is there already.
			m, err = app.Migrate(ctx, src, dst, app.MigrateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Records.Present != 250 || m.Lists.Present != 2 || m.Registry.Present != m.Registry.Source || m.Templates.Present != 4 || m.Audit.Present != 4 {
				t.Errorf("second run: %+v", m)
			}

			// A destination that was used since does not match.
			if _, err := dst.Issuer().UpdateList(ctx, "dopa", "1", func(l issuer.StatusList) (issuer.StatusList, error) {
				l.Revoked[5] = 1
				return l, nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Migrate(ctx, src, dst, app.MigrateOptions{}); !errors.Is(err, app.ErrMigrationMismatch) {
				t.Errorf("destination changed since: %v, want ErrMigrationMismatch", err)
			}
		})
	}
}
