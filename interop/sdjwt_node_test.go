package interop

// SD-JWT VC interop with the OpenWallet Foundation's TypeScript SD-JWT VC
// library, @sd-jwt/sd-jwt-vc 0.19.0 (with @sd-jwt/core and
// @sd-jwt/crypto-nodejs 0.19.0), run by node from sdjwt-js/peer.mjs, which
// says what it checks. Found while writing these tests:
//
//   - Issued SD-JWTs, presentations and KB-JWTs (with sd_hash) are RFC 9901
//     on both sides; no conversion is needed either way.
//   - SDJwtVcInstance.verify checks the KB-JWT's nonce and sd_hash but not
//     its aud (only that there is one) nor its age, and not the issuer
//     JWT's typ: peer.mjs checks aud and typ itself, as an application
//     using the library must. It reads the status list entry of every
//     SD-JWT VC that has one, fetching the list through a fetcher the
//     application may replace (peer.mjs serves ThaiTrust's token status
//     lists from the request: no network), so ThaiTrust's revocations are
//     seen by the library (TestSDJWTThaiTrustToJS/revoked).
//
// node and the packages are installed by scripts/setup.sh (npm ci in
// sdjwt-js). Without them these tests are skipped, with the reason, except
// under CI, where they fail.

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential/sdjwt"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/verifier"
)

// jsResp is one response of peer.mjs.
type jsResp struct {
	OK           bool           `json:"ok"`
	Error        string         `json:"error"`
	Payload      map[string]any `json:"payload"`
	Token        string         `json:"token"`
	Presentation string         `json:"presentation"`
	KB           *struct {
		Payload map[string]any `json:"payload"`
	} `json:"kb"`
	// bench
	Blocks    int     `json:"blocks"`
	VCNs      float64 `json:"vcNs"`
	CoreNs    float64 `json:"coreNs"`
	RawNs     float64 `json:"rawNs"`
	VCCPUNs   float64 `json:"vcCpuNs"`
	CoreCPUNs float64 `json:"coreCpuNs"`
	RawCPUNs  float64 `json:"rawCpuNs"`
	Node      string  `json:"node"`
}

// jsPeer runs peer.mjs once with the requests and returns its responses,
// one per request.
func jsPeer(t testing.TB, reqs ...map[string]any) []jsResp {
	t.Helper()
	node, err := exec.LookPath("node")
	dir, _ := filepath.Abs("sdjwt-js")
	if err == nil {
		_, err = os.Stat(filepath.Join(dir, "node_modules", "@sd-jwt", "sd-jwt-vc", "package.json"))
	}
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or interop/sdjwt-js/node_modules missing under CI (scripts/setup.sh installs them): %v", err)
		}
		t.Skipf("node or interop/sdjwt-js/node_modules missing (run scripts/setup.sh): %v", err)
	}
	in, err := json.Marshal(reqs)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "peer.mjs")
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node peer.mjs: %v\n%s", err, stderr.Bytes())
	}
	var resps []jsResp
	if err := json.Unmarshal(out, &resps); err != nil || len(resps) != len(reqs) {
		t.Fatalf("peer.mjs answered %s (%v)", out, err)
	}
	return resps
}

// jwkOf returns the JWK of key's public key and, with private, of the
// private key (d), encoded here from the key bytes.
func jwkOf(t testing.TB, key crypto.Signer, private bool) map[string]any {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	switch k := key.(type) {
	case ed25519.PrivateKey:
		m := map[string]any{"kty": "OKP", "crv": "Ed25519", "x": b64(k.Public().(ed25519.PublicKey))}
		if private {
			m["d"] = b64(k.Seed())
		}
		return m
	case *ecdsa.PrivateKey:
		pub, err := k.PublicKey.Bytes() // 0x04 || X || Y
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]any{"kty": "EC", "crv": "P-256", "x": b64(pub[1:33]), "y": b64(pub[33:])}
		if private {
			d, err := k.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			m["d"] = b64(d)
		}
		return m
	}
	t.Fatalf("no JWK for %T", key)
	return nil
}

// statusLists serves the token status lists an SD-JWT VC of s names, as
// the issuer publishes them now.
func (s *sdThai) statusLists(t testing.TB) map[string]string {
	t.Helper()
	sd, err := sdjwt.Parse(s.tok)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := sd.Claims()["status"].(map[string]any)
	sl, _ := st["status_list"].(map[string]any)
	uri, _ := sl["uri"].(string)
	list, err := s.vi.TokenStatusFetch(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{uri: string(list)}
}

// jsVerify is a verify request for peer.mjs: a presentation of an SD-JWT
// VC signed with alg by the key whose public JWK is issuerJwk.
func jsVerify(pres string, issuerJwk map[string]any, alg signing.Algorithm, now time.Time, lists map[string]string) map[string]any {
	return map[string]any{"op": "verify", "presentation": pres, "issuerJwk": issuerJwk, "alg": alg,
		"aud": sdAud, "nonce": sdNonce, "now": now.Unix(), "statusLists": lists}
}

// TestSDJWTThaiTrustToJS: SD-JWT VCs issued by ThaiTrust (EdDSA, ES256)
// and presented by ThaiTrust's holder with 5 disclosures and a KB-JWT
// verify in @sd-jwt/sd-jwt-vc, status list included, which sees the same
// claims as ThaiTrust's verifier; tampered presentations and a revoked
// credential are rejected by both.
func TestSDJWTThaiTrustToJS(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			s := newSDThai(t, alg)
			v := s.verifier(t)
			pub := jwkOf(t, s.vi.Signer.Key, false)
			now := s.vi.Clock.Now()
			pres := s.present(t, studentClaims, sdAud, sdNonce)
			one := s.present(t, studentClaims[:1], sdAud, sdNonce)
			other, err := signing.GenerateKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			tampered := []struct {
				name, pres, reason string
			}{
				{"changed disclosure", changeDisclosure(t, pres, "pid", "1103700000001"), sdjwt.ReasonDisclosureUnreferenced},
				{"forged issuer signature", flipSignature(pres), sdjwt.ReasonBadSignature},
				{"KB-JWT for another nonce", s.present(t, studentClaims, sdAud, "another-nonce"), sdjwt.ReasonKBWrongNonce},
				{"KB-JWT for another audience", s.present(t, studentClaims, "https://other.example", sdNonce), sdjwt.ReasonKBWrongAud},
				{"KB-JWT by another key", withKBJWT(t, pres, other, string(alg), sdAud, sdNonce, now), sdjwt.ReasonKBBadSignature},
				{"KB-JWT over other disclosures", pres[:strings.LastIndexByte(pres, '~')+1] + one[strings.LastIndexByte(one, '~')+1:], sdjwt.ReasonKBWrongSDHash},
				{"no KB-JWT", pres[:strings.LastIndexByte(pres, '~')+1], sdjwt.ReasonKBMissing},
			}
			// ThaiTrust's verdicts first: after the revocation below, the
			// status check would fail before the key binding is looked at.
			popts := verifier.PresentationOptions{Challenge: sdNonce, Domain: sdAud}
			r := v.VerifyPresentation(t.Context(), sdjwt.MediaTypeVC, pres, popts)
			if !r.Verified || !slices.Equal(r.SDJWT.Disclosed, sortedStudentClaims()) {
				t.Fatalf("ThaiTrust: %s, disclosed %v", r.Reason(), r.SDJWT.Disclosed)
			}
			thaiReasons := make([]string, len(tampered))
			for i, c := range tampered {
				if tr := v.VerifyPresentation(t.Context(), sdjwt.MediaTypeVC, c.pres, popts); !tr.Verified {
					thaiReasons[i] = tr.Reason()
				}
			}
			// The library gets the status list as published before and
			// after the credential is revoked: one node run for all.
			before := s.statusLists(t)
			s.vi.Revoke(t, s.id)
			after := s.statusLists(t)
			reqs := []map[string]any{jsVerify(pres, pub, alg, now, before)}
			for _, c := range tampered {
				reqs = append(reqs, jsVerify(c.pres, pub, alg, now, before))
			}
			reqs = append(reqs, jsVerify(pres, pub, alg, now, after))
			resps := jsPeer(t, reqs...)

			if !resps[0].OK {
				t.Fatalf("@sd-jwt/sd-jwt-vc rejects ThaiTrust's presentation: %s", resps[0].Error)
			}
			got := resps[0].Payload
			if a, b := byValue(t, got), byValue(t, r.SDJWT.Claims); !reflect.DeepEqual(a, b) {
				t.Errorf("@sd-jwt sees\n%v\nThaiTrust sees\n%v", a, b)
			}
			student, _ := got["student"].(map[string]any)
			if student["pid"] != "1103701234563" || got["vct"] != schemas.VCT("DegreeCredential") {
				t.Errorf("@sd-jwt: %v", got)
			}
			if _, ok := got["summary"]; ok {
				t.Error("@sd-jwt sees the withheld summary")
			}
			if kb := resps[0].KB; kb == nil || kb.Payload["aud"] != sdAud || kb.Payload["nonce"] != sdNonce {
				t.Errorf("@sd-jwt key binding %+v", resps[0].KB)
			}

			for i, c := range tampered {
				t.Run(c.name, func(t *testing.T) {
					if res := resps[i+1]; res.OK {
						t.Error("@sd-jwt/sd-jwt-vc accepts it")
					} else {
						t.Logf("@sd-jwt: %s", res.Error)
					}
					if thaiReasons[i] != c.reason {
						t.Errorf("ThaiTrust: reason %q, want %q", thaiReasons[i], c.reason)
					}
				})
			}

			t.Run("revoked", func(t *testing.T) {
				res := resps[len(resps)-1]
				if res.OK || !strings.Contains(strings.ToLower(res.Error), "status") {
					t.Errorf("@sd-jwt/sd-jwt-vc after revocation: ok %v, %s", res.OK, res.Error)
				} else {
					t.Logf("@sd-jwt: %s", res.Error)
				}
				r := v.VerifyPresentation(t.Context(), sdjwt.MediaTypeVC, pres, popts)
				if r.Verified || r.Reason() != "revoked" {
					t.Errorf("ThaiTrust: verified %v, reason %q", r.Verified, r.Reason())
				}
			})
		})
	}
}

// jsIssuer is an issuer whose SD-JWT VCs @sd-jwt/sd-jwt-vc signs: a
// did:jwk of a new key.
type jsIssuer struct {
	alg      signing.Algorithm
	key      crypto.Signer
	did, kid string
}

func newJSIssuer(t testing.TB, alg signing.Algorithm) *jsIssuer {
	t.Helper()
	key, err := signing.GenerateKey(alg)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := json.Marshal(jwkOf(t, key, false))
	if err != nil {
		t.Fatal(err)
	}
	did := "did:jwk:" + base64.RawURLEncoding.EncodeToString(pub)
	return &jsIssuer{alg: alg, key: key, did: did, kid: did + "#0"}
}

// issueReq asks @sd-jwt/sd-jwt-vc to issue the DegreeCredential claims to
// holder, with the catalogue type's split (schemas.SDJWTDisclosable): the
// student's five identifying members and the summary selectively
// disclosable, each with decoys beside them.
func (ji *jsIssuer) issueReq(t testing.TB, holder crypto.Signer, iat time.Time) map[string]any {
	payload := degreeSDClaims(t)
	payload["iss"] = ji.did
	payload["iat"] = iat.Unix()
	payload["cnf"] = map[string]any{"jwk": jwkOf(t, holder, false)}
	frame := map[string]any{
		"_sd":       []string{"summary"},
		"_sd_decoy": 2,
		"student": map[string]any{
			"_sd":       []string{"studentId", "pid", "birthDate", "birthDateBE", "birthDatePrecision"},
			"_sd_decoy": 3,
		},
	}
	return map[string]any{"op": "issue", "issuerJwk": jwkOf(t, ji.key, true), "alg": ji.alg, "kid": ji.kid,
		"payload": payload, "disclosureFrame": frame}
}

// presentReq asks @sd-jwt/sd-jwt-vc's holder to present what the employer
// asks for (the student id and the summary) with a KB-JWT.
func presentReq(t testing.TB, tok string, holder crypto.Signer, alg signing.Algorithm, aud, nonce string, iat time.Time) map[string]any {
	return map[string]any{"op": "present", "token": tok, "holderJwk": jwkOf(t, holder, true), "alg": alg,
		"presentationFrame": map[string]any{"summary": true, "student": map[string]any{"studentId": true}},
		"aud":               aud, "nonce": nonce, "iat": iat.Unix()}
}

// TestSDJWTJSToThaiTrust: SD-JWT VCs issued by @sd-jwt/sd-jwt-vc (EdDSA,
// ES256; a did:jwk issuer the policy trusts for DegreeCredential) and
// presented by its holder with a KB-JWT verify in ThaiTrust's
// verifier.VerifyPresentation with every check on, which sees exactly the
// disclosed claims; the library verifies its own presentation with the
// same claims. Tampered presentations and an untrusted issuer are
// rejected by ThaiTrust with their reasons, and by the library. ThaiTrust's
// holder can present the library's credential, and the library verifies
// that presentation.
func TestSDJWTJSToThaiTrust(t *testing.T) {
	for _, alg := range []signing.Algorithm{signing.EdDSA, signing.ES256} {
		t.Run(string(alg), func(t *testing.T) {
			ji := newJSIssuer(t, alg)
			s := newSDThai(t, alg) // the clock, holder and verifier configuration
			now := s.vi.Clock.Now()
			v := s.verifier(t, ji.did)
			issued := jsPeer(t, ji.issueReq(t, s.holder, now))[0]
			if !issued.OK {
				t.Fatalf("@sd-jwt issue: %s", issued.Error)
			}
			tok := issued.Token
			if r := v.VerifyCredential(t.Context(), sdjwt.MediaTypeVC, tok); !r.Verified {
				t.Fatalf("ThaiTrust rejects @sd-jwt's SD-JWT VC: %s %+v", r.Reason(), r.Checks)
			}
			// ThaiTrust's holder presents the same credential.
			sd, err := sdjwt.Parse(tok)
			if err != nil {
				t.Fatal(err)
			}
			thaiPres, err := sd.Present(employerDisclosed, &sdjwt.KeyBinding{Signer: s.holder, Audience: sdAud, Nonce: sdNonce, IssuedAt: now})
			if err != nil {
				t.Fatal(err)
			}

			resps := jsPeer(t,
				presentReq(t, tok, s.holder, alg, sdAud, sdNonce, now),
				presentReq(t, tok, s.holder, alg, sdAud, "another-nonce", now),
				presentReq(t, tok, s.holder, alg, "https://other.example", sdNonce, now),
				jsVerify(thaiPres, jwkOf(t, ji.key, false), alg, now, nil),
			)
			for i, res := range resps[:3] {
				if !res.OK {
					t.Fatalf("@sd-jwt present %d: %s", i, res.Error)
				}
			}
			if !resps[3].OK {
				t.Errorf("@sd-jwt rejects ThaiTrust's holder's presentation of its credential: %s", resps[3].Error)
			}
			pres := resps[0].Presentation

			r := v.VerifyPresentation(t.Context(), sdjwt.MediaTypeVC, pres, verifier.PresentationOptions{Challenge: sdNonce, Domain: sdAud})
			if !r.Verified {
				t.Fatalf("ThaiTrust rejects @sd-jwt's presentation: %s %+v", r.Reason(), r.Checks)
			}
			sr := r.SDJWT
			if !slices.Equal(sr.Disclosed, employerDisclosed) || !sr.KeyBound || r.Issuer != ji.did || r.Type != "DegreeCredential" {
				t.Errorf("disclosed %v, key bound %v, issuer %s, type %s", sr.Disclosed, sr.KeyBound, r.Issuer, r.Type)
			}
			student, _ := sr.Claims["student"].(map[string]any)
			summary, _ := sr.Claims["summary"].(map[string]any)
			if student["studentId"] != "6230123421" || summary["gpax"] != json.Number("3.42") {
				t.Errorf("student %v summary %v", student, summary)
			}
			for _, withheld := range []string{"pid", "birthDate", "birthDateBE", "birthDatePrecision"} {
				if _, ok := student[withheld]; ok {
					t.Errorf("ThaiTrust sees the withheld student.%s", withheld)
				}
			}
			if r := v.VerifyPresentation(t.Context(), sdjwt.MediaTypeVC, thaiPres, verifier.PresentationOptions{Challenge: sdNonce, Domain: sdAud}); !r.Verified {
				t.Errorf("ThaiTrust's holder's presentation of @sd-jwt's credential: %s", r.Reason())
			}

			tampered := []struct {
				name, pres, reason string
				v                  *verifier.Verifier
			}{
				{"changed disclosure", changeDisclosure(t, pres, "studentId", "6230999999"), sdjwt.ReasonDisclosureUnreferenced, nil},
				{"forged issuer signature", flipSignature(pres), sdjwt.ReasonBadSignature, nil},
				{"KB-JWT for another nonce", resps[1].Presentation, sdjwt.ReasonKBWrongNonce, nil},
				{"KB-JWT for another audience", resps[2].Presentation, sdjwt.ReasonKBWrongAud, nil},
				{"no KB-JWT", pres[:strings.LastIndexByte(pres, '~')+1], sdjwt.ReasonKBMissing, nil},
				{"untrusted issuer", pres, "untrusted_issuer", s.verifier(t)},
			}
			reqs := []map[string]any{jsVerify(pres, jwkOf(t, ji.key, false), alg, now, nil)}
			for _, c := range tampered {
				reqs = append(reqs, jsVerify(c.pres, jwkOf(t, ji.key, false), alg, now, nil))
			}
			jsr := jsPeer(t, reqs...)
			if !jsr[0].OK {
				t.Fatalf("@sd-jwt rejects its own presentation: %s", jsr[0].Error)
			}
			if a, b := byValue(t, jsr[0].Payload), byValue(t, sr.Claims); !reflect.DeepEqual(a, b) {
				t.Errorf("@sd-jwt sees\n%v\nThaiTrust sees\n%v", a, b)
			}
			for i, c := range tampered {
				t.Run(c.name, func(t *testing.T) {
					vv := v
					if c.v != nil {
						vv = c.v
					}
					r := vv.VerifyPresentation(t.Context(), sdjwt.MediaTypeVC, c.pres, verifier.PresentationOptions{Challenge: sdNonce, Domain: sdAud})
					if r.Verified || r.Reason() != c.reason {
						t.Errorf("ThaiTrust: verified %v, reason %q, want %q", r.Verified, r.Reason(), c.reason)
					}
					if c.v != nil {
						return // a policy decision: the library has no trust policy
					}
					if jsr[i+1].OK {
						t.Error("@sd-jwt/sd-jwt-vc accepts it")
					}
				})
			}
		})
	}
}
