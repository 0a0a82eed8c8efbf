package procs

import (
	"bytes"
	"errors"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/lazyre"
)

// ClockTicks is USER_HZ, the unit of the times in /proc/PID/stat. It is 100
// on every architecture Linux exposes to user space in practice.
const ClockTicks = 100

// pfKthread is PF_KTHREAD in the flags field of /proc/PID/stat.
const pfKthread = 0x00200000

// Stat is what Vigil uses of /proc/PID/stat.
type Stat struct {
	PID       int
	Comm      string
	State     string
	PPID      int
	Flags     uint64
	UTime     uint64 // clock ticks
	STime     uint64
	Threads   int
	StartTime uint64 // clock ticks after boot
	RSSPages  int64
}

// ErrMalformed marks a /proc file that does not have the kernel's format.
var ErrMalformed = errors.New("malformed /proc file")

// ParseStat parses the one line of /proc/PID/stat. The command name sits in
// parentheses and may itself hold spaces and parentheses, so the fields are
// counted from the last ')'.
func ParseStat(b []byte) (Stat, error) {
	var s Stat
	open := bytes.IndexByte(b, '(')
	end := bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return s, ErrMalformed
	}
	pid, err := strconv.Atoi(string(bytes.TrimSpace(b[:open])))
	if err != nil {
		return s, ErrMalformed
	}
	s.PID = pid
	s.Comm = string(b[open+1 : end])
	f := strings.Fields(string(b[end+1:]))
	// f[0] is field 3 (state); starttime is field 22, so f needs 20+ entries.
	if len(f) < 20 {
		return s, ErrMalformed
	}
	s.State = f[0]
	num := func(i int) uint64 {
		if i >= len(f) {
			return 0
		}
		v, e := strconv.ParseUint(f[i], 10, 64)
		if e != nil {
			err = ErrMalformed
		}
		return v
	}
	ppid, e := strconv.Atoi(f[1])
	if e != nil {
		return s, ErrMalformed
	}
	s.PPID = ppid
	s.Flags = num(6)
	s.UTime = num(11)
	s.STime = num(12)
	s.Threads = int(num(17))
	s.StartTime = num(19)
	if len(f) > 21 {
		if v, e := strconv.ParseInt(f[21], 10, 64); e == nil {
			s.RSSPages = v
		}
	}
	if err != nil {
		return s, err
	}
	return s, nil
}

// Status is what Vigil uses of /proc/PID/status.
type Status struct {
	Name    string
	State   string // one letter
	Tgid    int
	PID     int
	PPID    int
	UID     [4]int // real, effective, saved, filesystem; -1 when absent
	Threads int
	RSSKB   int64
	Kthread int // -1 when the kernel does not say (the line is recent)
}

// ParseStatus parses /proc/PID/status. Unknown lines are ignored; a file
// without Name and Pid is malformed.
func ParseStatus(b []byte) (Status, error) {
	s := Status{UID: [4]int{-1, -1, -1, -1}, Tgid: -1, PID: -1, PPID: -1, Kthread: -1}
	seen := 0
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch k {
		case "Name":
			s.Name = unescapeName(v)
			seen++
		case "State":
			if v != "" {
				s.State = v[:1]
			}
		case "Tgid":
			s.Tgid = atoiOr(v, -1)
		case "Pid":
			s.PID = atoiOr(v, -1)
			seen++
		case "PPid":
			s.PPID = atoiOr(v, -1)
		case "Uid":
			for i, x := range strings.Fields(v) {
				if i < 4 {
					s.UID[i] = atoiOr(x, -1)
				}
			}
		case "Threads":
			s.Threads = atoiOr(v, 0)
		case "VmRSS":
			s.RSSKB = int64(atoiOr(strings.TrimSuffix(v, " kB"), 0))
		case "Kthread":
			s.Kthread = atoiOr(v, -1)
		}
	}
	if seen < 2 || s.PID < 0 {
		return s, ErrMalformed
	}
	return s, nil
}

// unescapeName undoes the kernel's escaping of the Name line (a newline is
// written as "\n" and a backslash as "\\").
func unescapeName(v string) string {
	if !strings.Contains(v, `\`) {
		return v
	}
	return strings.NewReplacer(`\\`, `\`, `\n`, "\n").Replace(v)
}

func atoiOr(s string, def int) int {
	v, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return def
	}
	return v
}

// SplitNUL splits a NUL-separated /proc file (cmdline, environ). A trailing
// NUL does not make an empty last entry.
func SplitNUL(b []byte) []string {
	if len(b) == 0 {
		return nil
	}
	b = bytes.TrimSuffix(b, []byte{0})
	parts := bytes.Split(b, []byte{0})
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = string(p)
	}
	// A process that rewrote its argv in place (setproctitle) may leave one
	// space-joined string padded with NULs: drop the empty tail.
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return out
}

// keptEnv says which environment variables a Snapshot keeps: those that
// change how programs load code, and those that tell where a session came
// from.
func keptEnv(k string) bool {
	return strings.HasPrefix(k, "LD_") || k == "SSH_CONNECTION" || k == "SSH_CLIENT" || k == "SUDO_USER" || k == "SUDO_COMMAND"
}

// ParseEnviron returns the variables of a /proc/PID/environ that Vigil
// keeps (LD_*, SSH_CONNECTION, SUDO_USER ...).
func ParseEnviron(b []byte) map[string]string {
	var env map[string]string
	for _, kv := range SplitNUL(b) {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || !keptEnv(k) {
			continue
		}
		if env == nil {
			env = map[string]string{}
		}
		env[k] = v
	}
	return env
}

var (
	// A 64-hex container id after a runtime's marker: docker/<id>,
	// docker-<id>.scope, cri-containerd-<id>.scope, crio-<id>, libpod-<id>.
	reRuntimeID = lazyre.New(`(?:docker|cri-containerd|crio|libpod|containerd)[-/:]([0-9a-f]{64})(?:\.scope)?(?:/|$)`)
	// Kubernetes pods name the container by its bare id under kubepods.
	reKubeID = lazyre.New(`kubepods.*/([0-9a-f]{64})(?:\.scope)?(?:/|$)`)
	// LXC and LXD: /lxc/<name> or /lxc.payload.<name>.
	reLXC = lazyre.New(`/lxc(?:\.payload)?[./]([^/]+)`)
)

// ParseCgroup returns the process's cgroup path (the unified hierarchy's,
// else systemd's, else the first) and the container id found in any line.
// Podman's conmon runs on the host beside its container: it is not inside.
func ParseCgroup(b []byte) (cgroup, container string) {
	var first, systemd string
	for _, line := range strings.Split(string(b), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		p := parts[2]
		switch {
		case parts[0] == "0" && parts[1] == "":
			cgroup = p
		case parts[1] == "name=systemd":
			systemd = p
		case first == "":
			first = p
		}
		if container == "" && !strings.Contains(p, "libpod-conmon-") {
			if m := reRuntimeID.FindStringSubmatch(p); m != nil {
				container = m[1]
			} else if m := reKubeID.FindStringSubmatch(p); m != nil {
				container = m[1]
			} else if m := reLXC.FindStringSubmatch(p); m != nil && m[1] != "" {
				container = "lxc:" + strings.TrimSuffix(m[1], ".scope")
			}
		}
	}
	if cgroup == "" || cgroup == "/" && systemd != "" {
		cgroup = systemd
	}
	if cgroup == "" {
		cgroup = first
	}
	return cgroup, container
}

// ParseExeLink decodes the target of /proc/PID/exe: the path, whether the
// file was deleted (the kernel appends " (deleted)") and whether it is an
// anonymous memfd ("/memfd:name (deleted)"), a fileless program.
func ParseExeLink(link string) (exe string, deleted, memfd bool) {
	exe, deleted = strings.CutSuffix(link, " (deleted)")
	memfd = strings.HasPrefix(exe, "/memfd:") || strings.HasPrefix(exe, "memfd:")
	return exe, deleted, memfd
}
