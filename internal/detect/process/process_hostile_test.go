package process

import (
	"time"

	"testing"

	"github.com/vigil-ir/vigil/internal/collect/procs/proctest"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of the /proc files the check parses
// leave a reverse shell on a command line reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: &Detector{RecheckDelay: time.Millisecond},
		Live:     true,
		Root:     func(t testing.TB) string { return proctest.Host(t, proctest.Compromised) },
		Trace:    []enginetest.Want{{Rule: ruleCmdline, Severity: model.Critical, Indicators: []string{"reverse-shell.dev-tcp"}}},
		Files: []string{"/proc/1/stat", "/proc/1/status", "/proc/1/cmdline", "/proc/1/maps", "/proc/1/environ", "/proc/1/cgroup",
			"/proc/4242/maps", "/proc/4242/status", "/proc/stat", "/proc/uptime", "/proc/sys/kernel/pid_max", "/proc/4501/cmdline", "/etc/passwd"},
		Needs: []string{"/proc/4501/cmdline"},
	}.Run(t)
}
