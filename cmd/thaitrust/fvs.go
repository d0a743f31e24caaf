package main

import (
	"context"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/internal/app"
)

var cmdFVS = &command{
	name: "fvs",
	usage: `fvs enroll --pid ID --photo FILE [--source TEXT] [--data DIR | --server URL --token T]
       thaitrust fvs verify --pid ID --photo FILE [--fmr 1e-3] [--consent REF] [--purpose TEXT] [--data DIR | --server URL --token T]
       thaitrust fvs delete --pid ID [--data DIR | --server URL --token T]
       thaitrust fvs bench --lfw DIR [--out DIR] [--recognizers N] [--folds N] [--jitter N]`,
	brief: "face verification: enrol a photo, verify a photo against it, benchmark on LFW",
}

func init() {
	register(cmdFVS)
	cmdFVS.run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("fvs needs a subcommand: enroll, verify, delete or bench")
		}
		switch args[0] {
		case "enroll", "enrol":
			return fvsEnroll(ctx, e, args[1:])
		case "verify":
			return fvsVerify(ctx, e, args[1:])
		case "delete":
			return fvsDelete(ctx, e, args[1:])
		case "bench":
			return fvsBench(ctx, e, args[1:])
		case "-h", "--help", "help":
			fmt.Fprintf(e.stderr, "Usage: thaitrust %s\n\n%s\n", cmdFVS.usage, cmdFVS.brief)
			return nil
		}
		return usagef("unknown fvs subcommand %q (enroll, verify, delete, bench)", args[0])
	}
}

// fvsFlags are the flags every FVS client subcommand shares.
type fvsFlags struct {
	pid, photo, data, server, token, purpose, consent *string
}

func newFVSFlags(e *env, purpose string) (*flag.FlagSet, *fvsFlags) {
	fs := newFlags(e, cmdFVS)
	f := &fvsFlags{
		pid:     fs.String("pid", "", "13-digit citizen ID (required)"),
		photo:   fs.String("photo", "", "JPEG or PNG photo"),
		data:    fs.String("data", "", "data directory (default $THAITRUST_DATA or ./"+defaultData+")"),
		server:  fs.String("server", "", "a running server's URL (default $THAITRUST_SERVER); else the data directory"),
		token:   fs.String("token", "", "bearer token of a client with scope fvs (default $THAITRUST_TOKEN)"),
		purpose: fs.String("purpose", purpose, "purpose recorded in the audit log"),
		consent: fs.String("consent", "cli-operator", "consent reference recorded in the audit log"),
	}
	return fs, f
}

// fvsClient is the FVS of a data directory or a server.
type fvsClient struct {
	t   *target
	svc *fvs.Service
	fv  *app.FVS
}

func openFVS(ctx context.Context, e *env, f *fvsFlags) (*fvsClient, error) {
	t, err := openTarget(ctx, e, *f.server, *f.token, *f.data)
	if err != nil {
		return nil, err
	}
	c := &fvsClient{t: t}
	if t.local != nil {
		fv, err := t.local.EnableFVS(ctx, app.FVSOptions{Recognizers: 1})
		if err != nil {
			t.Close()
			return nil, err
		}
		c.svc, c.fv = fv.Service, fv
	}
	return c, nil
}

func (c *fvsClient) Close() {
	if c.fv != nil {
		c.fv.Close()
	}
	c.t.Close()
}

func (c *fvsClient) call(e *env, f *fvsFlags) fvs.Call {
	user := e.getenv("USER")
	if user == "" {
		user = "unknown"
	}
	return fvs.Call{Caller: "cli:" + user, Purpose: *f.purpose, Consent: *f.consent}
}

func readPhoto(f *fvsFlags) ([]byte, error) {
	if *f.photo == "" {
		return nil, usagef("--photo FILE is required")
	}
	b, err := os.ReadFile(*f.photo)
	if err != nil {
		return nil, usagef("reading the photo: %v", err)
	}
	return b, nil
}

// fvsError turns bad input (locally an *fvs.InputError or
// ErrNotEnrolled, remotely a 4xx problem) into exit status 2.
func fvsError(err error) error {
	var ie *fvs.InputError
	if errors.As(err, &ie) || errors.Is(err, fvs.ErrNotEnrolled) {
		return usageError{"bad input: " + err.Error()}
	}
	var pe *problemError
	if errors.As(err, &pe) && pe.Status >= 400 && pe.Status < 500 && pe.Status != 401 && pe.Status != 403 && pe.Status != 429 {
		return usageError{fmt.Sprintf("bad input: %s: %s", pe.Reason, pe.Detail)}
	}
	return err
}

func fvsEnroll(ctx context.Context, e *env, args []string) error {
	fs, f := newFVSFlags(e, "enrolment")
	source := fs.String("source", "cli", "where the photo comes from (recorded with the template)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *f.pid == "" {
		return usagef("--pid ID is required")
	}
	photo, err := readPhoto(f)
	if err != nil {
		return err
	}
	c, err := openFVS(ctx, e, f)
	if err != nil {
		return err
	}
	defer c.Close()
	var out any
	if c.svc != nil {
		out, err = c.svc.Enroll(ctx, fvs.EnrollRequest{Call: c.call(e, f), PID: *f.pid, Image: photo, Source: *source})
	} else {
		var res map[string]any
		err = c.t.remote.do(ctx, "POST", "/fvs/enroll", map[string]any{"pid": *f.pid, "image": base64.StdEncoding.EncodeToString(photo),
			"purpose": *f.purpose, "consent": *f.consent, "source": *source}, &res)
		out = res
	}
	if err != nil {
		return fvsError(err)
	}
	return printJSON(e.stdout, out)
}

// verifyOutput is what fvs verify prints.
type verifyOutput struct {
	Score       float64     `json:"score"`
	Decision    string      `json:"decision"`
	FMR         float64     `json:"fmr_target"`
	Model       string      `json:"model_id"`
	ThresholdID string      `json:"threshold_id"`
	Calibration string      `json:"calibration_id"`
	RequestID   string      `json:"request_id"`
	Quality     fvs.Quality `json:"quality"`
}

func fvsVerify(ctx context.Context, e *env, args []string) error {
	fs, f := newFVSFlags(e, "cli-verification")
	fmrFlag := fs.String("fmr", "", "false match rate the decision is made at: 1e-3 or 1e-4 (default: the FVS's, 1e-3)")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *f.pid == "" {
		return usagef("--pid ID is required")
	}
	var fmr float64
	if *fmrFlag != "" {
		v, err := strconv.ParseFloat(*fmrFlag, 64)
		if err != nil || v <= 0 || v >= 1 {
			return usagef("--fmr must be a rate such as 1e-3")
		}
		fmr = v
	}
	photo, err := readPhoto(f)
	if err != nil {
		return err
	}
	c, err := openFVS(ctx, e, f)
	if err != nil {
		return err
	}
	defer c.Close()
	var res fvs.Result
	if c.svc != nil {
		var r *fvs.Result
		r, err = c.svc.Verify(ctx, fvs.VerifyRequest{Call: c.call(e, f), PID: *f.pid, Image: photo, FMR: fmr})
		if r != nil {
			res = *r
		}
	} else {
		body := map[string]any{"pid": *f.pid, "image": base64.StdEncoding.EncodeToString(photo), "purpose": *f.purpose, "consent": *f.consent}
		if *fmrFlag != "" {
			body["fmr"] = *fmrFlag
		}
		err = c.t.remote.do(ctx, "POST", "/fvs/verify", body, &res)
	}
	if err != nil {
		return fvsError(err)
	}
	if err := printJSON(e.stdout, verifyOutput{Score: res.Score, Decision: res.Decision, FMR: res.FMR, Model: res.Model,
		ThresholdID: res.ThresholdID, Calibration: res.CalibrationID, RequestID: res.RequestID, Quality: res.Quality}); err != nil {
		return err
	}
	if res.Decision != fvs.DecisionMatch {
		return errFail
	}
	return nil
}

func fvsDelete(ctx context.Context, e *env, args []string) error {
	fs, f := newFVSFlags(e, "erasure")
	if _, err := parse(fs, args); err != nil {
		return err
	}
	if *f.pid == "" {
		return usagef("--pid ID is required")
	}
	c, err := openFVS(ctx, e, f)
	if err != nil {
		return err
	}
	defer c.Close()
	if c.svc != nil {
		err = c.svc.Delete(ctx, c.call(e, f), *f.pid)
	} else {
		err = c.t.remote.do(ctx, "POST", "/fvs/delete", map[string]any{"pid": *f.pid, "purpose": *f.purpose, "consent": *f.consent}, nil)
	}
	if err != nil {
		return fvsError(err)
	}
	fmt.Fprintln(e.stdout, "deleted")
	return nil
}
