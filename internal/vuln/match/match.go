// Package match finds the installed distribution packages affected by
// known vulnerabilities. It is shaped like a detector (Detector runs on
// the engine over the target's package inventory) with the advisory data
// injected as an advisory.Slice: it never reads the store.
//
// Matching follows the distribution, never upstream version ranges or
// CPEs: Debian and Ubuntu advisories are keyed by source package and
// compared with the source version in dpkg's ordering, rpm and apk
// distributions by package name in their own ordering, and only the
// advisories of the host's own release count. A fixed version at or
// below the installed one means the distribution fixed it (backports
// included): no finding.
package match

import (
	"slices"
	"sort"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/pkgdb"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/version"
)

// Match is one vulnerability of one installed source package.
type Match struct {
	Vuln      string          `json:"vulnerability"` // CVE id when known, else the advisory id
	IDs       []string        `json:"advisories"`    // the advisory ids that said so
	Package   string          `json:"package"`       // source package (rpm: package name)
	Binaries  []string        `json:"binaries"`      // installed binary packages built from it
	Installed string          `json:"installed"`     // the version compared
	Status    advisory.Status `json:"status"`
	Fixed     string          `json:"fixed,omitempty"`
	Severity  model.Severity  `json:"severity"`
	// SeverityFrom says who rated it: the distribution ("debian",
	// "ubuntu" ...), "cvss", or "unrated" (medium until rated).
	SeverityFrom string         `json:"severity_from"`
	CVSS         *CVSS          `json:"cvss,omitempty"`
	KEV          *advisory.KEV  `json:"kev,omitempty"`
	EPSS         *advisory.EPSS `json:"epss,omitempty"`
	Exposed      []string       `json:"exposed,omitempty"` // listening processes of the package: "sshd:22/tcp"
	Priority     int            `json:"priority"`
	Kernel       bool           `json:"kernel,omitempty"` // the package is a kernel image
	Summary      string         `json:"summary,omitempty"`

	rating string // the distribution's highest rating in the rows
}

// Host is what the matcher knows of the target beyond its packages.
type Host struct {
	Distro, Release string
	// Exposed maps a source package to its listening processes (live).
	Exposed map[string][]string
	// SkipKernel names kernel image packages (KernelKey) that are
	// installed but not running (live): their vulnerabilities are not the
	// host's, nor those of the packages of the same kernel ABI (Ubuntu's
	// linux-modules-<abi>, linux-modules-extra-<abi>,
	// linux-image-unsigned-<abi>).
	SkipKernel map[string]bool
}

// Result is what Packages found.
type Result struct {
	Matches []Match
	// Unparsable lists packages whose version (or an advisory's fixed
	// version) the distribution's comparer refused: not judged.
	Unparsable []string
}

// group is one installed source package at one version.
type group struct {
	name, version string
	binaries      []string
	kernel        bool
}

// Packages matches the installed packages against the slice. It is a pure
// function of its inputs: the detector gathers them from the target.
func Packages(pkgs []pkgdb.Package, sl *advisory.Slice, host Host) Result {
	fam := advisory.Family(host.Distro)
	index := map[string][]advisory.Sourced{}
	for _, a := range sl.Affected {
		index[a.Package] = append(index[a.Package], a)
	}
	var res Result
	for _, g := range groups(pkgs, fam, host) {
		rows := index[g.name]
		if len(rows) == 0 {
			continue
		}
		byVuln := map[string][]advisory.Sourced{}
		var order []string
		for _, r := range rows {
			id := canonical(r.ID, sl)
			if _, ok := byVuln[id]; !ok {
				order = append(order, id)
			}
			byVuln[id] = append(byVuln[id], r)
		}
		for _, id := range order {
			m, ok, bad := judge(g, id, byVuln[id], fam)
			if bad {
				res.Unparsable = append(res.Unparsable, g.name+" "+g.version)
			}
			if !ok {
				continue
			}
			grade(&m, sl, host)
			res.Matches = append(res.Matches, m)
		}
	}
	sort.Slice(res.Matches, func(i, j int) bool {
		a, b := res.Matches[i], res.Matches[j]
		if a.Priority != b.Priority {
			return a.Priority > b.Priority
		}
		if a.Package != b.Package {
			return a.Package < b.Package
		}
		return a.Vuln < b.Vuln
	})
	res.Unparsable = slices.Compact(res.Unparsable)
	return res
}

// groups folds binary packages into the source packages advisories name.
func groups(pkgs []pkgdb.Package, fam string, host Host) []*group {
	by := map[string]*group{}
	var out []*group
	add := func(name, ver, bin string, kernel bool) {
		k := name + "\x00" + ver
		g := by[k]
		if g == nil {
			g = &group{name: name, version: ver}
			by[k] = g
			out = append(out, g)
		}
		g.binaries = append(g.binaries, bin)
		g.kernel = g.kernel || kernel
	}
	for _, p := range pkgs {
		bin := bareName(p.Name)
		kernel := IsKernelImage(fam, bin)
		if host.SkipKernel[KernelKey(p)] || (fam == version.Dpkg && skippedABI(bin, p.Version, host.SkipKernel)) {
			continue
		}
		switch fam {
		case version.Dpkg:
			name, ver := signedKernelSource(host.Distro, p.SourceName(), p.SourceVer())
			add(name, ver, bin, kernel)
		case version.Apk:
			add(p.SourceName(), p.Version, bin, kernel)
		case version.RPM:
			// rpm distributions' advisories name binary packages (OSV
			// AlmaLinux, Rocky, Red Hat); both names are tried.
			add(bin, p.Version, bin, kernel)
			if s := p.SourceName(); s != bin {
				add(s, p.Version, bin, kernel)
			}
		}
	}
	return out
}

// canonical is the CVE id an advisory is about, when it names one.
func canonical(id string, sl *advisory.Slice) string {
	if strings.HasPrefix(id, "CVE-") {
		return id
	}
	if c := sl.Vulns[id].CVE(); c != "" {
		return c
	}
	return id
}

// judge decides one vulnerability of one installed source package from
// every row that speaks of it. Any source's fixed version at or below the
// installed one settles it: not affected. Otherwise the statuses are kept
// apart, in this order: a released fix (the highest fixed version any
// source names), end of support, will not fix, no fix yet.
func judge(g *group, id string, rows []advisory.Sourced, fam string) (m Match, ok, unparsable bool) {
	m = Match{Vuln: id, Package: g.name, Binaries: g.binaries, Installed: g.version, Kernel: g.kernel}
	seen := map[advisory.Status]bool{}
	for _, r := range rows {
		if !slices.Contains(m.IDs, r.ID) {
			m.IDs = append(m.IDs, r.ID)
		}
		if s, ok := severityOfWord(r.Severity); ok {
			if cur, _ := severityOfWord(m.rating); m.rating == "" || s > cur {
				m.rating = r.Severity
			}
		}
		if r.Status != advisory.Fixed {
			seen[r.Status] = true
			continue
		}
		c, err := version.Compare(fam, g.version, r.Fixed)
		if err != nil {
			unparsable = true
			continue
		}
		if c >= 0 {
			return m, false, unparsable
		}
		seen[advisory.Fixed] = true
		if m.Fixed == "" {
			m.Fixed = r.Fixed
		} else if c2, err := version.Compare(fam, r.Fixed, m.Fixed); err == nil && c2 > 0 {
			m.Fixed = r.Fixed
		}
	}
	for _, s := range []advisory.Status{advisory.Fixed, advisory.EndOfSupport, advisory.WontFix, advisory.NoFix} {
		if seen[s] {
			m.Status = s
			sort.Strings(m.IDs)
			return m, true, unparsable
		}
	}
	return m, false, unparsable
}

// grade sets severity, CVSS, KEV, EPSS, exposure and priority.
func grade(m *Match, sl *advisory.Slice, host Host) {
	var rated model.Severity
	var from string
	for _, id := range m.IDs {
		v := sl.Vulns[id]
		if m.Summary == "" {
			m.Summary = v.Summary
		}
		if m.CVSS == nil {
			if c, ok := ScoreCVSS(v); ok {
				m.CVSS = &c
			}
		}
	}
	if m.CVSS == nil {
		if c, ok := ScoreCVSS(sl.Vulns[m.Vuln]); ok {
			m.CVSS = &c
		}
	}
	if m.rating != "" {
		rated, _ = severityOfWord(m.rating)
		from = host.Distro
	} else if m.CVSS != nil {
		rated, from = SeverityOfScore(m.CVSS.Score), "cvss"
	} else {
		rated, from = model.Medium, "unrated"
	}
	m.Severity, m.SeverityFrom = rated, from
	if k, ok := sl.KEV[m.Vuln]; ok {
		m.KEV = &k
	}
	if e, ok := sl.EPSS[m.Vuln]; ok {
		m.EPSS = &e
	}
	m.Exposed = host.Exposed[m.Package]
	var epss float64
	if m.EPSS != nil {
		epss = m.EPSS.Score
	}
	m.Priority = Priority(m.Severity, m.KEV != nil, epss, len(m.Exposed) > 0)
}

// IsKernelImage reports whether a binary package is a bootable kernel.
func IsKernelImage(fam, name string) bool {
	switch fam {
	case version.Dpkg:
		return strings.HasPrefix(name, "linux-image-") && len(name) > len("linux-image-") && name[len("linux-image-")] >= '0' && name[len("linux-image-")] <= '9'
	case version.RPM:
		return name == "kernel" || name == "kernel-core"
	case version.Apk:
		return name == "linux-lts" || name == "linux-virt" || name == "linux-edge"
	}
	return false
}

// KernelKey names one installed kernel image package in Host.SkipKernel:
// rpm installs several versions of one name (kernel-core), so the name
// alone is not enough.
func KernelKey(p pkgdb.Package) string { return bareName(p.Name) + " " + p.Version }

// signedKernelSource maps the source package of a signed kernel image to
// the source package the distribution's advisories name, with its
// version:
//   - Debian: linux-signed-<arch> at "<linux version with + for ->"
//     (linux-signed-amd64 6.1.119+1) is linux 6.1.119-1;
//   - Ubuntu: linux-signed at the same version is linux, and
//     linux-signed-<flavour> (linux-signed-hwe-6.8, linux-signed-azure)
//     is linux-<flavour> (the Ubuntu tracker and its OSV records name
//     linux, linux-hwe-6.8, …; the signed images are built from those at
//     the very same version).
func signedKernelSource(distro, name, ver string) (string, string) {
	switch distro {
	case "debian":
		if rest, ok := strings.CutPrefix(name, "linux-signed-"); ok && rest != "" {
			if i := strings.LastIndexByte(ver, '+'); i > 0 {
				ver = ver[:i] + "-" + ver[i+1:]
			}
			return "linux", ver
		}
	case "ubuntu":
		if name == "linux-signed" {
			return "linux", ver
		}
		if rest, ok := strings.CutPrefix(name, "linux-signed-"); ok && rest != "" {
			return "linux-" + rest, ver
		}
	}
	return name, ver
}

// kernelParts are the dpkg packages of one kernel ABI besides its image:
// Ubuntu splits a kernel into linux-image-<abi> (signed),
// linux-image-unsigned-<abi>, linux-modules-<abi> and
// linux-modules-extra-<abi>, all at the image's version.
var kernelParts = []string{"linux-image-unsigned-", "linux-modules-extra-", "linux-modules-", "linux-headers-", "linux-tools-", "linux-cloud-tools-"}

// skippedABI reports whether dpkg package bin (at ver) belongs to a kernel
// whose image is installed but not running: its ABI (6.8.0-45-generic) is
// a skipped image's, or a prefix of it for the flavour-less headers
// (linux-headers-6.8.0-45), at the same version.
func skippedABI(bin, ver string, skip map[string]bool) bool {
	if len(skip) == 0 {
		return false
	}
	for _, pre := range kernelParts {
		abi, ok := strings.CutPrefix(bin, pre)
		if !ok || abi == "" || abi[0] < '0' || abi[0] > '9' {
			continue
		}
		for k := range skip {
			img, v, _ := strings.Cut(k, " ")
			if v == ver && (img == "linux-image-"+abi || strings.HasPrefix(img, "linux-image-"+abi+"-")) {
				return true
			}
		}
		return false
	}
	return false
}

func bareName(n string) string {
	if i := strings.IndexByte(n, ':'); i >= 0 {
		return n[:i]
	}
	return n
}
