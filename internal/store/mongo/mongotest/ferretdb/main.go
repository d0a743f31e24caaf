// Command ferretdb runs FerretDB v1 embedded, with its SQLite handler, for
// ThaiTrust's MongoDB tests: a server that speaks the MongoDB wire protocol
// and needs no mongod.
//
//	ferretdb [-listen 127.0.0.1:0] [-dir DIR] [-log warn] [-tls | -mtls]
//
// It prints the connection string (mongodb://127.0.0.1:PORT/) as the first
// line of its standard output once the listener is up, then serves until
// its standard input reaches end of file (the parent exited or closed the
// pipe) or it gets SIGINT or SIGTERM. Without -dir the SQLite files go to
// a temporary directory that is removed on exit.
//
// With -tls it listens with TLS only, under a certificate for 127.0.0.1
// from a CA it makes for the occasion (in DIR); the connection string then
// carries tls=true and tlsCAFile. With -mtls it also requires a client
// certificate from that CA, and the connection string names one
// (tlsCertificateKeyFile): the setup of a deployment that authenticates
// with X.509.
//
// It is its own module, so that FerretDB and its dependencies (SQLite in
// pure Go, the PostgreSQL driver, OpenTelemetry, ...) stay out of
// ThaiTrust's module graph; package mongotest builds it with
// `go build` and starts it as a subprocess.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ferretdb:", err)
		os.Exit(1)
	}
}

func run() error {
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on")
	dir := flag.String("dir", "", "directory for the SQLite files (default: a temporary directory, removed on exit)")
	level := flag.String("log", "warn", "log level: debug, info, warn or error")
	useTLS := flag.Bool("tls", false, "listen with TLS only (a certificate from a CA made in DIR)")
	mutual := flag.Bool("mtls", false, "like -tls, and require a client certificate from that CA")
	flag.Parse()

	var lv slog.Level
	if err := lv.UnmarshalText([]byte(*level)); err != nil {
		return fmt.Errorf("-log: %w", err)
	}
	if *dir == "" {
		tmp, err := os.MkdirTemp("", "ferretdb-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(tmp)
		*dir = tmp
	} else if err := os.MkdirAll(*dir, 0o700); err != nil {
		return err
	}
	abs, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}

	listener := ferretdb.ListenerConfig{TCP: *listen}
	var query string
	if *useTLS || *mutual {
		files, err := makeCerts(filepath.Join(abs, "tls"), *mutual)
		if err != nil {
			return err
		}
		listener = ferretdb.ListenerConfig{TLS: *listen, TLSCertFile: files.serverCert, TLSKeyFile: files.serverKey}
		q := url.Values{"tls": {"true"}, "tlsCAFile": {files.ca}}
		if *mutual {
			listener.TLSCAFile = files.ca
			q.Set("tlsCertificateKeyFile", files.client)
		}
		query = q.Encode()
	}
	f, err := ferretdb.New(&ferretdb.Config{
		Listener: listener,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: lv})),
		Handler:  "sqlite",
		// The URI must name a directory and end with a slash.
		SQLiteURL: "file:" + filepath.ToSlash(abs) + "/",
	})
	if err != nil {
		return err
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() {
		// The parent holds our stdin: when it goes away, so do we.
		_, _ = io.Copy(io.Discard, os.Stdin)
		cancel()
	}()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	// MongoDBURI blocks until Run has bound the listener.
	uri := f.MongoDBURI()
	if query != "" {
		u, err := url.Parse(uri)
		if err != nil {
			return err
		}
		u.RawQuery = query
		uri = u.String()
	}
	fmt.Println(uri)
	return <-done
}
