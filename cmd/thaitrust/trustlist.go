package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// trustListFlags are verify's flags for verifying against a trust list
// file instead of a data directory's registry:
//
//	--trust-list FILE     the signed JSON trust list (registry export)
//	--trust-anchor K      the scheme operator's public key: a key file, a
//	                      JWK (file or inline JSON, or "keys show" output)
//	                      or a DID (did:key, did:jwk; did:web over the
//	                      network). Default: the data directory's root key.
//	--offline             no network at all; status lists are not checked
//	--allow-stale         accept a list past its next update
//
// Status lists: with --offline they are not checked (the status check is
// reported skipped, with a warning, and the result can be "verified").
// Without it they are checked: the data directory's own lists from its
// store when no server holds it, every other list fetched over the
// network; a list that cannot be fetched fails the status check
// (status_unavailable), and the credential is not verified.
type trustListFlags struct {
	list, anchor        *string
	offline, allowStale *bool
}

func addTrustListFlags(fs *flag.FlagSet) *trustListFlags {
	return &trustListFlags{
		list:   fs.String("trust-list", "", "verify against this signed trust list (registry export) instead of the data directory's registry; no registry server is needed"),
		anchor: fs.String("trust-anchor", "", "with --trust-list: the scheme operator's public key: a key file, a JWK (file or inline), or a DID (default: the root key of the data directory)"),
		offline: fs.Bool("offline", false, "with --trust-list: use no network; status lists are NOT checked (reported skipped, with a warning): "+
			"a revoked credential passes. Without --offline, a status list that cannot be fetched fails the status check"),
		allowStale: fs.Bool("allow-stale", false, "with --trust-list: accept a list past its next update (it may not show recent withdrawals)"),
	}
}

// open returns a verifier whose issuer trust and issuer keys come from the
// trust list.
func (f *trustListFlags) open(ctx context.Context, e *env, dir string) (*verifier.Verifier, func(), error) {
	for name, set := range map[string]bool{"--trust-anchor": *f.anchor != "", "--offline": *f.offline, "--allow-stale": *f.allowStale} {
		if set && *f.list == "" {
			return nil, nil, usagef("%s goes with --trust-list", name)
		}
	}
	data, err := os.ReadFile(*f.list)
	if err != nil {
		return nil, nil, usagef("--trust-list: %v", err)
	}
	anchor, err := f.anchorKey(ctx, dir)
	if err != nil {
		return nil, nil, err
	}
	opts := app.TrustListOptions{List: data, Anchor: anchor, AllowStale: *f.allowStale, UnsafeOffline: *f.offline, HTTPLoopback: true}
	done := func() {}
	if !*f.offline && hasConfig(dir) {
		// The data directory's own status lists, read from its store (no
		// server needs to run); others are fetched. A server holding the
		// directory serves its lists itself.
		if a, err := app.Open(ctx, app.Options{DataDir: dir, Log: quietLog(e)}); err == nil {
			opts.Status, done = a.StatusChecker(), func() { a.Close() }
		}
	}
	v, tl, err := app.NewTrustListVerifier(opts)
	switch {
	case errors.Is(err, registry.ErrStale):
		done()
		return nil, nil, fmt.Errorf("%s: %w; fetch a fresh list (GET /registry/trustlist.jwt, thaitrust registry export) or give --allow-stale", *f.list, err)
	case errors.Is(err, registry.ErrBadSignature):
		done()
		return nil, nil, fmt.Errorf("%s: %w: it was not signed by the trust anchor, or it was altered", *f.list, err)
	case err != nil:
		done()
		return nil, nil, fmt.Errorf("%s: %w", *f.list, err)
	}
	si := tl.Info
	fmt.Fprintf(e.stderr, "trust list %s #%d (%d entities), issued %s, next update %s\n", si.SchemeOperatorID, si.SequenceNumber,
		len(tl.Document().Entities), si.ListIssueDateTime.Format(time.RFC3339), si.NextUpdate.Format(time.RFC3339))
	if *f.offline {
		fmt.Fprintln(e.stderr, "offline: status lists are not checked; a revoked or suspended credential is not detected")
	}
	return v, done, nil
}

func hasConfig(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, app.ConfigFile))
	return err == nil
}

// anchorKey returns the trust anchor: --trust-anchor, or the data
// directory's root key.
func (f *trustListFlags) anchorKey(ctx context.Context, dir string) (crypto.PublicKey, error) {
	if strings.TrimSpace(*f.anchor) == "" {
		if !hasConfig(dir) {
			return nil, usagef("give --trust-anchor (the scheme operator's public key): there is no data directory at %s to take it from", dir)
		}
		return app.RootPublicKey(dir)
	}
	return publicKeyArg(ctx, "--trust-anchor", *f.anchor, *f.offline)
}

// publicKeyArg reads a pinned public key given on the command line: a
// DID or DID URL, an inline JWK, or a file (a ThaiTrust key file, a JWK,
// or "thaitrust keys show" output).
func publicKeyArg(ctx context.Context, flagName, v string, offline bool) (crypto.PublicKey, error) {
	v = strings.TrimSpace(v)
	switch {
	case strings.HasPrefix(v, "did:"):
		return anchorFromDID(ctx, flagName, v, offline)
	case strings.HasPrefix(v, "{"):
		return anchorFromJSON(flagName, []byte(v))
	}
	if pub, err := signing.ReadPublicKeyFile(v); err == nil {
		return pub, nil
	}
	b, err := os.ReadFile(v)
	if err != nil {
		return nil, usagef("%s: %v", flagName, err)
	}
	pub, err := anchorFromJSON(flagName, b)
	if err != nil {
		return nil, usagef("%s %s: not a key file or a JWK: %v", flagName, v, err)
	}
	return pub, nil
}

// anchorFromJSON reads a public JWK, or the output of "thaitrust keys
// show" (whose "jwk" member is one).
func anchorFromJSON(flagName string, b []byte) (crypto.PublicKey, error) {
	var shown struct {
		JWK json.RawMessage `json:"jwk"`
	}
	if err := json.Unmarshal(b, &shown); err == nil && len(shown.JWK) > 0 {
		b = shown.JWK
	}
	j, err := signing.ParseJWK(bytes.TrimSpace(b))
	if err != nil {
		return nil, usagef("%s: %v", flagName, err)
	}
	pub, err := j.PublicKey()
	if err != nil {
		return nil, usagef("%s: %v", flagName, err)
	}
	return pub, nil
}

// anchorFromDID resolves a DID (with one key) or a DID URL to the
// anchor's key. did:key and did:jwk need no network; did:web is fetched
// unless offline.
func anchorFromDID(ctx context.Context, flagName, v string, offline bool) (crypto.PublicKey, error) {
	r := &did.Resolver{HTTPLoopback: true}
	if offline {
		r.HTTPClient = &http.Client{Transport: refuseTransport{}}
	}
	if strings.Contains(v, "#") {
		pub, err := r.ResolveKey(ctx, v, did.AssertionMethod)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", flagName, err)
		}
		return pub, nil
	}
	doc, err := r.Resolve(ctx, v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", flagName, err)
	}
	if len(doc.VerificationMethod) != 1 {
		return nil, usagef("%s: %s has %d keys; name one (DID#fragment)", flagName, v, len(doc.VerificationMethod))
	}
	return doc.VerificationMethod[0].PublicKey()
}

// refuseTransport fails every request (--offline).
type refuseTransport struct{}

func (refuseTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	return nil, fmt.Errorf("offline: not fetching %s", r.URL.Redacted())
}
