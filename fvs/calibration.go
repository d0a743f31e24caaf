package fvs

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Calibration maps a model's distances to false match rates, as measured
// by a benchmark (thaitrust fvs bench: all-vs-all impostor comparisons
// over LFW). Scores and decisions come from it, never from a fixed
// distance. Calibrations are versioned by ID and embedded (calibration/),
// one or more per model.
type Calibration struct {
	// ID names this calibration, e.g. "dlib-resnet-v1/lfw-view2/2026-11-25".
	ID string `json:"id"`
	// Model is the Matcher.Model() it was measured for.
	Model string `json:"model"`
	// Dataset describes the data: name, variant, how pairs were formed.
	Dataset string `json:"dataset"`
	// Created is the measurement's date (YYYY-MM-DD).
	Created string `json:"created"`
	// Genuine and Impostor count the comparisons measured.
	Genuine  int `json:"genuine"`
	Impostor int `json:"impostor"`
	// Points sample the curve, by ascending distance: the FMR (share of
	// impostor distances at most D) and FNMR (share of genuine distances
	// above D).
	Points []CalibrationPoint `json:"points"`
	// Thresholds are the operating points a policy chooses from, by FMR
	// target.
	Thresholds []Threshold `json:"thresholds"`
}

// CalibrationPoint is one point of the curve.
type CalibrationPoint struct {
	Distance float64 `json:"d"`
	FMR      float64 `json:"fmr"`
	FNMR     float64 `json:"fnmr"`
}

// Threshold is an operating point: the largest distance whose measured
// FMR is at most the target.
type Threshold struct {
	ID       string  `json:"id"`       // e.g. "dlib-resnet-v1/lfw-view2/2026-11-25#fmr=1e-3"
	FMR      float64 `json:"fmr"`      // the target
	Distance float64 `json:"distance"` // match iff distance <= Distance
	FNMR     float64 `json:"fnmr"`     // measured FNMR at this threshold
}

// FMRFloor is the smallest FMR the calibration can state: one impostor
// comparison in all those measured. A distance below every measured
// impostor distance gets this FMR, not zero.
func (c *Calibration) FMRFloor() float64 {
	if c.Impostor <= 0 {
		return 1
	}
	return 1 / float64(c.Impostor)
}

// FMR estimates the false match rate at distance d: the share of
// impostor comparisons at least as close. Between points it interpolates
// log10(FMR) linearly; it never returns less than FMRFloor or more than 1.
func (c *Calibration) FMR(d float64) float64 {
	floor := c.FMRFloor()
	lg := func(f float64) float64 { return math.Log10(max(f, floor)) }
	pts := c.Points
	if len(pts) == 0 {
		return 1
	}
	if d <= pts[0].Distance {
		return max(pts[0].FMR, floor)
	}
	if d >= pts[len(pts)-1].Distance {
		return max(pts[len(pts)-1].FMR, floor)
	}
	i, _ := slices.BinarySearchFunc(pts, d, func(p CalibrationPoint, d float64) int {
		if p.Distance < d {
			return -1
		}
		if p.Distance > d {
			return 1
		}
		return 0
	})
	if pts[i].Distance == d {
		return max(pts[i].FMR, floor)
	}
	a, b := pts[i-1], pts[i]
	t := (d - a.Distance) / (b.Distance - a.Distance)
	return min(1, math.Pow(10, lg(a.FMR)+t*(lg(b.FMR)-lg(a.FMR))))
}

// Score is the match score as a percentage: 100 × (1 − FMR(d)). It reads
// "this probe is closer to the template than that share of impostors":
// a score of 99.9 means one impostor comparison in a thousand comes this
// close (FMR 1e-3). Score ≥ 100 × (1 − target) is the same decision as
// distance ≤ the threshold of that target. It is rounded to 4 decimals,
// so scores at or above 99.9999 (beyond what the calibration can resolve)
// read 100.
func (c *Calibration) Score(d float64) float64 {
	return math.Round((1-c.FMR(d))*100*1e4) / 1e4
}

// Threshold returns the operating point for an FMR target.
func (c *Calibration) Threshold(fmr float64) (Threshold, bool) {
	for _, t := range c.Thresholds {
		if t.FMR == fmr {
			return t, true
		}
	}
	return Threshold{}, false
}

// Validate checks the calibration's structure: points sorted by distance
// with non-decreasing FMR, thresholds with ids.
func (c *Calibration) Validate() error {
	if c.ID == "" || c.Model == "" || c.Impostor <= 0 || c.Genuine <= 0 || len(c.Points) < 2 || len(c.Thresholds) == 0 {
		return errors.New("fvs: calibration: id, model, counts, points and thresholds are required")
	}
	for _, p := range c.Points {
		if p.FMR < 0 || p.FMR > 1 || p.FNMR < 0 || p.FNMR > 1 {
			return fmt.Errorf("fvs: calibration %s: rates outside [0, 1] at distance %v", c.ID, p.Distance)
		}
	}
	for i := 1; i < len(c.Points); i++ {
		if c.Points[i].Distance <= c.Points[i-1].Distance || c.Points[i].FMR < c.Points[i-1].FMR {
			return fmt.Errorf("fvs: calibration %s: points not monotone at %d", c.ID, i)
		}
	}
	for _, t := range c.Thresholds {
		if t.ID == "" || t.FMR <= 0 || t.FMR >= 1 {
			return fmt.Errorf("fvs: calibration %s: bad threshold %+v", c.ID, t)
		}
	}
	return nil
}

// FormatFMR writes an FMR target the way threshold ids and policies spell
// it: 0.001 -> "1e-3".
func FormatFMR(f float64) string {
	e := math.Log10(f)
	if r := math.Round(e); math.Abs(e-r) < 1e-9 {
		return "1e" + strconv.Itoa(int(r))
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

//go:embed calibration/*.json
var calibrationFS embed.FS

// Calibrations returns the embedded calibrations, newest last per model.
func Calibrations() ([]*Calibration, error) {
	ents, err := calibrationFS.ReadDir("calibration")
	if err != nil {
		return nil, err
	}
	var out []*Calibration
	for _, e := range ents {
		b, err := calibrationFS.ReadFile("calibration/" + e.Name())
		if err != nil {
			return nil, err
		}
		c, err := ParseCalibration(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.Name(), err)
		}
		out = append(out, c)
	}
	slices.SortStableFunc(out, func(a, b *Calibration) int {
		if a.Model != b.Model {
			return cmpString(a.Model, b.Model)
		}
		return cmpString(a.Created, b.Created)
	})
	return out, nil
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// CalibrationFor returns the newest embedded calibration of a model.
func CalibrationFor(model string) (*Calibration, error) {
	all, err := Calibrations()
	if err != nil {
		return nil, err
	}
	var found *Calibration
	for _, c := range all {
		if c.Model == model {
			found = c
		}
	}
	if found == nil {
		return nil, fmt.Errorf("%w %q", ErrNoCalibration, model)
	}
	return found, nil
}

// ParseCalibration decodes and validates a calibration JSON document.
func ParseCalibration(b []byte) (*Calibration, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var c Calibration
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("fvs: calibration: %w", err)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}
