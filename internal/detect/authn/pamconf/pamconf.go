// Package pamconf parses Linux-PAM configuration: the files of /etc/pam.d
// (type control module args) and /etc/pam.conf (service first). It keeps
// each stack line with its file and line number, understands bracketed
// controls ("[success=1 default=ignore]") and arguments ("[query=...]"),
// the "-" prefix that silences a missing module, line continuations, and
// Debian's "@include" lines.
//
// Limits: it parses, it does not evaluate stacks; include/substack are
// kept as lines for the caller to follow.
package pamconf

import (
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Line is one PAM stack line.
type Line struct {
	File    string
	Line    int
	Text    string
	Service string // pam.conf only
	Type    string // auth, account, password, session, or "@include"
	Quiet   bool   // "-" before the type: a missing module is not logged
	Control string // required, sufficient, include, "[success=1 default=ignore]" ...
	Module  string // module path or name; the included file for include/@include
	Args    []string
}

// Types PAM knows.
var types = map[string]bool{"auth": true, "account": true, "password": true, "session": true}

// IsInclude reports whether the line pulls in another file rather than
// calling a module.
func (l *Line) IsInclude() bool {
	return l.Type == "@include" || l.Control == "include" || l.Control == "substack"
}

// Parse parses the content of a PAM file at p; conf selects the pam.conf
// format (service name first). Unparsable lines are recorded on rec.
func Parse(p string, b []byte, conf bool, rec target.Recorder) []Line {
	var out []Line
	lines := strings.Split(strings.ReplaceAll(string(b), "\r\n", "\n"), "\n")
	for i := 0; i < len(lines); i++ {
		start := i + 1
		cur := lines[i]
		for strings.HasSuffix(cur, "\\") && i+1 < len(lines) {
			i++
			cur = cur[:len(cur)-1] + " " + lines[i]
		}
		if c := strings.IndexByte(cur, '#'); c >= 0 {
			cur = cur[:c]
		}
		s := strings.TrimSpace(cur)
		if s == "" {
			continue
		}
		l, err := parseLine(s, conf)
		if err != nil {
			rec.GapMsg(model.GapError, p+":"+strconv.Itoa(start), model.MessageOf(err, "pam.gap.line"))
			continue
		}
		l.File, l.Line, l.Text = p, start, s
		out = append(out, l)
	}
	return out
}

func parseLine(s string, conf bool) (Line, error) {
	toks, err := tokens(s)
	if err != nil {
		return Line{}, err
	}
	var l Line
	if conf {
		if len(toks) < 1 {
			return l, model.ErrMsg("pam.gap.no-service")
		}
		l.Service, toks = strings.ToLower(toks[0]), toks[1:]
	}
	if len(toks) >= 2 && toks[0] == "@include" {
		l.Type, l.Module = "@include", toks[1]
		return l, nil
	}
	if len(toks) < 3 {
		return l, model.ErrMsg("pam.gap.fields")
	}
	typ := strings.ToLower(toks[0])
	if strings.HasPrefix(typ, "-") {
		l.Quiet, typ = true, typ[1:]
	}
	if !types[typ] {
		return l, model.ErrMsg("pam.gap.unknown-type", strconv.Quote(toks[0]))
	}
	l.Type, l.Control, l.Module, l.Args = typ, toks[1], toks[2], toks[3:]
	if !strings.HasPrefix(l.Control, "[") {
		l.Control = strings.ToLower(l.Control)
	}
	return l, nil
}

// tokens splits on blanks, keeping [bracketed groups] whole ("\]" escapes
// a bracket inside).
func tokens(s string) ([]string, error) {
	var out []string
	for i := 0; i < len(s); {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		if s[i] == '[' {
			for j < len(s) && s[j] != ']' {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(s) {
				return nil, model.ErrMsg("pam.gap.unclosed-bracket")
			}
			j++
			// A bracketed argument may be followed by more text.
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
		} else {
			for j < len(s) && s[j] != ' ' && s[j] != '\t' {
				j++
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out, nil
}

// ControlActions returns the actions of a bracketed control
// ("[success=1 default=ignore]" gives success:1, default:ignore); the
// simple keywords map to nil.
func ControlActions(control string) map[string]string {
	if !strings.HasPrefix(control, "[") {
		return nil
	}
	out := map[string]string{}
	for _, kv := range strings.Fields(strings.Trim(control, "[]")) {
		k, v, _ := strings.Cut(kv, "=")
		out[strings.ToLower(k)] = strings.ToLower(v)
	}
	return out
}
