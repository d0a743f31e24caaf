package sdjwt

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/internal/jsonx"
	"github.com/thaitrust/thaitrust/signing/jws"
)

// Serialization is the form an SD-JWT arrived in.
type Serialization int

const (
	// Compact is <issuer-jwt>~<disclosure>~...~<disclosure>~[<kb-jwt>].
	Compact Serialization = iota
	// JSONFlattened is the flattened JWS JSON serialization of RFC 9901
	// section 8, disclosures and kb_jwt in the unprotected header.
	JSONFlattened
	// JSONGeneral is the general JWS JSON serialization (one or more
	// signatures; disclosures and kb_jwt in the first one's header).
	JSONGeneral
)

// maxDepth bounds the nesting of the processed claims (payload and
// disclosures together), so that chains of nested disclosures cannot
// recurse without end.
const maxDepth = 256

// SDJWT is a parsed SD-JWT or SD-JWT+KB. Nothing in it has been verified:
// not the issuer signature, not the key binding, not the validity period.
// It is safe for concurrent use by Verify, Present, Disclosable and
// Claims; do not modify its exported fields.
type SDJWT struct {
	// Header is the issuer-signed JWT's protected header; for the JSON
	// serialization, the first signature's, with the kid of its
	// unprotected header when the protected one has none.
	Header jws.Header
	// Payload is the issuer-signed JWT payload as decoded: plaintext
	// claims, _sd digests, _sd_alg.
	Payload map[string]any
	// SDAlg is _sd_alg (SHA256 when the payload has none).
	SDAlg HashAlg
	// Disclosures in the order they appear, with their Path set.
	Disclosures []Disclosure
	// KBJWT is the key-binding JWT, nil when there is none.
	KBJWT *jws.Parsed
	// Serialization is the form Parse read.
	Serialization Serialization

	sigs   []signature    // the issuer JWT's signature(s); sigs[0] is the one disclosures belong to
	claims map[string]any // the processed claims: every disclosure present applied
	prefix string         // what sd_hash covers: <jwt>~<d1>~...~<dn>~
	kb     kbClaims
	doc    map[string]any // the JSON serialization as parsed (nil for Compact)
}

// signature is one signature over the issuer payload. For Compact there is
// exactly one.
type signature struct {
	jws     *jws.Parsed
	header  jws.Header // protected header (+ unprotected kid)
	compact string     // protected.payload.signature as transmitted
}

// kbClaims are the claims of a KB-JWT (RFC 9901 section 4.3).
type kbClaims struct {
	iat    time.Time
	aud    []string
	nonce  string
	sdHash string
}

// Parse decodes an SD-JWT (issued, with all disclosures) or a presentation
// (a subset of them, optionally followed by a KB-JWT), in the compact form
// or in either JWS JSON serialization of RFC 9901 section 8. It decodes
// the issuer JWT (signing/jws: strict base64url, I-JSON header), the
// disclosures and the KB-JWT, and processes the payload (RFC 9901 section
// 7.1 steps 3-5): every disclosure must be referenced exactly once, by an
// _sd entry (object members) or a {"...": digest} array element (array
// elements) of the payload or of another disclosure; no digest may occur
// twice; disclosures must not name "_sd" or "..."; a disclosed name must
// not already exist in its object. Digests that match no disclosure are
// decoys or undisclosed claims and are dropped.
//
// Parse verifies nothing: no signature, no key binding, no time. Every
// error is an *Error; the result is nil whenever the error is not.
//
// WARNING: Parse does not limit the input size; bound what you read from
// the network first.
func Parse(s string) (*SDJWT, error) {
	sd, err := parse(s)
	if err != nil {
		return nil, err
	}
	return sd, nil
}

func parse(s string) (*SDJWT, error) {
	sd := &SDJWT{}
	var (
		discs []string
		kb    string
		err   error
	)
	if strings.HasPrefix(strings.TrimLeft(s, " \t\r\n"), "{") {
		discs, kb, err = sd.parseJSON(s)
	} else {
		discs, kb, err = sd.parseCompact(s)
	}
	if err != nil {
		return nil, err
	}
	sd.Header = sd.sigs[0].header

	payload, err := jsonx.ParseObject(sd.sigs[0].jws.Payload)
	if err != nil {
		return nil, malformed("issuer JWT payload: %w", err)
	}
	sd.Payload = payload
	sd.SDAlg = SHA256
	if v, ok := payload["_sd_alg"]; ok {
		a, ok := v.(string)
		if !ok {
			return nil, malformed("_sd_alg is not a string")
		}
		sd.SDAlg = HashAlg(a)
		if !sd.SDAlg.known() {
			return nil, fail(ReasonSDAlgNotAllowed, "unknown _sd_alg %q", truncate(a))
		}
	}

	decoded := make([]Disclosure, len(discs))
	p := processor{discs: decoded}
	var scratch []byte
	for i, e := range discs {
		var d Disclosure
		d, scratch, err = decodeDisclosureBuf(e, scratch)
		if err != nil {
			return nil, err
		}
		d.Digest = sd.SDAlg.Digest(e)
		p.discs[i] = d
		if err := p.index(i, d.Digest); err != nil {
			return nil, err
		}
	}
	if sd.claims, err = p.object(payload, 0, true); err != nil {
		return nil, err
	}
	for i := range p.discs {
		if !p.used(i) {
			return nil, fail(ReasonDisclosureUnreferenced, "disclosure %d (%q) is not referenced", i, truncate(decoded[i].Name))
		}
	}
	sd.Disclosures = decoded

	if kb != "" {
		if sd.KBJWT, err = jws.Parse(kb); err != nil {
			return nil, malformed("KB-JWT: %w", err)
		}
		if sd.kb, err = parseKBClaims(sd.KBJWT.Payload); err != nil {
			return nil, err
		}
	}
	return sd, nil
}

// parseCompact splits <jwt>~<d1>~...~<dn>~[<kb-jwt>].
func (sd *SDJWT) parseCompact(s string) (discs []string, kb string, err error) {
	last := strings.LastIndexByte(s, '~')
	if last < 0 {
		return nil, "", malformed("no '~' (an SD-JWT is <jwt>~[<disclosure>~...])")
	}
	sd.prefix, kb = s[:last+1], s[last+1:]
	first := strings.IndexByte(s, '~')
	if first > 0 && first < last {
		discs = strings.Split(s[first+1:last], "~")
		for i, d := range discs {
			if d == "" {
				return nil, "", malformed("disclosure %d is empty", i)
			}
		}
	}
	p, err := jws.Parse(s[:first])
	if err != nil {
		return nil, "", malformed("issuer JWT: %w", err)
	}
	sd.Serialization = Compact
	sd.sigs = []signature{{jws: p, header: p.Header, compact: s[:first]}}
	return discs, kb, nil
}

// parseJSON reads the JWS JSON serializations of RFC 9901 section 8.
func (sd *SDJWT) parseJSON(s string) (discs []string, kb string, err error) {
	doc, err := jsonx.ParseObject([]byte(s))
	if err != nil {
		return nil, "", malformed("JSON serialization: %w", err)
	}
	payload, ok := doc["payload"].(string)
	if !ok {
		return nil, "", malformed("JSON serialization: payload is missing or not a string")
	}
	var entries []map[string]any
	if sigs, ok := doc["signatures"]; ok {
		sd.Serialization = JSONGeneral
		if len(doc) != 2 {
			return nil, "", malformed("general JSON serialization: members other than payload and signatures")
		}
		a, ok := sigs.([]any)
		if !ok || len(a) == 0 {
			return nil, "", malformed("general JSON serialization: signatures is not a non-empty array")
		}
		for _, e := range a {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, "", malformed("general JSON serialization: a signature is not an object")
			}
			for k := range m {
				if k != "protected" && k != "header" && k != "signature" {
					return nil, "", malformed("general JSON serialization: signature member %q", truncate(k))
				}
			}
			entries = append(entries, m)
		}
	} else {
		sd.Serialization = JSONFlattened
		for k := range doc {
			if k != "payload" && k != "protected" && k != "header" && k != "signature" {
				return nil, "", malformed("flattened JSON serialization: member %q", truncate(k))
			}
		}
		entries = []map[string]any{doc}
	}
	for i, e := range entries {
		sig, d, k, err := parseJSONSignature(e, payload, i == 0)
		if err != nil {
			return nil, "", err
		}
		if i == 0 {
			discs, kb = d, k
		}
		sd.sigs = append(sd.sigs, sig)
	}
	var b strings.Builder
	b.WriteString(sd.sigs[0].compact + "~")
	for _, d := range discs {
		b.WriteString(d)
		b.WriteByte('~')
	}
	sd.prefix = b.String()
	sd.doc = doc
	return discs, kb, nil
}

func parseJSONSignature(e map[string]any, payload string, first bool) (sig signature, discs []string, kb string, err error) {
	protected, ok := e["protected"].(string)
	if !ok || protected == "" {
		return sig, nil, "", malformed("JSON serialization: protected header is missing (alg must be integrity protected)")
	}
	sigB64, ok := e["signature"].(string)
	if !ok {
		return sig, nil, "", malformed("JSON serialization: signature is missing or not a string")
	}
	compact := protected + "." + payload + "." + sigB64
	p, err := jws.Parse(compact)
	if err != nil {
		return sig, nil, "", malformed("issuer JWT: %w", err)
	}
	sig = signature{jws: p, header: p.Header, compact: compact}
	hv, ok := e["header"]
	if !ok {
		return sig, nil, "", nil
	}
	h, ok := hv.(map[string]any)
	if !ok {
		return sig, nil, "", malformed("JSON serialization: header is not an object")
	}
	for k, v := range h {
		switch k {
		case "disclosures":
			if !first {
				return sig, nil, "", malformed("JSON serialization: disclosures outside the first signature")
			}
			a, ok := v.([]any)
			if !ok {
				return sig, nil, "", malformed("JSON serialization: disclosures is not an array")
			}
			for _, x := range a {
				s, ok := x.(string)
				if !ok || s == "" {
					return sig, nil, "", malformed("JSON serialization: a disclosure is not a non-empty string")
				}
				discs = append(discs, s)
			}
		case "kb_jwt":
			if !first {
				return sig, nil, "", malformed("JSON serialization: kb_jwt outside the first signature")
			}
			if kb, ok = v.(string); !ok || kb == "" {
				return sig, nil, "", malformed("JSON serialization: kb_jwt is not a non-empty string")
			}
		case "kid":
			kid, ok := v.(string)
			if !ok {
				return sig, nil, "", malformed("JSON serialization: unprotected kid is not a string")
			}
			if sig.header.Kid != "" {
				return sig, nil, "", malformed("JSON serialization: kid in both headers")
			}
			sig.header.Kid = kid
		default:
			// Anything else unprotected would be trusted by nobody and
			// could confuse key selection; refuse it.
			return sig, nil, "", malformed("JSON serialization: unsupported unprotected header parameter %q", truncate(k))
		}
	}
	return sig, discs, kb, nil
}

func parseKBClaims(payload []byte) (kbClaims, error) {
	var c kbClaims
	m, err := jsonx.ParseObject(payload)
	if err != nil {
		return c, malformed("KB-JWT payload: %w", err)
	}
	iat, ok, err := numericDate(m, "iat")
	if err != nil || !ok {
		return c, malformed("KB-JWT: iat is missing or not a NumericDate")
	}
	c.iat = iat
	if c.nonce, ok = m["nonce"].(string); !ok {
		return c, malformed("KB-JWT: nonce is missing or not a string")
	}
	if c.sdHash, ok = m["sd_hash"].(string); !ok {
		return c, malformed("KB-JWT: sd_hash is missing or not a string")
	}
	switch a := m["aud"].(type) {
	case string:
		c.aud = []string{a}
	case []any:
		for _, x := range a {
			s, ok := x.(string)
			if !ok {
				return c, malformed("KB-JWT: aud has a non-string member")
			}
			c.aud = append(c.aud, s)
		}
	default:
		return c, malformed("KB-JWT: aud is missing or neither a string nor an array")
	}
	return c, nil
}

// numericDate reads a JWT NumericDate claim (RFC 7519 section 2): a JSON
// number of seconds, possibly fractional, within year 0..9999.
func numericDate(m map[string]any, name string) (time.Time, bool, error) {
	v, ok := m[name]
	if !ok {
		return time.Time{}, false, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return time.Time{}, true, malformed("%s is not a number", name)
	}
	f, err := strconv.ParseFloat(string(n), 64)
	if err != nil || math.IsNaN(f) || f < -62135596800 || f > 253402300799 {
		return time.Time{}, true, malformed("%s is not a valid NumericDate", name)
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), true, nil
}

// processor applies disclosures to a payload (RFC 9901 section 7.1).
type processor struct {
	discs    []Disclosure
	byDigest map[string]int // digest -> index in discs; nil when few (linear search)
	seen     []string       // digests met so far, while few
	seenMap  map[string]struct{}
	stack    []pathTok
}

// smallSet is the size up to which digests are looked up by linear
// search: cheaper than building maps for a typical presentation.
const smallSet = 16

func (p *processor) index(i int, digest string) error {
	if p.byDigest == nil && len(p.discs) > smallSet {
		p.byDigest = make(map[string]int, len(p.discs))
	}
	if p.byDigest != nil {
		if _, dup := p.byDigest[digest]; dup {
			return fail(ReasonDigestDuplicate, "disclosure %d appears twice", i)
		}
		p.byDigest[digest] = i
		return nil
	}
	for j := range i {
		if p.discs[j].Digest == digest {
			return fail(ReasonDigestDuplicate, "disclosure %d appears twice", i)
		}
	}
	return nil
}

func (p *processor) lookup(digest string) (int, bool) {
	if p.byDigest != nil {
		i, ok := p.byDigest[digest]
		return i, ok
	}
	for i := range p.discs {
		if p.discs[i].Digest == digest {
			return i, true
		}
	}
	return 0, false
}

func (p *processor) used(i int) bool { return p.discs[i].Path != "" }

// see records a digest and fails if it was seen before.
func (p *processor) see(d string) error {
	if p.seenMap == nil && len(p.seen) < smallSet {
		if slices.Contains(p.seen, d) {
			return fail(ReasonDigestDuplicate, "digest %q is referenced twice", truncate(d))
		}
		if p.seen == nil {
			p.seen = make([]string, 0, smallSet)
		}
		p.seen = append(p.seen, d)
		return nil
	}
	if p.seenMap == nil {
		p.seenMap = make(map[string]struct{}, 4*smallSet)
		for _, s := range p.seen {
			p.seenMap[s] = struct{}{}
		}
	}
	if _, dup := p.seenMap[d]; dup {
		return fail(ReasonDigestDuplicate, "digest %q is referenced twice", truncate(d))
	}
	p.seenMap[d] = struct{}{}
	return nil
}

// pathTok is one token of the JSON pointer of the value being processed.
// The processor keeps them on a stack and builds pointer strings only for
// the claims that come from disclosures (and for errors).
type pathTok struct {
	name  string
	index int // -1 for a member name
}

func (p *processor) push(name string, index int) {
	if p.stack == nil {
		p.stack = make([]pathTok, 0, 8)
	}
	p.stack = append(p.stack, pathTok{name, index})
}
func (p *processor) pop() { p.stack = p.stack[:len(p.stack)-1] }

// at returns the JSON pointer of the value being processed.
func (p *processor) at() string {
	n := 0
	for _, t := range p.stack {
		n += 1 + len(t.name) + 4
	}
	var b strings.Builder
	b.Grow(n)
	for _, t := range p.stack {
		b.WriteByte('/')
		if t.index >= 0 {
			b.WriteString(strconv.Itoa(t.index))
		} else {
			b.WriteString(escapeToken(t.name))
		}
	}
	return b.String()
}

func (p *processor) value(v any, depth int) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		return p.object(x, depth+1, false)
	case []any:
		return p.array(x, depth+1)
	}
	return v, nil
}

// object returns the processed copy of an object: plaintext members
// (processed), plus the members whose disclosures are present; without
// _sd (and, at the top, _sd_alg).
func (p *processor) object(in map[string]any, depth int, top bool) (map[string]any, error) {
	if depth > maxDepth {
		return nil, malformed("claims nest deeper than %d", maxDepth)
	}
	var digests []any
	n := len(in)
	if v, ok := in["_sd"]; ok {
		a, ok := v.([]any)
		if !ok {
			return nil, malformed("%s/_sd is not an array", p.at())
		}
		digests = a
		n--
	}
	if top {
		if _, ok := in["_sd_alg"]; ok {
			n--
		}
	}
	out := make(map[string]any, n+len(digests))
	for k, v := range in {
		if k == "_sd" || (top && k == "_sd_alg") {
			continue
		}
		switch v.(type) {
		case map[string]any, []any:
			if !hasDigests(v) {
				out[k] = v // nothing to process: share it
				continue
			}
			p.push(k, -1)
			cv, err := p.value(v, depth)
			p.pop()
			if err != nil {
				return nil, err
			}
			out[k] = cv
		default:
			out[k] = v
		}
	}
	for _, dv := range digests {
		ds, ok := dv.(string)
		if !ok {
			return nil, malformed("%s/_sd has a non-string entry", p.at())
		}
		if err := p.see(ds); err != nil {
			return nil, err
		}
		i, ok := p.lookup(ds)
		if !ok {
			continue // a decoy, or a claim not disclosed
		}
		d := &p.discs[i]
		if d.Element {
			return nil, fail(ReasonDisclosureKind, "array element disclosure referenced from %s/_sd", p.at())
		}
		if d.Name == "_sd" || d.Name == "..." || (top && d.Name == "_sd_alg") {
			return nil, fail(ReasonReservedName, "disclosure names the reserved claim %q", d.Name)
		}
		if _, clash := out[d.Name]; clash {
			return nil, fail(ReasonNameClash, "disclosed claim %s/%s already exists", p.at(), truncate(escapeToken(d.Name)))
		}
		p.push(d.Name, -1)
		d.Path = p.at()
		cv, err := p.value(d.Value, depth)
		p.pop()
		if err != nil {
			return nil, err
		}
		out[d.Name] = cv
	}
	return out, nil
}

// array returns the processed copy of an array: {"...": digest} elements
// replaced by the disclosed value, or dropped when not disclosed.
func (p *processor) array(in []any, depth int) ([]any, error) {
	if depth > maxDepth {
		return nil, malformed("claims nest deeper than %d", maxDepth)
	}
	out := make([]any, 0, len(in))
	for _, e := range in {
		if m, ok := e.(map[string]any); ok && len(m) == 1 {
			if dv, ok := m["..."]; ok {
				ds, ok := dv.(string)
				if !ok {
					return nil, malformed(`%s: "..." is not a string`, p.at())
				}
				if err := p.see(ds); err != nil {
					return nil, err
				}
				i, ok := p.lookup(ds)
				if !ok {
					continue
				}
				d := &p.discs[i]
				if !d.Element {
					return nil, fail(ReasonDisclosureKind, "object member disclosure %q referenced from an array element of %s", truncate(d.Name), p.at())
				}
				p.push("", len(out))
				d.Path = p.at()
				cv, err := p.value(d.Value, depth)
				p.pop()
				if err != nil {
					return nil, err
				}
				out = append(out, cv)
				continue
			}
		}
		if !hasDigests(e) {
			out = append(out, e)
			continue
		}
		p.push("", len(out))
		cv, err := p.value(e, depth)
		p.pop()
		if err != nil {
			return nil, err
		}
		out = append(out, cv)
	}
	return out, nil
}

// hasDigests reports whether v holds an _sd member or a {"...": x} array
// element anywhere, that is, whether processing can change it.
func hasDigests(v any) bool {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["_sd"]; ok {
			return true
		}
		for _, e := range x {
			if hasDigests(e) {
				return true
			}
		}
	case []any:
		for _, e := range x {
			if m, ok := e.(map[string]any); ok && len(m) == 1 {
				if _, ok := m["..."]; ok {
					return true
				}
			}
			if hasDigests(e) {
				return true
			}
		}
	}
	return false
}

// Claims returns the processed claims as a holder or verifier would see
// them with every disclosure present applied: plaintext claims plus
// disclosed ones, without _sd, _sd_alg and "..." digests. The result is
// a copy the caller owns. Nothing in it is verified.
func (sd *SDJWT) Claims() map[string]any {
	return deepCopy(sd.claims).(map[string]any)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		a := make([]any, len(x))
		for i, e := range x {
			a[i] = deepCopy(e)
		}
		return a
	}
	return v
}

// String describes the SD-JWT without any claim value, for logs.
func (sd *SDJWT) String() string {
	return fmt.Sprintf("sdjwt.SDJWT{typ %q, %d disclosures, kb %t}", sd.Header.Typ, len(sd.Disclosures), sd.KBJWT != nil)
}
