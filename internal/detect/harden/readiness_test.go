package harden

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestReadiness changes one thing at a time in the hardened root: each
// change is reported by its rule alone, and the variants that still meet
// the baseline stay quiet.
func TestReadiness(t *testing.T) {
	dpkgWithout := func(pkg string) string {
		b, err := os.ReadFile("testdata/hardened.txtar")
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		s = s[strings.Index(s, "-- var/lib/dpkg/status --\n")+len("-- var/lib/dpkg/status --\n"):]
		var keep []string
		for _, st := range strings.Split(strings.TrimSpace(s), "\n\n") {
			if !strings.HasPrefix(st, "Package: "+pkg+"\n") {
				keep = append(keep, st)
			}
		}
		return strings.Join(keep, "\n\n") + "\n"
	}
	const status = "var/lib/dpkg/status"
	tests := []struct {
		name    string
		write   map[string]string // path -> content
		remove  []string
		rule    string // "" for quiet
		subject string
		sev     model.Severity
		also    []string // other rules the change rightly raises
	}{
		{name: "auditd not installed", write: map[string]string{status: dpkgWithout("auditd")},
			rule: ruleAudit, subject: "auditd", sev: model.Medium},
		{name: "auditd not enabled", remove: []string{"etc/systemd/system/multi-user.target.wants/auditd.service"},
			rule: ruleAudit, subject: "auditd", sev: model.Medium},
		{name: "auditd without rules", write: map[string]string{"etc/audit/rules.d/50-identity.rules": "# -w /etc/passwd -p wa\n-D\n-b 8192\n"},
			rule: ruleAudit, subject: "auditd: no rules", sev: model.Low},
		{name: "logs kept 12 weeks", write: map[string]string{"etc/logrotate.d/rsyslog": "/var/log/auth.log {\n weekly\n rotate 12\n}\n"},
			rule: ruleRetention, subject: "/etc/logrotate.d/rsyslog: auth.log (84)", sev: model.Low},
		{name: "maxage cuts the copies", write: map[string]string{"etc/logrotate.d/rsyslog": "/var/log/syslog /var/log/auth.log {\n daily\n rotate 365\n maxage 90\n}\n"},
			rule: ruleRetention, subject: "/etc/logrotate.d/rsyslog: auth.log, syslog (90)", sev: model.Low},
		{name: "web access logs two weeks", write: map[string]string{"etc/logrotate.d/nginx": "/var/log/nginx/*.log {\n\tdaily\n\trotate 14\n}\n"},
			rule: ruleRetention, subject: "/etc/logrotate.d/nginx: access.log (14)", sev: model.Low},
		{name: "logs kept a year", write: map[string]string{"etc/logrotate.d/rsyslog": "/var/log/auth.log {\n monthly\n rotate 12\n}\n"}},
		{name: "rotated by size", write: map[string]string{"etc/logrotate.d/rsyslog": "/var/log/auth.log {\n size 100M\n rotate 2\n}\n"}},
		{name: "copies never removed", write: map[string]string{"etc/logrotate.d/rsyslog": "/var/log/auth.log {\n daily\n rotate -1\n}\n"}},
		{name: "journal volatile, no syslog", write: map[string]string{status: dpkgWithout("rsyslog"), "etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n"},
			rule: ruleVolatile, subject: "journald Storage=volatile", sev: model.Medium},
		{name: "journal persistent, no syslog", write: map[string]string{status: dpkgWithout("rsyslog"), "etc/systemd/journald.conf.d/10.conf": "[Journal]\nStorage=persistent\n"}},
		{name: "journal auto with its directory", write: map[string]string{status: dpkgWithout("rsyslog"), "var/log/journal/.keep": ""}},
		{name: "journal volatile, rsyslog writes files", write: map[string]string{"etc/systemd/journald.conf": "[Journal]\nStorage=volatile\n"}},
		{name: "no time client", remove: []string{"etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service"},
			rule: ruleTimeSync, sev: model.Low},
		{name: "chrony", remove: []string{"etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service"},
			write: map[string]string{"etc/systemd/system/multi-user.target.wants/chrony.service": ""}},
		{name: "no systemd: time not judged", write: map[string]string{status: dpkgWithout("systemd")},
			remove: []string{"etc/systemd/system/sysinit.target.wants/systemd-timesyncd.service"}},
		{name: "no faillock", write: map[string]string{"etc/pam.d/common-auth": "auth [success=1 default=ignore] pam_unix.so\nauth requisite pam_deny.so\n"},
			rule: ruleLockout, subject: "/etc/pam.d/common-auth", sev: model.Low},
		{name: "faillock commented out", write: map[string]string{"etc/pam.d/common-auth": "#auth required pam_faillock.so preauth\nauth required pam_unix.so\n"},
			rule: ruleLockout, subject: "/etc/pam.d/common-auth", sev: model.Low},
		{name: "tally2 without deny", write: map[string]string{"etc/pam.d/common-auth": "auth required pam_tally2.so onerr=fail\nauth required pam_unix.so\n"},
			rule: ruleLockout, subject: "/etc/pam.d/common-auth", sev: model.Low},
		{name: "tally2 with deny", write: map[string]string{"etc/pam.d/common-auth": "auth required pam_tally2.so deny=5 unlock_time=900\nauth required pam_unix.so\n"}},
		{name: "RHEL system-auth without faillock", write: map[string]string{"etc/pam.d/system-auth": "auth sufficient pam_unix.so\n"},
			rule: ruleLockout, subject: "/etc/pam.d/system-auth", sev: model.Low,
			also: []string{ruleMinLength, ruleQuality}}, // a PAM file with no password stack
		{name: "no TMOUT", remove: []string{"etc/profile.d/tmout.sh"},
			rule: ruleTimeout, subject: "TMOUT", sev: model.Low},
		{name: "TMOUT=0", write: map[string]string{"etc/profile.d/tmout.sh": "TMOUT=0\n"},
			rule: ruleTimeout, subject: "TMOUT", sev: model.Low},
		{name: "TMOUT in bashrc, exported", remove: []string{"etc/profile.d/tmout.sh"},
			write: map[string]string{"etc/bash.bashrc": "export TMOUT=600\n"}},
		{name: "TMOUT declared readonly", write: map[string]string{"etc/profile.d/tmout.sh": "declare -r TMOUT=\"300\"\n"}},
		{name: "umask 022", write: map[string]string{"etc/login.defs": "PASS_MAX_DAYS 90\nUMASK 022\n"},
			rule: ruleUmask, subject: "UMASK 022", sev: model.Low},
		{name: "umask 077", write: map[string]string{"etc/login.defs": "PASS_MAX_DAYS 90\nUMASK 077\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := fixture(t, "testdata/hardened.txtar")
			for p, c := range tt.write {
				full := filepath.Join(root, p)
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(full, []byte(c), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, p := range tt.remove {
				if err := os.Remove(filepath.Join(root, p)); err != nil {
					t.Fatal(err)
				}
			}
			r := enginetest.Run(t, New(), root, false)
			if tt.rule == "" {
				enginetest.Quiet(t, r.Findings, model.Info)
				return
			}
			enginetest.Expect(t, r.Findings, []enginetest.Want{{Rule: tt.rule, Subject: tt.subject, Severity: tt.sev}})
			for _, f := range r.Findings {
				if f.RuleID != tt.rule && !slices.Contains(tt.also, f.RuleID) {
					t.Errorf("another finding too: %s %s", f.RuleID, f.Subject)
				}
			}
		})
	}
}
