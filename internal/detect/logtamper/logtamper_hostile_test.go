package logtamper

import (
	"os"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile login records, logs and logging configuration
// leave wtmp linked to /dev/null reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "", func(d string) {
				os.Remove(hostPath(d, "var/log/wtmp"))
				os.Symlink("/dev/null", hostPath(d, "var/log/wtmp"))
			})
		},
		Trace: []enginetest.Want{{Rule: ruleDevNull, Subject: "/var/log/wtmp", Severity: model.Critical}},
		Files: []string{"/var/log/btmp", "/run/utmp", "/var/log/lastlog", "/var/log/auth.log", "/var/log/syslog", "/var/log/",
			"/var/log/journal/", "/etc/rsyslog.conf", "/etc/rsyslog.d/", "/etc/logrotate.conf", "/etc/systemd/journald.conf", "/etc/passwd"},
	}.Run(t)
}
