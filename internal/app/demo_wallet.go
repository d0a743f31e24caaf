package app

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/thaitrust/thaitrust/holder"
)

// The demo holder's wallet: a holder.DirStore in the demo data directory,
// under a generated passphrase kept in secrets/ (like the demo's key
// passphrase). The web wallet (/wallet) shows it; the CLI opens the same
// wallet with
//
//	THAITRUST_WALLET_PASSPHRASE=$(cat DATA/secrets/wallet-passphrase) thaitrust wallet --dir DATA/wallet list
//
// WARNING: a server-side wallet is a demonstration: the server holds the
// holder's private keys and the passphrase that opens them. A person's
// wallet runs on their own device.
const (
	DemoWalletDir          = "wallet"
	demoWalletPassFile     = "secrets/wallet-passphrase"
	demoWalletMinPassBytes = 16
)

// OpenDemoWallet opens the demo holder's wallet, creating it (and its
// passphrase) on first use. Only demo data directories have one. The
// wallet resolves DIDs with the server's resolver (this server's
// issuers and verifiers first) and fetches offers and requests over
// HTTP (https, or http to loopback hosts).
func (a *App) OpenDemoWallet(ctx context.Context) (*holder.Wallet, error) {
	if !a.Config.Demo {
		return nil, errors.New("app: only a demo data directory has a demo wallet")
	}
	pass, err := a.demoWalletPassphrase()
	if err != nil {
		return nil, err
	}
	dir := filepath.Join(a.DataDir, DemoWalletDir)
	store, err := holder.OpenDir(dir, pass)
	if errors.Is(err, holder.ErrNotWallet) || errors.Is(err, fs.ErrNotExist) {
		// The passphrase is 192 random bits, not a person's choice:
		// Argon2id's cost would add nothing but start-up time (see
		// demoKDF).
		store, err = holder.CreateDir(dir, pass, holder.CreateOptions{KDF: demoKDF})
	}
	if err != nil {
		return nil, fmt.Errorf("app: demo wallet: %w", err)
	}
	return holder.New(ctx, holder.Config{Store: store, Resolver: a.resolver, Now: a.nowFn})
}

// demoWalletPassphrase returns the demo wallet's passphrase, creating it
// once.
func (a *App) demoWalletPassphrase() ([]byte, error) {
	p := filepath.Join(a.DataDir, demoWalletPassFile)
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Join(a.DataDir, secretsDir), 0o700); err != nil {
			return nil, err
		}
		tok, err := randomToken()
		if err != nil {
			return nil, err
		}
		if err := writeNewSecret(p, tok); err != nil {
			return nil, err
		}
		return a.demoWalletPassphrase()
	}
	if err != nil {
		return nil, err
	}
	pass := []byte(trimNewline(string(b)))
	if len(pass) < demoWalletMinPassBytes {
		return nil, fmt.Errorf("app: %s is shorter than %d bytes", p, demoWalletMinPassBytes)
	}
	return pass, nil
}

// writeNewSecret writes a secret file that must not exist yet (O_EXCL):
// two servers starting at once on one directory agree on one secret.
func writeNewSecret(path, secret string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := f.WriteString(secret + "\n"); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func trimNewline(s string) string {
	for len(s) > 0 && (s[len(s)-1] == '\n' || s[len(s)-1] == '\r') {
		s = s[:len(s)-1]
	}
	return s
}
