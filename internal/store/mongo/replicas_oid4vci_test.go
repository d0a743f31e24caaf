package mongo_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/issuer"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/issuer/oid4vci"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// oidReplica is one ThaiTrust process: its own database client, issuer
// service and OpenID4VCI service, for the same issuer profile as the
// others.
type oidReplica struct {
	issuer *issuer.Service
	oid    *oid4vci.Service
}

func oidReplicas(t *testing.T, n int) ([]oidReplica, *issuertest.VirtualIssuer) {
	t.Helper()
	dbs := replicas(t, n)
	first := issuertest.NewVirtualIssuerConfig(t, "university", signing.EdDSA, issuer.Config{Store: dbs[0].Issuer()}, "DegreeCredential")
	first.Clock.Set(time.Now().UTC().Truncate(time.Second)) // proofs carry a real iat
	out := make([]oidReplica, n)
	for i, db := range dbs {
		svc := first.Service
		if i > 0 {
			var err error
			if svc, err = issuer.New(issuer.Config{Store: db.Issuer(), Profile: first.Service.Profile(), Now: first.Clock.Now}); err != nil {
				t.Fatal(err)
			}
		}
		o, err := oid4vci.New(oid4vci.Config{Issuer: svc, Store: db.OID4VCI(), CredentialIssuer: first.BaseURL, Now: first.Clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = oidReplica{issuer: svc, oid: o}
	}
	return out, first
}

// redeem creates an offer on r and redeems its code there.
func redeem(t *testing.T, r oidReplica, doc map[string]any) string {
	t.Helper()
	ctx := context.Background()
	o, err := r.oid.CreateOffer(ctx, oid4vci.OfferRequest{Credential: issuertest.Clone(doc), Format: issuer.FormatVCJWT})
	if err != nil {
		t.Fatal(err)
	}
	tok, err := r.oid.Token(ctx, oid4vci.TokenRequest{GrantType: oid4vci.GrantPreAuthorized, Code: preAuthCode(t, o)})
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken
}

func preAuthCode(t *testing.T, o *oid4vci.CreatedOffer) string {
	t.Helper()
	g, _ := o.Offer.Grants[oid4vci.GrantPreAuthorized].(map[string]any)
	code, _ := g["pre-authorized_code"].(string)
	if code == "" {
		t.Fatalf("offer without a pre-authorized code: %+v", o.Offer.Grants)
	}
	return code
}

// proof signs a key proof for a new key with nonce.
func proof(t *testing.T, aud, nonce string, now time.Time) string {
	t.Helper()
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := signing.PublicJWK(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"aud": aud, "iat": now.Unix(), "nonce": nonce})
	p, err := jws.Sign(key, jws.Header{Typ: oid4vci.TypProof, JWK: &pub}, payload)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestReplicasNonceOnce: one c_nonce, used in credential requests sent at
// once to every replica (each with its own valid access token), is
// accepted by exactly one of them; the others answer invalid_nonce. And of
// concurrent redemptions of one pre-authorized code on every replica,
// exactly one gets an access token.
func TestReplicasNonceOnce(t *testing.T) {
	const nReplicas, rounds = 3, 6
	ctx := context.Background()
	reps, vi := oidReplicas(t, nReplicas)
	doc := issuertest.Example(t, "DegreeCredential")
	aud := reps[0].oid.CredentialIssuer()

	for round := range rounds {
		tokens := make([]string, nReplicas)
		for i, r := range reps {
			tokens[i] = redeem(t, r, doc)
		}
		nonce, err := reps[round%nReplicas].oid.Nonce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var (
			wg       sync.WaitGroup
			accepted = make([]bool, nReplicas)
			errs     = make([]error, nReplicas)
		)
		for i, r := range reps {
			p := proof(t, aud, nonce, vi.Clock.Now())
			wg.Go(func() {
				res, err := r.oid.Credential(ctx, tokens[i], oid4vci.CredentialRequest{ConfigurationID: "DegreeCredential.jwt", Proofs: []string{p}})
				accepted[i], errs[i] = err == nil && len(res.Credentials) == 1, err
			})
		}
		wg.Wait()
		n := 0
		for i, ok := range accepted {
			var e *oid4vci.Error
			switch {
			case ok:
				n++
			case errors.As(errs[i], &e) && e.Code == oid4vci.CodeInvalidNonce:
			default:
				t.Errorf("round %d, replica %d: %v, want success or invalid_nonce", round, i, errs[i])
			}
		}
		if n != 1 {
			t.Errorf("round %d: the nonce was accepted %d times, want once", round, n)
		}
	}

	// One pre-authorized code, redeemed on every replica at once.
	for round := range rounds {
		o, err := reps[0].oid.CreateOffer(ctx, oid4vci.OfferRequest{Credential: issuertest.Clone(doc), Format: issuer.FormatVCJWT})
		if err != nil {
			t.Fatal(err)
		}
		code := preAuthCode(t, o)
		var (
			wg  sync.WaitGroup
			mu  sync.Mutex
			won int
		)
		for i, r := range reps {
			wg.Go(func() {
				_, err := r.oid.Token(ctx, oid4vci.TokenRequest{GrantType: oid4vci.GrantPreAuthorized, Code: code})
				var e *oid4vci.Error
				switch {
				case err == nil:
					mu.Lock()
					won++
					mu.Unlock()
				case errors.As(err, &e) && e.Code == oid4vci.CodeInvalidGrant:
				default:
					t.Errorf("round %d, replica %d: %v", round, i, err)
				}
			})
		}
		wg.Wait()
		if won != 1 {
			t.Errorf("round %d: the pre-authorized code was redeemed %d times, want once", round, won)
		}
	}
}
