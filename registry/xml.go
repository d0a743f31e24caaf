package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/thaitrust/thaitrust/signing"
)

// ETSI TS 119 612 names.
const (
	// NamespaceTSL is the ETSI TS 119 612 namespace.
	NamespaceTSL = "http://uri.etsi.org/02231/v2#"
	// NamespaceThaiTrustTSL holds ThaiTrust's elements inside
	// DigitalId/Other (DIDs, JWKs, certificate fingerprints).
	NamespaceThaiTrustTSL = "https://thaitrust.example/ns/tsl"
	tslTag                = "http://uri.etsi.org/19612/TSLTag"
	tslType               = "https://thaitrust.example/TrstSvc/TrustedList/TSLType/THgeneric"

	// Service status URIs. 119 612 has no "suspended"; ThaiTrust's own
	// URI says it.
	ServiceStatusGranted   = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/granted"
	ServiceStatusWithdrawn = "http://uri.etsi.org/TrstSvc/TrustedList/Svcstatus/withdrawn"
	ServiceStatusSuspended = "https://thaitrust.example/TrstSvc/Svcstatus/suspended"

	// ServiceTypeBase + role is the ServiceTypeIdentifier of a ThaiTrust
	// accreditation; CredentialTypeBase + type names a credential type in
	// AdditionalServiceInformation.
	ServiceTypeBase    = "https://thaitrust.example/TrstSvc/Svctype/"
	CredentialTypeBase = "https://thaitrust.example/credential-types/"
	validityURI        = "https://thaitrust.example/TrstSvc/validity"
	entityURN          = "urn:thaitrust:entity:"
	kindURN            = "urn:thaitrust:kind:"
	accreditationURN   = "urn:thaitrust:accreditation:"
	accreditorURN      = "urn:thaitrust:accreditor:"
	parentURN          = "urn:thaitrust:parent:"
	domainURN          = "urn:thaitrust:domain:"
	maxXMLList         = 256 << 20
)

type xName struct {
	Lang  string `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	Value string `xml:",chardata"`
}

type xNames struct {
	Names []xName `xml:"Name"`
}

type xURIs struct {
	URIs []xName `xml:"URI"`
}

type xTSL struct {
	XMLName   xml.Name  `xml:"http://uri.etsi.org/02231/v2# TrustServiceStatusList"`
	TSLTag    string    `xml:"TSLTag,attr"`
	Scheme    xScheme   `xml:"SchemeInformation"`
	Providers []xTSP    `xml:"TrustServiceProviderList>TrustServiceProvider"`
	Signature *xAnyElem `xml:"http://www.w3.org/2000/09/xmldsig# Signature"`
}

type xAnyElem struct {
	Inner []byte `xml:",innerxml"`
}

type xScheme struct {
	Version        int         `xml:"TSLVersionIdentifier"`
	Sequence       int64       `xml:"TSLSequenceNumber"`
	Type           string      `xml:"TSLType"`
	OperatorName   xNames      `xml:"SchemeOperatorName"`
	SchemeName     xNames      `xml:"SchemeName"`
	InfoURI        *xURIs      `xml:"SchemeInformationURI"`
	StatusApproach string      `xml:"StatusDeterminationApproach"`
	Territory      string      `xml:"SchemeTerritory"`
	HistoryPeriod  int         `xml:"HistoricalInformationPeriod"`
	IssueTime      string      `xml:"ListIssueDateTime"`
	NextUpdate     xNextUpdate `xml:"NextUpdate"`
}

type xNextUpdate struct {
	DateTime string `xml:"dateTime,omitempty"`
}

type xTSP struct {
	Info     xTSPInfo      `xml:"TSPInformation"`
	Services []xTSPService `xml:"TSPServices>TSPService"`
}

type xTSPInfo struct {
	Name      xNames  `xml:"TSPName"`
	TradeName *xNames `xml:"TSPTradeName"`
	InfoURI   *xURIs  `xml:"TSPInformationURI"`
}

type xTSPService struct {
	Info    xServiceInfo   `xml:"ServiceInformation"`
	History []xServiceInfo `xml:"ServiceHistory>ServiceHistoryInstance"`
}

type xServiceInfo struct {
	Type       string           `xml:"ServiceTypeIdentifier"`
	Name       xNames           `xml:"ServiceName"`
	Identity   xDigitalIdentity `xml:"ServiceDigitalIdentity"`
	Status     string           `xml:"ServiceStatus"`
	StartTime  string           `xml:"StatusStartingTime"`
	Extensions *xExtensions     `xml:"ServiceInformationExtensions"`
}

type xDigitalIdentity struct {
	IDs []xDigitalID `xml:"DigitalId"`
}

type xDigitalID struct {
	Certificate string  `xml:"X509Certificate,omitempty"`
	SubjectName string  `xml:"X509SubjectName,omitempty"`
	SKI         string  `xml:"X509SKI,omitempty"`
	Other       *xOther `xml:"Other"`
}

type xOther struct {
	DID    string `xml:"https://thaitrust.example/ns/tsl DID,omitempty"`
	JWK    string `xml:"https://thaitrust.example/ns/tsl JWK,omitempty"`
	SHA256 string `xml:"https://thaitrust.example/ns/tsl X509SHA256,omitempty"`
}

type xExtensions struct {
	Extensions []xExtension `xml:"Extension"`
}

type xExtension struct {
	Critical bool       `xml:"Critical,attr"`
	Info     *xAddlInfo `xml:"AdditionalServiceInformation"`
}

type xAddlInfo struct {
	URI   xName  `xml:"URI"`
	Value string `xml:"InformationValue,omitempty"`
}

func names(t Text) xNames {
	var out xNames
	if t.TH != "" {
		out.Names = append(out.Names, xName{Lang: "th", Value: t.TH})
	}
	if t.EN != "" {
		out.Names = append(out.Names, xName{Lang: "en", Value: t.EN})
	}
	return out
}

func xmlTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func statusURI(s Status) string {
	switch s {
	case StatusSuspended:
		return ServiceStatusSuspended
	case StatusWithdrawn:
		return ServiceStatusWithdrawn
	}
	return ServiceStatusGranted
}

// ExportXML renders the registry as an ETSI TS 119 612 trust service
// status list: each entity is a TrustServiceProvider, each of its
// accreditations a TSPService whose ServiceTypeIdentifier names the role,
// whose additional service information names the credential types,
// validity, accreditor and accreditation id, whose ServiceDigitalIdentity
// holds the entity's DIDs, keys (JWK) and certificate fingerprints (in
// DigitalId/Other, ThaiTrust namespace), and whose ServiceHistory holds
// the earlier statuses.
//
// WARNING: the list is not signed. 119 612 lists are signed with an
// enveloped XAdES signature (ETSI EN 319 132, XML canonicalisation),
// which ThaiTrust does not implement; recipients must get the file over
// an authenticated channel or check it against the signed JSON list.
func (s *Service) ExportXML(ctx context.Context, opts ExportOptions) ([]byte, error) {
	doc, err := s.Snapshot(ctx, opts)
	if err != nil {
		return nil, err
	}
	return MarshalXML(doc)
}

// MarshalXML renders a trust list document as ETSI TS 119 612 XML.
func MarshalXML(doc *TrustListDocument) ([]byte, error) {
	si := doc.SchemeInformation
	l := xTSL{TSLTag: tslTag, Scheme: xScheme{
		Version: 5, Sequence: si.SequenceNumber, Type: tslType, OperatorName: names(si.SchemeOperatorName),
		SchemeName:     xNames{Names: []xName{{Lang: "en", Value: si.SchemeTerritory + ":ThaiTrust trust registry"}}},
		StatusApproach: "https://thaitrust.example/TrstSvc/TrustedList/StatusDetn/THregistry",
		Territory:      si.SchemeTerritory, HistoryPeriod: 65535,
		IssueTime: xmlTime(si.ListIssueDateTime), NextUpdate: xNextUpdate{DateTime: xmlTime(si.NextUpdate)},
	}}
	for _, le := range doc.Entities {
		e := le.Entity
		tsp := xTSP{Info: xTSPInfo{Name: names(e.Name), InfoURI: &xURIs{URIs: []xName{{Lang: "en", Value: entityURN + e.ID}}}}}
		for _, k := range e.Kinds {
			tsp.Info.InfoURI.URIs = append(tsp.Info.InfoURI.URIs, xName{Lang: "en", Value: kindURN + string(k)})
		}
		ident := xDigitalIdentity{}
		for _, id := range e.Identifiers {
			switch id.Type {
			case IdentifierDID:
				ident.IDs = append(ident.IDs, xDigitalID{Other: &xOther{DID: id.Value}})
			case IdentifierX509SHA256:
				ident.IDs = append(ident.IDs, xDigitalID{Other: &xOther{SHA256: id.Value}})
			}
		}
		for _, k := range le.PublicKeys {
			b, err := json.Marshal(k)
			if err != nil {
				return nil, err
			}
			ident.IDs = append(ident.IDs, xDigitalID{Other: &xOther{JWK: string(b)}})
		}
		for _, a := range le.Accreditations {
			info := func(st StatusChange) xServiceInfo {
				return xServiceInfo{Type: ServiceTypeBase + string(a.Role),
					Name:     xNames{Names: []xName{{Lang: "en", Value: fmt.Sprintf("%s accreditation of %s by %s", a.Role, e.ID, a.Accreditor)}}},
					Identity: ident, Status: statusURI(st.Status), StartTime: xmlTime(st.EffectiveFrom)}
			}
			tl := timeline(a.History)
			cur := StatusChange{Status: StatusActive, EffectiveFrom: a.ValidFrom}
			if len(tl) > 0 {
				p := tl[len(tl)-1]
				cur = StatusChange{Status: p.status, EffectiveFrom: p.from}
			}
			svc := xTSPService{Info: info(cur)}
			ext := &xExtensions{}
			add := func(uri, value string) {
				ext.Extensions = append(ext.Extensions, xExtension{Info: &xAddlInfo{URI: xName{Lang: "en", Value: uri}, Value: value}})
			}
			add(accreditationURN+a.ID, "")
			add(accreditorURN+a.Accreditor, "")
			if a.Parent != "" {
				add(parentURN+a.Parent, "")
			}
			for _, t := range a.Scope.CredentialTypes {
				add(CredentialTypeBase+t, "")
			}
			for _, d := range a.Scope.Domains {
				add(domainURN+d, "")
			}
			until := ""
			if !a.ValidUntil.IsZero() {
				until = xmlTime(a.ValidUntil)
			}
			add(validityURI, xmlTime(a.ValidFrom)+"/"+until+"/"+a.Jurisdiction+"/"+a.Scope.MaxIAL.String()+"/"+a.Scope.MaxAAL.String())
			svc.Info.Extensions = ext
			for i := len(tl) - 2; i >= 0; i-- {
				svc.History = append(svc.History, info(StatusChange{Status: tl[i].status, EffectiveFrom: tl[i].from}))
			}
			tsp.Services = append(tsp.Services, svc)
		}
		l.Providers = append(l.Providers, tsp)
	}
	var b bytes.Buffer
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", " ")
	if err := enc.Encode(l); err != nil {
		return nil, fmt.Errorf("registry: encode 119 612 list: %w", err)
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// ParseTrustListXML decodes an ETSI TS 119 612 list into a trust list
// document, trusting nothing (it checks no signature). It reads what
// ExportXML writes and the common shapes of real lists: providers
// without ThaiTrust identifiers get ids tsp-1, tsp-2, ...; X509Certificate
// digital identities become x509-sha256 identifiers; services whose types
// are keys of serviceTypes are accredited for the mapped credential types.
func ParseTrustListXML(data []byte, serviceTypes map[string][]string) (*TrustListDocument, error) {
	if len(data) > maxXMLList {
		return nil, fmt.Errorf("registry: 119 612 list larger than %d bytes", maxXMLList)
	}
	var l xTSL
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.Strict = true
	dec.Entity = map[string]string{}
	dec.CharsetReader = func(label string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(label, "utf-8") {
			return r, nil
		}
		return nil, fmt.Errorf("charset %q", label)
	}
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("registry: 119 612 list: %w", err)
	}
	sc := l.Scheme
	issued, err := parseXMLTime(sc.IssueTime)
	if err != nil {
		return nil, fmt.Errorf("registry: 119 612 list: ListIssueDateTime: %w", err)
	}
	next := time.Time{}
	if sc.NextUpdate.DateTime != "" {
		if next, err = parseXMLTime(sc.NextUpdate.DateTime); err != nil {
			return nil, fmt.Errorf("registry: 119 612 list: NextUpdate: %w", err)
		}
	}
	territory := strings.ToUpper(strings.TrimSpace(sc.Territory))
	if territory == "UK" {
		territory = "GB"
	}
	if territory == "EL" {
		territory = "GR"
	}
	// The operator: a provider of kind scheme_operator (as ExportXML
	// writes it), else a synthetic entity.
	opID, opListed := "scheme-operator", false
	for _, tsp := range l.Providers {
		if id, ks := providerIDKinds(tsp, ""); id != "" && slices.Contains(ks, KindSchemeOperator) {
			opID, opListed = id, true
			break
		}
	}
	doc := &TrustListDocument{SchemeInformation: SchemeInformation{
		VersionIdentifier: sc.Version, SequenceNumber: sc.Sequence, ListType: sc.Type,
		SchemeOperatorName: text(sc.OperatorName), SchemeOperatorID: opID, SchemeTerritory: territory,
		ListIssueDateTime: issued, NextUpdate: next,
	}}
	seen := map[string]bool{}
	if !opListed {
		doc.Entities = append(doc.Entities, ListedEntity{Entity: Entity{ID: opID, Kinds: []Kind{KindSchemeOperator}, Name: doc.SchemeInformation.SchemeOperatorName,
			Jurisdiction: territory, Status: StatusActive, History: []StatusChange{{Status: StatusActive, EffectiveFrom: issued}}}})
		seen[opID] = true
	}
	for i, tsp := range l.Providers {
		id, ks := providerIDKinds(tsp, fmt.Sprintf("tsp-%d", i+1))
		if seen[id] {
			return nil, fmt.Errorf("registry: 119 612 list: provider %q listed twice", id)
		}
		seen[id] = true
		if len(ks) == 0 {
			ks = []Kind{KindIssuer}
		}
		le := ListedEntity{Entity: Entity{ID: id, Kinds: ks, Name: text(tsp.Info.Name), Jurisdiction: territory}}
		for j, svc := range tsp.Services {
			a, idents, keys := serviceAccreditation(svc, id, j, opID, territory, serviceTypes)
			for _, x := range idents {
				if !slices.Contains(le.Entity.Identifiers, x) {
					le.Entity.Identifiers = append(le.Entity.Identifiers, x)
				}
			}
			for _, k := range keys {
				if !slices.ContainsFunc(le.PublicKeys, func(o signing.JWK) bool { return o.Kid == k.Kid }) {
					le.PublicKeys = append(le.PublicKeys, k)
				}
			}
			if a != nil {
				le.Accreditations = append(le.Accreditations, *a)
			}
		}
		le.Entity.History = []StatusChange{{Status: StatusActive, EffectiveFrom: time.Time{}}}
		le.Entity.Status = StatusActive
		doc.Entities = append(doc.Entities, le)
	}
	return doc, nil
}

// providerIDKinds reads a provider's ThaiTrust entity id (def when it has
// none) and kinds.
func providerIDKinds(tsp xTSP, def string) (string, []Kind) {
	id := def
	var ks []Kind
	if tsp.Info.InfoURI != nil {
		for _, u := range tsp.Info.InfoURI.URIs {
			if v, ok := strings.CutPrefix(u.Value, entityURN); ok && ValidID(v) {
				id = v
			}
			if v, ok := strings.CutPrefix(u.Value, kindURN); ok && slices.Contains(kinds, Kind(v)) && !slices.Contains(ks, Kind(v)) {
				ks = append(ks, Kind(v))
			}
		}
	}
	return id, ks
}

func parseXMLTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(s))
	if err != nil {
		// xs:dateTime without a zone: take it as UTC.
		t, err = time.Parse("2006-01-02T15:04:05", strings.TrimSpace(s))
	}
	return t.UTC(), err
}

func text(n xNames) Text {
	var t Text
	for _, x := range n.Names {
		v := strings.TrimSpace(x.Value)
		switch strings.ToLower(x.Lang) {
		case "th":
			t.TH = v
		case "en":
			t.EN = v
		}
	}
	if t.TH == "" && t.EN == "" && len(n.Names) > 0 {
		t.EN = strings.TrimSpace(n.Names[0].Value)
	}
	return t
}

func statusFromURI(u string) (Status, bool) {
	if u == ServiceStatusSuspended {
		return StatusSuspended, true
	}
	i := strings.LastIndexByte(u, '/')
	switch strings.ToLower(u[i+1:]) {
	case "granted", "accredited", "undersupervision", "recognisedatnationallevel", "setbynationallaw":
		return StatusActive, true
	case "withdrawn", "accreditationceased", "accreditationrevoked", "supervisionceased", "supervisionrevoked",
		"supervisionincessation", "deprecatedatnationallevel", "deprecatedbynationallaw":
		return StatusWithdrawn, true
	}
	return "", false
}

// serviceAccreditation reads one TSPService as an accreditation (nil when
// it accredits no credential type) plus the identifiers and keys of its
// digital identity.
func serviceAccreditation(svc xTSPService, entity string, j int, opID, territory string, serviceTypes map[string][]string) (*Accreditation, []Identifier, []signing.JWK) {
	var idents []Identifier
	var keys []signing.JWK
	for _, d := range svc.Info.Identity.IDs {
		if d.Certificate != "" {
			der, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(d.Certificate), ""))
			if err == nil {
				if _, err := x509.ParseCertificate(der); err == nil {
					sum := sha256.Sum256(der)
					idents = append(idents, Identifier{Type: IdentifierX509SHA256, Value: hex.EncodeToString(sum[:])})
				}
			}
		}
		if o := d.Other; o != nil {
			if v := strings.TrimSpace(o.DID); strings.HasPrefix(v, "did:") {
				idents = append(idents, Identifier{Type: IdentifierDID, Value: v})
			}
			if v := strings.ToLower(strings.TrimSpace(o.SHA256)); hex64RE.MatchString(v) {
				idents = append(idents, Identifier{Type: IdentifierX509SHA256, Value: v})
			}
			if o.JWK != "" {
				if k, err := signing.ParseJWK([]byte(o.JWK)); err == nil && k.D == "" && k.Kid != "" {
					keys = append(keys, k)
				}
			}
		}
	}
	a := Accreditation{ID: fmt.Sprintf("%s-service-%d", entity, j+1), Subject: entity, Accreditor: opID, Role: RoleIssuer, Jurisdiction: territory}
	if r, ok := strings.CutPrefix(svc.Info.Type, ServiceTypeBase); ok && slices.Contains(roles, Role(r)) {
		a.Role = Role(r)
	}
	a.Scope.CredentialTypes = append(a.Scope.CredentialTypes, serviceTypes[svc.Info.Type]...)
	var validity string
	if ext := svc.Info.Extensions; ext != nil {
		for _, x := range ext.Extensions {
			if x.Info == nil {
				continue
			}
			u := strings.TrimSpace(x.Info.URI.Value)
			switch {
			case strings.HasPrefix(u, CredentialTypeBase):
				if t := u[len(CredentialTypeBase):]; typeRE.MatchString(t) && !a.Scope.Covers(t) {
					a.Scope.CredentialTypes = append(a.Scope.CredentialTypes, t)
				}
			case strings.HasPrefix(u, accreditationURN):
				a.ID = u[len(accreditationURN):]
			case strings.HasPrefix(u, accreditorURN):
				a.Accreditor = u[len(accreditorURN):]
			case strings.HasPrefix(u, parentURN):
				a.Parent = u[len(parentURN):]
			case strings.HasPrefix(u, domainURN):
				a.Scope.Domains = append(a.Scope.Domains, u[len(domainURN):])
			case u == validityURI:
				validity = x.Info.Value
			}
		}
	}
	// History: oldest first. ServiceHistory lists earlier states, newest
	// first by convention; sort by starting time whatever the order.
	var hist []StatusChange
	for _, inst := range append(slices.Clone(svc.History), svc.Info) {
		st, ok := statusFromURI(inst.Status)
		t, err := parseXMLTime(inst.StartTime)
		if !ok || err != nil {
			continue
		}
		hist = append(hist, StatusChange{Status: st, EffectiveFrom: t, RecordedAt: t})
	}
	slices.SortStableFunc(hist, func(x, y StatusChange) int { return x.EffectiveFrom.Compare(y.EffectiveFrom) })
	if len(hist) == 0 {
		return nil, idents, keys
	}
	a.History = hist
	a.ValidFrom = hist[0].EffectiveFrom
	if parts := strings.Split(validity, "/"); len(parts) == 5 {
		if t, err := parseXMLTime(parts[0]); err == nil {
			a.ValidFrom = t
		}
		if parts[1] != "" {
			if t, err := parseXMLTime(parts[1]); err == nil {
				a.ValidUntil = t
			}
		}
		if jurisdictionRE.MatchString(parts[2]) {
			a.Jurisdiction = parts[2]
		}
		a.Scope.MaxIAL, _ = ParseIAL(parts[3])
		a.Scope.MaxAAL, _ = ParseAAL(parts[4])
	}
	a.Status, a.StatusReason = statusNow(hist, time.Now())
	if len(a.Scope.CredentialTypes) == 0 && a.Role != RoleIdentityProvider {
		return nil, idents, keys
	}
	return &a, idents, keys
}

// ImportXML records the entities of an ETSI TS 119 612 list (from
// another ThaiTrust registry's ExportXML, or a real-world list with
// opts.ServiceTypes) as recognised for opts.Types. XAdES signatures are
// not verified, so it requires opts.UnsafeUnsignedXML: the caller
// vouches that the file is authentic. Sequence numbers and staleness are
// checked as for Import.
func (s *Service) ImportXML(ctx context.Context, actor string, data []byte, opts ImportOptions) (ImportResult, error) {
	if !opts.UnsafeUnsignedXML {
		return ImportResult{}, invalid("import: 119 612 XAdES signatures are not verified; authenticate the file and set UnsafeUnsignedXML")
	}
	doc, err := ParseTrustListXML(data, opts.ServiceTypes)
	if err != nil {
		return ImportResult{}, err
	}
	return s.importList(ctx, actor, doc, opts)
}
