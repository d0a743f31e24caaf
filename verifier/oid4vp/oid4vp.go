package oid4vp

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
	"github.com/thaitrust/thaitrust/verifier"
)

// OpenID4VP 1.0 identifiers.
const (
	// Scheme is the URI scheme of requests sent to a wallet.
	Scheme = "openid4vp"
	// TypRequest is the typ of a signed request object (RFC 9101).
	TypRequest = "oauth-authz-req+jwt"
	// MediaTypeRequest is its media type.
	MediaTypeRequest = "application/oauth-authz-req+jwt"
	// AudienceSelfIssued is the aud of request objects for a wallet
	// found statically (OpenID4VP 1.0 section 5.8).
	AudienceSelfIssued = "https://self-issued.me/v2"
	// PrefixDID is the client_id prefix of a verifier identified by a
	// DID, whose request objects are signed by a key of that DID.
	PrefixDID = "decentralized_identifier"
	// ResponseModeDirectPost is the response mode: the wallet POSTs the
	// response to response_uri.
	ResponseModeDirectPost = "direct_post"
)

// DefaultRequestTTL is how long a request and its nonce live when
// Config.RequestTTL is zero.
const DefaultRequestTTL = 10 * time.Minute

// Config is one relying party's OpenID4VP verifier.
type Config struct {
	// Name is the relying party's profile name, e.g. "employer".
	// Required.
	Name string
	// DID identifies the relying party; client_id is
	// decentralized_identifier:<DID>. Required.
	DID string
	// Signer signs request objects; its KeyID must be a DID URL of DID
	// (listed under the DID's authentication or assertionMethod).
	// Required.
	Signer jose.Signer
	// DisplayName is the name the relying party gives itself, by locale
	// ("th", "en"): client_name (English) and client_name#th in
	// client_metadata. Zero: none (wallets show the DID only).
	DisplayName map[string]string
	// BaseURL is where the wallet-facing endpoints are served: request
	// objects at BaseURL/oid4vp/requests/<id>, responses to
	// BaseURL/oid4vp/responses/<id>. Required, absolute.
	BaseURL string
	// Verifier verifies each presentation under the relying party's
	// policy (algorithms, keys, status, issuer trust). Required.
	Verifier *verifier.Verifier
	// Store keeps the requests. Required.
	Store Store
	// RequestTTL is the life of a request and its nonce; zero means
	// DefaultRequestTTL.
	RequestTTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of ids, nonces and states; nil means
	// crypto/rand.
	Rand io.Reader
	// FaceBinding checks face-match attestations (facebinding.go). Nil:
	// requests that demand face binding are refused.
	FaceBinding *FaceBindingPolicy
	// Delegation checks delegation chains (delegation.go). Nil: requests
	// that demand delegation are refused.
	Delegation DelegationChecker
}

// Service is the OpenID4VP verifier of one relying party. It is safe for
// concurrent use.
type Service struct {
	cfg      Config
	clientID string
}

// New checks the configuration and returns a Service.
func New(cfg Config) (*Service, error) {
	switch {
	case cfg.Name == "" || strings.ContainsAny(cfg.Name, "/\x00"):
		return nil, errors.New("oid4vp: Config.Name is required (no '/')")
	case !strings.HasPrefix(cfg.DID, "did:"):
		return nil, errors.New("oid4vp: Config.DID must be a DID")
	case cfg.Signer.Key == nil || !strings.HasPrefix(cfg.Signer.KeyID, cfg.DID+"#"):
		return nil, errors.New("oid4vp: Config.Signer needs a key and a KeyID that is a DID URL of Config.DID")
	case cfg.Verifier == nil:
		return nil, errors.New("oid4vp: Config.Verifier is required: without a policy nothing can be verified")
	case cfg.Store == nil:
		return nil, errors.New("oid4vp: Config.Store is required")
	}
	u, err := url.Parse(cfg.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("oid4vp: Config.BaseURL %q: want an absolute http(s) URL", cfg.BaseURL)
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.RequestTTL <= 0 {
		cfg.RequestTTL = DefaultRequestTTL
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	cfg.DisplayName = maps.Clone(cfg.DisplayName)
	return &Service{cfg: cfg, clientID: PrefixDID + ":" + cfg.DID}, nil
}

// ClientID is the verifier's client_id: decentralized_identifier:<DID>.
func (s *Service) ClientID() string { return s.clientID }

// Name is the relying party's profile name.
func (s *Service) Name() string { return s.cfg.Name }

// DID is the relying party's DID.
func (s *Service) DID() string { return s.cfg.DID }

// Document is the verifier's DID document (its signing key, under
// authentication and assertionMethod), as a did:web DID serves it.
func (s *Service) Document() *did.Document {
	return did.NewDocument(s.cfg.DID, s.cfg.Signer.Key.Public())
}

// DisplayName is the name the relying party gives itself, by locale.
func (s *Service) DisplayName() map[string]string { return maps.Clone(s.cfg.DisplayName) }

// RequestObjectURL is where a wallet fetches request id's object.
func (s *Service) RequestObjectURL(id string) string {
	return s.cfg.BaseURL + "/oid4vp/requests/" + url.PathEscape(id)
}

// ResponseURI is where a wallet posts the response to request id.
func (s *Service) ResponseURI(id string) string {
	return s.cfg.BaseURL + "/oid4vp/responses/" + url.PathEscape(id)
}

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now()
	}
	return time.Now()
}

func (s *Service) random() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(s.cfg.Rand, b[:]); err != nil {
		return "", fmt.Errorf("oid4vp: randomness: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// NewRequest is what a relying party asks for.
type NewRequest struct {
	// Query is the DCQL query (decoded JSON). Required; see ParseQuery
	// for what this verifier accepts.
	Query map[string]any
	// Purpose says why, by locale ("th", "en"); shown to the holder.
	// Optional.
	Purpose map[string]string
	// FaceBinding demands face-match attestations (facebinding.go).
	// Optional.
	FaceBinding *FaceBinding
	// Delegation demands a delegation chain (delegation.go). Optional.
	Delegation *Delegation
}

// Created is a new presentation request.
type Created struct {
	ID string `json:"id"`
	// RequestURI is the openid4vp:// URI for the wallet (a link or a QR
	// code): client_id and request_uri, the request object by reference.
	RequestURI string    `json:"request_uri"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// CreateRequest checks the query, creates a request with a fresh nonce
// and state, signs its request object and stores it. The request object
// carries client_id, response_type vp_token, response_mode direct_post,
// response_uri, nonce, state, dcql_query, client_metadata
// (vp_formats_supported and the display name), aud
// https://self-issued.me/v2, iat, exp and the ThaiTrust extension purpose
// {th, en}. Errors: *QueryError for a query this verifier will not send.
func (s *Service) CreateRequest(ctx context.Context, nr NewRequest) (*Created, error) {
	if nr.Query == nil {
		return nil, &QueryError{Msg: "a DCQL query is required"}
	}
	if _, err := ParseQuery(nr.Query); err != nil {
		return nil, err
	}
	for k, v := range nr.Purpose {
		if (k != "th" && k != "en") || v == "" || len(v) > 500 {
			return nil, &QueryError{Field: "/purpose", Msg: "purpose must be {\"th\": ..., \"en\": ...} with non-empty texts of at most 500 bytes"}
		}
	}
	query, err := json.Marshal(nr.Query)
	if err != nil {
		return nil, &QueryError{Msg: err.Error()}
	}
	faceBinding, err := s.prepareFaceBinding(nr.Query, nr.FaceBinding)
	if err != nil {
		return nil, err
	}
	deleg, err := s.prepareDelegation(nr.Query, nr.Delegation)
	if err != nil {
		return nil, err
	}
	id, err := s.random()
	if err != nil {
		return nil, err
	}
	nonce, err := s.random()
	if err != nil {
		return nil, err
	}
	state, err := s.random()
	if err != nil {
		return nil, err
	}
	now := s.now().Truncate(time.Second)
	exp := now.Add(s.cfg.RequestTTL)
	cm := map[string]any{"vp_formats_supported": s.formats()}
	if n := s.cfg.DisplayName["en"]; n != "" {
		cm["client_name"] = n
	}
	for loc, n := range s.cfg.DisplayName {
		if n != "" {
			cm["client_name#"+loc] = n
		}
	}
	claims := map[string]any{
		"client_id": s.clientID, "response_type": "vp_token", "response_mode": ResponseModeDirectPost,
		"response_uri": s.ResponseURI(id), "nonce": nonce, "state": state,
		"dcql_query": json.RawMessage(query), "client_metadata": cm,
		"aud": AudienceSelfIssued, "iat": now.Unix(), "exp": exp.Unix(),
	}
	if len(nr.Purpose) > 0 {
		claims["purpose"] = nr.Purpose
	}
	if faceBinding != nil {
		claims[ParamFaceBinding] = faceBinding
	}
	if deleg != nil {
		claims[ParamDelegation] = deleg
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return nil, err
	}
	obj, err := jws.Sign(s.cfg.Signer.Key, jws.Header{Alg: s.cfg.Signer.Algorithm, Typ: TypRequest, Kid: s.cfg.Signer.KeyID}, payload)
	if err != nil {
		return nil, fmt.Errorf("oid4vp: signing the request object: %w", err)
	}
	r := Request{
		ID: id, Verifier: s.cfg.Name, Nonce: nonce, State: state, Query: query,
		Purpose: maps.Clone(nr.Purpose), Object: obj, Status: StatusPending,
		CreatedAt: now, ExpiresAt: exp,
	}
	if err := s.cfg.Store.CreateRequest(ctx, r); err != nil {
		return nil, err
	}
	// Requests past their retention are removed now and then (a server
	// also sweeps on a timer); a failure here is harmless (they are dead
	// already). The id's first character is one of 64: '-' and '0'..'3'
	// make about one creation in 13.
	if b := id[0]; b < '4' {
		_, _ = s.cfg.Store.DeleteExpired(ctx, now.Add(-Retention))
	}
	return &Created{ID: id, RequestURI: s.requestURI(id), ExpiresAt: exp}, nil
}

// Retention is how long a request is kept after it expired, so that the
// relying party can read the result.
const Retention = 24 * time.Hour

// MaxPresentations is the most presentations a response may give for one
// credential query with multiple true; more fail the response with
// ReasonTooMany before any is verified.
const MaxPresentations = 16

func (s *Service) formats() map[string]any {
	var algs []any
	for _, a := range []string{"EdDSA", "ES256", "ES384"} {
		algs = append(algs, a)
	}
	return map[string]any{
		FormatSDJWT: map[string]any{"sd-jwt_alg_values": algs, "kb-jwt_alg_values": algs},
		FormatJWTVC: map[string]any{"alg_values": algs},
	}
}

func (s *Service) requestURI(id string) string {
	return Scheme + "://?client_id=" + url.QueryEscape(s.clientID) + "&request_uri=" + url.QueryEscape(s.RequestObjectURL(id))
}

// get returns request id of this verifier.
func (s *Service) get(ctx context.Context, id string) (Request, error) {
	r, err := s.cfg.Store.GetRequest(ctx, id)
	if err != nil {
		return Request{}, err
	}
	if r.Verifier != s.cfg.Name {
		return Request{}, ErrNotFound
	}
	return r, nil
}

// RequestObject returns the signed request object of request id, for a
// wallet that fetched request_uri, and marks the request fetched. It is
// ErrNotFound for an unknown request, and for one that is answered or
// expired (the wallet has nothing to answer any more).
func (s *Service) RequestObject(ctx context.Context, id string) (string, error) {
	now := s.now()
	r, err := s.cfg.Store.UpdateRequest(ctx, id, func(r Request) (Request, error) {
		if r.Verifier != s.cfg.Name || r.Status.Final() || !now.Before(r.ExpiresAt) {
			return r, ErrNotFound
		}
		if r.Status == StatusPending {
			r.Status, r.FetchedAt = StatusFetched, now
		}
		return r, nil
	})
	if err != nil {
		return "", err
	}
	return r.Object, nil
}

// View is a request as its relying party sees it.
type View struct {
	ID          string            `json:"id"`
	Status      Status            `json:"status"`
	ClientID    string            `json:"client_id"`
	RequestURI  string            `json:"request_uri"`
	Purpose     map[string]string `json:"purpose,omitempty"`
	Query       json.RawMessage   `json:"dcql_query"`
	CreatedAt   time.Time         `json:"created_at"`
	ExpiresAt   time.Time         `json:"expires_at"`
	FetchedAt   time.Time         `json:"fetched_at,omitzero"`
	ReceivedAt  time.Time         `json:"received_at,omitzero"`
	CompletedAt time.Time         `json:"completed_at,omitzero"`
	// Result is the verification result once answered or failed.
	Result *Result `json:"result,omitempty"`
}

// Get returns request id: its status (a pending or fetched request past
// its expiry is expired) and, once answered or failed, the result.
func (s *Service) Get(ctx context.Context, id string) (*View, error) {
	r, err := s.get(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &View{
		ID: r.ID, Status: r.Status, ClientID: s.clientID, RequestURI: s.requestURI(r.ID), Purpose: r.Purpose,
		Query: r.Query, CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt, FetchedAt: r.FetchedAt,
		ReceivedAt: r.ReceivedAt, CompletedAt: r.CompletedAt,
	}
	if !r.Status.Final() && !s.now().Before(r.ExpiresAt) {
		v.Status = StatusExpired
	}
	if r.Result != nil {
		v.Result = new(Result)
		if err := json.Unmarshal(r.Result, v.Result); err != nil {
			return nil, fmt.Errorf("oid4vp: stored result of %s: %w", id, err)
		}
	}
	return v, nil
}

// Result is the verification of a response.
type Result struct {
	// Verified: every presentation verified and the response satisfies
	// the DCQL query.
	Verified bool `json:"verified"`
	// Reason is the first failure's reason code ("" when verified);
	// Message and MessageTH say it to a person.
	Reason    string `json:"reason,omitempty"`
	Message   string `json:"message,omitempty"`
	MessageTH string `json:"message_th,omitempty"`
	// Credentials are, per credential query id, the presentations
	// received.
	Credentials map[string][]*Presented `json:"credentials"`
	// Errors are the failures that concern the response as a whole or a
	// query (claim_missing, credential_missing, ...), with the query id.
	Errors []Problem `json:"errors"`
	// Delegation is the outcome of the delegation chain check, when the
	// request demanded one and it ran (delegation.go).
	Delegation *DelegationOutcome `json:"delegation,omitempty"`
}

// Problem is one failure of a response.
type Problem struct {
	QueryID   string `json:"query_id,omitempty"`
	Reason    string `json:"reason"`
	Message   string `json:"message"`
	MessageTH string `json:"message_th,omitempty"`
	Detail    string `json:"detail,omitempty"`
}

// Presented is one presentation of a response and what the verifier kept
// of it.
type Presented struct {
	Format   string `json:"format"` // dc+sd-jwt or jwt_vc_json
	Verified bool   `json:"verified"`
	Issuer   string `json:"issuer,omitempty"`
	Type     string `json:"type,omitempty"` // catalogue type
	VCT      string `json:"vct,omitempty"`
	// Claims are the claims the query asked for, as presented (nested as
	// in the credential), and nothing else. Nil unless the whole response
	// verified: nothing of a refused response is kept.
	Claims map[string]any `json:"claims,omitempty"`
	// Disclosed are the JSON pointers of the selectively disclosable
	// claims the holder disclosed (dc+sd-jwt).
	Disclosed []string `json:"disclosed,omitempty"`
	// Discarded are the JSON pointers of the claims the presentation
	// showed that were not asked for (always-visible claims that travel
	// with any presentation, or claims disclosed beyond the request):
	// seen in verification, then dropped; their values are not kept.
	// Technical claims (iss, vct, iat, nbf, exp, cnf, status, @context,
	// type, proof data) are not listed.
	Discarded []string `json:"discarded,omitempty"`
	// Checks are the verifier's checks of the presentation.
	Checks   []verifier.Check   `json:"checks"`
	Warnings []verifier.Finding `json:"warnings,omitempty"`
}

// Response is what the wallet is told after a successful direct_post.
type Response struct {
	RedirectURI string `json:"redirect_uri,omitempty"`
}

// Respond handles a direct_post response to request id (the form as
// posted). A response with error=access_denied (the holder declined)
// marks the request declined. A vp_token response first takes the
// request's nonce (compare-and-swap from pending or fetched, before
// expiry): a second response, a replay, fails with ReasonNonceUsed and
// changes nothing. Each presentation is then verified (dc+sd-jwt: the
// verifier's checks with key binding required, aud = client_id, nonce =
// the request's; jwt_vc_json: a vp+jwt with the same nonce and aud,
// whose credentials are bound to the presenter), the response is checked
// against the DCQL query, and the result is recorded: answered with only
// the claims asked for, or failed with the reasons (and no claims).
//
// It returns an *Error for a response it refuses (the result, when one
// was recorded, says the same), ErrNotFound for an unknown request, and
// other errors for storage failures.
func (s *Service) Respond(ctx context.Context, id string, form url.Values) (*Response, error) {
	now := s.now()
	if _, err := s.get(ctx, id); err != nil {
		return nil, err
	}
	vpToken, hasToken := form["vp_token"]
	errCode := form.Get("error")
	switch {
	case hasToken && errCode != "":
		return nil, refuse(ReasonResponseInvalid, "a response has vp_token or error, not both")
	case !hasToken && errCode == "":
		return nil, refuse(ReasonResponseInvalid, "the response has neither vp_token nor error")
	case hasToken && len(vpToken) != 1:
		return nil, refuse(ReasonResponseInvalid, "vp_token is given more than once")
	}
	state := form.Get("state")
	// The state and the request's life are checked before the nonce is
	// taken, so that a stray post cannot spend it.
	var req Request
	r, err := s.cfg.Store.UpdateRequest(ctx, id, func(r Request) (Request, error) {
		switch {
		case r.Status.Final():
			return r, refuse(ReasonNonceUsed, "")
		case !now.Before(r.ExpiresAt):
			return r, refuse(ReasonRequestExpired, "")
		case subtle.ConstantTimeCompare([]byte(state), []byte(r.State)) != 1: // the state is a secret of the request
			return r, refuse(ReasonStateMismatch, "")
		}
		if errCode != "" {
			r.Status, r.CompletedAt = StatusDeclined, now
		} else {
			r.Status, r.ReceivedAt = StatusReceived, now
		}
		return r, nil
	})
	if err != nil {
		return nil, err
	}
	req = r
	if errCode != "" {
		// The holder declined (access_denied), or the wallet failed: the
		// request ends either way.
		return &Response{}, nil
	}
	res := s.verify(ctx, req, vpToken[0], form[ParamFaceAttestations], form[ParamDelegationChain])
	raw, err := json.Marshal(res)
	if err != nil {
		return nil, err
	}
	final := StatusAnswered
	if !res.Verified {
		final = StatusFailed
	}
	done := s.now()
	if _, err := s.cfg.Store.UpdateRequest(context.WithoutCancel(ctx), id, func(r Request) (Request, error) {
		r.Status, r.Result, r.CompletedAt = final, raw, done
		return r, nil
	}); err != nil {
		return nil, err
	}
	if !res.Verified {
		return nil, &Error{Code: CodeInvalidRequest, Reason: res.Reason, Description: res.Message}
	}
	return &Response{}, nil
}

// verify verifies a vp_token against request r.
func (s *Service) verify(ctx context.Context, r Request, vpToken string, faceAttestations, chain []string) *Result {
	res := &Result{Credentials: map[string][]*Presented{}, Errors: []Problem{}}
	fc := newFaceCheck(r, faceAttestations, res)
	if fc == nil { // newFaceCheck recorded why
		res.Reason, res.Message, res.MessageTH = res.Errors[0].Reason, res.Errors[0].Message, res.Errors[0].MessageTH
		return res
	}
	m, err := jsonx.ParseObject([]byte(vpToken))
	if err != nil {
		return res.fail("", ReasonVPTokenInvalid, "vp_token is not a JSON object")
	}
	qm, err := jsonx.ParseObject(r.Query)
	if err != nil {
		return res.fail("", ReasonVPTokenInvalid, "the stored query does not parse")
	}
	q, err := ParseQuery(qm)
	if err != nil {
		return res.fail("", ReasonVPTokenInvalid, "the stored query: "+err.Error())
	}
	byID := map[string]*CredentialQuery{}
	for i := range q.Credentials {
		byID[q.Credentials[i].ID] = &q.Credentials[i]
	}
	ids := slices.Sorted(maps.Keys(m))
	answered := map[string]bool{}
	claimsOf := map[*Presented]map[string]any{}
	requested := map[*Presented][]Path{}
	for _, qid := range ids {
		cq, ok := byID[qid]
		if !ok {
			res.fail(qid, ReasonUnknownQuery, fmt.Sprintf("the request has no credential query %q", truncate(qid)))
			continue
		}
		arr, ok := m[qid].([]any)
		if !ok || len(arr) == 0 {
			res.fail(qid, ReasonVPTokenInvalid, "each member of vp_token must be a non-empty array of presentations")
			continue
		}
		if len(arr) > 1 && !cq.Multiple {
			res.fail(qid, ReasonTooMany, fmt.Sprintf("%d presentations for a query that asks for one", len(arr)))
			continue
		}
		if len(arr) > MaxPresentations {
			// Each costs signature checks and status lookups: a response
			// may not buy more verification than any holder needs.
			res.fail(qid, ReasonTooMany, fmt.Sprintf("%d presentations for one query; at most %d are verified", len(arr), MaxPresentations))
			continue
		}
		ok = true
		for _, x := range arr {
			pres, isStr := x.(string)
			if !isStr || pres == "" {
				res.fail(qid, ReasonVPTokenInvalid, "a presentation must be a non-empty string")
				ok = false
				continue
			}
			p, claims, paths := s.verifyOne(ctx, r, fc, cq, pres, res)
			res.Credentials[qid] = append(res.Credentials[qid], p)
			if p.Verified {
				claimsOf[p], requested[p] = claims, paths
			} else {
				ok = false
			}
		}
		answered[qid] = ok
	}
	// Every required credential query (or credential set) answered.
	if q.CredentialSets == nil {
		for _, cq := range q.Credentials {
			if _, present := m[cq.ID]; !present {
				res.fail(cq.ID, ReasonCredentialMissing, fmt.Sprintf("no presentation for credential query %q", cq.ID))
			}
		}
	} else {
		for i, set := range q.CredentialSets {
			if !set.Required {
				continue
			}
			satisfied := false
			for _, opt := range set.Options {
				all := true
				for _, id := range opt {
					all = all && answered[id]
				}
				satisfied = satisfied || all
			}
			if !satisfied {
				res.fail("", ReasonCredentialMissing, fmt.Sprintf("credential_sets[%d] is not satisfied", i))
			}
		}
	}
	s.checkDelegation(ctx, r, m, chain, res) // delegation.go
	res.Verified = len(res.Errors) == 0
	if res.Verified {
		// Keep exactly what was asked for.
		for p, claims := range claimsOf {
			p.Claims, p.Discarded = keepOnly(claims, requested[p])
		}
	} else {
		res.Reason, res.Message, res.MessageTH = res.Errors[0].Reason, res.Errors[0].Message, res.Errors[0].MessageTH
	}
	return res
}

// fail records a failure; the first one is the result's reason (also
// when verify returns early, before its summing up).
func (res *Result) fail(qid, reason, detail string) *Result {
	en, th := verifier.Message(reason)
	res.Errors = append(res.Errors, Problem{QueryID: qid, Reason: reason, Message: en, MessageTH: th, Detail: detail})
	res.Verified = false
	if res.Reason == "" {
		res.Reason, res.Message, res.MessageTH = reason, en, th
	}
	return res
}

// verifyOne verifies one presentation for credential query cq and checks
// it against cq. It returns what the verifier saw (for Claims, once the
// whole response is known to verify) and the paths asked for.
func (s *Service) verifyOne(ctx context.Context, r Request, fc *faceCheck, cq *CredentialQuery, pres string, res *Result) (*Presented, map[string]any, []Path) {
	p := &Presented{Format: cq.Format}
	opts := verifier.PresentationOptions{Challenge: r.Nonce, Domain: s.clientID}
	var vr *verifier.Result
	var claims map[string]any
	switch cq.Format {
	case FormatSDJWT:
		if !strings.Contains(pres, "~") {
			res.fail(cq.ID, "format_mismatch", "not an SD-JWT presentation")
			return p, nil, nil
		}
		vr = s.cfg.Verifier.VerifyPresentation(ctx, verifier.FormatSDJWT, pres, opts)
		if vr.SDJWT != nil {
			p.VCT, claims, p.Disclosed = vr.SDJWT.VCT, vr.SDJWT.Claims, vr.SDJWT.Disclosed
		}
	case FormatJWTVC:
		vr = s.cfg.Verifier.VerifyPresentation(ctx, jose.MediaTypePresentation, pres, opts)
		if len(vr.Credentials) == 1 && vr.Credentials[0].Credential != nil {
			c := vr.Credentials[0]
			claims = c.Credential.Map()
			p.Issuer, p.Type = c.Issuer, c.Type
		} else if vr.Verified {
			res.fail(cq.ID, ReasonVPTokenInvalid, "a jwt_vc_json presentation must hold exactly one credential")
			return p, nil, nil
		}
	}
	p.Checks, p.Warnings = vr.Checks, vr.Warnings
	if vr.Format == verifier.FormatSDJWT {
		p.Issuer, p.Type = vr.Issuer, vr.Type
	}
	if !vr.Verified {
		// The specific reason: the failed check's, or for a vp+jwt whose
		// credential failed, the credential's.
		reason, check := vr.Reason(), failedCheck(vr)
		if reason == "credential_failed" || reason == "" {
			for _, c := range vr.Credentials {
				if c.Reason() != "" {
					reason, check = c.Reason(), failedCheck(c)
					break
				}
			}
		}
		if reason == "" {
			reason = ReasonPresentationFail
		}
		res.fail(cq.ID, reason, "the "+check+" check of the presentation failed")
		return p, nil, nil
	}
	// The kind of credential asked for.
	switch cq.Format {
	case FormatSDJWT:
		if !slices.Contains(cq.VCTValues, p.VCT) {
			res.fail(cq.ID, ReasonCredentialType, fmt.Sprintf("vct %q is not among %q", truncate(p.VCT), cq.VCTValues))
			return p, nil, nil
		}
	case FormatJWTVC:
		types := vr.Credentials[0].Credential.Types
		ok := false
		for _, alt := range cq.TypeValues {
			all := true
			for _, t := range alt {
				all = all && slices.Contains(types, t)
			}
			ok = ok || all
		}
		if !ok {
			res.fail(cq.ID, ReasonCredentialType, fmt.Sprintf("types %q match none of %q", types, cq.TypeValues))
			return p, nil, nil
		}
		if cq.RequireBinding {
			c := vr.Credentials[0].Credential
			if c.SubjectID() == "" || c.SubjectID() != vr.Holder {
				res.fail(cq.ID, ReasonHolderNotSubject, "the credential's subject is not the holder who signed the presentation")
				return p, nil, nil
			}
		}
	}
	paths, ok := satisfy(cq, claims, res)
	if !ok || !s.checkFace(ctx, r, fc, cq, vr, claims, p, res) {
		return p, nil, nil
	}
	p.Verified = true
	return p, claims, paths
}

// failedCheck names the first failed check of a result.
func failedCheck(r *verifier.Result) string {
	for _, c := range r.Checks {
		if c.Status == verifier.Failed {
			return c.Check
		}
	}
	return "credentials"
}

// satisfy checks the claims of cq against a presentation's claims: the
// first claim set (in the query's order of preference) whose claims are
// all present, with accepted values where values are given. It returns
// the paths of that set; on failure it records claim_missing (naming the
// claims of the first set that are not there) or claim_value_mismatch.
func satisfy(cq *CredentialQuery, claims map[string]any, res *Result) ([]Path, bool) {
	if cq.Claims == nil {
		return nil, true
	}
	// Claim sets as lists of indexes into cq.Claims.
	var sets [][]int
	if cq.ClaimSets == nil {
		all := make([]int, len(cq.Claims))
		for i := range all {
			all[i] = i
		}
		sets = [][]int{all}
	}
	for _, set := range cq.ClaimSets {
		var idx []int
		for _, id := range set {
			for i := range cq.Claims {
				if cq.Claims[i].ID == id {
					idx = append(idx, i)
				}
			}
		}
		sets = append(sets, idx)
	}
	var firstMissing, firstWrong []string
	for _, set := range sets {
		var missing, wrong []string
		paths := make([]Path, 0, len(set))
		for _, i := range set {
			cl := &cq.Claims[i]
			sel, ok := cl.Path.Select(claims)
			switch {
			case !ok:
				missing = append(missing, cl.Path.String())
			case cl.Values != nil && !matchesValues(sel, cl.Values):
				wrong = append(wrong, cl.Path.String())
			default:
				paths = append(paths, cl.Path)
			}
		}
		if len(missing) == 0 && len(wrong) == 0 {
			return paths, true
		}
		if firstMissing == nil && firstWrong == nil {
			firstMissing, firstWrong = missing, wrong
		}
	}
	if len(firstMissing) > 0 {
		res.fail(cq.ID, ReasonClaimMissing, "not disclosed: "+strings.Join(firstMissing, ", "))
	} else {
		res.fail(cq.ID, ReasonClaimValue, "value not accepted: "+strings.Join(firstWrong, ", "))
	}
	return nil, false
}

// technical are the claims that are not about the subject: never listed
// as discarded.
var technical = map[string]bool{
	"iss": true, "iat": true, "nbf": true, "exp": true, "vct": true, "vct#integrity": true, "cnf": true,
	"status": true, "aud": true, "jti": true,
	"@context": true, "type": true, "id": true, "issuer": true, "validFrom": true, "validUntil": true,
	"credentialStatus": true, "credentialSchema": true, "proof": true,
}

// keepOnly returns a copy of claims with only the values the paths
// select (nested as in claims), and the JSON pointers of what was left
// out: each member not asked for (the whole member), and array elements
// not selected.
func keepOnly(claims map[string]any, paths []Path) (map[string]any, []string) {
	kept := map[string]any{}
	for _, p := range paths {
		copyPath(claims, kept, p)
	}
	var discarded []string
	var walk func(v, k any, ptr string, top bool)
	walk = func(v, k any, ptr string, top bool) {
		switch x := v.(type) {
		case map[string]any:
			km, _ := k.(map[string]any)
			for name, e := range x {
				if top && technical[name] {
					continue
				}
				child := ptr + "/" + escapeToken(name)
				ke, has := km[name]
				if !has {
					discarded = append(discarded, child)
					continue
				}
				walk(e, ke, child, false)
			}
		case []any:
			ka, _ := k.([]any)
			for i, e := range x {
				child := ptr + "/" + strconv.Itoa(i)
				if i >= len(ka) || ka[i] == nil {
					discarded = append(discarded, child)
					continue
				}
				walk(e, ka[i], child, false)
			}
		}
	}
	walk(claims, kept, "", true)
	sort.Strings(discarded)
	return kept, discarded
}

func escapeToken(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// copyPath copies into dst the values path selects in src, with the
// objects and arrays that contain them (arrays keep the selected
// elements' positions only where a path names an index; with null, every
// element's selected part).
func copyPath(src any, dst map[string]any, p Path) {
	var rec func(s any, d any, rest Path) any
	rec = func(s any, d any, rest Path) any {
		if len(rest) == 0 {
			return s // the selected value, whole
		}
		switch c := rest[0].(type) {
		case string:
			sm, ok := s.(map[string]any)
			if !ok {
				return d
			}
			v, ok := sm[c]
			if !ok {
				return d
			}
			dm, _ := d.(map[string]any)
			if dm == nil {
				dm = map[string]any{}
			}
			dm[c] = rec(v, dm[c], rest[1:])
			return dm
		default:
			sa, ok := s.([]any)
			if !ok {
				return d
			}
			da, _ := d.([]any)
			if len(da) != len(sa) {
				da = make([]any, len(sa))
			}
			for i, e := range sa {
				if idx, isIdx := c.(int); isIdx && idx != i {
					continue
				}
				da[i] = rec(e, da[i], rest[1:])
			}
			return da
		}
	}
	rec(src, dst, p)
}

func truncate(s string) string {
	if len(s) > 80 {
		return s[:80] + "..."
	}
	return s
}
