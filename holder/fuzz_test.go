package holder_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/jsonx"
)

// noNetwork fails every request, so that fuzzing never leaves the process.
type noNetwork struct{}

func (noNetwork) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("no network while fuzzing")
}

func fuzzWallet(t testing.TB) *holder.Wallet {
	w, err := holder.New(context.Background(), holder.Config{
		Store: holdertest.NewMemoryStore(), HTTPClient: &http.Client{Transport: noNetwork{}},
	})
	if err != nil {
		t.Fatal(err)
	}
	m := holdertest.NewMinter(t)
	m.Add(t, w, "DegreeCredential", holder.FormatSDJWT)
	m.Add(t, w, "TranscriptCredential", holder.FormatJWTVC)
	return w
}

func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{employerQuery, degreeQuery, mixedQuery, allQuery,
		`{"credentials":[{"id":"a","format":"dc+sd-jwt","meta":{},"claims":[{"id":"x","path":["a",null,0],"values":[1,"b",true]}],"claim_sets":[["x"]]}]}`} {
		f.Add([]byte(s))
	}
	w := fuzzWallet(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		q, err := holder.ParseQuery(data)
		if err != nil {
			if q != nil {
				t.Fatal("a query with an error")
			}
			if holder.Reason(err) != holder.ReasonQueryInvalid {
				t.Fatalf("reason %q", holder.Reason(err))
			}
			return
		}
		if len(q.Credentials) == 0 {
			t.Fatal("a query without credential queries")
		}
		m := w.Match(q)
		if len(m.Queries) != len(q.Credentials) {
			t.Fatal("Match lost a query")
		}
		for _, qm := range m.Queries {
			for _, c := range qm.Candidates {
				if _, err := w.Credential(context.Background(), c.CredentialID); err != nil {
					t.Fatalf("candidate %s: %v", c.CredentialID, err)
				}
			}
		}
	})
}

func FuzzClaimPathSelect(f *testing.F) {
	f.Add([]byte(`["degrees",null,"type"]`), []byte(`{"degrees":[{"type":"a"},{"x":1}]}`))
	f.Add([]byte(`["a",0]`), []byte(`{"a":[1,2]}`))
	f.Add([]byte(`[null]`), []byte(`[]`))
	f.Fuzz(func(t *testing.T, path, doc []byte) {
		pv, err := jsonx.Parse(path)
		if err != nil {
			return
		}
		dv, err := jsonx.Parse(doc)
		if err != nil {
			return
		}
		p, err := holder.ParseClaimPath(pv)
		if err != nil {
			if p != nil {
				t.Fatal("a path with an error")
			}
			return
		}
		vals, ok := p.Select(dv)
		if ok != (len(vals) > 0) {
			t.Fatalf("Select = %v, %v", vals, ok)
		}
		_ = p.Pointer()
		_ = p.String()
	})
}

// FuzzResolve feeds offer and request URIs to the wallet (without a
// network): errors carry a reason and no result.
func FuzzResolve(f *testing.F) {
	f.Add("openid-credential-offer://?credential_offer=" + url.QueryEscape(`{"credential_issuer":"https://u.example/issuers/u","credential_configuration_ids":["a"],"grants":{"urn:ietf:params:oauth:grant-type:pre-authorized_code":{"pre-authorized_code":"x","tx_code":{"length":6}}}}`))
	f.Add("openid-credential-offer://?credential_offer_uri=https%3A%2F%2Fu.example%2Fo%2F1")
	f.Add("openid4vp://?client_id=decentralized_identifier%3Adid%3Aweb%3Av.example&request_uri=https%3A%2F%2Fv.example%2Fr%2F1")
	f.Add("openid4vp://?client_id=decentralized_identifier%3Adid%3Ajwk%3AeyJ4IjoiMTIzIn0&request=eyJhbGciOiJFZERTQSJ9.e30.AA")
	w := fuzzWallet(f)
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, uri string) {
		if o, err := w.ResolveOffer(ctx, uri); err == nil || o != nil {
			t.Fatalf("ResolveOffer succeeded without a network: %v", o)
		}
		if r, err := w.ResolveRequest(ctx, uri); err == nil || r != nil {
			t.Fatalf("ResolveRequest succeeded without a network: %v", r)
		}
	})
}
