package staging

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile files in the staging places leave a program
// with a daemon's name in /dev/shm reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root:     func(t testing.TB) string { return fires(t) },
		Trace:    []enginetest.Want{{Rule: ruleExecutable, Path: "/dev/shm/kworker", Severity: model.High, Indicators: []string{indDaemonName}}},
		Files:    []string{"/dev/shm/", "/tmp/", "/var/tmp/", "/tmp/.x/", "/etc/passwd", "/etc/shadow"},
		Needs:    []string{"/dev/shm/kworker"},
	}.Run(t)
}
