package document

import (
	"fmt"
	"strings"

	"github.com/thaitrust/thaitrust/document/internal/font"
	"github.com/thaitrust/thaitrust/internal/pdf"
)

// A4 in points.
const (
	pageW   = 595.28
	pageH   = 841.89
	margin  = 56.0
	footerY = 92.0 // content stays above this
	qrSize  = 84.0
)

type rgb [3]float64

var (
	black = rgb{0.1, 0.1, 0.12}
	grey  = rgb{0.38, 0.38, 0.42}
	navy  = rgb{0.09, 0.2, 0.42}
	rule  = rgb{0.72, 0.75, 0.82}
	tint  = rgb{0.94, 0.95, 0.98}
)

type opKind int

const (
	opText opKind = iota
	opRect
	opLine
	opImage
)

type op struct {
	kind       opKind
	x, y, w, h float64
	size       float64
	bold       bool
	run        font.Run
	color      rgb
	fill       bool
	lw         float64
}

// text shapes s and records its glyphs; the returned op is drawn at its
// baseline (x, y).
func (b *builder) text(s string, x, y, size float64, bold bool, color rgb) (op, error) {
	f, sub := b.r.regular, b.reg
	if bold {
		f, sub = b.r.bold, b.bold
	}
	run, err := f.Shape(s)
	if err != nil {
		return op{}, fmt.Errorf("document: %w", err)
	}
	if err := sub.Add(run); err != nil {
		return op{}, fmt.Errorf("document: %w", err)
	}
	return op{kind: opText, x: x, y: y, size: size, bold: bold, run: run, color: color}, nil
}

// layoutState is the flow of content down the pages.
type layoutState struct {
	b   *builder
	y   float64
	ops []op
	err error
}

func (l *layoutState) add(o op) { l.ops = append(l.ops, o) }

// put writes text at (x, y) with size shrunk (to no less than 5 pt) so
// that it fits maxW, aligned left, right or centered within maxW.
func (l *layoutState) put(s string, x, y, size float64, bold bool, color rgb, maxW float64, align int) {
	if l.err != nil || s == "" {
		return
	}
	o, err := l.b.text(s, x, y, size, bold, color)
	if err != nil {
		l.err = err
		return
	}
	w := o.run.WidthAt(size)
	if maxW > 0 && w > maxW {
		o.size = max(5, size*maxW/w)
		w = o.run.WidthAt(o.size)
	}
	switch align {
	case 1: // right
		o.x = x + maxW - w
	case 2: // centre
		o.x = x + (maxW-w)/2
	}
	l.add(o)
}

// wrap breaks s at spaces into lines no wider than maxW (a word wider
// than maxW is a line of its own, shrunk by put).
func (l *layoutState) wrap(s string, size float64, bold bool, maxW float64) []string {
	f := l.b.r.regular
	if bold {
		f = l.b.r.bold
	}
	width := func(t string) float64 {
		run, err := f.Shape(t)
		if err != nil {
			return 0 // put reports the error
		}
		return run.WidthAt(size)
	}
	if s == "" || width(s) <= maxW {
		return []string{s}
	}
	words := strings.Split(s, " ")
	var lines []string
	cur := words[0]
	for _, w := range words[1:] {
		if width(cur+" "+w) <= maxW {
			cur += " " + w
			continue
		}
		lines = append(lines, cur)
		cur = w
	}
	return append(lines, cur)
}

// need starts a new page unless h points fit above the footer.
func (l *layoutState) need(h float64) {
	if l.y-h >= footerY {
		return
	}
	l.b.pages = append(l.b.pages, l.ops)
	l.ops = nil
	l.y = pageH - margin - 10
}

func (b *builder) layout() error {
	l := &layoutState{b: b}
	p := b.page
	// Frame, header and QR code (first page).
	top := pageH - margin
	l.put(p.IssuerTH, margin, top-14, 15, true, navy, pageW-2*margin-qrSize-20, 0)
	l.put(p.IssuerEN, margin, top-32, 10.5, false, grey, pageW-2*margin-qrSize-20, 0)
	l.add(op{kind: opImage, x: pageW - margin - qrSize, y: top - qrSize, w: qrSize, h: qrSize})
	l.put("สแกนเพื่อตรวจสอบ · Scan to verify", pageW-margin-qrSize-20, top-qrSize-16, 7, false, grey, qrSize+20, 2)
	l.y = top - qrSize - 30
	l.put(p.TitleTH, margin, l.y, 24, true, navy, pageW-2*margin, 2)
	l.y -= 24
	l.put(p.TitleEN, margin, l.y, 14, false, black, pageW-2*margin, 2)
	l.y -= 22

	labelX, valueX, right := margin+6, margin+178.0, pageW-margin
	for _, s := range p.Sections {
		l.need(60)
		l.y -= 10
		l.add(op{kind: opRect, x: margin, y: l.y - 6, w: pageW - 2*margin, h: 20, color: tint, fill: true})
		l.put(s.HeadingTH, labelX, l.y, 11.5, true, navy, 0, 0)
		if l.err == nil && len(l.ops) > 0 {
			last := l.ops[len(l.ops)-1]
			l.put(s.HeadingEN, last.x+last.run.WidthAt(last.size)+10, l.y, 9.5, false, grey, right-last.x-last.run.WidthAt(last.size)-16, 0)
		}
		l.y -= 24
		for _, r := range s.Rows {
			two := r.EN != "" && r.EN != r.TH
			th := l.wrap(r.TH, 11.5, false, right-valueX)
			var en []string
			if two {
				en = l.wrap(r.EN, 9.5, false, right-valueX)
			}
			h := 6 + 14*float64(len(th)) + 12*float64(len(en))
			h = max(h, 22)
			if two || r.LabelEN != "" {
				h = max(h, 28)
			}
			l.need(h)
			l.put(r.LabelTH, labelX, l.y, 9.5, true, black, valueX-labelX-8, 0)
			l.put(r.LabelEN, labelX, l.y-11.5, 8, false, grey, valueX-labelX-8, 0)
			y := l.y
			for _, line := range th {
				l.put(line, valueX, y, 11.5, false, black, right-valueX, 0)
				y -= 14
			}
			y++
			for _, line := range en {
				l.put(line, valueX, y, 9.5, false, grey, right-valueX, 0)
				y -= 12
			}
			l.y -= h
			l.add(op{kind: opLine, x: labelX, y: l.y + 11, w: right - labelX, color: rule, lw: 0.3})
		}
		if t := s.Table; t != nil {
			width := right - labelX
			xs := make([]float64, len(t.Cols))
			x := labelX
			for i, c := range t.Cols {
				xs[i] = x
				x += c.Width * width
			}
			header := func() {
				for i, c := range t.Cols {
					cw := t.Cols[i].Width*width - 6
					align := 0
					if c.Right {
						align = 1
					}
					l.put(c.HeadTH, xs[i], l.y, 8.5, true, black, cw, align)
					l.put(c.HeadEN, xs[i], l.y-10, 7.5, false, grey, cw, align)
				}
				l.y -= 16
				l.add(op{kind: opLine, x: labelX, y: l.y + 4, w: width, color: navy, lw: 0.6})
				l.y -= 10
			}
			header()
			for ri, row := range t.Rows {
				second := ri%2 == 1 && row[0] == ""
				if !second {
					if l.y-26 < footerY {
						l.need(1000) // always a new page
						header()
					}
				}
				size, color := 10.0, black
				if second {
					size, color = 8.5, grey
				}
				for i, cell := range row {
					align := 0
					if t.Cols[i].Right {
						align = 1
					}
					l.put(cell, xs[i], l.y, size, false, color, t.Cols[i].Width*width-6, align)
				}
				if second {
					l.y -= 15
				} else {
					l.y -= 12
				}
			}
			for _, n := range t.Notes {
				l.need(16)
				l.put(n, labelX, l.y, 9.5, true, black, width, 1)
				l.y -= 16
			}
		}
		for i, para := range s.Text {
			l.need(18)
			size, color := 11.0, black
			if i > 0 {
				size, color = 9.5, grey
			}
			l.put(para, labelX, l.y, size, false, color, right-labelX, 0)
			l.y -= 17
		}
	}
	if l.err != nil {
		return l.err
	}
	b.pages = append(b.pages, l.ops)
	// Frames and footers, now that the page count is known.
	m := b.meta
	issued, issuedEN := dates(b.issued.Format("2006-01-02"))
	for i := range b.pages {
		f := &layoutState{b: b}
		f.add(op{kind: opRect, x: 28, y: 28, w: pageW - 56, h: pageH - 56, color: navy, lw: 1.4})
		f.add(op{kind: opRect, x: 32, y: 32, w: pageW - 64, h: pageH - 64, color: navy, lw: 0.4})
		f.add(op{kind: opLine, x: margin, y: footerY - 8, w: pageW - 2*margin, color: rule, lw: 0.5})
		y := footerY - 22
		w := pageW - 2*margin
		f.put("เลขที่เอกสาร · Credential ID: "+m.CredentialID, margin, y, 7.5, false, grey, w, 0)
		f.put("ผู้ออกเอกสาร · Issuer: "+m.Issuer, margin, y-10, 7.5, false, grey, w, 0)
		f.put("SHA-256: "+m.SHA256, margin, y-20, 7.5, false, grey, w, 0)
		f.put("ออกเมื่อ "+issued+" · Issued "+issuedEN+" · ตรวจสอบที่ · Verify at "+printable(b.r.verifyURL), margin, y-30, 7.5, false, grey, w-60, 0)
		f.put(fmt.Sprintf("หน้า %d/%d · Page %d of %d", i+1, len(b.pages), i+1, len(b.pages)), margin, y-30, 7.5, false, grey, w, 1)
		if f.err != nil {
			return f.err
		}
		b.pages[i] = append(f.ops, b.pages[i]...)
	}
	return nil
}

// content writes a page's operators.
func (b *builder) content(ops []op) []byte {
	var c []byte
	num := pdf.AppendReal
	color := func(col rgb, op string) {
		c = num(c, col[0])
		c = append(c, ' ')
		c = num(c, col[1])
		c = append(c, ' ')
		c = num(c, col[2])
		c = append(c, ' ')
		c = append(c, op...)
		c = append(c, '\n')
	}
	nums := func(vs ...float64) {
		for _, v := range vs {
			c = num(c, v)
			c = append(c, ' ')
		}
	}
	for _, o := range ops {
		switch o.kind {
		case opRect:
			c = append(c, "q\n"...)
			if o.fill {
				color(o.color, "rg")
				nums(o.x, o.y, o.w, o.h)
				c = append(c, "re f\nQ\n"...)
				continue
			}
			color(o.color, "RG")
			nums(o.lw)
			c = append(c, "w\n"...)
			nums(o.x, o.y, o.w, o.h)
			c = append(c, "re S\nQ\n"...)
		case opLine:
			c = append(c, "q\n"...)
			color(o.color, "RG")
			nums(o.lw)
			c = append(c, "w\n"...)
			nums(o.x, o.y)
			c = append(c, "m "...)
			nums(o.x+o.w, o.y)
			c = append(c, "l S\nQ\n"...)
		case opImage:
			c = append(c, "q\n"...)
			nums(o.w, 0, 0, o.h, o.x, o.y)
			c = append(c, "cm\n/QR Do\nQ\n"...)
		case opText:
			sub, name := b.reg, "/F1 "
			if o.bold {
				sub, name = b.bold, "/F2 "
			}
			c = append(c, "BT\n"...)
			color(o.color, "rg")
			c = append(c, name...)
			nums(o.size)
			c = append(c, "Tf\n1 0 0 1 "...)
			nums(o.x, o.y)
			c = append(c, "Tm\n"...)
			c = sub.Show(c, o.run, o.size)
			c = append(c, "ET\n"...)
		}
	}
	return c
}
