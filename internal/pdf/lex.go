package pdf

import (
	"bytes"
	"fmt"
	"strconv"
)

// Limits on the work a reader does for one file.
const (
	MaxRevisions  = 256
	MaxObjects    = 1 << 20
	MaxDepth      = 64
	MaxStreamSize = 16 << 20
)

// parser reads objects from data starting at pos.
type parser struct {
	data []byte
	pos  int
	// length resolves an indirect /Length of a stream; nil: not allowed.
	length func(Ref) (int64, error)
}

func errorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
}

func (p *parser) skipSpace() {
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if isSpace(c) {
			p.pos++
			continue
		}
		if c == '%' {
			for p.pos < len(p.data) && p.data[p.pos] != '\n' && p.data[p.pos] != '\r' {
				p.pos++
			}
			continue
		}
		return
	}
}

// keyword reads a regular-character token (a keyword or number) without
// consuming it when it does not match.
func (p *parser) token() []byte {
	p.skipSpace()
	start := p.pos
	for p.pos < len(p.data) && !isSpace(p.data[p.pos]) && !isDelim(p.data[p.pos]) {
		p.pos++
	}
	return p.data[start:p.pos]
}

func (p *parser) expect(kw string) error {
	save := p.pos
	if t := p.token(); string(t) != kw {
		p.pos = save
		return errorf("expected %q at offset %d", kw, save)
	}
	return nil
}

// object parses one direct object (a reference "n g R" included).
func (p *parser) object(depth int) (Object, error) {
	if depth > MaxDepth {
		return nil, errorf("nesting deeper than %d", MaxDepth)
	}
	p.skipSpace()
	if p.pos >= len(p.data) {
		return nil, errorf("unexpected end of data")
	}
	switch c := p.data[p.pos]; c {
	case '/':
		return p.name()
	case '(':
		return p.literal()
	case '<':
		if p.pos+1 < len(p.data) && p.data[p.pos+1] == '<' {
			return p.dict(depth)
		}
		return p.hex()
	case '[':
		p.pos++
		arr := Array{}
		for {
			p.skipSpace()
			if p.pos >= len(p.data) {
				return nil, errorf("unterminated array")
			}
			if p.data[p.pos] == ']' {
				p.pos++
				return arr, nil
			}
			o, err := p.object(depth + 1)
			if err != nil {
				return nil, err
			}
			arr = append(arr, o)
		}
	case ')', '>', ']', '{', '}':
		return nil, errorf("unexpected %q at offset %d", c, p.pos)
	}
	start := p.pos
	t := p.token()
	switch string(t) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	case "null":
		return nil, nil
	case "":
		return nil, errorf("unexpected %q at offset %d", p.data[start], start)
	}
	if n, err := strconv.ParseInt(string(t), 10, 64); err == nil {
		// "n g R"?
		save := p.pos
		if n >= 0 && n < MaxObjects {
			t2 := p.token()
			if g, err := strconv.ParseInt(string(t2), 10, 32); err == nil && g >= 0 && g <= 65535 {
				if string(p.token()) == "R" {
					return Ref{Num: int(n), Gen: int(g)}, nil
				}
			}
		}
		p.pos = save
		return n, nil
	}
	if f, ok := parseReal(t); ok {
		return f, nil
	}
	return nil, errorf("unknown token %q at offset %d", truncate(t), start)
}

func truncate(b []byte) []byte {
	if len(b) > 32 {
		return b[:32]
	}
	return b
}

func parseReal(t []byte) (float64, bool) {
	if len(t) == 0 || len(t) > 64 {
		return 0, false
	}
	for _, c := range t {
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+') {
			return 0, false
		}
	}
	f, err := strconv.ParseFloat(string(t), 64)
	return f, err == nil
}

func (p *parser) name() (Name, error) {
	p.pos++ // '/'
	var b []byte
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		if isSpace(c) || isDelim(c) {
			break
		}
		if c == '#' && p.pos+2 < len(p.data) {
			h, ok1 := unhex(p.data[p.pos+1])
			l, ok2 := unhex(p.data[p.pos+2])
			if !ok1 || !ok2 {
				return "", errorf("bad name escape at offset %d", p.pos)
			}
			b = append(b, h<<4|l)
			p.pos += 3
			continue
		}
		b = append(b, c)
		p.pos++
	}
	return Name(b), nil
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

func (p *parser) literal() (String, error) {
	p.pos++ // '('
	out := String{}
	depth := 1
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		p.pos++
		switch c {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return out, nil
			}
		case '\\':
			if p.pos >= len(p.data) {
				return nil, errorf("unterminated string")
			}
			e := p.data[p.pos]
			p.pos++
			switch e {
			case 'n':
				c = '\n'
			case 'r':
				c = '\r'
			case 't':
				c = '\t'
			case 'b':
				c = '\b'
			case 'f':
				c = '\f'
			case '\r':
				if p.pos < len(p.data) && p.data[p.pos] == '\n' {
					p.pos++
				}
				continue
			case '\n':
				continue
			default:
				if e >= '0' && e <= '7' {
					v := int(e - '0')
					for k := 0; k < 2 && p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '7'; k++ {
						v = v*8 + int(p.data[p.pos]-'0')
						p.pos++
					}
					c = byte(v)
				} else {
					c = e
				}
			}
		}
		out = append(out, c)
	}
	return nil, errorf("unterminated string")
}

func (p *parser) hex() (String, error) {
	p.pos++ // '<'
	out := String{}
	var hi byte
	half := false
	for p.pos < len(p.data) {
		c := p.data[p.pos]
		p.pos++
		if c == '>' {
			if half {
				out = append(out, hi<<4)
			}
			return out, nil
		}
		if isSpace(c) {
			continue
		}
		v, ok := unhex(c)
		if !ok {
			return nil, errorf("bad hex string at offset %d", p.pos-1)
		}
		if half {
			out = append(out, hi<<4|v)
		} else {
			hi = v
		}
		half = !half
	}
	return nil, errorf("unterminated hex string")
}

func (p *parser) dict(depth int) (Object, error) {
	p.pos += 2 // "<<"
	d := Dict{}
	for {
		p.skipSpace()
		if p.pos >= len(p.data) {
			return nil, errorf("unterminated dictionary")
		}
		if p.data[p.pos] == '>' {
			if p.pos+1 < len(p.data) && p.data[p.pos+1] == '>' {
				p.pos += 2
				break
			}
			return nil, errorf("bad dictionary end at offset %d", p.pos)
		}
		if p.data[p.pos] != '/' {
			return nil, errorf("dictionary key is not a name at offset %d", p.pos)
		}
		k, err := p.name()
		if err != nil {
			return nil, err
		}
		v, err := p.object(depth + 1)
		if err != nil {
			return nil, err
		}
		if _, dup := d[k]; dup {
			return nil, errorf("duplicate key /%s", k)
		}
		if v != nil { // a null value is the same as no entry
			d[k] = v
		}
	}
	// A stream?
	save := p.pos
	p.skipSpace()
	if !bytes.HasPrefix(p.data[p.pos:], []byte("stream")) {
		p.pos = save
		return d, nil
	}
	p.pos += len("stream")
	switch {
	case bytes.HasPrefix(p.data[p.pos:], []byte("\r\n")):
		p.pos += 2
	case bytes.HasPrefix(p.data[p.pos:], []byte("\n")):
		p.pos++
	default:
		return nil, errorf("stream keyword not followed by an end of line at offset %d", p.pos)
	}
	var n int64
	switch l := d["Length"].(type) {
	case int64:
		n = l
	case Ref:
		if p.length == nil {
			return nil, errorf("indirect stream length not allowed here")
		}
		var err error
		if n, err = p.length(l); err != nil {
			return nil, err
		}
	default:
		return nil, errorf("stream without a valid /Length")
	}
	if n < 0 || n > int64(len(p.data)-p.pos) {
		return nil, errorf("stream /Length %d beyond the end of the file", n)
	}
	data := p.data[p.pos : p.pos+int(n)]
	p.pos += int(n)
	p.skipSpace()
	if !bytes.HasPrefix(p.data[p.pos:], []byte("endstream")) {
		return nil, errorf("stream /Length %d does not end at endstream", n)
	}
	p.pos += len("endstream")
	return &Stream{Dict: d, Data: data}, nil
}

// ParseObject parses one direct object from data (for tests and
// content that is not a file).
func ParseObject(data []byte) (Object, error) {
	p := &parser{data: data}
	o, err := p.object(0)
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if p.pos != len(data) {
		return nil, errorf("trailing data after object")
	}
	return o, nil
}
