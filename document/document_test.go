package document_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/document"
	"github.com/thaitrust/thaitrust/internal/pdf"
	"github.com/thaitrust/thaitrust/internal/qr"
	"github.com/thaitrust/thaitrust/issuer/issuertest"
	"github.com/thaitrust/thaitrust/schemas"
	"github.com/thaitrust/thaitrust/signing"
	"github.com/thaitrust/thaitrust/signing/pades"
	"github.com/thaitrust/thaitrust/signing/pades/padestest"
	"github.com/thaitrust/thaitrust/verifier"
)

var update = flag.Bool("update", false, "rewrite the golden images in testdata/golden")

const verifyURL = "https://verify.thaitrust.example/verify"

// env is a virtual issuer with a PDF signing certificate, a TSA, a
// renderer and a verifier.
type env struct {
	vi       *issuertest.VirtualIssuer
	kit      *padestest.Kit
	renderer *document.Renderer
	signer   *pades.Signer
	verifier *verifier.Verifier
}

func newEnv(t testing.TB, level string) *env {
	t.Helper()
	e := &env{vi: issuertest.NewVirtualIssuer(t, "university", signing.ES256)}
	e.kit = padestest.New(t, e.vi.Clock.Now())
	var err error
	if e.renderer, err = document.NewRenderer(document.Config{VerifyURL: verifyURL, Now: e.vi.Clock.Now}); err != nil {
		t.Fatal(err)
	}
	e.signer, _ = e.kit.SignerFor(t, e.vi.Signer.Key, e.vi.DID, level)
	e.verifier = e.vi.Verifier(t)
	return e
}

// issue issues the example of typ and returns the signed PDF.
func (e *env) issue(t testing.TB, typ string) ([]byte, string, *credential.Credential) {
	t.Helper()
	token, c := e.vi.IssueExample(t, typ)
	d, err := e.renderer.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(token), Credential: c})
	if err != nil {
		t.Fatal(err)
	}
	signed, err := e.signer.Sign(context.Background(), d.PDF)
	if err != nil {
		t.Fatal(err)
	}
	return signed, token, c
}

func (e *env) verify(t testing.TB, data []byte) *document.Result {
	t.Helper()
	r, err := document.Verify(context.Background(), data, document.VerifyOptions{
		Roots: e.kit.Roots, Now: e.vi.Clock.Now,
		VerifyCredential: func(ctx context.Context, mt string, secured []byte) document.CredentialOutcome {
			res := e.verifier.VerifyCredential(ctx, mt, string(secured))
			return document.CredentialOutcome{Verified: res.Verified, Reason: res.Reason(), Credential: res.Credential, Result: res}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func tool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s is not installed (scripts/setup.sh installs it)", name)
	}
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// TestAcceptance runs the issue's acceptance checks on every template at
// B-T (the signature covers the whole file) and B-LT (a DSS update
// follows the signature).
func TestAcceptance(t *testing.T) {
	for _, level := range []string{pades.LevelBT, pades.LevelBLT} {
		e := newEnv(t, level)
		for _, typ := range document.Templates() {
			t.Run(level+"/"+typ, func(t *testing.T) {
				signed, token, c := e.issue(t, typ)
				dir := t.TempDir()
				p := filepath.Join(dir, typ+".pdf")
				if err := os.WriteFile(p, signed, 0o644); err != nil {
					t.Fatal(err)
				}
				r := e.verify(t, signed)
				if !r.Verified || r.Level != level {
					t.Fatalf("not verified (%s, level %s): %+v", r.Reason(), r.Level, r.Checks)
				}
				assertStructure(t, signed, token)
				t.Run("pdfsig", func(t *testing.T) {
					tool(t, "pdfsig")
					out, _ := exec.Command("pdfsig", p).CombinedOutput()
					if !strings.Contains(string(out), "Signature Validation: Signature is Valid.") {
						t.Fatalf("pdfsig:\n%s", out)
					}
					whole := strings.Contains(string(out), "Total document signed")
					if (level == pades.LevelBT) != whole {
						t.Fatalf("pdfsig coverage at %s:\n%s", level, out)
					}
				})
				t.Run("qpdf", func(t *testing.T) {
					tool(t, "qpdf")
					out := run(t, "qpdf", "--check", p)
					if !strings.Contains(out, "No syntax or stream encoding errors found") || strings.Contains(out, "WARNING") {
						t.Fatalf("qpdf --check:\n%s", out)
					}
				})
				t.Run("pdftotext", func(t *testing.T) {
					tool(t, "pdftotext")
					text := strings.Join(strings.Fields(run(t, "pdftotext", "-enc", "UTF-8", p, "-")), " ")
					for _, v := range fieldValues(c.Subjects[0]) {
						if !strings.Contains(text, v) {
							t.Errorf("pdftotext lacks %q", v)
						}
					}
				})
				t.Run("pdfdetach", func(t *testing.T) {
					tool(t, "pdfdetach")
					out := run(t, "pdfdetach", "-list", p)
					if !strings.Contains(out, "1: credential.jwt") {
						t.Fatalf("pdfdetach -list:\n%s", out)
					}
					run(t, "pdfdetach", "-save", "1", "-o", filepath.Join(dir, "c.jwt"), p)
					got, _ := os.ReadFile(filepath.Join(dir, "c.jwt"))
					if string(got) != token {
						t.Fatal("the detached file is not the credential")
					}
				})
				t.Run("pdffonts", func(t *testing.T) {
					tool(t, "pdffonts")
					lines := strings.Split(strings.TrimSpace(run(t, "pdffonts", p)), "\n")
					if len(lines) < 3 {
						t.Fatalf("pdffonts: %v", lines)
					}
					for _, l := range lines[2:] {
						f := strings.Fields(l)
						// name type... encoding emb sub uni object ID
						if n := len(f); n < 6 || f[n-5] != "yes" || f[n-3] != "yes" {
							t.Errorf("font not embedded with ToUnicode: %s", l)
						}
					}
				})
			})
		}
	}
}

// fieldValues are the text values of a subject the document must show
// verbatim: names, titles, identifiers (dates, codes and enumerations are
// shown formatted or translated).
func fieldValues(s map[string]any) []string {
	var out []string
	skip := func(k string) bool {
		for _, w := range []string{"Date", "date", "BE", "Precision", "asOf", "status", "sex", "level", "honours", "entityType", "country", "code", "did", "mode", "currency", "semester"} {
			if strings.Contains(k, w) {
				return true
			}
		}
		return false
	}
	var walk func(k string, v any)
	walk = func(k string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for kk, vv := range x {
				walk(kk, vv)
			}
		case []any:
			for _, vv := range x {
				walk(k, vv)
			}
		case string:
			if !skip(k) {
				out = append(out, x)
			}
		}
	}
	walk("", s)
	return out
}

// assertStructure checks the PDF/A-3 structure with the project's reader.
func assertStructure(t *testing.T, data []byte, token string) {
	t.Helper()
	f, err := pdf.Open(data)
	if err != nil {
		t.Fatal(err)
	}
	cat := f.GetDict(f.Root())
	ms, _ := f.Resolve(cat["Metadata"])
	s, ok := ms.(*pdf.Stream)
	if !ok || s.Dict["Filter"] != nil {
		t.Fatal("metadata stream missing or filtered")
	}
	m, err := document.ParseXMP(s.Data)
	if err != nil || m.PDFAPart != "3" || m.PDFAConf != "U" {
		t.Fatalf("XMP: %+v %v", m, err)
	}
	if !bytes.Contains(s.Data, []byte("<pdfaSchema:namespaceURI>"+document.NamespaceXMP+"</pdfaSchema:namespaceURI>")) {
		t.Fatal("no extension schema for the ThaiTrust properties")
	}
	ois, _ := f.Resolve(cat["OutputIntents"])
	oi := f.GetDict(ois.(pdf.Array)[0])
	icc, _ := f.Resolve(oi["DestOutputProfile"])
	if oi.Name("S") != "GTS_PDFA1" || icc.(*pdf.Stream).Dict["N"] != int64(3) {
		t.Fatalf("output intent %v", oi)
	}
	afs, _ := f.Resolve(cat["AF"])
	fs := f.GetDict(afs.(pdf.Array)[0])
	if fs.Name("AFRelationship") != "Source" || pdf.DecodeText(fs["UF"].(pdf.String)) != "credential.jwt" {
		t.Fatalf("filespec %v", fs)
	}
	ef, _ := f.Resolve(f.GetDict(fs["EF"])["F"])
	efs := ef.(*pdf.Stream)
	params := f.GetDict(efs.Dict["Params"])
	if efs.Dict.Name("Subtype") != "application/vc+jwt" || params["Size"] != int64(len(token)) || params["ModDate"] == nil || params["CheckSum"] == nil {
		t.Fatalf("embedded file %v %v", efs.Dict, params)
	}
	if !bytes.Contains(data, []byte("/Subtype/application#2Fvc+jwt")) {
		t.Fatal("MIME subtype not written as application#2Fvc+jwt")
	}
	names := f.GetDict(f.GetDict(cat["Names"])["EmbeddedFiles"])
	if names == nil {
		t.Fatal("no EmbeddedFiles name tree")
	}
	if _, ok := f.Trailer["ID"].(pdf.Array); !ok {
		t.Fatal("no trailer ID")
	}
}

func TestTampering(t *testing.T) {
	e := newEnv(t, pades.LevelBLT)
	signed, _, _ := e.issue(t, "DegreeCredential")
	if r := e.verify(t, signed); !r.Verified {
		t.Fatalf("untampered: %s %+v", r.Reason(), r.Checks)
	}
	f, _ := pdf.Open(signed)
	firstPage := func(f *pdf.File) (pdf.Ref, pdf.Dict) {
		pages := f.GetDict(f.GetDict(f.Root())["Pages"])
		ref := pages["Kids"].(pdf.Array)[0].(pdf.Ref)
		return ref, f.GetDict(ref)
	}

	// A byte of the page content changed.
	changed := bytes.Clone(signed)
	_, page := firstPage(f)
	cref := page["Contents"].(pdf.Ref)
	e0, _, _ := f.Lookup(len(f.Revisions)-1, cref.Num)
	i := int(e0.Offset) + bytes.Index(changed[e0.Offset:], []byte("stream\n")) + 20
	changed[i] ^= 0x20

	// An incremental update after signing that replaces the page content.
	w := pdf.NewUpdate(signed, f)
	pref, p := firstPage(f)
	nc := w.Alloc()
	w.Put(nc, pdf.FlateStream(nil, []byte("BT /F1 40 Tf 100 400 Td (FORGED) Tj ET")))
	np := p.Clone()
	np["Contents"] = nc
	w.Put(pref, np)
	appended := w.Finish(pdf.Dict{"Root": f.Root(), "ID": f.Trailer["ID"]})

	// A different credential embedded (by a signer who renders one
	// credential and embeds another).
	shown, sc := e.vi.IssueExample(t, "DegreeCredential")
	other, _ := e.vi.IssueExample(t, "DegreeCredential")
	d, err := e.renderer.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(shown), Credential: sc})
	if err != nil {
		t.Fatal(err)
	}
	swapped := swapEmbedded(t, d.PDF, []byte(other))
	swappedSigned, err := e.signer.Sign(context.Background(), swapped)
	if err != nil {
		t.Fatal(err)
	}

	// A revoked credential.
	revokedPDF, _, rc := e.issue(t, "TranscriptCredential")
	e.vi.Revoke(t, rc.ID)

	// Signed with a certificate for another DID.
	otherSigner, _ := e.kit.Signer(t, "did:web:someone-else.thaitrust.test", signing.ES256, pades.LevelBT)
	tok2, c2 := e.vi.IssueExample(t, "DegreeCredential")
	d2, err := e.renderer.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte(tok2), Credential: c2})
	if err != nil {
		t.Fatal(err)
	}
	byOther, err := otherSigner.Sign(context.Background(), d2.PDF)
	if err != nil {
		t.Fatal(err)
	}

	// A QR code for another credential (drawn before signing).
	qrSwapped, err := e.signer.Sign(context.Background(), swapQR(t, d2.PDF, verifyURL+"?id=urn%3Auuid%3Aother&sha256="+d2.SHA256))
	if err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct {
		data   []byte
		reason string
	}{
		"content byte changed":      {changed, pades.ReasonModified},
		"update after signing":      {appended, pades.ReasonChangedAfterSigned},
		"other credential inside":   {swappedSigned, document.ReasonCredentialBind},
		"revoked credential":        {revokedPDF, "revoked"},
		"signer is not the issuer":  {byOther, document.ReasonSignerNotIssuer},
		"QR for another credential": {qrSwapped, document.ReasonQRMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			r := e.verify(t, tc.data)
			if r.Verified || r.Reason() != tc.reason {
				t.Fatalf("reason %q, want %q: %+v", r.Reason(), tc.reason, r.Checks)
			}
			if en, th, ok := document.Message(tc.reason); tc.reason != "revoked" && (!ok || en == "" || th == "") {
				t.Errorf("no message for %s", tc.reason)
			}
		})
	}
}

// swapEmbedded replaces the embedded credential's data in an unsigned
// document (an incremental update that rewrites the stream).
func swapEmbedded(t *testing.T, doc, data []byte) []byte {
	t.Helper()
	f, err := pdf.Open(doc)
	if err != nil {
		t.Fatal(err)
	}
	cat := f.GetDict(f.Root())
	afs, _ := f.Resolve(cat["AF"])
	fs := f.GetDict(afs.(pdf.Array)[0])
	ref := f.GetDict(fs["EF"])["F"].(pdf.Ref)
	o, _ := f.Resolve(ref)
	s := o.(*pdf.Stream)
	d := s.Dict.Clone()
	delete(d, "Filter")
	w := pdf.NewUpdate(doc, f)
	w.Put(ref, pdf.FlateStream(d, data))
	return w.Finish(pdf.Dict{"Root": f.Root(), "ID": f.Trailer["ID"]})
}

// swapQR replaces the QR code image of an unsigned document.
func swapQR(t *testing.T, doc []byte, text string) []byte {
	t.Helper()
	f, err := pdf.Open(doc)
	if err != nil {
		t.Fatal(err)
	}
	pages := f.GetDict(f.GetDict(f.Root())["Pages"])
	page := f.GetDict(pages["Kids"].(pdf.Array)[0])
	ref := f.GetDict(f.GetDict(page["Resources"])["XObject"])["QR"].(pdf.Ref)
	c, err := qr.Encode([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Size
	row := (n + 7) / 8
	img := make([]byte, row*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !c.Dark(x, y) {
				img[y*row+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	w := pdf.NewUpdate(doc, f)
	w.Put(ref, pdf.FlateStream(pdf.Dict{"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Image"), "Width": int64(n), "Height": int64(n),
		"BitsPerComponent": int64(1), "ColorSpace": pdf.Name("DeviceGray")}, img))
	return w.Finish(pdf.Dict{"Root": f.Root(), "ID": f.Trailer["ID"]})
}

// TestGolden renders each template from a fixed credential and compares
// the first page, rendered by pdftoppm at 50 dpi, with a stored image.
func TestGolden(t *testing.T) {
	tool(t, "pdftoppm")
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC)
	r, err := document.NewRenderer(document.Config{VerifyURL: verifyURL, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	for _, typ := range document.Templates() {
		t.Run(typ, func(t *testing.T) {
			ty, _ := schemas.Lookup(typ)
			var doc map[string]any
			json.Unmarshal(ty.Example, &doc)
			doc["id"] = "urn:uuid:01972a4c-0000-7000-8000-000000000001"
			doc["issuer"] = map[string]any{"id": "did:web:golden.thaitrust.example", "name": []any{
				map[string]any{"@value": "ผู้ออกเอกสารทดสอบ", "@language": "th"}, map[string]any{"@value": "Golden test issuer", "@language": "en"}}}
			doc["validFrom"] = "2025-06-01T09:00:00Z"
			c, err := credential.FromMap(doc)
			if err != nil {
				t.Fatal(err)
			}
			d, err := r.Render(document.Input{MediaType: document.MediaTypeVCJWT, Secured: []byte("eyJhbGciOiJFUzI1NiJ9.golden.signature"), Credential: c})
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			p := filepath.Join(dir, "doc.pdf")
			os.WriteFile(p, d.PDF, 0o644)
			run(t, "pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", p, filepath.Join(dir, "page"))
			got, err := os.ReadFile(filepath.Join(dir, "page.png"))
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "golden", typ+".png")
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./document -run TestGolden -update)", err)
			}
			if diff := imageDiff(t, got, want); diff > 0.01 {
				os.WriteFile(filepath.Join(os.TempDir(), "thaitrust-"+typ+"-got.png"), got, 0o644)
				t.Fatalf("page differs from %s in %.2f%% of pixels (got image in %s)", golden, 100*diff, os.TempDir())
			}
		})
	}
}

// imageDiff returns the share of pixels whose grey levels differ by more
// than 48 (anti-aliasing differences between poppler builds stay below).
func imageDiff(t *testing.T, a, b []byte) float64 {
	ia, err1 := png.Decode(bytes.NewReader(a))
	ib, err2 := png.Decode(bytes.NewReader(b))
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if ia.Bounds() != ib.Bounds() {
		return 1
	}
	var bad int
	bnd := ia.Bounds()
	for y := bnd.Min.Y; y < bnd.Max.Y; y++ {
		for x := bnd.Min.X; x < bnd.Max.X; x++ {
			if d := grey(ia, x, y) - grey(ib, x, y); d > 48 || d < -48 {
				bad++
			}
		}
	}
	return float64(bad) / float64(bnd.Dx()*bnd.Dy())
}

func grey(img image.Image, x, y int) int {
	r, g, b, _ := img.At(x, y).RGBA()
	return int((r + g + b) / 3 >> 8)
}

// TestQRDecodesWithZbar renders a page image and reads the QR code with
// zbarimg: it must be the verification link with the credential's id and
// hash.
func TestQRDecodesWithZbar(t *testing.T) {
	tool(t, "zbarimg")
	tool(t, "pdftoppm")
	e := newEnv(t, pades.LevelBB)
	signed, _, c := e.issue(t, "JuristicPersonCredential")
	dir := t.TempDir()
	p := filepath.Join(dir, "d.pdf")
	os.WriteFile(p, signed, 0o644)
	run(t, "pdftoppm", "-r", "300", "-png", "-f", "1", "-l", "1", "-singlefile", p, filepath.Join(dir, "page"))
	raw, err := exec.Command("zbarimg", "--raw", "-q", filepath.Join(dir, "page.png")).Output()
	if err != nil {
		t.Fatalf("zbarimg: %v", err)
	}
	out := strings.TrimSpace(string(raw))
	r := e.verify(t, signed)
	if out != r.QR || !strings.Contains(out, "sha256="+r.Metadata.SHA256) || !strings.Contains(out, "id=urn%3Auuid%3A") || r.Metadata.CredentialID != c.ID {
		t.Fatalf("zbarimg read %q; document QR %q", out, r.QR)
	}
}
