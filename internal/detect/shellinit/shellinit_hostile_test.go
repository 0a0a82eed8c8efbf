package shellinit

import (
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// TestHostileInput: hostile versions of every file the check parses leave
// an alias that filters ps reported.
func TestHostileInput(t *testing.T) {
	enginetest.Hostile{
		Detector: New(),
		Root: func(t testing.TB) string {
			return fixture(t, "-- root/.bashrc --\nalias ps='ps aux | grep -v kworkerd'\n")
		},
		Trace: []enginetest.Want{{Rule: ruleAlias, Subject: "alias ps", Severity: model.High, Indicators: []string{indFilter}}},
		Files: []string{"/root/.bashrc", "/root/.profile", "/root/.bash_profile", "/etc/profile", "/etc/profile.d/", "/etc/bash.bashrc",
			"/etc/environment", "/etc/zsh/zshrc", "/etc/passwd"},
		Needs: []string{"/root/.bashrc"},
		Extra: map[string]string{"source-loop": ". /root/.bashrc\nsource /etc/profile\n. ~/.bashrc\n$(cat <<EOF\nEOF\n"},
	}.Run(t)
}
