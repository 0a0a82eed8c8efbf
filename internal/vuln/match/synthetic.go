package match

import (
	"fmt"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
)

// Synthetic makes a Debian 12 host of n packages (from n/3 source
// packages) and a release slice of about rows advisories over 4,000
// source packages, a third of them fixed above the installed version: the
// shape of the real tracker's bookworm slice, for benchmarks.
func Synthetic(n, rows int) ([]pkgdb.Package, *advisory.Slice) {
	var pkgs []pkgdb.Package
	for i := range n {
		src := fmt.Sprintf("src%04d", i/3)
		pkgs = append(pkgs, pkgdb.Package{Name: fmt.Sprintf("bin%05d:amd64", i), Version: fmt.Sprintf("1.%d-2+deb12u3", (i/3)%7), Source: src})
	}
	sl := &advisory.Slice{Distro: "debian", Release: "12", Vulns: map[string]advisory.Vuln{}, KEV: map[string]advisory.KEV{}, EPSS: map[string]advisory.EPSS{}}
	for i := range rows {
		id := fmt.Sprintf("CVE-2099-%05d", i)
		src := i % 4000
		a := advisory.Affected{Distro: "debian", Release: "12", Package: fmt.Sprintf("src%04d", src), ID: id, Status: advisory.Fixed}
		switch i % 3 {
		case 0:
			a.Fixed = fmt.Sprintf("1.%d-2+deb12u4", src%7) // above the installed
		case 1:
			a.Fixed = "1.0-1" // below: fixed long ago
		default:
			a.Status, a.Severity = advisory.NoFix, "medium"
		}
		sl.Affected = append(sl.Affected, advisory.Sourced{Affected: a, Source: "debian-tracker"})
		sl.Vulns[id] = advisory.Vuln{ID: id, CVSS3: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}
		if i%50 == 0 {
			sl.EPSS[id] = advisory.EPSS{CVE: id, Score: 0.1}
		}
	}
	return pkgs, sl
}
