package cmdscan

import (
	"bytes"
	"fmt"
	"unicode/utf8"
)

// The prefilter. Most lines a scan reads (histories, rc files) match no
// pattern, and running ~50 regular expressions over each costs about a
// tenth of a millisecond. Every pattern declares, in need, groups of
// literal keywords: every text its expression matches contains one keyword
// of each group. Scan folds the line once (foldInto), looks each keyword
// up at most once (bytes.Contains), and runs an expression only when all
// its groups are met. Skipping an expression whose groups are not met
// changes nothing, which TestPrefilterProved (from the syntax tree),
// TestPrefilterSoundCorpus and FuzzPrefilterSound check.

// keywords are the distinct keywords of all patterns; pattern.needIdx
// indexes into it.
var keywords [][]byte

// maxKeywords bounds keywords so that a prefilter lives on the stack.
const maxKeywords = 160

func init() {
	index := map[string]int{}
	for i := range patterns {
		p := &patterns[i]
		if len(p.need) == 0 {
			panic(fmt.Sprintf("cmdscan: pattern %d (%s) declares no prefilter keywords", i, p.id))
		}
		p.needIdx = make([][]int, len(p.need))
		for g, group := range p.need {
			if len(group) == 0 {
				panic(fmt.Sprintf("cmdscan: pattern %d (%s) has an empty keyword group", i, p.id))
			}
			for _, kw := range group {
				if kw == "" || string(foldInto(nil, kw)) != kw {
					panic(fmt.Sprintf("cmdscan: pattern %d (%s): keyword %q is empty or not folded", i, p.id, kw))
				}
				k, ok := index[kw]
				if !ok {
					k = len(keywords)
					index[kw] = k
					keywords = append(keywords, []byte(kw))
				}
				p.needIdx[g] = append(p.needIdx[g], k)
			}
		}
	}
	if len(keywords) > maxKeywords {
		panic(fmt.Sprintf("cmdscan: %d prefilter keywords, raise maxKeywords", len(keywords)))
	}
}

// foldInto appends s folded to dst: ASCII letters in lower case, and the
// two non-ASCII letters that case-insensitive expressions equate with
// ASCII ones, U+017F (long s) and U+212A (Kelvin sign), as s and k. Other
// bytes are copied. Keywords are folded ASCII, so a text an expression
// matches, with or without (?i), yields a folded line that contains the
// folded literal.
func foldInto(dst []byte, s string) []byte {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			dst = append(dst, c)
			i++
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		switch r {
		case '\u017f':
			dst = append(dst, 's')
		case '\u212a':
			dst = append(dst, 'k')
		default:
			dst = append(dst, s[i:i+n]...)
		}
		i += n
	}
	return dst
}

// prefilter answers, for one folded line, which keywords it contains,
// looking each up at most once.
type prefilter struct {
	line []byte
	seen [maxKeywords]uint8 // 0 not looked up, 1 present, 2 absent
}

func newPrefilter(folded []byte) prefilter {
	return prefilter{line: folded}
}

func (f *prefilter) has(k int) bool {
	switch f.seen[k] {
	case 1:
		return true
	case 2:
		return false
	}
	if bytes.Contains(f.line, keywords[k]) {
		f.seen[k] = 1
		return true
	}
	f.seen[k] = 2
	return false
}

// passes reports whether every keyword group of p has a keyword in the line.
func (f *prefilter) passes(p *pattern) bool {
	for _, group := range p.needIdx {
		found := false
		for _, k := range group {
			if f.has(k) {
				found = true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
