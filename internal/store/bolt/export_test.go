package bolt_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/store/bolt"
	"github.com/thaitrust/thaitrust/issuer"
)

func TestExport(t *testing.T) {
	ctx := context.Background()
	db := open(t, bolt.Options{})
	// Nothing yet: the walks are empty (the FVS tree does not exist).
	for name, walk := range map[string]func() error{
		"lists": func() error {
			return db.IssuerLists(ctx, func(issuer.StatusList) error { return errors.New("a list") })
		},
		"records": func() error {
			return db.IssuerRecords(ctx, func(issuer.Record) error { return errors.New("a record") })
		},
		"templates": func() error {
			return db.FVSTemplates(ctx, func(fvs.TemplateRecord) error { return errors.New("a template") })
		},
	} {
		if err := walk(); err != nil {
			t.Errorf("%s of an empty file: %v", name, err)
		}
	}

	s := db.Issuer()
	const n = 1300 // more than two batches
	want := map[string]bool{}
	for i := range n {
		r := record(i)
		if i%3 == 0 {
			r.Issuer = "chula-med"
		}
		if err := s.PutRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
		want[r.Issuer+"/"+r.ID] = true
	}
	for i, iss := range []string{"chula", "chula-med", "mahidol"} {
		l := issuer.StatusList{Issuer: iss, ID: fmt.Sprint(i + 1), Seq: int64(i + 1), Size: 1024, Next: uint64(i),
			Revoked: make([]byte, 128), Suspended: make([]byte, 128)}
		l.Revoked[i] = 0xff
		if err := s.CreateList(ctx, l); err != nil {
			t.Fatal(err)
		}
	}
	f := db.FVS()
	for i := range 3 {
		if _, err := f.PutTemplate(ctx, fvs.TemplateRecord{Subject: fvs.SubjectKey{byte(i)}, Model: "m", Ciphertext: []byte{byte(i)}}); err != nil {
			t.Fatal(err)
		}
	}

	var prev string
	err := db.IssuerRecords(ctx, func(r issuer.Record) error {
		k := r.Issuer + "\x00" + r.ID
		if k <= prev {
			return fmt.Errorf("records out of order: %q after %q", k, prev)
		}
		prev = k
		if !want[r.Issuer+"/"+r.ID] {
			return fmt.Errorf("unexpected or repeated record %s/%s", r.Issuer, r.ID)
		}
		delete(want, r.Issuer+"/"+r.ID)
		return nil
	})
	if err != nil || len(want) != 0 {
		t.Errorf("IssuerRecords: %v; %d records not visited", err, len(want))
	}
	var lists []string
	if err := db.IssuerLists(ctx, func(l issuer.StatusList) error {
		if l.Revoked[l.Seq-1] != 0xff || l.Next != uint64(l.Seq-1) || l.Version != 1 {
			return fmt.Errorf("list %s/%s: %+v", l.Issuer, l.ID, l)
		}
		lists = append(lists, l.Issuer+"/"+l.ID)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(lists) != "[chula/1 chula-med/2 mahidol/3]" {
		t.Errorf("lists %v", lists)
	}
	var subs []byte
	if err := db.FVSTemplates(ctx, func(r fvs.TemplateRecord) error {
		subs = append(subs, r.Subject[0])
		if r.Ciphertext[0] != r.Subject[0] {
			return errors.New("wrong template")
		}
		return nil
	}); err != nil || string(subs) != "\x00\x01\x02" {
		t.Errorf("FVSTemplates: %v, %v", subs, err)
	}
	stop := errors.New("stop")
	if err := db.IssuerRecords(ctx, func(issuer.Record) error { return stop }); err != stop {
		t.Errorf("fn error: %v", err)
	}
}
