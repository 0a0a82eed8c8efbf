package rules

import (
	"testing"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

func TestHistoryOffLines(t *testing.T) {
	tests := []struct {
		line string
		off  bool
	}{
		{"export HISTFILE=/dev/null", true},
		{"HISTFILE=\"/dev/null\"", true},
		{"[ -n \"$PS1\" ] && export HISTFILE=", true},
		{"unset HISTFILE", true},
		{"unset -v HISTSIZE HISTFILE", true},
		{"export HISTSIZE=0", true},
		{"HISTFILESIZE=0; export HISTFILESIZE", true},
		{"SAVEHIST=0", true},
		{"set +o history", true},
		{"ln -sf /dev/null ~/.bash_history", true},
		{"ln -s /dev/null /root/.zsh_history", true},
		// a clean Debian .bashrc and ordinary settings
		{"HISTSIZE=1000", false},
		{"HISTFILESIZE=2000", false},
		{"HISTCONTROL=ignoreboth", false},
		{"export HISTFILE=~/.history/bash_$(date +%F)", false},
		{"HISTSIZE=10000 # plenty", false},
		{"SAVEHIST=100", false},
		{"shopt -s histappend", false},
		{"set -o history", false},
		{"history | grep ssh", false},
		{"cat ~/.bash_history 2>/dev/null", false},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			ev := model.Event{Source: "shellrc", Kind: kindShellRC, File: "/root/.bashrc", Line: 3, Object: tc.line, Raw: tc.line,
				Fields: map[string]string{fieldCommand: tc.line}}
			got, _ := run(Config{}, []model.Event{ev})
			if fired := len(byRule(got, RuleHistoryOff)) == 1; fired != tc.off {
				t.Errorf("fired %v, want %v", fired, tc.off)
			}
		})
	}
}

func BenchmarkHistoryOff(b *testing.B) {
	ev := model.Event{Kind: kindHistory, Fields: map[string]string{fieldCommand: "tail -n 200 /var/log/app/app.log | grep -v HISTSIZE"}}
	s := New(Config{})
	for b.Loop() {
		s.historyOff(&ev)
	}
}

// TestTimeGapNotInBurstyLogs: dpkg.log is written by upgrades, months
// apart; its silences are not holes.
func TestTimeGapNotInBurstyLogs(t *testing.T) {
	for _, src := range []string{"dpkg", "auth"} {
		s := newStream("2026-03-01T09:00:00Z")
		s.file = "/var/log/" + src + ".log"
		for range 60 {
			s.add(model.Event{Source: src, Kind: "package.upgraded", Object: "libc6"}).wait(time.Second)
		}
		s.wait(90 * 24 * time.Hour).add(model.Event{Source: src, Kind: "package.upgraded", Object: "openssl"})
		got, _ := run(Config{}, s.evs)
		if fired := len(byRule(got, RuleTimeGap)) > 0; fired != (src == "auth") {
			t.Errorf("%s: time gap %v", src, fired)
		}
	}
}
