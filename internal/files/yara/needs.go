package yara

import (
	"bytes"
	"slices"
)

// A lit is a byte string that every match of some YARA string contains:
// an anchor of the prefilter. nocase: compared ignoring ASCII case. re,
// when set, verifies each place the string is found (verify.go): the
// anchor is there only where its expression may match.
type lit struct {
	b      []byte
	nocase bool
	re     *verifier
	next   *byteSet // with re: the bytes that may follow b in a match (nil: any)
}

// same reports whether two anchors are one.
func (l lit) same(m lit) bool { return l.nocase == m.nocase && l.re == m.re && bytes.Equal(l.b, m.b) }

// needs is a necessary condition of a YARA condition or string: when it
// holds on a file, some lit of set occurs in the data scanned. top: no
// such condition is known (anything may match); an empty set that is not
// top can never hold (a condition that is always false).
type needs struct {
	top bool
	set []lit
}

var (
	anything = needs{top: true}
	never    = needs{}
)

// minLit is the shortest anchor the prefilter can look for (its key is
// three bytes); a condition whose anchors are shorter is taken as top.
const minLit = 3

// maxLits bounds the anchors of one condition: beyond, it is taken as top
// (a rule with so many alternatives is scanned rather than prefiltered).
const maxLits = 256

// usable reports whether the prefilter can look for every lit of n.
func (n needs) usable() bool {
	if n.top || len(n.set) > maxLits {
		return false
	}
	for _, l := range n.set {
		if len(l.b) < minLit {
			return false
		}
	}
	return true
}

// quality orders necessary conditions: the rarer its anchors are in
// ordinary files, the fewer files it lets through. Top and unusable
// conditions are worst; never is best.
func (n needs) quality() int {
	if !n.usable() {
		return -1
	}
	if len(n.set) == 0 {
		return 1 << 30
	}
	q := 1 << 20
	for _, l := range n.set {
		if l.re != nil {
			// Where its expression matches: rarer than any word.
			q = min(q, verifiedScore)
			continue
		}
		q = min(q, litScore(l.b))
	}
	// Many alternatives let more files through: a small penalty.
	return q*8 - min(len(n.set), 7)
}

// and is the necessary condition of A and B: either one's holds, so the
// better is kept.
func and(a, b needs) needs {
	if b.quality() > a.quality() {
		return b
	}
	return a
}

// or is the necessary condition of A or B: one of the two holds.
func or(a, b needs) needs {
	if a.top || b.top {
		return anything
	}
	out := needs{set: slices.Clone(a.set)}
	for _, l := range b.set {
		if !slices.ContainsFunc(out.set, l.same) {
			out.set = append(out.set, l)
		}
	}
	if len(out.set) > maxLits {
		return anything
	}
	return out
}

// verifiedScore is the rarity of a verified anchor, above every litScore.
const verifiedScore = 1 << 12

// litScore estimates how rarely b occurs in ordinary files: the rarity
// of its rarest three bytes (the prefilter's key), plus its length.
func litScore(b []byte) int {
	if len(b) < minLit {
		return 0
	}
	best := 0
	for i := 0; i+minLit <= len(b); i++ {
		best = max(best, triRarity(key3(b[i:])))
	}
	return best*4 + min(len(b), 32)
}

// trigramRank is the rank of each of commonTrigrams.
var trigramRank = func() map[uint32]int {
	m := make(map[uint32]int, len(commonTrigrams)/3)
	for i := 0; i+3 <= len(commonTrigrams); i += 3 {
		k := key3([]byte(commonTrigrams[i : i+3]))
		if _, ok := m[k]; !ok {
			m[k] = i / 3
		}
	}
	return m
}()

// triRarity rates a folded key: 0 for the most common, up to 31 for the
// least common of commonTrigrams, 40 for one that is not among them.
func triRarity(k uint32) int {
	if r, ok := trigramRank[k]; ok {
		return r / 16
	}
	return 40
}

// triFreq estimates how often a folded key occurs (Zipf's law over the
// ranks: a key not among commonTrigrams rarer than all of them).
func triFreq(k uint32) int {
	if r, ok := trigramRank[k]; ok {
		return (1 << 20) / (r + 1)
	}
	return (1 << 20) / 1024
}

// wide is b in UTF-16LE as YARA's wide modifier makes it (each byte
// followed by a zero).
func wide(b []byte) []byte {
	out := make([]byte, 0, 2*len(b))
	for _, c := range b {
		out = append(out, c, 0)
	}
	return out
}

// forms is the necessary condition of matching one of the exact byte
// strings alts (a text string, a regexp's required part), in the ascii
// and/or wide encodings the string's modifiers give.
func forms(alts [][]byte, nocase, ascii, wideToo bool) needs {
	if len(alts) == 0 || !ascii && !wideToo {
		return anything
	}
	var n needs
	for _, a := range alts {
		if len(a) == 0 {
			return anything
		}
		if ascii {
			n = or(n, needs{set: []lit{{b: a, nocase: nocase}}})
		}
		if wideToo {
			n = or(n, needs{set: []lit{{b: wide(a), nocase: nocase}}})
		}
	}
	return n
}

// req is a conjunction of necessary conditions (clauses), each usable:
// every clause holds on a file some rule may match. nil: nothing known.
// A rule keeps its best maxClauses clauses: files must then hold one
// anchor of each (a file with "eval" but no "request" is passed over by a
// rule that needs both).
type req []needs

// maxClauses bounds the clauses kept for one condition.
const maxClauses = 3

// clause is the req of one necessary condition (nil when it is unusable).
func clause(n needs) req {
	if !n.usable() {
		return nil
	}
	return req{n}
}

// reqNever is a condition that can never hold.
var reqNever = req{never}

// best keeps the usable clauses of the best quality, at most maxClauses.
func (r req) best() req {
	var cands req
	for _, n := range r {
		if n.usable() {
			cands = append(cands, n)
		}
	}
	// Better first: a clause with fewer, rarer anchors; then a clause
	// implied by one kept (a superset of its anchors) adds nothing.
	slices.SortStableFunc(cands, func(a, b needs) int { return b.quality() - a.quality() })
	var out req
	for _, n := range cands {
		if len(out) == maxClauses {
			break
		}
		if !slices.ContainsFunc(out, func(k needs) bool { return k.within(n) }) {
			out = append(out, n)
		}
	}
	return out
}

// within reports whether every anchor of n implies one of m's (holds it:
// "$_POST" holds "POST"; a verified anchor holds its plain form): then
// n implies m.
func (n needs) within(m needs) bool {
	for _, a := range n.set {
		if !slices.ContainsFunc(m.set, a.holds) {
			return false
		}
	}
	return true
}

// holds reports whether every place anchor l is found, anchor m is too.
func (l lit) holds(m lit) bool {
	switch {
	case m.re != nil:
		return l.same(m)
	case m.nocase:
		return bytes.Contains(fold(l.b), fold(m.b))
	case !l.nocase:
		return bytes.Contains(l.b, m.b)
	}
	return false // l ignores case and m does not
}

// reqAnd: both conjunctions hold.
func reqAnd(a, b req) req { return append(slices.Clone(a), b...).best() }

// reqOr: one of the two holds, so every pair of their clauses (one from
// each) does: (A1 and A2) or B = (A1 or B) and (A2 or B).
func reqOr(a, b req) req {
	if len(a) == 0 || len(b) == 0 {
		return nil
	}
	var out req
	for _, x := range a {
		for _, y := range b {
			out = append(out, or(x, y))
		}
	}
	return out.best()
}
