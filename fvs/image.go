package fvs

import (
	"bytes"
	"image"
	_ "image/jpeg" // DecodeConfig for JPEG
	_ "image/png"  // DecodeConfig for PNG
)

// Limits bound the images the FVS accepts. The zero value of each field
// means its default.
type Limits struct {
	// MaxBytes is the largest encoded image. Zero: 8 MiB.
	MaxBytes int
	// MaxSide is the largest width or height in pixels. Zero: 6000.
	MaxSide int
	// MaxPixels is the largest width × height. Zero: 24 million.
	MaxPixels int
	// MinSide is the smallest width or height in pixels. Zero: 64.
	MinSide int
}

// Defaults of Limits.
const (
	DefaultMaxBytes  = 8 << 20
	DefaultMaxSide   = 6000
	DefaultMaxPixels = 24_000_000
	DefaultMinSide   = 64
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MinSide <= 0 {
		l.MinSide = DefaultMinSide
	}
	return l
}

// Image is an encoded image that passed CheckImage: a JPEG or PNG whose
// header gives dimensions within the limits. Its pixels have not been
// decoded yet.
type Image struct {
	Data          []byte // the encoded image as received
	Format        string // "jpeg" or "png"
	Width, Height int    // from the header
}

var (
	magicJPEG = []byte{0xFF, 0xD8, 0xFF}
	magicPNG  = []byte{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}
)

// Sniff returns "jpeg" or "png" from the magic bytes, or "".
func Sniff(data []byte) string {
	switch {
	case bytes.HasPrefix(data, magicJPEG):
		return "jpeg"
	case bytes.HasPrefix(data, magicPNG):
		return "png"
	}
	return ""
}

// CheckImage checks an encoded image cheaply, before anything expensive
// runs, in this order: size in bytes (ErrImageTooLarge), magic bytes
// (ErrNotImage: only JPEG and PNG are accepted), the header's dimensions
// (ErrCorruptImage if the header does not parse; ErrTooManyPixels,
// ErrImageTooSmall). It reads the header only (image.DecodeConfig), so a
// decompression bomb is refused before its pixels are allocated. data is
// not copied.
func CheckImage(data []byte, lim Limits) (Image, error) {
	lim = lim.withDefaults()
	if len(data) > lim.MaxBytes {
		return Image{}, badInput(ErrImageTooLarge, "%d bytes, at most %d", len(data), lim.MaxBytes)
	}
	format := Sniff(data)
	if format == "" {
		return Image{}, badInput(ErrNotImage, "send a JPEG or PNG image")
	}
	cfg, got, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil || got != format {
		return Image{}, badInput(ErrCorruptImage, "the %s header does not decode", format)
	}
	w, h := cfg.Width, cfg.Height
	if w > lim.MaxSide || h > lim.MaxSide || w*h > lim.MaxPixels {
		return Image{}, badInput(ErrTooManyPixels, "%d×%d pixels, at most %d per side and %d in all", w, h, lim.MaxSide, lim.MaxPixels)
	}
	if w < lim.MinSide || h < lim.MinSide {
		return Image{}, badInput(ErrImageTooSmall, "%d×%d pixels, at least %d per side", w, h, lim.MinSide)
	}
	return Image{Data: data, Format: format, Width: w, Height: h}, nil
}
