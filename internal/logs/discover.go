package logs

import (
	"path"
	"strings"

	"github.com/vigil-ir/vigil/internal/target"
)

// place is a standard location of a log and the format of its lines.
type place struct {
	glob   string
	format string
}

// places are the logs of Debian/Ubuntu and RHEL-family systems (and the
// usual web server and panel locations), by format. Globs are matched inside
// the target; rotated siblings are found by Rotated, never listed here.
var places = []place{
	{"/var/log/auth.log", FormatAuth},
	{"/var/log/secure", FormatAuth},
	{"/var/log/syslog", FormatSyslog},
	{"/var/log/messages", FormatSyslog},
	{"/var/log/cron", FormatCron},
	{"/var/log/cron.log", FormatCron},
	{"/var/log/dpkg.log", FormatDpkg},
	{"/var/log/yum.log", FormatYum},
	{"/var/log/dnf.rpm.log", FormatDnf},
	{"/var/log/wtmp", FormatWtmp},
	{"/var/log/btmp", FormatBtmp},
	{"/var/run/utmp", FormatUtmp},
	{"/run/utmp", FormatUtmp},
	{"/var/log/lastlog", FormatLastlog},
	{"/var/lib/wtmpdb/wtmp.db", FormatWtmpdb},
	{"/var/log/audit/audit.log", FormatAudit},
	{"/var/log/nginx/*access*.log", FormatWebAccess},
	{"/var/log/nginx/*error*.log", FormatWebError},
	{"/var/log/apache2/*access*.log", FormatWebAccess},
	{"/var/log/apache2/*error*.log", FormatWebError},
	{"/var/log/httpd/*access_log", FormatWebAccess},
	{"/var/log/httpd/*error_log", FormatWebError},
	{"/usr/local/nginx/logs/*access*.log", FormatWebAccess},
	{"/usr/local/nginx/logs/*error*.log", FormatWebError},
	{"/www/wwwlogs/*.error.log", FormatWebError},
	{"/www/wwwlogs/*.log", FormatWebAccess},
	{"/var/log/journal/*/*.journal", FormatJournal},
	{"/var/log/journal/*/*.journal~", FormatJournal},
	{"/run/log/journal/*/*.journal", FormatJournal},
}

// WebSource is the Source of a web server log a configuration names (see
// webroots.Inventory.LogFiles): an error log, or an access log with its
// layout ("" for combined). Pass it to Discover as extra.
func WebSource(path string, isError bool, layout string) Source {
	if isError {
		return Source{Name: path, Format: FormatWebError}
	}
	return Source{Name: path, Format: FormatWebAccess, LogFormat: layout}
}

// Discover returns the logs found in the standard places of the target, one
// Source per log with its rotated siblings, followed by extra (logs the
// caller knows of, such as the access and error logs an nginx or Apache
// configuration names: see webroots.Inventory.LogFiles). A log named twice
// is returned once (the first naming wins, so a configured format beats a
// guess). utmp is read only on a live target (it describes who is logged in
// now). Nothing is a gap here: a log that is absent is a fact; a log whose
// files are there but are no log files (Source.Skipped) is returned for
// its reader to record them.
func Discover(t *target.Target, extra ...Source) []Source {
	var out []Source
	seen := map[string]bool{}
	add := func(s Source) {
		if seen[s.Name] {
			return
		}
		seen[s.Name] = true
		for _, f := range s.Files {
			seen[f.Path] = true
		}
		out = append(out, s)
	}
	for _, s := range extra {
		if len(s.Files) == 0 {
			r, ok := Rotated(t, s.Name, s.Format)
			if !ok && len(r.Skipped) == 0 {
				continue
			}
			r.LogFormat = s.LogFormat
			s = r
		}
		add(s)
	}
	for _, pl := range append(places[:len(places):len(places)], historyPlaces()...) {
		if !Supported(pl.format) || pl.format == FormatUtmp && !t.IsLive() {
			continue
		}
		matches := []string{pl.glob}
		if strings.ContainsAny(pl.glob, "*?[") {
			matches = t.Glob(pl.glob)
		}
		for _, m := range matches {
			if seen[m] || isRotatedName(m) {
				continue
			}
			if pl.format == FormatJournal {
				// Journal files are rotated by journald under their own
				// names: each is its own source.
				if st, err := t.Stat(m); err == nil && st.Mode().IsRegular() {
					add(Source{Name: m, Format: FormatJournal, Files: []File{{Path: m, ModTime: st.ModTime(), Size: st.Size()}}})
				} else {
					add(Source{Name: m, Format: FormatJournal, Skipped: []Skipped{{Path: m, Why: whyNotRead(t, m, err)}}})
				}
				continue
			}
			s, ok := Rotated(t, m, pl.format)
			switch {
			case ok:
				add(s)
			case pl.format == FormatHistory:
				if f, ok := historyDisabled(t, m); ok {
					add(Source{Name: m, Format: FormatHistory, Files: []File{f}})
				}
			case len(s.Skipped) > 0:
				add(s) // only files that cannot be read: each is a gap
			}
		}
	}
	if s, ok := shellRCSource(t); ok {
		add(s)
	}
	return out
}

// isRotatedName reports whether a globbed name is itself a rotated sibling
// (access.log.1 matched by *access*.log is not, but x.log-20240101 is).
func isRotatedName(p string) bool {
	base := path.Base(p)
	for _, suf := range []string{".gz", ".1", ".2", ".old"} {
		if strings.HasSuffix(base, suf) {
			return true
		}
	}
	return false
}
