package fvstest

import (
	"context"
	"crypto/sha256"
	"image"
	"sync"

	"github.com/thaitrust/thaitrust/fvs"
)

// FakeModel is the model id of FakeMatcher.
const FakeModel = "fake"

// FakeMatcher is a Matcher for tests without face models: it answers for
// each image (by content) what the test told it with Set, and finds no
// face in any other image. Its templates are vectors; Distance is
// Euclidean.
type FakeMatcher struct {
	mu  sync.Mutex
	ans map[[32]byte][]fvs.Face
}

var _ fvs.Matcher = (*FakeMatcher)(nil)

// NewFakeMatcher returns a FakeMatcher that knows no image.
func NewFakeMatcher() *FakeMatcher { return &FakeMatcher{ans: map[[32]byte][]fvs.Face{}} }

// Set makes Extract find one face per vector in img, each with a 100×100
// box.
func (m *FakeMatcher) Set(img []byte, vectors ...[]float32) {
	var faces []fvs.Face
	for i, v := range vectors {
		faces = append(faces, fvs.Face{Box: image.Rect(10+120*i, 10, 110+120*i, 110),
			Template: fvs.Template{Model: FakeModel, Version: fvs.TemplateVersion, Vector: v}})
	}
	m.mu.Lock()
	m.ans[sha256.Sum256(img)] = faces
	m.mu.Unlock()
}

// SetFaces makes Extract return faces for img.
func (m *FakeMatcher) SetFaces(img []byte, faces ...fvs.Face) {
	m.mu.Lock()
	m.ans[sha256.Sum256(img)] = faces
	m.mu.Unlock()
}

// Model returns FakeModel.
func (m *FakeMatcher) Model() string { return FakeModel }

// Extract returns what Set said about img.
func (m *FakeMatcher) Extract(ctx context.Context, img fvs.Image) (fvs.Extraction, error) {
	if err := ctx.Err(); err != nil {
		return fvs.Extraction{}, err
	}
	m.mu.Lock()
	faces := m.ans[sha256.Sum256(img.Data)]
	m.mu.Unlock()
	return fvs.Extraction{Faces: faces, Detector: "fake"}, nil
}

// Distance is Euclidean.
func (m *FakeMatcher) Distance(a, b fvs.Template) (float64, error) {
	return fvs.EuclideanDistance(a, b)
}

// FakeCalibration is a calibration for FakeModel: FMR 1e-3 at distance
// 0.5, 1e-4 at 0.4, falling tenfold per 0.1.
func FakeCalibration() *fvs.Calibration {
	c := &fvs.Calibration{ID: "fake/test", Model: FakeModel, Dataset: "none", Created: "2026-01-01", Genuine: 1000, Impostor: 1_000_000}
	for _, p := range []fvs.CalibrationPoint{{Distance: 0.2, FMR: 1e-7}, {Distance: 0.3, FMR: 1e-5}, {Distance: 0.4, FMR: 1e-4},
		{Distance: 0.5, FMR: 1e-3}, {Distance: 0.6, FMR: 1e-2}, {Distance: 0.7, FMR: 1e-1}, {Distance: 1.0, FMR: 0.5}, {Distance: 2, FMR: 1}} {
		c.Points = append(c.Points, p)
	}
	c.Thresholds = []fvs.Threshold{{ID: "fake/test#fmr=1e-3", FMR: 1e-3, Distance: 0.5}, {ID: "fake/test#fmr=1e-4", FMR: 1e-4, Distance: 0.4}}
	return c
}
