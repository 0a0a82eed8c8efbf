package version

import "testing"

// Cases from each distribution's documentation: deb-version(7), the rpm
// version comparison rules (rpmvercmp), apk's version ordering.
func TestCompare(t *testing.T) {
	for _, c := range []struct {
		fam, a, b string
		want      int
	}{
		// dpkg: epochs win over everything
		{Dpkg, "1:1.0-1", "2.0-1", 1},
		{Dpkg, "0:1.0-1", "1.0-1", 0},
		// "~" sorts before anything, even the end of the string
		{Dpkg, "1.0~rc1-1", "1.0-1", -1},
		{Dpkg, "3.0.15-1~deb12u1", "3.0.15-1", -1},
		{Dpkg, "1.0~~a", "1.0~", -1},
		// Debian revisions and security updates (+debXuY)
		{Dpkg, "2.36-9+deb12u10", "2.36-9+deb12u9", 1},
		{Dpkg, "2.36-9+deb12u10", "2.36-9", 1},
		{Dpkg, "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u5", -1},
		// binNMU: the binary version is newer than its source
		{Dpkg, "5.2.15-2+b7", "5.2.15-2", 1},
		// letters sort before non-letters other than "~"
		{Dpkg, "1.0a", "1.0+", -1},
		{Dpkg, "1.0", "1.0", 0},
		// Ubuntu
		{Dpkg, "3.0.2-0ubuntu1.18", "3.0.2-0ubuntu1.9", 1},
		// rpm: epoch, version, release
		{RPM, "1:3.0.7-27.el9", "3.0.7-28.el9", 1},
		{RPM, "3.0.7-27.el9", "3.0.7-27.el9_4", -1},
		{RPM, "5.14.0-427.13.1.el9_4", "5.14.0-427.2.1.el9_4", 1},
		{RPM, "1.0~rc1-1", "1.0-1", -1},
		{RPM, "1.0^git1-1", "1.0-1", 1},
		{RPM, "2.0-1", "2.0-1", 0},
		{RPM, "1.0a", "1.0", 1},
		// apk: -rN revisions, suffixes
		{Apk, "3.1.4-r5", "3.1.4-r10", -1},
		{Apk, "1.2.3_rc1-r0", "1.2.3-r0", -1},
		{Apk, "1.2.3_p1-r0", "1.2.3-r0", 1},
		{Apk, "1.36.1-r29", "1.36.1-r29", 0},
		{Apk, "2.0", "10.0", -1},
	} {
		got, err := Compare(c.fam, c.a, c.b)
		if err != nil || got != c.want {
			t.Errorf("%s %q vs %q = %d, %v; want %d", c.fam, c.a, c.b, got, err, c.want)
		}
		back, _ := Compare(c.fam, c.b, c.a)
		if back != -c.want {
			t.Errorf("%s %q vs %q not antisymmetric: %d", c.fam, c.b, c.a, back)
		}
	}
}

func TestCompareRefusesGarbage(t *testing.T) {
	for _, c := range [][3]string{{Dpkg, "", "1"}, {Dpkg, "a:1", "1"}, {Dpkg, "1.0 2", "1"}, {RPM, "", "1"}, {"x", "1", "1"}} {
		if _, err := Compare(c[0], c[1], c[2]); err == nil {
			t.Errorf("%v: accepted", c)
		}
	}
}

func FuzzCompare(f *testing.F) {
	f.Add("1:1.0~rc1-1+deb12u1", "1.0-1")
	f.Add("3.1.4-r5", "1.2.3_rc1-r0")
	f.Fuzz(func(t *testing.T, a, b string) {
		for _, fam := range []string{Dpkg, RPM, Apk} {
			Compare(fam, a, b)
		}
	})
}

func BenchmarkCompareDpkg(b *testing.B) {
	for b.Loop() {
		Compare(Dpkg, "1:9.2p1-2+deb12u3", "1:9.2p1-2+deb12u5")
	}
}
