package pdf

import (
	"bytes"
	"compress/zlib"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
)

// Writer writes a PDF file, or an incremental update appended to one.
type Writer struct {
	buf     []byte
	base    int64 // length of the file an update is appended to
	offsets map[int]int64
	next    int
	prev    int64 // previous startxref (updates only)
	done    bool
}

// NewWriter starts a new file with a PDF header of the given version
// (e.g. "1.7") and a comment line of four bytes above 127, marking the
// file as binary (ISO 19005 requires it).
func NewWriter(version string) *Writer {
	w := &Writer{offsets: map[int]int64{}, next: 1, prev: -1}
	w.buf = append(w.buf, "%PDF-"+version+"\n%\xE2\xE3\xCF\xD3\n"...)
	return w
}

// NewUpdate starts an incremental update of f, whose bytes are data:
// the update's bytes are appended to a copy of data. New objects are
// numbered from f's /Size on.
func NewUpdate(data []byte, f *File) *Writer {
	w := &Writer{offsets: map[int]int64{}, next: f.Size(), prev: f.StartXref}
	w.buf = make([]byte, 0, len(data)+64<<10)
	w.buf = append(w.buf, data...)
	if len(w.buf) > 0 && w.buf[len(w.buf)-1] != '\n' && w.buf[len(w.buf)-1] != '\r' {
		w.buf = append(w.buf, '\n')
	}
	w.base = int64(len(data))
	return w
}

// Alloc returns a fresh object number.
func (w *Writer) Alloc() Ref {
	r := Ref{Num: w.next}
	w.next++
	return r
}

// Offset returns the number of bytes written so far (including, for an
// update, the original file).
func (w *Writer) Offset() int64 { return int64(len(w.buf)) }

// Put writes object o as indirect object r. A *Stream gets its /Length
// set from its data.
func (w *Writer) Put(r Ref, o Object) {
	if w.done {
		panic("pdf: Put after Finish")
	}
	if r.Num >= w.next {
		w.next = r.Num + 1
	}
	w.offsets[r.Num] = int64(len(w.buf))
	w.buf = strconv.AppendInt(w.buf, int64(r.Num), 10)
	w.buf = append(w.buf, ' ')
	w.buf = strconv.AppendInt(w.buf, int64(r.Gen), 10)
	w.buf = append(w.buf, " obj\n"...)
	if s, ok := o.(*Stream); ok {
		d := s.Dict.Clone()
		d["Length"] = int64(len(s.Data))
		w.buf = appendDict(w.buf, d)
		w.buf = append(w.buf, "\nstream\n"...)
		w.buf = append(w.buf, s.Data...)
		w.buf = append(w.buf, "\nendstream"...)
	} else {
		w.buf = AppendObject(w.buf, o)
	}
	w.buf = append(w.buf, "\nendobj\n"...)
}

// Finish writes the cross-reference table and the trailer (with /Size
// set, and /Prev for an update) and returns the whole file.
func (w *Writer) Finish(trailer Dict) []byte {
	if w.done {
		panic("pdf: Finish called twice")
	}
	w.done = true
	xref := int64(len(w.buf))
	nums := make([]int, 0, len(w.offsets))
	for n := range w.offsets {
		nums = append(nums, n)
	}
	slices.Sort(nums)
	w.buf = append(w.buf, "xref\n"...)
	if w.prev < 0 {
		// A new file: one subsection from 0 with the free list head.
		w.buf = fmt.Appendf(w.buf, "0 %d\n0000000000 65535 f\r\n", w.next)
		for n := 1; n < w.next; n++ {
			off, ok := w.offsets[n]
			if !ok {
				w.buf = append(w.buf, "0000000000 00001 f\r\n"...)
				continue
			}
			w.buf = fmt.Appendf(w.buf, "%010d 00000 n\r\n", off)
		}
	} else {
		// An update: subsections of consecutive numbers.
		for i := 0; i < len(nums); {
			j := i
			for j+1 < len(nums) && nums[j+1] == nums[j]+1 {
				j++
			}
			w.buf = fmt.Appendf(w.buf, "%d %d\n", nums[i], j-i+1)
			for _, n := range nums[i : j+1] {
				w.buf = fmt.Appendf(w.buf, "%010d 00000 n\r\n", w.offsets[n])
			}
			i = j + 1
		}
	}
	t := trailer.Clone()
	t["Size"] = int64(w.next)
	if w.prev >= 0 {
		t["Prev"] = w.prev
	}
	w.buf = append(w.buf, "trailer\n"...)
	w.buf = appendDict(w.buf, t)
	w.buf = fmt.Appendf(w.buf, "\nstartxref\n%d\n%%%%EOF\n", xref)
	return w.buf
}

// zlibWriters are reused: a new writer allocates about 1 MB of state.
var zlibWriters = sync.Pool{New: func() any {
	z, _ := zlib.NewWriterLevel(nil, zlib.BestSpeed)
	return z
}}

// Deflate compresses data with zlib (the FlateDecode filter).
func Deflate(data []byte) []byte {
	var b bytes.Buffer
	b.Grow(len(data)/2 + 64)
	z := zlibWriters.Get().(*zlib.Writer)
	z.Reset(&b)
	z.Write(data)
	z.Close()
	zlibWriters.Put(z)
	return b.Bytes()
}

// FlateStream returns a stream holding data compressed with FlateDecode.
func FlateStream(d Dict, data []byte) *Stream {
	if d == nil {
		d = Dict{}
	}
	d["Filter"] = Name("FlateDecode")
	return &Stream{Dict: d, Data: Deflate(data)}
}

// ErrMalformed is wrapped by every parse error.
var ErrMalformed = errors.New("pdf: malformed file")
