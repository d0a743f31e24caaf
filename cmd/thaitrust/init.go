package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/thaitrust/thaitrust/internal/app"
)

var cmdInit = &command{
	name:  "init",
	usage: "init --demo [--data DIR] [--public-url URL]",
	brief: "create a demo data directory (issuers, keys, client, trust policy) without serving it",
}

func init() {
	register(cmdInit)
	cmdInit.run = func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, cmdInit)
		demo := fs.Bool("demo", false, "create the demo issuers (dopa, dbd, university, etda), their keys and a demo client (required: the only kind of data directory init makes)")
		data := fs.String("data", "", "data directory to create (default $THAITRUST_DATA or ./"+defaultData+")")
		public := fs.String("public-url", "", "base URL the server will be reached at; issuer DIDs and status list URLs derive from it (default "+app.DefaultPublicURL+")")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		if !*demo {
			return usagef("give --demo: init creates demo data directories only (write thaitrust.json yourself otherwise)")
		}
		dir := dataDir(e, *data)
		cfg, err := app.InitDemo(dir, *public, e.getenv(app.EnvDemoToken))
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "created demo data directory %s for %s\n", dir, cfg.PublicURL)
		for _, ic := range cfg.Issuers {
			fmt.Fprintf(e.stdout, "  issuer %-10s %s  (%s)\n", ic.Name, ic.DID, strings.Join(ic.Types, ", "))
		}
		fmt.Fprintf(e.stdout, "The demo client's bearer token is in %s/secrets/demo-token.\n", dir)
		fmt.Fprintf(e.stdout, "Serve it with: thaitrust serve --data %s\n", dir)
		return nil
	}
}
