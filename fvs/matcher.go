package fvs

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"math"
	"time"
)

// A Matcher finds faces in an image and turns each into a template, and
// compares templates. Backends: fvs/goface (dlib ResNet through go-face);
// a stronger model (for example an ONNX model run by onnxruntime) is a
// second implementation, and nothing that calls a Matcher changes.
//
// Implementations must be safe for concurrent use (a pool inside).
type Matcher interface {
	// Model names the model and its configuration, e.g.
	// "dlib-resnet-v1/goface". Templates carry it; a template of another
	// model is never compared (ErrModelMismatch), and the calibration
	// used for scores must be for this model.
	Model() string
	// Extract finds the faces in img and returns one per face, with its
	// template. img has passed CheckImage. Finding no face is not an
	// error here (the service decides); a decoding failure wraps
	// ErrCorruptImage.
	Extract(ctx context.Context, img Image) (Extraction, error)
	// Distance compares two templates of this model: 0 is identical,
	// larger is less similar. It fails for templates of another model or
	// version.
	Distance(a, b Template) (float64, error)
}

// Extraction is what a Matcher found in one image.
type Extraction struct {
	Faces []Face
	// Detector is the detector that produced Faces: "hog", or "cnn"
	// when the HOG detector found nothing and the CNN detector ran.
	Detector string
	// Timings of the stages, for benchmarks and logs (zero when the
	// backend cannot tell them apart).
	Prepare  time.Duration // decoding, scaling, re-encoding on the Go side
	Detect   time.Duration // detection (and, in backends that cannot separate them, everything below)
	Describe time.Duration // landmarks, alignment and the descriptor network
}

// Face is one face found in an image.
type Face struct {
	// Box is the face's bounding box in the coordinates of the input
	// image (not of any scaled copy).
	Box image.Rectangle
	// Template describes the face. It is biometric data: never log it.
	Template Template
}

// Template is a face template: a model's feature vector. Templates are
// sensitive personal data (PDPA): the service keeps them only encrypted.
type Template struct {
	Model   string    // Matcher.Model() of the model that made it
	Version int       // template format version (TemplateVersion)
	Vector  []float32 // the features
}

// TemplateVersion is the template format version this package writes:
// the vector as little-endian float32s.
const TemplateVersion = 1

// MarshalBinary encodes the vector (not the model or version, which the
// store keeps beside the ciphertext and binds into it).
func (t Template) MarshalBinary() ([]byte, error) {
	if t.Version != TemplateVersion {
		return nil, fmt.Errorf("fvs: template version %d, want %d", t.Version, TemplateVersion)
	}
	out := make([]byte, 4*len(t.Vector))
	for i, f := range t.Vector {
		binary.LittleEndian.PutUint32(out[4*i:], math.Float32bits(f))
	}
	return out, nil
}

// parseTemplate decodes MarshalBinary's output.
func parseTemplate(model string, version int, data []byte) (Template, error) {
	if version != TemplateVersion {
		return Template{}, fmt.Errorf("fvs: template version %d, want %d", version, TemplateVersion)
	}
	if len(data)%4 != 0 || len(data) == 0 {
		return Template{}, errors.New("fvs: malformed template")
	}
	v := make([]float32, len(data)/4)
	for i := range v {
		v[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[4*i:]))
	}
	return Template{Model: model, Version: version, Vector: v}, nil
}

// EuclideanDistance is the distance go-face's dlib model is trained for
// (dlib's own threshold for "same person" is 0.6). It fails for vectors
// of different lengths.
func EuclideanDistance(a, b Template) (float64, error) {
	if a.Model != b.Model || a.Version != b.Version {
		return 0, fmt.Errorf("%w: %s/v%d against %s/v%d", ErrModelMismatch, a.Model, a.Version, b.Model, b.Version)
	}
	if len(a.Vector) != len(b.Vector) || len(a.Vector) == 0 {
		return 0, errors.New("fvs: templates of different lengths")
	}
	var s float64
	for i := range a.Vector {
		d := float64(a.Vector[i] - b.Vector[i])
		s += d * d
	}
	return math.Sqrt(s), nil
}
