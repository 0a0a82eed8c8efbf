package webshell

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// maxArg bounds the argument text examined after a call: an argument
// longer than this is not a one-statement data flow.
const maxArg = 300

// maxAssign bounds the assignments followed for taint in one file.
const maxAssign = 5000

// match is one heuristic's hit inside a file's content.
type match struct {
	off  int    // byte offset
	text string // the code that matched
	ind  string // indicator id, if any
	note string // a decoded value or other fact
}

// stmt returns the statement text from off up to the first byte of end,
// at most maxArg bytes.
func stmt(s string, off int, end string) string {
	if off >= len(s) {
		return ""
	}
	lim := min(len(s), off+maxArg)
	if i := strings.IndexAny(s[off:lim], end); i >= 0 {
		lim = off + i
	}
	return s[off:lim]
}

// tainted returns the variables assigned from request input, following
// one step of assignment from an already tainted variable.
func (sp *spec) tainted(s string) map[string]bool {
	t := map[string]bool{}
	assigns := sp.assign.FindAllStringSubmatchIndex(s, maxAssign)
	for pass := 0; pass < 2; pass++ {
		for _, m := range assigns {
			name := s[m[2]:m[3]]
			if t[name] {
				continue
			}
			if v := stmt(s, m[1]-1, sp.end); sp.source.MatchString(v) || sp.refsTainted(v, t, name) {
				t[name] = true
			}
		}
	}
	return t
}

// refsTainted reports whether text references a tainted variable other
// than self.
func (sp *spec) refsTainted(text string, t map[string]bool, self string) bool {
	if len(t) == 0 {
		return false
	}
	for _, m := range sp.ref.FindAllStringSubmatch(text, 64) {
		if m[1] != self && t[m[1]] {
			return true
		}
	}
	return false
}

// PHP-only shapes: a function named by request input, input in backticks,
// the /e modifier of preg_replace.
var (
	phpInputCall = lazyre.New(`\$_(?:GET|POST|REQUEST|COOKIE|SERVER)\s*\[[^\]]{0,64}\]\s*\(`)
	phpVarCall   = lazyre.New(`(?:^|[^\w>:$])\$(\w{1,64})\s*\(`)
	phpBacktick  = lazyre.New("`[^`]{0,300}`")
	phpPregE     = lazyre.New(`(?i)preg_replace\s*\(\s*['"]([/#~|!@%{])[^'"]{0,300}[/#~|!@%}][a-zA-Z]*e[a-zA-Z]*['"]\s*,`)
	jspDefine    = lazyre.New(`defineClass\s*\(`)
)

// inputExec finds request input reaching code or command execution.
func inputExec(lang Lang, s string) []match {
	return inputExecLow(lang, s, lowerASCII(s))
}

// inputExecLow is inputExec with the lower-cased content at hand.
func inputExecLow(lang Lang, s, low string) []match {
	sp := specs[lang]
	if sp == nil || !hasAny(low, sourceLits[lang]...) || !hasAny(low, sinkLits[lang]...) || !sp.source.MatchString(s) {
		return nil
	}
	var t map[string]bool
	taint := func() map[string]bool {
		if t == nil {
			t = sp.tainted(s)
		}
		return t
	}
	var out []match
	hit := func(off int, ind string) {
		out = append(out, match{off: off, text: line(s, off), ind: ind})
	}
	for _, m := range findNear(sp.sink, low, sinkLits[lang], 200) {
		arg := stmt(s, m[1], sp.end)
		if sp.source.MatchString(arg) || sp.refsTainted(arg, taint(), "") {
			hit(m[0], "webshell-code")
		}
	}
	if sp.callback != nil {
		for _, m := range findNear(sp.callback, low, sinkLits[lang], 200) {
			first := stmt(s, m[1], sp.end+",)")
			if sp.source.MatchString(first) || sp.refsTainted(first, taint(), "") {
				hit(m[0], "webshell-code")
			}
		}
	}
	switch lang {
	case LangPHP:
		for _, m := range phpInputCall.FindAllStringIndex(s, 20) {
			hit(m[0], "webshell-code")
		}
		if len(taint()) > 0 {
			for _, m := range phpVarCall.FindAllStringSubmatchIndex(s, 200) {
				if taint()[s[m[2]:m[3]]] {
					hit(m[0], "webshell-code")
				}
			}
		}
		for _, m := range phpBacktick.FindAllStringIndex(s, 50) {
			if b := s[m[0]:m[1]]; sp.source.MatchString(b) || sp.refsTainted(b, taint(), "") {
				hit(m[0], "webshell-code")
			}
		}
		if strings.Contains(low, "preg_replace") {
			if m := phpPregE.FindStringIndex(s); m != nil {
				hit(m[0], "webshell-code")
			}
		}
	case LangJSP:
		// A page that defines a class from bytes it was sent (Behinder,
		// Godzilla): no web application loads code from its requests.
		if m := jspDefine.FindStringIndex(s); m != nil {
			hit(m[0], "webshell-code")
		}
	}
	return dedupeMatches(s, out)
}

// dedupeMatches keeps the first match of each line of s.
func dedupeMatches(s string, in []match) []match {
	seen := map[int]bool{}
	var out []match
	for _, m := range in {
		if l := strings.LastIndexByte(s[:m.off], '\n'); !seen[l] {
			seen[l] = true
			out = append(out, m)
		}
	}
	return out
}

// line returns the text of the line holding off (clipped by the walk).
func line(s string, off int) string {
	start := strings.LastIndexByte(s[:off], '\n') + 1
	end := strings.IndexByte(s[off:], '\n')
	if end < 0 {
		end = len(s)
	} else {
		end += off
	}
	// A minified file is one long line: show the code around the match.
	if end-start > 2*maxArg {
		start, end = max(start, off-40), min(end, off+maxArg)
	}
	return Printable([]byte(s[start:end]))
}

// LineOf returns the 1-based line number of byte offset off in b.
func LineOf(b []byte, off int) int {
	n := 1
	for _, c := range b[:min(off, len(b))] {
		if c == '\n' {
			n++
		}
	}
	return n
}
