package holderhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holderhttp"
	"github.com/thaitrust/thaitrust/holder/holdertest"
	"github.com/thaitrust/thaitrust/internal/httpx"
)

type client struct {
	t    *testing.T
	base string
}

func (c client) do(method, path string, body any) (int, map[string]any, []any) {
	c.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var obj map[string]any
	var arr []any
	if len(data) > 0 && data[0] == '[' {
		json.Unmarshal(data, &arr)
	} else if len(data) > 0 {
		if err := json.Unmarshal(data, &obj); err != nil {
			c.t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode, obj, arr
}

func TestHandler(t *testing.T) {
	w, err := holder.New(context.Background(), holder.Config{Store: holdertest.NewMemoryStore()})
	if err != nil {
		t.Fatal(err)
	}
	e := httpx.New(slog.New(slog.NewTextHandler(io.Discard, nil)))
	(&holderhttp.Handler{Wallet: w}).Register(e.Group("/wallet"))
	srv := httptest.NewServer(e)
	defer srv.Close()
	c := client{t, srv.URL + "/wallet"}

	if code, _, arr := c.do("GET", "/credentials", nil); code != 200 || len(arr) != 0 {
		t.Fatalf("empty list: %d %v", code, arr)
	}
	is := holdertest.NewIssuer(t, "university")
	offer := is.Offer(t, []string{"DegreeCredential.sd_jwt"}, holdertest.OfferOptions{TxCode: "111222"})
	code, obj, _ := c.do("POST", "/offers/preview", map[string]any{"offer_uri": offer})
	if code != 200 || obj["tx_code"] == nil || obj["credential_issuer"] != is.ID {
		t.Fatalf("preview offer: %d %v", code, obj)
	}
	if code, obj, _ = c.do("POST", "/offers", map[string]any{"offer_uri": offer}); code != 400 || obj["reason"] != "tx_code_required" {
		t.Fatalf("receive without tx_code: %d %v", code, obj)
	}
	code, obj, _ = c.do("POST", "/offers", map[string]any{"offer_uri": offer, "tx_code": "111222"})
	if code != 201 {
		t.Fatalf("receive: %d %v", code, obj)
	}
	id := obj["received"].([]any)[0].(map[string]any)["id"].(string)
	if code, obj, _ = c.do("GET", "/credentials/"+id, nil); code != 200 || obj["title"].(map[string]any)["th"] != "ปริญญาบัตร" {
		t.Fatalf("show: %d %v", code, obj)
	}
	if code, obj, _ = c.do("GET", "/credentials/nosuchcard", nil); code != 404 {
		t.Fatalf("show unknown: %d %v", code, obj)
	}
	if code, obj, _ = c.do("POST", "/offers", map[string]any{}); code != 400 {
		t.Fatalf("receive without offer_uri: %d %v", code, obj)
	}

	v := holdertest.NewVerifier(t, "employer")
	query := `{"credentials":[{"id":"degree","format":"dc+sd-jwt","meta":{"vct_values":["https://thaitrust.example/vct/DegreeCredential"]},"claims":[{"path":["student","studentId"]}]}]}`
	uri, vr := v.Request(t, query, map[string]string{"en": "hiring"})
	code, obj, _ = c.do("POST", "/presentations", map[string]any{"request_uri": uri})
	if code != 201 {
		t.Fatalf("present preview: %d %v", code, obj)
	}
	items := obj["consent"].(map[string]any)["items"].([]any)
	disclosed := items[0].(map[string]any)["disclosed"].([]any)
	if len(disclosed) != 1 || disclosed[0].(map[string]any)["path"] != "/student/studentId" {
		t.Errorf("consent disclosed %v", disclosed)
	}
	sid := obj["id"].(string)
	if code, obj, _ = c.do("POST", "/presentations/"+sid+"/confirm", map[string]any{"choices": map[string]any{"degree": "nope"}}); code != 404 {
		t.Fatalf("confirm with a bad choice: %d %v", code, obj)
	}
	if code, obj, _ = c.do("POST", "/presentations/"+sid+"/confirm", map[string]any{}); code != 200 || obj["log"].(map[string]any)["outcome"] != "sent" {
		t.Fatalf("confirm: %d %v", code, obj)
	}
	if got := v.Result(vr.ID); got.Err != nil || len(got.Disclosed["degree"]) != 1 {
		t.Errorf("verifier: %v %v", got.Err, got.Disclosed)
	}
	if code, _, _ = c.do("POST", "/presentations/"+sid+"/confirm", map[string]any{}); code != 404 {
		t.Errorf("confirm twice: %d", code)
	}

	// Decline.
	uri, vr = v.Request(t, query, nil)
	_, obj, _ = c.do("POST", "/presentations", map[string]any{"request_uri": uri})
	if code, _, _ = c.do("POST", "/presentations/"+obj["id"].(string)+"/decline", nil); code != 204 {
		t.Fatalf("decline: %d", code)
	}
	if v.Result(vr.ID).Form.Get("error") != "access_denied" {
		t.Error("verifier not told")
	}

	// Errors with reasons.
	code, obj, _ = c.do("POST", "/presentations", map[string]any{"request_uri": "openid4vp://?client_id=redirect_uri%3Ahttps%3A%2F%2Fa&response_type=vp_token"})
	if code != 400 || obj["reason"] != holder.ReasonClientIDScheme {
		t.Errorf("unsupported client_id: %d %v", code, obj)
	}
	uri, _ = v.Request(t, `{"credentials":[{"id":"pid","format":"dc+sd-jwt","meta":{"vct_values":["x"]}}]}`, nil)
	code, obj, _ = c.do("POST", "/presentations", map[string]any{"request_uri": uri})
	if code != 409 || obj["reason"] != "no_match" || !strings.Contains(obj["detail"].(string), "pid") {
		t.Errorf("no match: %d %v", code, obj)
	}

	_, _, arr := c.do("GET", "/log", nil)
	if len(arr) != 2 {
		t.Errorf("log: %v", arr)
	}
	if code, obj, _ = c.do("DELETE", "/credentials/"+id, nil); code != 200 {
		t.Errorf("delete: %d %v", code, obj)
	}
	if _, _, arr = c.do("GET", "/credentials", nil); len(arr) != 0 {
		t.Errorf("after delete: %v", arr)
	}
}
