package yara

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
)

// Prefilter says, before libyara scans a file, whether some rule of the
// set could match it (see prefilter.go for how the rules' needs are
// derived). It is read-only once built and shared by every worker.
//
// The anchors are looked for in one pass over the data: the three bytes
// at each position, folded (| 0x20, so that case does not matter and a
// nocase anchor has one key), are hashed into a 64 Kibit table that fits
// the CPU's first-level cache; only where the table says an anchor's
// rarest three bytes may be, and a second table says so of those three
// bytes and the next, does a comparison run. libyara's scan (an
// Aho-Corasick automaton over every atom of every rule) costs several
// times more per byte, so the files no rule can match — most files of a
// system — are passed over cheaply. This is hand-written because the
// question asked (does any of a few hundred literals occur, stopping at
// the first) is much narrower than what a general multi-pattern library
// answers, and the answer must cost less than libyara's own scan.
type Prefilter struct {
	always  []span // size ranges of the rules that need no anchor
	lo, hi  int64  // hull of every reportable rule's size range
	rules   []filtered
	clauses [][]int // clause -> the rules (index in rules) it belongs to
	anchors []anchor
	stride  int             // positions of the data looked at: every one, or every other
	table   [1 << 10]uint64 // bit h: some anchor key hashes to h
	table4  [1 << 10]uint64 // bit h: some anchor's key and next byte (folded) hash to h
	ends    [1 << 10]uint64 // bit h: some anchor key hashing to h ends its anchor
	refs    []keyRef        // every anchor's keys, by hash of the key
	bucket  []uint32        // hash h -> refs[bucket[h]:bucket[h+1]]
}

type span struct{ lo, hi int64 }

func (s span) has(size int64) bool { return size >= s.lo && size <= s.hi }

// filtered is a rule with anchors: it may match when the size fits and
// each of its clauses has an anchor in the data.
type filtered struct {
	size    span
	clauses []int
}

type anchor struct {
	lit     lit
	clauses []int // the clauses it satisfies
}

type keyRef struct {
	key    uint32 // folded
	anchor int32
	off    int32 // offset of the key in the anchor
}

// newPrefilter builds the prefilter of an analysis; nil when every file
// must be scanned anyway (a rule with no size bound and no anchor).
func newPrefilter(a *analysis) *Prefilter {
	p := &Prefilter{lo: math.MaxInt64}
	index := map[string]int{}
	for _, r := range a.rules {
		s := span{r.lo, r.hi}
		if s.lo > s.hi {
			continue // can never match
		}
		p.lo, p.hi = min(p.lo, s.lo), max(p.hi, s.hi)
		if len(r.need) == 0 {
			if s.lo == 0 && s.hi == math.MaxInt64 {
				return nil
			}
			p.always = append(p.always, s)
			continue
		}
		f := filtered{size: s}
		for _, cl := range r.need {
			c := len(p.clauses)
			p.clauses = append(p.clauses, []int{len(p.rules)})
			f.clauses = append(f.clauses, c)
			for _, l := range cl.set {
				if l.nocase {
					l.b = fold(l.b)
				}
				k := fmt.Sprintf("%v%p%s", l.nocase, l.re, l.b)
				i, ok := index[k]
				if !ok {
					i = len(p.anchors)
					index[k] = i
					p.anchors = append(p.anchors, anchor{lit: l})
				}
				p.anchors[i].clauses = append(p.anchors[i].clauses, c)
			}
		}
		p.rules = append(p.rules, f)
	}
	if p.lo > p.hi {
		p.lo, p.hi = 0, -1 // no rule can match anything
	}
	// With every anchor four bytes or longer, each is keyed at two
	// neighbouring positions, so looking at every other position of the
	// data finds it: half the lookups.
	p.stride = 2
	for _, a := range p.anchors {
		if len(a.lit.b) < minLit+1 {
			p.stride = 1
		}
	}
	for i := range p.anchors {
		p.addKey(i)
	}
	// The refs by hash, with where each hash's start: a hit in the table
	// finds its candidates without a map lookup.
	slices.SortStableFunc(p.refs, func(a, b keyRef) int { return int(hash(a.key)) - int(hash(b.key)) })
	p.bucket = make([]uint32, len(p.table)*64+1)
	for _, r := range p.refs {
		p.bucket[hash(r.key)+1]++
	}
	for h := 1; h < len(p.bucket); h++ {
		p.bucket[h] += p.bucket[h-1]
	}
	return p
}

// addKey indexes anchor i by its rarest window of stride+2 bytes (the
// least frequent keys): the key of each of its stride first positions.
func (p *Prefilter) addKey(i int) {
	b := p.anchors[i].lit.b
	w := minLit + p.stride - 1
	best, off := -1, 0
	for j := 0; j+w <= len(b); j++ {
		f := 0
		for o := j; o < j+p.stride; o++ {
			f += triFreq(key3(b[o:]))
		}
		if best < 0 || f < best {
			best, off = f, j
		}
	}
	for o := off; o < off+p.stride; o++ {
		k := key3(b[o:])
		p.table[hash(k)>>6] |= 1 << (hash(k) & 63)
		if o+4 <= len(b) {
			h4 := hash(key4(b[o:]))
			p.table4[h4>>6] |= 1 << (h4 & 63)
		} else {
			p.ends[hash(k)>>6] |= 1 << (hash(k) & 63)
		}
		p.refs = append(p.refs, keyRef{key: k, anchor: int32(i), off: int32(o)})
	}
}

// key3 is the folded key of the three bytes at b.
func key3(b []byte) uint32 {
	return (uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16) | 0x202020
}

// key4 is the folded key of the four bytes at b.
func key4(b []byte) uint32 { return binary.LittleEndian.Uint32(b) | 0x20202020 }

func hash(k uint32) uint32 { return (k * 0x9e3779b1) >> 16 }

// SizeMayMatch reports whether a rule could match a file of this size:
// when not, the file need not even be read.
func (p *Prefilter) SizeMayMatch(size int64) bool {
	if p == nil {
		return true
	}
	if size < p.lo || size > p.hi {
		return false
	}
	for _, s := range p.always {
		if s.has(size) {
			return true
		}
	}
	for _, r := range p.rules {
		if r.size.has(size) {
			return true
		}
	}
	return false
}

// MayMatch reports whether some rule could match a file of size bytes
// whose head (and tail, for a file larger than the head) was read.
func (p *Prefilter) MayMatch(head, tail []byte, size int64) bool {
	if p == nil {
		return true
	}
	if !p.SizeMayMatch(size) {
		return false
	}
	for _, s := range p.always {
		if s.has(size) {
			return true
		}
	}
	st := state{p: p, size: size, sat: make([]bool, len(p.clauses)), budget: verifyBudget(len(head) + len(tail))}
	return st.search(head) || st.search(tail)
}

// state is one file's search: the clauses an anchor was found for.
type state struct {
	p    *Prefilter
	size int64
	sat  []bool
	// budget is the bytes verifications may still read in this file: a
	// hostile file (a verified literal over and over inside what the
	// expression accepts) could make them read quadratically; spent, the
	// file goes to libyara, whose scan has a timeout.
	budget int
}

// search looks for anchors in b until a rule that fits the size has an
// anchor for each of its clauses.
func (st *state) search(b []byte) bool {
	p := st.p
	n := len(b)
	i := 0
	for ; i+4 <= n; i += p.stride {
		x := binary.LittleEndian.Uint32(b[i:]) | 0x20202020
		k := x & 0xffffff
		h := hash(k)
		if p.table[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		// A second look, at the key and the byte after it, before the
		// anchors are compared (unless an anchor ends with this key).
		if h4 := hash(x); p.table4[h4>>6]&(1<<(h4&63)) == 0 && p.ends[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		if st.found(b, i, k) {
			return true
		}
	}
	for ; i+3 <= n; i++ {
		k := key3(b[i:])
		h := hash(k)
		if p.table[h>>6]&(1<<(h&63)) != 0 && st.found(b, i, k) {
			return true
		}
	}
	return false
}

// found compares the anchors keyed by k with the data around i, marks
// the clauses of those that are there, and reports whether a rule is
// then satisfied.
func (st *state) found(b []byte, i int, k uint32) bool {
	p := st.p
	h := hash(k)
	for _, r := range p.refs[p.bucket[h]:p.bucket[h+1]] {
		if r.key != k {
			continue
		}
		a := &p.anchors[r.anchor]
		start := i - int(r.off)
		if start < 0 || start+len(a.lit.b) > len(b) || !equalAt(b[start:start+len(a.lit.b)], a.lit) {
			continue
		}
		if a.lit.re != nil {
			if st.allSat(a.clauses) {
				continue
			}
			ok, read := a.lit.re.verifyAt(b, start, a.lit.next, len(a.lit.b))
			if st.budget -= read; st.budget < 0 {
				return true
			}
			if !ok {
				continue
			}
		}
		for _, c := range a.clauses {
			if st.sat[c] {
				continue
			}
			st.sat[c] = true
			for _, ri := range p.clauses[c] {
				if st.satisfied(&p.rules[ri]) {
					return true
				}
			}
		}
	}
	return false
}

// verifyBudget is what verifications may read in data of n bytes: four
// times the data and 1 MiB (ordinary files use a small part of it).
func verifyBudget(n int) int { return 4*n + 1<<20 }

// allSat reports whether every clause of cs has an anchor already.
func (st *state) allSat(cs []int) bool {
	for _, c := range cs {
		if !st.sat[c] {
			return false
		}
	}
	return true
}

func (st *state) satisfied(r *filtered) bool {
	if !r.size.has(st.size) {
		return false
	}
	for _, c := range r.clauses {
		if !st.sat[c] {
			return false
		}
	}
	return true
}

// equalAt compares data with an anchor (folded when nocase).
func equalAt(data []byte, l lit) bool {
	if !l.nocase {
		return string(data) == string(l.b)
	}
	for j, c := range data {
		if lower[c] != l.b[j] {
			return false
		}
	}
	return true
}

// lower folds ASCII upper case, as YARA's nocase does.
var lower = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if i >= 'A' && i <= 'Z' {
			t[i] = byte(i) + 'a' - 'A'
		}
	}
	return t
}()

func fold(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = lower[c]
	}
	return out
}
