package harden

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/vigil-ir/vigil/internal/model"
)

// sysctlRule is one kernel setting of the baseline: the values that fall
// short of it.
type sysctlRule struct {
	key string
	bad func(v string) bool
}

func is(vals ...string) func(string) bool {
	return func(v string) bool { return slices.Contains(vals, v) }
}

func not(vals ...string) func(string) bool {
	return func(v string) bool { return !slices.Contains(vals, v) }
}

// sysctlBaseline is CIS's kernel settings for a server that is not a
// router (ip_forward is the network check's).
var sysctlBaseline = []sysctlRule{
	{"kernel.randomize_va_space", not("2")},
	{"fs.protected_symlinks", is("0")},
	{"fs.protected_hardlinks", is("0")},
	{"fs.suid_dumpable", not("0")},
	{"kernel.kptr_restrict", is("0")},
	{"kernel.dmesg_restrict", is("0")},
	{"kernel.yama.ptrace_scope", is("0")},
	{"net.ipv4.tcp_syncookies", is("0")},
	{"net.ipv4.conf.all.accept_redirects", is("1")},
	{"net.ipv4.conf.all.secure_redirects", is("1")},
	{"net.ipv4.conf.all.send_redirects", is("1")},
	{"net.ipv4.conf.all.accept_source_route", is("1")},
	{"net.ipv4.conf.all.log_martians", is("0")},
	{"net.ipv4.icmp_echo_ignore_broadcasts", is("0")},
	{"net.ipv6.conf.all.accept_redirects", is("1")},
	{"net.ipv6.conf.all.accept_source_route", is("1")},
}

// sysctlDirs are read in this order, a file name in an earlier directory
// hiding the same name in a later one; files sort by name across them and
// /etc/sysctl.conf comes last (systemd-sysctl's rules).
var sysctlDirs = []string{"/etc/sysctl.d", "/run/sysctl.d", "/usr/local/lib/sysctl.d", "/usr/lib/sysctl.d", "/lib/sysctl.d"}

// setting is where a value was set.
type setting struct {
	val string
	ev  model.Evidence
}

// sysctlFiles returns the configured values, in systemd-sysctl's order.
func (r *run) sysctlFiles() map[string]setting {
	byName := map[string]string{}
	for _, d := range sysctlDirs {
		for _, p := range r.t.Glob(d + "/*.conf") {
			if _, ok := byName[path.Base(p)]; !ok {
				byName[path.Base(p)] = p
			}
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	slices.Sort(names)
	files := make([]string, 0, len(names)+1)
	for _, n := range names {
		files = append(files, byName[n])
	}
	files = append(files, "/etc/sysctl.conf")
	out := map[string]setting{}
	for _, p := range files {
		for _, l := range r.lines(p) {
			k, v, ok := strings.Cut(l.text, "=")
			if !ok {
				continue
			}
			k = strings.ReplaceAll(strings.TrimPrefix(strings.TrimSpace(k), "-"), "/", ".")
			out[k] = setting{strings.TrimSpace(v), model.Evidence{Path: l.file, Line: l.n, Text: l.text}}
		}
	}
	return out
}

// sysctls judges the kernel settings: on the live host the values in
// effect (with the file that set one, when a file did); on an offline root
// what its files set.
func (r *run) sysctls() {
	conf := r.sysctlFiles()
	for _, s := range sysctlBaseline {
		cur, ok := conf[s.key]
		if r.t.IsLive() {
			b, err := r.t.ReadFile("/proc/sys/"+strings.ReplaceAll(s.key, ".", "/"), 64)
			if err != nil {
				continue // not on this kernel
			}
			live := strings.TrimSpace(string(b))
			if !ok || cur.val != live {
				cur = setting{live, model.Evidence{Path: "/proc/sys/" + strings.ReplaceAll(s.key, ".", "/"), Text: live}}
			}
			ok = true
		}
		if !ok || !s.bad(cur.val) {
			continue
		}
		ev := cur.ev
		ev.Extra = map[string]string{"key": s.key, "value": cur.val}
		r.emit(ruleSysctl, fmt.Sprintf("%s = %s", s.key, cur.val), ev, model.Low, model.ConfHigh)
	}
}
