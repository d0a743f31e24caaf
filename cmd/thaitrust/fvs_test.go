package main

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/thaitrust/thaitrust/fvs/goface"
	"github.com/thaitrust/thaitrust/internal/testdata"
)

// TestFVSScripts runs the face verification scripts in testdata/fvs with
// $LFW (the LFW images) and the face models; it skips when either is
// missing.
func TestFVSScripts(t *testing.T) {
	models, err := goface.ModelsDir()
	if err != nil {
		t.Skipf("face models not installed (run scripts/setup.sh): %v", err)
	}
	lfw := testdata.LFW(t, "images")
	testscript.Run(t, testscript.Params{
		Dir: "testdata/fvs",
		Setup: func(e *testscript.Env) error {
			for _, k := range []string{"THAITRUST_DATA", "THAITRUST_SERVER", "THAITRUST_TOKEN", "THAITRUST_DEMO_TOKEN", "THAITRUST_KEY_PASSPHRASE"} {
				e.Setenv(k, "")
			}
			e.Setenv("THAITRUST_MODELS", models)
			e.Setenv("LFW", lfw)
			e.Setenv("GORACE", noRaceExitSleep(e.Getenv("GORACE")))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"freeport": cmdFreePort,
			"waitfor":  cmdWaitFor,
		},
	})
}
