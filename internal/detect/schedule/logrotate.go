package schedule

import (
	"fmt"
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/grade/places"
	"github.com/vigil-ir/vigil/internal/grade/shscript"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// LogrotateScript is one script block: its keyword line, the body lines
// with their numbers, and the log patterns of the enclosing block.
type LogrotateScript struct {
	Kind string // postrotate, prerotate, firstaction, lastaction, preremove
	Line int    // line of the keyword
	Body []shscript.Line
	Logs string
}

// LogrotateDirective is a directive that names a file or program.
type LogrotateDirective struct {
	Line     int
	Key, Arg string
	Raw      string
	Logs     string
}

// LogrotateConf is a parsed logrotate configuration file.
type LogrotateConf struct {
	Scripts    []LogrotateScript
	Directives []LogrotateDirective // include, compresscmd, uncompresscmd
	Unclosed   bool                 // a script block without endscript
}

var scriptKeys = map[string]bool{"postrotate": true, "prerotate": true, "firstaction": true, "lastaction": true, "preremove": true}

var programKeys = map[string]bool{"include": true, "compresscmd": true, "uncompresscmd": true}

// ParseLogrotate parses a logrotate configuration. Script bodies are
// split into logical shell lines (logrotate hands the whole body to
// /bin/sh -c, so backslash continuations join lines).
func ParseLogrotate(b []byte) LogrotateConf {
	var c LogrotateConf
	lines := strings.Split(string(b), "\n")
	if len(lines) > maxCronLines {
		lines = lines[:maxCronLines]
	}
	logs := ""
	for i := 0; i < len(lines); i++ {
		t := strings.TrimSpace(strings.TrimSuffix(lines[i], "\r"))
		if t == "" || t[0] == '#' {
			continue
		}
		if strings.HasSuffix(t, "{") {
			logs = strings.TrimSpace(strings.TrimSuffix(t, "{"))
			continue
		}
		if t == "}" {
			logs = ""
			continue
		}
		f := strings.Fields(t)
		key := strings.ToLower(f[0])
		switch {
		case scriptKeys[key]:
			s := LogrotateScript{Kind: key, Line: i + 1, Logs: logs}
			j := i + 1
			var body []string
			for ; j < len(lines); j++ {
				if strings.TrimSpace(strings.TrimSuffix(lines[j], "\r")) == "endscript" {
					break
				}
				body = append(body, lines[j])
			}
			if j >= len(lines) {
				c.Unclosed = true
			}
			for _, l := range shscript.Lines([]byte(strings.Join(body, "\n"))) {
				l.N += i + 1 // body line 1 is the line after the keyword
				s.Body = append(s.Body, l)
			}
			c.Scripts = append(c.Scripts, s)
			i = j
		case programKeys[key]:
			d := LogrotateDirective{Line: i + 1, Key: key, Raw: t, Logs: logs}
			if len(f) > 1 {
				d.Arg = strings.Trim(strings.Join(f[1:], " "), `"'`)
			}
			c.Directives = append(c.Directives, d)
		}
	}
	return c
}

// logrotateTaboo are the extensions logrotate skips in an included
// directory (its default tabooext list).
var logrotateTaboo = []string{",v", ".cfsaved", ".disabled", ".dpkg-bak", ".dpkg-del", ".dpkg-dist",
	".dpkg-new", ".dpkg-old", ".rhn-cfg-tmp", ".rpmnew", ".rpmorig", ".rpmsave", ".swp",
	".ucf-dist", ".ucf-new", ".ucf-old", "~"}

func logrotateSkips(name string) string {
	if strings.HasPrefix(name, ".") {
		return "hidden file name, skipped by logrotate include"
	}
	for _, s := range logrotateTaboo {
		if strings.HasSuffix(name, s) || (s == ".rhn-cfg-tmp" && strings.Contains(name, s)) {
			return "file name with an extension logrotate skips (" + s + ")"
		}
	}
	return ""
}

// maxIncludeDepth bounds how deep include directives are followed.
const maxIncludeDepth = 3

// logrotate reads /etc/logrotate.conf, /etc/logrotate.d and what they
// include.
func (r *run) logrotate() {
	seen := map[string]bool{}
	r.logrotatePath("/etc/logrotate.conf", "", seen, 0)
	r.logrotatePath("/etc/logrotate.d", "", seen, 0)
}

// logrotatePath reads a configuration file, or every file of a directory.
func (r *run) logrotatePath(p, notRun string, seen map[string]bool, depth int) {
	real, err := r.t.Resolve(p)
	if err != nil || seen[real] || depth > maxIncludeDepth {
		return
	}
	seen[real] = true
	fi, err := r.t.Stat(p)
	if err != nil {
		return
	}
	if !fi.IsDir() {
		r.logrotateFile(p, notRun, seen, depth)
		return
	}
	for _, e := range r.listDir(p) {
		sub := path.Join(p, e.Name())
		if e.IsDir() {
			// Not read by include; web server packages run-parts
			// /etc/logrotate.d/httpd-prerotate from their prerotate.
			r.runPartsDir(sub, seen)
			continue
		}
		nr := notRun
		if nr == "" {
			nr = logrotateSkips(e.Name())
		}
		r.logrotateFile(sub, nr, seen, depth)
	}
}

// runPartsDir grades the scripts of a directory that a logrotate script
// runs with run-parts.
func (r *run) runPartsDir(dir string, seen map[string]bool) {
	real, err := r.t.Resolve(dir)
	if err != nil || seen[real] {
		return
	}
	seen[real] = true
	for _, e := range r.listDir(dir) {
		if !e.IsDir() {
			r.runPartsScript(path.Join(dir, e.Name()), ruleLogrotateCommand, ruleLogrotateEntry, "log rotation")
		}
	}
}

func (r *run) logrotateFile(p, notRun string, seen map[string]bool, depth int) {
	b, ok := r.read(p)
	if !ok {
		return
	}
	f := r.facts(p, b)
	r.checkFile(f, "")
	conf := ParseLogrotate(b)
	for _, d := range conf.Directives {
		if d.Key == "include" && d.Arg != "" {
			r.logrotateInclude(f, d, notRun, seen, depth)
		}
	}
	if f.origin.Pristine {
		return
	}
	if conf.Unclosed {
		r.env.GapMsg(model.GapError, p, model.Msg("schedule.gap.endscript"))
	}
	root := jobexec.Context{User: "root", Home: r.homeOf("root")}
	for _, d := range conf.Directives {
		if d.Key == "include" || d.Arg == "" {
			continue
		}
		j := job{f: f, line: d.Line, text: d.Raw, cmd: d.Arg, user: "root", notRun: notRun,
			extra: map[string]string{"directive": d.Key, "logs": d.Logs}}
		r.gradeLogrotateJob(j, root, true)
	}
	for _, s := range conf.Scripts {
		first := ""
		susp := false
		for _, l := range s.Body {
			if first == "" {
				first = l.Raw
			}
			j := job{f: f, line: l.N, text: l.Raw, cmd: l.Text, user: "root", notRun: notRun,
				extra: map[string]string{"script": s.Kind, "logs": s.Logs}}
			if r.gradeLogrotateJob(j, root, false) {
				susp = true
			}
		}
		if susp || first == "" || notRun != "" {
			continue
		}
		ind := []string{}
		if i := f.origin.Indicator(); i != "" {
			ind = append(ind, i)
		}
		ev := f.evidence(s.Line, first, "root", "schedule")
		ev.Extra = map[string]string{"script": s.Kind, "logs": s.Logs}
		r.emit(ruleLogrotateEntry, p, ev, ind, model.Info, model.ConfHigh, "")
	}
}

// gradeLogrotateJob grades one script line or compress command; it
// reports whether a command finding was emitted. An ordinary compress
// program needs no inventory (gzip, xz, zstd ...).
func (r *run) gradeLogrotateJob(j job, c jobexec.Context, directive bool) bool {
	v := r.x.Grade(j.cmd, c)
	ev := j.f.evidence(j.line, j.text, "root", "schedule")
	ev.Extra = copyExtra(j.extra)
	if j.notRun != "" {
		ev.Extra["runs"] = "no: " + j.notRun
	} else {
		for _, w := range v.Writable {
			pev := ev
			pev.Extra = copyExtra(ev.Extra, "program", w.Path, "writable", w.Why)
			r.emit(ruleCronPerms, w.Path, pev, []string{jobexec.IndNonRootWrite}, model.Medium, model.ConfHigh, "perm\x00"+j.f.path+"\x00"+w.Path)
		}
	}
	if directive && !v.Suspicious && j.notRun == "" {
		// A compress program no package installed: inventory.
		for _, p := range v.Programs {
			if _, err := r.t.Stat(p); err == nil && r.x.Owner(p) == model.NoPackage {
				r.emit(ruleLogrotateEntry, j.f.path, ev, []string{jobexec.IndNotPackaged}, model.Info, model.ConfHigh, "")
				break
			}
		}
	}
	if !v.Suspicious {
		return false
	}
	if j.notRun != "" {
		v.Lower(false)
		v.Add(jobexec.IndNotRun)
	}
	v.Add(j.f.origin.Indicator())
	if v.Fragment != "" {
		ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
	}
	if v.Script != nil {
		ev.Extra["followed"] = fmt.Sprintf("%s:%d", v.Script.Path, v.Script.Line)
		ev.Extra["followed_text"] = v.Script.Text
	}
	r.emit(ruleLogrotateCommand, j.f.path, ev, v.Indicators, v.Severity, v.Confidence, "")
	return true
}

// logrotateInclude follows an include directive, and reports one that
// reads configuration from a place a non-root account controls.
func (r *run) logrotateInclude(f fileFacts, d LogrotateDirective, notRun string, seen map[string]bool, depth int) {
	inc := d.Arg
	if !strings.HasPrefix(inc, "/") {
		return
	}
	why := ""
	var ind []string
	switch {
	case places.Temporary(inc):
		why, ind = "includes configuration from a world-writable place", []string{jobexec.IndWritable}
	case hidden(inc, ""):
		why, ind = "includes configuration from a hidden directory", []string{jobexec.IndHidden}
	default:
		if w := r.x.DirWriter(inc); w != "" {
			why, ind = "includes a directory "+w, []string{jobexec.IndNonRootWrite}
		}
	}
	if why != "" {
		ev := f.evidence(d.Line, d.Raw, "root", "schedule")
		ev.Extra = map[string]string{"include": inc, "effect": why}
		r.emit(ruleLogrotateCommand, f.path, ev, inds(append(ind, f.origin.Indicator())...), model.High, model.ConfMedium, "")
	}
	r.logrotatePath(inc, notRun, seen, depth+1)
}
