package rules

import (
	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// RuleHistoryOff is the rule id of a shell history sent nowhere.
const RuleHistoryOff = "logs.tamper.history-disabled"

// historyOffRe matches a shell setting that keeps the history from being
// written: HISTFILE to /dev/null or empty, HISTFILE unset, a history size
// of 0 (bash HISTSIZE / HISTFILESIZE, zsh SAVEHIST), the history option
// off, a history file linked to /dev/null. Fixed pattern, compiled on
// first use. (internal/grade/cmdscan knows the same tradecraft for the scan's
// command lines; the log rules sit below grade and cannot import it.)
var historyOffRe = lazyre.New(`(?:^|[;&|\s({` + "`" + `])(?:` +
	`HISTFILE=["']?/dev/null\b` +
	`|HISTFILE=(?:""|'')?(?:\s|;|$)` +
	`|unset\s+(?:-v\s+)?(?:[A-Za-z_]+\s+)*HISTFILE\b` +
	`|(?:HISTSIZE|HISTFILESIZE|SAVEHIST)=["']?0+["']?(?:\s|;|$)` +
	`|set\s+\+o\s+history\b` +
	`|ln\s+-[a-z]*s[a-z]*\s+/dev/null\s+\S*(?:_history|fish_history|\.zhistory)\b)`)

// historyOff judges a history that cannot be kept: a history file that is
// a symlink to /dev/null or a device (history.disabled), a start-up file
// line (shell.rc.history) or a typed or sudo command that disables the
// history. A start-up file disables it for every later session: graded
// like a link; a command typed once, one step lower in confidence.
func (s *Set) historyOff(e *model.Event) {
	sev, conf := model.High, model.ConfHigh
	if e.Kind != kindHistoryOff {
		if !historyOffRe.MatchString(e.Fields[fieldCommand]) {
			return
		}
		sev = model.Medium
		if e.Kind != kindShellRC {
			conf = model.ConfMedium
		}
	}
	key := e.File + "\x00" + e.Object
	if f := s.once(RuleHistoryOff, key, e.File, sev, conf, e); f != nil {
		f.user = e.Actor
		if how := e.Fields["how"]; how != "" {
			f.extra = map[string]string{"how": how}
		}
	}
}
