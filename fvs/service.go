package fvs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/thaitrust/thaitrust/schemas"
)

// Policy is the FVS's decision policy. The zero value of each field means
// its default.
type Policy struct {
	// FMRTargets are the false match rates a request may ask decisions
	// at; each must have a threshold in the calibration. Empty: 1e-3 and
	// 1e-4.
	FMRTargets []float64
	// DefaultFMR applies when a request names no target. Zero: 1e-3.
	DefaultFMR float64
	// MinFaceSize is the narrowest face box, in pixels of the image as
	// sent, that is compared. Zero: 60.
	MinFaceSize int
}

func (p Policy) withDefaults() Policy {
	if len(p.FMRTargets) == 0 {
		p.FMRTargets = []float64{1e-3, 1e-4}
	}
	if p.DefaultFMR == 0 {
		p.DefaultFMR = 1e-3
	}
	if p.MinFaceSize <= 0 {
		p.MinFaceSize = 60
	}
	return p
}

// Config configures New.
type Config struct {
	// Matcher finds and compares faces. Required.
	Matcher Matcher
	// Store keeps keyring, templates and the audit log. Required.
	Store Store
	// KEK wraps the data keys and the index key. Required.
	KEK KEK
	// Calibration turns distances into FMRs. Nil: the newest embedded
	// calibration of the matcher's model (CalibrationFor).
	Calibration *Calibration
	// Policy: FMR targets and the smallest face.
	Policy Policy
	// Limits bound the images accepted.
	Limits Limits
	// Attestation signs face-match attestations. Nil: Attest fails.
	Attestation *AttestationSigner
	// Now is the clock. Nil: time.Now.
	Now func() time.Time
}

// Service is the FVS: it enrols templates from authoritative photos and
// verifies probe photos against them, 1:1, at a stated false match rate.
type Service struct {
	m        Matcher
	store    Store
	kek      KEK
	cal      *Calibration
	policy   Policy
	limits   Limits
	att      *AttestationSigner
	now      func() time.Time
	indexKey []byte
}

// New checks the configuration and opens (or, on first use, creates) the
// store's keyring. A KEK that does not open an existing keyring is
// ErrWrongKEK.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Matcher == nil || cfg.Store == nil || cfg.KEK == nil {
		return nil, errors.New("fvs: Config needs a Matcher, a Store and a KEK")
	}
	s := &Service{m: cfg.Matcher, store: cfg.Store, kek: cfg.KEK, cal: cfg.Calibration,
		policy: cfg.Policy.withDefaults(), limits: cfg.Limits.withDefaults(), att: cfg.Attestation, now: cfg.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if s.cal == nil {
		c, err := CalibrationFor(s.m.Model())
		if err != nil {
			return nil, err
		}
		s.cal = c
	}
	if s.cal.Model != s.m.Model() {
		return nil, fmt.Errorf("fvs: calibration %s is for model %s, the matcher is %s", s.cal.ID, s.cal.Model, s.m.Model())
	}
	for _, f := range s.policy.FMRTargets {
		if _, ok := s.cal.Threshold(f); !ok {
			return nil, fmt.Errorf("fvs: calibration %s has no threshold for FMR %s", s.cal.ID, FormatFMR(f))
		}
	}
	if !slices.Contains(s.policy.FMRTargets, s.policy.DefaultFMR) {
		return nil, fmt.Errorf("fvs: the default FMR %s is not among the policy's targets", FormatFMR(s.policy.DefaultFMR))
	}
	if cfg.Attestation != nil {
		if err := cfg.Attestation.check(); err != nil {
			return nil, err
		}
	}
	if err := s.openKeyring(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Service) openKeyring(ctx context.Context) error {
	k, err := s.store.GetKeyring(ctx)
	if errors.Is(err, ErrNotFound) {
		ik := make([]byte, 32)
		if _, err := rand.Read(ik); err != nil {
			return err
		}
		w, err := s.kek.Wrap(ik, indexKeyAAD)
		if err != nil {
			return err
		}
		err = s.store.CreateKeyring(ctx, Keyring{KEK: s.kek.ID(), WrappedIndexKey: w, CreatedAt: s.now().UTC()})
		if err == nil {
			s.indexKey = ik
			return nil
		}
		if !errors.Is(err, ErrExists) {
			return err
		}
		k, err = s.store.GetKeyring(ctx) // another process created it meanwhile
	}
	if err != nil {
		return err
	}
	if k.KEK != s.kek.ID() {
		return fmt.Errorf("%w: the store's keyring is wrapped by %s, this KEK is %s", ErrWrongKEK, k.KEK, s.kek.ID())
	}
	ik, err := s.kek.Unwrap(k.WrappedIndexKey, indexKeyAAD)
	if err != nil {
		return err
	}
	s.indexKey = ik
	return nil
}

// Model returns the matcher's model id.
func (s *Service) Model() string { return s.m.Model() }

// Calibration returns the calibration in use.
func (s *Service) Calibration() *Calibration { return s.cal }

// Policy returns the policy in force (defaults filled in).
func (s *Service) Policy() Policy { return s.policy }

// Subject returns the keyed hash that indexes pid's template.
func (s *Service) Subject(pid string) SubjectKey { return subjectKey(s.indexKey, pid) }

// Call is what every request states besides its data: who calls, why,
// under which consent. The service records it in the audit log.
type Call struct {
	// Caller is the authenticated client (an accredited IdP). Required.
	Caller string
	// Purpose is why the face is checked, e.g. "ial2.2-proofing".
	// Required.
	Purpose string
	// Consent references the data subject's consent the caller holds.
	// Required for verification; for enrolment, the legal basis.
	Consent string
	// RequestID identifies the request in results and the audit log.
	// Empty: the service makes one.
	RequestID string
}

// Quality reports what the service found in the image.
type Quality struct {
	FacesFound  int    `json:"faces_found"`
	FaceWidth   int    `json:"face_width,omitempty"`  // pixels, in the image as sent
	FaceHeight  int    `json:"face_height,omitempty"` // pixels
	ImageWidth  int    `json:"image_width"`
	ImageHeight int    `json:"image_height"`
	Detector    string `json:"detector,omitempty"` // "hog", or "cnn" when HOG found no face
}

// Result is the outcome of a verification.
type Result struct {
	RequestID string `json:"request_id"`
	// Score is the match score as a percentage, 100 × (1 − FMR at the
	// measured distance): see Calibration.Score.
	Score float64 `json:"score"`
	// Decision is "match" or "no_match", made at FMR.
	Decision string `json:"decision"`
	// FMR is the false match rate target the decision was made at.
	FMR float64 `json:"fmr_target"`
	// ThresholdID names the operating point in the calibration.
	ThresholdID   string  `json:"threshold_id"`
	Model         string  `json:"model_id"`
	CalibrationID string  `json:"calibration_id"`
	Quality       Quality `json:"quality"`
}

// Match reports whether the decision is a match.
func (r *Result) Match() bool { return r.Decision == DecisionMatch }

// Decisions.
const (
	DecisionMatch   = "match"
	DecisionNoMatch = "no_match"
)

// EnrollRequest enrols the template of an authoritative photo.
type EnrollRequest struct {
	Call
	PID   string // 13-digit citizen ID
	Image []byte // JPEG or PNG; discarded after the template is made
	// Source records where the photo came from (e.g. "dopa-civil-registry").
	Source string
}

// EnrollResult reports an enrolment.
type EnrollResult struct {
	RequestID string  `json:"request_id"`
	Model     string  `json:"model_id"`
	Version   int64   `json:"enrolment"` // 1 for a first enrolment, then +1 per re-enrolment
	Quality   Quality `json:"quality"`
}

// VerifyRequest is a 1:1 verification.
type VerifyRequest struct {
	Call
	PID   string
	Image []byte // JPEG or PNG; discarded after the comparison
	// FMR is the false match rate target; zero: Policy.DefaultFMR.
	FMR float64
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// checkText checks a free-text field: required, at most 200 bytes, no
// control characters.
func checkText(name, v string, required error) error {
	if strings.TrimSpace(v) == "" {
		if required != nil {
			return badInput(required, "%s is required", name)
		}
		return nil
	}
	if len(v) > 200 || strings.ContainsFunc(v, unicode.IsControl) {
		return badInput(ErrInvalidRequestText, "%s must be at most 200 bytes without control characters", name)
	}
	return nil
}

func (s *Service) checkCall(c *Call, consentRequired bool) error {
	if c.RequestID == "" {
		c.RequestID = newRequestID()
	}
	if err := checkText("caller", c.Caller, ErrInvalidRequestText); err != nil {
		return err
	}
	if err := checkText("purpose", c.Purpose, ErrPurposeRequired); err != nil {
		return err
	}
	var req error
	if consentRequired {
		req = ErrConsentRequired
	}
	return checkText("consent", c.Consent, req)
}

func checkPID(pid string) error {
	if err := schemas.ValidCitizenID(pid); err != nil {
		return badInput(ErrInvalidPID, "%v", err)
	}
	return nil
}

// face extracts exactly one face of sufficient size from an image that
// passed CheckImage.
func (s *Service) face(ctx context.Context, img Image) (Face, Quality, error) {
	q := Quality{ImageWidth: img.Width, ImageHeight: img.Height}
	ex, err := s.m.Extract(ctx, img)
	if err != nil {
		return Face{}, q, err
	}
	q.FacesFound, q.Detector = len(ex.Faces), ex.Detector
	switch len(ex.Faces) {
	case 0:
		return Face{}, q, badInput(ErrNoFace, "no face found in the %d×%d image", img.Width, img.Height)
	case 1:
	default:
		return Face{}, q, badInput(ErrManyFaces, "%d faces found; send a photo of one person", len(ex.Faces))
	}
	f := ex.Faces[0]
	q.FaceWidth, q.FaceHeight = f.Box.Dx(), f.Box.Dy()
	if f.Box.Dx() < s.policy.MinFaceSize {
		return Face{}, q, badInput(ErrFaceTooSmall, "the face is %d pixels wide, at least %d are needed", f.Box.Dx(), s.policy.MinFaceSize)
	}
	return f, q, nil
}

// Enroll makes a template from an authoritative photo and stores it
// encrypted under the citizen ID's keyed hash, replacing an earlier one.
// The photo is not kept.
func (s *Service) Enroll(ctx context.Context, r EnrollRequest) (*EnrollResult, error) {
	a := AuditEntry{Action: "enroll"}
	res, err := s.enroll(ctx, &r, &a)
	if aerr := s.audit(ctx, &a, r.Call, err); aerr != nil && err == nil {
		return nil, aerr
	}
	return res, err
}

func (s *Service) enroll(ctx context.Context, r *EnrollRequest, a *AuditEntry) (*EnrollResult, error) {
	if err := s.checkCall(&r.Call, false); err != nil {
		return nil, err
	}
	if err := checkPID(r.PID); err != nil {
		return nil, err
	}
	if err := checkText("source", r.Source, nil); err != nil {
		return nil, err
	}
	a.Subject = s.Subject(r.PID)
	img, err := CheckImage(r.Image, s.limits)
	if err != nil {
		return nil, err
	}
	f, q, err := s.face(ctx, img)
	if err != nil {
		return nil, err
	}
	wrapped, nonce, ct, err := sealTemplate(s.kek, a.Subject, f.Template)
	if err != nil {
		return nil, err
	}
	v, err := s.store.PutTemplate(ctx, TemplateRecord{Subject: a.Subject, Model: f.Template.Model, TemplateVersion: f.Template.Version,
		KEK: s.kek.ID(), WrappedKey: wrapped, Nonce: nonce, Ciphertext: ct, Source: r.Source, EnrolledAt: s.now().UTC()})
	if err != nil {
		return nil, err
	}
	a.Outcome, a.Model = "enrolled", f.Template.Model
	return &EnrollResult{RequestID: r.RequestID, Model: f.Template.Model, Version: v, Quality: q}, nil
}

// Delete removes a citizen's template (ErrNotEnrolled if there is none).
func (s *Service) Delete(ctx context.Context, c Call, pid string) error {
	a := AuditEntry{Action: "delete"}
	err := func() error {
		if err := s.checkCall(&c, false); err != nil {
			return err
		}
		if err := checkPID(pid); err != nil {
			return err
		}
		a.Subject = s.Subject(pid)
		err := s.store.DeleteTemplate(ctx, a.Subject)
		if errors.Is(err, ErrNotFound) {
			return ErrNotEnrolled
		}
		if err == nil {
			a.Outcome = "deleted"
		}
		return err
	}()
	if aerr := s.audit(ctx, &a, c, err); aerr != nil && err == nil {
		return aerr
	}
	return err
}

// Verify compares a probe photo with the citizen's enrolled template and
// decides at the requested FMR. The photo is not kept. Bad input is an
// *InputError; a citizen without a template is ErrNotEnrolled.
func (s *Service) Verify(ctx context.Context, r VerifyRequest) (*Result, error) {
	a := AuditEntry{Action: "verify"}
	res, err := s.verify(ctx, &r, &a)
	if aerr := s.audit(ctx, &a, r.Call, err); aerr != nil && err == nil {
		return nil, aerr
	}
	return res, err
}

func (s *Service) verify(ctx context.Context, r *VerifyRequest, a *AuditEntry) (*Result, error) {
	if err := s.checkCall(&r.Call, true); err != nil {
		return nil, err
	}
	if err := checkPID(r.PID); err != nil {
		return nil, err
	}
	fmr := r.FMR
	if fmr == 0 {
		fmr = s.policy.DefaultFMR
	}
	if !slices.Contains(s.policy.FMRTargets, fmr) {
		return nil, badInput(ErrUnsupportedFMR, "FMR %s; this FVS decides at %s", FormatFMR(fmr), fmrList(s.policy.FMRTargets))
	}
	a.FMR = fmr
	a.Subject = s.Subject(r.PID)
	img, err := CheckImage(r.Image, s.limits)
	if err != nil {
		return nil, err
	}
	rec, err := s.store.GetTemplate(ctx, a.Subject)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNotEnrolled
	}
	if err != nil {
		return nil, err
	}
	if rec.Model != s.m.Model() {
		return nil, fmt.Errorf("%w (enrolled with %s, comparing with %s)", ErrModelMismatch, rec.Model, s.m.Model())
	}
	f, q, err := s.face(ctx, img)
	if err != nil {
		return nil, err
	}
	enrolled, err := openTemplate(s.kek, rec)
	if err != nil {
		return nil, err
	}
	d, err := s.m.Distance(f.Template, enrolled)
	clear(enrolled.Vector)
	if err != nil {
		return nil, err
	}
	thr, _ := s.cal.Threshold(fmr)
	res := &Result{RequestID: r.RequestID, Score: s.cal.Score(d), Decision: DecisionNoMatch, FMR: fmr,
		ThresholdID: thr.ID, Model: s.m.Model(), CalibrationID: s.cal.ID, Quality: q}
	if d <= thr.Distance {
		res.Decision = DecisionMatch
	}
	a.Outcome, a.ScoreBand, a.Model = res.Decision, ScoreBand(res.Score), res.Model
	return res, nil
}

func fmrList(fs []float64) string {
	var s []string
	for _, f := range fs {
		s = append(s, FormatFMR(f))
	}
	return strings.Join(s, ", ")
}

// ScoreBand is the coarse form of a score that the audit log keeps.
func ScoreBand(score float64) string {
	switch {
	case score >= 99.99:
		return ">=99.99"
	case score >= 99.9:
		return "99.9-99.99"
	case score >= 99:
		return "99-99.9"
	case score >= 90:
		return "90-99"
	}
	return "<90"
}

// audit appends the entry for a finished call. A call that succeeded but
// could not be audited fails (fail closed: no unrecorded decisions).
func (s *Service) audit(ctx context.Context, a *AuditEntry, c Call, err error) error {
	a.At = s.now().UTC()
	a.RequestID, a.Caller, a.Purpose, a.Consent = c.RequestID, c.Caller, c.Purpose, c.Consent
	if err != nil {
		a.Outcome = "rejected"
		var ie *InputError
		switch {
		case errors.As(err, &ie):
			a.Reason = ie.Reason
		case errors.Is(err, ErrNotEnrolled):
			a.Reason = "not_enrolled"
		case errors.Is(err, ErrModelMismatch):
			a.Reason = "model_mismatch"
		default:
			a.Outcome, a.Reason = "error", "internal"
		}
	}
	// Audit must not be skipped because the caller went away.
	if _, aerr := s.store.AppendAudit(context.WithoutCancel(ctx), *a); aerr != nil {
		return fmt.Errorf("fvs: audit log: %w", aerr)
	}
	return nil
}
