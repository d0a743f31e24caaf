package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

// TestWalletReasonsWorded: every reason the wallet can give has a
// sentence in both languages.
func TestWalletReasonsWorded(t *testing.T) {
	for _, r := range []string{
		holder.ReasonInsecureURL, holder.ReasonTooLarge, holder.ReasonHTTP, holder.ReasonOfferInvalid,
		holder.ReasonMetadataInvalid, holder.ReasonIssuerError, holder.ReasonCredentialInvalid, holder.ReasonKeyMismatch,
		holder.ReasonRequestInvalid, holder.ReasonRequestUnsigned, holder.ReasonClientIDScheme, holder.ReasonRequestSignature,
		holder.ReasonRequestExpired, holder.ReasonRequestAudience, holder.ReasonQueryInvalid, holder.ReasonResponseRejected,
	} {
		key, status := walletErrKey(&holder.Error{Reason: r, Err: errors.New("x")})
		if _, ok := dict[key]; !ok {
			t.Errorf("reason %s: no dictionary key %s", r, key)
		}
		if status < 400 {
			t.Errorf("reason %s: status %d", r, status)
		}
	}
	for _, err := range []error{&holder.NoMatchError{Queries: []string{"q"}}, holder.ErrTxCodeRequired, errors.New("other")} {
		if key, _ := walletErrKey(err); dict[key].th == "" {
			t.Errorf("%v: no sentence (%s)", err, key)
		}
	}
	for _, o := range []string{holder.OutcomePending, holder.OutcomeSent, holder.OutcomeFailed, holder.OutcomeDeclined} {
		if _, ok := dict["wallet.outcome."+o]; !ok {
			t.Errorf("outcome %s has no sentence", o)
		}
	}
}

// TestWalletOff: a server without a demo wallet says so.
func TestWalletOff(t *testing.T) {
	e := newTestServer(t, &Handler{})
	for _, p := range []string{"/wallet", "/wallet/receive", "/wallet/history"} {
		if rec := get(t, e, p); rec.Code != 404 {
			t.Errorf("GET %s without a wallet: %d, want 404", p, rec.Code)
		}
	}
}

func TestIsLocalRequest(t *testing.T) {
	for _, tc := range []struct {
		remote, header string
		want           bool
	}{
		{"127.0.0.1:5000", "", true},
		{"[::1]:5000", "", true},
		{"192.0.2.1:5000", "", false},
		{"127.0.0.1:5000", "X-Forwarded-For", false},
		{"127.0.0.1:5000", "Forwarded", false},
		{"127.0.0.1:5000", "X-Real-Ip", false},
	} {
		r := httptest.NewRequest("GET", "/wallet", nil)
		r.RemoteAddr = tc.remote
		if tc.header != "" {
			r.Header.Set(tc.header, "203.0.113.9")
		}
		if got := isLocalRequest(r); got != tc.want {
			t.Errorf("%s %s: %v, want %v", tc.remote, tc.header, got, tc.want)
		}
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/wallet":              "/wallet",
		"/console/issuers/x":   "/console/issuers/x",
		"//evil.example/":      "",
		"https://evil.example": "",
		"/\\evil.example":      "",
		"":                     "",
		"/a\r\nSet-Cookie: x":  "",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestWalletScope: from another machine, the wallet needs a session of
// a client with the scope "wallet" or "*"; another client's is refused.
func TestWalletScope(t *testing.T) {
	opened := 0
	h := &Handler{
		Wallet: func(ctx context.Context) (*holder.Wallet, error) {
			opened++
			return holder.New(ctx, holder.Config{Store: holdertest.NewMemoryStore()})
		},
		Clients: []httpx.Client{
			{ID: "registrar", TokenHash: httpx.TokenHash(testToken), Scopes: []string{"university"}},
			{ID: "holder", TokenHash: httpx.TokenHash(otherToken), Scopes: []string{"wallet"}},
		},
	}
	srv := httptest.NewServer(newTestServer(t, h))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		token string
		want  int
	}{{"", http.StatusUnauthorized}, {testToken, http.StatusForbidden}, {otherToken, http.StatusOK}} {
		b := newBrowser(t, srv.URL)
		// httptest's peer is 127.0.0.1: a proxy header makes it remote.
		b.c.Transport = headerTransport{"X-Forwarded-For": "203.0.113.7"}
		if tc.token != "" {
			if p := b.post("/console/login", url.Values{"csrf": {b.csrf()}, "token": {tc.token}}); p.status != http.StatusSeeOther {
				t.Fatalf("sign-in: %d", p.status)
			}
		}
		if p := b.get("/wallet"); p.status != tc.want {
			t.Errorf("token %q: /wallet %d, want %d", tc.token, p.status, tc.want)
		}
	}
	if opened != 1 {
		t.Errorf("the wallet was opened %d times, want once (by the allowed client)", opened)
	}
}

// headerTransport adds headers to every request.
type headerTransport map[string]string

func (h headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range h {
		r.Header.Set(k, v)
	}
	return http.DefaultTransport.RoundTrip(r)
}
