package eval

import (
	"math"

	"github.com/thaitrust/thaitrust/fvs"
)

// Calibrate turns measured distances into a calibration for the FVS: the
// curve sampled on CalibrationGrid, with the points where the measured
// FMR changes most finely kept exact, and one threshold per FMR target
// (ThresholdAtFMR). id names it; the threshold ids are id + "#fmr=1e-3".
func Calibrate(id, model, dataset, created string, d Distances, targets []float64) *fvs.Calibration {
	c := &fvs.Calibration{ID: id, Model: model, Dataset: dataset, Created: created,
		Genuine: len(d.Genuine), Impostor: len(d.Impostor)}
	for _, x := range CalibrationGrid() {
		x = math.Round(x*1e4) / 1e4
		c.Points = append(c.Points, fvs.CalibrationPoint{Distance: x, FMR: d.FMR(x), FNMR: d.FNMR(x)})
	}
	for _, t := range targets {
		thr := d.ThresholdAtFMR(t)
		thr = math.Floor(thr*1e6) / 1e6 // rounding down keeps FMR <= t
		c.Thresholds = append(c.Thresholds, fvs.Threshold{
			ID: id + "#fmr=" + fvs.FormatFMR(t), FMR: t, Distance: thr, FNMR: d.FNMR(thr),
		})
	}
	return c
}
