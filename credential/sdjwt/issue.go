package sdjwt

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Media type and typ values (RFC 9901, draft-ietf-oauth-sd-jwt-vc).
const (
	// TypVC is the typ of an SD-JWT VC issuer JWT.
	TypVC = "dc+sd-jwt"
	// TypVCLegacy is the typ earlier drafts of SD-JWT VC used. Verify
	// accepts it only with VerifyOptions.AllowLegacyTyp; nothing here
	// issues it.
	TypVCLegacy = "vc+sd-jwt"
	// TypKB is the typ of a key-binding JWT.
	TypKB = "kb+jwt"
	// MediaTypeVC is the media type of an SD-JWT VC.
	MediaTypeVC = "application/dc+sd-jwt"
)

// DefaultDecoys is the most decoy digests Issue adds to an object or array
// that has selectively disclosable members when IssueOptions.Decoys is 0.
const DefaultDecoys = 3

// NoDecoys, as IssueOptions.Decoys, adds no decoy digests.
const NoDecoys = -1

// Spec lists the selectively disclosable claims as JSON pointers (RFC
// 6901) into the claims given to Issue:
//
//	"/given_name"              an object member
//	"/address/street_address"  a member of a nested object
//	"/nationalities/0"         one array element
//	"/nationalities/*"         every element of an array ("*" matches
//	                           array elements only; in an object it is
//	                           the member named "*")
//
// Entries nest: with "/address" and "/address/locality" both listed, the
// address is disclosable as a whole, and its locality is disclosable
// within it (recursive disclosure). Every entry must name at least one
// existing claim (a typo would otherwise leave a claim always visible),
// and the root "" cannot be disclosable.
type Spec []string

// Signer is the issuer's (or holder's) key and how to name it.
type Signer struct {
	// Key signs. Required.
	Key crypto.Signer
	// Algorithm is the JWS alg; "" uses the key's (signing.AlgorithmFor).
	Algorithm signing.Algorithm
	// KeyID is the header kid, normally a DID URL naming the
	// verification method (did:web:issuer.example.th#key-1); "" for none.
	KeyID string
	// X5C is the header x5c certificate chain (standard base64 DER, leaf
	// first); nil for none.
	X5C []string
}

// IssueOptions tune Issue and IssueVC. The zero value is ready to use.
type IssueOptions struct {
	// Typ is the issuer JWT's typ header. Issue: "" leaves typ out (RFC
	// 9901 section 9.11 recommends an application-specific one). IssueVC
	// ignores it and always uses TypVC.
	Typ string
	// SDAlg is the digest algorithm (_sd_alg); "" means SHA256.
	SDAlg HashAlg
	// Decoys is the most decoy digests added to each object and array
	// that has selectively disclosable members; the number added varies
	// uniformly from 1 to Decoys. 0 means DefaultDecoys; NoDecoys (or any
	// negative value) adds none.
	Decoys int
	// Rand is the source of salts and decoys; nil means crypto/rand.
	// WARNING: anything but a cryptographically secure source lets a
	// verifier guess undisclosed claims by hashing candidates.
	Rand io.Reader
	// Now is the clock IssueVC takes a missing IssuedAt from; nil means
	// time.Now.
	Now func() time.Time
	// Header holds extra issuer JWT header parameters (see jws.Header
	// Extra); nil for none.
	Header map[string]any

	// testDisclosure, in tests, supplies the salt (and optionally the
	// exact encoding) of the disclosure of the claim at a concrete
	// pointer, to reproduce published examples.
	testDisclosure func(pointer string) (salt, encoded string, ok bool)
}

// notDisclosable are the claims RFC 9901 section 9.7 calls security
// critical: a holder must not be able to hide them.
var notDisclosable = []string{"iss", "aud", "exp", "nbf", "cnf"}

// notDisclosableVC adds the claims SD-JWT VC says must never be
// selectively disclosable, and iat, which ThaiTrust keeps visible.
var notDisclosableVC = []string{"iss", "aud", "exp", "nbf", "cnf", "vct", "vct#integrity", "status", "iat"}

// Issue secures claims as an SD-JWT: the members and elements named by
// disclose become disclosures (with 128-bit salts from opts.Rand), their
// digests go into _sd arrays (sorted, with decoys) and {"...": digest}
// array elements, and the payload (with _sd_alg) is signed by s. The
// result is the compact form <jwt>~<d1>~...~<dn>~ with every disclosure,
// for the holder.
//
// Claims are encoded with encoding/json; the map is not modified. Claims
// must not use the names "_sd" or "..." anywhere, nor "_sd_alg" at the
// top. disclose must not name iss, aud, exp, nbf or cnf, nor anything
// inside them: a holder must not be able to hide them.
func Issue(claims map[string]any, disclose Spec, s Signer, opts IssueOptions) (string, error) {
	return issue(claims, disclose, s, opts, opts.Typ, notDisclosable)
}

// VC is the content of an SD-JWT VC (draft-ietf-oauth-sd-jwt-vc).
type VC struct {
	// Type is vct, the credential type (a URI). Required.
	Type string
	// Issuer is iss (an HTTPS URL or a DID). Required.
	Issuer string
	// IssuedAt is iat; zero means IssueOptions.Now().
	IssuedAt time.Time
	// NotBefore is nbf; zero for none.
	NotBefore time.Time
	// Expiry is exp; zero for none.
	Expiry time.Time
	// Holder is the holder's public key, put in cnf.jwk so that
	// presentations can be key-bound. Required.
	Holder crypto.PublicKey
	// Status is the status claim (for example a status list reference);
	// nil for none.
	Status map[string]any
	// Claims are the other claims. They must not contain the names the
	// fields above set (iss, vct, iat, nbf, exp, cnf, status).
	Claims map[string]any
}

// IssueVC secures vc as an SD-JWT VC: typ dc+sd-jwt, vct, iss, iat,
// optional nbf and exp, cnf with the holder's JWK and optional status,
// all always visible; the other claims are selectively disclosable as
// disclose says (pointers into vc.Claims' members, at the top level of
// the payload). disclose must not name iss, vct, iat, nbf, exp, cnf,
// status (or aud, vct#integrity). The signer must name its key with
// KeyID or X5C, so that verifiers can find it.
func IssueVC(vc VC, disclose Spec, s Signer, opts IssueOptions) (string, error) {
	if vc.Type == "" || vc.Issuer == "" {
		return "", errors.New("sdjwt: IssueVC needs a vct (VC.Type) and an iss (VC.Issuer)")
	}
	if vc.Holder == nil {
		return "", errors.New("sdjwt: IssueVC needs the holder's public key (VC.Holder)")
	}
	if s.KeyID == "" && len(s.X5C) == 0 {
		return "", errors.New("sdjwt: IssueVC needs a Signer.KeyID or Signer.X5C")
	}
	jwk, err := signing.PublicJWK(vc.Holder)
	if err != nil {
		return "", fmt.Errorf("sdjwt: holder key: %w", err)
	}
	claims := make(map[string]any, len(vc.Claims)+8)
	for k, v := range vc.Claims {
		if slices.Contains(notDisclosableVC, k) {
			return "", fmt.Errorf("sdjwt: VC.Claims must not set %q; use the VC field", k)
		}
		claims[k] = v
	}
	iat := vc.IssuedAt
	if iat.IsZero() {
		iat = now(opts.Now)
	}
	claims["vct"] = vc.Type
	claims["iss"] = vc.Issuer
	claims["iat"] = iat.Unix()
	if !vc.NotBefore.IsZero() {
		claims["nbf"] = vc.NotBefore.Unix()
	}
	if !vc.Expiry.IsZero() {
		claims["exp"] = vc.Expiry.Unix()
	}
	claims["cnf"] = map[string]any{"jwk": jwk}
	if vc.Status != nil {
		claims["status"] = vc.Status
	}
	return issue(claims, disclose, s, opts, TypVC, notDisclosableVC)
}

func now(f func() time.Time) time.Time {
	if f != nil {
		return f()
	}
	return time.Now()
}

func issue(claims map[string]any, disclose Spec, s Signer, opts IssueOptions, typ string, forbidden []string) (string, error) {
	if s.Key == nil {
		return "", errors.New("sdjwt: Signer.Key is nil")
	}
	alg := opts.SDAlg
	if alg == "" {
		alg = SHA256
	}
	if !alg.known() {
		return "", fmt.Errorf("sdjwt: unknown _sd_alg %q", alg)
	}
	nv, err := normalize(claims)
	if err != nil {
		return "", fmt.Errorf("sdjwt: claims: %w", err)
	}
	doc, ok := nv.(map[string]any)
	if !ok {
		return "", errors.New("sdjwt: claims are not a JSON object")
	}
	if _, ok := doc["_sd_alg"]; ok {
		return "", errors.New(`sdjwt: claims must not contain "_sd_alg"`)
	}
	if err := checkReserved(doc); err != nil {
		return "", err
	}
	is := issuer{alg: alg, rand: opts.Rand, decoys: opts.Decoys, marked: map[string]bool{}, test: opts.testDisclosure}
	if is.rand == nil {
		is.rand = rand.Reader
	}
	if is.decoys == 0 {
		is.decoys = DefaultDecoys
	}
	for _, p := range disclose {
		err := resolve(doc, p, func(at string, _ any) error {
			if at == "" {
				return errors.New("sdjwt: the whole claims object cannot be selectively disclosable")
			}
			toks, _ := splitPointer(at)
			if slices.Contains(forbidden, toks[0]) {
				return fmt.Errorf("sdjwt: %q must not be selectively disclosable (%s)", p, toks[0])
			}
			is.marked[at] = true
			return nil
		})
		if err != nil {
			if errors.Is(err, ErrNoSuchClaim) {
				return "", fmt.Errorf("sdjwt: disclose: %w", err)
			}
			return "", err
		}
	}
	out, err := is.value(doc, "")
	if err != nil {
		return "", err
	}
	payload := out.(map[string]any)
	payload["_sd_alg"] = string(alg)
	body, err := appendJSON(nil, payload, false)
	if err != nil {
		return "", fmt.Errorf("sdjwt: payload: %w", err)
	}
	var extra map[string]any
	if len(opts.Header) > 0 {
		extra = make(map[string]any, len(opts.Header))
		for k, v := range opts.Header {
			extra[k] = v
		}
	}
	jwt, err := jws.Sign(s.Key, jws.Header{Alg: s.Algorithm, Kid: s.KeyID, Typ: typ, X5C: s.X5C, Extra: extra}, body)
	if err != nil {
		return "", fmt.Errorf("sdjwt: %w", err)
	}
	n := len(jwt) + 1
	for _, d := range is.discs {
		n += len(d) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, jwt...)
	b = append(b, '~')
	for _, d := range is.discs {
		b = append(b, d...)
		b = append(b, '~')
	}
	return string(b), nil
}

// checkReserved rejects claims that use the names SD-JWT gives meaning to.
func checkReserved(v any) error {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "_sd" || k == "..." {
				return fmt.Errorf("sdjwt: claims must not use the reserved name %q", k)
			}
			if err := checkReserved(e); err != nil {
				return err
			}
		}
	case []any:
		for _, e := range x {
			if err := checkReserved(e); err != nil {
				return err
			}
		}
	}
	return nil
}

type issuer struct {
	alg    HashAlg
	rand   io.Reader
	decoys int
	marked map[string]bool
	discs  []string
	test   func(string) (string, string, bool)
}

// value returns v with its disclosable parts replaced by digests,
// recording the disclosures.
func (is *issuer) value(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		out := make(map[string]any, len(x)+1)
		var sd []string
		for _, k := range keys {
			at := path + "/" + escapeToken(k)
			cv, err := is.value(x[k], at)
			if err != nil {
				return nil, err
			}
			if !is.marked[at] {
				out[k] = cv
				continue
			}
			d, err := is.disclose(at, &k, cv)
			if err != nil {
				return nil, err
			}
			sd = append(sd, d)
		}
		if len(sd) > 0 {
			n, err := is.decoyCount()
			if err != nil {
				return nil, err
			}
			for range n {
				d, err := is.decoy()
				if err != nil {
					return nil, err
				}
				sd = append(sd, d)
			}
			slices.Sort(sd) // hides the order of the claims
			a := make([]any, len(sd))
			for i, d := range sd {
				a[i] = d
			}
			out["_sd"] = a
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		hidden := false
		for i, e := range x {
			at := path + "/" + strconv.Itoa(i)
			cv, err := is.value(e, at)
			if err != nil {
				return nil, err
			}
			if !is.marked[at] {
				out = append(out, cv)
				continue
			}
			d, err := is.disclose(at, nil, cv)
			if err != nil {
				return nil, err
			}
			out = append(out, map[string]any{"...": d})
			hidden = true
		}
		if hidden {
			n, err := is.decoyCount()
			if err != nil {
				return nil, err
			}
			for range n {
				d, err := is.decoy()
				if err != nil {
					return nil, err
				}
				pos, err := randIntn(is.rand, len(out)+1)
				if err != nil {
					return nil, err
				}
				out = slices.Insert(out, pos, any(map[string]any{"...": d}))
			}
		}
		return out, nil
	}
	return v, nil
}

// disclose creates the disclosure of the claim at path and returns its
// digest.
func (is *issuer) disclose(path string, name *string, value any) (string, error) {
	var salt, enc string
	if is.test != nil {
		var ok bool
		if salt, enc, ok = is.test(path); !ok {
			salt = ""
		}
	}
	if salt == "" {
		var b [16]byte
		if _, err := io.ReadFull(is.rand, b[:]); err != nil {
			return "", fmt.Errorf("sdjwt: salt: %w", err)
		}
		salt = base64.RawURLEncoding.EncodeToString(b[:])
	}
	if enc == "" {
		var err error
		if enc, err = encodeDisclosure(salt, name, value); err != nil {
			return "", err
		}
	}
	is.discs = append(is.discs, enc)
	return is.alg.Digest(enc), nil
}

func (is *issuer) decoyCount() (int, error) {
	if is.decoys <= 0 {
		return 0, nil
	}
	n, err := randIntn(is.rand, is.decoys)
	return n + 1, err
}

// decoy returns a digest-sized random value: indistinguishable from the
// digest of a disclosure nobody will ever see.
func (is *issuer) decoy() (string, error) {
	size := 32
	switch is.alg {
	case SHA384:
		size = 48
	case SHA512:
		size = 64
	}
	b := make([]byte, size)
	if _, err := io.ReadFull(is.rand, b); err != nil {
		return "", fmt.Errorf("sdjwt: decoy: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// randIntn returns a uniform integer in [0, n) read from r.
func randIntn(r io.Reader, n int) (int, error) {
	if n <= 1 {
		return 0, nil
	}
	limit := ^uint32(0) - ^uint32(0)%uint32(n) // largest multiple of n
	var b [4]byte
	for {
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return 0, fmt.Errorf("sdjwt: random: %w", err)
		}
		if v := binary.BigEndian.Uint32(b[:]); v < limit {
			return int(v % uint32(n)), nil
		}
	}
}
