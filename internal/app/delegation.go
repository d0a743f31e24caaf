package app

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v5"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/delegation/delegationhttp"
	"github.com/thaitrust/thaitrust/internal/fsx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/verifier"
)

// Delegation (package delegation): the issuer profile that issues
// DelegationCredential (dbd in the demo) runs the multi-party signing
// workflow, with drafts kept in the server's store (a draft lives while
// its signers approve it, and survives a restart); every server verifies
// chains for a requested action. The demo data directory also gets the
// delegation scenario (demoDelegation).

// issuerAdapter lets an issuer profile sign delegations.
type issuerAdapter struct{ s *issuer.Service }

func (i issuerAdapter) DID() string { return i.s.Profile().DID }

func (i issuerAdapter) Issue(ctx context.Context, doc map[string]any) (string, error) {
	is, err := i.s.Issue(ctx, issuer.Request{Credential: doc})
	if err != nil {
		return "", err
	}
	return is.Token, nil
}

// DelegationVerifier returns a chain verifier with the server's trust
// inputs: its algorithms, DID resolver, issuer-trust policy (the registry
// when there is one) and status checker.
func (a *App) DelegationVerifier() (*delegation.Verifier, error) {
	algs, err := parseAlgorithms(a.Config.Algorithms)
	if err != nil {
		return nil, err
	}
	var trust verifier.IssuerTrust = verifier.StaticTrust(a.Config.Trust)
	if a.registry != nil {
		trust = a.registry
	}
	return delegation.NewVerifier(delegation.Config{
		Algorithms: algs, Keys: a.resolver, Trust: trust, Status: a.checker,
		Now: a.nowFn, ClockSkew: time.Minute,
	})
}

// delegationService returns the signing workflow of the issuer profile
// that issues DelegationCredential, and its name; nil when there is
// none.
func (a *App) delegationService(v *delegation.Verifier) (*delegation.Service, string, error) {
	ic, err := a.Config.IssuerFor(delegation.TypeDelegation)
	if err != nil {
		return nil, "", nil // no issuer of delegations here: verification only
	}
	svc, err := delegation.New(delegation.ServiceConfig{
		Verifier: v, Issuer: issuerAdapter{a.issuers[ic.Name]}, Store: a.db.Delegation(), Now: a.nowFn,
	})
	return svc, ic.Name, err
}

// registerDelegation serves the delegation routes (delegationhttp) and,
// when the server runs as the demo (serve --demo) on a demo data
// directory, seeds the scenario once; CLI commands that open the data
// directory leave it alone. A failure leaves the routes out and is
// logged: the rest of the server still serves.
func (a *App) registerDelegation(e *echo.Echo, demo bool) {
	v, err := a.DelegationVerifier()
	if err == nil {
		var svc *delegation.Service
		var scope string
		if svc, scope, err = a.delegationService(v); err == nil {
			(&delegationhttp.Handler{Service: svc, Verifier: v, Clients: a.Config.Clients, Scope: scope}).Register(e)
			if demo && a.Config.Demo && svc != nil {
				err = a.demoDelegation(context.Background(), svc, v)
			}
		}
	}
	if err != nil {
		a.log.Error("delegation not served", "error", err.Error())
	}
}

// The demo scenario's files in a demo data directory.
const (
	DemoDelegationDir   = "delegation"            // holder keys and the chain
	DemoDelegationChain = "delegation/chain.json" // DemoChain
)

// DemoChain is what the demo scenario leaves in the data directory
// (delegation/chain.json, next to each credential as a .jwt file:
// company, director-1 to director-4, grant, subgrant): the chain the clerk presents, the credentials
// DBD issued (revoke a director's to record a change of directors) and the
// holder keys of everyone involved (key files under delegation/, under
// the data directory's key passphrase).
type DemoChain struct {
	Chain        delegation.Chain  `json:"chain"`
	Company      string            `json:"company_credential_id"`
	Directors    []string          `json:"director_credential_ids"` // DirectorAuthorityCredential ids, directors 1 to 4
	Authorities  []string          `json:"director_credentials"`    // and the credentials (vc+jwt), to draft further grants
	Grant        string            `json:"grant_credential_id"`     // the company's grant to the accountant
	SubGrant     string            `json:"subgrant_credential_id"`  // the accountant's to the clerk
	Keys         map[string]string `json:"keys"`                    // role -> key file, relative to the data directory
	DIDs         map[string]string `json:"dids"`                    // role -> did:key
	Action       string            `json:"action"`
	RelyingParty string            `json:"relying_party"`
	JuristicID   string            `json:"juristic_id"`
}

// demoRoles are the holders of the scenario, in key-file order.
var demoRoles = []string{"director-1", "director-2", "director-3", "director-4", "seal", "accountant", "clerk"}

// demoDelegation seeds the demo scenario once (delegation/chain.json
// marks it done): DBD issues the company's certificate (its seal key
// bound) and the four directors' authorities to their wallets' keys;
// directors 1 and 2 and the seal approve the grant to the accountant;
// the accountant approves the sub-delegation to the clerk; both are
// issued.
func (a *App) demoDelegation(ctx context.Context, svc *delegation.Service, v *delegation.Verifier) error {
	chainPath := filepath.Join(a.DataDir, DemoDelegationChain)
	if _, err := os.Stat(chainPath); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	ic, err := a.Config.IssuerFor(delegation.TypeJuristicPerson)
	if err != nil {
		return err
	}
	dbd := a.issuers[ic.Name]
	pass, err := KeyPassphrase(a.DataDir, a.Config)
	if err != nil {
		return err
	}
	out := DemoChain{Keys: map[string]string{}, DIDs: map[string]string{}, Action: delegation.ScenarioActionVAT,
		RelyingParty: delegation.ScenarioRelyingParty, JuristicID: delegation.ScenarioJuristicID}
	signers := map[string]jose.Signer{}
	if err := os.MkdirAll(filepath.Join(a.DataDir, DemoDelegationDir), 0o700); err != nil {
		return err
	}
	for _, role := range demoRoles {
		rel := filepath.Join(DemoDelegationDir, role+".key.json")
		key, err := demoHolderKey(ctx, filepath.Join(a.DataDir, rel), pass)
		if err != nil {
			return err
		}
		s, err := delegation.HolderSigner(key)
		if err != nil {
			return err
		}
		signers[role] = s
		out.Keys[role] = filepath.ToSlash(rel)
		out.DIDs[role] = keyDID(s)
	}
	now := time.Now().UTC()
	if a.nowFn != nil {
		now = a.nowFn().UTC()
	}
	issue := func(doc map[string]any) (string, string, error) {
		is, err := dbd.Issue(ctx, issuer.Request{Credential: doc})
		if err != nil {
			return "", "", err
		}
		return is.Token, is.Credential.ID, nil
	}
	company, companyID, err := issue(delegation.ScenarioCompany(out.DIDs["seal"], now))
	if err != nil {
		return fmt.Errorf("app: demo company: %w", err)
	}
	out.Company = companyID
	authorities := []string{}
	for i := range delegation.ScenarioDirectors {
		tok, id, err := issue(delegation.ScenarioDirector(i, out.DIDs[demoRoles[i]], now))
		if err != nil {
			return fmt.Errorf("app: demo director %d: %w", i+1, err)
		}
		authorities = append(authorities, tok)
		out.Directors = append(out.Directors, id)
	}
	grant := delegation.ScenarioGrant(out.DIDs["accountant"], now)
	grant.Company, grant.Directors = company, authorities[:2]
	root, err := runDraft(ctx, svc, grant, signers["director-1"], signers["director-2"], signers["seal"])
	if err != nil {
		return fmt.Errorf("app: demo grant: %w", err)
	}
	sub := delegation.ScenarioSubGrant(out.DIDs["clerk"], now)
	sub.Parent = root.Credential
	leaf, err := runDraft(ctx, svc, sub, signers["accountant"])
	if err != nil {
		return fmt.Errorf("app: demo sub-delegation: %w", err)
	}
	out.Authorities = authorities
	out.Chain = delegation.Chain{Company: company, Links: []string{root.Credential, leaf.Credential}}
	out.Grant, out.SubGrant = credentialID(root.Credential), credentialID(leaf.Credential)
	// Each holder's credentials as files, for the CLI (thaitrust delegation).
	files := map[string]string{"company.jwt": company, "grant.jwt": root.Credential, "subgrant.jwt": leaf.Credential}
	for i, tok := range authorities {
		files[fmt.Sprintf("director-%d.jwt", i+1)] = tok
	}
	for name, tok := range files {
		if err := fsx.WriteFileAtomic(filepath.Join(a.DataDir, DemoDelegationDir, name), []byte(tok+"\n"), 0o600); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	a.log.Info("seeded the delegation demo", "chain", chainPath)
	return fsx.WriteFileAtomic(chainPath, append(b, '\n'), 0o600)
}

// runDraft drafts req, has each signer it names approve it with the key
// among keys that is theirs, and issues it.
func runDraft(ctx context.Context, svc *delegation.Service, req delegation.DraftRequest, keys ...jose.Signer) (delegation.Draft, error) {
	d, err := svc.Draft(ctx, req)
	if err != nil {
		return d, err
	}
	for _, sg := range d.Directors {
		i := slices.IndexFunc(keys, func(k jose.Signer) bool { return keyDID(k) == sg.Key })
		if i < 0 {
			return d, fmt.Errorf("no key for signer %s %s", sg.Role, sg.Key)
		}
		jws, err := delegation.Approve(d.ID, delegation.DigestOf(d.Body), sg.Role, keys[i])
		if err != nil {
			return d, err
		}
		if _, err := svc.Approve(ctx, d.ID, sg.Role, jws); err != nil {
			return d, err
		}
	}
	return svc.Issue(ctx, d.ID)
}

// demoHolderKey opens the Ed25519 key file at path, creating it first.
func demoHolderKey(ctx context.Context, path string, pass []byte) (crypto.Signer, error) {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		key, err := signing.GenerateKey(signing.EdDSA)
		if err != nil {
			return nil, err
		}
		if err := signing.WriteKeyFileKDF(path, key, pass, demoKDF); err != nil {
			return nil, err
		}
		return key, nil
	}
	return signing.Open(ctx, "file:"+path, signing.OpenOptions{Passphrase: func() ([]byte, error) { return pass, nil }})
}

func keyDID(s jose.Signer) string { id, _, _ := strings.Cut(s.KeyID, "#"); return id }

func credentialID(token string) string {
	s, err := jose.ParseCredential(token)
	if err != nil {
		return ""
	}
	defer s.Release()
	return s.Credential.ID
}
