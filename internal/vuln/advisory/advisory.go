// Package advisory is the vulnerability data Vigil imports, in one shape
// whatever its source: which source package of which distribution release
// is affected by which vulnerability, and whether a fix was released, is
// not there yet, will not come, or the release is out of support. Parsers
// turn each published format into a Batch; the store keeps batches; the
// matcher reads them back through an index. Nothing here reads the
// network or the examined system.
package advisory

import (
	"strings"
	"time"
)

// Status says what the distribution did about one vulnerability in one
// package of one release. The four are never mixed: a scanner that calls
// "no fix yet" "fixed in an update" sends the admin to upgrade in vain.
type Status string

// The statuses.
const (
	Fixed        Status = "fixed"          // fixed in a released update (Fixed holds the version)
	NoFix        Status = "no-fix"         // affected, no fixed package released yet
	WontFix      Status = "wont-fix"       // affected, the distribution decided not to fix it
	EndOfSupport Status = "end-of-support" // affected, the release or package is out of support
)

// Valid reports whether s is one of the four statuses.
func (s Status) Valid() bool {
	switch s {
	case Fixed, NoFix, WontFix, EndOfSupport:
		return true
	}
	return false
}

// Affected is one package of one distribution release affected by one
// vulnerability.
type Affected struct {
	Distro  string // os-release ID family: debian, ubuntu, alpine, almalinux, rocky, rhel
	Release string // debian "12", ubuntu "22.04", alpine "3.19", rhel/alma/rocky "9"
	Package string // source package for debian/ubuntu/alpine; rpm name for the rpm distros
	ID      string // the advisory's id (CVE-…, DSA-…, UBUNTU-CVE-…, ALSA-…)
	Status  Status
	Fixed   string // the first fixed version, when Status is Fixed
	// Severity is the distribution's own rating (low, medium, high,
	// critical; "" when it has none): it wins over CVSS.
	Severity string
}

// Key identifies an Affected row within its source.
func (a Affected) Key() string {
	return a.Distro + "\x00" + a.Release + "\x00" + a.Package + "\x00" + a.ID
}

// Vuln is what a source says about one vulnerability itself.
type Vuln struct {
	ID       string
	Aliases  []string // other ids, CVE first when there is one
	Summary  string
	CVSS3    string // a CVSS v3.x vector, "" when none
	CVSS4    string // a CVSS v4.0 vector, "" when none
	Modified time.Time
}

// CVE returns the CVE id of v: its id, or its first CVE alias.
func (v Vuln) CVE() string {
	if strings.HasPrefix(v.ID, "CVE-") {
		return v.ID
	}
	for _, a := range v.Aliases {
		if strings.HasPrefix(a, "CVE-") {
			return a
		}
	}
	return ""
}

// KEV is one entry of CISA's Known Exploited Vulnerabilities catalog.
type KEV struct {
	CVE        string
	Name       string
	DateAdded  string // YYYY-MM-DD
	DueDate    string // YYYY-MM-DD: the federal remediation deadline
	Ransomware bool   // known use in ransomware campaigns
}

// EPSS is one CVE's Exploit Prediction Scoring System score: a
// probability of exploitation activity in the next 30 days, never a
// statement that it is exploited.
type EPSS struct {
	CVE        string
	Score      float64
	Percentile float64
}

// Kind is the format a batch came from.
type Kind string

// The kinds. OSV batches are merged record by record (a directory of a
// few records adds to what is there); the others are whole snapshots that
// replace their source.
const (
	KindOSV           Kind = "osv"
	KindDebianTracker Kind = "debian-tracker"
	KindKEV           Kind = "kev"
	KindEPSS          Kind = "epss"
)

// Batch is one parsed input file, ready to import.
type Batch struct {
	Source   string // e.g. "osv:Debian", "debian-tracker", "kev", "epss"
	Kind     Kind
	Origin   string    // the file or URL it came from
	Digest   string    // sha256 of the input, hex
	DataDate time.Time // the data's own date (newest record, catalog date, score date)
	Affected []Affected
	Vulns    []Vuln
	// Withdrawn lists OSV ids withdrawn by their source: their rows go.
	Withdrawn []string
	KEV       []KEV
	EPSS      []EPSS
}

// Records is the number of records in the batch (advisories, catalog
// entries or scores).
func (b *Batch) Records() int {
	switch b.Kind {
	case KindKEV:
		return len(b.KEV)
	case KindEPSS:
		return len(b.EPSS)
	}
	return len(b.Affected)
}

// Sourced is an Affected row with the source that said it.
type Sourced struct {
	Affected
	Source string
}

// SourceInfo describes one imported source, for reports: every report
// names its data, its age and its size.
type SourceInfo struct {
	Name     string    `json:"name"`
	DataDate time.Time `json:"data_date"`
	Imported time.Time `json:"imported"`
	Records  int       `json:"records"`
}

// Slice is everything known about one distribution release: what the
// matcher needs, loaded once.
type Slice struct {
	Distro, Release string
	Affected        []Sourced
	Vulns           map[string]Vuln // by advisory id
	KEV             map[string]KEV  // by CVE
	EPSS            map[string]EPSS // by CVE
	Sources         []SourceInfo
}

// CVEs returns the CVE ids the slice's advisories name (ids and aliases).
func (s *Slice) CVEs() map[string]bool {
	m := map[string]bool{}
	for _, a := range s.Affected {
		if strings.HasPrefix(a.ID, "CVE-") {
			m[a.ID] = true
		}
	}
	for _, v := range s.Vulns {
		if c := v.CVE(); c != "" {
			m[c] = true
		}
	}
	return m
}
