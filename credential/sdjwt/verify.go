package sdjwt

import (
	"context"
	"crypto"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// DefaultMaxKBAge is how old a KB-JWT may be when VerifyOptions.MaxKBAge
// is zero.
const DefaultMaxKBAge = 5 * time.Minute

// IssuerKeyFunc returns the public key the issuer JWT must verify with,
// chosen by the caller's trust policy: for example the kid (a DID URL)
// resolved under assertionMethod after checking that its DID is the iss,
// or an x5c chain validated against a trust list. header and claims (the
// issuer JWT payload, unprocessed) are NOT verified yet: use them to find
// the key, never as the key, and do not modify them.
type IssuerKeyFunc func(ctx context.Context, header jws.Header, claims map[string]any) (crypto.PublicKey, error)

// VerifyOptions are the trust inputs of Verify. Algorithms, IssuerKey and
// Typ are required (or Verify fails with ErrNoAlgorithms, ErrNoIssuerKey,
// ErrNoTyp); so are Audience and Nonce when RequireKeyBinding is set.
type VerifyOptions struct {
	// Algorithms are the JWS algorithms accepted for the issuer JWT.
	// Required. "none" is never accepted.
	Algorithms []signing.Algorithm
	// KBAlgorithms are those accepted for the KB-JWT; nil means
	// Algorithms.
	KBAlgorithms []signing.Algorithm
	// IssuerKey chooses the issuer's public key. Required. With the
	// general JSON serialization it is called once per signature, and
	// every signature must verify.
	IssuerKey IssuerKeyFunc
	// SDAlgorithms are the accepted _sd_alg values; nil means SHA256 only.
	SDAlgorithms []HashAlg
	// Typ is the expected typ of the issuer JWT, compared as a media
	// type (case-insensitive, optional "application/" prefix): TypVC for
	// an SD-JWT VC. Required unless UnsafeAnyTyp. With TypVC (or
	// TypVCLegacy) Verify also applies the SD-JWT VC rules: vct must be
	// a plaintext string, and vct, vct#integrity and status must not
	// come from disclosures.
	Typ string
	// AllowLegacyTyp, with Typ TypVC, also accepts TypVCLegacy
	// ("vc+sd-jwt"), which SD-JWT VC drafts before -06 used.
	AllowLegacyTyp bool
	// UnsafeAnyTyp accepts any typ (or none) when Typ is "". WARNING:
	// then any JWT the issuer key ever signed (an ID token, a vc+jwt)
	// verifies as an SD-JWT without disclosures.
	UnsafeAnyTyp bool
	// RequireKeyBinding rejects a presentation without a KB-JWT signed by
	// the cnf key (and a credential without cnf). false: a KB-JWT, when
	// present, is still checked in full, but its absence is accepted.
	RequireKeyBinding bool
	// Audience is the expected KB-JWT aud (this verifier). Required with
	// RequireKeyBinding; "" otherwise skips the aud check.
	Audience string
	// Nonce is the expected KB-JWT nonce (the challenge this verifier
	// issued). Required with RequireKeyBinding; "" otherwise skips it.
	Nonce string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// MaxKBAge is how old the KB-JWT iat may be; zero means
	// DefaultMaxKBAge.
	MaxKBAge time.Duration
	// ClockSkew is the leeway for exp, nbf and the KB-JWT iat (also for
	// an iat in the future); zero means none.
	ClockSkew time.Duration
}

// Checks that Verify reports in Verified.Checked.
const (
	CheckTyp             = "typ"              // the issuer JWT typ
	CheckIssuerSignature = "issuer_signature" // alg allowed, signature by IssuerKey's key
	CheckDisclosures     = "disclosures"      // digests, _sd_alg, structure (RFC 9901 7.1)
	CheckValidity        = "validity"         // exp and nbf
	CheckVC              = "sd_jwt_vc"        // vct present, VC claims not disclosed
	CheckKeyBinding      = "key_binding"      // KB-JWT typ, signature by cnf key, sd_hash, iat, aud, nonce
)

// Verified is a verified SD-JWT: what the issuer signed and the holder
// chose to disclose.
type Verified struct {
	// Header is the issuer JWT's header.
	Header jws.Header
	// Claims are the processed claims: plaintext claims and the disclosed
	// ones; _sd, _sd_alg and "..." digests removed, undisclosed array
	// elements dropped. Values are strings, json.Number, bool, nil, []any
	// and map[string]any.
	Claims map[string]any
	// Disclosed lists the JSON pointers (into Claims) of the claims that
	// came from disclosures, sorted.
	Disclosed []string
	// SDAlg is the _sd_alg used.
	SDAlg HashAlg
	// HolderKey is the key in cnf.jwk, nil when the payload has none (or
	// one this package cannot decode and did not need).
	HolderKey crypto.PublicKey
	// KeyBound reports that a KB-JWT was verified: signed by HolderKey
	// over exactly this presentation.
	KeyBound bool
	// KeyBinding holds the verified KB-JWT claims when KeyBound.
	KeyBinding KeyBindingClaims
	// Checked lists the checks made (Check* constants), in order.
	Checked []string
}

// KeyBindingClaims are the claims of a verified KB-JWT.
type KeyBindingClaims struct {
	Audience []string  // aud (a string is one element)
	Nonce    string    // nonce
	IssuedAt time.Time // iat
}

// Verify parses and verifies an SD-JWT presentation (or an issued SD-JWT)
// with the trust inputs in opts. In order, it checks: opts (configuration
// errors, not *Error); the structure (Parse); typ; the issuer JWT alg
// (before asking for a key); _sd_alg; the issuer key and signature(s);
// that iss, aud, exp, nbf and cnf (and, for SD-JWT VC, vct, vct#integrity
// and status) were not disclosed; vct for SD-JWT VC; exp and nbf; and the
// key binding. Every rejection is an *Error with a stable Reason.
//
// Verify shares no state between calls and may run concurrently.
func Verify(ctx context.Context, s string, opts VerifyOptions) (*Verified, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	sd, err := parse(s)
	if err != nil {
		return nil, err
	}
	return sd.verify(ctx, opts, false)
}

// Verify verifies a parsed SD-JWT like the function Verify. sd is not
// modified; Verified.Claims is a copy.
func (sd *SDJWT) Verify(ctx context.Context, opts VerifyOptions) (*Verified, error) {
	if err := opts.check(); err != nil {
		return nil, err
	}
	return sd.verify(ctx, opts, true)
}

func (o *VerifyOptions) check() error {
	if len(o.Algorithms) == 0 {
		return ErrNoAlgorithms
	}
	if o.IssuerKey == nil {
		return ErrNoIssuerKey
	}
	if o.Typ == "" && !o.UnsafeAnyTyp {
		return ErrNoTyp
	}
	if o.RequireKeyBinding && (o.Audience == "" || o.Nonce == "") {
		return ErrNoAudienceOrNonce
	}
	for _, list := range [][]signing.Algorithm{o.Algorithms, o.KBAlgorithms} {
		for _, a := range list {
			if _, err := signing.ParseAlgorithm(string(a)); err != nil {
				return fmt.Errorf("sdjwt: VerifyOptions algorithms: %w", err)
			}
		}
	}
	return nil
}

func (sd *SDJWT) verify(ctx context.Context, opts VerifyOptions, copyClaims bool) (*Verified, error) {
	v := &Verified{Header: sd.Header, SDAlg: sd.SDAlg, Checked: make([]string, 0, 6)}
	isVC := false
	if opts.Typ != "" {
		isVC = mediaTypeIs(opts.Typ, TypVC) || mediaTypeIs(opts.Typ, TypVCLegacy)
		for _, s := range sd.sigs {
			if !typOK(s.header.Typ, opts) {
				return nil, fail(ReasonWrongTyp, "typ %q, want %q", truncate(s.header.Typ), opts.Typ)
			}
		}
		v.Checked = append(v.Checked, CheckTyp)
	}

	// The alg before any key lookup: "none" or a disallowed alg fails
	// without calling out.
	for _, s := range sd.sigs {
		if err := checkAlg(s.header.Alg, opts.Algorithms, ""); err != nil {
			return nil, err
		}
	}
	allowed := opts.SDAlgorithms
	if allowed == nil {
		allowed = []HashAlg{SHA256}
	}
	if !slices.Contains(allowed, sd.SDAlg) {
		return nil, fail(ReasonSDAlgNotAllowed, "_sd_alg %q is not allowed", sd.SDAlg)
	}
	for i, s := range sd.sigs {
		pub, err := opts.IssuerKey(ctx, s.header, sd.Payload)
		if err != nil || pub == nil {
			if err == nil {
				err = errors.New("IssuerKey returned no key")
			}
			return nil, &Error{Reason: ReasonKeyNotFound, Err: fmt.Errorf("signature %d: %w", i, err)}
		}
		if err := s.jws.Verify(pub, jws.VerifyOptions{Algorithms: opts.Algorithms}); err != nil {
			return nil, fromJWS(err, "")
		}
	}
	v.Checked = append(v.Checked, CheckIssuerSignature)

	critical := notDisclosable
	if isVC {
		critical = criticalVC
	}
	v.Disclosed = make([]string, len(sd.Disclosures))
	for i, d := range sd.Disclosures {
		v.Disclosed[i] = d.Path
		if strings.LastIndexByte(d.Path, '/') == 0 && !d.Element && slices.Contains(critical, d.Name) {
			return nil, fail(ReasonNotDisclosable, "claim %q must not be selectively disclosed", d.Name)
		}
	}
	slices.Sort(v.Disclosed)
	v.Checked = append(v.Checked, CheckDisclosures)

	if isVC {
		if vct, ok := sd.Payload["vct"].(string); !ok || vct == "" {
			return nil, fail(ReasonInvalidVC, "an SD-JWT VC needs a string vct")
		}
		v.Checked = append(v.Checked, CheckVC)
	}

	t := now(opts.Now)
	if exp, ok, err := numericDate(sd.claims, "exp"); err != nil {
		return nil, err
	} else if ok && !t.Add(-opts.ClockSkew).Before(exp) {
		return nil, fail(ReasonExpired, "expired at %s", exp.Format(time.RFC3339))
	}
	if nbf, ok, err := numericDate(sd.claims, "nbf"); err != nil {
		return nil, err
	} else if ok && t.Add(opts.ClockSkew).Before(nbf) {
		return nil, fail(ReasonNotYetValid, "not valid before %s", nbf.Format(time.RFC3339))
	}
	v.Checked = append(v.Checked, CheckValidity)

	if err := sd.verifyKeyBinding(v, t, opts); err != nil {
		return nil, err
	}
	if copyClaims {
		v.Claims = sd.Claims()
	} else {
		v.Claims = sd.claims
	}
	return v, nil
}

func (sd *SDJWT) verifyKeyBinding(v *Verified, now time.Time, opts VerifyOptions) error {
	holder, cnfErr := cnfKey(sd.claims)
	if cnfErr == nil {
		v.HolderKey = holder
	}
	if sd.KBJWT == nil {
		if opts.RequireKeyBinding {
			if errors.Is(cnfErr, ErrCnfMissing) {
				return fail(ReasonCnfMissing, "key binding is required but the credential has no cnf")
			}
			return fail(ReasonKBMissing, "key binding is required but the presentation has no KB-JWT")
		}
		return nil
	}
	if cnfErr != nil {
		return cnfErr
	}
	kb := sd.KBJWT
	if !mediaTypeIs(kb.Header.Typ, TypKB) {
		return fail(ReasonKBWrongTyp, "KB-JWT typ %q, want %q", truncate(kb.Header.Typ), TypKB)
	}
	algs := opts.KBAlgorithms
	if algs == nil {
		algs = opts.Algorithms
	}
	if err := checkAlg(kb.Header.Alg, algs, "kb_"); err != nil {
		return err
	}
	if err := kb.Verify(holder, jws.VerifyOptions{Algorithms: algs}); err != nil {
		return fromJWS(err, "kb_")
	}
	if !sd.SDAlg.digestIs(sd.prefix, sd.kb.sdHash) {
		return fail(ReasonKBWrongSDHash, "sd_hash does not match the presented SD-JWT")
	}
	maxAge := opts.MaxKBAge
	if maxAge <= 0 {
		maxAge = DefaultMaxKBAge
	}
	iat := sd.kb.iat
	if iat.After(now.Add(opts.ClockSkew)) {
		return fail(ReasonKBFuture, "KB-JWT iat %s is in the future", iat.Format(time.RFC3339))
	}
	if iat.Before(now.Add(-maxAge - opts.ClockSkew)) {
		return fail(ReasonKBStale, "KB-JWT iat %s is older than %s", iat.Format(time.RFC3339), maxAge)
	}
	if opts.Audience != "" && !slices.Contains(sd.kb.aud, opts.Audience) {
		return fail(ReasonKBWrongAud, "the presentation was made for another verifier")
	}
	if opts.Nonce != "" && subtle.ConstantTimeCompare([]byte(opts.Nonce), []byte(sd.kb.nonce)) != 1 {
		return fail(ReasonKBWrongNonce, "the presentation was not made for this challenge")
	}
	v.KeyBound = true
	v.KeyBinding = KeyBindingClaims{Audience: slices.Clone(sd.kb.aud), Nonce: sd.kb.nonce, IssuedAt: iat}
	v.Checked = append(v.Checked, CheckKeyBinding)
	return nil
}

// criticalVC are the claims SD-JWT VC forbids disclosing (iat may be
// disclosed, although IssueVC never does).
var criticalVC = []string{"iss", "aud", "exp", "nbf", "cnf", "vct", "vct#integrity", "status"}

// cnfKey decodes cnf.jwk (RFC 7800) of the processed claims.
func cnfKey(claims map[string]any) (crypto.PublicKey, error) {
	c, ok := claims["cnf"]
	if !ok {
		return nil, fail(ReasonCnfMissing, "the credential has no cnf")
	}
	cm, ok := c.(map[string]any)
	if !ok {
		return nil, fail(ReasonCnfInvalid, "cnf is not an object")
	}
	jm, ok := cm["jwk"].(map[string]any)
	if !ok {
		return nil, fail(ReasonCnfInvalid, "cnf has no jwk object (only cnf.jwk is supported)")
	}
	if _, priv := jm["d"]; priv {
		return nil, fail(ReasonCnfInvalid, "cnf.jwk holds a private key")
	}
	j, err := signing.JWKFromMap(jm)
	if err != nil {
		return nil, &Error{Reason: ReasonCnfInvalid, Err: err}
	}
	pub, err := j.PublicKey()
	if err != nil {
		return nil, &Error{Reason: ReasonCnfInvalid, Err: err}
	}
	return pub, nil
}

func checkAlg(alg signing.Algorithm, allowed []signing.Algorithm, prefix string) error {
	if strings.EqualFold(string(alg), "none") {
		return fail(prefix+ReasonAlgNone, `alg "none" is never accepted`)
	}
	if !slices.Contains(allowed, alg) {
		return fail(prefix+ReasonAlgNotAllowed, "alg %q is not allowed", truncate(string(alg)))
	}
	return nil
}

func typOK(got string, opts VerifyOptions) bool {
	if mediaTypeIs(got, opts.Typ) {
		return true
	}
	return opts.AllowLegacyTyp && mediaTypeIs(opts.Typ, TypVC) && mediaTypeIs(got, TypVCLegacy)
}

// mediaTypeIs compares a typ value with a media type subtype, accepting
// the "application/" prefix, case-insensitively (RFC 7515 section 4.1.9).
func mediaTypeIs(got, want string) bool {
	const app = "application/"
	if len(got) > len(app) && strings.EqualFold(got[:len(app)], app) {
		got = got[len(app):]
	}
	if len(want) > len(app) && strings.EqualFold(want[:len(app)], app) {
		want = want[len(app):]
	}
	return strings.EqualFold(got, want)
}
