package eval

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math"
	"strings"
)

// DETPoint is an operating point to mark on a DET plot.
type DETPoint struct {
	FMR, FNMR float64
	Label     string
}

// WriteDET draws a detection error trade-off curve as a PNG: FMR on the x
// axis and FNMR on the y axis, both logarithmic (1e-6..1 and 1e-4..1),
// with decade grid lines, labelled axes, a title and marked operating
// points. It needs nothing but the standard library (a small built-in
// bitmap font writes the labels).
func WriteDET(w io.Writer, title string, d Distances, marks []DETPoint) error {
	const (
		W, H               = 900, 700
		left, right        = 90, 30
		top, bottom        = 60, 80
		xMinExp, xMaxExp   = -6.0, 0.0
		yMinExp, yMaxExp   = -4.0, 0.0
		plotW, plotH       = W - left - right, H - top - bottom
		scaleText          = 2
		labelX, labelY     = "FALSE MATCH RATE (FMR)", "FALSE NON-MATCH RATE (FNMR)"
		markSize           = 5
		gridShade, axShade = 220, 0
	)
	img := image.NewRGBA(image.Rect(0, 0, W, H))
	fill(img, img.Rect, color.RGBA{255, 255, 255, 255})
	px := func(fmr float64) int {
		e := math.Log10(math.Max(fmr, math.Pow(10, xMinExp)))
		return left + int((e-xMinExp)/(xMaxExp-xMinExp)*plotW)
	}
	py := func(fnmr float64) int {
		e := math.Log10(math.Max(fnmr, math.Pow(10, yMinExp)))
		return top + plotH - int((e-yMinExp)/(yMaxExp-yMinExp)*plotH)
	}
	grid := color.RGBA{gridShade, gridShade, gridShade, 255}
	black := color.RGBA{axShade, axShade, axShade, 255}
	for e := xMinExp; e <= xMaxExp; e++ {
		x := px(math.Pow(10, e))
		vline(img, x, top, top+plotH, grid)
		drawText(img, x-3*scaleText*3, top+plotH+10, fmt.Sprintf("1E%d", int(e)), scaleText, black)
	}
	for e := yMinExp; e <= yMaxExp; e++ {
		y := py(math.Pow(10, e))
		hline(img, left, left+plotW, y, grid)
		drawText(img, 10, y-3*scaleText, fmt.Sprintf("1E%d", int(e)), scaleText, black)
	}
	// Axes (box).
	hline(img, left, left+plotW, top+plotH, black)
	hline(img, left, left+plotW, top, black)
	vline(img, left, top, top+plotH, black)
	vline(img, left+plotW, top, top+plotH, black)
	drawText(img, left+plotW/2-len(labelX)*3*scaleText, H-35, labelX, scaleText, black)
	drawTextVertical(img, 60, top+plotH/2+len(labelY)*3*scaleText, labelY, scaleText, black)
	drawText(img, left, 20, strings.ToUpper(title), scaleText, black)

	// The curve: sweep the threshold over every impostor distance (and
	// over genuine ones) and plot (FMR, FNMR); draw segments between
	// consecutive points.
	blue := color.RGBA{20, 70, 200, 255}
	var prev image.Point
	first := true
	n := 2000
	for i := 0; i <= n; i++ {
		// Thresholds spread over log FMR.
		fmr := math.Pow(10, xMinExp+float64(i)/float64(n)*(xMaxExp-xMinExp))
		t := d.ThresholdAtFMR(fmr)
		p := image.Pt(px(d.FMR(t)), py(d.FNMR(t)))
		if d.FMR(t) <= 0 {
			continue
		}
		if !first {
			line(img, prev, p, blue)
			line(img, prev.Add(image.Pt(0, 1)), p.Add(image.Pt(0, 1)), blue)
		}
		prev, first = p, false
	}
	red := color.RGBA{200, 30, 30, 255}
	for _, m := range marks {
		c := image.Pt(px(m.FMR), py(m.FNMR))
		fill(img, image.Rect(c.X-markSize, c.Y-markSize, c.X+markSize+1, c.Y+markSize+1), red)
		drawText(img, c.X+10, c.Y-16, strings.ToUpper(m.Label), scaleText, red)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func fill(img *image.RGBA, r image.Rectangle, c color.RGBA) {
	r = r.Intersect(img.Rect)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			img.SetRGBA(x, y, c)
		}
	}
}

func hline(img *image.RGBA, x0, x1, y int, c color.RGBA) {
	fill(img, image.Rect(x0, y, x1+1, y+1), c)
}

func vline(img *image.RGBA, x, y0, y1 int, c color.RGBA) {
	fill(img, image.Rect(x, y0, x+1, y1+1), c)
}

// line draws a segment (Bresenham).
func line(img *image.RGBA, a, b image.Point, c color.RGBA) {
	dx, dy := abs(b.X-a.X), -abs(b.Y-a.Y)
	sx, sy := sign(b.X-a.X), sign(b.Y-a.Y)
	e := dx + dy
	for {
		if a.In(img.Rect) {
			img.SetRGBA(a.X, a.Y, c)
		}
		if a == b {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			a.X += sx
		}
		if e2 <= dx {
			e += dx
			a.Y += sy
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// drawText writes s (upper case, digits, a few signs) in the 5×7 font,
// each font pixel scale×scale, top-left at (x, y).
func drawText(img *image.RGBA, x, y int, s string, scale int, c color.RGBA) {
	for _, r := range s {
		g, ok := font[r]
		if !ok {
			g = font['?']
		}
		for row, bits := range g {
			for col := range 5 {
				if bits&(1<<(4-col)) != 0 {
					fill(img, image.Rect(x+col*scale, y+row*scale, x+(col+1)*scale, y+(row+1)*scale), c)
				}
			}
		}
		x += 6 * scale
	}
}

// drawTextVertical writes s bottom to top, starting at (x, y).
func drawTextVertical(img *image.RGBA, x, y int, s string, scale int, c color.RGBA) {
	for _, r := range s {
		g, ok := font[r]
		if !ok {
			g = font['?']
		}
		for row, bits := range g {
			for col := range 5 {
				if bits&(1<<(4-col)) != 0 {
					// rotate 90° counter-clockwise: (col,row) -> (row, -col)
					fill(img, image.Rect(x+row*scale, y-(col+1)*scale, x+(row+1)*scale, y-col*scale), c)
				}
			}
		}
		y -= 6 * scale
	}
}

// font is a 5×7 bitmap font: seven rows of five bits per glyph.
var font = map[rune][7]uint8{
	' ': {0, 0, 0, 0, 0, 0, 0},
	'0': {14, 17, 19, 21, 25, 17, 14}, '1': {4, 12, 4, 4, 4, 4, 14}, '2': {14, 17, 1, 2, 4, 8, 31},
	'3': {31, 2, 4, 2, 1, 17, 14}, '4': {2, 6, 10, 18, 31, 2, 2}, '5': {31, 16, 30, 1, 1, 17, 14},
	'6': {6, 8, 16, 30, 17, 17, 14}, '7': {31, 1, 2, 4, 8, 8, 8}, '8': {14, 17, 17, 14, 17, 17, 14},
	'9': {14, 17, 17, 15, 1, 2, 12},
	'A': {14, 17, 17, 31, 17, 17, 17}, 'B': {30, 17, 17, 30, 17, 17, 30}, 'C': {14, 17, 16, 16, 16, 17, 14},
	'D': {28, 18, 17, 17, 17, 18, 28}, 'E': {31, 16, 16, 30, 16, 16, 31}, 'F': {31, 16, 16, 30, 16, 16, 16},
	'G': {14, 17, 16, 23, 17, 17, 15}, 'H': {17, 17, 17, 31, 17, 17, 17}, 'I': {14, 4, 4, 4, 4, 4, 14},
	'J': {7, 2, 2, 2, 2, 18, 12}, 'K': {17, 18, 20, 24, 20, 18, 17}, 'L': {16, 16, 16, 16, 16, 16, 31},
	'M': {17, 27, 21, 21, 17, 17, 17}, 'N': {17, 17, 25, 21, 19, 17, 17}, 'O': {14, 17, 17, 17, 17, 17, 14},
	'P': {30, 17, 17, 30, 16, 16, 16}, 'Q': {14, 17, 17, 17, 21, 18, 13}, 'R': {30, 17, 17, 30, 20, 18, 17},
	'S': {15, 16, 16, 14, 1, 1, 30}, 'T': {31, 4, 4, 4, 4, 4, 4}, 'U': {17, 17, 17, 17, 17, 17, 14},
	'V': {17, 17, 17, 17, 17, 10, 4}, 'W': {17, 17, 17, 21, 21, 21, 10}, 'X': {17, 17, 10, 4, 10, 17, 17},
	'Y': {17, 17, 17, 10, 4, 4, 4}, 'Z': {31, 1, 2, 4, 8, 16, 31},
	'-': {0, 0, 0, 31, 0, 0, 0}, '+': {0, 4, 4, 31, 4, 4, 0}, '.': {0, 0, 0, 0, 0, 12, 12},
	',': {0, 0, 0, 0, 12, 4, 8}, '%': {24, 25, 2, 4, 8, 19, 3}, '(': {2, 4, 8, 8, 8, 4, 2},
	')': {8, 4, 2, 2, 2, 4, 8}, '=': {0, 0, 31, 0, 31, 0, 0}, '/': {0, 1, 2, 4, 8, 16, 0},
	':': {0, 12, 12, 0, 12, 12, 0}, '@': {14, 17, 1, 13, 21, 21, 14}, '?': {14, 17, 1, 2, 4, 0, 4},
	'_': {0, 0, 0, 0, 0, 0, 31},
}
