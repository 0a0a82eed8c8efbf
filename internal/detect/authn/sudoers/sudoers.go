package sudoers

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Entry locates a statement.
type Entry struct {
	File string
	Line int    // first physical line of the statement
	Text string // the statement, continuation lines joined
}

// Alias is one alias definition.
type Alias struct {
	Entry
	Kind    string // User_Alias, Runas_Alias, Host_Alias, Cmnd_Alias
	Name    string
	Members []string
}

// Param is one Defaults setting.
type Param struct {
	Name    string
	Op      string // "", "=", "+=", "-="
	Value   string // unquoted
	Negated bool
}

// Defaults is one Defaults line.
type Defaults struct {
	Entry
	Scope  string // "" (global) or the binding with its sigil: "@host", ":user", "!cmnd", ">runas"
	Params []Param
}

// Cmnd is one command of a user specification, with the runas list and
// tags in force for it.
type Cmnd struct {
	RunasUsers  []string
	RunasGroups []string
	RunasGiven  bool // a (runas) list applies; without one sudo runs as root
	NoPasswd    bool
	SetEnv      bool
	NoExec      bool
	Negated     bool
	Command     string // "ALL", an alias name, or a path with its arguments
}

// Spec is one user specification line.
type Spec struct {
	Entry
	Users []string
	Hosts []string
	Cmnds []Cmnd
}

// Dormant is a policy file sudo does not read now, and why.
type Dormant struct {
	Path   string
	Reason string // one of the Reason constants
}

// Policy is everything read from the sudoers tree.
type Policy struct {
	Files    []string  // files read, in order
	Dirs     []string  // directories included
	Dormant  []Dormant // files in included directories that sudo skips
	Aliases  []Alias
	Defaults []Defaults
	Specs    []Spec
}

// AliasMembers returns the members of the alias of kind named name.
func (p *Policy) AliasMembers(kind, name string) ([]string, bool) {
	for i := len(p.Aliases) - 1; i >= 0; i-- {
		if a := p.Aliases[i]; a.Kind == kind && a.Name == name {
			return a.Members, true
		}
	}
	return nil, false
}

// Expand resolves alias names of kind in list recursively, keeping the
// negation sigil of the referencing item. Unknown names are kept.
func (p *Policy) Expand(kind string, list []string) []string {
	var out []string
	var walk func(items []string, neg bool, depth int)
	walk = func(items []string, neg bool, depth int) {
		for _, it := range items {
			n := neg
			for strings.HasPrefix(it, "!") {
				it = strings.TrimSpace(it[1:])
				n = !n
			}
			if depth < 16 && aliasName.MatchString(it) && it != "ALL" {
				if m, ok := p.AliasMembers(kind, it); ok {
					walk(m, n, depth+1)
					continue
				}
			}
			if n {
				it = "!" + it
			}
			out = append(out, it)
		}
	}
	walk(list, false, 0)
	return out
}

// ExpandCmnds returns the commands of c with Cmnd_Alias names resolved,
// each carrying c's runas and tags.
func (p *Policy) ExpandCmnds(c Cmnd) []Cmnd {
	name := c.Command
	if c.Negated {
		name = "!" + name
	}
	var out []Cmnd
	for _, e := range p.Expand("Cmnd_Alias", []string{name}) {
		x := c
		x.Negated = strings.HasPrefix(e, "!")
		x.Command = strings.TrimPrefix(e, "!")
		out = append(out, x)
	}
	return out
}

var (
	aliasName  = lazyre.New(`^[A-Z][A-Z0-9_]*$`)
	includeRe  = lazyre.New(`^[#@](include|includedir)\s+(.+)$`)
	uidSpecRe  = lazyre.New(`^#-?[0-9]+[\s,]`)
	defaultsRe = lazyre.New(`^Defaults([@:!>]\s*[^\s,]+(?:\s*,\s*[^\s,]+)*)?(\s+|$)`)
	aliasRe    = lazyre.New(`^(User_Alias|Runas_Alias|Host_Alias|Cmnd_Alias|Cmd_Alias)\s+(.*)$`)
	tagRe      = lazyre.New(`^(NOPASSWD|PASSWD|NOEXEC|EXEC|SETENV|NOSETENV|LOG_INPUT|NOLOG_INPUT|LOG_OUTPUT|NOLOG_OUTPUT|MAIL|NOMAIL|FOLLOW|NOFOLLOW|INTERCEPT|NOINTERCEPT)\s*:`)
	optionRe   = lazyre.New(`^(ROLE|TYPE|TIMEOUT|NOTBEFORE|NOTAFTER|CWD|CHROOT|APPARMOR_PROFILE|PRIVS|LIMITPRIVS)\s*=\s*("[^"]*"|[^\s,]+)`)
	digestRe   = lazyre.New(`^(sha224|sha256|sha384|sha512):\s*[^\s]+\s+`)
	tagWords   = map[string]bool{"NOPASSWD": true, "PASSWD": true, "NOEXEC": true, "EXEC": true, "SETENV": true, "NOSETENV": true,
		"LOG_INPUT": true, "NOLOG_INPUT": true, "LOG_OUTPUT": true, "NOLOG_OUTPUT": true, "MAIL": true, "NOMAIL": true,
		"FOLLOW": true, "NOFOLLOW": true, "INTERCEPT": true, "NOINTERCEPT": true,
		"sha224": true, "sha256": true, "sha384": true, "sha512": true}
)

// logicalLines joins continuation lines and strips comments. fn gets the
// first physical line number and the statement.
func logicalLines(b []byte, fn func(n int, s string)) {
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		cur := lines[i]
		for strings.HasSuffix(cur, "\\") && !strings.HasSuffix(cur, "\\\\") && i+1 < len(lines) {
			i++
			cur = cur[:len(cur)-1] + " " + lines[i]
		}
		s := strings.TrimSpace(cur)
		if s == "" {
			continue
		}
		if includeRe.MatchString(s) {
			fn(start, s)
			continue
		}
		if strings.HasPrefix(s, "#") && !uidSpecRe.MatchString(s) {
			continue
		}
		if s = strings.TrimSpace(stripComment(s)); s != "" {
			fn(start, s)
		}
	}
}

// stripComment cuts a trailing comment: a '#' at a word start that is not
// a uid or gid reference (#1000, %#1000, (#0)).
func stripComment(s string) string {
	inQuote := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case c == '#' && !inQuote && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			if i+1 < len(s) && (isDigit(s[i+1]) || (s[i+1] == '-' && i+2 < len(s) && isDigit(s[i+2]))) {
				continue
			}
			return s[:i]
		}
	}
	return s
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// splitTop splits s on sep outside quotes and parentheses, honouring
// backslash escapes. Items are trimmed; empty items dropped.
func splitTop(s string, sep byte) []string {
	var out []string
	depth, inQuote, start := 0, false, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case c == sep && depth == 0:
			if it := strings.TrimSpace(s[start:i]); it != "" {
				out = append(out, it)
			}
			start = i + 1
		}
	}
	if start <= len(s) {
		if it := strings.TrimSpace(s[start:]); it != "" {
			out = append(out, it)
		}
	}
	return out
}

// indexTop returns the index of the first sep outside quotes and
// parentheses, or -1.
func indexTop(s string, sep byte) int {
	depth, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			i++
		case c == '"':
			inQuote = !inQuote
		case inQuote:
		case c == '(':
			depth++
		case c == ')':
			if depth > 0 {
				depth--
			}
		case c == sep && depth == 0:
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}
