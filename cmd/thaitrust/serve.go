package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

// defaultData is the data directory when neither --data nor THAITRUST_DATA says.
const defaultData = "thaitrust-data"

func dataDir(e *env, flagValue string) string {
	if flagValue != "" {
		return flagValue
	}
	if d := e.getenv("THAITRUST_DATA"); d != "" {
		return d
	}
	return defaultData
}

var cmdServe = &command{
	name:  "serve",
	usage: "serve [--demo] [--addr HOST:PORT] [--data DIR] [--public-url URL]",
	brief: "serve the issuers, the verifier and the status lists over HTTP",
}

func init() {
	register(cmdServe)
	cmdServe.run = func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, cmdServe)
		demo := fs.Bool("demo", false, "on first start, create demo issuers (dopa, dbd, university, etda), keys and a demo client")
		addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
		data := fs.String("data", "", "data directory (default $THAITRUST_DATA or ./"+defaultData+")")
		public := fs.String("public-url", "", "base URL clients reach this server at (default http://ADDR)")
		logFormat := fs.String("log", "text", "log format: text or json")
		store := fs.String("store", "", "database: mongodb://HOST/DB?replicaSet=... to share one MongoDB between servers (default $"+app.EnvStore+", else the embedded file in the data directory)")
		if _, err := parse(fs, args); err != nil {
			return err
		}
		var handler slog.Handler
		switch *logFormat {
		case "text":
			handler = slog.NewTextHandler(e.stderr, nil)
		case "json":
			handler = slog.NewJSONHandler(e.stderr, nil)
		default:
			return usagef("--log must be text or json")
		}
		log := slog.New(handler)
		ln, err := net.Listen("tcp", *addr)
		if err != nil {
			return fmt.Errorf("listening on %s: %w", *addr, err)
		}
		defer ln.Close()
		pub := *public
		if pub == "" {
			pub = "http://" + ln.Addr().String()
		}
		storeURI := *store
		if storeURI == "" {
			storeURI = e.getenv(app.EnvStore)
		}
		a, err := app.Open(ctx, app.Options{
			DataDir: dataDir(e, *data), PublicURL: pub, Demo: *demo, Store: storeURI,
			DemoToken: e.getenv(app.EnvDemoToken), Log: log,
		})
		if err != nil {
			return err
		}
		defer a.Close()
		log.Info("store", "store", app.DescribeStore(dataDir(e, *data), storeURI))
		// Face verification runs as DOPA's FVS when the face models are
		// installed (scripts/setup.sh); without them the server runs
		// without it and says so.
		if fv, err := a.EnableFVS(ctx, app.FVSOptions{}); err != nil {
			log.Warn("face verification (FVS) not started", "reason", err.Error())
			fmt.Fprintf(e.stdout, "\nFVS (face verification): not started: %v\n", err)
		} else {
			defer fv.Close()
			fmt.Fprintf(e.stdout, "\nFVS (face verification, DOPA): %s/fvs/verify  model %s  DID %s\n", pub, fv.Service.Model(), fv.DID)
		}
		printWelcome(e, a, pub)
		return httpx.Serve(ctx, ln, a.Handler())
	}
}

func printWelcome(e *env, a *app.App, listenURL string) {
	w := e.stdout
	base := a.Config.PublicURL
	fmt.Fprintf(w, "\nThaiTrust is running: %s\n", listenURL)
	if base != listenURL {
		fmt.Fprintf(w, "  (public URL from the data directory: %s)\n", base)
	}
	fmt.Fprintf(w, "  data directory: %s\n", a.DataDir)
	for _, ic := range a.Config.Issuers {
		fmt.Fprintf(w, "  issuer %-10s %s  (%s)\n", ic.Name, ic.DID, strings.Join(ic.Types, ", "))
	}
	if a.DemoToken != "" {
		fmt.Fprintf(w, "\nDemo issuer token (Authorization: Bearer ...):\n  %s\n", a.DemoToken)
		fmt.Fprintf(w, "\nTry it:\n  export TOKEN=%s\n", a.DemoToken)
		fmt.Fprintf(w, "  curl -s %s/schemas/DegreeCredential | jq .example > degree.json\n", listenURL)
		fmt.Fprintf(w, "  curl -s -H \"Authorization: Bearer $TOKEN\" -H 'Content-Type: application/json' \\\n")
		fmt.Fprintf(w, "    -d \"{\\\"credential\\\": $(cat degree.json)}\" %s/issuers/university/credentials/issue\n", listenURL)
		fmt.Fprintf(w, "  (the README walks through verify and revoke)\n")
	}
	fmt.Fprintf(w, "\nOpen %s/ in a browser. Stop with Ctrl-C.\n\n", listenURL)
}
