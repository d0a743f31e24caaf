// Command thaitrust is ThaiTrust's one binary: it serves the issuers and
// the verifier, and issues, verifies and manages credentials from the
// command line.
//
// Usage:
//
//	thaitrust serve [--demo] [--addr HOST:PORT] [--data DIR] [--public-url URL]
//	thaitrust init --demo [--data DIR] [--public-url URL]
//	thaitrust issue --type TYPE --claims FILE [--issuer NAME] [--out FILE]
//	thaitrust verify [--json] FILE|-
//	thaitrust status revoke|suspend|unsuspend|show CREDENTIAL_ID [--issuer NAME]
//	thaitrust keys new|show ...
//	thaitrust schemas list|show|example [TYPE]
//
// Run "thaitrust help COMMAND" for a command's flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
)

// exit codes
const (
	exitOK      = 0
	exitFail    = 1 // the command ran and the answer is "no" (e.g. not verified)
	exitUsage   = 2 // bad flags or input
	exitRuntime = 3 // something went wrong running the command
)

// command is one subcommand.
type command struct {
	name  string
	usage string
	brief string
	run   func(ctx context.Context, env *env, args []string) error
}

// env is what commands read and write; tests replace it.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
}

// commands are the subcommands, in the order help lists them. Each
// command's file adds itself with register in an init function, so a new
// command touches no other file.
var commands []*command

// order is the help order; commands not named here follow, by name.
var order = []string{"serve", "init", "issue", "verify", "status", "keys", "schemas"}

func register(c *command) {
	commands = append(commands, c)
	rank := func(name string) int {
		for i, n := range order {
			if n == name {
				return i
			}
		}
		return len(order)
	}
	slices.SortStableFunc(commands, func(a, b *command) int {
		if ra, rb := rank(a.name), rank(b.name); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.name, b.name)
	})
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

// usageError is a mistake in how the command was called.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// failError means the command's answer is negative (exit 1), with the
// output already printed.
var errFail = errors.New("failed")

func run(ctx context.Context, e *env, args []string) int {
	if len(args) == 0 {
		printUsage(e.stderr)
		return exitUsage
	}
	if args[0] == "-h" || args[0] == "--help" || args[0] == "help" && len(args) == 1 {
		printUsage(e.stdout)
		return exitOK
	}
	if args[0] == "help" {
		args = []string{args[1], "--help"}
	}
	for _, c := range commands {
		if c.name != args[0] {
			continue
		}
		err := c.run(ctx, e, args[1:])
		var ue usageError
		switch {
		case err == nil:
			return exitOK
		case errors.Is(err, flag.ErrHelp):
			return exitOK
		case errors.Is(err, errFail):
			return exitFail
		case errors.As(err, &ue):
			fmt.Fprintf(e.stderr, "thaitrust %s: %s\nRun 'thaitrust help %s' for usage.\n", c.name, ue.msg, c.name)
			return exitUsage
		default:
			fmt.Fprintf(e.stderr, "thaitrust %s: %v\n", c.name, err)
			return exitRuntime
		}
	}
	fmt.Fprintf(e.stderr, "thaitrust: unknown command %q\n\n", args[0])
	printUsage(e.stderr)
	return exitUsage
}

func printUsage(w io.Writer) {
	fmt.Fprintln(w, "thaitrust: a trust framework for Thailand's digital credentials")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Usage: thaitrust COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands {
		fmt.Fprintf(w, "  %-9s %s\n", c.name, c.brief)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'thaitrust help COMMAND' for a command's flags.")
	fmt.Fprintln(w, "Exit status: 0 ok, 1 negative answer (e.g. not verified), 2 usage error, 3 failure.")
}

// newFlags returns a FlagSet that prints the command's usage on -h.
func newFlags(e *env, c *command) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n\n%s\n\nFlags:\n", c.usage, c.brief)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags (which may follow positional arguments) and maps
// flag errors to usage errors.
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usageError{err.Error()}
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
