package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
)

// TestStoreScripts runs the scripts in testdata/store with $MONGO_URI, a
// fresh database on the test deployment (FerretDB, or
// THAITRUST_MONGO_URI) for each script.
func TestStoreScripts(t *testing.T) {
	base, _ := mongotest.Server(t)
	testscript.Run(t, testscript.Params{
		Dir: "testdata/store",
		Setup: func(e *testscript.Env) error {
			for _, k := range []string{"THAITRUST_DATA", "THAITRUST_SERVER", "THAITRUST_TOKEN", "THAITRUST_DEMO_TOKEN", "THAITRUST_KEY_PASSPHRASE", "THAITRUST_STORE"} {
				e.Setenv(k, "")
			}
			var b [6]byte
			_, _ = rand.Read(b[:])
			name := "tt_" + hex.EncodeToString(b[:])
			uri, err := mongotest.WithDatabase(base, name)
			if err != nil {
				return err
			}
			e.Setenv("MONGO_URI", uri)
			e.Defer(func() {
				c, err := mongo.Connect(options.Client().ApplyURI(uri))
				if err == nil {
					_ = c.Database(name).Drop(context.Background())
					_ = c.Disconnect(context.Background())
				}
			})
			e.Setenv("GORACE", noRaceExitSleep(e.Getenv("GORACE")))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"envfrom":  cmdEnvFrom,
		},
	})
}
