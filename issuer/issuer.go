package issuer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
)

// ContextThaiTrust is the JSON-LD context of ThaiTrust credential types.
const ContextThaiTrust = "https://thaitrust.example/ns/credentials/v1"

// Securing formats.
const (
	// FormatVCJWT is the vc+jwt securing format (VC-JOSE-COSE).
	FormatVCJWT = "vc+jwt"
	// FormatSDJWT is the SD-JWT VC format (draft-ietf-oauth-sd-jwt-vc):
	// typ dc+sd-jwt, bound to the holder's key (cnf).
	FormatSDJWT = "dc+sd-jwt"
)

// Errors of issuance and status management.
var (
	// ErrUnknownType: the credential's type is not in the catalogue.
	ErrUnknownType = errors.New("issuer: unknown credential type")
	// ErrTypeNotAllowed: this issuer does not issue that type.
	ErrTypeNotAllowed = errors.New("issuer: credential type not issued by this issuer")
	// ErrUnsupportedFormat: the requested securing format is not offered.
	ErrUnsupportedFormat = errors.New("issuer: unsupported format")
	// ErrIssuerMismatch: the credential names another issuer.
	ErrIssuerMismatch = errors.New("issuer: credential names another issuer")
	// ErrRevoked: the credential is revoked; its status cannot change.
	ErrRevoked = errors.New("issuer: credential is revoked")
	// ErrBadRequest: the request is not acceptable (see the message).
	ErrBadRequest = errors.New("issuer: bad request")
)

// InvalidError reports claims that fail validation. Field is a JSON
// pointer into the credential document.
type InvalidError struct {
	Field, Reason, Msg string
	Err                error
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("issuer: invalid credential: %s: %s", e.Field, e.Msg)
}

func (e *InvalidError) Unwrap() error { return e.Err }

// Profile is one issuing institution.
type Profile struct {
	Name        string            // URL path segment, e.g. "university"
	DID         string            // e.g. did:web:127.0.0.1%3A8080:issuers:university
	DisplayName map[string]string // "th" and "en"
	Types       []string          // catalogue types this issuer may issue
	Signer      jose.Signer       // key and DID URL (kid) it signs with
	// StatusBaseURL is where the lists are published:
	// <StatusBaseURL>/<list id>/<purpose>.
	StatusBaseURL string
	// TokenStatusBaseURL is where the same lists are published as IETF
	// Token Status Lists (for SD-JWT VCs): <TokenStatusBaseURL>/<list id>.
	// "" means StatusBaseURL's parent plus "/statuslists"
	// (https://x/issuers/dopa/status -> https://x/issuers/dopa/statuslists).
	TokenStatusBaseURL string
}

// Config configures a Service.
type Config struct {
	Profile Profile
	Store   Store // required
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Rand is the randomness source for ids, list keys and the salts and
	// decoys of SD-JWT VCs; nil means crypto/rand. WARNING: anything but a
	// cryptographically secure source lets verifiers guess undisclosed
	// claims.
	Rand io.Reader
	// KeepCredentials keeps the signed credential in each record. Zero:
	// records hold metadata only.
	KeepCredentials bool
	// ListSize is the number of entries per status list; zero means
	// status.MinSize (131,072).
	ListSize uint64
	// ReserveBlock is how many allocation counters are reserved per store
	// write; zero means 128.
	ReserveBlock uint64
	// ListValidity is how long a published status list credential is
	// valid; zero means 24 hours. Verifiers refetch after ListTTL.
	ListValidity time.Duration
	// ListTTL is the ttl published in status lists; zero means 5 minutes.
	ListTTL time.Duration
	// AllowGeneric lets the issuer sign credentials whose types are not
	// in the catalogue, checking only their VCDM structure. It exists for
	// W3C conformance test suites; zero: catalogue types only.
	AllowGeneric bool
}

// Service issues credentials for one profile.
type Service struct {
	cfg     Config
	profile Profile

	mu    sync.Mutex // guards block
	block block

	pubMu sync.Mutex
	pub   map[string]published // signed list credentials by list id + purpose, token lists by "token/" + list id
}

// block is a reserved range of allocation counters [next, end) of a list.
type block struct {
	list       string
	key        [32]byte
	size       uint64
	next, end  uint64
	valid      bool
	latestSeen int64
}

// published is a signed status list credential and the bits it carries.
type published struct {
	bits   []byte
	signed time.Time
	token  string
}

// New returns a Service. The profile needs a name, a DID, a signer whose
// key id belongs to that DID, and a status base URL.
func New(cfg Config) (*Service, error) {
	p := cfg.Profile
	switch {
	case cfg.Store == nil:
		return nil, errors.New("issuer: Config.Store is required")
	case p.Name == "" || strings.ContainsAny(p.Name, "/?#% "):
		return nil, fmt.Errorf("issuer: invalid profile name %q", p.Name)
	case !strings.HasPrefix(p.DID, "did:"):
		return nil, fmt.Errorf("issuer: profile %s: DID %q is not a DID", p.Name, p.DID)
	case p.Signer.Key == nil || !strings.HasPrefix(p.Signer.KeyID, p.DID+"#"):
		return nil, fmt.Errorf("issuer: profile %s: signer key id must be a DID URL of %s", p.Name, p.DID)
	case p.StatusBaseURL == "":
		return nil, fmt.Errorf("issuer: profile %s: StatusBaseURL is required", p.Name)
	}
	if _, err := url.Parse(p.StatusBaseURL); err != nil {
		return nil, fmt.Errorf("issuer: profile %s: status base URL: %w", p.Name, err)
	}
	if p.TokenStatusBaseURL == "" {
		base := strings.TrimSuffix(p.StatusBaseURL, "/")
		if i := strings.LastIndex(base, "/"); i > len("https://") {
			base = base[:i]
		}
		p.TokenStatusBaseURL = base + "/statuslists"
		cfg.Profile = p
	}
	if _, err := url.Parse(p.TokenStatusBaseURL); err != nil {
		return nil, fmt.Errorf("issuer: profile %s: token status base URL: %w", p.Name, err)
	}
	if alg, err := signing.AlgorithmFor(p.Signer.Key.Public()); err != nil || alg != p.Signer.Algorithm {
		return nil, fmt.Errorf("issuer: profile %s: signer algorithm %q does not fit its key", p.Name, p.Signer.Algorithm)
	}
	for _, t := range p.Types {
		if !schemas.Has(t) {
			return nil, fmt.Errorf("issuer: profile %s: %w: %s", p.Name, ErrUnknownType, t)
		}
	}
	if cfg.ListSize == 0 {
		cfg.ListSize = status.MinSize
	}
	if cfg.ListSize < status.MinSize || cfg.ListSize%8 != 0 {
		return nil, fmt.Errorf("issuer: list size %d: must be a multiple of 8 and at least %d", cfg.ListSize, status.MinSize)
	}
	if cfg.ReserveBlock == 0 {
		cfg.ReserveBlock = 128
	}
	if cfg.ListValidity == 0 {
		cfg.ListValidity = 24 * time.Hour
	}
	if cfg.ListTTL == 0 {
		cfg.ListTTL = 5 * time.Minute
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Service{cfg: cfg, profile: p, pub: map[string]published{}}, nil
}

// Profile returns the issuer's profile.
func (s *Service) Profile() Profile { return s.profile }

// PublicKey returns the issuer's public signing key.
func (s *Service) PublicKey() crypto.PublicKey { return s.profile.Signer.Key.Public() }

func (s *Service) now() time.Time {
	if s.cfg.Now != nil {
		return s.cfg.Now().UTC()
	}
	return time.Now().UTC()
}

// Request asks for one credential.
type Request struct {
	// Credential is the unsigned credential document. Issue does not
	// modify it.
	Credential map[string]any
	// Format is the securing format: FormatVCJWT ("" means it) or
	// FormatSDJWT.
	Format string
	// HolderKey is the holder's public key, which the credential is
	// bound to. Required for FormatSDJWT (it becomes cnf.jwk). For
	// FormatVCJWT it is optional: when set, credentialSubject.id becomes
	// the key's did:key (or, when the request names a did:key or did:jwk
	// subject, it must be this key's).
	HolderKey crypto.PublicKey
}

// Issued is a signed credential and its record.
type Issued struct {
	Token      string                 // the secured credential (compact JWS for vc+jwt, SD-JWT with every disclosure for dc+sd-jwt)
	MediaType  string                 // application/vc+jwt or application/dc+sd-jwt
	Credential *credential.Credential // the signed document
	Record     Record
}

// Issue validates, completes, signs and records one credential, as
// vc+jwt or (Request.Format FormatSDJWT) as an SD-JWT VC built from the
// completed document (see the package documentation).
func (s *Service) Issue(ctx context.Context, req Request) (*Issued, error) {
	format := req.Format
	if format == "" {
		format = FormatVCJWT
	}
	if format != FormatVCJWT && format != FormatSDJWT {
		return nil, fmt.Errorf("%w: %q (offered: %s, %s)", ErrUnsupportedFormat, req.Format, FormatVCJWT, FormatSDJWT)
	}
	in := req.Credential
	if req.HolderKey != nil {
		var err error
		if in, err = bindHolder(in, req.HolderKey, format == FormatVCJWT); err != nil {
			return nil, err
		}
	} else if format == FormatSDJWT {
		return nil, fmt.Errorf("%w: an SD-JWT VC needs the holder's public key (options.holderKey, or a did:key or did:jwk credentialSubject.id)", ErrBadRequest)
	}
	doc, typ, err := s.Prepare(in)
	if err != nil {
		return nil, err
	}
	if format == FormatSDJWT && !schemas.Has(typ) {
		return nil, fmt.Errorf("%w: %s is offered for ThaiTrust credential types only", ErrUnsupportedFormat, FormatSDJWT)
	}
	var listID string
	var index uint64
	if _, own := doc["credentialStatus"]; !own { // only a generic credential brings its own (see Prepare)
		if listID, index, err = s.allocate(ctx); err != nil {
			return nil, err
		}
		listURL := s.ListURL(listID, "")
		doc["credentialStatus"] = []any{
			status.Entry(listURL+status.PurposeRevocation, status.PurposeRevocation, index),
			status.Entry(listURL+status.PurposeSuspension, status.PurposeSuspension, index),
		}
	}
	c, err := credential.FromMap(doc)
	if err != nil { // our own additions broke the document: a bug, not bad input
		return nil, fmt.Errorf("issuer: completed credential is invalid: %w", err)
	}
	var token, mediaType string
	switch format {
	case FormatSDJWT:
		token, err = s.secureSDJWT(typ, doc, c, listID, index, req.HolderKey)
		mediaType = sdjwt.MediaTypeVC
	default:
		token, err = jose.SecureCredential(doc, s.profile.Signer)
		mediaType = jose.MediaTypeCredential
		if err != nil {
			err = fmt.Errorf("issuer: signing: %w", err)
		}
	}
	if err != nil {
		return nil, err
	}
	rec := Record{
		ID: c.ID, Issuer: s.profile.Name, Type: typ, Subject: c.SubjectID(), Format: format,
		ListID: listID, Index: index, IssuedAt: s.now(), ValidFrom: c.ValidFrom, ValidUntil: c.ValidUntil,
	}
	if s.cfg.KeepCredentials {
		rec.Credential = []byte(token)
	}
	if err := s.cfg.Store.PutRecord(ctx, rec); err != nil {
		return nil, fmt.Errorf("issuer: recording %s: %w", c.ID, err)
	}
	return &Issued{Token: token, MediaType: mediaType, Credential: c, Record: rec}, nil
}

// Prepare completes and validates a credential document without signing
// it or allocating a status index: the checks Issue makes on its input.
// It returns the completed copy and its catalogue type.
func (s *Service) Prepare(in map[string]any) (map[string]any, string, error) {
	if in == nil {
		return nil, "", &InvalidError{Field: "", Reason: "not_object", Msg: "the credential must be a JSON object", Err: credential.ErrInvalid}
	}
	// A deep copy: the completed document (and the credential built on
	// it) must not share memory with the caller's map, which the caller
	// may reuse.
	doc := cloneJSON(in).(map[string]any)
	typ, err := s.catalogueType(doc)
	if err != nil {
		return nil, "", err
	}
	t, known := schemas.Describe(typ)
	// Conformance suites send credentials with status entries of their
	// own; a generic issuer keeps them (and allocates none). Catalogue
	// credentials get the issuer's entries only.
	if _, ok := doc["credentialStatus"]; ok && known {
		return nil, "", &InvalidError{Field: "/credentialStatus", Reason: "status_set_by_issuer",
			Msg: "leave credentialStatus out: the issuer allocates status entries", Err: credential.ErrInvalid}
	}
	// @context: the base context first, ours after it.
	ctxs, ok := doc["@context"].([]any)
	if !ok {
		if _, present := doc["@context"]; present {
			return nil, "", &InvalidError{Field: "/@context", Reason: "context_not_array", Msg: "@context must be an array", Err: credential.ErrInvalid}
		}
		ctxs = []any{credential.ContextV2}
	}
	ctxs = slices.Clone(ctxs)
	if known && !slices.Contains(ctxs, any(ContextThaiTrust)) {
		ctxs = append(ctxs, ContextThaiTrust)
	}
	doc["@context"] = ctxs
	// id
	if v, ok := doc["id"]; ok {
		if id, _ := v.(string); !isURL(id) {
			return nil, "", &InvalidError{Field: "/id", Reason: "id_invalid", Msg: "id must be a URL", Err: credential.ErrInvalid}
		}
	} else {
		id, err := newID(s.cfg.Rand, s.now())
		if err != nil {
			return nil, "", err
		}
		doc["id"] = id
	}
	// issuer
	switch v := doc["issuer"].(type) {
	case nil:
		if _, present := doc["issuer"]; present {
			return nil, "", &InvalidError{Field: "/issuer", Reason: "issuer_invalid", Msg: "issuer must not be null", Err: credential.ErrInvalid}
		}
		doc["issuer"] = s.issuerObject()
	case string:
		if !isURL(v) {
			return nil, "", &InvalidError{Field: "/issuer", Reason: "issuer_invalid", Msg: "issuer must be a URL (the issuer's DID)", Err: credential.ErrInvalid}
		}
		if v != s.profile.DID {
			return nil, "", fmt.Errorf("%w: %q (this issuer is %s)", ErrIssuerMismatch, v, s.profile.DID)
		}
	case map[string]any:
		id, _ := v["id"].(string)
		if !isURL(id) {
			return nil, "", &InvalidError{Field: "/issuer/id", Reason: "issuer_invalid", Msg: "issuer.id must be a URL (the issuer's DID)", Err: credential.ErrInvalid}
		}
		if id != s.profile.DID {
			return nil, "", fmt.Errorf("%w: %q (this issuer is %s)", ErrIssuerMismatch, id, s.profile.DID)
		}
	default:
		return nil, "", &InvalidError{Field: "/issuer", Reason: "issuer_invalid", Msg: "issuer must be a URL or an object with an id", Err: credential.ErrInvalid}
	}
	// validity
	now := s.now().Truncate(time.Second)
	if _, ok := doc["validFrom"]; !ok {
		doc["validFrom"] = now.Format(time.RFC3339)
	}
	if _, ok := doc["validUntil"]; !ok {
		from := now
		if vf, ok := doc["validFrom"].(string); ok {
			if ts, err := time.Parse(time.RFC3339, vf); err == nil {
				from = ts.UTC()
			}
		}
		var until time.Time
		if t.DefaultValidity > 0 {
			until = from.Add(t.DefaultValidity)
		}
		if exp, field, ok := dataExpiry(typ, doc); ok {
			if exp.Before(from) {
				return nil, "", &InvalidError{Field: field, Reason: "expired",
					Msg: "the document the credential is about has expired", Err: credential.ErrInvalid}
			}
			if until.IsZero() || exp.Before(until) {
				until = exp
			}
		}
		if !until.IsZero() {
			doc["validUntil"] = until.UTC().Format(time.RFC3339)
		}
	}
	if cs, ok := doc["credentialSchema"]; known && !ok {
		doc["credentialSchema"] = map[string]any{"id": t.SchemaID, "type": "JsonSchema"}
	} else if known && !onlySchema(cs, t.SchemaID) {
		// The issuer validates against the catalogue schema only; it
		// must not sign a claim of conformance to any other.
		return nil, "", &InvalidError{Field: "/credentialSchema", Reason: "schema_mismatch",
			Msg: "credentialSchema may only name the type's schema " + t.SchemaID + " (or be left out)", Err: credential.ErrInvalid}
	}
	if _, err := credential.FromMap(doc); err != nil {
		return nil, "", invalid(err)
	}
	if known {
		if err := schemas.Validate(typ, doc); err != nil {
			return nil, "", invalid(err)
		}
	}
	return doc, typ, nil
}

// isURL reports whether s is an absolute URL (a scheme and more).
func isURL(s string) bool {
	u, err := url.Parse(s)
	return s != "" && err == nil && u.Scheme != "" && (u.Opaque != "" || u.Host != "" || u.Path != "")
}

// expiryDates names, per catalogue type, the claim holding the expiry
// date of the document a credential is about (an ISO date, valid through
// that day in Thailand). The credential expires with it unless the
// request sets validUntil.
var expiryDates = map[string][]string{
	"ThaiCitizenCredential": {"credentialSubject", "card", "expiryDate"},
}

// ict is Indochina Time, the time zone of dates on Thai documents.
var ict = time.FixedZone("ICT", 7*60*60)

// dataExpiry returns the end of the expiry date named by expiryDates for
// typ, and its JSON pointer. ok is false when the type has none or the
// claim is absent or not a date (schema validation reports that).
func dataExpiry(typ string, doc map[string]any) (end time.Time, field string, ok bool) {
	path, known := expiryDates[typ]
	if !known {
		return time.Time{}, "", false
	}
	var v any = doc
	for _, k := range path {
		m, isMap := v.(map[string]any)
		if !isMap {
			return time.Time{}, "", false
		}
		v = m[k]
	}
	s, _ := v.(string)
	d, err := time.ParseInLocation(time.DateOnly, s, ict)
	if err != nil {
		return time.Time{}, "", false
	}
	return d.AddDate(0, 0, 1).Add(-time.Second), "/" + strings.Join(path, "/"), true
}

// onlySchema reports whether a credentialSchema value (an object or a
// non-empty array of them) names the schema id and nothing else.
func onlySchema(v any, id string) bool {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	for _, e := range list {
		m, _ := e.(map[string]any)
		if m == nil || m["id"] != id {
			return false
		}
	}
	return len(list) > 0
}

// cloneJSON deep-copies a decoded JSON value (maps and slices; other
// values are immutable).
func cloneJSON(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x)+6) // room for what Prepare adds
		for k, e := range x {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneJSON(e)
		}
		return out
	}
	return v
}

// invalid turns a validation error of package credential or schemas into
// an *InvalidError.
func invalid(err error) error {
	var ce *credential.ValidationError
	if errors.As(err, &ce) {
		return &InvalidError{Field: ce.Field, Reason: ce.Reason, Msg: ce.Msg, Err: err}
	}
	var se *schemas.ValidationError
	if errors.As(err, &se) {
		return &InvalidError{Field: se.Field, Reason: se.Reason, Msg: se.Msg, Err: err}
	}
	return &InvalidError{Reason: "invalid", Msg: err.Error(), Err: err}
}

// catalogueType finds the one catalogue type among the document's types
// and checks this issuer may issue it.
func (s *Service) catalogueType(doc map[string]any) (string, error) {
	types, ok := doc["type"].([]any)
	if str, isString := doc["type"].(string); isString && s.cfg.AllowGeneric {
		types, ok = []any{str}, true
	}
	if _, present := doc["type"]; !present {
		return "", &InvalidError{Field: "/type", Reason: "type_missing", Msg: "type is required: VerifiableCredential and a credential type", Err: credential.ErrInvalid}
	}
	if !ok {
		return "", &InvalidError{Field: "/type", Reason: "type_not_array", Msg: "type must be an array of strings", Err: credential.ErrInvalid}
	}
	var found []string
	for _, t := range types {
		name, _ := t.(string)
		if schemas.Has(name) {
			found = append(found, name)
		}
	}
	switch len(found) {
	case 0:
		if s.cfg.AllowGeneric {
			return genericType(types), nil
		}
		return "", fmt.Errorf("%w: none of %v is a ThaiTrust credential type (GET /schemas lists them)", ErrUnknownType, types)
	case 1:
	default:
		return "", &InvalidError{Field: "/type", Reason: "type_ambiguous", Msg: "name exactly one ThaiTrust credential type", Err: credential.ErrInvalid}
	}
	if !slices.Contains(s.profile.Types, found[0]) {
		return "", fmt.Errorf("%w: %s does not issue %s", ErrTypeNotAllowed, s.profile.Name, found[0])
	}
	return found[0], nil
}

// genericType is the type recorded for a credential outside the
// catalogue: its last type, or VerifiableCredential.
func genericType(types []any) string {
	for i := len(types) - 1; i >= 0; i-- {
		if t, ok := types[i].(string); ok && t != credential.TypeCredential {
			return t
		}
	}
	return credential.TypeCredential
}

func (s *Service) issuerObject() map[string]any {
	o := map[string]any{"id": s.profile.DID}
	var names []any
	for _, lang := range []string{"th", "en"} {
		if n := s.profile.DisplayName[lang]; n != "" {
			names = append(names, map[string]any{"@value": n, "@language": lang})
		}
	}
	if len(names) > 0 {
		o["name"] = names
	}
	return o
}

// newID returns a urn:uuid with a version 7 UUID (time-ordered).
func newID(r io.Reader, now time.Time) (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(r, b[6:]); err != nil {
		return "", fmt.Errorf("issuer: randomness: %w", err)
	}
	ms := uint64(now.UnixMilli())
	b[0], b[1], b[2], b[3], b[4], b[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	b[6] = 0x70 | b[6]&0x0f
	b[8] = 0x80 | b[8]&0x3f
	h := hex.EncodeToString(b[:])
	return "urn:uuid:" + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
}

// ListURL returns the URL of a list's credential for a purpose ("" gives
// the prefix to which the purpose is appended).
func (s *Service) ListURL(listID, purpose string) string {
	return strings.TrimSuffix(s.profile.StatusBaseURL, "/") + "/" + listID + "/" + purpose
}

// errListFull stops a reservation on a full list.
var errListFull = errors.New("issuer: status list full")

// allocate returns a fresh (list, index) pair.
func (s *Service) allocate(ctx context.Context) (string, uint64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.block.valid || s.block.next >= s.block.end {
		if err := s.reserve(ctx); err != nil {
			return "", 0, err
		}
	}
	b := &s.block
	counter := b.next
	b.next++
	return b.list, status.Permute(b.key, b.size, counter), nil
}

// reserve reserves the next block of counters, creating lists as needed.
// Called with s.mu held.
func (s *Service) reserve(ctx context.Context) error {
	name := s.profile.Name
	for attempt := 0; attempt < 8; attempt++ {
		l, err := s.cfg.Store.LatestList(ctx, name)
		if errors.Is(err, ErrNotFound) {
			if err := s.createList(ctx, 1); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("issuer: status list: %w", err)
		}
		var start, end uint64
		updated, err := s.cfg.Store.UpdateList(ctx, name, l.ID, func(cur StatusList) (StatusList, error) {
			if cur.Next >= cur.Size {
				return cur, errListFull
			}
			start = cur.Next
			end = min(cur.Next+s.cfg.ReserveBlock, cur.Size)
			cur.Next = end
			cur.UpdatedAt = s.now()
			return cur, nil
		})
		if errors.Is(err, errListFull) {
			if err := s.createList(ctx, l.Seq+1); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return fmt.Errorf("issuer: reserving status indexes: %w", err)
		}
		s.block = block{list: updated.ID, key: updated.Key, size: updated.Size, next: start, end: end, valid: true}
		return nil
	}
	return fmt.Errorf("issuer: could not reserve status indexes: %w", ErrConflict)
}

// createList creates list number seq; another process creating it first
// is fine.
func (s *Service) createList(ctx context.Context, seq int64) error {
	l := StatusList{
		Issuer: s.profile.Name, ID: strconv.FormatInt(seq, 10), Seq: seq, Size: s.cfg.ListSize,
		Revoked: make([]byte, s.cfg.ListSize/8), Suspended: make([]byte, s.cfg.ListSize/8),
		CreatedAt: s.now(), UpdatedAt: s.now(),
	}
	if _, err := io.ReadFull(s.cfg.Rand, l.Key[:]); err != nil {
		return fmt.Errorf("issuer: randomness: %w", err)
	}
	if err := s.cfg.Store.CreateList(ctx, l); err != nil && !errors.Is(err, ErrExists) {
		return fmt.Errorf("issuer: creating status list %d: %w", seq, err)
	}
	return nil
}

// Action is a status change.
type Action string

// Status changes.
const (
	Revoke    Action = "revoke"
	Suspend   Action = "suspend"
	Unsuspend Action = "unsuspend"
)

// ParseAction parses "revoke", "suspend" or "unsuspend".
func ParseAction(s string) (Action, error) {
	switch a := Action(strings.ToLower(s)); a {
	case Revoke, Suspend, Unsuspend:
		return a, nil
	}
	return "", fmt.Errorf("%w: unknown status action %q (revoke, suspend, unsuspend)", ErrBadRequest, s)
}

// CredentialStatus is the current status of an issued credential.
type CredentialStatus struct {
	ID        string `json:"id"`
	Revoked   bool   `json:"revoked"`
	Suspended bool   `json:"suspended"`
}

// SetStatus changes the status of a credential this issuer issued.
// Revoking twice is not an error; any change to a revoked credential
// other than revoking it again is ErrRevoked.
func (s *Service) SetStatus(ctx context.Context, credentialID string, a Action) (CredentialStatus, error) {
	rec, err := s.cfg.Store.GetRecord(ctx, s.profile.Name, credentialID)
	if err != nil {
		return CredentialStatus{}, err
	}
	l, err := s.cfg.Store.UpdateList(ctx, s.profile.Name, rec.ListID, func(l StatusList) (StatusList, error) {
		rev, err := bitsOf(l.Revoked, l.Size)
		if err != nil {
			return l, err
		}
		sus, err := bitsOf(l.Suspended, l.Size)
		if err != nil {
			return l, err
		}
		i := int(rec.Index)
		revoked, _ := rev.Get(i)
		if revoked && a != Revoke {
			return l, ErrRevoked
		}
		switch a {
		case Revoke:
			_ = rev.Set(i, true)
		case Suspend:
			_ = sus.Set(i, true)
		case Unsuspend:
			_ = sus.Set(i, false)
		}
		l.Revoked, l.Suspended = rev.Bytes(), sus.Bytes()
		l.UpdatedAt = s.now()
		return l, nil
	})
	if err != nil {
		return CredentialStatus{}, err
	}
	return statusOf(rec, l)
}

// Status returns the current status of a credential this issuer issued.
func (s *Service) Status(ctx context.Context, credentialID string) (CredentialStatus, Record, error) {
	rec, err := s.cfg.Store.GetRecord(ctx, s.profile.Name, credentialID)
	if err != nil {
		return CredentialStatus{}, Record{}, err
	}
	l, err := s.cfg.Store.GetList(ctx, s.profile.Name, rec.ListID)
	if err != nil {
		return CredentialStatus{}, rec, err
	}
	st, err := statusOf(rec, l)
	return st, rec, err
}

func statusOf(rec Record, l StatusList) (CredentialStatus, error) {
	rev, err := bitsOf(l.Revoked, l.Size)
	if err != nil {
		return CredentialStatus{}, err
	}
	sus, err := bitsOf(l.Suspended, l.Size)
	if err != nil {
		return CredentialStatus{}, err
	}
	r, _ := rev.Get(int(rec.Index))
	su, _ := sus.Get(int(rec.Index))
	return CredentialStatus{ID: rec.ID, Revoked: r, Suspended: su}, nil
}

func bitsOf(p []byte, size uint64) (*status.Bitstring, error) {
	if uint64(len(p))*8 != size {
		return nil, fmt.Errorf("issuer: stored bitstring has %d bytes, want %d", len(p), size/8)
	}
	return status.BitstringFromBytes(p)
}

// Records lists issued credentials, newest first (see Store.ListRecords).
func (s *Service) Records(ctx context.Context, before string, limit int) ([]Record, error) {
	return s.cfg.Store.ListRecords(ctx, s.profile.Name, before, limit)
}

// StatusListCredential returns the signed status list credential (vc+jwt)
// for a list and purpose. Signed lists are cached until the list changes
// or half their validity has passed.
func (s *Service) StatusListCredential(ctx context.Context, listID, purpose string) (string, error) {
	if purpose != status.PurposeRevocation && purpose != status.PurposeSuspension {
		return "", fmt.Errorf("%w: unknown status purpose %q", ErrNotFound, purpose)
	}
	l, err := s.cfg.Store.GetList(ctx, s.profile.Name, listID)
	if err != nil {
		return "", err
	}
	key := listID + "/" + purpose
	now := s.now()
	bits := l.Revoked
	if purpose == status.PurposeSuspension {
		bits = l.Suspended
	}
	// The cache is keyed on the bits, not the list's Version: reserving
	// indexes changes the list but not what is published.
	s.pubMu.Lock()
	p, ok := s.pub[key]
	s.pubMu.Unlock()
	if ok && bytes.Equal(p.bits, bits) && now.Sub(p.signed) < s.cfg.ListValidity/2 && !now.Before(p.signed) {
		return p.token, nil
	}
	bs, err := bitsOf(bits, l.Size)
	if err != nil {
		return "", err
	}
	from := now.Truncate(time.Second)
	doc := status.ListCredential(s.ListURL(listID, purpose), s.profile.DID, purpose, bs, from, from.Add(s.cfg.ListValidity))
	if cs, ok := doc["credentialSubject"].(map[string]any); ok {
		cs["ttl"] = s.cfg.ListTTL.Milliseconds()
	}
	token, err := jose.SecureCredential(doc, s.profile.Signer)
	if err != nil {
		return "", fmt.Errorf("issuer: signing status list: %w", err)
	}
	s.pubMu.Lock()
	s.pub[key] = published{bits: bytes.Clone(bits), signed: now, token: token}
	s.pubMu.Unlock()
	return token, nil
}
