package advisory

import (
	"strings"
)

// debianReleases maps Debian codenames, as the security tracker names
// releases, to os-release VERSION_ID. "sid" has no number and is not
// matched (a host on sid has no VERSION_ID either).
var debianReleases = map[string]string{
	"buster": "10", "bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "duke": "15",
}

// DebianRelease returns the release number of a Debian codename.
func DebianRelease(codename string) (string, bool) {
	r, ok := debianReleases[strings.ToLower(codename)]
	return r, ok
}

// Ecosystem turns an OSV ecosystem ("Debian:12", "Ubuntu:22.04:LTS",
// "Alpine:v3.19", "AlmaLinux:9", "Rocky Linux:9",
// "Red Hat:enterprise_linux:9::appstream") into a distribution and release
// as os-release names them. ok is false for ecosystems that are not a
// distribution release Vigil matches (language ecosystems, Ubuntu Pro,
// releases without a number).
func Ecosystem(eco string) (distro, release string, ok bool) {
	parts := strings.Split(eco, ":")
	switch parts[0] {
	case "Debian":
		if len(parts) >= 2 && isVersion(parts[1]) {
			return "debian", parts[1], true
		}
	case "Ubuntu":
		for _, p := range parts[1:] {
			if p == "Pro" {
				return "", "", false // needs a subscription; not what a plain host has installed
			}
		}
		if len(parts) >= 2 && isVersion(parts[1]) {
			return "ubuntu", parts[1], true
		}
	case "Alpine":
		if len(parts) >= 2 {
			v := strings.TrimPrefix(parts[1], "v")
			if isVersion(v) {
				return "alpine", v, true
			}
		}
	case "AlmaLinux":
		if len(parts) >= 2 {
			return rpmRelease("almalinux", parts[1])
		}
	case "Rocky Linux":
		if len(parts) >= 2 {
			return rpmRelease("rocky", parts[1])
		}
	case "Red Hat":
		// Red Hat:enterprise_linux:9::appstream, Red Hat:rhel_eus:9.2::baseos
		if len(parts) >= 3 && parts[1] == "enterprise_linux" {
			return rpmRelease("rhel", parts[2])
		}
	}
	return "", "", false
}

// ecosystemBase is the source name of an OSV ecosystem ("Ubuntu:22.04:LTS"
// -> "Ubuntu").
func ecosystemBase(eco string) string {
	b, _, _ := strings.Cut(eco, ":")
	return b
}

func rpmRelease(distro, v string) (string, string, bool) {
	major, _, _ := strings.Cut(v, ".")
	if isVersion(major) {
		return distro, major, true
	}
	return "", "", false
}

// HostRelease turns os-release ID and VERSION_ID into the distribution
// and release advisories are keyed by (alpine 3.19.1 -> 3.19, rocky 9.4
// -> 9). ok is false for a distribution Vigil has no advisories for.
func HostRelease(id, versionID string) (distro, release string, ok bool) {
	id = strings.ToLower(strings.TrimSpace(id))
	v := strings.TrimSpace(versionID)
	if v == "" || !isVersion(v) {
		return "", "", false
	}
	switch id {
	case "debian":
		major, _, _ := strings.Cut(v, ".")
		return "debian", major, true
	case "ubuntu":
		return "ubuntu", v, true
	case "alpine":
		f := strings.Split(v, ".")
		if len(f) >= 2 {
			return "alpine", f[0] + "." + f[1], true
		}
	case "almalinux", "rocky", "rhel":
		return rpmRelease(id, v)
	}
	return "", "", false
}

// Family is the version ordering a distribution uses: "dpkg", "rpm" or
// "apk".
func Family(distro string) string {
	switch distro {
	case "debian", "ubuntu":
		return "dpkg"
	case "alpine":
		return "apk"
	case "almalinux", "rocky", "rhel":
		return "rpm"
	}
	return ""
}

// isVersion reports whether s is digits and dots, starting with a digit.
func isVersion(s string) bool {
	if s == "" || s[0] < '0' || s[0] > '9' {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' {
			return false
		}
	}
	return true
}

// severityWord normalises a distribution's severity word to low, medium,
// high, critical or "" (unrated, "not yet assigned", "unimportant" is low).
func severityWord(s string) string {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "critical":
		return "critical"
	case "high", "important":
		return "high"
	case "medium", "moderate":
		return "medium"
	case "low", "negligible", "unimportant":
		return "low"
	}
	return ""
}
