package schedule

import (
	"fmt"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// runPartsName is the file name rule of Debian's run-parts (and of cron
// for /etc/cron.d): letters, digits, underscores and hyphens only.
var runPartsName = lazyre.New(`^[A-Za-z0-9_-]+$`)

// skippedName says why cron (for cron.d) or run-parts would skip a file
// name, or "" when it is used.
func (r *run) skippedName(name string) string {
	switch {
	case strings.HasPrefix(name, "."):
		return "hidden file name, skipped by cron and run-parts"
	case r.debian && !runPartsName.MatchString(name):
		return "file name with characters run-parts does not accept (a dot, ~ ...), skipped on Debian"
	case strings.HasSuffix(name, "~") || strings.HasSuffix(name, ",") || strings.HasSuffix(name, ".swp"):
		return "editor backup file name, skipped"
	}
	if pkgBackup(name) {
		return "package manager backup file name, skipped"
	}
	return ""
}

// pkgBackup reports the names package managers give the copies they keep.
func pkgBackup(name string) bool {
	for _, suf := range []string{".rpmsave", ".rpmorig", ".rpmnew", ".cfsaved", ".dpkg-old", ".dpkg-dist", ".dpkg-new", ".dpkg-bak", ".ucf-old", ".ucf-dist"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

// explainedSkip reports names that packages and cron leave in the cron
// directories on purpose: package-manager backups and the placeholder.
func explainedSkip(name string) bool {
	return name == ".placeholder" || pkgBackup(name)
}

// systemCrontabs reads /etc/crontab and /etc/cron.d/*.
func (r *run) systemCrontabs() {
	r.crontabFile("/etc/crontab", "", "")
	r.checkDir("/etc/cron.d")
	for _, e := range r.listDir("/etc/cron.d") {
		if e.IsDir() {
			continue
		}
		p := path.Join("/etc/cron.d", e.Name())
		r.crontabFile(p, "", r.skippedName(e.Name()))
	}
}

// userCrontabs reads the per-user crontabs of Debian, RHEL and SUSE cron.
func (r *run) userCrontabs() {
	seen := map[string]bool{}
	for _, dir := range []string{"/var/spool/cron/crontabs", "/var/spool/cron", "/var/spool/cron/tabs"} {
		real, err := r.t.Resolve(dir)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		r.checkDir(dir)
		for _, e := range r.listDir(dir) {
			if e.IsDir() {
				continue // crontabs/, atjobs/, atspool/, tabs/
			}
			name := e.Name()
			p := path.Join(dir, name)
			if strings.HasPrefix(name, "tmp.") || strings.HasPrefix(name, ".") && name != ".placeholder" {
				// crontab(1) temporary files and cron's own dot files
				// are not loaded; still read them.
				r.crontabFile(p, r.fileOwner(p), "temporary or hidden file, not loaded by cron")
				continue
			}
			if name == ".placeholder" {
				continue
			}
			notRun := ""
			if !r.knownUser(name) {
				notRun = "no account named " + name + " (cron ignores the crontab)"
			}
			r.crontabFile(p, name, notRun)
		}
	}
}

// fileOwner names the owner of p ("root" when unknown).
func (r *run) fileOwner(p string) string {
	fi, err := r.t.Lstat(p)
	if err != nil {
		return "root"
	}
	uid, ok := jobexec.OwnerUID(fi)
	if !ok || r.x.IsRootUID(uid) {
		return "root"
	}
	return r.x.UIDName(uid)
}

// crontabFile grades one crontab. owner is "" for system crontabs (jobs
// name their user) and the account name for a user crontab.
func (r *run) crontabFile(p, owner, notRun string) {
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	r.checkFile(f, owner)
	if f.origin.Pristine {
		return
	}
	lines := ParseCrontab(b, owner == "")
	bad := 0
	var firstBad *CronLine
	suspicious := false
	var env []CronLine
	for _, cl := range lines {
		switch cl.Kind {
		case KindBad:
			bad++
			if firstBad == nil {
				firstBad = &cl
			}
		case KindEnv:
			env = append(env, cl)
		case KindJob:
			user := cl.User
			if owner != "" {
				user = owner
			}
			j := job{f: f, line: cl.N, text: cl.Raw, cmd: cl.Command, stdin: cl.Stdin, user: user,
				home: r.homeOf(user), schedule: cl.Schedule, boot: cl.Special == "@reboot", notRun: notRun}
			if !r.knownUser(user) {
				j.ind = append(j.ind, jobexec.IndUnknownUser)
				if j.notRun == "" {
					j.notRun = "no account named " + user
				}
			}
			j.spool = owner != ""
			if cl.CRLF {
				j.extra = map[string]string{"crlf": "line ends in CR (carriage return is part of the command)"}
			}
			if r.gradeJob(j, ruleCronCommand, ruleCronEntry) {
				suspicious = true
			} else if notRun == "" && j.notRun != "" {
				v := r.x.Grade(cl.Raw, jobexec.Context{User: "root", Home: r.homeOf("root")})
				r.inert(f, cl.N, cl.Raw, owner, j.notRun, v.Suspicious)
			}
		}
	}
	r.cronEnv(f, env, owner, notRun)
	if notRun != "" && !suspicious && !explainedSkip(path.Base(p)) {
		r.inert(f, 0, "", owner, notRun, false)
	}
	if bad > 0 {
		r.env.GapMsg(model.GapError, p, model.Msg("schedule.gap.malformed", bad))
		why := fmt.Sprintf("%d lines cron rejects (%s)", bad, firstBad.Reason)
		v := r.x.Grade(firstBad.Raw, jobexec.Context{User: "root", Home: r.homeOf("root")})
		r.inert(f, firstBad.N, firstBad.Raw, owner, why, v.Suspicious)
	}
}

// inert reports a dropped schedule file that the system will not run as
// written: evidence of an attempt (a name run-parts skips, a file that is
// not executable, a crontab for no account, lines cron rejects). It is
// medium when the text that does not run looks hostile, else low.
func (r *run) inert(f fileFacts, line int, text, owner, why string, hostile bool) {
	if f.origin.Pristine {
		return
	}
	user := owner
	if user == "" {
		user = "root"
	}
	sev, ind := model.Low, []string{jobexec.IndNotRun}
	if hostile {
		sev = model.Medium
	}
	if i := f.origin.Indicator(); i != "" && owner == "" {
		ind = append(ind, i)
	}
	ev := f.evidence(line, text, user, "schedule")
	ev.Extra = map[string]string{"inert": why}
	r.emit(ruleCronInert, f.path, ev, ind, sev, model.ConfMedium, fmt.Sprintf("inert\x00%s\x00%d", f.path, line))
}

// checkDir reports a cron directory that a non-root account can write.
func (r *run) checkDir(dir string) {
	why := r.x.DirWriter(dir)
	if why == "" {
		return
	}
	// Debian's crontab spool is root:crontab 1730 on purpose: the group
	// has no members and crontab(1) is setgid crontab.
	ev := model.Evidence{Path: dir, User: "root", When: "schedule", Extra: map[string]string{"writable": why}}
	r.emit(ruleCronPerms, dir, ev, []string{jobexec.IndNonRootWrite}, model.High, model.ConfHigh, "")
}

// checkFile reports a crontab a non-root account can change, and a user
// crontab owned by another account than the one it runs as.
func (r *run) checkFile(f fileFacts, owner string) {
	if f.info == nil {
		return
	}
	uid, ok := jobexec.OwnerUID(f.info)
	if !ok {
		return
	}
	if owner == "" {
		if why := r.x.FileWriter(f.info); why != "" {
			ev := f.evidence(0, "", "root", "schedule")
			ev.Extra = map[string]string{"writable": why}
			r.emit(ruleCronPerms, f.path, ev, []string{jobexec.IndNonRootWrite}, model.High, model.ConfHigh, "")
		}
		return
	}
	// A user crontab belongs to its user (crontab(1) chowns it) or root.
	ownerUID := -1
	if u, ok := r.x.Users.ByName(owner); ok {
		ownerUID = u.UID
	}
	if !r.x.IsRootUID(uid) && int(uid) != ownerUID {
		ev := f.evidence(0, "", owner, "schedule")
		ev.Extra = map[string]string{"file_owner": r.x.UIDName(uid)}
		r.emit(ruleCronPerms, f.path, ev, []string{indOwnerMismatch}, model.High, model.ConfHigh, "")
		return
	}
	perm := f.info.Mode().Perm()
	if perm&0o002 != 0 {
		ev := f.evidence(0, "", owner, "schedule")
		ev.Extra = map[string]string{"writable": "file is world-writable"}
		r.emit(ruleCronPerms, f.path, ev, []string{jobexec.IndNonRootWrite}, model.High, model.ConfHigh, "")
	}
}

// systemBinDirs are where a PATH search should find system commands.
var systemBinDirs = map[string]bool{
	"/usr/local/sbin": true, "/usr/local/bin": true, "/usr/sbin": true, "/usr/bin": true, "/sbin": true, "/bin": true,
}

// stdShells are login shells a crontab may set in SHELL.
var stdShells = map[string]bool{
	"/bin/sh": true, "/bin/bash": true, "/bin/dash": true, "/bin/zsh": true, "/bin/ksh": true,
	"/usr/bin/sh": true, "/usr/bin/bash": true, "/usr/bin/dash": true, "/usr/bin/zsh": true, "/usr/bin/ksh": true,
}

// cronEnv grades the environment lines of a crontab: they apply to every
// job below them.
func (r *run) cronEnv(f fileFacts, env []CronLine, owner, notRun string) {
	user := owner
	if user == "" {
		user = "root"
	}
	home := r.homeOf(user)
	for _, cl := range env {
		name := strings.ToUpper(cl.Name)
		var sev model.Severity
		var ind []string
		why := ""
		switch name {
		case "PATH":
			why, sev = r.pathHijack(cl.Value, owner, home)
			if why != "" {
				ind = []string{indPathHijack}
			}
		case "SHELL":
			sh := cl.Value
			switch {
			case stdShells[sh]:
			case places.Temporary(sh):
				why, sev, ind = "SHELL is a program in a world-writable place", model.High, []string{jobexec.IndWritable}
			case hidden(sh, home):
				why, sev, ind = "SHELL is a program in a hidden directory", model.High, []string{jobexec.IndHidden}
			case strings.HasPrefix(sh, "/") && r.x.Owner(sh) == model.NoPackage:
				why, sev, ind = "SHELL is a program no package installed", model.Medium, []string{jobexec.IndNotPackaged}
			}
		case "BASH_ENV", "ENV":
			why, sev, ind = name+" makes the shell read a file before every job", model.Medium, []string{indShellEnv}
			if places.Temporary(cl.Value) || hidden(cl.Value, home) {
				sev = model.High
				ind = append(ind, jobexec.IndWritable)
			}
		case "LD_PRELOAD", "LD_AUDIT", "LD_LIBRARY_PATH":
			why, sev, ind = name+" changes the libraries every job loads", model.High, []string{"ld-preload"}
		}
		if why == "" {
			continue
		}
		conf := model.ConfHigh
		if notRun != "" {
			if sev > model.Low {
				sev--
			}
			conf = model.ConfMedium
			ind = append(ind, jobexec.IndNotRun)
		}
		if owner == "" {
			ind = inds(append(ind, f.origin.Indicator())...)
		}
		ev := f.evidence(cl.N, cl.Raw, user, "schedule")
		ev.Extra = map[string]string{"effect": why}
		r.emit(ruleCronEnv, f.path, ev, ind, sev, conf, "")
	}
}

// pathHijack explains how a PATH lets someone else's program run before
// the system's, and how bad that is.
func (r *run) pathHijack(val, owner, home string) (string, model.Severity) {
	for _, d := range strings.Split(val, ":") {
		d = strings.TrimSuffix(d, "/")
		switch {
		case systemBinDirs[d]:
			return "", 0 // the rest comes after the system directories
		case d == "" || d == "." || !strings.HasPrefix(d, "/"):
			return fmt.Sprintf("PATH searches the current directory (%q) before the system directories", d), model.High
		case places.Temporary(d):
			return "PATH searches the world-writable " + d + " before the system directories", model.High
		case hidden(d, home):
			return "PATH searches the hidden directory " + d + " before the system directories", model.Medium
		case owner == "":
			if why := r.x.DirWriter(d); why != "" {
				return "PATH searches " + d + " (" + why + ") before the system directories for root jobs", model.High
			}
		}
	}
	return "", 0
}

// hidden reports whether p has a hidden component that is not a home
// toolchain directory.
func hidden(p, home string) bool {
	if hid := places.Hidden(p) != ""; !hid {
		return false
	}
	return !(home != "" && places.HomeTool(p, home))
}

// anacron reads /etc/anacrontab: "period delay job-id command" lines run
// as root.
func (r *run) anacron() {
	const p = "/etc/anacrontab"
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	r.checkFile(f, "")
	if f.origin.Pristine {
		return
	}
	var env []CronLine
	for i, raw := range strings.Split(string(b), "\n") {
		line := strings.TrimSuffix(raw, "\r")
		s := strings.TrimSpace(line)
		if s == "" || s[0] == '#' {
			continue
		}
		if name, val, ok := cronEnv(s); ok {
			env = append(env, CronLine{N: i + 1, Raw: line, Kind: KindEnv, Name: name, Value: val})
			continue
		}
		period, rest := nextField(s)
		delay, rest := nextField(rest)
		id, rest := nextField(rest)
		cmd := strings.TrimSpace(rest)
		if cmd == "" || delay == "" || id == "" {
			continue
		}
		j := job{f: f, line: i + 1, text: line, cmd: cmd, user: "root", home: r.homeOf("root"),
			schedule: period + " " + delay, extra: map[string]string{"anacron_job": id}}
		r.gradeJob(j, ruleCronCommand, ruleCronEntry)
	}
	r.cronEnv(f, env, "", "")
}

// runPartsDirs are the directories the stock crontab or anacron runs with
// run-parts.
var runPartsDirs = []string{"/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly", "/etc/cron.yearly"}

// runParts grades the scripts of the cron.* directories: each runs as root
// with run-parts.
func (r *run) runParts() {
	for _, dir := range runPartsDirs {
		r.checkDir(dir)
		for _, e := range r.listDir(dir) {
			if e.IsDir() {
				continue
			}
			r.runPartsScript(path.Join(dir, e.Name()), ruleCronCommand, ruleCronEntry, path.Base(dir))
		}
	}
}

// runPartsScript grades a script that run-parts starts as root.
func (r *run) runPartsScript(p, cmdRule, entryRule, sched string) {
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	r.checkFile(f, "")
	if f.origin.Pristine {
		return
	}
	notRun := r.skippedName(path.Base(p))
	if notRun == "" && f.info != nil && !f.exec {
		notRun = "not executable, run-parts skips it"
	}
	if isELF(b) {
		r.gradeELF(f, notRun, cmdRule, entryRule, sched)
		return
	}
	suspicious := false
	for _, l := range shscript.Lines(b) {
		if l.N == 1 && strings.HasPrefix(l.Raw, "#!") {
			continue
		}
		v := r.x.Grade(l.Text, jobexec.Context{User: "root", Home: r.homeOf("root")})
		if !v.Suspicious {
			continue
		}
		suspicious = true
		j := job{f: f, line: l.N, text: l.Raw, user: "root", schedule: sched, notRun: notRun}
		r.emitScriptHit(j, v, cmdRule)
	}
	if suspicious {
		return
	}
	if notRun != "" {
		if !explainedSkip(path.Base(p)) {
			r.inert(f, 0, "", "", notRun, false)
		}
		return
	}
	ind := []string{}
	if i := f.origin.Indicator(); i != "" {
		ind = append(ind, i)
	}
	ev := f.evidence(0, "", "root", "schedule")
	ev.Extra = map[string]string{"schedule": sched}
	r.emit(entryRule, p, ev, ind, model.Info, model.ConfHigh, "")
}

// emitScriptHit reports one suspicious line of a script that runs as root.
func (r *run) emitScriptHit(j job, v jobexec.Verdict, rule string) {
	if j.notRun != "" {
		v.Lower(false)
		v.Add(jobexec.IndNotRun)
	}
	v.Add(j.f.origin.Indicator())
	ev := j.f.evidence(j.line, j.text, j.user, "schedule")
	ev.Extra = map[string]string{"schedule": j.schedule}
	if j.notRun != "" {
		ev.Extra["runs"] = "no: " + j.notRun
	}
	if v.Fragment != "" {
		ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
	}
	if v.Script != nil {
		ev.Extra["script"] = fmt.Sprintf("%s:%d", v.Script.Path, v.Script.Line)
		ev.Extra["script_text"] = v.Script.Text
	}
	r.emit(rule, j.f.path, ev, v.Indicators, v.Severity, v.Confidence, "")
}

// gradeELF reports a compiled program dropped where scripts run: no
// package puts one in cron.daily.
func (r *run) gradeELF(f fileFacts, notRun, cmdRule, entryRule, sched string) {
	if f.origin.Pristine {
		return
	}
	sev, conf := model.High, model.ConfMedium
	ind := []string{"compiled-program"}
	if i := f.origin.Indicator(); i != "" {
		ind = append(ind, i)
	}
	ev := f.evidence(0, "", "root", "schedule")
	ev.Extra = map[string]string{"schedule": sched}
	if notRun != "" {
		sev--
		ind = append(ind, jobexec.IndNotRun)
		ev.Extra["runs"] = "no: " + notRun
	}
	r.emit(cmdRule, f.path, ev, ind, sev, conf, "")
}

func isELF(b []byte) bool { return len(b) >= 4 && string(b[:4]) == "\x7fELF" }
