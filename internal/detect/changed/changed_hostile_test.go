package changed

import (
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/engine"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile files where the check walks and the package
// database it reads leave an unpackaged program changed in the window
// reported.
func TestHostileInput(t *testing.T) {
	since := time.Now().Add(time.Hour)
	enginetest.Hostile{
		Detector: New(),
		Options:  engine.Options{ChangedSince: since},
		Root: func(t testing.TB) string {
			dir, _ := fixture(t, "-- tmp/.x/kworker mode=0755 --\nELF\n")
			touch(t, dir, "tmp/.x/kworker", since)
			return dir
		},
		Trace: []enginetest.Want{{Rule: ruleExecutable, Subject: "/tmp/.x/kworker", Severity: model.Medium, Indicators: []string{indNotPackaged}}},
		Files: []string{"/tmp/", "/tmp/.x/", "/etc/", "/usr/local/bin/", "/var/lib/dpkg/status", "/var/lib/dpkg/info/", "/etc/passwd"},
		Needs: []string{"/var/lib/dpkg/status"},
	}.Run(t)
}
