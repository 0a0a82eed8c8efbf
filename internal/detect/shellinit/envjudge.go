package shellinit

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
)

// Variable families and the rule each one feeds.
const (
	famNone = iota
	famLoader
	famInterp
	famPath
	famPrompt
)

// varFamily says which judge reads a variable.
func varFamily(name string) int {
	switch name {
	case "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH", "GCONV_PATH":
		return famLoader
	case "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PERL5LIB", "PERLLIB", "PERL5OPT", "RUBYLIB", "RUBYOPT",
		"NODE_OPTIONS", "NODE_PATH", "BASH_ENV", "ENV", "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS", "SUDO_ASKPASS":
		return famInterp
	case "PATH", "path":
		return famPath
	case "PROMPT_COMMAND", "precmd_functions", "preexec_functions":
		return famPrompt
	}
	return famNone
}

// vendorLibDirs are library directories of well-known vendor stacks that
// installation guides tell people to put on LD_LIBRARY_PATH.
var vendorLibDirs = []string{"/usr/local/cuda", "/opt/cuda", "/opt/intel", "/opt/nvidia", "/usr/lib/oracle", "/opt/oracle", "/opt/rocm", "/usr/local/nvidia", "/opt/mellanox"}

// fileFacts answers questions about target paths (existence, ownership,
// mode) for the judges; the detector implements it over the target.
type fileFacts interface {
	exists(p string) bool
	owner(p string) string // package, model.NoPackage, or "" when unknown
	worldWritable(p string) bool
	shadows(dir string) []string // watched command names with an executable in dir not from a package
}

// scope tells a judge where an assignment was found.
type scope struct {
	home   string // the user's home; "$HOME" for system-wide files
	system bool   // a system-wide file (every user's session)
}

// judgeVar grades one variable assignment.
func judgeVar(a shscript.Assign, sc scope, ff fileFacts) verdict {
	switch varFamily(a.Name) {
	case famLoader:
		return judgeLoaderVar(a, sc, ff)
	case famInterp:
		return judgeInterpVar(a, sc, ff)
	case famPath:
		return judgePath(a, sc, ff)
	case famPrompt:
		return judgePrompt(a.Value, sc)
	}
	return verdict{}
}

func splitList(v string) []string {
	v = strings.Trim(v, "()")
	return strings.FieldsFunc(v, func(r rune) bool { return r == ':' || r == ' ' || r == '\t' || r == '\n' })
}

// classify grades one path entry of a variable: writable, hidden, or
// nothing special.
func classify(p string, sc scope, ff fileFacts) (string, bool) {
	p = shscript.ExpandHome(p, sc.home)
	if places.Temporary(p) || (strings.HasPrefix(p, "/") && ff.worldWritable(p)) {
		return indWritable, true
	}
	if hiddenOutsideTools(p, sc.home) {
		return indHidden, true
	}
	return "", false
}

// hiddenOutsideTools reports a path with a hidden component, except what
// is ordinary in a home: dot files directly in it (~/.bashrc) and the
// well-known toolchain directories (~/.local/bin, ~/.nvm ...).
func hiddenOutsideTools(p, home string) bool {
	if home != "" && home != "/" {
		if rest, ok := strings.CutPrefix(p, strings.TrimSuffix(home, "/")+"/"); ok {
			dir := path.Dir(rest)
			if dir == "." {
				return false
			}
			if hid := places.Hidden(dir) != ""; !hid {
				return false
			}
			return !places.HomeTool(p, home)
		}
	}
	hid := places.Hidden(p) != ""
	return hid
}

func judgeLoaderVar(a shscript.Assign, sc scope, ff fileFacts) verdict {
	var v verdict
	entries := splitList(a.Value)
	if len(entries) == 0 {
		return v
	}
	v.extra = map[string]string{"variable": a.Name, "value": a.Value}
	switch a.Name {
	case "LD_PRELOAD", "LD_AUDIT":
		// Every program of the session loads these libraries first.
		v.raise(model.High, model.ConfHigh, "ld-preload")
		for _, e := range entries {
			if strings.Contains(e, "$") {
				v.raise(model.Critical, model.ConfMedium)
				continue
			}
			p := shscript.ExpandHome(e, sc.home)
			if ind, bad := classify(p, sc, ff); bad {
				v.raise(model.Critical, model.ConfHigh, ind)
				continue
			}
			if !strings.HasPrefix(p, "/") {
				v.raise(model.Critical, model.ConfMedium)
				continue
			}
			switch own := ff.owner(p); own {
			case model.NoPackage:
				v.raise(model.Critical, model.ConfHigh, indNotPackaged)
			case "":
				// No package database to ask: assume the worse.
				v.raise(model.Critical, model.ConfMedium)
			default:
				if v.extra["package"] == "" {
					v.extra["package"] = own
				}
			}
		}
	case "GCONV_PATH":
		v.raise(model.High, model.ConfHigh)
		for _, e := range entries {
			if ind, bad := classify(e, sc, ff); bad {
				v.raise(model.Critical, model.ConfHigh, ind)
			}
		}
	case "LD_LIBRARY_PATH":
		for _, e := range entries {
			if strings.Contains(e, "$") && !strings.Contains(e, "HOME") {
				continue // $LD_LIBRARY_PATH, ${CUDA}/lib: not resolvable here
			}
			if ind, bad := classify(e, sc, ff); bad {
				v.raise(model.High, model.ConfHigh, ind)
				continue
			}
			if vendorDir(e) {
				continue
			}
			if sc.system {
				v.raise(model.Medium, model.ConfLow)
			} else {
				v.raise(model.Info, model.ConfLow)
			}
		}
	}
	return v
}

func vendorDir(p string) bool {
	for _, d := range vendorLibDirs {
		if p == d || strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

func judgeInterpVar(a shscript.Assign, sc scope, ff fileFacts) verdict {
	var v verdict
	val := strings.TrimSpace(a.Value)
	if val == "" {
		return v
	}
	v.extra = map[string]string{"variable": a.Name, "value": a.Value}
	switch a.Name {
	case "PERL5OPT":
		// -M/-m load a module, -d a debugger: code in every perl run.
		if strings.Contains(val, "-M") || strings.Contains(val, "-m") || strings.Contains(val, "-d") {
			v.raise(model.High, model.ConfHigh)
		}
	case "RUBYOPT":
		if strings.Contains(val, "-r") {
			v.raise(model.High, model.ConfHigh)
		}
	case "NODE_OPTIONS":
		for _, f := range strings.Fields(val) {
			if f == "-r" || strings.HasPrefix(f, "--require") || strings.HasPrefix(f, "--import") ||
				strings.HasPrefix(f, "--loader") || strings.HasPrefix(f, "--experimental-loader") {
				v.raise(model.High, model.ConfHigh)
			}
		}
	case "JAVA_TOOL_OPTIONS", "_JAVA_OPTIONS":
		if strings.Contains(val, "-javaagent") || strings.Contains(val, "-agentpath") || strings.Contains(val, "-agentlib") {
			v.raise(model.High, model.ConfMedium)
		}
	case "BASH_ENV":
		// Every non-interactive bash (scripts, cron jobs) sources it.
		p := shscript.ExpandHome(val, sc.home)
		if ind, bad := classify(p, sc, ff); bad {
			v.raise(model.Critical, model.ConfHigh, ind)
		} else if sc.system {
			v.raise(model.High, model.ConfMedium)
		} else {
			v.raise(model.Medium, model.ConfMedium)
		}
	case "ENV", "PYTHONSTARTUP", "SUDO_ASKPASS":
		// Interactive sh/python run it; sudo -A runs the askpass program.
		if ind, bad := classify(val, sc, ff); bad {
			v.raise(model.High, model.ConfHigh, ind)
		}
		if a.Name == "SUDO_ASKPASS" {
			p := shscript.ExpandHome(val, sc.home)
			if strings.HasPrefix(p, "/") && ff.owner(p) == model.NoPackage {
				v.raise(model.High, model.ConfMedium, indAskpass, indNotPackaged)
			}
		}
	default: // PYTHONPATH, PYTHONHOME, PERL5LIB, PERLLIB, RUBYLIB, NODE_PATH
		for _, e := range splitList(val) {
			if strings.Contains(e, "$") && !strings.Contains(e, "HOME") {
				continue
			}
			if ind, bad := classify(e, sc, ff); bad {
				v.raise(model.High, model.ConfHigh, ind)
			} else if sc.system {
				v.raise(model.Medium, model.ConfLow)
			} else {
				v.raise(model.Info, model.ConfLow)
			}
		}
	}
	return v
}

// judgePath grades a PATH assignment: directories searched before the
// system's own that anyone can write to, that hide, or that are the current
// directory, and directories that hold a look-alike of a watched command.
func judgePath(a shscript.Assign, sc scope, ff fileFacts) verdict {
	var v verdict
	entries := strings.Split(strings.Trim(a.Value, "()"), ":")
	if a.Name == "path" { // csh: set path = (/a /b $path)
		entries = strings.Fields(strings.Trim(a.Value, "()= "))
	}
	hasOld := false
	for _, e := range entries {
		if isPathRef(e) {
			hasOld = true
		}
	}
	if a.Op == "+=" {
		return v // appended: searched last
	}
	for i, e := range entries {
		if isPathRef(e) {
			break // what follows is searched after the old PATH
		}
		if e == "" && len(entries) == 1 {
			return v // PATH= (cleared)
		}
		dir := shscript.ExpandHome(e, sc.home)
		switch {
		case dir == "" || dir == "." || (!strings.HasPrefix(dir, "/") && !strings.HasPrefix(dir, "$")):
			if hasOld || i < len(entries)-1 {
				v.raise(model.Medium, model.ConfMedium, indCwdPath)
			}
			continue
		case strings.Contains(dir, "$"):
			continue
		}
		if ind, bad := classify(dir, sc, ff); bad {
			v.raise(model.Medium, model.ConfMedium, ind)
		}
		if !systemBinDirs[path.Clean(dir)] {
			if names := ff.shadows(dir); len(names) > 0 {
				v.raise(model.High, model.ConfHigh, indShadows)
				if v.extra == nil {
					v.extra = map[string]string{}
				}
				v.extra["shadowed"] = strings.Join(names, ",")
				v.extra["dir"] = dir
			}
		}
	}
	if v.ok && v.extra == nil {
		v.extra = map[string]string{"value": a.Value}
	}
	return v
}

func isPathRef(e string) bool {
	switch strings.Trim(e, `"' `) {
	case "$PATH", "${PATH}", "$path", "${path}", "${PATH:-}", "${PATH-}":
		return true
	}
	return false
}

// benignPromptHead reports whether a prompt-hook command is one of the
// things terminals, prompts and directory jumpers put there.
func benignPromptHead(w []string) bool {
	if len(w) == 0 {
		return true
	}
	h := w[0]
	switch {
	case strings.HasPrefix(h, "_"), strings.HasPrefix(h, "$"), strings.HasPrefix(h, "${"):
		return true // functions of prompt frameworks; the old PROMPT_COMMAND
	case h == ":" || h == "true" || h == "local" || h == "PS1" || h == "unset" || h == "export":
		return true
	case h == "history":
		return len(w) == 1 || w[1] == "-a" || w[1] == "-n" || w[1] == "-r" || w[1] == "-w"
	case h == "echo" || h == "printf":
		return !strings.Contains(strings.Join(w, " "), "$(")
	case h == "update_terminal_cwd" || h == "settitle" || h == "set_title" || h == "starship_precmd" ||
		h == "autojump_add_to_database" || h == "pwd" || h == "tput" || h == "z" || h == "zoxide":
		return true
	}
	if _, _, _, ok := shscript.Assignment(h); ok {
		return true // RET=$?; PS1=...
	}
	return false
}

// judgePrompt grades PROMPT_COMMAND (or zsh precmd/preexec arrays): a
// command run before every prompt of every interactive shell.
func judgePrompt(value string, sc scope) verdict {
	var v verdict
	value = strings.TrimSpace(value)
	if strings.HasPrefix(value, "(") && strings.HasSuffix(value, ")") {
		// An array: each element is a command.
		value = strings.Join(strings.Fields(strings.Trim(value, "()")), ";")
	}
	if value == "" {
		return v
	}
	v.extra = map[string]string{"value": value}
	if ms := cmdscan.Scan(value); len(ms) > 0 {
		v.addMatches(ms, model.High)
	}
	audit := strings.Contains(value, "history 1") || strings.Contains(value, "logger")
	for _, c := range shscript.Commands(value) {
		w := c.Words
		if benignPromptHead(w) {
			continue
		}
		head := shscript.ExpandHome(w[0], sc.home)
		switch {
		case places.Temporary(head):
			v.raise(model.High, model.ConfHigh, indWritable)
		case networkTools[path.Base(head)]:
			v.raise(model.High, model.ConfMedium, indNetworkTool)
		default:
			if hiddenOutsideTools(head, sc.home) {
				v.raise(model.High, model.ConfMedium, indHidden)
			} else if audit {
				// history 1 | logger: the command-audit recipe many
				// hardening guides give. Worth knowing, not alarming.
				v.raise(model.Low, model.ConfMedium)
			} else {
				v.raise(model.Medium, model.ConfLow)
			}
		}
	}
	return v
}

// benignTrapHeads are what start-up files legitimately run from a trap.
var benignTrapHeads = map[string]bool{
	"rm": true, "clear": true, "echo": true, "printf": true, "tput": true, "stty": true, "exit": true,
	"return": true, "unset": true, "kill": true, "wait": true, ":": true, "true": true, "cd": true,
	"popd": true, "tmux": true, "set": true, "shopt": true,
}

// judgeTrap grades "trap ACTION SIGNALS...".
func judgeTrap(c shscript.Cmd, sc scope) verdict {
	var v verdict
	w := c.Words
	if len(w) < 3 || strings.HasPrefix(w[1], "-") || w[1] == "" {
		return v // trap -p, trap - SIG, trap '' SIG, trap SIG
	}
	action, sigs := w[1], w[2:]
	v.extra = map[string]string{"action": action, "signals": strings.Join(sigs, " ")}
	debug := false
	for _, s := range sigs {
		if strings.EqualFold(s, "DEBUG") {
			debug = true
		}
	}
	if ms := cmdscan.Scan(action); len(ms) > 0 {
		v.addMatches(ms, model.High)
	}
	for _, cmd := range shscript.Commands(action) {
		cw := cmd.Words
		if len(cw) == 0 {
			continue
		}
		head := shscript.ExpandHome(cw[0], sc.home)
		switch {
		case strings.HasPrefix(head, "_") || (head == "history" && len(cw) > 1 && cw[1] == "-a"):
			continue // bash-preexec, saving history
		case benignTrapHeads[head]:
			continue
		case places.Temporary(head):
			v.raise(model.High, model.ConfHigh, indWritable)
		case networkTools[path.Base(head)]:
			v.raise(model.High, model.ConfMedium, indNetworkTool)
		default:
			if hiddenOutsideTools(head, sc.home) {
				v.raise(model.High, model.ConfMedium, indHidden)
			} else if debug {
				v.raise(model.Medium, model.ConfMedium)
			} else {
				v.raise(model.Medium, model.ConfLow)
			}
		}
	}
	return v
}

// judgeSource grades ". FILE" / "source FILE": reading shell code from a
// place anyone can write to, or a hidden one.
func judgeSource(c shscript.Cmd, sc scope, ff fileFacts) (verdict, string) {
	var v verdict
	if len(c.Words) < 2 || (c.Words[0] != "." && c.Words[0] != "source") {
		return v, ""
	}
	p := shscript.ExpandHome(c.Words[1], sc.home)
	if strings.Contains(p, "$") || !strings.HasPrefix(p, "/") {
		return v, ""
	}
	v.extra = map[string]string{"sourced": p}
	if ind, bad := classify(p, sc, ff); bad {
		sev := model.Medium
		if ind == indWritable {
			sev = model.High
		}
		v.raise(sev, model.ConfMedium, ind)
		return v, p
	}
	return v, ""
}

// lineMatches grades a logical line with cmdscan, dropping what is
// ordinary in a start-up file: running a toolchain from the user's own
// dot directories.
func lineMatches(text string, sc scope) []cmdscan.Match {
	ms := cmdscan.Scan(text)
	out := ms[:0]
	for _, m := range ms {
		if m.ID == "exec-hidden-path" {
			f := strings.Fields(m.Fragment)
			if len(f) > 0 && places.HomeTool(strings.Trim(f[len(f)-1], "$(`\"'"), sc.home) {
				continue
			}
		}
		out = append(out, m)
	}
	return out
}
