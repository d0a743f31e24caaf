package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/delegation/delegationhttp"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// delegation draft|sign|status|issue|verify: the multi-party signing
// workflow and chain verification, through a running server (drafts live
// in the server that issues delegations).
var cmdDelegation = &command{
	name: "delegation",
	usage: `delegation draft --request FILE [--company FILE] [--directors F1,F2] [--parent FILE] [--grantee-key FILE] [--valid-for DURATION]
       delegation sign DRAFT_ID --key FILE [--role director|seal|grantor]
       delegation status DRAFT_ID [--json]
       delegation issue DRAFT_ID [--out FILE]
       delegation verify (--chain FILE | --company FILE --links F1,F2) --action ACTION --relying-party RP [--amount N --currency THB] [--acting-for ID] (--key FILE | --presenter DID) [--identity FILE] [--require-identity] [--json]
  common flags: [--server URL] [--token TOKEN] [--data DIR]`,
	brief: "powers of attorney: draft, sign with a holder key, follow, issue, verify a chain for an action",
}

func init() {
	cmdDelegation.run = runDelegation
	register(cmdDelegation)
}

// delegationCall is what every subcommand shares.
type delegationCall struct {
	e    *env
	r    *remote
	dir  string
	json bool
}

func runDelegation(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			newFlags(e, cmdDelegation).Usage()
			return flag.ErrHelp
		}
		return usagef("give a subcommand: draft, sign, status, issue or verify")
	}
	sub := args[0]
	fs := newFlags(e, cmdDelegation)
	server := fs.String("server", "", "server URL (default THAITRUST_SERVER, else the data directory's public URL)")
	token := fs.String("token", "", "bearer token for draft and issue (default THAITRUST_TOKEN, else the demo token)")
	data := fs.String("data", "", "data directory (default THAITRUST_DATA or ./thaitrust-data)")
	asJSON := fs.Bool("json", false, "print JSON")
	request := fs.String("request", "", "draft: the draft request (JSON: delegation, validFrom, validUntil, company, directors, parent)")
	keyFile := fs.String("key", "", "sign, verify: the holder key file (encrypted; passphrase THAITRUST_KEY_PASSPHRASE or the demo's)")
	role := fs.String("role", "", "sign: director, seal or grantor (default: the role the draft needs from this key)")
	out := fs.String("out", "", "issue: write the credential to FILE")
	company := fs.String("company", "", "draft, verify: the company's JuristicPersonCredential (vc+jwt file)")
	directors := fs.String("directors", "", "draft: the executing directors' DirectorAuthorityCredentials (vc+jwt files, comma-separated)")
	parent := fs.String("parent", "", "draft: the delegation (vc+jwt file) a sub-delegation derives from")
	granteeKey := fs.String("grantee-key", "", "draft: the grantee's holder key file: its did:key becomes delegation.grantee.id")
	validFor := fs.Duration("valid-for", 0, "draft: valid from now for DURATION (sets validFrom and validUntil)")
	links := fs.String("links", "", "verify: the delegations, root first (vc+jwt files, comma-separated)")
	identity := fs.String("identity", "", "verify: the presenter's identity credential (vc+jwt file: ThaiCitizenCredential or ForeignerIdentityCredential)")
	requireIdentity := fs.Bool("require-identity", false, "verify: require the presenter's identity credential, naming the grantee")
	chainFile := fs.String("chain", "", "verify: the chain (JSON {company, links} or the demo's delegation/chain.json)")
	action := fs.String("action", "", "verify: the action, e.g. rd.vat.file")
	rp := fs.String("relying-party", "", "verify: the relying party's DID")
	amount := fs.String("amount", "", "verify: the amount")
	currency := fs.String("currency", "THB", "verify: the amount's currency")
	actingFor := fs.String("acting-for", "", "verify: the juristic id the presenter acts for")
	presenter := fs.String("presenter", "", "verify: the presenter's DID, authenticated by you (instead of --key)")
	pos, err := parse(fs, args[1:])
	if err != nil {
		return err
	}
	c := &delegationCall{e: e, dir: dataDir(e, *data), json: *asJSON}
	if c.r, err = c.remote(*server, *token); err != nil {
		return err
	}
	switch sub {
	case "draft":
		if *request == "" || len(pos) != 0 {
			return usagef("draft needs --request FILE")
		}
		return c.draft(ctx, *request, draftFiles{*company, list(*directors), *parent, *granteeKey, *validFor})
	case "sign":
		id, err := one(pos, "DRAFT_ID")
		if err != nil {
			return err
		}
		if *keyFile == "" {
			return usagef("sign needs --key FILE: the signer's holder key")
		}
		return c.sign(ctx, id, *keyFile, *role)
	case "status":
		id, err := one(pos, "DRAFT_ID")
		if err != nil {
			return err
		}
		var v delegationhttp.DraftView
		if err := c.r.do(ctx, http.MethodGet, "/delegations/drafts/"+id, nil, &v); err != nil {
			return err
		}
		return c.printDraft(v)
	case "issue":
		id, err := one(pos, "DRAFT_ID")
		if err != nil {
			return err
		}
		var v delegationhttp.DraftView
		if err := c.r.do(ctx, http.MethodPost, "/delegations/drafts/"+id+"/issue", nil, &v); err != nil {
			return err
		}
		if *out != "" {
			if err := os.WriteFile(*out, []byte(v.Credential+"\n"), 0o600); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stderr, "issued %s\n", id)
		return c.printDraft(v)
	case "verify":
		if (*chainFile == "") == (*links == "") || *action == "" || *rp == "" || (*keyFile == "") == (*presenter == "") || len(pos) != 0 {
			return usagef("verify needs --chain (or --links), --action, --relying-party and one of --key or --presenter")
		}
		req := delegation.Request{Action: *action, RelyingParty: *rp, ActingFor: *actingFor, Presenter: *presenter, RequireIdentity: *requireIdentity}
		if *amount != "" {
			req.Amount = &delegation.Money{Amount: json.Number(*amount), Currency: *currency}
		}
		chain, err := c.readChain(*chainFile, *company, list(*links))
		if err != nil {
			return err
		}
		if *identity != "" {
			if chain.Identity, err = readToken(e, *identity); err != nil {
				return err
			}
		}
		return c.verify(ctx, chain, *keyFile, req)
	}
	return usagef("unknown subcommand %q: draft, sign, status, issue or verify", sub)
}

// remote finds the server: --server, THAITRUST_SERVER, or the data
// directory's public URL; and the token: --token, THAITRUST_TOKEN,
// THAITRUST_DEMO_TOKEN, or the data directory's demo token.
func (c *delegationCall) remote(server, token string) (*remote, error) {
	if server == "" {
		server = c.e.getenv("THAITRUST_SERVER")
	}
	for _, k := range []string{"THAITRUST_TOKEN", app.EnvDemoToken} {
		if token == "" {
			token = c.e.getenv(k)
		}
	}
	if server == "" || token == "" {
		cfg, err := app.LoadConfig(c.dir)
		if err != nil && server == "" {
			return nil, usagef("give --server URL (no data directory at %s)", c.dir)
		}
		if server == "" {
			server = cfg.PublicURL
		}
		if token == "" {
			if b, err := os.ReadFile(filepath.Join(c.dir, "secrets", "demo-token")); err == nil {
				token = strings.TrimSpace(string(b))
			}
		}
	}
	return newRemote(server, token), nil
}

// draftFiles are the draft's inputs given as files.
type draftFiles struct {
	company    string
	directors  []string
	parent     string
	granteeKey string
	validFor   time.Duration
}

// readToken reads a secured credential from a file.
func readToken(e *env, file string) (string, error) {
	b, err := readInput(e, file)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

func (c *delegationCall) draft(ctx context.Context, file string, f draftFiles) error {
	b, err := readInput(c.e, file)
	if err != nil {
		return err
	}
	var req delegation.DraftRequest
	if err := json.Unmarshal(b, &req); err != nil {
		return usagef("--request: %v", err)
	}
	if f.company != "" {
		if req.Company, err = readToken(c.e, f.company); err != nil {
			return err
		}
	}
	for _, d := range f.directors {
		tok, err := readToken(c.e, d)
		if err != nil {
			return err
		}
		req.Directors = append(req.Directors, tok)
	}
	if f.parent != "" {
		if req.Parent, err = readToken(c.e, f.parent); err != nil {
			return err
		}
	}
	if f.granteeKey != "" {
		pub, err := signing.ReadPublicKeyFile(f.granteeKey)
		if err != nil {
			return err
		}
		if req.Delegation.Grantee.ID, err = did.KeyDID(pub); err != nil {
			return err
		}
	}
	if f.validFor > 0 {
		req.ValidFrom = time.Now().UTC()
		req.ValidUntil = req.ValidFrom.Add(f.validFor)
	}
	var v delegationhttp.DraftView
	if err := c.r.do(ctx, http.MethodPost, "/delegations/drafts", req, &v); err != nil {
		return err
	}
	fmt.Fprintf(c.e.stderr, "drafted %s\n", v.ID)
	return c.printDraft(v)
}

// readChain reads --chain (a Chain, or the demo's chain.json), or
// --company and --links.
func (c *delegationCall) readChain(chainFile, company string, links []string) (delegation.Chain, error) {
	var chain delegation.Chain
	if chainFile != "" {
		b, err := readInput(c.e, chainFile)
		if err != nil {
			return chain, err
		}
		var in struct {
			delegation.Chain
			Wrapped *delegation.Chain `json:"chain"`
		}
		if err := json.Unmarshal(b, &in); err != nil {
			return chain, usagef("--chain: %v", err)
		}
		chain = in.Chain
		if in.Wrapped != nil {
			chain = *in.Wrapped
		}
		return chain, nil
	}
	var err error
	if company != "" {
		if chain.Company, err = readToken(c.e, company); err != nil {
			return chain, err
		}
	}
	for _, l := range links {
		tok, err := readToken(c.e, l)
		if err != nil {
			return chain, err
		}
		chain.Links = append(chain.Links, tok)
	}
	return chain, nil
}

// openHolderKey opens an encrypted holder key file with
// THAITRUST_KEY_PASSPHRASE or, in a demo data directory, its passphrase.
func (c *delegationCall) openHolderKey(ctx context.Context, file string) (jose.Signer, error) {
	pass := []byte(c.e.getenv(app.EnvKeyPassphrase))
	if len(pass) == 0 {
		cfg, err := app.LoadConfig(c.dir)
		if err != nil {
			return jose.Signer{}, usagef("set %s to the key's passphrase", app.EnvKeyPassphrase)
		}
		if pass, err = app.KeyPassphrase(c.dir, cfg); err != nil {
			return jose.Signer{}, err
		}
	}
	if !filepath.IsAbs(file) {
		if abs, err := filepath.Abs(file); err == nil {
			file = abs
		}
	}
	key, err := signing.Open(ctx, "file:"+file, signing.OpenOptions{Passphrase: func() ([]byte, error) { return pass, nil }})
	if err != nil {
		return jose.Signer{}, err
	}
	return delegation.HolderSigner(key)
}

// sign reads the draft, checks its digest against its document, shows
// what is being signed, and sends the approval.
func (c *delegationCall) sign(ctx context.Context, id, keyFile, role string) error {
	s, err := c.openHolderKey(ctx, keyFile)
	if err != nil {
		return err
	}
	var v delegationhttp.DraftView
	if err := c.r.do(ctx, http.MethodGet, "/delegations/drafts/"+id, nil, &v); err != nil {
		return err
	}
	body, err := base64.RawURLEncoding.DecodeString(v.Body)
	if err != nil || delegation.DigestOf(body) != v.Digest {
		return fmt.Errorf("the server's draft document does not match its digest: not signing")
	}
	did, _, _ := strings.Cut(s.KeyID, "#")
	if role == "" {
		for _, sg := range v.Signers {
			if sg.Key == did {
				role = sg.Role
			}
		}
		if role == "" {
			return fmt.Errorf("the draft needs no approval from %s", did)
		}
	}
	d := v.Delegation
	fmt.Fprintf(c.e.stderr, "signing as %s (%s): %s grants %s %s at %s, %s to %s\n", role, did,
		d.Grantor.DisplayName("en"), d.Grantee.DisplayName("en"), strings.Join(d.Scope.Actions, ","),
		strings.Join(d.Scope.RelyingParties, ","), v.ValidFrom.Format(time.DateOnly), v.ValidUntil.Format(time.DateOnly))
	jws, err := delegation.Approve(v.ID, v.Digest, role, s)
	if err != nil {
		return err
	}
	if err := c.r.do(ctx, http.MethodPost, "/delegations/drafts/"+id+"/approvals", delegationhttp.ApprovalRequest{Role: role, JWS: jws}, &v); err != nil {
		return err
	}
	return c.printDraft(v)
}

func (c *delegationCall) printDraft(v delegationhttp.DraftView) error {
	if c.json {
		return printJSON(c.e.stdout, v)
	}
	fmt.Fprintf(c.e.stdout, "draft %s state=%s ready=%t missing=%d\n", v.ID, v.State, v.Ready, v.Missing)
	for _, s := range v.Signers {
		mark := "waiting"
		if s.Approved {
			mark = "signed"
		}
		fmt.Fprintf(c.e.stdout, "  %-7s %-8s %s %s\n", mark, s.Role, s.Key, s.Name)
	}
	if v.Credential != "" {
		fmt.Fprintf(c.e.stdout, "credential %s\n", v.Credential)
	}
	return nil
}

// verify sends the chain (as a presentation signed with --key, or with
// --presenter) to the server's verifier and prints the outcome.
func (c *delegationCall) verify(ctx context.Context, chain delegation.Chain, keyFile string, req delegation.Request) error {
	body := delegationhttp.VerifyRequest{Request: req}
	if keyFile != "" {
		s, err := c.openHolderKey(ctx, keyFile)
		if err != nil {
			return err
		}
		var nb [16]byte
		_, _ = rand.Read(nb[:])
		body.Nonce, body.Audience = hex.EncodeToString(nb[:]), req.RelyingParty
		var vcs []any
		for _, t := range append([]string{chain.Company, chain.Identity}, chain.Links...) {
			if t != "" {
				vcs = append(vcs, credential.Envelope(jose.MediaTypeCredential, t))
			}
		}
		did, _, _ := strings.Cut(s.KeyID, "#")
		body.Presentation, err = jose.SecurePresentation(map[string]any{
			"@context": []any{credential.ContextV2}, "type": []any{credential.TypePresentation},
			"holder": did, "verifiableCredential": vcs,
		}, s, jose.PresentationClaims{Nonce: body.Nonce, Audience: body.Audience, IssuedAt: time.Now(), Expiry: time.Now().Add(5 * time.Minute)})
		if err != nil {
			return err
		}
	} else {
		body.Chain = &chain
	}
	var r delegation.Result
	if err := c.r.do(ctx, http.MethodPost, "/delegations/verify", body, &r); err != nil {
		return err
	}
	if c.json {
		if err := printJSON(c.e.stdout, r); err != nil {
			return err
		}
	} else if r.Verified {
		fmt.Fprintf(c.e.stdout, "VERIFIED %s may %s for %s at %s (sub-delegations: %d, until %s)\n",
			r.Grantee.DisplayName("en"), req.Action, r.Grantor.DisplayName("en"), req.RelyingParty, r.Depth, r.Until.Format(time.DateOnly))
	} else {
		f := r.Failure
		fmt.Fprintf(c.e.stdout, "NOT VERIFIED link=%d part=%s rule=%s reason=%s\n  %s\n  %s\n", f.Link, f.Part, f.Rule, f.Reason, f.Message, f.MessageTH)
		if f.Detail != "" {
			fmt.Fprintf(c.e.stdout, "  (%s)\n", f.Detail)
		}
	}
	if !r.Verified {
		return errFail
	}
	return nil
}
