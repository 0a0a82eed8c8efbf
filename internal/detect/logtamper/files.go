package logtamper

import (
	"context"
	"errors"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/collect/logrotate"
	"github.com/vigil-ir/vigil/internal/lazyre"

	"github.com/vigil-ir/vigil/internal/logs"
	"github.com/vigil-ir/vigil/internal/model"
	"github.com/vigil-ir/vigil/internal/target"
)

// logSpec is a log the checks know who writes.
type logSpec struct {
	path   string
	writer string // "login", "syslog" or "audit"
}

var tracked = []logSpec{
	{"/var/log/wtmp", "login"}, {"/var/log/btmp", "login"}, {"/var/log/lastlog", "login"},
	{"/var/log/auth.log", "syslog"}, {"/var/log/secure", "syslog"}, {"/var/log/syslog", "syslog"},
	{"/var/log/messages", "syslog"}, {"/var/log/kern.log", "syslog"},
	{"/var/log/audit/audit.log", "audit"},
}

// slack absorbs clock steps and the seconds between a rotation's steps.
const slack = 10 * time.Minute

// logWalk is the check's part of the scan's one walk: the symlinks and
// character devices under /var/log (where a log replaced by /dev/null
// shows), directories at most walkMaxDepth levels down, at most
// walkMaxEntry of them.
func logWalk() target.WalkSpec {
	return target.WalkSpec{Roots: []string{"/var/log"}, MaxDepth: walkMaxDepth, MaxKeep: walkMaxEntry,
		Visit: func(e *target.WalkEntry) (keep, prune bool) {
			return e.Depth > 0 && (e.Type&fs.ModeSymlink != 0 || e.Type&fs.ModeCharDevice != 0), false
		}}
}

// devNull flags logs replaced by /dev/null: a symlink to it or a
// character device in the log's place. Every write is then discarded.
func (r *run) devNull(ctx context.Context) error {
	for _, p := range []string{"/var/log", "/run/utmp", "/var/log/journal"} {
		r.checkDevNull(p)
	}
	res, err := r.env.Walked(ctx)
	if err != nil {
		return err
	}
	rs := res[0]
	// A /var/log that is a symlink (to a bigger disk) was walked where it
	// points: the logs are still named by their /var/log paths.
	name := func(p string) string {
		if root := rs.Roots[0]; root != "" && root != "/var/log" {
			return "/var/log" + strings.TrimPrefix(p, root)
		}
		return p
	}
	for _, e := range rs.Errors {
		target.Record(r.env, name(e.Path), e.Err)
	}
	for _, e := range rs.Kept {
		if p := name(e.Path); p != "/var/log/journal" {
			r.checkDevNull(p)
		}
	}
	if rs.Dropped > 0 {
		r.env.GapMsg(model.GapSkipped, "/var/log", model.Msg("logtamper.gap.entries", walkMaxEntry))
	}
	return nil
}

func (r *run) checkDevNull(p string) {
	st, err := r.t.Lstat(p)
	if err != nil {
		return
	}
	var how string
	switch {
	case st.Mode()&fs.ModeSymlink != 0:
		dest, err := r.t.Readlink(p)
		if err == nil && !path.IsAbs(dest) {
			dest = path.Join(path.Dir(p), dest)
		}
		if err != nil || path.Clean(dest) != "/dev/null" {
			return
		}
		how = "logs.note.devnull-link"
	case st.Mode()&fs.ModeCharDevice != 0 && p != "/var/log":
		how = "logs.note.devnull-chardev"
	default:
		return
	}
	sev, conf := model.Medium, model.ConfMedium
	if securityLogs[p] || strings.HasPrefix(p, "/var/log/journal/") || strings.HasPrefix(p, "/var/log/audit/") {
		sev, conf = model.Critical, model.ConfHigh
	}
	r.emit(ruleDevNull, p, model.Evidence{Note: model.Msg(how, p), MTime: timePtr(st.ModTime())}, sev, conf)
}

// textLogs checks every tracked log for absence, emptying, timestamps older
// than its rotated copies and holes in the rotation series.
func (r *run) textLogs() {
	cfg := r.syslogConfigured()
	for _, spec := range tracked {
		st, err := r.t.Lstat(spec.path)
		switch {
		case err != nil:
			if errors.Is(err, fs.ErrNotExist) {
				r.missing(spec, cfg)
			} else {
				target.Record(r.env, spec.path, err)
			}
			continue
		case !st.Mode().IsRegular():
			continue // links and devices: devNull's business
		}
		if st.Size() == 0 {
			r.emptied(spec)
		}
		r.rotationTimes(spec, st.ModTime())
		r.rotationGap(spec)
	}
}

func (r *run) daemonPresent(writer string) bool {
	var bins []string
	switch writer {
	case "syslog":
		bins = []string{"/usr/sbin/rsyslogd", "/sbin/rsyslogd", "/usr/sbin/syslog-ng", "/sbin/syslog-ng", "/usr/sbin/syslogd", "/sbin/syslogd"}
	case "audit":
		bins = []string{"/usr/sbin/auditd", "/sbin/auditd"}
	default:
		return true
	}
	for _, b := range bins {
		if _, err := r.t.Stat(b); err == nil {
			return true
		}
	}
	return false
}

// replacedByDB reports whether the system records logins in wtmpdb /
// lastlog2 instead of the classic files (openSUSE, Debian 13+).
func (r *run) replacedByDB(p string) bool {
	db := map[string]string{
		"/var/log/wtmp":    "/var/lib/wtmpdb/wtmp.db",
		"/var/log/lastlog": "/var/lib/lastlog/lastlog2.db",
	}[p]
	if db == "" {
		return false
	}
	_, err := r.t.Stat(db)
	return err == nil
}

func (r *run) missing(spec logSpec, cfg map[string]bool) {
	p := spec.path
	if !r.daemonPresent(spec.writer) || r.replacedByDB(p) {
		return
	}
	if sibs := r.siblings(p); len(sibs) > 0 {
		names := make([]string, 0, len(sibs))
		for _, s := range sibs {
			names = append(names, path.Base(s.path))
		}
		sort.Strings(names)
		r.emit(ruleMissing, p, model.Evidence{
			Note:  model.Msg("logs.note.missing-rotated", p),
			Extra: map[string]string{"rotated": strings.Join(names, " ")},
		}, model.High, model.ConfMedium)
		return
	}
	switch spec.writer {
	case "login":
		if !r.tmpfile[p] {
			return
		}
		if by, ok := r.bootedOtherThan(p); ok {
			sev := model.Medium
			if p == "/var/log/wtmp" {
				sev = model.High
			}
			r.emit(ruleMissing, p, model.Evidence{
				Note:  model.Msg("logs.note.missing-tmpfiles", p),
				Extra: map[string]string{"system_ran": by},
			}, sev, model.ConfMedium)
		}
	case "syslog":
		if !cfg[p] {
			return
		}
		for _, peer := range []string{"/var/log/syslog", "/var/log/messages", "/var/log/auth.log", "/var/log/secure"} {
			if peer != p && cfg[peer] && r.booted[peer] {
				r.emit(ruleMissing, p, model.Evidence{
					Note:  model.Msg("logs.note.missing-syslog", p, peer),
					Extra: map[string]string{"written_peer": peer},
				}, model.High, model.ConfMedium)
				return
			}
		}
		// Nothing the configuration writes has content: an image that
		// never booted with it (or whose syslog never ran). Listed, quiet.
		note := model.Msg("logtamper.note.missing-never-booted", p)
		extra := map[string]string{}
		if u := r.signsOfUse(); u.any() {
			note = model.Msg("logtamper.note.missing-never-logged", p)
			extra["signs_of_use"] = u.text()
		}
		r.emit(ruleMissing, p, model.Evidence{Note: note, Extra: extra}, model.Info, model.ConfMedium)
	}
}

func (r *run) emptied(spec logSpec) {
	p := spec.path
	if r.replacedByDB(p) {
		return
	}
	m, c, b, _ := r.fileTimes(p)
	if r.wiped[p] && b.IsZero() {
		return // reported as wiped, with the signs of use; no more to say here
	}
	extra := map[string]string{"mtime": fmtTime(m), "ctime": fmtTime(c), "btime": fmtTime(b)}
	if !b.IsZero() {
		if !m.After(b.Add(time.Minute)) || r.crotate[p] {
			return // never written since it was created (fresh or rotated)
		}
		sev, conf := model.High, model.ConfHigh
		if p == "/var/log/btmp" {
			sev, conf = model.Medium, model.ConfMedium
		}
		for _, s := range r.siblings(p) {
			if st, err := r.t.Stat(s.path); err == nil && absDur(st.ModTime().Sub(m)) < slack {
				// A copy made at the same moment: a rotation by copying,
				// configured somewhere logrotate's files do not show.
				sev, conf = model.Medium, model.ConfLow
				extra["rotated_at_same_time"] = s.path
			}
		}
		r.emit(ruleEmptied, p, model.Evidence{Note: model.Msg("logs.note.truncated", p), MTime: timePtr(m), Extra: extra}, sev, conf)
		return
	}
	// No birth time: only wtmp, which gets a boot record at every start,
	// can be judged, and only weakly.
	if p != "/var/log/wtmp" || len(r.siblings(p)) > 0 {
		return
	}
	if by, ok := r.bootedOtherThan(p); ok {
		extra["system_ran"] = by
		r.emit(ruleEmptied, p, model.Evidence{Note: model.Msg("logs.note.empty", p), MTime: timePtr(m), Extra: extra}, model.Medium, model.ConfLow)
	}
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// rotationTimes flags a current log older than one of its rotated copies:
// rotation creates the new file after the old one's last write, so the
// current file was replaced or its time was set back.
func (r *run) rotationTimes(spec logSpec, cur time.Time) {
	for _, s := range r.siblings(spec.path) {
		st, err := r.t.Stat(s.path)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		if st.ModTime().After(cur.Add(slack)) {
			r.emit(ruleTimestamp, spec.path, model.Evidence{
				Note:  model.Msg("logs.note.older-than-rotated", spec.path, fmtTime(cur), s.path, fmtTime(st.ModTime())),
				MTime: timePtr(cur),
				Extra: map[string]string{"rotated": s.path, "rotated_mtime": fmtTime(st.ModTime())},
			}, model.Medium, model.ConfMedium)
			return
		}
	}
}

// rotationGap flags a hole in the rotation series (logs.RotationHoles,
// shared with the log rules): a number missing in name.1 .. name.N (rotation
// shifts every copy by one), or a dated copy a regular schedule skipped.
func (r *run) rotationGap(spec logSpec) {
	var rots []int
	for _, s := range r.siblings(spec.path) {
		rots = append(rots, s.num)
	}
	missing, _ := logs.RotationHoles(spec.path, rots)
	if len(missing) == 0 {
		return
	}
	holes := make([]string, len(missing))
	for i, m := range missing {
		holes[i] = path.Base(m)
	}
	r.emit(ruleRotationGap, spec.path, model.Evidence{
		Note:  model.Msg("logs.note.rotation-gap", spec.path, len(rots), strings.Join(holes, ", ")),
		Extra: map[string]string{"missing": strings.Join(holes, " ")},
	}, model.Medium, model.ConfLow)
}

var logPathRe = lazyre.New(`/var/log/[A-Za-z0-9._/-]+`)

// syslogConfigured returns the /var/log files the syslog daemon's
// configuration writes to (uncommented lines only).
func (r *run) syslogConfigured() map[string]bool {
	out := map[string]bool{}
	files := []string{"/etc/rsyslog.conf", "/etc/syslog.conf", "/etc/syslog-ng/syslog-ng.conf"}
	files = append(files, r.t.Glob("/etc/rsyslog.d/*.conf")...)
	files = append(files, r.t.Glob("/etc/syslog-ng/conf.d/*.conf")...)
	for _, f := range files {
		b, ok := r.t.ReadFileRec(r.env, f, textReadLimit)
		if !ok {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			line = strings.TrimSpace(line)
			if line == "" || line[0] == '#' {
				continue
			}
			for _, m := range logPathRe.FindAllString(line, -1) {
				out[path.Clean(m)] = true
			}
		}
	}
	return out
}

// tmpfilesLogs returns the /var/log files tmpfiles.d creates at boot ("f"
// or "F" lines), so that their absence on a booted system means deletion.
func (r *run) tmpfilesLogs() map[string]bool {
	out := map[string]bool{}
	var files []string
	for _, dir := range []string{"/usr/lib/tmpfiles.d", "/lib/tmpfiles.d", "/etc/tmpfiles.d", "/run/tmpfiles.d"} {
		files = append(files, r.t.Glob(dir+"/*.conf")...)
	}
	for _, f := range files {
		b, ok := r.t.ReadFileRec(r.env, f, textReadLimit)
		if !ok {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			fields := strings.Fields(line)
			if len(fields) >= 2 && (strings.TrimRight(fields[0], "!-+=~^") == "f" || strings.TrimRight(fields[0], "!-+=~^") == "F") &&
				strings.HasPrefix(fields[1], "/var/log/") {
				out[path.Clean(fields[1])] = true
			}
		}
	}
	return out
}

// copytruncateLogs returns the logs a logrotate block rotates with
// copytruncate (set in the block or globally before it, as logrotate reads
// its configuration): emptying them in place is that option's normal effect.
func (r *run) copytruncateLogs() map[string]bool {
	out := map[string]bool{}
	c, _ := logrotate.Read(r.t, r.env)
	for _, blk := range c.Blocks {
		if !blk.CopyTruncate {
			continue
		}
		for _, pat := range blk.Paths {
			for _, spec := range tracked {
				if ok, _ := path.Match(pat, spec.path); ok {
					out[spec.path] = true
				}
			}
		}
	}
	return out
}
