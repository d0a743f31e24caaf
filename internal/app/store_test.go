package app_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
)

func TestOpenStore(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	use := func(t *testing.T, s app.Store) {
		t.Helper()
		if err := app.StoreHealth(ctx, s); err != nil {
			t.Fatal(err)
		}
		l := issuer.StatusList{Issuer: "u", ID: "1", Seq: 1, Size: 1024, Revoked: make([]byte, 128), Suspended: make([]byte, 128)}
		if err := s.Issuer().CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Issuer().LatestList(ctx, "u"); err != nil {
			t.Fatal(err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	t.Run("default", func(t *testing.T) {
		s, err := app.OpenStore(ctx, dir, "")
		if err != nil {
			t.Fatal(err)
		}
		use(t, s)
		if _, err := os.Stat(filepath.Join(dir, app.StoreFile)); err != nil {
			t.Error(err)
		}
	})
	t.Run("bolt", func(t *testing.T) {
		s, err := app.OpenStore(ctx, dir, "bolt:other/x.db")
		if err != nil {
			t.Fatal(err)
		}
		use(t, s)
		if _, err := os.Stat(filepath.Join(dir, "other", "x.db")); err != nil {
			t.Error(err)
		}
	})
	t.Run("mongodb", func(t *testing.T) {
		s, err := app.OpenStore(ctx, dir, mongotest.URI(t))
		if err != nil {
			t.Fatal(err)
		}
		use(t, s)
	})
	t.Run("unknown", func(t *testing.T) {
		_, err := app.OpenStore(ctx, dir, "redis://localhost")
		var se *app.StoreSchemeError
		if !errors.As(err, &se) || se.Scheme != "redis" {
			t.Errorf("err = %v, want a StoreSchemeError for redis", err)
		}
	})
	t.Run("unreachable", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		if _, err := app.OpenStore(ctx, dir, "mongodb://user:secret@127.0.0.1:1/db?connectTimeoutMS=200"); err == nil {
			t.Error("opened an unreachable MongoDB")
		} else if strings.Contains(err.Error(), "secret") {
			t.Errorf("the error shows the password: %v", err)
		}
	})
}

func TestDescribeStore(t *testing.T) {
	for uri, want := range map[string]string{
		"":             "embedded file /data/thaitrust.db",
		"bolt:x.db":    "embedded file /data/x.db",
		"bolt:/abs.db": "embedded file /abs.db",
		"mongodb://u:p@h1:27017,h2/thaitrust?replicaSet=rs0&tls=true": "MongoDB h1:27017,h2/thaitrust",
		"mongodb+srv://u:p%40ss@cluster.example/db":                   "MongoDB cluster.example/db",
		"mongodb://h": "MongoDB h",
		"redis://h":   "unknown store (redis)",
	} {
		if got := app.DescribeStore("/data", uri); got != want {
			t.Errorf("DescribeStore(%q) = %q, want %q", uri, got, want)
		}
	}
}
