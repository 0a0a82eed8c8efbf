package yara

import (
	"io"
	"regexp"
	"regexp/syntax"
	"slices"
	"unicode/utf8"
)

// Verified anchors: a regular expression's prefix literal that counts
// only where the expression can match from there.
//
// An anchor set cannot say that eval\s*\(\s*\$_POST needs "eval" and
// "$_POST" in that order a few bytes apart, and PHP trees are full of
// files holding both words somewhere: each went to libyara. When every
// match of an expression starts with one of a few literals (after a lead
// of fixed width: [^a-z]exec), the prefilter runs the expression, with Go's
// regexp, from each place such a literal is found; a literal whose
// expression cannot match there is no anchor. Go's matcher is made to
// accept at least what libyara accepts:
//
//   - the data is read one byte to one rune, bytes above 0x7f as U+FFFD,
//     which only YARA's any-byte forms (., negated classes, \S \W \D)
//     match, as U+FFFD matches only Go's (the expression itself holds no
//     byte above 0x7f: safeRegex);
//   - \s matches \v as in YARA; under nocase a class also holds the other
//     case of its letters (libyara's rule), literals fold;
//   - word boundaries are dropped (always true), ^ and $ refused;
//   - at most maxVerify bytes from the match start are read: an
//     expression still undecided there counts as matching.
//
// Matching less than libyara would pass over a file a rule matches; the
// tests compare both (TestVerifierAgreesWithLibyara, FuzzPrefilter).

// maxVerify bounds the bytes read for one verification.
const maxVerify = 4096

// verifier runs one expression from a match start: lead bytes before the
// anchor literal. prog is the program of its Go form, for nextBytes.
type verifier struct {
	re   *regexp.Regexp
	prog *syntax.Prog
	lead int
	back bool // re is the expression reversed, run backwards from the end of its suffix literal
}

// newVerifier compiles the Go form of the YARA expression re (parsed
// without case folding); nil when it holds what the translation refuses.
func newVerifier(re *syntax.Regexp, lead int, nocase, back bool) *verifier {
	c, ok := yaraForm(re, nocase)
	if !ok {
		return nil
	}
	if back {
		c = reversed(c)
	}
	g, err := regexp.Compile(`^(?:` + c.String() + `)`)
	if err != nil {
		return nil
	}
	prog, err := syntax.Compile(c.Simplify())
	if err != nil {
		return nil
	}
	return &verifier{re: g, prog: prog, lead: lead, back: back}
}

// yaraForm is a copy of re that matches, on the byte-to-rune reading,
// at least every string libyara's reading of the expression matches.
func yaraForm(re *syntax.Regexp, nocase bool) (*syntax.Regexp, bool) {
	c := *re
	c.Sub = nil
	switch re.Op {
	case syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText, syntax.OpEndText:
		return nil, false
	case syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return &syntax.Regexp{Op: syntax.OpEmptyMatch}, true
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return nil, false
			}
		}
		c.Rune = slices.Clone(re.Rune)
		if nocase {
			c.Flags |= syntax.FoldCase
		}
	case syntax.OpCharClass:
		c.Rune = yaraClass(re.Rune, nocase)
	}
	for _, s := range re.Sub {
		cs, ok := yaraForm(s, nocase)
		if !ok {
			return nil, false
		}
		c.Sub = append(c.Sub, cs)
	}
	return &c, true
}

// yaraClass widens a class (Go's ranges) to libyara's reading: \v where
// the other spaces are (\s), both cases of its letters under nocase (a
// superset of either way libyara applies case to a negated class), and
// U+FFFD when it holds a rune above 0x7f (a byte above 0x7f reads as
// U+FFFD).
func yaraClass(ranges []rune, nocase bool) []rune {
	var in [utf8.RuneSelf]bool
	high := false
	for i := 0; i+1 < len(ranges); i += 2 {
		for r := ranges[i]; r <= ranges[i+1]; r++ {
			if r >= utf8.RuneSelf {
				high = true
				break
			}
			in[r] = true
		}
	}
	if in['\t'] && in['\n'] && in['\f'] && in['\r'] && in[' '] {
		in['\v'] = true
	}
	if nocase {
		for r := 'a'; r <= 'z'; r++ {
			u := r - 'a' + 'A'
			in[r], in[u] = in[r] || in[u], in[r] || in[u]
		}
	}
	var out []rune
	for r := rune(0); r < utf8.RuneSelf; r++ {
		if !in[r] {
			continue
		}
		if n := len(out); n > 0 && out[n-1] == r-1 {
			out[n-1] = r
			continue
		}
		out = append(out, r, r)
	}
	if high {
		// The reader gives no other rune above 0x7f (and a class of a
		// few runes keeps compiling cheap).
		out = append(out, utf8.RuneError, utf8.RuneError)
	}
	return out
}

// verifyAt reports whether the expression may match at an anchor of n
// bytes found at b[at:]: whether it matches from at-lead (backwards from
// at+n, for a suffix), reading at most maxVerify bytes (undecided there:
// yes). next, when set, are the bytes that may follow the literal (precede
// it, backwards): most places fail there, known without running the
// expression. read is how many bytes the expression read.
func (v *verifier) verifyAt(b []byte, at int, next *byteSet, n int) (ok bool, read int) {
	if v.back {
		if next != nil && (at == 0 || !next.has(b[at-1])) {
			return false, 0
		}
		end := at + n
		r := backRunes{b: b, i: end - 1, lo: max(0, end-maxVerify)}
		ok = v.re.MatchReader(&r) || r.capped
		return ok, end - 1 - r.i
	}
	if next != nil {
		if at+n >= len(b) || !next.has(b[at+n]) {
			return false, 0
		}
	}
	start := at - v.lead
	if start < 0 {
		return false, 0 // a match cannot start before the data
	}
	r := byteRunes{b: b, i: start, end: min(len(b), start+maxVerify)}
	ok = v.re.MatchReader(&r) || r.capped
	return ok, r.i - start
}

// byteRunes reads bytes as runes, one each, bytes above 0x7f as U+FFFD.
type byteRunes struct {
	b      []byte
	i, end int
	capped bool // the read reached maxVerify before the data's end
}

func (r *byteRunes) ReadRune() (rune, int, error) {
	if r.i >= r.end {
		r.capped = r.capped || r.end < len(r.b)
		return 0, 0, io.EOF
	}
	c := r.b[r.i]
	r.i++
	if c >= utf8.RuneSelf {
		return utf8.RuneError, 1, nil
	}
	return rune(c), 1, nil
}

// verifiedAnchors are the verified anchors of the expression re (parsed
// without folding): for each branch of a top-level alternation, the best
// tail of its parts every match of which starts with one of a few
// literals. Those literals are verified with the whole branch when the
// parts before the tail have a fixed width (the match starts that many
// bytes before the literal), else with the tail alone (any match of the
// branch holds a match of the tail starting at the literal). nil when a
// branch has none.
func verifiedAnchors(re *syntax.Regexp, nocase bool) []lit {
	if re.Op == syntax.OpCapture {
		return verifiedAnchors(re.Sub[0], nocase)
	}
	if re.Op == syntax.OpAlternate {
		var out []lit
		for _, s := range re.Sub {
			ls := verifiedAnchors(s, nocase)
			if ls == nil {
				return nil
			}
			out = append(out, ls...)
		}
		return out
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	var best [][]byte
	bestQ, bestJ, bestLead, bestFixed := -1, 0, 0, false
	lead, fixed := 0, true
	for j := range subs {
		if j > 0 && analyse(subs[j]).prefix == nil {
			// The tail cannot start with a literal: not analysed whole.
			w, ok := fixedWidth(subs[j])
			lead, fixed = lead+w, fixed && ok
			continue
		}
		tail := re
		if j > 0 {
			tail = &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: subs[j:]}
		}
		if pre := analyse(tail).prefix; usablePrefix(pre) {
			// Verifying the whole expression rejects far more than a
			// tail does: it is preferred unless its literals are as
			// common as three-byte words ("new" of new\s+ProcessBuilder).
			q := toNeed(pre).quality()
			if fixed && !slices.ContainsFunc(pre, func(p []byte) bool { return len(p) <= minLit }) {
				q += 1 << 28
			}
			if q > bestQ {
				best, bestQ, bestJ, bestLead, bestFixed = pre, q, j, lead, fixed
			}
		}
		w, ok := fixedWidth(subs[j])
		lead, fixed = lead+w, fixed && ok
	}
	var v *verifier
	switch suf := analyse(re).suffix; {
	case bestQ < 1<<28 && usablePrefix(suf):
		// No good literal to run the whole expression from, but every
		// match ends with one: the expression runs backwards from it
		// (\b(nc|ncat)\s+...-e\s*\/bin\/sh from "/bin/sh").
		best, v = suf, newVerifier(re, 0, nocase, true)
	case best == nil:
		return nil
	case bestFixed:
		v = newVerifier(re, bestLead, nocase, false)
	default:
		v = newVerifier(&syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: subs[bestJ:]}, 0, nocase, false)
	}
	if v == nil {
		return nil
	}
	out := make([]lit, len(best))
	for i, p := range best {
		out[i] = lit{b: p, nocase: nocase, re: v, next: v.nextBytes(p, nocase)}
	}
	return out
}

// usablePrefix: a few literals, each long enough to be an anchor.
func usablePrefix(pre [][]byte) bool {
	if len(pre) == 0 || len(pre) > maxExact {
		return false
	}
	for _, p := range pre {
		if len(p) < minLit {
			return false
		}
	}
	return true
}

// fixedWidth is the bytes every match of re takes, when that is fixed.
func fixedWidth(re *syntax.Regexp) (int, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		for _, r := range re.Rune {
			if r >= utf8.RuneSelf {
				return 0, false
			}
		}
		return len(re.Rune), true
	case syntax.OpCharClass, syntax.OpAnyCharNotNL, syntax.OpAnyChar:
		return 1, true
	case syntax.OpCapture:
		return fixedWidth(re.Sub[0])
	}
	return 0, false
}

// backRunes reads bytes backwards from i down to lo, as byteRunes does.
type backRunes struct {
	b      []byte
	i, lo  int
	capped bool // the read reached maxVerify before the data's start
}

func (r *backRunes) ReadRune() (rune, int, error) {
	if r.i < r.lo {
		r.capped = r.capped || r.lo > 0
		return 0, 0, io.EOF
	}
	c := r.b[r.i]
	r.i--
	if c >= utf8.RuneSelf {
		return utf8.RuneError, 1, nil
	}
	return rune(c), 1, nil
}

// reversed is re matching the reverse of what re matches.
func reversed(re *syntax.Regexp) *syntax.Regexp {
	c := *re
	c.Sub = make([]*syntax.Regexp, len(re.Sub))
	for i, s := range re.Sub {
		c.Sub[i] = reversed(s)
	}
	switch re.Op {
	case syntax.OpLiteral:
		c.Rune = slices.Clone(re.Rune)
		slices.Reverse(c.Rune)
	case syntax.OpConcat:
		slices.Reverse(c.Sub)
	}
	return &c
}

// byteSet is a set of bytes.
type byteSet [4]uint64

func (s *byteSet) has(c byte) bool { return s[c>>6]&(1<<(c&63)) != 0 }
func (s *byteSet) add(c byte)      { s[c>>6] |= 1 << (c & 63) }

// nextBytes is the set of bytes that can follow the literal p of a match
// (at the verifier's lead; precede it, for a verifier run backwards, p
// then read backwards) on the byte-to-rune reading, found by running
// the expression's program over any lead bytes and p (either case under
// nocase), treating every empty-width test as passed: a superset. nil when
// a match may end with p (any next byte, or none, will do).
func (v *verifier) nextBytes(p []byte, nocase bool) *byteSet {
	cur := closure(v.prog, nil, uint32(v.prog.Start))
	for range v.lead {
		cur = stepAny(v.prog, cur)
	}
	if v.back {
		p = slices.Clone(p)
		slices.Reverse(p)
	}
	for _, c := range p {
		alts := []rune{rune(c)}
		if nocase {
			alts = []rune{rune(lower[c]), rune(upper(c))}
		}
		var nxt []uint32
		for _, r := range alts {
			nxt = stepRune(v.prog, cur, r, nxt)
		}
		cur = nxt
	}
	var set byteSet
	for _, pc := range cur {
		if v.prog.Inst[pc].Op == syntax.InstMatch {
			return nil
		}
	}
	for c := 0; c < 256; c++ {
		r := rune(c)
		if c >= utf8.RuneSelf {
			r = utf8.RuneError
		}
		if len(stepRune(v.prog, cur, r, nil)) > 0 {
			set.add(byte(c))
		}
	}
	return &set
}

func upper(c byte) byte {
	if c >= 'a' && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// closure adds pc and what it reaches without reading to set.
func closure(prog *syntax.Prog, set []uint32, pc uint32) []uint32 {
	if slices.Contains(set, pc) {
		return set
	}
	set = append(set, pc)
	switch i := prog.Inst[pc]; i.Op {
	case syntax.InstAlt, syntax.InstAltMatch:
		set = closure(prog, set, i.Out)
		set = closure(prog, set, i.Arg)
	case syntax.InstCapture, syntax.InstNop, syntax.InstEmptyWidth:
		set = closure(prog, set, i.Out)
	}
	return set
}

// stepRune adds to out the states reached from cur by reading r.
func stepRune(prog *syntax.Prog, cur []uint32, r rune, out []uint32) []uint32 {
	for _, pc := range cur {
		i := &prog.Inst[pc]
		switch i.Op {
		case syntax.InstRune, syntax.InstRune1, syntax.InstRuneAny, syntax.InstRuneAnyNotNL:
			if i.MatchRune(r) {
				out = closure(prog, out, i.Out)
			}
		}
	}
	return out
}

// stepAny is the states reached from cur by reading any one byte.
func stepAny(prog *syntax.Prog, cur []uint32) []uint32 {
	var out []uint32
	for c := 0; c < utf8.RuneSelf; c++ {
		out = stepRune(prog, cur, rune(c), out)
	}
	return stepRune(prog, cur, utf8.RuneError, out)
}
