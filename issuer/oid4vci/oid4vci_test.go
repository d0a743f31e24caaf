package oid4vci

import (
	"errors"
	"net/url"
	"testing"
)

func asError(err error, target **Error) bool { return errors.As(err, target) }

func TestParseTokenRequest(t *testing.T) {
	ok := url.Values{"grant_type": {GrantPreAuthorized}, "pre-authorized_code": {"c"}, "tx_code": {"123456"}}
	r, err := ParseTokenRequest(ok)
	if err != nil || r.Code != "c" || r.TxCode != "123456" {
		t.Fatalf("%+v %v", r, err)
	}
	for _, tc := range []struct {
		form url.Values
		want error
	}{
		{url.Values{}, ErrInvalidRequest},
		{url.Values{"grant_type": {"authorization_code"}}, ErrUnsupportedGrantType},
		{url.Values{"grant_type": {GrantPreAuthorized}}, ErrInvalidRequest},
		{url.Values{"grant_type": {GrantPreAuthorized}, "pre-authorized_code": {"a", "b"}}, ErrInvalidRequest},
		{url.Values{"grant_type": {GrantPreAuthorized}, "pre-authorized_code": {"a"}, "tx_code": {""}}, ErrInvalidRequest},
	} {
		if _, err := ParseTokenRequest(tc.form); !errors.Is(err, tc.want) {
			t.Errorf("%v: %v, want %v", tc.form, err, tc.want)
		}
	}
}

func TestSecrets(t *testing.T) {
	if HashSecret("a") == HashSecret("b") || len(HashSecret("a")) != 43 {
		t.Error("HashSecret")
	}
	if TxCodeHash("code1", "123456") == TxCodeHash("code2", "123456") {
		t.Error("tx code hash not bound to the code")
	}
	if codeFor([]byte("0123456789abcdef")) == codeFor([]byte("0123456789abcdeg")) || len(codeFor(make([]byte, 16))) != 22 {
		t.Error("codeFor")
	}
}
