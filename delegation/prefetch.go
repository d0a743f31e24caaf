package delegation

import (
	"context"
	"sync"
	"time"

	"github.com/thaitrust/thaitrust/credential"
)

// prefetch runs credential checks (Verifier.credential) concurrently,
// ahead of the sequential walk of Verify, which takes their results in
// its fixed order: the outcome and the first failure reported are those
// of a sequential run, only sooner on a machine with idle cores (the CPU
// spent is the same). Each check is the complete one, issuer trust first:
// a check started early may run although an earlier link fails, but it
// resolves DIDs and fetches status lists only of issuers the policy
// trusts for the credential's type, as any check does.
type prefetch struct {
	v   *Verifier
	ctx context.Context
	now time.Time
	wg  sync.WaitGroup
	res map[checkKey]*checkResult // written by the walk's goroutine only
}

type checkKey struct {
	token, typ string
	validAt    time.Time
}

type checkResult struct {
	done   chan struct{}
	c      *credential.Credential
	reason string
	err    error
}

func (v *Verifier) newPrefetch(ctx context.Context, now time.Time) *prefetch {
	return &prefetch{v: v, ctx: ctx, now: now, res: map[checkKey]*checkResult{}}
}

// start begins the check of token as typ, valid at validAt, unless it
// was started already.
func (p *prefetch) start(token, typ string, validAt time.Time) {
	k := checkKey{token, typ, validAt}
	if _, ok := p.res[k]; ok || token == "" {
		return
	}
	r := &checkResult{done: make(chan struct{})}
	p.res[k] = r
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer close(r.done)
		r.c, r.reason, r.err = p.v.credential(p.ctx, token, typ, validAt, p.now)
	}()
}

// get returns the check's result, starting it if needed, once it is done.
func (p *prefetch) get(token, typ string, validAt time.Time) (*credential.Credential, string, error) {
	p.start(token, typ, validAt)
	r := p.res[checkKey{token, typ, validAt}]
	<-r.done
	return r.c, r.reason, r.err
}

// wait waits for every check started, so that none outlives Verify.
func (p *prefetch) wait() { p.wg.Wait() }
