package match

import (
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// statusPackages reads a dpkg status fixture as the inventory does.
func statusPackages(t *testing.T, name string) []pkgdb.Package {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	st, bad := pkgdb.ParseStatus(b)
	if bad != 0 || len(st) == 0 {
		t.Fatalf("%s: %d packages, %d bad", name, len(st), bad)
	}
	var out []pkgdb.Package
	for _, p := range st {
		out = append(out, pkgdb.Package{Name: p.Name, Version: p.Version, Arch: p.Arch, Source: p.Source, SourceVersion: p.SourceVersion})
	}
	return out
}

func ubuntuRow(rel, pkg, id, fixed string) advisory.Sourced {
	return advisory.Sourced{Affected: advisory.Affected{Distro: "ubuntu", Release: rel, Package: pkg, ID: id, Status: advisory.Fixed, Fixed: fixed}, Source: "osv:Ubuntu"}
}

// TestUbuntuSignedKernel: Ubuntu's signed images (source linux-signed,
// linux-signed-hwe-6.8) are matched as the source packages its advisories
// name (linux, linux-hwe-6.8); live, the parts of a kernel that does not
// run (modules, headers) are not the host's.
func TestUbuntuSignedKernel(t *testing.T) {
	noble := &advisory.Slice{Distro: "ubuntu", Release: "24.04", Affected: []advisory.Sourced{
		ubuntuRow("24.04", "linux", "UBUNTU-CVE-2099-10", "6.8.0-51.52"),
		ubuntuRow("24.04", "linux", "UBUNTU-CVE-2099-11", "6.8.0-47.47"), // fixed in 49, not in 45
		ubuntuRow("24.04", "linux-signed", "UBUNTU-CVE-2099-12", "6.8.0-51.52"),
		ubuntuRow("24.04", "openssl", "UBUNTU-CVE-2099-13", "3.0.13-0ubuntu3.4"), // the installed version: fixed
	}}
	pkgs := statusPackages(t, "ubuntu-noble-kernels.status")

	// --root: every installed kernel is judged.
	got := byKey(Packages(pkgs, noble, Host{Distro: "ubuntu", Release: "24.04"}))
	for _, k := range []string{
		"linux 6.8.0-49.49 UBUNTU-CVE-2099-10", "linux 6.8.0-45.45 UBUNTU-CVE-2099-10", "linux 6.8.0-45.45 UBUNTU-CVE-2099-11",
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("--root: %q missing; got %v", k, keys(got))
		}
	}
	if m := got["linux 6.8.0-49.49 UBUNTU-CVE-2099-10"]; len(m.Binaries) != 2 || !m.Kernel {
		t.Errorf("signed image and modules are one source package: %+v", m)
	}
	if len(got) != 3 {
		t.Errorf("--root: %v", keys(got))
	}

	// live, running the newest: the old kernel's image, modules and headers are left out.
	skip, newer := kernels("dpkg", pkgs, "6.8.0-49-generic")
	if newer != "" || !skip["linux-image-6.8.0-45-generic 6.8.0-45.45"] {
		t.Fatalf("skip %v newer %q", skip, newer)
	}
	got = byKey(Packages(pkgs, noble, Host{Distro: "ubuntu", Release: "24.04", SkipKernel: skip}))
	if len(got) != 1 {
		t.Errorf("live: %v", keys(got))
	}
	if m, ok := got["linux 6.8.0-49.49 UBUNTU-CVE-2099-10"]; !ok || m.Fixed != "6.8.0-51.52" {
		t.Errorf("live: %v", keys(got))
	}

	// live, running the old one: a reboot is due, and the old kernel is judged.
	skip, newer = kernels("dpkg", pkgs, "6.8.0-45-generic")
	if newer != "linux-image-6.8.0-49-generic 6.8.0-49.49" {
		t.Errorf("newer %q", newer)
	}
	got = byKey(Packages(pkgs, noble, Host{Distro: "ubuntu", Release: "24.04", SkipKernel: skip}))
	if _, ok := got["linux 6.8.0-45.45 UBUNTU-CVE-2099-11"]; !ok || len(got) != 2 {
		t.Errorf("live on the old kernel: %v", keys(got))
	}

	jammy := &advisory.Slice{Distro: "ubuntu", Release: "22.04", Affected: []advisory.Sourced{
		ubuntuRow("22.04", "linux-hwe-6.8", "UBUNTU-CVE-2099-20", "6.8.0-50.51~22.04.1"),
		ubuntuRow("22.04", "linux", "UBUNTU-CVE-2099-21", "5.15.0-130.140"), // the GA kernel, not installed
	}}
	got = byKey(Packages(statusPackages(t, "ubuntu-jammy-hwe-kernel.status"), jammy, Host{Distro: "ubuntu", Release: "22.04"}))
	if m, ok := got["linux-hwe-6.8 6.8.0-49.49~22.04.1 UBUNTU-CVE-2099-20"]; !ok || len(m.Binaries) != 2 || len(got) != 1 {
		t.Errorf("jammy HWE: %v", keys(got))
	}
}

// TestSignedKernelSource: the mapping alone, and that it stays within
// its distribution.
func TestSignedKernelSource(t *testing.T) {
	for _, c := range []struct{ distro, name, ver, wantName, wantVer string }{
		{"debian", "linux-signed-amd64", "6.1.119+1", "linux", "6.1.119-1"},
		{"debian", "linux-signed-arm64", "6.1.119+1", "linux", "6.1.119-1"},
		{"ubuntu", "linux-signed", "6.8.0-49.49", "linux", "6.8.0-49.49"},
		{"ubuntu", "linux-signed-hwe-6.8", "6.8.0-49.49~22.04.1", "linux-hwe-6.8", "6.8.0-49.49~22.04.1"},
		{"ubuntu", "linux-signed-azure", "6.8.0-1017.20", "linux-azure", "6.8.0-1017.20"},
		{"ubuntu", "linux", "6.8.0-49.49", "linux", "6.8.0-49.49"},
		{"debian", "linux-signed", "1", "linux-signed", "1"},
		{"ubuntu", "linux-signed-", "1", "linux-signed-", "1"},
		{"alpine", "linux-signed-amd64", "1", "linux-signed-amd64", "1"},
	} {
		if n, v := signedKernelSource(c.distro, c.name, c.ver); n != c.wantName || v != c.wantVer {
			t.Errorf("%s %s %s: %s %s", c.distro, c.name, c.ver, n, v)
		}
	}
}

// TestRPMKernels: rpm keeps several kernel-core versions; each is
// matched on --root, and live only the running one (a newer one means a
// reboot).
func TestRPMKernels(t *testing.T) {
	sl := &advisory.Slice{Distro: "rocky", Release: "9", Affected: []advisory.Sourced{
		{Affected: advisory.Affected{Package: "kernel-core", ID: "RLSA-2099:1", Status: advisory.Fixed, Fixed: "5.14.0-503.11.1.el9_5"}},
		{Affected: advisory.Affected{Package: "kernel-core", ID: "RLSA-2099:2", Status: advisory.Fixed, Fixed: "5.14.0-570.1.1.el9_6"}},
	}}
	pkgs := []pkgdb.Package{
		{Name: "kernel-core", Version: "5.14.0-427.13.1.el9_4", Arch: "x86_64", Source: "kernel"},
		{Name: "kernel-core", Version: "5.14.0-503.11.1.el9_5", Arch: "x86_64", Source: "kernel"},
	}
	got := byKey(Packages(pkgs, sl, Host{Distro: "rocky", Release: "9"}))
	for _, k := range []string{
		"kernel-core 5.14.0-427.13.1.el9_4 RLSA-2099:1", "kernel-core 5.14.0-427.13.1.el9_4 RLSA-2099:2",
		"kernel-core 5.14.0-503.11.1.el9_5 RLSA-2099:2",
	} {
		if _, ok := got[k]; !ok {
			t.Errorf("%q missing: %v", k, keys(got))
		}
	}
	if len(got) != 3 {
		t.Errorf("--root: %v", keys(got))
	}
	skip, newer := kernels("rpm", pkgs, "5.14.0-427.13.1.el9_4.x86_64")
	if newer != "kernel-core 5.14.0-503.11.1.el9_5" {
		t.Errorf("newer %q (skip %v)", newer, skip)
	}
	got = byKey(Packages(pkgs, sl, Host{Distro: "rocky", Release: "9", SkipKernel: skip}))
	if len(got) != 2 {
		t.Errorf("live: only the running kernel is judged: %v", keys(got))
	}
	if _, ok := got["kernel-core 5.14.0-427.13.1.el9_4 RLSA-2099:1"]; !ok {
		t.Errorf("live: %v", keys(got))
	}
}
