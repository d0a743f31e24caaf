package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
)

const crashToken = "crash-test-demo-token-0123456789"

// TestCrashRecovery kills the server with SIGKILL while 16 clients issue
// credentials over HTTP, restarts it on the same data directory, and
// checks the promises the issuer makes about a crash:
//
//   - every credential acknowledged with 201 has its issuance record, with
//     the status list index its credential carries;
//   - no status list index is ever handed out twice: not among the
//     records, and not to credentials issued after the restart;
//   - a credential acknowledged before the crash still verifies (and can
//     still be revoked).
//
// The binary is built with go build (with -race when this test is), so
// the test exercises the real process, its flags and its shutdown-free
// death.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test: builds and runs the server (skipped with -short)")
	}
	t.Parallel() // with the scripts, which mostly wait
	bin := buildThaitrust(t)
	data := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)
	base := "http://" + addr

	srv := startServer(t, bin, addr, data)
	c := &crashClient{base: base, http: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 32},
	}}
	examples := map[string]map[string]any{
		"university": c.example(t, "DegreeCredential"),
		"dopa":       c.example(t, "ThaiCitizenCredential"),
	}

	// Phase 1: issue until 300 acknowledgements, then SIGKILL the server
	// with the other requests in flight.
	const clients, killAfter = 16, 300
	var (
		mu    sync.Mutex
		acked []ackedCredential
		once  sync.Once
	)
	var killed atomic.Bool
	var inFlight atomic.Int64 // requests cut off by the kill
	kill := func() {
		once.Do(func() {
			killed.Store(true)
			srv.kill(t)
		})
	}
	var wg sync.WaitGroup
	for g := range clients {
		name := "university"
		if g%4 == 3 {
			name = "dopa"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !killed.Load() {
				got, err := c.issue(name, examples[name])
				if err != nil {
					if !killed.Load() {
						t.Errorf("issuing before the crash: %v", err)
						kill()
					}
					inFlight.Add(1)
					return
				}
				mu.Lock()
				acked = append(acked, got)
				n := len(acked)
				mu.Unlock()
				if n >= killAfter {
					kill()
				}
			}
		}()
	}
	waitOrFail(t, &wg, 2*time.Minute, "issuing clients did not stop after the kill")
	if t.Failed() {
		t.FailNow()
	}
	srv.checkOutput(t)
	t.Logf("phase 1: %d credentials acknowledged before SIGKILL, %d requests cut off by it", len(acked), inFlight.Load())

	// Phase 2: restart on the same data directory.
	srv = startServer(t, bin, addr, data)

	used := map[listIndex]string{} // every index seen, and whose it is
	claim := func(li listIndex, id string) {
		t.Helper()
		if prev, dup := used[li]; dup && prev != id {
			t.Errorf("status index %v given to %s and to %s", li, prev, id)
		}
		used[li] = id
	}
	records := map[string]listIndex{}
	for name := range examples {
		for id, li := range c.records(t, name) {
			records[id] = li
			claim(li, id)
		}
	}
	for _, a := range acked {
		li, ok := records[a.ID]
		if !ok {
			t.Errorf("acknowledged credential %s has no issuance record after the crash", a.ID)
			continue
		}
		if li != a.Index {
			t.Errorf("record of %s has index %v, its credential says %v", a.ID, li, a.Index)
		}
	}
	t.Logf("phase 2: %d records after restart (%d acknowledged)", len(records), len(acked))

	// Phase 3: issue more after the restart; no index may come back.
	var after []ackedCredential
	for g := range clients {
		name := "university"
		if g%4 == 3 {
			name = "dopa"
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				got, err := c.issue(name, examples[name])
				if err != nil {
					t.Errorf("issuing after the restart: %v", err)
					return
				}
				mu.Lock()
				after = append(after, got)
				mu.Unlock()
			}
		}()
	}
	waitOrFail(t, &wg, 2*time.Minute, "issuing after the restart did not finish")
	for _, a := range after {
		claim(a.Index, a.ID)
	}
	t.Logf("phase 3: %d more credentials, %d distinct indexes in all", len(after), len(used))

	// A credential acknowledged before the crash still verifies, and its
	// status can still be changed.
	old := acked[0]
	if v := c.verify(t, old.VC); !v.Verified {
		t.Errorf("credential acknowledged before the crash does not verify: %+v", v)
	}
	c.post(t, "/issuers/"+old.Issuer+"/credentials/status", map[string]any{"credentialId": old.ID, "action": "revoke"}, http.StatusOK)
	if v := c.verify(t, old.VC); v.Verified || len(v.Errors) == 0 || v.Errors[0].Reason != "revoked" {
		t.Errorf("revoked after the restart, verification says %+v", v)
	}
	if v := c.verify(t, acked[len(acked)-1].VC); !v.Verified {
		t.Errorf("last credential acknowledged before the crash does not verify: %+v", v)
	}
	srv.stop(t)
}

// listIndex is a status list entry of one issuer.
type listIndex struct {
	Issuer, List string
	Index        string
}

type ackedCredential struct {
	Issuer string
	ID     string
	Index  listIndex
	VC     map[string]any
}

type crashClient struct {
	base string
	http *http.Client
}

func (c *crashClient) do(method, path string, body any) (int, []byte, error) {
	var r io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+crashToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}

func (c *crashClient) post(t *testing.T, path string, body any, want int) []byte {
	t.Helper()
	code, b, err := c.do("POST", path, body)
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	if code != want {
		t.Fatalf("POST %s: %d, want %d: %s", path, code, want, b)
	}
	return b
}

func (c *crashClient) example(t *testing.T, typ string) map[string]any {
	t.Helper()
	code, b, err := c.do("GET", "/schemas/"+typ, nil)
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET /schemas/%s: %d %v %s", typ, code, err, b)
	}
	var v struct {
		Example map[string]any `json:"example"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v.Example
}

// issue issues one credential and returns what the 201 acknowledged: the
// id and the status list entry of the signed credential.
func (c *crashClient) issue(issuerName string, cred map[string]any) (ackedCredential, error) {
	code, b, err := c.do("POST", "/issuers/"+issuerName+"/credentials/issue", map[string]any{"credential": cred})
	if err != nil {
		return ackedCredential{}, err
	}
	if code != http.StatusCreated {
		return ackedCredential{}, fmt.Errorf("issue: %d %s", code, b)
	}
	var resp struct {
		VC map[string]any `json:"verifiableCredential"`
		ID string         `json:"credentialId"`
	}
	if err := json.Unmarshal(b, &resp); err != nil {
		return ackedCredential{}, err
	}
	dataURL, _ := resp.VC["id"].(string)
	env, err := credential.ParseDataURL(dataURL)
	if err != nil {
		return ackedCredential{}, err
	}
	sec, err := jose.ParseCredential(env.Data)
	if err != nil {
		return ackedCredential{}, err
	}
	cr := sec.Credential
	if cr.ID != resp.ID || len(cr.Status) == 0 {
		return ackedCredential{}, fmt.Errorf("issue: credential id %q, response %q, %d status entries", cr.ID, resp.ID, len(cr.Status))
	}
	var li listIndex
	for i, e := range cr.Status {
		u, err := url.Parse(e.ListCredential)
		if err != nil {
			return ackedCredential{}, err
		}
		// .../issuers/<name>/status/<list>/<purpose>
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) < 5 || parts[len(parts)-3] != "status" || parts[len(parts)-4] != issuerName {
			return ackedCredential{}, fmt.Errorf("issue: unexpected status list URL %s", e.ListCredential)
		}
		got := listIndex{Issuer: issuerName, List: parts[len(parts)-2], Index: e.Index}
		if i > 0 && got != li {
			return ackedCredential{}, fmt.Errorf("issue: the status entries use different indexes: %v, %v", li, got)
		}
		li = got
	}
	return ackedCredential{Issuer: issuerName, ID: resp.ID, Index: li, VC: resp.VC}, nil
}

// records pages through GET /issuers/{name}/credentials.
func (c *crashClient) records(t *testing.T, issuerName string) map[string]listIndex {
	t.Helper()
	out := map[string]listIndex{}
	before := ""
	for {
		code, b, err := c.do("GET", "/issuers/"+issuerName+"/credentials?limit=100&before="+url.QueryEscape(before), nil)
		if err != nil || code != http.StatusOK {
			t.Fatalf("GET records: %d %v %s", code, err, b)
		}
		var page struct {
			Records []struct {
				ID          string `json:"id"`
				StatusList  string `json:"statusList"`
				StatusIndex uint64 `json:"statusIndex"`
			} `json:"records"`
		}
		if err := json.Unmarshal(b, &page); err != nil {
			t.Fatal(err)
		}
		if len(page.Records) == 0 {
			return out
		}
		for _, r := range page.Records {
			if _, dup := out[r.ID]; dup {
				t.Fatalf("record %s listed twice", r.ID)
			}
			out[r.ID] = listIndex{Issuer: issuerName, List: r.StatusList, Index: fmt.Sprint(r.StatusIndex)}
		}
		before = page.Records[len(page.Records)-1].ID
	}
}

type crashVerification struct {
	Verified bool `json:"verified"`
	Errors   []struct {
		Reason string `json:"reason"`
	} `json:"errors"`
}

func (c *crashClient) verify(t *testing.T, vc map[string]any) crashVerification {
	t.Helper()
	b := c.post(t, "/credentials/verify", map[string]any{"verifiableCredential": vc}, http.StatusOK)
	var v crashVerification
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// buildThaitrust builds this command into a temporary directory, once per
// test, with -race when the test binary has it (so that the build reuses
// the packages the test build compiled, and the server is race-checked).
func buildThaitrust(t *testing.T) string {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("crash test skipped: the go command is not on PATH, and the test builds the thaitrust binary with it")
	}
	bin := filepath.Join(t.TempDir(), "thaitrust")
	args := []string{"build", "-o", bin}
	if raceEnabled {
		args = append(args, "-race")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, goBin, append(args, ".")...)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// server is a running thaitrust serve process.
type server struct {
	cmd            *exec.Cmd
	done           chan struct{} // closed when the process has exited
	stdout, stderr *bytes.Buffer // read only after done
}

// startServer starts thaitrust serve --demo and waits until /healthz
// answers. Cleanup kills it if the test has not.
func startServer(t *testing.T, bin, addr, data string) *server {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--demo", "--addr", addr, "--data", data, "--log", "json")
	cmd.Env = append(os.Environ(), "THAITRUST_DEMO_TOKEN="+crashToken, "THAITRUST_KEY_PASSPHRASE=",
		"GORACE="+noRaceExitSleep(os.Getenv("GORACE")))
	s := &server{cmd: cmd, done: make(chan struct{}), stdout: new(bytes.Buffer), stderr: new(bytes.Buffer)}
	cmd.Stdout, cmd.Stderr = s.stdout, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		select {
		case <-s.done:
		default:
			_ = cmd.Process.Kill()
			<-s.done
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.done:
			t.Fatalf("thaitrust serve exited before answering: %v\nstdout:\n%s\nstderr:\n%s", cmd.ProcessState, s.stdout, s.stderr)
		default:
		}
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s
			}
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			<-s.done
			t.Fatalf("thaitrust serve did not answer /healthz within 60 s (last error %v)\nstderr:\n%s", err, s.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to die.
func (s *server) kill(t *testing.T) {
	if err := s.cmd.Process.Kill(); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("kill: %v", err)
	}
	<-s.done
}

// stop interrupts the server (graceful shutdown) and checks its output.
func (s *server) stop(t *testing.T) {
	t.Helper()
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Errorf("thaitrust serve did not stop within 20 s of SIGINT")
	}
	if code := s.cmd.ProcessState.ExitCode(); code != 0 {
		t.Errorf("thaitrust serve exited with %d after SIGINT\nstderr:\n%s", code, s.stderr)
	}
	s.checkOutput(t)
}

// checkOutput checks a finished server's output for panics, data races
// and leaked secrets.
func (s *server) checkOutput(t *testing.T) {
	t.Helper()
	<-s.done
	logs := s.stderr.String()
	for _, bad := range []string{"panic:", "DATA RACE", "goroutine ", crashToken, `"d":`, `\"d\":`} {
		if strings.Contains(logs, bad) {
			t.Errorf("server log contains %q:\n%s", bad, logs)
		}
	}
}

func waitOrFail(t *testing.T, wg *sync.WaitGroup, d time.Duration, msg string) {
	t.Helper()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatal(msg)
	}
}
