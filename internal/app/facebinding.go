package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/registry"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/verifier/oid4vp"
)

// Face binding in OpenID4VP (verifier/oid4vp/facebinding.go,
// holder/facebinding.go) as this server wires it:
//
//   - The FVS's attestation key (FVSKeyFile) is DOPA's: a demo data
//     directory creates it on open, its DID (FVSDID: did:web of
//     PUBLIC_URL/fvs) is answered by this server's resolver, and the demo
//     registry lists it as an identifier of DOPA (demoIdentifiers), so the
//     exported trust list carries the FVS key with DOPA's.
//   - The server's verifiers accept attestations of an FVS that the
//     registry lists as an identifier of the entity accredited for
//     FVSCredentialType (the civil registration's authority: DOPA) at the
//     time of the check, and this server's own FVS when the registry does
//     not know its DID (trustFVS).
//     A verifier abroad does the same with the trust list alone
//     (TrustListFaceBinding).
//   - A wallet reaches the FVS through FVSClient (the FVS HTTP API, with
//     an accredited identity provider's token: the demo client's), or
//     FVSServiceAttester in process.

// FVSCredentialType is the credential type whose authoritative source
// runs the trusted face verification service: an FVS is trusted when the
// registry lists its DID as an identifier of an entity accredited for
// this type (DOPA, keeper of the civil registration and of the ID-card
// photos the templates come from).
const FVSCredentialType = "ThaiCitizenCredential"

// localFVS adds the FVS's DID document to local when its attestation key
// exists, creating the key first in a demo data directory (so that the
// demo registry can list the FVS as DOPA's, and the trust list carry its
// key, whether or not the face models are installed).
func (a *App) localFVS(ctx context.Context, pass []byte, local map[string]*did.Document) error {
	if _, err := os.Stat(filepath.Join(a.DataDir, FVSKeyFile)); errors.Is(err, fs.ErrNotExist) && !a.Config.Demo {
		return nil
	}
	key, err := a.fvsKey(ctx, FVSKeyFile, pass)
	if err != nil {
		return err
	}
	id, err := FVSDID(a.Config.PublicURL)
	if err != nil {
		return err
	}
	if _, taken := local[id]; !taken {
		local[id] = did.NewDocument(id, key.Public())
	}
	return nil
}

// demoIdentifiers returns the identifiers the demo registry gives an
// entity: its DID, and for DOPA also its FVS's DID.
func demoIdentifiers(cfg *Config, entity, entityDID string) []registry.Identifier {
	ids := []registry.Identifier{{Type: registry.IdentifierDID, Value: entityDID}}
	if entity == "dopa" {
		if f, err := FVSDID(cfg.PublicURL); err == nil {
			ids = append(ids, registry.Identifier{Type: registry.IdentifierDID, Value: f})
		}
	}
	return ids
}

// faceBindingPolicy is the face-binding policy of this server's
// verifiers.
func (a *App) faceBindingPolicy() *oid4vp.FaceBindingPolicy {
	return &oid4vp.FaceBindingPolicy{Keys: a.resolver, Trust: oid4vp.FVSTrustFunc(a.trustFVS)}
}

// trustFVS trusts an FVS the registry lists as the civil registration's
// (see FVSCredentialType). This server's own FVS (the configured one,
// DOPA's by deployment) is trusted when the registry does not know its DID
// at all (no registry, or a demo registry seeded before it listed the
// FVS); once the registry lists it, the registry decides (a suspended
// DOPA suspends its FVS too).
func (a *App) trustFVS(ctx context.Context, fvsDID string, at time.Time) error {
	known := false
	if a.registry != nil {
		ans, err := a.registry.Authorize(ctx, registry.AuthorizationQuery{Entity: fvsDID, Action: registry.ActionIssue, Resource: FVSCredentialType, At: at})
		if err != nil {
			return err
		}
		if _, known = a.registry.Entity(fvsDID); known || ans.Authorized {
			return fvsAnswer(fvsDID, ans)
		}
	}
	if own, err := FVSDID(a.Config.PublicURL); err == nil && own == fvsDID && a.resolver.Local != nil {
		if _, ok := a.resolver.Local(fvsDID); ok {
			return nil
		}
	}
	return fmt.Errorf("%w: %s is neither listed in the trust registry nor this server's FVS", oid4vp.ErrFVSNotTrusted, fvsDID)
}

func fvsAnswer(fvsDID string, ans registry.Answer) error {
	if ans.Authorized {
		return nil
	}
	return fmt.Errorf("%w: %s is not an identifier of the entity accredited for %s (%s)", oid4vp.ErrFVSNotTrusted, fvsDID, FVSCredentialType, ans.Reason)
}

// TrustListFaceBinding is the face-binding policy of a verifier that has
// only a signed trust list (NewTrustListVerifier): the FVS's key must be
// in the list, listed under an entity accredited for FVSCredentialType.
func TrustListFaceBinding(tl *registry.TrustList) *oid4vp.FaceBindingPolicy {
	return &oid4vp.FaceBindingPolicy{
		Keys: tl,
		Trust: oid4vp.FVSTrustFunc(func(ctx context.Context, fvsDID string, at time.Time) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return fvsAnswer(fvsDID, tl.Authorize(registry.AuthorizationQuery{Entity: fvsDID, Action: registry.ActionIssue, Resource: FVSCredentialType, At: at}))
		}),
	}
}

// FaceBindingPurpose is the purpose wallets state to the FVS.
const FaceBindingPurpose = "oid4vp-face-binding"

// pickFMR returns the loosest of targets no looser than max.
func pickFMR(targets []float64, max float64) (float64, error) {
	best := 0.0
	for _, t := range targets {
		if t <= max && t > best {
			best = t
		}
	}
	if best == 0 {
		return 0, fmt.Errorf("app: the FVS offers no FMR target at or below %s", fvs.FormatFMR(max))
	}
	return best, nil
}

// FVSClient is a holder.FaceAttester that calls an FVS over HTTP (POST
// /fvs/attestations, GET /fvs/policy), as an accredited identity
// provider does on the holder's behalf: the demo wallet uses the demo
// client's token.
type FVSClient struct {
	// BaseURL is the server serving /fvs: https, or http to a loopback
	// host (the photo is biometric data). Required.
	BaseURL string
	// Token is a bearer token of a client with scope "fvs". Required.
	Token string
	// Consent is the holder's consent reference sent with each request.
	// Empty: "wallet-consent:<nonce>".
	Consent string
	// HTTPClient makes the requests. Nil: a client with a 30 s timeout
	// that follows no redirect.
	HTTPClient *http.Client
}

var _ holder.FaceAttester = (*FVSClient)(nil)

// maxFVSResponse bounds what the FVS answers.
const maxFVSResponse = 1 << 20

func (c *FVSClient) do(ctx context.Context, method, path string, body any) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(c.BaseURL, "/")+path, rd)
	if err != nil {
		return 0, nil, err
	}
	if u := req.URL; u.Scheme != "https" && (u.Scheme != "http" || !isLoopback(u.Hostname())) {
		return 0, nil, fmt.Errorf("app: FVS URL %s: want https (http only to a loopback host)", u.Redacted())
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.Token)
	hc := c.HTTPClient
	if hc == nil {
		// No redirects: the photo goes to BaseURL or nowhere.
		hc = &http.Client{Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("app: FVS: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxFVSResponse))
	return resp.StatusCode, b, err
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// AttestFace asks the FVS for an attestation at the loosest FMR target
// it offers (GET /fvs/policy) that the verifier accepts.
func (c *FVSClient) AttestFace(ctx context.Context, r holder.FaceAttestationRequest) (string, error) {
	status, body, err := c.do(ctx, http.MethodGet, "/fvs/policy", nil)
	if err != nil {
		return "", err
	}
	if status != http.StatusOK {
		return "", fmt.Errorf("app: FVS policy: HTTP %d", status)
	}
	var policy struct {
		Thresholds []fvs.Threshold `json:"thresholds"`
	}
	if err := json.Unmarshal(body, &policy); err != nil {
		return "", fmt.Errorf("app: FVS policy: %w", err)
	}
	var targets []float64
	for _, t := range policy.Thresholds {
		targets = append(targets, t.FMR)
	}
	fmr, err := pickFMR(targets, r.MaxFMR)
	if err != nil {
		return "", err
	}
	consent := c.Consent
	if consent == "" {
		consent = "wallet-consent:" + r.Nonce
	}
	status, body, err = c.do(ctx, http.MethodPost, "/fvs/attestations", map[string]string{
		"pid": r.PID, "image": base64.StdEncoding.EncodeToString(r.Photo), "consent": consent, "purpose": FaceBindingPurpose,
		"fmr": strconv.FormatFloat(fmr, 'g', -1, 64), "nonce": r.Nonce, "holder_key_thumbprint": r.HolderKeyThumbprint, "verifier": r.Verifier,
	})
	if err != nil {
		return "", err
	}
	var out struct {
		Result *fvs.Result `json:"result"`
		// Attestation is absent when the face does not match.
		Attestation string `json:"attestation"`
		// A problem's reason and detail.
		Reason string `json:"reason"`
		Detail string `json:"detail"`
	}
	if err := json.Unmarshal(body, &out); err != nil {
		return "", fmt.Errorf("app: FVS: HTTP %d: the answer is not JSON", status)
	}
	switch {
	case status == http.StatusCreated && out.Attestation != "":
		return out.Attestation, nil
	case status == http.StatusOK && out.Result != nil && !out.Result.Match():
		return "", fmt.Errorf("%w (score %.2f at FMR %s)", holder.ErrNoFaceMatch, out.Result.Score, fvs.FormatFMR(out.Result.FMR))
	case out.Reason != "":
		return "", fmt.Errorf("app: FVS: %s: %s", out.Reason, out.Detail)
	}
	return "", fmt.Errorf("app: FVS: HTTP %d", status)
}

// FVSServiceAttester is a holder.FaceAttester on an FVS in the same
// process (tests, a single-process demo).
type FVSServiceAttester struct {
	Service *fvs.Service
	// Caller names the identity provider the FVS audits the call under.
	// Required.
	Caller string
}

var _ holder.FaceAttester = FVSServiceAttester{}

// AttestFace asks the service at the loosest of its FMR targets that the
// verifier accepts.
func (s FVSServiceAttester) AttestFace(ctx context.Context, r holder.FaceAttestationRequest) (string, error) {
	fmr, err := pickFMR(s.Service.Policy().FMRTargets, r.MaxFMR)
	if err != nil {
		return "", err
	}
	res, tok, err := s.Service.Attest(ctx, fvs.AttestRequest{
		VerifyRequest: fvs.VerifyRequest{Call: fvs.Call{Caller: s.Caller, Purpose: FaceBindingPurpose, Consent: "wallet-consent:" + r.Nonce},
			PID: r.PID, Image: r.Photo, FMR: fmr},
		Nonce: r.Nonce, HolderKeyThumbprint: r.HolderKeyThumbprint, Verifier: r.Verifier,
	})
	if err != nil {
		return "", err
	}
	if tok == "" {
		return "", fmt.Errorf("%w (score %.2f at FMR %s)", holder.ErrNoFaceMatch, res.Score, fvs.FormatFMR(res.FMR))
	}
	return tok, nil
}
