package mongo_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/internal/store/mongo"
	"github.com/thaitrust/thaitrust/internal/store/mongo/mongotest"
	"github.com/thaitrust/thaitrust/issuer"
)

// TestTLS: TLS and X.509 client authentication are configured in the
// URI alone, and the server certificate is verified (a URI without the
// CA that issued it fails, as does a plain connection, and, when the
// server requires one, a connection without a client certificate).
func TestTLS(t *testing.T) {
	for _, mutual := range []bool{false, true} {
		name := map[bool]string{false: "server", true: "mutual"}[mutual]
		t.Run(name, func(t *testing.T) {
			base := mongotest.TLSServer(t, mutual)
			uri, err := mongotest.WithDatabase(base, "tt_tls")
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			db, err := mongo.Open(ctx, uri, mongo.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if err := db.Issuer().CreateList(ctx, issuer.StatusList{Issuer: "u", ID: "1", Seq: 1, Size: 1024,
				Revoked: make([]byte, 128), Suspended: make([]byte, 128)}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Issuer().GetList(ctx, "u", "1"); err != nil {
				t.Fatal(err)
			}

			u, _ := url.Parse(uri)
			without := func(keys ...string) string {
				q := u.Query()
				for _, k := range keys {
					q.Del(k)
				}
				v := *u
				v.RawQuery = q.Encode()
				return v.String()
			}
			bad := map[string]string{
				"no CA (system roots)": without("tlsCAFile"),
				"no TLS":               without("tls", "tlsCAFile", "tlsCertificateKeyFile"),
			}
			if mutual {
				bad["no client certificate"] = without("tlsCertificateKeyFile")
			}
			for what, u := range bad {
				ctx, cancel := context.WithTimeout(ctx, time.Second)
				db, err := mongo.Open(ctx, u, mongo.Options{})
				cancel()
				if err == nil {
					db.Close()
					t.Errorf("%s: connected", what)
				}
			}
		})
	}
}
