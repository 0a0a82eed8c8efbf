package hooks

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// UdevPair is one KEY{attr}OP"value" of a udev rule.
type UdevPair struct {
	Key, Attr, Op, Value string
}

// UdevRule is one rule (logical line) of a rules file.
type UdevRule struct {
	Line  int
	Text  string
	Pairs []UdevPair
}

// ParseUdevRules reads a udev rules file: # comments, backslash
// continuations, comma-separated KEY[{attr}] OP "value" pairs. Malformed
// pairs end the rule's parse; what was read before is kept.
func ParseUdevRules(b []byte) []UdevRule {
	var out []UdevRule
	lines := strings.Split(string(b), "\n")
	for i := 0; i < len(lines) && i < 100000; i++ {
		start := i
		t := strings.TrimSuffix(lines[i], "\r")
		for strings.HasSuffix(t, "\\") && i+1 < len(lines) && i-start < 64 {
			i++
			t = strings.TrimSuffix(t, "\\") + strings.TrimSuffix(lines[i], "\r")
		}
		t = strings.TrimSpace(t)
		if t == "" || t[0] == '#' {
			continue
		}
		out = append(out, UdevRule{Line: start + 1, Text: t, Pairs: parseUdevPairs(t)})
	}
	return out
}

func parseUdevPairs(s string) []UdevPair {
	var out []UdevPair
	i := 0
	for i < len(s) {
		for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ',') {
			i++
		}
		if i >= len(s) {
			break
		}
		ks := i
		for i < len(s) && s[i] != '=' && s[i] != '!' && s[i] != '+' && s[i] != '-' && s[i] != ':' && s[i] != ' ' && s[i] != '{' {
			i++
		}
		p := UdevPair{Key: s[ks:i]}
		if i < len(s) && s[i] == '{' {
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return out
			}
			p.Attr = s[i+1 : i+j]
			i += j + 1
		}
		for i < len(s) && s[i] == ' ' {
			i++
		}
		os := i
		for i < len(s) && strings.IndexByte("=!+-:", s[i]) >= 0 && i-os < 2 {
			i++
		}
		p.Op = s[os:i]
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i < len(s) && s[i] == 'e' && i+1 < len(s) && s[i+1] == '"' {
			i++ // e"..." escaped string
		}
		if p.Key == "" || p.Op == "" || i >= len(s) || s[i] != '"' {
			return out
		}
		i++
		var v strings.Builder
		for i < len(s) && s[i] != '"' {
			if s[i] == '\\' && i+1 < len(s) {
				v.WriteByte(s[i+1])
				i += 2
				continue
			}
			v.WriteByte(s[i])
			i++
		}
		p.Value = v.String()
		i++ // closing quote
		out = append(out, p)
	}
	return out
}

// udevDirs are where udev reads rules; /etc overrides the others by name.
var udevDirs = []string{"/etc/udev/rules.d", "/run/udev/rules.d", "/usr/local/lib/udev/rules.d", "/usr/lib/udev/rules.d", "/lib/udev/rules.d"}

// udevCommands returns the commands a rule runs: RUN (not builtin),
// PROGRAM and IMPORT{program}.
func udevCommands(rule UdevRule) []UdevPair {
	var out []UdevPair
	for _, p := range rule.Pairs {
		switch {
		case p.Key == "RUN" && (p.Attr == "" || p.Attr == "program") && p.Op != "==" && p.Op != "!=":
		case p.Key == "PROGRAM":
		case p.Key == "IMPORT" && p.Attr == "program":
		default:
			continue
		}
		if strings.TrimSpace(p.Value) != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *run) udev() {
	seen := map[string]bool{}
	for _, d := range udevDirs {
		for _, p := range r.t.Glob(path.Join(d, "*.rules")) {
			rp, err := r.t.Resolve(p)
			if err != nil {
				rp = p
			}
			if seen[rp] || rp == "/dev/null" {
				continue // masked, or the same file through /lib -> /usr/lib
			}
			seen[rp] = true
			r.udevFile(p)
		}
	}
}

func (r *run) udevFile(p string) {
	pkg, pristine := r.ownership(p)
	if pristine {
		return
	}
	b, ok := r.read(p)
	if !ok {
		return
	}
	for _, rule := range ParseUdevRules(b) {
		for _, c := range udevCommands(rule) {
			v := r.judgeCommand(c.Value, "/usr/lib/udev", 0)
			ev := model.Evidence{Path: p, Line: rule.Line, Text: textclip.Trim(rule.Text, 400), Package: pkg, When: "event",
				Extra: map[string]string{"key": c.Key + attrSuffix(c.Attr), "command": c.Value}}
			subject := p + " (" + c.Key + attrSuffix(c.Attr) + ")"
			switch {
			case v.suspicious:
				sev := v.sev
				if sev < model.High {
					sev = model.High
				}
				r.emit(ruleUdevCommand, subject, ev, v.ind, sev, v.conf)
			case pkg == model.NoPackage:
				r.emit(ruleUdevUnowned, subject, ev, withInd(v.ind, indNotPackaged), model.Medium, model.ConfMedium)
			case pkg != "":
				r.emit(ruleUdevUnowned, subject, ev, withInd(v.ind, indModified), model.Medium, model.ConfLow)
			}
		}
	}
}

func attrSuffix(a string) string {
	if a == "" {
		return ""
	}
	return "{" + a + "}"
}
