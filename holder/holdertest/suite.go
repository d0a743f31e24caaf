package holdertest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/signing"
)

// TestStore is the conformance suite of holder.Store: every backend runs
// it with a function that opens a fresh, empty store.
func TestStore(t *testing.T, open func(t *testing.T) holder.Store) {
	ctx := context.Background()
	at := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	key := func(id string) *holder.Key {
		s, err := signing.GenerateKey(signing.EdDSA)
		if err != nil {
			t.Fatal(err)
		}
		j, err := signing.PrivateJWK(s)
		if err != nil {
			t.Fatal(err)
		}
		return &holder.Key{ID: id, JWK: j, Created: at}
	}
	cred := func(id string) *holder.Credential {
		return &holder.Credential{
			ID: id, Format: holder.FormatSDJWT, Raw: "eyJ...~", KeyID: "k-" + id, Type: "DegreeCredential",
			VCT: holder.VCTBase + "DegreeCredential", Issuer: "did:web:u.example", ReceivedAt: at,
			Display: holder.Display{Name: map[string]string{"th": "ปริญญาบัตร", "en": "Degree"}},
		}
	}

	t.Run("credentials", func(t *testing.T) {
		s := open(t)
		if _, err := s.GetCredential(ctx, "nope"); !errors.Is(err, holder.ErrNotFound) {
			t.Fatalf("GetCredential(missing) = %v, want ErrNotFound", err)
		}
		if err := s.DeleteCredential(ctx, "nope"); !errors.Is(err, holder.ErrNotFound) {
			t.Fatalf("DeleteCredential(missing) = %v, want ErrNotFound", err)
		}
		a, b := cred("aaaa"), cred("bbbb")
		for _, c := range []*holder.Credential{a, b} {
			if err := s.PutCredential(ctx, c); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.GetCredential(ctx, "aaaa")
		if err != nil || !reflect.DeepEqual(got, a) {
			t.Fatalf("GetCredential = %+v, %v; want %+v", got, err, a)
		}
		got.Display.Name["th"] = "changed"
		if again, _ := s.GetCredential(ctx, "aaaa"); again.Display.Name["th"] != "ปริญญาบัตร" {
			t.Fatal("the store shares memory with a returned credential")
		}
		a.Raw = "replaced~"
		if err := s.PutCredential(ctx, a); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.GetCredential(ctx, "aaaa"); got.Raw != "replaced~" {
			t.Fatalf("Put did not replace: %q", got.Raw)
		}
		var ids []string
		if err := s.Credentials(ctx, func(c *holder.Credential) error { ids = append(ids, c.ID); return nil }); err != nil {
			t.Fatal(err)
		}
		slices.Sort(ids)
		if !slices.Equal(ids, []string{"aaaa", "bbbb"}) {
			t.Fatalf("Credentials = %v", ids)
		}
		stop := errors.New("stop")
		if err := s.Credentials(ctx, func(*holder.Credential) error { return stop }); !errors.Is(err, stop) {
			t.Fatalf("Credentials did not return fn's error: %v", err)
		}
		if err := s.DeleteCredential(ctx, "aaaa"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetCredential(ctx, "aaaa"); !errors.Is(err, holder.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
	})

	t.Run("keys", func(t *testing.T) {
		s := open(t)
		k := key("kkkk")
		if err := s.PutKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		got, err := s.GetKey(ctx, "kkkk")
		if err != nil || got.JWK != k.JWK || !got.Created.Equal(k.Created) {
			t.Fatalf("GetKey = %v, %v", got, err)
		}
		if _, err := got.Signer(); err != nil {
			t.Fatalf("stored key does not decode: %v", err)
		}
		n := 0
		if err := s.Keys(ctx, func(*holder.Key) error { n++; return nil }); err != nil || n != 1 {
			t.Fatalf("Keys: %d, %v", n, err)
		}
		if err := s.DeleteKey(ctx, "kkkk"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.GetKey(ctx, "kkkk"); !errors.Is(err, holder.ErrNotFound) {
			t.Fatalf("after delete: %v", err)
		}
		if err := s.DeleteKey(ctx, "kkkk"); !errors.Is(err, holder.ErrNotFound) {
			t.Fatalf("delete twice: %v", err)
		}
	})

	t.Run("log", func(t *testing.T) {
		s := open(t)
		e := &holder.LogEntry{
			ID: "llll", Time: at, Verifier: holder.Verifier{ClientID: "decentralized_identifier:did:web:e.example", DID: "did:web:e.example"},
			Purpose: map[string]string{"en": "hiring"}, Outcome: holder.OutcomePending,
			Credentials: []holder.LoggedCredential{{CredentialID: "aaaa", Format: holder.FormatSDJWT, Disclosed: []string{"/award"}}},
		}
		if err := s.PutLog(ctx, e); err != nil {
			t.Fatal(err)
		}
		e.Outcome = holder.OutcomeSent
		if err := s.PutLog(ctx, e); err != nil {
			t.Fatal(err)
		}
		var got []*holder.LogEntry
		if err := s.Log(ctx, func(x *holder.LogEntry) error { got = append(got, x); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], e) {
			t.Fatalf("Log = %+v, want [%+v]", got, e)
		}
	})
}
