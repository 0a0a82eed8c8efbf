package evidence

import "fmt"

// Profile names.
const (
	ProfileTriage = "triage"
	ProfileFull   = "full"
)

// ProfileVersion is bumped whenever a profile's places change, so two
// collections can be compared knowing whether they looked at the same
// places (UAC users lost /tmp between versions without being told).
const ProfileVersion = 1

// Place is one place a profile collects: a target path or glob (path.Match
// syntax per component, /home/*), walked when it is a directory.
type Place struct {
	Section  string
	Pattern  string
	MaxDepth int   // levels below the place a walk enters; 0: unlimited
	MaxFile  int64 // per-file limit; 0: the profile's
	Full     bool  // only in the full profile
}

// Profile is what a collection gathers and its limits.
type Profile struct {
	Name        string
	MaxFile     int64 // a larger file is listed as skipped
	MaxTotal    int64 // bytes of file content; the rest is listed as skipped
	Places      []Place
	CopySuspect bool // copy the executables of suspicious processes (live)
}

const (
	mib = 1 << 20
	gib = 1 << 30
)

// homes are the places of a user's own persistence and history; each is
// collected for /root and every /home/* directory.
var homes = []struct {
	section, rel string
	depth        int
}{
	{SectionPersistence, ".ssh", 2},
	{SectionPersistence, ".bashrc", 0},
	{SectionPersistence, ".bash_profile", 0},
	{SectionPersistence, ".bash_login", 0},
	{SectionPersistence, ".bash_logout", 0},
	{SectionPersistence, ".profile", 0},
	{SectionPersistence, ".zshrc", 0},
	{SectionPersistence, ".zprofile", 0},
	{SectionPersistence, ".zshenv", 0},
	{SectionPersistence, ".cshrc", 0},
	{SectionPersistence, ".tcshrc", 0},
	{SectionPersistence, ".config/autostart", 2},
	{SectionPersistence, ".config/systemd", 4},
	{SectionPersistence, ".local/share/systemd", 4},
	{SectionPersistence, ".forward", 0},
	{SectionPersistence, ".pam_environment", 0},
	{SectionHistory, ".*history", 0},
	{SectionHistory, ".viminfo", 0},
	{SectionHistory, ".lesshst", 0},
	{SectionHistory, ".wget-hsts", 0},
}

// places lists, in order of volatility after the live part (RFC 3227):
// logs, configuration, persistence, histories, package databases, then the
// full profile's staging places and web roots.
func allPlaces() []Place {
	ps := []Place{
		{Section: SectionLogs, Pattern: "/var/log"},
		{Section: SectionLogs, Pattern: "/run/log/journal", Full: true},
		{Section: SectionConfig, Pattern: "/etc"},
		{Section: SectionPersistence, Pattern: "/var/spool/cron"},
		{Section: SectionPersistence, Pattern: "/var/spool/anacron"},
		{Section: SectionPersistence, Pattern: "/var/spool/at"},
		{Section: SectionPersistence, Pattern: "/usr/lib/systemd/system"},
		{Section: SectionPersistence, Pattern: "/lib/systemd/system"},
		{Section: SectionPersistence, Pattern: "/usr/lib/systemd/user"},
		{Section: SectionPersistence, Pattern: "/usr/local/bin", MaxFile: 64 * mib},
		{Section: SectionPersistence, Pattern: "/usr/local/sbin", MaxFile: 64 * mib},
		{Section: SectionPersistence, Pattern: "/usr/local/lib/systemd"},
		{Section: SectionPersistence, Pattern: "/usr/lib/udev/rules.d"},
		{Section: SectionPersistence, Pattern: "/usr/lib/modules-load.d"},
		{Section: SectionPersistence, Pattern: "/usr/lib/tmpfiles.d"},
		{Section: SectionPersistence, Pattern: "/usr/lib/systemd/system-generators", Full: true},
		{Section: SectionPersistence, Pattern: "/usr/local/lib", Full: true, MaxFile: 64 * mib},
		{Section: SectionPersistence, Pattern: "/usr/local/etc", Full: true},
		{Section: SectionPersistence, Pattern: "/boot", Full: true, MaxDepth: 2, MaxFile: 256 * mib},
	}
	for _, h := range homes {
		for _, base := range []string{"/root/", "/home/*/"} {
			ps = append(ps, Place{Section: h.section, Pattern: base + h.rel, MaxDepth: h.depth})
		}
	}
	ps = append(ps,
		Place{Section: SectionPackages, Pattern: "/var/lib/dpkg/status"},
		Place{Section: SectionPackages, Pattern: "/var/lib/dpkg/diversions"},
		Place{Section: SectionPackages, Pattern: "/var/lib/dpkg/statoverride"},
		Place{Section: SectionPackages, Pattern: "/var/lib/dpkg/info", Full: true},
		Place{Section: SectionPackages, Pattern: "/var/lib/rpm"},
		Place{Section: SectionPackages, Pattern: "/usr/lib/sysimage/rpm"},
		Place{Section: SectionPackages, Pattern: "/lib/apk/db"},
		Place{Section: SectionStaging, Pattern: "/tmp", Full: true, MaxDepth: 6, MaxFile: 64 * mib},
		Place{Section: SectionStaging, Pattern: "/var/tmp", Full: true, MaxDepth: 6, MaxFile: 64 * mib},
		Place{Section: SectionStaging, Pattern: "/dev/shm", Full: true, MaxDepth: 6, MaxFile: 64 * mib},
		Place{Section: SectionWeb, Pattern: "/var/www", Full: true, MaxFile: 16 * mib},
		Place{Section: SectionWeb, Pattern: "/srv", Full: true, MaxFile: 16 * mib},
	)
	return ps
}

// GetProfile returns the named profile.
func GetProfile(name string) (Profile, error) {
	var p Profile
	switch name {
	case ProfileTriage, "":
		p = Profile{Name: ProfileTriage, MaxFile: 64 * mib, MaxTotal: 2 * gib, CopySuspect: true}
	case ProfileFull:
		p = Profile{Name: ProfileFull, MaxFile: 1 * gib, MaxTotal: 64 * gib, CopySuspect: true}
	default:
		return Profile{}, fmt.Errorf("unknown collection profile %q (triage, full)", name)
	}
	for _, pl := range allPlaces() {
		if pl.Full && p.Name != ProfileFull {
			continue
		}
		p.Places = append(p.Places, pl)
	}
	return p, nil
}
