// Package proctest builds fake /proc trees for tests of the process and
// network collectors and detectors. Test support only.
//
// Fixtures are txtar archives (see internal/testutil) whose proc/ entries
// mirror the kernel's files: stat and status in their real formats, exe,
// cwd and fd entries as symlinks ("-- proc/42/exe -> /tmp/.x/kworker
// (deleted) --", "-- proc/42/fd/3 -> socket:[1234] --"). Because txtar is
// text, the NUL-separated files (cmdline, environ) are written one entry per
// line; Root converts them to the kernel's form.
package proctest

import (
	_ "embed"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/procs"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

// Clean is a lived-in Debian 12 server seen live (testdata/clean.txtar):
// systemd, journald, rsyslog, cron, sshd with an admin logged in, nginx
// upgraded under its running workers, chrony, dhclient, fail2ban, kernel
// threads and a zombie. Every process and socket in it is ordinary.
//
//go:embed testdata/clean.txtar
var Clean string

// Compromised is added to Clean to make a compromised host
// (testdata/compromised.txtar): a miner dressed as a kernel thread, a
// fileless program, xmrig, a reverse shell, LD_PRELOAD from /dev/shm, rwx
// memory, a proxy left under init, a CPU hog, a BPFDoor-like sniffer, pid
// 31337 (to be hidden from the listing by a test Lister), sockets nobody
// holds, a promiscuous interface and IP forwarding.
//
//go:embed testdata/compromised.txtar
var Compromised string

// HiddenPID is the process of Compromised that tests hide.
const HiddenPID = 31337

// CleanPackages are the packages owning Clean's programs.
var CleanPackages = []dpkgfixture.Package{
	{Name: "systemd", Files: []string{"/usr/lib/systemd/systemd", "/usr/lib/systemd/systemd-journald"}},
	{Name: "rsyslog", Files: []string{"/usr/sbin/rsyslogd"}},
	{Name: "cron", Files: []string{"/usr/sbin/cron"}},
	{Name: "openssh-server", Files: []string{"/usr/sbin/sshd"}},
	{Name: "nginx", Files: []string{"/usr/sbin/nginx"}},
	{Name: "chrony", Files: []string{"/usr/sbin/chronyd"}},
	{Name: "isc-dhcp-client", Files: []string{"/usr/sbin/dhclient"}},
	{Name: "python3.11-minimal", Files: []string{"/usr/bin/python3.11"}},
	{Name: "fail2ban", Files: []string{"/usr/bin/fail2ban-server"}},
	{Name: "bash", Files: []string{"/usr/bin/bash"}},
	{Name: "dash", Files: []string{"/usr/bin/dash"}},
	{Name: "sudo", Files: []string{"/usr/bin/sudo"}},
	{Name: "grep", Files: []string{"/usr/bin/grep"}},
	{Name: "at", Files: []string{"/usr/sbin/atd"}},
	{Name: "postfix", Files: []string{"/usr/lib/postfix/sbin/master"}},
	{Name: "libjemalloc2", MultiArch: true, Files: []string{"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"}},
	{Name: "libc6", MultiArch: true, Files: []string{"/usr/lib/x86_64-linux-gnu/libc.so.6", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}},
}

// Host materialises Clean plus extra txtar archives (later entries win)
// and writes the dpkg database of CleanPackages into it.
func Host(t testing.TB, extra ...string) string {
	t.Helper()
	dir := Root(t, append([]string{Clean}, extra...)...)
	dpkgfixture.Write(t, dir, CleanPackages...)
	return dir
}

// Root materialises the concatenated txtar archives into a new directory
// and converts proc/**/cmdline and environ files to NUL-separated form.
func Root(t testing.TB, archives ...string) string {
	t.Helper()
	dir := testutil.RootFromString(t, strings.Join(archives, ""))
	NULify(t, dir)
	return dir
}

// File reads a txtar file for Root.
func File(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// NULify rewrites every cmdline and environ file under dir/proc from one
// entry per line to NUL-terminated entries.
func NULify(t testing.TB, dir string) {
	t.Helper()
	err := filepath.WalkDir(filepath.Join(dir, "proc"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.Type().IsRegular() || (d.Name() != "cmdline" && d.Name() != "environ") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var out strings.Builder
		for _, line := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
			if line == "" && out.Len() == 0 {
				continue
			}
			out.WriteString(line)
			out.WriteByte(0)
		}
		return os.WriteFile(p, []byte(out.String()), 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Hiding is a procs.Lister over a fixture that leaves some pids out of the
// /proc listing while they still answer direct look-ups, as a
// getdents-hooking rootkit does.
type Hiding struct {
	procs.TargetLister
	Hide map[int]bool
}

// NewHiding hides pids of the target rooted at root.
func NewHiding(t *target.Target, pids ...int) Hiding {
	h := Hiding{TargetLister: procs.TargetLister{T: t}, Hide: map[int]bool{}}
	for _, p := range pids {
		h.Hide[p] = true
	}
	return h
}

// List implements procs.Lister.
func (h Hiding) List() (map[int]bool, error) {
	l, err := h.TargetLister.List()
	for p := range h.Hide {
		delete(l, p)
	}
	return l, err
}
