package holdertest

import (
	"context"
	"crypto"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Epoch is the time fixtures are issued at: 2025-06-01T00:00:00Z.
var Epoch = time.Date(2025, time.June, 1, 0, 0, 0, 0, time.UTC)

// Minter mints real signed credentials of the catalogue types in memory,
// as an issuer whose DID is DID (did:key of Key unless set otherwise).
type Minter struct {
	Key crypto.Signer
	DID string // the issuer's DID
	KID string // the DID URL naming Key
	Now time.Time
	// Expiry is exp / validUntil; zero: none.
	Expiry time.Time
}

// NewMinter returns a Minter with a fresh Ed25519 key and its did:key.
func NewMinter(t testing.TB) *Minter {
	t.Helper()
	k, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	d, err := did.KeyDID(k.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &Minter{Key: k, DID: d, KID: d + "#" + strings.TrimPrefix(d, "did:key:"), Now: Epoch}
}

// Subject returns the credentialSubject of the catalogue's example of
// typ, as generic JSON values.
func Subject(t testing.TB, typ string) map[string]any {
	t.Helper()
	s, err := subject(typ)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func example(typ string) (map[string]any, error) {
	tt, ok := schemas.Lookup(typ)
	if !ok {
		return nil, fmt.Errorf("holdertest: unknown type %q", typ)
	}
	var doc map[string]any
	dec := json.NewDecoder(strings.NewReader(string(tt.Example)))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	return doc, nil
}

func subject(typ string) (map[string]any, error) {
	doc, err := example(typ)
	if err != nil {
		return nil, err
	}
	return doc["credentialSubject"].(map[string]any), nil
}

// Spec returns the catalogue's selectively disclosable pointers of typ
// that name something in claims.
func Spec(typ string, claims map[string]any) sdjwt.Spec {
	tt, _ := schemas.Lookup(typ)
	var spec sdjwt.Spec
	for _, p := range tt.SelectivelyDisclosable {
		if exists(claims, p) {
			spec = append(spec, p)
		}
	}
	return spec
}

func exists(v any, pointer string) bool {
	for _, tok := range strings.Split(pointer, "/")[1:] {
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

// SDJWT mints an SD-JWT VC of typ (the catalogue example's claims, the
// catalogue's disclosable split) bound to holderKey. A credentialSubject
// member that collides with an SD-JWT VC claim (JuristicPersonCredential's
// "status") is renamed with the prefix "subject_".
func (m *Minter) SDJWT(t testing.TB, typ string, holderKey crypto.PublicKey) string {
	t.Helper()
	s, err := m.MintSDJWT(typ, holderKey)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// MintSDJWT is SDJWT returning its error.
func (m *Minter) MintSDJWT(typ string, holderKey crypto.PublicKey) (string, error) {
	claims, err := subject(typ)
	if err != nil {
		return "", err
	}
	for _, r := range reservedVC {
		if v, ok := claims[r]; ok {
			delete(claims, r)
			claims["subject_"+r] = v
		}
	}
	s, err := sdjwt.IssueVC(sdjwt.VC{
		Type: holder.VCTBase + typ, Issuer: m.DID, IssuedAt: m.Now, Expiry: m.Expiry,
		Holder: holderKey, Claims: claims,
	}, Spec(typ, claims), sdjwt.Signer{Key: m.Key, KeyID: m.KID}, sdjwt.IssueOptions{})
	if err != nil {
		return "", fmt.Errorf("holdertest: minting %s: %w", typ, err)
	}
	return s, nil
}

// reservedVC are the claim names an SD-JWT VC sets itself.
var reservedVC = []string{"iss", "vct", "iat", "nbf", "exp", "cnf", "status", "aud", "sub"}

// JWT mints a vc+jwt of typ whose credentialSubject.id is the did:jwk of
// holderKey (nil: no subject id).
func (m *Minter) JWT(t testing.TB, typ string, holderKey crypto.PublicKey) string {
	t.Helper()
	s, err := m.MintJWT(typ, holderKey, "did:jwk")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// MintJWT mints a vc+jwt of typ naming holderKey as binding says:
// "did:jwk" (credentialSubject.id), "cnf" (a cnf.jwk member) or "none".
func (m *Minter) MintJWT(typ string, holderKey crypto.PublicKey, binding string) (string, error) {
	doc, err := example(typ)
	if err != nil {
		return "", err
	}
	doc["id"] = "urn:uuid:" + uuid()
	doc["issuer"] = m.DID
	doc["validFrom"] = m.Now.UTC().Format(time.RFC3339)
	if !m.Expiry.IsZero() {
		doc["validUntil"] = m.Expiry.UTC().Format(time.RFC3339)
	}
	if holderKey != nil {
		switch binding {
		case "did:jwk":
			d, err := did.JWKDID(holderKey)
			if err != nil {
				return "", err
			}
			doc["credentialSubject"].(map[string]any)["id"] = d
		case "cnf":
			j, err := signing.PublicJWK(holderKey)
			if err != nil {
				return "", err
			}
			doc["cnf"] = map[string]any{"jwk": j}
		}
	}
	alg, err := signing.AlgorithmFor(m.Key.Public())
	if err != nil {
		return "", err
	}
	return jose.SecureCredential(doc, jose.Signer{Key: m.Key, Algorithm: alg, KeyID: m.KID})
}

func uuid() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}

// NewKey returns a fresh holder key.
func NewKey(t testing.TB) (*holder.Key, crypto.Signer) {
	t.Helper()
	s, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	j, err := signing.PrivateJWK(s)
	if err != nil {
		t.Fatal(err)
	}
	return &holder.Key{JWK: j, Created: Epoch}, s
}

// Add mints a credential of typ in format (holder.FormatSDJWT or
// holder.FormatJWTVC) for a fresh holder key and adds it to w.
func (m *Minter) Add(t testing.TB, w *holder.Wallet, typ, format string) *holder.Credential {
	t.Helper()
	key, s := NewKey(t)
	c := &holder.Credential{Format: format, ReceivedAt: m.Now}
	switch format {
	case holder.FormatSDJWT:
		c.Raw = m.SDJWT(t, typ, s.Public())
	case holder.FormatJWTVC:
		c.Raw = m.JWT(t, typ, s.Public())
	default:
		t.Fatalf("holdertest: format %q", format)
	}
	if err := w.Add(context.Background(), c, key); err != nil {
		t.Fatal(err)
	}
	return c
}
