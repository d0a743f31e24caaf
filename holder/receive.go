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
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// OpenID4VCI 1.0 identifiers.
const (
	OfferScheme        = "openid-credential-offer"
	GrantPreAuthorized = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
	TypProof           = "openid4vci-proof+jwt"
	// VCTBase prefixes the vct of the catalogue's types (the issue 3
	// contract): VCTBase + "DegreeCredential".
	VCTBase = "https://thaitrust.example/vct/"
)

// Offer is a credential offer the wallet has resolved: the offer itself
// and the issuer's metadata for what it offers. Nothing has been issued
// yet; Accept asks for the credentials.
type Offer struct {
	// CredentialIssuer is the credential issuer identifier (an https URL).
	CredentialIssuer string `json:"credential_issuer"`
	// IssuerName is the issuer's display name by locale.
	IssuerName map[string]string `json:"issuer_name,omitempty"`
	// Credentials are the offered credential configurations.
	Credentials []OfferedCredential `json:"credentials"`
	// TxCode describes the transaction code the person must enter (sent to
	// them separately by the issuer); nil when none is needed.
	TxCode *TxCode `json:"tx_code,omitempty"`
	// BatchSize is the most credentials the issuer issues per request
	// (1 when it does not do batch issuance).
	BatchSize int `json:"batch_size"`

	preAuthCode string
	asID        string
	meta        *issuerMetadata
}

// OfferedCredential is one offered credential configuration.
type OfferedCredential struct {
	ConfigurationID string            `json:"configuration_id"`
	Format          string            `json:"format"`
	VCT             string            `json:"vct,omitempty"`
	Types           []string          `json:"types,omitempty"`
	Type            string            `json:"type,omitempty"` // catalogue type, when known
	Title           map[string]string `json:"title,omitempty"`
}

// TxCode is the tx_code object of a pre-authorized code grant.
type TxCode struct {
	InputMode   string `json:"input_mode"` // "numeric" or "text"
	Length      int    `json:"length,omitempty"`
	Description string `json:"description,omitempty"`
}

// ReceiveOptions tune Accept and Receive. The zero value receives one
// credential of every offered configuration.
type ReceiveOptions struct {
	// TxCode is the transaction code, when the offer asks for one.
	TxCode string
	// Batch is how many copies of each credential to ask for, each bound
	// to its own fresh key (presented once each, for unlinkability). Zero
	// means 1; it is capped at the issuer's batch size.
	Batch int
	// Configurations limits which offered configurations to receive; nil
	// means all.
	Configurations []string
}

// Receive resolves a credential offer URI and accepts it.
func (w *Wallet) Receive(ctx context.Context, offerURI string, opts ReceiveOptions) ([]*Credential, error) {
	o, err := w.ResolveOffer(ctx, offerURI)
	if err != nil {
		return nil, err
	}
	return w.Accept(ctx, o, opts)
}

// ResolveOffer parses a credential offer URI (openid-credential-offer://
// with credential_offer by value or credential_offer_uri by reference),
// fetches the offer if by reference and the credential issuer's metadata,
// and checks they agree. Only the pre-authorized code flow is supported.
func (w *Wallet) ResolveOffer(ctx context.Context, offerURI string) (*Offer, error) {
	raw, err := w.offerObject(ctx, offerURI)
	if err != nil {
		return nil, err
	}
	o := &Offer{}
	o.CredentialIssuer, _ = raw["credential_issuer"].(string)
	if _, err := checkURL(o.CredentialIssuer); err != nil {
		return nil, fail(ReasonOfferInvalid, "credential_issuer: %v", err)
	}
	ids, err := stringArray(raw["credential_configuration_ids"])
	if err != nil {
		return nil, fail(ReasonOfferInvalid, "credential_configuration_ids %v", err)
	}
	grants, _ := raw["grants"].(map[string]any)
	g, ok := grants[GrantPreAuthorized].(map[string]any)
	if !ok {
		return nil, fail(ReasonOfferInvalid, "the offer has no pre-authorized code grant; this wallet supports only the pre-authorized code flow")
	}
	o.preAuthCode, _ = g["pre-authorized_code"].(string)
	if o.preAuthCode == "" {
		return nil, fail(ReasonOfferInvalid, "pre-authorized_code is missing")
	}
	if tc, ok := g["tx_code"]; ok {
		m, ok := tc.(map[string]any)
		if !ok {
			return nil, fail(ReasonOfferInvalid, "tx_code is not an object")
		}
		t := &TxCode{InputMode: "numeric"}
		if s, ok := m["input_mode"].(string); ok {
			t.InputMode = s
		}
		if n, ok := m["length"].(json.Number); ok {
			l, _ := n.Int64()
			t.Length = int(l)
		}
		t.Description, _ = m["description"].(string)
		o.TxCode = t
	}
	o.asID, _ = g["authorization_server"].(string)

	meta, err := w.issuerMetadata(ctx, o.CredentialIssuer)
	if err != nil {
		return nil, err
	}
	o.meta = meta
	o.IssuerName = meta.name
	o.BatchSize = max(1, meta.batchSize)
	if o.asID != "" && !slices.Contains(meta.authServers, o.asID) {
		return nil, fail(ReasonOfferInvalid, "authorization_server %q is not one of the issuer's", o.asID)
	}
	for _, id := range ids {
		cfg, ok := meta.configs[id]
		if !ok {
			return nil, fail(ReasonOfferInvalid, "the issuer's metadata has no credential configuration %q", id)
		}
		o.Credentials = append(o.Credentials, OfferedCredential{
			ConfigurationID: id, Format: cfg.format, VCT: cfg.vct, Types: cfg.types,
			Type: cfg.typeName, Title: cfg.display.Name,
		})
	}
	return o, nil
}

// offerObject returns the credential offer JSON object of a URI.
func (w *Wallet) offerObject(ctx context.Context, offerURI string) (map[string]any, error) {
	u, err := url.Parse(strings.TrimSpace(offerURI))
	if err != nil || (u.Scheme != OfferScheme && u.Scheme != "https" && u.Scheme != "http") {
		return nil, fail(ReasonOfferInvalid, "not an %s:// URI", OfferScheme)
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return nil, fail(ReasonOfferInvalid, "query: %v", err)
	}
	byValue, byRef := q["credential_offer"], q["credential_offer_uri"]
	switch {
	case len(byValue)+len(byRef) != 1:
		return nil, fail(ReasonOfferInvalid, "the URI must carry exactly one credential_offer or credential_offer_uri")
	case len(byValue) == 1:
		m, err := jsonx.ParseObject([]byte(byValue[0]))
		if err != nil {
			return nil, fail(ReasonOfferInvalid, "credential_offer: %v", err)
		}
		return m, nil
	}
	m, err := w.fetch.getJSON(ctx, byRef[0])
	if err != nil {
		return nil, fmt.Errorf("holder: fetching the credential offer: %w", err)
	}
	return m, nil
}

// issuerMetadata is what the wallet uses of credential issuer metadata
// (OpenID4VCI 1.0 section 12.2).
type issuerMetadata struct {
	id            string
	credentialURL string
	nonceURL      string
	authServers   []string
	batchSize     int
	name          map[string]string
	configs       map[string]*credentialConfig
}

type credentialConfig struct {
	id        string
	format    string
	vct       string
	types     []string
	typeName  string
	proofAlgs []string // nil: no proof type advertised
	display   Display
}

// wellKnown inserts a well-known suffix between the origin and the path
// of id (RFC 8615 as OpenID4VCI section 12.2.2 and RFC 8414 use it).
func wellKnown(id, suffix string) string {
	u, _ := url.Parse(id)
	path := strings.TrimSuffix(u.EscapedPath(), "/")
	return u.Scheme + "://" + u.Host + "/.well-known/" + suffix + path
}

func (w *Wallet) getWellKnown(ctx context.Context, id, suffix string) (map[string]any, error) {
	m, err := w.fetch.getJSON(ctx, wellKnown(id, suffix))
	if err == nil {
		return m, nil
	}
	u, _ := url.Parse(id)
	if strings.Trim(u.Path, "/") == "" {
		return nil, err
	}
	m, err2 := w.fetch.getJSON(ctx, strings.TrimSuffix(id, "/")+"/.well-known/"+suffix)
	if err2 != nil {
		return nil, err
	}
	return m, nil
}

func (w *Wallet) issuerMetadata(ctx context.Context, issuerID string) (*issuerMetadata, error) {
	m, err := w.getWellKnown(ctx, issuerID, "openid-credential-issuer")
	if err != nil {
		return nil, fmt.Errorf("holder: credential issuer metadata: %w", err)
	}
	md := &issuerMetadata{configs: map[string]*credentialConfig{}}
	md.id, _ = m["credential_issuer"].(string)
	if md.id != issuerID {
		return nil, fail(ReasonMetadataInvalid, "credential_issuer %q is not the offer's %q", md.id, issuerID)
	}
	md.credentialURL, _ = m["credential_endpoint"].(string)
	if _, err := checkURL(md.credentialURL); err != nil {
		return nil, fail(ReasonMetadataInvalid, "credential_endpoint: %v", err)
	}
	if s, ok := m["nonce_endpoint"].(string); ok {
		if _, err := checkURL(s); err != nil {
			return nil, fail(ReasonMetadataInvalid, "nonce_endpoint: %v", err)
		}
		md.nonceURL = s
	}
	if v, ok := m["authorization_servers"]; ok {
		if md.authServers, err = stringArray(v); err != nil {
			return nil, fail(ReasonMetadataInvalid, "authorization_servers %v", err)
		}
	}
	if b, ok := m["batch_credential_issuance"].(map[string]any); ok {
		if n, ok := b["batch_size"].(json.Number); ok {
			v, _ := n.Int64()
			md.batchSize = int(min(max(v, 1), 100))
		}
	}
	md.name = displayNames(m["display"], "name")
	cfgs, ok := m["credential_configurations_supported"].(map[string]any)
	if !ok {
		return nil, fail(ReasonMetadataInvalid, "credential_configurations_supported is missing")
	}
	for id, x := range cfgs {
		cm, ok := x.(map[string]any)
		if !ok {
			continue
		}
		cfg := &credentialConfig{id: id}
		cfg.format, _ = cm["format"].(string)
		switch cfg.format {
		case FormatSDJWT:
			cfg.vct, _ = cm["vct"].(string)
			cfg.typeName = typeForVCT(cfg.vct)
		case FormatJWTVC:
			if cd, ok := cm["credential_definition"].(map[string]any); ok {
				cfg.types, _ = stringArray(cd["type"])
			}
			for _, t := range cfg.types {
				if schemas.Has(t) {
					cfg.typeName = t
				}
			}
		default:
			continue // a format this wallet cannot hold
		}
		if pt, ok := cm["proof_types_supported"].(map[string]any); ok {
			if jwt, ok := pt["jwt"].(map[string]any); ok {
				cfg.proofAlgs, _ = stringArray(jwt["proof_signing_alg_values_supported"])
			}
			if cfg.proofAlgs == nil {
				cfg.proofAlgs = []string{} // proofs, but not of type jwt
			}
		}
		// OpenID4VCI 1.0 puts display and claims under credential_metadata;
		// earlier drafts put them next to format.
		meta := cm
		if x, ok := cm["credential_metadata"].(map[string]any); ok {
			meta = x
		}
		cfg.display = Display{
			Name:        displayNames(meta["display"], "name"),
			Description: displayNames(meta["display"], "description"),
			Claims:      claimDisplays(meta["claims"]),
		}
		md.configs[id] = cfg
	}
	if len(md.authServers) == 0 {
		md.authServers = []string{md.id}
	}
	return md, nil
}

// typeForVCT returns the catalogue type of a ThaiTrust vct, or "".
func typeForVCT(vct string) string {
	name, ok := strings.CutPrefix(vct, VCTBase)
	if ok && schemas.Has(name) {
		return name
	}
	return ""
}

// displayNames reads [{"locale": "th", "<member>": "..."}] (also "lang")
// into a map by locale; an entry without a locale is stored under "".
func displayNames(x any, member string) map[string]string {
	arr, ok := x.([]any)
	if !ok {
		return nil
	}
	out := map[string]string{}
	for _, a := range arr {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		loc, _ := m["locale"].(string)
		if loc == "" {
			loc, _ = m["lang"].(string)
		}
		loc = strings.ToLower(strings.SplitN(loc, "-", 2)[0])
		if s, ok := m[member].(string); ok && s != "" {
			if _, dup := out[loc]; !dup {
				out[loc] = s
			}
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// claimDisplays reads claim descriptions ([{"path": [...], "display":
// [{"locale", "name"|"label"}]}]) into labels by JSON pointer.
func claimDisplays(x any) []ClaimDisplay {
	arr, ok := x.([]any)
	if !ok {
		return nil
	}
	var out []ClaimDisplay
	for _, a := range arr {
		m, ok := a.(map[string]any)
		if !ok {
			continue
		}
		p, err := ParseClaimPath(m["path"])
		if err != nil {
			continue
		}
		l := displayNames(m["display"], "label")
		if l == nil {
			l = displayNames(m["display"], "name")
		}
		if l == nil {
			continue
		}
		out = append(out, ClaimDisplay{Path: p.Pointer(), Label: l})
	}
	return out
}

// Accept asks the issuer for the offered credentials (pre-authorized code
// flow): token request (with the transaction code when the offer asks for
// one), then for each configuration a fresh nonce and a credential request
// with one proof JWT per new holder key. Every credential received is
// verified (issuer signature via the DID of its iss, type, validity, and
// that it is bound to a key the wallet sent) before it is stored.
func (w *Wallet) Accept(ctx context.Context, o *Offer, opts ReceiveOptions) ([]*Credential, error) {
	if o.TxCode != nil && opts.TxCode == "" {
		return nil, ErrTxCodeRequired
	}
	n := max(opts.Batch, 1)
	n = min(n, o.BatchSize)
	var todo []*credentialConfig
	for _, oc := range o.Credentials {
		if opts.Configurations == nil || slices.Contains(opts.Configurations, oc.ConfigurationID) {
			todo = append(todo, o.meta.configs[oc.ConfigurationID])
		}
	}
	if len(todo) == 0 {
		return nil, fail(ReasonOfferInvalid, "none of the requested configurations is offered")
	}
	token, tokenNonce, err := w.token(ctx, o, opts.TxCode)
	if err != nil {
		return nil, err
	}
	var out []*Credential
	for _, cfg := range todo {
		cs, err := w.requestCredentials(ctx, o, cfg, token, tokenNonce, n)
		if err != nil {
			return out, err
		}
		tokenNonce = ""
		out = append(out, cs...)
	}
	return out, nil
}

// token redeems the pre-authorized code.
func (w *Wallet) token(ctx context.Context, o *Offer, txCode string) (token, cNonce string, err error) {
	asID := o.asID
	if asID == "" {
		asID = o.meta.authServers[0]
	}
	m, err := w.getWellKnown(ctx, asID, "oauth-authorization-server")
	if err != nil {
		return "", "", fmt.Errorf("holder: authorization server metadata: %w", err)
	}
	if iss, _ := m["issuer"].(string); iss != asID {
		return "", "", fail(ReasonMetadataInvalid, "authorization server issuer %q is not %q", iss, asID)
	}
	tokenURL, _ := m["token_endpoint"].(string)
	if _, err := checkURL(tokenURL); err != nil {
		return "", "", fail(ReasonMetadataInvalid, "token_endpoint: %v", err)
	}
	form := url.Values{"grant_type": {GrantPreAuthorized}, "pre-authorized_code": {o.preAuthCode}}
	if o.TxCode != nil {
		form.Set("tx_code", txCode)
	}
	r, err := w.fetch.do(ctx, http.MethodPost, tokenURL, http.Header{
		"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"},
	}, strings.NewReader(form.Encode()))
	if err != nil {
		return "", "", fmt.Errorf("holder: token request: %w", err)
	}
	if r.status != http.StatusOK {
		return "", "", fmt.Errorf("holder: token request: %w", httpStatusError(r, tokenURL))
	}
	tm, err := r.jsonObject(tokenURL)
	if err != nil {
		return "", "", err
	}
	token, _ = tm["access_token"].(string)
	if token == "" {
		return "", "", fail(ReasonIssuerError, "token response without access_token")
	}
	if tt, _ := tm["token_type"].(string); !strings.EqualFold(tt, "bearer") {
		return "", "", fail(ReasonIssuerError, "token_type %q is not supported (only Bearer)", tt)
	}
	cNonce, _ = tm["c_nonce"].(string)
	return token, cNonce, nil
}

func (w *Wallet) nonce(ctx context.Context, md *issuerMetadata) (string, error) {
	if md.nonceURL == "" {
		return "", nil
	}
	r, err := w.fetch.do(ctx, http.MethodPost, md.nonceURL, http.Header{"Accept": {"application/json"}}, nil)
	if err != nil {
		return "", fmt.Errorf("holder: nonce request: %w", err)
	}
	if r.status != http.StatusOK {
		return "", fmt.Errorf("holder: nonce request: %w", httpStatusError(r, md.nonceURL))
	}
	m, err := r.jsonObject(md.nonceURL)
	if err != nil {
		return "", err
	}
	n, _ := m["c_nonce"].(string)
	if n == "" {
		return "", fail(ReasonIssuerError, "nonce response without c_nonce")
	}
	return n, nil
}

// proofAlgorithm picks the algorithm of new holder keys for cfg.
func (w *Wallet) proofAlgorithm(cfg *credentialConfig) (signing.Algorithm, error) {
	prefs := []signing.Algorithm{signing.EdDSA, signing.ES256, signing.ES384}
	if w.keyAlg != "" {
		prefs = append([]signing.Algorithm{w.keyAlg}, prefs...)
	}
	if cfg.proofAlgs == nil {
		return prefs[0], nil
	}
	for _, a := range prefs {
		if slices.Contains(cfg.proofAlgs, string(a)) {
			return a, nil
		}
	}
	return "", fail(ReasonMetadataInvalid, "configuration %s accepts no proof algorithm this wallet has (%q)", cfg.id, cfg.proofAlgs)
}

type heldKey struct {
	key    *Key
	signer crypto.Signer
	thumb  string
	used   bool
}

func (w *Wallet) requestCredentials(ctx context.Context, o *Offer, cfg *credentialConfig, token, cNonce string, n int) ([]*Credential, error) {
	alg, err := w.proofAlgorithm(cfg)
	if err != nil {
		return nil, err
	}
	keys := make([]*heldKey, n)
	for i := range keys {
		s, err := signing.GenerateKey(alg)
		if err != nil {
			return nil, err
		}
		j, err := signing.PrivateJWK(s)
		if err != nil {
			return nil, err
		}
		tp, err := signing.Thumbprint(s.Public())
		if err != nil {
			return nil, err
		}
		keys[i] = &heldKey{key: &Key{ID: newID(), JWK: j, Created: w.now()}, signer: s, thumb: tp}
	}
	// The keys are stored before they are used, so that a credential the
	// issuer sends is never bound to a key the wallet no longer has.
	for _, k := range keys {
		if err := w.store.PutKey(ctx, k.key); err != nil {
			return nil, err
		}
	}
	cleanup := func() {
		for _, k := range keys {
			if !k.used {
				_ = w.store.DeleteKey(context.WithoutCancel(ctx), k.key.ID)
			}
		}
	}
	defer cleanup()

	var raws []string
	for attempt := 0; ; attempt++ {
		if cNonce == "" || attempt > 0 {
			if cNonce, err = w.nonce(ctx, o.meta); err != nil {
				return nil, err
			}
		}
		raws, err = w.credentialRequest(ctx, o.meta, cfg, token, cNonce, keys)
		var oe *oauthError
		if attempt == 0 && errors.As(err, &oe) && oe.Code == "invalid_nonce" && o.meta.nonceURL != "" {
			continue
		}
		if err != nil {
			return nil, err
		}
		break
	}
	if len(raws) == 0 || len(raws) > len(keys) {
		return nil, fail(ReasonIssuerError, "asked for %d credentials, received %d", len(keys), len(raws))
	}
	batch := ""
	if len(raws) > 1 {
		batch = newID()
	}
	var creds []*Credential
	for _, raw := range raws {
		c, err := w.verifyReceived(ctx, o, cfg, raw, keys)
		if err != nil {
			return nil, err
		}
		c.Batch = batch
		creds = append(creds, c)
	}
	for _, c := range creds {
		if err := w.add(ctx, c); err != nil {
			return nil, err
		}
	}
	return creds, nil
}

// credentialRequest sends the credential request and returns the
// credentials received.
func (w *Wallet) credentialRequest(ctx context.Context, md *issuerMetadata, cfg *credentialConfig, token, cNonce string, keys []*heldKey) ([]string, error) {
	proofs := make([]any, len(keys))
	for i, k := range keys {
		pub, err := signing.PublicJWK(k.signer.Public())
		if err != nil {
			return nil, err
		}
		claims := map[string]any{"aud": md.id, "iat": w.now().Unix()}
		if cNonce != "" {
			claims["nonce"] = cNonce
		}
		payload, err := json.Marshal(claims)
		if err != nil {
			return nil, err
		}
		p, err := jws.Sign(k.signer, jws.Header{Typ: TypProof, JWK: &pub}, payload)
		if err != nil {
			return nil, err
		}
		proofs[i] = p
	}
	body, err := json.Marshal(map[string]any{
		"credential_configuration_id": cfg.id,
		"proofs":                      map[string]any{"jwt": proofs},
	})
	if err != nil {
		return nil, err
	}
	r, err := w.fetch.do(ctx, http.MethodPost, md.credentialURL, http.Header{
		"Content-Type": {"application/json"}, "Accept": {"application/json"},
		"Authorization": {"Bearer " + token},
	}, strings.NewReader(string(body)))
	if err != nil {
		return nil, fmt.Errorf("holder: credential request: %w", err)
	}
	switch r.status {
	case http.StatusOK:
	case http.StatusAccepted:
		return nil, fail(ReasonIssuerError, "the issuer deferred issuance; deferred issuance is not supported")
	default:
		return nil, fmt.Errorf("holder: credential request: %w", httpStatusError(r, md.credentialURL))
	}
	m, err := r.jsonObject(md.credentialURL)
	if err != nil {
		return nil, err
	}
	arr, ok := m["credentials"].([]any)
	if !ok {
		return nil, fail(ReasonIssuerError, "credential response without credentials")
	}
	out := make([]string, 0, len(arr))
	for _, x := range arr {
		cm, _ := x.(map[string]any)
		s, ok := cm["credential"].(string)
		if !ok || s == "" {
			return nil, fail(ReasonIssuerError, "credentials[%d] is not {\"credential\": string}", len(out))
		}
		out = append(out, s)
	}
	return out, nil
}

// issuerKey finds the key of an SD-JWT VC's issuer: the kid must be a DID
// URL of the DID in iss, listed under assertionMethod.
func (w *Wallet) issuerKey(ctx context.Context, h jws.Header, claims map[string]any) (crypto.PublicKey, error) {
	iss, _ := claims["iss"].(string)
	if !strings.HasPrefix(iss, "did:") {
		return nil, fmt.Errorf("iss %q is not a DID", truncate(iss))
	}
	d, _, ok := strings.Cut(h.Kid, "#")
	if !ok || d != iss {
		return nil, fmt.Errorf("kid %q is not a key of the issuer %q", truncate(h.Kid), truncate(iss))
	}
	return w.resolver.ResolveKey(ctx, h.Kid, did.AssertionMethod)
}

func (w *Wallet) verifyReceived(ctx context.Context, o *Offer, cfg *credentialConfig, raw string, keys []*heldKey) (*Credential, error) {
	c := &Credential{
		ID: newID(), Format: cfg.format, Raw: raw, IssuerURL: o.CredentialIssuer,
		IssuerName: o.IssuerName, ConfigurationID: cfg.id, ReceivedAt: w.now(),
		Display: cfg.display,
	}
	var holder crypto.PublicKey
	switch cfg.format {
	case FormatSDJWT:
		if len(raw) > int(w.fetch.max) {
			return nil, fail(ReasonTooLarge, "credential")
		}
		v, err := sdjwt.Verify(ctx, raw, sdjwt.VerifyOptions{
			Algorithms: w.algs, IssuerKey: w.issuerKey, Typ: sdjwt.TypVC,
			Now: w.now, ClockSkew: w.skew,
		})
		if err != nil {
			return nil, &Error{Reason: ReasonCredentialInvalid, Err: err}
		}
		if v.KeyBound {
			return nil, fail(ReasonCredentialInvalid, "the issued SD-JWT carries a key-binding JWT")
		}
		c.VCT, _ = v.Claims["vct"].(string)
		if cfg.vct != "" && c.VCT != cfg.vct {
			return nil, fail(ReasonCredentialInvalid, "vct %q, but configuration %s is %q", c.VCT, cfg.id, cfg.vct)
		}
		c.Type = typeForVCT(c.VCT)
		c.Issuer, _ = v.Claims["iss"].(string)
		c.IssuedAt = numericTime(v.Claims["iat"])
		c.ValidFrom = numericTime(v.Claims["nbf"])
		c.ValidUntil = numericTime(v.Claims["exp"])
		if v.HolderKey == nil {
			return nil, fail(ReasonKeyMismatch, "the SD-JWT VC has no cnf key")
		}
		holder = v.HolderKey
	case FormatJWTVC:
		cr, err := jose.VerifyCredential(ctx, raw, jose.VerifyOptions{
			Algorithms: w.algs, Keys: w.resolver, Now: w.now, ClockSkew: w.skew,
		})
		if err != nil {
			return nil, &Error{Reason: ReasonCredentialInvalid, Err: err}
		}
		for _, t := range cfg.types {
			if !cr.HasType(t) {
				return nil, fail(ReasonCredentialInvalid, "type %v lacks %q of configuration %s", cr.Types, t, cfg.id)
			}
		}
		c.Types = cr.Types
		for _, t := range cr.Types {
			if schemas.Has(t) {
				c.Type = t
			}
		}
		c.Issuer = cr.Issuer.ID
		c.ValidFrom, c.ValidUntil = cr.ValidFrom, cr.ValidUntil
		c.IssuedAt = cr.ValidFrom
		holder, err = jwtHolderKey(cr.Map(), cr.SubjectID())
		if err != nil {
			return nil, err
		}
	}
	// Which of our keys is it bound to?
	var k *heldKey
	if holder != nil {
		tp, err := signing.Thumbprint(holder)
		if err != nil {
			return nil, fail(ReasonKeyMismatch, "holder key: %v", err)
		}
		for _, hk := range keys {
			if hk.thumb == tp && !hk.used {
				k = hk
			}
		}
		if k == nil {
			return nil, fail(ReasonKeyMismatch, "the credential is bound to a key the wallet did not send (or to one already used)")
		}
	} else {
		// A vc+jwt that names no holder key: it is held under the next key
		// whose proof the issuer accepted (see the package documentation).
		for _, hk := range keys {
			if !hk.used {
				k = hk
				break
			}
		}
	}
	k.used = true
	c.KeyID = k.key.ID
	w.completeDisplay(ctx, c, o)
	return c, nil
}

// jwtHolderKey returns the holder key a vc+jwt names: cnf.jwk, or a
// did:jwk or did:key credentialSubject.id. nil when it names none (or
// names another kind of DID).
func jwtHolderKey(doc map[string]any, subject string) (crypto.PublicKey, error) {
	if cnf, ok := doc["cnf"].(map[string]any); ok {
		jm, ok := cnf["jwk"].(map[string]any)
		if !ok {
			return nil, fail(ReasonKeyMismatch, "cnf has no jwk")
		}
		j, err := signing.JWKFromMap(jm)
		if err != nil {
			return nil, fail(ReasonKeyMismatch, "cnf.jwk: %v", err)
		}
		pub, err := j.PublicKey()
		if err != nil {
			return nil, fail(ReasonKeyMismatch, "cnf.jwk: %v", err)
		}
		return pub, nil
	}
	switch {
	case strings.HasPrefix(subject, "did:jwk:"):
		_, pub, err := did.ParseJWKDID(subject)
		if err != nil {
			return nil, fail(ReasonKeyMismatch, "credentialSubject.id: %v", err)
		}
		return pub, nil
	case strings.HasPrefix(subject, "did:key:"):
		pub, err := did.ParseKeyDID(subject)
		if err != nil {
			return nil, fail(ReasonKeyMismatch, "credentialSubject.id: %v", err)
		}
		return pub, nil
	}
	return nil, nil
}

func numericTime(x any) time.Time {
	n, ok := x.(json.Number)
	if !ok {
		return time.Time{}
	}
	if i, err := n.Int64(); err == nil {
		return time.Unix(i, 0).UTC()
	}
	if f, err := n.Float64(); err == nil {
		return time.Unix(int64(f), 0).UTC()
	}
	return time.Time{}
}

// completeDisplay fills in what the issuer's metadata left out of the
// display: the catalogue's titles and, for a ThaiTrust vct, the SD-JWT
// VC type metadata the issuer's server publishes at /vct/<Type>.
func (w *Wallet) completeDisplay(ctx context.Context, c *Credential, o *Offer) {
	if c.Type != "" && (c.Display.Claims == nil || c.Display.Name == nil) {
		if tm := w.typeMetadata(ctx, o.CredentialIssuer, c.Type); tm != nil {
			if c.Display.Name == nil {
				c.Display.Name = tm.Name
			}
			if c.Display.Description == nil {
				c.Display.Description = tm.Description
			}
			if c.Display.Claims == nil {
				c.Display.Claims = tm.Claims
			}
		}
	}
	if c.Display.Name == nil && c.Type != "" {
		if t, ok := schemas.Lookup(c.Type); ok {
			c.Display.Name = t.Title
		}
	}
}

// typeMetadata fetches SD-JWT VC type metadata from the issuer's server;
// nil if there is none.
func (w *Wallet) typeMetadata(ctx context.Context, issuerURL, typeName string) *Display {
	u, err := url.Parse(issuerURL)
	if err != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := w.fetch.getJSON(ctx, u.Scheme+"://"+u.Host+"/vct/"+url.PathEscape(typeName))
	if err != nil {
		return nil
	}
	if v, _ := m["vct"].(string); v != VCTBase+typeName {
		return nil
	}
	d := &Display{
		Name:        displayNames(m["display"], "name"),
		Description: displayNames(m["display"], "description"),
		Claims:      claimDisplays(m["claims"]),
	}
	return d
}
