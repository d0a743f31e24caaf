package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"

	"github.com/thaitrust/thaitrust/issuer"
)

var cmdStatus = &command{
	name:  "status",
	usage: "status revoke|suspend|unsuspend|show CREDENTIAL_ID [--issuer NAME] [--data DIR | --server URL --token TOKEN]",
	brief: "revoke, suspend or reinstate an issued credential, or show its status",
}

func init() {
	register(cmdStatus)
	cmdStatus.run = func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, cmdStatus)
		issuerName := fs.String("issuer", "", "issuer profile name (default: found by the credential id)")
		data := fs.String("data", "", "data directory (default $THAITRUST_DATA or ./"+defaultData+")")
		server := fs.String("server", "", "act through a running server (default $THAITRUST_SERVER)")
		token := fs.String("token", "", "bearer token for --server (default $THAITRUST_TOKEN)")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 2 {
			return usagef("give an action (revoke, suspend, unsuspend, show) and a credential id")
		}
		show := pos[0] == "show"
		var action issuer.Action
		if !show {
			if action, err = issuer.ParseAction(pos[0]); err != nil {
				return usagef("%v", err)
			}
		}
		id := pos[1]
		t, err := openTarget(ctx, e, *server, *token, *data)
		if err != nil {
			return err
		}
		defer t.Close()
		var st issuer.CredentialStatus
		if t.remote != nil {
			names := []string{*issuerName}
			if *issuerName == "" {
				if names, err = remoteIssuers(ctx, t.remote); err != nil {
					return err
				}
			}
			err = errNoIssuer
			for _, n := range names {
				var resp struct {
					ID        string `json:"credentialId"`
					Revoked   bool   `json:"revoked"`
					Suspended bool   `json:"suspended"`
				}
				if show {
					err = t.remote.do(ctx, "GET", "/issuers/"+n+"/credentials/"+url.PathEscape(id), nil, &struct {
						ID        *string `json:"id"`
						Revoked   *bool   `json:"revoked"`
						Suspended *bool   `json:"suspended"`
					}{&resp.ID, &resp.Revoked, &resp.Suspended})
				} else {
					err = t.remote.do(ctx, "POST", "/issuers/"+n+"/credentials/status", map[string]any{"credentialId": id, "action": string(action)}, &resp)
				}
				var pe *problemError
				if errors.As(err, &pe) && pe.Status == 404 && pe.Reason != "unknown_issuer" {
					err = errNoIssuer // unless a later issuer has it
					continue
				}
				st = issuer.CredentialStatus{ID: resp.ID, Revoked: resp.Revoked, Suspended: resp.Suspended}
				break
			}
		} else {
			names := []string{*issuerName}
			if *issuerName == "" {
				names = names[:0]
				for _, ic := range t.local.Config.Issuers {
					names = append(names, ic.Name)
				}
			}
			err = errNoIssuer
			for _, n := range names {
				svc, ok := t.local.Issuer(n)
				if !ok {
					return usagef("no issuer named %q", n)
				}
				if show {
					st, _, err = svc.Status(ctx, id)
				} else {
					st, err = svc.SetStatus(ctx, id, action)
				}
				if errors.Is(err, issuer.ErrNotFound) {
					continue
				}
				break
			}
		}
		if errors.Is(err, issuer.ErrNotFound) {
			err = errNoIssuer
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "%s: revoked=%t suspended=%t\n", st.ID, st.Revoked, st.Suspended)
		return nil
	}
}

var errNoIssuer = errors.New("no issuer here issued a credential with that id")

func remoteIssuers(ctx context.Context, r *remote) ([]string, error) {
	var list []struct {
		Name string `json:"name"`
	}
	if err := r.do(ctx, "GET", "/issuers", nil, &list); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(list))
	for _, i := range list {
		out = append(out, i.Name)
	}
	sort.Strings(out)
	return out, nil
}
