package shellinit

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
)

// Lines a user's start-up file runs that its template does not: an
// intruder's one-line addition to ~/.bashrc hides among the user's own
// customisations, so every command line not in /etc/skel's version (or in
// Debian's defaults for root, /usr/share/base-files/dot.*) is listed, low.
// Declarations stay quiet: comments, aliases, exports and assignments,
// shell options, completions, sourcing of files, tests and control words.

// ruleAdded is the rule of those lines.
const ruleAdded = "persistence.shell.added-command"

// Indicator ids this file adds (texts in rules/indicators.yaml).
const (
	indNotInSkel = "not-in-skeleton"
	indEncoded   = "encoded-data"
	indWritesOdd = "writes-odd-place"
)

// quietCommands declare rather than run: setting up the shell.
var quietCommands = map[string]bool{
	"export": true, "alias": true, "unalias": true, "set": true, "shopt": true, "setopt": true,
	"unsetopt": true, "umask": true, "ulimit": true, "bind": true, "complete": true, "compdef": true,
	"compinit": true, "autoload": true, "zstyle": true, "bindkey": true, "typeset": true, "declare": true,
	"local": true, "readonly": true, "unset": true, "for": true, "case": true, "[": true, "[[": true,
	"test": true, "]]": true, "true": true, "false": true, "return": true, ":": true, "source": true,
	".": true, "eval": true, "echo": true, "printf": true, "function": true, "shift": true, "break": true,
	"continue": true, "stty": true, "tput": true, "setenv": true, "limit": true, "hash": true,
	"emulate": true, "zmodload": true, "trap": true, "PROMPT_COMMAND": true, "fpath": true, "path": true,
}

// baselineFiles are the templates a home file of this name is compared with.
func baselineFiles(name string) []string {
	return []string{path.Join("/etc/skel", name), path.Join("/usr/share/base-files", "dot"+name)}
}

// baseline reads the templates of a home file as a set of normalised
// logical lines.
func (r *run) baseline(name string) map[string]bool {
	set := map[string]bool{}
	for _, p := range baselineFiles(name) {
		b, err := r.t.ReadFile(p, readLimit)
		if err != nil {
			continue
		}
		for _, l := range shscript.Lines(b) {
			set[normLine(l.Text)] = true
		}
	}
	return set
}

func normLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// addedLines lists the command lines of a home start-up file that its
// template lacks. graded holds the lines other rules already reported.
func addedLines(src []byte, base map[string]bool, sc scope, graded map[int]bool) []hit {
	lines := shscript.Lines(src)
	inFunc := map[int]bool{}
	var out []hit
	for i, l := range lines {
		if l.Heredoc || inFunc[i] || graded[l.N] || base[normLine(l.Text)] {
			continue
		}
		if _, ok := shscript.FuncName(l.Text); ok {
			_, last := shscript.FuncBody(lines, i)
			for j := i; j <= last; j++ {
				inFunc[j] = true
			}
			continue
		}
		if v, ok := judgeAdded(l, sc); ok {
			out = append(out, hit{rule: ruleAdded, line: l, v: v})
		}
	}
	return out
}

// judgeAdded grades one added line: low when it runs a command, medium
// when it writes into a temporary or hidden place, uses a network tool,
// handles encoded data or runs a program from a hidden place.
func judgeAdded(l shscript.Line, sc scope) (verdict, bool) {
	runs := false
	v := verdict{ok: true, sev: model.Low, conf: model.ConfMedium, indicators: []string{indNotInSkel}}
	for _, c := range shscript.Commands(l.Text) {
		name := c.Name()
		if name == "" || quietCommands[name] || isAssignmentOnly(c) || lookup(c) {
			continue
		}
		runs = true
		prog := shscript.ExpandHome(name, sc.home)
		switch base := path.Base(prog); {
		case networkTools[base]:
			v.raise(model.Medium, model.ConfMedium, indNetworkTool)
		case base == "base64" || base == "base32" || base == "xxd" || base == "uudecode":
			v.raise(model.Medium, model.ConfMedium, indEncoded)
		case strings.HasPrefix(prog, "/") && oddPlace(prog, sc.home):
			v.raise(model.Medium, model.ConfMedium, indHidden)
		}
	}
	if !runs {
		return verdict{}, false
	}
	text := l.Text
	if strings.HasPrefix(sc.home, "/") {
		text = strings.ReplaceAll(text, "~/", sc.home+"/")
	}
	for _, p := range cmdscan.WriteTargets(shscript.ExpandHome(text, sc.home)) {
		if oddPlace(p, sc.home) {
			v.raise(model.Medium, model.ConfMedium, indWritesOdd)
			v.extra = map[string]string{"writes": p}
			break
		}
	}
	return v, true
}

// oddPlace is a temporary place, or a hidden one that is not a home
// toolchain's.
func oddPlace(p, home string) bool {
	if places.Temporary(p) {
		return true
	}
	return places.Hidden(p) != "" && !places.HomeTool(p, home)
}

// isAssignmentOnly reports a command that only sets variables.
func isAssignmentOnly(c shscript.Cmd) bool {
	for _, w := range c.Words {
		if _, _, _, ok := shscript.Assignment(w); !ok {
			return false
		}
	}
	return true
}

// lookup reports a command that only asks whether a program exists
// (command -v, type, which): a test, not an action.
func lookup(c shscript.Cmd) bool {
	switch c.Name() {
	case "type", "which", "whence":
		return true
	case "command":
		return len(c.Words) > 1 && (c.Words[1] == "-v" || c.Words[1] == "-V")
	}
	return false
}
