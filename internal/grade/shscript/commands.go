package shscript

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// Cmd is one simple command: its quote-removed words (reserved words such
// as "then" or "do" in front dropped) and its text as written.
type Cmd struct {
	Words []string
	Raw   string
}

// Name returns the command word, "" for an empty command.
func (c Cmd) Name() string {
	if len(c.Words) == 0 {
		return ""
	}
	return c.Words[0]
}

// reserved words that may precede a simple command on the same line.
var reserved = map[string]bool{
	"if": true, "then": true, "else": true, "elif": true, "fi": true,
	"do": true, "done": true, "while": true, "until": true, "!": true,
	"{": true, "}": true, "time": true, "esac": true, "in": true,
}

// Commands splits a logical line (Line.Text, or any command string) into
// simple commands at ; & | && || ( ) and newlines outside quotes.
// Command substitutions, ${...} and arrays stay inside their word, as
// written.
func Commands(text string) []Cmd {
	var (
		out   []Cmd
		words []string
		cur   strings.Builder
		in    bool // a word is being built
		start = -1
	)
	flushWord := func() {
		if in {
			words = append(words, cur.String())
			cur.Reset()
			in = false
		}
	}
	flushCmd := func(end int) {
		flushWord()
		for len(words) > 0 && reserved[words[0]] {
			words = words[1:]
		}
		if len(words) > 0 && start >= 0 && end >= start {
			out = append(out, Cmd{Words: words, Raw: strings.TrimSpace(text[start:end])})
		}
		words = nil
		start = -1
	}
	mark := func(i int) {
		if start < 0 {
			start = i
		}
		in = true
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch c {
		case ' ', '\t', '\r':
			flushWord()
		case '\n', ';':
			flushCmd(i)
		case '&':
			if in && (strings.HasSuffix(cur.String(), ">") || strings.HasSuffix(cur.String(), "<")) {
				cur.WriteByte(c) // 2>&1, <&3
				continue
			}
			if i+1 < len(text) && text[i+1] == '>' {
				mark(i) // &> file
				cur.WriteString("&>")
				i++
				continue
			}
			flushCmd(i)
		case '|':
			flushCmd(i)
		case '(':
			if in && strings.HasSuffix(cur.String(), "=") {
				// Array assignment: NAME=(a b) stays one word.
				j := matchClose(text, i, '(', ')')
				cur.WriteString(text[i:j])
				i = j - 1
				continue
			}
			flushCmd(i)
		case ')':
			flushCmd(i)
		case '\'':
			mark(i)
			j := strings.IndexByte(text[i+1:], '\'')
			if j < 0 {
				cur.WriteString(text[i+1:])
				i = len(text)
				continue
			}
			s := text[i+1 : i+1+j]
			if strings.HasSuffix(cur.String(), "$") { // $'...': keep escapes, drop the $
				b := cur.String()
				cur.Reset()
				cur.WriteString(b[:len(b)-1])
				j = ansiEnd(text, i)
				s = text[i+1 : j-1]
				cur.WriteString(s)
				i = j - 1
				continue
			}
			cur.WriteString(s)
			i += j + 1
		case '"':
			mark(i)
			j := i + 1
			for j < len(text) && text[j] != '"' {
				switch {
				case text[j] == '\\' && j+1 < len(text):
					if strings.IndexByte("$`\"\\\n", text[j+1]) >= 0 {
						cur.WriteByte(text[j+1])
					} else {
						cur.WriteByte('\\')
						cur.WriteByte(text[j+1])
					}
					j += 2
					continue
				case text[j] == '$' && j+1 < len(text) && text[j+1] == '(':
					k := matchClose(text, j+1, '(', ')')
					cur.WriteString(text[j:k])
					j = k
					continue
				case text[j] == '`':
					k := closeBacktick(text, j)
					cur.WriteString(text[j:k])
					j = k
					continue
				}
				cur.WriteByte(text[j])
				j++
			}
			i = j
		case '\\':
			mark(i)
			if i+1 < len(text) {
				i++
				cur.WriteByte(text[i])
			}
		case '$':
			mark(i)
			if i+1 < len(text) && (text[i+1] == '(' || text[i+1] == '{') {
				open, closing := text[i+1], byte(')')
				if open == '{' {
					closing = '}'
				}
				j := matchClose(text, i+1, open, closing)
				cur.WriteString(text[i:j])
				i = j - 1
				continue
			}
			cur.WriteByte(c)
		case '`':
			mark(i)
			j := closeBacktick(text, i)
			cur.WriteString(text[i:j])
			i = j - 1
		default:
			mark(i)
			cur.WriteByte(c)
		}
	}
	flushCmd(len(text))
	return out
}

// matchClose returns the index just past the bracket closing the one at
// text[i], honouring quotes and nesting; len(text) when unbalanced.
func matchClose(text string, i int, open, closing byte) int {
	depth := 0
	for j := i; j < len(text); j++ {
		switch text[j] {
		case '\\':
			j++
		case '\'':
			if k := strings.IndexByte(text[j+1:], '\''); k >= 0 {
				j += k + 1
			} else {
				return len(text)
			}
		case '"':
			k := j + 1
			for k < len(text) && text[k] != '"' {
				if text[k] == '\\' {
					k++
				}
				k++
			}
			j = k
		case open:
			depth++
		case closing:
			depth--
			if depth == 0 {
				return j + 1
			}
		}
	}
	return len(text)
}

// closeBacktick returns the index just past the backquote closing the one
// at text[i].
func closeBacktick(text string, i int) int {
	for j := i + 1; j < len(text); j++ {
		if text[j] == '\\' {
			j++
			continue
		}
		if text[j] == '`' {
			return j + 1
		}
	}
	return len(text)
}

// ansiEnd returns the index just past the quote closing the $'...' whose
// opening quote is at text[i].
func ansiEnd(text string, i int) int {
	for j := i + 1; j < len(text); j++ {
		if text[j] == '\\' {
			j++
			continue
		}
		if text[j] == '\'' {
			return j + 1
		}
	}
	return len(text)
}

var assignRE = lazyre.New(`^([A-Za-z_][A-Za-z0-9_]*)(\[[^\]]*\])?(\+?=)`)

// Assignment splits a word of the form NAME=value, NAME+=value or
// NAME[i]=value.
func Assignment(word string) (name, op, value string, ok bool) {
	m := assignRE.FindStringSubmatchIndex(word)
	if m == nil {
		return "", "", "", false
	}
	return word[m[2]:m[3]], word[m[6]:m[7]], word[m[1]:], true
}

// Assign is one variable assignment found in a command.
type Assign struct {
	Name, Op, Value string
	Exported        bool // export, declare -x, setenv, or an env file
}

// Assignments returns the variable assignments a simple command makes:
// prefix assignments (X=1 cmd; for a bare assignment line the shell
// variable itself), export/declare/typeset/readonly/local arguments, and
// csh setenv.
func (c Cmd) Assignments() []Assign {
	w := c.Words
	var out []Assign
	i := 0
	for ; i < len(w); i++ {
		n, op, v, ok := Assignment(w[i])
		if !ok {
			break
		}
		out = append(out, Assign{Name: n, Op: op, Value: v})
	}
	if i >= len(w) {
		return out
	}
	if i > 0 {
		// Prefix assignments apply to the command only; still report
		// them (LD_PRELOAD=x sudo ...).
		return out
	}
	switch w[0] {
	case "export", "declare", "typeset", "readonly", "local":
		exported := w[0] == "export"
		for _, a := range w[1:] {
			if strings.HasPrefix(a, "-") {
				if strings.Contains(a, "x") {
					exported = true
				}
				continue
			}
			if n, op, v, ok := Assignment(a); ok {
				out = append(out, Assign{Name: n, Op: op, Value: v, Exported: exported})
			}
		}
	case "setenv":
		if len(w) >= 2 {
			out = append(out, Assign{Name: w[1], Op: "=", Value: strings.Join(w[2:], " "), Exported: true})
		}
	}
	return out
}

// Alias is one alias definition.
type Alias struct {
	Name, Value string
}

// Aliases returns the aliases a command defines: bash/zsh "alias a=b c=d"
// (with zsh's -g/-s flags) and, when csh is true, "alias name words...".
func (c Cmd) Aliases(csh bool) []Alias {
	w := c.Words
	if len(w) < 2 || w[0] != "alias" {
		return nil
	}
	if csh {
		if len(w) < 3 {
			return nil
		}
		return []Alias{{Name: w[1], Value: strings.Join(w[2:], " ")}}
	}
	var out []Alias
	for _, a := range w[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		name, val, ok := strings.Cut(a, "=")
		if !ok || name == "" {
			continue
		}
		out = append(out, Alias{Name: name, Value: val})
	}
	return out
}

var funcRE = lazyre.New(`^\s*(?:function\s+([^\s(){};&|]+)\s*(?:\(\s*\))?|([^\s(){};&|=$'"]+)\s*\(\s*\))\s*(\{|\(|$)`)

// FuncName returns the name of the function a logical line starts to
// define ("name() {", "function name {"), if any.
func FuncName(text string) (string, bool) {
	m := funcRE.FindStringSubmatch(text)
	if m == nil {
		return "", false
	}
	if m[1] != "" {
		return m[1], true
	}
	return m[2], true
}

// FuncBody returns the logical lines of the function body that starts at
// lines[i] (the definition line itself included) and the index of its last
// line. The body ends where the braces opened on the definition close.
func FuncBody(lines []Line, i int) ([]Line, int) {
	depth := 0
	opened := false
	for j := i; j < len(lines) && j < i+5000; j++ {
		if lines[j].Heredoc {
			continue
		}
		d, o := braceDelta(lines[j].Text)
		depth += d
		opened = opened || o
		if opened && depth <= 0 {
			return lines[i : j+1], j
		}
	}
	return lines[i : i+1], i
}

// braceDelta counts { and } that stand as shell words outside quotes.
func braceDelta(text string) (int, bool) {
	d, opened := 0, false
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '\'':
			if k := strings.IndexByte(text[i+1:], '\''); k >= 0 {
				i += k + 1
			}
		case '"':
			i = matchQuote(text, i)
		case '$':
			if i+1 < len(text) && (text[i+1] == '{' || text[i+1] == '(') {
				open, cl := text[i+1], byte(')')
				if open == '{' {
					cl = '}'
				}
				i = matchClose(text, i+1, open, cl) - 1
			}
		case '{':
			if braceWord(text, i) {
				d++
				opened = true
			}
		case '}':
			if braceWord(text, i) {
				d--
			}
		}
	}
	return d, opened
}

// braceWord reports whether the brace at text[i] stands as a word (a group
// or function body), not inside a word such as a{b,c}.
func braceWord(text string, i int) bool {
	before := i == 0 || strings.IndexByte(" \t;&|(){}", text[i-1]) >= 0
	after := i+1 == len(text) || strings.IndexByte(" \t;&|(){}", text[i+1]) >= 0
	return before && after
}

func matchQuote(text string, i int) int {
	for j := i + 1; j < len(text); j++ {
		if text[j] == '\\' {
			j++
			continue
		}
		if text[j] == '"' {
			return j
		}
	}
	return len(text)
}
