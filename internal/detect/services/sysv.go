package services

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// initDirs hold SysV init scripts (Debian, RHEL).
var initDirs = []string{"/etc/init.d", "/etc/rc.d/init.d"}

// rcLinkRE matches the start links of the runlevel directories.
var rcLinkRE = lazyre.New(`^S[0-9]{2}`)

// rcLinks maps the resolved path of every script a runlevel start link
// points to onto the links.
func (r *run) rcLinks() map[string][]string {
	out := map[string][]string{}
	for _, pat := range []string{"/etc/rc[0-6S].d", "/etc/rc.d/rc[0-6].d"} {
		for _, dir := range r.t.Glob(pat) {
			for _, e := range r.listDir(dir) {
				if !rcLinkRE.MatchString(e.Name()) {
					continue
				}
				p := path.Join(dir, e.Name())
				real, err := r.t.Resolve(p)
				if err != nil {
					r.record(p, err)
					continue
				}
				out[real] = append(out[real], p)
			}
		}
	}
	return out
}

// initSkip are files of init.d that are not services.
var initSkip = map[string]bool{"README": true, "skeleton": true, "functions": true}

// initScripts grades non-packaged or changed init scripts and runlevel
// links that start something outside init.d.
func (r *run) initScripts() {
	links := r.rcLinks()
	seen := map[string]bool{}
	for _, dir := range initDirs {
		real, err := r.t.Resolve(dir)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		r.checkWritableDir(dir, "boot")
		for _, e := range r.listDir(dir) {
			name := e.Name()
			if e.IsDir() || initSkip[name] || strings.HasPrefix(name, ".depend.") {
				continue
			}
			p := path.Join(dir, name)
			rp, err := r.t.Resolve(p)
			if err != nil {
				r.record(p, err)
				continue
			}
			r.initScript(p, links[rp])
			delete(links, rp)
		}
	}
	// Start links to scripts outside the init.d directories.
	for real, ls := range links {
		if seen[path.Dir(real)] {
			continue // a script of init.d that was not listed (race) or skipped on purpose
		}
		r.outsideLink(real, ls)
	}
}

func (r *run) initScript(p string, links []string) {
	b, ok := r.read(p)
	if !ok {
		return
	}
	origin := r.x.OriginOf(p)
	r.checkWritableFile(p, origin, "boot")
	if origin.Pristine {
		return
	}
	name := path.Base(p)
	enabled := len(links) > 0
	extra := []string{}
	if enabled {
		extra = append(extra, "start_links", strings.Join(links, " "))
	} else {
		extra = append(extra, "enabled", "no: no runlevel start link")
	}
	if nu := r.packagedNames[name+".service"]; nu != nil {
		extra = append(extra, "native_unit", nu.path+" (systemd ignores this script)")
	}
	susp := false
	c := jobexec.Context{User: "root", Home: r.homeOf("root"), Boot: enabled}
	for _, l := range shscript.Lines(b) {
		if l.N == 1 && strings.HasPrefix(l.Raw, "#!") {
			continue
		}
		v := r.x.Grade(l.Text, c)
		ev := r.fileEvidence(p, origin, l.N, l.Raw, "root", "boot")
		r.emitWritable(ev, v)
		if !v.Suspicious {
			continue
		}
		susp = true
		r.emitVerdict(ruleInitdCommand, name, "", ev, v, origin, extra...)
	}
	if susp || origin.Package == "" {
		return
	}
	sev := model.Low
	if origin.Unowned() && enabled {
		sev = model.Medium
	}
	ev := r.fileEvidence(p, origin, 0, "", "root", "boot")
	ev.Extra = map[string]string{}
	for i := 0; i+1 < len(extra); i += 2 {
		ev.Extra[extra[i]] = extra[i+1]
	}
	ind := []string{origin.Indicator()}
	if enabled {
		ind = append(ind, jobexec.IndAtBoot)
	}
	r.emit(ruleInitdScript, name, ev, ind, sev, model.ConfMedium)
}

// outsideLink grades a runlevel start link whose script lives outside the
// init.d directories.
func (r *run) outsideLink(real string, links []string) {
	origin := r.x.OriginOf(real)
	if origin.Pristine {
		return
	}
	v := r.x.Grade(real, jobexec.Context{User: "root", Boot: true})
	ev := r.fileEvidence(links[0], origin, 0, links[0]+" -> "+real, "root", "boot")
	ev.Extra = map[string]string{"script": real}
	if v.Suspicious {
		r.emitVerdict(ruleInitdCommand, path.Base(links[0]), "", ev, v, origin)
		return
	}
	if _, err := r.t.Stat(real); err != nil {
		return // dangling link: runs nothing
	}
	r.emit(ruleInitdScript, path.Base(links[0]), ev, []string{origin.Indicator(), jobexec.IndAtBoot}, model.Medium, model.ConfMedium)
}

// rcLocalPaths are rc.local on Debian and RHEL (where /etc/rc.local is a
// link to rc.d/rc.local).
var rcLocalPaths = []string{"/etc/rc.local", "/etc/rc.d/rc.local"}

// rcLocalNoops are lines that do nothing worth listing.
var rcLocalNoops = lazyre.New(`^(?:exit(?:\s+0)?|:|true|set -e|touch /var/lock/subsys/local)$`)

// rcLocal grades /etc/rc.local: systemd's rc-local generator and SysV's
// rc.local script run it as root at boot when it is executable.
func (r *run) rcLocal() {
	seen := map[string]bool{}
	for _, p := range rcLocalPaths {
		real, err := r.t.Resolve(p)
		if err != nil || seen[real] {
			continue
		}
		seen[real] = true
		b, ok := r.read(p)
		if !ok {
			continue
		}
		origin := r.x.OriginOf(real)
		r.checkWritableFile(p, origin, "boot")
		if origin.Pristine {
			continue
		}
		exec := false
		if fi, err := r.t.Stat(p); err == nil {
			exec = fi.Mode().Perm()&0o111 != 0
		}
		c := jobexec.Context{User: "root", Home: r.homeOf("root"), Boot: exec}
		if !exec {
			r.inertBoot(p, origin, b, "services.note.rclocal-noexec")
		}
		for _, l := range shscript.Lines(b) {
			if (l.N == 1 && strings.HasPrefix(l.Raw, "#!")) || rcLocalNoops.MatchString(l.Text) {
				continue
			}
			v := r.x.Grade(l.Text, c)
			ev := r.fileEvidence(p, origin, l.N, l.Raw, "root", "boot")
			if exec {
				r.emitWritable(ev, v)
			}
			if v.Suspicious {
				if !exec {
					v.Lower(false)
					v.Add(jobexec.IndNotRun)
					ev.Extra = map[string]string{"runs": "no: not executable"}
				}
				r.emitVerdict(ruleRclocalCommand, p, "", ev, v, origin)
				continue
			}
			sev, ind := model.Low, []string{jobexec.IndAtBoot}
			if !exec {
				sev, ind = model.Info, []string{jobexec.IndNotRun}
				ev.Extra = map[string]string{"runs": "no: not executable"}
			}
			r.emit(ruleRclocalEntry, p, ev, ind, sev, model.ConfHigh)
		}
	}
}

// inertBootFiles are boot scripts of other systems that no Linux init
// reads (a file there is an attempt that misfired), with the message id
// that says why.
var inertBootFiles = map[string]string{
	"/etc/rc.common": "services.note.rc-common",
}

// rcInert reports the boot scripts this system does not read.
func (r *run) rcInert() {
	for p, why := range inertBootFiles {
		b, ok := r.read(p)
		if !ok {
			continue
		}
		if origin := r.x.OriginOf(p); !origin.Pristine {
			r.inertBoot(p, origin, b, why)
		}
	}
}

// inertBoot reports a boot script that will not run as written, with
// why (a message id): low, medium when a line of it looks hostile.
func (r *run) inertBoot(p string, origin jobexec.Origin, b []byte, why string) {
	if len(strings.TrimSpace(string(b))) == 0 {
		return
	}
	sev, line, text := model.Low, 0, ""
	c := jobexec.Context{User: "root", Home: r.homeOf("root")}
	for _, l := range shscript.Lines(b) {
		if (l.N == 1 && strings.HasPrefix(l.Raw, "#!")) || rcLocalNoops.MatchString(l.Text) {
			continue
		}
		if line == 0 {
			line, text = l.N, l.Raw
		}
		if r.x.Grade(l.Text, c).Suspicious {
			sev, line, text = model.Medium, l.N, l.Raw
			break
		}
	}
	if line == 0 {
		return // nothing but exit 0
	}
	ev := r.fileEvidence(p, origin, line, text, "root", "boot")
	ev.Note = model.Msg(why)
	r.emit(ruleRclocalInert, p, ev, []string{jobexec.IndNotRun, origin.Indicator()}, sev, model.ConfMedium)
}
