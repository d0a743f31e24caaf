// Package font shapes text with an OpenType font (textshape, a HarfBuzz
// port) and embeds the glyphs a document uses as a subset TrueType font:
// a Type0 font with Identity-H encoding over a CIDFontType2 whose CIDs
// are the subset's glyph ids, with a ToUnicode CMap for every glyph.
//
// Shaping turns text into glyphs placed by the font's own rules: for Thai,
// GSUB picks the variants (a tone mark lowered over a consonant without
// an ascender, ญ and ฐ without their descender above a lower vowel) and
// GPOS attaches vowels and tone marks to their base (mark-to-base) and
// tone marks above upper vowels (mark-to-mark).
//
// A glyph maps to one piece of text, but a Thai cluster is not always its
// glyphs' texts in order: SARA AM (ำ) is drawn as NIKHAHIT and SARA AA with
// the tone mark between them, and marks are reordered. Such clusters are
// marked with an ActualText span so that text extraction returns exactly
// the text that was laid out.
package font

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/boxesandglue/textshape/ot"
	"github.com/boxesandglue/textshape/subset"

	"github.com/thaitrust/thaitrust/internal/pdf"
)

// Font is a parsed TrueType font. Safe for concurrent use.
type Font struct {
	data   []byte
	font   *ot.Font
	face   *ot.Face
	upem   float64
	ps     string
	rev    map[ot.GlyphID]rune
	bold   bool
	mu     sync.Mutex // guards shaper and cache
	shaper *ot.Shaper
	cache  map[string]Run // shaped text (labels repeat from document to document)
}

// cacheSize bounds the shaping cache; it is emptied when full.
const cacheSize = 4096

// Parse parses a TrueType font file.
func Parse(data []byte) (*Font, error) {
	f, err := ot.ParseFont(data, 0)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	if !f.HasTable(ot.TagGlyf) {
		return nil, errors.New("font: not a TrueType (glyf) font")
	}
	face, err := ot.NewFace(f)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	sh, err := ot.NewShaper(f)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	ps := face.PostscriptName()
	if ps == "" {
		ps = "Font"
	}
	return &Font{
		data: data, font: f, face: face, upem: float64(face.Upem()), ps: ps,
		rev: face.Cmap().CollectReverseMapping(), shaper: sh, bold: face.WeightClass() >= 600,
	}, nil
}

// Glyph is one shaped glyph, in font units.
type Glyph struct {
	ID      uint16
	Advance float64 // pen advance after the glyph
	DX, DY  float64 // offset of the glyph from the pen
	Cluster int     // index of the cluster's first rune in the text
}

// Run is shaped text: one line in one font.
type Run struct {
	Font   *Font
	Text   string
	Glyphs []Glyph
}

// Width returns the run's advance in font units.
func (r Run) Width() float64 {
	var w float64
	for _, g := range r.Glyphs {
		w += g.Advance
	}
	return w
}

// WidthAt returns the run's width in points at a font size.
func (r Run) WidthAt(size float64) float64 { return r.Width() * size / r.Font.upem }

// Shape shapes one line of text. Every character must be in the font.
func (f *Font) Shape(text string) (Run, error) {
	if strings.ContainsAny(text, "\n\r\t") {
		return Run{}, errors.New("font: text to shape must be one line")
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.cache[text]; ok {
		return r, nil
	}
	buf := ot.NewBuffer()
	buf.AddString(text)
	buf.GuessSegmentProperties()
	f.shaper.Shape(buf, nil)
	run := Run{Font: f, Text: text, Glyphs: make([]Glyph, len(buf.Info))}
	for i, info := range buf.Info {
		if info.GlyphID == 0 {
			r := []rune(text)
			c := rune(0)
			if info.Cluster < len(r) {
				c = r[info.Cluster]
			}
			return Run{}, fmt.Errorf("font: %s has no glyph for %q (%U)", f.ps, c, c)
		}
		p := buf.Pos[i]
		run.Glyphs[i] = Glyph{
			ID: uint16(info.GlyphID), Advance: float64(p.XAdvance),
			DX: float64(p.XOffset), DY: float64(p.YOffset), Cluster: info.Cluster,
		}
	}
	if f.cache == nil || len(f.cache) >= cacheSize {
		f.cache = make(map[string]Run, 256)
	}
	f.cache[text] = run
	return run, nil
}

// Units returns the font's units per em.
func (f *Font) Units() float64 { return f.upem }

// Ascent and Descent are the typographic ascender and descender in font
// units (descent negative).
func (f *Font) Ascent() float64  { return float64(f.face.Ascender()) }
func (f *Font) Descent() float64 { return float64(f.face.Descender()) }

// glyphText returns the Unicode text a glyph stands for on its own: its
// character in the font's cmap, or the one its name (uniXXXX.suffix)
// names; "" when neither says.
func (f *Font) glyphText(g uint16) string {
	if r, ok := f.rev[ot.GlyphID(g)]; ok && r != 0 {
		return string(r)
	}
	name := f.font.GetGlyphName(ot.GlyphID(g))
	base, _, _ := strings.Cut(name, ".")
	var out []rune
	for _, part := range strings.Split(base, "_") {
		var hex string
		switch {
		case strings.HasPrefix(part, "uni") && len(part) == 7:
			hex = part[3:]
		case strings.HasPrefix(part, "u") && (len(part) == 5 || len(part) == 6 || len(part) == 7):
			hex = part[1:]
		default:
			if gid, ok := f.font.GetGlyphFromName(part); ok {
				if r, ok := f.rev[gid]; ok {
					out = append(out, r)
					continue
				}
			}
			return ""
		}
		n, err := strconv.ParseUint(hex, 16, 32)
		if err != nil || !utf8.ValidRune(rune(n)) {
			return ""
		}
		out = append(out, rune(n))
	}
	return string(out)
}

// Segment is a range of a run's glyphs and, when extraction of their
// glyphs' Unicode mappings would not give the text they stand for, the
// ActualText to mark them with.
type Segment struct {
	Start, End int    // glyph indexes [Start, End)
	ActualText string // "" when the glyphs' own mappings give the text
}

// Segments splits a run into segments: consecutive clusters whose glyphs
// map to exactly their text form one segment without ActualText; each
// cluster that does not is a segment of its own with its text as
// ActualText. mapping is the glyph-to-text map of the embedding (Subset.Text).
func (r Run) Segments(mapping func(uint16) string) []Segment {
	runes := []rune(r.Text)
	var segs []Segment
	for i := 0; i < len(r.Glyphs); {
		cl := r.Glyphs[i].Cluster
		j := i
		for j < len(r.Glyphs) && r.Glyphs[j].Cluster == cl {
			j++
		}
		end := len(runes)
		if j < len(r.Glyphs) && r.Glyphs[j].Cluster > cl {
			end = r.Glyphs[j].Cluster
		}
		want := ""
		if cl >= 0 && cl <= end && end <= len(runes) {
			want = string(runes[cl:end])
		}
		var got strings.Builder
		for _, g := range r.Glyphs[i:j] {
			got.WriteString(mapping(g.ID))
		}
		if got.String() == want {
			if n := len(segs); n > 0 && segs[n-1].ActualText == "" && segs[n-1].End == i {
				segs[n-1].End = j
			} else {
				segs = append(segs, Segment{Start: i, End: j})
			}
		} else {
			segs = append(segs, Segment{Start: i, End: j, ActualText: want})
		}
		i = j
	}
	return segs
}

// Subset collects the glyphs a document uses from one font and embeds
// them.
type Subset struct {
	font  *Font
	text  map[uint16]string // glyph -> Unicode text
	plan  *subset.Plan
	cidOf map[uint16]uint16
}

// NewSubset starts an empty subset of f.
func (f *Font) NewSubset() *Subset {
	return &Subset{font: f, text: map[uint16]string{}}
}

// Font returns the subset's font.
func (s *Subset) Font() *Font { return s.font }

// Add records the glyphs of a run. It fails when a glyph's Unicode text
// cannot be determined (PDF/A-3u requires a mapping for every glyph).
func (s *Subset) Add(r Run) error {
	if s.plan != nil {
		return errors.New("font: Add after Embed")
	}
	runes := []rune(r.Text)
	for i, g := range r.Glyphs {
		if _, ok := s.text[g.ID]; ok {
			continue
		}
		t := s.font.glyphText(g.ID)
		if t == "" {
			// A glyph alone in its cluster stands for the cluster.
			alone := (i == 0 || r.Glyphs[i-1].Cluster != g.Cluster) &&
				(i+1 == len(r.Glyphs) || r.Glyphs[i+1].Cluster != g.Cluster)
			end := len(runes)
			if i+1 < len(r.Glyphs) {
				end = r.Glyphs[i+1].Cluster
			}
			if !alone || g.Cluster >= end || end > len(runes) {
				return fmt.Errorf("font: glyph %d of %s has no Unicode mapping", g.ID, s.font.ps)
			}
			t = string(runes[g.Cluster:end])
		}
		s.text[g.ID] = t
	}
	return nil
}

// Text returns the Unicode text glyph g maps to.
func (s *Subset) Text(g uint16) string { return s.text[g] }

// CID returns the CID (the subset glyph id) of an original glyph. Valid
// after Embed.
func (s *Subset) CID(g uint16) uint16 { return s.cidOf[g] }

// Embed subsets the font to the recorded glyphs and writes the font
// objects with w. It returns the reference of the Type0 font dictionary.
func (s *Subset) Embed(w *pdf.Writer) (pdf.Ref, error) {
	in := subset.NewInput()
	glyphs := make([]uint16, 0, len(s.text))
	for g := range s.text {
		glyphs = append(glyphs, g)
	}
	slices.Sort(glyphs)
	for _, g := range glyphs {
		in.AddGlyph(ot.GlyphID(g))
	}
	in.Flags |= subset.FlagDropLayoutTables | subset.FlagNoLayoutClosure
	plan, err := subset.CreatePlan(s.font.font, in)
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("font: subsetting %s: %w", s.font.ps, err)
	}
	data, err := plan.Execute()
	if err != nil {
		return pdf.Ref{}, fmt.Errorf("font: subsetting %s: %w", s.font.ps, err)
	}
	s.plan = plan
	s.cidOf = make(map[uint16]uint16, len(glyphs))
	for _, g := range glyphs {
		n, ok := plan.MapGlyph(ot.GlyphID(g))
		if !ok {
			return pdf.Ref{}, fmt.Errorf("font: glyph %d missing from the subset", g)
		}
		s.cidOf[g] = uint16(n)
	}
	f := s.font
	scale := 1000 / f.upem
	// Subset tag: six capital letters from the glyph set.
	h := sha256.New()
	for _, g := range glyphs {
		h.Write([]byte{byte(g >> 8), byte(g)})
	}
	sum := h.Sum(nil)
	tag := make([]byte, 6)
	for i := range tag {
		tag[i] = 'A' + sum[i]%26
	}
	base := pdf.Name(string(tag) + "+" + f.ps)

	fileRef, descRef, cidRef, tuRef, type0Ref := w.Alloc(), w.Alloc(), w.Alloc(), w.Alloc(), w.Alloc()
	w.Put(fileRef, pdf.FlateStream(pdf.Dict{"Length1": int64(len(data))}, data))

	x0, y0, x1, y1 := f.face.BBox()
	flags := int64(1 << 5) // nonsymbolic
	if f.face.IsFixedPitch() {
		flags |= 1
	}
	if f.face.ItalicAngle() != 0 {
		flags |= 1 << 6
	}
	stemV := int64(80)
	if f.bold {
		stemV = 140
		flags |= 1 << 18
	}
	capH := float64(f.face.CapHeight())
	if capH == 0 {
		capH = f.Ascent()
	}
	w.Put(descRef, pdf.Dict{
		"Type": pdf.Name("FontDescriptor"), "FontName": base, "Flags": flags,
		"FontBBox":    pdf.Array{round(float64(x0) * scale), round(float64(y0) * scale), round(float64(x1) * scale), round(float64(y1) * scale)},
		"ItalicAngle": float64(f.face.ItalicAngle()) / 65536,
		"Ascent":      round(f.Ascent() * scale), "Descent": round(f.Descent() * scale),
		"CapHeight": round(capH * scale), "StemV": stemV,
		"FontFile2": fileRef,
	})
	// Widths: one entry per CID, from the font's hmtx (ISO 19005 requires
	// the widths to agree with the font program).
	type cw struct {
		cid uint16
		w   float64
	}
	var ws []cw
	for _, g := range glyphs {
		ws = append(ws, cw{s.cidOf[g], round(float64(f.face.HorizontalAdvance(ot.GlyphID(g))) * scale)})
	}
	slices.SortFunc(ws, func(a, b cw) int { return int(a.cid) - int(b.cid) })
	var W pdf.Array
	for i := 0; i < len(ws); {
		j := i
		arr := pdf.Array{ws[i].w}
		for j+1 < len(ws) && ws[j+1].cid == ws[j].cid+1 {
			j++
			arr = append(arr, ws[j].w)
		}
		W = append(W, int64(ws[i].cid), arr)
		i = j + 1
	}
	w.Put(cidRef, pdf.Dict{
		"Type": pdf.Name("Font"), "Subtype": pdf.Name("CIDFontType2"), "BaseFont": base,
		"CIDSystemInfo":  pdf.Dict{"Registry": pdf.String("Adobe"), "Ordering": pdf.String("Identity"), "Supplement": int64(0)},
		"FontDescriptor": descRef, "W": W, "DW": int64(1000), "CIDToGIDMap": pdf.Name("Identity"),
	})
	w.Put(tuRef, pdf.FlateStream(nil, s.toUnicode(glyphs)))
	w.Put(type0Ref, pdf.Dict{
		"Type": pdf.Name("Font"), "Subtype": pdf.Name("Type0"), "BaseFont": base,
		"Encoding": pdf.Name("Identity-H"), "DescendantFonts": pdf.Array{cidRef}, "ToUnicode": tuRef,
	})
	return type0Ref, nil
}

func round(x float64) float64 {
	if x < 0 {
		return float64(int64(x - 0.5))
	}
	return float64(int64(x + 0.5))
}

// toUnicode writes the ToUnicode CMap: every CID to its glyph's text.
func (s *Subset) toUnicode(glyphs []uint16) []byte {
	type m struct {
		cid  uint16
		text string
	}
	var ms []m
	for _, g := range glyphs {
		ms = append(ms, m{s.cidOf[g], s.text[g]})
	}
	slices.SortFunc(ms, func(a, b m) int { return int(a.cid) - int(b.cid) })
	var b strings.Builder
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	for i := 0; i < len(ms); i += 100 {
		chunk := ms[i:min(i+100, len(ms))]
		fmt.Fprintf(&b, "%d beginbfchar\n", len(chunk))
		for _, e := range chunk {
			fmt.Fprintf(&b, "<%04X> <", e.cid)
			for _, u := range pdf.UTF16BE(e.text, false) {
				fmt.Fprintf(&b, "%02X", u)
			}
			b.WriteString(">\n")
		}
		b.WriteString("endbfchar\n")
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return []byte(b.String())
}

// Show appends content-stream operators that draw run at the current text
// position (inside BT/ET, with the font selected at size): TJ arrays with
// the shaped advances and offsets and Ts for vertical offsets.
//
// Text extraction tools read marks placed by GPOS offsets as separate
// characters at their own positions, and a cluster whose glyphs are
// reordered (SARA AM) in glyph order; so a run in which any cluster has
// more than one glyph, or whose glyphs do not map back to its text, is
// marked as one ActualText span holding the run's text.
func (s *Subset) Show(b []byte, r Run, size float64) []byte {
	f := s.font
	toTJ := 1000 / f.upem // font units -> thousandths of an em
	actual := false
	for i, g := range r.Glyphs {
		if i > 0 && r.Glyphs[i-1].Cluster == g.Cluster {
			actual = true
		}
	}
	for _, seg := range r.Segments(s.Text) {
		if seg.ActualText != "" {
			actual = true
		}
	}
	if actual {
		b = append(b, "/Span<</ActualText"...)
		b = pdf.AppendObject(b, pdf.HexString(pdf.UTF16BE(r.Text, true)))
		b = append(b, ">>BDC\n"...)
	}
	rise := 0.0
	var arr []byte
	flush := func() {
		if len(arr) > 0 {
			b = append(b, '[')
			b = append(b, arr...)
			b = append(b, "]TJ\n"...)
			arr = arr[:0]
		}
	}
	pending := 0.0 // pen movement still owed, in font units
	for _, g := range r.Glyphs {
		if g.DY != rise {
			flush()
			rise = g.DY
			b = pdf.AppendReal(b, rise*size/f.upem)
			b = append(b, " Ts\n"...)
		}
		move := pending + g.DX
		if n := round(-move * toTJ * 1000); n != 0 {
			arr = pdf.AppendReal(arr, n/1000)
		}
		h := hex4(s.cidOf[g.ID])
		arr = append(arr, '<', h[0], h[1], h[2], h[3], '>')
		w := float64(f.face.HorizontalAdvance(ot.GlyphID(g.ID)))
		// After the glyph the pen is at DX + w; it should be at Advance.
		pending = g.Advance - g.DX - w
	}
	if n := round(-pending * toTJ * 1000); n != 0 {
		arr = pdf.AppendReal(arr, n/1000)
	}
	flush()
	if rise != 0 {
		b = append(b, "0 Ts\n"...)
	}
	if actual {
		b = append(b, "EMC\n"...)
	}
	return b
}

func hex4(v uint16) [4]byte {
	const digits = "0123456789ABCDEF"
	return [4]byte{digits[v>>12], digits[v>>8&15], digits[v>>4&15], digits[v&15]}
}
