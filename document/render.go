package document

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/credential"
	"github.com/thaitrust/thaitrust/document/internal/font"
	"github.com/thaitrust/thaitrust/internal/pdf"
	"github.com/thaitrust/thaitrust/internal/qr"
)

// Default resources, as installed by scripts/setup.sh (Debian packages
// fonts-tlwg-laksaman-ttf and icc-profiles-free).
const (
	DefaultRegularFont = "/usr/share/fonts/truetype/tlwg/Laksaman.ttf"
	DefaultBoldFont    = "/usr/share/fonts/truetype/tlwg/Laksaman-Bold.ttf"
	DefaultSRGBProfile = "/usr/share/color/icc/sRGB.icc"
)

// Media types of the secured credentials a document can carry.
const (
	MediaTypeVCJWT   = "application/vc+jwt"
	MediaTypeSDJWTVC = "application/dc+sd-jwt"
)

// Errors of rendering.
var (
	// ErrNoTemplate: the credential's type has no document template.
	ErrNoTemplate = errors.New("document: no template for this credential type")
	// ErrInput: the input is not a renderable credential (see the message).
	ErrInput = errors.New("document: invalid input")
)

// Config configures a Renderer.
type Config struct {
	// RegularFont and BoldFont are TrueType font files with Thai and
	// Latin glyphs and OpenType Thai shaping tables. Zero: the Laksaman
	// fonts at DefaultRegularFont and DefaultBoldFont.
	RegularFont, BoldFont []byte
	// SRGBProfile is the ICC profile of the sRGB output intent. Zero:
	// the file at DefaultSRGBProfile.
	SRGBProfile []byte
	// VerifyURL is the verification page the QR code links to; the
	// credential's id and SHA-256 are appended as the query parameters id
	// and sha256. Required.
	VerifyURL string
	// Now returns the current time (the document's creation date); nil
	// means time.Now.
	Now func() time.Time
}

// Renderer renders credentials to PDF/A-3u documents. Safe for
// concurrent use.
type Renderer struct {
	regular, bold *font.Font
	icc           []byte
	verifyURL     string
	now           func() time.Time
}

// NewRenderer loads the fonts and the output-intent profile.
func NewRenderer(cfg Config) (*Renderer, error) {
	if cfg.VerifyURL == "" {
		return nil, errors.New("document: Config.VerifyURL is required")
	}
	if u, err := url.Parse(cfg.VerifyURL); err != nil || u.Scheme == "" || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("document: VerifyURL %q must be an absolute URL without query", cfg.VerifyURL)
	}
	read := func(data []byte, path string) ([]byte, error) {
		if data != nil {
			return data, nil
		}
		return os.ReadFile(path)
	}
	var err error
	r := &Renderer{verifyURL: cfg.VerifyURL, now: cfg.Now}
	if r.now == nil {
		r.now = time.Now
	}
	for _, f := range []struct {
		data []byte
		path string
		dst  **font.Font
	}{{cfg.RegularFont, DefaultRegularFont, &r.regular}, {cfg.BoldFont, DefaultBoldFont, &r.bold}} {
		data, err := read(f.data, f.path)
		if err != nil {
			return nil, fmt.Errorf("document: font: %w", err)
		}
		if *f.dst, err = font.Parse(data); err != nil {
			return nil, fmt.Errorf("document: %w", err)
		}
	}
	if r.icc, err = read(cfg.SRGBProfile, DefaultSRGBProfile); err != nil {
		return nil, fmt.Errorf("document: output intent profile: %w", err)
	}
	if len(r.icc) < 128 || string(r.icc[16:20]) != "RGB " {
		return nil, errors.New("document: the output intent profile is not an RGB ICC profile")
	}
	return r, nil
}

// Input is a secured credential to render.
type Input struct {
	// MediaType is MediaTypeVCJWT or MediaTypeSDJWTVC.
	MediaType string
	// Secured is the credential exactly as issued (a compact JWS for
	// vc+jwt); it is embedded byte for byte.
	Secured []byte
	// Credential is the credential document Secured carries: what the
	// page shows. The caller must have it from Secured (for an SD-JWT
	// VC, with every disclosure); Render does not verify the proof.
	Credential *credential.Credential
}

// Document is a rendered credential.
type Document struct {
	PDF    []byte
	SHA256 string // hex SHA-256 of the embedded credential
	QR     string // the QR code's text (verification link)
}

// Render lays out the credential on A4 pages by its type's template and
// writes a PDF/A-3u file: Thai text shaped and subset-embedded with
// ToUnicode maps, an sRGB output intent, XMP metadata identifying the
// credential, the secured credential embedded as the document's source
// (an associated file), and a QR code linking to verification.
//
// The result is not signed; signing/pades signs it.
func (r *Renderer) Render(in Input) (*Document, error) {
	if in.MediaType != MediaTypeVCJWT && in.MediaType != MediaTypeSDJWTVC {
		return nil, fmt.Errorf("%w: media type %q", ErrInput, in.MediaType)
	}
	if in.Credential == nil || len(in.Secured) == 0 {
		return nil, fmt.Errorf("%w: credential and its secured form are required", ErrInput)
	}
	c := in.Credential
	typ := c.PrimaryType()
	tmpl, ok := templates[typ]
	if !ok {
		return nil, fmt.Errorf("%w: %s", ErrNoTemplate, typ)
	}
	if c.ID == "" || len(c.Subjects) == 0 {
		return nil, fmt.Errorf("%w: the credential needs an id and a subject", ErrInput)
	}
	pg, err := tmpl(c, c.Subjects[0])
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(in.Secured)
	hash := hex.EncodeToString(sum[:])
	link := r.verifyURL + "?" + url.Values{"id": {c.ID}, "sha256": {hash}}.Encode()
	code, err := qr.Encode([]byte(link))
	if err != nil {
		return nil, fmt.Errorf("document: QR code: %w", err)
	}
	meta := Metadata{
		CredentialID: c.ID, CredentialType: typ, Issuer: c.Issuer.ID, SHA256: hash,
		MediaType: in.MediaType, VerifyURL: r.verifyURL,
	}
	b := &builder{r: r, meta: meta, page: pg, code: code, now: r.now().UTC().Truncate(time.Second), link: link}
	b.issued = c.ValidFrom
	if b.issued.IsZero() {
		b.issued = b.now
	}
	data, err := b.build(in.Secured)
	if err != nil {
		return nil, err
	}
	return &Document{PDF: data, SHA256: hash, QR: link}, nil
}

// EmbeddedName is the file name of the embedded credential.
func EmbeddedName(mediaType string) string {
	if mediaType == MediaTypeSDJWTVC {
		return "credential.sd-jwt"
	}
	return "credential.jwt"
}

// pdfDate formats a time as a PDF date string.
func pdfDate(t time.Time) pdf.String {
	return pdf.String("D:" + t.UTC().Format("20060102150405") + "+00'00'")
}

// builder writes one document.
type builder struct {
	r      *Renderer
	meta   Metadata
	page   *page
	code   *qr.Code
	link   string
	now    time.Time
	issued time.Time

	reg, bold *font.Subset
	pages     [][]op
}

func (b *builder) build(secured []byte) ([]byte, error) {
	b.reg, b.bold = b.r.regular.NewSubset(), b.r.bold.NewSubset()
	if err := b.layout(); err != nil {
		return nil, err
	}
	w := pdf.NewWriter("1.7")
	catalog, pagesRef := w.Alloc(), w.Alloc()
	regRef, err := b.reg.Embed(w)
	if err != nil {
		return nil, err
	}
	boldRef, err := b.bold.Embed(w)
	if err != nil {
		return nil, err
	}
	// QR image: one sample per module, 1 bit, white = 1.
	n := b.code.Size
	row := (n + 7) / 8
	img := make([]byte, row*n)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if !b.code.Dark(x, y) {
				img[y*row+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	qrRef := w.Alloc()
	w.Put(qrRef, pdf.FlateStream(pdf.Dict{
		"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Image"), "Width": int64(n), "Height": int64(n),
		"BitsPerComponent": int64(1), "ColorSpace": pdf.Name("DeviceGray"), "Interpolate": false,
	}, img))
	resources := pdf.Dict{
		"Font":    pdf.Dict{"F1": regRef, "F2": boldRef},
		"XObject": pdf.Dict{"QR": qrRef},
	}
	var kids pdf.Array
	for _, ops := range b.pages {
		content := b.content(ops)
		cref, pref := w.Alloc(), w.Alloc()
		w.Put(cref, pdf.FlateStream(nil, content))
		w.Put(pref, pdf.Dict{
			"Type": pdf.Name("Page"), "Parent": pagesRef, "Resources": resources,
			"MediaBox": pdf.Array{int64(0), int64(0), pageW, pageH}, "Contents": cref,
		})
		kids = append(kids, pref)
	}
	w.Put(pagesRef, pdf.Dict{"Type": pdf.Name("Pages"), "Kids": kids, "Count": int64(len(kids))})

	// The credential as an associated file of the document.
	sum := md5.Sum(secured) // the checksum PDF defines for embedded files; not for security
	efRef, fsRef := w.Alloc(), w.Alloc()
	w.Put(efRef, pdf.FlateStream(pdf.Dict{
		"Type": pdf.Name("EmbeddedFile"), "Subtype": pdf.Name(b.meta.MediaType),
		"Params": pdf.Dict{
			"CreationDate": pdfDate(b.issued), "ModDate": pdfDate(b.issued),
			"Size": int64(len(secured)), "CheckSum": pdf.HexString(sum[:]),
		},
	}, secured))
	name := EmbeddedName(b.meta.MediaType)
	w.Put(fsRef, pdf.Dict{
		"Type": pdf.Name("Filespec"), "F": pdf.String(name), "UF": pdf.TextString(name),
		"Desc":           pdf.TextString("W3C Verifiable Credential (" + b.meta.MediaType + ") this document was rendered from"),
		"AFRelationship": pdf.Name("Source"),
		"EF":             pdf.Dict{"F": efRef, "UF": efRef},
	})
	// Output intent: sRGB.
	iccRef, oiRef := w.Alloc(), w.Alloc()
	w.Put(iccRef, pdf.FlateStream(pdf.Dict{"N": int64(3)}, b.r.icc))
	w.Put(oiRef, pdf.Dict{
		"Type": pdf.Name("OutputIntent"), "S": pdf.Name("GTS_PDFA1"),
		"OutputConditionIdentifier": pdf.String("sRGB IEC61966-2.1"), "RegistryName": pdf.String("http://www.color.org"),
		"Info": pdf.String("sRGB IEC61966-2.1"), "DestOutputProfile": iccRef,
	})
	xmp := b.meta.xmp(b.page, b.now)
	metaRef := w.Alloc()
	w.Put(metaRef, &pdf.Stream{Dict: pdf.Dict{"Type": pdf.Name("Metadata"), "Subtype": pdf.Name("XML")}, Data: xmp})
	w.Put(catalog, pdf.Dict{
		"Type": pdf.Name("Catalog"), "Pages": pagesRef, "Metadata": metaRef,
		"OutputIntents": pdf.Array{oiRef}, "AF": pdf.Array{fsRef},
		"Names":             pdf.Dict{"EmbeddedFiles": pdf.Dict{"Names": pdf.Array{pdf.TextString(name), fsRef}}},
		"Lang":              pdf.String("th-TH"),
		"ViewerPreferences": pdf.Dict{"DisplayDocTitle": true},
		"MarkInfo":          pdf.Dict{"Marked": false},
	})
	id := sha256.Sum256(append([]byte(b.meta.SHA256+"|"+b.now.Format(time.RFC3339)+"|"), secured...))
	return w.Finish(pdf.Dict{"Root": catalog, "ID": pdf.Array{pdf.HexString(id[:16]), pdf.HexString(id[:16])}}), nil
}

// printable is a URL without its scheme, for printing.
func printable(link string) string {
	return strings.TrimPrefix(strings.TrimPrefix(link, "https://"), "http://")
}
