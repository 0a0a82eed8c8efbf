package rules

import (
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/lazyre"
	"github.com/vigil-ir/vigil/internal/model"
)

// Rule ids of the log-tampering rules.
const (
	RuleTimeGap       = "logs.tamper.time-gap"
	RuleLogCleared    = "logs.tamper.log-cleared"
	RuleAuditdStopped = "logs.tamper.auditd-stopped"
)

// gapRing is how many recent event times per file the time-gap rule keeps.
const gapRing = 64

type fileClock struct {
	times [gapRing]time.Time
	n     int
	head  int
	last  evRef
}

type tamperState struct {
	files  map[string]*fileClock
	logOf  map[string]string     // file -> its log's name (Begin)
	lastOf map[string]*fileClock // log name -> the clock of its latest file
	// lastFile and lastClock are the file of the previous event and its
	// clock (timeGap).
	lastFile  string
	lastClock *fileClock
	utmp      utmpState
}

func (t *tamperState) init() {
	t.files = map[string]*fileClock{}
	t.logOf = map[string]string{}
	t.lastOf = map[string]*fileClock{}
	t.utmp.init()
}

// timeGap reports a silence of at least GapMin in a file that was busy
// (GapDense events in the hour before it): a log is written continuously,
// a hole in it is where lines were cut out.
func (s *Set) timeGap(e *model.Event) {
	if e.Time.IsZero() || e.File == "" || bursty(e.Source) {
		return
	}
	// Events come file by file: the clock of the previous one first (a
	// map lookup per event was a fifth of this rule).
	fc := s.tamper.lastClock
	if fc == nil || e.File != s.tamper.lastFile {
		fc = s.clockOf(e.File)
		s.tamper.lastFile, s.tamper.lastClock = e.File, fc
	}
	if fc == nil {
		return
	}
	if fc.n > 0 {
		gap := e.Time.Sub(fc.last.Time)
		if gap >= s.cfg.GapMin && fc.dense(s.cfg.GapDense, fc.last.Time) {
			sev := model.Low
			if gap >= 4*s.cfg.GapMin {
				sev = model.Medium
			}
			if f := s.once(RuleTimeGap, e.File+"\x00"+stamp(fc.last.Time), e.File, sev, model.ConfLow, e); f != nil {
				f.first = fc.last
				f.note = model.Msg("logs.note.time-gap", gap.Round(time.Second).String(), fc.last.loc(), e.File+":"+itoa(e.Line), stamp(fc.last.Time), stamp(e.Time))
				f.extra = map[string]string{"gap": gap.Round(time.Second).String(), "before": fc.last.loc(), "before_raw": fc.last.Raw}
			}
		}
	}
	fc.times[fc.head] = e.Time
	fc.head = (fc.head + 1) % gapRing
	fc.n = min(fc.n+1, gapRing)
	fc.last = ref(e)
}

// bursty reports whether source is written in bursts, not continuously:
// package logs (an upgrade, then months of nothing), histories and start-up
// files (times from a file's mtime), lastlog and utmp (not in time order).
// A silence in them says nothing.
func bursty(source string) bool {
	switch source {
	case "dpkg", "yum", "dnf", "history", "shellrc", "lastlog", "utmp":
		return true
	}
	return false
}

// dense reports whether at least n of the kept events fall in the hour
// before t.
func (fc *fileClock) dense(n int, t time.Time) bool {
	if fc.n < min(n, gapRing) {
		return false
	}
	c := 0
	for i := 0; i < fc.n; i++ {
		if d := t.Sub(fc.times[i]); d >= 0 && d <= time.Hour {
			c++
		}
	}
	return c >= min(n, gapRing)
}

// Command lines that erase logs or blind auditing (written for the log
// evidence of sudo and audit; fixed patterns, compiled on first use).
var (
	clearLogs = lazyre.New(`(?:^|[;&|\s/])(?:` +
		`(?:shred|rm|truncate|unlink|wipe|srm)\s[^;&|]*(?:/var/log/(?:auth\.log|secure|syslog|messages|wtmp|btmp|lastlog|audit)|\.bash_history)` +
		`|(?:echo|cat\s+/dev/null|:)\s*>\s*(?:/var/log/\S+|\S*\.bash_history)` +
		`|history\s+-c` +
		`|auditctl\s+-D` +
		`|journalctl\s[^;&|]*--vacuum-(?:time|size|files)` +
		`|ln\s+-sf?\s+/dev/null\s+\S*/var/log/)`)
	stopAudit = lazyre.New(`(?:^|[;&|\s/])(?:` +
		`(?:systemctl|service)\s+(?:stop|disable|mask)\s+auditd|service\s+auditd\s+stop` +
		`|auditctl\s+-e\s*0|(?:pkill|killall)\s[^;&|]*auditd)`)
)

// tamperCommand judges a command line (sudo, an audit execve or
// configuration record) for log clearing and stopping auditd.
func (s *Set) tamperCommand(e *model.Event) {
	if strings.HasPrefix(e.Kind, kindAuditPrefix) {
		s.auditRecord(e)
	}
	cmd := e.Fields[fieldCommand]
	if cmd == "" {
		return
	}
	// Literals every match of the patterns holds, looked for first: a
	// busy host's sudo commands rarely hold one (the patterns are
	// case-sensitive: so are the literals).
	if (strings.Contains(cmd, "/var/log/") || strings.Contains(cmd, "history") || strings.Contains(cmd, "auditctl") ||
		strings.Contains(cmd, "journalctl")) && clearLogs.MatchString(cmd) {
		if f := s.once(RuleLogCleared, e.Actor+"\x00"+cmd, orLocal(e.Actor), model.High, model.ConfMedium, e); f != nil {
			f.user = e.Actor
		}
	}
	if strings.Contains(cmd, "audit") && stopAudit.MatchString(cmd) {
		if f := s.once(RuleAuditdStopped, e.Actor+"\x00"+cmd, orLocal(e.Actor), model.Medium, model.ConfMedium, e); f != nil {
			f.user = e.Actor
		}
	}
}

// auditRecord reads audit's own records: the daemon ended by a logged-in
// user (not by the shutdown, whose auid is unset), audit rules deleted or
// auditing switched off.
func (s *Set) auditRecord(e *model.Event) {
	typ := e.Fields[fieldAuditType]
	if typ == "" { // the kind carries it too: audit.daemon-end
		typ = strings.ToUpper(strings.ReplaceAll(strings.TrimPrefix(e.Kind, kindAuditPrefix), "-", "_"))
	}
	auid := e.Fields[fieldAuditAuid]
	byUser := auid != "" && auid != "4294967295" && auid != "-1" && auid != "unset"
	switch {
	case (typ == "DAEMON_END" || typ == "DAEMON_ABORT") && byUser:
		s.once(RuleAuditdStopped, "audit\x00"+auid, "auditd", model.Medium, model.ConfHigh, e)
	case typ == "CONFIG_CHANGE" && (e.Fields[fieldAuditOp] == "remove_rule" || strings.Contains(e.Raw, "audit_enabled=0")):
		rule := RuleLogCleared
		if strings.Contains(e.Raw, "audit_enabled=0") {
			rule = RuleAuditdStopped
		}
		s.once(rule, "audit-config\x00"+auid, "auditd", model.Medium, model.ConfMedium, e)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
