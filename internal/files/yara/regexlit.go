package yara

import (
	"regexp/syntax"
	"slices"
	"strings"
)

// Required literals of a YARA regular expression, for the prefilter.
//
// Go's regexp/syntax parses the expression (YARA's syntax is, for what is
// let through, the same: literals, classes, groups, alternation,
// repetition, \w \s \d \b and \xHH escapes). What the two could read
// differently is refused, the string then being top (no anchor): inline
// flags and (?...) groups, {,n} repetitions, other escapes (\p, \Q, \z,
// octal ...), and literal bytes above 0x7f (Go reads \xff as a rune, YARA
// as a byte). Classes are enumerated only when they hold at most
// maxClass ASCII characters, so that no class escape (\s differs) is ever
// spelled out. The expression is analysed without case folding: the
// anchors of a nocase or /i expression are compared ignoring ASCII case.

const (
	maxClass = 3  // largest character class spelled out as alternatives
	maxExact = 16 // most exact alternatives kept for one sub-expression
	maxLen   = 64 // longest exact alternative kept
)

// regexNeeds is the necessary condition of a match of the expression src,
// top when it cannot be derived.
func regexNeeds(src string, nocase, dotAll, ascii, wideToo bool) req {
	if !safeRegex(src) {
		return nil
	}
	flags := syntax.Perl
	if dotAll {
		flags |= syntax.DotNL
	}
	re, err := syntax.Parse(src, flags)
	if err != nil {
		return nil
	}
	ri := analyse(re)
	if ri.exact != nil {
		return clause(forms(ri.exact, nocase, ascii, wideToo))
	}
	var verified req
	if ascii && !wideToo {
		// Every match starts (after a fixed lead) with one of a few
		// literals: each counts only where the expression may match.
		if ls := verifiedAnchors(re, nocase); ls != nil {
			n := needs{}
			for _, l := range ls {
				n = or(n, needs{set: []lit{l}})
			}
			verified = clause(n)
		}
	}
	all := reqAnd(reqAnd(ri.need, clause(toNeed(ri.prefix))), clause(toNeed(ri.suffix)))
	// The anchors were derived as ascii exact strings: re-encode them.
	var out req
	for _, n := range all {
		var alts [][]byte
		for _, l := range n.set {
			alts = append(alts, l.b)
		}
		out = reqAnd(out, clause(forms(alts, nocase, ascii, wideToo)))
	}
	return reqAnd(out, verified)
}

// safeRegex refuses what Go and YARA could read differently.
func safeRegex(src string) bool {
	for i := 0; i < len(src); i++ {
		switch c := src[i]; {
		case c >= 0x80:
			return false
		case c == '(' && i+1 < len(src) && src[i+1] == '?':
			return false
		case c == '{' && i+1 < len(src) && src[i+1] == ',':
			return false
		case c == '\\':
			if i+1 >= len(src) {
				return false
			}
			e := src[i+1]
			i++
			isAlnum := e >= 'a' && e <= 'z' || e >= 'A' && e <= 'Z' || e >= '0' && e <= '9'
			if !isAlnum {
				continue
			}
			if !strings.ContainsRune("wWsSdDbBtnrfax", rune(e)) {
				return false
			}
			if e == 'x' {
				if i+2 >= len(src) || !isHex(src[i+1]) || !isHex(src[i+2]) {
					return false
				}
				i += 2
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// rinfo is what a sub-expression tells: exact, when not nil, is every
// string it can match (ASCII bytes); prefix and suffix, when not nil, are
// strings one of which every match starts (ends) with; need is what any
// match contains.
type rinfo struct {
	exact, prefix, suffix [][]byte
	need                  req
}

var (
	rtop   = rinfo{}
	rempty = exactInfo([][]byte{{}})
)

// toNeed is the necessary condition of a set of strings one of which
// occurs (top when one of them is empty, or the set is: unknown).
func toNeed(set [][]byte) needs {
	if len(set) == 0 {
		return anything
	}
	n := needs{}
	for _, e := range set {
		if len(e) == 0 {
			return anything
		}
		n = or(n, needs{set: []lit{{b: e}}})
	}
	return n
}

func analyse(re *syntax.Regexp) rinfo {
	switch re.Op {
	case syntax.OpLiteral:
		b := make([]byte, 0, len(re.Rune))
		for _, r := range re.Rune {
			if r >= 0x80 {
				return rtop
			}
			b = append(b, byte(r))
		}
		if re.Flags&syntax.FoldCase != 0 {
			return rtop // not asked for: never spelled out
		}
		return exactInfo([][]byte{b})
	case syntax.OpCharClass:
		var alts [][]byte
		for i := 0; i+1 < len(re.Rune); i += 2 {
			lo, hi := re.Rune[i], re.Rune[i+1]
			if hi >= 0x80 || hi-lo+1 > maxClass || len(alts)+int(hi-lo+1) > maxClass {
				return rtop
			}
			for r := lo; r <= hi; r++ {
				alts = append(alts, []byte{byte(r)})
			}
		}
		if len(alts) == 0 {
			return rtop
		}
		return exactInfo(alts)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return rempty
	case syntax.OpCapture:
		return analyse(re.Sub[0])
	case syntax.OpQuest:
		sub := analyse(re.Sub[0])
		if sub.exact == nil {
			return rtop
		}
		return exactInfo(append([][]byte{{}}, sub.exact...))
	case syntax.OpPlus:
		sub := analyse(re.Sub[0])
		return rinfo{prefix: sub.prefix, suffix: sub.suffix, need: sub.need}
	case syntax.OpRepeat:
		if re.Min < 1 {
			return rtop
		}
		sub := analyse(re.Sub[0])
		if re.Min == 1 && re.Max == 1 {
			return sub
		}
		return rinfo{prefix: sub.prefix, suffix: sub.suffix, need: sub.need}
	case syntax.OpConcat:
		return concat(re.Sub)
	case syntax.OpAlternate:
		return alternate(re.Sub)
	}
	return rtop // any character, star, and what else there is
}

// exactInfo is a sub-expression that matches one of a set of strings;
// beyond a small set, only what it needs, starts and ends with.
func exactInfo(exact [][]byte) rinfo {
	r := rinfo{exact: exact, prefix: exact, suffix: exact, need: clause(toNeed(exact))}
	if len(exact) > maxExact || slices.ContainsFunc(exact, func(e []byte) bool { return len(e) > maxLen }) {
		r.exact, r.prefix, r.suffix = nil, nil, nil
	}
	return r
}

// alternate: an exact set when every branch is one, else the union of
// what the branches need, start and end with.
func alternate(subs []*syntax.Regexp) rinfo {
	var out rinfo
	allExact, allPrefix, allSuffix := true, true, true
	out.need = reqNever
	for _, s := range subs {
		si := analyse(s)
		allExact = allExact && si.exact != nil
		allPrefix = allPrefix && si.prefix != nil
		allSuffix = allSuffix && si.suffix != nil
		out.exact = append(out.exact, si.exact...)
		out.prefix = append(out.prefix, si.prefix...)
		out.suffix = append(out.suffix, si.suffix...)
		out.need = reqOr(out.need, si.need)
	}
	if allExact {
		return exactInfo(out.exact)
	}
	out.exact = nil
	if !allPrefix || len(out.prefix) > maxExact {
		out.prefix = nil
	}
	if !allSuffix || len(out.suffix) > maxExact {
		out.suffix = nil
	}
	return out
}

// concat joins runs of exact parts (cross products while small), each
// run extended by the suffix of the part before it and the prefix of the
// part after, and keeps the best necessary condition among runs and parts.
func concat(subs []*syntax.Regexp) rinfo {
	infos := make([]rinfo, len(subs))
	allExact := true
	for i, s := range subs {
		infos[i] = analyse(s)
		allExact = allExact && infos[i].exact != nil
	}
	if allExact {
		run := [][]byte{{}}
		for _, si := range infos {
			next, ok := cross(run, si.exact)
			if !ok {
				allExact = false
				break
			}
			run = next
		}
		if allExact {
			return exactInfo(run)
		}
	}
	var out rinfo
	// run is what the text since the last break must be one of (nil: no
	// knowledge); start reports whether it begins at the match's start.
	run, start := [][]byte{{}}, true
	end := func(tail [][]byte) {
		if tail != nil {
			if joined, ok := cross(run, tail); ok {
				out.need = reqAnd(out.need, clause(toNeed(joined)))
				if start {
					out.prefix = joined
				}
				return
			}
		}
		out.need = reqAnd(out.need, clause(toNeed(run)))
		if start {
			out.prefix = run
		}
	}
	for _, si := range infos {
		out.need = reqAnd(out.need, si.need)
		if si.exact != nil {
			if next, ok := cross(run, si.exact); ok {
				run = next
				continue
			}
			end(nil)
			run, start = si.exact, false
			continue
		}
		end(si.prefix)
		run, start = si.suffix, false
		if run == nil {
			run = [][]byte{{}}
		}
	}
	end(nil)
	if !start {
		out.suffix = nil
		if last := infos[len(infos)-1]; last.exact != nil || last.suffix != nil {
			out.suffix = run
		}
	}
	if len(out.prefix) == 1 && len(out.prefix[0]) == 0 {
		out.prefix = nil
	}
	return out
}

// cross is every a+b, when it stays small.
func cross(as, bs [][]byte) ([][]byte, bool) {
	if len(as)*len(bs) > maxExact {
		return nil, false
	}
	out := make([][]byte, 0, len(as)*len(bs))
	for _, a := range as {
		for _, b := range bs {
			if len(a)+len(b) > maxLen {
				return nil, false
			}
			out = append(out, append(append(make([]byte, 0, len(a)+len(b)), a...), b...))
		}
	}
	return out, true
}
