package app_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/registry"
)

// A demo data directory made before the registry existed (no registry
// section, no member keys) gets the registry on its next open, seeded,
// and the verifier then decides through it.
func TestDemoRegistryAddedToOldDirectory(t *testing.T) {
	dir := t.TempDir()
	cfg, err := app.InitDemo(dir, "", "")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Registry = nil
	cfg.Trust = map[string][]string{"DegreeCredential": {"did:web:old-policy.example"}}
	if err := cfg.Save(dir); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"mhesi", "thaid", "bankidp"} {
		if err := os.Remove(filepath.Join(dir, "keys", m+".key.json")); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, app.Options{DataDir: dir, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Registry() == nil || a.Config.Registry == nil || a.Config.Registry.Root != "etda" {
		t.Fatalf("no registry after open: %+v", a.Config.Registry)
	}
	saved, err := app.LoadConfig(dir)
	if err != nil || saved.Registry == nil || len(saved.Registry.Members) != 3 {
		t.Fatalf("registry not saved: %v %+v", err, saved)
	}
	uni, _ := a.Config.Issuer("university")
	ans, err := a.Registry().Authorize(ctx, registry.AuthorizationQuery{Entity: uni.DID, Resource: "DegreeCredential"})
	if err != nil || !ans.Authorized {
		t.Fatalf("university not authorized: %+v %v", ans, err)
	}
	svc, _ := a.Issuer("university")
	issued, err := svc.Issue(ctx, issuer.Request{Credential: issuertest.Example(t, "DegreeCredential")})
	if err != nil {
		t.Fatal(err)
	}
	if res := a.Verifier().VerifyCredential(ctx, "application/vc+jwt", issued.Token); !res.Verified {
		t.Fatalf("not verified through the registry: %+v", res.Checks)
	}
	// Opening again neither seeds twice nor changes the configuration.
	head := a.Registry().Head().Seq
	a.Close()
	b, err := app.Open(ctx, app.Options{DataDir: dir, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if got := b.Registry().Head().Seq; got != head {
		t.Errorf("head %d after reopening, was %d", got, head)
	}
}
