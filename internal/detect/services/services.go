package services

import (
	"context"
	"io/fs"
	"path"
	"strconv"

	"github.com/vigil-ir/vigil/internal/collect/users"
	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids.
const (
	ruleSystemdCommand    = "persistence.systemd.command"
	ruleSystemdUnit       = "persistence.systemd.unit"
	ruleSystemdOverride   = "persistence.systemd.override"
	ruleSystemdMasquerade = "persistence.systemd.masquerade"
	ruleSystemdGenerator  = "persistence.systemd.generator"
	ruleServicePerms      = "persistence.service.permissions"
	ruleInitdCommand      = "persistence.initd.command"
	ruleInitdScript       = "persistence.initd.script"
	ruleRclocalCommand    = "persistence.rclocal.command"
	ruleRclocalEntry      = "persistence.rclocal.entry"
	ruleRclocalInert      = "persistence.rclocal.inert"
	ruleInetdShell        = "persistence.inetd.shell"
	ruleInetdService      = "persistence.inetd.service"
)

// Indicator ids this package adds (texts in rules/indicators.yaml).
const (
	indMasquerade   = "masquerade-name"
	indExecOverride = "exec-override"
	indAllUnits     = "applies-to-all-units"
	indBindShell    = "bind-shell"
	indWritesOdd    = "writes-odd-place"
	indTimeApart    = "change-time-apart"
)

// Detector is the service persistence check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "services" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleSystemdCommand, ruleSystemdUnit, ruleSystemdOverride, ruleSystemdMasquerade,
		ruleSystemdGenerator, ruleServicePerms, ruleInitdCommand, ruleInitdScript,
		ruleRclocalCommand, ruleRclocalEntry, ruleRclocalInert, ruleInetdShell, ruleInetdService}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, x: inventory.JobEnv(env)}
	steps := []func(){r.systemd, r.generators, r.initScripts, r.rcLocal, r.rcInert, r.inetd, r.xinetd}
	for _, step := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

type run struct {
	env *engine.Env
	t   *target.Target
	x   *jobexec.Env
	// packagedNames are unit names some package ships (any scope), for
	// the masquerade and override checks.
	packagedNames map[string]*unit
	times         *fileTimes // of /etc/systemd, read on first use
}

// fileLimit bounds one unit file, script or configuration file.
const fileLimit = 4 << 20

func (r *run) read(p string) ([]byte, bool) { return r.t.ReadFileRec(r.env, p, fileLimit) }

func (r *run) record(p string, err error) { target.Record(r.env, p, err) }

func (r *run) listDir(dir string) []fs.DirEntry {
	ents, err := r.t.ReadDir(dir)
	if err != nil {
		r.record(dir, err)
		return nil
	}
	return ents
}

type homeEntry struct{ user, home string }

// homes lists every home directory with the account that owns its
// sessions (the first with a login shell).
func (r *run) homes() []homeEntry {
	var out []homeEntry
	for _, h := range r.x.Users.Homes() {
		user := ""
		for _, name := range h.Users {
			if u, ok := r.x.Users.ByName(name); ok && users.LoginShell(u.Shell) {
				user = name
				break
			}
		}
		if user == "" && len(h.Users) > 0 {
			user = h.Users[0]
		}
		if user == "" {
			user = path.Base(h.Dir)
		}
		out = append(out, homeEntry{user: user, home: h.Dir})
	}
	return out
}

func (r *run) homeOf(user string) string {
	if u, ok := r.x.Users.ByName(user); ok {
		return u.Home
	}
	return ""
}

// fileEvidence fills path, mtime and package of a file finding.
func (r *run) fileEvidence(p string, origin jobexec.Origin, line int, text, user, when string) model.Evidence {
	ev := model.Evidence{Path: p, Line: line, Text: textclip.Valid(text, 400), User: user, When: when, Package: origin.Package}
	if fi, err := r.t.Lstat(p); err == nil {
		mt := fi.ModTime().UTC()
		ev.MTime = &mt
	}
	return ev
}

// emit sends one finding; tech overrides the catalog's ATT&CK id when
// set (a service started by a timer is T1053.006).
func (r *run) emit(rule, subject string, ev model.Evidence, ind []string, sev model.Severity, conf model.Confidence, tech ...string) {
	if len(ev.Extra) == 0 {
		ev.Extra = nil
	}
	f := model.Finding{RuleID: rule, Subject: subject, Indicators: inds(ind...), Evidence: ev}
	if len(tech) > 0 {
		f.Technique = tech[0]
	}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// emitVerdict reports a graded command line; extra are key, value pairs
// for Evidence.Extra (empty values dropped).
func (r *run) emitVerdict(rule, subject, tech string, ev model.Evidence, v jobexec.Verdict, origin jobexec.Origin, extra ...string) {
	v.Add(origin.Indicator())
	if ev.Extra == nil {
		ev.Extra = map[string]string{}
	}
	for i := 0; i+1 < len(extra); i += 2 {
		if extra[i+1] != "" {
			ev.Extra[extra[i]] = extra[i+1]
		}
	}
	if v.Fragment != "" {
		ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
	}
	if v.Script != nil {
		ev.Extra["script"] = v.Script.Path + ":" + strconv.Itoa(v.Script.Line)
		ev.Extra["script_text"] = v.Script.Text
	}
	r.emit(rule, subject, ev, v.Indicators, v.Severity, v.Confidence, tech)
}

// emitWritable reports programs that run as root but that a non-root
// account can change.
func (r *run) emitWritable(ev model.Evidence, v jobexec.Verdict) {
	for _, w := range v.Writable {
		pev := ev
		pev.Extra = map[string]string{"program": w.Path, "writable": w.Why}
		f := model.Finding{RuleID: ruleServicePerms, Subject: w.Path, Indicators: []string{jobexec.IndNonRootWrite},
			Evidence: pev, Key: "perm\x00" + ev.Path + "\x00" + w.Path}
		r.env.Emit(f.WithSeverity(model.Medium).WithConfidence(model.ConfHigh))
	}
}

// checkWritableFile reports a root-run configuration file or script a
// non-root account can change.
func (r *run) checkWritableFile(p string, origin jobexec.Origin, when string) {
	fi, err := r.t.Stat(p)
	if err != nil {
		return
	}
	why := r.x.FileWriter(fi)
	if why == "" {
		return
	}
	ev := r.fileEvidence(p, origin, 0, "", "root", when)
	ev.Extra = map[string]string{"writable": why}
	r.emit(ruleServicePerms, p, ev, []string{jobexec.IndNonRootWrite}, model.High, model.ConfHigh)
}

// checkWritableDir reports a directory of root-run files a non-root
// account can write.
func (r *run) checkWritableDir(dir, when string) {
	why := r.x.DirWriter(dir)
	if why == "" {
		return
	}
	ev := model.Evidence{Path: dir, User: "root", When: when, Extra: map[string]string{"writable": why}}
	r.emit(ruleServicePerms, dir, ev, []string{jobexec.IndNonRootWrite}, model.High, model.ConfHigh)
}

func inds(ids ...string) []string {
	out := make([]string, 0, len(ids))
	seen := map[string]bool{}
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
