package eval_test

import (
	"bytes"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/thaitrust/thaitrust/fvs/eval"
)

func TestReadPairs(t *testing.T) {
	p := filepath.Join(t.TempDir(), "pairs.txt")
	os.WriteFile(p, []byte("2\t1\nA\t1\t2\nA\t1\tB\t3\nC\t2\t4\nD\t1\tE\t1\n"), 0o644)
	folds, err := eval.ReadPairs(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(folds) != 2 || !folds[0][0].Same || folds[0][1].Same || folds[0][1].B != (eval.ImageRef{Name: "B", Num: 3}) {
		t.Fatalf("folds = %+v", folds)
	}
	if got := len(eval.Images(folds)); got != 7 {
		t.Errorf("%d images, want 7", got)
	}
	if got := (eval.ImageRef{Name: "A", Num: 2}).Path("img"); got != filepath.Join("img", "A", "A_0002.jpg") {
		t.Errorf("Path = %s", got)
	}
	os.WriteFile(p, []byte("2\t1\nA\t1\n"), 0o644)
	if _, err := eval.ReadPairs(p); err == nil {
		t.Error("a malformed file parsed")
	}
}

// synthetic returns genuine distances around 0.4 and impostor distances
// around 0.9 (normal, sd 0.08).
func synthetic(n int) (g, i []float64) {
	r := rand.New(rand.NewPCG(1, 2))
	for range n {
		g = append(g, 0.4+0.08*r.NormFloat64())
		i = append(i, 0.9+0.08*r.NormFloat64())
	}
	return g, i
}

func TestRates(t *testing.T) {
	g, i := synthetic(100000)
	d := eval.NewDistances(g, i)
	if f := d.FMR(0.9); math.Abs(f-0.5) > 0.01 {
		t.Errorf("FMR at the impostor mean = %v", f)
	}
	if f := d.FNMR(0.4); math.Abs(f-0.5) > 0.01 {
		t.Errorf("FNMR at the genuine mean = %v", f)
	}
	for _, target := range []float64{1e-2, 1e-3, 1e-4} {
		thr := d.ThresholdAtFMR(target)
		if got := d.FMR(thr); got > target {
			t.Errorf("FMR at the threshold for %v = %v", target, got)
		}
		if got := d.FMR(thr + 1e-3); got <= target*0.5 && target >= 1e-3 {
			t.Errorf("threshold for %v is not the largest: FMR just above = %v", target, got)
		}
	}
	// Equal-variance normals 0.5 apart, sd 0.08: EER = Φ(-0.25/0.08) ≈ 0.089%.
	eer, thr := d.EER()
	if math.Abs(thr-0.65) > 0.01 || eer > 0.002 {
		t.Errorf("EER %v at %v", eer, thr)
	}
}

func TestTenFold(t *testing.T) {
	g, i := synthetic(3000)
	var folds [][]eval.Scored
	for f := range 10 {
		var s []eval.Scored
		for k := f * 300; k < (f+1)*300; k++ {
			s = append(s, eval.Scored{Distance: g[k], Genuine: true}, eval.Scored{Distance: i[k]})
		}
		folds = append(folds, s)
	}
	folds[0][0].Distance = math.Inf(1) // a failure to acquire counts as a non-match
	r := eval.RunTenFold(folds)
	if r.Accuracy < 0.995 || r.Accuracy > 1 || len(r.PerFold) != 10 {
		t.Fatalf("ten-fold = %+v", r)
	}
	for _, thr := range r.Thresholds {
		if thr < 0.55 || thr > 0.75 {
			t.Errorf("threshold %v", thr)
		}
	}
}

func TestWriteDET(t *testing.T) {
	g, i := synthetic(20000)
	var b bytes.Buffer
	if err := eval.WriteDET(&b, "test", eval.NewDistances(g, i), []eval.DETPoint{{FMR: 1e-3, FNMR: 0.1, Label: "x"}}); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&b)
	if err != nil || img.Bounds().Dx() != 900 {
		t.Fatalf("DET png: %v", err)
	}
}

func TestCalibrate(t *testing.T) {
	g, i := synthetic(200000)
	c := eval.Calibrate("m/test/2026", "m", "synthetic", "2026-01-01", eval.NewDistances(g, i), []float64{1e-3, 1e-4})
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	thr, ok := c.Threshold(1e-3)
	if !ok || thr.ID != "m/test/2026#fmr=1e-3" || c.FMR(thr.Distance) > 1.2e-3 {
		t.Fatalf("threshold %+v, FMR there %v", thr, c.FMR(thr.Distance))
	}
}
