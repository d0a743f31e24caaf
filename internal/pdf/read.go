package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"io"
	"strconv"
)

// Entry is one cross-reference entry.
type Entry struct {
	Type   byte  // 0 free, 1 in use at Offset, 2 in object stream Stream at Index
	Offset int64 // type 1
	Gen    int   // type 1
	Stream int   // type 2: object number of the object stream
	Index  int   // type 2
}

// Revision is one cross-reference section and its trailer: the original
// file, or one incremental update.
type Revision struct {
	XrefOffset int64 // where its xref table or stream starts
	End        int64 // offset just after its %%EOF (and end-of-line)
	Trailer    Dict
	Entries    map[int]Entry // objects this revision defines or frees
	XrefStream bool          // the section is a cross-reference stream
}

// File is a parsed PDF file. It holds data; do not modify data while the
// File is in use.
type File struct {
	Data      []byte
	Revisions []*Revision // oldest first
	StartXref int64       // offset of the newest section
	Trailer   Dict        // the newest trailer

	cache   map[cacheKey]Object
	objStm  map[int][]byte // decoded object streams
	decoded int64          // bytes decoded so far (bounded by MaxDecoded)
}

// MaxDecoded bounds the bytes one File decodes in all (cross-reference
// and object streams).
const MaxDecoded = 64 << 20

type cacheKey struct {
	rev, num int
}

// Open parses the cross-reference sections of a PDF file.
func Open(data []byte) (*File, error) {
	f := &File{Data: data, cache: map[cacheKey]Object{}, objStm: map[int][]byte{}}
	if !bytes.HasPrefix(data, []byte("%PDF-")) {
		return nil, errorf("no %%PDF- header")
	}
	start, err := lastStartXref(data)
	if err != nil {
		return nil, err
	}
	f.StartXref = start
	seen := map[int64]bool{}
	var revs []*Revision
	for off := start; ; {
		if seen[off] {
			return nil, errorf("cross-reference sections form a loop")
		}
		seen[off] = true
		if len(revs) >= MaxRevisions {
			return nil, errorf("more than %d revisions", MaxRevisions)
		}
		rev, err := f.readSection(off)
		if err != nil {
			return nil, err
		}
		revs = append(revs, rev)
		prev, ok := rev.Trailer["Prev"]
		if !ok {
			break
		}
		p, isInt := prev.(int64)
		if !isInt || p < 0 || p >= int64(len(data)) {
			return nil, errorf("bad /Prev")
		}
		off = p
	}
	// Oldest first.
	for i, j := 0, len(revs)-1; i < j; i, j = i+1, j-1 {
		revs[i], revs[j] = revs[j], revs[i]
	}
	f.Revisions = revs
	f.Trailer = revs[len(revs)-1].Trailer
	// Each revision ends at the first %%EOF after its section; they must
	// be in file order.
	var last int64
	for _, r := range revs {
		end, err := eofAfter(data, r.XrefOffset)
		if err != nil {
			return nil, err
		}
		if end <= last {
			return nil, errorf("revisions are not in file order")
		}
		r.End, last = end, end
	}
	if _, ok := f.Trailer["Root"].(Ref); !ok {
		return nil, errorf("trailer has no /Root")
	}
	return f, nil
}

// lastStartXref finds the offset named by the last startxref.
func lastStartXref(data []byte) (int64, error) {
	tail := data
	if len(tail) > 2048 {
		tail = tail[len(tail)-2048:]
	}
	i := bytes.LastIndex(tail, []byte("startxref"))
	if i < 0 {
		return 0, errorf("no startxref")
	}
	p := &parser{data: tail, pos: i + len("startxref")}
	n, err := strconv.ParseInt(string(p.token()), 10, 64)
	if err != nil || n <= 0 || n >= int64(len(data)) {
		return 0, errorf("bad startxref")
	}
	for p.pos < len(tail) && isSpace(tail[p.pos]) {
		p.pos++
	}
	if !bytes.HasPrefix(tail[p.pos:], []byte("%%EOF")) {
		return 0, errorf("startxref not followed by %%%%EOF")
	}
	return n, nil
}

// eofAfter returns the offset just after the first %%EOF (and its end of
// line) after off.
func eofAfter(data []byte, off int64) (int64, error) {
	i := bytes.Index(data[off:], []byte("%%EOF"))
	if i < 0 {
		return 0, errorf("no %%%%EOF after offset %d", off)
	}
	end := off + int64(i) + 5
	if end < int64(len(data)) && data[end] == '\r' {
		end++
	}
	if end < int64(len(data)) && data[end] == '\n' {
		end++
	}
	return end, nil
}

func (f *File) readSection(off int64) (*Revision, error) {
	p := &parser{data: f.Data, pos: int(off)}
	save := p.pos
	if string(p.token()) == "xref" {
		return f.readTable(p, off)
	}
	p.pos = save
	// A cross-reference stream: "n g obj << ... >> stream".
	num, _, o, err := p.indirect()
	if err != nil {
		return nil, err
	}
	s, ok := o.(*Stream)
	if !ok || s.Dict.Name("Type") != "XRef" {
		return nil, errorf("startxref %d points at neither xref nor an XRef stream", off)
	}
	rev := &Revision{XrefOffset: off, Trailer: s.Dict, Entries: map[int]Entry{}, XrefStream: true}
	if err := f.parseXrefStream(s, rev); err != nil {
		return nil, err
	}
	_ = num
	return rev, nil
}

// indirect parses "n g obj <object> endobj".
func (p *parser) indirect() (int, int, Object, error) {
	n, err1 := strconv.Atoi(string(p.token()))
	g, err2 := strconv.Atoi(string(p.token()))
	if err1 != nil || err2 != nil || n < 0 || g < 0 || string(p.token()) != "obj" {
		return 0, 0, nil, errorf("no object header at offset %d", p.pos)
	}
	o, err := p.object(0)
	if err != nil {
		return 0, 0, nil, err
	}
	if err := p.expect("endobj"); err != nil {
		return 0, 0, nil, err
	}
	return n, g, o, nil
}

func (f *File) readTable(p *parser, off int64) (*Revision, error) {
	rev := &Revision{XrefOffset: off, Entries: map[int]Entry{}}
	for {
		save := p.pos
		t := p.token()
		if string(t) == "trailer" {
			break
		}
		start, err1 := strconv.Atoi(string(t))
		count, err2 := strconv.Atoi(string(p.token()))
		if err1 != nil || err2 != nil || start < 0 || count < 0 || start+count > MaxObjects {
			return nil, errorf("bad xref subsection at offset %d", save)
		}
		if len(rev.Entries)+count > MaxObjects {
			return nil, errorf("too many objects")
		}
		for i := 0; i < count; i++ {
			o, err3 := strconv.ParseInt(string(p.token()), 10, 64)
			g, err4 := strconv.Atoi(string(p.token()))
			kind := p.token()
			if err3 != nil || err4 != nil || len(kind) != 1 || (kind[0] != 'n' && kind[0] != 'f') {
				return nil, errorf("bad xref entry %d", start+i)
			}
			e := Entry{Type: 0, Gen: g}
			if kind[0] == 'n' {
				if o < 0 || o >= int64(len(f.Data)) {
					return nil, errorf("xref entry %d points outside the file", start+i)
				}
				e = Entry{Type: 1, Offset: o, Gen: g}
			}
			rev.Entries[start+i] = e
		}
	}
	t, err := p.object(0)
	if err != nil {
		return nil, err
	}
	d, ok := t.(Dict)
	if !ok {
		return nil, errorf("trailer is not a dictionary")
	}
	rev.Trailer = d
	return rev, nil
}

func (f *File) parseXrefStream(s *Stream, rev *Revision) error {
	data, err := f.decode(s)
	if err != nil {
		return err
	}
	w, ok := s.Dict["W"].(Array)
	if !ok || len(w) != 3 {
		return errorf("XRef stream without /W")
	}
	var ws [3]int
	total := 0
	for i, x := range w {
		n, ok := x.(int64)
		if !ok || n < 0 || n > 8 {
			return errorf("bad /W")
		}
		ws[i] = int(n)
		total += int(n)
	}
	if total == 0 {
		return errorf("bad /W")
	}
	size, ok := s.Dict.Int("Size")
	if !ok || size < 0 || size > MaxObjects {
		return errorf("bad /Size")
	}
	index := Array{int64(0), size}
	if ix, ok := s.Dict["Index"].(Array); ok {
		index = ix
	}
	if len(index)%2 != 0 {
		return errorf("bad /Index")
	}
	pos := 0
	for i := 0; i < len(index); i += 2 {
		start, ok1 := index[i].(int64)
		count, ok2 := index[i+1].(int64)
		if !ok1 || !ok2 || start < 0 || count < 0 || start+count > MaxObjects {
			return errorf("bad /Index")
		}
		for j := int64(0); j < count; j++ {
			if pos+total > len(data) {
				return errorf("XRef stream too short")
			}
			field := func(k, def int) int64 {
				if ws[k] == 0 {
					return int64(def)
				}
				var v int64
				for _, b := range data[pos : pos+ws[k]] {
					v = v<<8 | int64(b)
				}
				pos += ws[k]
				return v
			}
			typ, f2, f3 := field(0, 1), field(1, 0), field(2, 0)
			n := int(start + j)
			switch typ {
			case 0:
				rev.Entries[n] = Entry{Type: 0}
			case 1:
				rev.Entries[n] = Entry{Type: 1, Offset: f2, Gen: int(f3)}
			case 2:
				if f2 < 0 || f2 >= MaxObjects || f3 < 0 || f3 >= MaxObjects {
					return errorf("bad compressed entry")
				}
				rev.Entries[n] = Entry{Type: 2, Stream: int(f2), Index: int(f3)}
			default:
				// unknown types are treated as null references
			}
		}
	}
	return nil
}

// Size returns the /Size of the newest trailer.
func (f *File) Size() int {
	n, _ := f.Trailer.Int("Size")
	return int(n)
}

// Root returns the document catalog's reference.
func (f *File) Root() Ref {
	r, _ := f.Trailer["Root"].(Ref)
	return r
}

// Lookup returns the cross-reference entry for num as of revision rev
// (an index into Revisions): the newest definition at or before it.
func (f *File) Lookup(rev, num int) (Entry, int, bool) {
	for i := rev; i >= 0; i-- {
		if e, ok := f.Revisions[i].Entries[num]; ok {
			return e, i, true
		}
	}
	return Entry{}, 0, false
}

// Resolve returns the object r refers to as of the newest revision, or o
// itself when it is not a reference.
func (f *File) Resolve(o Object) (Object, error) {
	return f.ResolveAt(len(f.Revisions)-1, o)
}

// ResolveAt is Resolve as of revision rev.
func (f *File) ResolveAt(rev int, o Object) (Object, error) {
	for hops := 0; ; hops++ {
		r, ok := o.(Ref)
		if !ok {
			return o, nil
		}
		if hops > 8 {
			return nil, errorf("reference chain too long")
		}
		var err error
		if o, err = f.object(rev, r, 0); err != nil {
			return nil, err
		}
	}
}

// Get resolves a reference and returns a dictionary (a stream's
// dictionary for a stream); nil when it is neither.
func (f *File) GetDict(o Object) Dict {
	o, err := f.Resolve(o)
	if err != nil {
		return nil
	}
	switch x := o.(type) {
	case Dict:
		return x
	case *Stream:
		return x.Dict
	}
	return nil
}

// ObjectSpan returns the byte range [start, end) of indirect object num as
// written in revision rev (only for objects stored at an offset).
func (f *File) ObjectSpan(rev, num int) (int64, int64, error) {
	e, _, ok := f.Lookup(rev, num)
	if !ok || e.Type != 1 {
		return 0, 0, errorf("object %d is not stored at an offset", num)
	}
	p := &parser{data: f.Data, pos: int(e.Offset), length: f.lengthResolver(rev, 1)}
	if _, _, _, err := p.indirect(); err != nil {
		return 0, 0, err
	}
	return e.Offset, int64(p.pos), nil
}

func (f *File) lengthResolver(rev, depth int) func(Ref) (int64, error) {
	return func(r Ref) (int64, error) {
		if depth > 2 {
			return 0, errorf("stream length refers to a stream")
		}
		o, err := f.object(rev, r, depth+1)
		if err != nil {
			return 0, err
		}
		n, ok := o.(int64)
		if !ok {
			return 0, errorf("stream length is not an integer")
		}
		return n, nil
	}
}

func (f *File) object(rev int, r Ref, depth int) (Object, error) {
	if depth > 4 {
		return nil, errorf("object lookups nested too deeply")
	}
	e, at, ok := f.Lookup(rev, r.Num)
	if !ok || e.Type == 0 {
		return nil, nil // a missing or free object is null
	}
	key := cacheKey{at, r.Num}
	if o, ok := f.cache[key]; ok {
		return o, nil
	}
	var o Object
	switch e.Type {
	case 1:
		if e.Gen != r.Gen {
			return nil, nil
		}
		p := &parser{data: f.Data, pos: int(e.Offset), length: f.lengthResolver(at, depth)}
		n, g, obj, err := p.indirect()
		if err != nil {
			return nil, err
		}
		if n != r.Num || g != r.Gen {
			return nil, errorf("xref entry for %d %d points at object %d %d", r.Num, r.Gen, n, g)
		}
		o = obj
	case 2:
		if r.Gen != 0 {
			return nil, nil
		}
		obj, err := f.fromObjStm(at, e, depth)
		if err != nil {
			return nil, err
		}
		o = obj
	}
	if len(f.cache) < 1<<16 {
		f.cache[key] = o
	}
	return o, nil
}

func (f *File) fromObjStm(rev int, e Entry, depth int) (Object, error) {
	so, err := f.object(rev, Ref{Num: e.Stream}, depth+1)
	if err != nil {
		return nil, err
	}
	s, ok := so.(*Stream)
	if !ok || s.Dict.Name("Type") != "ObjStm" {
		return nil, errorf("object stream %d is not an ObjStm", e.Stream)
	}
	n, ok1 := s.Dict.Int("N")
	first, ok2 := s.Dict.Int("First")
	if !ok1 || !ok2 || n < 0 || first < 0 || int64(e.Index) >= n {
		return nil, errorf("bad object stream %d", e.Stream)
	}
	data, ok := f.objStm[e.Stream]
	if !ok {
		var err error
		if data, err = f.decode(s); err != nil {
			return nil, err
		}
		f.objStm[e.Stream] = data
	}
	if first > int64(len(data)) {
		return nil, errorf("bad object stream %d", e.Stream)
	}
	p := &parser{data: data[:first]}
	var off int64 = -1
	for i := 0; i <= e.Index; i++ {
		_, err1 := strconv.Atoi(string(p.token()))
		o, err2 := strconv.ParseInt(string(p.token()), 10, 64)
		if err1 != nil || err2 != nil {
			return nil, errorf("bad object stream %d header", e.Stream)
		}
		off = o
	}
	if off < 0 || first+off > int64(len(data)) {
		return nil, errorf("bad object stream %d offset", e.Stream)
	}
	p = &parser{data: data, pos: int(first + off)}
	return p.object(0)
}

// decode is Decode within the file's budget.
func (f *File) decode(s *Stream) ([]byte, error) {
	if f.decoded > MaxDecoded {
		return nil, errorf("more than %d bytes of streams decoded", MaxDecoded)
	}
	out, err := Decode(s)
	f.decoded += int64(len(out))
	return out, err
}

// Decode returns a stream's data with its filters undone. Only
// FlateDecode (with PNG or TIFF predictor 2 parameters) is supported.
func Decode(s *Stream) ([]byte, error) {
	var filters Array
	switch x := s.Dict["Filter"].(type) {
	case nil:
		return s.Data, nil
	case Name:
		filters = Array{x}
	case Array:
		filters = x
	default:
		return nil, errorf("bad /Filter")
	}
	if len(filters) > 1 {
		return nil, errorf("chained filters are not supported")
	}
	if len(filters) == 0 {
		return s.Data, nil
	}
	if filters[0] != Name("FlateDecode") {
		return nil, errorf("filter %v is not supported", filters[0])
	}
	z, err := zlib.NewReader(bytes.NewReader(s.Data))
	if err != nil {
		return nil, errorf("flate: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(z, MaxStreamSize+1))
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, errorf("flate: %v", err)
	}
	if len(out) > MaxStreamSize {
		return nil, errorf("stream larger than %d bytes", MaxStreamSize)
	}
	parms, _ := s.Dict["DecodeParms"].(Dict)
	if parms == nil {
		return out, nil
	}
	pred, _ := parms.Int("Predictor")
	if pred <= 1 {
		return out, nil
	}
	cols, ok := parms.Int("Columns")
	if !ok {
		cols = 1
	}
	if cols <= 0 || cols > 1<<16 || pred < 10 {
		return nil, errorf("unsupported predictor")
	}
	return unpredict(out, int(cols))
}

// unpredict undoes PNG predictors (one filter byte per row).
func unpredict(data []byte, cols int) ([]byte, error) {
	row := cols + 1
	if len(data)%row != 0 {
		return nil, errorf("predicted data is not a whole number of rows")
	}
	out := make([]byte, 0, len(data)/row*cols)
	prev := make([]byte, cols)
	for i := 0; i < len(data); i += row {
		ft, cur := data[i], data[i+1:i+row]
		line := make([]byte, cols)
		for j := 0; j < cols; j++ {
			var left, up, ul byte
			if j > 0 {
				left = line[j-1]
				ul = prev[j-1]
			}
			up = prev[j]
			switch ft {
			case 0:
				line[j] = cur[j]
			case 1:
				line[j] = cur[j] + left
			case 2:
				line[j] = cur[j] + up
			case 3:
				line[j] = cur[j] + byte((int(left)+int(up))/2)
			case 4:
				line[j] = cur[j] + paeth(left, up, ul)
			default:
				return nil, errorf("bad PNG predictor %d", ft)
			}
		}
		out = append(out, line...)
		prev = line
	}
	return out, nil
}

func paeth(a, b, c byte) byte {
	p := int(a) + int(b) - int(c)
	pa, pb, pc := abs(p-int(a)), abs(p-int(b)), abs(p-int(c))
	switch {
	case pa <= pb && pa <= pc:
		return a
	case pb <= pc:
		return b
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
