// Package timeline merges what happened on a host into one ordered list:
// notable log events (logins, sudo, su, account changes, package installs,
// audit records, shell history), the findings of the log rules and of
// stored scans, the times (modification, change, birth) of the files
// findings point at, and the start times of the running processes (a
// live host). It keeps a targeted timeline — findings and the
// events that explain them, not every line — within a cap, and names the
// attack path: the first suspicious entry and the chain of stages (brute
// force on sshd → login → new account → persistence ...), each linked to
// its evidence. Renderers: table, CSV (Timesketch's columns), JSONL and a
// self-contained HTML page.
package timeline

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigil-ir/vigil/internal/model"
)

// Entry is one line of the timeline.
type Entry struct {
	ID         int       `json:"id"`
	Time       time.Time `json:"datetime"`
	Desc       string    `json:"timestamp_desc"` // what the time is: "Event Time", "Finding", "Modification Time" ...
	Message    string    `json:"message"`
	Source     string    `json:"source"` // the log format, "finding", "scan", "file"
	Kind       string    `json:"kind,omitempty"`
	Rule       string    `json:"rule_id,omitempty"`
	Severity   string    `json:"severity,omitempty"`
	Path       string    `json:"path,omitempty"`
	Line       int       `json:"line,omitempty"`
	Actor      string    `json:"actor,omitempty"`
	SrcIP      string    `json:"src_ip,omitempty"`
	Raw        string    `json:"raw,omitempty"`
	Suspicious bool      `json:"suspicious"`
}

// Step is one stage of the attack path, linked to the entry that shows it.
type Step struct {
	Stage string    `json:"stage"`
	Entry int       `json:"entry"` // Entry.ID
	Time  time.Time `json:"time"`
	Rule  string    `json:"rule_id"`
	Where string    `json:"evidence"` // path:line
}

// Timeline is the merged, ordered result.
type Timeline struct {
	Entries []Entry `json:"entries"`
	// First is the ID of the first suspicious entry (-1: none).
	First int `json:"first_suspicious"`
	// Path is the chain of stages in the order they first appear.
	Path []Step `json:"attack_path"`
	// Dropped counts events left out when the cap was reached (findings
	// are always kept).
	Dropped int `json:"dropped"`
}

// Options bound a timeline.
type Options struct {
	Since, Until time.Time
	// All keeps every event, not only the notable kinds.
	All bool
	// Max caps the entries (DefaultMax when 0).
	Max int
}

// DefaultMax is the default cap on entries.
const DefaultMax = 200_000

// Builder collects entries. Not safe for concurrent use.
type Builder struct {
	opt     Options
	entries []Entry
	events  int
	dropped int
	files   map[string]bool
}

// NewBuilder returns an empty builder.
func NewBuilder(opt Options) *Builder {
	if opt.Max <= 0 {
		opt.Max = DefaultMax
	}
	return &Builder{opt: opt, files: map[string]bool{}}
}

// notable are the event kinds a targeted timeline keeps (prefixes).
var notable = []string{"ssh.login", "sudo.command", "su.session", "account.", "package.", "history.command", "history.disabled", "cron.edit",
	"audit.user-login", "audit.daemon", "audit.config-change", "audit.execve", "audit.add-user", "audit.user-auth",
	"logind.session.new", "login", "session.login", "ssh.server.stop"}

func (b *Builder) in(t time.Time) bool {
	return (b.opt.Since.IsZero() || !t.Before(b.opt.Since)) && (b.opt.Until.IsZero() || !t.After(b.opt.Until))
}

// Event adds a log event if it is notable (or Options.All).
func (b *Builder) Event(e *model.Event) {
	if e.Time.IsZero() || !b.in(e.Time) {
		return
	}
	if !b.opt.All && !isNotable(e) {
		return
	}
	if b.events >= b.opt.Max {
		b.dropped++
		return
	}
	b.events++
	b.entries = append(b.entries, Entry{
		Time: e.Time.UTC(), Desc: "Event Time", Message: eventMessage(e), Source: e.Source, Kind: e.Kind,
		Path: e.File, Line: e.Line, Actor: e.Actor, SrcIP: e.SrcIP, Raw: e.Raw,
	})
}

func isNotable(e *model.Event) bool {
	if e.Source == "wtmp" || e.Source == "wtmpdb" {
		return true
	}
	for _, n := range notable {
		if strings.HasPrefix(e.Kind, n) {
			return true
		}
	}
	return false
}

// eventMessage is a one-line description of an event (data, not prose:
// the kind and its parties, then the raw line).
func eventMessage(e *model.Event) string {
	var b strings.Builder
	b.WriteString(cmp.Or(e.Kind, e.Source))
	for _, kv := range [][2]string{{"actor", e.Actor}, {"object", e.Object}, {"from", e.SrcIP}, {"outcome", string(e.Outcome)}, {"command", e.Fields["command"]}} {
		if kv[1] != "" {
			b.WriteString(" " + kv[0] + "=" + kv[1])
		}
	}
	return b.String()
}

// Finding adds a finding at the time of its first event (log findings),
// else the modification time of its evidence, else at seen (the scan).
func (b *Builder) Finding(f model.Finding, source string, seen time.Time) {
	at, desc := seen, "Scan Time"
	if t, err := time.Parse(time.RFC3339, f.Evidence.Extra["first_time"]); err == nil {
		at, desc = t, "Finding (first event)"
	} else if f.Evidence.MTime != nil {
		at, desc = *f.Evidence.MTime, "Finding (file modified)"
	}
	if at.IsZero() || !b.in(at) {
		return
	}
	msg := f.RuleID + ": " + f.Title
	if f.Subject != "" {
		msg += " — " + f.Subject
	}
	b.entries = append(b.entries, Entry{
		Time: at.UTC(), Desc: desc, Message: msg, Source: source, Rule: f.RuleID, Severity: f.Severity.String(),
		Path: f.Evidence.Path, Line: f.Evidence.Line, Actor: f.Evidence.User, SrcIP: f.Evidence.Extra["source_ip"],
		Raw: f.Evidence.Text, Suspicious: f.Severity >= model.Medium,
	})
}

// FileTime adds one time of a file a finding points at: desc is
// Timesketch's timestamp_desc ("Modification Time"), message what a reader
// sees, in the reader's language.
func (b *Builder) FileTime(path, desc, message string, t time.Time, rule string) {
	if t.IsZero() || !b.in(t) {
		return
	}
	b.entries = append(b.entries, Entry{Time: t.UTC(), Desc: desc, Message: message, Source: "file", Path: path, Rule: rule})
}

// ProcessStart adds the start of a running process (a live host's
// /proc): Path its executable, Actor its user, Raw its command line.
func (b *Builder) ProcessStart(pid int, exe, user, cmdline string, t time.Time) {
	if t.IsZero() || !b.in(t) {
		return
	}
	if b.events >= b.opt.Max {
		b.dropped++
		return
	}
	b.events++
	b.entries = append(b.entries, Entry{Time: t.UTC(), Desc: "Process Start", Source: "process", Kind: "process.start",
		Message: "process.start pid=" + strconv.Itoa(pid) + " exe=" + exe, Path: exe, Actor: user, Raw: cmdline})
}

// WantFile reports whether the times of path are still to be added (each
// file once).
func (b *Builder) WantFile(path string) bool {
	if path == "" || b.files[path] || len(b.files) >= b.opt.Max {
		return false
	}
	b.files[path] = true
	return true
}

// Build orders the entries and names the attack path.
func (b *Builder) Build() *Timeline {
	es := b.entries
	slices.SortStableFunc(es, func(x, y Entry) int {
		if c := x.Time.Compare(y.Time); c != 0 {
			return c
		}
		return cmp.Compare(x.Path+strconv.Itoa(x.Line), y.Path+strconv.Itoa(y.Line))
	})
	tl := &Timeline{Entries: es, First: -1, Dropped: b.dropped}
	seen := map[string]bool{}
	for i := range es {
		es[i].ID = i + 1
		e := &es[i]
		if e.Suspicious && tl.First < 0 {
			tl.First = e.ID
		}
		if e.Rule == "" || e.Source == "file" {
			continue
		}
		st := stageOf(e.Rule)
		if st == "" || seen[st] || !(e.Suspicious || e.Severity == "low" && st == stageBrute) {
			continue
		}
		seen[st] = true
		where := e.Path
		if e.Line > 0 {
			where += ":" + strconv.Itoa(e.Line)
		}
		tl.Path = append(tl.Path, Step{Stage: st, Entry: e.ID, Time: e.Time, Rule: e.Rule, Where: where})
	}
	return tl
}
