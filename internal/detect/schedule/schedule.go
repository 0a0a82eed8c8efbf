package schedule

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"time"

	"github.com/vigil-ir/vigil/internal/detect/inventory"
	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/grade/jobexec"
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
	"github.com/vigil-ir/vigil/internal/textclip"
)

// Rule ids: per place, a suspicious command and the inventory of jobs no
// package installed; for cron also permissions and environment lines.
const (
	ruleCronCommand      = "persistence.cron.command"
	ruleCronEntry        = "persistence.cron.entry"
	ruleCronPerms        = "persistence.cron.permissions"
	ruleCronEnv          = "persistence.cron.environment"
	ruleCronInert        = "persistence.cron.inert"
	ruleAtCommand        = "persistence.at.command"
	ruleAtJob            = "persistence.at.job"
	ruleLogrotateCommand = "persistence.logrotate.command"
	ruleLogrotateEntry   = "persistence.logrotate.entry"
)

// Indicator ids this package adds (texts in rules/indicators.yaml).
const (
	indOwnerMismatch = "owner-mismatch"
	indPathHijack    = "path-hijack"
	indShellEnv      = "shell-startup-env"
)

// Detector is the scheduled-job check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "schedule" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleCronCommand, ruleCronEntry, ruleCronPerms, ruleCronEnv, ruleCronInert,
		ruleAtCommand, ruleAtJob, ruleLogrotateCommand, ruleLogrotateEntry}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, x: inventory.JobEnv(env)}
	r.debian = r.x.DB.Format() == "dpkg" || r.exists("/etc/debian_version")
	for _, step := range []func(){r.systemCrontabs, r.userCrontabs, r.anacron, r.runParts, r.atJobs, r.logrotate} {
		if err := ctx.Err(); err != nil {
			return err
		}
		step()
	}
	return nil
}

type run struct {
	env    *engine.Env
	t      *target.Target
	x      *jobexec.Env
	debian bool // Debian-family cron and run-parts naming rules
}

// fileLimit bounds one crontab, script or configuration file.
const fileLimit = 4 << 20

func (r *run) read(p string) ([]byte, bool) { return r.t.ReadFileRec(r.env, p, fileLimit) }

func (r *run) exists(p string) bool {
	_, err := r.t.Lstat(p)
	return err == nil
}

// listDir returns the entries of dir, recording a gap when it exists but
// cannot be read.
func (r *run) listDir(dir string) []fs.DirEntry {
	ents, err := r.t.ReadDir(dir)
	if err != nil {
		target.Record(r.env, dir, err)
		return nil
	}
	return ents
}

// fileFacts are what every file finding shows.
type fileFacts struct {
	path   string
	origin jobexec.Origin
	mtime  *time.Time
	sha    string
	info   fs.FileInfo // Stat (symlinks followed); nil when unknown
	exec   bool
}

func (r *run) facts(p string, content []byte) fileFacts {
	f := fileFacts{path: p, origin: r.x.OriginOf(p)}
	if fi, err := r.t.Stat(p); err == nil {
		mt := fi.ModTime().UTC()
		f.mtime, f.info = &mt, fi
		f.exec = fi.Mode().Perm()&0o111 != 0
	}
	if content != nil {
		sum := sha256.Sum256(content)
		f.sha = hex.EncodeToString(sum[:])
	}
	return f
}

func (f fileFacts) evidence(line int, text, user, when string) model.Evidence {
	return model.Evidence{Path: f.path, Line: line, Text: textclip.Valid(text, 400), User: user, When: when,
		Package: f.origin.Package, MTime: f.mtime, SHA256: f.sha}
}

// job is one scheduled command to grade.
type job struct {
	f        fileFacts
	line     int
	text     string // the line as written
	cmd      string
	stdin    []string
	user     string
	home     string
	schedule string
	boot     bool
	notRun   string // why cron would not run it; "" when it runs
	ind      []string
	spool    bool // a user crontab: never from a package, so no origin indicator
	extra    map[string]string
}

// benignShapes are the stock job lines of Debian and RHEL crontabs and
// anacrontabs: they need no inventory line when a packaged file was edited.
var benignShapes = lazyre.New(`^(?:test -x /usr/sbin/anacron \|\| \{ )?(?:cd / && )?(?:nice )?run-parts (?:--report )?/etc/cron\.(?:hourly|daily|weekly|monthly|yearly)(?:; \})?$`)

// gradeJob grades one job and emits a command finding, a permissions
// finding per program a non-root account can change, or (for files not
// known-good) an inventory line.
func (r *run) gradeJob(j job, cmdRule, entryRule string) bool {
	c := jobexec.Context{User: j.user, Home: j.home, Boot: j.boot}
	v := r.x.Grade(j.cmd, c)
	for _, in := range j.stdin {
		v.Merge(r.x.Grade(in, c))
	}
	when := "schedule"
	if j.boot {
		when = "boot"
	}
	ev := j.f.evidence(j.line, j.text, j.user, when)
	ev.Extra = map[string]string{}
	for k, val := range j.extra {
		ev.Extra[k] = val
	}
	if j.schedule != "" {
		ev.Extra["schedule"] = j.schedule
	}
	if j.notRun != "" {
		ev.Extra["runs"] = "no: " + j.notRun
	}
	if j.notRun == "" && c.Root() {
		for _, w := range v.Writable {
			pev := ev
			pev.Extra = copyExtra(ev.Extra, "program", w.Path, "writable", w.Why)
			r.emit(ruleCronPerms, w.Path, pev, []string{jobexec.IndNonRootWrite}, model.Medium, model.ConfHigh, "perm\x00"+j.f.path+"\x00"+w.Path)
		}
	}
	if v.Suspicious {
		if j.notRun != "" {
			v.Lower(false)
			v.Add(jobexec.IndNotRun)
		}
		for _, id := range j.ind {
			v.Add(id)
		}
		if !j.spool {
			v.Add(j.f.origin.Indicator())
		}
		if v.Fragment != "" {
			ev.Extra["matched"] = textclip.Valid(v.Fragment, 400)
		}
		if v.Script != nil {
			ev.Extra["script"] = fmt.Sprintf("%s:%d", v.Script.Path, v.Script.Line)
			ev.Extra["script_text"] = v.Script.Text
		}
		r.emit(cmdRule, j.f.path, ev, v.Indicators, v.Severity, v.Confidence, "")
		return true
	}
	if j.notRun != "" || j.f.origin.Pristine || benignShapes.MatchString(j.cmd) {
		return false
	}
	ind := append([]string{}, j.ind...)
	if i := j.f.origin.Indicator(); i != "" && !j.spool {
		ind = append(ind, i)
	}
	if j.boot {
		ind = append(ind, jobexec.IndAtBoot)
	}
	r.emit(entryRule, j.f.path, ev, ind, model.Info, model.ConfHigh, "")
	return false
}

// inds returns the non-empty ids.
func inds(ids ...string) []string {
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

func copyExtra(m map[string]string, kv ...string) map[string]string {
	out := make(map[string]string, len(m)+len(kv)/2)
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// emit sends one finding; key, when set, is its identity.
func (r *run) emit(rule, subject string, ev model.Evidence, ind []string, sev model.Severity, conf model.Confidence, key string) {
	if len(ev.Extra) == 0 {
		ev.Extra = nil
	}
	f := model.Finding{RuleID: rule, Subject: subject, Indicators: ind, Evidence: ev, Key: key}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// homeOf returns the home directory of an account ("" when unknown).
func (r *run) homeOf(user string) string {
	if u, ok := r.x.Users.ByName(user); ok {
		return u.Home
	}
	return ""
}

// knownUser reports whether the account exists (true when the account
// database could not be read: unknown is not "missing").
func (r *run) knownUser(user string) bool {
	if !r.x.Users.PasswdRead {
		return true
	}
	_, ok := r.x.Users.ByName(user)
	return ok
}
