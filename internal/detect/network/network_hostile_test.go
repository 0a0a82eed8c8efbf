package network

import (
	"time"

	"testing"

	"github.com/vigil-ir/vigil/internal/collect/procs/proctest"
	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of the socket tables and /proc files
// the check parses leave a shell on a socket reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: &Detector{RecheckDelay: time.Millisecond},
		Live:     true,
		Root:     func(t testing.TB) string { return proctest.Host(t, proctest.Compromised) },
		Trace:    []enginetest.Want{{Rule: ruleReverseShell, Severity: model.Critical, Indicators: []string{indSocketStdio}}},
		Files: []string{"/proc/net/tcp", "/proc/net/tcp6", "/proc/net/udp", "/proc/net/udp6", "/proc/net/packet", "/proc/net/dev",
			"/proc/sys/net/ipv4/ip_forward", "/proc/sys/net/ipv4/ip_local_port_range", "/proc/1/stat", "/proc/1/cmdline", "/etc/passwd"},
		Needs: []string{"/proc/net/tcp", "/proc/net/tcp6"},
	}.Run(t)
}
