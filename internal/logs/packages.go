package logs

import (
	"bytes"

	"github.com/vigil-ir/vigil/internal/model"
)

// dpkgParser reads /var/log/dpkg.log: "2026-11-20 10:00:00 install
// nginx:amd64 <none> 1.22.1-9" (install, upgrade, remove, purge; status,
// configure, trigproc and startup lines parse without a kind).
func dpkgParser(r *reader) error {
	return r.eachLine(FormatDpkg, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		if len(line) < 20 || line[10] != ' ' {
			return false, false
		}
		t, n := parseISO(line[:19], r.loc)
		if n != 19 || line[19] != ' ' {
			return false, false
		}
		ev.Time, ev.Program = t, "dpkg"
		action, rest := word(line[20:])
		switch string(action) {
		case "install", "upgrade", "remove", "purge":
			pkg, rest := word(rest)
			from, to := word(rest)
			to, _ = word(to)
			name, arch, _ := bytes.Cut(pkg, []byte(":"))
			ev.Object = string(name)
			setField(ev, "arch", arch)
			ev.Outcome = model.OutcomeSuccess
			switch string(action) {
			case "install":
				ev.Kind = "package.installed"
				setField(ev, "version", to)
			case "upgrade":
				ev.Kind = "package.upgraded"
				setField(ev, "version", to)
				setField(ev, "from", from)
			case "remove":
				ev.Kind = "package.removed"
				setField(ev, "version", from)
			case "purge":
				ev.Kind = "package.purged"
				setField(ev, "version", from)
			}
		}
		return true, true
	})
}

// rpmActions maps yum.log and dnf.rpm.log words to kinds. dnf's
// "Upgraded:" and "Downgraded:" name the package replaced (the new one has
// its own "Upgrade:" line): no kind.
var rpmActions = map[string]string{
	"Installed": "package.installed", "Install": "package.installed", "Reinstalled": "package.installed", "Reinstall": "package.installed",
	"Updated": "package.upgraded", "Upgrade": "package.upgraded", "Downgrade": "package.downgraded",
	"Erased": "package.removed", "Erase": "package.removed", "Removed": "package.removed", "Obsoleted": "package.removed",
}

// yumParser reads /var/log/yum.log: "Nov 20 10:00:00 Installed:
// nginx-1.20.1-1.el7.x86_64" (no year: placed like syslog lines).
func yumParser(r *reader) error {
	r.years.reset(r.plan[r.fileIndex])
	return r.eachLine(FormatYum, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		s, n := parse3164(line)
		if n == 0 || n >= len(line) {
			return false, false
		}
		ev.Time, ev.Program = r.years.place(&s, r.loc), "yum"
		rpmAction(ev, bytes.TrimLeft(line[n:], " "))
		return true, true
	})
}

// dnfParser reads /var/log/dnf.rpm.log: "2026-11-20T10:00:00+0000
// SUBDEBUG Installed: nginx-1:1.20.1-14.el9.x86_64".
func dnfParser(r *reader) error {
	return r.eachLine(FormatDnf, func(r *reader, line []byte, ev *model.Event) (bool, bool) {
		t, n := parseISO(line, r.loc)
		if n == 0 || n >= len(line) || line[n] != ' ' {
			return false, false
		}
		ev.Time, ev.Program = t, "dnf"
		_, rest := word(line[n+1:]) // the level
		rpmAction(ev, rest)
		return true, true
	})
}

// rpmAction reads "Installed: NEVRA" into ev.
func rpmAction(ev *model.Event, b []byte) {
	act, nevra, ok := bytes.Cut(b, []byte(": "))
	if !ok {
		return
	}
	kind, ok := rpmActions[string(act)]
	if !ok {
		return
	}
	nevra, _ = word(bytes.TrimSpace(nevra))
	ev.Kind, ev.Outcome = kind, model.OutcomeSuccess
	name, version := splitNEVRA(nevra)
	ev.Object = string(name)
	setField(ev, "version", version)
	setField(ev, "package", nevra)
}

// splitNEVRA splits "name-[epoch:]version-release.arch" at the second
// dash from the end; a bare name (yum's "Erased: nginx") has no version.
func splitNEVRA(b []byte) (name, version []byte) {
	i := bytes.LastIndexByte(b, '-')
	if i <= 0 {
		return b, nil
	}
	j := bytes.LastIndexByte(b[:i], '-')
	if j <= 0 {
		return b, nil
	}
	return b[:j], b[j+1:]
}
