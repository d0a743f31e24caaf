package main

import (
	"errors"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary be the thaitrust command: testscript
// installs it on the scripts' PATH under that name.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"thaitrust": main,
	})
}

// TestScripts runs the CLI scripts in testdata/*.txt (txtar archives: a
// script, then the files it uses). Besides testscript's built-in commands
// they may use:
//
//	exitcode N PROG [ARGS...]   run PROG and require exit status N; stdout
//	                            and stderr are kept for the checks after it
//	envfrom VAR FILE REGEXP     set VAR to the first submatch of REGEXP in
//	                            FILE (stdout and stderr name the last
//	                            command's output)
//	freeport VAR                set VAR to a loopback TCP port free just now
//	waitfor URL                 wait (up to 60 s) until GET URL answers 200
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata",
		Setup: func(e *testscript.Env) error {
			// The scripts start from a clean environment: no data
			// directory, server or secrets of the machine running them.
			for _, k := range []string{"THAITRUST_DATA", "THAITRUST_SERVER", "THAITRUST_TOKEN", "THAITRUST_DEMO_TOKEN", "THAITRUST_KEY_PASSPHRASE"} {
				e.Setenv(k, "")
			}
			e.Setenv("GORACE", noRaceExitSleep(e.Getenv("GORACE")))
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
			"envfrom":  cmdEnvFrom,
			"freeport": cmdFreePort,
			"waitfor":  cmdWaitFor,
		},
	})
}

func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

func cmdEnvFrom(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: envfrom VAR FILE REGEXP")
	}
	re, err := regexp.Compile(args[2])
	if err != nil {
		ts.Fatalf("envfrom: %v", err)
	}
	m := re.FindStringSubmatch(ts.ReadFile(args[1]))
	if len(m) < 2 {
		ts.Fatalf("envfrom: %s does not match %s", args[1], args[2])
	}
	ts.Setenv(args[0], m[1])
}

func cmdFreePort(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: freeport VAR")
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	ts.Check(err)
	defer ln.Close()
	ts.Setenv(args[0], strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
}

func cmdWaitFor(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfor URL")
	}
	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := client.Get(args[0])
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("waitfor %s: no 200 within 60 s (last error: %v)", args[0], err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// noRaceExitSleep adds atexit_sleep_ms=0 to GORACE options: a binary built
// with -race otherwise sleeps a second before it exits, which would make
// every command of the scripts (and the crash test's server shutdown) a
// second slower. It changes nothing for binaries built without -race.
func noRaceExitSleep(gorace string) string {
	return strings.TrimSpace(gorace + " atexit_sleep_ms=0")
}
