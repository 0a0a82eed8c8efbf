package services

import (
	"path"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// systemd reads the unit files of every scope and grades them.
func (r *run) systemd() {
	scs := r.scopes()
	invs := make([]*unitSet, 0, len(scs))
	r.packagedNames = map[string]*unit{}
	for _, sc := range scs {
		inv := r.collect(sc)
		invs = append(invs, inv)
		for _, n := range inv.names {
			for _, u := range inv.byName[n] {
				if !u.masked && u.read && u.origin.Package != "" && !u.origin.Unowned() && r.packagedNames[n] == nil {
					r.packagedNames[n] = u
				}
			}
		}
		if sc.kind != "user" {
			for _, d := range sc.dirs {
				r.checkWritableDir(d, "boot")
			}
		}
	}
	for _, inv := range invs {
		inv.resolveEnabled()
		for _, n := range inv.names {
			for i, u := range inv.byName[n] {
				if u.masked || !u.read || r.gradedElsewhere(inv, u) {
					continue
				}
				r.gradeUnit(inv, u, i == 0)
			}
		}
		r.gradeDropins(inv)
	}
}

// gradedElsewhere reports whether u is a symlink to a unit file that sits
// in a unit directory of the same scope under its own name (an alias, or
// an enable-style link): that file is graded once, there.
func (r *run) gradedElsewhere(inv *unitSet, u *unit) bool {
	if u.real == u.path {
		return false
	}
	rd := path.Dir(u.real)
	for _, d := range inv.sc.dirs {
		if real, err := r.t.Resolve(d); err == nil && real == rd {
			return true
		}
	}
	return false
}

// runAs describes who runs a unit's commands and when.
type runAs struct {
	user, home, when, tech string
	boot                   bool
}

func (r *run) runAsOf(inv *unitSet, name string, files ...UnitFile) runAs {
	ra := runAs{user: "root", when: "boot"}
	switch inv.sc.kind {
	case "user":
		ra.user, ra.home, ra.when = inv.sc.user, inv.sc.home, "login"
	case "user-global":
		ra.user, ra.when = "any user", "login"
	default:
		for _, f := range files {
			if e, ok := f.Last("Service", "User"); ok {
				ra.user = e.Value
			}
		}
		ra.home = r.homeOf(ra.user)
	}
	switch inv.trigger[name] {
	case "timer":
		ra.when, ra.tech = "schedule", "T1053.006"
	case "socket", "path":
		ra.when = "event"
	}
	switch unitType(name) {
	case "timer":
		ra.when, ra.tech = "schedule", "T1053.006"
	case "socket", "path":
		ra.when = "event"
	}
	// Started on its own at every boot or login: a hidden program there
	// weighs like an @reboot job.
	ra.boot = (ra.when == "boot" || ra.when == "login") && inv.enabled[name]
	return ra
}

func (ra runAs) ctx() jobexec.Context {
	u := ra.user
	if u == "any user" {
		u = "root"
	}
	return jobexec.Context{User: u, Home: ra.home, Boot: ra.boot}
}

// ldVars are environment variables that change what every process of a
// unit loads.
var ldVars = map[string]bool{"LD_PRELOAD": true, "LD_AUDIT": true, "LD_LIBRARY_PATH": true, "BASH_ENV": true}

// gradeLines grades the Exec*, Environment and EnvironmentFile lines of a
// unit file or drop-in; it reports whether any was suspicious. Programs a
// non-root account can change are reported when the unit runs as root.
func (r *run) gradeLines(subject, p string, f UnitFile, origin jobexec.Origin, ra runAs, enabled bool, extra ...string) bool {
	susp := false
	c := ra.ctx()
	if !enabled {
		extra = append(extra, "enabled", "no")
	}
	for _, e := range f.Entries {
		var v jobexec.Verdict
		switch {
		case execKeys[e.Key] && e.Value != "":
			v = r.x.Grade(ExecCommand(e.Value, ra.home), c)
		case e.Key == "Environment":
			for _, a := range EnvAssignments(e.Value) {
				name, val, _ := strings.Cut(a, "=")
				if !ldVars[name] {
					continue
				}
				av := r.x.Grade(a, c)
				if !av.Suspicious && (places.Temporary(val) || hiddenPath(val, ra.home)) {
					av.Suspicious, av.Severity, av.Confidence = true, model.High, model.ConfMedium
					av.Add(jobexec.IndWritable)
				}
				if !av.Suspicious && name == "BASH_ENV" {
					av.Suspicious, av.Severity, av.Confidence = true, model.Medium, model.ConfMedium
				}
				v.Merge(av)
			}
		case e.Key == "EnvironmentFile":
			v = r.gradeEnvFile(strings.TrimPrefix(e.Value, "-"), ra)
		default:
			continue
		}
		ev := r.fileEvidence(p, origin, e.Line, e.Raw, ra.user, ra.when)
		if c.Root() && ra.user != "any user" {
			r.emitWritable(ev, v)
		}
		if !v.Suspicious {
			continue
		}
		susp = true
		r.emitVerdict(ruleSystemdCommand, subject, ra.tech, ev, v, origin, append([]string{"key", e.Key}, extra...)...)
	}
	return susp
}

// gradeEnvFile grades an EnvironmentFile: its place, and LD_PRELOAD-like
// lines in it.
func (r *run) gradeEnvFile(p string, ra runAs) jobexec.Verdict {
	var v jobexec.Verdict
	switch {
	case places.Temporary(p):
		v.Suspicious, v.Severity, v.Confidence, v.Fragment = true, model.High, model.ConfHigh, p
		v.Add(jobexec.IndWritable)
		return v
	case hiddenPath(p, ra.home):
		v.Suspicious, v.Severity, v.Confidence, v.Fragment = true, model.Medium, model.ConfMedium, p
		v.Add(jobexec.IndHidden)
	}
	if r.x.Pristine(p) {
		return v
	}
	b, err := r.t.ReadFile(p, 1<<20)
	if err != nil {
		return v
	}
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "export "))
		name, _, ok := strings.Cut(line, "=")
		if ok && ldVars[strings.TrimSpace(name)] && name != "BASH_ENV" {
			v.Merge(r.x.Grade(line, ra.ctx()))
		}
	}
	return v
}

func hiddenPath(p, home string) bool {
	if hid := places.Hidden(p) != ""; !hid {
		return false
	}
	return !(home != "" && places.HomeTool(p, home))
}

// gradeUnit grades one unit file (effective: the one systemd loads for its
// name).
func (r *run) gradeUnit(inv *unitSet, u *unit, effective bool) {
	if inv.sc.kind != "user" {
		r.checkWritableFile(u.real, u.origin, "boot")
	}
	if u.origin.Pristine {
		return
	}
	enabled := inv.enabled[u.name] || (u.alias != "" && inv.enabled[u.alias])
	ra := r.runAsOf(inv, u.name, u.file)
	extra := []string{}
	if u.real != u.path {
		extra = append(extra, "real_path", u.real)
	}
	if !effective {
		extra = append(extra, "shadowed", "yes: another file with this name takes precedence")
	}
	if t := inv.trigger[u.name]; t != "" {
		extra = append(extra, "started_by", t)
	}
	if r.gradeLines(u.name, u.path, u.file, u.origin, ra, enabled, extra...) || r.socketShell(inv, u, ra, enabled) || !effective {
		return
	}
	first, line := firstLine(u.file)
	ev := r.fileEvidence(u.path, u.origin, line, first, ra.user, ra.when)
	ev.Extra = map[string]string{}
	for i := 0; i+1 < len(extra); i += 2 {
		ev.Extra[extra[i]] = extra[i+1]
	}
	pk := r.packagedNames[u.name]
	switch {
	case u.origin.Unowned() && pk == nil && masquerade(u.name):
		r.emit(ruleSystemdMasquerade, u.name, ev, []string{indMasquerade, jobexec.IndNotPackaged}, model.Medium, model.ConfMedium, ra.tech)
	case u.origin.Unowned() && pk != nil && pk != u:
		r.gradeFullOverride(u, pk, ev, ra)
	default:
		r.listUnit(inv, u, ev, ra, enabled)
	}
}

// listUnit lists a unit no package installed (or a changed packaged one)
// with what it runs: low, medium when it writes into a temporary or
// hidden place or its file changed long after the rest of /etc/systemd.
func (r *run) listUnit(inv *unitSet, u *unit, ev model.Evidence, ra runAs, enabled bool) {
	if u.origin.Package == "" {
		// No package database: every unit is of unknown origin, so only
		// what starts is inventoried, as info.
		if enabled {
			r.emit(ruleSystemdUnit, u.name, ev, nil, model.Info, model.ConfHigh, ra.tech)
		}
		return
	}
	ind := []string{u.origin.Indicator()}
	sev := model.Low
	if enabled && ra.boot {
		ind = append(ind, jobexec.IndAtBoot)
	}
	if !enabled {
		ev.Extra["enabled"] = "no"
	}
	if p := oddWrite(u.file, ra.home); p != "" {
		sev = model.Medium
		ind = append(ind, indWritesOdd)
		ev.Extra["writes"] = p
	}
	if inv.sc.kind == "system" {
		if kind, at, others, ok := r.unitApart(u.path); ok {
			sev = model.Medium
			ind = append(ind, indTimeApart)
			ev.Extra["change_time"] = at.UTC().Format(time.RFC3339) + " (" + kind + ")"
			ev.Extra["etc_systemd_before"] = others.UTC().Format(time.RFC3339)
		}
	}
	r.emit(ruleSystemdUnit, u.name, ev, ind, sev, model.ConfMedium, ra.tech)
}

// socketShell reports a service that hands a shell to the connections of
// a socket (StandardInput=socket, or started by an Accept=yes socket): a
// bind shell in systemd's clothing.
func (r *run) socketShell(inv *unitSet, u *unit, ra runAs, enabled bool) bool {
	if unitType(u.name) != "service" {
		return false
	}
	viaSocket := inv.trigger[u.name] == "socket"
	if e, ok := u.file.Last("Service", "StandardInput"); ok && strings.HasPrefix(e.Value, "socket") {
		viaSocket = true
	}
	if !viaSocket {
		return false
	}
	for _, e := range u.file.Values("Service", "ExecStart") {
		cmd := strings.Fields(ExecCommand(e.Value, ra.home))
		if len(cmd) == 0 || !isShell(cmd[0], cmd) {
			continue
		}
		ev := r.fileEvidence(u.path, u.origin, e.Line, e.Raw, ra.user, "event")
		ev.Extra = map[string]string{"key": "ExecStart"}
		sev := model.Critical
		ind := []string{indBindShell, u.origin.Indicator()}
		if !enabled {
			sev = model.High
			ind = append(ind, jobexec.IndNotRun)
		}
		r.emit(ruleSystemdCommand, u.name, ev, ind, sev, model.ConfHigh)
		return true
	}
	return false
}

// firstLine picks the line that best says what a unit does: its first
// Exec line, else the first setting of its type section.
func firstLine(f UnitFile) (string, int) {
	for _, e := range f.Entries {
		if execKeys[e.Key] && e.Value != "" {
			return e.Raw, e.Line
		}
	}
	for _, e := range f.Entries {
		switch strings.ToLower(e.Section) {
		case "timer", "socket", "path", "mount", "swap":
			return e.Raw, e.Line
		}
	}
	return "", 0
}

// gradeFullOverride compares a non-packaged copy of a packaged unit (what
// systemctl edit --full writes to /etc) with the packaged one.
func (r *run) gradeFullOverride(u, pk *unit, ev model.Evidence, ra runAs) {
	mine, theirs := execPrograms(u.file, ra.home), execPrograms(pk.file, ra.home)
	if sameSet(execLines(u.file), execLines(pk.file)) {
		return // same commands: limits, dependencies or sandboxing changed
	}
	sev := model.Low
	for p := range mine {
		if !theirs[p] {
			sev = model.Medium
		}
	}
	ev.Extra["overrides"] = pk.path
	r.emit(ruleSystemdOverride, u.name, ev, []string{indExecOverride, jobexec.IndNotPackaged}, sev, model.ConfMedium, ra.tech)
}

func execLines(f UnitFile) map[string]bool {
	out := map[string]bool{}
	for k := range execKeys {
		for _, e := range f.Values("Service", k) {
			out[k+"="+strings.Join(strings.Fields(e.Value), " ")] = true
		}
	}
	return out
}

func execPrograms(f UnitFile, home string) map[string]bool {
	out := map[string]bool{}
	for _, e := range f.Entries {
		if execKeys[e.Key] && e.Value != "" {
			for _, p := range jobexec.Programs(ExecCommand(e.Value, home), home) {
				out[p] = true
			}
		}
	}
	return out
}

func sameSet(a, b map[string]bool) bool {
	if len(a) != len(b) {
		return false
	}
	for k := range a {
		if !b[k] {
			return false
		}
	}
	return true
}

// masqueradeRE matches unit names that imitate system components.
var masqueradeRE = lazyre.New(`^(?:(?:systemd|dbus|network|networkd|NetworkManager|kworker|kthreadd|ksoftirqd|kswapd|kdevtmpfs|khugepaged|kauditd|ksmd|polkit|udev|journald)(?:[-_.@].*)?|crond?|anacron|atd|sshd?|rsyslogd?|syslogd?|auditd|irqbalance|a?getty|dhclient|ntpd|chronyd|init|kmod|modprobe|kerneloops|firewalld|dbus-daemon|system|sysinit)$`)

// masquerade reports whether a unit name imitates a system component.
func masquerade(name string) bool {
	base := strings.TrimSuffix(name, "."+unitType(name))
	base = strings.TrimSuffix(base, "@")
	return masqueradeRE.MatchString(base)
}

// gradeDropins grades the drop-ins of a scope that a package did not ship
// unchanged.
func (r *run) gradeDropins(inv *unitSet) {
	for _, d := range inv.dropins {
		if inv.sc.kind != "user" {
			r.checkWritableFile(d.path, d.origin, "boot")
		}
		if d.origin.Pristine {
			continue
		}
		wide := unitTypes[d.target] || prefixDropin(d.target)
		tgt := inv.effective(d.target)
		if !wide && tgt == nil {
			if list := inv.byName[d.target]; len(list) > 0 && list[0].masked {
				continue // drop-in of a masked unit
			}
		}
		files := []UnitFile{d.file}
		if tgt != nil {
			files = []UnitFile{tgt.file, d.file}
		}
		ra := r.runAsOf(inv, d.target, files...)
		enabled := wide || inv.enabled[d.target]
		extra := []string{"dropin_for", d.target}
		if r.gradeLines(d.target, d.path, d.file, d.origin, ra, enabled, extra...) {
			continue
		}
		var execs []UnitEntry
		for _, e := range d.file.Entries {
			if execKeys[e.Key] && e.Value != "" {
				execs = append(execs, e)
			}
		}
		if len(execs) == 0 {
			continue // limits, restart policy, dependencies
		}
		ev := r.fileEvidence(d.path, d.origin, execs[0].Line, execs[0].Raw, ra.user, ra.when)
		ev.Extra = map[string]string{"dropin_for": d.target}
		ind := []string{indExecOverride, d.origin.Indicator()}
		switch {
		case wide:
			r.emit(ruleSystemdOverride, d.target, ev, append(ind, indAllUnits), model.High, model.ConfMedium, ra.tech)
		case tgt != nil && tgt.origin.Package != "" && !tgt.origin.Unowned():
			mine, theirs := execPrograms(d.file, ra.home), execPrograms(tgt.file, ra.home)
			sev := model.Low
			for p := range mine {
				if !theirs[p] {
					sev = model.Medium
				}
			}
			r.emit(ruleSystemdOverride, d.target, ev, ind, sev, model.ConfMedium, ra.tech)
		}
	}
}
