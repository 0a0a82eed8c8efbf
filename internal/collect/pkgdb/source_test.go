package pkgdb

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb/pkgdbtest"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/testutil"
)

func TestParseDpkgSource(t *testing.T) {
	for _, c := range []struct{ in, name, ver string }{
		{"openssl", "openssl", ""},
		{"glibc (2.36-9+deb12u10)", "glibc", "2.36-9+deb12u10"},
		{"linux-signed-amd64 (6.1.129+1)", "linux-signed-amd64", "6.1.129+1"},
		{"x (", "x", ""},
		{"y (1.0", "y", ""},
	} {
		n, v := parseDpkgSource(c.in)
		if n != c.name || v != c.ver {
			t.Errorf("parseDpkgSource(%q) = %q, %q; want %q, %q", c.in, n, v, c.name, c.ver)
		}
	}
}

func TestSplitSourceRPM(t *testing.T) {
	for _, c := range []struct{ in, name, vr string }{
		{"openssl-3.0.7-27.el9.src.rpm", "openssl", "3.0.7-27.el9"},
		{"python-urllib3-1.26.5-5.el9.src.rpm", "python-urllib3", "1.26.5-5.el9"},
		{"kernel-5.14.0-427.13.1.el9_4.nosrc.rpm", "kernel", "5.14.0-427.13.1.el9_4"},
		{"garbage", "", ""},
		{"a-1.src.rpm", "", ""},
		{"", "", ""},
	} {
		n, vr := splitSourceRPM(c.in)
		if n != c.name || vr != c.vr {
			t.Errorf("splitSourceRPM(%q) = %q, %q; want %q, %q", c.in, n, vr, c.name, c.vr)
		}
	}
}

func TestPackageSource(t *testing.T) {
	root := testutil.RootFromString(t, `
-- var/lib/dpkg/status --
Package: libssl3
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: openssl
Version: 3.0.15-1~deb12u1

Package: libc6
Status: install ok installed
Architecture: amd64
Multi-Arch: same
Source: glibc (2.36-9+deb12u10)
Version: 2.36-9+deb12u10+b1

Package: bash
Status: install ok installed
Architecture: amd64
Version: 5.2.15-2+b7
Source: bash (5.2.15-2)

Package: dash
Status: install ok installed
Architecture: amd64
Version: 0.5.12-2
`)
	pkgdbtest.Fill(t, root)
	db := Load(target.NewUnchecked(root, false), &gaps{})
	got := map[string][2]string{}
	for _, p := range db.Packages() {
		got[p.Name] = [2]string{p.SourceName(), p.SourceVer()}
	}
	want := map[string][2]string{
		"libssl3:amd64": {"openssl", "3.0.15-1~deb12u1"},
		"libc6:amd64":   {"glibc", "2.36-9+deb12u10"},
		"bash":          {"bash", "5.2.15-2"},
		"dash":          {"dash", "0.5.12-2"},
	}
	for n, w := range want {
		if got[n] != w {
			t.Errorf("%s: source %v, want %v", n, got[n], w)
		}
	}
}

func TestApkOrigin(t *testing.T) {
	pkgs, bad := ParseApk([]byte("P:libcrypto3\nV:3.1.4-r5\nA:x86_64\no:openssl\n\nP:busybox\nV:1.36.1-r29\n"))
	if bad != 0 || len(pkgs) != 2 || pkgs[0].Origin != "openssl" || pkgs[1].Origin != "" {
		t.Fatalf("ParseApk: %+v bad %d", pkgs, bad)
	}
}

func TestRPMSource(t *testing.T) {
	h := pkgdbtest.RPMHeader(tv(tagName, "openssl-libs"), tv(tagVersion, "3.0.7"), tv(tagRelease, "27.el9"),
		tv(tagEpoch, []uint32{1}), tv(tagSourceRPM, "openssl-3.0.7-27.el9.src.rpm"))
	p, err := ParseRPMHeader(h)
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != "openssl" || p.SourceVersion != "3.0.7-27.el9" || rpmSourceVersion(p) != "" {
		t.Errorf("rpm source: %+v, source version %q", p, rpmSourceVersion(p))
	}
	p.SourceVersion = "3.0.7-28.el9"
	if v := rpmSourceVersion(p); v != "1:3.0.7-28.el9" {
		t.Errorf("rpmSourceVersion = %q", v)
	}
}
