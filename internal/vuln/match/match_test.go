package match

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

func row(rel, pkg, id string, st advisory.Status, fixed, sev, src string) advisory.Sourced {
	return advisory.Sourced{Affected: advisory.Affected{Distro: "debian", Release: rel, Package: pkg, ID: id, Status: st, Fixed: fixed, Severity: sev}, Source: src}
}

func debSlice() *advisory.Slice {
	return &advisory.Slice{Distro: "debian", Release: "12",
		Affected: []advisory.Sourced{
			row("12", "openssl", "CVE-2099-1", advisory.Fixed, "3.0.16-1~deb12u1", "high", "debian-tracker"),
			row("12", "openssl", "DSA-9-1", advisory.Fixed, "3.0.16-1~deb12u1", "", "osv:Debian"),        // the same CVE by alias
			row("12", "openssl", "CVE-2099-2", advisory.Fixed, "3.0.15-1~deb12u1", "", "debian-tracker"), // backport: installed
			row("12", "openssl", "CVE-2099-3", advisory.NoFix, "", "", "debian-tracker"),
			row("12", "glibc", "CVE-2099-4", advisory.WontFix, "", "low", "debian-tracker"),
			row("12", "glibc", "CVE-2099-5", advisory.Fixed, "2.36-9+deb12u11", "", "debian-tracker"),
			row("12", "bash", "CVE-2099-6", advisory.Fixed, "5.2.15-2", "", "debian-tracker"), // binNMU +b7 of 5.2.15-2
			row("12", "zlib", "CVE-2099-7", advisory.EndOfSupport, "", "", "debian-tracker"),
			row("12", "zlib", "CVE-2099-7", advisory.NoFix, "", "", "osv:Debian"),
			row("12", "linux", "CVE-2099-8", advisory.Fixed, "6.1.130-1", "", "debian-tracker"),
			row("12", "curl", "CVE-2099-9", advisory.Fixed, "not a version!", "", "debian-tracker"),
		},
		Vulns: map[string]advisory.Vuln{
			"DSA-9-1":    {ID: "DSA-9-1", Aliases: []string{"CVE-2099-1"}},
			"CVE-2099-3": {ID: "CVE-2099-3", CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"},
			"CVE-2099-5": {ID: "CVE-2099-5", CVSS4: "CVSS:4.0/AV:L/AC:L/AT:N/PR:L/UI:N/VC:L/VI:N/VA:N/SC:N/SI:N/SA:N"},
		},
		KEV:  map[string]advisory.KEV{"CVE-2099-1": {CVE: "CVE-2099-1", DueDate: "2027-01-01"}},
		EPSS: map[string]advisory.EPSS{"CVE-2099-1": {CVE: "CVE-2099-1", Score: 0.9, Percentile: 0.99}},
	}
}

func debPackages() []pkgdb.Package {
	return []pkgdb.Package{
		{Name: "libssl3:amd64", Version: "3.0.15-1~deb12u1", Source: "openssl"},
		{Name: "openssl", Version: "3.0.15-1~deb12u1"},
		{Name: "libc6:amd64", Version: "2.36-9+deb12u10", Source: "glibc"},
		{Name: "bash", Version: "5.2.15-2+b7", Source: "bash", SourceVersion: "5.2.15-2"},
		{Name: "zlib1g:amd64", Version: "1:1.2.13.dfsg-1", Source: "zlib", SourceVersion: "1:1.2.13.dfsg-1"},
		{Name: "linux-image-6.1.0-28-amd64", Version: "6.1.119-1", Source: "linux-signed-amd64", SourceVersion: "6.1.119+1"},
		{Name: "linux-image-6.1.0-31-amd64", Version: "6.1.128-1", Source: "linux-signed-amd64", SourceVersion: "6.1.128+1"},
		{Name: "curl", Version: "7.88.1-10+deb12u8"},
		{Name: "dash", Version: "0.5.12-2"},
	}
}

func byKey(r Result) map[string]Match {
	m := map[string]Match{}
	for _, x := range r.Matches {
		m[x.Package+" "+x.Installed+" "+x.Vuln] = x
	}
	return m
}

func TestPackages(t *testing.T) {
	res := Packages(debPackages(), debSlice(), Host{Distro: "debian", Release: "12", Exposed: map[string][]string{"openssl": {"nginx:443/tcp"}}})
	got := byKey(res)
	for _, c := range []struct {
		key    string
		status advisory.Status
		fixed  string
		sev    model.Severity
		from   string
	}{
		{"openssl 3.0.15-1~deb12u1 CVE-2099-1", advisory.Fixed, "3.0.16-1~deb12u1", model.High, "debian"},
		{"openssl 3.0.15-1~deb12u1 CVE-2099-3", advisory.NoFix, "", model.Critical, "cvss"},
		{"glibc 2.36-9+deb12u10 CVE-2099-4", advisory.WontFix, "", model.Low, "debian"},
		{"glibc 2.36-9+deb12u10 CVE-2099-5", advisory.Fixed, "2.36-9+deb12u11", model.Medium, "cvss"},
		{"zlib 1:1.2.13.dfsg-1 CVE-2099-7", advisory.EndOfSupport, "", model.Medium, "unrated"},
		{"linux 6.1.119-1 CVE-2099-8", advisory.Fixed, "6.1.130-1", model.Medium, "unrated"},
		{"linux 6.1.128-1 CVE-2099-8", advisory.Fixed, "6.1.130-1", model.Medium, "unrated"},
	} {
		m, ok := got[c.key]
		if !ok {
			t.Errorf("%s: not matched (got %v)", c.key, keys(got))
			continue
		}
		if m.Status != c.status || m.Fixed != c.fixed || m.Severity != c.sev || m.SeverityFrom != c.from {
			t.Errorf("%s: %+v", c.key, m)
		}
	}
	if len(got) != 7 {
		t.Errorf("matches %v", keys(got))
	}
	ssl := got["openssl 3.0.15-1~deb12u1 CVE-2099-1"]
	if len(ssl.IDs) != 2 || len(ssl.Binaries) != 2 || ssl.KEV == nil || ssl.EPSS == nil || len(ssl.Exposed) != 1 || ssl.Priority != 38+25+14+10 {
		t.Errorf("openssl grading: %+v", ssl)
	}
	if res.Matches[0].Vuln != "CVE-2099-1" {
		t.Errorf("not sorted by priority: %+v", res.Matches[0])
	}
	if len(res.Unparsable) != 1 || res.Unparsable[0] != "curl 7.88.1-10+deb12u8" {
		t.Errorf("unparsable %v", res.Unparsable)
	}
}

func keys(m map[string]Match) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestRunningKernel: live, only the running kernel image is judged, and
// a newer installed image means a reboot is due.
func TestRunningKernel(t *testing.T) {
	pkgs := debPackages()
	skip, newer := kernels("dpkg", pkgs, "6.1.0-28-amd64")
	if !skip["linux-image-6.1.0-31-amd64 6.1.128-1"] || skip["linux-image-6.1.0-28-amd64 6.1.119-1"] || newer != "linux-image-6.1.0-31-amd64 6.1.128-1" {
		t.Fatalf("skip %v newer %q", skip, newer)
	}
	res := Packages(pkgs, debSlice(), Host{Distro: "debian", Release: "12", SkipKernel: skip})
	got := byKey(res)
	if _, ok := got["linux 6.1.128-1 CVE-2099-8"]; ok {
		t.Error("a kernel that is not running was judged")
	}
	if _, ok := got["linux 6.1.119-1 CVE-2099-8"]; !ok {
		t.Error("the running kernel was not judged")
	}
	if skip, newer := kernels("dpkg", pkgs, "6.1.0-31-amd64"); newer != "" || !skip["linux-image-6.1.0-28-amd64 6.1.119-1"] {
		t.Errorf("running the newest: skip %v newer %q", skip, newer)
	}
	rpm := []pkgdb.Package{{Name: "kernel-core", Version: "5.14.0-427.13.1.el9_4", Arch: "x86_64"}}
	if !runs("rpm", rpm[0], "5.14.0-427.13.1.el9_4.x86_64") {
		t.Error("rpm running kernel not recognised")
	}
	if !runs("apk", pkgdb.Package{Name: "linux-lts", Version: "6.6.31-r0"}, "6.6.31-0-lts") {
		t.Error("apk running kernel not recognised")
	}
}

// TestOtherReleaseIgnored: advisories of another release never match.
func TestOtherReleaseIgnored(t *testing.T) {
	sl := &advisory.Slice{Distro: "debian", Release: "12"} // the store gives only this release's rows
	if res := Packages(debPackages(), sl, Host{Distro: "debian", Release: "12"}); len(res.Matches) != 0 {
		t.Errorf("%+v", res.Matches)
	}
}

func TestRPMAndApk(t *testing.T) {
	sl := &advisory.Slice{Distro: "rocky", Release: "9", Affected: []advisory.Sourced{
		{Affected: advisory.Affected{Package: "openssl-libs", ID: "RLSA-1", Status: advisory.Fixed, Fixed: "1:3.0.7-28.el9"}},
		{Affected: advisory.Affected{Package: "openssl", ID: "RLSA-2", Status: advisory.Fixed, Fixed: "1:3.0.7-27.el9"}},
	}}
	pk := []pkgdb.Package{{Name: "openssl-libs", Version: "1:3.0.7-27.el9", Source: "openssl"}}
	got := byKey(Packages(pk, sl, Host{Distro: "rocky", Release: "9"}))
	if len(got) != 1 || got["openssl-libs 1:3.0.7-27.el9 RLSA-1"].Fixed != "1:3.0.7-28.el9" {
		t.Errorf("rpm: %v", keys(got))
	}
	al := &advisory.Slice{Distro: "alpine", Release: "3.19", Affected: []advisory.Sourced{
		{Affected: advisory.Affected{Package: "openssl", ID: "CVE-2099-1", Status: advisory.Fixed, Fixed: "3.1.4-r6"}},
	}}
	pk = []pkgdb.Package{{Name: "libcrypto3", Version: "3.1.4-r5", Source: "openssl"}}
	if got := byKey(Packages(pk, al, Host{Distro: "alpine", Release: "3.19"})); len(got) != 1 {
		t.Errorf("apk: %v", keys(got))
	}
}

func TestScoreCVSS(t *testing.T) {
	for _, c := range []struct {
		v    advisory.Vuln
		want float64
		ok   bool
	}{
		{advisory.Vuln{CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, 9.8, true},
		{advisory.Vuln{CVSS3: "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}, 9.8, true},
		{advisory.Vuln{CVSS4: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"}, 9.3, true},
		{advisory.Vuln{CVSS3: "garbage"}, 0, false},
		{advisory.Vuln{}, 0, false},
	} {
		got, ok := ScoreCVSS(c.v)
		if ok != c.ok || got.Score != c.want {
			t.Errorf("%+v: %+v %v", c.v, got, ok)
		}
	}
}

func BenchmarkPackages(b *testing.B) {
	pkgs, sl := Synthetic(2000, 60000)
	host := Host{Distro: "debian", Release: "12"}
	b.ResetTimer()
	for b.Loop() {
		Packages(pkgs, sl, host)
	}
}
