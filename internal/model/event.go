package model

import "time"

// Outcome is what an event says happened to the attempt it records.
type Outcome string

// Outcomes of an event. Unknown is the zero value: the source did not say.
const (
	OutcomeUnknown Outcome = ""
	OutcomeSuccess Outcome = "success"
	OutcomeFailure Outcome = "failure"
)

// Event is one normalised record of something that happened on a host, as a
// log source reports it: an sshd line, a wtmp record, a web request, an
// audit event, a package install. Every parser of `vigil logs` produces
// Events; the log rules and the timeline consume them, whatever the format.
//
// Times are UTC. Fields a source does not carry stay empty; Fields keeps the
// parsed details that have no column of their own (an HTTP status, a sudo
// command, the audit syscall), with keys named in the parsers' docs.
type Event struct {
	Time    time.Time `json:"time"`              // when it happened, UTC
	Host    string    `json:"host,omitempty"`    // the host the record names (syslog hostname), else the target's
	Source  string    `json:"source"`            // format that produced it: auth, syslog, cron, dpkg, wtmp, btmp, utmp, lastlog, web.access, web.error, audit, journal, history
	Program string    `json:"program,omitempty"` // the program that logged it: sshd, sudo, su, nginx, useradd ...
	PID     int       `json:"pid,omitempty"`

	// Kind is the normalised action, a stable dotted id such as
	// "ssh.login", "ssh.auth.failed", "ssh.invalid-user", "sudo.command",
	// "su.session", "account.user.added", "account.password.changed",
	// "web.request", "package.installed", "audit.syscall", "session.open".
	// The list with each kind's meaning is in the parsers' package doc;
	// empty means the line parsed as its format but no kind is known.
	Kind    string  `json:"kind,omitempty"`
	Actor   string  `json:"actor,omitempty"`  // who did it: the user logging in, the sudo caller
	Object  string  `json:"object,omitempty"` // what it was done to: target user, URL path, package, file
	SrcIP   string  `json:"src_ip,omitempty"` // the remote address, when there is one
	Outcome Outcome `json:"outcome,omitempty"`

	Fields map[string]string `json:"fields,omitempty"` // parser-specific details

	// Where it came from, as evidence: the file inside the target, the
	// 1-based line (or record number for binary formats), and the raw
	// record (clipped; binary records rendered as text).
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	Raw  string `json:"raw,omitempty"`
}
