package main

import (
	"bufio"
	"context"
	"crypto"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

var cmdKeys = &command{
	name:  "keys",
	usage: "keys new [--alg EdDSA|ES256|ES384] --out FILE | keys show FILE",
	brief: "create a passphrase-encrypted signing key, or show a key's public forms",
}

func init() {
	register(cmdKeys)
	cmdKeys.run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("give a subcommand: new or show")
		}
		switch args[0] {
		case "-h", "-help", "--help":
			fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n\n%s\n\nRun 'thaitrust keys new --help' for the flags of keys new.\n", cmdKeys.usage, cmdKeys.brief)
			return flag.ErrHelp
		case "new":
			fs := newFlags(e, cmdKeys)
			alg := fs.String("alg", "EdDSA", "algorithm: EdDSA (Ed25519), ES256 (P-256) or ES384 (P-384)")
			out := fs.String("out", "", "key file to write (encrypted with a passphrase from $"+app.EnvKeyPassphrase+" or asked on stdin)")
			if _, err := parse(fs, args[1:]); err != nil {
				return err
			}
			if *out == "" {
				return usagef("--out FILE is required")
			}
			if _, err := os.Lstat(*out); err == nil {
				return fmt.Errorf("%s exists; not overwriting it (a key file may hold the only copy of a key)", *out)
			}
			a, err := signing.ParseAlgorithm(*alg)
			if err != nil {
				return usagef("%v", err)
			}
			pass, err := passphrase(e)
			if err != nil {
				return err
			}
			key, err := signing.GenerateKey(a)
			if err != nil {
				return err
			}
			if err := signing.WriteKeyFile(*out, key, pass); err != nil {
				return err
			}
			fmt.Fprintf(e.stderr, "wrote %s\n", *out)
			return showKey(e, key.Public())
		case "show":
			if len(args) != 2 {
				return usagef("keys show FILE")
			}
			pub, err := signing.ReadPublicKeyFile(args[1])
			if err != nil {
				return err
			}
			return showKey(e, pub)
		}
		return usagef("unknown keys subcommand %q (new, show)", args[0])
	}
}

// minPassphrase is the shortest passphrase keys new accepts.
const minPassphrase = 12

func passphrase(e *env) ([]byte, error) {
	if p := e.getenv(app.EnvKeyPassphrase); p != "" {
		if len(p) < minPassphrase {
			return nil, usagef("%s must be at least %d characters", app.EnvKeyPassphrase, minPassphrase)
		}
		return []byte(p), nil
	}
	fmt.Fprint(e.stderr, "Passphrase for the new key: ")
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		if err != nil {
			return nil, fmt.Errorf("no passphrase given (set %s or type one)", app.EnvKeyPassphrase)
		}
		return nil, usagef("the passphrase must not be empty")
	}
	if len(line) < minPassphrase {
		return nil, usagef("the passphrase must be at least %d characters", minPassphrase)
	}
	return []byte(line), nil
}

func showKey(e *env, pub crypto.PublicKey) error {
	jwk, err := signing.PublicJWK(pub)
	if err != nil {
		return err
	}
	alg, _ := signing.AlgorithmFor(pub)
	tp, err := signing.Thumbprint(pub)
	if err != nil {
		return err
	}
	dk, err := did.KeyDID(pub)
	if err != nil {
		return err
	}
	dj, err := did.JWKDID(pub)
	if err != nil {
		return err
	}
	return printJSON(e.stdout, map[string]any{"alg": alg, "jwk": jwk, "thumbprint": tp, "did_key": dk, "did_jwk": dj})
}
