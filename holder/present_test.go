package holder_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/signing"
)

const employerQuery = `{"credentials":[{"id":"degree","format":"dc+sd-jwt",
	"meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},
	"claims":[{"path":["award","name"]},{"path":["institution","name"]},{"path":["student","studentId"]}]}]}`

var purpose = map[string]string{"th": "ตรวจสอบวุฒิการศึกษาเพื่อสมัครงาน", "en": "checking your degree for a job application"}

// receiveOne fills a wallet from a virtual issuer.
func receiveOne(t *testing.T, w *holder.Wallet, configs ...string) []*holder.Credential {
	t.Helper()
	is := holdertest.NewIssuer(t, "university")
	creds, err := w.Receive(context.Background(), is.Offer(t, configs, holdertest.OfferOptions{}), holder.ReceiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return creds
}

func claimPaths(cs []holder.CardClaim) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Path)
	}
	return out
}

func TestPresentSDJWT(t *testing.T) {
	ctx := context.Background()
	store := holdertest.NewMemoryStore()
	w := liveWallet(t, store)
	cred := receiveOne(t, w, "DegreeCredential.sd_jwt")[0]
	v := holdertest.NewVerifier(t, "employer")
	uri, vr := v.Request(t, employerQuery, purpose)

	req, err := w.ResolveRequest(ctx, uri)
	if err != nil {
		t.Fatal(err)
	}
	if req.Verifier.DID != v.DID || req.Verifier.ClientID != v.ClientID || req.Verifier.Name["th"] != "บริษัท สยามนายจ้าง จำกัด" ||
		req.Purpose["en"] != purpose["en"] || req.Nonce != vr.Nonce || req.State != vr.State {
		t.Fatalf("request %+v", req)
	}
	consent, err := w.Prepare(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if len(consent.Items) != 1 {
		t.Fatalf("%d items", len(consent.Items))
	}
	it := consent.Items[0]
	if it.Credential.ID != cred.ID || it.WholeCredential || !it.Include {
		t.Errorf("item %+v", it)
	}
	// Exactly the asked-for disclosable claim is disclosed; the rest of
	// what leaves is always visible, and nothing undisclosed is listed.
	if got := claimPaths(it.Disclosed); !slices.Equal(got, []string{"/student/studentId"}) {
		t.Errorf("Disclosed %v", got)
	}
	visible := claimPaths(it.Visible)
	for _, want := range []string{"/award/name", "/institution/name", "/student/name/th/given", "/iss", "/cnf", "/vct"} {
		if !slices.Contains(visible, want) {
			t.Errorf("Visible lacks %s: %v", want, visible)
		}
	}
	for _, hidden := range []string{"/student/pid", "/student/birthDate", "/summary/gpax"} {
		if slices.Contains(visible, hidden) || slices.Contains(claimPaths(it.Disclosed), hidden) {
			t.Errorf("%s would leave the wallet", hidden)
		}
	}

	resp, err := w.Respond(ctx, consent)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(resp.RedirectURI, v.Server.URL+"/done/") {
		t.Errorf("redirect %q", resp.RedirectURI)
	}
	got := v.Result(vr.ID)
	if got.Err != nil {
		t.Fatalf("the verifier rejected the response: %v", got.Err)
	}
	if !slices.Equal(got.Disclosed["degree"], []string{"/student/studentId"}) {
		t.Errorf("verifier saw disclosures %v", got.Disclosed["degree"])
	}
	c := got.Claims["degree"][0]
	student := c["student"].(map[string]any)
	if student["studentId"] != "6230123421" || student["pid"] != nil || student["birthDate"] != nil || c["summary"] != nil {
		t.Errorf("verifier saw %v", c)
	}

	// The log: who, why, which claims, never values.
	log, err := w.Log(ctx)
	if err != nil || len(log) != 1 {
		t.Fatalf("log %v, %v", log, err)
	}
	e := log[0]
	if e.Outcome != holder.OutcomeSent || e.Verifier.DID != v.DID || e.Purpose["th"] != purpose["th"] ||
		len(e.Credentials) != 1 || e.Credentials[0].CredentialID != cred.ID ||
		!slices.Equal(e.Credentials[0].Disclosed, []string{"/student/studentId"}) {
		t.Errorf("log entry %+v", e)
	}
	b, _ := json.Marshal(e)
	for _, value := range []string{"6230123421", "ณัฐวุฒิ", "วิศวกรรมศาสตรบัณฑิต"} {
		if strings.Contains(string(b), value) {
			t.Errorf("the log holds the value %q", value)
		}
	}
	if l := w.List(ctx); l[0].Presented != 1 {
		t.Errorf("Presented = %d", l[0].Presented)
	}
	_ = store
}

func TestPresentJWTVC(t *testing.T) {
	ctx := context.Background()
	for _, binding := range []string{"did:jwk", "none"} {
		t.Run(binding, func(t *testing.T) {
			w := liveWallet(t, nil)
			is := holdertest.NewIssuer(t, "university")
			is.JWTBinding = binding
			if _, err := w.Receive(ctx, is.Offer(t, []string{"DegreeCredential.jwt"}, holdertest.OfferOptions{}), holder.ReceiveOptions{}); err != nil {
				t.Fatal(err)
			}
			v := holdertest.NewVerifier(t, "employer")
			uri, vr := v.Request(t, `{"credentials":[{"id":"d","format":"jwt_vc_json","meta":{"type_values":[["VerifiableCredential","DegreeCredential"]]},
				"claims":[{"path":["credentialSubject","award","name"]}]}]}`, nil)
			req, err := w.ResolveRequest(ctx, uri)
			if err != nil {
				t.Fatal(err)
			}
			consent, err := w.Prepare(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			it := consent.Items[0]
			if !it.WholeCredential || len(it.Disclosed) != 0 || !slices.Contains(claimPaths(it.Visible), "/credentialSubject/student/pid") {
				t.Errorf("a vc+jwt leaves whole: %+v", it)
			}
			if _, err := w.Respond(ctx, consent); err != nil {
				t.Fatal(err)
			}
			got := v.Result(vr.ID)
			if got.Err != nil || len(got.Claims["d"]) != 1 {
				t.Fatalf("verifier: %v %v", got.Err, got.Claims)
			}
			holderDID := got.Claims["d"][0]["credentialSubject"].(map[string]any)["id"]
			if binding == "did:jwk" && holderDID == nil {
				t.Error("no subject id")
			}
		})
	}
}

func TestResolveRequestRejects(t *testing.T) {
	ctx := context.Background()
	w := liveWallet(t, nil)
	other, _ := signing.GenerateKey(signing.EdDSA)
	otherV := holdertest.NewVerifier(t, "other")
	tests := []struct {
		name   string
		setup  func(v *holdertest.Verifier)
		uri    func(v *holdertest.Verifier, uri string) string
		reason string
	}{
		{"valid", nil, nil, ""},
		{"unsigned request in the URI", nil, func(v *holdertest.Verifier, _ string) string {
			return "openid4vp://?client_id=" + url.QueryEscape(v.ClientID) + "&response_type=vp_token&nonce=n&dcql_query=%7B%7D"
		}, holder.ReasonRequestUnsigned},
		{"redirect_uri prefix", nil, func(v *holdertest.Verifier, uri string) string {
			return strings.Replace(uri, url.QueryEscape(v.ClientID), url.QueryEscape("redirect_uri:https://rp.example/cb"), 1)
		}, holder.ReasonClientIDScheme},
		{"x509_san_dns prefix", nil, func(v *holdertest.Verifier, uri string) string {
			return strings.Replace(uri, url.QueryEscape(v.ClientID), url.QueryEscape("x509_san_dns:rp.example"), 1)
		}, holder.ReasonClientIDScheme},
		{"pre-registered client", nil, func(v *holdertest.Verifier, uri string) string {
			return strings.Replace(uri, url.QueryEscape(v.ClientID), "rp1", 1)
		}, holder.ReasonClientIDScheme},
		{"client_id of another verifier in the URI", nil, func(v *holdertest.Verifier, uri string) string {
			return strings.Replace(uri, url.QueryEscape(v.ClientID), url.QueryEscape(otherV.ClientID), 1)
		}, holder.ReasonRequestSignature},
		{"client_id in the object differs", func(v *holdertest.Verifier) { v.ClientIDInObject = otherV.ClientID }, nil, holder.ReasonRequestInvalid},
		{"signed by a key not in the DID document", func(v *holdertest.Verifier) { v.SigningKey = other }, nil, holder.ReasonRequestSignature},
		{"kid of another DID", func(v *holdertest.Verifier) { v.KeyID = otherV.DID + "#key-1" }, nil, holder.ReasonRequestSignature},
		{"kid naming no key", func(v *holdertest.Verifier) { v.KeyID = v.DID + "#key-9" }, nil, holder.ReasonRequestSignature},
		{"wrong typ", func(v *holdertest.Verifier) { v.Typ = "JWT" }, nil, holder.ReasonRequestInvalid},
		{"wrong aud", func(v *holdertest.Verifier) { v.Audience = "https://wallet.example" }, nil, holder.ReasonRequestAudience},
		{"expired", func(v *holdertest.Verifier) { v.Lifetime = -2 * time.Minute }, nil, holder.ReasonRequestExpired},
		{"everlasting", func(v *holdertest.Verifier) { v.Lifetime = 400 * 24 * time.Hour }, nil, holder.ReasonRequestInvalid},
		{"request_uri over http to another host", nil, func(v *holdertest.Verifier, uri string) string {
			return "openid4vp://?client_id=" + url.QueryEscape(v.ClientID) + "&request_uri=" + url.QueryEscape("http://verifier.example/r/1")
		}, holder.ReasonInsecureURL},
		{"not openid4vp", nil, func(*holdertest.Verifier, string) string { return "mailto:x@example.com" }, holder.ReasonRequestInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := holdertest.NewVerifier(t, "employer")
			if tt.setup != nil {
				tt.setup(v)
			}
			uri, _ := v.Request(t, employerQuery, purpose)
			if tt.uri != nil {
				uri = tt.uri(v, uri)
			}
			_, err := w.ResolveRequest(ctx, uri)
			if holder.Reason(err) != tt.reason {
				t.Fatalf("ResolveRequest = %v, want reason %q", err, tt.reason)
			}
		})
	}
}

func TestPresentNoMatchDeclineReject(t *testing.T) {
	ctx := context.Background()
	w := liveWallet(t, nil)
	receiveOne(t, w, "DegreeCredential.sd_jwt")

	t.Run("no match", func(t *testing.T) {
		v := holdertest.NewVerifier(t, "bank")
		uri, _ := v.Request(t, `{"credentials":[{"id":"pid","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/ThaiCitizenCredential"]}}]}`, nil)
		req, err := w.ResolveRequest(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		_, err = w.Prepare(ctx, req)
		var nm *holder.NoMatchError
		if !errors.Is(err, holder.ErrNoMatch) || !errors.As(err, &nm) || !slices.Equal(nm.Queries, []string{"pid"}) {
			t.Fatalf("Prepare = %v", err)
		}
	})
	t.Run("values", func(t *testing.T) {
		v := holdertest.NewVerifier(t, "employer")
		q := `{"credentials":[{"id":"d","format":"dc+sd-jwt","meta":{},"claims":[{"path":["award","level"],"values":[%s]}]}]}`
		uri, _ := v.Request(t, strings.Replace(q, "%s", `"master","bachelor"`, 1), nil)
		req, _ := w.ResolveRequest(ctx, uri)
		if _, err := w.Prepare(ctx, req); err != nil {
			t.Fatalf("matching value: %v", err)
		}
		uri, _ = v.Request(t, strings.Replace(q, "%s", `"doctoral"`, 1), nil)
		req, _ = w.ResolveRequest(ctx, uri)
		if _, err := w.Prepare(ctx, req); !errors.Is(err, holder.ErrNoMatch) {
			t.Fatalf("other value: %v", err)
		}
	})
	t.Run("decline", func(t *testing.T) {
		v := holdertest.NewVerifier(t, "employer")
		uri, vr := v.Request(t, employerQuery, purpose)
		req, _ := w.ResolveRequest(ctx, uri)
		consent, err := w.Prepare(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Decline(ctx, consent); err != nil {
			t.Fatal(err)
		}
		got := v.Result(vr.ID)
		if got.Form.Get("error") != "access_denied" || got.Form.Get("state") != vr.State || got.Form.Get("vp_token") != "" {
			t.Errorf("verifier received %v", got.Form)
		}
		log, _ := w.Log(ctx)
		if log[0].Outcome != holder.OutcomeDeclined {
			t.Errorf("log %+v", log[0])
		}
	})
	t.Run("verifier rejects", func(t *testing.T) {
		v := holdertest.NewVerifier(t, "employer")
		v.Reject = true
		uri, _ := v.Request(t, employerQuery, purpose)
		req, _ := w.ResolveRequest(ctx, uri)
		consent, _ := w.Prepare(ctx, req)
		resp, err := w.Respond(ctx, consent)
		if holder.Reason(err) != holder.ReasonResponseRejected {
			t.Fatalf("Respond = %v", err)
		}
		if resp == nil || resp.Log.Outcome != holder.OutcomeFailed || resp.Log.Error == "" {
			t.Errorf("log of a rejected response: %+v", resp)
		}
	})
	t.Run("expired before consent", func(t *testing.T) {
		v := holdertest.NewVerifier(t, "employer")
		uri, _ := v.Request(t, employerQuery, purpose)
		req, _ := w.ResolveRequest(ctx, uri)
		consent, _ := w.Prepare(ctx, req)
		consent.Request.Expiry = time.Now().Add(-time.Hour)
		if _, err := w.Respond(ctx, consent); holder.Reason(err) != holder.ReasonRequestExpired {
			t.Fatalf("Respond = %v", err)
		}
	})
}

// TestPresentBatchUnlinkable: each presentation uses the batch copy
// presented least, so two verifiers see different issuer signatures and
// holder keys.
func TestPresentBatchUnlinkable(t *testing.T) {
	ctx := context.Background()
	w := liveWallet(t, nil)
	is := holdertest.NewIssuer(t, "university")
	if _, err := w.Receive(ctx, is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{}), holder.ReceiveOptions{Batch: 2}); err != nil {
		t.Fatal(err)
	}
	var cnfs []string
	for range 2 {
		v := holdertest.NewVerifier(t, "employer")
		uri, vr := v.Request(t, employerQuery, purpose)
		req, err := w.ResolveRequest(ctx, uri)
		if err != nil {
			t.Fatal(err)
		}
		consent, err := w.Prepare(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Respond(ctx, consent); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v.Result(vr.ID).Claims["degree"][0]["cnf"])
		cnfs = append(cnfs, string(b))
	}
	if cnfs[0] == cnfs[1] {
		t.Error("both presentations used the same copy (same holder key)")
	}
}
