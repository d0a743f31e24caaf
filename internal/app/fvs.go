package app

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/fvs"
	"github.com/thaitrust/thaitrust/fvs/fvshttp"
	"github.com/thaitrust/thaitrust/fvs/goface"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/did"
)

// Files of the FVS under a data directory. The keys are created on first
// use, encrypted with the data directory's key passphrase.
const (
	// FVSKeyFile signs face-match attestations (Ed25519): the key of the
	// FVS's DID, did:web of PUBLIC_URL/fvs.
	FVSKeyFile = "keys/fvs.key.json"
	// FVSKEKFile is the FVS's key-encryption key (Ed25519, used only to
	// derive the KEK; see fvs.SignerKEK). Losing it loses every template.
	FVSKEKFile = "keys/fvs-kek.key.json"
)

// FVSOptions configure EnableFVS. The zero value is ready to use.
type FVSOptions struct {
	// ModelsDir holds the face models. Empty: goface.ModelsDir()
	// ($THAITRUST_MODELS, else models/face).
	ModelsDir string
	// Recognizers is the matcher pool size. Zero: the number of CPUs.
	Recognizers int
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
	// Matcher, when set, replaces the go-face matcher (ModelsDir and
	// Recognizers are then unused), with Calibration for its model (nil:
	// fvs.CalibrationFor the model).
	Matcher     fvs.Matcher
	Calibration *fvs.Calibration
}

// FVS is a running face verification service of a data directory.
type FVS struct {
	// Service is the FVS domain service (enrol, verify, attest).
	Service *fvs.Service
	// DID is the FVS's DID (did:web of PUBLIC_URL/fvs); its document is
	// served at /fvs/did.json and lists the attestation key.
	DID     string
	matcher *goface.Matcher
}

// Close frees the face models.
func (f *FVS) Close() error {
	if f.matcher == nil {
		return nil
	}
	return f.matcher.Close()
}

// FVSDID returns the FVS's did:web for a public URL.
func FVSDID(publicURL string) (string, error) {
	return did.WebDID(strings.TrimSuffix(publicURL, "/") + "/fvs")
}

// EnableFVS starts the face verification service on this server, as
// DOPA's: it loads the face models, opens (creating on first use) the
// FVS keys, opens the FVS store in the data file and adds the /fvs routes
// to the handler. Clients of the configuration with scope "fvs" (or "*")
// may call it. Call it before serving. Without the models it fails with
// an error matching goface.ErrModelsMissing and changes nothing; the
// server then runs without FVS.
func (a *App) EnableFVS(ctx context.Context, opts FVSOptions) (*FVS, error) {
	dir := opts.ModelsDir
	if dir == "" && opts.Matcher == nil {
		d, err := goface.ModelsDir()
		if err != nil {
			return nil, err
		}
		dir = d
	}
	if opts.Recognizers <= 0 {
		opts.Recognizers = runtime.NumCPU()
	}
	pass, err := KeyPassphrase(a.DataDir, a.Config)
	if err != nil {
		return nil, err
	}
	attKey, err := a.fvsKey(ctx, FVSKeyFile, pass)
	if err != nil {
		return nil, err
	}
	kekKey, err := a.fvsKey(ctx, FVSKEKFile, pass)
	if err != nil {
		return nil, err
	}
	kek, err := fvs.SignerKEK(kekKey)
	if err != nil {
		return nil, err
	}
	id, err := FVSDID(a.Config.PublicURL)
	if err != nil {
		return nil, err
	}
	doc := did.NewDocument(id, attKey.Public())
	var m *goface.Matcher
	var matcher fvs.Matcher = opts.Matcher
	if matcher == nil {
		if m, err = goface.New(goface.Config{Dir: dir, Recognizers: opts.Recognizers}); err != nil {
			return nil, err
		}
		matcher = m
	}
	svc, err := fvs.New(ctx, fvs.Config{
		Matcher: matcher, Store: a.db.FVS(), KEK: kek, Now: opts.Now, Calibration: opts.Calibration,
		Attestation: &fvs.AttestationSigner{Key: attKey, Issuer: id, KeyID: doc.VerificationMethod[0].ID},
	})
	if err != nil {
		if m != nil {
			m.Close()
		}
		return nil, err
	}
	(&fvshttp.Handler{Service: svc, Clients: a.Config.Clients, DIDDocument: doc, Now: opts.Now}).Register(a.echo)
	return &FVS{Service: svc, DID: id, matcher: m}, nil
}

// fvsKey opens an FVS key file, creating it (Ed25519) when absent.
func (a *App) fvsKey(ctx context.Context, rel string, pass []byte) (crypto.Signer, error) {
	path := filepath.Join(a.DataDir, rel)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		key, err := signing.GenerateKey(signing.EdDSA)
		if err != nil {
			return nil, err
		}
		kdf := signing.DefaultKDFParams()
		if a.Config.Demo {
			kdf = demoKDF
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, err
		}
		if err := signing.WriteKeyFileKDF(path, key, pass, kdf); err != nil && !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("app: creating %s: %w", rel, err)
		}
	}
	return a.openKey(ctx, "file:"+filepath.ToSlash(rel), pass)
}
