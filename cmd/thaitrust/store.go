package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
)

var cmdStore = &command{
	name:  "store",
	usage: "store migrate --from DIR --to mongodb://... [--workers N]",
	brief: "copy an embedded store to MongoDB and verify the copy",
}

func init() {
	register(cmdStore)
	cmdStore.run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("give a subcommand: migrate")
		}
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n\n%s\n\nRun 'thaitrust store migrate --help' for its flags.\n", cmdStore.usage, cmdStore.brief)
			return flag.ErrHelp
		case "migrate":
			return storeMigrate(ctx, e, args[1:])
		}
		return usagef("unknown store subcommand %q (migrate)", args[0])
	}
}

func storeMigrate(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, cmdStore)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, `Usage: thaitrust store migrate --from DIR --to URI [--workers N]

Copies the embedded store of data directory DIR (its %s, or the file DIR
names) to the store at URI (mongodb://... or mongodb+srv://..., with TLS and
credentials in the URI), then verifies the copy: status lists field by
field, issuance records counted per issuer and compared by content, the
registry history (head hash and chain), the FVS keyring, templates and
audit log. Running it again skips what is already there and identical;
anything that differs stops it, and nothing is overwritten.

Stop the server first: the embedded file is locked while it runs. OpenID4VCI
offers, access tokens and nonces are not copied (they live for minutes).

Flags:
`, app.StoreFile)
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "data directory (or embedded store file) to copy from (default $THAITRUST_DATA or ./"+defaultData+")")
	to := fs.String("to", "", "store URI to copy to (default $"+app.EnvStore+")")
	workers := fs.Int("workers", 16, "records copied at once")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usagef("unexpected argument %q", pos[0])
	}
	dir := dataDir(e, *from)
	dst := *to
	if dst == "" {
		dst = e.getenv(app.EnvStore)
	}
	if dst == "" {
		return usagef("--to URI is required (mongodb://...)")
	}
	if *workers < 1 {
		return usagef("--workers must be at least 1")
	}
	path := dir
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		path = filepath.Join(dir, app.StoreFile)
	}
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("no embedded store to copy: %w", err)
	}
	src, err := bolt.Open(path, bolt.Options{})
	if errors.Is(err, bolt.ErrLocked) {
		return fmt.Errorf("%w (stop the server before migrating)", err)
	}
	if err != nil {
		return err
	}
	defer src.Close()
	if !filepath.IsAbs(dir) {
		if abs, err := filepath.Abs(dir); err == nil {
			dir = abs
		}
	}
	fmt.Fprintf(e.stderr, "copying %s to %s\n", path, app.DescribeStore(dir, dst))
	target, err := app.OpenStore(ctx, dir, dst)
	if err != nil {
		return err
	}
	defer target.Close()
	m, err := app.Migrate(ctx, src, target, app.MigrateOptions{Workers: *workers, Progress: e.stderr})
	if err != nil {
		return err
	}
	w := e.stdout
	fmt.Fprintf(w, "status lists     %s\n", m.Lists)
	fmt.Fprintf(w, "records          %s\n", m.Records)
	issuers := make([]string, 0, len(m.Issuers))
	for iss, n := range m.Issuers {
		issuers = append(issuers, fmt.Sprintf("%s %d", iss, n))
	}
	sort.Strings(issuers)
	if len(issuers) > 0 {
		fmt.Fprintf(w, "  per issuer     %s\n", strings.Join(issuers, ", "))
	}
	fmt.Fprintf(w, "registry events  %s\n", m.Registry)
	if m.RegistryHead > 0 {
		fmt.Fprintf(w, "  history        verified up to event %d, same head\n", m.RegistryHead)
	}
	fmt.Fprintf(w, "fvs keyring      %s\n", m.Keyring)
	fmt.Fprintf(w, "fvs templates    %s\n", m.Templates)
	fmt.Fprintf(w, "fvs audit        %s\n", m.Audit)
	fmt.Fprintf(w, "not copied       OpenID4VCI offers, access tokens and nonces (they live for minutes)\n")
	fmt.Fprintf(w, "verified: the destination holds everything the source does\n")
	return nil
}
