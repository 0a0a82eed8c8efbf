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
// anchor literal.
type verifier struct {
	re   *regexp.Regexp
	lead int
}

// newVerifier compiles the Go form of the YARA expression re (parsed
// without case folding); nil when it holds what the translation refuses.
func newVerifier(re *syntax.Regexp, lead int, nocase bool) *verifier {
	c, ok := yaraForm(re, nocase)
	if !ok {
		return nil
	}
	g, err := regexp.Compile(`^(?:` + c.String() + `)`)
	if err != nil {
		return nil
	}
	return &verifier{re: g, lead: lead}
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

// verify reports whether the expression may match at the anchor found at
// b[at:]: whether it matches from at-lead, reading at most maxVerify
// bytes (undecided there: yes).
func (v *verifier) verify(b []byte, at int) bool {
	start := at - v.lead
	if start < 0 {
		return false // a match cannot start before the data
	}
	r := byteRunes{b: b, i: start, end: min(len(b), start+maxVerify)}
	return v.re.MatchReader(&r) || r.capped
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

// verifiedPrefix finds, for the expression re (parsed without folding),
// a tail of its parts every match of which starts with one of a few
// literals: those literals, each verified with the whole expression when
// the parts before the tail have a fixed width (the match starts that
// many bytes before the literal), else with the tail alone (any match of
// the whole holds a match of the tail starting at the literal).
func verifiedPrefix(re *syntax.Regexp, nocase bool) ([][]byte, *verifier) {
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	lead, fixed := 0, true
	for j := range subs {
		tail := re
		if j > 0 {
			tail = &syntax.Regexp{Op: syntax.OpConcat, Flags: re.Flags, Sub: subs[j:]}
		}
		if pre := analyse(tail).prefix; usablePrefix(pre) {
			v := newVerifier(tail, 0, nocase)
			if fixed {
				v = newVerifier(re, lead, nocase)
			}
			if v == nil {
				return nil, nil
			}
			return pre, v
		}
		w, ok := fixedWidth(subs[j])
		lead, fixed = lead+w, fixed && ok
	}
	return nil, nil
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
