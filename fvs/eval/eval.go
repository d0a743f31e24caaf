// Package eval measures face matchers the way ISO/IEC 19795-1 reports
// them: false match rate (FMR) and false non-match rate (FNMR) over
// genuine and impostor comparison scores, the equal error rate, the DET
// curve, and the LFW View 2 ten-fold protocol. It also turns a
// measurement into the calibration (distance -> FMR) the FVS scores with.
//
// Scores here are distances: smaller means more alike, and a comparison
// is a match when its distance is at most the threshold.
package eval

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// ImageRef names one LFW image: person and 1-based number.
type ImageRef struct {
	Name string
	Num  int
}

// Path returns the image's path under an LFW images directory:
// <dir>/<name>/<name>_<nnnn>.jpg.
func (r ImageRef) Path(dir string) string {
	return filepath.Join(dir, r.Name, fmt.Sprintf("%s_%04d.jpg", r.Name, r.Num))
}

// Pair is one line of pairs.txt.
type Pair struct {
	A, B ImageRef
	Same bool // a matched pair (same person)
}

// ReadPairs reads LFW View 2 pairs.txt: a first line "folds n", then per
// fold n matched lines "name i j" and n mismatched lines
// "name1 i name2 j".
func ReadPairs(path string) ([][]Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	if !sc.Scan() {
		return nil, errors.New("eval: pairs file is empty")
	}
	head := strings.Fields(sc.Text())
	if len(head) != 2 {
		return nil, fmt.Errorf("eval: pairs header %q, want \"folds n\"", sc.Text())
	}
	folds, err1 := strconv.Atoi(head[0])
	n, err2 := strconv.Atoi(head[1])
	if err1 != nil || err2 != nil || folds < 2 || n < 1 {
		return nil, fmt.Errorf("eval: pairs header %q", sc.Text())
	}
	out := make([][]Pair, folds)
	line := 1
	for i := range folds {
		for j := range 2 * n {
			if !sc.Scan() {
				return nil, fmt.Errorf("eval: pairs file ends in fold %d", i+1)
			}
			line++
			fs := strings.Fields(sc.Text())
			var p Pair
			var e1, e2 error
			switch {
			case j < n && len(fs) == 3:
				p.Same = true
				p.A.Name, p.B.Name = fs[0], fs[0]
				p.A.Num, e1 = strconv.Atoi(fs[1])
				p.B.Num, e2 = strconv.Atoi(fs[2])
			case j >= n && len(fs) == 4:
				p.A.Name, p.B.Name = fs[0], fs[2]
				p.A.Num, e1 = strconv.Atoi(fs[1])
				p.B.Num, e2 = strconv.Atoi(fs[3])
			default:
				return nil, fmt.Errorf("eval: pairs line %d: %q", line, sc.Text())
			}
			if e1 != nil || e2 != nil {
				return nil, fmt.Errorf("eval: pairs line %d: %q", line, sc.Text())
			}
			out[i] = append(out[i], p)
		}
	}
	return out, sc.Err()
}

// Images returns the distinct images the pairs reference, sorted.
func Images(folds [][]Pair) []ImageRef {
	seen := map[ImageRef]bool{}
	for _, f := range folds {
		for _, p := range f {
			seen[p.A] = true
			seen[p.B] = true
		}
	}
	out := make([]ImageRef, 0, len(seen))
	for r := range seen {
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b ImageRef) int {
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return a.Num - b.Num
	})
	return out
}

// Scored is a comparison's distance and whether it was genuine. A
// comparison with a failure to acquire has Distance +Inf (it never
// matches).
type Scored struct {
	Distance float64
	Genuine  bool
}

// accuracy is the fraction of comparisons decided right at threshold t.
func accuracy(s []Scored, t float64) float64 {
	if len(s) == 0 {
		return 0
	}
	ok := 0
	for _, c := range s {
		if (c.Distance <= t) == c.Genuine {
			ok++
		}
	}
	return float64(ok) / float64(len(s))
}

// bestThreshold returns the threshold with the highest accuracy on s:
// midpoints between consecutive distinct finite distances are tried.
func bestThreshold(s []Scored) float64 {
	ds := make([]float64, 0, len(s))
	for _, c := range s {
		if !math.IsInf(c.Distance, 0) {
			ds = append(ds, c.Distance)
		}
	}
	slices.Sort(ds)
	ds = slices.Compact(ds)
	// Sweep the thresholds in ascending order, counting right decisions
	// incrementally. Below every distance everything is rejected: the
	// impostors are right.
	sorted := slices.Clone(s)
	slices.SortFunc(sorted, func(a, b Scored) int { return cmpFloat(a.Distance, b.Distance) })
	correct := 0
	for _, c := range sorted {
		if !c.Genuine {
			correct++
		}
	}
	best, bestAcc := 0.0, float64(correct)/float64(len(s))
	if len(ds) > 0 {
		best = ds[0] - 1e-6
	}
	i := 0
	for k, d := range ds {
		for i < len(sorted) && sorted[i].Distance <= d {
			if sorted[i].Genuine {
				correct++
			} else {
				correct--
			}
			i++
		}
		acc := float64(correct) / float64(len(s))
		if acc > bestAcc {
			bestAcc = acc
			if k+1 < len(ds) {
				best = (d + ds[k+1]) / 2
			} else {
				best = d
			}
		}
	}
	return best
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TenFold is the result of the LFW View 2 protocol.
type TenFold struct {
	Accuracy   float64   // mean over the folds
	StdDev     float64   // standard error of the mean, as LFW reports it (std/sqrt(folds))
	PerFold    []float64 // accuracy of each fold
	Thresholds []float64 // threshold chosen on the other folds, per fold
}

// RunTenFold chooses, for each fold, the threshold with the best accuracy
// on the other folds and measures accuracy on that fold.
func RunTenFold(folds [][]Scored) TenFold {
	var r TenFold
	for i := range folds {
		var train []Scored
		for j := range folds {
			if j != i {
				train = append(train, folds[j]...)
			}
		}
		t := bestThreshold(train)
		r.Thresholds = append(r.Thresholds, t)
		r.PerFold = append(r.PerFold, accuracy(folds[i], t))
	}
	var sum float64
	for _, a := range r.PerFold {
		sum += a
	}
	r.Accuracy = sum / float64(len(r.PerFold))
	var ss float64
	for _, a := range r.PerFold {
		ss += (a - r.Accuracy) * (a - r.Accuracy)
	}
	n := float64(len(r.PerFold))
	if n > 1 {
		r.StdDev = math.Sqrt(ss/(n-1)) / math.Sqrt(n)
	}
	return r
}

// Distances are genuine and impostor distances, each sorted ascending.
type Distances struct {
	Genuine, Impostor []float64
}

// NewDistances sorts the slices it is given (it keeps them).
func NewDistances(genuine, impostor []float64) Distances {
	slices.Sort(genuine)
	slices.Sort(impostor)
	return Distances{Genuine: genuine, Impostor: impostor}
}

// FMR is the fraction of impostor distances at most t.
func (d Distances) FMR(t float64) float64 {
	if len(d.Impostor) == 0 {
		return 0
	}
	n, _ := slices.BinarySearchFunc(d.Impostor, t, func(x, t float64) int {
		if x <= t {
			return -1
		}
		return 1
	})
	return float64(n) / float64(len(d.Impostor))
}

// FNMR is the fraction of genuine distances above t (+Inf, a failure to
// acquire, is always above).
func (d Distances) FNMR(t float64) float64 {
	if len(d.Genuine) == 0 {
		return 0
	}
	n, _ := slices.BinarySearchFunc(d.Genuine, t, func(x, t float64) int {
		if x <= t {
			return -1
		}
		return 1
	})
	return float64(len(d.Genuine)-n) / float64(len(d.Genuine))
}

// ThresholdAtFMR returns the largest threshold whose FMR is at most
// target: k = floor(target × impostors) impostor distances fall at or
// below it. It is the midpoint between the k-th and (k+1)-th smallest
// impostor distance.
func (d Distances) ThresholdAtFMR(target float64) float64 {
	n := len(d.Impostor)
	if n == 0 {
		return 0
	}
	k := int(math.Floor(target * float64(n)))
	switch {
	case k >= n:
		return d.Impostor[n-1]
	case k == 0:
		return d.Impostor[0] - 1e-9
	}
	return (d.Impostor[k-1] + d.Impostor[k]) / 2
}

// EER returns the equal error rate and its threshold: where FMR and FNMR
// cross (the mean of the two rates at the threshold where they are
// closest).
func (d Distances) EER() (rate, threshold float64) {
	lo, hi := 0.0, 4.0
	for range 100 {
		mid := (lo + hi) / 2
		if d.FMR(mid) < d.FNMR(mid) {
			lo = mid
		} else {
			hi = mid
		}
	}
	t := (lo + hi) / 2
	return (d.FMR(t) + d.FNMR(t)) / 2, t
}

// Percentile returns the p-th percentile (0-100) of sorted values, by
// nearest rank.
func Percentile[T ~int64 | ~float64](sorted []T, p float64) T {
	if len(sorted) == 0 {
		return 0
	}
	k := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	k = max(0, min(k, len(sorted)-1))
	return sorted[k]
}

// CalibrationGrid is the distances a calibration samples: 0.20 to 1.20
// in steps of 0.005.
func CalibrationGrid() []float64 {
	var g []float64
	for i := 0; i <= 200; i++ {
		g = append(g, 0.2+0.005*float64(i))
	}
	return g
}
