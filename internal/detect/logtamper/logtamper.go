package logtamper

import (
	"context"
	"io/fs"
	"path"
	"strconv"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// Rule ids.
const (
	ruleDevNull     = "logs.file.devnull"
	ruleMissing     = "logs.file.missing"
	ruleEmptied     = "logs.file.emptied"
	ruleTimestamp   = "logs.file.timestamp"
	ruleRotationGap = "logs.file.rotation-gap"
	ruleDeletedOpen = "logs.file.deleted-open"
	ruleTruncated   = "logs.utmp.truncated"
	ruleWiped       = "logs.utmp.wiped"
	ruleLastlog     = "logs.utmp.lastlog-mismatch"
	ruleJournalOff  = "logs.journal.disabled"
	ruleJournalGone = "logs.journal.missing"
	ruleLoginWiped  = "logs.login.wiped"
)

// Detector is the log tampering check.
type Detector struct{}

// New returns the detector.
func New() *Detector { return &Detector{} }

// Name implements engine.Detector.
func (*Detector) Name() string { return "logtamper" }

// Version implements engine.Detector.
func (*Detector) Version() int { return 1 }

// NeedsLive implements engine.Detector: the file checks run on an offline
// root; the open-file check skips itself there.
func (*Detector) NeedsLive() bool { return false }

// Rules implements engine.Detector.
func (*Detector) Rules() []string {
	return []string{ruleDevNull, ruleMissing, ruleEmptied, ruleTimestamp, ruleRotationGap, ruleDeletedOpen,
		ruleTruncated, ruleWiped, ruleLastlog, ruleJournalOff, ruleJournalGone, ruleLoginWiped}
}

// Run implements engine.Detector.
func (d *Detector) Run(ctx context.Context, env *engine.Env) error {
	r := &run{env: env, t: env.Target, names: loadUserNames(env), wiped: map[string]bool{}}
	r.inventory()
	steps := []func(){r.utmpFamily, r.wipedLogs, r.textLogs, r.lastlogVsWtmp, r.journal, r.deletedOpen}
	for _, s := range steps {
		if err := ctx.Err(); err != nil {
			return err
		}
		s()
	}
	// Last: it waits for the scan's one walk.
	return r.devNull(ctx)
}

var _ engine.Walker = (*Detector)(nil)

// Walks implements engine.Walker: /var/log, for logs replaced by /dev/null.
func (d *Detector) Walks(*engine.Env) []target.WalkSpec { return []target.WalkSpec{logWalk()} }

type run struct {
	env   *engine.Env
	t     *target.Target
	names userNames

	logDir  map[string][]fs.DirEntry // directory listing of /var/log and /var/log/audit
	wtmp    []logs.Record            // records of wtmp and its uncompressed rotations, oldest file first
	booted  map[string]bool          // log paths that show the system ran and logged
	tmpfile map[string]bool          // log files systemd-tmpfiles creates at boot
	crotate map[string]bool          // logs rotated with copytruncate
	used    *usage                   // signs that people used the system (signsOfUse)
	wiped   map[string]bool          // logs reported as wiped (not again as emptied)
}

// Bounds: a log directory is small; these only stop hostile trees.
const (
	utmpReadLimit = 256 << 20 // a busy wtmp is tens of MB
	textReadLimit = 1 << 20   // configuration files
	walkMaxEntry  = 50000
	walkMaxDepth  = 4
)

// Log files a syslog daemon, login or audit writes: the ones whose loss
// hides an intrusion.
var securityLogs = map[string]bool{
	"/var/log/wtmp": true, "/var/log/btmp": true, "/var/log/lastlog": true,
	"/var/log/auth.log": true, "/var/log/secure": true, "/var/log/syslog": true,
	"/var/log/messages": true, "/var/log/kern.log": true, "/var/log/audit/audit.log": true,
	"/var/log/journal": true, "/run/utmp": true, "/var/run/utmp": true, "/var/log": true,
	"/var/log/audit": true, "/var/log/faillog": true, "/var/log/cron": true,
}

// emit sends a finding with the path as subject and stable identity.
func (r *run) emit(rule, p string, ev model.Evidence, sev model.Severity, conf model.Confidence) {
	ev.Path = p
	f := model.Finding{RuleID: rule, Subject: p, Evidence: ev, Key: p}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

func (r *run) emitKey(rule, subject, key string, ev model.Evidence, sev model.Severity, conf model.Confidence) {
	f := model.Finding{RuleID: rule, Subject: subject, Evidence: ev, Key: key}
	r.env.Emit(f.WithSeverity(sev).WithConfidence(conf))
}

// inventory lists the log directories and collects the facts several
// checks share: which logs show the system ran, what tmpfiles.d creates at
// boot, which logs are rotated by copying.
func (r *run) inventory() {
	r.logDir = map[string][]fs.DirEntry{}
	for _, dir := range []string{"/var/log", "/var/log/audit"} {
		ents, err := r.t.ReadDir(dir)
		if err != nil {
			target.Record(r.env, dir, err)
			continue
		}
		r.logDir[dir] = ents
	}
	r.booted = map[string]bool{}
	for _, p := range []string{"/var/log/syslog", "/var/log/messages", "/var/log/auth.log", "/var/log/secure", "/var/log/kern.log", "/var/log/lastlog"} {
		if st, err := r.t.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() > 0 {
			r.booted[p] = true
		}
	}
	if r.journalFiles() > 0 {
		r.booted["/var/log/journal"] = true
	}
	r.tmpfile = r.tmpfilesLogs()
	r.crotate = r.copytruncateLogs()
}

// bootedOtherThan reports whether a log other than p shows the system ran.
func (r *run) bootedOtherThan(p string) (string, bool) {
	for _, q := range []string{"/var/log/journal", "/var/log/syslog", "/var/log/messages", "/var/log/auth.log", "/var/log/secure", "/var/log/kern.log", "/var/log/lastlog"} {
		if q != p && r.booted[q] {
			return q, true
		}
	}
	return "", false
}

// fileTimes returns mtime, ctime and (when the filesystem keeps it) birth
// time of p without following a final symlink.
func (r *run) fileTimes(p string) (m, c, b time.Time, ok bool) {
	hp, err := r.t.HostPath(path.Dir(p))
	if err != nil {
		return
	}
	return statTimes(path.Join(hp, path.Base(p)))
}

// siblings returns the rotated copies of the log at p that sit beside it
// (name.N, name.N.gz, name-YYYYMMDD[.gz]), in the order of the directory.
func (r *run) siblings(p string) []rotated {
	dir, base := path.Split(p)
	dir = path.Clean(dir)
	var out []rotated
	for _, e := range r.logDir[dir] {
		if rot, ok := parseRotated(base, e.Name()); ok {
			rot.path = path.Join(dir, e.Name())
			out = append(out, rot)
		}
	}
	return out
}

// rotated is one rotated copy of a log.
type rotated struct {
	path       string
	num        int // N of name.N, the date as YYYYMMDD of name-YYYYMMDD (logs.IsDated)
	compressed bool
}

// parseRotated recognises name as a rotation of base.
func parseRotated(base, name string) (rotated, bool) {
	if len(name) <= len(base)+1 || name[:len(base)] != base {
		return rotated{}, false
	}
	rest := name[len(base):]
	var rot rotated
	for _, ext := range []string{".gz", ".xz", ".bz2", ".zst"} {
		if len(rest) > len(ext) && rest[len(rest)-len(ext):] == ext {
			rest, rot.compressed = rest[:len(rest)-len(ext)], true
			break
		}
	}
	switch rest[0] {
	case '.':
		n, err := strconv.Atoi(rest[1:])
		if err != nil || n < 0 || n > 1000 {
			return rotated{}, false
		}
		rot.num = n
	case '-':
		d := rest[1:]
		if len(d) < 8 || !allDigits(d[:8]) {
			return rotated{}, false
		}
		rot.num, _ = strconv.Atoi(d[:8])
		if !logs.IsDated(rot.num) {
			return rotated{}, false
		}
	default:
		return rotated{}, false
	}
	return rot, true
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
