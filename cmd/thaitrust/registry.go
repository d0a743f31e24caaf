package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/verifier"
)

var cmdRegistry = &command{
	name: "registry",
	usage: "registry add|accredit|suspend|withdraw|reinstate|show|history|query|export|import ... [--data DIR | --server URL --token TOKEN]\n\n" +
		"  add --id ID --kind KIND[,KIND] --did DID --name-th NAME --name-en NAME [--jurisdiction TH] [--contact C] --reason WHY\n" +
		"  accredit SUBJECT --role ROLE [--by ACCREDITOR] [--types T1,T2] [--max-ial 2.3 --max-aal 2.2] [--domains D] [--from T] [--until T] --reason WHY\n" +
		"  suspend|withdraw|reinstate ID --reason WHY [--effective-from T]   (ID: an entity or an accreditation)\n" +
		"  show ID | history ID [--verify]\n" +
		"  query ENTITY --type TYPE [--action issue|accredit] [--authority ID] [--at T]   (exit 0 authorized, 1 not)\n" +
		"  query --recognize AUTHORITY [--type TYPE] [--at T]\n" +
		"  export [--format jwt|xml] [--out FILE]\n" +
		"  import FILE --source ID [--key KEY] [--types T1,T2] [--allow-stale] [--unsafe-unsigned-xml]",
	brief: "administer and query the trust registry: entities, accreditations, history, TRQP queries, trust lists",
}

// registrySub is one registry subcommand.
type registrySub struct {
	usage, brief string
	// admin subcommands change the registry: over HTTP they need a token
	// of a client with scope "registry" (or "*").
	admin bool
	flags func(fs *flag.FlagSet) func(ctx context.Context, r *regCall, pos []string) error
}

// regCall is one run of a subcommand: where it acts and what it prints.
type regCall struct {
	e      *env
	t      *target
	json   bool
	actor  string // local changes: the administrator recorded
	dir    string
	stdout io.Writer
}

func (r *regCall) reg() *registry.Service { return r.t.local.Registry() }

var registrySubs = map[string]*registrySub{}

func init() {
	register(cmdRegistry)
	cmdRegistry.run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("give a subcommand: add, accredit, suspend, withdraw, reinstate, show, history, query, export or import")
		}
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n\n%s\n\nRun 'thaitrust registry SUBCOMMAND --help' for a subcommand's flags.\n", cmdRegistry.usage, cmdRegistry.brief)
			return flag.ErrHelp
		}
		sub, ok := registrySubs[args[0]]
		if !ok {
			return usagef("unknown registry subcommand %q", args[0])
		}
		c := &command{name: "registry", usage: "registry " + args[0] + " " + sub.usage, brief: sub.brief}
		fs := newFlags(e, c)
		data := fs.String("data", "", "data directory (default $THAITRUST_DATA or ./"+defaultData+")")
		server := fs.String("server", "", "act through a running server (default $THAITRUST_SERVER)")
		token := fs.String("token", "", "bearer token for --server (default $THAITRUST_TOKEN); admin subcommands need a client with scope registry (or *)")
		asJSON := fs.Bool("json", false, "print JSON")
		var actor *string
		if sub.admin {
			actor = fs.String("actor", "", "local mode: the administrator recorded in the history (default cli:$USER); over HTTP it is the token's client")
		}
		run := sub.flags(fs)
		pos, err := parse(fs, args[1:])
		if err != nil {
			return err
		}
		call := &regCall{e: e, json: *asJSON, stdout: e.stdout, dir: dataDir(e, *data)}
		srv := *server
		if srv == "" {
			srv = e.getenv("THAITRUST_SERVER")
		}
		tok := *token
		if tok == "" {
			tok = e.getenv("THAITRUST_TOKEN")
		}
		if srv != "" && tok == "" && !sub.admin {
			call.t = &target{remote: newRemote(srv, "")} // public routes need no token
		} else if call.t, err = openTarget(ctx, e, *server, *token, *data); err != nil {
			return err
		}
		defer call.t.Close()
		if call.t.local != nil && call.t.local.Registry() == nil {
			return fmt.Errorf("%s has no trust registry (no registry section in its %s)", call.dir, app.ConfigFile)
		}
		if actor != nil {
			call.actor = *actor
			if call.actor == "" {
				call.actor = "cli:" + cmpOr(e.getenv("USER"), "local")
			}
		}
		return run(ctx, call, pos)
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// out prints v as JSON with --json, else the text.
func (r *regCall) out(v any, text string) error {
	if r.json {
		return printJSON(r.stdout, v)
	}
	_, err := fmt.Fprintln(r.stdout, text)
	return err
}

// call sends a request to the server. body: nil, []byte (sent as is with
// contentType) or a value sent as JSON. out: nil, *[]byte (the raw body)
// or a value decoded from JSON.
func (r *regCall) call(ctx context.Context, method, path, contentType string, body, out any) error {
	rm := r.t.remote
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			return err
		}
		rd, contentType = bytes.NewReader(raw), "application/json"
	}
	req, err := http.NewRequestWithContext(ctx, method, rm.base+path, rd)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if rm.token != "" {
		req.Header.Set("Authorization", "Bearer "+rm.token)
	}
	resp, err := rm.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		p := &problemError{Status: resp.StatusCode, Title: http.StatusText(resp.StatusCode)}
		_ = json.Unmarshal(raw, p)
		return p
	}
	switch o := out.(type) {
	case nil:
		return nil
	case *[]byte:
		*o = raw
		return nil
	default:
		return json.Unmarshal(raw, out)
	}
}

// list splits a comma-separated flag value.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// timeFlag parses RFC 3339 or a date (YYYY-MM-DD, midnight UTC); "" is
// zero.
func timeFlag(name, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t.UTC(), nil
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, nil
	}
	return time.Time{}, usagef("--%s %q: want an RFC 3339 time (2026-01-02T15:04:05+07:00) or a date (2026-01-02)", name, v)
}

func one(pos []string, what string) (string, error) {
	if len(pos) != 1 {
		return "", usagef("give one %s", what)
	}
	return pos[0], nil
}

func describeAccreditation(a registry.Accreditation) string {
	scope := strings.Join(a.Scope.CredentialTypes, ", ")
	if a.Role == registry.RoleIdentityProvider {
		scope = "IAL " + a.Scope.MaxIAL.String() + ", AAL " + a.Scope.MaxAAL.String()
	}
	until := "open"
	if !a.ValidUntil.IsZero() {
		until = a.ValidUntil.Format(time.RFC3339)
	}
	s := fmt.Sprintf("accreditation %s: %s by %s as %s for %s, valid %s..%s, %s", a.ID, a.Subject, a.Accreditor, a.Role, scope,
		a.ValidFrom.Format(time.RFC3339), until, a.Status)
	if a.StatusReason != "" {
		s += " (" + a.StatusReason + ")"
	}
	return s
}

func describeEntity(e registry.Entity) string {
	kinds := make([]string, len(e.Kinds))
	for i, k := range e.Kinds {
		kinds[i] = string(k)
	}
	s := fmt.Sprintf("entity %s: %s / %s (%s), %s", e.ID, e.Name.TH, e.Name.EN, strings.Join(kinds, ", "), e.Status)
	if e.StatusReason != "" {
		s += " (" + e.StatusReason + ")"
	}
	return s
}

func init() {
	registrySubs["add"] = &registrySub{
		usage: "--id ID --kind KIND[,KIND] --did DID[,DID] [--x509 SHA256] --name-th NAME --name-en NAME [--jurisdiction TH] [--contact C] --reason WHY",
		brief: "register an entity (kinds: scheme_operator, accreditation_body, issuer, identity_provider, authoritative_source, verifier)",
		admin: true,
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			id := fs.String("id", "", "entity id: a lower-case slug (a-z 0-9 . _ : -)")
			kinds := fs.String("kind", "", "kinds, comma-separated")
			dids := fs.String("did", "", "DIDs, comma-separated")
			x509 := fs.String("x509", "", "SHA-256 fingerprints (hex) of X.509 certificates, comma-separated")
			th := fs.String("name-th", "", "name in Thai")
			en := fs.String("name-en", "", "name in English")
			jur := fs.String("jurisdiction", "TH", "ISO 3166 code")
			contact := fs.String("contact", "", "contact")
			reason := fs.String("reason", "", "why (recorded in the history)")
			return func(ctx context.Context, r *regCall, pos []string) error {
				if len(pos) != 0 || *id == "" || *kinds == "" {
					return usagef("give --id and --kind (and no arguments)")
				}
				e := registry.Entity{ID: *id, Name: registry.Text{TH: *th, EN: *en}, Jurisdiction: *jur, Contact: *contact}
				for _, k := range list(*kinds) {
					e.Kinds = append(e.Kinds, registry.Kind(k))
				}
				for _, d := range list(*dids) {
					e.Identifiers = append(e.Identifiers, registry.Identifier{Type: registry.IdentifierDID, Value: d})
				}
				for _, f := range list(*x509) {
					e.Identifiers = append(e.Identifiers, registry.Identifier{Type: registry.IdentifierX509SHA256, Value: strings.ToLower(f)})
				}
				var out registry.Entity
				var err error
				if r.t.remote != nil {
					err = r.call(ctx, "POST", "/registry/admin/entities", "", map[string]any{"id": e.ID, "kinds": e.Kinds, "identifiers": e.Identifiers,
						"name": e.Name, "jurisdiction": e.Jurisdiction, "contact": e.Contact, "reason": *reason}, &out)
				} else {
					out, err = r.reg().Register(ctx, r.actor, e, *reason)
				}
				if err != nil {
					return err
				}
				return r.out(out, "registered "+describeEntity(out))
			}
		},
	}

	registrySubs["accredit"] = &registrySub{
		usage: "SUBJECT --role ROLE [--by ACCREDITOR] [--types T1,T2] [--max-ial L --max-aal L] [--domains D1,D2] [--jurisdiction J] [--from T] [--until T] [--credential FILE] --reason WHY",
		brief: "accredit an entity (roles: issuer, accreditor, identity_provider, authoritative_source); the accreditor (default the root) must hold a key here or sign the credential itself (--credential)",
		admin: true,
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			role := fs.String("role", "", "issuer, accreditor, identity_provider or authoritative_source")
			by := fs.String("by", "", "the accreditor's entity id (default: the root)")
			types := fs.String("types", "", "credential types, comma-separated")
			maxIAL := fs.String("max-ial", "", "identity providers: the highest IAL (e.g. 2.3)")
			maxAAL := fs.String("max-aal", "", "identity providers: the highest AAL (e.g. 2.2)")
			domains := fs.String("domains", "", "authoritative sources: data domains, comma-separated")
			jur := fs.String("jurisdiction", "", "ISO 3166 code (default the subject's)")
			from := fs.String("from", "", "valid from (default now)")
			until := fs.String("until", "", "valid until (default one year after --from)")
			credFile := fs.String("credential", "", "an AccreditationCredential (vc+jwt) the accreditor signed itself; role, scope and validity come from it")
			reason := fs.String("reason", "", "why (recorded in the history)")
			return func(ctx context.Context, r *regCall, pos []string) error {
				subject, err := one(pos, "SUBJECT (an entity id)")
				if err != nil {
					return err
				}
				req := registry.AccreditRequest{Subject: subject, Accreditor: *by, Role: registry.Role(*role), Jurisdiction: *jur, Reason: *reason,
					Scope: registry.Scope{CredentialTypes: list(*types), Domains: list(*domains)}}
				if *maxIAL != "" {
					if req.Scope.MaxIAL, err = registry.ParseIAL(*maxIAL); err != nil {
						return usagef("--max-ial: %v", err)
					}
				}
				if *maxAAL != "" {
					if req.Scope.MaxAAL, err = registry.ParseAAL(*maxAAL); err != nil {
						return usagef("--max-aal: %v", err)
					}
				}
				if req.ValidFrom, err = timeFlag("from", *from); err != nil {
					return err
				}
				if req.ValidUntil, err = timeFlag("until", *until); err != nil {
					return err
				}
				if *credFile != "" {
					b, err := os.ReadFile(*credFile)
					if err != nil {
						return usagef("--credential: %v", err)
					}
					req.Credential = strings.TrimSpace(string(b))
				}
				var out registry.Accreditation
				if r.t.remote != nil {
					body := map[string]any{"subject": req.Subject, "accreditor": req.Accreditor, "role": req.Role, "credential_types": req.Scope.CredentialTypes,
						"domains": req.Scope.Domains, "jurisdiction": req.Jurisdiction, "reason": req.Reason, "credential": req.Credential}
					if req.Scope.MaxIAL != 0 {
						body["max_ial"] = req.Scope.MaxIAL
					}
					if req.Scope.MaxAAL != 0 {
						body["max_aal"] = req.Scope.MaxAAL
					}
					if !req.ValidFrom.IsZero() {
						body["valid_from"] = req.ValidFrom
					}
					if !req.ValidUntil.IsZero() {
						body["valid_until"] = req.ValidUntil
					}
					var resp struct {
						Accreditation registry.Accreditation `json:"accreditation"`
					}
					err = r.call(ctx, "POST", "/registry/admin/accreditations", "", body, &resp)
					out = resp.Accreditation
				} else {
					out, err = r.reg().Accredit(ctx, r.actor, req)
				}
				if err != nil {
					return err
				}
				return r.out(out, "granted "+describeAccreditation(out))
			}
		},
	}

	for _, action := range []struct {
		name   string
		status registry.Status
	}{{"suspend", registry.StatusSuspended}, {"withdraw", registry.StatusWithdrawn}, {"reinstate", registry.StatusActive}} {
		registrySubs[action.name] = &registrySub{
			usage: "ID --reason WHY [--effective-from T]",
			brief: action.name + " an entity or an accreditation (ID is an entity id or an accreditation id); withdrawal is final",
			admin: true,
			flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
				reason := fs.String("reason", "", "why (required to suspend or withdraw; recorded in the history)")
				eff := fs.String("effective-from", "", "when the change takes effect (default now); earlier is retroactive: a withdrawal for cause "+
					"from the first moment the issuer could not be trusted invalidates what it issued since")
				return func(ctx context.Context, r *regCall, pos []string) error {
					id, err := one(pos, "ID (an entity or an accreditation)")
					if err != nil {
						return err
					}
					req := registry.StatusRequest{Status: action.status, Reason: *reason}
					if req.EffectiveFrom, err = timeFlag("effective-from", *eff); err != nil {
						return err
					}
					return r.setStatus(ctx, id, req, action.name)
				}
			},
		}
	}

	registrySubs["show"] = &registrySub{
		usage: "ID",
		brief: "show an entity (by id or DID) with its accreditations, or an accreditation with its signed credential and chain (JSON)",
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			return func(ctx context.Context, r *regCall, pos []string) error {
				id, err := one(pos, "ID (an entity id or DID, or an accreditation id)")
				if err != nil {
					return err
				}
				var out any
				if r.t.remote != nil {
					var raw json.RawMessage
					err = r.call(ctx, "GET", "/registry/accreditations/"+url.PathEscape(id), "", nil, &raw)
					var p *problemError
					if errors.As(err, &p) && p.Status == 404 {
						err = r.call(ctx, "GET", "/registry/entities/"+url.PathEscape(id), "", nil, &raw)
					}
					out = raw
				} else if a, ok := r.reg().Accreditation(id); ok {
					m := map[string]any{"accreditation": a}
					if chain, err := r.reg().Chain(id); err == nil {
						m["chain"] = chain
					}
					out = m
				} else if e, ok := r.reg().Entity(id); ok {
					out = struct {
						registry.Entity
						Accreditations []registry.Accreditation `json:"accreditations"`
					}{e, r.reg().Accreditations(e.ID)}
				} else {
					err = fmt.Errorf("no entity or accreditation %q in the registry", id)
				}
				if err != nil {
					return err
				}
				return printJSON(r.stdout, out)
			}
		},
	}

	registrySubs["history"] = &registrySub{
		usage: "ID [--verify]",
		brief: "the history events of an entity (and its accreditations) or of an accreditation: who changed what, when and why",
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			verify := fs.Bool("verify", false, "local mode: also check the whole hash-chained history")
			return func(ctx context.Context, r *regCall, pos []string) error {
				id, err := one(pos, "ID (an entity or an accreditation)")
				if err != nil {
					return err
				}
				evs, err := r.history(ctx, id)
				if err != nil {
					return err
				}
				if *verify {
					if r.t.local == nil {
						return usagef("--verify needs the data directory (stop the server, or run it on the server's machine)")
					}
					n, err := r.t.local.VerifyRegistryHistory(ctx)
					if err != nil {
						return fmt.Errorf("the registry's history does not verify: %w", err)
					}
					fmt.Fprintf(r.e.stderr, "history verified: %d events, hash chain intact\n", n)
				}
				if r.json {
					return printJSON(r.stdout, map[string]any{"events": evs})
				}
				for _, ev := range evs {
					fmt.Fprintf(r.stdout, "%5d  %s  %-12s %-21s %s", ev.Seq, ev.At.Format(time.RFC3339), ev.Actor, ev.Action, ev.Subject)
					if ev.Reason != "" {
						fmt.Fprintf(r.stdout, "  %q", ev.Reason)
					}
					fmt.Fprintln(r.stdout)
				}
				return nil
			}
		},
	}

	registrySubs["query"] = &registrySub{
		usage: "ENTITY --type TYPE [--action issue|accredit] [--authority ID] [--at T] | --recognize AUTHORITY [--type TYPE] [--at T]",
		brief: "ask the TRQP authorization query (may ENTITY issue TYPE, at time T?) or the recognition query; exit 0 yes, 1 no",
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			typ := fs.String("type", "", "the credential type (the resource)")
			action := fs.String("action", registry.ActionIssue, "issue or accredit")
			authority := fs.String("authority", "", "only under this authority (entity id or DID)")
			at := fs.String("at", "", "the time asked about (default now): for a credential, its validFrom")
			recognize := fs.String("recognize", "", "ask instead whether the registry recognises this authority")
			return func(ctx context.Context, r *regCall, pos []string) error {
				when, err := timeFlag("at", *at)
				if err != nil {
					return err
				}
				var a registry.Answer
				if *recognize != "" {
					if len(pos) != 0 {
						return usagef("--recognize AUTHORITY takes no ENTITY")
					}
					a, err = r.recognize(ctx, registry.RecognitionQuery{Authority: *recognize, Resource: *typ, At: when})
				} else {
					entity, err2 := one(pos, "ENTITY (an entity id or DID)")
					if err2 != nil {
						return err2
					}
					if *typ == "" {
						return usagef("give --type")
					}
					a, err = r.authorize(ctx, registry.AuthorizationQuery{Entity: entity, Authority: *authority, Action: *action, Resource: *typ, At: when})
				}
				if err != nil {
					return err
				}
				verdict := "yes"
				if !a.Authorized {
					verdict = "no: " + a.Reason
					en, th := verifier.Message(a.Reason)
					verdict += "\n  " + en + "\n  " + th
				}
				if err := r.out(a, verdict+"\n  "+registry.Basis(a, "registry")); err != nil {
					return err
				}
				if !a.Authorized {
					return errFail
				}
				return nil
			}
		},
	}

	registrySubs["export"] = &registrySub{
		usage: "[--format jwt|xml] [--out FILE]",
		brief: "export the registry as a trust list: the JSON list signed by the scheme operator (jwt, what verify --trust-list takes) or ETSI TS 119 612 XML (unsigned)",
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			format := fs.String("format", "jwt", "jwt (signed JSON trust list) or xml (ETSI TS 119 612, unsigned)")
			outFile := fs.String("out", "", "write to FILE instead of stdout")
			return func(ctx context.Context, r *regCall, pos []string) error {
				if len(pos) != 0 {
					return usagef("export takes no arguments")
				}
				if *format != app.TrustListJWT && *format != app.TrustListXML {
					return usagef("--format must be jwt or xml")
				}
				var data []byte
				var err error
				if r.t.remote != nil {
					err = r.call(ctx, "GET", "/registry/trustlist."+*format, "", nil, &data)
				} else {
					data, err = r.t.local.ExportTrustList(ctx, *format)
				}
				if err != nil {
					return err
				}
				if *format == app.TrustListJWT {
					if _, doc, err := registry.ParseTrustList(data); err == nil {
						si := doc.SchemeInformation
						fmt.Fprintf(r.e.stderr, "trust list %s #%d: %d entities, issued %s, next update %s\n", si.SchemeOperatorID, si.SequenceNumber,
							len(doc.Entities), si.ListIssueDateTime.Format(time.RFC3339), si.NextUpdate.Format(time.RFC3339))
					}
				}
				if *outFile == "" {
					_, err = r.stdout.Write(append(bytes.TrimRight(data, "\n"), '\n'))
					return err
				}
				return os.WriteFile(*outFile, data, 0o644)
			}
		},
	}

	registrySubs["import"] = &registrySub{
		usage: "FILE --source ID [--key KEY] [--types T1,T2] [--allow-stale] [--unsafe-unsigned-xml]",
		brief: "import a foreign trust list (another ThaiTrust registry's signed JSON list, verified with the source's pinned key from the configuration, or ETSI TS 119 612 XML) and recognise its issuers for the stated types",
		admin: true,
		flags: func(fs *flag.FlagSet) func(context.Context, *regCall, []string) error {
			source := fs.String("source", "", "the list source's id (registry.sources in the configuration)")
			types := fs.String("types", "", "credential types its issuers are recognised for, comma-separated (default: the source's configured types)")
			stale := fs.Bool("allow-stale", false, "accept a list past its next update")
			unsafeXML := fs.Bool("unsafe-unsigned-xml", false, "accept a 119 612 XML list without checking its signature (authenticate the file some other way)")
			key := fs.String("key", "", "local mode: the source operator's pinned public key (key file, JWK or DID), instead of the configuration's")
			return func(ctx context.Context, r *regCall, pos []string) error {
				file, err := one(pos, "FILE (the list)")
				if err != nil {
					return err
				}
				if *source == "" {
					return usagef("give --source")
				}
				data, err := os.ReadFile(file)
				if err != nil {
					return usagef("%v", err)
				}
				isXML := bytes.HasPrefix(bytes.TrimSpace(data), []byte("<"))
				if isXML && !*unsafeXML {
					return usagef("%s is XML: its signature cannot be checked; give --unsafe-unsigned-xml if you authenticated the file some other way", file)
				}
				var res registry.ImportResult
				if r.t.remote != nil {
					if *key != "" {
						return usagef("--key is for local mode; the server imports only from the sources it is configured with")
					}
					q := url.Values{"source": {*source}, "types": {*types}}
					if *stale {
						q.Set("allow_stale", "true")
					}
					ct := registry.MediaTypeTrustList
					if isXML {
						ct = "application/xml"
					}
					err = r.call(ctx, "POST", "/registry/admin/import?"+q.Encode(), ct, data, &res)
				} else {
					var src registry.ListSource
					var defTypes []string
					if *key != "" {
						pub, err := publicKeyArg(ctx, "--key", *key, false)
						if err != nil {
							return err
						}
						src = registry.ListSource{ID: *source, Key: pub}
					} else if src, defTypes, err = r.t.local.Config.Registry.Source(*source); err != nil {
						return usagef("%v (or give --key)", err)
					}
					opts := registry.ImportOptions{Source: src, Types: list(*types), Policy: registry.ListPolicy{AllowStale: *stale}, UnsafeUnsignedXML: isXML}
					if len(opts.Types) == 0 {
						opts.Types = defTypes
					}
					if isXML {
						res, err = r.reg().ImportXML(ctx, r.actor, data, opts)
					} else {
						res, err = r.reg().Import(ctx, r.actor, data, opts)
					}
				}
				if err != nil {
					return err
				}
				text := fmt.Sprintf("imported list %s #%d: %d entities, %d accreditations written, %d withdrawn", res.Source, res.Sequence, res.Entities, res.Accreditations, res.Withdrawn)
				if len(res.Skipped) > 0 {
					text += "\nskipped: " + strings.Join(res.Skipped, "; ")
				}
				return r.out(res, text)
			}
		},
	}
}

// setStatus suspends, withdraws or reinstates an accreditation (when id
// names one) or an entity.
func (r *regCall) setStatus(ctx context.Context, id string, req registry.StatusRequest, action string) error {
	if r.t.remote != nil {
		body := map[string]any{"action": action, "reason": req.Reason}
		if !req.EffectiveFrom.IsZero() {
			body["effective_from"] = req.EffectiveFrom
		}
		var probe json.RawMessage
		err := r.call(ctx, "GET", "/registry/accreditations/"+url.PathEscape(id), "", nil, &probe)
		var p *problemError
		switch {
		case err == nil:
			var resp struct {
				Accreditation registry.Accreditation `json:"accreditation"`
			}
			if err := r.call(ctx, "POST", "/registry/admin/accreditations/"+url.PathEscape(id)+"/status", "", body, &resp); err != nil {
				return err
			}
			return r.out(resp.Accreditation, describeAccreditation(resp.Accreditation)+effective(resp.Accreditation.History))
		case errors.As(err, &p) && p.Status == 404:
			var e registry.Entity
			if err := r.call(ctx, "POST", "/registry/admin/entities/"+url.PathEscape(id)+"/status", "", body, &e); err != nil {
				return err
			}
			return r.out(e, describeEntity(e)+effective(e.History))
		default:
			return err
		}
	}
	if _, ok := r.reg().Accreditation(id); ok {
		a, err := r.reg().SetAccreditationStatus(ctx, r.actor, id, req)
		if err != nil {
			return err
		}
		return r.out(a, describeAccreditation(a)+effective(a.History))
	}
	e, err := r.reg().SetEntityStatus(ctx, r.actor, id, req)
	if err != nil {
		return err
	}
	return r.out(e, describeEntity(e)+effective(e.History))
}

// effective describes the last status change's effective time.
func effective(h []registry.StatusChange) string {
	if len(h) == 0 {
		return ""
	}
	last := h[len(h)-1]
	return fmt.Sprintf("\n  %s from %s (recorded %s)", last.Status, last.EffectiveFrom.Format(time.RFC3339), last.RecordedAt.Format(time.RFC3339))
}

// history returns the events of an entity and its accreditations, or of
// an accreditation, oldest first.
func (r *regCall) history(ctx context.Context, id string) ([]registry.Event, error) {
	if r.t.remote != nil {
		var acc struct {
			Accreditation registry.Accreditation `json:"accreditation"`
		}
		entity, only := id, ""
		err := r.call(ctx, "GET", "/registry/accreditations/"+url.PathEscape(id), "", nil, &acc)
		var p *problemError
		switch {
		case err == nil:
			entity, only = acc.Accreditation.Subject, id
		case !errors.As(err, &p) || p.Status != 404:
			return nil, err
		}
		var h struct {
			Events []registry.Event `json:"events"`
		}
		if err := r.call(ctx, "GET", "/registry/entities/"+url.PathEscape(entity)+"/history", "", nil, &h); err != nil {
			return nil, err
		}
		if only != "" {
			h.Events = slices.DeleteFunc(h.Events, func(ev registry.Event) bool { return ev.Subject != only })
		}
		return h.Events, nil
	}
	reg := r.reg()
	if _, ok := reg.Accreditation(id); ok {
		return reg.History(ctx, "accreditation", id)
	}
	e, ok := reg.Entity(id)
	if !ok {
		return nil, fmt.Errorf("no entity or accreditation %q in the registry", id)
	}
	evs, err := reg.History(ctx, "entity", e.ID)
	if err != nil {
		return nil, err
	}
	for _, a := range reg.Accreditations(e.ID) {
		more, err := reg.History(ctx, "accreditation", a.ID)
		if err != nil {
			return nil, err
		}
		evs = append(evs, more...)
	}
	slices.SortFunc(evs, func(a, b registry.Event) int { return int(a.Seq - b.Seq) })
	return evs, nil
}

// trqpAnswer is the server's TRQP answer.
type trqpAnswer struct {
	Authorized    *bool                    `json:"authorized"`
	Recognized    *bool                    `json:"recognized"`
	Reason        string                   `json:"reason"`
	Action        string                   `json:"action"`
	Resource      string                   `json:"resource"`
	TimeRequested time.Time                `json:"time_requested"`
	Evidence      []registry.Accreditation `json:"evidence"`
}

func (t trqpAnswer) answer(entity string) registry.Answer {
	a := registry.Answer{Reason: t.Reason, Action: t.Action, Resource: t.Resource, At: t.TimeRequested, Evidence: t.Evidence, Entity: entity}
	a.Authorized = (t.Authorized != nil && *t.Authorized) || (t.Recognized != nil && *t.Recognized)
	return a
}

func trqpBody(entity, authority, action, resource string, at time.Time) map[string]any {
	b := map[string]any{"entity_id": entity, "action": action, "resource": resource}
	if authority != "" {
		b["authority_id"] = authority
	}
	if !at.IsZero() {
		b["context"] = map[string]any{"time": at.Format(time.RFC3339)}
	}
	return b
}

func (r *regCall) authorize(ctx context.Context, q registry.AuthorizationQuery) (registry.Answer, error) {
	if r.t.remote == nil {
		return r.reg().Authorize(ctx, q)
	}
	var t trqpAnswer
	if err := r.call(ctx, "POST", "/trqp/authorization", "", trqpBody(q.Entity, q.Authority, q.Action, q.Resource, q.At), &t); err != nil {
		return registry.Answer{}, err
	}
	a := t.answer(q.Entity)
	if len(a.Evidence) > 0 {
		a.Entity = a.Evidence[0].Subject
	}
	return a, nil
}

func (r *regCall) recognize(ctx context.Context, q registry.RecognitionQuery) (registry.Answer, error) {
	if r.t.remote == nil {
		return r.reg().Recognize(ctx, q)
	}
	var t trqpAnswer
	if err := r.call(ctx, "POST", "/trqp/recognition", "", trqpBody(q.Authority, "", "recognize", q.Resource, q.At), &t); err != nil {
		return registry.Answer{}, err
	}
	return t.answer(q.Authority), nil
}
