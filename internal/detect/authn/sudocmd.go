package authn

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/detect/authn/sudoers"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// interpreters run the script named in their arguments, or read commands
// from their user when there is none.
var interpreters = set("sh", "bash", "dash", "zsh", "ksh", "mksh", "csh", "tcsh", "fish", "ash", "rbash", "busybox",
	"python", "perl", "ruby", "irb", "php", "node", "nodejs", "lua", "tclsh", "wish", "jrunscript", "expect")

// shellEscape are programs that give a shell whatever their arguments:
// editors, pagers, debuggers, container and database clients (GTFOBins
// "sudo").
var shellEscape = set("sudo", "xargs", "systemd-run", "pkexec", "gdb", "strace", "ltrace", "valgrind",
	"vi", "vim", "vim.basic", "vim.tiny", "nvim", "view", "rvim", "rview", "ex", "ed", "nano", "pico", "emacs", "joe",
	"mc", "less", "more", "most", "pg", "man", "git", "ssh", "socat", "nc", "ncat", "netcat", "tmux", "screen",
	"vipw", "vigr", "visudo", "crash", "rlwrap", "ld.so", "gcc", "cc",
	"make", "ftp", "sftp", "crontab", "at")

// openOnly are programs that give a shell only when their arguments are
// left open: exec wrappers and tools with an escape option or a pager.
var openOnly = set("env", "nice", "ionice", "timeout", "time", "stdbuf", "nohup", "setsid", "flock", "taskset",
	"chroot", "unshare", "nsenter", "script", "watch", "run-parts", "find", "awk", "gawk", "mawk", "nawk",
	"systemctl", "journalctl", "service", "apt", "apt-get", "aptitude", "yum", "dnf", "zypper", "dpkg", "rpm", "pip",
	"pip3", "npm", "gem", "tcpdump", "nmap", "mysql", "psql", "sqlite3", "kubectl", "dmesg", "docker", "podman",
	"ctr", "runc", "lxc")

// fileWrite are programs that, with open arguments, write or
// re-permission any file as root.
var fileWrite = set("tee", "cp", "mv", "dd", "chmod", "chown", "chgrp", "install", "ln", "truncate", "rm", "chattr",
	"setcap", "passwd", "chpasswd", "useradd", "usermod", "userdel", "groupadd", "gpasswd", "mount", "rsync", "tar",
	"zip", "unzip", "wget", "curl", "sed", "patch", "openssl", "base32", "shred")

// fileRead are programs that, with open arguments, print any file
// (shadow, keys) as root.
var fileRead = set("cat", "head", "tail", "tac", "nl", "base64", "xxd", "od", "hexdump", "strings", "grep", "diff",
	"cut", "sort", "uniq", "fold", "file")

var interpVersion = lazyre.New(`^(python|perl|ruby|php|lua|node)[0-9.]*$`)

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// cmdDanger says why command c amounts to root ("" when it does not), and
// the indicator.
func (r *run) cmdDanger(c sudoers.Cmnd) (string, string) {
	cmd := c.Command
	if cmd == "ALL" {
		return "any command", indAnyCommand
	}
	f := strings.Fields(cmd)
	if len(f) == 0 || !strings.HasPrefix(f[0], "/") {
		return "", "" // sudoedit, an unknown alias, or a relative name sudo refuses
	}
	prog, args := f[0], f[1:]
	if ind := r.placeIndicator(prog); ind != "" {
		return "program its user can replace", ind
	}
	base := path.Base(prog)
	if m := interpVersion.FindStringSubmatch(base); m != nil {
		base = m[1]
	}
	open := len(args) == 0 || strings.Contains(strings.Join(args, " "), "*")
	switch {
	case base == "su":
		if suToRoot(args) {
			return "shell escape", indShellEscape
		}
	case interpreters[base]:
		if reason, ind := r.interpreterDanger(args, open); reason != "" {
			return reason, ind
		}
	case shellEscape[base]:
		return "shell escape", indShellEscape
	case !open:
	case fileWrite[base]:
		return "writes any file", indFileWrite
	case fileRead[base]:
		return "reads any file", indFileRead
	case openOnly[base]:
		return "shell escape", indShellEscape
	}
	if c.SetEnv {
		return "SETENV: the caller may set LD_PRELOAD", indSetenv
	}
	return "", ""
}

// interpreterDanger grades a shell or interpreter with its arguments: open
// or interactive gives a shell; a fixed script is as safe as the script.
func (r *run) interpreterDanger(args []string, open bool) (string, string) {
	if open {
		return "shell escape", indShellEscape
	}
	for _, a := range args {
		switch {
		case a == "-i" || a == "-" || a == "--interactive":
			return "shell escape", indShellEscape
		case strings.HasPrefix(a, "-"):
			if a == "-c" || a == "-e" || a == "-r" {
				return "", "" // fixed inline code
			}
		case strings.HasPrefix(a, "/"):
			if ind := r.placeIndicator(a); ind != "" {
				return "script its user can replace", ind
			}
			return "", ""
		default:
			return "", "" // a relative script: resolved against a directory we do not know
		}
	}
	return "shell escape", indShellEscape
}

// suToRoot reports whether su with these fixed arguments gives a root
// shell: no user, root, or a chosen shell. "su - oracle" gives oracle's.
func suToRoot(args []string) bool {
	if len(args) == 0 {
		return true
	}
	for _, a := range args {
		switch {
		case strings.Contains(a, "*"), a == "-s", a == "--shell", strings.HasPrefix(a, "--shell="), a == "-c", a == "--command":
			return true
		case a == "-" || strings.HasPrefix(a, "-"):
			continue
		default:
			return a == "root"
		}
	}
	return true
}

// dangerousEnv are variables that make a program load code or read a
// startup file chosen by the caller.
var dangerousEnv = set("LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT", "PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME",
	"PERL5LIB", "PERLLIB", "PERL5OPT", "RUBYLIB", "RUBYOPT", "NODE_OPTIONS", "NODE_PATH", "BASH_ENV", "ENV",
	"GCONV_PATH", "LUA_PATH", "LUA_INIT", "JAVA_TOOL_OPTIONS", "SHELLOPTS", "PS4", "GIT_EXEC_PATH")

// dangerousVar matches an env_keep entry, which may end in a wildcard.
func dangerousVar(name string) bool {
	if strings.HasPrefix(name, "LD_") || dangerousEnv[name] {
		return true
	}
	if prefix, ok := strings.CutSuffix(name, "*"); ok {
		for v := range dangerousEnv {
			if strings.HasPrefix(v, prefix) {
				return true
			}
		}
	}
	return false
}

func scopeText(s string) string {
	if s == "" {
		return "global"
	}
	return s
}

// sudoPerms: a policy file or included directory that someone other than
// root can change lets that someone give himself root.
func (r *run) sudoPerms(pol *sudoers.Policy) {
	for _, p := range append(append([]string(nil), pol.Files...), pol.Dirs...) {
		st, err := r.t.Stat(p)
		if err != nil {
			continue
		}
		uid, gid, ok := owner(st)
		if !ok {
			continue
		}
		m := st.Mode().Perm()
		var why string
		switch {
		case uid != 0:
			why = "owned by uid " + itoa(int(uid))
			if u, found := r.db.ByUID(int(uid)); found {
				why = "owned by " + u.Name
			}
		case m&0o002 != 0:
			why = "world-writable"
		case m&0o020 != 0 && gid != 0:
			why = "writable by group " + itoa(int(gid))
		default:
			continue
		}
		mt := st.ModTime().UTC()
		r.env.Emit(model.Finding{
			RuleID: ruleSudoPerms, Subject: p, Indicators: []string{indWritable},
			Evidence: model.Evidence{Path: p, MTime: &mt,
				Extra: map[string]string{"mode": st.Mode().String(), "problem": why}},
		}.WithSeverity(model.High))
	}
}
