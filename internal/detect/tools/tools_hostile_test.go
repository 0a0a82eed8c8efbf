package tools

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of configuration files and binaries
// in the places the check reads leave an frp client configuration to a
// public server reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- tmp/.x/frpc.ini --\n[common]\nserver_addr = 203.0.113.10\nserver_port = 7000\ntoken = s3cret\n", nil)
		},
		Trace: []enginetest.Want{{Rule: ruleTunnelConfig, Subject: "203.0.113.10:7000", Severity: model.Critical, Indicators: []string{indPublic}}},
		Files: []string{"/tmp/.x/frpc.ini", "/tmp/.x/", "/tmp/", "/var/tmp/", "/dev/shm/", "/root/", "/root/.config/frpc.toml", "/opt/frp/frps.ini", "/etc/passwd"},
		Needs: []string{"/tmp/.x/frpc.ini"},
		Known: map[string]string{
			"nul": "a configuration with NUL bytes in its first KiB counts as binary (frp's INI parser rejects such a file too)",
		},
	}.Run(t)
}
