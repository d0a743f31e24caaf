package app_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/delegation"
	"github.com/thaitrust/thaitrust/internal/app"
)

// TestMigrateDelegationDrafts: store migrate copies delegation drafts with
// their approvals, finds them present on a second run, and refuses a
// destination whose draft changed since.
func TestMigrateDelegationDrafts(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct{ name, uri string }{
		{"mongodb", ""},
		{"bolt", "bolt:copy.db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := fillSource(t)
			at := time.Date(2025, 6, 1, 9, 30, 0, 123_456_789, time.UTC) // below a millisecond too
			for i, id := range []string{"urn:uuid:open", "urn:uuid:issued"} {
				d := delegation.Draft{
					ID: id, State: delegation.StateOpen, Issuer: "did:web:dbd.example",
					Delegation: delegation.Delegation{Grantee: delegation.Party{Type: "NaturalPerson", ID: "did:key:zGrantee", Name: map[string]any{"th": "สมหญิง"}},
						Scope: delegation.Scope{Actions: []string{"vat.file"}, AmountLimit: &delegation.Money{Amount: "500000.50", Currency: "THB"}}},
					ValidFrom: at.Truncate(time.Second), ValidUntil: at.Add(time.Hour).Truncate(time.Second), CreatedAt: at,
					Directors: []delegation.Signer{{Role: delegation.RoleDirector, Key: "did:key:z1", Director: "pid:1", Authority: "eyJ.a.b"}},
					Body:      []byte(`{"type":"DelegationDraft"}`), Digest: "digest",
				}
				if err := src.Delegation().CreateDraft(ctx, d); err != nil {
					t.Fatal(err)
				}
				if _, err := src.Delegation().UpdateDraft(ctx, id, func(o delegation.Draft) (delegation.Draft, error) {
					o.Approvals = append(o.Approvals, delegation.Approval{Role: delegation.RoleDirector, Key: "did:key:z1", JWS: "x.y.z", At: at})
					if i == 1 {
						o.State, o.Credential = delegation.StateIssued, "eyJ.issued.c"
					}
					return o, nil
				}); err != nil {
					t.Fatal(err)
				}
			}
			dst, m := migrateTo(ctx, t, src, tc.uri)
			if m.Drafts != (app.Tally{Source: 2, Copied: 2, Verified: 2}) {
				t.Errorf("drafts: %v", m.Drafts)
			}
			got, err := dst.Delegation().GetDraft(ctx, "urn:uuid:open")
			if err != nil || len(got.Approvals) != 1 || got.Approvals[0].JWS != "x.y.z" || got.Delegation.Scope.AmountLimit.Amount != "500000.50" ||
				got.Delegation.Grantee.Name["th"] != "สมหญิง" || got.State != delegation.StateOpen {
				t.Fatalf("draft after the copy: %+v, %v", got, err)
			}
			if got, _ := dst.Delegation().GetDraft(ctx, "urn:uuid:issued"); got.Credential != "eyJ.issued.c" || got.State != delegation.StateIssued {
				t.Errorf("issued draft after the copy: %+v", got)
			}

			m, err = app.Migrate(ctx, src, dst, app.MigrateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if m.Drafts != (app.Tally{Source: 2, Present: 2, Verified: 2}) {
				t.Errorf("second run: drafts %v", m.Drafts)
			}

			// An approval collected in the destination since: not the same.
			if _, err := dst.Delegation().UpdateDraft(ctx, "urn:uuid:open", func(o delegation.Draft) (delegation.Draft, error) {
				o.Approvals = append(o.Approvals, delegation.Approval{Role: delegation.RoleSeal, Key: "did:key:zSeal", JWS: "s.e.al", At: at})
				return o, nil
			}); err != nil {
				t.Fatal(err)
			}
			if _, err := app.Migrate(ctx, src, dst, app.MigrateOptions{}); !errors.Is(err, app.ErrMigrationMismatch) {
				t.Errorf("destination changed since: %v, want ErrMigrationMismatch", err)
			}
		})
	}
}
