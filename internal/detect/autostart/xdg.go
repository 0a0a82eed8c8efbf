package autostart

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// systemAutostartDir holds the entries every graphical session starts
// ($XDG_CONFIG_DIRS is a session's environment, unknown offline: only the
// standard place is read).
const systemAutostartDir = "/etc/xdg/autostart"

// xdg grades the XDG autostart entries of /etc/xdg/autostart and of every
// home's ~/.config/autostart.
func (r *run) xdg() {
	system := map[string]string{}
	for _, p := range r.desktopFiles(systemAutostartDir) {
		system[path.Base(p)] = p
		r.desktopFile(p, "", "", "")
	}
	for _, h := range r.homes {
		for _, p := range r.desktopFiles(path.Join(h.dir, ".config/autostart")) {
			r.desktopFile(p, h.user, h.dir, system[path.Base(p)])
		}
	}
}

// desktopFiles lists the *.desktop files of an autostart directory (the
// only ones session managers read).
func (r *run) desktopFiles(dir string) []string {
	var out []string
	for _, e := range r.listDir(dir) {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".desktop") {
			continue
		}
		out = append(out, path.Join(dir, e.Name()))
	}
	return out
}

// desktopFile grades one autostart entry. homeDir is "" for a system-wide
// entry (every graphical login runs it) and the home of user otherwise;
// overrides names the system entry a user's file of the same name
// replaces for that user.
func (r *run) desktopFile(p, user, homeDir, overrides string) {
	if r.masked(p) {
		return
	}
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	system := homeDir == ""
	if system && f.origin.Pristine {
		return
	}
	d := ParseDesktop(b)
	execs := d.All("Exec")
	if !d.HasGroup || len(execs) == 0 {
		return // nothing a session manager would start
	}
	if len(d.Bad) > 0 {
		r.env.GapMsg(model.GapError, p, model.Msg("autostart.gap.xdg-malformed", len(d.Bad)))
	}
	notRun := d.Disabled()
	if notRun == "" {
		if t, ok := d.Get("Type"); !ok || strings.TrimSpace(t.Value) != "Application" {
			notRun = "Type is not Application (only applications are autostarted)"
		}
	}
	if notRun == "" {
		if te, ok := d.Get("TryExec"); ok && strings.TrimSpace(te.Value) != "" && r.lookPath(strings.TrimSpace(te.Value), homeDir) == "" {
			notRun = "TryExec program " + strings.TrimSpace(te.Value) + " not found"
		}
	}

	evUser := user
	c := jobexec.Context{User: user, Home: homeDir, Boot: true}
	if system {
		evUser = everyone
		c.User = "root" // written by root for every session: not lowered
	}
	var v jobexec.Verdict
	worst := execs[len(execs)-1]
	for _, k := range execs {
		kv := r.x.Grade(ExecCommand(k.Value), c)
		if kv.Suspicious && (!v.Suspicious || kv.Severity > v.Severity) {
			worst = k
		}
		v.Merge(kv)
	}
	ev := f.evidence(worst.N, worst.Raw, evUser, "login")
	if n, ok := d.Get("Name"); ok {
		ev.Extra["name"] = textclip.Valid(n.Value, 400)
	}
	ev.Extra["exec"] = textclip.Valid(ExecCommand(worst.Value), 400)
	if len(execs) > 1 {
		ev.Extra["exec_lines"] = strconv.Itoa(len(execs))
	}
	if overrides != "" {
		ev.Extra["overrides"] = overrides
	}
	if o, ok := d.Get("OnlyShowIn"); ok {
		ev.Extra["only_show_in"] = textclip.Valid(o.Value, 400)
	}
	if notRun != "" {
		ev.Extra["runs"] = "no: " + notRun
	}

	if v.Suspicious {
		if notRun != "" {
			v.Lower(false)
			v.Add(jobexec.IndNotRun)
		}
		if system {
			v.Add(f.origin.Indicator())
		}
		if v.Fragment != "" {
			ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
		}
		if v.Script != nil {
			ev.Extra["script"] = fmt.Sprintf("%s:%d", v.Script.Path, v.Script.Line)
			ev.Extra["script_text"] = v.Script.Text
		}
		r.emit(ruleAutostartCommand, ev, v.Indicators, v.Severity, v.Confidence)
		return
	}
	if notRun != "" {
		return // a switched-off ordinary entry: nothing runs
	}
	sev := model.Low // a user's own entry
	var ind []string
	if system {
		sev = model.Info // ownership unknown: inventory only
		if f.origin.Unowned() || f.origin.Modified {
			sev = model.Medium
		}
		ind = append(ind, f.origin.Indicator())
	}
	if prog := r.mainProgram(ExecCommand(worst.Value), homeDir); prog != "" {
		ev.Extra["program"] = prog
		if o := r.x.Owner(prog); o != "" {
			ev.Extra["program_package"] = o
		}
		if r.unpackagedSystemProgram(prog) {
			sev = bump(sev)
			if sev < model.Medium {
				sev = model.Medium
			}
			ind = append(ind, indProgramNotPackaged)
		}
	}
	r.emit(ruleAutostartEntry, ev, ind, sev, model.ConfHigh)
}

// mainProgram returns the program a command line starts, through
// wrappers and shells (the first absolute one jobexec finds, else the
// first word looked up in PATH); "" when unknown.
func (r *run) mainProgram(cmd, homeDir string) string {
	if ps := jobexec.Programs(cmd, homeDir); len(ps) > 0 {
		return ps[0]
	}
	for _, sc := range shscript.Commands(cmd) {
		w := sc.Words
		for len(w) > 0 {
			if _, _, _, ok := shscript.Assignment(w[0]); ok {
				w = w[1:]
				continue
			}
			break
		}
		if len(w) == 0 {
			continue
		}
		return r.lookPath(w[0], homeDir)
	}
	return ""
}
