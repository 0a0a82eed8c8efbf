package shscript

import (
	"strings"
)

// maxJoin bounds how many physical lines one logical line may span, so that
// a stray quote cannot turn the rest of a file into one line.
const maxJoin = 64

// maxLines bounds how many physical lines are read from one file.
const maxLines = 200000

// Line is one logical line of a script.
type Line struct {
	N       int    // 1-based number of the first physical line
	Text    string // continuations joined, comment removed (what the shell runs)
	Raw     string // the physical lines as written, joined with a space, trimmed
	Heredoc bool   // a here-document body line: data fed to a command, not a command
}

// Lines splits a script into logical lines. Blank and comment-only lines
// are dropped. It never fails: malformed input yields best-effort lines.
func Lines(src []byte) []Line {
	phys := strings.Split(string(src), "\n")
	if len(phys) > maxLines {
		phys = phys[:maxLines]
	}
	for i, l := range phys {
		phys[i] = strings.TrimSuffix(l, "\r")
	}
	var out []Line
	for i := 0; i < len(phys); i++ {
		start := i
		var lx lexer
		for {
			cont := lx.feed(phys[i])
			if !cont || i+1 >= len(phys) {
				break
			}
			if i-start+1 >= maxJoin {
				// Unbalanced quote: read the first line alone and go on.
				lx = lexer{}
				lx.feed(phys[start])
				i = start
				break
			}
			i++
		}
		text := strings.TrimSpace(lx.text.String())
		if text != "" {
			raw := make([]string, 0, i-start+1)
			for _, r := range phys[start : i+1] {
				raw = append(raw, strings.TrimSpace(r))
			}
			out = append(out, Line{N: start + 1, Text: text, Raw: strings.TrimSpace(strings.Join(raw, " "))})
		}
		for _, hd := range lx.heredocs {
			for i+1 < len(phys) {
				i++
				body := phys[i]
				cmp := body
				if hd.strip {
					cmp = strings.TrimLeft(cmp, "\t")
				}
				if cmp == hd.delim {
					break
				}
				if t := strings.TrimSpace(body); t != "" {
					out = append(out, Line{N: i + 1, Text: t, Raw: t, Heredoc: true})
				}
			}
		}
	}
	return out
}

type heredoc struct {
	delim string
	strip bool // <<- strips leading tabs
}

// lexer tracks quoting across the physical lines of one logical line.
type lexer struct {
	text     strings.Builder
	single   bool // inside '...'
	ansi     bool // the single quote is $'...' (backslash escapes)
	double   bool // inside "..."
	backtick bool // inside `...`
	heredocs []heredoc
}

// feed adds one physical line and reports whether the logical line goes on.
func (lx *lexer) feed(l string) bool {
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case lx.single:
			if lx.ansi && c == '\\' && i+1 < len(l) {
				lx.text.WriteByte(c)
				i++
				lx.text.WriteByte(l[i])
				continue
			}
			if c == '\'' {
				lx.single, lx.ansi = false, false
			}
			lx.text.WriteByte(c)
		case lx.double:
			if c == '\\' {
				if i+1 == len(l) {
					return true // backslash-newline inside "..." is removed
				}
				lx.text.WriteByte(c)
				i++
				lx.text.WriteByte(l[i])
				continue
			}
			if c == '"' {
				lx.double = false
			}
			lx.text.WriteByte(c)
		default:
			switch c {
			case '\\':
				if i+1 == len(l) {
					return true
				}
				lx.text.WriteByte(c)
				i++
				lx.text.WriteByte(l[i])
				continue
			case '\'':
				lx.single = true
				lx.ansi = i > 0 && l[i-1] == '$'
			case '"':
				lx.double = true
			case '`':
				lx.backtick = !lx.backtick
			case '#':
				if wordStart(l, i) {
					return lx.backtick // a comment ends the line
				}
			case '<':
				if hd, n, ok := parseHeredoc(l[i:]); ok {
					lx.heredocs = append(lx.heredocs, hd)
					lx.text.WriteString(l[i : i+n])
					i += n - 1
					continue
				}
			}
			lx.text.WriteByte(c)
		}
	}
	if lx.single || lx.double || lx.backtick {
		lx.text.WriteByte('\n')
		return true
	}
	return false
}

// wordStart reports whether position i of l begins a shell word, where a #
// starts a comment.
func wordStart(l string, i int) bool {
	if i == 0 {
		return true
	}
	switch l[i-1] {
	case ' ', '\t', ';', '&', '|', '(', ')', '}':
		return true
	case '{':
		return i < 2 || l[i-2] != '$' // ${#x} is a length
	}
	return false
}

// parseHeredoc reads "<<WORD", "<<-WORD", "<< 'WORD'" at the start of s.
// "<<<" (a here-string) is not a here-document.
func parseHeredoc(s string) (heredoc, int, bool) {
	if !strings.HasPrefix(s, "<<") || strings.HasPrefix(s, "<<<") {
		return heredoc{}, 0, false
	}
	i := 2
	hd := heredoc{}
	if i < len(s) && s[i] == '-' {
		hd.strip = true
		i++
	}
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	var d strings.Builder
	for i < len(s) {
		c := s[i]
		if c == '\'' || c == '"' || c == '\\' {
			i++
			continue
		}
		if c == ' ' || c == '\t' || c == ';' || c == '&' || c == '|' || c == '<' || c == '>' || c == ')' {
			break
		}
		d.WriteByte(c)
		i++
	}
	if d.Len() == 0 {
		return heredoc{}, 0, false
	}
	hd.delim = d.String()
	return hd, i, true
}
