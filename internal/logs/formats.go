package logs

import "sort"

// The formats of Source.Format. Event.Source is the format's event source
// name (the same string, except that auth, syslog and cron lines all come
// from syslog-framed files).
const (
	FormatAuth      = "auth"       // /var/log/auth.log, /var/log/secure
	FormatSyslog    = "syslog"     // /var/log/syslog, /var/log/messages
	FormatCron      = "cron"       // /var/log/cron (RHEL), cron.log
	FormatDpkg      = "dpkg"       // /var/log/dpkg.log
	FormatYum       = "yum"        // /var/log/yum.log
	FormatDnf       = "dnf"        // /var/log/dnf.rpm.log
	FormatWtmp      = "wtmp"       // /var/log/wtmp (binary utmp records)
	FormatBtmp      = "btmp"       // /var/log/btmp
	FormatUtmp      = "utmp"       // /run/utmp
	FormatLastlog   = "lastlog"    // /var/log/lastlog
	FormatWtmpdb    = "wtmpdb"     // /var/lib/wtmpdb/wtmp.db (SQLite)
	FormatAudit     = "audit"      // /var/log/audit/audit.log
	FormatWebAccess = "web.access" // nginx / Apache access logs
	FormatWebError  = "web.error"  // nginx / Apache error logs
	FormatJournal   = "journal"    // systemd journal files
)

// parsers maps each implemented format to its reader.
var parsers = map[string]parseFunc{
	FormatAuth:      syslogParser(FormatAuth),
	FormatSyslog:    syslogParser(FormatSyslog),
	FormatCron:      syslogParser(FormatCron),
	FormatWtmp:      utmpParser(FormatWtmp),
	FormatBtmp:      utmpParser(FormatBtmp),
	FormatUtmp:      utmpParser(FormatUtmp),
	FormatLastlog:   lastlogParser,
	FormatHistory:   historyParser,
	FormatShellRC:   shellRCParser,
	FormatWebAccess: webAccessParser,
	FormatWebError:  webErrorParser,
	FormatDpkg:      dpkgParser,
	FormatYum:       yumParser,
	FormatDnf:       dnfParser,
	FormatAudit:     auditParser,
	FormatJournal:   journalParser,
	FormatWtmpdb:    wtmpdbParser,
}

// yearless formats write timestamps without a year (see planYears).
var yearless = map[string]bool{FormatAuth: true, FormatSyslog: true, FormatCron: true, FormatYum: true}

// Formats lists the formats Read can parse, sorted.
func Formats() []string {
	out := make([]string, 0, len(parsers))
	for f := range parsers {
		out = append(out, f)
	}
	sort.Strings(out)
	return out
}

// Supported reports whether Read parses format.
func Supported(format string) bool { _, ok := parsers[format]; return ok }
