// Command loadgen measures credential issuance over HTTP: it builds
// thaitrust, starts `thaitrust serve --demo` as a separate process on a
// free loopback port with a fresh data directory (the embedded bbolt
// store, every write fsynced before the response), drives
// POST /issuers/university/credentials/issue with concurrent keep-alive
// clients issuing the catalogue's DegreeCredential example, and reports
// credentials per second, latency percentiles and the server's memory.
//
//	go run ./internal/loadgen [-clients 64] [-duration 10s] [-warmup 2s]
//
// After the run it kills the server with SIGKILL and checks, in the store
// file, that every credential it was answered 201 for is recorded: the
// acknowledgements were durable, not just fast.
//
// Its first output line is in the format of `go test -bench`, so that
// `make bench` can put it in bench/latest.txt beside the benchmarks and
// benchstat can read it:
//
//	BenchmarkIssueHTTP/clients=64-2  N  ns/op  creds/s  p50-ms  p99-ms  server-peak-rss-MB ...
//
// ns/op there is wall time per credential (1e9 / creds/s). disk-fsync-ms
// is the median fdatasync latency of the data disk, probed just before
// the run: issuance is bound by durable commits, so on a shared VM the
// rate follows the disk. The numbers
// cover the measuring window only; the warm-up is not counted. The load
// generator shares the machine with the server: its own CPU use is
// reported (loadgen-cpu-cores) so that the server's share can be judged.
package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/schemas"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

type options struct {
	bin      string
	clients  int
	duration time.Duration
	warmup   time.Duration
	issuer   string
	typ      string
	keep     bool
	verbose  bool
}

func run() error {
	var o options
	flag.StringVar(&o.bin, "bin", "", "thaitrust binary to start (default: go build ./cmd/thaitrust into a temporary directory)")
	flag.IntVar(&o.clients, "clients", 64, "concurrent keep-alive clients")
	flag.DurationVar(&o.duration, "duration", 10*time.Second, "measuring window")
	flag.DurationVar(&o.warmup, "warmup", 2*time.Second, "load before the window, not counted")
	flag.StringVar(&o.issuer, "issuer", "university", "demo issuer to issue from")
	flag.StringVar(&o.typ, "type", "DegreeCredential", "credential type (its catalogue example is issued)")
	flag.BoolVar(&o.keep, "keep", false, "keep the temporary directory (data, server log)")
	flag.BoolVar(&o.verbose, "v", false, "print credentials per 100 ms to stderr while running")
	flag.Parse()
	if o.clients < 1 || o.duration <= 0 || o.warmup < 0 {
		return errors.New("-clients must be positive, -duration positive, -warmup not negative")
	}

	tmp, err := os.MkdirTemp("", "thaitrust-loadgen-")
	if err != nil {
		return err
	}
	if o.keep {
		fmt.Fprintln(os.Stderr, "loadgen: keeping", tmp)
	} else {
		defer os.RemoveAll(tmp)
	}
	if o.bin == "" {
		o.bin = filepath.Join(tmp, "thaitrust")
		build := exec.Command("go", "build", "-o", o.bin, "./cmd/thaitrust")
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			return fmt.Errorf("building thaitrust (run loadgen from the repository root): %w", err)
		}
	}
	typ, ok := schemas.Lookup(o.typ)
	if !ok {
		return fmt.Errorf("no credential type %q", o.typ)
	}
	body, err := json.Marshal(map[string]any{"credential": json.RawMessage(typ.Example), "options": map[string]any{"format": "vc+jwt"}})
	if err != nil {
		return err
	}

	fsync, err := fsyncLatency(tmp)
	if err != nil {
		return err
	}
	srv, err := startServer(o.bin, tmp)
	if err != nil {
		return err
	}
	defer srv.kill()

	res, err := drive(srv, o, body)
	if err != nil {
		return err
	}
	peak, rss := srv.memory()

	// Crash the server, then look for every acknowledged credential in
	// the store.
	srv.kill()
	missing, err := checkDurable(filepath.Join(srv.data, "thaitrust.db"), o.issuer, res.acked)
	if err != nil {
		return fmt.Errorf("checking the store after SIGKILL: %w", err)
	}

	n := len(res.latencies)
	secs := res.window.Seconds()
	rate := float64(n) / secs
	slices.Sort(res.latencies)
	pct := func(p float64) float64 {
		if n == 0 {
			return 0
		}
		return float64(res.latencies[min(n-1, int(p*float64(n)))].Microseconds()) / 1000
	}
	nsPerOp := 0.0
	if n > 0 {
		nsPerOp = float64(res.window.Nanoseconds()) / float64(n)
	}
	fmt.Printf("BenchmarkIssueHTTP/clients=%d-%d\t%d\t%.0f ns/op\t%.0f creds/s\t%.2f p50-ms\t%.2f p99-ms\t%.2f max-ms\t%.1f server-peak-rss-MB\t%.2f server-cpu-cores\t%.2f loadgen-cpu-cores\t%.2f disk-fsync-ms\t%d errors\t%d lost-after-kill\n",
		o.clients, runtime.GOMAXPROCS(0), n, nsPerOp, rate, pct(0.50), pct(0.99), pct(1), float64(peak)/1024,
		res.serverCPU.Seconds()/secs, res.clientCPU.Seconds()/secs, float64(fsync.Microseconds())/1000, res.errors, missing)
	fmt.Printf("# issuance over HTTP: %d %s credentials in %.1fs from %d keep-alive clients: %.0f credentials/s; "+
		"latency p50 %.2f ms, p99 %.2f ms; server peak RSS (VmHWM) %.1f MiB, RSS at end %.1f MiB; "+
		"server used %.2f cores, loadgen %.2f of %d; median fsync of a 4 KiB write on the data disk before the run %.2f ms; "+
		"%d errors; %d of %d acknowledged credentials missing after SIGKILL\n",
		n, o.typ, secs, o.clients, rate, pct(0.50), pct(0.99), float64(peak)/1024, float64(rss)/1024,
		res.serverCPU.Seconds()/secs, res.clientCPU.Seconds()/secs, runtime.NumCPU(), float64(fsync.Microseconds())/1000,
		res.errors, missing, len(res.acked))
	if res.errors > 0 || missing > 0 {
		return fmt.Errorf("%d errors, %d acknowledged credentials lost (first error: %s)", res.errors, missing, res.firstErr)
	}
	return nil
}

// server is a running `thaitrust serve --demo`.
type server struct {
	cmd   *exec.Cmd
	base  string // http://127.0.0.1:PORT
	data  string
	token string
	log   string
	once  sync.Once
}

func startServer(bin, tmp string) (*server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	tok := make([]byte, 24)
	rand.Read(tok)
	s := &server{
		base: "http://127.0.0.1:" + strconv.Itoa(port), data: filepath.Join(tmp, "data"),
		token: hex.EncodeToString(tok), log: filepath.Join(tmp, "server.log"),
	}
	logf, err := os.Create(s.log)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "--demo", "--addr", "127.0.0.1:"+strconv.Itoa(port), "--data", s.data, "--log", "json")
	s.cmd.Env = append(os.Environ(), "THAITRUST_DEMO_TOKEN="+s.token)
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", bin, err)
	}
	logf.Close()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(s.base + "/healthz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if s.cmd.ProcessState != nil || time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("server did not become healthy; its log:\n%s", tail(s.log))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill stops the server with SIGKILL (no graceful shutdown) and waits.
func (s *server) kill() {
	s.once.Do(func() {
		s.cmd.Process.Signal(syscall.SIGKILL)
		s.cmd.Wait()
	})
}

// memory returns the server's peak and current resident set size in KiB
// (VmHWM and VmRSS of /proc/PID/status).
func (s *server) memory() (peak, rss int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", s.cmd.Process.Pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		switch name {
		case "VmHWM":
			peak = kb
		case "VmRSS":
			rss = kb
		}
	}
	return peak, rss
}

// cpuTime is the user+system CPU time the server has used
// (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).
func (s *server) cpuTime() time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces; fields after it start
	// after the last ')'.
	f := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type result struct {
	latencies            []time.Duration // requests that completed inside the window
	window               time.Duration
	acked                []string // every credential id answered 201, warm-up included
	errors               int64
	firstErr             string
	serverCPU, clientCPU time.Duration // during the window
}

// drive runs the clients for warmup + duration.
func drive(srv *server, o options, body []byte) (*result, error) {
	tr := &http.Transport{
		MaxIdleConns: o.clients, MaxIdleConnsPerHost: o.clients, MaxConnsPerHost: o.clients,
		IdleConnTimeout: time.Minute, DisableCompression: true,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	url := srv.base + "/issuers/" + o.issuer + "/credentials/issue"

	var (
		measuring atomic.Bool
		done      atomic.Int64
		stop      atomic.Bool
		errs      atomic.Int64
		mu        sync.Mutex
		res       = &result{}
		wg        sync.WaitGroup
	)
	for range o.clients {
		wg.Go(func() {
			var lat []time.Duration
			var ids []string
			for !stop.Load() {
				counted := measuring.Load()
				t0 := time.Now()
				id, err := issueOne(client, url, srv.token, body)
				d := time.Since(t0)
				if err != nil {
					if errs.Add(1) == 1 {
						mu.Lock()
						res.firstErr = err.Error()
						mu.Unlock()
					}
					continue
				}
				ids = append(ids, id)
				done.Add(1)
				if counted && measuring.Load() {
					lat = append(lat, d)
				}
			}
			mu.Lock()
			res.latencies = append(res.latencies, lat...)
			res.acked = append(res.acked, ids...)
			mu.Unlock()
		})
	}
	if o.verbose {
		go func() {
			prev := int64(0)
			for t := time.Now(); !stop.Load(); {
				time.Sleep(100 * time.Millisecond)
				n := done.Load()
				fmt.Fprintf(os.Stderr, "%6.1fs %5d\n", time.Since(t).Seconds(), n-prev)
				prev = n
			}
		}()
	}
	time.Sleep(o.warmup)
	cpu0, self0, t0 := srv.cpuTime(), selfCPU(), time.Now()
	measuring.Store(true)
	time.Sleep(o.duration)
	measuring.Store(false)
	res.window = time.Since(t0)
	res.serverCPU, res.clientCPU = srv.cpuTime()-cpu0, selfCPU()-self0
	stop.Store(true)
	wg.Wait()
	res.errors = errs.Load()
	return res, nil
}

// issueOne issues one credential and returns its id.
func issueOne(client *http.Client, url, token string, body []byte) (string, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusCreated {
		return "", fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, data)
	}
	var out struct {
		VC struct {
			ID string `json:"id"`
		} `json:"verifiableCredential"`
		CredentialID string `json:"credentialId"`
	}
	if err := json.Unmarshal(data, &out); err != nil {
		return "", err
	}
	if !strings.HasPrefix(out.VC.ID, "data:application/vc+jwt,") || out.CredentialID == "" {
		return "", fmt.Errorf("unexpected response %.300s", data)
	}
	return out.CredentialID, nil
}

// checkDurable opens the store of a killed server and counts the
// acknowledged credentials it has no record of.
func checkDurable(path, issuer string, acked []string) (int, error) {
	db, err := bolt.Open(path, bolt.Options{})
	if err != nil {
		return 0, err
	}
	defer db.Close()
	st := db.Issuer()
	ctx := context.Background()
	missing := 0
	for _, id := range acked {
		if _, err := st.GetRecord(ctx, issuer, id); err != nil {
			missing++
		}
	}
	return missing, nil
}

// fsyncLatency is the median time of 50 rounds of rewriting 4 KiB of a file
// in dir and fdatasyncing it: what one durable commit costs at least on
// this disk right now (a bbolt commit syncs twice). It varies a lot on a
// shared VM, and issuance throughput with it.
func fsyncLatency(dir string) (time.Duration, error) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	buf := make([]byte, 4096)
	var d []time.Duration
	for i := range 50 {
		if _, err := f.WriteAt(buf, int64(i%8)*4096); err != nil {
			return 0, err
		}
		t0 := time.Now()
		if err := syscall.Fdatasync(int(f.Fd())); err != nil {
			return 0, err
		}
		d = append(d, time.Since(t0))
	}
	slices.Sort(d)
	return d[len(d)/2], nil
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func tail(path string) string {
	data, _ := os.ReadFile(path)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}
