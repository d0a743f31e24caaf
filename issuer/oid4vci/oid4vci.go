package oid4vci

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
)

// Credential formats of OpenID4VCI 1.0 (appendix A) offered here.
const (
	FormatSDJWT   = "dc+sd-jwt"   // SD-JWT VC
	FormatJWTVCJS = "jwt_vc_json" // W3C VC as a JWT: ThaiTrust's vc+jwt
)

// Suffixes of the credential configuration ids: <Type>.sd_jwt, <Type>.jwt.
const (
	SuffixSDJWT = ".sd_jwt"
	SuffixJWT   = ".jwt"
)

// Defaults for the zero values of Config.
const (
	DefaultOfferTTL          = 30 * time.Minute
	DefaultTokenTTL          = 5 * time.Minute
	DefaultNonceTTL          = 5 * time.Minute
	DefaultProofMaxAge       = 5 * time.Minute
	DefaultBatchSize         = 10
	DefaultMaxTxCodeAttempts = 5
	TxCodeLength             = 6
)

// Issuer is what the OpenID4VCI front needs of an issuer:
// *issuer.Service.
type Issuer interface {
	Profile() issuer.Profile
	Prepare(doc map[string]any) (map[string]any, string, error)
	Issue(ctx context.Context, req issuer.Request) (*issuer.Issued, error)
}

var _ Issuer = (*issuer.Service)(nil)

// Config configures a Service.
type Config struct {
	// Issuer issues the credentials. Required.
	Issuer Issuer
	// Store keeps offers, codes, tokens and nonces. Required.
	Store Store
	// CredentialIssuer is the credential issuer identifier, an https URL
	// (http for loopback hosts in development), e.g.
	// https://thaitrust.example/issuers/university. It is also the
	// authorization server's issuer and the aud of key proofs. Required.
	CredentialIssuer string
	// ProofAlgorithms are the JWS algorithms accepted for key proofs;
	// nil means EdDSA, ES256, ES384.
	ProofAlgorithms []signing.Algorithm
	// BatchSize is the most key proofs (credentials) per request; zero
	// means DefaultBatchSize.
	BatchSize int
	// OfferTTL is how long a pre-authorized code can be redeemed; zero
	// means DefaultOfferTTL.
	OfferTTL time.Duration
	// TokenTTL and NonceTTL are the lifetimes of access tokens and
	// c_nonces; zero means 5 minutes.
	TokenTTL, NonceTTL time.Duration
	// ProofMaxAge is how old a key proof's iat may be; zero means
	// DefaultProofMaxAge. ClockSkew is the leeway for an iat in the
	// future; zero means none.
	ProofMaxAge, ClockSkew time.Duration
	// MaxTxCodeAttempts is how many wrong transaction codes burn an
	// offer; zero means DefaultMaxTxCodeAttempts.
	MaxTxCodeAttempts int
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of secrets; nil means crypto/rand.
	Rand io.Reader
}

// Service is the OpenID4VCI credential issuer (and its authorization
// server, for the pre-authorized code flow) of one issuer profile. It is
// safe for concurrent use.
type Service struct {
	cfg     Config
	profile issuer.Profile

	sweepMu   sync.Mutex
	lastSweep time.Time
}

// New returns a Service.
func New(cfg Config) (*Service, error) {
	if cfg.Issuer == nil || cfg.Store == nil {
		return nil, errors.New("oid4vci: Config.Issuer and Config.Store are required")
	}
	u, err := url.Parse(cfg.CredentialIssuer)
	if err != nil || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(cfg.CredentialIssuer, "/") ||
		(u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname()))) {
		return nil, fmt.Errorf("oid4vci: credential issuer %q: want an https URL without query, fragment or trailing slash", cfg.CredentialIssuer)
	}
	if cfg.ProofAlgorithms == nil {
		cfg.ProofAlgorithms = []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	}
	for _, a := range cfg.ProofAlgorithms {
		if _, err := signing.ParseAlgorithm(string(a)); err != nil {
			return nil, fmt.Errorf("oid4vci: proof algorithms: %w", err)
		}
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.OfferTTL, DefaultOfferTTL)
	def(&cfg.TokenTTL, DefaultTokenTTL)
	def(&cfg.NonceTTL, DefaultNonceTTL)
	def(&cfg.ProofMaxAge, DefaultProofMaxAge)
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.MaxTxCodeAttempts <= 0 {
		cfg.MaxTxCodeAttempts = DefaultMaxTxCodeAttempts
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{cfg: cfg, profile: cfg.Issuer.Profile()}, nil
}

func isLoopback(host string) bool {
	return host == "localhost" || strings.HasPrefix(host, "127.") || host == "::1"
}

// CredentialIssuer returns the credential issuer identifier.
func (s *Service) CredentialIssuer() string { return s.cfg.CredentialIssuer }

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// Endpoint URLs, under the credential issuer identifier.
func (s *Service) TokenEndpoint() string      { return s.cfg.CredentialIssuer + "/oid4vci/token" }
func (s *Service) NonceEndpoint() string      { return s.cfg.CredentialIssuer + "/oid4vci/nonce" }
func (s *Service) CredentialEndpoint() string { return s.cfg.CredentialIssuer + "/oid4vci/credential" }

// OfferURL is where the offer with public id id is served by reference.
func (s *Service) OfferURL(id string) string { return s.cfg.CredentialIssuer + "/oid4vci/offers/" + id }

// Secrets and their hashes.

// newSecret returns 128 random bits, base64url.
func (s *Service) newSecret() (string, []byte, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
		return "", nil, fmt.Errorf("oid4vci: randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), b[:], nil
}

// HashSecret is the stored form of a secret (offer id, pre-authorized
// code, access token, nonce): SHA-256, base64url. Stores are looked up by
// it, so comparing secrets is a hash lookup, not a string comparison.
func HashSecret(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return base64.RawURLEncoding.EncodeToString(h[:])
}

// TxCodeHash is the stored form of a transaction code: bound to the
// pre-authorized code, so that a leaked store does not let anyone try
// the million six-digit codes offline without the code itself.
func TxCodeHash(code, txCode string) string {
	m := hmac.New(sha256.New, []byte(code))
	m.Write([]byte("tx_code\x00" + txCode))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// codeFor derives an offer's pre-authorized code from its public id, so
// the offer served by reference can carry the code without storing it.
func codeFor(offerID []byte) string {
	m := hmac.New(sha256.New, offerID)
	m.Write([]byte("pre-authorized_code"))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:16])
}

// Offers.

// OfferRequest asks for a credential offer.
type OfferRequest struct {
	// Credential is the unsigned credential document, as issuer.Service
	// Issue takes it. Required.
	Credential map[string]any
	// Format is FormatSDJWT ("dc+sd-jwt"), "vc+jwt" (or "jwt_vc_json"),
	// or "" for both: the wallet chooses.
	Format string
	// TxCode asks for a transaction code (6 digits) that the person gets
	// by another channel and the wallet must send with the code.
	TxCode bool
}

// CredentialOffer is the credential offer object (OpenID4VCI 1.0,
// section 4.1.1).
type CredentialOffer struct {
	CredentialIssuer           string         `json:"credential_issuer"`
	CredentialConfigurationIDs []string       `json:"credential_configuration_ids"`
	Grants                     map[string]any `json:"grants"`
}

// CreatedOffer is a new offer as its creator sees it, once.
type CreatedOffer struct {
	// ID is the offer's public id: a 128-bit secret that names it in the
	// offer URL and the QR code. Whoever has it can redeem the offer
	// (with the transaction code, when there is one).
	ID         string
	Offer      CredentialOffer
	URI        string // openid-credential-offer://?credential_offer_uri=<OfferURL>
	URIByValue string // openid-credential-offer://?credential_offer=<JSON>
	TxCode     string // the transaction code, "" when none
	ExpiresAt  time.Time
}

// CreateOffer validates the credential (as issuance will) and stores an
// offer for it with a fresh pre-authorized code.
func (s *Service) CreateOffer(ctx context.Context, req OfferRequest) (*CreatedOffer, error) {
	doc, typ, err := s.cfg.Issuer.Prepare(req.Credential)
	if err != nil {
		return nil, err
	}
	_ = doc
	if !schemas.Has(typ) {
		return nil, fmt.Errorf("%w: offers are for ThaiTrust credential types", issuer.ErrUnknownType)
	}
	var configs []string
	switch req.Format {
	case issuer.FormatSDJWT:
		configs = []string{typ + SuffixSDJWT}
	case issuer.FormatVCJWT, FormatJWTVCJS:
		configs = []string{typ + SuffixJWT}
	case "":
		configs = []string{typ + SuffixSDJWT, typ + SuffixJWT}
	default:
		return nil, fmt.Errorf("%w: %q (dc+sd-jwt, vc+jwt, or none for both)", issuer.ErrUnsupportedFormat, req.Format)
	}
	raw, err := json.Marshal(req.Credential)
	if err != nil {
		return nil, fmt.Errorf("%w: credential: %v", issuer.ErrBadRequest, err)
	}
	id, idBytes, err := s.newSecret()
	if err != nil {
		return nil, err
	}
	code := codeFor(idBytes)
	now := s.now()
	o := Offer{
		Issuer: s.profile.Name, ID: HashSecret(id), CodeHash: HashSecret(code), Configurations: configs,
		Credential: raw, State: OfferActive, CreatedAt: now, ExpiresAt: now.Add(s.cfg.OfferTTL),
	}
	var tx string
	if req.TxCode {
		if tx, err = s.txCode(); err != nil {
			return nil, err
		}
		o.TxCodeHash = TxCodeHash(code, tx)
	}
	if err := s.cfg.Store.CreateOffer(ctx, o); err != nil {
		return nil, fmt.Errorf("oid4vci: storing the offer: %w", err)
	}
	offer := s.offerObject(o, code)
	byValue, err := json.Marshal(offer)
	if err != nil {
		return nil, err
	}
	return &CreatedOffer{
		ID: id, Offer: offer, TxCode: tx, ExpiresAt: o.ExpiresAt,
		URI:        OfferURI(s.OfferURL(id)),
		URIByValue: "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(byValue)),
	}, nil
}

// OfferURI returns the openid-credential-offer:// URI of an offer served
// by reference at offerURL.
func OfferURI(offerURL string) string {
	return "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape(offerURL)
}

func (s *Service) txCode() (string, error) {
	n, err := rand.Int(s.cfg.Rand, big.NewInt(1_000_000))
	if err != nil {
		return "", fmt.Errorf("oid4vci: randomness: %w", err)
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}

func (s *Service) offerObject(o Offer, code string) CredentialOffer {
	grant := map[string]any{"pre-authorized_code": code}
	if o.TxCodeHash != "" {
		grant["tx_code"] = map[string]any{
			"input_mode": "numeric", "length": TxCodeLength,
			"description": "รหัส 6 หลักที่ได้รับจากผู้ออกเอกสาร / the 6-digit code the issuer gave you",
		}
	}
	return CredentialOffer{
		CredentialIssuer:           s.cfg.CredentialIssuer,
		CredentialConfigurationIDs: slices.Clone(o.Configurations),
		Grants:                     map[string]any{GrantPreAuthorized: grant},
	}
}

// Offer returns the credential offer with public id id, for the offer
// endpoint (by reference). An unknown, redeemed, burned or expired offer
// is ErrNotFound.
func (s *Service) Offer(ctx context.Context, id string) (CredentialOffer, error) {
	idBytes, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil || len(idBytes) != 16 {
		return CredentialOffer{}, ErrNotFound
	}
	o, err := s.cfg.Store.GetOffer(ctx, s.profile.Name, HashSecret(id))
	if err != nil {
		return CredentialOffer{}, err
	}
	if o.State != OfferActive || !s.now().Before(o.ExpiresAt) {
		return CredentialOffer{}, ErrNotFound
	}
	return s.offerObject(o, codeFor(idBytes)), nil
}

// Token endpoint.

// TokenResponse is the token endpoint's answer.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int64  `json:"expires_in"`
}

// errStop aborts an offer update whose outcome is in a captured variable.
var errStop = errors.New("oid4vci: stop")

// Token redeems a pre-authorized code (and transaction code) for an
// access token. The code is single use: a second redemption fails and
// revokes the token of the first (RFC 6749 section 4.1.2). Each wrong
// transaction code counts; MaxTxCodeAttempts of them burn the offer.
// Every failure is an *Error: invalid_request, unsupported_grant_type or
// invalid_grant.
func (s *Service) Token(ctx context.Context, req TokenRequest) (*TokenResponse, error) {
	if req.GrantType != GrantPreAuthorized {
		return nil, fail(CodeUnsupportedGrantType, "only the pre-authorized code grant is supported")
	}
	token, _, err := s.newSecret()
	if err != nil {
		return nil, err
	}
	now := s.now()
	var outcome *Error
	var replayedToken string
	o, err := s.cfg.Store.UpdateOfferByCode(ctx, s.profile.Name, HashSecret(req.Code), func(o Offer) (Offer, error) {
		outcome, replayedToken = nil, ""
		switch {
		case o.State == OfferRedeemed:
			outcome = fail(CodeInvalidGrant, "the pre-authorized code was used already")
			replayedToken = o.TokenHash
			return o, errStop
		case o.State == OfferBurned:
			outcome = fail(CodeInvalidGrant, "the offer was withdrawn after too many wrong transaction codes")
			return o, errStop
		case !now.Before(o.ExpiresAt):
			outcome = fail(CodeInvalidGrant, "the pre-authorized code has expired")
			return o, errStop
		}
		if o.TxCodeHash == "" {
			if req.TxCode != "" {
				outcome = fail(CodeInvalidRequest, "this offer has no transaction code; do not send tx_code")
				return o, errStop
			}
		} else {
			if req.TxCode == "" {
				outcome = fail(CodeInvalidRequest, "this offer needs its transaction code (tx_code)")
				return o, errStop
			}
			if subtle.ConstantTimeCompare([]byte(TxCodeHash(req.Code, req.TxCode)), []byte(o.TxCodeHash)) != 1 {
				o.TxCodeAttempts++
				outcome = fail(CodeInvalidGrant, "the transaction code is wrong")
				if o.TxCodeAttempts >= s.cfg.MaxTxCodeAttempts {
					o.State = OfferBurned
					outcome = fail(CodeInvalidGrant, "the transaction code is wrong; the offer is withdrawn after %d attempts", o.TxCodeAttempts)
				}
				return o, nil // the attempt is recorded
			}
		}
		o.State = OfferRedeemed
		o.RedeemedAt = now
		o.TokenHash = HashSecret(token)
		return o, nil
	})
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, fail(CodeInvalidGrant, "unknown pre-authorized code")
	case errors.Is(err, errStop):
		if replayedToken != "" {
			_, _ = s.cfg.Store.TakeTicket(ctx, s.profile.Name, KindAccessToken, replayedToken)
		}
		return nil, outcome
	case err != nil:
		return nil, fmt.Errorf("oid4vci: redeeming the code: %w", err)
	case outcome != nil:
		return nil, outcome
	}
	t := Ticket{Issuer: s.profile.Name, Kind: KindAccessToken, Hash: o.TokenHash, Offer: o.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.TokenTTL)}
	if err := s.cfg.Store.PutTicket(ctx, t); err != nil {
		return nil, fmt.Errorf("oid4vci: storing the access token: %w", err)
	}
	return &TokenResponse{AccessToken: token, TokenType: "Bearer", ExpiresIn: int64(s.cfg.TokenTTL / time.Second)}, nil
}

// Nonce endpoint.

// Nonce returns a fresh c_nonce: single use, valid for NonceTTL. Now and
// then it also deletes expired state.
func (s *Service) Nonce(ctx context.Context) (string, error) {
	n, _, err := s.newSecret()
	if err != nil {
		return "", err
	}
	now := s.now()
	t := Ticket{Issuer: s.profile.Name, Kind: KindNonce, Hash: HashSecret(n), CreatedAt: now, ExpiresAt: now.Add(s.cfg.NonceTTL)}
	if err := s.cfg.Store.PutTicket(ctx, t); err != nil {
		return "", fmt.Errorf("oid4vci: storing the nonce: %w", err)
	}
	s.sweep(ctx, now)
	return n, nil
}

// sweep deletes expired state at most once a minute.
func (s *Service) sweep(ctx context.Context, now time.Time) {
	s.sweepMu.Lock()
	due := now.Sub(s.lastSweep) >= time.Minute
	if due {
		s.lastSweep = now
	}
	s.sweepMu.Unlock()
	if due {
		// Keep redeemed offers' token hashes until the tokens are gone.
		_, _ = s.cfg.Store.DeleteExpired(ctx, now.Add(-s.cfg.TokenTTL))
	}
}

// Credential endpoint.

// CredentialRequest is a parsed credential request (OpenID4VCI 1.0,
// section 8.2).
type CredentialRequest struct {
	ConfigurationID string   // credential_configuration_id
	Proofs          []string // proofs.jwt
}

// ParseCredentialRequest reads a credential request body: a
// credential_configuration_id (credential_identifier is refused: this
// issuer returns no authorization_details) and proofs.jwt, an array of 1
// to batchSize proof JWTs. The singular "proof" of earlier drafts and
// credential_response_encryption are refused.
func ParseCredentialRequest(body map[string]any, batchSize int) (CredentialRequest, error) {
	if _, ok := body["credential_identifier"]; ok {
		return CredentialRequest{}, fail(CodeUnknownCredentialIdentifier, "credential identifiers are not used here; send credential_configuration_id")
	}
	if _, ok := body["credential_response_encryption"]; ok {
		return CredentialRequest{}, fail(CodeInvalidEncryptionParameters, "credential response encryption is not supported")
	}
	if _, ok := body["proof"]; ok {
		return CredentialRequest{}, fail(CodeInvalidCredentialRequest, `send key proofs as "proofs": {"jwt": [...]}, not "proof"`)
	}
	id, ok := body["credential_configuration_id"].(string)
	if !ok || id == "" {
		return CredentialRequest{}, fail(CodeInvalidCredentialRequest, "credential_configuration_id is missing")
	}
	proofs, ok := body["proofs"].(map[string]any)
	if !ok {
		return CredentialRequest{}, fail(CodeInvalidProof, "proofs is missing: every credential is bound to a key proven with a jwt proof")
	}
	if len(proofs) != 1 {
		return CredentialRequest{}, fail(CodeInvalidProof, "proofs must have exactly one proof type, jwt")
	}
	list, ok := proofs["jwt"].([]any)
	if !ok || len(list) == 0 {
		return CredentialRequest{}, fail(CodeInvalidProof, "proofs.jwt must be a non-empty array (the only proof type supported)")
	}
	if len(list) > batchSize {
		return CredentialRequest{}, fail(CodeInvalidCredentialRequest, "at most %d proofs (credentials) per request", batchSize)
	}
	out := CredentialRequest{ConfigurationID: id}
	for _, p := range list {
		s, ok := p.(string)
		if !ok {
			return CredentialRequest{}, fail(CodeInvalidProof, "proofs.jwt must hold strings")
		}
		out.Proofs = append(out.Proofs, s)
	}
	return out, nil
}

// CredentialResponse is the credential endpoint's answer.
type CredentialResponse struct {
	Credentials []IssuedCredential `json:"credentials"`
}

// IssuedCredential is one credential of a CredentialResponse.
type IssuedCredential struct {
	Credential string `json:"credential"`
}

// Credential answers a credential request made with accessToken: it
// checks the token, the configuration (it must be one the offer
// offered), every key proof (typ, key, alg, signature, aud, iat, a nonce
// from the nonce endpoint, used up here, and distinct keys), then uses up
// the token and issues one credential per proof, each bound to its
// proof's key. Every failure is an *Error with the code OpenID4VCI
// defines (invalid_token, invalid_credential_request,
// unknown_credential_configuration, invalid_proof, invalid_nonce,
// credential_request_denied); a failure before the token is used up
// leaves it usable (a wallet told invalid_nonce fetches a new nonce and
// retries).
func (s *Service) Credential(ctx context.Context, accessToken string, req CredentialRequest) (*CredentialResponse, error) {
	if accessToken == "" {
		return nil, fail(CodeInvalidToken, "an access token is required")
	}
	name := s.profile.Name
	now := s.now()
	tokHash := HashSecret(accessToken)
	t, err := s.cfg.Store.GetTicket(ctx, name, KindAccessToken, tokHash)
	if errors.Is(err, ErrNotFound) || (err == nil && !now.Before(t.ExpiresAt)) {
		return nil, fail(CodeInvalidToken, "the access token is unknown, used or expired")
	}
	if err != nil {
		return nil, fmt.Errorf("oid4vci: access token: %w", err)
	}
	o, err := s.cfg.Store.GetOffer(ctx, name, t.Offer)
	if errors.Is(err, ErrNotFound) {
		return nil, fail(CodeInvalidToken, "the access token's offer is gone")
	}
	if err != nil {
		return nil, fmt.Errorf("oid4vci: offer: %w", err)
	}
	format, ok := s.configuration(req.ConfigurationID)
	if !ok {
		return nil, fail(CodeUnknownCredentialConfiguration, "this issuer has no credential configuration %q", trunc(req.ConfigurationID))
	}
	if !slices.Contains(o.Configurations, req.ConfigurationID) {
		return nil, fail(CodeUnknownCredentialConfiguration, "%s was not offered with this access token (offered: %s)", req.ConfigurationID, strings.Join(o.Configurations, ", "))
	}
	if len(req.Proofs) == 0 || len(req.Proofs) > s.cfg.BatchSize {
		return nil, fail(CodeInvalidCredentialRequest, "send 1 to %d proofs", s.cfg.BatchSize)
	}
	keys := make([]crypto.PublicKey, 0, len(req.Proofs))
	var nonces []string
	seen := map[string]bool{}
	popts := ProofOptions{Algorithms: s.cfg.ProofAlgorithms, Audience: s.cfg.CredentialIssuer, Now: now, MaxAge: s.cfg.ProofMaxAge, ClockSkew: s.cfg.ClockSkew}
	for i, raw := range req.Proofs {
		p, err := ParseProof(raw)
		if err == nil {
			err = p.Verify(popts)
		}
		if err != nil {
			var e *Error
			if errors.As(err, &e) {
				return nil, &Error{Code: e.Code, Description: fmt.Sprintf("proof %d: %s", i, e.Description), Err: e.Err}
			}
			return nil, err
		}
		if p.Nonce == "" {
			return nil, fail(CodeInvalidProof, "proof %d has no nonce: get a c_nonce from %s", i, s.NonceEndpoint())
		}
		tp, err := signing.Thumbprint(p.Key)
		if err != nil {
			return nil, fail(CodeInvalidProof, "proof %d: key: %v", i, err)
		}
		if seen[tp] {
			return nil, fail(CodeInvalidProof, "proof %d uses the key of an earlier proof: every credential needs its own key", i)
		}
		seen[tp] = true
		keys = append(keys, p.Key)
		if !slices.Contains(nonces, p.Nonce) {
			nonces = append(nonces, p.Nonce)
		}
	}
	for _, n := range nonces {
		nt, err := s.cfg.Store.TakeTicket(ctx, name, KindNonce, HashSecret(n))
		if errors.Is(err, ErrNotFound) || (err == nil && !now.Before(nt.ExpiresAt)) {
			return nil, fail(CodeInvalidNonce, "the proof's nonce is unknown, used or expired: get a new c_nonce from %s", s.NonceEndpoint())
		}
		if err != nil {
			return nil, fmt.Errorf("oid4vci: nonce: %w", err)
		}
	}
	if _, err := s.cfg.Store.TakeTicket(ctx, name, KindAccessToken, tokHash); errors.Is(err, ErrNotFound) {
		return nil, fail(CodeInvalidToken, "the access token was used meanwhile")
	} else if err != nil {
		return nil, fmt.Errorf("oid4vci: access token: %w", err)
	}
	out := &CredentialResponse{}
	for _, k := range keys {
		doc, err := jsonx.ParseObject(o.Credential)
		if err != nil {
			return nil, fmt.Errorf("oid4vci: stored credential: %w", err)
		}
		is, err := s.cfg.Issuer.Issue(ctx, issuer.Request{Credential: doc, Format: format, HolderKey: k})
		if err != nil {
			var inv *issuer.InvalidError
			if errors.As(err, &inv) || errors.Is(err, issuer.ErrBadRequest) || errors.Is(err, issuer.ErrTypeNotAllowed) || errors.Is(err, issuer.ErrIssuerMismatch) {
				return nil, &Error{Code: CodeCredentialRequestDenied, Description: "the credential can no longer be issued: " + strings.TrimPrefix(err.Error(), "issuer: "), Err: err}
			}
			return nil, err
		}
		out.Credentials = append(out.Credentials, IssuedCredential{Credential: is.Token})
	}
	return out, nil
}

// configuration returns the issuer format of a configuration id this
// issuer supports.
func (s *Service) configuration(id string) (string, bool) {
	if typ, ok := strings.CutSuffix(id, SuffixSDJWT); ok && slices.Contains(s.profile.Types, typ) {
		return issuer.FormatSDJWT, true
	}
	if typ, ok := strings.CutSuffix(id, SuffixJWT); ok && slices.Contains(s.profile.Types, typ) {
		return issuer.FormatVCJWT, true
	}
	return "", false
}
