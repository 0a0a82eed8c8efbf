package sigma

import (
	"strings"
	"unicode/utf8"
)

// Why anchors: a rule that reads only the raw line (keyword lists) is
// asked of every line of its log source — every sshd line of a
// brute-forced host. Lower-casing each line and running an automaton over
// it costs more than parsing the line. Instead each literal is anchored on
// its rarest byte (by the letter frequencies of English text; digits,
// spaces and the punctuation of log lines count as common): the raw line
// is searched for the anchors' two cases with bytes.IndexByte (vectorised),
// and a literal is compared, ignoring ASCII case, only where its anchor
// occurs. A line with a rune strings.ToLower maps to an ASCII letter takes
// the lower-casing path (foldsToASCII).

// anchored is one literal and the offset of its anchor byte.
type anchored struct {
	lit []byte // lower case
	off int
}

// anchorSet finds, in a raw line, whether one of its literals occurs
// (ASCII case ignored).
type anchorSet struct {
	bytes []byte       // distinct anchor bytes (lower case)
	lits  [][]anchored // per anchor byte
	skip  *skipTable   // when every literal is long enough (see skipTable)
}

// Why a skip table as well: a keyword list of many long phrases (the sshd
// rule's nine) has many anchor bytes, each searched for in both cases,
// about a dozen passes over every sshd line. Wu and Manber's multi-pattern
// search looks at two bytes (case-folded) at the end of a window as long
// as the shortest literal and moves the window by as much as no literal
// can end earlier: on a log line it reads about one byte pair in ten and
// compares literals only where a window ends as one of their first m
// bytes ends.

// minSkip is the shortest literal length the skip table is used for.
const minSkip = 6

// skipTable is a Wu–Manber search of literals (lower case ASCII, all at
// least m long) by blocks of two bytes.
type skipTable struct {
	m     int
	shift [1 << 16]uint8      // by folded block: how far the window may move
	cands map[uint16][][]byte // by folded block ending a literal's first m bytes
}

// fold2 is the case-folded block of the two bytes a, b.
func fold2(a, b byte) uint16 {
	if a < utf8.RuneSelf {
		a = lowerASCII[a]
	}
	if b < utf8.RuneSelf {
		b = lowerASCII[b]
	}
	return uint16(a)<<8 | uint16(b)
}

// newSkipTable builds the table; nil when a literal is shorter than minSkip.
func newSkipTable(lits [][]byte) *skipTable {
	m := 255
	for _, l := range lits {
		m = min(m, len(l))
	}
	if m < minSkip || len(lits) == 0 {
		return nil
	}
	t := &skipTable{m: m, cands: map[uint16][][]byte{}}
	for i := range t.shift {
		t.shift[i] = uint8(m - 1)
	}
	for _, l := range lits {
		for q := 1; q < m; q++ { // the block l[q-1:q+1] ends q bytes into the window
			h := fold2(l[q-1], l[q])
			t.shift[h] = min(t.shift[h], uint8(m-1-q))
		}
		h := fold2(l[m-2], l[m-1])
		t.cands[h] = append(t.cands[h], l)
	}
	return t
}

// match reports whether one literal occurs in raw, ASCII case ignored.
func (t *skipTable) match(raw string) bool {
	for end := t.m - 1; end < len(raw); {
		h := fold2(raw[end-1], raw[end])
		if sh := t.shift[h]; sh > 0 {
			end += int(sh)
			continue
		}
		start := end - (t.m - 1)
		for _, l := range t.cands[h] {
			if start+len(l) <= len(raw) && equalFoldASCII(raw[start:start+len(l)], l) {
				return true
			}
		}
		end++
	}
	return false
}

// rareRank orders bytes from rare to common in log text: lower is rarer.
var rareRank = func() (r [256]int) {
	for i := range r {
		r[i] = 40 // other punctuation: fairly rare
	}
	for i, c := range "zqxjkvbpygfwmucldrhsnioate" {
		r[c] = 10 + i
	}
	for c := '0'; c <= '9'; c++ {
		r[c] = 60
	}
	for _, c := range " .:-/[]=_" {
		r[c] = 70
	}
	return r
}()

// newAnchorSet anchors lits (lower case); nil when one is not ASCII.
func newAnchorSet(lits [][]byte) *anchorSet {
	a := &anchorSet{}
	for _, l := range lits {
		best := -1
		for i, c := range l {
			if c >= utf8.RuneSelf {
				return nil
			}
			if best < 0 || rareRank[c] < rareRank[l[best]] {
				best = i
			}
		}
		if best < 0 {
			return nil
		}
		k := -1
		for j, b := range a.bytes {
			if b == l[best] {
				k = j
			}
		}
		if k < 0 {
			a.bytes = append(a.bytes, l[best])
			a.lits = append(a.lits, nil)
			k = len(a.bytes) - 1
		}
		a.lits[k] = append(a.lits[k], anchored{lit: l, off: best})
	}
	a.skip = newSkipTable(lits)
	return a
}

// match reports whether one literal occurs in raw, ASCII case ignored
// (not for a line foldsToASCII).
func (a *anchorSet) match(raw string) bool {
	if a.skip != nil {
		return a.skip.match(raw)
	}
	for k, c := range a.bytes {
		if a.find(raw, c, a.lits[k]) {
			return true
		}
		if u := upperASCII(c); u != c && a.find(raw, u, a.lits[k]) {
			return true
		}
	}
	return false
}

// find looks for the literals anchored on byte c at each occurrence of c.
func (a *anchorSet) find(raw string, c byte, lits []anchored) bool {
	for from := 0; from < len(raw); {
		i := strings.IndexByte(raw[from:], c)
		if i < 0 {
			return false
		}
		p := from + i
		for _, l := range lits {
			start := p - l.off
			if start >= 0 && start+len(l.lit) <= len(raw) && equalFoldASCII(raw[start:start+len(l.lit)], l.lit) {
				return true
			}
		}
		from = p + 1
	}
	return false
}

// equalFoldASCII reports whether s equals lower (lower case) ignoring
// ASCII case.
func equalFoldASCII(s string, lower []byte) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			c = lowerASCII[c]
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

func upperASCII(c byte) byte {
	if 'a' <= c && c <= 'z' {
		return c - 'a' + 'A'
	}
	return c
}

// foldsToASCII reports whether s holds one of the two runes that
// strings.ToLower maps to an ASCII letter (U+212A KELVIN SIGN to k, U+0130
// to i): only then can the lower-cased line hold a literal the raw line
// does not hold ignoring ASCII case (other runes lower-case to non-ASCII
// bytes, and invalid bytes to U+FFFD).
func foldsToASCII(s string) bool {
	// Their first bytes (0xE2, 0xC4) are searched for first: vectorised,
	// and absent from nearly every log line.
	return strings.IndexByte(s, 0xE2) >= 0 && strings.Contains(s, "\u212a") ||
		strings.IndexByte(s, 0xC4) >= 0 && strings.Contains(s, "\u0130")
}
