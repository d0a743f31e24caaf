// Package document renders credentials as PDF/A-3 e-certificates and
// verifies them: the paper form of a credential that people print, email
// and archive, bound to the credential itself.
//
// # Rendering
//
// Renderer.Render lays a credential out on A4 pages by its type's
// template (Templates: DegreeCredential, TranscriptCredential,
// JuristicPersonCredential, HouseRegistrationCredential), Thai first and
// English under it, and writes a PDF/A-3u file (ISO 19005-3, level U):
//
//   - text shaped with OpenType rules (document/internal/font, on
//     textshape): Thai vowels and tone marks attached by GPOS mark-to-base
//     and mark-to-mark, GSUB variants for tall consonants and descenders;
//   - fonts embedded as subsets (Type0/CIDFontType2, Identity-H,
//     CIDToGIDMap Identity, widths from the font), each with a ToUnicode
//     CMap covering every glyph; runs whose glyphs do not extract back
//     to their text (reordered SARA AM, marks placed by offsets) carry an
//     ActualText span, so pdftotext returns exactly the credential's text;
//   - an sRGB output intent (the ICC profile of icc-profiles-free);
//   - XMP metadata: pdfaid:part 3, conformance U, Dublin Core title and
//     the ThaiTrust properties (credential id, type, issuer, SHA-256,
//     media type, verification URL) declared by a PDF/A extension schema;
//   - the secured credential, byte for byte, as the document's associated
//     file (catalog /AF, EmbeddedFiles name tree, AFRelationship Source,
//     MIME subtype application/vc+jwt or application/dc+sd-jwt, Params
//     with dates, size and checksum), named credential.jwt or
//     credential.sd-jwt;
//   - a QR code (drawn with internal/qr) linking to
//     <VerifyURL>?id=<credential id>&sha256=<hex SHA-256 of the embedded
//     credential>.
//
// The output is deterministic for a given input and clock. It is not
// signed: signing/pades signs it (PAdES B-B, B-T or B-LT).
//
// # Fonts and licence
//
// The default fonts are Laksaman and Laksaman Bold from Debian's
// fonts-tlwg-laksaman-ttf (Copyright 2010-2011 Software Industry
// Promotion Agency (SIPA), 2014-2015 Theppitak Karoonboonyanan), licensed
// GPL-2+ with the font exception: embedding the fonts, whole or subset,
// in a document does not make the document a work covered by the GPL.
// Any TrueType font with Thai and Latin glyphs and Thai OpenType tables
// can replace them (Config.RegularFont, Config.BoldFont).
//
// # Verifying
//
// Verify checks a signed document in order (the check names are the
// Check* constants): it is a PDF/A-3 document with one embedded source
// credential; its PAdES signature covers its whole revision and
// verifies; its timestamp verifies; later updates add validation data
// only; the signer's certificate chains to the given roots, was not
// revoked at the signing time and names (SubjectAltName URI) the
// credential's issuer; the embedded credential's SHA-256 and id equal
// the XMP metadata's and the QR code's; and the credential verifies under
// the caller's policy (VerifyOptions.VerifyCredential, the verifier's
// VerifyCredential). Each failure has a stable reason with English and
// Thai sentences (Message).
//
// This package does not import package verifier: the verifier's single
// entry point (verifier.Verifier.Verify) calls Verify for PDFs.
//
// # Hazards
//
// WARNING: what the page shows is only as trustworthy as the checks
// above; a PDF that fails any of them may show anything. Show a failed
// document's contents as unverified, never as the credential's.
//
// WARNING: Verify reads the whole file into memory and bounds its work
// by the limits of internal/pdf; bound uploads before calling it
// (verifierhttp takes 8 MiB).
//
// WARNING: a document whose signature has no timestamp (B-B) is checked
// against the signer's certificate as of now, not as of signing.
package document
