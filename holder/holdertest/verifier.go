package holdertest

import (
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Verifier is a virtual OpenID4VP 1.0 verifier served by httptest on a
// loopback address, following the issue 3 contract: client_id
// decentralized_identifier:<did:web of the verifier>, signed request
// objects (typ oauth-authz-req+jwt) fetched by request_uri, direct_post
// responses with vp_token {<query id>: [<presentation>]} and state. It
// verifies what it receives with credential/sdjwt (key binding required,
// aud = client_id, the request's nonce) and credential/jose (vp+jwt), and
// records the claims it saw.
//
// Fields may be changed before Request is called.
type Verifier struct {
	Name     string
	Server   *httptest.Server
	DID      string
	ClientID string
	Key      crypto.Signer
	// DisplayName is client_metadata.client_name (untagged, #th, #en).
	DisplayName map[string]string
	Now         func() time.Time

	// Knobs for negative tests.
	Typ              string        // request object typ; "" oauth-authz-req+jwt
	Audience         string        // aud; "" https://self-issued.me/v2
	Lifetime         time.Duration // exp - iat; 0: 5 minutes (negative: expired)
	SigningKey       crypto.Signer // signs request objects instead of Key
	KeyID            string        // kid; "" DID#key-1
	ClientIDInObject string        // client_id inside the request object; "" ClientID
	Reject           bool          // answer every response with 400 invalid_request

	mu       sync.Mutex
	requests map[string]*VPRequest
	resolver *did.Resolver
}

// VPRequest is one presentation request and what came back.
type VPRequest struct {
	ID     string
	Nonce  string
	State  string
	Object string // the signed request object
	// Form is the response as posted (nil until answered).
	Form url.Values
	// Claims are, per credential query, the verified claims of each
	// presentation (SD-JWT: processed claims; vp+jwt: the credentials'
	// documents).
	Claims map[string][]map[string]any
	// Disclosed are, per credential query, the disclosed SD-JWT pointers.
	Disclosed map[string][]string
	// Err is why the response did not verify (nil if it did).
	Err error
}

// NewVerifier starts a virtual verifier; it stops when the test ends.
func NewVerifier(t testing.TB, name string) *Verifier {
	t.Helper()
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	v := &Verifier{
		Name: name, Key: key, Now: time.Now, requests: map[string]*VPRequest{},
		DisplayName: map[string]string{"": "Siam Employer Co., Ltd.", "th": "บริษัท สยามนายจ้าง จำกัด"},
		resolver:    &did.Resolver{HTTPLoopback: true},
	}
	v.Server = httptest.NewServer(http.HandlerFunc(v.serve))
	t.Cleanup(v.Server.Close)
	if v.DID, err = did.WebDID(v.Server.URL + "/verifiers/" + name); err != nil {
		t.Fatal(err)
	}
	v.ClientID = holder.PrefixDID + ":" + v.DID
	return v
}

// Request creates a presentation request for a DCQL query (JSON) and
// returns its openid4vp:// URI.
func (v *Verifier) Request(t testing.TB, dcql string, purpose map[string]string) (string, *VPRequest) {
	t.Helper()
	q, err := jsonx.ParseObject([]byte(dcql))
	if err != nil {
		t.Fatal(err)
	}
	r := &VPRequest{ID: randomString(), Nonce: randomString(), State: randomString()}
	now := v.Now()
	life := v.Lifetime
	if life == 0 {
		life = 5 * time.Minute
	}
	cm := map[string]any{"vp_formats_supported": map[string]any{"dc+sd-jwt": map[string]any{}, "jwt_vc_json": map[string]any{}}}
	for k, n := range v.DisplayName {
		if k == "" {
			cm["client_name"] = n
		} else {
			cm["client_name#"+k] = n
		}
	}
	clientID := v.ClientID
	if v.ClientIDInObject != "" {
		clientID = v.ClientIDInObject
	}
	aud := v.Audience
	if aud == "" {
		aud = holder.AudienceSelfIssued
	}
	claims := map[string]any{
		"client_id": clientID, "response_type": "vp_token", "response_mode": "direct_post",
		"response_uri": v.Server.URL + "/responses/" + r.ID, "nonce": r.Nonce, "state": r.State,
		"dcql_query": q, "client_metadata": cm, "aud": aud,
		"iat": now.Unix(), "exp": now.Add(life).Unix(),
	}
	if purpose != nil {
		claims["purpose"] = purpose
	}
	payload, _ := json.Marshal(claims)
	key, kid, typ := v.Key, v.KeyID, v.Typ
	if v.SigningKey != nil {
		key = v.SigningKey
	}
	if kid == "" {
		kid = v.DID + "#key-1"
	}
	if typ == "" {
		typ = holder.TypRequest
	}
	if r.Object, err = jws.Sign(key, jws.Header{Typ: typ, Kid: kid}, payload); err != nil {
		t.Fatal(err)
	}
	v.mu.Lock()
	v.requests[r.ID] = r
	v.mu.Unlock()
	return holder.RequestScheme + "://?client_id=" + url.QueryEscape(v.ClientID) +
		"&request_uri=" + url.QueryEscape(v.Server.URL+"/requests/"+r.ID), r
}

// Result returns the request (with the response once answered).
func (v *Verifier) Result(id string) *VPRequest {
	v.mu.Lock()
	defer v.mu.Unlock()
	r := *v.requests[id]
	return &r
}

func (v *Verifier) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodGet && p == "/verifiers/"+v.Name+"/did.json":
		writeJSON(w, 200, did.NewDocument(v.DID, v.Key.Public()))
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/requests/"):
		v.mu.Lock()
		req, ok := v.requests[strings.TrimPrefix(p, "/requests/")]
		v.mu.Unlock()
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/oauth-authz-req+jwt")
		w.Write([]byte(req.Object))
	case r.Method == http.MethodPost && strings.HasPrefix(p, "/responses/"):
		v.response(w, r, strings.TrimPrefix(p, "/responses/"))
	default:
		http.NotFound(w, r)
	}
}

func (v *Verifier) response(w http.ResponseWriter, r *http.Request, id string) {
	v.mu.Lock()
	req, ok := v.requests[id]
	v.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", err.Error())
		return
	}
	if r.PostForm.Get("error") != "" {
		// An error response (the holder declined): acknowledged.
		v.mu.Lock()
		req.Form = r.PostForm
		v.mu.Unlock()
		writeJSON(w, 200, map[string]any{})
		return
	}
	claims, disclosed, verr := v.check(r.Context(), req, r.PostForm)
	v.mu.Lock()
	req.Form, req.Claims, req.Disclosed, req.Err = r.PostForm, claims, disclosed, verr
	v.mu.Unlock()
	if v.Reject || verr != nil {
		msg := "rejected"
		if verr != nil {
			msg = verr.Error()
		}
		oauthError(w, 400, "invalid_request", msg)
		return
	}
	writeJSON(w, 200, map[string]any{"redirect_uri": v.Server.URL + "/done/" + id})
}

func (v *Verifier) check(ctx context.Context, req *VPRequest, form url.Values) (map[string][]map[string]any, map[string][]string, error) {
	if form.Get("state") != req.State {
		return nil, nil, fmt.Errorf("state mismatch")
	}
	var token map[string][]string
	if err := json.Unmarshal([]byte(form.Get("vp_token")), &token); err != nil {
		return nil, nil, fmt.Errorf("vp_token: %v", err)
	}
	algs := []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	claims := map[string][]map[string]any{}
	disclosed := map[string][]string{}
	for qid, list := range token {
		for _, pres := range list {
			if strings.Contains(pres, "~") {
				vr, err := sdjwt.Verify(ctx, pres, sdjwt.VerifyOptions{
					Algorithms: algs, Typ: sdjwt.TypVC, RequireKeyBinding: true,
					Audience: v.ClientID, Nonce: req.Nonce, Now: v.Now,
					IssuerKey: func(ctx context.Context, h jws.Header, c map[string]any) (crypto.PublicKey, error) {
						iss, _ := c["iss"].(string)
						if d, _, _ := strings.Cut(h.Kid, "#"); d != iss {
							return nil, fmt.Errorf("kid not of iss")
						}
						return v.resolver.ResolveKey(ctx, h.Kid, did.AssertionMethod)
					},
				})
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", qid, err)
				}
				claims[qid] = append(claims[qid], vr.Claims)
				disclosed[qid] = append(disclosed[qid], vr.Disclosed...)
				continue
			}
			sp, err := jose.ParsePresentation(pres)
			if err != nil {
				return nil, nil, fmt.Errorf("%s: %w", qid, err)
			}
			opts := jose.VerifyOptions{Algorithms: algs, Keys: v.resolver, Now: v.Now}
			if err := sp.VerifyProof(ctx, opts); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", qid, err)
			}
			if err := sp.CheckBinding(req.Nonce, v.ClientID, v.Now(), time.Minute); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", qid, err)
			}
			for _, e := range sp.Presentation.Credentials {
				if e.Enveloped == nil {
					return nil, nil, fmt.Errorf("%s: embedded credential", qid)
				}
				c, err := jose.VerifyCredential(ctx, e.Enveloped.Data, opts)
				if err != nil {
					return nil, nil, fmt.Errorf("%s: %w", qid, err)
				}
				claims[qid] = append(claims[qid], c.Map())
			}
		}
	}
	return claims, disclosed, nil
}
