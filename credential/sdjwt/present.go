package sdjwt

import (
	"crypto"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Claim is one selectively disclosable claim of an SD-JWT, for a wallet's
// consent screen.
type Claim struct {
	// Path is the claim's JSON pointer in the processed claims; Present
	// takes it.
	Path string
	// Value is the claim as the verifier would see it if it and all that
	// is nested in it were disclosed.
	Value any
	// Disclosure is the disclosure that reveals it.
	Disclosure Disclosure
}

// Disclosable lists the claims the SD-JWT can disclose, sorted by path.
// Disclosing one also discloses every disclosable claim that contains it
// (listed with a shorter path). Values are copies the caller owns.
func (sd *SDJWT) Disclosable() []Claim {
	out := make([]Claim, 0, len(sd.Disclosures))
	for _, d := range sd.Disclosures {
		v, _ := lookup(sd.claims, d.Path)
		d.Value = deepCopy(d.Value)
		out = append(out, Claim{Path: d.Path, Value: deepCopy(v), Disclosure: d})
	}
	slices.SortFunc(out, func(a, b Claim) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// lookup returns the value at a concrete JSON pointer.
func lookup(doc any, pointer string) (any, bool) {
	var v any
	found := false
	_ = resolve(doc, pointer, func(_ string, x any) error {
		v, found = x, true
		return nil
	})
	return v, found
}

// KeyBinding is what the holder signs a KB-JWT with (RFC 9901 section
// 4.3): the verifier's audience and nonce, bound to the presented
// disclosures by sd_hash.
type KeyBinding struct {
	// Signer is the holder's private key, the one whose public key is
	// the SD-JWT's cnf.jwk. Required.
	Signer crypto.Signer
	// Alg is the KB-JWT alg; "" uses the key's.
	Alg signing.Algorithm
	// Audience is the verifier (its client id or URL). Required.
	Audience string
	// Nonce is the verifier's challenge. Required.
	Nonce string
	// IssuedAt is the KB-JWT iat; zero means time.Now().
	IssuedAt time.Time
}

// Present makes a presentation: the issuer JWT, the disclosures needed to
// reveal the claims at the given JSON pointers and, when kb is not nil, a
// KB-JWT over them. A pointer selects the claim it names in full (with
// every disclosable claim nested in it) and the disclosures of every claim
// containing it; "*" tokens match every element of an array, as in Spec;
// "" selects everything. This is what a verifier asking for "address"
// expects (DCQL claim paths select the same way). PresentOnly stops at
// the named claims instead.
//
// A pointer to a plaintext claim adds nothing but must exist: a pointer
// that names no claim is ErrNoSuchClaim, so that a wallet never presents
// something other than what it showed the person.
//
// The result has the serialization sd was parsed from; disclosures keep
// their issued order. sd must not already carry a KB-JWT. With kb, the
// SD-JWT must have a cnf.jwk matching kb.Signer.
func (sd *SDJWT) Present(claims []string, kb *KeyBinding) (string, error) {
	want, err := sd.resolveAll(claims)
	if err != nil {
		return "", err
	}
	return sd.present(kb, func(d *Disclosure) bool {
		for _, w := range want {
			// d contains the selected claim, or is inside it.
			if within(w, d.Path) || within(d.Path, w) {
				return true
			}
		}
		return false
	})
}

// PresentOnly is Present without the nested claims: it discloses the
// claims at the given pointers and those containing them, but nothing
// inside them that is itself selectively disclosable. For example, with
// "/address" and "/address/locality" disclosable, PresentOnly("/address")
// reveals an address object without locality.
func (sd *SDJWT) PresentOnly(claims []string, kb *KeyBinding) (string, error) {
	want, err := sd.resolveAll(claims)
	if err != nil {
		return "", err
	}
	return sd.present(kb, func(d *Disclosure) bool {
		for _, w := range want {
			if within(w, d.Path) {
				return true
			}
		}
		return false
	})
}

func (sd *SDJWT) resolveAll(claims []string) ([]string, error) {
	want := make([]string, 0, len(claims))
	for _, p := range claims {
		err := resolve(sd.claims, p, func(at string, _ any) error {
			want = append(want, at)
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("sdjwt: Present: %w", err)
		}
	}
	return want, nil
}

func (sd *SDJWT) present(kb *KeyBinding, selected func(*Disclosure) bool) (string, error) {
	if sd.KBJWT != nil {
		return "", errors.New("sdjwt: Present: the SD-JWT already carries a KB-JWT")
	}
	var sel []string
	for i := range sd.Disclosures {
		if selected(&sd.Disclosures[i]) {
			sel = append(sel, sd.Disclosures[i].Encoded)
		}
	}
	var kbJWT string
	if kb != nil {
		var err error
		if kbJWT, err = sd.keyBinding(sd.hashInput(sel), kb); err != nil {
			return "", err
		}
	}
	if sd.Serialization == Compact {
		return sd.hashInput(sel) + kbJWT, nil
	}
	return sd.presentJSON(sel, kbJWT)
}

// hashInput is what sd_hash covers for the given disclosures:
// <jwt>~<d1>~...~<dn>~, with <jwt> the compact issuer JWT (for the JSON
// serialization: the first signature's protected.payload.signature).
func (sd *SDJWT) hashInput(discs []string) string {
	var b strings.Builder
	b.WriteString(sd.sigs[0].compact)
	b.WriteByte('~')
	for _, d := range discs {
		b.WriteString(d)
		b.WriteByte('~')
	}
	return b.String()
}

func (sd *SDJWT) keyBinding(presented string, kb *KeyBinding) (string, error) {
	if kb.Signer == nil || kb.Audience == "" || kb.Nonce == "" {
		return "", errors.New("sdjwt: KeyBinding needs a Signer, an Audience and a Nonce")
	}
	holder, err := cnfKey(sd.claims)
	if err != nil {
		return "", fmt.Errorf("sdjwt: Present: %w", err)
	}
	if !sameKey(holder, kb.Signer.Public()) {
		return "", errors.New("sdjwt: Present: KeyBinding.Signer is not the key in the SD-JWT's cnf")
	}
	iat := kb.IssuedAt
	if iat.IsZero() {
		iat = time.Now()
	}
	payload := map[string]any{
		"iat":     json.Number(fmt.Sprint(iat.Unix())),
		"aud":     kb.Audience,
		"nonce":   kb.Nonce,
		"sd_hash": sd.SDAlg.Digest(presented),
	}
	body, err := appendJSON(nil, payload, false)
	if err != nil {
		return "", err
	}
	tok, err := jws.Sign(kb.Signer, jws.Header{Alg: kb.Alg, Typ: TypKB}, body)
	if err != nil {
		return "", fmt.Errorf("sdjwt: KB-JWT: %w", err)
	}
	return tok, nil
}

// sameKey compares two public keys of the types signing supports.
func sameKey(a, b crypto.PublicKey) bool {
	k, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && k.Equal(b)
}

// presentJSON rebuilds the JSON serialization with the selected
// disclosures and the KB-JWT in the first unprotected header.
func (sd *SDJWT) presentJSON(sel []string, kbJWT string) (string, error) {
	withHeader := func(sig map[string]any) map[string]any {
		out := make(map[string]any, len(sig)+1)
		for k, v := range sig {
			out[k] = v
		}
		h := map[string]any{}
		if old, ok := sig["header"].(map[string]any); ok {
			for k, v := range old {
				h[k] = v
			}
		}
		ds := make([]any, len(sel))
		for i, d := range sel {
			ds[i] = d
		}
		h["disclosures"] = ds
		delete(h, "kb_jwt")
		if kbJWT != "" {
			h["kb_jwt"] = kbJWT
		}
		out["header"] = h
		return out
	}
	var doc map[string]any
	if sd.Serialization == JSONFlattened {
		doc = withHeader(sd.doc)
	} else {
		sigs := slices.Clone(sd.doc["signatures"].([]any))
		sigs[0] = withHeader(sigs[0].(map[string]any))
		doc = map[string]any{"payload": sd.doc["payload"], "signatures": sigs}
	}
	b, err := appendJSON(nil, doc, false)
	if err != nil {
		return "", fmt.Errorf("sdjwt: %w", err)
	}
	return string(b), nil
}
