package status_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/status"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
	"github.com/thaitrust/thaitrust/signing/jws"
)

type tokenVector struct {
	Bits     int            `json:"bits"`
	Lst      string         `json:"lst"`
	Size     int            `json:"size"`
	Bytes    string         `json:"bytes"`
	Statuses map[string]int `json:"statuses"`
}

func tokenVectors(t *testing.T) map[string]tokenVector {
	t.Helper()
	b, err := os.ReadFile("testdata/token-status-list-vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ Vectors map[string]tokenVector }
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Vectors
}

// TestTokenListVectors decodes the draft's examples and checks every
// status (those not listed are 0), and that encoding the same statuses
// decodes to the same bytes (DEFLATE streams differ between
// implementations: Go's ends with an empty sync block, so even the small
// examples' lst differ).
func TestTokenListVectors(t *testing.T) {
	for name, v := range tokenVectors(t) {
		t.Run(name, func(t *testing.T) {
			l, err := status.DecodeTokenList(v.Bits, v.Lst)
			if err != nil {
				t.Fatal(err)
			}
			if l.Len() != v.Size || l.Bits() != v.Bits {
				t.Fatalf("Len %d Bits %d, want %d %d", l.Len(), l.Bits(), v.Size, v.Bits)
			}
			if v.Bytes != "" && hex.EncodeToString(l.Bytes()) != v.Bytes {
				t.Errorf("bytes %x, want %s", l.Bytes(), v.Bytes)
			}
			want := map[int]uint8{}
			for k, s := range v.Statuses {
				i, _ := strconv.Atoi(k)
				want[i] = uint8(s)
			}
			for i := range l.Len() {
				got, err := l.Get(i)
				if err != nil {
					t.Fatal(err)
				}
				if got != want[i] {
					t.Fatalf("status[%d] = %d, want %d", i, got, want[i])
				}
			}
			if _, err := l.Get(l.Len()); !errors.Is(err, status.ErrIndexOutOfRange) {
				t.Errorf("Get(Len()) = %v", err)
			}
			if _, err := l.Get(-1); !errors.Is(err, status.ErrIndexOutOfRange) {
				t.Errorf("Get(-1) = %v", err)
			}
			lst, err := status.EncodeTokenList(v.Bits, func(i int) uint8 { return want[i] }, v.Size)
			if err != nil {
				t.Fatal(err)
			}
			back, err := status.DecodeTokenList(v.Bits, lst)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(back.Bytes(), l.Bytes()) {
				t.Error("re-encoded list differs")
			}
		})
	}
}

func TestEncodeTokenListErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		bits int
		n    int
		val  uint8
	}{
		{"bits 3", 3, 8, 0},
		{"bits 0", 0, 8, 0},
		{"no statuses", 1, 0, 0},
		{"too many", 1, status.MaxTokenListBytes*8 + 1, 0},
		{"value too large for 1 bit", 1, 8, 2},
		{"value too large for 2 bits", 2, 8, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := status.EncodeTokenList(tc.bits, func(int) uint8 { return tc.val }, tc.n)
			if !errors.Is(err, status.ErrListInvalid) {
				t.Errorf("err = %v", err)
			}
		})
	}
	// Padding: 3 statuses of 2 bits make one byte; 5 make two.
	lst, err := status.EncodeTokenList(2, func(i int) uint8 { return uint8(i%3) + 1 }, 5)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := status.DecodeTokenList(2, lst)
	if got := hex.EncodeToString(l.Bytes()); got != "7902" { // 1,2,3,1 -> 0b01_11_10_01; 2 -> 0b10
		t.Errorf("bytes %s", got)
	}
}

func zlibB64(data []byte, trailing []byte) string {
	var b bytes.Buffer
	w := zlib.NewWriter(&b)
	w.Write(data)
	w.Close()
	b.Write(trailing)
	return base64.RawURLEncoding.EncodeToString(b.Bytes())
}

func TestDecodeTokenListRejects(t *testing.T) {
	good := zlibB64([]byte{1, 2, 3}, nil)
	bomb := zlibB64(make([]byte, status.MaxTokenListBytes+1), nil)
	raw := func() string {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write([]byte{1, 2, 3})
		w.Close()
		p := b.Bytes()
		p[len(p)-1] ^= 1 // adler-32
		return base64.RawURLEncoding.EncodeToString(p)
	}()
	for _, tc := range []struct{ name, lst string }{
		{"empty", ""},
		{"padded", good + "=="},
		{"std base64", strings.NewReplacer("-", "+", "_", "/").Replace(zlibB64([]byte{0xfb, 0xff, 0xfe, 0xfb}, nil)) + "+/"},
		{"not zlib", base64.RawURLEncoding.EncodeToString([]byte("hello world"))},
		{"gzip", base64.RawURLEncoding.EncodeToString([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3})},
		{"bad checksum", raw},
		{"trailing data", zlibB64([]byte{1}, []byte{0})},
		{"no statuses", zlibB64(nil, nil)},
		{"bomb", bomb},
		{"line break", good[:4] + "\n" + good[4:]},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := status.DecodeTokenList(1, tc.lst)
			if !errors.Is(err, status.ErrListInvalid) || l != nil {
				t.Errorf("DecodeTokenList = %v, %v", l, err)
			}
		})
	}
	if _, err := status.DecodeTokenList(3, good); !errors.Is(err, status.ErrListInvalid) {
		t.Errorf("bits 3: %v", err)
	}
}

func TestParseTokenRef(t *testing.T) {
	ok := map[string]any{"status_list": map[string]any{"idx": json.Number("7"), "uri": "https://example.com/statuslists/1"}}
	ref, err := status.ParseTokenRef(ok)
	if err != nil || ref.Index != 7 || ref.URI != "https://example.com/statuslists/1" {
		t.Fatalf("%+v %v", ref, err)
	}
	for _, bad := range []any{
		nil, "x", map[string]any{},
		map[string]any{"status_list": map[string]any{"idx": -1.0, "uri": "https://x/1"}},
		map[string]any{"status_list": map[string]any{"idx": 1.5, "uri": "https://x/1"}},
		map[string]any{"status_list": map[string]any{"idx": "1", "uri": "https://x/1"}},
		map[string]any{"status_list": map[string]any{"idx": 1.0, "uri": "not a uri"}},
		map[string]any{"status_list": map[string]any{"idx": 1.0}},
	} {
		if _, err := status.ParseTokenRef(bad); !errors.Is(err, status.ErrEntryInvalid) {
			t.Errorf("ParseTokenRef(%v) = %v", bad, err)
		}
	}
}

// tokenIssuer signs status list tokens as did:key issuer.
type tokenIssuer struct {
	key    crypto.Signer
	did    string
	kid    string
	now    time.Time
	fetchN atomic.Int32
	tokens map[string]string // uri -> token
}

func newTokenIssuer(t *testing.T) *tokenIssuer {
	key, err := signing.GenerateKey(signing.EdDSA)
	if err != nil {
		t.Fatal(err)
	}
	id, err := did.KeyDID(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return &tokenIssuer{key: key, did: id, kid: id + "#" + strings.TrimPrefix(id, "did:key:"),
		now: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), tokens: map[string]string{}}
}

func (ti *tokenIssuer) publish(t *testing.T, uri string, values map[int]uint8, mod func(*status.TokenListClaims)) {
	t.Helper()
	lst, err := status.EncodeTokenList(2, func(i int) uint8 { return values[i] }, 1024)
	if err != nil {
		t.Fatal(err)
	}
	c := status.TokenListClaims{Subject: uri, Issuer: ti.did, IssuedAt: ti.now, Expiry: ti.now.Add(time.Hour),
		TTL: 10 * time.Minute, Bits: 2, List: lst}
	if mod != nil {
		mod(&c)
	}
	tok, err := status.SignTokenList(ti.key, "", ti.kid, c)
	if err != nil {
		t.Fatal(err)
	}
	ti.tokens[uri] = tok
}

func (ti *tokenIssuer) checker(clock *time.Time, maxAge time.Duration) *status.TokenChecker {
	return &status.TokenChecker{
		Fetch: func(ctx context.Context, uri string) ([]byte, error) {
			ti.fetchN.Add(1)
			tok, ok := ti.tokens[uri]
			if !ok {
				return nil, fmt.Errorf("404 %s", uri)
			}
			return []byte(tok), nil
		},
		Key:        status.DIDTokenKeys(&did.Resolver{}),
		Algorithms: []signing.Algorithm{signing.EdDSA, signing.ES256},
		Now:        func() time.Time { return *clock },
		MaxAge:     maxAge,
	}
}

func TestTokenChecker(t *testing.T) {
	ti := newTokenIssuer(t)
	uri := "https://issuer.example/statuslists/1"
	ti.publish(t, uri, map[int]uint8{3: status.TokenInvalid, 5: status.TokenSuspended}, nil)
	clock := ti.now.Add(time.Minute)
	c := ti.checker(&clock, time.Hour)
	ctx := context.Background()
	for idx, want := range map[int]uint8{0: status.TokenValid, 3: status.TokenInvalid, 5: status.TokenSuspended} {
		r, err := c.Check(ctx, ti.did, status.TokenRef{Index: idx, URI: uri})
		if err != nil {
			t.Fatal(err)
		}
		if r.Status != want || r.Bits != 2 || r.URI != uri || r.Valid() != (want == 0) {
			t.Errorf("idx %d: %+v", idx, r)
		}
	}
	if n := ti.fetchN.Load(); n != 1 {
		t.Errorf("%d fetches, want 1 (cached)", n)
	}
	// ttl (10 min) bounds the cache: the issuer changes the list.
	ti.publish(t, uri, map[int]uint8{0: status.TokenInvalid, 5: status.TokenSuspended}, nil)
	clock = clock.Add(5 * time.Minute)
	if r, _ := c.Check(ctx, ti.did, status.TokenRef{Index: 0, URI: uri}); r.Status != status.TokenValid {
		t.Error("cache not used within ttl and MaxAge")
	}
	clock = clock.Add(5*time.Minute + time.Second)
	if r, _ := c.Check(ctx, ti.did, status.TokenRef{Index: 0, URI: uri}); r.Status != status.TokenInvalid {
		t.Error("list not refetched after ttl")
	}
	// CheckClaims reads iss and status.
	r, err := c.CheckClaims(ctx, map[string]any{"iss": ti.did, "status": map[string]any{
		"status_list": map[string]any{"idx": json.Number("5"), "uri": uri}}})
	if err != nil || r.Status != status.TokenSuspended {
		t.Errorf("CheckClaims: %+v %v", r, err)
	}
	// Another issuer pointing at this list is refused, cached or not.
	other := newTokenIssuer(t)
	if _, err := c.Check(ctx, other.did, status.TokenRef{Index: 0, URI: uri}); reason(err) != status.ReasonIssuerMismatch {
		t.Errorf("other issuer: %v", err)
	}
	// exp bounds the cache and then fails.
	clock = ti.now.Add(time.Hour + time.Second)
	if _, err := c.Check(ctx, ti.did, status.TokenRef{Index: 0, URI: uri}); reason(err) != status.ReasonListExpired {
		t.Errorf("expired: %v", err)
	}
}

func reason(err error) string {
	var e *status.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return fmt.Sprintf("not a *status.Error: %v", err)
}

func TestTokenCheckerRejects(t *testing.T) {
	ctx := context.Background()
	uri := "https://issuer.example/statuslists/1"
	for _, tc := range []struct {
		name    string
		publish func(t *testing.T, ti *tokenIssuer)
		idx     int
		reason  string
	}{
		{"not found", func(t *testing.T, ti *tokenIssuer) {}, 0, status.ReasonListUnavailable},
		{"index out of range", func(t *testing.T, ti *tokenIssuer) { ti.publish(t, uri, nil, nil) }, 1024, status.ReasonIndexOutOfRange},
		{"sub is another list", func(t *testing.T, ti *tokenIssuer) {
			ti.publish(t, uri, nil, func(c *status.TokenListClaims) { c.Subject = uri + "0" })
		}, 0, status.ReasonListIDMismatch},
		{"iss is another issuer", func(t *testing.T, ti *tokenIssuer) {
			ti.publish(t, uri, nil, func(c *status.TokenListClaims) { c.Issuer = "did:web:other.example" })
		}, 0, status.ReasonIssuerMismatch},
		{"expired", func(t *testing.T, ti *tokenIssuer) {
			ti.publish(t, uri, nil, func(c *status.TokenListClaims) { c.Expiry = ti.now })
		}, 0, status.ReasonListExpired},
		{"signed by another key", func(t *testing.T, ti *tokenIssuer) {
			ti.publish(t, uri, nil, nil)
			other, _ := signing.GenerateKey(signing.EdDSA)
			parts := strings.Split(ti.tokens[uri], ".")
			sig, _ := signing.Sign(other, signing.EdDSA, []byte(parts[0]+"."+parts[1]))
			ti.tokens[uri] = parts[0] + "." + parts[1] + "." + base64.RawURLEncoding.EncodeToString(sig)
		}, 0, status.ReasonListUnverified},
		{"kid of another DID", func(t *testing.T, ti *tokenIssuer) {
			ti.kid = "did:web:other.example#key-1"
			ti.publish(t, uri, nil, nil)
		}, 0, status.ReasonListUnverified},
		{"wrong typ", func(t *testing.T, ti *tokenIssuer) {
			tok, _ := jws.Sign(ti.key, jws.Header{Kid: ti.kid, Typ: "JWT"}, []byte(`{"sub":"`+uri+`","iat":1,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`))
			ti.tokens[uri] = tok
		}, 0, status.ReasonListUnverified},
		{"no iat", func(t *testing.T, ti *tokenIssuer) {
			tok, _ := jws.Sign(ti.key, jws.Header{Kid: ti.kid, Typ: status.TypTokenList}, []byte(`{"sub":"`+uri+`","status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`))
			ti.tokens[uri] = tok
		}, 0, status.ReasonListInvalid},
		{"bad bits", func(t *testing.T, ti *tokenIssuer) {
			tok, _ := jws.Sign(ti.key, jws.Header{Kid: ti.kid, Typ: status.TypTokenList}, []byte(`{"sub":"`+uri+`","iat":1,"status_list":{"bits":3,"lst":"eNrbuRgAAhcBXQ"}}`))
			ti.tokens[uri] = tok
		}, 0, status.ReasonListInvalid},
		{"ttl zero", func(t *testing.T, ti *tokenIssuer) {
			tok, _ := jws.Sign(ti.key, jws.Header{Kid: ti.kid, Typ: status.TypTokenList}, []byte(`{"sub":"`+uri+`","iat":1,"ttl":0,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`))
			ti.tokens[uri] = tok
		}, 0, status.ReasonListInvalid},
		{"duplicate claim", func(t *testing.T, ti *tokenIssuer) {
			tok, _ := jws.Sign(ti.key, jws.Header{Kid: ti.kid, Typ: status.TypTokenList}, []byte(`{"sub":"`+uri+`","sub":"x","iat":1,"status_list":{"bits":1,"lst":"eNrbuRgAAhcBXQ"}}`))
			ti.tokens[uri] = tok
		}, 0, status.ReasonListInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ti := newTokenIssuer(t)
			tc.publish(t, ti)
			clock := ti.now.Add(time.Minute)
			c := ti.checker(&clock, 0)
			r, err := c.Check(ctx, ti.did, status.TokenRef{Index: tc.idx, URI: uri})
			if reason(err) != tc.reason {
				t.Errorf("Check = %+v, %v; want reason %s", r, err, tc.reason)
			}
			// A failure is not cached: the next check fetches again.
			n := ti.fetchN.Load()
			c.Check(ctx, ti.did, status.TokenRef{Index: tc.idx, URI: uri})
			if ti.fetchN.Load() != n+1 && tc.reason != status.ReasonIndexOutOfRange {
				t.Error("failure cached")
			}
		})
	}
	var c status.TokenChecker
	if _, err := c.Check(ctx, "did:example:x", status.TokenRef{URI: uri}); reason(err) != status.ReasonListUnavailable {
		t.Errorf("zero TokenChecker: %v", err)
	}
}

func TestTokenCheckerNoCache(t *testing.T) {
	ti := newTokenIssuer(t)
	uri := "https://issuer.example/statuslists/1"
	ti.publish(t, uri, nil, nil)
	clock := ti.now
	c := ti.checker(&clock, -1)
	for range 3 {
		if _, err := c.Check(context.Background(), ti.did, status.TokenRef{Index: 1, URI: uri}); err != nil {
			t.Fatal(err)
		}
	}
	if n := ti.fetchN.Load(); n != 3 {
		t.Errorf("%d fetches, want 3", n)
	}
}
