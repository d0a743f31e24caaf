package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/thaitrust/thaitrust/holder"
	"github.com/thaitrust/thaitrust/schemas"
)

// The issuer console's form is generated from the credential type's JSON
// Schema (schemas.Type.Schema): one input per leaf member of
// credentialSubject (and of evidence, for identity types), fieldsets for
// objects, rows for arrays, a select for enumerations and booleans.
// Inputs are named by the JSON pointer of the member in the credential
// document ("v:/credentialSubject/student/pid"), so the issuer's
// validation errors, which name a JSON pointer, land on their input.
// Adding and removing array rows are submit buttons that re-render the
// form on the server: the form works without scripts.
//
// The form does not enforce the schema (the issuer validates every
// document it signs); it only turns text into the JSON types the schema
// names, and reports the text it cannot turn (a number that is not one).

// formNode is a schema node reduced to what a form needs.
type formNode struct {
	Name        string // member name; "" for array items
	Kind        string // object, array, string, textarea, number, integer, boolean, enum, json
	Required    bool
	Enum        []string
	Format      string // JSON Schema format: date, date-time, ...
	Description string
	MinItems    int
	Props       []*formNode
	Items       *formNode
}

// Kinds of formNode.
const (
	kindObject   = "object"
	kindArray    = "array"
	kindString   = "string"
	kindTextarea = "textarea"
	kindNumber   = "number"
	kindInteger  = "integer"
	kindBoolean  = "boolean"
	kindEnum     = "enum"
	kindJSON     = "json"
)

// maxFormDepth bounds the nesting the form generator follows (the
// catalogue's deepest member is about 6 levels down).
const maxFormDepth = 12

// typeForm is a credential type's form: its roots are members of the
// credential document.
type typeForm struct {
	Type  schemas.Type
	Roots []*formNode // credentialSubject, then evidence when the type has it, then validUntil
	// labels maps SD-JWT claim paths ("student/name/th/given", with "*"
	// for array elements) to their labels, from the type metadata.
	labels map[string]map[string]string
}

// newTypeForm builds the form of a catalogue type.
func newTypeForm(t schemas.Type) (*typeForm, error) {
	root, err := decodeOrdered(t.Schema)
	if err != nil {
		return nil, fmt.Errorf("web: schema of %s: %w", t.Name, err)
	}
	obj, ok := root.(*omap)
	if !ok {
		return nil, fmt.Errorf("web: schema of %s is not an object", t.Name)
	}
	r := &schemaResolver{root: obj}
	props, _ := obj.get("properties").(*omap)
	if props == nil {
		return nil, fmt.Errorf("web: schema of %s has no properties", t.Name)
	}
	required := stringSet(obj.get("required"))
	f := &typeForm{Type: t, labels: map[string]map[string]string{}}
	for _, name := range []string{"credentialSubject", "evidence"} {
		s, ok := props.get(name).(*omap)
		if !ok {
			continue
		}
		n, err := r.node(name, []schemaAt{{s, obj}}, 0)
		if err != nil {
			return nil, fmt.Errorf("web: schema of %s: %w", t.Name, err)
		}
		n.Required = required[name]
		f.Roots = append(f.Roots, n)
	}
	if len(f.Roots) == 0 || f.Roots[0].Name != "credentialSubject" {
		return nil, fmt.Errorf("web: schema of %s has no credentialSubject", t.Name)
	}
	f.Roots = append(f.Roots, &formNode{Name: "validUntil", Kind: kindString, Format: "date-time"})
	if md, ok := schemas.TypeMetadata(t.Name); ok {
		for _, c := range md.Claims {
			parts := make([]string, len(c.Path))
			for i, p := range c.Path {
				switch p := p.(type) {
				case string:
					parts[i] = p
				default:
					parts[i] = "*"
				}
			}
			l := map[string]string{}
			for _, d := range c.Display {
				l[d.Locale] = d.Label
			}
			f.labels[strings.Join(parts, "/")] = l
		}
	}
	return f, nil
}

// label names the member at ptr (a pointer into the credential
// document) in Thai and English: the type metadata's label, else the
// wallet's built-in label of the member name, else the name in words.
func (f *typeForm) label(ptr string) map[string]string {
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	last := toks[len(toks)-1]
	if len(toks) > 1 && toks[0] == "credentialSubject" {
		claim := make([]string, 0, len(toks)-1)
		for i, t := range toks[1:] {
			switch {
			case isIndex(t):
				claim = append(claim, "*")
			case i == 0:
				claim = append(claim, schemas.SDJWTName(f.Type.Name, t))
			default:
				claim = append(claim, t)
			}
		}
		if l, ok := f.labels[strings.Join(claim, "/")]; ok && l["th"] != "" && l["en"] != "" {
			return l
		}
	}
	if isIndex(last) {
		n, _ := strconv.Atoi(last)
		return map[string]string{"th": "รายการที่ " + strconv.Itoa(n+1), "en": "Item " + strconv.Itoa(n+1)}
	}
	switch ptr {
	case "/credentialSubject":
		return map[string]string{"th": "ข้อมูลในเอกสาร", "en": "Credential subject"}
	case "/evidence":
		return map[string]string{"th": "หลักฐานการพิสูจน์ตัวตน", "en": "Identity proofing evidence"}
	case "/validUntil":
		return map[string]string{"th": "ใช้ได้ถึง (ไม่กรอก: ตามค่าเริ่มต้นของประเภทเอกสาร)", "en": "Valid until (empty: the type's default)"}
	}
	if last == "id" {
		// Not the credential's id (holder.ClaimLabel's "id"): a member's.
		return map[string]string{"th": "ตัวระบุ (URI)", "en": "identifier (URI)"}
	}
	if l := holder.ClaimLabel("/" + last); l["th"] != "" && l["th"] != l["en"] {
		return l
	}
	if l, ok := formLabels[last]; ok {
		return map[string]string{"th": l[0], "en": l[1]}
	}
	w := words(last)
	return map[string]string{"th": w, "en": w}
}

// formLabels name the members the type metadata and the wallet's
// built-in labels leave unnamed.
var formLabels = map[string][2]string{
	"amount":              {"จำนวนเงิน", "amount"},
	"authoritativeSource": {"แหล่งข้อมูลต้นทาง", "authoritative source"},
	"building":            {"อาคาร", "building"},
	"conditions":          {"เงื่อนไข", "conditions"},
	"creditHours":         {"หน่วยกิต (บรรยาย-ปฏิบัติ-ศึกษาด้วยตนเอง)", "credit hours"},
	"currency":            {"สกุลเงิน", "currency"},
	"decision":            {"ผลการเปรียบเทียบ", "decision"},
	"digestSRI":           {"ค่าแฮชของ schema (SRI)", "schema digest (SRI)"},
	"excludedActions":     {"การกระทำที่ยกเว้น", "excluded actions"},
	"falseMatchRate":      {"อัตราการยอมรับผิด (FMR)", "false match rate"},
	"idpId":               {"ผู้ให้บริการยืนยันตัวตน (IdP)", "identity provider (IdP)"},
	"issuingState":        {"ประเทศที่ออก", "issuing state"},
	"lifelong":            {"ตลอดชีพ", "lifelong"},
	"livenessPerformed":   {"ตรวจการมีชีวิต (liveness) แล้ว", "liveness checked"},
	"matchResult":         {"ผลการเปรียบเทียบใบหน้า", "face match result"},
	"maxAmount":           {"วงเงินสูงสุด", "maximum amount"},
	"maxDepth":            {"จำนวนชั้นสูงสุด", "maximum depth"},
	"moveInDatePrecision": {"ความละเอียดของวันที่ย้ายเข้า", "move-in date precision"},
	"proofedAt":           {"วันเวลาที่พิสูจน์ตัวตน", "proofed at"},
	"proofingMethod":      {"วิธีพิสูจน์ตัวตน", "proofing method"},
	"score":               {"คะแนน", "score"},
	"village":             {"หมู่บ้าน", "village"},
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// words turns a member name into words: "registeredCapital" ->
// "registered capital", "age_equal_or_over" -> "age equal or over".
func words(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_' || r == '-':
			b.WriteByte(' ')
		case unicode.IsUpper(r) && i > 0:
			b.WriteByte(' ')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// schemaResolver resolves $refs in a bundled schema: "common.json#/..."
// names the embedded resource whose $id ends in /common.json, "#/..." the
// resource the reference is in.
type schemaResolver struct {
	root *omap
}

func (r *schemaResolver) resource(base string, current *omap) (*omap, error) {
	if base == "" {
		return current, nil
	}
	if id, _ := r.root.get("$id").(string); strings.HasSuffix(id, "/"+base) || id == base {
		return r.root, nil
	}
	defs, _ := r.root.get("$defs").(*omap)
	if defs != nil {
		for _, k := range defs.keys {
			d, _ := defs.vals[k].(*omap)
			if d == nil {
				continue
			}
			if id, _ := d.get("$id").(string); strings.HasSuffix(id, "/"+base) || id == base {
				return d, nil
			}
		}
	}
	return nil, fmt.Errorf("unresolvable $ref base %q", base)
}

func (r *schemaResolver) resolve(ref string, current *omap) (*omap, *omap, error) {
	base, frag, _ := strings.Cut(ref, "#")
	res, err := r.resource(base, current)
	if err != nil {
		return nil, nil, err
	}
	var v any = res
	for _, tok := range strings.Split(strings.TrimPrefix(frag, "/"), "/") {
		if tok == "" {
			continue
		}
		m, ok := v.(*omap)
		if !ok {
			return nil, nil, fmt.Errorf("unresolvable $ref %q", ref)
		}
		v = m.get(strings.NewReplacer("~1", "/", "~0", "~").Replace(tok))
	}
	m, ok := v.(*omap)
	if !ok {
		return nil, nil, fmt.Errorf("unresolvable $ref %q", ref)
	}
	return m, res, nil
}

// merged is a schema node with its $ref and allOf folded in: the members
// a form uses, siblings of $ref taking precedence.
type merged struct {
	types       []string
	enum        []any
	format      string
	description string
	maxLength   int
	minItems    int
	props       []string
	propSchemas map[string][]schemaAt
	required    map[string]bool
	items       *schemaAt
}

// schemaAt is a schema and the resource its relative $refs resolve in.
type schemaAt struct {
	s, res *omap
}

func (r *schemaResolver) merge(s, res *omap, m *merged, depth int) error {
	if depth > maxFormDepth {
		return errors.New("schema nests too deeply")
	}
	if ref, ok := s.get("$ref").(string); ok {
		t, tres, err := r.resolve(ref, res)
		if err != nil {
			return err
		}
		if err := r.merge(t, tres, m, depth+1); err != nil {
			return err
		}
	}
	if all, ok := s.get("allOf").([]any); ok {
		for _, a := range all {
			if am, ok := a.(*omap); ok {
				if err := r.merge(am, res, m, depth+1); err != nil {
					return err
				}
			}
		}
	}
	switch t := s.get("type").(type) {
	case string:
		m.types = []string{t}
	case []any:
		m.types = nil
		for _, x := range t {
			if xs, ok := x.(string); ok {
				m.types = append(m.types, xs)
			}
		}
	}
	if e, ok := s.get("enum").([]any); ok {
		m.enum = e
	}
	if f, ok := s.get("format").(string); ok {
		m.format = f
	}
	if d, ok := s.get("description").(string); ok {
		m.description = d
	}
	if n, ok := s.get("maxLength").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			m.maxLength = int(i)
		}
	}
	if n, ok := s.get("minItems").(json.Number); ok {
		if i, err := n.Int64(); err == nil {
			m.minItems = int(i)
		}
	}
	for k := range stringSet(s.get("required")) {
		if m.required == nil {
			m.required = map[string]bool{}
		}
		m.required[k] = true
	}
	if p, ok := s.get("properties").(*omap); ok {
		if m.propSchemas == nil {
			m.propSchemas = map[string][]schemaAt{}
		}
		for _, k := range p.keys {
			ps, ok := p.vals[k].(*omap)
			if !ok {
				continue // false: the member is not allowed
			}
			if _, seen := m.propSchemas[k]; !seen {
				m.props = append(m.props, k)
			}
			// A member described twice (by a referenced schema and a
			// sibling that refines it) is both: node merges the parts,
			// each with the resource its $refs resolve in.
			m.propSchemas[k] = append(m.propSchemas[k], schemaAt{ps, res})
		}
	}
	if it, ok := s.get("items").(*omap); ok {
		m.items = &schemaAt{it, res}
	}
	return nil
}

// node builds the form node of member name described by parts (one
// schema, or several that all apply).
func (r *schemaResolver) node(name string, parts []schemaAt, depth int) (*formNode, error) {
	if depth > maxFormDepth {
		return nil, errors.New("schema nests too deeply")
	}
	var m merged
	for _, p := range parts {
		if err := r.merge(p.s, p.res, &m, depth); err != nil {
			return nil, err
		}
	}
	n := &formNode{Name: name, Format: m.format, Description: m.description, MinItems: m.minItems}
	isType := func(t string) bool {
		return len(m.types) == 1 && m.types[0] == t
	}
	switch {
	case len(m.enum) > 0:
		n.Kind = kindEnum
		for _, e := range m.enum {
			es, ok := e.(string)
			if !ok {
				n.Kind = kindJSON
				n.Enum = nil
				break
			}
			n.Enum = append(n.Enum, es)
		}
	case isType("object") || (len(m.types) == 0 && len(m.props) > 0):
		if len(m.props) == 0 {
			n.Kind = kindJSON
			break
		}
		n.Kind = kindObject
		for _, k := range m.props {
			c, err := r.node(k, m.propSchemas[k], depth+1)
			if err != nil {
				return nil, err
			}
			c.Required = m.required[k]
			n.Props = append(n.Props, c)
		}
	case isType("array"):
		if m.items == nil {
			n.Kind = kindJSON
			break
		}
		n.Kind = kindArray
		it, err := r.node("", []schemaAt{*m.items}, depth+1)
		if err != nil {
			return nil, err
		}
		n.Items = it
	case isType("string") || (len(m.types) == 0 && m.format != ""):
		n.Kind = kindString
		if m.maxLength > 10000 {
			n.Kind = kindTextarea
		}
	case isType("number"):
		n.Kind = kindNumber
	case isType("integer"):
		n.Kind = kindInteger
	case isType("boolean"):
		n.Kind = kindBoolean
	default:
		n.Kind = kindJSON
	}
	return n, nil
}

// formState is what a form holds: the text of each input by the JSON
// pointer of its member, and the number of rows of each array.
type formState struct {
	Values map[string]string
	Rows   map[string]int
}

func newFormState() *formState {
	return &formState{Values: map[string]string{}, Rows: map[string]int{}}
}

// Form input names: the value of the member at a pointer, the row count
// of the array at a pointer, and the buttons that add and remove rows.
const (
	prefixValue = "v:"
	prefixRows  = "n:"
	buttonAdd   = "_add"
	buttonDel   = "_remove"
)

// maxRows bounds the rows of one array, and maxFormValues the inputs of
// a form: a posted form is read only that far.
const (
	maxRows       = 200
	maxFormValues = 5000
)

// stateFromForm reads the inputs of a posted form.
func stateFromForm(form map[string][]string) *formState {
	st := newFormState()
	n := 0
	for k, vs := range form {
		if n++; n > maxFormValues || len(vs) == 0 {
			continue
		}
		switch {
		case strings.HasPrefix(k, prefixValue):
			st.Values[strings.TrimPrefix(k, prefixValue)] = vs[0]
		case strings.HasPrefix(k, prefixRows):
			if c, err := strconv.Atoi(vs[0]); err == nil && c >= 0 && c <= maxRows {
				st.Rows[strings.TrimPrefix(k, prefixRows)] = c
			}
		}
	}
	return st
}

// fill sets the state from a credential document (the type's example).
func (f *typeForm) fill(doc map[string]any) *formState {
	st := newFormState()
	for _, n := range f.Roots {
		if v, ok := doc[n.Name]; ok {
			st.flatten(n, "/"+n.Name, v)
		}
	}
	return st
}

func (st *formState) flatten(n *formNode, ptr string, v any) {
	switch n.Kind {
	case kindObject:
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		for _, c := range n.Props {
			if cv, ok := m[c.Name]; ok {
				st.flatten(c, ptr+"/"+c.Name, cv)
			}
		}
	case kindArray:
		a, ok := v.([]any)
		if !ok {
			return
		}
		st.Rows[ptr] = len(a)
		for i, x := range a {
			st.flatten(n.Items, ptr+"/"+strconv.Itoa(i), x)
		}
	case kindJSON:
		b, err := json.Marshal(v)
		if err == nil {
			st.Values[ptr] = string(b)
		}
	default:
		switch x := v.(type) {
		case string:
			st.Values[ptr] = x
		case bool:
			st.Values[ptr] = strconv.FormatBool(x)
		case json.Number:
			st.Values[ptr] = x.String()
		case float64:
			st.Values[ptr] = strconv.FormatFloat(x, 'f', -1, 64)
		}
	}
}

// rows returns the rows an array shows: as many as the state says, else
// its minimum (at least one for a required array).
func (st *formState) rows(n *formNode, ptr string) int {
	if c, ok := st.Rows[ptr]; ok {
		return c
	}
	if n.MinItems > 0 {
		return min(n.MinItems, maxRows)
	}
	return 0
}

// addRow adds an empty row to the array at ptr.
func (f *typeForm) addRow(st *formState, ptr string) {
	n := f.nodeAt(ptr)
	if n == nil || n.Kind != kindArray {
		return
	}
	if c := st.rows(n, ptr); c < maxRows {
		st.Rows[ptr] = c + 1
	}
}

// removeRow removes row ptr (".../array/i") and renumbers the rows
// after it.
func (f *typeForm) removeRow(st *formState, ptr string) {
	i := strings.LastIndexByte(ptr, '/')
	if i < 0 || !isIndex(ptr[i+1:]) {
		return
	}
	arr, idx := ptr[:i], ptr[i+1:]
	n := f.nodeAt(arr)
	if n == nil || n.Kind != kindArray {
		return
	}
	k, _ := strconv.Atoi(idx)
	c := st.rows(n, arr)
	if k >= c {
		return
	}
	rename := func(key string) (string, bool) {
		rest, ok := strings.CutPrefix(key, arr+"/")
		if !ok {
			return key, true
		}
		head, tail, _ := strings.Cut(rest, "/")
		j, err := strconv.Atoi(head)
		if err != nil {
			return key, true
		}
		switch {
		case j < k:
			return key, true
		case j == k:
			return "", false
		}
		nk := arr + "/" + strconv.Itoa(j-1)
		if tail != "" || strings.HasSuffix(rest, "/") {
			nk += "/" + tail
		}
		return nk, true
	}
	vals := map[string]string{}
	for key, v := range st.Values {
		if nk, keep := rename(key); keep {
			vals[nk] = v
		}
	}
	rows := map[string]int{}
	for key, v := range st.Rows {
		if nk, keep := rename(key); keep {
			rows[nk] = v
		}
	}
	rows[arr] = c - 1
	st.Values, st.Rows = vals, rows
}

// nodeAt returns the node of the member at a pointer (array indexes
// stand for the items).
func (f *typeForm) nodeAt(ptr string) *formNode {
	toks := strings.Split(strings.TrimPrefix(ptr, "/"), "/")
	var n *formNode
	for _, r := range f.Roots {
		if r.Name == toks[0] {
			n = r
		}
	}
	for _, t := range toks[1:] {
		if n == nil {
			return nil
		}
		switch n.Kind {
		case kindObject:
			var next *formNode
			for _, c := range n.Props {
				if c.Name == t {
					next = c
				}
			}
			n = next
		case kindArray:
			if !isIndex(t) {
				return nil
			}
			n = n.Items
		default:
			return nil
		}
	}
	return n
}

// document builds the credential document the form describes: the
// type's @context and type, and every member with a value. Empty inputs
// are left out; an object or array with nothing in it is left out. errs
// maps pointers to the reason a value could not be read (not a number,
// not JSON).
func (f *typeForm) document(st *formState) (doc map[string]any, errs map[string]string) {
	errs = map[string]string{}
	var ex map[string]any
	_ = json.Unmarshal(f.Type.Example, &ex)
	doc = map[string]any{"@context": ex["@context"], "type": ex["type"]}
	for _, n := range f.Roots {
		if v, ok := st.build(n, "/"+n.Name, errs); ok {
			doc[n.Name] = v
		}
	}
	if _, ok := doc["credentialSubject"]; !ok {
		doc["credentialSubject"] = map[string]any{}
	}
	return doc, errs
}

func (st *formState) build(n *formNode, ptr string, errs map[string]string) (any, bool) {
	switch n.Kind {
	case kindObject:
		out := map[string]any{}
		for _, c := range n.Props {
			if v, ok := st.build(c, ptr+"/"+c.Name, errs); ok {
				out[c.Name] = v
			}
		}
		return out, len(out) > 0
	case kindArray:
		var out []any
		for i := range st.rows(n, ptr) {
			if v, ok := st.build(n.Items, ptr+"/"+strconv.Itoa(i), errs); ok {
				out = append(out, v)
			}
		}
		return out, len(out) > 0
	}
	s := strings.TrimSpace(st.Values[ptr])
	if s == "" {
		return nil, false
	}
	switch n.Kind {
	case kindNumber, kindInteger:
		if !numberRE.MatchString(s) {
			errs[ptr] = "number"
			return nil, false
		}
		if n.Kind == kindInteger {
			if _, ok := new(big.Int).SetString(s, 10); !ok {
				errs[ptr] = "integer"
				return nil, false
			}
		}
		return json.Number(s), true
	case kindBoolean:
		switch s {
		case "true":
			return true, true
		case "false":
			return false, true
		}
		errs[ptr] = "boolean"
		return nil, false
	case kindJSON:
		dec := json.NewDecoder(strings.NewReader(s))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			errs[ptr] = "json"
			return nil, false
		}
		return v, true
	}
	return s, true
}

// numberRE is a JSON number.
var numberRE = regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$`)

// omap is a JSON object that keeps its members' order (the order of
// a schema's properties is the order of the form's inputs).
type omap struct {
	keys []string
	vals map[string]any
}

func (m *omap) get(k string) any {
	if m == nil {
		return nil
	}
	return m.vals[k]
}

// decodeOrdered decodes JSON with objects as *omap and numbers as
// json.Number.
func decodeOrdered(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec, 0)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("trailing data")
	}
	return v, nil
}

func decodeValue(dec *json.Decoder, depth int) (any, error) {
	if depth > 64 {
		return nil, errors.New("nested too deeply")
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := &omap{vals: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				if _, dup := m.vals[k]; !dup {
					m.keys = append(m.keys, k)
				}
				m.vals[k] = v
			}
			_, err := dec.Token()
			return m, err
		case '[':
			var a []any
			for dec.More() {
				v, err := decodeValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	}
	return tok, nil
}

// stringSet reads a JSON array of strings as a set.
func stringSet(v any) map[string]bool {
	a, _ := v.([]any)
	out := map[string]bool{}
	for _, x := range a {
		if s, ok := x.(string); ok {
			out[s] = true
		}
	}
	return out
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
