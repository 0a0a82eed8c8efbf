package sudoers

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Include is an include directive.
type Include struct {
	Entry
	Dir  bool   // @includedir
	Path string // as written (unquoted)
}

// Parse parses the content of one sudoers file at path p into pol, and
// returns its include directives in order without following them.
// Statements it cannot parse are recorded on rec and skipped.
func Parse(pol *Policy, p string, b []byte, rec target.Recorder) []Include {
	var incs []Include
	logicalLines(b, func(n int, s string) {
		e := Entry{File: p, Line: n, Text: s}
		if m := includeRe.FindStringSubmatch(s); m != nil {
			incs = append(incs, Include{Entry: e, Dir: m[1] == "includedir", Path: unescape(unquote(m[2]))})
			return
		}
		if err := parseStatement(pol, e, s); err != nil {
			rec.GapMsg(model.GapError, p+":"+itoa(n), model.MessageOf(err, "sudoers.gap.statement"))
		}
	})
	return incs
}

var commaSpace = lazyre.New(`\s*,\s*`)

func parseStatement(pol *Policy, e Entry, s string) error {
	if m := defaultsRe.FindStringSubmatch(s); m != nil {
		d := Defaults{Entry: e, Scope: strings.Join(strings.Fields(m[1]), "")}
		for _, it := range splitTop(s[len(m[0]):], ',') {
			d.Params = append(d.Params, parseParam(it))
		}
		pol.Defaults = append(pol.Defaults, d)
		return nil
	}
	if m := aliasRe.FindStringSubmatch(s); m != nil {
		kind := m[1]
		if kind == "Cmd_Alias" {
			kind = "Cmnd_Alias"
		}
		for _, def := range splitTop(m[2], ':') {
			eq := indexTop(def, '=')
			if eq < 0 {
				return model.ErrMsg("sudoers.gap.alias-no-equals")
			}
			name := strings.TrimSpace(def[:eq])
			if !aliasName.MatchString(name) {
				return model.ErrMsg("sudoers.gap.alias-name", quote(name))
			}
			var members []string
			for _, it := range splitTop(def[eq+1:], ',') {
				members = append(members, unescape(it))
			}
			pol.Aliases = append(pol.Aliases, Alias{Entry: e, Kind: kind, Name: name, Members: members})
		}
		return nil
	}
	return parseSpec(pol, e, s)
}

func parseParam(it string) Param {
	var p Param
	it = strings.TrimSpace(it)
	for strings.HasPrefix(it, "!") {
		p.Negated = !p.Negated
		it = strings.TrimSpace(it[1:])
	}
	if i := strings.IndexByte(it, '='); i >= 0 {
		name := strings.TrimSpace(it[:i])
		p.Op = "="
		if strings.HasSuffix(name, "+") || strings.HasSuffix(name, "-") {
			p.Op = name[len(name)-1:] + "="
			name = strings.TrimSpace(name[:len(name)-1])
		}
		p.Name, p.Value = name, unescape(unquote(it[i+1:]))
		return p
	}
	p.Name = it
	return p
}

func parseSpec(pol *Policy, e Entry, s string) error {
	eq := indexTop(s, '=')
	if eq < 0 {
		return model.ErrMsg("sudoers.gap.spec-no-equals")
	}
	fields := strings.Fields(commaSpace.ReplaceAllString(s[:eq], ","))
	if len(fields) != 2 {
		return model.ErrMsg("sudoers.gap.spec-lists")
	}
	sp := Spec{Entry: e, Users: splitTop(fields[0], ','), Hosts: splitTop(fields[1], ',')}
	sections := hostSections(s[eq+1:])
	for i, sec := range sections {
		if i > 0 {
			heq := indexTop(sec, '=')
			if heq < 0 {
				return model.ErrMsg("sudoers.gap.host-no-equals")
			}
			sec = sec[heq+1:]
		}
		cmnds, err := parseCmnds(sec)
		if err != nil {
			return err
		}
		sp.Cmnds = append(sp.Cmnds, cmnds...)
	}
	if len(sp.Cmnds) == 0 {
		return model.ErrMsg("sudoers.gap.no-command")
	}
	pol.Specs = append(pol.Specs, sp)
	return nil
}

// hostSections splits the right side of a specification at the ':' that
// separate "Host_List = Cmnd_Spec_List" groups, leaving the tag colons
// (NOPASSWD:) and digest colons (sha256:) alone.
func hostSections(s string) []string {
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
		case c == ':' && depth == 0:
			if tagWords[wordBefore(s, i)] {
				continue
			}
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func wordBefore(s string, i int) string {
	j := i
	for j > 0 && (s[j-1] == ' ' || s[j-1] == '\t') {
		j--
	}
	k := j
	for k > 0 && (s[k-1] == '_' || isDigit(s[k-1]) || (s[k-1]|0x20 >= 'a' && s[k-1]|0x20 <= 'z')) {
		k--
	}
	return s[k:j]
}

// parseCmnds parses a Cmnd_Spec_List. Runas lists and tags carry over to
// the following commands of the list, as in sudo.
func parseCmnds(s string) ([]Cmnd, error) {
	var out []Cmnd
	var cur Cmnd
	for _, item := range splitTop(s, ',') {
		rest := item
		for {
			rest = strings.TrimSpace(rest)
			if strings.HasPrefix(rest, "(") {
				end := strings.IndexByte(rest, ')')
				if end < 0 {
					return nil, model.ErrMsg("sudoers.gap.unclosed-runas")
				}
				u, g, _ := strings.Cut(rest[1:end], ":")
				cur.RunasUsers, cur.RunasGroups, cur.RunasGiven = splitTop(u, ','), splitTop(g, ','), true
				rest = rest[end+1:]
				continue
			}
			if m := tagRe.FindStringSubmatch(rest); m != nil {
				switch m[1] {
				case "NOPASSWD":
					cur.NoPasswd = true
				case "PASSWD":
					cur.NoPasswd = false
				case "SETENV":
					cur.SetEnv = true
				case "NOSETENV":
					cur.SetEnv = false
				case "NOEXEC":
					cur.NoExec = true
				case "EXEC":
					cur.NoExec = false
				}
				rest = rest[len(m[0]):]
				continue
			}
			if m := optionRe.FindString(rest); m != "" {
				rest = rest[len(m):]
				continue
			}
			if m := digestRe.FindString(rest); m != "" {
				rest = rest[len(m):]
				continue
			}
			break
		}
		c := cur
		c.Negated = false
		for strings.HasPrefix(rest, "!") {
			c.Negated = !c.Negated
			rest = strings.TrimSpace(rest[1:])
		}
		if rest == "" {
			return nil, model.ErrMsg("sudoers.gap.empty-command")
		}
		c.Command = strings.Join(strings.Fields(unescape(rest)), " ")
		out = append(out, c)
	}
	return out, nil
}

func quote(s string) string { return "\"" + s + "\"" }
