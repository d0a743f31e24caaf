package app

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier"
)

// newTokenChecker returns the checker of SD-JWT VCs' IETF Token Status
// List references: lists of this server's issuers are read through local
// (nil: none) on every check, so that a revocation here shows at once;
// other lists are fetched with fetch and cached as they direct.
func newTokenChecker(publicURL string, fetch *verifier.Fetcher, resolver *did.Resolver, algs []signing.Algorithm,
	local func(context.Context, string) (string, bool, error), now func() time.Time,
) verifier.TokenStatusChecker {
	keys := status.DIDTokenKeys(resolver)
	remote := &status.TokenChecker{Fetch: fetch.Fetch, Key: keys, Algorithms: algs, Now: now, ClockSkew: time.Minute}
	if local == nil {
		return remote
	}
	mine := &status.TokenChecker{
		Fetch: func(ctx context.Context, u string) ([]byte, error) {
			tok, _, err := local(ctx, u)
			return []byte(tok), err
		},
		Key: keys, Algorithms: algs, Now: now, MaxAge: -1, ClockSkew: time.Minute,
	}
	return tokenRouter{local: mine, remote: remote, isLocal: func(u string) bool {
		_, _, ok := localTokenRef(publicURL, u)
		return ok
	}}
}

// tokenRouter sends checks of local Token Status Lists to one checker and
// the rest to another.
type tokenRouter struct {
	local, remote verifier.TokenStatusChecker
	isLocal       func(uri string) bool
}

func (r tokenRouter) Check(ctx context.Context, iss string, ref status.TokenRef) (status.TokenResult, error) {
	if r.isLocal(ref.URI) {
		return r.local.Check(ctx, iss, ref)
	}
	return r.remote.Check(ctx, iss, ref)
}

// localTokenRef parses <publicURL>/issuers/<name>/statuslists/<list>.
func localTokenRef(publicURL, u string) (issuerName, list string, ok bool) {
	rest, found := strings.CutPrefix(u, publicURL+"/issuers/")
	if !found || publicURL == "" {
		return "", "", false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[1] != "statuslists" {
		return "", "", false
	}
	list, err := url.PathUnescape(parts[2])
	if err != nil {
		return "", "", false
	}
	return parts[0], list, true
}

// localTokenList serves the Token Status List URLs of this server's own
// issuers without a network round trip. ok is false for other URLs.
func (a *App) localTokenList(ctx context.Context, u string) (token string, ok bool, err error) {
	name, list, ok := localTokenRef(a.Config.PublicURL, u)
	if !ok {
		return "", false, nil
	}
	svc, exists := a.issuers[name]
	if !exists {
		return "", true, fmt.Errorf("app: no issuer %q here", name)
	}
	token, err = svc.TokenStatusList(ctx, list)
	return token, true, err
}
