// Package mongotest gives tests a MongoDB database: on the replica set
// named by THAITRUST_MONGO_URI when that is set, otherwise on FerretDB
// v1 (SQLite handler) started by the test process on 127.0.0.1.
//
//	db, err := mongo.Open(ctx, mongotest.URI(t), mongo.Options{})
//
// Each URI call returns a fresh, empty database (its name in the URI
// path), dropped when the test ends.
//
// # FerretDB
//
// FerretDB is not a dependency of ThaiTrust's module: it lives in the
// tool module in the ferretdb subdirectory, which this package builds with
// `go build` on first use (a few minutes on a fresh machine, seconds from
// the build cache) into the user's cache directory, keyed by the tool's
// sources, under a file lock so that test binaries of several packages
// share one build. One server is started per test process and serves all
// its tests; it exits when the test process does (it watches its
// standard input).
//
// Tests are skipped, with a message saying so, only when THAITRUST_MONGO_URI
// is unset and the go command is not on PATH. Any other failure to build
// or start FerretDB fails the test.
package mongotest

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// EnvURI names the environment variable with the connection string of a
// MongoDB deployment to test against instead of FerretDB. Its path, if
// any, is ignored: every test gets a database of its own.
const EnvURI = "THAITRUST_MONGO_URI"

// BuildTags are the build tags the FerretDB tool is built with: the
// PostgreSQL handler is left out (the SQLite handler is used).
const BuildTags = "ferretdb_no_postgresql"

var (
	serverOnce sync.Once
	serverURI  string
	serverErr  error
	serverSkip string
	// serverIn is the FerretDB process's standard input, held open for
	// the life of the test process.
	serverIn io.WriteCloser
)

// Server returns the base connection string of the shared test
// deployment (no database in its path), starting FerretDB if needed. It
// reports whether that deployment is FerretDB.
func Server(t testing.TB) (uri string, ferret bool) {
	t.Helper()
	if u := os.Getenv(EnvURI); u != "" {
		return u, false
	}
	serverOnce.Do(func() { serverURI, serverIn, serverSkip, serverErr = startFerretDB() })
	if serverSkip != "" {
		t.Skip(serverSkip)
	}
	if serverErr != nil {
		t.Fatalf("mongotest: %v", serverErr)
	}
	return serverURI, true
}

// IsFerretDB reports whether tests run against FerretDB (rather than
// THAITRUST_MONGO_URI).
func IsFerretDB() bool { return os.Getenv(EnvURI) == "" }

// URI returns the connection string of a new, empty database on the
// shared test deployment. The database is dropped when t ends.
func URI(t testing.TB) string {
	t.Helper()
	base, _ := Server(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "tt_" + hex.EncodeToString(b[:])
	u, err := WithDatabase(base, name)
	if err != nil {
		t.Fatalf("mongotest: %s: %v", EnvURI, err)
	}
	t.Cleanup(func() { drop(t, u, name) })
	return u
}

// WithDatabase returns uri with its path set to /name.
func WithDatabase(uri, name string) (string, error) {
	u, err := url.Parse(uri)
	if err != nil {
		return "", err
	}
	u.Path = "/" + name
	u.RawPath = ""
	return u.String(), nil
}

func drop(t testing.TB, uri, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := mongo.Connect(options.Client().ApplyURI(uri))
	if err != nil {
		t.Logf("mongotest: dropping %s: %v", name, err)
		return
	}
	defer c.Disconnect(ctx)
	if err := c.Database(name).Drop(ctx); err != nil {
		t.Logf("mongotest: dropping %s: %v", name, err)
	}
}

// TLSServer starts a FerretDB of its own for t that listens with TLS only,
// and returns its connection string, which carries tls=true and tlsCAFile
// (and, if mutual, the client certificate in tlsCertificateKeyFile: the
// server then refuses clients without one). It is stopped when t ends.
// It always uses FerretDB: THAITRUST_MONGO_URI names a deployment whose
// TLS setup is its own.
func TLSServer(t testing.TB, mutual bool) string {
	t.Helper()
	flag := "-tls"
	if mutual {
		flag = "-mtls"
	}
	uri, in, skip, err := startFerretDB(flag)
	if skip != "" {
		t.Skip(skip)
	}
	if err != nil {
		t.Fatalf("mongotest: %v", err)
	}
	t.Cleanup(func() { in.Close() })
	return uri
}

// startFerretDB builds (or finds) the tool and starts it with args. The
// server runs until in is closed (or this process exits).
func startFerretDB(args ...string) (uri string, in io.WriteCloser, skip string, err error) {
	if _, err := exec.LookPath("go"); err != nil {
		return "", nil, "mongotest: skipping MongoDB tests: " + EnvURI + " is not set and the go command, needed to build FerretDB, is not on PATH", nil
	}
	bin, err := Binary()
	if err != nil {
		return "", nil, "", err
	}
	cmd := exec.Command(bin, append([]string{"-listen", "127.0.0.1:0"}, args...)...)
	in, err = cmd.StdinPipe()
	if err != nil {
		return "", nil, "", err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, "", err
	}
	var stderr lockedBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return "", nil, "", fmt.Errorf("starting FerretDB: %w", err)
	}
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case l, ok := <-line:
		if !ok || !strings.HasPrefix(l, "mongodb://") {
			_ = cmd.Process.Kill()
			return "", nil, "", fmt.Errorf("FerretDB did not start (first line %q); its log:\n%s", l, stderr.String())
		}
		go func() { _ = cmd.Wait() }()
		return l, in, "", nil
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return "", nil, "", fmt.Errorf("FerretDB printed no address within a minute; its log:\n%s", stderr.String())
	}
}

// ToolDir returns the directory of the FerretDB tool module.
func ToolDir() (string, error) {
	const rel = "internal/store/mongo/mongotest/ferretdb"
	if _, file, _, ok := runtime.Caller(0); ok {
		d := filepath.Join(filepath.Dir(file), "ferretdb")
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, rel, "go.mod")); err == nil {
			return filepath.Join(d, rel), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("mongotest: no %s above %s", rel, wd)
		}
	}
}

// Binary returns the path of the FerretDB tool, building it if the cache
// holds no build of the current sources.
func Binary() (string, error) {
	dir, err := ToolDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), BuildTags)
	sources, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return "", err
	}
	for i, f := range sources {
		sources[i] = filepath.Base(f)
	}
	for _, f := range append([]string{"go.mod", "go.sum"}, sources...) {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", f, len(b))
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	cache = filepath.Join(cache, "thaitrust-test")
	if err := os.MkdirAll(cache, 0o700); err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "ferretdb-"+hex.EncodeToString(h.Sum(nil))[:16])
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}

	// One builder at a time; the others wait and find its result.
	lock, err := os.OpenFile(filepath.Join(cache, "ferretdb.lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN)
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	tmp := bin + ".tmp"
	cmd := exec.Command("go", "build", "-buildvcs=false", "-tags", BuildTags, "-o", tmp, ".")
	cmd.Dir = dir
	// GOWORK=off: a go.work above the repository must not pull the tool
	// into another build list.
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building FerretDB in %s: %w\n%s", dir, err, out.String())
	}
	if err := os.Rename(tmp, bin); err != nil {
		return "", err
	}
	return bin, nil
}

// lockedBuffer is a bytes.Buffer safe for a writer and a reader.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.b.Len() > 1<<20 {
		return len(p), nil // enough to diagnose a failed start
	}
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
