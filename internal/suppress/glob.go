package suppress

import (
	"fmt"
	"regexp"
	"strings"
)

// Glob is a compiled shell-style pattern.
type Glob struct {
	pattern string
	re      *regexp.Regexp
}

// CompilePath compiles a path glob: "*" and "?" stop at "/", "**" crosses
// directories ("/var/www/**/*.php" also matches "/var/www/x.php"), "[a-z]"
// and "[!a-z]" are character classes, "\" escapes the next character.
func CompilePath(pattern string) (*Glob, error) { return compile(pattern, true) }

// CompileRule compiles a rule-id glob: "*" matches any run of characters,
// dots included ("integrity.*").
func CompileRule(pattern string) (*Glob, error) { return compile(pattern, false) }

// Match reports whether s matches the whole pattern.
func (g *Glob) Match(s string) bool { return g.re.MatchString(s) }

// String returns the source pattern.
func (g *Glob) String() string { return g.pattern }

// IsGlob reports whether s contains glob metacharacters.
func IsGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

func compile(pattern string, path bool) (*Glob, error) {
	if pattern == "" {
		return nil, fmt.Errorf("empty pattern")
	}
	any1, anyN := ".", ".*"
	if path {
		any1, anyN = "[^/]", "[^/]*"
	}
	var b strings.Builder
	b.WriteString("^")
	rs := []rune(pattern)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			if path && i+1 < len(rs) && rs[i+1] == '*' {
				i++
				if i+1 < len(rs) && rs[i+1] == '/' {
					i++
					b.WriteString("(?:.*/)?") // "**/" also matches no directory at all
				} else {
					b.WriteString(".*")
				}
				continue
			}
			for i+1 < len(rs) && rs[i+1] == '*' { // "**" in a rule glob is "*"
				i++
			}
			b.WriteString(anyN)
		case '?':
			b.WriteString(any1)
		case '\\':
			if i+1 == len(rs) {
				return nil, fmt.Errorf("pattern %q ends with a lone backslash", pattern)
			}
			i++
			b.WriteString(regexp.QuoteMeta(string(rs[i])))
		case '[':
			end := classEnd(rs, i)
			if end < 0 {
				return nil, fmt.Errorf("pattern %q: unclosed character class", pattern)
			}
			b.WriteString(classRegexp(rs[i+1 : end]))
			i = end
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("pattern %q: %w", pattern, err)
	}
	return &Glob{pattern: pattern, re: re}, nil
}

// classEnd returns the index of the "]" closing the class that opens at
// start, or -1. A "]" right after "[" or "[!" is a literal member.
func classEnd(rs []rune, start int) int {
	i := start + 1
	if i < len(rs) && (rs[i] == '!' || rs[i] == '^') {
		i++
	}
	if i < len(rs) && rs[i] == ']' {
		i++
	}
	for ; i < len(rs); i++ {
		if rs[i] == ']' {
			return i
		}
	}
	return -1
}

func classRegexp(body []rune) string {
	var b strings.Builder
	b.WriteString("[")
	if len(body) > 0 && (body[0] == '!' || body[0] == '^') {
		b.WriteString("^")
		body = body[1:]
	}
	for _, r := range body {
		switch r {
		case '\\', '[', ']', '^':
			b.WriteString(`\`)
		}
		b.WriteRune(r)
	}
	b.WriteString("]")
	return b.String()
}
