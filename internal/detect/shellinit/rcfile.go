package shellinit

import (
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids.
const (
	ruleCommand   = "persistence.shell.command"
	ruleAlias     = "persistence.shell.alias"
	ruleFunction  = "persistence.shell.function"
	rulePrompt    = "persistence.shell.prompt-hook"
	ruleTrap      = "persistence.shell.trap"
	ruleLoaderEnv = "persistence.shell.loader-env"
	ruleInterpEnv = "persistence.shell.interpreter-env"
	rulePath      = "persistence.shell.path"
	ruleSource    = "persistence.shell.source"
	ruleWritable  = "persistence.shell.writable-file"
	ruleUnowned   = "persistence.shell.unowned-file"
)

var allRules = []string{ruleAdded, ruleCommand, ruleAlias, ruleFunction, rulePrompt, ruleTrap, ruleLoaderEnv, ruleInterpEnv, rulePath, ruleSource, ruleWritable, ruleUnowned}

// hit is one graded construct in a file, before it becomes a finding.
type hit struct {
	rule string
	what string // "alias sudo", "LD_PRELOAD": part of the subject
	line shscript.Line
	v    verdict
}

// maxSourced bounds how many sourced files one start-up file pulls in.
const maxSourced = 8

// analyzeRC grades a shell start-up file. csh selects csh syntax for
// aliases. It returns the hits and the suspicious files the script sources
// (for the caller to read and grade in turn).
func analyzeRC(src []byte, sc scope, ff fileFacts, csh bool) ([]hit, []string) {
	lines := shscript.Lines(src)
	var (
		out      []hit
		sourced  []string
		consumed = map[int]bool{} // lines whose cmdscan matches went into a function verdict
	)
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		if l.Heredoc {
			if ms := lineMatches(l.Text, sc); len(ms) > 0 && !consumed[i] {
				var v verdict
				v.addMatches(ms, 0)
				out = append(out, hit{rule: ruleCommand, line: l, v: v})
			}
			continue
		}
		var specific []hit
		if name, ok := shscript.FuncName(l.Text); ok {
			body, last := shscript.FuncBody(lines, i)
			if v := judgeFunction(name, body, sc.home); v.ok {
				specific = append(specific, hit{rule: ruleFunction, what: "function " + name, line: l, v: v})
				for j := i + 1; j <= last; j++ {
					consumed[j] = true
				}
			}
		}
		for _, c := range shscript.Commands(l.Text) {
			specific = append(specific, judgeCmd(c, l, sc, ff, csh, &sourced)...)
		}
		ms := lineMatches(l.Text, sc)
		switch {
		case len(specific) > 0:
			specific[0].v.addMatches(ms, 0)
			out = append(out, specific...)
		case len(ms) > 0 && !consumed[i]:
			var v verdict
			v.addMatches(ms, 0)
			out = append(out, hit{rule: ruleCommand, line: l, v: v})
		}
	}
	if len(sourced) > maxSourced {
		sourced = sourced[:maxSourced]
	}
	return out, sourced
}

// judgeCmd grades one simple command of a start-up file.
func judgeCmd(c shscript.Cmd, l shscript.Line, sc scope, ff fileFacts, csh bool, sourced *[]string) []hit {
	var out []hit
	switch c.Name() {
	case "alias":
		for _, a := range c.Aliases(csh) {
			if v := judgeAlias(a, sc.home); v.ok {
				out = append(out, hit{rule: ruleAlias, what: "alias " + a.Name, line: l, v: v})
			}
		}
		return out
	case "trap":
		if v := judgeTrap(c, sc); v.ok {
			out = append(out, hit{rule: ruleTrap, what: "trap " + strings.Join(c.Words[2:], " "), line: l, v: v})
		}
		return out
	case ".", "source":
		if v, p := judgeSource(c, sc, ff); v.ok {
			out = append(out, hit{rule: ruleSource, what: "source " + p, line: l, v: v})
			if p != "" {
				*sourced = append(*sourced, p)
			}
		}
		return out
	case "set":
		// csh: set path = ( ... ); zsh: path=( ... ) is an assignment.
		if csh && len(c.Words) >= 3 && c.Words[1] == "path" {
			a := shscript.Assign{Name: "path", Op: "=", Value: strings.Join(c.Words[2:], " ")}
			if v := judgeVar(a, sc, ff); v.ok {
				out = append(out, hit{rule: rulePath, what: "path", line: l, v: v})
			}
		}
		return out
	}
	for _, a := range c.Assignments() {
		v := judgeVar(a, sc, ff)
		if !v.ok {
			continue
		}
		out = append(out, hit{rule: ruleForVar(a.Name), what: a.Name, line: l, v: v})
	}
	return out
}

func ruleForVar(name string) string {
	switch varFamily(name) {
	case famLoader:
		return ruleLoaderEnv
	case famInterp:
		return ruleInterpEnv
	case famPath:
		return rulePath
	case famPrompt:
		return rulePrompt
	}
	return ruleCommand
}

// analyzeEnv grades an environment file (KEY=VALUE lines, or pam_env.conf
// syntax when pam is true). Every variable there reaches every session,
// daemons started through PAM included.
func analyzeEnv(src []byte, sc scope, ff fileFacts, pam bool) []hit {
	var out []hit
	for _, e := range parseEnvFile(src, pam) {
		a := shscript.Assign{Name: e.name, Op: "=", Value: e.value, Exported: true}
		v := judgeVar(a, sc, ff)
		if ms := lineMatches(e.value, sc); len(ms) > 0 {
			v.addMatches(ms, model.Medium)
		}
		if !v.ok {
			continue
		}
		out = append(out, hit{rule: ruleForVar(e.name), what: e.name, line: shscript.Line{N: e.line, Text: e.raw, Raw: e.raw}, v: v})
	}
	return out
}

type envEntry struct {
	name, value, raw string
	line             int
}

// parseEnvFile reads /etc/environment, environment.d and ~/.pam_environment
// style KEY=VALUE lines (optional "export ", quotes), or with pam true the
// pam_env.conf form "VAR [DEFAULT=x] [OVERRIDE=y]".
func parseEnvFile(src []byte, pam bool) []envEntry {
	var out []envEntry
	for i, l := range strings.Split(string(src), "\n") {
		if i >= 100000 {
			break
		}
		raw := strings.TrimSpace(strings.TrimSuffix(l, "\r"))
		if raw == "" || strings.HasPrefix(raw, "#") {
			continue
		}
		t := strings.TrimPrefix(raw, "export ")
		if name, val, ok := strings.Cut(t, "="); ok && !strings.ContainsAny(name, " \t") && name != "" {
			out = append(out, envEntry{name: name, value: unquote(val), raw: raw, line: i + 1})
			continue
		}
		if !pam {
			continue
		}
		f := strings.Fields(t)
		if len(f) == 0 {
			continue
		}
		var def, over string
		for _, kv := range f[1:] {
			switch {
			case strings.HasPrefix(kv, "DEFAULT="):
				def = unquote(strings.TrimPrefix(kv, "DEFAULT="))
			case strings.HasPrefix(kv, "OVERRIDE="):
				over = unquote(strings.TrimPrefix(kv, "OVERRIDE="))
			}
		}
		val := def
		if over != "" {
			val = over
		}
		val = strings.ReplaceAll(val, "@{HOME}", "$HOME")
		out = append(out, envEntry{name: f[0], value: val, raw: raw, line: i + 1})
	}
	return out
}

func unquote(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1]
	}
	return s
}
