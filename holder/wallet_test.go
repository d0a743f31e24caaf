package holder_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/holder/holdertest"
)

func newWallet(t *testing.T, s holder.Store) *holder.Wallet {
	t.Helper()
	if s == nil {
		s = holdertest.NewMemoryStore()
	}
	w, err := holder.New(context.Background(), holder.Config{Store: s, Now: func() time.Time { return holdertest.Epoch.Add(time.Hour) }})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func TestListShowDelete(t *testing.T) {
	ctx := context.Background()
	w := newWallet(t, nil)
	m := holdertest.NewMinter(t)
	sd := m.Add(t, w, "DegreeCredential", holder.FormatSDJWT)
	m.Now = m.Now.Add(time.Minute)
	jw := m.Add(t, w, "ThaiCitizenCredential", holder.FormatJWTVC)

	list := w.List(ctx)
	if len(list) != 2 {
		t.Fatalf("List: %d cards", len(list))
	}
	if list[0].ID != jw.ID || list[1].ID != sd.ID {
		t.Errorf("List order: %s, %s; want newest first", list[0].ID, list[1].ID)
	}
	if list[1].Title["th"] != "ปริญญาบัตร" || list[1].Title["en"] != "Degree Certificate" || list[1].Type != "DegreeCredential" {
		t.Errorf("title: %+v", list[1])
	}
	if list[1].Issuer != m.DID || list[1].Format != holder.FormatSDJWT || !list[1].IssuedAt.Equal(holdertest.Epoch) {
		t.Errorf("summary: %+v", list[1])
	}

	card, err := w.Show(ctx, sd.ID[:6])
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]holder.CardClaim{}
	for _, c := range card.Claims {
		byPath[c.Path] = c
	}
	if c := byPath["/student/pid"]; c.Value != "1103701234563" || !c.Disclosable || c.Label["th"] != "นักศึกษา › เลขประจำตัวประชาชน" {
		t.Errorf("/student/pid: %+v", c)
	}
	if c := byPath["/award/name"]; c.Disclosable || c.Value.(map[string]any)["th"] != "วิศวกรรมศาสตรบัณฑิต" {
		t.Errorf("/award/name: %+v", c)
	}
	if _, ok := byPath["/cnf"]; ok {
		t.Error("technical claim cnf shown as a claim")
	}
	if c := byPath["/summary/gpax"]; !c.Disclosable {
		t.Errorf("/summary/gpax inside a disclosable object: %+v", c)
	}

	card, err = w.Show(ctx, jw.ID)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, c := range card.Claims {
		if c.Path == "/pid" && c.Value == "1501400317847" && !c.Disclosable {
			found = true
		}
	}
	if !found {
		t.Errorf("jwt_vc_json card lacks /pid: %+v", card.Claims)
	}

	if _, err := w.Show(ctx, "zz"); !errors.Is(err, holder.ErrNotFound) {
		t.Errorf("Show(short) = %v", err)
	}
	if _, err := w.Show(ctx, "zzzzzzzz"); !errors.Is(err, holder.ErrNotFound) {
		t.Errorf("Show(unknown) = %v", err)
	}
	ids, err := w.Delete(ctx, sd.ID)
	if err != nil || len(ids) != 1 {
		t.Fatalf("Delete = %v, %v", ids, err)
	}
	if _, err := w.Show(ctx, sd.ID); !errors.Is(err, holder.ErrNotFound) {
		t.Errorf("Show(deleted) = %v", err)
	}
	if len(w.List(ctx)) != 1 {
		t.Error("deleted card still listed")
	}
	if _, err := w.Credential(ctx, sd.ID); !errors.Is(err, holder.ErrNotFound) {
		t.Errorf("deleted credential still stored: %v", err)
	}
}

func TestExportImport(t *testing.T) {
	ctx := context.Background()
	src := newDirStore(t)
	w := newWallet(t, src)
	m := holdertest.NewMinter(t)
	a := m.Add(t, w, "DegreeCredential", holder.FormatSDJWT)
	m.Add(t, w, "TranscriptCredential", holder.FormatJWTVC)
	if err := src.PutLog(ctx, &holder.LogEntry{ID: "entry1", Time: holdertest.Epoch, Outcome: holder.OutcomeSent,
		Credentials: []holder.LoggedCredential{{CredentialID: a.ID, Format: holder.FormatSDJWT, Disclosed: []string{"/student/pid"}}}}); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	backupPass := []byte("another long backup passphrase")
	if err := holder.Export(ctx, src, &buf, backupPass, holder.ExportOptions{KDF: testKDF}); err != nil {
		t.Fatal(err)
	}
	text := buf.String()
	if !strings.HasPrefix(text, "-----BEGIN THAITRUST WALLET BACKUP-----\n") {
		t.Fatalf("backup does not start with the armor line:\n%.200s", text)
	}
	for _, secret := range []string{"1103701234563", "ณัฐวุฒิ", a.Raw[:40], "DegreeCredential"} {
		if strings.Contains(text, secret) {
			t.Errorf("backup holds %q in clear", secret)
		}
	}

	t.Run("round trip", func(t *testing.T) {
		dst := newDirStore(t)
		n, err := holder.Import(ctx, strings.NewReader(text), backupPass, dst)
		if err != nil {
			t.Fatal(err)
		}
		if n != (holder.BackupCounts{Credentials: 2, Keys: 2, Log: 1}) {
			t.Errorf("Import counts %+v", n)
		}
		w2 := newWallet(t, dst)
		if len(w2.List(ctx)) != 2 {
			t.Errorf("imported wallet lists %d cards", len(w2.List(ctx)))
		}
		card, err := w2.Show(ctx, a.ID)
		if err != nil || card.Presented != 1 {
			t.Errorf("imported card: %+v, %v (presented once per the log)", card, err)
		}
		log, _ := w2.Log(ctx)
		if len(log) != 1 {
			t.Errorf("imported log: %d entries", len(log))
		}
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		_, err := holder.Import(ctx, strings.NewReader(text), []byte("not the backup passphrase"), holdertest.NewMemoryStore())
		if !errors.Is(err, holder.ErrWrongPassphrase) {
			t.Fatalf("Import(wrong) = %v", err)
		}
	})
	t.Run("tampered", func(t *testing.T) {
		lines := strings.Split(text, "\n")
		l := []byte(lines[3])
		if l[10] == 'A' {
			l[10] = 'B'
		} else {
			l[10] = 'A'
		}
		lines[3] = string(l)
		dst := holdertest.NewMemoryStore()
		_, err := holder.Import(ctx, strings.NewReader(strings.Join(lines, "\n")), backupPass, dst)
		if !errors.Is(err, holder.ErrCorrupted) {
			t.Fatalf("Import(tampered) = %v", err)
		}
		n := 0
		dst.Keys(ctx, func(*holder.Key) error { n++; return nil })
		if n != 0 {
			t.Error("a tampered backup wrote records")
		}
		_, err = holder.Import(ctx, strings.NewReader(strings.Join(lines[:5], "\n")), backupPass, dst)
		if !errors.Is(err, holder.ErrCorrupted) {
			t.Fatalf("Import(truncated) = %v", err)
		}
	})
}
