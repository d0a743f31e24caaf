package signing

import (
	"context"
	"crypto"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// Opener opens the key named by a URI of one scheme. Implementations are
// registered with Register; "file" is built in.
type Opener interface {
	// Open returns the signer for u. It must not put u, or any secret, in
	// the error it returns: key URIs can carry PINs (pkcs11:...?pin-value=).
	Open(ctx context.Context, u *url.URL, opts OpenOptions) (crypto.Signer, error)
}

// OpenerFunc adapts a function to the Opener interface.
type OpenerFunc func(ctx context.Context, u *url.URL, opts OpenOptions) (crypto.Signer, error)

// Open calls f.
func (f OpenerFunc) Open(ctx context.Context, u *url.URL, opts OpenOptions) (crypto.Signer, error) {
	return f(ctx, u, opts)
}

var _ Opener = OpenerFunc(nil)

// OpenOptions carries what an Opener may need besides the URI.
type OpenOptions struct {
	// Passphrase returns the passphrase for an encrypted key. It is called
	// only when one is needed, at most once per Open. Nil: opening a key
	// that needs a passphrase fails with ErrPassphraseRequired. The caller
	// may clear the returned slice after Open returns.
	Passphrase func() ([]byte, error)
}

// ErrPassphraseRequired reports that a key needs a passphrase and
// OpenOptions.Passphrase is nil.
var ErrPassphraseRequired = errors.New("signing: key is encrypted and no passphrase was given")

// UnknownSchemeError is returned by Open for a URI whose scheme has no
// registered Opener. errors.Is(err, ErrUnknownScheme) is true.
type UnknownSchemeError struct {
	Scheme string // lower-cased scheme; "" when the URI has none
}

// Error names the scheme and the registered ones (never the URI).
func (e *UnknownSchemeError) Error() string {
	if e.Scheme == "" {
		return "signing: key URI has no scheme (want e.g. file:/path/to/key.json)"
	}
	return fmt.Sprintf("signing: unknown key URI scheme %q (registered: %s)", truncate(e.Scheme), strings.Join(Schemes(), ", "))
}

// Is makes errors.Is(err, ErrUnknownScheme) true.
func (e *UnknownSchemeError) Is(target error) bool { return target == ErrUnknownScheme }

var registry = struct {
	sync.RWMutex
	m map[string]Opener
}{m: map[string]Opener{"file": fileOpener{}}}

// Register makes o open the key URIs of scheme (case-insensitive). It is
// meant to be called from init functions of backend packages. It panics if
// scheme is empty, o is nil, or the scheme is already registered.
func Register(scheme string, o Opener) {
	scheme = strings.ToLower(scheme)
	if scheme == "" || o == nil {
		panic("signing: Register with empty scheme or nil Opener")
	}
	registry.Lock()
	defer registry.Unlock()
	if _, dup := registry.m[scheme]; dup {
		panic("signing: Register called twice for scheme " + scheme)
	}
	registry.m[scheme] = o
}

// Schemes returns the registered schemes, sorted.
func Schemes() []string {
	registry.RLock()
	defer registry.RUnlock()
	s := make([]string, 0, len(registry.m))
	for k := range registry.m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}

// Open returns the signer named by uri, using the Opener registered for its
// scheme. An unknown scheme fails with *UnknownSchemeError (errors.Is
// ErrUnknownScheme). The URI itself never appears in errors (it may carry
// a PIN).
//
// Built-in: "file:/abs/path" and "file:relative/path" (also
// "file:///abs/path") open a key file written by WriteKeyFile, asking
// opts.Passphrase for its passphrase.
func Open(ctx context.Context, uri string, opts OpenOptions) (crypto.Signer, error) {
	u, err := url.Parse(uri)
	if err != nil {
		// url.Error quotes the URI; do not pass it on.
		return nil, errors.New("signing: malformed key URI")
	}
	scheme := strings.ToLower(u.Scheme)
	registry.RLock()
	o, ok := registry.m[scheme]
	registry.RUnlock()
	if !ok {
		return nil, &UnknownSchemeError{Scheme: scheme}
	}
	s, err := o.Open(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return nil, fmt.Errorf("signing: %s opener returned no key", scheme)
	}
	return s, nil
}

// fileOpener opens key files: file:/abs, file:///abs, file:rel.
type fileOpener struct{}

// Open opens the key file the URI names.
func (fileOpener) Open(ctx context.Context, u *url.URL, opts OpenOptions) (crypto.Signer, error) {
	path, err := filePath(u)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return readKeyFile(path, opts)
}

func filePath(u *url.URL) (string, error) {
	if u.User != nil || (u.Host != "" && u.Host != "localhost") {
		return "", errors.New("signing: file key URI must not name a host")
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return "", errors.New("signing: file key URI must not have a query or fragment")
	}
	if u.Opaque != "" { // file:relative/path
		p, err := url.PathUnescape(u.Opaque)
		if err != nil {
			return "", errors.New("signing: malformed file key URI")
		}
		return p, nil
	}
	if u.Path == "" {
		return "", errors.New("signing: file key URI has no path")
	}
	return u.Path, nil
}
