package shellinit

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/cmdscan"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
)

// verdict is the grade of one construct (an alias, a PATH, a trap ...).
// A zero verdict (ok false) means "ordinary, nothing to report".
type verdict struct {
	ok         bool
	sev        model.Severity
	conf       model.Confidence
	indicators []string
	extra      map[string]string
}

func (v *verdict) raise(s model.Severity, c model.Confidence, ind ...string) {
	if !v.ok || s > v.sev || (s == v.sev && c > v.conf) {
		v.sev, v.conf = s, c
	}
	v.ok = true
	for _, id := range ind {
		if id != "" && !contains(v.indicators, id) {
			v.indicators = append(v.indicators, id)
		}
	}
}

func (v *verdict) addMatches(ms []cmdscan.Match, floor model.Severity) {
	for _, m := range ms {
		s := m.Severity
		if s < floor {
			s = floor
		}
		v.raise(s, m.Confidence, m.ID)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Indicator ids this package adds to cmdscan's (texts in rules/indicators.yaml).
const (
	indCredential   = "credential-capture"
	indFilter       = "output-filter"
	indHideOption   = "hide-files-option"
	indSSHCommand   = "ssh-local-command"
	indAskpass      = "sudo-askpass"
	indWritable     = "writable-location"
	indHidden       = "hidden-location"
	indCwdPath      = "cwd-in-path"
	indShadows      = "shadows-command"
	indNotPackaged  = "not-from-package"
	indNetworkTool  = "network-tool"
	indOtherProgram = "replaces-command"
)

// watched are commands an intruder shadows to steal passwords or to hide:
// an alias or a function with one of these names changes what an
// administrator sees or types.
var watched = map[string]bool{
	"sudo": true, "su": true, "ssh": true, "scp": true, "sftp": true, "passwd": true, "doas": true,
	"ls": true, "ps": true, "netstat": true, "ss": true, "top": true, "lsof": true, "kill": true,
	"find": true, "grep": true, "cat": true, "crontab": true, "systemctl": true, "who": true,
	"w": true, "last": true, "lastlog": true, "id": true, "whoami": true, "ip": true,
	"ifconfig": true, "iptables": true, "chattr": true, "lsattr": true, "stat": true,
	"pkill": true, "pgrep": true, "journalctl": true, "service": true, "history": true,
	"md5sum": true, "sha256sum": true, "dpkg": true, "rpm": true, "mount": true, "du": true, "df": true,
}

// credential commands read a password: shadowing them is how passwords are
// harvested.
var credential = map[string]bool{"sudo": true, "su": true, "ssh": true, "scp": true, "sftp": true, "passwd": true, "doas": true}

// replacements are well-known modern tools people alias over the classic
// ones (ls=eza, cat=bat, top=htop): a taste, not an attack.
var replacements = map[string]bool{
	"bat": true, "batcat": true, "eza": true, "exa": true, "lsd": true, "htop": true, "btop": true,
	"atop": true, "procs": true, "rg": true, "fd": true, "fdfind": true, "colordiff": true,
	"prettyping": true, "duf": true, "dust": true, "ncdu": true, "glances": true, "bottom": true,
	"btm": true, "gping": true, "ugrep": true, "ack": true, "ag": true, "tldr": true, "less": true,
	"mosh": true, "gdu": true, "dfc": true, "pydf": true, "grc": true, "ccze": true, "nvim": true,
	"vim": true, "ipcalc": true, "systemctl": true,
}

// wrappers are words that run their argument as the command: sudo ls is
// still ls.
var wrappers = map[string]bool{
	"sudo": true, "command": true, "builtin": true, "nocorrect": true, "noglob": true,
	"env": true, "nice": true, "grc": true, "time": true, "exec": true, "doas": true,
}

// systemBinDirs are where packaged commands live.
var systemBinDirs = map[string]bool{
	"/bin": true, "/sbin": true, "/usr/bin": true, "/usr/sbin": true,
	"/usr/local/bin": true, "/usr/local/sbin": true, "/usr/games": true, "/usr/local/games": true,
	"/snap/bin": true, "/usr/libexec": true,
}

// networkTools talk to other hosts or run code: in a prompt hook, trap or
// alias they mean data leaves or arrives.
var networkTools = map[string]bool{
	"curl": true, "wget": true, "nc": true, "ncat": true, "netcat": true, "socat": true,
	"telnet": true, "ssh": true, "scp": true, "python": true, "python2": true, "python3": true,
	"perl": true, "ruby": true, "php": true, "openssl": true, "ftp": true, "tftp": true, "rsync": true,
}

// judgeAlias grades an alias definition. csh tells csh syntax apart.
func judgeAlias(a shscript.Alias, home string) verdict {
	var v verdict
	name := a.Name
	if !watched[name] {
		return v
	}
	v.extra = map[string]string{"alias": name, "value": a.Value}
	cmds := shscript.Commands(a.Value)
	floor := model.High
	if ms := cmdscan.Scan(a.Value); len(ms) > 0 {
		v.addMatches(ms, floor)
	}
	crit := credential[name]
	if len(cmds) == 0 {
		return v
	}
	if len(cmds) > 1 || hasRedirect(cmds[0].Words) || strings.ContainsAny(a.Value, "`") || strings.Contains(a.Value, "$(") {
		ind := indFilter
		if crit {
			ind = indCredential
			v.raise(model.Critical, model.ConfHigh, ind)
		} else {
			v.raise(model.High, model.ConfHigh, ind)
		}
		return v
	}
	words := stripWrappers(cmds[0].Words, name)
	for _, w := range cmds[0].Words {
		if n, _, val, ok := shscript.Assignment(w); ok && (strings.HasPrefix(n, "LD_") || n == "SUDO_ASKPASS") {
			v.raise(model.Critical, model.ConfHigh, "ld-preload")
			v.extra["env"] = n + "=" + val
		}
	}
	if len(words) == 0 {
		return v
	}
	head := shscript.ExpandHome(words[0], home)
	base := path.Base(head)
	switch {
	case base == name && (!strings.Contains(head, "/") || systemBinDirs[path.Dir(head)]):
		if ind := dangerousOption(name, words[1:]); ind != "" {
			sev := model.High
			if crit {
				sev = model.Critical
			}
			v.raise(sev, model.ConfHigh, ind)
		}
	case places.Temporary(head):
		v.raise(critOr(crit, model.High), model.ConfHigh, indWritable)
	case strings.Contains(head, "/"):
		if hiddenOutsideTools(head, home) {
			v.raise(critOr(crit, model.High), model.ConfHigh, indHidden)
		} else {
			v.raise(model.High, model.ConfMedium, indOtherProgram)
		}
	case replacements[base] && !crit:
		// ls=eza, cat=bat: a preference.
	case crit && (base == "sudo" || base == "doas" || base == "kitty" || base == "mosh" || base == "autossh"):
		// su='sudo su', ssh='kitty +kitten ssh': another front end.
	default:
		if crit {
			v.raise(model.High, model.ConfMedium, indOtherProgram)
		} else {
			v.raise(model.Medium, model.ConfLow, indOtherProgram)
		}
	}
	return v
}

func critOr(crit bool, s model.Severity) model.Severity {
	if crit {
		return model.Critical
	}
	return s
}

func hasRedirect(words []string) bool {
	for _, w := range words {
		if strings.HasPrefix(w, ">") || strings.HasPrefix(w, "<") || strings.HasPrefix(w, "&>") ||
			(len(w) > 1 && (w[0] >= '0' && w[0] <= '9') && (w[1] == '>' || w[1] == '<')) {
			return true
		}
	}
	return false
}

// stripWrappers drops leading VAR=value words and wrapper commands with
// their options (sudo -E ls -> ls). A wrapper named like the alias or
// function itself is its head, not a wrapper; so is one with a directory
// outside the system's (/tmp/x/sudo is a program, not sudo).
func stripWrappers(words []string, name string) []string {
	for len(words) > 0 {
		w := words[0]
		if _, _, _, ok := shscript.Assignment(w); ok {
			words = words[1:]
			continue
		}
		w = strings.TrimPrefix(w, "\\")
		if !wrappers[path.Base(w)] || path.Base(w) == name || (strings.Contains(w, "/") && !systemBinDirs[path.Dir(w)]) {
			words[0] = w
			return words
		}
		words = words[1:]
		for len(words) > 0 && strings.HasPrefix(words[0], "-") {
			words = words[1:]
		}
	}
	return words
}

// dangerousOption returns the indicator of an option that turns an
// otherwise faithful alias into a hiding or credential trick.
func dangerousOption(name string, args []string) string {
	for _, a := range args {
		switch name {
		case "ls":
			if strings.HasPrefix(a, "--hide") || strings.HasPrefix(a, "--ignore") ||
				(strings.HasPrefix(a, "-I") && !strings.HasPrefix(a, "--")) {
				return indHideOption
			}
		case "ssh", "scp", "sftp":
			low := strings.ToLower(a)
			if strings.Contains(low, "proxycommand") || strings.Contains(low, "localcommand") || a == "-F" || strings.HasPrefix(a, "-F") {
				return indSSHCommand
			}
		case "sudo":
			if a == "-A" || a == "--askpass" || (strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && strings.Contains(a, "A")) {
				return indAskpass
			}
			if a == "-S" || a == "--stdin" {
				return indCredential
			}
		}
	}
	return ""
}

// judgeFunction grades a function that shadows a watched command. body is
// the definition's logical lines.
func judgeFunction(name string, body []shscript.Line, home string) verdict {
	var v verdict
	if !watched[name] {
		return v
	}
	crit := credential[name]
	var cmds []shscript.Cmd
	for i, l := range body {
		text := l.Text
		if i == 0 {
			// The definition line: keep what follows the opening brace.
			_, rest, _ := strings.Cut(text, "{")
			text = rest
		}
		cmds = append(cmds, shscript.Commands(text)...)
		if ms := cmdscan.Scan(l.Text); len(ms) > 0 {
			v.addMatches(ms, model.High)
		}
	}
	v.extra = map[string]string{"function": name}
	// A faithful wrapper: one command that calls the real one with options
	// and "$@" (ls() { command ls --color=auto "$@"; }).
	if len(cmds) == 1 && !v.ok {
		w := stripWrappers(append([]string(nil), cmds[0].Words...), name)
		if len(w) > 0 && path.Base(w[0]) == name && !hasRedirect(w) && dangerousOption(name, w[1:]) == "" {
			return verdict{}
		}
	}
	for _, c := range cmds {
		w := c.Words
		switch {
		case len(w) >= 2 && w[0] == "read" && strings.Contains(strings.Join(w[1:], " "), "-s"):
			v.raise(critOr(crit, model.High), model.ConfHigh, indCredential)
		case hasRedirect(w) && crit:
			for _, x := range w {
				if (strings.HasPrefix(x, ">") || strings.HasPrefix(x, "1>")) && !strings.Contains(x, "/dev/null") && !strings.Contains(x, "&") {
					v.raise(model.Critical, model.ConfHigh, indCredential)
				}
			}
		case len(w) > 0 && w[0] == "tee" && crit:
			v.raise(model.Critical, model.ConfHigh, indCredential)
		case len(w) > 0 && networkTools[path.Base(w[0])] && path.Base(w[0]) != name:
			v.raise(critOr(crit, model.High), model.ConfMedium, indNetworkTool)
		}
	}
	v.raise(model.High, model.ConfMedium)
	return v
}
