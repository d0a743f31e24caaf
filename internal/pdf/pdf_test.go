package pdf

import (
	"bytes"
	"errors"
	"testing"
)

func sample(t *testing.T) []byte {
	t.Helper()
	w := NewWriter("1.7")
	cat, pages, page, content := w.Alloc(), w.Alloc(), w.Alloc(), w.Alloc()
	w.Put(content, FlateStream(nil, []byte("0 0 m 10 10 l S")))
	w.Put(page, Dict{"Type": Name("Page"), "Parent": pages, "MediaBox": Array{int64(0), int64(0), 595.28, 841.89}, "Contents": content})
	w.Put(pages, Dict{"Type": Name("Pages"), "Kids": Array{page}, "Count": int64(1)})
	w.Put(cat, Dict{"Type": Name("Catalog"), "Pages": pages, "Title": TextString("ปริญญา (1)")})
	return w.Finish(Dict{"Root": cat, "ID": Array{HexString{1, 2}, HexString{1, 2}}})
}

func TestRoundTrip(t *testing.T) {
	data := sample(t)
	f, err := Open(data)
	if err != nil {
		t.Fatal(err)
	}
	cat := f.GetDict(f.Root())
	if cat.Name("Type") != "Catalog" || DecodeText(cat["Title"].(String)) != "ปริญญา (1)" {
		t.Fatalf("catalog %v", cat)
	}
	pages := f.GetDict(cat["Pages"])
	page := f.GetDict(pages["Kids"].(Array)[0])
	cs, _ := f.Resolve(page["Contents"])
	got, err := Decode(cs.(*Stream))
	if err != nil || string(got) != "0 0 m 10 10 l S" {
		t.Fatalf("content %q %v", got, err)
	}
	if len(f.Revisions) != 1 || f.Revisions[0].End != int64(len(data)) {
		t.Fatalf("revisions %+v", f.Revisions[0])
	}

	// An incremental update replaces the catalog.
	u := NewUpdate(data, f)
	c2 := cat.Clone()
	c2["Lang"] = String("th")
	u.Put(f.Root(), c2)
	extra := u.Alloc()
	u.Put(extra, Array{int64(1), 2.5, true, nil, Name("A B")})
	data2 := u.Finish(Dict{"Root": f.Root(), "ID": f.Trailer["ID"]})
	f2, err := Open(data2)
	if err != nil {
		t.Fatal(err)
	}
	if len(f2.Revisions) != 2 || f2.Revisions[0].End != int64(len(data)) || f2.Revisions[1].End != int64(len(data2)) {
		t.Fatalf("revisions: %d", len(f2.Revisions))
	}
	if f2.GetDict(f2.Root())["Lang"] == nil {
		t.Fatal("update not seen")
	}
	old, _ := f2.ResolveAt(0, f2.Root())
	if old.(Dict)["Lang"] != nil {
		t.Fatal("old revision sees the update")
	}
	arr, _ := f2.Resolve(extra)
	if !Equal(arr, Array{int64(1), 2.5, true, Name("A B")}) && !Equal(arr, Array{int64(1), 2.5, true, nil, Name("A B")}) {
		t.Fatalf("array %v", arr)
	}
}

func TestObjects(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Object
	}{
		{"<</A 1 0 R/B[(x\\)y) <41 42>]/C -1.5/D/N#20x>>", Dict{"A": Ref{1, 0}, "B": Array{String("x)y"), String("AB")}, "C": -1.5, "D": Name("N x")}},
		{"[1 2 3 R 4]", Array{int64(1), Ref{2, 3}, int64(4)}},
		{"(a(b)c\\101)", String("a(b)cA")},
	} {
		got, err := ParseObject([]byte(tc.in))
		if err != nil || !Equal(got, tc.want) {
			t.Errorf("%s: got %v %v", tc.in, got, err)
		}
		again, err := ParseObject(AppendObject(nil, got))
		if err != nil || !Equal(again, got) {
			t.Errorf("%s: round trip %v %v", tc.in, again, err)
		}
	}
}

func TestMalformed(t *testing.T) {
	data := sample(t)
	for name, mod := range map[string]func([]byte) []byte{
		"no header":  func(b []byte) []byte { return b[5:] },
		"no eof":     func(b []byte) []byte { return b[:len(b)-7] },
		"bad offset": func(b []byte) []byte { return bytes.Replace(b, []byte("startxref\n"), []byte("startxref\n9"), 1) },
		"deep":       func(b []byte) []byte { return append(bytes.Repeat([]byte("["), 100), b...) },
	} {
		if f, err := Open(mod(bytes.Clone(data))); err == nil {
			if _, err := f.Resolve(f.Root()); err == nil && name != "deep" {
				t.Errorf("%s: no error", name)
			}
		} else if !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v does not wrap ErrMalformed", name, err)
		}
	}
}

func FuzzOpen(f *testing.F) {
	f.Add(sample(&testing.T{}))
	f.Add([]byte("%PDF-1.7\n1 0 obj<</Type/XRef/W[1 2 1]/Size 2/Length 8>>stream\n\x01\x00\x09\x00\x01\x00\x09\x00\nendstream endobj\nstartxref\n9\n%%EOF"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Open(data)
		if err != nil {
			if file != nil {
				t.Fatal("error with a non-nil file")
			}
			return
		}
		root, _ := file.Resolve(file.Root())
		if d, ok := root.(Dict); ok {
			for _, v := range d {
				file.Resolve(v)
			}
		}
		for n := 0; n < 50 && n < file.Size(); n++ {
			o, err := file.Resolve(Ref{Num: n})
			if s, ok := o.(*Stream); ok && err == nil {
				Decode(s)
			}
		}
	})
}
