package verifier

import (
	"context"
	"errors"
	"fmt"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/credential/jose"
)

// PresentationOptions are what the verifier asked the holder for.
type PresentationOptions struct {
	// Challenge is the nonce the holder had to sign; "" skips the check
	// (WARNING: without a challenge a presentation can be replayed).
	Challenge string
	// Domain is the audience the holder had to sign for; "" skips it.
	Domain string
}

// VerifyPresentation verifies a secured presentation (application/vp+jwt)
// and every credential in it. A presentation is verified only if its
// proof, its binding to the challenge and domain, and every credential
// verify. An SD-JWT VC presentation (application/dc+sd-jwt, the SD-JWT
// with a KB-JWT) is verified as a credential (sdjwt.go) whose key binding
// is required, with Challenge as the KB-JWT nonce and Domain as its aud.
func (v *Verifier) VerifyPresentation(ctx context.Context, mediaType, data string, opts PresentationOptions) *Result {
	if mediaTypeIsSDJWT(mediaType) {
		return v.verifySDJWTPresentation(ctx, data, opts)
	}
	r := &Result{}
	skipRest := func() *Result {
		for _, name := range []string{CheckPresentation, CheckBinding, CheckCredentials} {
			r.skip(name, "not_checked_"+CheckFormat)
		}
		return r.finish()
	}
	if mediaType != jose.MediaTypePresentation && mediaType != jose.TypPresentation {
		r.fail(CheckFormat, "unsupported_format", fmt.Errorf("media type %q", mediaType))
		return skipRest()
	}
	r.Format = jose.TypPresentation
	s, err := jose.ParsePresentation(data)
	if err != nil {
		r.fail(CheckFormat, reasonOr(err, "malformed"), err)
		return skipRest()
	}
	defer s.Release() // nothing of the signing input outlives this call
	r.pass(CheckFormat, "")
	r.Holder = s.Presentation.Holder
	if err := s.VerifyProof(ctx, v.opts); err != nil {
		r.fail(CheckPresentation, reasonOr(err, "bad_signature"), err)
		r.skip(CheckBinding, "not_checked_"+CheckPresentation)
		r.skip(CheckCredentials, "not_checked_"+CheckPresentation)
		return r.finish()
	}
	r.pass(CheckPresentation, string(s.JWS.Header.Alg))
	if err := s.CheckBinding(opts.Challenge, opts.Domain, v.now(), v.cfg.ClockSkew); err != nil {
		r.fail(CheckBinding, reasonOr(err, "nonce_mismatch"), err)
	} else {
		r.pass(CheckBinding, "")
		if opts.Challenge == "" {
			r.warn(CheckBinding, "no_challenge")
		}
	}
	v.verifyEmbedded(ctx, r, s.Presentation)
	return r.finish()
}

// VerifyUnsecuredPresentation reports on a presentation document that
// carries no proof. It is never verified (the holder is not
// authenticated), but its credentials are each verified and reported.
func (v *Verifier) VerifyUnsecuredPresentation(ctx context.Context, doc map[string]any) *Result {
	r := &Result{}
	p, err := credential.PresentationFromMap(doc)
	if err != nil {
		r.fail(CheckFormat, "invalid_presentation", err)
		for _, name := range []string{CheckPresentation, CheckBinding, CheckCredentials} {
			r.skip(name, "not_checked_"+CheckFormat)
		}
		return r.finish()
	}
	r.pass(CheckFormat, "")
	r.Holder = p.Holder
	r.fail(CheckPresentation, "presentation_unsecured", nil)
	r.skip(CheckBinding, "not_checked_"+CheckPresentation)
	v.verifyEmbedded(ctx, r, p)
	return r.finish()
}

func (v *Verifier) verifyEmbedded(ctx context.Context, r *Result, p *credential.Presentation) {
	if len(p.Credentials) == 0 {
		r.skip(CheckCredentials, "no_credentials")
		return
	}
	failed := 0
	for _, e := range p.Credentials {
		var cr *Result
		switch {
		case e.Enveloped != nil:
			cr = v.VerifyCredential(ctx, e.Enveloped.MediaType, e.Enveloped.Data)
		default:
			cr = (&Result{}).failed(CheckFormat, "credential_unsecured", errors.New("embedded credential without a proof"))
		}
		if !cr.Verified {
			failed++
		} else if p.Holder != "" && cr.Credential != nil && cr.Credential.SubjectID() != "" && cr.Credential.SubjectID() != p.Holder {
			r.warn(CheckCredentials, "holder_not_subject")
		}
		r.Credentials = append(r.Credentials, cr)
	}
	if failed > 0 {
		r.fail(CheckCredentials, "credential_failed", fmt.Errorf("%d of %d credentials failed", failed, len(p.Credentials)))
		return
	}
	r.pass(CheckCredentials, "")
}

func (r *Result) failed(check, reason string, err error) *Result {
	r.fail(check, reason, err)
	return r.finish()
}
