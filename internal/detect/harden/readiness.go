package harden

import (
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/vigil-ir/vigil/internal/collect/logrotate"
	"github.com/vigil-ir/vigil/internal/model"
)

// Readiness rules: what an investigation of this host will need (its audit
// trail, logs kept long enough, a clock to trust) and the account controls
// China's MLPS 2.0 (等保 2.0) baseline asks for beside CIS's.
const (
	ruleAudit     = "harden.audit.none"
	ruleRetention = "harden.logs.retention"
	ruleVolatile  = "harden.logs.volatile"
	ruleTimeSync  = "harden.time.sync"
	ruleLockout   = "harden.password.lockout"
	ruleTimeout   = "harden.session.timeout"
	ruleUmask     = "harden.umask"
)

// minLogDays is the retention the baseline asks of security and web access
// logs: China's Cybersecurity Law (art. 21) requires network logs to be
// kept for at least six months.
const minLogDays = 180

// securityLogs are the logs whose retention is judged: the system's
// authentication and general logs (Debian and RHEL names) and the web
// servers' access logs (their usual places).
var securityLogs = []string{
	"/var/log/auth.log", "/var/log/secure", "/var/log/syslog", "/var/log/messages",
	"/var/log/nginx/access.log", "/var/log/apache2/access.log", "/var/log/httpd/access_log",
}

// audit reports a host whose Linux audit system does not start at boot, or
// starts with no rule loaded.
func (r *run) audit() {
	yes, known := r.installed("auditd", "audit")
	if !known {
		return // no package database: absence cannot be told from ignorance
	}
	if !yes || !(r.enabled("auditd.service")) {
		ev := model.Evidence{Note: model.Msg("harden.note.audit-off")}
		if yes {
			ev.Note = model.Msg("harden.note.audit-disabled")
		}
		r.emit(ruleAudit, "auditd", ev, model.Medium, model.ConfHigh)
		return
	}
	files := append([]string{"/etc/audit/audit.rules"}, r.t.Glob("/etc/audit/rules.d/*.rules")...)
	for _, p := range files {
		for _, l := range r.lines(p) {
			if strings.HasPrefix(l.text, "-w ") || strings.HasPrefix(l.text, "-a ") {
				return
			}
		}
	}
	ev := model.Evidence{Path: "/etc/audit/rules.d", Note: model.Msg("harden.note.audit-norules")}
	r.emit(ruleAudit, "auditd: no rules", ev, model.Low, model.ConfHigh)
}

// logRetention reports logrotate blocks that delete security or web access
// logs sooner than the baseline keeps them.
func (r *run) logRetention() {
	c, ok := logrotate.Read(r.t, r.env)
	if !ok {
		return
	}
	type hit struct {
		b    logrotate.Block
		logs []string
	}
	var hits []*hit
	byBlock := map[string]*hit{}
	for _, log := range securityLogs {
		b, ok := c.Match(log)
		if !ok {
			continue
		}
		days, known, forever := b.Retention()
		if !known || forever || days >= minLogDays {
			continue
		}
		key := fmt.Sprintf("%s:%d", b.File, b.Line)
		if h := byBlock[key]; h != nil {
			h.logs = append(h.logs, path.Base(log))
			continue
		}
		h := &hit{b: b, logs: []string{path.Base(log)}}
		byBlock[key] = h
		hits = append(hits, h)
	}
	for _, h := range hits {
		days, _, _ := h.b.Retention()
		d := strconv.FormatFloat(days, 'f', -1, 64)
		sched := fmt.Sprintf("rotate %d, %s", h.b.Rotate, h.b.Period)
		if h.b.Period == "" {
			sched = fmt.Sprintf("maxage %d", h.b.MaxAge)
		} else if h.b.MaxAge > 0 {
			sched += fmt.Sprintf(", maxage %d", h.b.MaxAge)
		}
		ev := model.Evidence{Path: h.b.File, Line: h.b.Line, Text: sched,
			Note:  model.Msg("harden.note.log-retention", d, minLogDays),
			Extra: map[string]string{"logs": strings.Join(h.logs, " "), "days": d}}
		r.emit(ruleRetention, fmt.Sprintf("%s: %s (%s)", h.b.File, strings.Join(h.logs, ", "), d), ev, model.Low, model.ConfHigh)
	}
}

// syslogDaemons are the packages that write the journal's messages to files.
var syslogDaemons = []string{"rsyslog", "syslog-ng", "syslog-ng-core", "inetutils-syslogd", "busybox-syslogd", "sysklogd"}

// volatileLogs reports a host whose logs do not survive a reboot: journald
// keeps them in memory only (Storage=volatile or none, or auto without
// /var/log/journal) and no syslog daemon writes them to disk.
func (r *run) volatileLogs() {
	yes, known := r.installed("systemd")
	if !known || !yes {
		return
	}
	if d, ok := r.installed(syslogDaemons...); !ok || d {
		return
	}
	storage, ev := "auto", model.Evidence{Path: "/etc/systemd/journald.conf"}
	files := append([]string{"/etc/systemd/journald.conf"}, r.t.Glob("/etc/systemd/journald.conf.d/*.conf")...)
	for _, p := range files {
		for _, l := range r.lines(p) {
			k, v, ok := strings.Cut(l.text, "=")
			if ok && strings.TrimSpace(k) == "Storage" {
				storage, ev = strings.ToLower(strings.TrimSpace(v)), model.Evidence{Path: l.file, Line: l.n, Text: l.text}
			}
		}
	}
	switch storage {
	case "persistent":
		return
	case "auto":
		if fi, err := r.t.Stat("/var/log/journal"); err == nil && fi.IsDir() {
			return
		}
	}
	ev.Note = model.Msg("harden.note.logs-volatile", storage)
	r.emit(ruleVolatile, "journald Storage="+storage, ev, model.Medium, model.ConfHigh)
}

// timeServices are the units that keep the clock in step.
var timeServices = []string{"systemd-timesyncd.service", "chrony.service", "chronyd.service", "ntp.service",
	"ntpd.service", "ntpsec.service", "openntpd.service"}

// timeSync reports a host with no time synchronisation enabled at boot: its
// log times cannot be lined up with other hosts' in an investigation.
func (r *run) timeSync() {
	if yes, known := r.installed("systemd"); !known || !yes {
		return // the units are systemd's; other inits are not judged
	}
	for _, u := range timeServices {
		if r.enabled(u) {
			return
		}
	}
	ev := model.Evidence{Note: model.Msg("harden.note.time-sync")}
	r.emit(ruleTimeSync, "systemd-timesyncd, chrony, ntp", ev, model.Low, model.ConfMedium)
}

// authStacks are the PAM files that hold the authentication stack.
var authStacks = []string{"/etc/pam.d/common-auth", "/etc/pam.d/system-auth", "/etc/pam.d/password-auth"}

// lockout reports an authentication stack that never locks an account
// after failed logins (pam_faillock, or pam_tally2 with deny=).
func (r *run) lockout() {
	for _, stack := range authStacks {
		ls := r.lines(stack)
		if ls == nil {
			continue
		}
		locks := false
		for _, l := range ls {
			f := strings.Fields(l.text)
			if len(f) < 3 || strings.TrimPrefix(f[0], "-") != "auth" {
				continue
			}
			switch moduleName(f) {
			case "pam_faillock.so": // deny defaults to 3 (faillock.conf may change it)
				locks = locks || !strings.Contains(l.text, "deny=0")
			case "pam_tally2.so", "pam_tally.so":
				locks = locks || (strings.Contains(l.text, "deny=") && !strings.Contains(l.text, "deny=0"))
			}
		}
		if !locks {
			ev := model.Evidence{Path: stack, Note: model.Msg("harden.note.lockout")}
			r.emit(ruleLockout, stack, ev, model.Low, model.ConfHigh)
		}
	}
}

// profileFiles are where an idle timeout for login shells is set.
func (r *run) profileFiles() []string {
	out := []string{"/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/environment"}
	return append(out, r.t.Glob("/etc/profile.d/*.sh")...)
}

// sessionTimeout reports a host whose shells never log an idle session out
// (no TMOUT set for everyone).
func (r *run) sessionTimeout() {
	read := false
	for _, p := range r.profileFiles() {
		ls := r.lines(p)
		if ls != nil {
			read = true
		}
		for _, l := range ls {
			s := l.text
			for _, pre := range []string{"export ", "readonly ", "declare -r ", "typeset -r "} {
				s = strings.TrimPrefix(s, pre)
			}
			if v, ok := strings.CutPrefix(s, "TMOUT="); ok {
				if n, err := strconv.Atoi(strings.Trim(strings.Fields(v + " ")[0], `"';`)); err == nil && n > 0 {
					return
				}
			}
		}
	}
	if !read {
		return // no shell start-up files: nothing to judge
	}
	ev := model.Evidence{Path: "/etc/profile", Note: model.Msg("harden.note.timeout")}
	r.emit(ruleTimeout, "TMOUT", ev, model.Low, model.ConfMedium)
}

// umask reports a default umask in login.defs that lets every user read
// the files others create (more open than 027).
func (r *run) umask() {
	for _, l := range r.lines("/etc/login.defs") {
		f := strings.Fields(l.text)
		if len(f) < 2 || f[0] != "UMASK" {
			continue
		}
		m, err := strconv.ParseUint(f[1], 8, 32)
		if err != nil || m&0o027 == 0o027 {
			return
		}
		ev := model.Evidence{Path: l.file, Line: l.n, Text: l.text, Note: model.Msg("harden.note.umask", f[1])}
		r.emit(ruleUmask, "UMASK "+f[1], ev, model.Low, model.ConfHigh)
		return
	}
}
