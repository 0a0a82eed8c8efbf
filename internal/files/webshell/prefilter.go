package webshell

import (
	"sort"
	"strings"
)

// Go's regular expressions have no literal prefix to skip ahead with when a
// pattern starts with an alternation, and run at tens of MB/s; these
// literal checks (strings.Index runs at memory speed) keep the patterns off
// the files that cannot match them: most application code.

// lowerASCII lower-cases ASCII letters only, so offsets stay the same.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// hasAny reports whether s contains one of the literals.
func hasAny(s string, lits ...string) bool {
	for _, l := range lits {
		if strings.Contains(s, l) {
			return true
		}
	}
	return false
}

// Literals at least one of which every source and every sink pattern of a
// language contains (lower case).
var (
	sourceLits = map[Lang][]string{
		LangPHP:    {"$_", "getallheaders", "php://input", "$http_"},
		LangJSP:    {"request.get"},
		LangASP:    {"request"},
		LangCFM:    {"url.", "form.", "cgi.", "cookie."},
		LangPerl:   {"param", "$env", "<stdin>", "$cgi"},
		LangPython: {"fieldstorage", "getvalue", "getfirst", "os.environ", "request."},
	}
	sinkLits = map[Lang][]string{
		LangPHP: {"eval", "assert", "system", "exec", "passthru", "popen", "proc_open", "create_function",
			"call_user_func", "array_map", "register_", "forward_static_call", "ob_start", "iterator_apply", "$_", "`", "preg_replace"},
		LangJSP:    {"exec", "processbuilder", "command", "eval", "defineclass"},
		LangASP:    {"eval", "execute", "process", "assembly", ".exec", ".run", "filename"},
		LangCFM:    {"cfexecute", "evaluate", "runtime", "createobject"},
		LangPerl:   {"system", "exec", "eval", "qx", "open", "`"},
		LangPython: {"os.", "subprocess", "commands", "eval", "exec"},
	}
	evalLits = []string{"eval", "assert", "create_function", "execute", "defineclass"}
)

// hasLitConcat reports whether s joins two string literals with "."
// ('as'.'sert'), the only shape concatLit can match.
func hasLitConcat(s string) bool {
	for i := strings.IndexByte(s, '.'); i >= 0; {
		j := i - 1
		for j >= 0 && (s[j] == ' ' || s[j] == '\t') {
			j--
		}
		k := i + 1
		for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
			k++
		}
		if j >= 0 && k < len(s) && (s[j] == '\'' || s[j] == '"') && (s[k] == '\'' || s[k] == '"') {
			return true
		}
		next := strings.IndexByte(s[i+1:], '.')
		if next < 0 {
			break
		}
		i += next + 1
	}
	return false
}

// window is how far a pattern anchored at a literal may reach after it;
// lead is how far before it the pattern may begin ("new ProcessBuilder(",
// "shell_exec(" found at "exec").
const (
	window = 160
	lead   = 24
)

// findNear returns the matches of re that begin at an occurrence of one of
// the literals in low (or up to lead bytes before), running
// re only on a small window there: the whole-content scan of a pattern
// that starts with an alternation is what makes Go's regexp slow.
func findNear(re interface {
	FindStringIndex(string) []int
}, low string, lits []string, limit int) [][]int {
	seen := map[int]bool{}
	var out [][]int
	for _, l := range lits {
		for from := 0; from < len(low) && len(out) < limit; {
			i := strings.Index(low[from:], l)
			if i < 0 {
				break
			}
			at := from + i
			from = at + len(l)
			start := max(0, at-lead)
			w := low[start:min(len(low), at+window)]
			m := re.FindStringIndex(w)
			for m != nil && m[1] <= at-start { // a match before this literal: look past it
				next := re.FindStringIndex(w[m[1]:])
				if next == nil {
					m = nil
					break
				}
				m = []int{m[1] + next[0], m[1] + next[1]}
			}
			if m == nil || m[0] > at-start || seen[start+m[0]] {
				continue
			}
			seen[start+m[0]] = true
			out = append(out, []int{start + m[0], start + m[1]})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a][0] < out[b][0] })
	return out
}
