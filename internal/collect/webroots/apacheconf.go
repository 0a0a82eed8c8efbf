package webroots

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/textclip"
)

// ApacheSection is an enclosing <Section args> of a directive.
type ApacheSection struct {
	Name string // as written: "Directory", "FilesMatch", "VirtualHost"
	Args []string
}

// ApacheDirective is one directive of an Apache configuration or .htaccess
// file, with the sections it sits in (outermost first).
type ApacheDirective struct {
	Name     string
	Args     []string
	Line     int    // 1-based line where the (possibly continued) line starts
	Raw      string // the logical line, trimmed
	Sections []ApacheSection
}

// Is reports whether the directive is name (case-insensitive, as Apache).
func (d ApacheDirective) Is(name string) bool { return strings.EqualFold(d.Name, name) }

// Arg returns argument i or "".
func (d ApacheDirective) Arg(i int) string {
	if i < len(d.Args) {
		return d.Args[i]
	}
	return ""
}

// MaxApacheDepth bounds section nesting.
const MaxApacheDepth = 32

// maxLogicalLine bounds a line joined from '\' continuations.
const maxLogicalLine = 64 << 10

// ParseApache parses an Apache configuration or .htaccess file. It never
// fails: unknown or unbalanced sections are tolerated.
func ParseApache(b []byte) []ApacheDirective {
	var out []ApacheDirective
	var stack []ApacheSection
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		line := strings.TrimRight(lines[i], "\r")
		// Join continuation lines.
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) && len(line) < maxLogicalLine {
			i++
			line = strings.TrimSuffix(line, "\\") + strings.TrimRight(lines[i], "\r")
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if strings.HasPrefix(line, "</") {
			name := strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(line, "</"), ">"))
			for j := len(stack) - 1; j >= 0; j-- {
				if strings.EqualFold(stack[j].Name, name) {
					stack = stack[:j]
					break
				}
			}
			continue
		}
		if strings.HasPrefix(line, "<") {
			body := strings.TrimPrefix(line, "<")
			if k := strings.LastIndexByte(body, '>'); k >= 0 {
				body = body[:k]
			}
			words := splitArgs(body)
			if len(words) == 0 {
				continue
			}
			if len(stack) < MaxApacheDepth {
				stack = append(stack, ApacheSection{Name: words[0], Args: words[1:]})
			}
			continue
		}
		words := splitArgs(line)
		if len(words) == 0 || words[0] == "" {
			continue
		}
		secs := make([]ApacheSection, len(stack))
		copy(secs, stack)
		out = append(out, ApacheDirective{Name: words[0], Args: words[1:], Line: start, Raw: textclip.Trim(line, 300), Sections: secs})
	}
	return out
}

// splitArgs splits an Apache line into words; double or single quotes group
// words and a backslash escapes the quote character.
func splitArgs(s string) []string {
	var out []string
	var sb strings.Builder
	inWord := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote != 0:
			if c == '\\' && i+1 < len(s) && (s[i+1] == quote || s[i+1] == '\\') {
				sb.WriteByte(s[i+1])
				i++
			} else if c == quote {
				quote = 0
			} else {
				sb.WriteByte(c)
			}
		case c == '"' || c == '\'':
			quote, inWord = c, true
		case c == ' ' || c == '\t':
			if inWord {
				out = append(out, sb.String())
				sb.Reset()
				inWord = false
			}
		default:
			sb.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		out = append(out, sb.String())
	}
	return out
}
