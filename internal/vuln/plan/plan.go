// Package plan turns the fixable vulnerabilities of a host into the exact
// package manager commands that fix them, grouped by what has to happen
// afterwards: a reboot (kernel, C library, init), a restart of the
// services using the package, or nothing more.
package plan

import (
	"sort"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/vuln/advisory"
	"github.com/vigil-ir/vigil/internal/vuln/match"
)

// Group kinds.
const (
	Reboot  = "reboot"
	Restart = "restart"
	None    = "none"
)

// Step is one command and what it fixes.
type Step struct {
	Kind     string   `json:"kind"` // Reboot, Restart, None
	Command  string   `json:"command"`
	Packages []string `json:"packages"` // binary packages upgraded
	Vulns    []string `json:"vulnerabilities"`
	Services []string `json:"services,omitempty"` // listening processes to restart ("sshd:22/tcp")
}

// Plan is the remediation plan of a host.
type Plan struct {
	Steps   []Step `json:"steps"`
	Unfixed int    `json:"unfixable"` // vulnerabilities no upgrade fixes (no fix yet, will not fix, out of support)
}

// rebootSources are source packages whose fix takes a reboot: the kernel,
// the C library and init (every process maps them).
var rebootSources = map[string]bool{"linux": true, "kernel": true, "kernel-core": true, "glibc": true, "musl": true, "systemd": true,
	"dbus": true, "linux-lts": true, "linux-virt": true}

// Make builds the plan for distro release rel from the matches.
func Make(distro, rel string, ms []match.Match) Plan {
	var p Plan
	groups := map[string]*Step{}
	for _, m := range ms {
		if m.Status != advisory.Fixed {
			p.Unfixed++
			continue
		}
		kind := None
		switch {
		case m.Kernel || rebootSources[m.Package]:
			kind = Reboot
		case len(m.Exposed) > 0 || looksLibrary(m.Binaries):
			kind = Restart
		}
		g := groups[kind]
		if g == nil {
			g = &Step{Kind: kind}
			groups[kind] = g
		}
		for _, b := range m.Binaries {
			if !contains(g.Packages, b) {
				g.Packages = append(g.Packages, b)
			}
		}
		if !contains(g.Vulns, m.Vuln) {
			g.Vulns = append(g.Vulns, m.Vuln)
		}
		for _, s := range m.Exposed {
			if !contains(g.Services, s) {
				g.Services = append(g.Services, s)
			}
		}
	}
	for _, k := range []string{Reboot, Restart, None} {
		g := groups[k]
		if g == nil {
			continue
		}
		sort.Strings(g.Packages)
		sort.Strings(g.Vulns)
		sort.Strings(g.Services)
		g.Command = Command(distro, rel, g.Packages)
		p.Steps = append(p.Steps, *g)
	}
	return p
}

// looksLibrary: a library package's fix reaches running programs only
// when they restart.
func looksLibrary(bins []string) bool {
	for _, b := range bins {
		if strings.HasPrefix(b, "lib") {
			return true
		}
	}
	return false
}

// Command is the package manager command that upgrades pkgs on distro
// release rel (only those packages, from the configured repositories).
func Command(distro, rel string, pkgs []string) string {
	list := strings.Join(pkgs, " ")
	switch advisory.Family(distro) {
	case "dpkg":
		return "apt-get update && apt-get install --only-upgrade -y " + list
	case "apk":
		return "apk update && apk upgrade " + list
	case "rpm":
		if major, err := strconv.Atoi(rel); err == nil && major < 8 {
			return "yum update -y " + list
		}
		return "dnf upgrade -y --refresh " + list
	}
	return ""
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
