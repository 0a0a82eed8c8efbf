package jobexec

import (
	"bytes"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// wrappers run their arguments as a command; the value is how many
// option arguments take a value (nice -n 10, timeout 5m, flock FILE).
var wrappers = map[string]bool{
	"nice": true, "ionice": true, "nohup": true, "setsid": true, "exec": true,
	"command": true, "env": true, "timeout": true, "flock": true, "chronic": true,
	"sudo": true, "runuser": true, "chrt": true, "taskset": true, "stdbuf": true,
	"time": true, "run-one": true, "cronic": true, "lckdo": true, "systemd-cat": true,
	"doas": true, "chpst": true, "setpriv": true, "unbuffer": true, "caffeinate": true,
}

// valueOpts are, per wrapper, the options that take a separate value.
var valueOpts = map[string]map[string]bool{
	"nice":        {"-n": true, "--adjustment": true},
	"ionice":      {"-c": true, "-n": true, "-p": true, "-P": true, "-u": true, "--class": true, "--classdata": true},
	"timeout":     {"-s": true, "-k": true, "--signal": true, "--kill-after": true},
	"flock":       {"-w": true, "-E": true, "--timeout": true, "--wait": true, "--conflict-exit-code": true},
	"sudo":        {"-u": true, "-g": true, "-C": true, "-D": true, "-h": true, "-p": true, "-r": true, "-t": true, "-U": true, "--user": true, "--group": true},
	"doas":        {"-u": true, "-C": true},
	"runuser":     {"-u": true, "-g": true, "-G": true, "--user": true, "--group": true},
	"stdbuf":      {"-i": true, "-o": true, "-e": true},
	"env":         {"-u": true, "-C": true, "--unset": true, "--chdir": true},
	"systemd-cat": {"-t": true, "-p": true, "--identifier": true, "--priority": true},
	"chpst":       {"-u": true, "-U": true, "-e": true, "-n": true, "-m": true},
}

// interpreters run a script named by their first operand.
var interpreters = map[string]bool{
	"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "ash": true,
	"csh": true, "tcsh": true, "busybox": true, "python": true, "python2": true,
	"python3": true, "perl": true, "php": true, "ruby": true, "node": true,
	"nodejs": true, "lua": true, "tclsh": true, "awk": true, "gawk": true,
}

// shells run a command string given with -c.
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "zsh": true, "ksh": true, "ash": true, "csh": true, "tcsh": true}

// interpName strips version suffixes: python3.11 -> python3.
func interpName(base string) string {
	b := strings.TrimRight(base, "0123456789.")
	if interpreters[base] {
		return base
	}
	if interpreters[b] {
		return b
	}
	return ""
}

// Programs returns the absolute programs and scripts cmd starts, through
// wrappers and shell or interpreter invocations (home expands ~ and
// $HOME).
func Programs(cmd, home string) []string { return programsOf(cmd, home, 0) }

func (e *Env) programs(cmd string, c Context, depth int) []string {
	return programsOf(cmd, c.Home, depth)
}

func programsOf(cmd, home string, depth int) []string {
	var out []string
	for _, sc := range shscript.Commands(cmd) {
		w := unwrap(sc.Words)
		if len(w) == 0 {
			continue
		}
		prog := expand(w[0], home)
		base := path.Base(prog)
		if in := interpName(base); in != "" {
			if strings.HasPrefix(prog, "/") {
				out = appendOnce(out, prog)
			}
			if in == "busybox" && len(w) > 1 {
				w = w[1:]
				base = w[0]
			}
			args := w[1:]
			for i := 0; i < len(args); i++ {
				a := args[i]
				if a == "-c" && shells[interpName(base)] && i+1 < len(args) {
					if depth < maxDepth {
						for _, p := range programsOf(args[i+1], home, depth+1) {
							out = appendOnce(out, p)
						}
					}
					break
				}
				if a == "-c" || a == "-e" || a == "-r" || a == "-m" {
					break // code on the command line; cmdscan reads it
				}
				if strings.HasPrefix(a, "-") {
					continue
				}
				if s := expand(a, home); strings.HasPrefix(s, "/") {
					out = appendOnce(out, path.Clean(s))
				}
				break
			}
			continue
		}
		if strings.HasPrefix(prog, "/") && !strings.ContainsAny(prog, "$`*?[") {
			out = appendOnce(out, path.Clean(prog))
		}
	}
	return out
}

// unwrap drops leading assignments and wrapper commands with their
// options.
func unwrap(w []string) []string {
	for guard := 0; len(w) > 0 && guard < 16; guard++ {
		if _, _, _, ok := shscript.Assignment(w[0]); ok {
			w = w[1:]
			continue
		}
		base := path.Base(w[0])
		if !wrappers[base] {
			return w
		}
		w = w[1:]
		for len(w) > 0 {
			a := w[0]
			switch {
			case a == "--":
				w = w[1:]
			case strings.HasPrefix(a, "-"):
				w = w[1:]
				if valueOpts[base][a] && len(w) > 0 {
					w = w[1:]
				}
				continue
			case base == "env":
				if _, _, _, ok := shscript.Assignment(a); ok {
					w = w[1:]
					continue
				}
			case base == "timeout" || (base == "chrt" && isNumber(a)) || (base == "taskset" && isHexMask(a)):
				w = w[1:] // duration, priority or cpu mask
			case base == "flock" || base == "lckdo":
				w = w[1:] // lock file
			}
			break
		}
	}
	return w
}

func isNumber(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isHexMask(s string) bool {
	s = strings.TrimPrefix(s, "0x")
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF,-", r) {
			return false
		}
	}
	return s != ""
}

// expand replaces ~ and $HOME with home.
func expand(s, home string) string {
	if home == "" {
		return s
	}
	return shscript.ExpandHome(s, home)
}

// scriptLimit bounds a followed script.
const scriptLimit = 1 << 20

// followScript reads the small text script at p when no package installed
// it unchanged, and raises v by its worst line.
func (e *Env) followScript(v *Verdict, p string, c Context, depth int) {
	if e.Pristine(p) {
		return
	}
	b, err := e.T.ReadFile(p, scriptLimit)
	if err != nil {
		return // unreadable or too large: the program itself is graded by path
	}
	head := b
	if len(head) > 512 {
		head = head[:512]
	}
	if bytes.IndexByte(head, 0) >= 0 || !shellScript(p, head) {
		return // compiled program, or source of another language
	}
	var worst *ScriptHit
	var sub Verdict
	for _, l := range shscript.Lines(b) {
		var lv Verdict
		for _, m := range cmdscan.Scan(l.Text) {
			if m.ID == "exec-hidden-path" && toolPath(fragPath(m.Fragment), c.Home) {
				continue
			}
			if m.ID == "obfuscation.eval" && evalOfConfigTool.MatchString(l.Text) {
				continue
			}
			lv.raise(m.Severity, m.Confidence, m.ID, m.Fragment)
		}
		if !l.Heredoc && depth < maxDepth {
			for _, q := range programsOf(l.Text, c.Home, depth) {
				if places.Temporary(q) {
					lv.raise(model.High, model.ConfHigh, IndWritable, q)
				} else if hiddenProgram(q, c.Home) {
					lv.raise(model.Medium, model.ConfMedium, IndHidden, q)
				}
			}
		}
		if !lv.Suspicious {
			continue
		}
		if !sub.Suspicious || lv.Severity > sub.Severity || (lv.Severity == sub.Severity && lv.Confidence > sub.Confidence) {
			worst = &ScriptHit{Path: p, Line: l.N, Text: textclip.Trim(l.Raw, 400)}
		}
		for _, id := range lv.Indicators {
			sub.Add(id)
		}
		sub.raise(lv.Severity, lv.Confidence, "", lv.Fragment)
	}
	if !sub.Suspicious {
		return
	}
	before := v.Severity
	wasSusp := v.Suspicious
	for _, id := range sub.Indicators {
		v.Add(id)
	}
	v.raise(sub.Severity, sub.Confidence, "", sub.Fragment)
	if !wasSusp || sub.Severity > before {
		v.Script = worst
	}
}

// shellScript reports whether a file is a shell script: a shell in its
// #! line, or no #! line and a .sh name. Other languages' source is not
// read line by line (cmdscan grades shell text).
func shellScript(p string, head []byte) bool {
	line, _, _ := bytes.Cut(head, []byte("\n"))
	if !bytes.HasPrefix(line, []byte("#!")) {
		return strings.HasSuffix(p, ".sh")
	}
	f := strings.Fields(string(line[2:]))
	if len(f) == 0 {
		return false
	}
	prog := path.Base(f[0])
	if prog == "env" && len(f) > 1 {
		prog = path.Base(f[len(f)-1])
	}
	return shells[prog] || prog == "busybox"
}
