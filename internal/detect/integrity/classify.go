package integrity

import (
	"bytes"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/target"
)

// binDirs hold the commands an admin (and a rootkit) cares about.
var binDirs = map[string]bool{
	"/bin": true, "/sbin": true, "/usr/bin": true, "/usr/sbin": true,
	"/usr/local/bin": true, "/usr/local/sbin": true,
}

// libRoots are trees of code every program loads or runs.
var libRoots = []string{"/lib", "/lib32", "/lib64", "/libx32", "/usr/lib", "/usr/lib32", "/usr/lib64", "/usr/libx32", "/usr/libexec"}

// rootkitTargets are the commands user-mode rootkits and credential
// stealers replace: process, file and socket listing, login and
// authentication, the init and cron daemons, shells.
var rootkitTargets = map[string]bool{
	"ps": true, "ls": true, "dir": true, "vdir": true, "netstat": true, "ss": true, "top": true, "htop": true,
	"find": true, "login": true, "sshd": true, "ssh": true, "scp": true, "sftp": true, "sudo": true, "su": true,
	"passwd": true, "chsh": true, "chfn": true, "newgrp": true, "gpasswd": true, "useradd": true, "usermod": true,
	"cron": true, "crond": true, "crontab": true, "systemd": true, "init": true, "systemctl": true,
	"bash": true, "sh": true, "dash": true, "zsh": true, "lsof": true, "pidof": true, "kill": true,
	"killall": true, "pkill": true, "pgrep": true, "pstree": true, "w": true, "who": true, "last": true,
	"lastlog": true, "ifconfig": true, "ip": true, "route": true, "du": true, "df": true, "grep": true,
	"egrep": true, "fgrep": true, "stat": true, "strings": true, "md5sum": true, "sha1sum": true,
	"sha256sum": true, "dmesg": true, "lsmod": true, "insmod": true, "modprobe": true, "rmmod": true,
	"ldd": true, "tcpdump": true, "iptables": true, "nft": true, "agetty": true, "getty": true,
	"unix_chkpwd": true, "pkexec": true, "mount": true, "umount": true, "chattr": true, "lsattr": true,
	"uptime": true, "free": true, "vmstat": true, "watch": true, "xinetd": true, "inetd": true,
	"rsyslogd": true, "syslog-ng": true, "auditd": true, "journalctl": true, "ssh-agent": true,
	"sshd-session": true, "sshd-auth": true, "dpkg": true, "rpm": true, "apt": true, "apt-get": true,
	"yum": true, "dnf": true, "curl": true, "wget": true, "tar": true,
}

// coreLibs are shared objects loaded into every (or every privileged)
// process: the C library and dynamic loader, PAM, and libkeyutils (Ebury).
var coreLibs = lazyre.New(`^(libc\.so|libc-[0-9.]+\.so|ld-linux[^/]*\.so|ld-[0-9.]+\.so|ld64\.so|libpam\.so|libpam_misc\.so|libkeyutils\.so|libselinux\.so|libaudit\.so|libcrypt\.so|libsystemd\.so|libprocps\.so|libproc2\.so|libproc-[0-9.]+\.so|libutil\.so|libnss_[a-z]+\.so|libgcc_s\.so)`)

// shellNames are shells, interpreters and programs that hand out a shell
// or arbitrary file access when setuid (GTFOBins "SUID"): no distribution
// ships them setuid.
var shellNames = lazyre.New(`^(bash|sh|dash|zsh|ksh|ksh93|mksh|pdksh|csh|tcsh|fish|ash|busybox|python[0-9.]*|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|lua[0-9.]*|node|nodejs|tclsh[0-9.]*|wish[0-9.]*|expect|awk|gawk|mawk|nawk|find|vim?|vim\.(basic|tiny|nox|gtk3?)|nvim|ed|env|nice|timeout|stdbuf|taskset|strace|ltrace|gdb|nmap|cp|mv|tee|dd|xargs|socat|nc|ncat|netcat|nc\.openbsd|nc\.traditional|openssl|less|more|man|script|rsync|zip|tar|docker|git|make|cpulimit|run-parts|start-stop-daemon|flock|ionice|setarch|chroot|unshare|nsenter|capsh|rlwrap|screen|tmux|emacs|nano|pico|jjs|jrunscript|scp|sftp|ssh|rvim|rview|view|watch|sed|install|chmod|chown|cat|base64|xxd|od|hexdump|diff|sort|uniq|head|tail|cut|dialog|bc|dc|file)$`)

// fileKind sniffs the first bytes of a file.
func fileKind(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		return "ELF"
	case bytes.HasPrefix(head, []byte("#!")):
		line, _, _ := bytes.Cut(head, []byte("\n"))
		if len(line) > 80 {
			line = line[:80]
		}
		return "script (" + strings.TrimSpace(string(line)) + ")"
	case len(head) == 0:
		return "empty"
	default:
		return "data"
	}
}

func isScript(kind string) bool { return strings.HasPrefix(kind, "script") }

// inBinDir reports whether p is directly in a command directory.
func inBinDir(p string) bool { return binDirs[path.Dir(p)] }

// underLib reports whether p is inside a library tree.
func underLib(p string) bool {
	for _, r := range libRoots {
		if strings.HasPrefix(p, r+"/") {
			return true
		}
	}
	return false
}

// isPAMModule matches /lib/x86_64-linux-gnu/security/pam_unix.so,
// /usr/lib64/security/pam_x.so and the like.
func isPAMModule(p string) bool {
	return underLib(p) && path.Base(path.Dir(p)) == "security" && strings.HasSuffix(p, ".so")
}

func isCoreLib(p string) bool {
	return underLib(p) && coreLibs.MatchString(path.Base(p))
}

// isRootkitTarget reports whether p is a command rootkits replace (in a
// command directory, or the systemd/sshd binaries under lib trees).
func isRootkitTarget(p string) bool {
	base := path.Base(p)
	if inBinDir(p) {
		return rootkitTargets[base]
	}
	switch p {
	case "/lib/systemd/systemd", "/usr/lib/systemd/systemd", "/usr/lib/openssh/sshd-session", "/usr/lib/openssh/sshd-auth",
		"/usr/libexec/openssh/sshd-session", "/usr/libexec/openssh/sshd-auth":
		return true
	}
	return false
}

// isDocPath is documentation and translations: a change there is not code.
func isDocPath(p string) bool {
	for _, pre := range []string{"/usr/share/doc/", "/usr/share/man/", "/usr/share/info/", "/usr/share/locale/", "/usr/share/help/", "/usr/share/lintian/", "/usr/share/doc-base/", "/usr/share/bug/"} {
		if strings.HasPrefix(p, pre) {
			return true
		}
	}
	return false
}

// isCodePath guesses whether a packaged file is code that runs: commands,
// libraries, interpreter modules.
func isCodePath(p string, mode uint32) bool {
	if mode&0o111 != 0 || inBinDir(p) || strings.HasSuffix(p, ".so") || strings.Contains(p, ".so.") {
		return true
	}
	switch path.Ext(p) {
	case ".py", ".pl", ".pm", ".rb", ".sh", ".js", ".mjs", ".cjs", ".php", ".lua", ".tcl", ".ko", ".service", ".timer", ".rules":
		return true
	}
	return underLib(p) && !strings.HasPrefix(p, "/usr/lib/python3/dist-packages/") && path.Ext(p) == ""
}

// dpkgExcludes are the path-exclude/path-include filters of
// /etc/dpkg/dpkg.cfg.d (minimal images drop docs and translations): files
// they excluded were never unpacked and are not "missing".
type dpkgExcludes struct {
	rules []excludeRule
}

type excludeRule struct {
	include bool
	glob    string
}

func loadDpkgExcludes(t *target.Target, rec target.Recorder) *dpkgExcludes {
	ex := &dpkgExcludes{}
	files := append([]string{"/etc/dpkg/dpkg.cfg"}, t.Glob("/etc/dpkg/dpkg.cfg.d/*")...)
	for _, f := range files {
		b, ok := t.ReadFileRec(rec, f, 1<<20)
		if !ok {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				k, v, ok = strings.Cut(line, " ")
			}
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			if (k == "path-exclude" || k == "path-include") && v != "" {
				ex.rules = append(ex.rules, excludeRule{include: k == "path-include", glob: v})
			}
		}
	}
	return ex
}

// excluded applies the filters like dpkg: the last matching one wins.
func (ex *dpkgExcludes) excluded(p string) bool {
	out := false
	for _, r := range ex.rules {
		if fnmatch(r.glob, p) {
			out = !r.include
		}
	}
	return out
}
