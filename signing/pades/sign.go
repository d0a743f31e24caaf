// Package pades signs PDF documents with PAdES baseline signatures (ETSI
// EN 319 142-1) over a crypto.Signer and an X.509 certificate chain, and
// verifies them.
//
// # Signing
//
// Signer.Sign appends an incremental update holding an invisible
// signature field and a signature dictionary with SubFilter
// ETSI.CAdES.detached whose ByteRange covers the whole file except the
// signature value. The CMS SignedData has the signed attributes
// content-type, message-digest and signing-certificate-v2 (with issuer
// and serial number), and no signing-time (EN 319 142-1 forbids it; the
// claimed time is the dictionary's /M). Levels:
//
//   - B-B: the signature alone (Signer.TSA nil).
//   - B-T: a signature timestamp (RFC 3161 token over the signature
//     value) in the unsigned attributes, from Signer.TSA.
//   - B-LT: B-T, then a second incremental update adding a Document
//     Security Store (DSS) with the certificates of the signer's and the
//     TSA's chains and revocation data (CRLs from Signer.Revocation),
//     and a VRI entry for the signature, so that a verifier years later
//     needs nothing online.
//
// The code is written on the standard library (crypto/x509,
// x/crypto/cryptobyte) and internal/pdf rather than on
// digitorus/pdfsign, whose CMS layer always adds signingTime and writes
// adbe.pkcs7.detached with Adobe's revocation attribute, which the
// baseline profile does not allow.
//
// # Verifying
//
// Verify finds the document's one signature, checks that its ByteRange
// covers its revision exactly, the CMS signature and attributes, the
// signature timestamp, the certificate chain to the given roots (at the
// timestamp's time, else now) and revocation from the DSS, and that
// every later revision only adds DSS data (see Verify). Failures are
// *Error values with a stable Reason.
package pades

import (
	"bytes"
	"context"
	"crypto"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/thaitrust/thaitrust/internal/pdf"
	"github.com/thaitrust/thaitrust/signing/internal/cms"
	"github.com/thaitrust/thaitrust/signing/tsa"
)

// SubFilter is the PAdES baseline signature sub-filter.
const SubFilter = "ETSI.CAdES.detached"

// Levels of PAdES baseline signatures.
const (
	LevelBB  = "B-B"
	LevelBT  = "B-T"
	LevelBLT = "B-LT"
)

// Signer signs PDF documents.
type Signer struct {
	// Key is the signing key; Chain[0] its certificate, then the
	// intermediates (the root may be included). Required.
	Key   crypto.Signer
	Chain []*x509.Certificate
	// TSA time-stamps the signature (B-T). Nil: B-B.
	TSA tsa.Stamper
	// Revocation returns revocation data (DER CRLs) for the signer's and
	// the TSA's chains. With a TSA, non-nil makes a B-LT signature.
	Revocation func(ctx context.Context) (crls [][]byte, err error)
	// Reason and Location are written into the signature dictionary
	// when set.
	Reason, Location string
	// Now returns the time written as /M; nil means time.Now.
	Now func() time.Time
}

// Level returns the PAdES level the signer produces.
func (s *Signer) Level() string {
	switch {
	case s.TSA != nil && s.Revocation != nil:
		return LevelBLT
	case s.TSA != nil:
		return LevelBT
	}
	return LevelBB
}

const byteRangePlaceholder = "[0 0000000000 0000000000 0000000000]"

// Sign signs doc, which must be a PDF file without encryption, and returns
// the signed file.
func (s *Signer) Sign(ctx context.Context, doc []byte) ([]byte, error) {
	if s.Key == nil || len(s.Chain) == 0 {
		return nil, errors.New("pades: Signer needs a key and its certificate")
	}
	if !bytes.Equal(publicKeyDER(s.Key.Public()), publicKeyDER(s.Chain[0].PublicKey)) {
		return nil, errors.New("pades: the certificate is not for the signing key")
	}
	h, err := cms.HashFor(s.Chain[0].PublicKey)
	if err != nil {
		return nil, fmt.Errorf("pades: %w", err)
	}
	f, err := pdf.Open(doc)
	if err != nil {
		return nil, fmt.Errorf("pades: %w", err)
	}
	if _, enc := f.Trailer["Encrypt"]; enc {
		return nil, errors.New("pades: encrypted documents are not supported")
	}
	root := f.Root()
	catalog := f.GetDict(root)
	if catalog == nil {
		return nil, errors.New("pades: no document catalog")
	}
	pageRef, page, err := firstPage(f, catalog)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}

	// Room for the CMS: certificates, signature, attributes and the
	// timestamp token (with its own certificates).
	size := 2048
	for _, c := range s.Chain {
		size += len(c.Raw)
	}
	if s.TSA != nil {
		size += 8192
	}
	w := pdf.NewUpdate(doc, f)
	sigRef, fieldRef, apRef := w.Alloc(), w.Alloc(), w.Alloc()
	w.Put(apRef, &pdf.Stream{Dict: pdf.Dict{"Type": pdf.Name("XObject"), "Subtype": pdf.Name("Form"), "BBox": pdf.Array{int64(0), int64(0), int64(0), int64(0)}}})
	var sd []byte
	sd = append(sd, "<</Type/Sig/Filter/Adobe.PPKLite/SubFilter/"+SubFilter+"/ByteRange"+byteRangePlaceholder+"/Contents<"...)
	sd = append(sd, bytes.Repeat([]byte("0"), 2*size)...)
	sd = append(sd, ">/M"...)
	sd = pdf.AppendObject(sd, pdf.String("D:"+now().UTC().Format("20060102150405")+"+00'00'"))
	if s.Reason != "" {
		sd = append(sd, "/Reason"...)
		sd = pdf.AppendObject(sd, pdf.TextString(s.Reason))
	}
	if s.Location != "" {
		sd = append(sd, "/Location"...)
		sd = pdf.AppendObject(sd, pdf.TextString(s.Location))
	}
	sd = append(sd, ">>"...)
	sigOffset := w.Offset()
	w.Put(sigRef, pdf.Raw(sd))
	name := "Signature" + strconv.Itoa(sigRef.Num)
	w.Put(fieldRef, pdf.Dict{
		"Type": pdf.Name("Annot"), "Subtype": pdf.Name("Widget"), "FT": pdf.Name("Sig"), "T": pdf.String(name),
		"V": sigRef, "Rect": pdf.Array{int64(0), int64(0), int64(0), int64(0)}, "F": int64(132), "P": pageRef,
		"AP": pdf.Dict{"N": apRef},
	})
	// The page lists the widget; the catalog's AcroForm lists the field.
	np := page.Clone()
	annots, _ := f.Resolve(page["Annots"])
	arr, _ := annots.(pdf.Array)
	np["Annots"] = append(append(pdf.Array{}, arr...), fieldRef)
	w.Put(pageRef, np)
	nc := catalog.Clone()
	form := pdf.Dict{}
	if old := f.GetDict(catalog["AcroForm"]); old != nil {
		form = old.Clone()
	}
	fields, _ := f.Resolve(form["Fields"])
	farr, _ := fields.(pdf.Array)
	form["Fields"] = append(append(pdf.Array{}, farr...), fieldRef)
	form["SigFlags"] = int64(3)
	delete(form, "NeedAppearances")
	nc["AcroForm"] = form
	w.Put(root, nc)
	out := w.Finish(trailerFor(f))

	// Locate /Contents and /ByteRange in the signature object.
	obj := out[sigOffset:]
	ci := bytes.Index(obj, []byte("/Contents<"))
	bi := bytes.Index(obj, []byte("/ByteRange"+byteRangePlaceholder))
	if ci < 0 || bi < 0 {
		return nil, errors.New("pades: internal error: placeholders not found")
	}
	a := int(sigOffset) + ci + len("/Contents")
	b := a + 2*size + 2
	br := fmt.Sprintf("[0 %010d %010d %010d]", a, b, len(out)-b)
	copy(out[int(sigOffset)+bi+len("/ByteRange"):], br)
	digest := cms.Digest(h, out[:a], out[b:])
	opts := cms.SignOptions{Key: s.Key, Chain: s.Chain, ContentType: cms.OIDData, Detached: true, Digest: digest}
	if s.TSA != nil {
		opts.UnsignedFunc = func(sig []byte) ([]cms.Attribute, error) {
			tok, err := s.TSA.Timestamp(ctx, cms.Digest(crypto.SHA256, sig), crypto.SHA256)
			if err != nil {
				return nil, fmt.Errorf("pades: timestamp: %w", err)
			}
			return []cms.Attribute{{Type: cms.OIDTimestampToken, Value: tok}}, nil
		}
	}
	signed, err := cms.Sign(opts)
	if err != nil {
		return nil, fmt.Errorf("pades: %w", err)
	}
	if len(signed) > size {
		return nil, fmt.Errorf("pades: signature of %d bytes does not fit the %d reserved", len(signed), size)
	}
	hex.Encode(out[a+1:], signed)
	for i := a + 1 + 2*len(signed); i < b-1; i++ {
		out[i] = '0'
	}
	if s.TSA != nil && s.Revocation != nil {
		crls, err := s.Revocation(ctx)
		if err != nil {
			return nil, fmt.Errorf("pades: revocation data: %w", err)
		}
		certs := append([]*x509.Certificate{}, s.Chain...)
		if sd, err := cms.Parse(signed); err == nil {
			if tv, ok := cms.Attr(sd.Unsigned, cms.OIDTimestampToken); ok {
				if t, err := tsa.ParseToken(tv); err == nil {
					certs = append(certs, t.Certificates...)
				}
			}
		}
		return AddDSS(out, DSS{Certs: certs, CRLs: crls})
	}
	return out, nil
}

func publicKeyDER(pub crypto.PublicKey) []byte {
	der, _ := x509.MarshalPKIXPublicKey(pub)
	return der
}

// trailerFor carries the /Root, /Info and first /ID element over into an
// update's trailer (ISO 32000-1 14.4: the first ID stays, the second
// changes).
func trailerFor(f *pdf.File) pdf.Dict {
	t := pdf.Dict{"Root": f.Root()}
	if info, ok := f.Trailer["Info"]; ok {
		t["Info"] = info
	}
	if id, ok := f.Trailer["ID"].(pdf.Array); ok && len(id) == 2 {
		first := id[0]
		sum := sha256.Sum256(f.Data[max(0, len(f.Data)-4096):])
		t["ID"] = pdf.Array{first, pdf.HexString(sum[:16])}
	}
	return t
}

// firstPage walks the page tree to the first page.
func firstPage(f *pdf.File, catalog pdf.Dict) (pdf.Ref, pdf.Dict, error) {
	node := catalog["Pages"]
	for depth := 0; depth < 32; depth++ {
		ref, ok := node.(pdf.Ref)
		if !ok {
			return pdf.Ref{}, nil, errors.New("pades: page tree node is not an indirect object")
		}
		d := f.GetDict(ref)
		if d == nil {
			return pdf.Ref{}, nil, errors.New("pades: broken page tree")
		}
		if d.Name("Type") == "Page" {
			return ref, d, nil
		}
		kids, _ := f.Resolve(d["Kids"])
		arr, _ := kids.(pdf.Array)
		if len(arr) == 0 {
			return pdf.Ref{}, nil, errors.New("pades: document has no pages")
		}
		node = arr[0]
	}
	return pdf.Ref{}, nil, errors.New("pades: page tree too deep")
}

// DSS is the validation data of a Document Security Store.
type DSS struct {
	Certs []*x509.Certificate
	CRLs  [][]byte
	OCSPs [][]byte
}

// AddDSS appends an incremental update that adds a DSS with the given
// data to the catalog, with a VRI entry for every signature of the
// document (keyed by the SHA-1 of its /Contents, EN 319 142-1 5.4.2.2).
// It changes nothing else.
func AddDSS(doc []byte, d DSS) ([]byte, error) {
	f, err := pdf.Open(doc)
	if err != nil {
		return nil, fmt.Errorf("pades: %w", err)
	}
	catalog := f.GetDict(f.Root())
	sigs, err := signatures(f)
	if err != nil {
		return nil, err
	}
	w := pdf.NewUpdate(doc, f)
	dss := pdf.Dict{"Type": pdf.Name("DSS")}
	var certs, crls, ocsps pdf.Array
	seen := map[string]bool{}
	for _, c := range d.Certs {
		k := string(c.Raw)
		if seen[k] {
			continue
		}
		seen[k] = true
		r := w.Alloc()
		w.Put(r, pdf.FlateStream(nil, c.Raw))
		certs = append(certs, r)
	}
	for _, c := range d.CRLs {
		r := w.Alloc()
		w.Put(r, pdf.FlateStream(nil, c))
		crls = append(crls, r)
	}
	for _, o := range d.OCSPs {
		r := w.Alloc()
		w.Put(r, pdf.FlateStream(nil, o))
		ocsps = append(ocsps, r)
	}
	if len(certs) > 0 {
		dss["Certs"] = certs
	}
	if len(crls) > 0 {
		dss["CRLs"] = crls
	}
	if len(ocsps) > 0 {
		dss["OCSPs"] = ocsps
	}
	vri := pdf.Dict{}
	for _, s := range sigs {
		key := vriKey(s.contents)
		e := pdf.Dict{}
		if len(certs) > 0 {
			e["Cert"] = certs
		}
		if len(crls) > 0 {
			e["CRL"] = crls
		}
		if len(ocsps) > 0 {
			e["OCSP"] = ocsps
		}
		vri[pdf.Name(key)] = e
	}
	if len(vri) > 0 {
		dss["VRI"] = vri
	}
	dssRef := w.Alloc()
	w.Put(dssRef, dss)
	nc := catalog.Clone()
	nc["DSS"] = dssRef
	w.Put(f.Root(), nc)
	return w.Finish(trailerFor(f)), nil
}

// vriKey is the uppercase hex SHA-1 of a signature's /Contents (the
// DSS/VRI key EN 319 142-1 defines; SHA-1 here names, it does not
// secure).
func vriKey(contents []byte) string {
	return fmt.Sprintf("%X", sha1Sum(contents))
}
