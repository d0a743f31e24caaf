package holder_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/jws"
)

func liveWallet(t *testing.T, s holder.Store) *holder.Wallet {
	t.Helper()
	if s == nil {
		s = holdertest.NewMemoryStore()
	}
	w, err := holder.New(context.Background(), holder.Config{Store: s})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func keyCount(t *testing.T, s holder.Store) int {
	n := 0
	if err := s.Keys(context.Background(), func(*holder.Key) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestReceiveSDJWT(t *testing.T) {
	ctx := context.Background()
	is := holdertest.NewIssuer(t, "university")
	store := holdertest.NewMemoryStore()
	w := liveWallet(t, store)
	uri := is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{TxCode: "493536"})

	o, err := w.ResolveOffer(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	if o.TxCode == nil || o.TxCode.Length != 6 || o.IssuerName["th"] != "มหาวิทยาลัยธารทอง" || len(o.Credentials) != 1 ||
		o.Credentials[0].Type != "DegreeCredential" || o.Credentials[0].Title["th"] != "ปริญญาบัตร" {
		t.Fatalf("offer %+v", o)
	}
	if _, err := w.Accept(ctx, o, holder.ReceiveOptions{}); !errors.Is(err, holder.ErrTxCodeRequired) {
		t.Fatalf("Accept without tx code = %v", err)
	}
	creds, err := w.Accept(ctx, o, holder.ReceiveOptions{TxCode: "493536"})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 1 {
		t.Fatalf("%d credentials", len(creds))
	}
	c := creds[0]
	if c.Format != holder.FormatSDJWT || c.Issuer != is.DID || c.IssuerURL != is.ID || c.Type != "DegreeCredential" ||
		c.VCT != holder.VCTBase+"DegreeCredential" || c.Batch != "" || c.ConfigurationID != "DegreeCredential.sd_jwt" {
		t.Errorf("credential %+v", c)
	}
	// The proof: typ, jwk, aud, nonce; the key is the one the credential
	// is bound to, and the wallet keeps it.
	reqs := is.Requests()
	if len(reqs) != 1 || len(reqs[0].Proofs) != 1 {
		t.Fatalf("issuer saw %+v", reqs)
	}
	p, err := jws.Parse(reqs[0].Proofs[0])
	if err != nil {
		t.Fatal(err)
	}
	claims, _ := jsonx.ParseObject(p.Payload)
	if p.Header.Typ != "openid4vci-proof+jwt" || p.Header.JWK == nil || claims["aud"] != is.ID || claims["nonce"] == "" || claims["iat"] == nil {
		t.Errorf("proof header %+v claims %v", p.Header, claims)
	}
	k, err := store.GetKey(ctx, c.KeyID)
	if err != nil {
		t.Fatal(err)
	}
	tp1, _ := k.JWK.Thumbprint()
	tp2, _ := p.Header.JWK.Thumbprint()
	if tp1 != tp2 {
		t.Error("the stored holder key is not the proof's")
	}
	// Display from the issuer's metadata and the type metadata.
	card, err := w.Show(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if card.IssuerName["en"] != "Than Thong University" || card.Title["en"] != "Degree Certificate" {
		t.Errorf("card %+v", card.Summary)
	}
	found := false
	for _, cl := range card.Claims {
		if cl.Path == "/award/name" && cl.Label["th"] == "ชื่อปริญญา" {
			found = true
		}
	}
	if !found {
		t.Error("type metadata label of /award/name not used")
	}
	// The pre-authorized code is single use.
	if _, err := w.Accept(ctx, o, holder.ReceiveOptions{TxCode: "493536"}); holder.Reason(err) != holder.ReasonIssuerError {
		t.Errorf("second Accept = %v", err)
	}
	if n := keyCount(t, store); n != 1 {
		t.Errorf("%d keys after a failed second accept, want 1", n)
	}
}

func TestReceiveBothFormatsByValue(t *testing.T) {
	ctx := context.Background()
	is := holdertest.NewIssuer(t, "dopa")
	is.NoPathInsertion = true // metadata found at the fallback location
	w := liveWallet(t, nil)
	uri := is.Offer(t, []string{"ThaiCitizenCredential.sd_jwt", "ThaiCitizenCredential.jwt"}, holdertest.OfferOptions{ByValue: true})
	if !strings.Contains(uri, "credential_offer=") {
		t.Fatal(uri)
	}
	creds, err := w.Receive(ctx, uri, holder.ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 2 || creds[0].Format != holder.FormatSDJWT || creds[1].Format != holder.FormatJWTVC {
		t.Fatalf("received %d: %+v", len(creds), creds)
	}
	if creds[1].Type != "ThaiCitizenCredential" || creds[1].Issuer != is.DID || creds[0].KeyID == creds[1].KeyID {
		t.Errorf("jwt credential %+v", creds[1])
	}
	if len(w.List(ctx)) != 2 {
		t.Error("not listed")
	}
}

func TestReceiveBatch(t *testing.T) {
	ctx := context.Background()
	is := holdertest.NewIssuer(t, "university")
	is.BatchSize = 3
	w := liveWallet(t, nil)
	creds, err := w.Receive(ctx, is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{}), holder.ReceiveOptions{Batch: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(creds) != 3 {
		t.Fatalf("%d credentials, want 3 (the issuer's batch size)", len(creds))
	}
	keys := map[string]bool{}
	for _, c := range creds {
		keys[c.KeyID] = true
		if c.Batch == "" || c.Batch != creds[0].Batch {
			t.Errorf("batch ids %q %q", c.Batch, creds[0].Batch)
		}
	}
	if len(keys) != 3 {
		t.Error("batch copies share a holder key")
	}
	reqs := is.Requests()
	if len(reqs) != 1 || len(reqs[0].Proofs) != 3 {
		t.Fatalf("requests %+v", reqs)
	}
	jwks := map[string]bool{}
	for _, p := range reqs[0].Proofs {
		pp, _ := jws.Parse(p)
		tp, _ := pp.Header.JWK.Thumbprint()
		jwks[tp] = true
	}
	if len(jwks) != 3 {
		t.Error("proofs share a key")
	}
	if l := w.List(ctx); len(l) != 1 || len(l[0].Credentials) != 3 {
		t.Errorf("a batch is one card: %+v", l)
	}
}

func TestReceiveNonceRetry(t *testing.T) {
	ctx := context.Background()
	for _, rejects := range []int{1, 2} {
		is := holdertest.NewIssuer(t, "university")
		is.RejectNonces = rejects
		w := liveWallet(t, nil)
		_, err := w.Receive(ctx, is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{}), holder.ReceiveOptions{})
		if rejects == 1 && err != nil {
			t.Errorf("one stale nonce: %v (the wallet retries once)", err)
		}
		if rejects == 2 && (holder.Reason(err) != holder.ReasonIssuerError || !strings.Contains(err.Error(), "invalid_nonce")) {
			t.Errorf("two stale nonces: %v", err)
		}
	}
}

func TestReceiveJWTBindings(t *testing.T) {
	ctx := context.Background()
	for _, b := range []string{"did:jwk", "cnf", "none"} {
		t.Run(b, func(t *testing.T) {
			is := holdertest.NewIssuer(t, "university")
			is.JWTBinding = b
			store := holdertest.NewMemoryStore()
			w := liveWallet(t, store)
			creds, err := w.Receive(ctx, is.Offer(t, []string{"DegreeCredential.jwt"}, holdertest.OfferOptions{}), holder.ReceiveOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := store.GetKey(ctx, creds[0].KeyID); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestReceiveRejects(t *testing.T) {
	ctx := context.Background()
	other, _ := signing.GenerateKey(signing.EdDSA)
	tests := []struct {
		name   string
		setup  func(is *holdertest.Issuer)
		config string
		reason string
	}{
		{"tampered SD-JWT", func(is *holdertest.Issuer) {
			is.Tamper = func(_, c string) string {
				i := strings.Index(c, ".") + 5
				b := []byte(c)
				b[i] ^= 1
				return string(b)
			}
		}, "DegreeCredential.sd_jwt", holder.ReasonCredentialInvalid},
		{"signed by a key not in the DID document (SD-JWT)", func(is *holdertest.Issuer) { is.SigningKey = other }, "DegreeCredential.sd_jwt", holder.ReasonCredentialInvalid},
		{"signed by a key not in the DID document (vc+jwt)", func(is *holdertest.Issuer) { is.SigningKey = other }, "DegreeCredential.jwt", holder.ReasonCredentialInvalid},
		{"bound to another key (SD-JWT)", func(is *holdertest.Issuer) { is.BindTo = other.Public() }, "DegreeCredential.sd_jwt", holder.ReasonKeyMismatch},
		{"bound to another key (vc+jwt)", func(is *holdertest.Issuer) { is.BindTo = other.Public() }, "DegreeCredential.jwt", holder.ReasonKeyMismatch},
		{"expired", func(is *holdertest.Issuer) { is.Expiry = holdertest.Epoch }, "DegreeCredential.sd_jwt", holder.ReasonCredentialInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			is := holdertest.NewIssuer(t, "university")
			tt.setup(is)
			store := holdertest.NewMemoryStore()
			w := liveWallet(t, store)
			_, err := w.Receive(ctx, is.Offer(t, []string{tt.config}, holdertest.OfferOptions{}), holder.ReceiveOptions{})
			if holder.Reason(err) != tt.reason {
				t.Fatalf("Receive = %v, want reason %s", err, tt.reason)
			}
			if len(w.List(ctx)) != 0 || keyCount(t, store) != 0 {
				t.Error("a rejected credential (or its key) was stored")
			}
		})
	}
}

func TestResolveOfferRejects(t *testing.T) {
	ctx := context.Background()
	is := holdertest.NewIssuer(t, "university")
	w := liveWallet(t, nil)
	offer := func(m map[string]any) string {
		b, _ := json.Marshal(m)
		return "openid-credential-offer://?credential_offer=" + url.QueryEscape(string(b))
	}
	pre := map[string]any{holder.GrantPreAuthorized: map[string]any{"pre-authorized_code": "x"}}
	tests := []struct {
		name, uri, reason string
	}{
		{"not an offer", "https://example.com/", holder.ReasonOfferInvalid},
		{"both forms", "openid-credential-offer://?credential_offer=%7B%7D&credential_offer_uri=https%3A%2F%2Fa", holder.ReasonOfferInvalid},
		{"not JSON", "openid-credential-offer://?credential_offer=%7B", holder.ReasonOfferInvalid},
		{"http issuer", offer(map[string]any{"credential_issuer": "http://example.com/issuers/x", "credential_configuration_ids": []string{"a"}, "grants": pre}), holder.ReasonOfferInvalid},
		{"offer_uri over http", "openid-credential-offer://?credential_offer_uri=" + url.QueryEscape("http://example.com/offer"), holder.ReasonInsecureURL},
		{"authorization code only", offer(map[string]any{"credential_issuer": is.ID, "credential_configuration_ids": []string{"DegreeCredential.sd_jwt"},
			"grants": map[string]any{"authorization_code": map[string]any{}}}), holder.ReasonOfferInvalid},
		{"unknown configuration", offer(map[string]any{"credential_issuer": is.ID, "credential_configuration_ids": []string{"Nope.sd_jwt"}, "grants": pre}), holder.ReasonOfferInvalid},
		{"metadata of another issuer", offer(map[string]any{"credential_issuer": is.Server.URL + "/issuers/university/", "credential_configuration_ids": []string{"DegreeCredential.sd_jwt"}, "grants": pre}), holder.ReasonMetadataInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.ResolveOffer(ctx, tt.uri)
			if holder.Reason(err) != tt.reason {
				t.Fatalf("ResolveOffer = %v, want reason %s", err, tt.reason)
			}
		})
	}
	t.Run("too large", func(t *testing.T) {
		small, _ := holder.New(ctx, holder.Config{Store: holdertest.NewMemoryStore(), MaxResponseBytes: 512})
		_, err := small.ResolveOffer(ctx, is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{}))
		if holder.Reason(err) != holder.ReasonTooLarge {
			t.Fatalf("ResolveOffer with a 512-byte limit = %v", err)
		}
	})
}
