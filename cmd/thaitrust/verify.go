package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
	"github.com/thaitrust/thaitrust/internal/app"
	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/verifier"
	"github.com/thaitrust/thaitrust/verifier/verifierhttp"
)

var cmdVerify = &command{
	name:  "verify",
	usage: "verify [--json] [--data DIR | --trust-list FILE [--trust-anchor KEY] [--offline]] [--challenge NONCE] [--domain AUD] FILE|-",
	brief: "verify a credential, presentation or PDF e-certificate (vc+jwt, vp+jwt, enveloped JSON, data: URL, PDF); exit 0 only when verified",
}

func init() {
	register(cmdVerify)
	cmdVerify.run = func(ctx context.Context, e *env, args []string) error {
		fs := newFlags(e, cmdVerify)
		asJSON := fs.Bool("json", false, "print the full result as JSON")
		data := fs.String("data", "", "data directory whose trust policy to use (default $THAITRUST_DATA or ./"+defaultData+")")
		challenge := fs.String("challenge", "", "for a presentation: the nonce it must be bound to")
		domain := fs.String("domain", "", "for a presentation: the audience it must be bound to")
		tl := addTrustListFlags(fs)
		pos, err := parse(fs, args)
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return usagef("give one FILE (or - for stdin)")
		}
		raw, err := readInput(e, pos[0])
		if err != nil {
			return err
		}
		dir := dataDir(e, *data)
		var v *verifier.Verifier
		var done func()
		if *tl.list != "" || *tl.anchor != "" || *tl.offline || *tl.allowStale {
			v, done, err = tl.open(ctx, e, dir) // trustlist.go
		} else {
			if _, err := os.Stat(filepath.Join(dir, app.ConfigFile)); err != nil {
				return usagef("no trust policy: %s has no %s (give --data DIR, or --trust-list FILE)", dir, app.ConfigFile)
			}
			v, done, err = openVerifier(ctx, e, dir)
		}
		if err != nil {
			return err
		}
		defer done()
		var res *verifier.Result
		if isPDF(raw) {
			res, err = verifyPDF(ctx, v, dir, raw)
		} else {
			res, err = verifyInput(ctx, v, raw, verifier.PresentationOptions{Challenge: *challenge, Domain: *domain})
		}
		if err != nil {
			return usagef("%s: %v", pos[0], err)
		}
		if *asJSON {
			out := map[string]any{"result": res}
			if res.Credential != nil {
				out["credential"] = res.Credential.Map()
			}
			if err := printJSON(e.stdout, out); err != nil {
				return err
			}
		} else {
			printResult(e.stdout, res, "")
		}
		if !res.Verified {
			return errFail
		}
		return nil
	}
}

// openVerifier returns the verifier of a data directory. When no server
// holds the directory, it is opened whole, so that the status lists of its
// own issuers are read from its store (no server needs to run, and a
// revocation made with "thaitrust status" shows at once). When a running
// server holds it (or its keys cannot be opened), the verifier is built
// from the configuration and public keys alone, and fetches status lists
// over HTTP from that server like any verifier.
func openVerifier(ctx context.Context, e *env, dir string) (*verifier.Verifier, func(), error) {
	a, err := app.Open(ctx, app.Options{DataDir: dir, Log: quietLog(e)})
	if err == nil {
		return a.Verifier(), func() { a.Close() }, nil
	}
	v, verr := app.OpenVerifier(dir, nil)
	if verr != nil {
		return nil, nil, verr
	}
	return v, func() {}, nil
}

// verifyInput recognises the input's form and verifies it.
func verifyInput(ctx context.Context, v *verifier.Verifier, raw []byte, opts verifier.PresentationOptions) (*verifier.Result, error) {
	s := strings.TrimSpace(string(raw))
	switch {
	case strings.HasPrefix(s, "{"):
		doc, err := jsonx.ParseObject([]byte(s))
		if err != nil {
			return nil, fmt.Errorf("not valid JSON: %w", err)
		}
		// A VC API response or request wraps the credential.
		if inner, ok := doc["verifiableCredential"]; ok && !hasType(doc, credential.TypePresentation) {
			return secured(ctx, v, inner, opts, false)
		}
		if inner, ok := doc["verifiablePresentation"]; ok {
			return secured(ctx, v, inner, opts, true)
		}
		if hasType(doc, credential.TypeEnvelopedPresentation) {
			return secured(ctx, v, doc, opts, true)
		}
		if hasType(doc, credential.TypePresentation) {
			return v.VerifyUnsecuredPresentation(ctx, doc), nil
		}
		return secured(ctx, v, doc, opts, false)
	case strings.HasPrefix(s, "data:"):
		e, err := credential.ParseDataURL(s)
		if err != nil {
			return nil, err
		}
		if e.MediaType == jose.MediaTypePresentation {
			return v.VerifyPresentation(ctx, e.MediaType, e.Data, opts), nil
		}
		return v.VerifyCredential(ctx, e.MediaType, e.Data), nil
	case strings.Count(s, ".") == 2 && !bytes.ContainsAny([]byte(s), " \n{"):
		if typ := peekTyp(s); strings.HasSuffix(typ, "vp+jwt") {
			return v.VerifyPresentation(ctx, jose.MediaTypePresentation, s, opts), nil
		}
		return v.VerifyCredential(ctx, jose.MediaTypeCredential, s), nil
	}
	return nil, fmt.Errorf("not a credential: expected a compact JWS, a data: URL or JSON")
}

func secured(ctx context.Context, v *verifier.Verifier, x any, opts verifier.PresentationOptions, presentation bool) (*verifier.Result, error) {
	if presentation {
		mt, data, err := verifierhttp.Secured(x, credential.TypeEnvelopedPresentation, jose.MediaTypePresentation)
		if err != nil {
			return nil, err
		}
		return v.VerifyPresentation(ctx, mt, data, opts), nil
	}
	mt, data, err := verifierhttp.Secured(x, credential.TypeEnvelopedCredential, jose.MediaTypeCredential)
	if err != nil {
		return nil, err
	}
	return v.VerifyCredential(ctx, mt, data), nil
}

func hasType(doc map[string]any, t string) bool {
	switch x := doc["type"].(type) {
	case string:
		return x == t
	case []any:
		for _, y := range x {
			if y == t {
				return true
			}
		}
	}
	return false
}

// peekTyp returns the typ header of a compact JWS ("" if unreadable).
func peekTyp(token string) string {
	p, err := jose.PeekTyp(token)
	if err != nil {
		return ""
	}
	return p
}

func printResult(w io.Writer, r *verifier.Result, indent string) {
	verdict := "NOT VERIFIED / ตรวจสอบไม่ผ่าน"
	if r.Verified {
		verdict = "VERIFIED / ตรวจสอบผ่าน"
	}
	fmt.Fprintf(w, "%s%s", indent, verdict)
	if r.Type != "" {
		fmt.Fprintf(w, ": %s", r.Type)
	}
	if r.Issuer != "" {
		fmt.Fprintf(w, " from %s", r.Issuer)
	}
	if r.Holder != "" {
		fmt.Fprintf(w, " presented by %s", r.Holder)
	}
	fmt.Fprintln(w)
	for _, c := range r.Checks {
		mark := map[string]string{verifier.Passed: "ok  ", verifier.Failed: "FAIL", verifier.Skipped: "skip"}[c.Status]
		fmt.Fprintf(w, "%s  %s %-22s", indent, mark, c.Check)
		if c.Status == verifier.Failed {
			fmt.Fprintf(w, " %s: %s", c.Reason, c.Message)
			if c.MessageTH != "" {
				fmt.Fprintf(w, "\n%s       %-22s %s", indent, "", c.MessageTH)
			}
			if c.Check == verifier.CheckIssuerTrust && c.Detail != "" {
				// what decided: the registry's accreditation, or its absence
				fmt.Fprintf(w, "\n%s       %-22s %s", indent, "", c.Detail)
			}
		} else if c.Detail != "" {
			fmt.Fprintf(w, " %s", c.Detail)
		}
		fmt.Fprintln(w)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(w, "%s  warning: %s: %s\n", indent, wn.Reason, wn.Message)
	}
	for i, cr := range r.Credentials {
		fmt.Fprintf(w, "%s  credential %d:\n", indent, i+1)
		printResult(w, cr, indent+"    ")
	}
}
