package bolt_test

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/issuer"
)

// The crash test re-executes the test binary as a writer child (see
// TestMain), in the style of os/exec's helper processes.
const (
	crashChildEnv = "THAITRUST_BOLT_CRASH_CHILD" // data file path
	crashRoundEnv = "THAITRUST_BOLT_CRASH_ROUND" // makes ids unique per child
)

// crashChild writes records and status list updates from several
// goroutines until it is killed, printing each write to stdout only after
// the store acknowledged it.
func crashChild(path string) {
	die := func(err error) {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	round, err := strconv.Atoi(os.Getenv(crashRoundEnv))
	if err != nil {
		die(err)
	}
	db, err := bolt.Open(path, bolt.Options{LockTimeout: 5 * time.Second})
	if err != nil {
		die(err)
	}
	s := db.Issuer()
	ctx := context.Background()
	err = s.CreateList(ctx, issuer.StatusList{Issuer: "chula", ID: "1", Seq: 1, Size: 131072,
		Revoked: make([]byte, 16384), Suspended: make([]byte, 16384)})
	if err != nil && !errors.Is(err, issuer.ErrExists) {
		die(err)
	}
	var mu sync.Mutex
	ack := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Printf(format+"\n", args...) // one write(2): a line is all or nothing
	}
	const writers = 8
	for g := range writers {
		go func() {
			for i := g; ; i += writers {
				r := record(round<<32 | i)
				if err := s.PutRecord(ctx, r); err != nil {
					die(err)
				}
				ack("record %s", r.ID)
			}
		}()
	}
	go func() {
		for {
			l, err := s.UpdateList(ctx, "chula", "1", func(l issuer.StatusList) (issuer.StatusList, error) {
				l.Revoked[l.Next%16384] ^= 1
				l.Next++
				return l, nil
			})
			if err != nil {
				die(err)
			}
			ack("next %d", l.Next)
		}
	}()
	select {}
}

// TestCrashSafety kills a writing child process with SIGKILL at a random
// point, several times over one data file, and checks after each kill that
// the file opens cleanly, passes bbolt's consistency check, and holds every
// write the child acknowledged.
//
// A killed process leaves its written pages in the OS page cache, so this
// proves that acknowledged means committed and that a torn commit never
// corrupts the file; the fsync before each acknowledgement is what extends
// that to power loss, and that is not tested here.
func TestCrashSafety(t *testing.T) {
	exe, err := os.Executable()
	if err != nil {
		t.Skip("no test executable to re-run:", err)
	}
	path := filepath.Join(t.TempDir(), "thaitrust.db")
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 0))
	acked := make(map[string]bool)
	var maxNext uint64
	for round := range 4 {
		killAfter := 50 + rng.IntN(500)
		var stderr bytes.Buffer
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path, crashRoundEnv+"="+strconv.Itoa(round))
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		watchdog := time.AfterFunc(60*time.Second, func() { cmd.Process.Kill() })
		sc := bufio.NewScanner(stdout)
		n, killed := 0, false
		for sc.Scan() {
			// Lines read after the kill were acknowledged before it.
			kind, arg, ok := strings.Cut(sc.Text(), " ")
			switch {
			case ok && kind == "record":
				acked[arg] = true
			case ok && kind == "next":
				next, err := strconv.ParseUint(arg, 10, 64)
				if err != nil {
					t.Fatalf("child said %q", sc.Text())
				}
				maxNext = max(maxNext, next)
			default:
				t.Fatalf("child said %q", sc.Text())
			}
			if n++; n == killAfter {
				if err := cmd.Process.Kill(); err != nil {
					t.Fatal(err)
				}
				killed = true
			}
		}
		err = cmd.Wait()
		watchdog.Stop()
		if !killed {
			t.Fatalf("round %d: child exited after %d acks: %v\n%s", round, n, err, stderr.Bytes())
		}
		t.Logf("round %d: killed after %d acks (%d records, Next %d acknowledged so far)", round, n, len(acked), maxNext)

		checkConsistent(t, path)
		db, err := bolt.Open(path, bolt.Options{})
		if err != nil {
			t.Fatalf("round %d: reopening after kill: %v", round, err)
		}
		s := db.Issuer()
		ctx := context.Background()
		for id := range acked {
			if _, err := s.GetRecord(ctx, "chula", id); err != nil {
				t.Errorf("round %d: acknowledged record %s: %v", round, id, err)
			}
		}
		l, err := s.GetList(ctx, "chula", "1")
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		if l.Next < maxNext {
			t.Errorf("round %d: list Next = %d, but %d was acknowledged", round, l.Next, maxNext)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		if t.Failed() {
			return
		}
	}
}

// checkConsistent runs bbolt's page-level consistency check on the file.
func checkConsistent(t *testing.T, path string) {
	t.Helper()
	b, err := bbolt.Open(path, 0o600, &bbolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("opening %s with bbolt: %v", path, err)
	}
	defer b.Close()
	err = b.View(func(tx *bbolt.Tx) error {
		for err := range tx.Check() {
			t.Errorf("bbolt consistency check: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
