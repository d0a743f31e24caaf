package holder

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// OpenID4VP 1.0 identifiers.
const (
	RequestScheme = "openid4vp"
	// TypRequest is the typ of a signed request object (RFC 9101).
	TypRequest = "oauth-authz-req+jwt"
	// AudienceSelfIssued is the aud of request objects sent to a wallet
	// discovered statically (OpenID4VP 1.0 section 5.8).
	AudienceSelfIssued = "https://self-issued.me/v2"
	// PrefixDID is the client_id prefix of verifiers identified by a DID,
	// whose request objects are signed by a key of that DID.
	PrefixDID = "decentralized_identifier"
	// ResponseModeDirectPost is the only response mode supported: the
	// wallet POSTs the response to response_uri.
	ResponseModeDirectPost = "direct_post"
	// MaxRequestAge bounds exp - now of a request object the wallet
	// accepts, so that an everlasting request cannot be replayed.
	maxRequestLifetime = 24 * time.Hour
)

// Request is a verified OpenID4VP authorization request: the request
// object was signed by a key of the verifier's DID, for this wallet
// (aud), and has not expired.
type Request struct {
	// Verifier is who asks: client_id, its DID, the name it gives itself.
	Verifier Verifier `json:"verifier"`
	// Purpose is why it asks (ThaiTrust extension "purpose"), by locale.
	Purpose     map[string]string `json:"purpose,omitempty"`
	ResponseURI string            `json:"response_uri"`
	Nonce       string            `json:"nonce"`
	State       string            `json:"state,omitempty"`
	Query       *Query            `json:"-"`
	IssuedAt    time.Time         `json:"issued_at,omitzero"`
	Expiry      time.Time         `json:"expiry"`
	// FaceBinding is the verifier's demand for face binding (ThaiTrust
	// extension, facebinding.go); nil when none.
	FaceBinding *FaceBinding `json:"face_binding,omitempty"`
	// Delegation asks the holder to act for someone else (ThaiTrust
	// extension, delegation.go); nil when not.
	Delegation *Delegation `json:"delegation,omitempty"`
}

// ResolveRequest parses an OpenID4VP request URI
// (openid4vp://?client_id=...&request_uri=...), fetches the request object
// (or takes it from "request"), and verifies it: only signed request
// objects of verifiers with a decentralized_identifier: client_id are
// accepted; the JWS typ must be oauth-authz-req+jwt, its kid a DID URL of
// that DID (resolved under authentication or assertionMethod), its
// client_id the URI's, its aud https://self-issued.me/v2, exp in the
// future; response_type vp_token, response_mode direct_post, a nonce and
// a DCQL query are required.
func (w *Wallet) ResolveRequest(ctx context.Context, requestURI string) (*Request, error) {
	u, err := url.Parse(strings.TrimSpace(requestURI))
	if err != nil || (u.Scheme != RequestScheme && u.Scheme != "https" && u.Scheme != "http") {
		return nil, fail(ReasonRequestInvalid, "not an %s:// URI", RequestScheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fail(ReasonRequestInvalid, "query: %v", err)
	}
	clientID := q.Get("client_id")
	if clientID == "" {
		return nil, fail(ReasonRequestInvalid, "client_id is missing")
	}
	prefix, verifierDID, ok := strings.Cut(clientID, ":")
	if !ok || prefix != PrefixDID {
		return nil, fail(ReasonClientIDScheme, "client_id %q: only verifiers identified as %s:<DID> are supported", truncate(clientID), PrefixDID)
	}
	if !strings.HasPrefix(verifierDID, "did:") {
		return nil, fail(ReasonRequestInvalid, "client_id %q does not hold a DID", truncate(clientID))
	}
	var token string
	switch {
	case q.Has("request") && q.Has("request_uri"):
		return nil, fail(ReasonRequestInvalid, "both request and request_uri")
	case q.Has("request"):
		token = q.Get("request")
	case q.Has("request_uri"):
		token, err = w.fetchRequestObject(ctx, q.Get("request_uri"), q.Get("request_uri_method"))
		if err != nil {
			return nil, err
		}
	default:
		return nil, fail(ReasonRequestUnsigned, "the request carries its parameters in the URI, unsigned; this wallet answers only signed request objects (request or request_uri)")
	}
	return w.verifyRequestObject(ctx, token, clientID, verifierDID)
}

func (w *Wallet) fetchRequestObject(ctx context.Context, rawURL, method string) (string, error) {
	var r *response
	var err error
	h := http.Header{"Accept": {"application/" + TypRequest}}
	switch method {
	case "", "get":
		r, err = w.fetch.do(ctx, http.MethodGet, rawURL, h, nil)
	case "post":
		h.Set("Content-Type", "application/x-www-form-urlencoded")
		r, err = w.fetch.do(ctx, http.MethodPost, rawURL, h, strings.NewReader(""))
	default:
		return "", fail(ReasonRequestInvalid, "request_uri_method %q", method)
	}
	if err != nil {
		return "", fmt.Errorf("holder: fetching the request object: %w", err)
	}
	if r.status != http.StatusOK {
		return "", fmt.Errorf("holder: fetching the request object: %w", httpStatusError(r, rawURL))
	}
	return strings.TrimSpace(string(r.body)), nil
}

func (w *Wallet) verifyRequestObject(ctx context.Context, token, clientID, verifierDID string) (*Request, error) {
	p, err := jws.Parse(token)
	if err != nil {
		return nil, fail(ReasonRequestInvalid, "request object: %v", err)
	}
	if !strings.EqualFold(strings.TrimPrefix(p.Header.Typ, "application/"), TypRequest) {
		return nil, fail(ReasonRequestInvalid, "request object typ %q, want %s", p.Header.Typ, TypRequest)
	}
	d, _, ok := strings.Cut(p.Header.Kid, "#")
	if !ok || d != verifierDID {
		return nil, fail(ReasonRequestSignature, "kid %q is not a key of %s", truncate(p.Header.Kid), truncate(verifierDID))
	}
	// Check the algorithm before resolving anything.
	if !slices.Contains(w.algs, p.Header.Alg) {
		return nil, fail(ReasonRequestSignature, "alg %q is not accepted", p.Header.Alg)
	}
	pub, err := w.resolver.ResolveKey(ctx, p.Header.Kid, did.Authentication)
	if errors.Is(err, did.ErrKeyNotAuthorized) {
		pub, err = w.resolver.ResolveKey(ctx, p.Header.Kid, did.AssertionMethod)
	}
	if err != nil {
		return nil, fail(ReasonRequestSignature, "resolving %s: %v", truncate(p.Header.Kid), err)
	}
	if err := p.Verify(pub, jws.VerifyOptions{Algorithms: w.algs}); err != nil {
		return nil, &Error{Reason: ReasonRequestSignature, Err: err}
	}
	m, err := jsonx.ParseObject(p.Payload)
	if err != nil {
		return nil, fail(ReasonRequestInvalid, "request object payload: %v", err)
	}
	if cid, _ := m["client_id"].(string); cid != clientID {
		return nil, fail(ReasonRequestInvalid, "the request object's client_id %q is not the URI's %q", truncate(cid), truncate(clientID))
	}
	if !audienceHas(m["aud"], AudienceSelfIssued) {
		return nil, fail(ReasonRequestAudience, "aud must be %s", AudienceSelfIssued)
	}
	now := w.now()
	req := &Request{Verifier: Verifier{ClientID: clientID, DID: verifierDID}}
	req.Expiry = numericTime(m["exp"])
	req.IssuedAt = numericTime(m["iat"])
	switch {
	case req.Expiry.IsZero():
		return nil, fail(ReasonRequestInvalid, "the request object has no exp")
	case !now.Add(-w.skew).Before(req.Expiry):
		return nil, fail(ReasonRequestExpired, "the request expired at %s", req.Expiry.Format(time.RFC3339))
	case req.Expiry.Sub(now) > maxRequestLifetime:
		return nil, fail(ReasonRequestInvalid, "exp is more than %s away", maxRequestLifetime)
	case !req.IssuedAt.IsZero() && req.IssuedAt.After(now.Add(w.skew)):
		return nil, fail(ReasonRequestExpired, "iat is in the future")
	}
	if rt, _ := m["response_type"].(string); rt != "vp_token" {
		return nil, fail(ReasonRequestInvalid, "response_type %q is not supported (only vp_token)", rt)
	}
	if rm, _ := m["response_mode"].(string); rm != ResponseModeDirectPost {
		return nil, fail(ReasonRequestInvalid, "response_mode %q is not supported (only %s)", rm, ResponseModeDirectPost)
	}
	req.ResponseURI, _ = m["response_uri"].(string)
	if _, err := checkURL(req.ResponseURI); err != nil {
		return nil, fail(ReasonRequestInvalid, "response_uri: %v", err)
	}
	req.Nonce, _ = m["nonce"].(string)
	if req.Nonce == "" {
		return nil, fail(ReasonRequestInvalid, "nonce is missing")
	}
	if s, ok := m["state"]; ok {
		if req.State, ok = s.(string); !ok {
			return nil, fail(ReasonRequestInvalid, "state is not a string")
		}
	}
	if _, ok := m["transaction_data"]; ok {
		return nil, fail(ReasonRequestInvalid, "transaction_data is not supported")
	}
	if _, ok := m["presentation_definition"]; ok {
		return nil, fail(ReasonRequestInvalid, "presentation_definition is not supported; send a dcql_query")
	}
	dq, ok := m["dcql_query"].(map[string]any)
	if !ok {
		return nil, fail(ReasonRequestInvalid, "dcql_query is missing")
	}
	if req.Query, err = QueryFromMap(dq); err != nil {
		return nil, err
	}
	if req.FaceBinding, err = parseFaceBinding(m, req.Query); err != nil {
		return nil, err
	}
	if req.Delegation, err = parseDelegation(m, req.Query); err != nil {
		return nil, err
	}
	if cm, ok := m["client_metadata"].(map[string]any); ok {
		req.Verifier.Name = localized(cm, "client_name")
	}
	switch pv := m["purpose"].(type) {
	case string:
		req.Purpose = map[string]string{"": pv}
	case map[string]any:
		req.Purpose = map[string]string{}
		for k, v := range pv {
			if s, ok := v.(string); ok {
				req.Purpose[k] = s
			}
		}
	}
	return req, nil
}

func audienceHas(aud any, want string) bool {
	switch a := aud.(type) {
	case string:
		return a == want
	case []any:
		for _, x := range a {
			if x == want {
				return true
			}
		}
	}
	return false
}

// localized reads member and its language-tagged forms (member#th,
// member#en) into a map by locale ("" for the untagged one).
func localized(m map[string]any, member string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		s, ok := v.(string)
		if !ok || s == "" {
			continue
		}
		if k == member {
			out[""] = s
		} else if loc, ok := strings.CutPrefix(k, member+"#"); ok {
			out[strings.ToLower(loc)] = s
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// Consent is what the holder is asked to approve: who asks, why, and
// exactly which claims of which credentials would leave the wallet.
// Prepare makes one; Respond sends what it describes; Decline refuses.
type Consent struct {
	Request *Request `json:"request"`
	// Items are the credentials that would be presented: one per answered
	// credential query, then those of optional credential sets (Include
	// false until the holder includes them).
	Items []*ConsentItem `json:"items"`

	face  map[string]faceAttestation // by query id, from BindFace (facebinding.go)
	chain []string                   // from AttachDelegationChain (delegation.go)
}

// ConsentItem is one credential of a Consent.
type ConsentItem struct {
	QueryID string `json:"query_id"`
	// Optional reports a credential of an optional credential set.
	Optional bool `json:"optional,omitempty"`
	// Include reports the credential is part of the response.
	Include bool `json:"include"`
	// Candidates are the credentials that could answer the query;
	// Chosen is the one described below.
	Candidates []Candidate `json:"candidates"`
	Chosen     int         `json:"chosen"`
	// Credential summarizes the chosen credential.
	Credential Summary `json:"credential"`
	// Disclosed are the selectively disclosable claims that would leave
	// the wallet, with their values.
	Disclosed []CardClaim `json:"disclosed"`
	// Visible are the claims that leave with any presentation of this
	// credential: always-visible claims of an SD-JWT VC (including the
	// issuer, type, validity, holder key and status entry), or every claim
	// of a jwt_vc_json credential.
	Visible []CardClaim `json:"visible"`
	// WholeCredential reports a format without selective disclosure: the
	// whole credential is sent.
	WholeCredential bool `json:"whole_credential,omitempty"`

	pointers []string // Present's pointers for the chosen credential
}

// Prepare matches the request's DCQL query against the wallet and
// describes, for the chosen credentials, exactly what would be disclosed.
// It returns a *NoMatchError (errors.Is ErrNoMatch) when a required
// credential query cannot be answered.
func (w *Wallet) Prepare(ctx context.Context, req *Request) (*Consent, error) {
	m := w.Match(req.Query)
	c := &Consent{Request: req}
	add := func(id string, optional bool) error {
		qm := m.Query(id)
		item := &ConsentItem{QueryID: id, Optional: optional, Include: !optional}
		// The index holds keyed hashes of values, not values: where the
		// query constrains values, the first candidate that passes on its
		// real claims comes first (Choose checks the others when chosen).
		cq := req.Query.credentialQuery(id)
		item.Candidates = qm.Candidates
		if cq.hasValues() {
			item.Candidates = nil
			for i, cand := range qm.Candidates {
				ok, err := w.recheck(ctx, cq, cand)
				if err != nil {
					return err
				}
				if ok {
					item.Candidates = qm.Candidates[i:]
					break
				}
			}
		}
		if len(item.Candidates) == 0 {
			if optional {
				return nil
			}
			return &NoMatchError{Queries: []string{id}}
		}
		if err := w.describe(ctx, item, 0); err != nil {
			return err
		}
		c.Items = append(c.Items, item)
		return nil
	}
	if !m.Satisfied() {
		return nil, &NoMatchError{Queries: m.Missing}
	}
	for _, id := range m.Answer {
		if err := add(id, false); err != nil {
			return nil, err
		}
	}
	for _, id := range m.Optional {
		if err := add(id, true); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (cq *CredentialQuery) hasValues() bool {
	for _, c := range cq.Claims {
		if c.Values != nil {
			return true
		}
	}
	return false
}

func (q *Query) credentialQuery(id string) *CredentialQuery {
	for i := range q.Credentials {
		if q.Credentials[i].ID == id {
			return &q.Credentials[i]
		}
	}
	return nil
}

// recheck evaluates the candidate's claims and values on the credential
// itself.
func (w *Wallet) recheck(ctx context.Context, cq *CredentialQuery, cand Candidate) (bool, error) {
	c, err := w.store.GetCredential(ctx, cand.CredentialID)
	if err != nil {
		return false, err
	}
	p, err := parseRaw(c)
	if err != nil {
		return false, err
	}
	for _, path := range cand.Claims {
		sel, ok := path.Select(p.claims)
		if !ok {
			return false, nil
		}
		for _, cl := range cq.Claims {
			if cl.Path.String() == path.String() && cl.Values != nil && !matchesValues(sel, cl.Values) {
				return false, nil
			}
		}
	}
	return true, nil
}

// Choose makes credentialID the credential presented for queryID; it must
// be one of the item's candidates.
func (w *Wallet) Choose(ctx context.Context, c *Consent, queryID, credentialID string) error {
	for _, it := range c.Items {
		if it.QueryID != queryID {
			continue
		}
		for i, cand := range it.Candidates {
			if cand.CredentialID == credentialID || cand.Card == credentialID {
				if cq := c.Request.Query.credentialQuery(queryID); cq != nil && cq.hasValues() {
					if ok, err := w.recheck(ctx, cq, cand); err != nil || !ok {
						return fmt.Errorf("%w: credential %q does not satisfy %q", ErrNotFound, credentialID, queryID)
					}
				}
				return w.describe(ctx, it, i)
			}
		}
		return fmt.Errorf("%w: credential %q is not a candidate for %q", ErrNotFound, credentialID, queryID)
	}
	return fmt.Errorf("%w: no credential query %q in this request", ErrNotFound, queryID)
}

// describe computes what presenting candidate i of item would disclose.
func (w *Wallet) describe(ctx context.Context, item *ConsentItem, i int) error {
	cand := item.Candidates[i]
	c, err := w.store.GetCredential(ctx, cand.CredentialID)
	if err != nil {
		return err
	}
	p, err := parseRaw(c)
	if err != nil {
		return err
	}
	item.Chosen = i
	item.Credential = w.summary(cand.CredentialID)
	item.pointers = make([]string, len(cand.Claims))
	for j, cp := range cand.Claims {
		item.pointers[j] = cp.Pointer()
	}
	switch c.Format {
	case FormatSDJWT:
		// Build the presentation (without key binding) and read back what
		// it reveals: exactly what the verifier will see.
		pres, err := p.sd.Present(item.pointers, nil)
		if err != nil {
			return fmt.Errorf("holder: %w", err)
		}
		ps, err := sdjwt.Parse(pres)
		if err != nil {
			return fmt.Errorf("holder: %w", err)
		}
		disc := map[string]bool{}
		for _, d := range ps.Disclosures {
			disc[d.Path] = true
		}
		all := cardClaims(FormatSDJWT, ps.Claims(), disc, c.Display.Claims)
		item.Disclosed, item.Visible = nil, technical(ps.Claims())
		for _, cc := range all {
			if cc.Disclosable {
				item.Disclosed = append(item.Disclosed, cc)
			} else {
				item.Visible = append(item.Visible, cc)
			}
		}
		item.WholeCredential = false
	case FormatJWTVC:
		item.Disclosed = nil
		item.Visible = cardClaims(FormatJWTVC, p.claims, nil, c.Display.Claims)
		for k := range item.Visible {
			item.Visible[k].Path = "/credentialSubject" + item.Visible[k].Path
		}
		item.Visible = append(technical(p.claims), item.Visible...)
		item.WholeCredential = true
	}
	return nil
}

// technicalLabels name the members of a credential that are not claims
// about the subject but leave the wallet with it.
var technicalLabels = map[string][2]string{
	"iss":              {"ผู้ออก", "issuer"},
	"issuer":           {"ผู้ออก", "issuer"},
	"vct":              {"ประเภทเอกสาร", "credential type"},
	"type":             {"ประเภทเอกสาร", "credential type"},
	"iat":              {"วันที่ออก", "issued at"},
	"nbf":              {"ใช้ได้ตั้งแต่", "valid from"},
	"exp":              {"หมดอายุ", "expires"},
	"validFrom":        {"ใช้ได้ตั้งแต่", "valid from"},
	"validUntil":       {"หมดอายุ", "valid until"},
	"cnf":              {"กุญแจสาธารณะของผู้ถือ", "holder public key"},
	"status":           {"ตำแหน่งในรายการสถานะ", "status list entry"},
	"credentialStatus": {"ตำแหน่งในรายการสถานะ", "status list entry"},
	"id":               {"รหัสเอกสาร", "credential id"},
	"evidence":         {"หลักฐานการพิสูจน์ตัวตน", "identity proofing evidence"},
	"credentialSchema": {"แบบข้อมูล", "schema"},
}

func technical(claims map[string]any) []CardClaim {
	var out []CardClaim
	keys := make([]string, 0, len(technicalLabels))
	for k := range technicalLabels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, ok := claims[k]
		if !ok {
			continue
		}
		l := technicalLabels[k]
		out = append(out, CardClaim{Path: "/" + k, Label: map[string]string{"th": l[0], "en": l[1]}, Value: v})
	}
	return out
}

func (w *Wallet) summary(credentialID string) Summary {
	w.mu.RLock()
	e, ok := w.idx.entries[credentialID]
	w.mu.RUnlock()
	if !ok {
		return Summary{ID: credentialID, Credentials: []string{credentialID}}
	}
	return Summary{
		ID: e.cardID(), Credentials: []string{e.id}, Format: e.format, Type: e.typeName, VCT: e.vct,
		Types: e.types, Title: e.title, Issuer: e.issuer, IssuerName: e.issuerName,
		IssuedAt: e.issuedAt, ValidUntil: e.validUntil, ReceivedAt: e.receivedAt, Presented: e.uses,
	}
}

// Response is the verifier's answer to a presentation.
type Response struct {
	// RedirectURI is where the verifier asks the holder's browser to go
	// next ("" when it gives none).
	RedirectURI string `json:"redirect_uri,omitempty"`
	// Log is the disclosure log entry of the presentation.
	Log *LogEntry `json:"log"`
}

// Respond presents what c describes (the items included): for dc+sd-jwt
// the SD-JWT with exactly the disclosures shown and a KB-JWT (aud =
// client_id, nonce = the request's nonce) signed by the credential's
// holder key; for jwt_vc_json a vp+jwt enveloping the credential, with
// the same aud and nonce, signed by the holder key. It logs the
// disclosure (before sending, then with the outcome), and POSTs vp_token
// and state to response_uri (direct_post). Calling Respond is the
// holder's approval: call it only after showing c.
func (w *Wallet) Respond(ctx context.Context, c *Consent) (*Response, error) {
	req := c.Request
	if !w.now().Add(-w.skew).Before(req.Expiry) {
		return nil, fail(ReasonRequestExpired, "the request expired at %s", req.Expiry.Format(time.RFC3339))
	}
	if err := c.checkFaceBinding(); err != nil {
		return nil, err
	}
	vp := map[string][]string{}
	entry := w.logEntry(c, OutcomePending)
	for _, it := range c.Items {
		if !it.Include {
			continue
		}
		pres, err := w.present(ctx, it, req)
		if err != nil {
			return nil, err
		}
		vp[it.QueryID] = append(vp[it.QueryID], pres)
	}
	if len(vp) == 0 {
		return nil, errors.New("holder: nothing to present")
	}
	token, err := json.Marshal(vp)
	if err != nil {
		return nil, err
	}
	if err := w.store.PutLog(ctx, entry); err != nil {
		return nil, err
	}
	w.countUses(entry)
	form := url.Values{"vp_token": {string(token)}}
	if req.State != "" {
		form.Set("state", req.State)
	}
	if err := c.addFaceAttestations(form); err != nil {
		return nil, err
	}
	if err := c.addDelegationChain(form); err != nil {
		return nil, err
	}
	redirect, sendErr := w.post(ctx, req.ResponseURI, form)
	if sendErr != nil {
		entry.Outcome, entry.Error = OutcomeFailed, sendErr.Error()
	} else {
		entry.Outcome = OutcomeSent
	}
	if err := w.store.PutLog(context.WithoutCancel(ctx), entry); err != nil && sendErr == nil {
		sendErr = err
	}
	if sendErr != nil {
		return &Response{Log: entry}, sendErr
	}
	return &Response{RedirectURI: redirect, Log: entry}, nil
}

// Decline tells the verifier the holder refused (error access_denied)
// and logs the refusal; nothing is disclosed.
func (w *Wallet) Decline(ctx context.Context, c *Consent) error {
	entry := w.logEntry(c, OutcomeDeclined)
	if err := w.store.PutLog(ctx, entry); err != nil {
		return err
	}
	form := url.Values{"error": {"access_denied"}, "error_description": {"the holder declined"}}
	if c.Request.State != "" {
		form.Set("state", c.Request.State)
	}
	_, err := w.post(ctx, c.Request.ResponseURI, form)
	return err
}

func (w *Wallet) logEntry(c *Consent, outcome string) *LogEntry {
	e := &LogEntry{
		ID: newID(), Time: w.now().UTC(), Verifier: c.Request.Verifier,
		Purpose: c.Request.Purpose, Outcome: outcome,
	}
	for _, it := range c.Items {
		if !it.Include {
			continue
		}
		lc := LoggedCredential{
			CredentialID: it.Candidates[it.Chosen].CredentialID, QueryID: it.QueryID,
			Type: it.Credential.Type, Title: it.Credential.Title, Issuer: it.Credential.Issuer,
			Format: it.Credential.Format,
		}
		for _, cc := range it.Disclosed {
			lc.Disclosed = append(lc.Disclosed, cc.Path)
		}
		for _, cc := range it.Visible {
			lc.Visible = append(lc.Visible, cc.Path)
		}
		lc.FaceAttestation = outcome != OutcomeDeclined && c.faceAttested(it)
		e.Credentials = append(e.Credentials, lc)
	}
	return e
}

func (w *Wallet) countUses(e *LogEntry) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, lc := range e.Credentials {
		if en, ok := w.idx.entries[lc.CredentialID]; ok {
			en.uses++
		}
	}
}

func (w *Wallet) post(ctx context.Context, responseURI string, form url.Values) (redirect string, err error) {
	r, err := w.fetch.do(ctx, http.MethodPost, responseURI, http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"},
	}, strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	if r.status != http.StatusOK {
		err := httpStatusError(r, responseURI)
		return "", &Error{Reason: ReasonResponseRejected, Err: errors.Unwrap(err)}
	}
	if m, err := jsonx.ParseObject(r.body); err == nil {
		redirect, _ = m["redirect_uri"].(string)
	}
	return redirect, nil
}

// present makes one presentation of the chosen credential of it.
func (w *Wallet) present(ctx context.Context, it *ConsentItem, req *Request) (string, error) {
	cred, err := w.store.GetCredential(ctx, it.Candidates[it.Chosen].CredentialID)
	if err != nil {
		return "", err
	}
	key, err := w.store.GetKey(ctx, cred.KeyID)
	if err != nil {
		return "", fmt.Errorf("holder: the holder key of credential %s: %w", cred.ID, err)
	}
	signer, err := key.Signer()
	if err != nil {
		return "", err
	}
	p, err := parseRaw(cred)
	if err != nil {
		return "", err
	}
	now := w.now()
	switch cred.Format {
	case FormatSDJWT:
		return p.sd.Present(it.pointers, &sdjwt.KeyBinding{
			Signer: signer, Audience: req.Verifier.ClientID, Nonce: req.Nonce, IssuedAt: now,
		})
	case FormatJWTVC:
		holderDID, kid, err := holderIdentity(signer.Public(), p.jwt.Credential.SubjectID())
		if err != nil {
			return "", err
		}
		alg, err := signing.AlgorithmFor(signer.Public())
		if err != nil {
			return "", err
		}
		doc := map[string]any{
			"@context":             []any{credential.ContextV2},
			"type":                 []any{credential.TypePresentation},
			"holder":               holderDID,
			"verifiableCredential": []any{credential.Envelope(jose.MediaTypeCredential, cred.Raw)},
		}
		return jose.SecurePresentation(doc, jose.Signer{Key: signer, Algorithm: alg, KeyID: kid}, jose.PresentationClaims{
			Nonce: req.Nonce, Audience: req.Verifier.ClientID, IssuedAt: now, Expiry: now.Add(10 * time.Minute),
		})
	}
	return "", fmt.Errorf("holder: unsupported format %q", cred.Format)
}

// holderIdentity is the DID a vp+jwt names as holder, and the kid it is
// signed with: the credential subject's did:key or did:jwk when it is the
// holder key's, else the holder key's did:jwk.
func holderIdentity(pub crypto.PublicKey, subject string) (holderDID, kid string, err error) {
	if strings.HasPrefix(subject, "did:key:") {
		if k, err := did.KeyDID(pub); err == nil && k == subject {
			mb, _ := strings.CutPrefix(k, "did:key:")
			return k, k + "#" + mb, nil
		}
	}
	d, err := did.JWKDID(pub)
	if err != nil {
		return "", "", err
	}
	return d, d + "#0", nil
}
