package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/issuer"
)

var cmdIssue = &command{
	name:  "issue",
	usage: "issue --type TYPE --claims FILE [--issuer NAME] [--out FILE] [--pdf FILE] [--data DIR | --server URL --token TOKEN]",
	brief: "issue a credential of a catalogue type from a claims file",
}

func init() {
	register(cmdIssue)
	cmdIssue.run = func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, cmdIssue)
		typ := fs.String("type", "", "credential type, e.g. DegreeCredential ('thaitrust schemas list')")
		claims := fs.String("claims", "", "JSON file with the credentialSubject, or a whole unsigned credential ('-' for stdin)")
		issuerName := fs.String("issuer", "", "issuer profile name (default: the one issuer of TYPE)")
		out := fs.String("out", "", "write the credential (compact vc+jwt) to FILE instead of stdout")
		pdfOut := fs.String("pdf", "", "also write the credential's signed PDF/A-3 document to FILE (degree, transcript, company and house registration certificates)")
		data := fs.String("data", "", "data directory (default $THAITRUST_DATA or ./"+defaultData+")")
		server := fs.String("server", "", "issue through a running server (default $THAITRUST_SERVER)")
		token := fs.String("token", "", "bearer token for --server (default $THAITRUST_TOKEN)")
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) > 0 {
			return usagef("unexpected argument %q", pos[0])
		}
		if *typ == "" || *claims == "" {
			return usagef("--type and --claims are required")
		}
		if *pdfOut != "" && !hasPDFForm(*typ) {
			return usagef("%s has no PDF document form (--pdf: %v)", *typ, document.Templates())
		}
		raw, err := readInput(e, *claims)
		if err != nil {
			return err
		}
		doc, err := jsonx.ParseObject(raw)
		if err != nil {
			return usagef("%s is not a JSON object: %v", *claims, err)
		}
		cred := doc
		if _, whole := doc["credentialSubject"]; whole {
			if !hasType(doc, *typ) {
				return usagef("%s is a credential whose type does not include %s", *claims, *typ)
			}
		} else {
			cred = map[string]any{
				"@context":          []any{credential.ContextV2, issuer.ContextThaiTrust},
				"type":              []any{credential.TypeCredential, *typ},
				"credentialSubject": doc,
			}
		}
		t, err := openTarget(ctx, e, *server, *token, *data)
		if err != nil {
			return err
		}
		defer t.Close()
		var jwt, id string
		var pdf []byte
		if t.remote != nil {
			name := *issuerName
			if name == "" {
				if name, err = remoteIssuerFor(ctx, t.remote, *typ); err != nil {
					return err
				}
			}
			var resp struct {
				VerifiableCredential struct {
					ID string `json:"id"`
				} `json:"verifiableCredential"`
				CredentialID string `json:"credentialId"`
				PDF          string `json:"pdf"`
			}
			body := map[string]any{"credential": cred}
			if *pdfOut != "" {
				body["options"] = map[string]any{"pdf": true}
			}
			if err := t.remote.do(ctx, "POST", "/issuers/"+name+"/credentials/issue", body, &resp); err != nil {
				return err
			}
			if *pdfOut != "" {
				if pdf, err = remotePDF(resp.PDF); err != nil {
					return err
				}
			}
			env, err := credential.ParseDataURL(resp.VerifiableCredential.ID)
			if err != nil {
				return fmt.Errorf("server answered with an unreadable credential: %w", err)
			}
			jwt, id = env.Data, resp.CredentialID
		} else {
			ic, err := pickIssuer(t.local.Config, *issuerName, *typ)
			if err != nil {
				return err
			}
			svc, _ := t.local.Issuer(ic.Name)
			issued, err := svc.Issue(ctx, issuer.Request{Credential: cred})
			if err != nil {
				return err
			}
			jwt, id = issued.Token, issued.Record.ID
			if *pdfOut != "" {
				if pdf, err = localPDF(ctx, t.local, ic.Name, issued); err != nil {
					return err
				}
			}
		}
		if id != "" {
			fmt.Fprintf(e.stderr, "issued %s\n", id)
		}
		if pdf != nil {
			if err := writePDF(e, *pdfOut, pdf); err != nil {
				return err
			}
		}
		if *out == "" {
			_, err = fmt.Fprintln(e.stdout, jwt)
			return err
		}
		return os.WriteFile(*out, []byte(jwt+"\n"), 0o644)
	}
}

func pickIssuer(cfg *app.Config, name, typ string) (*app.IssuerConfig, error) {
	if name != "" {
		return cfg.Issuer(name)
	}
	return cfg.IssuerFor(typ)
}

// remoteIssuerFor asks the server which issuer issues typ.
func remoteIssuerFor(ctx context.Context, r *remote, typ string) (string, error) {
	var list []struct {
		Name  string   `json:"name"`
		Types []string `json:"types"`
	}
	if err := r.do(ctx, "GET", "/issuers", nil, &list); err != nil {
		return "", err
	}
	var found []string
	for _, i := range list {
		for _, t := range i.Types {
			if t == typ {
				found = append(found, i.Name)
			}
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no issuer at %s issues %s", r.base, typ)
	case 1:
		return found[0], nil
	}
	return "", usagef("several issuers issue %s (%v); choose one with --issuer", typ, found)
}

func readInput(e *env, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(io.LimitReader(e.stdin, 64<<20))
	}
	return os.ReadFile(name)
}

// quietLog logs warnings and errors only, to stderr.
func quietLog(e *env) *slog.Logger {
	return slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
