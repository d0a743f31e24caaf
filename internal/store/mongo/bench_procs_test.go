package mongo_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/store/mongo"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/signing"
)

// Environment of an issuing worker process (TestIssueWorker).
const (
	envWorkerURI   = "THAITRUST_BENCH_WORKER_URI"
	envWorkerStart = "THAITRUST_BENCH_WORKER_START" // Unix nanoseconds
	envWorkerFor   = "THAITRUST_BENCH_WORKER_FOR"   // a time.Duration
)

// BenchmarkIssueProcesses runs issuer services in separate processes (this
// test binary, re-executed as TestIssueWorker), each with its own client
// of one database, all issuing with 32 goroutines per core during the same
// 5-second window: the figure for ThaiTrust replicas sharing MongoDB. It
// ignores b.N (one window per run); creds/s is the sum over processes.
func BenchmarkIssueProcesses(b *testing.B) {
	window := 5 * time.Second
	if d, err := time.ParseDuration(os.Getenv("THAITRUST_BENCH_WINDOW")); err == nil {
		window = d
	}
	for _, procs := range []int{1, 2} {
		b.Run(fmt.Sprintf("store=mongo/processes=%d", procs), func(b *testing.B) {
			uri := mongotest.URI(b)
			start := time.Now().Add(4 * time.Second)
			var (
				total atomic.Int64
				wg    sync.WaitGroup
			)
			for p := range procs {
				cmd := exec.Command(os.Args[0], "-test.run=^TestIssueWorker$", "-test.count=1")
				cmd.Env = append(os.Environ(), envWorkerURI+"="+uri, envWorkerStart+"="+strconv.FormatInt(start.UnixNano(), 10), envWorkerFor+"="+window.String())
				cmd.Stderr = os.Stderr
				out, err := cmd.StdoutPipe()
				if err != nil {
					b.Fatal(err)
				}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				wg.Go(func() {
					s := bufio.NewScanner(out)
					for s.Scan() {
						if n, ok := strings.CutPrefix(s.Text(), "issued "); ok {
							v, _ := strconv.ParseInt(n, 10, 64)
							total.Add(v)
						}
					}
					if err := cmd.Wait(); err != nil {
						b.Errorf("worker %d: %v", p, err)
					}
				})
			}
			wg.Wait()
			b.ReportMetric(float64(total.Load())/window.Seconds(), "creds/s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// TestIssueWorker is a worker process of BenchmarkIssueProcesses; it
// skips unless run as one.
func TestIssueWorker(t *testing.T) {
	uri := os.Getenv(envWorkerURI)
	if uri == "" {
		t.Skip("not a benchmark worker")
	}
	startNs, _ := strconv.ParseInt(os.Getenv(envWorkerStart), 10, 64)
	window, _ := time.ParseDuration(os.Getenv(envWorkerFor))
	ctx := context.Background()
	db, err := mongo.Open(ctx, uri, mongo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	vi := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA, issuer.Config{Store: db.Issuer()}, "DegreeCredential")
	tmpl := issuertest.Example(t, "DegreeCredential")
	if _, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Clone(tmpl)}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Until(time.Unix(0, startNs)))
	end := time.Now().Add(window)
	var n atomic.Int64
	var wg sync.WaitGroup
	for range 32 * runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for time.Now().Before(end) {
				if _, err := vi.Service.Issue(ctx, issuer.Request{Credential: issuertest.Clone(tmpl)}); err != nil {
					t.Error(err)
					return
				}
				if time.Now().Before(end) {
					n.Add(1)
				}
			}
		})
	}
	wg.Wait()
	fmt.Printf("issued %d\n", n.Load())
}
