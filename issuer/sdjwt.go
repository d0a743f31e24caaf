package issuer

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// bindHolder returns a copy of the credential document bound to the
// holder key: a did:key or did:jwk credentialSubject.id must be that
// key's; with setID, a missing id becomes the key's did:key. Other
// subject ids are kept (the SD-JWT VC binds through cnf anyway).
func bindHolder(in map[string]any, key crypto.PublicKey, setID bool) (map[string]any, error) {
	if _, err := signing.PublicJWK(key); err != nil {
		return nil, fmt.Errorf("%w: holder key: %v", ErrBadRequest, err)
	}
	if in == nil {
		return nil, nil // Prepare reports it
	}
	cs, ok := in["credentialSubject"].(map[string]any)
	if !ok {
		return in, nil // Prepare reports a missing subject; several subjects cannot be bound
	}
	if id, ok := cs["id"].(string); ok {
		pub, isKey, err := SubjectKey(id)
		if err != nil {
			return nil, &InvalidError{Field: "/credentialSubject/id", Reason: "holder_key_invalid", Msg: "the subject's did:key or did:jwk does not decode", Err: credential.ErrInvalid}
		}
		if isKey && !sameKey(pub, key) {
			return nil, fmt.Errorf("%w: credentialSubject.id is %s, not the holder key's DID", ErrBadRequest, id)
		}
		return in, nil
	}
	if !setID {
		return in, nil
	}
	id, err := did.KeyDID(key)
	if err != nil {
		return nil, fmt.Errorf("%w: holder key: %v", ErrBadRequest, err)
	}
	out := make(map[string]any, len(in))
	for k, v := range in {
		out[k] = v
	}
	sub := make(map[string]any, len(cs)+1)
	for k, v := range cs {
		sub[k] = v
	}
	sub["id"] = id
	out["credentialSubject"] = sub
	return out, nil
}

// SubjectKey returns the public key a did:key or did:jwk names (isKey
// true), or isKey false for any other identifier. A did:key or did:jwk
// that does not decode is an error.
func SubjectKey(id string) (pub crypto.PublicKey, isKey bool, err error) {
	base, _, _ := strings.Cut(id, "#")
	switch {
	case strings.HasPrefix(base, "did:key:"):
		pub, err = did.ParseKeyDID(base)
	case strings.HasPrefix(base, "did:jwk:"):
		_, pub, err = did.ParseJWKDID(base)
	default:
		return nil, false, nil
	}
	return pub, true, err
}

func sameKey(a, b crypto.PublicKey) bool {
	ta, err1 := signing.Thumbprint(a)
	tb, err2 := signing.Thumbprint(b)
	return err1 == nil && err2 == nil && ta == tb
}

// reservedClaims are the claim names an SD-JWT VC gives meaning to; a
// credentialSubject member may not take one (schemas.SDJWTName renames the
// catalogue's).
var reservedClaims = []string{"iss", "iat", "nbf", "exp", "vct", "vct#integrity", "cnf", "status", "aud", "jti",
	"_sd", "_sd_alg", "...", "evidence", schemas.AgeClaim}

// secureSDJWT builds the SD-JWT VC of a completed catalogue credential
// document: the members of credentialSubject as top-level claims (named by
// schemas.SDJWTName), evidence, the derived age claim, iss, iat, nbf and
// exp from the document's issuer, validFrom and validUntil, cnf with the
// holder key and status pointing at the token status list.
func (s *Service) secureSDJWT(typ string, doc map[string]any, c *credential.Credential, listID string, index uint64, holder crypto.PublicKey) (string, error) {
	cs, ok := doc["credentialSubject"].(map[string]any)
	if !ok {
		return "", &InvalidError{Field: "/credentialSubject", Reason: "subject_not_single", Msg: "an SD-JWT VC has one subject: credentialSubject must be an object", Err: credential.ErrInvalid}
	}
	claims := make(map[string]any, len(cs)+2)
	for k, v := range cs {
		name := schemas.SDJWTName(typ, k)
		if slices.Contains(reservedClaims, name) || (name == "sub" && k != "id") {
			return "", &InvalidError{Field: "/credentialSubject/" + k, Reason: "reserved_claim",
				Msg: "the member's name is reserved in an SD-JWT VC", Err: credential.ErrInvalid}
		}
		claims[name] = v
	}
	if ev, ok := doc["evidence"]; ok {
		claims["evidence"] = ev
	}
	if schemas.HasAgeClaim(typ) {
		if bd, ok := cs["birthDate"].(string); ok {
			if age := ageClaims(bd, s.now()); len(age) > 0 {
				claims[schemas.AgeClaim] = age
			}
		}
	}
	var disclose sdjwt.Spec
	for _, p := range schemas.SDJWTDisclosable(typ) {
		if hasPointer(claims, p) {
			disclose = append(disclose, p)
		}
	}
	vc := sdjwt.VC{
		Type:      schemas.VCT(typ),
		Issuer:    s.profile.DID,
		IssuedAt:  s.now().Truncate(time.Second),
		NotBefore: c.ValidFrom,
		Expiry:    c.ValidUntil,
		Holder:    holder,
		Claims:    claims,
	}
	if listID != "" {
		vc.Status = map[string]any{"status_list": map[string]any{"idx": index, "uri": s.TokenListURL(listID)}}
	}
	signer := sdjwt.Signer{Key: s.profile.Signer.Key, Algorithm: s.profile.Signer.Algorithm, KeyID: s.profile.Signer.KeyID}
	tok, err := sdjwt.IssueVC(vc, disclose, signer, sdjwt.IssueOptions{Rand: s.cfg.Rand, Now: s.now})
	if err != nil {
		return "", fmt.Errorf("issuer: signing the SD-JWT VC: %w", err)
	}
	return tok, nil
}

// hasPointer reports whether the JSON pointer p (object members only)
// names a claim in claims.
func hasPointer(claims map[string]any, p string) bool {
	var v any = claims
	for _, tok := range strings.Split(strings.TrimPrefix(p, "/"), "/") {
		m, ok := v.(map[string]any)
		if !ok {
			return false
		}
		if v, ok = m[tok]; !ok {
			return false
		}
	}
	return true
}

// ageClaims computes the age_equal_or_over members from an ISO birth date
// reduced to the known precision (YYYY, YYYY-MM or YYYY-MM-DD), as of now
// in Thai time. A member is present only when the answer is certain
// whatever the unknown day or month is; nothing is returned for a date
// that does not parse.
func ageClaims(birthDate string, now time.Time) map[string]any {
	var first, last time.Time
	switch len(birthDate) {
	case 4:
		y, err := strconv.Atoi(birthDate)
		if err != nil {
			return nil
		}
		first = time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC)
		last = time.Date(y, 12, 31, 0, 0, 0, 0, time.UTC)
	case 7:
		t, err := time.Parse("2006-01", birthDate)
		if err != nil {
			return nil
		}
		first = t
		last = t.AddDate(0, 1, -1)
	case 10:
		t, err := time.Parse(time.DateOnly, birthDate)
		if err != nil {
			return nil
		}
		first, last = t, t
	default:
		return nil
	}
	ty, tm, td := now.In(ict).Date()
	today := time.Date(ty, tm, td, 0, 0, 0, 0, time.UTC)
	out := map[string]any{}
	for _, n := range schemas.AgeThresholds {
		switch {
		case !birthday(last, n).After(today): // even the latest possible birth date is n years ago
			out[strconv.Itoa(n)] = true
		case birthday(first, n).After(today): // even the earliest is not
			out[strconv.Itoa(n)] = false
		}
	}
	return out
}

// birthday is the n-th birthday of someone born on b (29 February: 1
// March in common years).
func birthday(b time.Time, n int) time.Time {
	return time.Date(b.Year()+n, b.Month(), b.Day(), 0, 0, 0, 0, time.UTC)
}

// TokenListURL returns the URL of a list's Token Status List, which
// SD-JWT VCs name as status.status_list.uri.
func (s *Service) TokenListURL(listID string) string {
	return strings.TrimSuffix(s.profile.TokenStatusBaseURL, "/") + "/" + listID
}

// TokenStatusList returns the list's signed IETF Token Status List
// (statuslist+jwt) with 2 bits per index: TokenInvalid (1) where the
// credential is revoked, else TokenSuspended (2) where it is suspended,
// else TokenValid (0). Like StatusListCredential, the signed token is
// cached until the bits change or half its validity has passed; it is
// valid for Config.ListValidity (exp) and carries Config.ListTTL (ttl).
func (s *Service) TokenStatusList(ctx context.Context, listID string) (string, error) {
	l, err := s.cfg.Store.GetList(ctx, s.profile.Name, listID)
	if err != nil {
		return "", err
	}
	if uint64(len(l.Revoked))*8 != l.Size || uint64(len(l.Suspended))*8 != l.Size {
		return "", errors.New("issuer: stored bitstrings do not match the list size")
	}
	key := "token/" + listID
	bits := make([]byte, 0, len(l.Revoked)+len(l.Suspended))
	bits = append(append(bits, l.Revoked...), l.Suspended...)
	now := s.now()
	s.pubMu.Lock()
	p, ok := s.pub[key]
	s.pubMu.Unlock()
	if ok && string(p.bits) == string(bits) && now.Sub(p.signed) < s.cfg.ListValidity/2 && !now.Before(p.signed) {
		return p.token, nil
	}
	lst, err := status.EncodeTokenList(2, func(i int) uint8 {
		mask := byte(0x80) >> (uint(i) & 7) // Bitstring order: most significant bit first
		switch {
		case l.Revoked[i>>3]&mask != 0:
			return status.TokenInvalid
		case l.Suspended[i>>3]&mask != 0:
			return status.TokenSuspended
		}
		return status.TokenValid
	}, int(l.Size))
	if err != nil {
		return "", fmt.Errorf("issuer: encoding token status list: %w", err)
	}
	from := now.Truncate(time.Second)
	token, err := status.SignTokenList(s.profile.Signer.Key, s.profile.Signer.Algorithm, s.profile.Signer.KeyID, status.TokenListClaims{
		Subject: s.TokenListURL(listID), Issuer: s.profile.DID, IssuedAt: from, Expiry: from.Add(s.cfg.ListValidity),
		TTL: max(s.cfg.ListTTL.Truncate(time.Second), time.Second), Bits: 2, List: lst,
	})
	if err != nil {
		return "", fmt.Errorf("issuer: signing token status list: %w", err)
	}
	s.pubMu.Lock()
	s.pub[key] = published{bits: bits, signed: now, token: token}
	s.pubMu.Unlock()
	return token, nil
}
