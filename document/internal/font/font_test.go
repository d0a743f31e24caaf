package font

import (
	"os"
	"strings"
	"testing"

	"github.com/thaitrust/thaitrust/internal/pdf"
)

func laksaman(t *testing.T) *Font {
	data, err := os.ReadFile("/usr/share/fonts/truetype/tlwg/Laksaman.ttf")
	if err != nil {
		t.Skip("Laksaman is not installed (scripts/setup.sh installs fonts-tlwg-laksaman-ttf)")
	}
	f, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestThaiShaping(t *testing.T) {
	f := laksaman(t)
	// ป่: the tone mark is moved left of the tall consonant (a GSUB
	// variant or a GPOS offset); ปู่: it follows the lower vowel.
	for _, tc := range []struct {
		text  string
		check func(r Run) bool
		what  string
	}{
		{"ป่", func(r Run) bool {
			return len(r.Glyphs) == 2 && (r.Glyphs[1].DX < 0 || r.Glyphs[1].ID != mustGlyph(f, 0x0E48))
		}, "tone mark moved off the ascender"},
		{"ก่ำ", func(r Run) bool { return len(r.Glyphs) == 4 }, "SARA AM decomposed into NIKHAHIT and SARA AA"},
		{"ชื่อ", func(r Run) bool { return len(r.Glyphs) == 4 && r.Glyphs[1].Advance == 0 && r.Glyphs[2].Advance == 0 }, "vowel and tone stacked with zero advance"},
	} {
		r, err := f.Shape(tc.text)
		if err != nil {
			t.Fatal(err)
		}
		if !tc.check(r) {
			t.Errorf("%s: %s: %+v", tc.text, tc.what, r.Glyphs)
		}
	}
	if _, err := f.Shape("漢"); err == nil {
		t.Error("a character outside the font was shaped")
	}
}

func mustGlyph(f *Font, r rune) uint16 {
	for g, c := range f.rev {
		if c == r {
			return uint16(g)
		}
	}
	return 0
}

func TestEmbedMapsEveryGlyph(t *testing.T) {
	f := laksaman(t)
	s := f.NewSubset()
	var runs []Run
	for _, text := range []string{"ก่ำ น้ำ ปู่ ญู ฐุ", "วงศ์สวัสดิ์", "Nattawut"} {
		r, err := f.Shape(text)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
		runs = append(runs, r)
	}
	w := pdf.NewWriter("1.7")
	if _, err := s.Embed(w); err != nil {
		t.Fatal(err)
	}
	for g, text := range s.text {
		if text == "" || strings.ContainsRune(text, 0xFFFD) {
			t.Errorf("glyph %d maps to %q", g, text)
		}
	}
	// A reordered cluster gets ActualText; Latin text does not.
	thai := string(s.Show(nil, runs[0], 12))
	if !strings.Contains(thai, "/ActualText") {
		t.Error("no ActualText for SARA AM")
	}
	if latin := string(s.Show(nil, runs[2], 12)); strings.Contains(latin, "ActualText") {
		t.Error("ActualText for Latin text")
	}
}
