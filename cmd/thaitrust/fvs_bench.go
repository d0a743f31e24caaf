package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/eval"
	"github.com/thaitrust/thaitrust/fvs/goface"
)

// fvsBench runs `thaitrust fvs bench`.
func fvsBench(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, cmdFVS)
	lfw := fs.String("lfw", "", "LFW directory with pairs.txt and images/ (required)")
	out := fs.String("out", "", "directory for bench.json, bench.txt, det.png and the calibration (default: none written)")
	models := fs.String("models", "", "face model directory (default $THAITRUST_MODELS or ./models/face)")
	recognizers := fs.Int("recognizers", 2, "recognizers for the main run (throughput is also measured with 1)")
	folds := fs.Int("folds", 0, "use only the first N folds (quick runs; 0: all)")
	jitter := fs.Int("jitter", 0, "dlib num_jitters (0: none)")
	noCNN := fs.Bool("no-cnn", false, "disable the CNN detector fallback")
	e2eRuns := fs.Int("e2e-runs", 60, "end-to-end verifications of a 640 px photo to time")
	e2eOnly := fs.Bool("e2e-only", false, "time only the end-to-end verification (no LFW protocol, no files written)")
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: thaitrust fvs bench --lfw DIR [--out DIR] [flags]\n\n"+
			"Runs the LFW View 2 protocol and prints the figures as text (stderr) and as one JSON object (stdout).\n\nFlags:\n")
		fs.PrintDefaults()
	}
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *lfw == "" {
		return usagef("--lfw DIR is required")
	}
	dir := *models
	if dir == "" {
		d, err := goface.ModelsDir()
		if err != nil {
			return err
		}
		dir = d
	}
	log := func(format string, a ...any) { fmt.Fprintf(e.stderr, format+"\n", a...) }
	b := &bench{log: log, lfw: *lfw}
	res, err := b.run(ctx, benchConfig{
		Models: dir, Recognizers: max(1, *recognizers), Folds: *folds, Jitter: *jitter, NoCNN: *noCNN, E2ERuns: *e2eRuns, E2EOnly: *e2eOnly,
	})
	if err != nil {
		return err
	}
	text := res.text()
	fmt.Fprint(e.stderr, text)
	js, _ := json.MarshalIndent(res, "", "  ")
	if *out != "" && !*e2eOnly {
		if err := os.MkdirAll(*out, 0o755); err != nil {
			return err
		}
		for name, data := range map[string][]byte{"bench.json": append(js, '\n'), "bench.txt": []byte(text)} {
			if err := os.WriteFile(filepath.Join(*out, name), data, 0o644); err != nil {
				return err
			}
		}
		var det bytes.Buffer
		marks := []eval.DETPoint{{FMR: 1e-3, FNMR: res.AllVsAll.FNMRAtFMR1e3, Label: "FMR 1E-3"}, {FMR: 1e-4, FNMR: res.AllVsAll.FNMRAtFMR1e4, Label: "FMR 1E-4"}, {FMR: res.AllVsAll.EER, FNMR: res.AllVsAll.EER, Label: "EER"}}
		if err := eval.WriteDET(&det, "DET: "+res.Model+" on LFW, all vs all", b.dist, marks); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(*out, "det.png"), det.Bytes(), 0o644); err != nil {
			return err
		}
		cj, _ := json.MarshalIndent(b.calibration, "", "  ")
		name := "calibration-" + sanitize(res.Model) + ".json"
		if err := os.WriteFile(filepath.Join(*out, name), append(cj, '\n'), 0o644); err != nil {
			return err
		}
		log("wrote %s/{bench.json,bench.txt,det.png,%s}", *out, name)
	}
	fmt.Fprintf(e.stdout, "%s\n", js)
	return nil
}

func sanitize(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			b[i] = '_'
		}
	}
	return string(b)
}

type benchConfig struct {
	Models      string
	Recognizers int
	Folds       int
	Jitter      int
	NoCNN       bool
	E2ERuns     int
	E2EOnly     bool
}

type bench struct {
	log         func(string, ...any)
	lfw         string
	dist        eval.Distances
	calibration *fvs.Calibration
}

// Latency is a stage's p50 and p95 in milliseconds.
type Latency struct {
	P50 float64 `json:"p50_ms"`
	P95 float64 `json:"p95_ms"`
	N   int     `json:"n"`
}

func latency(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	ms := func(d time.Duration) float64 { return math.Round(float64(d)/1e4) / 100 }
	return Latency{P50: ms(eval.Percentile(s, 50)), P95: ms(eval.Percentile(s, 95)), N: len(s)}
}

// BenchResult is what `fvs bench` reports.
type BenchResult struct {
	Model       string `json:"model"`
	Calibration string `json:"calibration_id"`
	Dataset     string `json:"dataset"`
	Images      int    `json:"images"`
	Pairs       int    `json:"pairs"`
	// Failure to acquire: images where no face was found even by the
	// CNN detector.
	FTA         int     `json:"fta_images"`
	FTARate     float64 `json:"fta_rate"`
	CNNFallback int     `json:"cnn_fallback_images"` // images where HOG found none and CNN did
	MultiFace   int     `json:"multi_face_images"`   // images with more than one face (the most central was used)
	TenFold     struct {
		Accuracy   float64   `json:"accuracy"`
		StdErr     float64   `json:"std_err"`
		PerFold    []float64 `json:"per_fold"`
		Thresholds []float64 `json:"thresholds"`
	} `json:"ten_fold"`
	PairsEER          float64 `json:"pairs_eer"`
	PairsEERThreshold float64 `json:"pairs_eer_threshold"`
	AllVsAll          struct {
		Genuine      int     `json:"genuine"`
		Impostor     int     `json:"impostor"`
		EER          float64 `json:"eer"`
		EERThreshold float64 `json:"eer_threshold"`
		ThrFMR1e3    float64 `json:"threshold_fmr_1e-3"`
		FNMRAtFMR1e3 float64 `json:"fnmr_at_fmr_1e-3"`
		ThrFMR1e4    float64 `json:"threshold_fmr_1e-4"`
		FNMRAtFMR1e4 float64 `json:"fnmr_at_fmr_1e-4"`
	} `json:"all_vs_all"`
	Latency struct {
		Read     Latency `json:"read"`
		Decode   Latency `json:"decode"`   // Go side: header check (magic, DecodeConfig) and preparing the JPEG
		Detect   Latency `json:"detect"`   // HOG detection alone, timed separately on a sample
		Describe Latency `json:"describe"` // landmarks, alignment, ResNet: go-face's call minus the HOG time
		Extract  Latency `json:"extract"`  // go-face's whole call (libjpeg decode, detect, landmarks, describe)
		Compare  Latency `json:"compare"`  // one distance, in ms (see compare_ns)
	} `json:"latency"`
	CompareNS  float64 `json:"compare_ns"`
	Throughput struct {
		One    float64 `json:"images_per_s_1_recognizer"`
		Many   float64 `json:"images_per_s_n_recognizers"`
		N      int     `json:"n_recognizers"`
		Sample int     `json:"sample_1_recognizer"`
	} `json:"throughput"`
	E2E640 struct {
		Latency         // wall time
		CPU     Latency `json:"cpu"` // CPU time of the thread doing the work
		Width   int     `json:"width"`
		Height  int     `json:"height"`
		Note    string  `json:"note"`
	} `json:"e2e_640px_one_core"`
	GOMAXPROCS int     `json:"gomaxprocs"`
	Wall       float64 `json:"wall_s"`
}

type acquired struct {
	ref      eval.ImageRef
	tmpl     *fvs.Template
	detector string
	faces    int
	read     time.Duration
	decode   time.Duration
	extract  time.Duration
	err      error
}

func (b *bench) run(ctx context.Context, cfg benchConfig) (*BenchResult, error) {
	start := time.Now()
	folds, err := eval.ReadPairs(filepath.Join(b.lfw, "pairs.txt"))
	if err != nil {
		return nil, err
	}
	if cfg.Folds > 0 && cfg.Folds < len(folds) {
		folds = folds[:cfg.Folds]
	}
	refs := eval.Images(folds)
	if cfg.E2EOnly {
		res := &BenchResult{Model: goface.ModelID(goface.Config{Jitter: cfg.Jitter}), Dataset: "LFW (" + b.lfw + ")", GOMAXPROCS: runtime.GOMAXPROCS(0)}
		err := b.e2e(ctx, res, cfg, filepath.Join(b.lfw, "images"), folds)
		return res, err
	}
	m, err := goface.New(goface.Config{Dir: cfg.Models, Recognizers: cfg.Recognizers, Jitter: cfg.Jitter, NoCNNFallback: cfg.NoCNN})
	if err != nil {
		return nil, err
	}
	defer m.Close()
	res := &BenchResult{Model: m.Model(), Dataset: "LFW View 2 (" + b.lfw + ")", Images: len(refs), GOMAXPROCS: runtime.GOMAXPROCS(0)}
	for _, f := range folds {
		res.Pairs += len(f)
	}
	imagesDir := filepath.Join(b.lfw, "images")
	b.log("fvs bench: %s, %d images, %d pairs, %d recognizers", m.Model(), len(refs), res.Pairs, cfg.Recognizers)

	// Throughput with one recognizer, on a sample.
	sample := refs[:min(len(refs), 150)]
	t0 := time.Now()
	if _, err := b.extractAll(ctx, m, imagesDir, sample, 1); err != nil {
		return nil, err
	}
	res.Throughput.One = float64(len(sample)) / time.Since(t0).Seconds()
	res.Throughput.Sample = len(sample)
	b.log("  1 recognizer: %.1f images/s over %d images", res.Throughput.One, len(sample))

	// The main run with every recognizer.
	t0 = time.Now()
	acq, err := b.extractAll(ctx, m, imagesDir, refs, cfg.Recognizers)
	if err != nil {
		return nil, err
	}
	res.Throughput.Many = float64(len(refs)) / time.Since(t0).Seconds()
	res.Throughput.N = cfg.Recognizers
	b.log("  %d recognizers: %.1f images/s over %d images", cfg.Recognizers, res.Throughput.Many, len(refs))

	byRef := map[eval.ImageRef]*acquired{}
	var reads, decodes, extracts []time.Duration
	for i := range acq {
		a := &acq[i]
		byRef[a.ref] = a
		if a.err != nil {
			return nil, fmt.Errorf("%s: %w", a.ref.Path(imagesDir), a.err)
		}
		switch {
		case a.tmpl == nil:
			res.FTA++
		case a.detector == "cnn":
			res.CNNFallback++
		}
		if a.faces > 1 {
			res.MultiFace++
		}
		reads = append(reads, a.read)
		decodes = append(decodes, a.decode)
		if a.detector == "hog" {
			extracts = append(extracts, a.extract)
		}
	}
	res.FTARate = float64(res.FTA) / float64(len(refs))
	res.Latency.Read, res.Latency.Decode, res.Latency.Extract = latency(reads), latency(decodes), latency(extracts)

	// Detection alone on a sample, to split go-face's call.
	var detects, describes []time.Duration
	for i, a := range acq {
		if i%15 != 0 || a.detector != "hog" {
			continue
		}
		data, err := os.ReadFile(a.ref.Path(imagesDir))
		if err != nil {
			return nil, err
		}
		img, err := fvs.CheckImage(data, fvs.Limits{})
		if err != nil {
			return nil, err
		}
		d, _, err := m.TimeHOG(ctx, img)
		if err != nil {
			return nil, err
		}
		detects = append(detects, d)
		describes = append(describes, max(0, a.extract-d))
	}
	res.Latency.Detect, res.Latency.Describe = latency(detects), latency(describes)

	// LFW View 2: ten folds over the pairs.
	var scored [][]eval.Scored
	var pg, pi []float64
	for _, f := range folds {
		var s []eval.Scored
		for _, p := range f {
			d := math.Inf(1)
			ta, tb := byRef[p.A].tmpl, byRef[p.B].tmpl
			if ta != nil && tb != nil {
				if d, err = m.Distance(*ta, *tb); err != nil {
					return nil, err
				}
			}
			s = append(s, eval.Scored{Distance: d, Genuine: p.Same})
			if p.Same {
				pg = append(pg, d)
			} else {
				pi = append(pi, d)
			}
		}
		scored = append(scored, s)
	}
	tf := eval.RunTenFold(scored)
	res.TenFold.Accuracy, res.TenFold.StdErr, res.TenFold.PerFold, res.TenFold.Thresholds = tf.Accuracy, tf.StdDev, tf.PerFold, tf.Thresholds
	res.PairsEER, res.PairsEERThreshold = eval.NewDistances(pg, pi).EER()

	// All vs all over the acquired images.
	var tmpls []fvs.Template
	var names []string
	for _, a := range acq {
		if a.tmpl != nil {
			tmpls = append(tmpls, *a.tmpl)
			names = append(names, a.ref.Name)
		}
	}
	b.log("  all vs all over %d templates", len(tmpls))
	genuine, impostor := allVsAll(tmpls, names)
	b.dist = eval.NewDistances(genuine, impostor)
	av := &res.AllVsAll
	av.Genuine, av.Impostor = len(genuine), len(impostor)
	av.EER, av.EERThreshold = b.dist.EER()
	av.ThrFMR1e3 = b.dist.ThresholdAtFMR(1e-3)
	av.FNMRAtFMR1e3 = b.dist.FNMR(av.ThrFMR1e3)
	av.ThrFMR1e4 = b.dist.ThresholdAtFMR(1e-4)
	av.FNMRAtFMR1e4 = b.dist.FNMR(av.ThrFMR1e4)

	// Comparison cost.
	if len(tmpls) >= 2 {
		const n = 200000
		t := time.Now()
		var sink float64
		for i := range n {
			d, _ := m.Distance(tmpls[i%len(tmpls)], tmpls[(i+1)%len(tmpls)])
			sink += d
		}
		res.CompareNS = float64(time.Since(t).Nanoseconds()) / n
		_ = sink
		res.Latency.Compare = Latency{P50: res.CompareNS / 1e6, P95: res.CompareNS / 1e6, N: n}
	}

	created := time.Now().UTC().Format("2006-01-02")
	id := m.Model() + "/lfw-view2-all-vs-all/" + created
	b.calibration = eval.Calibrate(id, m.Model(),
		"LFW View 2 images (deep-funneled), all vs all: genuine = same person, impostor = different persons; failures to acquire excluded",
		created, b.dist, []float64{1e-2, 1e-3, 1e-4, 1e-5})
	res.Calibration = id

	// End to end on a 640 px photo, one recognizer, one at a time.
	if cfg.E2ERuns > 0 {
		if err := b.e2e(ctx, res, cfg, imagesDir, folds); err != nil {
			return nil, err
		}
	}
	res.Wall = math.Round(time.Since(start).Seconds())
	return res, nil
}

// e2e times verification of a 640×640 JPEG (an LFW image scaled up)
// against an enrolled template: header check, go-face (decode, detect,
// landmarks, describe) and the comparison, with one recognizer.
func (b *bench) e2e(ctx context.Context, res *BenchResult, cfg benchConfig, imagesDir string, folds [][]eval.Pair) error {
	m, err := goface.New(goface.Config{Dir: cfg.Models, Recognizers: 1, Jitter: cfg.Jitter, NoCNNFallback: cfg.NoCNN})
	if err != nil {
		return err
	}
	defer m.Close()
	p := folds[0][0]
	load := func(r eval.ImageRef) ([]byte, error) { return os.ReadFile(r.Path(imagesDir)) }
	a, err := load(p.A)
	if err != nil {
		return err
	}
	bb, err := load(p.B)
	if err != nil {
		return err
	}
	photo, err := upscaleJPEG(a, 640)
	if err != nil {
		return err
	}
	ref, err := fvs.CheckImage(bb, fvs.Limits{})
	if err != nil {
		return err
	}
	rex, err := m.Extract(ctx, ref)
	if err != nil || len(rex.Faces) == 0 {
		return fmt.Errorf("e2e reference: %v (%d faces)", err, len(rex.Faces))
	}
	// One OS thread does the work (go-face runs on the calling thread and
	// OpenBLAS is limited to one thread), so its CPU time is the cost on
	// one core whatever else the machine is doing; wall time is reported
	// beside it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var ds, cpus []time.Duration
	for i := range cfg.E2ERuns + 3 {
		t := time.Now()
		c0 := threadCPU()
		img, err := fvs.CheckImage(photo, fvs.Limits{})
		if err != nil {
			return err
		}
		ex, err := m.Extract(ctx, img)
		if err != nil {
			return err
		}
		if len(ex.Faces) != 1 {
			return fmt.Errorf("e2e: %d faces in the 640 px photo", len(ex.Faces))
		}
		if _, err := m.Distance(ex.Faces[0].Template, rex.Faces[0].Template); err != nil {
			return err
		}
		if i >= 3 { // warm-up
			ds = append(ds, time.Since(t))
			cpus = append(cpus, threadCPU()-c0)
		}
	}
	res.E2E640.Latency = latency(ds)
	res.E2E640.CPU = latency(cpus)
	res.E2E640.Width, res.E2E640.Height = 640, 640
	res.E2E640.Note = "one recognizer, OpenBLAS limited to 1 thread, sequential calls: header check + go-face (libjpeg decode, HOG detect, 5-point landmarks, ResNet) + distance"
	return nil
}

// upscaleJPEG scales a JPEG up to side×side (bilinear) and re-encodes it.
func upscaleJPEG(data []byte, side int) ([]byte, error) {
	src, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	sb := src.Bounds()
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		fy := (float64(y)+0.5)*float64(sb.Dy())/float64(side) - 0.5
		y0 := max(0, int(math.Floor(fy)))
		y1 := min(sb.Dy()-1, y0+1)
		wy := fy - float64(y0)
		for x := range side {
			fx := (float64(x)+0.5)*float64(sb.Dx())/float64(side) - 0.5
			x0 := max(0, int(math.Floor(fx)))
			x1 := min(sb.Dx()-1, x0+1)
			wx := fx - float64(x0)
			var c [3]float64
			for _, s := range []struct {
				x, y int
				w    float64
			}{{x0, y0, (1 - wx) * (1 - wy)}, {x1, y0, wx * (1 - wy)}, {x0, y1, (1 - wx) * wy}, {x1, y1, wx * wy}} {
				r, g, bl, _ := src.At(sb.Min.X+s.x, sb.Min.Y+s.y).RGBA()
				c[0] += s.w * float64(r>>8)
				c[1] += s.w * float64(g>>8)
				c[2] += s.w * float64(bl>>8)
			}
			o := dst.Pix[y*dst.Stride+4*x:]
			o[0], o[1], o[2], o[3] = uint8(c[0]+0.5), uint8(c[1]+0.5), uint8(c[2]+0.5), 255
		}
	}
	var buf bytes.Buffer
	err = jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 90})
	return buf.Bytes(), err
}

// extractAll extracts every image with `workers` goroutines and keeps,
// per image, the face nearest the centre.
func (b *bench) extractAll(ctx context.Context, m *goface.Matcher, dir string, refs []eval.ImageRef, workers int) ([]acquired, error) {
	out := make([]acquired, len(refs))
	var next atomic.Int64
	var done atomic.Int64
	var wg sync.WaitGroup
	stop := make(chan struct{})
	go func() {
		tick := time.NewTicker(30 * time.Second)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tick.C:
				b.log("    %d/%d images", done.Load(), len(refs))
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(refs) || ctx.Err() != nil {
					return
				}
				out[i] = extractOne(ctx, m, dir, refs[i])
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	close(stop)
	return out, ctx.Err()
}

func extractOne(ctx context.Context, m *goface.Matcher, dir string, ref eval.ImageRef) acquired {
	a := acquired{ref: ref}
	t := time.Now()
	fh, err := os.Open(ref.Path(dir))
	if err != nil {
		a.err = err
		return a
	}
	data, err := io.ReadAll(fh)
	fh.Close()
	if err != nil {
		a.err = err
		return a
	}
	a.read = time.Since(t)
	t = time.Now()
	img, err := fvs.CheckImage(data, fvs.Limits{})
	if err != nil {
		a.err = err
		return a
	}
	check := time.Since(t)
	ex, err := m.Extract(ctx, img)
	if err != nil {
		var ie *fvs.InputError
		if !errors.As(err, &ie) {
			a.err = err
		}
		return a
	}
	a.decode = check + ex.Prepare
	a.extract = ex.Detect + ex.Describe
	a.detector = ex.Detector
	a.faces = len(ex.Faces)
	if len(ex.Faces) == 0 {
		return a
	}
	// The most central face (LFW images are centred on their subject).
	cx, cy := float64(img.Width)/2, float64(img.Height)/2
	best, bestD := 0, math.Inf(1)
	for i, f := range ex.Faces {
		fx := float64(f.Box.Min.X+f.Box.Max.X) / 2
		fy := float64(f.Box.Min.Y+f.Box.Max.Y) / 2
		if d := (fx-cx)*(fx-cx) + (fy-cy)*(fy-cy); d < bestD {
			best, bestD = i, d
		}
	}
	t2 := ex.Faces[best].Template
	a.tmpl = &t2
	return a
}

// allVsAll compares every pair of templates: genuine when the names are
// equal.
func allVsAll(t []fvs.Template, names []string) (genuine, impostor []float64) {
	n := len(t)
	// Flat vectors for speed.
	dim := len(t[0].Vector)
	flat := make([]float32, n*dim)
	for i := range t {
		copy(flat[i*dim:], t[i].Vector)
	}
	workers := runtime.GOMAXPROCS(0)
	type part struct{ g, i []float64 }
	parts := make([]part, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var p part
			for i := w; i < n; i += workers {
				a := flat[i*dim : (i+1)*dim]
				for j := i + 1; j < n; j++ {
					bv := flat[j*dim : (j+1)*dim]
					var s float32
					for k := range a {
						d := a[k] - bv[k]
						s += d * d
					}
					d := math.Sqrt(float64(s))
					if names[i] == names[j] {
						p.g = append(p.g, d)
					} else {
						p.i = append(p.i, d)
					}
				}
			}
			parts[w] = p
		}()
	}
	wg.Wait()
	for _, p := range parts {
		genuine = append(genuine, p.g...)
		impostor = append(impostor, p.i...)
	}
	return genuine, impostor
}

func (r *BenchResult) text() string {
	var b bytes.Buffer
	pct := func(f float64) string { return fmt.Sprintf("%.2f%%", 100*f) }
	fmt.Fprintf(&b, "fvs bench: %s on %s\n", r.Model, r.Dataset)
	fmt.Fprintf(&b, "  images %d, pairs %d; failure to acquire %d (%s); CNN fallback %d; several faces %d\n",
		r.Images, r.Pairs, r.FTA, pct(r.FTARate), r.CNNFallback, r.MultiFace)
	fmt.Fprintf(&b, "  10-fold accuracy %.2f%% ± %.2f%% (target 99.38%%); pairs EER %s at %.3f\n",
		100*r.TenFold.Accuracy, 100*r.TenFold.StdErr, pct(r.PairsEER), r.PairsEERThreshold)
	av := r.AllVsAll
	fmt.Fprintf(&b, "  all vs all: %d genuine, %d impostor; EER %s at %.3f\n", av.Genuine, av.Impostor, pct(av.EER), av.EERThreshold)
	fmt.Fprintf(&b, "    FMR 1e-3: threshold %.4f, FNMR %s\n", av.ThrFMR1e3, pct(av.FNMRAtFMR1e3))
	fmt.Fprintf(&b, "    FMR 1e-4: threshold %.4f, FNMR %s\n", av.ThrFMR1e4, pct(av.FNMRAtFMR1e4))
	l := r.Latency
	for _, s := range []struct {
		n string
		l Latency
	}{{"read", l.Read}, {"decode", l.Decode}, {"detect (HOG)", l.Detect}, {"landmarks+describe", l.Describe}, {"go-face call", l.Extract}} {
		fmt.Fprintf(&b, "  %-20s p50 %7.2f ms  p95 %7.2f ms  (n %d)\n", s.n, s.l.P50, s.l.P95, s.l.N)
	}
	fmt.Fprintf(&b, "  %-20s %.0f ns\n", "compare", r.CompareNS)
	fmt.Fprintf(&b, "  throughput: %.1f images/s with 1 recognizer, %.1f with %d\n", r.Throughput.One, r.Throughput.Many, r.Throughput.N)
	if r.E2E640.N > 0 {
		fmt.Fprintf(&b, "  end to end, 640x640 photo, one core: CPU time p50 %.1f ms, p95 %.1f ms; wall p50 %.1f ms, p95 %.1f ms (target p50 < 60 ms)\n",
			r.E2E640.CPU.P50, r.E2E640.CPU.P95, r.E2E640.P50, r.E2E640.P95)
	}
	fmt.Fprintf(&b, "  calibration %s; wall %.0f s\n", r.Calibration, r.Wall)
	return b.String()
}

// threadCPU is the CPU time the calling OS thread has used.
func threadCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(1 /* RUSAGE_THREAD */, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
