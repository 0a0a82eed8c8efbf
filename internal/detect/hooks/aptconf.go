package hooks

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// AptItem is one value of an APT configuration file with its full option
// name ("DPkg::Post-Invoke", list elements share their list's name).
type AptItem struct {
	Key     string
	Value   string
	Line    int
	Include bool // an #include directive: Value is the path
}

// ParseAptConf reads APT configuration syntax: "Name "value";", scopes
// "Name { ... };", lists "{ "a"; "b"; }", "::" in names, // and /* */ and #
// comments, and the #clear / #include directives. It never fails:
// malformed input yields what could be read.
func ParseAptConf(b []byte) []AptItem {
	toks := aptTokens(string(b))
	var (
		out   []AptItem
		scope []string
		name  string
		val   *aptTok
	)
	full := func(n string) string {
		parts := append(append([]string(nil), scope...), strings.TrimSuffix(n, "::"))
		k := strings.Join(parts, "::")
		return strings.Trim(k, ":")
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tokDirective:
			// #clear X; / #include "file";
			if t.text == "#include" && i+1 < len(toks) && toks[i+1].kind != tokPunct {
				out = append(out, AptItem{Key: "#include", Value: toks[i+1].text, Line: toks[i+1].line, Include: true})
			}
			for i < len(toks) && !(toks[i].kind == tokPunct && toks[i].text == ";") {
				i++
			}
			name, val = "", nil
		case tokWord, tokString:
			switch {
			case name == "" && t.kind == tokWord:
				name = t.text
			case name == "" && t.kind == tokString:
				// A list element inside a scope.
				out = append(out, AptItem{Key: full(""), Value: t.text, Line: t.line})
			default:
				tt := t
				val = &tt
			}
		case tokPunct:
			switch t.text {
			case ";":
				if name != "" {
					if val != nil {
						out = append(out, AptItem{Key: full(name), Value: val.text, Line: val.line})
					}
				}
				name, val = "", nil
			case "{":
				if len(scope) < 64 {
					scope = append(scope, strings.TrimSuffix(name, "::"))
				}
				name, val = "", nil
			case "}":
				if name != "" && val != nil {
					out = append(out, AptItem{Key: full(name), Value: val.text, Line: val.line})
				}
				if len(scope) > 0 {
					scope = scope[:len(scope)-1]
				}
				name, val = "", nil
			}
		}
	}
	return out
}

type tokKind int

const (
	tokWord tokKind = iota
	tokString
	tokPunct
	tokDirective
)

type aptTok struct {
	kind tokKind
	text string
	line int
}

func aptTokens(s string) []aptTok {
	var out []aptTok
	line := 1
	lineStart := true
	for i := 0; i < len(s) && len(out) < 1000000; {
		c := s[i]
		switch {
		case c == '\n':
			line++
			lineStart = true
			i++
			continue
		case c == ' ' || c == '\t' || c == '\r':
			i++
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '/':
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out
			}
			line += strings.Count(s[i:i+2+end], "\n")
			i += end + 4
			continue
		case c == '#':
			j := i
			for j < len(s) && s[j] != ' ' && s[j] != '\t' && s[j] != '\n' && s[j] != ';' {
				j++
			}
			word := s[i:j]
			if lineStart && (word == "#clear" || word == "#include") {
				out = append(out, aptTok{kind: tokDirective, text: word, line: line})
				i = j
				lineStart = false
				continue
			}
			for i < len(s) && s[i] != '\n' {
				i++
			}
			continue
		case c == '"':
			j := strings.IndexByte(s[i+1:], '"')
			if j < 0 {
				out = append(out, aptTok{kind: tokString, text: s[i+1:], line: line})
				return out
			}
			text := s[i+1 : i+1+j]
			out = append(out, aptTok{kind: tokString, text: text, line: line})
			line += strings.Count(text, "\n")
			i += j + 2
		case c == '{' || c == '}' || c == ';':
			out = append(out, aptTok{kind: tokPunct, text: string(c), line: line})
			i++
		default:
			j := i
			for j < len(s) && strings.IndexByte(" \t\r\n{};\"", s[j]) < 0 && !(s[j] == '/' && j+1 < len(s) && (s[j+1] == '/' || s[j+1] == '*') && (j == i || s[j-1] != ':')) {
				j++
			}
			if j == i {
				j++
			}
			out = append(out, aptTok{kind: tokWord, text: s[i:j], line: line})
			i = j
		}
		lineStart = false
	}
	return out
}

// aptHookKeys are the options whose values APT runs with sh -c as root.
var aptHookKeys = map[string]bool{
	"apt::update::pre-invoke": true, "apt::update::post-invoke": true, "apt::update::post-invoke-success": true,
	"apt::install::pre-invoke": true, "apt::install::post-invoke": true, "apt::install::post-invoke-success": true,
	"dpkg::pre-invoke": true, "dpkg::post-invoke": true, "dpkg::pre-install-pkgs": true, "dpkg::post-invoke-success": true,
	"aptlistbugs::pre-install-pkgs": true,
}

var binaryScope = lazyre.New(`^binary::[^:]+::`)

// aptKind says what an option does: "hook" (a shell command), "program" (a
// path APT executes), or "".
func aptKind(key string) string {
	k := binaryScope.ReplaceAllString(strings.ToLower(key), "")
	switch {
	case aptHookKeys[k]:
		return "hook"
	case strings.HasPrefix(k, "dir::bin::"),
		strings.HasSuffix(k, "::proxy-auto-detect"), strings.HasSuffix(k, "::proxyautodetect"):
		return "program"
	case strings.HasPrefix(k, "dpkg::tools::options::"):
		return "tool"
	}
	return ""
}

// validAptPart reports whether APT reads a file of apt.conf.d: only
// [A-Za-z0-9_.-] names with no extension or ".conf".
func validAptPart(name string) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return name != "" && (strings.HasSuffix(name, ".conf") || !strings.Contains(name, "."))
}

// validDpkgPart reports whether dpkg reads a file of dpkg.cfg.d: only
// [A-Za-z0-9_-] names.
func validDpkgPart(name string) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return name != ""
}

// cleanupOnly reports whether a hook only deletes APT's own caches, like
// the official Docker images' docker-clean.
func cleanupOnly(cmd string) bool {
	cmds := shscript.Commands(cmd)
	if len(cmds) == 0 {
		return false
	}
	for _, c := range cmds {
		switch c.Name() {
		case "true", ":":
		case "rm":
			for _, a := range c.Words[1:] {
				if strings.HasPrefix(a, "-") {
					continue
				}
				if !strings.HasPrefix(a, "/var/cache/apt/") && !strings.HasPrefix(a, "/var/lib/apt/lists/") {
					return false
				}
			}
		default:
			return false
		}
	}
	return true
}

func (r *run) apt() {
	files := []string{"/etc/apt/apt.conf"}
	ents, err := r.t.ReadDir("/etc/apt/apt.conf.d")
	if err == nil {
		for _, e := range ents {
			if validAptPart(e.Name()) && !e.IsDir() {
				files = append(files, path.Join("/etc/apt/apt.conf.d", e.Name()))
			}
		}
	} else {
		r.recordDir("/etc/apt/apt.conf.d", err)
	}
	seen := map[string]bool{}
	for _, p := range files {
		r.aptFile(p, 0, seen)
	}
}

func (r *run) aptFile(p string, depth int, seen map[string]bool) {
	if seen[p] || depth > 2 {
		return
	}
	seen[p] = true
	pkg, pristine := r.ownership(p)
	if pristine {
		return
	}
	b, ok := r.read(p)
	if !ok {
		return
	}
	for _, it := range ParseAptConf(b) {
		if it.Include {
			if strings.HasPrefix(it.Value, "/etc/") {
				r.aptFile(path.Clean(it.Value), depth+1, seen)
			}
			continue
		}
		kind := aptKind(it.Key)
		if kind == "" {
			continue
		}
		ev := model.Evidence{Path: p, Line: it.Line, Text: textclip.Trim(it.Key+" \""+it.Value+"\"", 400), Package: pkg, When: "update",
			Extra: map[string]string{"option": it.Key, "command": it.Value}}
		subject := p + " (" + it.Key + ")"
		var v cmdVerdict
		switch kind {
		case "hook":
			if cleanupOnly(it.Value) {
				continue
			}
			v = r.judgeCommand(it.Value, "", 0)
		case "program", "tool":
			prog := it.Value
			if kind == "tool" {
				// DPkg::Tools::Options::/path/prog::Version: the program
				// is in the option name.
				rest := it.Key[len("dpkg::tools::options::"):]
				prog, _, _ = strings.Cut(rest, "::")
			}
			if !strings.HasPrefix(prog, "/") {
				continue
			}
			r.judgeProgram(&v, prog, "")
			if kind == "tool" && !v.suspicious {
				continue
			}
			if !v.suspicious && !contains(v.ind, indNotPackaged) {
				continue // a packaged program APT is pointed at
			}
		}
		r.reportHook(rulePkgHookCommand, rulePkgHookUnowned, subject, ev, v, pkg)
	}
}

// reportHook emits a hook's finding: the command rule when the command is
// suspicious, else the unowned rule when no package installed the file.
// Unowned APT and dpkg hooks are rare and are what intruders add, hence
// high.
func (r *run) reportHook(cmdRule, unownedRule, subject string, ev model.Evidence, v cmdVerdict, pkg string) {
	switch {
	case v.suspicious:
		sev := v.sev
		if sev < model.High {
			sev = model.High
		}
		r.emit(cmdRule, subject, ev, v.ind, sev, v.conf)
	case pkg == model.NoPackage:
		r.emit(unownedRule, subject, ev, withInd(v.ind, indNotPackaged), model.High, model.ConfMedium)
	case pkg != "" && contains(v.ind, indNotPackaged):
		// A packaged file changed to run a program no package installed.
		r.emit(unownedRule, subject, ev, withInd(v.ind, indModified), model.Medium, model.ConfMedium)
	}
}

// DpkgOption is one option line of a dpkg configuration file.
type DpkgOption struct {
	Line        int
	Text        string
	Name, Value string
}

// ParseDpkgCfg reads dpkg.cfg syntax: "option", "option value" or
// "option=value", # comments.
func ParseDpkgCfg(b []byte) []DpkgOption {
	var out []DpkgOption
	for i, l := range strings.Split(string(b), "\n") {
		if i >= 100000 {
			break
		}
		t := strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if t == "" || t[0] == '#' {
			continue
		}
		t = strings.TrimPrefix(t, "--")
		k := strings.IndexAny(t, "= \t")
		o := DpkgOption{Line: i + 1, Text: t, Name: t}
		if k >= 0 {
			o.Name = t[:k]
			o.Value = strings.TrimSpace(t[k+1:])
			if len(o.Value) >= 2 && o.Value[0] == '"' && o.Value[len(o.Value)-1] == '"' {
				o.Value = o.Value[1 : len(o.Value)-1]
			}
		}
		out = append(out, o)
	}
	return out
}

func (r *run) dpkg() {
	files := []string{"/etc/dpkg/dpkg.cfg"}
	files = append(files, r.t.Glob("/etc/dpkg/dpkg.cfg.d/*")...)
	for _, p := range files {
		if !validDpkgPart(path.Base(p)) && p != "/etc/dpkg/dpkg.cfg" {
			continue
		}
		pkg, pristine := r.ownership(p)
		if pristine {
			continue
		}
		b, ok := r.read(p)
		if !ok {
			continue
		}
		for _, o := range ParseDpkgCfg(b) {
			switch o.Name {
			case "pre-invoke", "post-invoke", "status-logger":
			default:
				continue
			}
			if o.Value == "" || cleanupOnly(o.Value) {
				continue
			}
			v := r.judgeCommand(o.Value, "", 0)
			ev := model.Evidence{Path: p, Line: o.Line, Text: textclip.Trim(o.Text, 400), Package: pkg, When: "update",
				Extra: map[string]string{"option": o.Name, "command": o.Value}}
			r.reportHook(rulePkgHookCommand, rulePkgHookUnowned, p+" ("+o.Name+")", ev, v, pkg)
		}
	}
}
