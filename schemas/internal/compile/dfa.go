package compile

import (
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// dfa is a deterministic automaton that decides a pattern of the form
// ^...$ (anchored at both ends, no other assertions) on a whole string,
// exactly as regexp.MatchString does (invalid UTF-8 reads as U+FFFD, one
// byte at a time), but in one table step per character instead of
// regexp's one-pass or NFA machinery. It is built from the RE2 program by
// subset construction, over classes of runes that every instruction
// treats alike. Patterns outside that form, or whose automaton would be
// large, keep using regexp.
type dfa struct {
	ascii  [utf8.RuneSelf]uint8 // class of each ASCII character
	bounds []rune               // class k holds runes in [bounds[k], bounds[k+1])
	nclass int
	next   []int16 // next[state*nclass+class]: the next state, or -1 (no match possible)
	accept []bool
}

const (
	dfaMaxStates  = 256
	dfaMaxClasses = 256
)

// newDFA returns the automaton for pattern, or nil if pattern is not of a
// form it handles.
func newDFA(pattern string) *dfa {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil || re.Op != syntax.OpConcat || len(re.Sub) < 2 ||
		re.Sub[0].Op != syntax.OpBeginText || re.Sub[len(re.Sub)-1].Op != syntax.OpEndText {
		return nil
	}
	inner := &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: re.Sub[1 : len(re.Sub)-1]}
	if len(inner.Sub) == 0 {
		inner = &syntax.Regexp{Op: syntax.OpEmptyMatch}
	}
	if !dfaSupported(inner) {
		return nil
	}
	prog, err := syntax.Compile(inner.Simplify())
	if err != nil {
		return nil
	}
	return buildDFA(prog)
}

// dfaSupported rejects assertions (other than the outer ^ and $) and case
// folding, which the construction below does not model.
func dfaSupported(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText,
		syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpNoMatch:
		return false
	}
	if re.Flags&syntax.FoldCase != 0 {
		return false
	}
	for _, sub := range re.Sub {
		if !dfaSupported(sub) {
			return false
		}
	}
	return true
}

func buildDFA(prog *syntax.Prog) *dfa {
	// Rune classes: cut the rune space wherever some instruction's set
	// of runes starts or ends.
	cuts := []rune{0, utf8.MaxRune + 1}
	for i := range prog.Inst {
		in := &prog.Inst[i]
		switch in.Op {
		case syntax.InstRune:
			if len(in.Rune) == 1 && syntax.Flags(in.Arg)&syntax.FoldCase != 0 {
				return nil
			}
			if len(in.Rune) == 1 {
				cuts = append(cuts, in.Rune[0], in.Rune[0]+1)
				break
			}
			for j := 0; j+1 < len(in.Rune); j += 2 {
				cuts = append(cuts, in.Rune[j], in.Rune[j+1]+1)
			}
		case syntax.InstRune1:
			cuts = append(cuts, in.Rune[0], in.Rune[0]+1)
		case syntax.InstRuneAnyNotNL:
			cuts = append(cuts, '\n', '\n'+1)
		case syntax.InstEmptyWidth:
			return nil
		}
	}
	slices.Sort(cuts)
	cuts = slices.Compact(cuts)
	d := &dfa{bounds: cuts[:len(cuts)-1], nclass: len(cuts) - 1}
	if d.nclass > dfaMaxClasses {
		return nil
	}
	for r := rune(0); r < utf8.RuneSelf; r++ {
		d.ascii[r] = uint8(d.class(r))
	}

	// Subset construction. A state is the set of rune-consuming and
	// match instructions reachable without consuming input.
	closure := func(pcs []uint32) []uint32 {
		var out []uint32
		seen := map[uint32]bool{}
		var add func(pc uint32)
		add = func(pc uint32) {
			if seen[pc] {
				return
			}
			seen[pc] = true
			in := &prog.Inst[pc]
			switch in.Op {
			case syntax.InstAlt, syntax.InstAltMatch:
				add(in.Out)
				add(in.Arg)
			case syntax.InstCapture, syntax.InstNop:
				add(in.Out)
			case syntax.InstFail:
			default: // rune instructions and InstMatch
				out = append(out, pc)
			}
		}
		for _, pc := range pcs {
			add(pc)
		}
		slices.Sort(out)
		return out
	}
	key := func(pcs []uint32) string {
		var b strings.Builder
		for _, pc := range pcs {
			b.WriteString(strconv.FormatUint(uint64(pc), 10))
			b.WriteByte(',')
		}
		return b.String()
	}
	states := [][]uint32{closure([]uint32{uint32(prog.Start)})}
	index := map[string]int{key(states[0]): 0}
	for s := 0; s < len(states); s++ {
		accept := false
		for _, pc := range states[s] {
			if prog.Inst[pc].Op == syntax.InstMatch {
				accept = true
			}
		}
		d.accept = append(d.accept, accept)
		for c := 0; c < d.nclass; c++ {
			r := d.bounds[c]
			var outs []uint32
			for _, pc := range states[s] {
				if in := &prog.Inst[pc]; consumes(in, r) {
					outs = append(outs, in.Out)
				}
			}
			next := int16(-1)
			if len(outs) > 0 {
				set := closure(outs)
				k := key(set)
				i, ok := index[k]
				if !ok {
					if len(states) == dfaMaxStates {
						return nil
					}
					i = len(states)
					index[k] = i
					states = append(states, set)
				}
				next = int16(i)
			}
			d.next = append(d.next, next)
		}
	}
	return d
}

// consumes reports whether instruction in reads rune r.
func consumes(in *syntax.Inst, r rune) bool {
	switch in.Op {
	case syntax.InstRune, syntax.InstRune1:
		return in.MatchRune(r)
	case syntax.InstRuneAny:
		return true
	case syntax.InstRuneAnyNotNL:
		return r != '\n'
	}
	return false
}

// class returns the class of rune r.
func (d *dfa) class(r rune) int {
	i, found := slices.BinarySearch(d.bounds, r)
	if !found {
		i--
	}
	return i
}

// match reports whether the whole of s matches.
func (d *dfa) match(s string) bool {
	st := 0
	for i := 0; i < len(s); {
		var c int
		if b := s[i]; b < utf8.RuneSelf {
			c = int(d.ascii[b])
			i++
		} else {
			r, size := utf8.DecodeRuneInString(s[i:])
			c = d.class(r)
			i += size
		}
		next := d.next[st*d.nclass+c]
		if next < 0 {
			return false
		}
		st = int(next)
	}
	return d.accept[st]
}
