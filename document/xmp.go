package document

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// NamespaceXMP is the namespace of ThaiTrust's XMP properties; the XMP
// packet declares it as a PDF/A extension schema (prefix "thaitrust").
const NamespaceXMP = "https://thaitrust.example/ns/pdf/1.0/"

// Metadata is what a document's XMP says about the credential it
// carries.
type Metadata struct {
	CredentialID   string // the credential's id
	CredentialType string // its primary type, e.g. DegreeCredential
	Issuer         string // the issuer's id (a DID)
	SHA256         string // hex SHA-256 of the embedded secured credential
	MediaType      string // the embedded credential's media type
	VerifyURL      string // the verification page the QR code links to
	PDFAPart       string // pdfaid:part ("3")
	PDFAConf       string // pdfaid:conformance ("U")
}

// xmpProps are the ThaiTrust properties, in order, with their
// descriptions for the extension schema.
var xmpProps = []struct{ name, desc string }{
	{"credentialId", "Identifier (id) of the Verifiable Credential this document was rendered from"},
	{"credentialType", "Type of the credential, e.g. DegreeCredential"},
	{"issuer", "Identifier (DID) of the credential's issuer"},
	{"sha256", "Hexadecimal SHA-256 digest of the embedded secured credential"},
	{"mediaType", "Media type of the embedded secured credential"},
	{"verifyURL", "Verification page that the document's QR code links to"},
}

func (m Metadata) value(name string) string {
	switch name {
	case "credentialId":
		return m.CredentialID
	case "credentialType":
		return m.CredentialType
	case "issuer":
		return m.Issuer
	case "sha256":
		return m.SHA256
	case "mediaType":
		return m.MediaType
	case "verifyURL":
		return m.VerifyURL
	}
	return ""
}

func esc(s string) string {
	var b bytes.Buffer
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// xmp writes the metadata packet (PDF/A-3u identification, Dublin Core
// title, dates, producer, and the ThaiTrust properties with their
// extension schema).
func (m Metadata) xmp(p *page, now time.Time) []byte {
	var b strings.Builder
	date := now.UTC().Format("2006-01-02T15:04:05Z")
	b.WriteString("<?xpacket begin=\"\uFEFF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/">` + "\n")
	b.WriteString(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/">` +
		"<pdfaid:part>3</pdfaid:part><pdfaid:conformance>U</pdfaid:conformance></rdf:Description>\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">`)
	b.WriteString(`<dc:format>application/pdf</dc:format>`)
	b.WriteString(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(p.TitleTH+" · "+p.TitleEN) + `</rdf:li>`)
	b.WriteString(`<rdf:li xml:lang="th">` + esc(p.TitleTH) + `</rdf:li><rdf:li xml:lang="en">` + esc(p.TitleEN) + `</rdf:li></rdf:Alt></dc:title>`)
	creator := p.IssuerTH
	if creator == "" {
		creator = m.Issuer
	}
	b.WriteString(`<dc:creator><rdf:Seq><rdf:li>` + esc(creator) + `</rdf:li></rdf:Seq></dc:creator>`)
	b.WriteString(`<dc:identifier>` + esc(m.CredentialID) + `</dc:identifier>`)
	b.WriteString("</rdf:Description>\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/">`)
	b.WriteString(`<xmp:CreateDate>` + date + `</xmp:CreateDate><xmp:ModifyDate>` + date + `</xmp:ModifyDate>`)
	b.WriteString(`<xmp:MetadataDate>` + date + `</xmp:MetadataDate><xmp:CreatorTool>ThaiTrust</xmp:CreatorTool></rdf:Description>` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdf="http://ns.adobe.com/pdf/1.3/"><pdf:Producer>ThaiTrust</pdf:Producer></rdf:Description>` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:thaitrust="` + NamespaceXMP + `">`)
	for _, p := range xmpProps {
		b.WriteString("<thaitrust:" + p.name + ">" + esc(m.value(p.name)) + "</thaitrust:" + p.name + ">")
	}
	b.WriteString("</rdf:Description>\n")
	// PDF/A requires properties outside the predefined schemas to be
	// described by an extension schema in the same packet.
	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"` +
		` xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#" xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">`)
	b.WriteString(`<pdfaExtension:schemas><rdf:Bag><rdf:li rdf:parseType="Resource">`)
	b.WriteString(`<pdfaSchema:schema>ThaiTrust credential binding</pdfaSchema:schema>`)
	b.WriteString(`<pdfaSchema:namespaceURI>` + NamespaceXMP + `</pdfaSchema:namespaceURI>`)
	b.WriteString(`<pdfaSchema:prefix>thaitrust</pdfaSchema:prefix><pdfaSchema:property><rdf:Seq>`)
	for _, p := range xmpProps {
		b.WriteString(`<rdf:li rdf:parseType="Resource"><pdfaProperty:name>` + p.name + `</pdfaProperty:name>`)
		b.WriteString(`<pdfaProperty:valueType>Text</pdfaProperty:valueType><pdfaProperty:category>external</pdfaProperty:category>`)
		b.WriteString(`<pdfaProperty:description>` + esc(p.desc) + `</pdfaProperty:description></rdf:li>`)
	}
	b.WriteString("</rdf:Seq></pdfaSchema:property></rdf:li></rdf:Bag></pdfaExtension:schemas></rdf:Description>\n")
	b.WriteString("</rdf:RDF>\n</x:xmpmeta>\n")
	// Padding lets a later writer update the packet in place.
	b.WriteString(strings.Repeat(strings.Repeat(" ", 99)+"\n", 20))
	b.WriteString(`<?xpacket end="w"?>`)
	return []byte(b.String())
}

// ParseXMP reads the PDF/A identification and the ThaiTrust properties
// from an XMP packet. A property given twice is an error; an absent one
// is empty.
func ParseXMP(data []byte) (Metadata, error) {
	var m Metadata
	seen := map[string]bool{}
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	depth := 0
	var cur *xml.Name
	var text strings.Builder
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Metadata{}, fmt.Errorf("document: XMP: %w", err)
		}
		if depth > 64 {
			return Metadata{}, errors.New("document: XMP nested too deeply")
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if t.Name.Space == NamespaceXMP || t.Name.Space == "http://www.aiim.org/pdfa/ns/id/" {
				n := t.Name
				cur = &n
				text.Reset()
			} else {
				cur = nil
			}
		case xml.CharData:
			if cur != nil {
				text.Write(t)
			}
		case xml.EndElement:
			depth--
			if cur == nil || t.Name != *cur {
				cur = nil
				continue
			}
			key := cur.Space + cur.Local
			if seen[key] {
				return Metadata{}, fmt.Errorf("document: XMP property %s given twice", cur.Local)
			}
			seen[key] = true
			v := text.String()
			if cur.Space == NamespaceXMP {
				switch cur.Local {
				case "credentialId":
					m.CredentialID = v
				case "credentialType":
					m.CredentialType = v
				case "issuer":
					m.Issuer = v
				case "sha256":
					m.SHA256 = v
				case "mediaType":
					m.MediaType = v
				case "verifyURL":
					m.VerifyURL = v
				}
			} else {
				switch cur.Local {
				case "part":
					m.PDFAPart = v
				case "conformance":
					m.PDFAConf = v
				}
			}
			cur = nil
		}
	}
	return m, nil
}
